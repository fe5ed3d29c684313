// RNN inversion at random initialisation (paper "RNNs provably learn functions of sequences", Sec. I):
// a linear readout fitted from h(L) back to the stacked inputs [x(1), ..., x(L)].
// Entry points: RunInversion, RunInversionWithWeights, ToJson. Tested by tests/theory_inversion_test.cc.
//
// Dimension legend: m = hidden width, d = input dim, L = sequence length (one of config.lengths),
// Lmax = max(config.lengths), n = number of sequences (n_train or n_test), k = L·d (readout outputs).
//
// Model: h(0) = 0, h(ℓ) = relu(W h(ℓ−1) + A x(ℓ)), W_ij ~ N(0, w_var/m), A_ij ~ N(0, a_var/m),
// x(ℓ) ~ N(0, I_d). With the default w_var = a_var = 2, E‖h(ℓ)‖² ≈ E‖h(ℓ−1)‖² + E‖x(ℓ)‖² = ℓ·d:
// the state grows linearly in ℓ, neither exploding nor vanishing (the paper's N(0, 1) would multiply
// ‖h‖ by about √(m/2) per step). One recurrence of length Lmax serves every L in config.lengths:
// the length-L prefixes of i.i.d. sequences are i.i.d. sequences of length L.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <armadillo>
#include <nlohmann/json.hpp>

namespace flbench::theory {

enum class InversionSolver {
  kRidge,  // exact ridge least squares in double: primal (m×m) or dual (n×n), whichever is smaller
  kSgd,    // the paper's SGD: minibatches, momentum, fixed learning rate, on normalised features
};

struct InversionConfig {
  int m = 1000;                       // hidden width
  int d = 2;                          // input dimension
  std::vector<int> lengths{2, 4, 6};  // the L values to report; the recurrence runs to max(lengths)
  // Training sequences for the readout. 10000 ≫ L·d = 48; at m <= 5000 it is >= 2m (primal form, the readout
  // near its population optimum); at m = 10000 the ridge penalty keeps the n = m interpolation peak away.
  int n_train = 10000;
  int n_test = 1000;                  // test sequences (the paper: 1000)
  double w_var = 2.0;                 // W_ij ~ N(0, w_var / m), or N(0, w_var) when !variance_per_width
  double a_var = 2.0;                 // A_ij ~ N(0, a_var / m), or N(0, a_var) when !variance_per_width
  // false: the paper's own N(0, 1) with w_var = a_var = 1. Then ‖h(ℓ)‖ grows by about √(m/2) per step and
  // x(ℓ) enters h(ℓ) at relative size about (2/m)^((ℓ−1)/2): below float32's resolution for ℓ ≥ 5 at m = 10⁴.
  bool variance_per_width = true;
  InversionSolver solver = InversionSolver::kRidge;
  // Ridge penalty relative to the mean eigenvalue of the primal Gram H Hᵀ (= Σ_i ‖h_i‖² / m), so the
  // same value means the same regulariser in the primal and the dual form and at every width.
  double ridge_lambda = 3e-2;
  int sgd_batch = 128;
  double sgd_momentum = 0.9;
  double sgd_lr = 0.1;
  int sgd_epochs = 20;
  uint64_t seed = 1;
};

// The result for one length L.
struct InversionPoint {
  int length = 0;
  double test_rel_l2 = 0;   // mean over test sequences of ‖Ŵ h(L) − x‖₂ / ‖x‖₂
  double test_linf = 0;     // mean over test sequences of ‖Ŵ h(L) − x‖∞
  double train_rel_l2 = 0;  // the same on the training sequences
  double train_linf = 0;
  double mean_h_norm = 0;   // mean over training sequences of ‖h(L)‖₂
  // Per input position ℓ = 1..L: mean over test sequences of ‖x̂(ℓ) − x(ℓ)‖₂ / ‖x(ℓ)‖₂ (which inputs are lost).
  std::vector<double> position_rel_l2;
  std::string form;         // "primal", "dual" or "sgd": how the readout was fitted
};

struct InversionResult {
  std::vector<InversionPoint> points;  // one per config.lengths entry, in that order
};

// Validates the configuration; throws flbench::Error naming the bad field.
void ValidateInversionConfig(const InversionConfig& config);

// Draws W, A and the sequences from config.seed and runs the experiment.
InversionResult RunInversion(const InversionConfig& config);

// The same with given weights (for tests and hand-made constructions); W: m×m, A: m×d.
// The sequences are still drawn from config.seed.
InversionResult RunInversionWithWeights(const InversionConfig& config, const arma::fmat& W,
                                        const arma::fmat& A);

nlohmann::json ToJson(const InversionConfig& config);
nlohmann::json ToJson(const InversionPoint& point);
nlohmann::json ToJson(const InversionResult& result);

}  // namespace flbench::theory
