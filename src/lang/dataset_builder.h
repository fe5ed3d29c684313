// Builds train / validation / test splits from a Language: exact uniform length-conditioned sampling,
// balanced classes for membership, positives only with targets for next-symbol, splits disjoint — or, with
// Splits::kAllStrings, every string of the training lengths as both train and test. Entry points: BuildDataset,
// CheckDatasetSpec. Tested by tests/lang_dataset_test.cc.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "lang/dataset.h"
#include "lang/language.h"

namespace flbench {

enum class Negatives { kUniform, kPerturb };

// How the training lengths are shared between train, validation and test.
//   kDisjoint: each split sampled without overlap (a short range is shared in proportion, with a note).
//   kAllStrings: train = every member with length in [min_len, max_len], enumerated exactly by rank (membership:
//     plus as many distinct non-members, drawn as kDisjoint draws them — all of them if there are fewer); the test
//     split of the training lengths is the same strings (the overlap the paper's small languages force); no
//     validation split; test bins as with kDisjoint. Refused when those strings number more than `train`.
enum class Splits { kDisjoint, kAllStrings };

struct DatasetSpec {
  Task task = Task::kMembership;
  int64_t train = 1000;
  int64_t validation = 0;  // drawn from [min_len, max_len] like train
  int64_t test = 200;      // per test split (the training range and each bin)
  int min_len = 2;
  int max_len = 50;
  std::vector<std::pair<int, int>> test_bins;  // extra test length ranges, e.g. {51,100}
  Negatives negatives = Negatives::kUniform;   // membership task only
  Splits splits = Splits::kDisjoint;
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
