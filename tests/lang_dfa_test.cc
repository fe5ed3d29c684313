// Minimize, FindDifference and CoReachable on hand-built automata.
#include <gtest/gtest.h>

#include "lang/dfa.h"
#include "lang/regex.h"

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

}  // namespace
}  // namespace flbench
