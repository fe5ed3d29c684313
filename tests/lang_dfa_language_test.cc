// DfaLanguage (lang/language_dfa.h) built in code from hand-made DFAs, for what tests/lang_sampling_test.cc (shipped
// languages, one length each) does not cover: counts against closed forms at every length up to 300 (Fibonacci,
// binomial sums, 2^n), unranking against independent formulas beyond 64 bits, the 64-bit Sample path against the
// big-number Unrank path, ranks and lengths out of range, RE2 as the oracle that catches a wrong DFA, next-symbol
// masks on every string (dead prefixes too) against brute-force completion search, and concurrent table growth.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "lang/counting.h"
#include "lang/language_dfa.h"
#include "lang/spec.h"
#include "testutil/reference.h"
#include "util/error.h"

namespace flbench {
namespace {

using testing::AllStrings;

Language::Info Info(const std::string& name, const std::string& alphabet) {
  Language::Info info;
  info.name = name;
  info.kind = "dfa";
  info.alphabet = alphabet;
  return info;
}

// Binary strings with no two consecutive 0s. States: 0 = start / last symbol 1, 1 = last symbol 0, 2 = sink.
Dfa No00() { return Dfa{2, 0, {1, 0, 2, 0, 2, 2}, {1, 1, 0}}; }
const char* kNo00Regex = "(1|01)*0?";

// Strings over "abc" whose number of a's is a multiple of 3. State = #a mod 3.
Dfa AsMod3() { return Dfa{3, 0, {1, 0, 0, 2, 1, 1, 0, 2, 2}, {1, 0, 0}}; }
const char* kAsMod3Regex = "([bc]*a[bc]*a[bc]*a)*[bc]*";

// Even number of 1s (parity); all strings; no strings.
Dfa Parity() { return Dfa{2, 0, {0, 1, 1, 0}, {1, 0}}; }
Dfa All() { return Dfa{2, 0, {0, 0}, {1}}; }
Dfa None() { return Dfa{2, 0, {0, 0}, {0}}; }

Count Pow2(int n) {
  Count p;
  mpz_ui_pow_ui(p.get_mpz_t(), 2, n);
  return p;
}

// The n-bit binary representation of r, most significant bit first, as symbols.
Word Binary(const Count& r, int n) {
  Word w(n);
  for (int i = 0; i < n; ++i) w[n - 1 - i] = mpz_tstbit(r.get_mpz_t(), i);
  return w;
}

TEST(DfaLanguage, CountsEqualClosedFormsAtEveryLength) {
  const DfaLanguage no00(Info("no00", "01"), No00(), kNo00Regex);
  const DfaLanguage mod3(Info("mod3", "abc"), AsMod3(), kAsMod3Regex);
  const DfaLanguage parity(Info("parity", "01"), Parity(), "");
  const DfaLanguage all(Info("all", "01"), All(), "[01]*");
  const DfaLanguage none(Info("none", "01"), None(), "");
  for (int n = 0; n <= 300; ++n) {
    SCOPED_TRACE("length " + std::to_string(n));
    Count fib, three_n, two_n = Pow2(n);
    mpz_fib_ui(fib.get_mpz_t(), n + 2);  // no two consecutive 0s: F(n+2)
    mpz_ui_pow_ui(three_n.get_mpz_t(), 3, n);
    ASSERT_EQ(no00.CountOf(n, true), fib);
    ASSERT_EQ(no00.CountOf(n, false), two_n - fib);
    // #a ≡ 0 (mod 3): Σ_{j ≡ 0 mod 3} C(n, j) 2^(n−j), summed term by term.
    Count sum = 0;
    for (int j = 0; j <= n; j += 3) {
      Count c;
      mpz_bin_uiui(c.get_mpz_t(), n, j);
      sum += c * Pow2(n - j);
    }
    ASSERT_EQ(mod3.CountOf(n, true), sum);
    ASSERT_EQ(mod3.CountOf(n, false), three_n - sum);
    ASSERT_EQ(parity.CountOf(n, true), n == 0 ? Count(1) : Pow2(n - 1));
    ASSERT_EQ(all.CountOf(n, true), two_n);
    ASSERT_EQ(all.CountOf(n, false), 0);
    ASSERT_EQ(none.CountOf(n, true), 0);
  }
  EXPECT_EQ(no00.CountOf(-1, true), 0);
  EXPECT_EQ(no00.CountOf(-1, false), 0);
}

TEST(DfaLanguage, CountsEqualBruteForceForHandMadeDfas) {
  // Closed forms above; here the same tables against enumerating every string (3 symbols, up to length 9).
  const DfaLanguage mod3(Info("mod3", "abc"), AsMod3(), kAsMod3Regex);
  for (int n = 0; n <= 9; ++n) {
    long members = 0, total = 0;
    for (const std::string& s : AllStrings("abc", n)) {
      members += std::count(s.begin(), s.end(), 'a') % 3 == 0;
      ++total;
    }
    EXPECT_EQ(mod3.CountOf(n, true), members) << n;
    EXPECT_EQ(mod3.CountOf(n, false), total - members) << n;
  }
}

TEST(DfaLanguage, UnrankIsAnOrderedBijectionAtEveryLength) {
  // Every length 0..8 (and both classes, including empty ones), three symbols: Unrank(r) for r = 0 .. count−1 is
  // exactly the lexicographic list of the class.
  const DfaLanguage mod3(Info("mod3", "abc"), AsMod3(), kAsMod3Regex);
  const DfaLanguage no00(Info("no00", "01"), No00(), kNo00Regex);
  for (const DfaLanguage* lang : {&mod3, &no00}) {
    for (int n = 0; n <= 8; ++n) {
      for (bool member : {true, false}) {
        std::vector<std::string> expected, got;
        for (const std::string& s : AllStrings(lang->alphabet(), n))
          if (lang->dfa().Accepts(lang->Encode(s)) == member) expected.push_back(s);
        const long count = lang->CountOf(n, member).get_si();
        ASSERT_EQ(count, static_cast<long>(expected.size()));
        for (long r = 0; r < count; ++r) got.push_back(lang->Decode(lang->Unrank(n, member, r)));
        ASSERT_EQ(got, expected) << lang->name() << " length " << n << (member ? " members" : " non-members");
      }
    }
  }
}

TEST(DfaLanguage, UnrankBeyond64BitsMatchesIndependentFormulas) {
  // All strings: rank r is r in binary. Parity: the first n−1 symbols are r in binary, the last fixes the parity.
  const DfaLanguage all(Info("all", "01"), All(), "[01]*");
  const DfaLanguage parity(Info("parity", "01"), Parity(), "0*(10*10*)*");
  const int n = 130;
  const Count two64 = Pow2(64);
  const std::vector<Count> ranks = {Count(0),          Count(1),          Count(two64 - 1), two64,
                                   Count(two64 + 1),  Count(Pow2(99) + 12345), Count(Pow2(128) - 1),
                                   Count(Pow2(129) - 1)};
  for (const Count& r : ranks) {
    EXPECT_EQ(all.Unrank(n, true, r), Binary(r, n)) << r.get_str();
    for (bool member : {true, false}) {
      Word w = Binary(r, n - 1);
      const int ones = static_cast<int>(std::count(w.begin(), w.end(), 1));
      w.push_back(static_cast<uint8_t>((ones % 2 == 1) == member));  // even parity for members
      EXPECT_EQ(parity.Unrank(n, member, r), w) << r.get_str() << (member ? " member" : " non-member");
    }
  }
  EXPECT_EQ(all.Unrank(n, true, Pow2(130) - 1), Word(n, 1));
}

TEST(DfaLanguage, SampleFastPathEqualsTheBigNumberUnrank) {
  // Below 2^64 Sample walks a 64-bit table; it must give exactly Unrank (the GMP walk) of the same uniform rank.
  // At 2^64 and above it must draw the rank as RandomBelow does.
  const DfaLanguage no00(Info("no00", "01"), No00(), kNo00Regex);
  const DfaLanguage mod3(Info("mod3", "abc"), AsMod3(), kAsMod3Regex);
  for (const DfaLanguage* lang : {&no00, &mod3}) {
    for (int n : {1, 5, 17, 40, 63, 64, 65, 92, 93, 94, 150}) {
      for (bool member : {true, false}) {
        const Count total = lang->CountOf(n, member);
        Rng a(1000 + n), b(1000 + n);
        if (total == 0) {  // no00 has no non-members of length 1
          EXPECT_THROW(lang->Sample(n, member, a), Error);
          continue;
        }
        for (int i = 0; i < 20; ++i) {
          const Word fast = lang->Sample(n, member, a);
          const Word slow = lang->Unrank(n, member, RandomBelow(total, b));
          ASSERT_EQ(fast, slow) << lang->name() << " length " << n << " total " << total.get_str();
        }
      }
    }
  }
}

TEST(DfaLanguage, RanksAndLengthsOutOfRangeThrow) {
  const DfaLanguage no00(Info("no00", "01"), No00(), kNo00Regex);
  const DfaLanguage none(Info("none", "01"), None(), "");
  EXPECT_THROW(no00.Unrank(4, true, 8), Error);  // F(6) = 8 members of length 4: ranks 0..7
  EXPECT_NO_THROW(no00.Unrank(4, true, 7));
  EXPECT_THROW(no00.Unrank(4, true, -1), Error);
  EXPECT_THROW(no00.Unrank(-1, true, 0), Error);
  EXPECT_THROW(no00.Unrank(-5, false, 0), Error);
  Rng rng(1);
  EXPECT_THROW(no00.Sample(-1, true, rng), Error);
  try {
    none.Sample(3, true, rng);
    FAIL() << "sampled a member of the empty language";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "language none has no members of length 3");
  }
  EXPECT_EQ(none.Decode(none.Sample(3, false, rng)).size(), 3u);
}

TEST(DfaLanguage, Re2AgreesWithTheDfaOnEveryString) {
  const DfaLanguage no00(Info("no00", "01"), No00(), kNo00Regex);
  const DfaLanguage mod3(Info("mod3", "abc"), AsMod3(), kAsMod3Regex);
  for (int n = 0; n <= 12; ++n)
    for (const std::string& s : AllStrings("01", n)) {
      const Word w = no00.Encode(s);
      ASSERT_EQ(no00.Re2Accepts(w), no00.Accepts(w)) << s;
      ASSERT_EQ(no00.Accepts(w), s.find("00") == std::string::npos) << s;
    }
  for (int n = 0; n <= 8; ++n)
    for (const std::string& s : AllStrings("abc", n)) ASSERT_EQ(mod3.Re2Accepts(mod3.Encode(s)), mod3.Accepts(mod3.Encode(s))) << s;
}

TEST(DfaLanguage, Re2CatchesAWrongDfaWhenSampling) {
  // The DFA says "no 00", the regex forgot the optional trailing 0: they disagree exactly on strings ending in 0.
  const DfaLanguage wrong(Info("wrong", "01"), No00(), "(1|01)*");
  EXPECT_EQ(wrong.Decode(wrong.Unrank(1, true, 1)), "1");  // agreed on
  try {
    wrong.Unrank(1, true, 0);  // "0": DFA member, RE2 non-member
    FAIL() << "the disagreement went unnoticed";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "language wrong: the DFA and RE2 disagree on \"0\" (DFA says member): the regex compiler is wrong");
  }
  // Every sampled member of length 6 is checked, so sampling many of them must hit one ending in 0 and throw.
  Rng rng(3);
  EXPECT_THROW(
      {
        for (int i = 0; i < 100; ++i) wrong.Sample(6, true, rng);
      },
      Error);
}

