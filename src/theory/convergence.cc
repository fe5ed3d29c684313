// Full-batch GD on the recurrent weights of a ReLU RNN: forward and BPTT side by side, then the GD loop.
// Entry points: RnnRegression<T>, RunConvergence, SpectralNorm, LogSlope. Tested by tests/theory_convergence_test.cc.
//
// Dimension legend: m = width, n = sequences, L = length, dx = input dim, dy = output dim, N = n·L.
// Column block ℓ = 0..L−1 of X, Y, H, dG (columns [ℓ·n, (ℓ+1)·n)) is step ℓ+1 of every sequence.
//
// Forward stores h_ℓ for every step. Backward runs ℓ = L … 2 (paper indexing):
//   dh_ℓ = Bᵀ r_ℓ + Wᵀ dg_{ℓ+1}   (no second term at ℓ = L),   r_ℓ = B h_ℓ − y*_ℓ,
//   dg_ℓ = dh_ℓ ⊙ φ'(g_ℓ)         (ReLU: φ' read from the stored h_ℓ > 0),
//   ∇f(W) = Σ_{ℓ=2..L} dg_ℓ h_{ℓ−1}ᵀ (one product over all steps at once; step 1 adds nothing as h_0 = 0).
// Every product is theory/fixed_order.h's (inner index ascending, one fma per term), every norm a sum in index
// order, and the GD step one fma per weight: the results do not depend on the BLAS kernel or the CPU.
#include "theory/convergence.h"

#include <cmath>
#include <limits>

#include "theory/fixed_order.h"
#include "util/error.h"
#include "util/rng.h"

