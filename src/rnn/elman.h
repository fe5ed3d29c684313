// The Elman RNN: shape, the flat parameter vector's named views, and one forward + loss + backward pass over a
// shard of equal-length strings (batch as columns). Entry points: ElmanShape, ParamViews, ElmanRnn::Evaluate.
// Tested by tests/rnn_gradient_test.cc (finite differences) and tests/rnn_model_test.cc (hand-set nets).
//
// Dimensions: m = width, d = |Σ| (one-hot inputs), o = outputs (1 for membership, d+1 for next-symbol),
// n = strings in the shard, T = steps (every string of a shard has length T). Real = float (training) or double
// (gradient checks).
#pragma once

#include <armadillo>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "lang/dataset.h"
#include "rnn/activation.h"

namespace flbench {

struct ElmanShape {
  int m = 32;  // width
  int d = 2;   // |Σ|
  int o = 1;   // outputs
  Activation act = Activation::kTanh;
  Task task = Task::kMembership;
  bool two_biases = true;  // PyTorch's nn.RNN: b_ih and b_hh, each its own parameter; false: one hidden bias b

  // The flat vector holds [W | U | b | b_hh | V | c], each column-major (b_hh only with two biases).
  size_t size() const {
    return size_t(m) * m + size_t(m) * d + m + (two_biases ? m : 0) + size_t(o) * m + o;
  }
};

// Named, non-owning views into a flat vector laid out as ElmanShape::size() describes. The same layout serves
// the parameters θ and their gradient. Copying a view aliases the same memory. In PyTorch's names (nn.RNN +
// nn.Linear, see README "Models"): W = weight_hh_l0, U = weight_ih_l0, b = bias_ih_l0, b_hh = bias_hh_l0,
// V = readout.weight, c = readout.bias (PyTorch stores its matrices row-major: the same numbers, transposed storage).
template <typename Real>
struct ParamViews {
  ParamViews(const ElmanShape& s, Real* flat)
      : W(flat, s.m, s.m, false, true),
        U(flat + size_t(s.m) * s.m, s.m, s.d, false, true),
        b(flat + size_t(s.m) * (s.m + s.d), s.m, false, true),
        b_hh(flat + size_t(s.m) * (s.m + s.d + 1), s.two_biases ? s.m : 0, false, true),
        V(flat + size_t(s.m) * (s.m + s.d + 1 + s.two_biases), s.o, s.m, false, true),
        c(flat + size_t(s.m) * (s.m + s.d + 1 + s.two_biases) + size_t(s.o) * s.m, s.o, false, true) {}
  arma::Mat<Real> W;     // m×m  recurrent weights
  arma::Mat<Real> U;     // m×d  input weights; column a is symbol a's one-hot input
  arma::Col<Real> b;     // m    hidden bias (PyTorch's bias_ih)
  arma::Col<Real> b_hh;  // m    the second hidden bias (PyTorch's bias_hh); empty with one bias
  arma::Mat<Real> V;     // o×m  readout
  arma::Col<Real> c;     // o    readout bias
};

// Loss and correctness of one shard, from ElmanRnn::Evaluate.
struct ShardResult {
  double loss_sum = 0;  // Σ of the binary cross-entropies over the shard's outputs (not scaled)
  int correct = 0;      // strings whose every thresholded output equals its target
};

// Forward:  h_0 = 0,  h_t = act((U x_t + b) + (W h_{t−1} + b_hh)),  y_t = V h_t + c   for t = 1 … T (b_hh = 0
//           with one bias). Products in the fixed order of rnn/gemm.h; the additions in the order written (PyTorch's
//           nn.RNN order: input gates + hidden gates, each with its bias).
// Loss:     membership — BCE(σ(y_T), label); next-symbol — Σ_t Σ_a BCE(σ(y_t[a]), next_t[a]) over the d+1
//           outputs (alphabet order, then end of string). A string is correct when every thresholded output
//           (σ(y) > 0.5, i.e. y > 0) equals its target.
// Backward: forward stores h_1 … h_T (and sin z_t for cos); backward runs t = T … 1 (0-based: T−1 … 0) with
//           δ_t = ∂L/∂z_t = act'(z_t) ⊙ (Vᵀ ∂L/∂y_t + Wᵀ δ_{t+1}), where δ_{T+1} = 0 and ∂L/∂y_t = 0 at the steps
//           a task reads no output (t < T for membership); then ∂W = Σ_{t≥2} δ_t h_{t−1}ᵀ (h_0 = 0),
//           ∂U[:, x_t] += δ_t, ∂b = ∂b_hh = Σ_t δ_t, ∂V = Σ_t ∂L/∂y_t h_tᵀ, ∂c = Σ_t ∂L/∂y_t.
// One ElmanRnn holds the scratch of the shards in flight: use one per thread. Not copyable (it owns scratch).
template <typename Real>
class ElmanRnn {
 public:
  explicit ElmanRnn(const ElmanShape& shape) : shape_(shape) {}
  ElmanRnn(const ElmanRnn&) = delete;
  ElmanRnn& operator=(const ElmanRnn&) = delete;
  ElmanRnn(ElmanRnn&&) = default;

  const ElmanShape& shape() const { return shape_; }

  // Runs the forward pass and the loss over `shard` (all of one length T ≥ 1, same task as the shape). If grad is
  // not null, also runs the backward pass and adds scale · ∂(loss_sum)/∂θ into grad (flat, same layout as theta);
  // scale is typically 1 / (outputs in the whole batch) so shard gradients sum to the batch-mean gradient.
  ShardResult Evaluate(const Real* theta, std::span<const Example* const> shard, Real scale, Real* grad);