TEST(DfaLanguage, InvalidRegexIsRejectedWithRe2sMessage) {
  try {
    DfaLanguage bad(Info("bad", "01"), All(), "(01");
    FAIL() << "accepted an unbalanced regex";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("RE2 rejects regex '(01'"), std::string::npos) << m;
    EXPECT_NE(m.find("missing )"), std::string::npos) << m;
  }
}

TEST(DfaLanguage, RegexMetacharactersAsSymbols) {
  // Alphabet "()": RE2 reads the text in Latin-1; the pattern escapes the brackets. (()) * ... = "(\(\))*".
  const Dfa pairs{2, 0, {1, 2, 2, 0, 2, 2}, {1, 0, 0}};  // 0 --(--> 1 --)--> 0, anything else to the sink 2
  const DfaLanguage lang(Info("pairs", "()"), pairs, "(\\(\\))*");
  for (int n = 0; n <= 10; ++n)
    for (const std::string& s : AllStrings("()", n)) {
      std::string expected;
      for (size_t i = 0; i < s.size() / 2; ++i) expected += "()";
      ASSERT_EQ(lang.Accepts(lang.Encode(s)), s == expected) << s;
      ASSERT_EQ(lang.Re2Accepts(lang.Encode(s)), s == expected) << s;
    }
  EXPECT_EQ(lang.Decode(lang.Unrank(6, true, 0)), "()()()");
}

