// The runner (suite/runner.h): ParseShard's accepted and rejected forms; AssignShards by hand, against a brute-force
// optimum and independent of cell order; FindCell; RunSuite on real suites: everything stored, a second run resumes
// with nothing to do, --force reruns to the same results, shards partition the cells and fill one store, a single
// cell by key, the results do not depend on the number of jobs nor on grouping cells into ensembles (GroupCells), and
// publishing copies at a bounded interval.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "results/store.h"
#include "suite/runner.h"
#include "suite/suite.h"
#include "testutil/paths.h"
#include "util/error.h"

namespace flbench {
namespace {

using nlohmann::json;

TEST(ParseShard, AcceptsIOverN) {
  EXPECT_EQ(ParseShard("0/1"), (std::pair<int, int>{0, 1}));
  EXPECT_EQ(ParseShard("0/4"), (std::pair<int, int>{0, 4}));
  EXPECT_EQ(ParseShard("3/4"), (std::pair<int, int>{3, 4}));
  EXPECT_EQ(ParseShard("99/100"), (std::pair<int, int>{99, 100}));
}

TEST(ParseShard, RejectsEverythingElseNamingTheText) {
  for (const char* bad : {"", "1", "1/", "/4", "a/b", "1/4x", "1/4/2", "4/4", "5/4", "-1/4", "0/0", "1/-4", "1.5/4",
                          "1/4 "}) {
    try {
      ParseShard(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()),
                std::string("--shard: expected I/N with 0 ≤ I < N (e.g. 0/4), got '") + bad + "'");
    }
  }
}

// Four small, fast train cells (two widths × two seeds on Tomita 1).
const char* kSuite = R"(name: rt
seed: 5
data:
  task: membership
  train: 20
  test: 10
  min_len: 1
  max_len: 6
grid:
  width: [2, 3]
  epochs: 2
  seeds: 2
languages:
  - tomita1
)";

RunOptions Quiet(int jobs) {
  RunOptions o;
  o.jobs = jobs;
  o.progress = false;
  return o;
}

// A result without its timings ("seconds" anywhere), which are the only part allowed to differ between runs.
json WithoutTimings(json j) {
  if (j.is_object()) {
    j.erase("seconds");
    for (auto& [k, v] : j.items()) v = WithoutTimings(v);
  } else if (j.is_array()) {
    for (auto& v : j) v = WithoutTimings(v);
  }
  return j;
}

std::map<std::string, json> Results(ResultStore& store) {
  std::map<std::string, json> out;
  for (const CellRecord& r : store.All()) out[r.key] = WithoutTimings(r.result);
  return out;
}

TEST(RunSuite, StoresEveryCellThenResumesWithNothingToDo) {
  const Suite suite = ParseSuite(kSuite, "rt.yaml");
  ASSERT_EQ(suite.cells.size(), 4u);
  auto store = ResultStore::Open(testing::TempDir() + "/rt.db");

  const RunSummary first = RunSuite(suite, *store, Quiet(2));
  EXPECT_EQ(first.cells, 4u);
  EXPECT_EQ(first.in_shard, 4u);
  EXPECT_EQ(first.already, 0u);
  EXPECT_EQ(first.ran, 4u);
  EXPECT_TRUE(first.failures.empty());
  EXPECT_EQ(store->Size(), 4u);
  for (const Cell& c : suite.cells) {
    const auto r = store->Get(c.key);
    ASSERT_TRUE(r.has_value()) << c.key;
    EXPECT_EQ(r->config, c.config);
    EXPECT_EQ(r->kind, "train");
    EXPECT_EQ(r->suite, "rt");
  }
  const auto results = Results(*store);

  const RunSummary second = RunSuite(suite, *store, Quiet(2));
  EXPECT_EQ(second.already, 4u);
  EXPECT_EQ(second.ran, 0u);
  EXPECT_EQ(Results(*store), results);

  RunOptions force = Quiet(1);
  force.force = true;
  const RunSummary again = RunSuite(suite, *store, force);
  EXPECT_EQ(again.already, 0u);
  EXPECT_EQ(again.ran, 4u);
  EXPECT_EQ(store->Size(), 4u);
  EXPECT_EQ(Results(*store), results) << "a rerun with one job must give the same results as two jobs";
}

