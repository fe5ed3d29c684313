// MakeBaseline / ReadBaseline / Compare over configuration groups (config without seed).
#include "report/compare.h"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "report/table.h"
#include "train/config.h"
#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"

namespace flbench {

namespace {

struct Group {
  std::string label;
  std::map<std::string, std::vector<double>> by_split;  // split name → accuracies over seeds
  int seeds = 0;
};

// A field of a stored configuration as text for labels ("?" when absent).
std::string Text(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "?";
  const nlohmann::json& v = j.at(key);
  return v.is_string() ? v.get<std::string>() : v.dump();
}

const nlohmann::json& Object(const nlohmann::json& j, const char* key) {
  static const nlohmann::json empty = nlohmann::json::object();
  return j.is_object() && j.contains(key) && j.at(key).is_object() ? j.at(key) : empty;
}

std::string GroupLabel(const nlohmann::json& c) {
  const nlohmann::json& m = Object(c, "model");
  const nlohmann::json& d = Object(c, "data");
  std::string s = fmt::format("{} {} {} m={} {} lr={} init={} batch={} epochs={}", Text(c, "language"), Text(d, "task"),
                              Text(m, "activation"), Text(m, "width"), Text(m, "optimizer"), Text(m, "lr"),
                              Text(m, "init"), Text(m, "batch"), Text(m, "epochs"));
  if (Text(d, "task") == "membership") s += " negatives=" + Text(d, "negatives");
  if (d.contains("splits")) s += " splits=" + Text(d, "splits");  // absent = disjoint (train/config.h kKeyIfSet)
  return s;
}

[[noreturn]] void BadRecord(const CellRecord& r, const std::string& what) {
  throw Error(fmt::format("stored cell {} (suite '{}'): {}; the results database is damaged or from another version "
                          "(rerun the cell)", r.key, r.suite, what));
}

std::map<std::string, Group> Groups(const std::vector<CellRecord>& records) {
  std::map<std::string, Group> groups;
  for (const auto& r : records) {
    if (r.kind != "train") continue;
    if (!r.config.is_object()) BadRecord(r, "its configuration is not a JSON object");
    if (!r.result.is_object() || !r.result.contains("tests") || !r.result.at("tests").is_array())
      BadRecord(r, "its result has no 'tests' list");
    // The configuration must be one this flbench makes (every field of the table, in range): a record from
    // another version groups differently and is refused rather than compared wrongly.
    try {
      DataFromJson(r.config.contains("data") ? r.config.at("data") : nlohmann::json());
      ModelFromJson(r.config.contains("model") ? r.config.at("model") : nlohmann::json());
    } catch (const Error& e) {
      BadRecord(r, std::string(e.what()) + " (made by another flbench version? rerun the suite)");
    }
    Group& g = groups[HashKey(WithoutSeed(r.config))];
    g.label = GroupLabel(r.config);
    ++g.seeds;
    for (const auto& t : r.result.at("tests")) {  // accuracy −1 marks an empty split
      if (!t.is_object() || !t.contains("name") || !t.at("name").is_string())
        BadRecord(r, "a test split without a 'name'");
      const nlohmann::json& acc = t.contains("acc") ? t.at("acc") : nlohmann::json();
      if (acc.is_null()) continue;  // NaN is stored as null: no accuracy for this split
      if (!acc.is_number() || !(acc.get<double>() <= 1)) BadRecord(r, "a test split whose 'acc' is not a number ≤ 1");
      if (acc.get<double>() >= 0) g.by_split[t.at("name").get<std::string>()].push_back(acc.get<double>());
    }
  }
  return groups;
}

double Mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / v.size();
}

}  // namespace

nlohmann::json WithoutSeed(const nlohmann::json& train_config) {
  nlohmann::json c = train_config;
  if (!c.is_object()) return c;
  c.erase("seed_index");
  if (c.contains("model") && c.at("model").is_object())
    for (const ConfigField& f : ConfigFields())  // the per-seed fields: seed (init) and order_seed (batch order)
      if (f.section == Section::kModel && f.type == FieldType::kSeed) c.at("model").erase(f.key);
  return c;
}

nlohmann::json MakeBaseline(const std::vector<CellRecord>& records, const std::string& suite_name) {
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& [key, g] : Groups(records))
    for (const auto& [split, accs] : g.by_split)
      groups.push_back({{"group", key}, {"label", g.label}, {"split", split}, {"mean", Mean(accs)}, {"seeds", g.seeds}});
  return {{"suite", suite_name}, {"metric", "mean final test accuracy over seeds"}, {"groups", groups}};
}

void CheckTolerance(double tolerance) {
  if (!std::isfinite(tolerance) || tolerance < 0 || tolerance > 1)
    throw Error(fmt::format("--tolerance must be a number from 0 to 1 (an allowed drop in accuracy), got {}", tolerance));
}