// Can prefix·a be completed to a member? Brute force over completions up to `search` symbols (a DFA with s states
// needs at most s − 1).
bool Completable(const std::function<bool(const std::string&)>& member, const std::string& alphabet,
                 const std::string& prefix, int search) {
  for (int k = 0; k <= search; ++k)
    for (const std::string& tail : AllStrings(alphabet, k))
      if (member(prefix + tail)) return true;
  return false;
}

TEST(DfaLanguage, NextSymbolTargetsMatchBruteForceOnEveryString) {
  // Every string up to length 7, members or not (dead prefixes give empty masks), against the reference predicates.
  struct Case {
    std::shared_ptr<const Language> lang;
    std::function<bool(const std::string&)> member;
    int search;
  };
  std::vector<Case> cases;
  auto no00 = std::make_shared<DfaLanguage>(Info("no00", "01"), No00(), kNo00Regex);
  cases.push_back({no00, [](const std::string& s) { return s.find("00") == std::string::npos; }, 2});
  auto mod3 = std::make_shared<DfaLanguage>(Info("mod3", "abc"), AsMod3(), kAsMod3Regex);
  cases.push_back({mod3, [](const std::string& s) { return std::count(s.begin(), s.end(), 'a') % 3 == 0; }, 2});
  for (const char* name : {"tomita2", "tomita3", "tomita4", "contains-0110", "d2"})
    cases.push_back({LoadLanguage(name), testing::ReferenceLanguages().at(name), 7});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.lang->name());
    const std::string& alphabet = c.lang->alphabet();
    const int k = c.lang->symbols();
    for (int n = 1; n <= (k > 2 ? 5 : 7); ++n) {
      for (const std::string& s : AllStrings(alphabet, n)) {
        const std::vector<uint32_t> masks = c.lang->NextSymbolTargets(c.lang->Encode(s));
        ASSERT_EQ(masks.size(), s.size());
        for (size_t t = 0; t < s.size(); ++t) {
          const std::string prefix = s.substr(0, t + 1);
          uint32_t want = c.member(prefix) ? 1u << k : 0u;
          for (int a = 0; a < k; ++a)
            if (Completable(c.member, alphabet, prefix + alphabet[a], c.search)) want |= 1u << a;
          ASSERT_EQ(masks[t], want) << s << " after " << prefix;
        }
      }
    }
    EXPECT_TRUE(c.lang->NextSymbolTargets({}).empty());
  }
}

