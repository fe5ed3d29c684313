// Tests of the width-vs-samples core (src/theory/width_search.h): bisection against monotone oracles (checked
// by brute force over every threshold), the seed rules, the curve fits on exact synthetic points, and one small
// run of the real GD oracle.
#include <gtest/gtest.h>

#include <cmath>

#include "theory/width_search.h"
#include "util/error.h"

namespace flbench::theory {
namespace {

const std::vector<int> kGrid{4, 8, 16, 32, 64, 128, 256};

WidthOracle Threshold(int threshold) {
  return [threshold](int m, uint64_t) {
    WidthProbe p;
    p.reached = m >= threshold;
    return p;
  };
}

TEST(WidthSearchTest, BisectionFindsEveryThreshold) {
  const std::vector<uint64_t> seeds{1, 2, 3};
  for (int threshold : {1, 4, 5, 8, 9, 20, 64, 100, 256}) {
    const WidthSearchResult r = FindMinWidth(kGrid, seeds, SeedRule::kMajority, Threshold(threshold));
    int expected = -1;
    for (int m : kGrid)
      if (m >= threshold) {
        expected = m;
        break;
      }
    EXPECT_EQ(r.m_star, expected) << "threshold " << threshold;
    // Bisection: at most 1 + ceil(log2 7) = 4 widths probed.
    EXPECT_LE(r.widths_probed.size(), 4u);
    EXPECT_EQ(r.widths_probed.front(), 256);
  }
  const WidthSearchResult none = FindMinWidth(kGrid, seeds, SeedRule::kAll, Threshold(1000));
  EXPECT_EQ(none.m_star, -1);
  EXPECT_EQ(none.widths_probed.size(), 1u);
}

// Seed s passes at widths >= 8·s: with seeds {1, 2, 3} a majority needs m >= 16 and all need m >= 24.
WidthOracle PerSeed() {
  return [](int m, uint64_t seed) {
    WidthProbe p;
    p.reached = m >= 8 * static_cast<int>(seed);
    return p;
  };
}

TEST(WidthSearchTest, SeedRules) {
  const std::vector<uint64_t> seeds{1, 2, 3};
  EXPECT_EQ(FindMinWidth(kGrid, seeds, SeedRule::kMajority, PerSeed()).m_star, 16);
  EXPECT_EQ(FindMinWidth(kGrid, seeds, SeedRule::kAll, PerSeed()).m_star, 32);
  // kAll stops at the first failing seed: at m = 8, seed 1 passes, seed 2 fails, seed 3 is not run.
  const WidthSearchResult r = FindMinWidth({8}, seeds, SeedRule::kAll, PerSeed());
  ASSERT_EQ(r.probes.size(), 2u);
  EXPECT_TRUE(r.probes[0].reached);
  EXPECT_FALSE(r.probes[1].reached);
  EXPECT_EQ(r.probes[1].m, 8);
  EXPECT_EQ(r.probes[1].seed, 2u);
}

TEST(WidthSearchTest, BadGridsThrow) {
  EXPECT_THROW(FindMinWidth({}, {1}, SeedRule::kAll, Threshold(1)), Error);
  EXPECT_THROW(FindMinWidth({8, 4}, {1}, SeedRule::kAll, Threshold(1)), Error);
  EXPECT_THROW(FindMinWidth({0, 4}, {1}, SeedRule::kAll, Threshold(1)), Error);
  EXPECT_THROW(FindMinWidth({4}, {}, SeedRule::kAll, Threshold(1)), Error);
}

TEST(WidthSearchTest, FitsRecoverExactCurves) {
  const std::vector<double> n{10, 30, 100, 300, 1000};
  std::vector<double> logm, powm;
  for (double v : n) {
    logm.push_back(5.0 + 12.0 * std::log(v));
    powm.push_back(3.0 * std::pow(v, 0.7));
  }
  const WidthFit a = FitWidthCurves(n, logm);
  EXPECT_NEAR(a.log_a, 5.0, 1e-9);
  EXPECT_NEAR(a.log_b, 12.0, 1e-9);
  EXPECT_NEAR(a.log_rss, 0.0, 1e-15 * 1e6);
  EXPECT_GT(a.pow_rss, 1.0);
  EXPECT_EQ(a.better, "log");
  const WidthFit b = FitWidthCurves(n, powm);
  EXPECT_NEAR(b.pow_c, 3.0, 1e-9);
  EXPECT_NEAR(b.pow_alpha, 0.7, 1e-12);
  EXPECT_NEAR(b.pow_rss, 0.0, 1e-15 * 1e6);
  EXPECT_GT(b.log_rss, 1.0);
  EXPECT_EQ(b.better, "power");
}

TEST(WidthSearchTest, FitRejectsBadPoints) {
  EXPECT_THROW(FitWidthCurves({10, 20}, {5}), Error);
  EXPECT_THROW(FitWidthCurves({10, 10}, {5, 6}), Error);
  EXPECT_THROW(FitWidthCurves({10, 20}, {5, -1}), Error);
  EXPECT_THROW(FitWidthCurves({0, 20}, {5, 6}), Error);
}

TEST(WidthSearchTest, GdOracleSmallRun) {
  WidthSearchConfig c;
  c.n = 4;
  c.train.L = 3;
  c.train.dx = 3;
  c.train.max_iters = 300;
  c.train.epsilon = 1e-2;
  c.widths = {2, 8, 32, 128};
  c.num_seeds = 3;
  const WidthSearchResult r = RunWidthSearch(c);
  EXPECT_EQ(r.n, 4);
  ASSERT_FALSE(r.probes.empty());
  // The widest width fits 4 sequences; m* is on the grid, and the verdicts agree with the probes.
  ASSERT_NE(r.m_star, -1);
  int pass_at_star = 0, runs_at_star = 0;
  for (const auto& p : r.probes) {
    EXPECT_EQ(p.reached, p.iters_to_epsilon >= 0);
    if (p.reached) {
      EXPECT_LE(p.final_rel_loss, 1e-2);
    }
    if (p.m == r.m_star) {
      ++runs_at_star;
      pass_at_star += p.reached;
    }
  }
  EXPECT_GE(2 * pass_at_star, runs_at_star + 1);  // a majority passed at m*
  EXPECT_EQ(RunWidthSearch(c).probes.size(), r.probes.size());  // deterministic
}

TEST(WidthSearchTest, JsonHasTheFields) {
  WidthSearchResult r;
  r.n = 8;
  r.m_star = 32;
  r.probes.push_back(WidthProbe{32, 7, true, 12, 0.001});
  const nlohmann::json j = ToJson(r);
  EXPECT_EQ(j["m_star"], 32);
  EXPECT_EQ(j["probes"][0]["iters_to_epsilon"], 12);
  EXPECT_EQ(ToJson(WidthSearchConfig())["rule"], "majority");
  EXPECT_EQ(ToJson(FitWidthCurves({1, 2, 4}, {3, 4, 5}))["better"].is_string(), true);
}

}  // namespace
}  // namespace flbench::theory
