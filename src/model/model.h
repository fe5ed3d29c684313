// A trained Elman RNN as a file-level object in PyTorch's nn.RNN + nn.Linear parametrisation, its conversions from
// and to the trainer's flat θ, and a plain float32 forward pass. Entry points: RnnModel, ModelFromTheta,
// ThetaFromModel, ModelForward. Tested by tests/model_safetensors_test.cc and tests/model_verify_test.cc.
//
// The network (m = width, d = |Σ|, k = outputs: 1 for membership, d + 1 for next-symbol):
//   h_0 = 0,   h_t = act(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh),   y_t = R h_t + r     (x_t one-hot)
// Membership reads y after the last symbol (one logit); next-symbol reads y after every symbol (one logit per
// symbol in alphabet order, then end of string). A decision is logit > 0. Arithmetic order — the trainer's
// (rnn/elman.cc with rnn/gemm.h), so every path here (one string, a batch, the trie walk of exhaustive.h) and the
// trainer's own evaluation give the same bits:
//   z_i = (W_ih[i, a] + b_ih[i]) + (b_hh[i] + acc_i),  acc_i = 0; for j = 0 … m−1: acc_i = fma(W_hh[i, j], h_j, acc_i)
//   y_o = r[o] + acc_o,                                 acc_o = 0; for j = 0 … m−1: acc_o = fma(R[o, j], h_j, acc_o)
// act is the trainer's float activation (rnn/activation.h Activate: tanh is FastTanh, |error| < 1e-6; sigmoid is
// (1 + tanh(z/2)) / 2; cos, relu, identity exact). PyTorch's tanh differs by ulps, which can flip only a logit within
// about 1e-6 of the threshold.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "lang/dataset.h"
#include "rnn/activation.h"
#include "rnn/elman.h"

namespace flbench {

struct RnnModel {
  int m = 0;  // width
  int d = 0;  // |Σ|
  int k = 0;  // outputs
  Activation act = Activation::kTanh;
  Task task = Task::kMembership;
  // Tensors, float32, row-major as PyTorch and safetensors store them.
  std::vector<float> weight_ih;       // [m, d]  rnn.weight_ih_l0; column a is symbol a's one-hot input
  std::vector<float> weight_hh;       // [m, m]  rnn.weight_hh_l0
  std::vector<float> bias_ih;         // [m]     rnn.bias_ih_l0
  std::vector<float> bias_hh;         // [m]     rnn.bias_hh_l0
  std::vector<float> readout_weight;  // [k, m]  readout.weight
  std::vector<float> readout_bias;    // [k]     readout.bias
  // Metadata.
  std::string language;         // language name (file stem) or path
  std::string alphabet;         // symbol a is alphabet[a]
  std::string config_json;      // the training configuration, JSON text ("" if unknown)
  std::string cell_key;         // the suite cell's key ("" outside suites)
  std::string language_digest;  // HashKey of the language file and alphabet ("" if unknown; see LanguageDigest)
  std::string flbench_version;  // e.g. "flbench 0.1 (commit …)"

  // Zero tensors of the right shapes; k from the task.
  static RnnModel Zeros(int m, const std::string& alphabet, Task task, Activation act);
  // Throws flbench::Error when a tensor's size does not match m, d, k or k does not fit the task.
  void CheckShapes(const std::string& context) const;
};

// The model of the trainer's flat θ (layout of rnn/elman.h, read through ParamViews): weight_hh = W, weight_ih = U,
// bias_ih = b, bias_hh = b_hh (0 with one bias), readout = V, c.
RnnModel ModelFromTheta(const ElmanShape& shape, const float* theta, const std::string& language,
                        const std::string& alphabet);
// The inverse, for starting training from a model (--init-from): θ ← (W_hh, W_ih, b_ih, b_hh, R, r); with one bias
// b = b_ih + b_hh. Throws flbench::Error if the model's shape, task or activation differ from `shape`.
void ThetaFromModel(const RnnModel& model, const ElmanShape& shape, float* theta);

// The digest flbench stores for a language file (the same as the suites' language_digest): HashKey of the file's
// text and the alphabet. "" when the language has no file.
std::string LanguageDigest(const std::string& language_path, const std::string& alphabet);

// Forward over a batch of n hidden states held unit-major (H[j·n + s] = unit j of state s): the next states
// Hn[i·n + s] = act(z_i) for input symbol sym[s] (see the summation order above). `z` is scratch of m·n floats.
void StepBatch(const RnnModel& model, const float* H, const uint8_t* sym, int n, float* z, float* Hn);
// The children of n parent states (unit-major) under every symbol: Hc[i·(n·d) + p·d + a] = the state after reading
// symbol a from parent p. W_hh h is computed once per parent (same summation order as StepBatch). `z`: m·n floats.
void ExpandBatch(const RnnModel& model, const float* H, int n, float* z, float* Hc);
// Readout decisions of n states held unit-major: bits[s] |= (y_o > 0) << o for o < k. `y` is scratch of n floats.
void DecideBatch(const RnnModel& model, const float* H, int n, float* y, uint32_t* bits);
// Logits of n states (unit-major) into out[o·n + s].
void LogitsBatch(const RnnModel& model, const float* H, int n, float* out);

// One string: the decision bits after each symbol (w.size() entries; bit o = output o > 0). For the empty string
// use EmptyDecision.
std::vector<uint32_t> ModelForward(const RnnModel& model, std::span<const uint8_t> w);
// What the model says before reading any symbol: the readout of h_0 = 0, i.e. the signs of readout.bias.
uint32_t EmptyDecision(const RnnModel& model);

// "STRING<TAB>0|1" (membership) or "STRING<TAB>END<TAB>T1,…,Tn" (next-symbol, the dataset TSV's target format) for
// the model's decisions on w.
std::string PredictLine(const RnnModel& model, std::span<const uint8_t> w);
// A next-symbol decision mask as the dataset TSV writes it: one 0/1 per symbol in alphabet order, then end.
std::string MaskText(uint32_t mask, int symbols);

}  // namespace flbench
