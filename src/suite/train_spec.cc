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
  static const std::vector<std::string> v = {"mean_std", "mean_ci", "max", "min"};
  return v;
}
const std::vector<std::string>& PlotNames() {
  static const std::vector<std::string> v = {"accuracy-vs-width", "learning-curves", "heatmap",
                                                  "accuracy-vs-length", "collapse"};
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

// `where: {axis: value, …}`: axes from ReportAxes(); values as text.
std::map<std::string, std::string> Where(const YamlReader& r, const YAML::Node& n) {
  if (!n.IsMap()) r.Fail(n, "'where' must map axes to values, e.g. {task: membership}");
  std::map<std::string, std::string> w;
  for (auto it = n.begin(); it != n.end(); ++it) w[Name(r, it->first, "axis", ReportAxes())] = r.Scalar(it->second, "where value");
  return w;
}
}  // namespace

TrainReportSpec TrainReportSpec::FromYaml(const YamlReader& r, const YAML::Node& node) {
  TrainReportSpec spec;
  if (!node) return spec;
  r.CheckKeys(node, {"tables", "plots", "plots_where"}, "report");
  if (const YAML::Node tables = node["tables"]) {
    if (!tables.IsSequence() || tables.size() == 0) r.Fail(tables, "'tables' must be a non-empty list");
    spec.tables.clear();
    for (const auto& t : tables) {
      r.CheckKeys(t, {"title", "rows", "columns", "select", "statistics", "reference", "smallest_width", "where"}, "table");
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
      if (t["where"]) table.where = Where(r, t["where"]);
      spec.tables.push_back(std::move(table));
    }
  }
  if (node["plots_where"]) spec.plots_where = Where(r, node["plots_where"]);
  if (node["plots"]) {
    spec.plots.clear();
    for (const auto& n : r.ScalarOrList(node["plots"], "plots")) spec.plots.push_back(Name(r, n, "plot", PlotNames()));
  }
  return spec;
}

nlohmann::json TrainReportSpec::ToJson() const {
  nlohmann::json j = {{"tables", nlohmann::json::array()}, {"plots", plots}, {"plots_where", plots_where}};
  for (const TrainTableSpec& t : tables)
    j["tables"].push_back({{"title", t.title},
                           {"rows", t.rows},
                           {"columns", t.columns},
                           {"select", t.select},
                           {"statistics", t.statistics},
                           {"reference", t.reference},
                           {"smallest_width", t.smallest_width ? nlohmann::json(*t.smallest_width) : nlohmann::json()},
                           {"where", t.where}});
  return j;
}

TrainReportSpec TrainReportSpec::FromJson(const nlohmann::json& j) {
  try {
    TrainReportSpec spec;
    spec.plots = j.at("plots").get<std::vector<std::string>>();
    for (const auto& p : spec.plots)
      if (!In(PlotNames(), p)) throw Error("unknown plot '" + p + "'");
    spec.plots_where = j.at("plots_where").get<std::map<std::string, std::string>>();
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
      table.where = t.at("where").get<std::map<std::string, std::string>>();
      for (const auto& [a, v] : table.where)
        if (!In(ReportAxes(), a)) throw Error("unknown axis '" + a + "' in where");
      for (const auto& s : table.statistics)
        if (!In(StatisticNames(), s)) throw Error("unknown statistic '" + s + "'");
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
  return In(plots, "collapse");
}

bool TrainReportSpec::WantsByLength() const { return In(plots, "accuracy-vs-length"); }

}  // namespace flbench
