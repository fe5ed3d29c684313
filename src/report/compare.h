// Regression checks: a baseline is the mean test accuracy (per test split) of every configuration
// group — cells that differ only by seed — and `compare` flags groups that fell by more than the
// tolerance. Baselines and stored rows are untrusted input: every field is checked before use.
// Entry points: MakeBaseline, ReadBaseline, CheckBaseline, CheckTolerance, Compare. Tested by
// tests/report_compare_test.cc.
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

// A baseline from what `--baseline FILE` holds: a baseline (returned as it is) or a report's JSON (reports/SUITE.json,
// every cell's config and result: the committed reports are baselines too). Throws flbench::Error naming `path` for
// anything else or for malformed cells.
nlohmann::json AsBaseline(const nlohmann::json& j, const std::string& path);

// Reads and checks a baseline file (or a report's JSON, through AsBaseline): a missing file, a directory, a file over kMaxTextFileBytes, JSON that does not
// parse (including numbers like 1e999) and every CheckBaseline failure throw flbench::Error naming the path.
nlohmann::json ReadBaseline(const std::string& path);

// Throws flbench::Error("<source>: groups[i].mean: …") unless `baseline` is an object whose 'groups' is a
// non-empty list of objects with a string 'group' and 'split', a finite 'mean' ≥ 0 (above 1 fails every
// comparison, which is safe; NaN or negative would pass everything), and, if present, a
// string 'label' and an integer 'seeds' ≥ 0.
void CheckBaseline(const nlohmann::json& baseline, const std::string& source = "baseline");

// The allowed drop: a finite number in [0, 1] (NaN would pass everything); throws flbench::Error otherwise.
void CheckTolerance(double tolerance);

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

// Checks the tolerance and the baseline (CheckTolerance, CheckBaseline with `source` in messages), then
// compares. A stored train record without the fields a group needs throws flbench::Error naming the cell.
Comparison Compare(const nlohmann::json& baseline, const std::vector<CellRecord>& records, double tolerance,
                   const std::string& source = "baseline");

}  // namespace flbench
