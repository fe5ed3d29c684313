// The runner (suite/runner.h): ParseShard's accepted and rejected forms, InShard as "first 15 hex digits of the key
// mod N" (hand-made keys) and its balance, and RunSuite on a real four-cell train suite: everything stored, a second
// run resumes with nothing to do, --force reruns to the same results, shards partition the cells, and the results
// do not depend on the number of jobs.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "results/store.h"
#include "suite/runner.h"
#include "suite/suite.h"
#include "testutil/paths.h"
#include "util/error.h"
#include "util/rng.h"

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

TEST(InShard, FirstFifteenHexDigitsModN) {
  const std::string tail(17, 'f');  // keys are 32 hex digits; only the first 15 count
  EXPECT_TRUE(InShard("000000000000005" + tail, 2, 3));  // 5 mod 3 = 2
  EXPECT_FALSE(InShard("000000000000005" + tail, 1, 3));
  EXPECT_TRUE(InShard("00000000000000a" + tail, 0, 5));  // 10 mod 5 = 0
  EXPECT_TRUE(InShard("fffffffffffffff" + tail, 0, 3));  // 16^15 − 1 = 2^60 − 1 ≡ 0 mod 3
  EXPECT_TRUE(InShard("100000000000000" + std::string(17, '0'), 0, 2));  // 16^14, even
  EXPECT_TRUE(InShard("100000000000001" + std::string(17, '0'), 1, 2));
  // One shard (or none asked for) takes every key.
  EXPECT_TRUE(InShard("0123456789abcdef0123456789abcdef", 0, 1));
  EXPECT_TRUE(InShard("0123456789abcdef0123456789abcdef", 0, 0));
}

TEST(InShard, PartitionsAndBalancesHashKeys) {
  // 3000 keys from a fixed seed over 3 shards: each key in exactly one shard, each shard 1000 ± 100 (exact for the
  // seed; the standard deviation of a shard's size is 26).
  Rng rng(12);
  std::vector<int> sizes(3, 0);
  for (int i = 0; i < 3000; ++i) {
    char key[33];
    std::snprintf(key, sizeof key, "%016llx%016llx", static_cast<unsigned long long>(rng.Next()),
                  static_cast<unsigned long long>(rng.Next()));
    int owners = 0;
    for (int s = 0; s < 3; ++s)
      if (InShard(key, s, 3)) {
        ++owners;
        ++sizes[s];
      }
    ASSERT_EQ(owners, 1) << key;
  }
  for (int s : sizes) EXPECT_NEAR(s, 1000, 100);
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
    for (const CellRecord& r : part->All()) {
      EXPECT_TRUE(InShard(r.key, i, 3)) << r.key;
      EXPECT_TRUE(seen.insert(r.key).second) << r.key << " in two shards";
      EXPECT_EQ(WithoutTimings(r.result), WithoutTimings(whole->Get(r.key)->result)) << "shard " << i;
    }
  }
  EXPECT_EQ(in_shards, 4u);
  EXPECT_EQ(seen.size(), 4u);
}

}  // namespace
}  // namespace flbench