TEST(DfaLanguage, ConcurrentTableGrowthGivesTheSerialAnswers) {
  // Tables are built to 64 at construction and grown on demand under a lock: threads asking for different long
  // lengths at once must see exactly what one thread sees.
  const DfaLanguage serial(Info("mod3", "abc"), AsMod3(), kAsMod3Regex);
  std::vector<Count> want_counts;
  std::vector<Word> want_words;
  for (int n = 65; n <= 400; n += 5) {
    want_counts.push_back(serial.CountOf(n, false));
    Rng rng(n);
    want_words.push_back(serial.Sample(n, true, rng));
  }
  const DfaLanguage shared(Info("mod3", "abc"), AsMod3(), kAsMod3Regex);
  std::vector<std::vector<Count>> counts(4);
  std::vector<std::vector<Word>> words(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      std::vector<int> lengths;
      for (int n = 65; n <= 400; n += 5) lengths.push_back(n);
      if (t % 2) std::reverse(lengths.begin(), lengths.end());  // half the threads grow from the far end
      std::vector<std::pair<int, Count>> c;
      std::vector<std::pair<int, Word>> w;
      for (int n : lengths) {
        c.push_back({n, shared.CountOf(n, false)});
        Rng rng(n);
        w.push_back({n, shared.Sample(n, true, rng)});
      }
      std::sort(c.begin(), c.end());
      std::sort(w.begin(), w.end());
      for (auto& [n, x] : c) counts[t].push_back(x);
      for (auto& [n, x] : w) words[t].push_back(x);
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) {
    EXPECT_EQ(counts[t], want_counts) << "thread " << t;
    EXPECT_EQ(words[t], want_words) << "thread " << t;
  }
}

