// Command-line options shared by `dataset`, `train` and friends: the dataset options and their
// parsing (e.g. --test-bins 51-100,101-150). Entry points: DatasetArgs, AddDatasetOptions, ToSpec.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "lang/dataset_builder.h"

namespace flbench {

struct DatasetArgs {
  std::string lang;
  std::string task = "membership";
  int64_t train = 1000, validation = 0, test = 200;
  int min_len = 2, max_len = 50;
  std::string test_bins;
  std::string negatives = "uniform";
  uint64_t seed = 1;
};

// Adds LANG and --task --train --validation --test --min-len --max-len --test-bins --negatives --seed.
void AddDatasetOptions(CLI::App& cmd, DatasetArgs& a);
// Throws flbench::Error for a malformed --test-bins.
DatasetSpec ToSpec(const DatasetArgs& a);
std::vector<std::pair<int, int>> ParseBins(const std::string& text);

}  // namespace flbench
