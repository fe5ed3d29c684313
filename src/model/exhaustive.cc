// The trie walk behind verify and extract: a breadth-first top of the trie, then one task per subtree (oneTBB), each
// expanding its subtree level by level with ExpandBatch so W_hh h is computed once per prefix. Memory is bounded by
// the widest level of one subtree (≤ 2^21 floats of hidden state).
#include "model/exhaustive.h"

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <chrono>

#include "lang/language_dfa.h"
#include "util/error.h"

namespace flbench {

StringSpace::StringSpace(int k_, int max_len_) : k(k_), max_len(max_len_) {
  if (k < 1) throw Error("alphabet must have at least one symbol");
  if (max_len < 0) throw Error(fmt::format("--max-len must be ≥ 0, got {}", max_len));
  start.push_back(0);
  uint64_t level = 1;
  for (int n = 0; n <= max_len; ++n) {
    if (level > kMaxStrings || start.back() + level > kMaxStrings)
      throw Error(fmt::format("{} symbols up to length {} are more than {} strings; the largest length that fits is {}",
                              k, max_len, kMaxStrings, n - 1));
    start.push_back(start.back() + level);
    level *= static_cast<uint64_t>(k);
  }
}

Word StringSpace::At(int n, uint64_t rank) const {
  Word w(n);
  for (int i = n - 1; i >= 0; --i) {
    w[i] = static_cast<uint8_t>(rank % k);
    rank /= k;
  }
  return w;
}

namespace {

// Scratch of one subtree walk, reused by a thread across subtrees (fresh buffers per subtree cost page faults and
// zero-fills: a third of the time before).
struct Scratch {
  std::vector<float> frontier, next, z, y;
};

// Expands `frontier` (unit-major hidden states of P consecutive strings of length n, the first of rank r0) level by
// level down to length `to`, writing each level's decisions into out at start[l] + r0·k^(l−n) + q.
void WalkSubtree(const RnnModel& M, const StringSpace& S, Scratch& w, uint64_t P, int n, uint64_t r0, int to,
                 uint32_t* out) {
  for (int l = n + 1; l <= to; ++l) {
    const uint64_t C = P * M.d;
    if (w.next.size() < size_t(M.m) * C) w.next.resize(size_t(M.m) * C);
    if (w.z.size() < size_t(M.m) * P) w.z.resize(size_t(M.m) * P);
    if (w.y.size() < C) w.y.resize(C);
    ExpandBatch(M, w.frontier.data(), static_cast<int>(P), w.z.data(), w.next.data());
    r0 *= M.d;
    uint32_t* bits = out + S.start[l] + r0;  // zero already (the table starts zeroed)
    DecideBatch(M, w.next.data(), static_cast<int>(C), w.y.data(), bits);
    w.frontier.swap(w.next);
    P = C;
  }
}

}  // namespace

std::vector<uint32_t> ModelDecisions(const RnnModel& M, const StringSpace& S) {
  if (S.k != M.d) throw Error("the string space's alphabet size differs from the model's");
  std::vector<uint32_t> out(S.total(), 0);
  out[0] = EmptyDecision(M);
  // Top: breadth-first down to depth r (≥ 64 subtrees for the threads, and every subtree's widest level ≤ 2^21
  // floats of hidden state).
  const uint64_t max_nodes = std::max<uint64_t>(M.d, (uint64_t(1) << 21) / M.m);
  int r = 0;
  while (r < S.max_len && S.count(r) < 64) ++r;
  while (r < S.max_len) {
    uint64_t widest = 1;
    for (int l = r; l < S.max_len; ++l) widest *= M.d;
    if (widest <= max_nodes) break;
    ++r;
  }
  // Depth 0 → r in one go (≤ max(64·d, …) strings wide at depth r).
  Scratch top;
  top.frontier.assign(M.m, 0.f);  // h_0
  WalkSubtree(M, S, top, 1, 0, 0, r, out.data());
  if (r == S.max_len) return out;
  const uint64_t roots = S.count(r);
  tbb::enumerable_thread_specific<Scratch> scratch;
  tbb::parallel_for(tbb::blocked_range<uint64_t>(0, roots, 1), [&](const tbb::blocked_range<uint64_t>& range) {
    Scratch& w = scratch.local();
    for (uint64_t q = range.begin(); q < range.end(); ++q) {
      if (w.frontier.size() < size_t(M.m)) w.frontier.resize(M.m);
      for (int j = 0; j < M.m; ++j) w.frontier[j] = top.frontier[size_t(j) * roots + q];
      WalkSubtree(M, S, w, 1, r, q, S.max_len, out.data());
    }
  });
  return out;
}

std::vector<uint32_t> LanguageTargets(const Language& lang, Task task, const StringSpace& S) {
  if (S.k != lang.symbols()) throw Error("the string space's alphabet size differs from the language's");
  const int k = S.k;
  std::vector<uint32_t> out(S.total(), 0);
  const auto* dfa_lang = dynamic_cast<const DfaLanguage*>(&lang);
  std::vector<uint8_t> co;
  if (dfa_lang) co = CoReachable(dfa_lang->dfa());
  // First-symbol liveness for generic languages (the empty string's next-symbol mask).
  uint32_t empty_mask = lang.Accepts(Word{}) ? 1u << k : 0u;
  for (int a = 0; a < k; ++a) {
    const Word w{static_cast<uint8_t>(a)};
    if (lang.NextSymbolTargets(w).back() != 0) empty_mask |= 1u << a;
  }
  tbb::parallel_for(tbb::blocked_range<uint64_t>(0, S.total(), 4096), [&](const tbb::blocked_range<uint64_t>& range) {
    int n = 0;
    while (S.start[n + 1] <= range.begin()) ++n;
    for (uint64_t i = range.begin(); i < range.end(); ++i) {
      while (S.start[n + 1] <= i) ++n;
      const Word w = S.At(n, i - S.start[n]);
      uint32_t t = 0;
      if (dfa_lang) {
        const Dfa& D = dfa_lang->dfa();
        const int q = D.Run(w);
        if (task == Task::kMembership) {
          t = D.accepting[q];
        } else {
          for (int a = 0; a < k; ++a) t |= uint32_t(co[D.Step(q, a)]) << a;
          t |= uint32_t(D.accepting[q]) << k;
        }
      } else if (task == Task::kMembership) {
        t = lang.Accepts(w) ? 1u : 0u;
      } else {
        t = w.empty() ? empty_mask : lang.NextSymbolTargets(w).back();
      }
      out[i] = t;
    }
  });
  return out;
}

ExhaustiveTables ComputeTables(const RnnModel& M, const Language& lang, int max_len) {
  if (M.alphabet != lang.alphabet())
    throw Error(fmt::format("the model's alphabet '{}' differs from language {}'s '{}'", M.alphabet, lang.name(),
                            lang.alphabet()));
  const auto t0 = std::chrono::steady_clock::now();
  ExhaustiveTables t{StringSpace(M.d, max_len), {}, {}, 0};
  t.model = ModelDecisions(M, t.space);
  t.target = LanguageTargets(lang, M.task, t.space);
  t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return t;
}

}  // namespace flbench