// A stored row the kind cannot read (UPDATE cells SET result='{}', a mistyped field) is not "done": the next run
// computes it again and stores the same result the first run did.
TEST(RunSuite, MalformedStoredResultsAreRunAgain) {
  const Suite suite = ParseSuite(kSuite, "rt.yaml");
  auto store = ResultStore::Open(testing::TempDir() + "/malformed.db");
  ASSERT_EQ(RunSuite(suite, *store, Quiet(2)).ran, 4u);
  const auto results = Results(*store);
  for (const nlohmann::json& bad : {nlohmann::json::object(), nlohmann::json{{"epochs_run", "3"}, {"tests", nlohmann::json::array()}},
                                    nlohmann::json{{"epochs_run", 3}, {"tests", {{{"acc", "high"}}}}}}) {
    CellRecord rec = *store->Get(suite.cells[1].key);
    rec.result = bad;
    store->Put(rec);
    const RunSummary s = RunSuite(suite, *store, Quiet(1));
    EXPECT_EQ(s.already, 3u) << bad.dump();
    EXPECT_EQ(s.ran, 1u) << bad.dump();
    EXPECT_EQ(Results(*store), results) << bad.dump();
  }
}

TEST(RunSuite, ShardsPartitionTheCells) {
  const Suite suite = ParseSuite(kSuite, "rt.yaml");
  auto whole = ResultStore::Open(testing::TempDir() + "/whole.db");
  RunSuite(suite, *whole, Quiet(1));
  std::set<std::string> seen;
  size_t in_shards = 0;
  for (int i = 0; i < 3; ++i) {
    auto part = ResultStore::Open(testing::TempDir() + "/part" + std::to_string(i) + ".db");
    RunOptions o = Quiet(1);
    o.shard_index = i;
    o.shard_count = 3;
    const RunSummary s = RunSuite(suite, *part, o);
    EXPECT_EQ(s.cells, 4u);
    EXPECT_EQ(s.ran, s.in_shard);
    in_shards += s.in_shard;
    const auto shard = AssignShards(suite.cells, 3);
    for (const CellRecord& r : part->All()) {
      size_t at = 0;
      while (at < suite.cells.size() && suite.cells[at].key != r.key) ++at;
      ASSERT_LT(at, suite.cells.size()) << r.key;
      EXPECT_EQ(shard[at], i) << r.key;
      EXPECT_TRUE(seen.insert(r.key).second) << r.key << " in two shards";
      EXPECT_EQ(WithoutTimings(r.result), WithoutTimings(whole->Get(r.key)->result)) << "shard " << i;
    }
  }
  EXPECT_EQ(in_shards, 4u);
  EXPECT_EQ(seen.size(), 4u);
}

// Train cells that share data and batch order (per seed) but differ in width (both sides of the lanes path's limit),
// activation and learning rate, some stopping early, with per-epoch evaluation (the report's best-epoch column).
const char* kGroupSuite = R"(name: grouped
seed: 3
data:
  task: next-symbol
  train: 60
  test: 20
  min_len: 1
  max_len: 10
grid:
  width: [3, 8, 24]
  activation: [tanh, relu]
  lr: [0.01, 0.05]
  optimizer: adam
  epochs: 6
  patience: 1
  seeds: 2
languages:
  - tomita1
  - parity
report:
  tables:
    - {rows: language, columns: activation, select: best-epoch-on-test, statistics: [max]}
)";

TEST(RunSuite, GroupedCellsGiveTheSameResultsAsCellsAlone) {
  const Suite suite = ParseSuite(kGroupSuite, "grouped.yaml");
  ASSERT_EQ(suite.cells.size(), 48u);
  ASSERT_TRUE(suite.cells[0].config["model"]["eval_each_epoch"].get<bool>());
  std::vector<const Cell*> all;
  for (const Cell& c : suite.cells) all.push_back(&c);
  // Four groups of 12 (language × seed), cut to the cap; singletons when grouping is off.
  EXPECT_EQ(GroupCells(FindKind("train"), all, 0, 2).size(), 4u);
  EXPECT_EQ(GroupCells(FindKind("train"), all, 5, 2).size(), 12u);
  EXPECT_EQ(GroupCells(FindKind("train"), all, 1, 2).size(), 48u);
  for (const auto& g : GroupCells(FindKind("train"), all, 0, 2))
    for (const Cell* c : g) {
      EXPECT_EQ(c->config["language"], g[0]->config["language"]);
      EXPECT_EQ(c->config["model"]["order_seed"], g[0]->config["model"]["order_seed"]);
    }

  auto alone = ResultStore::Open(testing::TempDir() + "/alone.db");
  RunOptions one = Quiet(2);
  one.group = 1;
  EXPECT_EQ(RunSuite(suite, *alone, one).ran, 48u);
  const auto expected = Results(*alone);
  std::set<int> epochs;
  for (const auto& [key, r] : expected) epochs.insert(r["epochs_run"].get<int>());
  EXPECT_GE(epochs.size(), 3u) << "cells should leave their groups at different epochs";
  for (int group : {0, 5}) {
    for (int jobs : {1, 2}) {
      auto grouped = ResultStore::Open(testing::TempDir() + fmt::format("/grouped{}-{}.db", group, jobs));
      RunOptions o = Quiet(jobs);
      o.group = group;
      const RunSummary s = RunSuite(suite, *grouped, o);
      EXPECT_EQ(s.ran, 48u);
      EXPECT_TRUE(s.failures.empty());
      const auto got = Results(*grouped);
      ASSERT_EQ(got.size(), expected.size());
      for (const auto& [key, r] : expected) EXPECT_EQ(got.at(key), r) << key << " group " << group << " jobs " << jobs;
    }
  }
}