namespace flbench::theory {

void ValidateConvergenceConfig(const ConvergenceConfig& c) {
  auto bad = [](const std::string& what) { throw Error("convergence config: " + what); };
  if (c.m <= 0) bad("m must be positive, got " + std::to_string(c.m));
  if (c.n <= 0) bad("n must be positive, got " + std::to_string(c.n));
  if (c.L < 2) bad("L must be >= 2 (the loss starts at step 2), got " + std::to_string(c.L));
  if (c.dx < 2) bad("dx must be >= 2 (the last input coordinate is the fixed 1/sqrt(2)), got " + std::to_string(c.dx));
  if (c.dy < 1) bad("dy must be >= 1, got " + std::to_string(c.dy));
  if (!(c.w_var >= 0) || !std::isfinite(c.w_var)) bad("w_var must be finite and >= 0");
  if (!(c.a_var > 0) || !std::isfinite(c.a_var)) bad("a_var must be finite and > 0");
  if (!(c.b_var > 0) || !std::isfinite(c.b_var)) bad("b_var must be finite and > 0");
  if (!(c.eta0 > 0) || !std::isfinite(c.eta0)) bad("eta0 must be finite and > 0");
  if (c.max_iters < 0) bad("max_iters must be >= 0, got " + std::to_string(c.max_iters));
  if (!(c.epsilon >= 0) || !std::isfinite(c.epsilon)) bad("epsilon must be finite and >= 0");
  if (c.optimizer == Optimizer::kSgd && (c.batch < 1 || c.n % c.batch != 0))
    bad("batch must be >= 1 and divide n (" + std::to_string(c.n) + "), got " + std::to_string(c.batch));
}

template <typename T>
RnnRegression<T>::RnnRegression(const ConvergenceConfig& c) : config_(c) {
  ValidateConvergenceConfig(c);
  const arma::uword m = c.m, n = c.n, L = c.L, dx = c.dx, dy = c.dy, N = n * L;
  // Data: x with ‖x‖ = 1 and last coordinate 1/√2; y* ~ N(0, I/dy). Independent of m.
  Rng data(DeriveSeed(c.seed, "data"));
  X_.set_size(dx, N);
  Y_.set_size(dy, N);
  const double half = std::sqrt(0.5);
  for (arma::uword j = 0; j < N; ++j) {
    double s = 0;
    std::vector<double> v(dx - 1);
    for (auto& e : v) {
      e = data.Normal();
      s += e * e;
    }
    const double f = s > 0 ? half / std::sqrt(s) : 0.0;
    for (arma::uword r = 0; r + 1 < dx; ++r) X_(r, j) = static_cast<T>(v[r] * f);
    X_(dx - 1, j) = static_cast<T>(half);
  }
  const double sy = std::sqrt(1.0 / c.dy);
  for (arma::uword j = 0; j < N; ++j)
    for (arma::uword r = 0; r < dy; ++r) Y_(r, j) = static_cast<T>(sy * data.Normal());
  // Weights: W(0), A, B in that order from one stream.
  Rng wr(DeriveSeed(c.seed, "weights"));
  auto fill = [&wr](Mat& M, arma::uword rows, arma::uword cols, double var) {
    M.set_size(rows, cols);
    const double s = std::sqrt(var);
    for (arma::uword j = 0; j < cols; ++j)
      for (arma::uword i = 0; i < rows; ++i) M(i, j) = static_cast<T>(s * wr.Normal());
  };
  fill(W0_, m, m, c.w_var / c.m);
  fill(A_, m, dx, c.a_var / c.m);
  fill(B_, dy, m, c.b_var / c.dy);
  AX_ = Mul(A_, X_);  // m×N
  Bt_ = B_.t();        // m×dy
  H_.set_size(m, N);
  dG_.set_size(m, N);
  UseAll();
}

template <typename T>
void RnnRegression<T>::UseAll() {
  ax_ = &AX_;
  y_ = &Y_;
  nb_ = config_.n;
}

template <typename T>
void RnnRegression<T>::UseBatch(const std::vector<arma::uword>& seqs) {
  const arma::uword n = config_.n, L = config_.L, b = seqs.size();
  if (b == 0) throw Error("RnnRegression: an empty batch");
  AXb_.set_size(AX_.n_rows, b * L);
  Yb_.set_size(Y_.n_rows, b * L);
  for (arma::uword l = 0; l < L; ++l)
    for (arma::uword j = 0; j < b; ++j) {
      if (seqs[j] >= n) throw Error("RnnRegression: sequence " + std::to_string(seqs[j]) + " of " + std::to_string(n));
      AXb_.col(l * b + j) = AX_.col(l * n + seqs[j]);
      Yb_.col(l * b + j) = Y_.col(l * n + seqs[j]);
    }
  ax_ = &AXb_;
  y_ = &Yb_;
  nb_ = b;
}

template <typename T>
void RnnRegression<T>::Forward(const Mat& W) {  // W: m×m
  const arma::uword m = config_.m, n = nb_, L = config_.L;
  if (W.n_rows != m || W.n_cols != m)
    throw Error("RnnRegression: W must be " + std::to_string(m) + "x" + std::to_string(m));
  const bool relu = config_.activation == Activation::kRelu;
  H_.set_size(m, n * L);
  for (arma::uword l = 0; l < L; ++l) {  // t = 0 … L−1
    auto Hl = H_.cols(l * n, (l + 1) * n - 1);  // m×n
    if (l == 0) {
      Hl = ax_->cols(0, n - 1);
    } else {
      MulInto(W.memptr(), m, H_.colptr((l - 1) * n), m, H_.colptr(l * n), m, m, m, n);  // W h_{ℓ−1}
      Hl += ax_->cols(l * n, (l + 1) * n - 1);
    }
    if (relu) {
      T* h = H_.colptr(l * n);
      for (arma::uword k = 0; k < m * n; ++k) h[k] = h[k] > T(0) ? h[k] : T(0);
    }
  }
  const arma::uword N = n * L;
  const arma::uword dy = config_.dy;
  R_.set_size(dy, N - n);
  MulInto(B_.memptr(), dy, H_.colptr(n), m, R_.memptr(), dy, dy, m, N - n);
  R_ -= y_->cols(n, N - 1);  // dy×n(L−1)
}

template <typename T>
double RnnRegression<T>::Loss(const Mat& W) {
  UseAll();
  Forward(W);
  double s = 0;
  const T* r = R_.memptr();
  for (arma::uword k = 0; k < R_.n_elem; ++k) s = std::fma(static_cast<double>(r[k]), static_cast<double>(r[k]), s);
  return 0.5 * s;
}

template <typename T>
double RnnRegression<T>::Backward(const Mat& W, Mat* grad) {
  double f = 0;
  {
    const T* r = R_.memptr();
    for (arma::uword k = 0; k < R_.n_elem; ++k) f = std::fma(static_cast<double>(r[k]), static_cast<double>(r[k]), f);
    f *= 0.5;
  }
  const arma::uword m = config_.m, n = nb_, L = config_.L, N = n * L;
  const bool relu = config_.activation == Activation::kRelu;
  dG_.set_size(m, N);
  const Mat BtR = Mul(Bt_, R_);  // m×n(L−1): column block ℓ−1 is Bᵀ r at step ℓ (0-based ℓ >= 1)
  const Mat Wt = W.t();          // m×m
  Mat dH(m, n);                  // m×n: Wᵀ dg from the step after
  for (arma::uword l = L - 1; l >= 1; --l) {  // t = L−1 … 1 (0-based steps)
    auto dg = dG_.cols(l * n, (l + 1) * n - 1);  // m×n
    dg = BtR.cols((l - 1) * n, l * n - 1);
    if (l < L - 1) dg += dH;
    if (relu) {
      T* g = dG_.colptr(l * n);
      const T* h = H_.colptr(l * n);
      for (arma::uword k = 0; k < m * n; ++k)
        if (!(h[k] > T(0))) g[k] = T(0);
    }
    if (l > 1) MulInto(Wt.memptr(), m, dG_.colptr(l * n), m, dH.memptr(), m, m, m, n);
  }
  const Mat Ht = H_.cols(0, N - n - 1).t();  // n(L−1)×m
  grad->set_size(m, m);
  MulInto(dG_.colptr(n), m, Ht.memptr(), N - n, grad->memptr(), m, m, N - n, m);  // m×m
  return f;
}

template <typename T>
double RnnRegression<T>::LossAndGradient(const Mat& W, Mat* grad) {
  UseAll();
  Forward(W);
  return Backward(W, grad);
}

template <typename T>
double RnnRegression<T>::BatchLossAndGradient(const Mat& W, const std::vector<arma::uword>& seqs, Mat* grad) {
  UseBatch(seqs);
  Forward(W);
  return Backward(W, grad);
}

template class RnnRegression<float>;
template class RnnRegression<double>;

double SpectralNorm(const arma::mat& M, double rel_tol, int max_iters) {
  if (M.n_elem == 0) return 0.0;
  Rng rng(0x5eedULL);
  const arma::mat Mt = M.t();
  arma::vec v(M.n_cols);
  for (auto& e : v) e = rng.Normal();
  v /= Norm2(v.memptr(), v.n_elem);
  double sigma = 0;
  for (int it = 0; it < max_iters; ++it) {
    const arma::vec u = Mul<double>(M, v);  // rows
    const double s = Norm2(u.memptr(), u.n_elem);
    if (s == 0) return 0.0;
    arma::vec w = Mul<double>(Mt, u);       // cols
    const double wn = Norm2(w.memptr(), w.n_elem);
    v = w / wn;
    if (std::abs(s - sigma) <= rel_tol * s) return s;
    sigma = s;
  }
  const arma::vec u = Mul<double>(M, v);
  return Norm2(u.memptr(), u.n_elem);
}

double LogSlope(const std::vector<double>& y, int first, int last) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  int k = 0;
  for (int t = std::max(first, 0); t <= last && t < static_cast<int>(y.size()); ++t) {
    if (!(y[t] > 0) || !std::isfinite(y[t])) continue;
    const double ly = std::log(y[t]);
    sx += t;
    sy += ly;
    sxx += static_cast<double>(t) * t;
    sxy += t * ly;
    ++k;
  }
  if (k < 2) return std::numeric_limits<double>::quiet_NaN();
  const double den = k * sxx - sx * sx;
  return (k * sxy - sx * sy) / den;
}

