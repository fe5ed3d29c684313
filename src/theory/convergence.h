// Over-parameterised GD on a ReLU RNN (Allen-Zhu, Li, Song, "On the convergence rate of training RNNs"):
// train only W by full-batch GD on f(W) = ½ Σ_i Σ_{ℓ≥2} ‖B h_{i,ℓ} − y*_{i,ℓ}‖² with random labels.
// Entry points: RnnRegression (loss and BPTT gradient), RunConvergence, ToJson.
// Tested by tests/theory_convergence_test.cc.
//
// Dimension legend: m = width, n = sequences, L = length, dx = input dim, dy = output dim, N = n·L
// (all (sequence, step) pairs as columns; column ℓ·n + i is sequence i at step ℓ+1).
//
// The paper's setting (Sec. 2): h_{i,0} = 0, h_{i,ℓ} = φ(W h_{i,ℓ−1} + A x_{i,ℓ}), W, A ~ N(0, 2/m),
// B ~ N(0, 1/dy), φ = ReLU; inputs with ‖x_{i,ℓ}‖ = 1 and last coordinate 1/√2 (equivalent to a bias
// N(0, 1/m)); here every step's input has that form (the paper needs it at ℓ = 1 and ‖x‖ ≤ 1 after).
// Labels y*_{i,ℓ} ~ N(0, I/dy), the scale of B h at initialisation. Step η = eta0 / m.
// GD (their Theorem 1): W ← W − η∇f(W). SGD (their Theorem 2): W ← W − η∇f_b(W), f_b the loss of `batch`
// sequences drawn without replacement within an epoch (batch 1: the paper's one random index per step); the
// full f and ∇f are evaluated after every epoch (n/batch steps), and the budget and iterations count epochs.
// Along the trajectory the core records ‖∇f(W(t))‖²_F / f(W(t)) (their Theorem 3: ≥ δ/poly(ρ)·m once W is
// within poly(ρ)/√m of W(0); ≤ poly(ρ)·m): at every GD iteration, after every SGD epoch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <armadillo>
#include <nlohmann/json.hpp>

namespace flbench::theory {

enum class Activation { kRelu, kLinear };  // kLinear makes f quadratic in W when L = 2 (the convex test case)
enum class Precision { kFloat64, kFloat32 };
enum class Optimizer { kGd, kSgd };
// How the step is set: kPerWidth η = eta0/m (the paper's η ∝ 1/m); kInitGradient η = eta0·f(W(0))/‖∇f(W(0))‖²_F,
// fixed for the run — the paper's η = Θ̃(δ/(m·poly(n, L))) with the poly(L) measured at init instead of guessed,
// so one eta0 means the same first-step decrease at every L (‖∇f‖²_F/f ∝ m, so it is ∝ 1/m as well).
enum class StepRule { kPerWidth, kInitGradient };

struct ConvergenceConfig {
  int m = 256;          // hidden width
  int n = 16;           // training sequences
  int L = 5;            // sequence length (loss on steps 2..L)
  int dx = 8;           // input dimension (>= 2: the last coordinate is the fixed 1/√2)
  int dy = 1;           // output dimension
  double w_var = 2.0;   // W_ij ~ N(0, w_var/m)
  double a_var = 2.0;   // A_ij ~ N(0, a_var/m)
  double b_var = 1.0;   // B_ij ~ N(0, b_var/dy)
  double eta0 = 0.05;   // step η = eta0 / m; stable up to about eta0·n ≈ 1 (see WidthSearchConfig::eta0_times_n)
  int max_iters = 1000; // GD iterations at most
  double epsilon = 1e-3;  // stop once f(W(t)) <= epsilon · f(W(0)) (relative: comparable across n and L)
  Activation activation = Activation::kRelu;
  Precision precision = Precision::kFloat64;
  Optimizer optimizer = Optimizer::kGd;
  int batch = 1;        // SGD: sequences per step (n must be a multiple of it); unused by GD
  StepRule step_rule = StepRule::kPerWidth;
  // Data (x, y*) come from DeriveSeed(seed, "data") and do not depend on m; weights from "weights".
  uint64_t seed = 1;
};

struct ConvergenceResult {
  std::vector<double> loss;      // f(W(t)) for t = 0 .. iterations (iterations + 1 entries); SGD: after each epoch
  std::vector<double> move_fro;  // ‖W(t) − W(0)‖_F for t = 0 .. iterations
  int iterations = 0;            // GD steps taken, or SGD epochs
  long steps = 0;                // weight updates (GD: = iterations; SGD: iterations · n / batch)
  int iters_to_epsilon = -1;     // first t with f(W(t)) <= epsilon·f(W(0)), or −1
  bool diverged = false;         // the loss became non-finite or exceeded 1e6 · f(W(0))
  // Linear rate: least-squares slope s of log f(W(t)) over t in [fit_begin, fit_end] (the second half of
  // the run); rate = exp(s) is the per-iteration factor (< 1 means linear convergence).
  double log_slope = 0;
  double rate = 0;
  int fit_begin = 0;
  int fit_end = 0;
  double move_spectral = 0;      // ‖W(T) − W(0)‖₂ at the end (power iteration, relative accuracy ~1e-6)
  double final_move_fro = 0;     // ‖W(T) − W(0)‖_F at the end
  double w0_spectral = 0;        // ‖W(0)‖₂ for scale
  std::vector<double> hidden_norms;  // mean_i ‖h_{i,ℓ}‖ at W(0), ℓ = 1..L
  double eta = 0;                 // the step η used
  double peak_rel_loss = 1;       // max_t f(W(t)) / f(W(0)) (> 1: the loss rose above its start, a catapult)
  // ‖∇f(W(t))‖²_F / f(W(t)) over the points where the full gradient was computed (every t < iterations,
  // and t = iterations when the run stopped at ε; SGD: every epoch end): the first, the smallest, the largest.
  double grad_ratio_init = 0, grad_ratio_min = 0, grad_ratio_max = 0;
};

// The training problem: data, fixed A and B, and f(W) with its gradient by BPTT. Column-major Armadillo
// matrices of element type T (float or double).
template <typename T>
class RnnRegression {
 public:
  using Mat = arma::Mat<T>;
  explicit RnnRegression(const ConvergenceConfig& config);  // draws data, A, B, W(0)
  RnnRegression(const RnnRegression&) = delete;
  RnnRegression& operator=(const RnnRegression&) = delete;