// counting.h: RandomBelow (a uniform big rank) and the 64-bit helpers the fast paths rely on.
TEST(Counting, FitsU64AndToU64AtTheEdges) {
  const Count two64 = Pow2(64);
  EXPECT_TRUE(FitsU64(Count(0)));
  EXPECT_TRUE(FitsU64(Count(two64 - 1)));
  EXPECT_FALSE(FitsU64(two64));
  EXPECT_FALSE(FitsU64(Count(-1)));
  EXPECT_FALSE(FitsU64(Pow2(200)));
  EXPECT_EQ(ToU64(Count(two64 - 1)), ~0ULL);
  EXPECT_EQ(ToU64(Count(0)), 0u);
  EXPECT_EQ(ToU64(Count(123456789)), 123456789u);
  EXPECT_EQ(ToU64(Count(Pow2(63) + 7)), (1ULL << 63) + 7);
}

TEST(Counting, RandomBelowSmallIsRngBelow) {
  Rng a(8), b(8);
  for (unsigned long n : {1ul, 2ul, 7ul, 1000ul, ~0ul}) EXPECT_EQ(RandomBelow(Count(n), a), Count(b.Below(n))) << n;
}

TEST(Counting, RandomBelowBigIsWordsLeastSignificantFirstWithTheTopBitsMaskedThenRejected) {
  // n = 2^64 + 5 (65 bits): two words per try, the second shifted down to 1 bit; a try ≥ n is drawn again.
  const Count n = Pow2(64) + 5;
  Rng rng(21), ref(21);
  for (int i = 0; i < 50; ++i) {
    Count want;
    do {
      const uint64_t low = ref.Next(), high = ref.Next() >> 63;
      want = Count(high) * Pow2(64) + Count(static_cast<unsigned long>(low));
    } while (want >= n);
    ASSERT_EQ(RandomBelow(n, rng), want) << i;
  }
}

TEST(Counting, RandomBelowBigIsInRangeAndUniformOnItsTopPart) {
  // n = 3·2^64: the part above 64 bits is 0, 1 or 2 with probability 1/3 each; 3000 draws from a fixed seed give
  // 1000 ± 100 each (3.9 standard deviations). n = 2^200 + 1: bit 199 is set about half the time.
  Rng rng(4);
  const Count n3 = 3 * Pow2(64);
  std::vector<int> top(3, 0);
  for (int i = 0; i < 3000; ++i) {
    const Count r = RandomBelow(n3, rng);
    ASSERT_GE(r, 0);
    ASSERT_LT(r, n3);
    ++top[Count(r >> 64).get_ui()];
  }
  for (int t : top) EXPECT_NEAR(t, 1000, 100);
  const Count big = Pow2(200) + 1;
  int high = 0;
  for (int i = 0; i < 2000; ++i) {
    const Count r = RandomBelow(big, rng);
    ASSERT_LT(r, big);
    high += mpz_tstbit(r.get_mpz_t(), 199);
  }
  EXPECT_NEAR(high, 1000, 100);
}

}  // namespace
}  // namespace flbench
