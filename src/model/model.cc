// RnnModel: shapes, conversions from and to the trainer's θ, and the float32 forward in the fixed summation order
// written down in model.h. The batch loops run over strings innermost, so they vectorise while every string's sums
// keep the same order (one string and a batch of strings give the same bits). Activations are the trainer's own
// (rnn/activation.h: FastTanh, vectorised; libm's tanhf was 43% of verify's time).
#include "model/model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"

namespace flbench {

RnnModel RnnModel::Zeros(int m, const std::string& alphabet, Task task, Activation act) {
  RnnModel r;
  r.m = m;
  r.d = static_cast<int>(alphabet.size());
  r.k = task == Task::kMembership ? 1 : r.d + 1;
  r.act = act;
  r.task = task;
  r.alphabet = alphabet;
  r.weight_ih.assign(size_t(m) * r.d, 0.f);
  r.weight_hh.assign(size_t(m) * m, 0.f);
  r.bias_ih.assign(m, 0.f);
  r.bias_hh.assign(m, 0.f);
  r.readout_weight.assign(size_t(r.k) * m, 0.f);
  r.readout_bias.assign(r.k, 0.f);
  return r;
}

void RnnModel::CheckShapes(const std::string& context) const {
  auto fail = [&](const std::string& what) { throw Error(context + what); };
  if (m < 1) fail(fmt::format("width must be ≥ 1, got {}", m));
  if (d < 1 || d != static_cast<int>(alphabet.size()))
    fail(fmt::format("alphabet '{}' has {} symbols but the input weights have {} columns", alphabet, alphabet.size(), d));
  const int want_k = task == Task::kMembership ? 1 : d + 1;
  if (k != want_k)
    fail(fmt::format("a {} model over {} symbols has {} outputs, the readout has {}", TaskName(task), d, want_k, k));
  auto check = [&](const std::vector<float>& v, size_t n, const char* name) {
    if (v.size() != n) fail(fmt::format("{} has {} values, expected {}", name, v.size(), n));
  };
  check(weight_ih, size_t(m) * d, "rnn.weight_ih_l0");
  check(weight_hh, size_t(m) * m, "rnn.weight_hh_l0");
  check(bias_ih, m, "rnn.bias_ih_l0");
  check(bias_hh, m, "rnn.bias_hh_l0");
  check(readout_weight, size_t(k) * m, "readout.weight");
  check(readout_bias, k, "readout.bias");
}

RnnModel ModelFromTheta(const ElmanShape& s, const float* theta, const std::string& language,
                        const std::string& alphabet) {
  if (static_cast<int>(alphabet.size()) != s.d)
    throw Error(fmt::format("alphabet '{}' does not have the {} symbols of the network", alphabet, s.d));
  RnnModel r = RnnModel::Zeros(s.m, alphabet, s.task, s.act);
  if (r.k != s.o) throw Error(fmt::format("the network has {} outputs, a {} model needs {}", s.o, TaskName(s.task), r.k));
  r.language = language;
  const ParamViews<float> p(s, const_cast<float*>(theta));  // read only
  for (int i = 0; i < s.m; ++i) {
    for (int j = 0; j < s.m; ++j) r.weight_hh[size_t(i) * s.m + j] = p.W(i, j);
    for (int a = 0; a < s.d; ++a) r.weight_ih[size_t(i) * s.d + a] = p.U(i, a);
    r.bias_ih[i] = p.b(i);
    r.bias_hh[i] = s.two_biases ? p.b_hh(i) : 0.f;
  }
  for (int o = 0; o < s.o; ++o) {
    for (int j = 0; j < s.m; ++j) r.readout_weight[size_t(o) * s.m + j] = p.V(o, j);
    r.readout_bias[o] = p.c(o);
  }
  return r;
}

void ThetaFromModel(const RnnModel& model, const ElmanShape& s, float* theta) {
  model.CheckShapes("model: ");
  if (model.m != s.m || model.d != s.d || model.k != s.o || model.task != s.task || model.act != s.act)
    throw Error(fmt::format("the model ({} {} width {} over {} symbols) does not fit the network being trained ({} {} "
                            "width {} over {} symbols)",
                            TaskName(model.task), ActivationName(model.act), model.m, model.d, TaskName(s.task),
                            ActivationName(s.act), s.m, s.d));
  ParamViews<float> p(s, theta);
  for (int i = 0; i < s.m; ++i) {
    for (int j = 0; j < s.m; ++j) p.W(i, j) = model.weight_hh[size_t(i) * s.m + j];
    for (int a = 0; a < s.d; ++a) p.U(i, a) = model.weight_ih[size_t(i) * s.d + a];
    if (s.two_biases) {
      p.b(i) = model.bias_ih[i];
      p.b_hh(i) = model.bias_hh[i];
    } else {
      p.b(i) = model.bias_ih[i] + model.bias_hh[i];
    }
  }
  for (int o = 0; o < s.o; ++o) {
    for (int j = 0; j < s.m; ++j) p.V(o, j) = model.readout_weight[size_t(o) * s.m + j];
    p.c(o) = model.readout_bias[o];
  }
}

std::string LanguageDigest(const std::string& language_path, const std::string& alphabet) {
  if (language_path.empty()) return "";
  return HashKey({{"file", ReadTextFile(language_path, "language file")}, {"alphabet", alphabet}});
}

namespace {

constexpr int kBlock = 256;  // strings per block: a block of H (m × 256 floats) stays in L1/L2 while W streams by

}  // namespace

namespace {

// z[i·n + s] = b_hh[i] + acc, acc = the fma chain over j = 0 … m−1 of W_hh[i, j] H[j·n + s], for s in [s0, s1).
void RecurrentBlock(const RnnModel& M, const float* H, int n, int s0, int s1, int i, float* zi) {
  for (int s = s0; s < s1; ++s) zi[s] = 0.f;
  const float* wi = M.weight_hh.data() + size_t(i) * M.m;
  for (int j = 0; j < M.m; ++j) {
    const float w = wi[j];
    const float* hj = H + size_t(j) * n;
    for (int s = s0; s < s1; ++s) zi[s] = std::fma(w, hj[s], zi[s]);
  }
  const float bh = M.bias_hh[i];
  for (int s = s0; s < s1; ++s) zi[s] = bh + zi[s];
}

}  // namespace

void StepBatch(const RnnModel& M, const float* H, const uint8_t* sym, int n, float* z, float* Hn) {
  float aux[kBlock];  // sin z, for cos only
  for (int s0 = 0; s0 < n; s0 += kBlock) {
    const int s1 = std::min(n, s0 + kBlock);
    for (int i = 0; i < M.m; ++i) {
      float* zi = z + size_t(i) * n;
      RecurrentBlock(M, H, n, s0, s1, i, zi);
      const float bi = M.bias_ih[i];
      const float* ui = M.weight_ih.data() + size_t(i) * M.d;
      float* hn = Hn + size_t(i) * n;
      for (int s = s0; s < s1; ++s) hn[s] = (ui[sym[s]] + bi) + zi[s];
      Activate(M.act, hn + s0, aux, size_t(s1 - s0));
    }
  }
}

void ExpandBatch(const RnnModel& M, const float* H, int n, float* z, float* Hc) {
  const int d = M.d;
  const size_t nc = size_t(n) * d;
  float tmp[kBlock], aux[kBlock];
  for (int s0 = 0; s0 < n; s0 += kBlock) {
    const int s1 = std::min(n, s0 + kBlock);
    for (int i = 0; i < M.m; ++i) {
      float* zi = z + size_t(i) * n;
      RecurrentBlock(M, H, n, s0, s1, i, zi);
      const float bi = M.bias_ih[i];
      const float* ui = M.weight_ih.data() + size_t(i) * d;
      float* hc = Hc + size_t(i) * nc;
      for (int a = 0; a < d; ++a) {
        const float in = ui[a] + bi;
        for (int s = s0; s < s1; ++s) tmp[s - s0] = in + zi[s];
        Activate(M.act, tmp, aux, size_t(s1 - s0));
        for (int s = s0; s < s1; ++s) hc[size_t(s) * d + a] = tmp[s - s0];
      }
    }
  }
}

// Output unit o's logits over n hidden states: y[s] = c_o + Σ_j R[o, j] h_j[s] (j ascending, one fma per term).
static void ReadoutUnit(const RnnModel& M, const float* H, int n, int o, float* y) {
  const int m = M.m;
  for (int s = 0; s < n; ++s) y[s] = 0.f;
  const float* ro = M.readout_weight.data() + size_t(o) * m;
  for (int j = 0; j < m; ++j) {
    const float w = ro[j];
    const float* hj = H + size_t(j) * n;
    for (int s = 0; s < n; ++s) y[s] = std::fma(w, hj[s], y[s]);
  }
  const float c = M.readout_bias[o];
  for (int s = 0; s < n; ++s) y[s] = c + y[s];
}

void LogitsBatch(const RnnModel& M, const float* H, int n, float* out) {
  for (int o = 0; o < M.k; ++o) ReadoutUnit(M, H, n, o, out + size_t(o) * n);
}

void DecideBatch(const RnnModel& M, const float* H, int n, float* y, uint32_t* bits) {
  for (int o = 0; o < M.k; ++o) {
    ReadoutUnit(M, H, n, o, y);
    for (int s = 0; s < n; ++s) bits[s] |= uint32_t(y[s] > 0.f) << o;
  }
}

std::vector<uint32_t> ModelForward(const RnnModel& M, std::span<const uint8_t> w) {
  std::vector<float> h(M.m, 0.f), hn(M.m), z(M.m), y(1);
  std::vector<uint32_t> out(w.size(), 0);
  for (size_t t = 0; t < w.size(); ++t) {
    if (w[t] >= M.d) throw Error(fmt::format("symbol index {} outside the model's alphabet", int(w[t])));
    StepBatch(M, h.data(), &w[t], 1, z.data(), hn.data());
    h.swap(hn);
    DecideBatch(M, h.data(), 1, y.data(), &out[t]);
  }
  return out;
}

uint32_t EmptyDecision(const RnnModel& M) {
  std::vector<float> h(M.m, 0.f), y(1);
  uint32_t bits = 0;
  DecideBatch(M, h.data(), 1, y.data(), &bits);
  return bits;
}

std::string MaskText(uint32_t mask, int symbols) {
  std::string s;
  for (int a = 0; a <= symbols; ++a) s += (mask >> a) & 1 ? '1' : '0';
  return s;
}

std::string PredictLine(const RnnModel& M, std::span<const uint8_t> w) {
  std::string text;
  for (uint8_t a : w) text += M.alphabet[a];
  const std::vector<uint32_t> steps = ModelForward(M, w);
  if (M.task == Task::kMembership) {
    const uint32_t bit = w.empty() ? EmptyDecision(M) : steps.back();
    return text + "\t" + ((bit & 1) ? "1" : "0");
  }
  const uint32_t last = w.empty() ? EmptyDecision(M) : steps.back();
  std::string targets;
  for (size_t t = 0; t < steps.size(); ++t) targets += (t ? "," : "") + MaskText(steps[t], M.d);
  return text + "\t" + (((last >> M.d) & 1) ? "1" : "0") + "\t" + targets;
}

}  // namespace flbench
