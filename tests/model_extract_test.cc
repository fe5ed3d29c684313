// Automaton extraction: hand-built networks implementing Tomita 4 (membership and next-symbol) extract to automata
// equivalent to the target; a network for another language gives the shortest difference with what network,
// automaton and language say; a network right on every string ≤ N whose automaton differs is flagged; grammar
// targets have no verdict; the state cap stops L*.
#include <gtest/gtest.h>

#include "lang/language_dfa.h"
#include "lang/spec.h"
#include "model/exhaustive.h"
#include "model/extract.h"
#include "model/verify.h"
#include "model_networks.h"
#include "util/error.h"

namespace flbench {
namespace {

using testing::NetworkFromDfa;

const Dfa& DfaOf(const Language& lang) { return dynamic_cast<const DfaLanguage&>(lang).dfa(); }

std::shared_ptr<const Language> Regex(const std::string& name, const std::string& alphabet, const std::string& re) {
  return ParseLanguage("alphabet: \"" + alphabet + "\"\nregex: \"" + re + "\"\n", name + ".yaml");
}

TEST(ModelExtractTest, Tomita4NetworkExtractsToTheTargetAutomaton) {
  const auto t4 = LoadLanguage("tomita4");
  for (Task task : {Task::kMembership, Task::kNextSymbol}) {
    const RnnModel M = NetworkFromDfa(DfaOf(*t4), "01", task, "tomita4");
    const ExtractResult r = Extract(M, *t4, 10);
    EXPECT_TRUE(r.converged);
    ASSERT_TRUE(r.equivalent.has_value());
    EXPECT_TRUE(*r.equivalent) << TaskName(task);
    EXPECT_EQ(r.automaton.states(), 4);
    EXPECT_EQ(r.target_states, 4);
    EXPECT_TRUE(r.exact_up_to_n);
    EXPECT_FALSE(r.exact_but_automaton_differs);
    EXPECT_FALSE(r.difference.has_value());
    EXPECT_GE(r.equivalence_queries, 1);
    const auto j = ToJson(r);
    EXPECT_EQ(j["equivalent"], true);
    EXPECT_TRUE(j["difference"].is_null());
    EXPECT_EQ(j["automaton"]["next"], nlohmann::json::parse("[[1,0],[2,0],[3,0],[3,3]]"));
    EXPECT_EQ(j["automaton"]["accepting"], nlohmann::json::parse("[1,1,1,0]"));
    EXPECT_EQ(j["automaton"]["start"], 0);
    // States in BFS order from the start: q0 -0-> q1 -0-> q2 -0-> q3 (dead), 1 back to q0.
    const std::string dot = ToDot(r);
    EXPECT_NE(dot.find("q0 [shape=doublecircle]"), std::string::npos) << dot;
    EXPECT_NE(dot.find("q3 [shape=circle]"), std::string::npos) << dot;
    EXPECT_NE(dot.find("q2 -> q3 [label=\"0\"]"), std::string::npos) << dot;
    EXPECT_NE(dot.find("q3 -> q3 [label=\"0,1\"]"), std::string::npos) << dot;
    EXPECT_NE(dot.find("start -> q0"), std::string::npos) << dot;
  }
}

TEST(ModelExtractTest, OtherLanguagesNetworkGivesTheShortestDifference) {
  const auto t3 = LoadLanguage("tomita3"), t4 = LoadLanguage("tomita4");
  const RnnModel M = NetworkFromDfa(DfaOf(*t4), "01", Task::kMembership, "tomita4");
  const ExtractResult r = Extract(M, *t3, 10);
  EXPECT_TRUE(r.converged);
  EXPECT_EQ(r.automaton.states(), 4);  // the network's own language, Tomita 4
  ASSERT_TRUE(r.equivalent.has_value());
  EXPECT_FALSE(*r.equivalent);
  const auto diff = FindDifference(Minimize(DfaOf(*t4)), Minimize(DfaOf(*t3)));
  ASSERT_TRUE(diff && r.difference);
  EXPECT_EQ(*r.difference, t3->Decode(*diff));
  EXPECT_EQ(r.difference_network, t4->Accepts(*diff));
  EXPECT_EQ(r.difference_automaton, t4->Accepts(*diff));
  EXPECT_EQ(r.difference_language, t3->Accepts(*diff));
  EXPECT_FALSE(r.exact_up_to_n);
  EXPECT_FALSE(r.exact_but_automaton_differs);
}

// With a tiny N, L* asks the network about strings beyond the table (forward passes from cached row states): the
// next-symbol network of Tomita 4 must still read as Tomita 4 there.
TEST(ModelExtractTest, QueriesBeyondNReadTheNetworkAsARecogniser) {
  const auto t3 = LoadLanguage("tomita3"), t4 = LoadLanguage("tomita4");
  const RnnModel M = NetworkFromDfa(DfaOf(*t4), "01", Task::kNextSymbol, "tomita4");
  for (int n : {0, 1, 2, 3}) {
    const ExtractResult r = Extract(M, *t3, n);
    EXPECT_GT(r.membership_queries, 0u);
    ASSERT_TRUE(r.difference.has_value()) << n;
    const Word w = t3->Encode(*r.difference);
    EXPECT_EQ(r.difference_network, t4->Accepts(w)) << n << " " << *r.difference;
    EXPECT_EQ(r.difference_language, t3->Accepts(w));
  }
  const ExtractResult r = Extract(M, *t4, 3);  // N = 3 and queries beyond: Tomita 4 itself
  EXPECT_TRUE(*r.equivalent);
}

TEST(ModelExtractTest, ExactUpToNButDifferentAutomatonIsFlagged) {
  // The network forbids 0000 where Tomita 4 forbids 000: they agree on every string of length ≤ 2.
  const auto t4 = LoadLanguage("tomita4");
  const auto no4 = Regex("no0000", "01", "(1|01|001|0001)*(0|00|000)?");
  const RnnModel M = NetworkFromDfa(DfaOf(*no4), "01", Task::kMembership, "no0000");
  {
    const ExtractResult r = Extract(M, *t4, 2);
    EXPECT_TRUE(r.converged);
    EXPECT_TRUE(r.exact_up_to_n);
    ASSERT_TRUE(r.equivalent.has_value());
    EXPECT_FALSE(*r.equivalent);
    EXPECT_TRUE(r.exact_but_automaton_differs);
    ASSERT_TRUE(r.difference.has_value());
    EXPECT_EQ(*r.difference, "000");
    EXPECT_TRUE(r.difference_network);
    EXPECT_TRUE(r.difference_automaton);
    EXPECT_FALSE(r.difference_language);
    EXPECT_EQ(ToJson(r)["exact_but_automaton_differs"], true);
  }
  {
    const ExtractResult r = Extract(M, *t4, 3);  // now "000" is within reach: not exact
    EXPECT_FALSE(r.exact_up_to_n);
    EXPECT_FALSE(r.exact_but_automaton_differs);
    ASSERT_TRUE(r.difference.has_value());
    EXPECT_EQ(*r.difference, "000");
  }
  {
    const ExtractResult r = Extract(M, *no4, 8);  // against its own language: equivalent, 5 states
    EXPECT_TRUE(*r.equivalent);
    EXPECT_EQ(r.automaton.states(), 5);
  }
}

TEST(ModelExtractTest, GrammarTargetsAreComparedOnlyUpToN) {
  const auto dyck1 = LoadLanguage("dyck1");
  const auto pairs = Regex("pairs", "()", "(\\\\(\\\\))*");  // (())*: depth ≤ 1
  const RnnModel M = NetworkFromDfa(DfaOf(*pairs), "()", Task::kMembership, "pairs");
  const ExtractResult r = Extract(M, *dyck1, 8);
  EXPECT_TRUE(r.converged);
  EXPECT_EQ(r.automaton.states(), 3);
  EXPECT_FALSE(r.target_has_dfa);
  EXPECT_FALSE(r.equivalent.has_value());
  EXPECT_FALSE(r.exact_up_to_n);  // (()) is balanced
  const auto j = ToJson(r);
  EXPECT_TRUE(j["equivalent"].is_null());
  EXPECT_TRUE(j.contains("note"));
}

TEST(ModelExtractTest, StateCapStopsLStar) {
  const auto seven = Regex("mod7", "01", "((0|1){7})*");
  const RnnModel M = NetworkFromDfa(DfaOf(*seven), "01", Task::kMembership, "mod7");
  const ExtractResult capped = Extract(M, *seven, 10, 3);
  EXPECT_FALSE(capped.converged);
  EXPECT_LE(capped.automaton.states(), 3);
  const ExtractResult full = Extract(M, *seven, 10);
  EXPECT_TRUE(full.converged);
  EXPECT_EQ(full.automaton.states(), 7);
  EXPECT_TRUE(*full.equivalent);
}

TEST(ModelExtractTest, AlphabetMismatchIsAnError) {
  const auto t4 = LoadLanguage("tomita4"), dyck1 = LoadLanguage("dyck1");
  const RnnModel M = NetworkFromDfa(DfaOf(*t4), "01", Task::kMembership);
  EXPECT_THROW(Extract(M, *dyck1, 4), Error);
}

}  // namespace
}  // namespace flbench

namespace flbench {
namespace {

TEST(ModelExtractTest, SharedTablesGiveTheSameResultsAsSeparateCalls) {
  const auto t3 = LoadLanguage("tomita3"), t4 = LoadLanguage("tomita4");
  RnnModel M = testing::NetworkFromDfa(dynamic_cast<const DfaLanguage&>(*t4).dfa(), "01", Task::kNextSymbol);
  const ExhaustiveTables tables = ComputeTables(M, *t3, 9);
  const ExtractResult a = Extract(M, *t3, tables), b = Extract(M, *t3, 9);
  EXPECT_EQ(a.automaton.next, b.automaton.next);
  EXPECT_EQ(a.automaton.accepting, b.automaton.accepting);
  EXPECT_EQ(a.difference, b.difference);
  const VerifyResult v = Verify(M, *t3, tables), w = Verify(M, *t3, 9);
  EXPECT_EQ(v.errors, w.errors);
  EXPECT_EQ(v.strings, w.strings);
  EXPECT_EQ(ToJson(v)["counterexamples"], ToJson(w)["counterexamples"]);
  EXPECT_THROW(Verify(M, *LoadLanguage("dyck1"), tables), Error);
}

}  // namespace
}  // namespace flbench
