// Tests of the inversion core (src/theory/inversion.h): an exactly invertible hand-made RNN, the paper's trends
// on a small grid, SGD against ridge, determinism, configuration errors, JSON.
#include <gtest/gtest.h>

#include <cmath>

#include "theory/inversion.h"
#include "util/error.h"

namespace flbench::theory {
namespace {

// A ReLU RNN whose state stores every input exactly: block 0 of h (2d rows) holds [relu(x); relu(−x)] of the
// newest input, and W shifts block k to block k+1, so h(L) = [x(L)±, x(L−1)±, …, x(1)±, 0…] and
// x(ℓ) = relu(x(ℓ)) − relu(−x(ℓ)) is linear in h(L). m = 2·d·Lmax.
void ShiftRegister(int d, int max_len, arma::fmat* W, arma::fmat* A) {
  const int m = 2 * d * max_len;
  W->zeros(m, m);  // m×m
  A->zeros(m, d);  // m×d
  for (int i = 0; i < d; ++i) {
    (*A)(i, i) = 1.0f;
    (*A)(d + i, i) = -1.0f;
  }
  for (int r = 2 * d; r < m; ++r) (*W)(r, r - 2 * d) = 1.0f;
}

TEST(InversionTest, ShiftRegisterIsInvertedExactly) {
  InversionConfig c;
  c.d = 3;
  c.lengths = {2, 4, 6};
  c.m = 2 * c.d * 6;
  c.n_train = 500;
  c.n_test = 200;
  c.ridge_lambda = 1e-10;
  arma::fmat W, A;
  ShiftRegister(c.d, 6, &W, &A);
  const InversionResult r = RunInversionWithWeights(c, W, A);
  ASSERT_EQ(r.points.size(), 3u);
  for (const auto& p : r.points) {
    EXPECT_EQ(p.form, "primal");
    EXPECT_LT(p.test_rel_l2, 1e-5) << "L=" << p.length;
    EXPECT_LT(p.test_linf, 1e-5) << "L=" << p.length;
    EXPECT_LT(p.train_rel_l2, 1e-5) << "L=" << p.length;
  }
}

TEST(InversionTest, DualFormAgreesOnShiftRegister) {
  // n_train < m selects the dual (n×n) system; the shift register is still exactly invertible.
  InversionConfig c;
  c.d = 2;
  c.lengths = {3};
  c.m = 2 * c.d * 3 + 20;  // 20 rows that stay zero: the dual form must not care
  c.n_train = 25;
  c.n_test = 100;
  c.ridge_lambda = 1e-10;
  arma::fmat W, A;
  ShiftRegister(c.d, 3, &W, &A);
  W.resize(c.m, c.m);
  A.resize(c.m, c.d);
  const InversionResult r = RunInversionWithWeights(c, W, A);
  ASSERT_EQ(r.points.size(), 1u);
  EXPECT_EQ(r.points[0].form, "dual");
  EXPECT_LT(r.points[0].test_rel_l2, 1e-5);
}

TEST(InversionTest, SgdLearnsTheShiftRegister) {
  InversionConfig c;
  c.d = 2;
  c.lengths = {2, 4};
  c.m = 2 * c.d * 4;
  c.n_train = 2000;
  c.n_test = 200;
  c.solver = InversionSolver::kSgd;
  c.sgd_epochs = 30;
  arma::fmat W, A;
  ShiftRegister(c.d, 4, &W, &A);
  const InversionResult r = RunInversionWithWeights(c, W, A);
  for (const auto& p : r.points) {
    EXPECT_EQ(p.form, "sgd");
    EXPECT_LT(p.test_rel_l2, 1e-3) << "L=" << p.length;
  }
}

// The paper's trend on a small grid: error grows with L and shrinks with m (fixed seeds: deterministic; the
// margins are a factor 1.5, far from the measured ratios).
TEST(InversionTest, ErrorGrowsWithLengthAndShrinksWithWidth) {
  auto run = [](int m) {
    InversionConfig c;
    c.m = m;
    c.d = 2;
    c.lengths = {2, 6};
    c.n_train = 3000;
    c.n_test = 500;
    c.seed = 7;
    return RunInversion(c);
  };
  const InversionResult narrow = run(40);
  const InversionResult wide = run(400);
  for (const InversionResult* r : {&narrow, &wide}) {
    EXPECT_GT(r->points[1].test_rel_l2, 1.5 * r->points[0].test_rel_l2);
    EXPECT_GT(r->points[1].test_linf, 1.5 * r->points[0].test_linf);
  }
  for (int i = 0; i < 2; ++i) {
    EXPECT_LT(1.5 * wide.points[i].test_rel_l2, narrow.points[i].test_rel_l2) << "L index " << i;
    EXPECT_LT(1.5 * wide.points[i].test_linf, narrow.points[i].test_linf) << "L index " << i;
  }
  // ‖h(L)‖² ≈ L·d under the default N(0, 2/m) scaling: no explosion, no vanishing.
  EXPECT_NEAR(wide.points[0].mean_h_norm * wide.points[0].mean_h_norm, 2.0 * 2, 1.0);
  EXPECT_NEAR(wide.points[1].mean_h_norm * wide.points[1].mean_h_norm, 6.0 * 2, 2.5);
}

TEST(InversionTest, SgdComesCloseToRidge) {
  InversionConfig c;
  c.m = 100;
  c.d = 2;
  c.lengths = {2};
  c.n_train = 2000;
  c.n_test = 500;
  const double ridge = RunInversion(c).points[0].test_rel_l2;
  c.solver = InversionSolver::kSgd;
  c.sgd_epochs = 40;
  const double sgd = RunInversion(c).points[0].test_rel_l2;
  EXPECT_LT(sgd, 2.0 * ridge);
  EXPECT_GT(sgd, 0.8 * ridge);
}

TEST(InversionTest, PrefixLengthsShareSequences) {
  // Asking for {2, 4} or for {2} alone gives the same L = 2 result: the sequences and weights are the same.
  InversionConfig c;
  c.m = 60;
  c.d = 2;
  c.n_train = 300;
  c.n_test = 100;
  c.lengths = {2, 4};
  const InversionResult both = RunInversion(c);
  c.lengths = {2};
  const InversionResult one = RunInversion(c);
  EXPECT_DOUBLE_EQ(both.points[0].test_rel_l2, one.points[0].test_rel_l2);
  EXPECT_DOUBLE_EQ(both.points[0].test_linf, one.points[0].test_linf);
}

// A shift register that stores only the newest input: the readout recovers x(L) exactly and nothing of the
// earlier inputs, so the per-position errors are ≈ 0 for x(L) and ≈ 1 (predicting 0) for x(1) … x(L−1).
TEST(InversionTest, PositionErrorsSayWhichInputsAreLost) {
  InversionConfig c;
  c.d = 2;
  c.lengths = {1, 3};
  c.m = 2 * c.d;  // [relu(x); relu(−x)] of the newest input only
  c.n_train = 400;
  c.n_test = 300;
  c.ridge_lambda = 1e-10;
  arma::fmat W(c.m, c.m, arma::fill::zeros), A(c.m, c.d, arma::fill::zeros);
  for (int i = 0; i < c.d; ++i) {
    A(i, i) = 1.0f;
    A(c.d + i, i) = -1.0f;
  }
  const InversionResult r = RunInversionWithWeights(c, W, A);
  ASSERT_EQ(r.points[0].position_rel_l2.size(), 1u);
  // One position: its error is the whole relative error.
  EXPECT_NEAR(r.points[0].position_rel_l2[0], r.points[0].test_rel_l2, 1e-12);
  EXPECT_LT(r.points[0].position_rel_l2[0], 1e-5);
  const auto& pos = r.points[1].position_rel_l2;
  ASSERT_EQ(pos.size(), 3u);
  EXPECT_LT(pos[2], 1e-5);                        // x(3), the newest
  for (int l = 0; l < 2; ++l) EXPECT_NEAR(pos[l], 1.0, 0.1) << l;  // x(1), x(2): lost
}

// The paper's own N(0, 1) weights: the same streams as variance 2/m scaled by √(m/2), so h(1) = relu(A x(1)) is
// exactly √(m/2) times larger; one step on, ‖W h‖² ≈ m‖h‖² of which ReLU keeps half: ‖h(2)‖ ≈ √(m/2)·‖h(1)‖.
TEST(InversionTest, AbsoluteVarianceIsThePapersInit) {
  InversionConfig c;
  c.m = 400;
  c.d = 4;
  c.lengths = {1, 2};
  c.n_train = 300;
  c.n_test = 50;
  const InversionResult scaled = RunInversion(c);
  c.variance_per_width = false;
  c.w_var = c.a_var = 1.0;
  const InversionResult paper = RunInversion(c);
  EXPECT_NEAR(paper.points[0].mean_h_norm / scaled.points[0].mean_h_norm, std::sqrt(200.0), 1e-5 * std::sqrt(200.0));
  EXPECT_NEAR(paper.points[1].mean_h_norm / paper.points[0].mean_h_norm, std::sqrt(200.0), 0.1 * std::sqrt(200.0));
  EXPECT_EQ(ToJson(c)["variance"], "absolute");
}

TEST(InversionTest, SameSeedSameResult) {
  InversionConfig c;
  c.m = 50;
  c.d = 2;
  c.lengths = {3};
  c.n_train = 200;
  c.n_test = 50;
  EXPECT_EQ(ToJson(RunInversion(c)).dump(), ToJson(RunInversion(c)).dump());
  InversionConfig c2 = c;
  c2.seed = 2;
  EXPECT_NE(ToJson(RunInversion(c)).dump(), ToJson(RunInversion(c2)).dump());
}

TEST(InversionTest, BadConfigurationsThrow) {
  auto expect_throw = [](InversionConfig c, const std::string& needle) {
    try {
      RunInversion(c);
      ADD_FAILURE() << "no error for " << needle;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  InversionConfig c;
  c.m = 10;
  c.n_train = 20;
  c.n_test = 5;
  InversionConfig b = c;
  b.m = 0;
  expect_throw(b, "m must be positive");
  b = c;
  b.d = -1;
  expect_throw(b, "d must be positive");
  b = c;
  b.lengths = {2, 0};
  expect_throw(b, "length");
  b = c;
  b.lengths = {};
  expect_throw(b, "lengths is empty");
  b = c;
  b.n_test = 0;
  expect_throw(b, "n_test");
  b = c;
  b.solver = InversionSolver::kSgd;
  b.sgd_batch = 0;
  expect_throw(b, "sgd_batch");
  arma::fmat W(5, 5), A(5, 2);
  EXPECT_THROW(RunInversionWithWeights(c, W, A), Error);
}

TEST(InversionTest, JsonHasTheFields) {
  InversionConfig c;
  const nlohmann::json jc = ToJson(c);
  EXPECT_EQ(jc["m"], c.m);
  EXPECT_EQ(jc["solver"], "ridge");
  EXPECT_EQ(jc["lengths"].size(), 3u);
  InversionPoint p;
  p.length = 4;
  p.test_rel_l2 = 0.25;
  p.form = "dual";
  InversionResult r;
  r.points.push_back(p);
  const nlohmann::json jr = ToJson(r);
  EXPECT_EQ(jr["points"][0]["length"], 4);
  EXPECT_EQ(jr["points"][0]["test_rel_l2"], 0.25);
  EXPECT_EQ(jr["points"][0]["form"], "dual");
}

}  // namespace
}  // namespace flbench::theory
