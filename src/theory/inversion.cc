// RNN inversion at random initialisation: recurrence in float32, readout fitted in double.
// Entry points: RunInversion, RunInversionWithWeights (see inversion.h). Tested by tests/theory_inversion_test.cc.
//
// Dimension legend: m = width, d = input dim, Lmax = longest length, n = sequences, k = L·d.
// Random streams (each its own Rng, so changing one size never shifts another stream):
// DeriveSeed(seed, "W"), "A", "train", "test", "sgd"; inside "train" and "test" one stream per sequence.
#include "theory/inversion.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "util/error.h"
#include "util/rng.h"

namespace flbench::theory {
namespace {

// Inputs of n sequences, one per column: rows [ℓ·d, (ℓ+1)·d) hold x(ℓ+1). Sequence j has its own stream
// DeriveSeed(seed, "<j>"), so its length-L prefix depends neither on n nor on the longest length asked for.
arma::mat DrawInputs(int d, int max_len, int n, uint64_t seed) {
  arma::mat X(static_cast<arma::uword>(d) * max_len, n);  // (Lmax·d) × n
  for (arma::uword j = 0; j < X.n_cols; ++j) {
    Rng rng(DeriveSeed(seed, std::to_string(j)));
    for (arma::uword r = 0; r < X.n_rows; ++r) X(r, j) = rng.Normal();
  }
  return X;
}

// Runs the recurrence for all columns of X at once and returns h(L) for each L in lengths (in that order).
std::vector<arma::fmat> HiddenStates(const arma::fmat& W,         // m×m
                                     const arma::fmat& A,         // m×d
                                     const arma::mat& X,          // (Lmax·d)×n
                                     const std::vector<int>& lengths) {
  const arma::uword m = W.n_rows, d = A.n_cols, n = X.n_cols;  // m×n states
  const int max_len = *std::max_element(lengths.begin(), lengths.end());
  std::vector<arma::fmat> out(lengths.size());
  arma::fmat H(m, n, arma::fill::zeros);  // m×n: h(ℓ−1), then h(ℓ)
  arma::fmat G(m, n);                     // m×n: pre-activation
  for (int ell = 1; ell <= max_len; ++ell) {
    const arma::fmat Xl = arma::conv_to<arma::fmat>::from(X.rows((ell - 1) * d, ell * d - 1));  // d×n
    if (ell == 1) {
      G = A * Xl;
    } else {
      G = W * H;
      G += A * Xl;
    }
    H = G;
    H.transform([](float v) { return v > 0.0f ? v : 0.0f; });
    for (size_t i = 0; i < lengths.size(); ++i)
      if (lengths[i] == ell) out[i] = H;
  }
  return out;
}

// Ridge readout beta (m×k) minimising Σ_i ‖betaᵀ h_i − y_i‖² + lambda‖beta‖²; primal or dual by size.
arma::mat FitRidge(const arma::fmat& Hf,  // m×n
                   const arma::mat& Y,    // k×n
                   double rel_lambda, std::string* form) {
  const arma::mat H = arma::conv_to<arma::mat>::from(Hf);  // m×n
  const double lambda = rel_lambda * arma::accu(arma::square(H)) / static_cast<double>(H.n_rows);
  arma::mat beta;  // m×k
  bool ok;
  if (H.n_rows <= H.n_cols) {
    *form = "primal";
    arma::mat G = H * H.t();  // m×m
    G.diag() += lambda;
    const arma::mat C = H * Y.t();  // m×k
    ok = arma::solve(beta, G, C, arma::solve_opts::likely_sympd);
  } else {
    *form = "dual";
    arma::mat K = H.t() * H;  // n×n
    K.diag() += lambda;
    arma::mat alpha;  // n×k
    ok = arma::solve(alpha, K, arma::mat(Y.t()), arma::solve_opts::likely_sympd);
    if (ok) beta = H * alpha;
  }
  if (!ok)
    throw Error("inversion: the ridge system is singular (" + *form +
                " form); raise ridge_lambda above " + std::to_string(rel_lambda));
  return beta;
}

// The paper's SGD on ½‖betaᵀ h − y‖² averaged over a minibatch, with PyTorch-style momentum
// (v ← μv + g; beta ← beta − lr·v). Features are divided by the root mean ‖h‖² of the training set so that a
// fixed lr = 0.1 is stable at every width and length; the returned readout includes that scale.
arma::mat FitSgd(const arma::fmat& Hf,  // m×n
                 const arma::mat& Y,    // k×n
                 const InversionConfig& c) {
  const arma::uword m = Hf.n_rows, n = Hf.n_cols, k = Y.n_rows;
  double sq = 0;
  for (arma::uword j = 0; j < n; ++j) sq += arma::dot(Hf.col(j), Hf.col(j));
  const double scale = sq > 0 ? 1.0 / std::sqrt(sq / static_cast<double>(n)) : 1.0;
  arma::mat beta(k, m, arma::fill::zeros);  // k×m (transposed readout)
  arma::mat vel(k, m, arma::fill::zeros);   // k×m
  std::vector<arma::uword> order(n);
  std::iota(order.begin(), order.end(), 0);
  Rng rng(DeriveSeed(c.seed, "sgd"));
  for (int epoch = 0; epoch < c.sgd_epochs; ++epoch) {
    rng.Shuffle(order);
    for (arma::uword start = 0; start < n; start += c.sgd_batch) {
      const arma::uword stop = std::min<arma::uword>(n, start + c.sgd_batch);
      const arma::uvec idx(std::vector<arma::uword>(order.begin() + start, order.begin() + stop));
      const arma::mat Hb = scale * arma::conv_to<arma::mat>::from(Hf.cols(idx));  // m×b
      const arma::mat R = beta * Hb - Y.cols(idx);                                // k×b
      const arma::mat grad = R * Hb.t() / static_cast<double>(idx.n_elem);         // k×m
      vel = c.sgd_momentum * vel + grad;
      beta -= c.sgd_lr * vel;
      if (!beta.is_finite())
        throw Error("inversion: SGD diverged at epoch " + std::to_string(epoch) + "; lower sgd_lr (" +
                    std::to_string(c.sgd_lr) + ")");
    }
  }
  return scale * beta.t();  // m×k
}

// Mean relative L2 and mean L∞ error of beta over the columns of H; with `position` (d = rows per input) also
// the mean relative L2 error of each input position's d rows.
void Evaluate(const arma::mat& beta,  // m×k
              const arma::fmat& Hf,   // m×n
              const arma::mat& Y,     // k×n
              double* rel_l2, double* linf, arma::uword d = 0, std::vector<double>* position = nullptr) {
  const arma::mat P = beta.t() * arma::conv_to<arma::mat>::from(Hf);  // k×n
  double s2 = 0, sinf = 0;
  if (position) position->assign(Y.n_rows / d, 0.0);
  for (arma::uword j = 0; j < Y.n_cols; ++j) {
    const arma::vec e = P.col(j) - Y.col(j);
    s2 += arma::norm(e, 2) / arma::norm(Y.col(j), 2);
    sinf += arma::abs(e).max();
    if (position)
      for (arma::uword l = 0; l < position->size(); ++l)
        (*position)[l] += arma::norm(e.subvec(l * d, (l + 1) * d - 1), 2) /
                          arma::norm(Y.col(j).subvec(l * d, (l + 1) * d - 1), 2);
  }
  *rel_l2 = s2 / static_cast<double>(Y.n_cols);
  *linf = sinf / static_cast<double>(Y.n_cols);
  if (position)
    for (double& v : *position) v /= static_cast<double>(Y.n_cols);
}

}  // namespace

void ValidateInversionConfig(const InversionConfig& c) {
  auto bad = [](const std::string& what) { throw Error("inversion config: " + what); };
  if (c.m <= 0) bad("m must be positive, got " + std::to_string(c.m));
  if (c.d <= 0) bad("d must be positive, got " + std::to_string(c.d));
  if (c.lengths.empty()) bad("lengths is empty; give at least one L >= 1");
  for (int L : c.lengths)
    if (L < 1) bad("every length must be >= 1, got " + std::to_string(L));
  if (c.n_train < 2) bad("n_train must be >= 2, got " + std::to_string(c.n_train));
  if (c.n_test < 1) bad("n_test must be >= 1, got " + std::to_string(c.n_test));
  if (!(c.w_var >= 0) || !std::isfinite(c.w_var)) bad("w_var must be finite and >= 0");
  if (!(c.a_var > 0) || !std::isfinite(c.a_var)) bad("a_var must be finite and > 0");
  if (!(c.ridge_lambda >= 0) || !std::isfinite(c.ridge_lambda)) bad("ridge_lambda must be finite and >= 0");
  if (c.solver == InversionSolver::kSgd) {
    if (c.sgd_batch < 1) bad("sgd_batch must be >= 1, got " + std::to_string(c.sgd_batch));
    if (c.sgd_epochs < 1) bad("sgd_epochs must be >= 1, got " + std::to_string(c.sgd_epochs));
    if (!(c.sgd_lr > 0)) bad("sgd_lr must be > 0");
    if (!(c.sgd_momentum >= 0 && c.sgd_momentum < 1)) bad("sgd_momentum must be in [0, 1)");
  }
}

InversionResult RunInversion(const InversionConfig& c) {
  ValidateInversionConfig(c);
  const arma::uword m = c.m, d = c.d;
  arma::fmat W(m, m);  // m×m
  arma::fmat A(m, d);  // m×d
  Rng rw(DeriveSeed(c.seed, "W"));
  const double per = c.variance_per_width ? static_cast<double>(c.m) : 1.0;
  const double sw = std::sqrt(c.w_var / per);
  for (arma::uword j = 0; j < m; ++j)
    for (arma::uword i = 0; i < m; ++i) W(i, j) = static_cast<float>(sw * rw.Normal());
  Rng ra(DeriveSeed(c.seed, "A"));
  const double sa = std::sqrt(c.a_var / per);
  for (arma::uword j = 0; j < d; ++j)
    for (arma::uword i = 0; i < m; ++i) A(i, j) = static_cast<float>(sa * ra.Normal());
  return RunInversionWithWeights(c, W, A);
}

InversionResult RunInversionWithWeights(const InversionConfig& c, const arma::fmat& W, const arma::fmat& A) {
  ValidateInversionConfig(c);
  const arma::uword m = c.m, d = c.d;
  if (W.n_rows != m || W.n_cols != m || A.n_rows != m || A.n_cols != d)
    throw Error("inversion: W must be " + std::to_string(m) + "x" + std::to_string(m) + " and A " +
                std::to_string(m) + "x" + std::to_string(d) + "; got W " + std::to_string(W.n_rows) + "x" +
                std::to_string(W.n_cols) + ", A " + std::to_string(A.n_rows) + "x" + std::to_string(A.n_cols));
  const int max_len = *std::max_element(c.lengths.begin(), c.lengths.end());
  const arma::mat Xtr = DrawInputs(c.d, max_len, c.n_train, DeriveSeed(c.seed, "train"));  // (Lmax·d)×n_train
  const arma::mat Xte = DrawInputs(c.d, max_len, c.n_test, DeriveSeed(c.seed, "test"));    // (Lmax·d)×n_test
  const std::vector<arma::fmat> Htr = HiddenStates(W, A, Xtr, c.lengths);  // each m×n_train
  const std::vector<arma::fmat> Hte = HiddenStates(W, A, Xte, c.lengths);  // each m×n_test

  InversionResult result;
  for (size_t i = 0; i < c.lengths.size(); ++i) {
    InversionPoint p;
    p.length = c.lengths[i];
    const arma::uword k = static_cast<arma::uword>(p.length) * d;
    const arma::mat Ytr = Xtr.rows(0, k - 1);  // k×n_train
    const arma::mat Yte = Xte.rows(0, k - 1);  // k×n_test
    arma::mat beta;                            // m×k
    if (c.solver == InversionSolver::kRidge) {
      beta = FitRidge(Htr[i], Ytr, c.ridge_lambda, &p.form);
    } else {
      p.form = "sgd";
      beta = FitSgd(Htr[i], Ytr, c);
    }
    Evaluate(beta, Htr[i], Ytr, &p.train_rel_l2, &p.train_linf);
    Evaluate(beta, Hte[i], Yte, &p.test_rel_l2, &p.test_linf, d, &p.position_rel_l2);
    double s = 0;
    for (arma::uword j = 0; j < Htr[i].n_cols; ++j) s += arma::norm(Htr[i].col(j), 2);
    p.mean_h_norm = s / static_cast<double>(Htr[i].n_cols);
    result.points.push_back(p);
  }
  return result;
}

nlohmann::json ToJson(const InversionConfig& c) {
  return {{"m", c.m},
          {"d", c.d},
          {"lengths", c.lengths},
          {"n_train", c.n_train},
          {"n_test", c.n_test},
          {"w_var", c.w_var},
          {"a_var", c.a_var},
          {"variance", c.variance_per_width ? "per-width" : "absolute"},
          {"solver", c.solver == InversionSolver::kRidge ? "ridge" : "sgd"},
          {"ridge_lambda", c.ridge_lambda},
          {"sgd_batch", c.sgd_batch},
          {"sgd_momentum", c.sgd_momentum},
          {"sgd_lr", c.sgd_lr},
          {"sgd_epochs", c.sgd_epochs},
          {"seed", c.seed}};
}

nlohmann::json ToJson(const InversionPoint& p) {
  return {{"length", p.length},         {"test_rel_l2", p.test_rel_l2}, {"test_linf", p.test_linf},
          {"train_rel_l2", p.train_rel_l2}, {"train_linf", p.train_linf}, {"mean_h_norm", p.mean_h_norm},
          {"position_rel_l2", p.position_rel_l2}, {"form", p.form}};
}

nlohmann::json ToJson(const InversionResult& r) {
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : r.points) points.push_back(ToJson(p));
  return {{"points", points}};
}

}  // namespace flbench::theory