namespace {

// ‖P − Q‖_F with the differences squared and summed in index order (double).
template <typename T>
double FrobeniusDistance(const arma::Mat<T>& P, const arma::Mat<T>& Q) {
  double s = 0;
  const T* p = P.memptr();
  const T* q = Q.memptr();
  for (arma::uword k = 0; k < P.n_elem; ++k) {
    const double d = static_cast<double>(p[k] - q[k]);
    s = std::fma(d, d, s);
  }
  return std::sqrt(s);
}

template <typename T>
ConvergenceResult RunTyped(const ConvergenceConfig& c) {
  using Mat = arma::Mat<T>;
  RnnRegression<T> problem(c);
  ConvergenceResult r;
  Mat W = problem.W0();  // m×m
  Mat grad;              // m×m
  const double f0 = problem.LossAndGradient(W, &grad);
  // Hidden-state norms at initialisation, step by step.
  const arma::uword n = c.n;
  for (int l = 0; l < c.L; ++l) {
    double s = 0;
    for (arma::uword i = 0; i < n; ++i) s += Norm2(problem.H().colptr(l * n + i), problem.H().n_rows);
    r.hidden_norms.push_back(s / static_cast<double>(n));
  }
  // ‖∇f‖²_F / f at a point where the full gradient is known.
  auto note_ratio = [&r](double f, const Mat& g) {
    if (!(f > 0)) return;
    const double ratio = SumSquares(g.memptr(), g.n_elem) / f;
    if (!std::isfinite(ratio)) return;
    if (r.grad_ratio_init == 0) r.grad_ratio_init = r.grad_ratio_min = r.grad_ratio_max = ratio;
    r.grad_ratio_min = std::min(r.grad_ratio_min, ratio);
    r.grad_ratio_max = std::max(r.grad_ratio_max, ratio);
  };
  note_ratio(f0, grad);
  r.loss.push_back(f0);
  r.move_fro.push_back(0.0);
  if (f0 <= c.epsilon * f0) r.iters_to_epsilon = 0;
  const double gg = SumSquares(grad.memptr(), grad.n_elem);
  r.eta = c.step_rule == StepRule::kInitGradient ? (gg > 0 ? c.eta0 * f0 / gg : 0.0) : c.eta0 / c.m;
  const T eta = static_cast<T>(r.eta);
  auto step = [&W, eta](const Mat& g) {
    T* w = W.memptr();
    const T* gp = g.memptr();
    for (arma::uword k = 0; k < W.n_elem; ++k) w[k] = std::fma(-eta, gp[k], w[k]);  // W − η∇, one rounding
  };
  const bool sgd = c.optimizer == Optimizer::kSgd;
  std::vector<arma::uword> order(n);
  for (arma::uword i = 0; i < n; ++i) order[i] = i;
  Rng shuffle(DeriveSeed(c.seed, "sgd"));
  Mat batch_grad;  // m×m
  for (int t = 1; t <= c.max_iters && r.iters_to_epsilon < 0; ++t) {
    if (sgd) {  // one epoch: n / batch steps on disjoint minibatches in a fresh random order
      shuffle.Shuffle(order);
      for (arma::uword start = 0; start < n; start += c.batch) {
        const std::vector<arma::uword> seqs(order.begin() + start, order.begin() + start + c.batch);
        problem.BatchLossAndGradient(W, seqs, &batch_grad);
        step(batch_grad);
        ++r.steps;
      }
    } else {
      step(grad);
      ++r.steps;
    }
    const double f = problem.LossAndGradient(W, &grad);  // the full loss and gradient at the new point
    r.iterations = t;
    r.loss.push_back(f);
    r.move_fro.push_back(FrobeniusDistance(W, problem.W0()));
    if (std::isfinite(f)) r.peak_rel_loss = std::max(r.peak_rel_loss, f / f0);
    if (!std::isfinite(f) || f > 1e6 * f0) {
      r.diverged = true;
      break;
    }
    note_ratio(f, grad);
    if (f <= c.epsilon * f0) r.iters_to_epsilon = t;
  }
  r.fit_begin = r.iterations / 2;
  r.fit_end = r.iterations;
  r.log_slope = LogSlope(r.loss, r.fit_begin, r.fit_end);
  r.rate = std::exp(r.log_slope);
  const arma::mat delta = arma::conv_to<arma::mat>::from(W - problem.W0());  // m×m
  r.final_move_fro = Norm2(delta.memptr(), delta.n_elem);
  r.move_spectral = SpectralNorm(delta);
  r.w0_spectral = SpectralNorm(arma::conv_to<arma::mat>::from(problem.W0()));
  return r;
}

}  // namespace