// A cheap real suite (theory kind `convergence`): 6 cells of three different costs.
const char* kTheorySuite = "kind: convergence\ngrid:\n  m: [8, 16, 24]\n  n: 2\n  L: 3\n  dx: 3\n  max_iters: 30\n  seeds: 2\n";

std::vector<Cell> CellsWithCosts(const std::vector<double>& costs) {
  std::vector<Cell> cells(costs.size());
  for (size_t i = 0; i < costs.size(); ++i) {
    cells[i].key = fmt::format("k{:02}", i);
    cells[i].cost = costs[i];
  }
  return cells;
}

std::vector<double> Loads(const std::vector<Cell>& cells, const std::vector<int>& shard, int n) {
  std::vector<double> load(n, 0.0);
  for (size_t i = 0; i < cells.size(); ++i) load.at(shard.at(i)) += cells[i].cost;
  return load;
}

// The best possible largest shard, by trying every assignment (n^cells: small inputs only).
double BruteForceBestMax(const std::vector<Cell>& cells, int n) {
  double best = 1e300;
  std::vector<int> shard(cells.size(), 0);
  for (;;) {
    const auto load = Loads(cells, shard, n);
    best = std::min(best, *std::max_element(load.begin(), load.end()));
    size_t i = 0;
    while (i < shard.size() && ++shard[i] == n) shard[i++] = 0;
    if (i == shard.size()) return best;
  }
}

TEST(RunnerTest, ShardsByHand) {
  // Order by (cost desc, key): k0 5, k1 4, k2..k4 3. Greedy to the least-loaded shard, ties to the lower index:
  // k0→0 (5,0), k1→1 (5,4), k2→1 (5,7), k3→0 (8,7), k4→1 (8,10).
  const auto cells = CellsWithCosts({5, 4, 3, 3, 3});
  EXPECT_EQ(AssignShards(cells, 2), (std::vector<int>{0, 1, 1, 0, 1}));
  // Equal costs: by key, round robin.
  EXPECT_EQ(AssignShards(CellsWithCosts({1, 1, 1, 1, 1}), 3), (std::vector<int>{0, 1, 2, 0, 1}));
  EXPECT_EQ(AssignShards(cells, 1), (std::vector<int>(5, 0)));
  // More shards than cells: each cell alone, the rest empty.
  EXPECT_EQ(AssignShards(cells, 7), (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(RunnerTest, ShardsAreBalancedPartitionsIndependentOfOrder) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 40; ++trial) {
    const int n = 2 + trial % 2;
    std::vector<double> costs(7 + trial % 2);
    for (double& c : costs) c = 1 + static_cast<double>(rng() % 1000) / 10;
    auto cells = CellsWithCosts(costs);
    const auto shard = AssignShards(cells, n);
    ASSERT_EQ(shard.size(), cells.size());
    for (int s : shard) ASSERT_TRUE(s >= 0 && s < n);
    const auto load = Loads(cells, shard, n);
    const double worst = *std::max_element(load.begin(), load.end());
    // Greedy largest-first is within 4/3 − 1/(3n) of the best split (Graham 1969); a split by count is not.
    const double best = BruteForceBestMax(cells, n);
    EXPECT_LE(worst, (4.0 / 3 - 1.0 / (3 * n)) * best + 1e-9) << "trial " << trial;
    // The same cells in another order: every key keeps its shard.
    std::map<std::string, int> by_key;
    for (size_t i = 0; i < cells.size(); ++i) by_key[cells[i].key] = shard[i];
    std::shuffle(cells.begin(), cells.end(), rng);
    const auto again = AssignShards(cells, n);
    for (size_t i = 0; i < cells.size(); ++i) EXPECT_EQ(again[i], by_key[cells[i].key]);
  }
}

TEST(RunnerTest, ShardsOfARealSuiteBalanceCost) {
  const Suite s = ParseSuite(kTheorySuite, "t.yaml");
  const auto shard = AssignShards(s.cells, 2);
  const auto load = Loads(s.cells, shard, 2);
  double biggest = 0;
  for (const Cell& c : s.cells) biggest = std::max(biggest, c.cost);
  EXPECT_LE(std::abs(load[0] - load[1]), biggest);
}

TEST(RunnerTest, FindCellNamesTheSuiteFile) {
  const Suite s = ParseSuite(kTheorySuite, "dir/t.yaml");
  EXPECT_EQ(&FindCell(s, s.cells[3].key), &s.cells[3]);
  try {
    FindCell(s, "0123");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("dir/t.yaml: no cell with key '0123'"), std::string::npos) << what;
    EXPECT_NE(what.find("--list-cells"), std::string::npos) << what;
  }
}

