// Runs a suite's cells in parallel with oneTBB — cells that can train in lockstep grouped into ensembles
// (Kind::GroupKey) — and commits each finished cell to the results store at once, so an interrupted run (even
// kill -9) resumes where it stopped. Entry points: RunSuite, GroupCells, AssignShards, ParseShard, FindCell. Tested by tests/suite_runner_test.cc and tests/cli_suite_test.cc.
#pragma once

#include <string>
#include <vector>

#include "results/store.h"
#include "suite/kinds.h"
#include "suite/suite.h"

namespace flbench {

struct RunOptions {
  int jobs = 0;          // cells (or groups of cells) at once; 0 = the number of cores
  // Cells that may run together (Kind::GroupKey: train cells sharing data and batch order) run in groups of at most
  // this many; 0 = automatic (at most kMaxGroup, and small enough to give every job a group), 1 = each cell alone.
  // The results are the same bits either way.
  int group = 0;
  bool force = false;    // rerun cells that are already stored
  int shard_index = 0;   // run only the cells AssignShards puts in shard_index of shard_count
  int shard_count = 1;
  std::string cell_key;  // if set: run only the cell with this key (FindCell), whatever the shard
  bool progress = true;  // report progress on stderr
  // If set: after a finished cell, publish the store to this path (ResultStore::PublishTo) when the last
  // publication is at least `publish_every` seconds old. The caller publishes once more at the end.
  std::string publish_to;
  double publish_every = 30;
  std::string models_dir;  // passed to the kind (RunContext): where cells store model files
};

struct RunSummary {
  size_t cells = 0;     // in the suite
  size_t in_shard = 0;  // of those, in this shard
  size_t already = 0;   // found in the store and skipped
  size_t ran = 0;       // run and stored now
  std::vector<std::string> failures;  // "label: message" for cells that threw (not stored)
  double wall_seconds = 0;
};

// The shard (0 … count−1) of every cell, balanced by estimated cost: cells in order of (cost descending,
// key), each to the shard with the least cost so far (ties: the lowest index). Depends only on the suite's
// cells (not on which are stored already), so every shard of a run computes the same split.
std::vector<int> AssignShards(const std::vector<Cell>& cells, int count);
// The cell with this key; throws flbench::Error naming the suite file and a hint (--list-cells) if none.
const Cell& FindCell(const Suite& suite, const std::string& key);
// "I/N" with 0 ≤ I < N; throws flbench::Error otherwise.
std::pair<int, int> ParseShard(const std::string& text);

inline constexpr int kMaxGroup = 32;

// The pending cells (in run order) as groups that run together: the cells of one non-empty Kind::GroupKey, in their
// order, cut into groups of at most `cap` (cap ≤ 0: automatic — at most kMaxGroup and at most ⌈cells / jobs⌉, so
// that `jobs` workers all get work); cells without a key alone. Groups in order of total cost, largest first
// (ties: the order of their first cell).
std::vector<std::vector<const Cell*>> GroupCells(const Kind& kind, const std::vector<const Cell*>& pending, int cap,
                                                 int jobs);

RunSummary RunSuite(const Suite& suite, ResultStore& store, const RunOptions& options);

}  // namespace flbench