ConvergenceResult RunConvergence(const ConvergenceConfig& c) {
  ValidateConvergenceConfig(c);
  return c.precision == Precision::kFloat32 ? RunTyped<float>(c) : RunTyped<double>(c);
}

nlohmann::json ToJson(const ConvergenceConfig& c) {
  nlohmann::json j = {{"m", c.m},
          {"n", c.n},
          {"L", c.L},
          {"dx", c.dx},
          {"dy", c.dy},
          {"w_var", c.w_var},
          {"a_var", c.a_var},
          {"b_var", c.b_var},
          {"eta0", c.eta0},
          {"max_iters", c.max_iters},
          {"epsilon", c.epsilon},
          {"activation", c.activation == Activation::kRelu ? "relu" : "linear"},
          {"precision", c.precision == Precision::kFloat64 ? "float64" : "float32"},
          {"seed", c.seed}};
  // Written for SGD only, so a GD configuration keeps the JSON (and cell keys) it had before SGD existed.
  if (c.optimizer == Optimizer::kSgd) {
    j["optimizer"] = "sgd";
    j["batch"] = c.batch;
  }
  if (c.step_rule == StepRule::kInitGradient) j["step_rule"] = "init-gradient";  // likewise
  return j;
}

nlohmann::json ToJson(const ConvergenceResult& r) {
  // NaN is not JSON: a slope that could not be fitted is written as null.
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  return {{"loss", r.loss},
          {"move_fro", r.move_fro},
          {"iterations", r.iterations},
          {"iters_to_epsilon", r.iters_to_epsilon},
          {"diverged", r.diverged},
          {"log_slope", num(r.log_slope)},
          {"rate", num(r.rate)},
          {"fit_begin", r.fit_begin},
          {"fit_end", r.fit_end},
          {"move_spectral", r.move_spectral},
          {"final_move_fro", r.final_move_fro},
          {"w0_spectral", r.w0_spectral},
          {"hidden_norms", r.hidden_norms},
          {"steps", r.steps},
          {"eta", num(r.eta)},
          {"peak_rel_loss", num(r.peak_rel_loss)},
          {"grad_ratio_init", num(r.grad_ratio_init)},
          {"grad_ratio_min", num(r.grad_ratio_min)},
          {"grad_ratio_max", num(r.grad_ratio_max)}};
}

}  // namespace flbench::theory