  // Evaluate for the shards of one batch (all of one length), with or without gradients (grads null: forward and
  // loss only; else grads[s] receives shard s's scaled gradient, added as Evaluate adds it): results[s] and grads[s]
  // are exactly what Evaluate(shards[s]) gives, bit for bit. The lanes path runs the shards side by side in one pass
  // (each shard's strings in its own lanes, its reductions — ∂W, ∂U, ∂V, the loss — still its own chains), so the
  // recurrence's per-step latency and the per-call costs are shared; the column-layout path runs them one by one.
  void EvaluateShards(const Real* theta, std::span<const std::span<const Example* const>> shards, Real scale,
                      Real* const* grads, ShardResult* results);

  // The strings of `shard` whose every thresholded output is right: Evaluate's `correct` without computing a loss
  // (what evaluation needs; the thresholds are the same, so the count is Evaluate's).
  int CountCorrect(const Real* theta, std::span<const Example* const> shard);

 private:
  using Shard = std::span<const Example* const>;
  // The shards in flight (one, except on the lanes path): shard s holds strings [col0, col0 + n) of the n_ columns,
  // its column-layout block (H_, dZ_, X_, Masks_) starts at column T·col0 and runs step-major (column T·col0 +
  // (t−1)·n + j = step t of its string j), its rows of Y_ start at row0(s), and its lanes at lane0.
  struct Slice {
    int n, col0, lane0;
  };
  size_t Row0(const Slice& s) const { return shape_.task == Task::kNextSymbol ? size_t(T_) * s.col0 : size_t(s.col0); }
  size_t Rows(const Slice& s) const { return shape_.task == Task::kNextSymbol ? size_t(T_) * s.n : size_t(s.n); }

  // keep: store every h_t for a backward pass (else the lanes path keeps only two steps).
  void Forward(const ParamViews<Real>& p, bool keep);
  void ForwardLanes(const ParamViews<Real>& p, bool keep);  // float, UseLanes(width) (rnn/elman_lanes.h)
  // grads null: no backward pass. loss false: correct counts only.
  void Run(const Real* theta, std::span<const Shard> shards, Real scale, Real* const* grads, ShardResult* results,
           bool loss);
  void Loss(std::span<const Shard> shards, Real scale, ShardResult* results, bool loss);
  void Backward(const ParamViews<Real>& p, Real* const* grads);
  void DeltasLanes(const ParamViews<Real>& p);  // the backward loop of the lanes path, into dZ_

  ElmanShape shape_;
  int n_ = 0, T_ = 0;  // columns (strings of all shards in flight) and steps
  std::vector<Slice> slices_;  // one per shard in flight
  std::vector<int> X_;  // T·n     the input symbols: X_[T·col0 + (t−1)·n + j] = x_t of string j of a shard (the
                        //         column-layout path; the lanes path keeps them in Xb_ only)
  arma::Mat<Real> UB_;    // m×d     U + b: the pre-activation's input part, one column per symbol
  arma::Mat<Real> Wt_;    // m×m     Wᵀ, for the backward loop
  arma::Mat<Real> H_;     // m×(T·n) h_1 … h_T, in each shard's column block (Slice): step-major, n columns per step
  arma::Mat<Real> S_;     // m×(T·n) sin z_t, for cos only
  std::vector<uint32_t> Masks_;  // T·n  next-symbol targets, laid out as X_: the mask after x_t of string j
  arma::Mat<Real> Vt_;    // m×o     Vᵀ
  arma::Mat<Real> Y_;     // (T·n)×o logits, row T·col0 + (t−1)·n + j = y_tᵀ of a shard's string j (next-symbol); or
                          // n×o, row col0 + j = y_Tᵀ
  arma::Mat<Real> dY_;    // same shape as Y_: scale · ∂loss_sum/∂y
  arma::Mat<Real> Target_;  // same shape as Y_: the targets, 0 or 1
  std::vector<uint32_t> Wrong_;  // one per row of Y_: 1 if a thresholded output of that row is wrong (Loss then ORs
                                 // each shard's rows into its first n, in place)
  arma::Mat<Real> dVt_;   // m×o     ∂Vᵀ of the shard
  arma::Mat<Real> dZ_;    // m×(T·n) δ_t = ∂L/∂z_t, same column blocks as H_
  arma::Mat<Real> dU_;    // m×2d    Σ δ_t per input symbol, of one shard or two side by side
  std::vector<uint8_t> gathered_;  // per shard: its ∂U summed with its ∂W (LanesDeltaHGather2)

  // The batch-in-lanes path (float, UseLanes(width); rnn/elman_lanes.h): steps in batch layout, m×np per step, element
  // (i, j) at [i·np + j], each shard's strings in lanes [lane0, lane0 + n), n rounded up to 8. H_ and dZ_ are still
  // filled (column layout) for ∂W, ∂U and ∂V.
  bool lanes_ = false;         // the shards in flight run the lanes path
  int np_ = 0;                 // Σ over the shards of n rounded up to a multiple of 8
  std::vector<int32_t> Xb_;    // T·np    symbols, Xb_[(t−1)·np + lane0 + j] = x_t of a shard's string j, padding 0
  std::vector<const uint8_t*> strings_;  // a shard's strings' symbols, for LanesPackSymbols
  std::vector<float> init_;    // m       b_hh, or zeros with one bias
  std::vector<float> UBrows_;  // m×8     UB_ rows for the input permute (d ≤ 8)
  std::vector<float> Hb_;      // T·m·np  h_t (two steps only when no gradient is asked for)
  std::vector<float> Sb_;      // same    sin z_t, for cos only
  std::vector<float> Yb_;      // o·np    the logits of one step
  std::vector<float> dYb_;     // o·np per output step: ∂loss/∂y (padding lanes 0)
  std::vector<float> Db_;      // T·m·np  δ_t
};

}  // namespace flbench