TEST(RunnerTest, ShardsFillOneStoreAndNothingRunsTwice) {
  const std::string dir = testing::TempDir();
  const Suite s = ParseSuite(kTheorySuite, "t.yaml");
  auto store = ResultStore::Open(dir + "/r.db");
  // One cell by key first.
  RunOptions one = Quiet(2);
  one.cell_key = s.cells[4].key;
  RunSummary r = RunSuite(s, *store, one);
  EXPECT_EQ(r.in_shard, 1u);
  EXPECT_EQ(r.ran, 1u);
  EXPECT_TRUE(store->Has(s.cells[4].key));
  EXPECT_EQ(store->Size(), 1u);
  // Then the three shards: each runs its cells except the one already stored.
  const auto shard = AssignShards(s.cells, 3);
  size_t ran = 0;
  for (int i = 0; i < 3; ++i) {
    RunOptions opt = Quiet(2);
    opt.shard_index = i;
    opt.shard_count = 3;
    r = RunSuite(s, *store, opt);
    EXPECT_TRUE(r.failures.empty());
    EXPECT_EQ(r.in_shard, static_cast<size_t>(std::count(shard.begin(), shard.end(), i)));
    EXPECT_EQ(r.already, shard[4] == i ? 1u : 0u);
    ran += r.ran;
  }
  EXPECT_EQ(ran, s.cells.size() - 1);
  r = RunSuite(s, *store, Quiet(2));
  EXPECT_EQ(r.already, s.cells.size());
  EXPECT_EQ(r.ran, 0u);
  std::system(("rm -rf " + dir).c_str());
}

// SQLite file header byte 18: 1 = rollback journal, 2 = WAL.
int JournalFormat(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char header[20] = {};
  in.read(header, sizeof header);
  return header[18];
}

TEST(RunnerTest, PublishesAfterTheFirstCellThenAtMostEveryInterval) {
  const std::string dir = testing::TempDir();
  const Suite s = ParseSuite(kTheorySuite, "t.yaml");
  {  // every 0 s, one job: each cell is published when it finishes.
    auto store = ResultStore::Open(dir + "/a.db");
    RunOptions opt = Quiet(2);
    opt.jobs = 1;
    opt.publish_to = dir + "/a-published.db";
    opt.publish_every = 0;
    RunSuite(s, *store, opt);
    auto copy = ResultStore::OpenReadOnly(dir + "/a-published.db");
    EXPECT_EQ(copy->Size(), s.cells.size());
    EXPECT_EQ(JournalFormat(dir + "/a-published.db"), 1) << "the published copy must not be in WAL mode";
    EXPECT_NE(access((dir + "/a-published.db-wal").c_str(), F_OK), 0);
  }
  {  // an interval longer than the run: only the first finished cell is published.
    auto store = ResultStore::Open(dir + "/b.db");
    RunOptions opt = Quiet(2);
    opt.jobs = 1;
    opt.publish_to = dir + "/b-published.db";
    opt.publish_every = 1e6;
    RunSuite(s, *store, opt);
    EXPECT_EQ(ResultStore::OpenReadOnly(dir + "/b-published.db")->Size(), 1u);
    EXPECT_EQ(store->Size(), s.cells.size());
  }
  std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace flbench
