// MakeBaseline / Compare over configuration groups (config without seed).
#include "report/compare.h"

#include <fmt/format.h>

#include <map>

#include "report/table.h"
#include "train/config.h"
#include "util/error.h"
#include "util/hash.h"

namespace flbench {

namespace {

struct Group {
  std::string label;
  std::map<std::string, std::vector<double>> by_split;  // split name → accuracies over seeds
  int seeds = 0;
};

std::string GroupLabel(const nlohmann::json& c) {
  const auto& m = c["model"];
  std::string s = fmt::format("{} {} {} m={} {} lr={} init={} batch={} epochs={}", c["language"].get<std::string>(),
                              c["data"]["task"].get<std::string>(), m["activation"].get<std::string>(), m["width"].dump(),
                              m["optimizer"].get<std::string>(), m["lr"].dump(), m["init"].get<std::string>(),
                              m["batch"].dump(), m["epochs"].dump());
  if (c["data"]["task"] == "membership") s += " negatives=" + c["data"]["negatives"].get<std::string>();
  return s;
}

std::map<std::string, Group> Groups(const std::vector<CellRecord>& records) {
  std::map<std::string, Group> groups;
  for (const auto& r : records) {
    if (r.kind != "train") continue;
    // Records come from disk (a database or a report's JSON): check the shape before reading it.
    const auto& c = r.config;
    if (!c.is_object() || !c.contains("language") || !c["language"].is_string() || !c.contains("data") ||
        !c.contains("model") || !r.result.is_object() || !r.result.contains("tests") || !r.result["tests"].is_array())
      throw Error(fmt::format("cell {}: config or result lacks language, data, model or tests", r.key));
    try {
      DataFromJson(c["data"]);
      ModelFromJson(c["model"]);
    } catch (const Error& e) {
      throw Error(fmt::format("cell {}: {} (made by another flbench version? rerun the suite)", r.key, e.what()));
    }
    for (const auto& t : r.result["tests"])
      if (!t.is_object() || !t.contains("name") || !t["name"].is_string() || !t.contains("acc") || !t["acc"].is_number())
        throw Error(fmt::format("cell {}: malformed test entry {}", r.key, t.dump()));
    Group& g = groups[HashKey(WithoutSeed(r.config))];
    g.label = GroupLabel(r.config);
    ++g.seeds;
    for (const auto& t : r.result["tests"])  // accuracy −1 marks an empty split
      if (t["acc"].get<double>() >= 0) g.by_split[t["name"].get<std::string>()].push_back(t["acc"].get<double>());
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
  c.erase("seed_index");
  for (const ConfigField& f : ConfigFields())  // the per-seed fields: seed (init) and order_seed (batch order)
    if (f.section == Section::kModel && f.type == FieldType::kSeed && c.contains("model")) c["model"].erase(f.key);
  return c;
}

nlohmann::json MakeBaseline(const std::vector<CellRecord>& records, const std::string& suite_name) {
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& [key, g] : Groups(records))
    for (const auto& [split, accs] : g.by_split)
      groups.push_back({{"group", key}, {"label", g.label}, {"split", split}, {"mean", Mean(accs)}, {"seeds", g.seeds}});
  return {{"suite", suite_name}, {"metric", "mean final test accuracy over seeds"}, {"groups", groups}};
}

nlohmann::json AsBaseline(const nlohmann::json& j, const std::string& path) {
  if (j.is_object() && j.contains("groups")) return j;
  if (!j.is_object() || !j.contains("cells") || !j["cells"].is_array() || !j.contains("suite") || !j["suite"].is_string())
    throw Error(fmt::format("{}: neither a baseline ('groups') nor a report's JSON ('suite' and 'cells')", path));
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

Comparison Compare(const nlohmann::json& baseline, const std::vector<CellRecord>& records, double tolerance) {
  if (!baseline.is_object() || !baseline.contains("groups") || !baseline["groups"].is_array())
    throw Error("baseline: expected a JSON object with a 'groups' list (write one with `flbench baseline`)");
  const auto groups = Groups(records);
  Comparison cmp;
  for (const auto& b : baseline["groups"]) {
    if (!b.contains("group") || !b.contains("split") || !b.contains("mean") || !b["mean"].is_number())
      throw Error("baseline: each group needs 'group', 'split' and a numeric 'mean': " + b.dump());
    Comparison::Row row;
    row.label = b.value("label", b["group"].get<std::string>());
    row.split = b["split"];
    row.baseline = b["mean"];
    auto it = groups.find(b["group"].get<std::string>());
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
