// theory/cayci: the gradient against central differences, the symmetric initialisation (F(Θ(0)) = 0), the
// teacher against the paper's sum formula (8) written out term by term, the projection radii, reproducibility
// and config validation.
#include <gtest/gtest.h>

#include <cmath>

#include "theory/cayci.h"
#include "util/error.h"
#include "util/rng.h"

namespace flbench::theory {
namespace {

CayciConfig Small() {
  CayciConfig c;
  c.m = 6;
  c.n = 3;
  c.T = 4;
  c.d = 3;
  c.alpha = 0.7;
  c.teacher_width = 50;
  c.nu_w = 0.3;
  c.max_iters = 50;
  return c;
}

TEST(CayciTest, GradientMatchesCentralDifferences) {
  const CayciConfig c = Small();
  const arma::mat X = DrawCayciInputs(c);
  const arma::rowvec Y = Teacher(c, X);
  arma::arma_rng::set_seed(11);
  arma::vec w = 0.6 * arma::randu<arma::vec>(c.m) - 0.3;
  arma::mat U = arma::randn(c.m, c.d);
  arma::vec cr = arma::sign(arma::randn<arma::vec>(c.m));
  arma::vec gw;
  arma::mat gU;
  CayciLossAndGradient(w, U, cr, X, Y, c.n, c.T, &gw, &gU);
  const double h = 1e-6;
  double worst = 0;
  for (int i = 0; i < c.m; ++i) {
    arma::vec wp = w, wm = w;
    wp[i] += h;
    wm[i] -= h;
    const double fd = (CayciLossAndGradient(wp, U, cr, X, Y, c.n, c.T, nullptr, nullptr) -
                       CayciLossAndGradient(wm, U, cr, X, Y, c.n, c.T, nullptr, nullptr)) / (2 * h);
    worst = std::max(worst, std::abs(fd - gw[i]));
    for (int r = 0; r < c.d; ++r) {
      arma::mat Up = U, Um = U;
      Up(i, r) += h;
      Um(i, r) -= h;
      const double fu = (CayciLossAndGradient(w, Up, cr, X, Y, c.n, c.T, nullptr, nullptr) -
                         CayciLossAndGradient(w, Um, cr, X, Y, c.n, c.T, nullptr, nullptr)) / (2 * h);
      worst = std::max(worst, std::abs(fu - gU(i, r)));
    }
  }
  EXPECT_LT(worst, 1e-8) << "worst coordinate difference";
}

TEST(CayciTest, TeacherIsThePapersSumFormula) {
  // Redraw the teacher's features in Teacher's order (β, signs of w0, then U0 rows) and evaluate (8):
  // F̃_t = (1/M) Σ_i Σ_(k=0..t−1) w0^k (ν̄_u βᵀX_(t−k−1) + ν̄_w h_(t−k−1)) Π_(s=0..k) σ'(w0 h_(t−s−1) + u0ᵀX_(t−s−1)).
  const CayciConfig c = Small();
  const arma::mat X = DrawCayciInputs(c);
  const arma::rowvec Y = Teacher(c, X);
  Rng rng(DeriveSeed(c.seed, "teacher"));
  std::vector<double> beta(c.d), w0(c.teacher_width);
  double bn = 0;
  for (double& b : beta) {
    b = rng.Normal();
    bn += b * b;
  }
  for (double& b : beta) b /= std::sqrt(bn);
  for (double& v : w0) v = rng.Uniform() < 0.5 ? -c.alpha : c.alpha;
  std::vector<std::vector<double>> u0(c.teacher_width, std::vector<double>(c.d));
  for (auto& row : u0)
    for (double& v : row) v = rng.Normal();
  double worst = 0;
  for (int j = 0; j < c.n; ++j) {
    auto x = [&](int t, int r) { return X(r, t * c.n + j); };  // X_t
    for (int t = 1; t <= c.T; ++t) {
      double sum = 0;
      for (int i = 0; i < c.teacher_width; ++i) {
        std::vector<double> h(c.T + 1, 0.0), slope(c.T, 0.0);  // h_0..h_T, σ'(g_s) for s = 0..T−1
        for (int s = 0; s < c.T; ++s) {
          double g = w0[i] * h[s];
          for (int r = 0; r < c.d; ++r) g += u0[i][r] * x(s, r);
          h[s + 1] = std::tanh(g);
          slope[s] = 1 - h[s + 1] * h[s + 1];
        }
        for (int k = 0; k <= t - 1; ++k) {
          double drive = c.nu_w * h[t - k - 1];
          for (int r = 0; r < c.d; ++r) drive += c.nu_u * beta[r] * x(t - k - 1, r);
          double prod = 1;
          for (int s = 0; s <= k; ++s) prod *= slope[t - s - 1];
          sum += std::pow(w0[i], k) * drive * prod;
        }
      }
      worst = std::max(worst, std::abs(sum / c.teacher_width - Y[(t - 1) * c.n + j]));
    }
  }
  EXPECT_LT(worst, 1e-12);
  EXPECT_GT(arma::abs(Y).max(), 1e-3);  // not trivially zero
}

TEST(CayciTest, SymmetricInitStartsAtZeroOutput) {
  CayciConfig c = Small();
  c.max_iters = 1;
  const CayciResult r = RunCayci(c);
  const arma::rowvec Y = Teacher(c, DrawCayciInputs(c));
  // R(Θ(0)) = (1/n) Σ Y² exactly when F(Θ(0)) = 0.
  EXPECT_NEAR(r.loss[0], arma::accu(arma::square(Y)) / c.n, 1e-15 * r.loss[0] + 1e-300);
}

TEST(CayciTest, ProjectionKeepsTheRadiiAndPlainGdMovesFurther) {
  CayciConfig c = Small();
  c.m = 8;
  c.eta = 2.0;  // large steps, so the projection binds
  c.rho_w = 0.2;
  c.rho_u = 0.3;
  c.max_iters = 200;
  c.epsilon = 0;
  const CayciResult p = RunCayci(c);
  EXPECT_LE(p.w_move, c.rho_w * (1 + 1e-12));
  EXPECT_LE(p.u_move, c.rho_u * (1 + 1e-12));
  EXPECT_NEAR(p.alpha_m, c.alpha + c.rho_w / std::sqrt(8.0), 1e-15);
  c.method = CayciMethod::kPlain;
  const CayciResult q = RunCayci(c);
  EXPECT_GT(q.u_move, c.rho_u);
  EXPECT_EQ(p.step, 2.0);
}

TEST(CayciTest, GdFitsTheTeacherAndRunsAreReproducible) {
  CayciConfig c;
  c.m = 64;
  c.n = 8;
  c.T = 4;
  c.d = 3;
  c.teacher_width = 256;
  c.eta = 0.5;
  c.max_iters = 3000;
  c.epsilon = 0.05;
  c.method = CayciMethod::kPlain;
  const CayciResult a = RunCayci(c);
  EXPECT_FALSE(a.diverged);
  EXPECT_GE(a.iters_to_epsilon, 1) << "final R/R0 " << a.loss.back() / a.loss.front();
  EXPECT_LE(a.loss.back(), c.epsilon * a.loss.front());
  const CayciResult b = RunCayci(c);
  EXPECT_EQ(a.loss, b.loss);  // bit for bit
  CayciConfig paper = c;
  paper.eta = 0;
  EXPECT_DOUBLE_EQ(RunCayci(paper).step, 1.0 / (4 * std::sqrt(3000.0)));
}

TEST(CayciTest, ValidationNamesTheField) {
  CayciConfig c = Small();
  c.m = 7;
  EXPECT_THROW(RunCayci(c), Error);
  c = Small();
  c.nu_u = 0;
  c.nu_w = 0;
  EXPECT_THROW(ValidateCayciConfig(c), Error);
  c = Small();
  c.eta = -1;
  EXPECT_THROW(ValidateCayciConfig(c), Error);
}

}  // namespace
}  // namespace flbench::theory