void CheckBaseline(const nlohmann::json& baseline, const std::string& source) {
  const std::string hint = " (write a baseline with `flbench baseline SUITE --out FILE`)";
  if (!baseline.is_object()) throw Error(fmt::format("{}: expected a JSON object with a 'groups' list{}", source, hint));
  if (!baseline.contains("groups") || !baseline.at("groups").is_array())
    throw Error(fmt::format("{}: expected a 'groups' list, got {}{}", source,
                            baseline.contains("groups") ? baseline.at("groups").dump() : "none", hint));
  const nlohmann::json& groups = baseline.at("groups");
  if (groups.empty())
    throw Error(fmt::format("{}: 'groups' is empty, so it would pass any results; a baseline needs at least one group{}",
                            source, hint));
  for (size_t i = 0; i < groups.size(); ++i) {
    const nlohmann::json& b = groups[i];
    auto bad = [&](const std::string& field, const std::string& what) {
      throw Error(fmt::format("{}: groups[{}]{}: {}{}", source, i, field.empty() ? "" : "." + field, what, hint));
    };
    if (!b.is_object()) bad("", "expected an object, got " + b.dump());
    for (const char* key : {"group", "split"})
      if (!b.contains(key) || !b.at(key).is_string())
        bad(key, b.contains(key) ? "expected a string, got " + b.at(key).dump() : "missing");
    if (!b.contains("mean")) bad("mean", "missing");
    const nlohmann::json& mean = b.at("mean");
    // Means above 1 only make every group regress (fail-closed), so they are allowed; NaN or a negative mean would
    // pass every result and is refused.
    if (!mean.is_number() || !(mean.get<double>() >= 0) || !std::isfinite(mean.get<double>()))
      bad("mean", "expected an accuracy ≥ 0, got " + mean.dump());
    if (b.contains("label") && !b.at("label").is_string()) bad("label", "expected a string, got " + b.at("label").dump());
    if (b.contains("seeds") && !(b.at("seeds").is_number_integer() && b.at("seeds").get<int64_t>() >= 0))
      bad("seeds", "expected an integer ≥ 0, got " + b.at("seeds").dump());
  }
}

nlohmann::json AsBaseline(const nlohmann::json& j, const std::string& path) {
  if (j.is_object() && j.contains("groups")) return j;
  if (!j.is_object() || !j.contains("cells") || !j["cells"].is_array() || !j.contains("suite") || !j["suite"].is_string())
    throw Error(fmt::format("{}: expected a JSON object: a baseline ('groups') or a report's JSON ('suite' and 'cells')",
                            path));
  if (j.value("kind", "train") != "train")
    throw Error(fmt::format("{}: a report of kind '{}': baselines compare train suites", path, j.value("kind", "")));
  std::vector<CellRecord> records;
  size_t index = 0;
  for (const auto& c : j["cells"]) {
    if (!c.is_object() || !c.contains("key") || !c["key"].is_string() || !c.contains("config") ||
        !c["config"].is_object() || !c.contains("result") || !c["result"].is_object() ||
        !c["result"].contains("tests") || !c["result"]["tests"].is_array())
      throw Error(fmt::format("{}: cell {} lacks key, config or result.tests", path, index));
    for (const auto& t : c["result"]["tests"])
      if (!t.is_object() || !t.contains("name") || !t["name"].is_string() || !t.contains("acc") || !t["acc"].is_number())
        throw Error(fmt::format("{}: cell {} has a malformed test entry: {}", path, index, t.dump()));
    CellRecord r;
    r.key = c["key"];
    r.config = c["config"];
    r.result = c["result"];
    r.kind = "train";
    records.push_back(std::move(r));
    ++index;
  }
  return MakeBaseline(records, j["suite"].get<std::string>());
}

nlohmann::json ReadBaseline(const std::string& path) {
  const std::string text = ReadTextFile(path, "baseline");
  nlohmann::json base;
  try {
    base = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse errors and number overflow (1e999)
    throw Error(fmt::format("{}: not a valid baseline JSON: {}", path, e.what()));
  }
  base = AsBaseline(base, path);  // a report's JSON (reports/SUITE.json) is a baseline too
  CheckBaseline(base, path);
  return base;
}

Comparison Compare(const nlohmann::json& baseline, const std::vector<CellRecord>& records, double tolerance,
                   const std::string& source) {
  CheckTolerance(tolerance);
  CheckBaseline(baseline, source);
  const auto groups = Groups(records);
  Comparison cmp;
  for (const auto& b : baseline.at("groups")) {
    Comparison::Row row;
    row.label = b.contains("label") ? b.at("label").get<std::string>() : b.at("group").get<std::string>();
    row.split = b.at("split").get<std::string>();
    row.baseline = b.at("mean").get<double>();
    auto it = groups.find(b.at("group").get<std::string>());
    if (it == groups.end() || !it->second.by_split.count(row.split)) {
      row.status = "missing";
      ++cmp.missing;
    } else {
      const auto& accs = it->second.by_split.at(row.split);
      row.ours = Mean(accs);
      row.seeds = static_cast<int>(accs.size());
      if (row.ours < row.baseline - tolerance) {
        row.status = "regressed";
        ++cmp.regressed;
      } else if (row.ours > row.baseline + tolerance) {
        row.status = "improved";
        ++cmp.improved;
      } else {
        row.status = "ok";
        ++cmp.ok;
      }
    }
    cmp.rows.push_back(row);
  }
  return cmp;
}

std::string Comparison::Render() const {
  std::string out;
  MarkdownTable t({"status", "group", "split", "baseline", "ours", "Δ"},
                  {Align::kLeft, Align::kLeft, Align::kLeft, Align::kRight, Align::kRight, Align::kRight});
  for (const auto& r : rows) {
    if (r.status == "ok") continue;
    t.AddRow({r.status, r.label, r.split, FormatFixed(r.baseline, 3), r.status == "missing" ? "—" : FormatFixed(r.ours, 3),
              r.status == "missing" ? "—" : fmt::format("{:+.3f}", r.ours - r.baseline)});
  }
  if (t.rows()) out += t.Render();
  out += fmt::format("compare: {} group(s): {} ok, {} improved, {} regressed, {} missing — {}\n", rows.size(), ok, improved,
                     regressed, missing, passed() ? "PASS" : "FAIL");
  return out;
}

}  // namespace flbench
