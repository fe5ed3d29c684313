// Every string up to a length, at once: the shortlex index of all strings over k symbols of length 0..N, the
// model's decisions on all of them (a trie walk: each prefix's hidden state is computed once; subtrees run in
// parallel with oneTBB) and the language's exact answers on all of them. Entry points: StringSpace,
// ModelDecisions, LanguageTargets. Tested by tests/model_verify_test.cc (against one-string forwards and a
// brute-force reference).
#pragma once

#include <cstdint>
#include <vector>

#include "lang/dataset.h"
#include "lang/language.h"
#include "model/model.h"

namespace flbench {

// Strings of length 0..N over k symbols in shortlex order (by length, then lexicographically by symbol index):
// string (n, r) has index start[n] + r, where r is the string read as a base-k number, first symbol most
// significant; its children are (n + 1, r·k + a).
struct StringSpace {
  static constexpr uint64_t kMaxStrings = uint64_t(1) << 26;  // 67 M: 256 MB of decisions
  // Throws flbench::Error when there are more than kMaxStrings strings (naming the largest N that fits).
  StringSpace(int k, int max_len);
  int k = 2, max_len = 0;
  std::vector<uint64_t> start;  // max_len + 2 entries; start[n + 1] − start[n] = k^n
  uint64_t total() const { return start.back(); }
  uint64_t count(int n) const { return start[n + 1] - start[n]; }
  Word At(int n, uint64_t rank) const;
};

// decisions[i] = the model's decision bits after reading string i (bit o = output o's logit > 0); for the empty
// string, the readout of h_0 (EmptyDecision). Identical to ModelForward(string).back() for every string.
std::vector<uint32_t> ModelDecisions(const RnnModel& model, const StringSpace& space);

// The language's exact answer per string in the same bit layout: membership — bit 0 = member; next-symbol — bit a =
// the string followed by symbol a can still be completed to a member, bit |Σ| = the string is a member (for the
// empty string too). DFA languages run their automaton; others use Accepts / NextSymbolTargets.
std::vector<uint32_t> LanguageTargets(const Language& lang, Task task, const StringSpace& space);

// Both tables for one model and language up to N: computed once, read by Verify and Extract (a suite asking for
// both pays for one network walk). Throws flbench::Error if the alphabets differ or N is too large.
struct ExhaustiveTables {
  StringSpace space;
  std::vector<uint32_t> model;   // ModelDecisions
  std::vector<uint32_t> target;  // LanguageTargets for the model's task
  double seconds = 0;            // wall time to compute them
};
ExhaustiveTables ComputeTables(const RnnModel& model, const Language& lang, int max_len);

}  // namespace flbench
