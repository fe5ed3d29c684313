// Regression checks: a baseline is the mean test accuracy (per test split) of every configuration
// group — cells that differ only by seed — and `compare` flags groups that fell by more than the
// tolerance. Entry points: MakeBaseline, Compare. Tested by tests/report_compare_test.cc.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "results/store.h"

namespace flbench {

// A train cell's configuration without its seed: cells equal here form one configuration group.
nlohmann::json WithoutSeed(const nlohmann::json& train_config);

// The baseline JSON of train-kind records: {"groups": [{"group", "label", "split", "mean", "seeds"}...]}.
nlohmann::json MakeBaseline(const std::vector<CellRecord>& records, const std::string& suite_name);

struct Comparison {
  struct Row {
    std::string label, split, status;  // status: "regressed", "improved", "ok", "missing"
    double baseline = 0, ours = 0;
    int seeds = 0;
  };
  std::vector<Row> rows;
  int regressed = 0, improved = 0, missing = 0, ok = 0;
  bool passed() const { return regressed == 0 && missing == 0; }
  std::string Render() const;  // Markdown table of the non-ok rows and a summary line
};

// A baseline from what `--baseline FILE` holds: a baseline (returned as it is) or a report's JSON (reports/SUITE.json,
// every cell's config and result: the committed reports are baselines too). Throws flbench::Error naming `path` for
// anything else or for malformed cells.
nlohmann::json AsBaseline(const nlohmann::json& j, const std::string& path);

// Throws flbench::Error for a malformed baseline.
Comparison Compare(const nlohmann::json& baseline, const std::vector<CellRecord>& records, double tolerance);

}  // namespace flbench
