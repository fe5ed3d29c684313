// Cayci & Eryilmaz's setting ("Convergence of GD for RNNs: a nonasymptotic analysis"), as the paper states it:
// a diagonal Elman RNN with a smooth activation (tanh: σ0 = σ1 = 1), a fixed ±1 readout scaled by 1/√m, the
// symmetric random initialisation (Definition 1), a realizable teacher from their class F_{ν̄w,ν̄u} (Sec. 3.2),
// and (projected) gradient descent on (W, U). Entry points: CayciConfig, RunCayci, Teacher, ToJson.
// Tested by tests/theory_cayci_test.cc.
//
// Dimension legend: m = width (even), n = sequences, T = length, d = input dim, M = teacher features.
// Columns of the step-major matrices: column (t−1)·n + j is sequence j at step t = 1..T (input X_(t−1)).
//
// Student (their (2)–(3)): H_t^(i) = σ(W_ii H_(t−1)^(i) + U_iᵀ X_(t−1)), H_0 = 0, F_t = (1/√m) Σ_i c_i H_t^(i).
// Initialisation (Definition 1): for i < m/2, c_i ~ ±1, W_ii(0) ~ ±α, U_i(0) ~ N(0, I_d); the second half
// copies W and U and negates c, so F(Θ(0)) = 0. Loss (their (1)): R = (1/n) Σ_j Σ_(t=1..T) (F_t − Y_t)².
// GD (their (5)) on Θ = (diag W, U), c fixed, step η; projected GD keeps |W_ii − W_ii(0)| ≤ ρ_w/√m and
// ‖U_i − U_i(0)‖₂ ≤ ρ_u/√m (Euclidean projection after each step).
// Teacher (their (8) with Remark 4): Y_t = F̃_t(X) = E[Σ_k w0^k (v_u(u0)ᵀ X_(t−k−1) + v_w(w0) h0_(t−k−1)) Π I],
// w0 ~ ±α, u0 ~ N(0, I_d), with v_u(u0) = ν̄_u β (β a fixed random unit vector) and v_w(w0) = ν̄_w, so
// sup|v_w| = ν̄_w, sup‖v_u‖ = ν̄_u and the RKHS norm is at most √(ν̄_u² + ν̄_w²). The expectation is the mean
// over M independent features (drawn apart from the student's), each the directional derivative
// D_t = σ'(g_(t−1))·(w0 D_(t−1) + ν̄_u βᵀX_(t−1) + ν̄_w h_(t−1)), D_0 = 0. Inputs: X_t uniform on the unit sphere.
// Memory cutoff (their Remark 1): μ_T = O(1) when α + ρ_w/√m < 1/σ1 = 1, e^Ω(T) otherwise.
//
// Arithmetic: products by theory/fixed_order.h, sums in index order with fma: results do not depend on BLAS.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <armadillo>
#include <nlohmann/json.hpp>

namespace flbench::theory {

enum class CayciMethod { kProjected, kPlain };

struct CayciConfig {
  int m = 128;            // student width (even)
  int n = 32;             // training sequences
  int T = 8;              // sequence length: outputs Y_1..Y_T
  int d = 4;              // input dimension
  double alpha = 0.5;     // W_ii(0) ~ ±alpha (Rad_α); the teacher's w0 too
  double nu_u = 1.0;      // teacher: sup‖v_u‖ (v_u = nu_u·β)
  double nu_w = 0.0;      // teacher: v_w = nu_w (its term averages to ~0 for odd σ and symmetric u0)
  int teacher_width = 4096;  // M: features in the Monte Carlo mean that defines F̃
  CayciMethod method = CayciMethod::kProjected;
  double rho_w = 1.0;     // projection radius for W (used by kProjected): |W_ii − W_ii(0)| ≤ rho_w/√m
  double rho_u = 2.0;     // projection radius for U: ‖U_i − U_i(0)‖ ≤ rho_u/√m (the theorem needs ≥ nu_u)
  double eta = 0.0;       // step; 0 = the paper's η = 1/(T·√max_iters) (Theorem 1)
  int max_iters = 1000;   // τ, the budget
  double epsilon = 1e-2;  // stop once R(Θ(s)) ≤ epsilon·R(Θ(0))
  // Inputs from DeriveSeed(seed, "data") (sequence j is the same for every n > j and every m), the teacher
  // from "teacher" (the same for every m and n), the student's initialisation from "init".
  uint64_t seed = 1;
};

struct CayciResult {
  std::vector<double> loss;   // R(Θ(s)) for s = 0..iterations
  int iterations = 0;
  int iters_to_epsilon = -1;  // first s with R ≤ ε·R(0), or −1
  bool diverged = false;      // non-finite or above 1e6·R(0)
  double y_rms = 0;           // √(mean over (j, t) of Y_t²): the teacher's scale
  double step = 0;            // the η used
  double w_move = 0;          // √m · max_i |W_ii − W_ii(0)| at the end (≤ rho_w when projected)
  double u_move = 0;          // √m · max_i ‖U_i − U_i(0)‖ at the end (≤ rho_u when projected)
  double w_move_fro = 0;      // ‖W − W(0)‖_F (diagonal)
  double u_move_fro = 0;      // ‖U − U(0)‖_F
  double alpha_m = 0;         // alpha + rho_w/√m (projected) or alpha + max_i|W_ii − W_ii(0)| (plain), at the end
};

void ValidateCayciConfig(const CayciConfig& config);

// The teacher's outputs: 1 × nT, step-major (see the legend). X: d × nT, the same layout.
arma::rowvec Teacher(const CayciConfig& config, const arma::mat& X);
// The inputs of config.n sequences (d × nT, step-major), each X_t uniform on the unit sphere.
arma::mat DrawCayciInputs(const CayciConfig& config);

// The student's loss R and its gradient (gw: m, gU: m × d) at (w, U); exposed for the gradient test.
double CayciLossAndGradient(const arma::vec& w, const arma::mat& U, const arma::vec& c, const arma::mat& X,
                            const arma::rowvec& Y, int n, int T, arma::vec* gw, arma::mat* gU);

CayciResult RunCayci(const CayciConfig& config);

nlohmann::json ToJson(const CayciConfig& config);
nlohmann::json ToJson(const CayciResult& result);

}  // namespace flbench::theory
