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

}  // namespace
}  // namespace flbench