  // f(W); keeps the hidden states H (m×N) of this W.
  double Loss(const Mat& W);
  // f(W) and ∇f(W) (m×m) by BPTT.
  double LossAndGradient(const Mat& W, Mat* grad);
  // f_b(W) and ∇f_b(W) of the sequences `seqs` only (each in [0, n), e.g. one SGD minibatch); afterwards H()
  // holds their states (column ℓ·|seqs| + j is sequence seqs[j] at step ℓ+1). The next Loss or
  // LossAndGradient uses every sequence again.
  double BatchLossAndGradient(const Mat& W, const std::vector<arma::uword>& seqs, Mat* grad);

  const Mat& W0() const { return W0_; }     // m×m
  const Mat& A() const { return A_; }       // m×dx
  const Mat& B() const { return B_; }       // dy×m
  const Mat& X() const { return X_; }       // dx×N
  const Mat& Y() const { return Y_; }       // dy×N
  const Mat& H() const { return H_; }       // m×N, states of the last Loss call (m×|seqs|·L after a batch)
  const ConvergenceConfig& config() const { return config_; }

 private:
  // Uses the sequences of the current batch (ax_, y_, nb_).
  void Forward(const Mat& W);
  double Backward(const Mat& W, Mat* grad);  // after Forward: ∇ into grad, returns f
  void UseAll();
  void UseBatch(const std::vector<arma::uword>& seqs);

  ConvergenceConfig config_;
  Mat W0_;  // m×m initial recurrent weights
  Mat A_;   // m×dx
  Mat B_;   // dy×m
  Mat Bt_;  // m×dy, Bᵀ
  Mat X_;   // dx×N inputs
  Mat Y_;   // dy×N labels (steps ℓ = 1 columns unused)
  Mat AX_;  // m×N, A X precomputed
  Mat AXb_; // m×(nb·L), A X of the current minibatch (SGD)
  Mat Yb_;  // dy×(nb·L), its labels
  const Mat* ax_ = nullptr;  // AX_ or AXb_: the sequences Forward runs
  const Mat* y_ = nullptr;   // Y_ or Yb_
  arma::uword nb_ = 0;       // sequences in the current batch (n for the full problem)
  Mat H_;   // m×(nb·L) hidden states h_{i,ℓ}
  Mat R_;   // dy×nb(L−1) residuals B h − y* for ℓ >= 2
  Mat dG_;  // m×(nb·L) gradient w.r.t. pre-activations (columns of step 1 unused)
};

void ValidateConvergenceConfig(const ConvergenceConfig& config);

// Runs GD from W(0) until f <= epsilon·f(W(0)), divergence, or max_iters.
ConvergenceResult RunConvergence(const ConvergenceConfig& config);

// ‖M‖₂ by power iteration on MᵀM from a fixed start vector (deterministic); stops when the estimate
// changes by less than rel_tol or after max_iters.
double SpectralNorm(const arma::mat& M, double rel_tol = 1e-9, int max_iters = 2000);

// Least-squares slope of log y over x = first..last (inclusive); NaN if fewer than 2 positive finite points.
double LogSlope(const std::vector<double>& y, int first, int last);

nlohmann::json ToJson(const ConvergenceConfig& config);
nlohmann::json ToJson(const ConvergenceResult& result);

}  // namespace flbench::theory
