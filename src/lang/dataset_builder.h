// Builds train / validation / test splits from a Language: exact uniform length-conditioned sampling,
// balanced classes for membership, positives only with targets for next-symbol, splits disjoint.
// Entry point: BuildDataset. Tested by tests/lang_dataset_test.cc.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "lang/dataset.h"
#include "lang/language.h"

namespace flbench {

enum class Negatives { kUniform, kPerturb };

struct DatasetSpec {
  Task task = Task::kMembership;
  int64_t train = 1000;
  int64_t validation = 0;  // drawn from [min_len, max_len] like train
  int64_t test = 200;      // per test split (the training range and each bin)
  int min_len = 2;
  int max_len = 50;
  std::vector<std::pair<int, int>> test_bins;  // extra test length ranges, e.g. {51,100}
  Negatives negatives = Negatives::kUniform;   // membership task only
  uint64_t seed = 1;
};

// Builds the dataset. When the language has fewer distinct strings than asked, takes all it has and
// appends a sentence saying so to *notes (if given). Throws flbench::Error when a range has no strings
// of a needed class.
Dataset BuildDataset(const Language& lang, const DatasetSpec& spec, std::vector<std::string>* notes = nullptr);

// What BuildDataset checks before drawing any string (sizes, length ranges, repeated test bins, the memory the
// dataset would need): throws the same flbench::Error, so a suite can refuse a cell's data when it is loaded.
void CheckDatasetSpec(const Language& lang, const DatasetSpec& spec);

}  // namespace flbench
