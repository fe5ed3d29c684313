// report/stats: Summarise's NaN rule and known values, FitLine on exact lines and a hand-computed noisy one,
// StudentT95 at table points.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "report/stats.h"

namespace flbench {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

TEST(SummariseTest, KnownValues) {
  const Stats s = Summarise({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_EQ(s.n, 8);
  EXPECT_EQ(s.skipped, 0);
  EXPECT_DOUBLE_EQ(s.mean, 5.0);
  EXPECT_DOUBLE_EQ(s.std, std::sqrt(32.0 / 7.0));  // sample std: Σ(x − 5)² = 32 over n − 1 = 7
  EXPECT_EQ(s.min, 2.0);
  EXPECT_EQ(s.max, 9.0);
}

TEST(SummariseTest, NonFiniteValuesAreSkippedAndCounted) {
  const Stats s = Summarise({kNaN, 1.0, kInf, 3.0, -kInf});
  EXPECT_EQ(s.n, 2);
  EXPECT_EQ(s.skipped, 3);
  EXPECT_DOUBLE_EQ(s.mean, 2.0);
  EXPECT_DOUBLE_EQ(s.std, std::sqrt(2.0));
  EXPECT_EQ(s.min, 1.0);
  EXPECT_EQ(s.max, 3.0);
  // The same finite values without the non-finite ones give the same bits.
  const Stats t = Summarise({1.0, 3.0});
  EXPECT_EQ(s.mean, t.mean);
  EXPECT_EQ(s.std, t.std);
}

TEST(SummariseTest, OneValueHasNoStdAndNoneHasNothing) {
  const Stats one = Summarise({kNaN, -0.5});
  EXPECT_EQ(one.n, 1);
  EXPECT_EQ(one.mean, -0.5);
  EXPECT_EQ(one.min, -0.5);
  EXPECT_EQ(one.max, -0.5);
  EXPECT_TRUE(std::isnan(one.std));
  for (const Stats& none : {Summarise({}), Summarise({kNaN, kNaN})}) {
    EXPECT_EQ(none.n, 0);
    EXPECT_TRUE(std::isnan(none.mean));
    EXPECT_TRUE(std::isnan(none.std));
    EXPECT_TRUE(std::isnan(none.min));
    EXPECT_TRUE(std::isnan(none.max));
  }
  EXPECT_EQ(Summarise({kNaN, kNaN}).skipped, 2);
}

TEST(FitLineTest, ExactLineHasZeroResidualsAndRSquaredOne) {
  const std::vector<double> x{0, 1, 2, 3, 4};
  std::vector<double> y;
  for (double v : x) y.push_back(-1.5 + 0.25 * v);
  const LineFit f = FitLine(x, y);
  EXPECT_EQ(f.n, 5);
  EXPECT_NEAR(f.a, -1.5, 1e-14);
  EXPECT_NEAR(f.b, 0.25, 1e-14);
  EXPECT_NEAR(f.rss, 0.0, 1e-28);
  EXPECT_NEAR(f.r2, 1.0, 1e-14);
  EXPECT_NEAR(f.se_b, 0.0, 1e-14);
}

TEST(FitLineTest, HandComputedNoisyLine) {
  // x = 0, 1, 2, 3; y = 1, 3, 2, 5: mean x 1.5, mean y 2.75, Sxx 5, Sxy 5.5, Syy 8.75 → b 1.1, a 1.1,
  // RSS = Syy − b·Sxy = 2.7, R² = 1 − 2.7/8.75, se_b = √(2.7/2/5).
  const LineFit f = FitLine({0, 1, 2, 3}, {1, 3, 2, 5});
  EXPECT_NEAR(f.b, 1.1, 1e-14);
  EXPECT_NEAR(f.a, 1.1, 1e-14);
  EXPECT_NEAR(f.rss, 2.7, 1e-13);
  EXPECT_NEAR(f.r2, 1 - 2.7 / 8.75, 1e-14);
  EXPECT_NEAR(f.se_b, std::sqrt(2.7 / 2 / 5), 1e-14);
}

TEST(FitLineTest, DegenerateInputsGiveNaN) {
  const LineFit one = FitLine({1}, {2});
  EXPECT_EQ(one.n, 1);
  EXPECT_TRUE(std::isnan(one.b));
  const LineFit flat_x = FitLine({2, 2, 2}, {1, 2, 3});
  EXPECT_TRUE(std::isnan(flat_x.b));
  EXPECT_TRUE(std::isnan(flat_x.r2));
  const LineFit two = FitLine({1, 2}, {3, 5});  // exact, but no degrees of freedom for an error
  EXPECT_NEAR(two.b, 2.0, 1e-15);
  EXPECT_TRUE(std::isnan(two.se_b));
  const LineFit flat_y = FitLine({1, 2, 3}, {4, 4, 4});
  EXPECT_EQ(flat_y.b, 0.0);
  EXPECT_EQ(flat_y.r2, 1.0);
}

TEST(StudentT95Test, TablePointsAndLargeDof) {
  EXPECT_DOUBLE_EQ(StudentT95(1), 12.706);
  EXPECT_DOUBLE_EQ(StudentT95(4), 2.776);
  EXPECT_DOUBLE_EQ(StudentT95(30), 2.042);
  EXPECT_NEAR(StudentT95(60), 2.000, 0.003);   // t_{0.975, 60} = 2.0003
  EXPECT_NEAR(StudentT95(120), 1.980, 0.003);  // t_{0.975, 120} = 1.9799
  EXPECT_TRUE(std::isnan(StudentT95(0)));
}

TEST(Wilson95Test, KnownValues) {
  // 17 of 17 right (the Tomita 2 test set): the interval still reaches down to 0.816.
  const Interval all17 = Wilson95(1.0, 17);
  EXPECT_NEAR(all17.lo, 0.81568, 1e-5);
  EXPECT_DOUBLE_EQ(all17.hi, 1.0);
  const Interval half = Wilson95(0.5, 100);  // the textbook [0.404, 0.596]
  EXPECT_NEAR(half.lo, 0.40383, 1e-5);
  EXPECT_NEAR(half.hi, 0.59617, 1e-5);
  const Interval none = Wilson95(0.0, 10);  // 0 of 10: upper bound 0.278
  EXPECT_DOUBLE_EQ(none.lo, 0.0);
  EXPECT_NEAR(none.hi, 0.27753, 1e-5);
  const Interval big = Wilson95(0.9, 2000);
  EXPECT_NEAR(big.lo, 0.88608, 1e-5);
  EXPECT_NEAR(big.hi, 0.91239, 1e-5);
  EXPECT_TRUE(std::isnan(Wilson95(0.5, 0).lo));
  EXPECT_TRUE(std::isnan(Wilson95(NAN, 10).hi));
  EXPECT_TRUE(std::isnan(Wilson95(1.5, 10).hi));
}

TEST(MeanInterval95Test, StudentTOverSeeds) {
  const Stats s = Summarise({1, 2, 3});  // mean 2, std 1, t_2 = 4.303
  const Interval i = MeanInterval95(s);
  EXPECT_NEAR(i.lo, 2 - 4.303 / std::sqrt(3.0), 1e-12);
  EXPECT_NEAR(i.hi, 2 + 4.303 / std::sqrt(3.0), 1e-12);
  const Interval clipped = MeanInterval95(Summarise({0.9, 1.0, 1.0}), 0, 1);
  EXPECT_DOUBLE_EQ(clipped.hi, 1.0);
  EXPECT_LT(clipped.lo, 0.9);
  EXPECT_TRUE(std::isnan(MeanInterval95(Summarise({0.5})).lo));  // one seed: no interval
}

TEST(LateCollapseTest, SyntheticCurves) {
  EXPECT_EQ(LateCollapse({0.2, 0.6, 0.995, 1.0, 0.98, 0.4, 0.3}), 6);  // 1.0 then 0.4: a fall of 0.6
  EXPECT_EQ(LateCollapse({0.2, 0.6, 0.995, 1.0, 0.6, 0.51}), 0);       // falls of at most 0.49
  EXPECT_EQ(LateCollapse({0.9, 0.2, 0.1}), 0);                          // never reached 0.99
  EXPECT_EQ(LateCollapse({1.0, NAN}), 2);                               // diverged after success: 0
  EXPECT_EQ(LateCollapse({}), 0);
  EXPECT_EQ(LateCollapse({0.99, 0.489}), 2);                            // ≥ 0.99 counts; fall > 0.5
  EXPECT_EQ(LateCollapse({0.99, 0.49}), 0);                             // exactly 0.5 does not
}

}  // namespace
}  // namespace flbench
