// Hand-set networks for the model tests: an exact ReLU network for any DFA, and seeded random networks. Included by
// tests/model_*_test.cc and tests/cli_model_test.cc only.
//
// NetworkFromDfa: one unit per (state s, symbol a), on (= 1) iff the previous state was s and the symbol read was a;
// all others 0. The current state is δ(s, a) of the unit that is on (the start state at h_0 = 0). Unit (q, a) is
//   relu([current state is q] + x_a − 1),  with [current state is q] = Σ_{u: δ(u) = q} h_u            (q ≠ start)
//                                                       and 1 − Σ_{u: δ(u) ≠ start} h_u                (q = start),
// so W_hh, W_ih, b_ih are 0/±1 and every value is an exact small integer in float. The readout gives output o the
// weight +0.5 / −0.5 on unit u according to whether o holds in state δ(u): membership — δ(u) accepting; next-symbol
// — symbol a leads to a co-reachable state (o = a < |Σ|), δ(u) accepting (o = |Σ|). readout.bias = 0 (so on the
// empty string the logit is 0: "no").
#pragma once

#include <string>

#include "lang/dfa.h"
#include "model/model.h"
#include "util/rng.h"

namespace flbench::testing {

inline RnnModel NetworkFromDfa(const Dfa& D, const std::string& alphabet, Task task,
                               const std::string& language = "") {
  const int k = D.symbols, Q = D.states(), m = Q * k;
  RnnModel M = RnnModel::Zeros(m, alphabet, task, Activation::kRelu);
  M.language = language;
  auto unit = [&](int q, int a) { return q * k + a; };
  auto dest = [&](int u) { return D.Step(u / k, u % k); };
  const std::vector<uint8_t> co = CoReachable(D);
  for (int q = 0; q < Q; ++q)
    for (int a = 0; a < k; ++a) {
      const int i = unit(q, a);
      M.weight_ih[size_t(i) * k + a] = 1.f;
      M.bias_ih[i] = q == D.start ? 0.f : -1.f;
      for (int u = 0; u < m; ++u) {
        float w = 0.f;
        if (q == D.start) w = dest(u) != D.start ? -1.f : 0.f;
        else w = dest(u) == q ? 1.f : 0.f;
        M.weight_hh[size_t(i) * m + u] = w;
      }
    }
  for (int o = 0; o < M.k; ++o)
    for (int u = 0; u < m; ++u) {
      const int q = dest(u);
      bool holds;
      if (task == Task::kMembership || o == k) holds = D.accepting[q];
      else holds = co[D.Step(q, o)];
      M.readout_weight[size_t(o) * m + u] = holds ? 0.5f : -0.5f;
    }
  return M;
}

// Weights uniform in ±scale, seeded.
inline RnnModel RandomNetwork(int m, const std::string& alphabet, Task task, Activation act, uint64_t seed,
                              double scale = 1.0) {
  RnnModel M = RnnModel::Zeros(m, alphabet, task, act);
  Rng rng(seed);
  for (auto* v : {&M.weight_ih, &M.weight_hh, &M.bias_ih, &M.bias_hh, &M.readout_weight, &M.readout_bias})
    for (float& x : *v) x = static_cast<float>(rng.Uniform(-scale, scale));
  return M;
}

}  // namespace flbench::testing
