// Tests of the GD core (src/theory/convergence.h): BPTT against central finite differences in double, the
// convex special case (linear activation, L = 2) against its exactly known loss curve and rate, the
// paper's initialisation, float32 against float64, the helpers, errors and JSON.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "theory/convergence.h"
#include "util/error.h"
#include "util/rng.h"

namespace flbench::theory {
namespace {

ConvergenceConfig Small(Activation act) {
  ConvergenceConfig c;
  c.m = 7;
  c.n = 3;
  c.L = 4;
  c.dx = 3;
  c.dy = 2;
  c.activation = act;
  c.seed = 11;
  return c;
}

// Slow, obviously-correct reference: central differences on every entry of W.
void CheckGradient(const ConvergenceConfig& c) {
  RnnRegression<double> p(c);
  arma::mat W = p.W0();  // m×m
  W(0, 1) += 0.1;        // move off the initial point a little, deterministically
  arma::mat grad;
  const double f = p.LossAndGradient(W, &grad);
  EXPECT_GT(f, 0.0);
  const double h = 1e-6;
  double worst = 0;
  for (arma::uword j = 0; j < W.n_cols; ++j) {
    for (arma::uword i = 0; i < W.n_rows; ++i) {
      arma::mat Wp = W, Wm = W;
      Wp(i, j) += h;
      Wm(i, j) -= h;
      const double fd = (p.Loss(Wp) - p.Loss(Wm)) / (2 * h);
      worst = std::max(worst, std::abs(fd - grad(i, j)) / std::max(1.0, std::abs(fd)));
    }
  }
  EXPECT_LT(worst, 1e-7) << "largest gradient difference";
}

TEST(ConvergenceTest, GradientMatchesFiniteDifferencesRelu) { CheckGradient(Small(Activation::kRelu)); }

TEST(ConvergenceTest, GradientMatchesFiniteDifferencesLinear) { CheckGradient(Small(Activation::kLinear)); }

TEST(ConvergenceTest, GradientMatchesFiniteDifferencesLongSequence) {
  ConvergenceConfig c = Small(Activation::kRelu);
  c.L = 7;
  c.n = 2;
  c.dy = 1;
  CheckGradient(c);
}

// Linear activation, L = 2: r_i = B W h_{i,1} + B A x_{i,2} − y_i is affine in W, so f is quadratic with
// residual map J Jᵀ = K ⊗ B Bᵀ, K = H_1ᵀ H_1 (n×n). GD gives r(t) = (I − η J Jᵀ)^t r(0) exactly.
struct Quadratic {
  arma::vec mu;  // eigenvalues of J Jᵀ
  arma::mat U;   // eigenvectors (columns), in the ordering of vec(R) with R dy×n
};

Quadratic Analyse(RnnRegression<double>& p) {
  const ConvergenceConfig& c = p.config();
  p.Loss(p.W0());
  const arma::mat H1 = p.H().cols(0, c.n - 1);  // m×n
  const arma::mat K = H1.t() * H1;              // n×n
  const arma::mat BB = p.B() * p.B().t();       // dy×dy
  Quadratic q;
  // vec(B W H1) = (H1ᵀ ⊗ B) vec(W): J Jᵀ = (H1ᵀ H1) ⊗ (B Bᵀ).
  arma::eig_sym(q.mu, q.U, arma::kron(K, BB));
  return q;
}

TEST(ConvergenceTest, ConvexCaseFollowsTheExactCurve) {
  ConvergenceConfig c;
  c.m = 12;
  c.n = 3;
  c.L = 2;
  c.dx = 3;
  c.dy = 2;
  c.activation = Activation::kLinear;
  c.seed = 5;
  c.epsilon = 0;
  c.max_iters = 60;
  RnnRegression<double> p(c);
  const Quadratic q = Analyse(p);
  c.eta0 = 0.9 * c.m / q.mu.max();  // η μ_max = 0.9
  const ConvergenceResult r = RunConvergence(c);
  ASSERT_EQ(r.loss.size(), 61u);
  // r(0) in the eigenbasis.
  const arma::mat R0 = p.B() * p.H().cols(c.n, 2 * c.n - 1) - p.Y().cols(c.n, 2 * c.n - 1);  // dy×n
  const arma::vec z = q.U.t() * arma::vectorise(R0);
  const double eta = c.eta0 / c.m;
  for (int t = 0; t <= c.max_iters; ++t) {
    double f = 0;
    for (arma::uword k = 0; k < z.n_elem; ++k) f += 0.5 * z(k) * z(k) * std::pow(1 - eta * q.mu(k), 2 * t);
    EXPECT_NEAR(r.loss[t], f, 1e-9 * r.loss[0] + 1e-9 * f) << "t=" << t;
  }
}

TEST(ConvergenceTest, ConvexCaseFittedRateIsOneMinusEtaLambdaSquared) {
  // dy = 1, n = 2: two modes. With η = 1/μ_max the fast mode dies in one step and the loss then falls by
  // exactly (1 − η μ_min)² per iteration: the fitted rate must match it.
  ConvergenceConfig c;
  c.m = 10;
  c.n = 2;
  c.L = 2;
  c.dx = 4;
  c.dy = 1;
  c.activation = Activation::kLinear;
  c.seed = 9;
  c.epsilon = 1e-20;
  c.max_iters = 400;
  RnnRegression<double> p(c);
  const Quadratic q = Analyse(p);
  c.eta0 = c.m / q.mu.max();
  const ConvergenceResult r = RunConvergence(c);
  const double predicted = std::pow(1 - (c.eta0 / c.m) * q.mu.min(), 2);
  ASSERT_GT(r.iters_to_epsilon, 4);
  EXPECT_FALSE(r.diverged);
  EXPECT_NEAR(r.rate, predicted, 1e-6 * predicted);
  // And the convergence is linear: f(t) <= ε·f(0) at the predicted iteration count (± 1).
  const double t_pred = std::log(1e-20 * r.loss[0] / r.loss[1]) / std::log(predicted) + 1;
  EXPECT_NEAR(r.iters_to_epsilon, std::ceil(t_pred), 1.0);
}

TEST(ConvergenceTest, ReluGdDecreasesTheLossAndMovesLittle) {
  ConvergenceConfig c;
  c.m = 128;
  c.n = 8;
  c.L = 4;
  c.dx = 4;
  c.dy = 1;
  c.eta0 = 0.1;
  c.max_iters = 200;
  c.epsilon = 1e-2;
  const ConvergenceResult r = RunConvergence(c);
  EXPECT_FALSE(r.diverged);
  EXPECT_LT(r.loss.back(), 0.05 * r.loss.front());
  EXPECT_LT(r.rate, 1.0);
  // ‖W(t) − W(0)‖₂ is small next to ‖W(0)‖₂ ≈ 2√2 (the near-initialisation regime).
  EXPECT_GT(r.w0_spectral, 2.0);
  EXPECT_LT(r.move_spectral, 0.5 * r.w0_spectral);
  EXPECT_LE(r.move_spectral, r.final_move_fro + 1e-12);
  EXPECT_EQ(r.move_fro.size(), r.loss.size());
  EXPECT_DOUBLE_EQ(r.move_fro.back(), r.final_move_fro);
}

TEST(ConvergenceTest, HiddenNormsAtInitMatchThePaperScaling) {
  // ‖x‖ = 1 and W, A ~ N(0, 2/m): E‖h_ℓ‖² ≈ ℓ (each step adds the input's energy), so ‖h_ℓ‖ ≈ √ℓ.
  ConvergenceConfig c;
  c.m = 2000;
  c.n = 20;
  c.L = 6;
  c.max_iters = 0;
  const ConvergenceResult r = RunConvergence(c);
  ASSERT_EQ(r.hidden_norms.size(), 6u);
  for (int l = 0; l < 6; ++l) EXPECT_NEAR(r.hidden_norms[l], std::sqrt(l + 1.0), 0.15 * std::sqrt(l + 1.0)) << l;
}

TEST(ConvergenceTest, Float32TracksFloat64) {
  ConvergenceConfig c;
  c.m = 64;
  c.n = 4;
  c.L = 3;
  c.dx = 3;
  c.eta0 = 0.1;
  c.max_iters = 50;
  c.epsilon = 0;
  const ConvergenceResult d = RunConvergence(c);
  c.precision = Precision::kFloat32;
  const ConvergenceResult f = RunConvergence(c);
  ASSERT_EQ(d.loss.size(), f.loss.size());
  for (size_t t = 0; t < d.loss.size(); ++t) EXPECT_NEAR(f.loss[t], d.loss[t], 1e-3 * d.loss[0]) << t;
}

TEST(ConvergenceTest, DivergenceIsReported) {
  ConvergenceConfig c;
  c.m = 32;
  c.n = 4;
  c.L = 3;
  c.eta0 = 1e4;
  c.max_iters = 100;
  const ConvergenceResult r = RunConvergence(c);
  EXPECT_TRUE(r.diverged);
  EXPECT_EQ(r.iters_to_epsilon, -1);
  EXPECT_LT(r.iterations, 100);
}

TEST(ConvergenceTest, SpectralNormMatchesSvd) {
  arma::arma_rng::set_seed(1);
  const arma::mat M = arma::randn<arma::mat>(30, 20);
  EXPECT_NEAR(SpectralNorm(M), arma::norm(M, 2), 1e-6 * arma::norm(M, 2));
  EXPECT_EQ(SpectralNorm(arma::mat(4, 4, arma::fill::zeros)), 0.0);
}

TEST(ConvergenceTest, LogSlopeOfAGeometricSequence) {
  std::vector<double> y;
  for (int t = 0; t < 20; ++t) y.push_back(3.0 * std::pow(0.8, t));
  EXPECT_NEAR(LogSlope(y, 5, 19), std::log(0.8), 1e-12);
  EXPECT_TRUE(std::isnan(LogSlope(y, 3, 3)));
}

TEST(ConvergenceTest, SameSeedSameCurve) {
  ConvergenceConfig c;
  c.m = 32;
  c.n = 4;
  c.L = 3;
  c.max_iters = 10;
  EXPECT_EQ(ToJson(RunConvergence(c)).dump(), ToJson(RunConvergence(c)).dump());
}

TEST(ConvergenceTest, DataDoNotDependOnWidth) {
  ConvergenceConfig c;
  c.m = 16;
  RnnRegression<double> a(c);
  c.m = 40;
  RnnRegression<double> b(c);
  EXPECT_TRUE(arma::approx_equal(a.X(), b.X(), "absdiff", 0.0));
  EXPECT_TRUE(arma::approx_equal(a.Y(), b.Y(), "absdiff", 0.0));
  // Inputs: unit norm, last coordinate 1/√2.
  for (arma::uword j = 0; j < a.X().n_cols; ++j) {
    EXPECT_NEAR(arma::norm(a.X().col(j)), 1.0, 1e-12);
    EXPECT_NEAR(a.X()(c.dx - 1, j), std::sqrt(0.5), 1e-15);
  }
}

TEST(ConvergenceTest, BadConfigurationsThrow) {
  ConvergenceConfig c;
  c.m = 0;
  EXPECT_THROW(RunConvergence(c), Error);
  c = ConvergenceConfig();
  c.L = 1;
  try {
    RunConvergence(c);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("L must be >= 2"), std::string::npos);
  }
  c = ConvergenceConfig();
  c.dx = 1;
  EXPECT_THROW(RunConvergence(c), Error);
  c = ConvergenceConfig();
  c.eta0 = -1;
  EXPECT_THROW(RunConvergence(c), Error);
}

// ---- SGD, the gradient ratio, the peak loss and the movement against direct computations

TEST(ConvergenceTest, BatchGradientsAddUpToTheFullGradient) {
  ConvergenceConfig c = Small(Activation::kRelu);
  c.n = 4;
  RnnRegression<double> p(c);
  arma::mat W = p.W0();  // m×m
  W(2, 3) -= 0.05;
  arma::mat full, g;
  const double f = p.LossAndGradient(W, &full);
  // All sequences in their own order: the same columns in the same order, so the same bits.
  const double f_all = p.BatchLossAndGradient(W, {0, 1, 2, 3}, &g);
  EXPECT_EQ(f_all, f);
  EXPECT_TRUE(arma::approx_equal(g, full, "absdiff", 0.0));
  // One sequence at a time: the losses and gradients add up to the full ones.
  arma::mat sum(c.m, c.m, arma::fill::zeros);
  double fsum = 0;
  for (arma::uword i = 0; i < 4; ++i) {
    fsum += p.BatchLossAndGradient(W, {i}, &g);
    sum += g;
  }
  EXPECT_NEAR(fsum, f, 1e-12 * f);
  EXPECT_LT(arma::abs(sum - full).max(), 1e-12 * arma::abs(full).max());
  // A batch of one sequence against central differences of its own loss.
  p.BatchLossAndGradient(W, {2}, &g);
  const double h = 1e-6;
  double worst = 0;
  for (arma::uword j = 0; j < W.n_cols; ++j)
    for (arma::uword i = 0; i < W.n_rows; ++i) {
      arma::mat Wp = W, Wm = W, unused;
      Wp(i, j) += h;
      Wm(i, j) -= h;
      const double fd = (p.BatchLossAndGradient(Wp, {2}, &unused) - p.BatchLossAndGradient(Wm, {2}, &unused)) / (2 * h);
      worst = std::max(worst, std::abs(fd - g(i, j)) / std::max(1.0, std::abs(fd)));
    }
  EXPECT_LT(worst, 1e-7);
  EXPECT_THROW(p.BatchLossAndGradient(W, {4}, &g), Error);
  // Loss afterwards uses every sequence again.
  EXPECT_EQ(p.Loss(W), f);
}

// The GD loop written out with the public pieces, recording what RunConvergence records.
struct Reference {
  std::vector<double> loss, ratio;
  arma::mat W;
};

Reference GdByHand(const ConvergenceConfig& c) {
  RnnRegression<double> p(c);
  Reference ref;
  ref.W = p.W0();
  arma::mat g;
  const double eta = c.eta0 / c.m;
  double f = p.LossAndGradient(ref.W, &g);
  ref.loss.push_back(f);
  ref.ratio.push_back(arma::accu(arma::square(g)) / f);
  for (int t = 1; t <= c.max_iters; ++t) {
    ref.W -= eta * g;
    f = p.LossAndGradient(ref.W, &g);
    ref.loss.push_back(f);
    ref.ratio.push_back(arma::accu(arma::square(g)) / f);
    if (f <= c.epsilon * ref.loss[0]) break;
  }
  return ref;
}

TEST(ConvergenceTest, GradientRatioPeakAndMovementMatchADirectComputation) {
  ConvergenceConfig c = Small(Activation::kRelu);
  c.eta0 = 0.3;
  c.max_iters = 40;
  c.epsilon = 0;
  const ConvergenceResult r = RunConvergence(c);
  const Reference ref = GdByHand(c);
  ASSERT_EQ(r.loss.size(), ref.loss.size());
  for (size_t t = 0; t < ref.loss.size(); ++t) EXPECT_NEAR(r.loss[t], ref.loss[t], 1e-12 * ref.loss[0]) << t;
  const double lo = *std::min_element(ref.ratio.begin(), ref.ratio.end());
  const double hi = *std::max_element(ref.ratio.begin(), ref.ratio.end());
  EXPECT_NEAR(r.grad_ratio_init, ref.ratio[0], 1e-10 * ref.ratio[0]);
  EXPECT_NEAR(r.grad_ratio_min, lo, 1e-10 * lo);
  EXPECT_NEAR(r.grad_ratio_max, hi, 1e-10 * hi);
  EXPECT_LT(r.grad_ratio_min, r.grad_ratio_max);
  const double peak = *std::max_element(ref.loss.begin(), ref.loss.end()) / ref.loss[0];
  EXPECT_NEAR(r.peak_rel_loss, peak, 1e-12 * peak);
  RnnRegression<double> p(c);
  const arma::mat delta = ref.W - p.W0();
  EXPECT_NEAR(r.final_move_fro, arma::norm(delta, "fro"), 1e-10 * arma::norm(delta, "fro"));
  EXPECT_NEAR(r.move_spectral, arma::norm(delta, 2), 1e-6 * arma::norm(delta, 2));
  EXPECT_EQ(r.steps, r.iterations);
}

TEST(ConvergenceTest, ACatapultShowsInThePeakLoss) {
  // The convex case (linear, L = 2): η·μ_max = 1 contracts every residual component (f never rises); η·μ_max = 3
  // multiplies the top one by −2 per step, so f grows about 4× per step until the run counts as diverged.
  ConvergenceConfig c;
  c.m = 64;
  c.n = 6;
  c.L = 2;
  c.dx = 4;
  c.dy = 1;
  c.activation = Activation::kLinear;
  c.max_iters = 30;
  c.epsilon = 0;
  RnnRegression<double> p(c);
  const Quadratic q = Analyse(p);
  c.eta0 = c.m / q.mu.max();
  const ConvergenceResult calm = RunConvergence(c);
  EXPECT_EQ(calm.peak_rel_loss, 1.0);
  c.eta0 = 3 * c.m / q.mu.max();
  const ConvergenceResult wild = RunConvergence(c);
  EXPECT_TRUE(wild.diverged);
  EXPECT_GT(wild.peak_rel_loss, 1e3);
  EXPECT_EQ(wild.peak_rel_loss, *std::max_element(wild.loss.begin(), wild.loss.end()) / wild.loss[0]);
}

TEST(ConvergenceTest, SgdMatchesItsLoopWrittenOut) {
  ConvergenceConfig c = Small(Activation::kRelu);
  c.n = 4;
  c.batch = 2;
  c.optimizer = Optimizer::kSgd;
  c.eta0 = 0.3;
  c.max_iters = 15;
  c.epsilon = 0;
  const ConvergenceResult r = RunConvergence(c);
  EXPECT_EQ(r.iterations, 15);
  EXPECT_EQ(r.steps, 15 * 4 / 2);
  // By hand: every epoch shuffles the sequences with the "sgd" stream, steps on consecutive pairs, then
  // evaluates the full loss and gradient.
  RnnRegression<double> p(c);
  arma::mat W = p.W0(), g;
  const double eta = c.eta0 / c.m;
  std::vector<arma::uword> order{0, 1, 2, 3};
  Rng shuffle(DeriveSeed(c.seed, "sgd"));
  std::vector<double> loss{p.LossAndGradient(W, &g)}, ratio{arma::accu(arma::square(g)) / loss[0]};
  for (int epoch = 0; epoch < 15; ++epoch) {
    shuffle.Shuffle(order);
    for (size_t s = 0; s < 4; s += 2) {
      p.BatchLossAndGradient(W, {order[s], order[s + 1]}, &g);
      W -= eta * g;
    }
    loss.push_back(p.LossAndGradient(W, &g));
    ratio.push_back(arma::accu(arma::square(g)) / loss.back());
  }
  ASSERT_EQ(r.loss.size(), loss.size());
  for (size_t t = 0; t < loss.size(); ++t) EXPECT_NEAR(r.loss[t], loss[t], 1e-12 * loss[0]) << t;
  EXPECT_NEAR(r.grad_ratio_min, *std::min_element(ratio.begin(), ratio.end()), 1e-9 * ratio[0]);
  EXPECT_NEAR(r.final_move_fro, arma::norm(W - p.W0(), "fro"), 1e-10);
  EXPECT_LT(r.loss.back(), r.loss.front());
  // SGD with batch = n takes the full-gradient step: the same curve as GD.
  c.batch = 4;
  const ConvergenceResult one_batch = RunConvergence(c);
  c.optimizer = Optimizer::kGd;
  const ConvergenceResult gd = RunConvergence(c);
  ASSERT_EQ(one_batch.loss.size(), gd.loss.size());
  for (size_t t = 0; t < gd.loss.size(); ++t) EXPECT_NEAR(one_batch.loss[t], gd.loss[t], 1e-12 * gd.loss[0]) << t;
}

TEST(ConvergenceTest, SgdBatchMustDivideN) {
  ConvergenceConfig c = Small(Activation::kRelu);
  c.optimizer = Optimizer::kSgd;
  c.batch = 2;  // n = 3
  EXPECT_THROW(RunConvergence(c), Error);
  c.batch = 0;
  EXPECT_THROW(RunConvergence(c), Error);
  c.batch = 3;
  EXPECT_NO_THROW(ValidateConvergenceConfig(c));
  // JSON: SGD configurations name the optimizer and batch; GD ones keep the keys they always had.
  EXPECT_EQ(ToJson(c)["optimizer"], "sgd");
  EXPECT_EQ(ToJson(c)["batch"], 3);
  c.optimizer = Optimizer::kGd;
  EXPECT_FALSE(ToJson(c).contains("optimizer"));
  EXPECT_FALSE(ToJson(c).contains("batch"));
}

TEST(ConvergenceTest, JsonHasTheFields) {
  ConvergenceConfig c;
  EXPECT_EQ(ToJson(c)["activation"], "relu");
  ConvergenceResult r;
  r.loss = {2.0, 1.0};
  r.log_slope = std::nan("");
  const nlohmann::json j = ToJson(r);
  EXPECT_EQ(j["loss"].size(), 2u);
  EXPECT_TRUE(j["log_slope"].is_null());
}

}  // namespace
}  // namespace flbench::theory
