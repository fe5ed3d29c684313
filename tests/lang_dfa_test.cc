// Minimize, FindDifference and CoReachable on hand-built automata.
#include <gtest/gtest.h>

#include <map>

#include "lang/dfa.h"
#include "lang/regex.h"
#include "util/rng.h"

namespace flbench {
namespace {

// Parity of 1s with a redundant copy of each state: 4 states that minimise to 2.
Dfa RedundantParity() {
  Dfa d;
  d.symbols = 2;
  d.start = 0;
  d.accepting = {0, 1, 0, 1};
  d.next = {2, 1,   // 0 even: 0→2 (even copy), 1→1 (odd)
            3, 2,   // 1 odd
            0, 3,   // 2 even copy
            1, 0};  // 3 odd copy
  return d;
}

TEST(DfaTest, MinimizeMergesEquivalentStates) {
  const Dfa m = Minimize(RedundantParity());
  EXPECT_EQ(m.states(), 2);
  EXPECT_EQ(m.start, 0);
  EXPECT_EQ(m.accepting, (std::vector<uint8_t>{0, 1}));
  EXPECT_EQ(m.next, (std::vector<int>{0, 1, 1, 0}));
}

TEST(DfaTest, MinimizeDropsUnreachableStates) {
  Dfa d = RedundantParity();
  d.accepting.push_back(1);  // state 4: unreachable
  d.next.insert(d.next.end(), {4, 4});
  EXPECT_EQ(Minimize(d).states(), 2);
}

TEST(DfaTest, FindDifferenceGivesShortestWitness) {
  const Dfa a = CompileRegex("(00)*", "01");
  const Dfa b = CompileRegex("0*", "01");
  auto diff = FindDifference(a, b);
  ASSERT_TRUE(diff.has_value());
  EXPECT_EQ(*diff, (std::vector<uint8_t>{0}));
  EXPECT_FALSE(FindDifference(a, CompileRegex("(0000|00)*", "01")).has_value());
  EXPECT_FALSE(FindDifference(Minimize(RedundantParity()), CompileRegex("0*1(0*10*1)*0*", "01")).has_value());
}

TEST(DfaTest, CoReachableMarksDeadStates) {
  const Dfa d = CompileRegex("01", "01");  // start, after 0, accept, dead
  const auto co = CoReachable(d);
  int dead = 0;
  for (int q = 0; q < d.states(); ++q) dead += co[q] == 0;
  EXPECT_EQ(dead, 1);
  EXPECT_EQ(co[d.start], 1);
}

// Slow reference for Minimize: Moore's refinement (signature = own class + successors' classes) until the
// number of classes stops growing, counted over the reachable states. Lives only in tests.
int MooreClassCount(const Dfa& dfa) {
  std::vector<int> reach{dfa.start};
  std::vector<uint8_t> seen(dfa.states(), 0);
  seen[dfa.start] = 1;
  for (size_t i = 0; i < reach.size(); ++i)
    for (int a = 0; a < dfa.symbols; ++a)
      if (!seen[dfa.Step(reach[i], a)]) {
        seen[dfa.Step(reach[i], a)] = 1;
        reach.push_back(dfa.Step(reach[i], a));
      }
  std::vector<int> cls(dfa.states(), 0);
  for (int q : reach) cls[q] = dfa.accepting[q];
  int classes = 0;
  for (;;) {
    std::map<std::vector<int>, int> ids;
    std::vector<int> next(dfa.states(), 0);
    for (int q : reach) {
      std::vector<int> sig{cls[q]};
      for (int a = 0; a < dfa.symbols; ++a) sig.push_back(cls[dfa.Step(q, a)]);
      next[q] = ids.emplace(sig, static_cast<int>(ids.size())).first->second;
    }
    cls.swap(next);
    if (static_cast<int>(ids.size()) == classes) return classes;
    classes = static_cast<int>(ids.size());
  }
}

// Random DFAs (1–3 symbols, up to 60 states, some unreachable): Hopcroft gives Moore's number of states, the
// same language (no distinguishing word) and is idempotent.
TEST(DfaTest, HopcroftAgreesWithMooreOnRandomAutomata) {
  Rng rng(7);
  for (int trial = 0; trial < 400; ++trial) {
    Dfa d;
    d.symbols = 1 + static_cast<int>(rng.Below(3));
    const int n = 1 + static_cast<int>(rng.Below(60));
    d.start = static_cast<int>(rng.Below(n));
    for (int q = 0; q < n; ++q) d.accepting.push_back(rng.Below(4) == 0 ? 1 : 0);
    for (int i = 0; i < n * d.symbols; ++i) d.next.push_back(static_cast<int>(rng.Below(n)));
    SCOPED_TRACE(trial);
    const Dfa m = Minimize(d);
    EXPECT_EQ(m.states(), MooreClassCount(d));
    EXPECT_FALSE(FindDifference(d, m).has_value());
    const Dfa again = Minimize(m);
    EXPECT_EQ(again.next, m.next);
    EXPECT_EQ(again.accepting, m.accepting);
  }
}

// A long chain (0^n as a language: n+2 states) minimises without quadratic work: 200 000 states here.
TEST(DfaTest, MinimizesLargeChains) {
  const int n = 200000;
  Dfa d;
  d.symbols = 2;
  d.start = 0;
  for (int q = 0; q <= n + 1; ++q) {
    d.accepting.push_back(q == n ? 1 : 0);
    d.next.push_back(q <= n ? q + 1 : n + 1);  // on 0: advance (past n: the dead state n+1)
    d.next.push_back(n + 1);                   // on 1: dead
  }
  d.next[static_cast<size_t>(n) * 2] = n + 1;
  const Dfa m = Minimize(d);
  EXPECT_EQ(m.states(), n + 2);
  EXPECT_TRUE(m.Accepts(std::vector<uint8_t>(n, 0)));
  EXPECT_FALSE(m.Accepts(std::vector<uint8_t>(n - 1, 0)));
}

}  // namespace
}  // namespace flbench
