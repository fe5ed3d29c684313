// Number formats and setting grouping for the theory reports. Tested by tests/report_theory_test.cc.
#include "report/theory_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

#include "report/table.h"

namespace flbench {

std::string Sig(double v, int digits) {
  if (!std::isfinite(v)) return "—";
  return fmt::format("{:.{}g}", v, digits);
}

std::string SigMeanStd(const Stats& s, int digits) {
  if (!std::isfinite(s.mean)) return "—";
  if (!std::isfinite(s.std)) return Sig(s.mean, digits);
  return Sig(s.mean, digits) + " ± " + Sig(s.std, 2);
}

std::string IntMeanStd(const Stats& s) {
  if (!std::isfinite(s.mean)) return "—";
  if (!std::isfinite(s.std)) return FormatFixed(s.mean, 0);
  return FormatFixed(s.mean, 0) + " ± " + FormatFixed(s.std, 0);
}

std::string Text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

double Num(const nlohmann::json& v) {
  return v.is_number() ? v.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

std::string Csv(double v) { return std::isfinite(v) ? fmt::format("{:.6g}", v) : ""; }

std::string Slug(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) || c == '.' ? c : '-';
  return out;
}

std::string Count(int k, int n) { return fmt::format("{} of {}", k, n); }

std::vector<Setting> GroupSettings(const Suite& suite, const std::vector<std::optional<CellRecord>>& records,
                                   const std::string& section, const std::vector<std::string>& drop) {
  std::vector<Setting> out;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < suite.cells.size(); ++i) {
    nlohmann::json c = suite.cells[i].config.at(section);
    for (const auto& k : drop) {
      const size_t dot = k.find('.');
      if (dot == std::string::npos) c.erase(k);
      else c[k.substr(0, dot)].erase(k.substr(dot + 1));
    }
    auto [it, inserted] = index.try_emplace(c.dump(), out.size());
    if (inserted) out.push_back({suite.cells[i].config.at(section), {}, {}});
    Setting& s = out[it->second];
    s.cells.push_back(&suite.cells[i]);
    if (records[i]) s.records.push_back(&*records[i]);
  }
  return out;
}

std::string SettingTitle(const std::vector<Setting>& settings, const Setting& s, const std::vector<std::string>& drop) {
  std::string title;
  for (auto it = s.config.begin(); it != s.config.end(); ++it) {
    if (std::find(drop.begin(), drop.end(), it.key()) != drop.end()) continue;
    bool differs = false;
    // A key one setting lacks (written only for some configurations) counts as null there.
    auto at = [](const nlohmann::json& c, const std::string& k) { return c.contains(k) ? c[k] : nlohmann::json(); };
    for (const Setting& o : settings) differs = differs || at(o.config, it.key()) != it.value();
    if (!differs) continue;
    if (it.value().is_object()) {
      for (auto jt = it.value().begin(); jt != it.value().end(); ++jt) {
        if (std::find(drop.begin(), drop.end(), it.key() + "." + jt.key()) != drop.end()) continue;
        bool d2 = false;
        for (const Setting& o : settings) d2 = d2 || !o.config.contains(it.key()) || at(o.config[it.key()], jt.key()) != jt.value();
        if (d2) title += (title.empty() ? "" : " ") + jt.key() + "=" + Text(jt.value());
      }
    } else {
      title += (title.empty() ? "" : " ") + it.key() + "=" + Text(it.value());
    }
  }
  return title;
}

}  // namespace flbench
