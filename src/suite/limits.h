// What a suite or a training run asks of this machine, estimated before any work starts: the number of cells
// of a grid, the memory they take, the memory of one training run. Entry points: ReadSeeds, CheckGridSize, TrainingBytes,
// CheckTrainingMemory, kMaxSeeds. Tested by tests/suite_suite_test.cc and tests/data/bad_inputs.txt.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>
#include <vector>

#include "util/yaml_reader.h"

namespace flbench {

// A seed list (grid: seeds: [..]) holds at most this many seeds, as the count form (seeds: N) does.
inline constexpr size_t kMaxSeeds = 1000;
// A real hyperparameter whose range in the configuration table has no upper end (lr, eps, clip) takes at most this,
// in suite files and on the command line alike: nothing in these models means anything beyond, and values like
// 1e308 only overflow to inf in the first step.
inline constexpr double kMaxUnboundedReal = 1e6;
// A suite expands to at most this many cells, whatever the memory.
inline constexpr double kMaxCells = 1e6;
// Memory of one expanded cell (its JSON configuration, key and label): a 100 000-cell train grid peaks at 468 MB
// for `run --list-cells` (≈ 4.7 KB a cell); rounded up for the copies a run and its report hold.
inline constexpr double kCellBytes = 8192;

// `seeds:` of a grid, one rule for every kind: a count N (seeds 1 … N, 1 ≤ N ≤ kMaxSeeds) or a list of at most
// kMaxSeeds distinct seed numbers ≥ 1. Errors are located at the node.
std::vector<int> ReadSeeds(const YamlReader& r, const YAML::Node& n);

// Throws flbench::Error("<what> expands to N cells …") when `cells` exceeds kMaxCells or their memory
// (cells × kCellBytes) exceeds MemoryBudget(); the message gives the estimate.
void CheckGridSize(double cells, const std::string& what);

// Bytes one Elman-RNN training run needs, an upper estimate: the parameters with their gradient, optimiser state
// and per-shard copies (8 × (m² + m·(d + outputs + 2) + outputs) floats) and the hidden states of one batch at the
// longest length it meets (4 × m × batch × (max_len + 1) floats). Arguments as doubles so huge values cannot wrap.
double TrainingBytes(double width, double symbols, double outputs, double batch, double max_len);
// CheckMemory(TrainingBytes(...), "training with width m …") (util/memory.h).
void CheckTrainingMemory(double width, double symbols, double outputs, double batch, double max_len);

}  // namespace flbench
