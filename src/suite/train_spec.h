// The report spec of a train suite, typed: which tables (rows, column, selection rule, statistics, reference,
// smallest-width column) and which plots. Read from the suite file by the train kind, stored in Suite::report as
// JSON, read back by the train report: one definition, with its defaults, for both.
// Entry points: TrainTableSpec, TrainReportSpec. Tested by tests/suite_train_spec_test.cc (and through
// tests/suite_suite_test.cc).
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/yaml_reader.h"

namespace flbench {

struct TrainTableSpec {
  std::string title = "Test accuracy";
  std::vector<std::string> rows = {"language"};  // axes (ReportAxes())
  std::string columns = "activation";            // one axis
  std::string select = "validation";             // SelectRules()
  std::vector<std::string> statistics = {"mean_std", "max"};  // StatisticNames()
  bool reference = true;                         // print the languages' reference numbers with Δ
  std::optional<double> smallest_width;          // accuracy threshold in (0, 1] of the smallest-width column
  // Only cells whose axis values match, e.g. {task: membership, negatives: perturb}: one suite, several tables.
  std::map<std::string, std::string> where;
};

struct TrainReportSpec {
  std::vector<TrainTableSpec> tables = {TrainTableSpec{}};
  std::vector<std::string> plots = {"accuracy-vs-width", "learning-curves"};  // PlotNames()
  // Plots filter like tables (e.g. heatmaps of the next-symbol cells only); empty = every cell.
  std::map<std::string, std::string> plots_where;

  // Reads `report:` (node may be null: the defaults); throws flbench::Error located in the file.
  static TrainReportSpec FromYaml(const YamlReader& r, const YAML::Node& node);
  // From Suite::report; throws flbench::Error for a malformed spec.
  static TrainReportSpec FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
  bool NeedsEachEpoch() const;  // best epoch on test, or the collapse view: every epoch must be evaluated
  bool WantsByLength() const;   // the accuracy-vs-length plot: cells store per-length results
};

// Axes a table may use: "language" and the configuration fields marked kReportAxis (train/config.h).
const std::vector<std::string>& ReportAxes();
const std::vector<std::string>& SelectRules();     // validation, best-epoch-on-test, final-test
const std::vector<std::string>& StatisticNames();  // mean_std, mean_ci, max, min
// accuracy-vs-width, learning-curves, heatmap, accuracy-vs-length, collapse
const std::vector<std::string>& PlotNames();

}  // namespace flbench
