// Cayci & Eryilmaz's RNN, teacher and (projected) GD: forward and backward side by side, then the GD loop.
// Entry points: RunCayci, Teacher, DrawCayciInputs, CayciLossAndGradient. Tested by tests/theory_cayci_test.cc.
//
// Forward stores H_t (m × n per step, t = 0..T) and S_t = σ'(G_t) = 1 − H_t². Backward runs t = T … 1:
//   δH_t = (2/n)·(c/√m)·r_t + W ⊙ δG_(t+1)   (no second term at t = T),   r_t = F_t − Y_t,
//   δG_t = δH_t ⊙ S_t,
//   ∂R/∂W_ii = Σ_(t,j) δG_t(i,j)·H_(t−1)(i,j),   ∂R/∂U = Σ_t δG_t X_(t−1)ᵀ (one product over all steps).
#include "theory/cayci.h"

#include <cmath>
#include <limits>

#include "theory/fixed_order.h"
#include "util/error.h"
#include "util/rng.h"

namespace flbench::theory {

void ValidateCayciConfig(const CayciConfig& c) {
  auto bad = [](const std::string& what) { throw Error("cayci-eryilmaz config: " + what); };
  if (c.m < 2 || c.m % 2 != 0) bad("m must be even and >= 2 (symmetric initialisation), got " + std::to_string(c.m));
  if (c.n <= 0) bad("n must be positive, got " + std::to_string(c.n));
  if (c.T <= 0) bad("T must be positive, got " + std::to_string(c.T));
  if (c.d <= 0) bad("d must be positive, got " + std::to_string(c.d));
  if (!(c.alpha >= 0) || !std::isfinite(c.alpha)) bad("alpha must be finite and >= 0");
  if (!(c.nu_u >= 0) || !std::isfinite(c.nu_u) || !(c.nu_w >= 0) || !std::isfinite(c.nu_w))
    bad("nu_u and nu_w must be finite and >= 0");
  if (c.nu_u == 0 && c.nu_w == 0) bad("nu_u and nu_w are both 0: the teacher is zero");
  if (c.teacher_width <= 0) bad("teacher_width must be positive, got " + std::to_string(c.teacher_width));
  if (!(c.rho_w >= 0) || !std::isfinite(c.rho_w) || !(c.rho_u >= 0) || !std::isfinite(c.rho_u))
    bad("rho_w and rho_u must be finite and >= 0");
  if (!(c.eta >= 0) || !std::isfinite(c.eta)) bad("eta must be finite and >= 0 (0: the paper's 1/(T·sqrt(max_iters)))");
  if (c.max_iters < 1) bad("max_iters must be >= 1, got " + std::to_string(c.max_iters));
  if (!(c.epsilon >= 0) || !std::isfinite(c.epsilon)) bad("epsilon must be finite and >= 0");
}

arma::mat DrawCayciInputs(const CayciConfig& c) {
  // Sequence j's inputs come from one stream in the order j = 0, 1, …, so the first n' sequences are the same
  // for every n >= n'.
  Rng rng(DeriveSeed(c.seed, "data"));
  arma::mat X(c.d, static_cast<arma::uword>(c.n) * c.T);  // d × nT
  std::vector<double> v(c.d);
  for (int j = 0; j < c.n; ++j)
    for (int t = 0; t < c.T; ++t) {
      double s = 0;
      for (double& e : v) {
        e = rng.Normal();
        s = std::fma(e, e, s);
      }
      const double f = s > 0 ? 1.0 / std::sqrt(s) : 0.0;
      for (int r = 0; r < c.d; ++r) X(r, static_cast<arma::uword>(t) * c.n + j) = v[r] * f;
    }
  return X;
}

arma::rowvec Teacher(const CayciConfig& c, const arma::mat& X) {
  const arma::uword M = c.teacher_width, d = c.d, n = c.n, T = c.T;
  Rng rng(DeriveSeed(c.seed, "teacher"));
  arma::vec beta(d);
  for (auto& e : beta) e = rng.Normal();
  beta /= Norm2(beta.memptr(), d);
  arma::vec w0(M);   // M: ±alpha
  arma::mat U0(M, d);  // M × d: N(0, I_d) rows
  for (arma::uword i = 0; i < M; ++i) w0[i] = rng.Uniform() < 0.5 ? -c.alpha : c.alpha;
  for (arma::uword i = 0; i < M; ++i)
    for (arma::uword r = 0; r < d; ++r) U0(i, r) = rng.Normal();
  const arma::mat P = Mul(U0, X);               // M × nT: u0ᵀ X_(t−1)
  const arma::rowvec Q = Mul<double>(beta.t(), X);  // 1 × nT: βᵀ X_(t−1)
  arma::mat h(M, n, arma::fill::zeros), D(M, n, arma::fill::zeros);  // M × n: h0_(t−1), D_(t−1)
  arma::rowvec Y(n * T);
  for (arma::uword t = 1; t <= T; ++t) {
    const arma::uword col = (t - 1) * n;
    for (arma::uword j = 0; j < n; ++j) {
      double* hj = h.colptr(j);
      double* Dj = D.colptr(j);
      const double* pj = P.colptr(col + j);
      const double drive = c.nu_u * Q[col + j];
      double sum = 0;
      for (arma::uword i = 0; i < M; ++i) {
        const double g = std::fma(w0[i], hj[i], pj[i]);  // w0 h_(t−1) + u0ᵀ X_(t−1)
        const double th = std::tanh(g);
        const double slope = std::fma(-th, th, 1.0);     // σ'(g) = 1 − tanh²
        Dj[i] = slope * (std::fma(w0[i], Dj[i], drive) + c.nu_w * hj[i]);
        hj[i] = th;
        sum += Dj[i];
      }
      Y[col + j] = sum / static_cast<double>(M);
    }
  }
  return Y;
}

double CayciLossAndGradient(const arma::vec& w, const arma::mat& U, const arma::vec& c, const arma::mat& X,
                            const arma::rowvec& Y, int n_, int T_, arma::vec* gw, arma::mat* gU) {
  const arma::uword m = w.n_elem, n = n_, T = T_, d = U.n_cols, N = n * T;
  const double inv_root_m = 1.0 / std::sqrt(static_cast<double>(m));
  const arma::mat P = Mul(U, X);  // m × N: U_iᵀ X_(t−1)
  arma::mat H(m, n * (T + 1));    // m × n(T+1): H_0 = 0, then H_1..H_T
  arma::mat S(m, N);              // m × N: σ'(G_t)
  H.cols(0, n - 1).zeros();
  for (arma::uword t = 1; t <= T; ++t)
    for (arma::uword k = 0; k < n * m; ++k) {
      const arma::uword i = k % m;
      const double g = std::fma(w[i], H[(t - 1) * n * m + k], P[(t - 1) * n * m + k]);
      const double th = std::tanh(g);
      H[t * n * m + k] = th;
      S[(t - 1) * n * m + k] = std::fma(-th, th, 1.0);
    }
  // F_t = (1/√m) cᵀ H_t; residuals r (1 × N) and R = (1/n) Σ r².
  arma::rowvec F(N);
  MulInto(c.memptr(), 1, H.colptr(n), m, F.memptr(), 1, 1, m, N);
  arma::rowvec r(N);
  double R = 0;
  for (arma::uword k = 0; k < N; ++k) {
    r[k] = F[k] * inv_root_m - Y[k];
    R = std::fma(r[k], r[k], R);
  }
  R /= static_cast<double>(n);
  if (!gw) return R;
  // Backward, t = T … 1.
  arma::mat dG(m, N);                    // m × N: δG_t, step-major
  arma::mat dH(m, n, arma::fill::zeros);  // m × n: W ⊙ δG_(t+1)
  gw->zeros(m);
  const double scale = 2.0 / static_cast<double>(n) * inv_root_m;
  for (arma::uword t = T; t >= 1; --t) {
    const arma::uword col = (t - 1) * n;
    for (arma::uword j = 0; j < n; ++j) {
      const double rj = scale * r[col + j];
      const double* s = S.colptr(col + j);
      const double* hprev = H.colptr(col + j);  // H_(t−1) is column block t−1 of H
      double* g = dG.colptr(col + j);
      double* dh = dH.colptr(j);
      for (arma::uword i = 0; i < m; ++i) {
        g[i] = std::fma(rj, c[i], dh[i]) * s[i];  // δH_t ⊙ σ'(G_t)
        (*gw)[i] = std::fma(g[i], hprev[i], (*gw)[i]);
        dh[i] = w[i] * g[i];
      }
    }
  }
  const arma::mat Xt = X.t();  // N × d
  gU->set_size(m, d);
  MulInto(dG.memptr(), m, Xt.memptr(), N, gU->memptr(), m, m, N, d);
  return R;
}

CayciResult RunCayci(const CayciConfig& c) {
  ValidateCayciConfig(c);
  const arma::uword m = c.m, d = c.d, half = c.m / 2;
  const arma::mat X = DrawCayciInputs(c);  // d × nT
  const arma::rowvec Y = Teacher(c, X);    // 1 × nT
  // Symmetric initialisation (Definition 1).
  Rng rng(DeriveSeed(c.seed, "init"));
  arma::vec cr(m), w0(m);
  arma::mat U0(m, d);
  for (arma::uword i = 0; i < half; ++i) {
    cr[i] = rng.Uniform() < 0.5 ? -1.0 : 1.0;
    w0[i] = rng.Uniform() < 0.5 ? -c.alpha : c.alpha;
    for (arma::uword r = 0; r < d; ++r) U0(i, r) = rng.Normal();
  }
  for (arma::uword i = half; i < m; ++i) {
    cr[i] = -cr[i - half];
    w0[i] = w0[i - half];
    for (arma::uword r = 0; r < d; ++r) U0(i, r) = U0(i - half, r);
  }
  CayciResult res;
  double ysq = 0;
  for (double y : Y) ysq = std::fma(y, y, ysq);
  res.y_rms = std::sqrt(ysq / Y.n_elem);
  res.step = c.eta > 0 ? c.eta : 1.0 / (c.T * std::sqrt(static_cast<double>(c.max_iters)));
  const double root_m = std::sqrt(static_cast<double>(m));
  const double rw = c.rho_w / root_m, ru = c.rho_u / root_m;
  const bool projected = c.method == CayciMethod::kProjected;
  arma::vec w = w0, gw;
  arma::mat U = U0, gU;
  double R = CayciLossAndGradient(w, U, cr, X, Y, c.n, c.T, &gw, &gU);
  const double R0 = R;
  res.loss.push_back(R);
  if (R <= c.epsilon * R0) res.iters_to_epsilon = 0;
  for (int s = 1; s <= c.max_iters && res.iters_to_epsilon < 0; ++s) {
    for (arma::uword i = 0; i < m; ++i) {
      double wi = std::fma(-res.step, gw[i], w[i]);
      if (projected) wi = std::min(std::max(wi, w0[i] - rw), w0[i] + rw);
      w[i] = wi;
    }
    for (arma::uword k = 0; k < U.n_elem; ++k) U[k] = std::fma(-res.step, gU[k], U[k]);
    if (projected)
      for (arma::uword i = 0; i < m; ++i) {
        double q = 0;
        for (arma::uword r = 0; r < d; ++r) q = std::fma(U(i, r) - U0(i, r), U(i, r) - U0(i, r), q);
        const double norm = std::sqrt(q);
        if (norm > ru)
          for (arma::uword r = 0; r < d; ++r) U(i, r) = U0(i, r) + (U(i, r) - U0(i, r)) * (ru / norm);
      }
    R = CayciLossAndGradient(w, U, cr, X, Y, c.n, c.T, &gw, &gU);
    res.iterations = s;
    res.loss.push_back(R);
    if (!std::isfinite(R) || R > 1e6 * R0) {
      res.diverged = true;
      break;
    }
    if (R <= c.epsilon * R0) res.iters_to_epsilon = s;
  }
  double wmax = 0, umax = 0, wf = 0, uf = 0;
  for (arma::uword i = 0; i < m; ++i) {
    const double dw = w[i] - w0[i];
    wmax = std::max(wmax, std::abs(dw));
    wf = std::fma(dw, dw, wf);
    double q = 0;
    for (arma::uword r = 0; r < d; ++r) q = std::fma(U(i, r) - U0(i, r), U(i, r) - U0(i, r), q);
    umax = std::max(umax, std::sqrt(q));
    uf += q;
  }
  res.w_move = root_m * wmax;
  res.u_move = root_m * umax;
  res.w_move_fro = std::sqrt(wf);
  res.u_move_fro = std::sqrt(uf);
  res.alpha_m = c.alpha + (projected ? rw : wmax);
  return res;
}

nlohmann::json ToJson(const CayciConfig& c) {
  return {{"m", c.m},
          {"n", c.n},
          {"T", c.T},
          {"d", c.d},
          {"alpha", c.alpha},
          {"nu_u", c.nu_u},
          {"nu_w", c.nu_w},
          {"teacher_width", c.teacher_width},
          {"method", c.method == CayciMethod::kProjected ? "projected" : "plain"},
          {"rho_w", c.rho_w},
          {"rho_u", c.rho_u},
          {"eta", c.eta},
          {"max_iters", c.max_iters},
          {"epsilon", c.epsilon},
          {"seed", c.seed}};
}

nlohmann::json ToJson(const CayciResult& r) {
  return {{"loss", r.loss},
          {"iterations", r.iterations},
          {"iters_to_epsilon", r.iters_to_epsilon},
          {"diverged", r.diverged},
          {"y_rms", r.y_rms},
          {"step", r.step},
          {"w_move", r.w_move},
          {"u_move", r.u_move},
          {"w_move_fro", r.w_move_fro},
          {"u_move_fro", r.u_move_fro},
          {"alpha_m", r.alpha_m}};
}

}  // namespace flbench::theory
