// Deterministic finite automata over symbol indices 0..k−1: the common form of every regular language.
// Entry points: Dfa (complete by construction), Minimize, FindDifference, CoReachable. Tested by
// tests/lang_dfa_test.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace flbench {

struct Dfa {
  int symbols = 0;                // k = |Σ|
  int start = 0;
  std::vector<int> next;          // states × k, row-major: next[q * k + a]; every entry is a valid state
  std::vector<uint8_t> accepting; // states; 1 = accepting

  int states() const { return static_cast<int>(accepting.size()); }
  int Step(int q, int a) const { return next[static_cast<size_t>(q) * symbols + a]; }
  int Run(std::span<const uint8_t> w) const {
    int q = start;
    for (uint8_t a : w) q = Step(q, a);
    return q;
  }
  bool Accepts(std::span<const uint8_t> w) const { return accepting[Run(w)] != 0; }
};

// The minimal complete DFA for the same language (unreachable states dropped, equivalent states merged;
// states numbered in BFS order from the start so equal languages give identical Dfa structs).
Dfa Minimize(const Dfa& dfa);

// A shortest word on which the two DFAs (same alphabet size) disagree, or nullopt if equivalent.
std::optional<std::vector<uint8_t>> FindDifference(const Dfa& a, const Dfa& b);

// co[q] = 1 iff some accepting state is reachable from q (q can still be completed to a member).
std::vector<uint8_t> CoReachable(const Dfa& dfa);

}  // namespace flbench
