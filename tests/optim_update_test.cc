// Each optimiser's update (src/optim/optimizer.h) against steps computed by hand in double from the formulas,
// over two steps so the state (velocity, running averages, bias correction) is exercised; and gradient clipping.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "optim/optimizer.h"
#include "util/error.h"

namespace flbench {
namespace {

const arma::fvec kTheta0 = {1.0f, -2.0f, 0.5f};
const arma::fvec kGrad1 = {0.1f, -0.4f, 2.0f};
const arma::fvec kGrad2 = {-0.3f, 0.2f, 1.0f};

void ExpectNear(const arma::fvec& got, const double want[3]) {
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(got(i), want[i], 1e-6 * std::max(1.0, std::fabs(want[i]))) << "index " << i;
}

TEST(Sgd, PlainStep) {
  arma::fvec theta = kTheta0;
  Sgd sgd(0.5, 0.0);
  sgd.Step(theta, kGrad1);
  const double want[3] = {1.0 - 0.05, -2.0 + 0.2, 0.5 - 1.0};
  ExpectNear(theta, want);
}

TEST(Sgd, MomentumTwoSteps) {
  arma::fvec theta = kTheta0;
  Sgd sgd(0.1, 0.9);
  sgd.Step(theta, kGrad1);
  sgd.Step(theta, kGrad2);
  double want[3];
  for (int i = 0; i < 3; ++i) {
    const double v1 = kGrad1(i);
    const double v2 = 0.9 * v1 + kGrad2(i);
    want[i] = kTheta0(i) - 0.1 * v1 - 0.1 * v2;
  }
  ExpectNear(theta, want);
}

TEST(RmsProp, TwoSteps) {
  arma::fvec theta = kTheta0;
  RmsProp rms(0.01, 0.99, 1e-8);
  rms.Step(theta, kGrad1);
  rms.Step(theta, kGrad2);
  double want[3];
  for (int i = 0; i < 3; ++i) {
    const double g1 = kGrad1(i), g2 = kGrad2(i);
    const double s1 = 0.01 * g1 * g1;  // (1 − α) g², from s = 0
    const double s2 = 0.99 * s1 + 0.01 * g2 * g2;
    want[i] = kTheta0(i) - 0.01 * g1 / (std::sqrt(s1) + 1e-8) - 0.01 * g2 / (std::sqrt(s2) + 1e-8);
  }
  ExpectNear(theta, want);
  // First step is lr·g/|g|·10 = lr·10·sign(g) for α = 0.99: a sanity value by hand.
  arma::fvec t = {0.0f};
  RmsProp(0.01, 0.99, 1e-8).Step(t, arma::fvec{3.0f});
  EXPECT_NEAR(t(0), -0.1, 1e-6);
}

// The update loop (8 lanes, then a scalar tail) gives exactly the bits of the Armadillo expression it replaced, over
// lengths with and without a tail and gradients spanning many magnitudes, zeros and signs, for three steps.
TEST(RmsProp, SameBitsAsTheArmadilloExpression) {
  std::mt19937 gen(11);
  std::uniform_real_distribution<float> mant(-1.0f, 1.0f);
  std::uniform_int_distribution<int> expo(-30, 10);
  for (arma::uword n : {1u, 7u, 8u, 9u, 33u, 1001u}) {
    arma::fvec theta(n), expected(n), avg(n, arma::fill::zeros);
    for (arma::uword i = 0; i < n; ++i) theta(i) = std::ldexp(mant(gen), expo(gen));
    expected = theta;
    RmsProp rms(0.003, 0.95, 1e-8);
    const float lr = 0.003f, alpha = 0.95f, eps = 1e-8f;
    for (int step = 0; step < 3; ++step) {
      arma::fvec g(n);
      for (arma::uword i = 0; i < n; ++i) g(i) = i % 5 == 0 ? 0.0f : std::ldexp(mant(gen), expo(gen));
      rms.Step(theta, g);
      avg = alpha * avg + (1.0f - alpha) * arma::square(g);
      expected -= lr * g / (arma::sqrt(avg) + eps);
      ASSERT_EQ(std::memcmp(theta.memptr(), expected.memptr(), n * sizeof(float)), 0) << "n " << n << " step " << step;
    }
  }
}

TEST(Adam, TwoSteps) {
  arma::fvec theta = kTheta0;
  Adam adam(0.001, 0.9, 0.999, 1e-8);
  adam.Step(theta, kGrad1);
  adam.Step(theta, kGrad2);
  double want[3];
  for (int i = 0; i < 3; ++i) {
    const double g1 = kGrad1(i), g2 = kGrad2(i);
    double m = 0.1 * g1, v = 0.001 * g1 * g1;
    double th = kTheta0(i) - 0.001 * (m / 0.1) / (std::sqrt(v / 0.001) + 1e-8);
    m = 0.9 * m + 0.1 * g2;
    v = 0.999 * v + 0.001 * g2 * g2;
    th -= 0.001 * (m / (1 - 0.81)) / (std::sqrt(v / (1 - 0.999 * 0.999)) + 1e-8);
    want[i] = th;
  }
  ExpectNear(theta, want);
  // Adam's first step is lr·sign(g) (up to ε).
  arma::fvec t = {0.0f};
  Adam(0.001, 0.9, 0.999, 1e-8).Step(t, arma::fvec{-5.0f});
  EXPECT_NEAR(t(0), 0.001, 1e-8);  // float rounding
}

TEST(MakeOptimizer, NamesAndErrors) {
  EXPECT_NE(dynamic_cast<Sgd*>(MakeOptimizer({"sgd", 0.1}).get()), nullptr);
  EXPECT_NE(dynamic_cast<RmsProp*>(MakeOptimizer({"rmsprop", 0.1}).get()), nullptr);
  EXPECT_NE(dynamic_cast<Adam*>(MakeOptimizer({"adam", 0.1}).get()), nullptr);
  EXPECT_THROW(MakeOptimizer({"adagrad", 0.1}), Error);
  EXPECT_THROW(MakeOptimizer({"sgd", 0.0}), Error);
  EXPECT_THROW(MakeOptimizer({"sgd", -1.0}), Error);
  EXPECT_THROW(MakeOptimizer({"sgd", 0.1, 1.0}), Error);
  EXPECT_THROW(MakeOptimizer({"rmsprop", 0.1, 0.0, 1.5}), Error);
}

TEST(ClipGradNorm, ScalesOnlyAboveTheBound) {
  arma::fvec g = {3.0f, 4.0f};  // norm 5
  EXPECT_DOUBLE_EQ(ClipGradNorm(g, 0.0), 5.0);  // 0 = off
  EXPECT_FLOAT_EQ(g(0), 3.0f);
  EXPECT_DOUBLE_EQ(ClipGradNorm(g, 10.0), 5.0);  // below the bound: unchanged
  EXPECT_FLOAT_EQ(g(1), 4.0f);
  EXPECT_DOUBLE_EQ(ClipGradNorm(g, 1.0), 5.0);  // above: scaled to norm 1, direction kept
  EXPECT_FLOAT_EQ(g(0), 0.6f);
  EXPECT_FLOAT_EQ(g(1), 0.8f);
  EXPECT_NEAR(arma::norm(g), 1.0, 1e-6);
  arma::fvec bad = {1.0f, std::numeric_limits<float>::quiet_NaN()};
  EXPECT_TRUE(std::isnan(ClipGradNorm(bad, 1.0)));
}

}  // namespace
}  // namespace flbench
