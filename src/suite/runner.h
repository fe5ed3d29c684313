// Runs a suite's cells in parallel with oneTBB and commits each finished cell to the results store at
// once, so an interrupted run (even kill -9) resumes where it stopped. Entry points: RunSuite, InShard,
// ParseShard. Tested by tests/suite_runner_test.cc and tests/cli_suite_test.cc.
#pragma once

#include <string>
#include <vector>

#include "results/store.h"
#include "suite/suite.h"

namespace flbench {

struct RunOptions {
  int jobs = 0;          // cells at once; 0 = the number of cores
  bool force = false;    // rerun cells that are already stored
  int shard_index = 0;   // run only the cells with InShard(key, shard_index, shard_count)
  int shard_count = 1;
  bool progress = true;  // report progress on stderr
};

struct RunSummary {
  size_t cells = 0;     // in the suite
  size_t in_shard = 0;  // of those, in this shard
  size_t already = 0;   // found in the store and skipped
  size_t ran = 0;       // run and stored now
  std::vector<std::string> failures;  // "label: message" for cells that threw (not stored)
  double wall_seconds = 0;
};

// Deterministic 1/N split of the cells by key (independent of grid order and of other shards).
bool InShard(const std::string& key, int index, int count);
// "I/N" with 0 ≤ I < N; throws flbench::Error otherwise.
std::pair<int, int> ParseShard(const std::string& text);

RunSummary RunSuite(const Suite& suite, ResultStore& store, const RunOptions& options);

}  // namespace flbench
