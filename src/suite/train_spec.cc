// TrainReportSpec from YAML and JSON (see train_spec.h).
#include "suite/train_spec.h"

#include <fmt/format.h>

#include <algorithm>

#include "train/config.h"
#include "util/error.h"
#include "util/strings.h"

namespace flbench {

const std::vector<std::string>& ReportAxes() {
  static const std::vector<std::string> axes = [] {
    std::vector<std::string> a{"language"};
    for (const std::string& k : FieldKeys(kReportAxis)) a.push_back(k);
    return a;
  }();
  return axes;
}
const std::vector<std::string>& SelectRules() {
  static const std::vector<std::string> v = {"validation", "best-epoch-on-test", "final-test"};
  return v;
}
const std::vector<std::string>& StatisticNames() {
  static const std::vector<std::string> v = {"mean_std", "max", "min"};
  return v;
}
const std::vector<std::string>& PlotNames() {
  static const std::vector<std::string> v = {"accuracy-vs-width", "learning-curves"};
  return v;
}

namespace {
bool In(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// A name from `allowed`, read at node n; a located error otherwise.
std::string Name(const YamlReader& r, const YAML::Node& n, const std::string& what, const std::vector<std::string>& allowed) {
  const std::string s = r.Scalar(n, what);
  if (!In(allowed, s)) r.Fail(n, fmt::format("unknown {} '{}' (valid: {})", what, s, Join(allowed)));
  return s;
}
}  // namespace

TrainReportSpec TrainReportSpec::FromYaml(const YamlReader& r, const YAML::Node& node) {
  TrainReportSpec spec;
  if (!node) return spec;
  r.CheckKeys(node, {"tables", "plots"}, "report");
  if (const YAML::Node tables = node["tables"]) {
    if (!tables.IsSequence() || tables.size() == 0) r.Fail(tables, "'tables' must be a non-empty list");
    spec.tables.clear();
    for (const auto& t : tables) {
      r.CheckKeys(t, {"title", "rows", "columns", "select", "statistics", "reference", "smallest_width"}, "table");
      TrainTableSpec table;
      if (t["title"]) table.title = r.Scalar(t["title"], "title");
      if (t["rows"]) {
        table.rows.clear();
        for (const auto& n : r.ScalarOrList(t["rows"], "rows")) table.rows.push_back(Name(r, n, "axis", ReportAxes()));
      }
      if (t["columns"]) table.columns = Name(r, t["columns"], "axis", ReportAxes());
      if (t["select"]) table.select = Name(r, t["select"], "select rule", SelectRules());
      if (t["statistics"]) {
        table.statistics.clear();
        for (const auto& n : r.ScalarOrList(t["statistics"], "statistics"))
          table.statistics.push_back(Name(r, n, "statistic", StatisticNames()));
      }
      if (t["reference"]) table.reference = r.Bool(t["reference"], "reference");
      if (t["smallest_width"]) {
        const double th = r.Double(t["smallest_width"], "smallest_width");
        if (!(th > 0 && th <= 1)) r.Fail(t["smallest_width"], "'smallest_width' is an accuracy threshold in (0, 1]");
        table.smallest_width = th;
      }
      spec.tables.push_back(std::move(table));
    }
  }
  if (node["plots"]) {
    spec.plots.clear();
    for (const auto& n : r.ScalarOrList(node["plots"], "plots")) spec.plots.push_back(Name(r, n, "plot", PlotNames()));
  }
  return spec;
}

nlohmann::json TrainReportSpec::ToJson() const {
  nlohmann::json j = {{"tables", nlohmann::json::array()}, {"plots", plots}};
  for (const TrainTableSpec& t : tables)
    j["tables"].push_back({{"title", t.title},
                           {"rows", t.rows},
                           {"columns", t.columns},
                           {"select", t.select},
                           {"statistics", t.statistics},
                           {"reference", t.reference},
                           {"smallest_width", t.smallest_width ? nlohmann::json(*t.smallest_width) : nlohmann::json()}});
  return j;
}

TrainReportSpec TrainReportSpec::FromJson(const nlohmann::json& j) {
  try {
    TrainReportSpec spec;
    spec.plots = j.at("plots").get<std::vector<std::string>>();
    spec.tables.clear();
    for (const auto& t : j.at("tables")) {
      TrainTableSpec table;
      table.title = t.at("title").get<std::string>();
      table.rows = t.at("rows").get<std::vector<std::string>>();
      table.columns = t.at("columns").get<std::string>();
      table.select = t.at("select").get<std::string>();
      table.statistics = t.at("statistics").get<std::vector<std::string>>();
      table.reference = t.at("reference").get<bool>();
      if (!t.at("smallest_width").is_null()) table.smallest_width = t.at("smallest_width").get<double>();
      for (const auto& a : table.rows)
        if (!In(ReportAxes(), a)) throw Error("unknown axis '" + a + "'");
      if (!In(ReportAxes(), table.columns) || !In(SelectRules(), table.select)) throw Error("bad columns or select");
      spec.tables.push_back(std::move(table));
    }
    return spec;
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("malformed train report spec: ") + e.what());
  }
}

bool TrainReportSpec::NeedsEachEpoch() const {
  for (const TrainTableSpec& t : tables)
    if (t.select == "best-epoch-on-test") return true;
  return false;
}

}  // namespace flbench
