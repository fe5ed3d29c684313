// Counting and sampling: DP counts equal brute-force counts; unranking is a bijection onto each class;
// samples are uniform (chi-square); big lengths give exact big counts; sparse languages are fast.
#include <gtest/gtest.h>

#include <chrono>
#include <map>

#include "lang/grammar.h"
#include "lang/sampler.h"
#include "lang/spec.h"
#include "testutil/paths.h"
#include "testutil/reference.h"
#include "util/error.h"

namespace flbench {
namespace {

using testing::AllStrings;
using testing::ReferenceLanguages;

TEST(SamplingTest, CountsEqualBruteForceForEveryLanguage) {
  for (const auto& name : LanguageNames()) {
    SCOPED_TRACE(name);
    auto lang = LoadLanguage(name);
    const auto& ref = ReferenceLanguages().at(name);
    const int max_n = lang->symbols() > 2 ? 8 : 14;
    for (int n = 0; n <= max_n; ++n) {
      long members = 0, total = 0;
      for (const auto& s : AllStrings(lang->alphabet(), n)) {
        members += ref(s);
        ++total;
      }
      ASSERT_EQ(lang->CountOf(n, true), members) << "length " << n;
      ASSERT_EQ(lang->CountOf(n, false), total - members) << "length " << n;
    }
  }
}

// Unrank(n, c, r) for r = 0 .. count−1 lists each string of the class exactly once, in order.
TEST(SamplingTest, UnrankIsAnOrderedBijection) {
  for (const auto& name : LanguageNames()) {
    SCOPED_TRACE(name);
    auto lang = LoadLanguage(name);
    const auto& ref = ReferenceLanguages().at(name);
    const int n = lang->symbols() > 2 ? 6 : 10;
    for (bool member : {true, false}) {
      std::vector<std::string> expected;
      for (const auto& s : AllStrings(lang->alphabet(), n))
        if (ref(s) == member) expected.push_back(s);
      std::vector<std::string> got;
      for (long r = 0; r < lang->CountOf(n, member).get_si(); ++r) got.push_back(lang->Decode(lang->Unrank(n, member, r)));
      ASSERT_EQ(got, expected) << (member ? "members" : "non-members");
    }
  }
}

// Pearson's chi-square over all strings of one length and class. With k cells and N = 50·k draws,
// the statistic has mean k−1 and sd √(2(k−1)); we fail above k−1 + 6·sd (p < 1e-6 for a fair sampler)
// — the seed is fixed, so the test is deterministic, and a biased sampler (e.g. uniform over paths
// instead of strings) exceeds the bound by far.
double ChiSquare(const Language& lang, int n, bool member, uint64_t seed, double* bound) {
  const long k = lang.CountOf(n, member).get_si();
  const long draws = 50 * k;
  std::map<Word, long> hist;
  Rng rng(seed);
  for (long i = 0; i < draws; ++i) ++hist[lang.Sample(n, member, rng)];
  EXPECT_EQ(static_cast<long>(hist.size()), k);
  double chi = 0;
  const double expected = 50.0;
  for (const auto& [w, c] : hist) chi += (c - expected) * (c - expected) / expected;
  *bound = (k - 1) + 6 * std::sqrt(2.0 * (k - 1));
  return chi;
}

TEST(SamplingTest, ChiSquareUniformOverMembersAndNonMembers) {
  struct Case {
    const char* lang;
    int n;
    bool member;
  };
  for (const Case& c : {Case{"tomita3", 10, true}, Case{"tomita4", 9, true}, Case{"tomita7", 10, false},
                        Case{"d3", 12, true}, Case{"contains-0110", 9, true}, Case{"dyck2", 6, true},
                        Case{"dyck1", 8, false}, Case{"anbn", 8, false}, Case{"tomita6", 9, true}}) {
    SCOPED_TRACE(std::string(c.lang) + " n=" + std::to_string(c.n));
    auto lang = LoadLanguage(c.lang);
    double bound = 0;
    const double chi = ChiSquare(*lang, c.n, c.member, 7, &bound);
    EXPECT_LT(chi, bound);
  }
}

TEST(SamplingTest, LengthChosenUniformlyAmongLengthsWithStrings) {
  auto lang = LoadLanguage("abab");  // members only at lengths 0 mod 4
  RangeSampler range(*lang, 2, 21);
  EXPECT_EQ(range.Lengths(true), (std::vector<int>{4, 8, 12, 16, 20}));
  Rng rng(3);
  std::map<size_t, int> by_length;
  for (int i = 0; i < 5000; ++i) ++by_length[range.Draw(true, rng).size()];
  ASSERT_EQ(by_length.size(), 5u);
  for (auto [len, c] : by_length) EXPECT_NEAR(c, 1000, 150) << "length " << len;
}

TEST(SamplingTest, ExactCountsBeyond64Bits) {
  auto parity = LoadLanguage("parity");
  Count expected;
  mpz_ui_pow_ui(expected.get_mpz_t(), 2, 999);
  EXPECT_EQ(parity->CountOf(1000, true), expected);  // half of 2^1000
  // Dyck-1 members of length 2n: the Catalan number C(n) = binom(2n, n)/(n+1).
  auto dyck1 = LoadLanguage("dyck1");
  Count catalan;
  mpz_bin_uiui(catalan.get_mpz_t(), 1000, 500);
  catalan /= 501;
  EXPECT_EQ(dyck1->CountOf(1000, true), catalan);
  Count all;
  mpz_ui_pow_ui(all.get_mpz_t(), 2, 1000);
  EXPECT_EQ(dyck1->CountOf(1000, false), all - catalan);
  // Dyck-2: 2^n · C(n) members of length 2n.
  auto dyck2 = LoadLanguage("dyck2");
  Count two_n;
  mpz_ui_pow_ui(two_n.get_mpz_t(), 2, 500);
  EXPECT_EQ(dyck2->CountOf(1000, true), two_n * catalan);
  // Samples at length 1000 are of the right class.
  Rng rng(1);
  for (const char* name : {"abab", "d4", "tomita3", "dyck2", "contains-0110"}) {
    auto lang = LoadLanguage(name);
    const auto& ref = ReferenceLanguages().at(name);
    for (bool member : {true, false}) {
      const Word w = lang->Sample(1000, member, rng);
      EXPECT_EQ(w.size(), 1000u);
      EXPECT_EQ(ref(lang->Decode(w)), member) << name;
    }
  }
}

TEST(SamplingTest, SparseLanguageAtLength500IsImmediate) {
  auto abab = LoadLanguage("abab");
  Rng rng(5);
  const Word w = abab->Sample(500, true, rng);
  std::string expected;
  for (int i = 0; i < 125; ++i) expected += "0101";
  EXPECT_EQ(abab->Decode(w), expected);
  EXPECT_EQ(abab->CountOf(502, true), 0);
  EXPECT_THROW(abab->Sample(502, true, rng), Error);
}

TEST(SamplingTest, GrammarWithDepthBoundEqualsRegexD4) {
  // d4 written both ways: the regex file and a dyck grammar with max_depth 4.
  auto regex_d4 = LoadLanguage("d4");
  auto grammar_d4 = LoadLanguage(testing::SourceDir() + "/tests/data/d4-grammar.yaml");
  EXPECT_EQ(grammar_d4->kind(), "grammar");
  for (int n = 0; n <= 12; ++n)
    for (const auto& s : AllStrings("01", n))
      ASSERT_EQ(regex_d4->Accepts(regex_d4->Encode(s)), grammar_d4->Accepts(grammar_d4->Encode(s))) << s;
  for (int n = 0; n <= 300; n += 7) {
    ASSERT_EQ(regex_d4->CountOf(n, true), grammar_d4->CountOf(n, true)) << n;
    ASSERT_EQ(regex_d4->CountOf(n, false), grammar_d4->CountOf(n, false)) << n;
  }
}

TEST(SamplingTest, PerturbedNegativesAreOneEditFromAMember) {
  for (const char* name : {"tomita2", "abab", "dyck2", "anbn", "single1", "tomita5"}) {
    SCOPED_TRACE(name);
    auto lang = LoadLanguage(name);
    RangeSampler range(*lang, 4, 16);
    Rng rng(11);
    for (int i = 0; i < 200; ++i) {
      const Word w = range.DrawPerturbed(rng);
      ASSERT_FALSE(lang->Accepts(w));
      ASSERT_GE(w.size(), 4u);
      ASSERT_LE(w.size(), 16u);
      // some single substitution, insertion or deletion turns it into a member
      bool near = false;
      for (size_t p = 0; p <= w.size() && !near; ++p) {
        for (int a = 0; a < lang->symbols() && !near; ++a) {
          Word ins = w;
          ins.insert(ins.begin() + p, static_cast<uint8_t>(a));
          near = lang->Accepts(ins);
          if (p < w.size()) {
            Word sub = w;
            sub[p] = static_cast<uint8_t>(a);
            near = near || lang->Accepts(sub);
          }
        }
        if (p < w.size()) {
          Word del = w;
          del.erase(del.begin() + p);
          near = near || lang->Accepts(del);
        }
      }
      ASSERT_TRUE(near) << lang->Decode(w);
    }
  }
}

}  // namespace
}  // namespace flbench
