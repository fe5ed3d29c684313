// Grammar languages (lang/grammar.h): Dyck-k with and without a depth bound, and a^n b^n, built with
// MakeGrammarLanguage. Membership against a brute-force stack checker on every string up to length 12 (10 for
// six symbols), counts of both classes against brute force and against closed forms far beyond 128 bits (Catalan,
// depth-bounded Dyck), unranking as an ordered bijection at every length, the 128-bit Sample path against the GMP
// Unrank of the same rank, next-symbol masks on every string, negative lengths, and the spec errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lang/counting.h"
#include "lang/grammar.h"
#include "util/error.h"

namespace flbench {
namespace {

using U128 = unsigned __int128;

std::shared_ptr<const Language> Dyck(int pairs, int max_depth) {
  Language::Info info;
  info.name = "dyck" + std::to_string(pairs) + "-" + std::to_string(max_depth);
  info.kind = "grammar";
  info.alphabet = std::string("()[]{}<>").substr(0, 2 * pairs);
  return MakeGrammarLanguage(info, GrammarSpec{"dyck", pairs, max_depth});
}

std::shared_ptr<const Language> AnBn() {
  Language::Info info;
  info.name = "anbn";
  info.kind = "grammar";
  info.alphabet = "ab";
  return MakeGrammarLanguage(info, GrammarSpec{"anbn", 1, 0});
}

// The references: a stack of open-bracket types (symbol 2i opens pair i, 2i + 1 closes it) and a depth check;
// a^n b^n as "leading a's, then only b's, as many".
bool DyckReference(const Word& w, int max_depth) {
  std::vector<int> stack;
  for (uint8_t s : w) {
    if (s % 2 == 0) {
      stack.push_back(s / 2);
      if (max_depth > 0 && static_cast<int>(stack.size()) > max_depth) return false;
    } else {
      if (stack.empty() || stack.back() != s / 2) return false;
      stack.pop_back();
    }
  }
  return stack.empty();
}

bool AnBnReference(const Word& w) {
  size_t a = 0;
  while (a < w.size() && w[a] == 0) ++a;
  for (size_t i = a; i < w.size(); ++i)
    if (w[i] != 1) return false;
  return 2 * a == w.size();
}

// Calls f on every word of length n over k symbols, in lexicographic order.
template <typename F>
void ForEachWord(int k, int n, F f) {
  Word w(n, 0);
  for (;;) {
    f(w);
    int i = n - 1;
    while (i >= 0 && w[i] == k - 1) w[i--] = 0;
    if (i < 0) return;
    ++w[i];
  }
}

Count Catalan(int n) {
  Count c;
  mpz_bin_uiui(c.get_mpz_t(), 2 * n, n);
  return c / (n + 1);
}

Count Pow(unsigned long base, unsigned long e) {
  Count p;
  mpz_ui_pow_ui(p.get_mpz_t(), base, e);
  return p;
}

TEST(GrammarLanguage, MembershipAndCountsMatchBruteForce) {
  struct Case {
    std::shared_ptr<const Language> lang;
    int max_depth;  // for the reference; −1 = a^n b^n
    int max_len;
  };
  // Two and four symbols up to length 12 (4^12 = 16.8M strings), six symbols up to 8.
  const std::vector<Case> cases = {{Dyck(1, 0), 0, 12}, {Dyck(1, 1), 1, 12}, {Dyck(1, 3), 3, 12},
                                   {AnBn(), -1, 12},    {Dyck(2, 0), 0, 12}, {Dyck(2, 2), 2, 12},
                                   {Dyck(3, 0), 0, 8},  {Dyck(3, 2), 2, 8}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.lang->name());
    for (int n = 0; n <= c.max_len; ++n) {
      long members = 0, total = 0;
      ForEachWord(c.lang->symbols(), n, [&](const Word& w) {
        const bool want = c.max_depth < 0 ? AnBnReference(w) : DyckReference(w, c.max_depth);
        if (c.lang->Accepts(w) != want) {
          ADD_FAILURE() << "\"" << c.lang->Decode(w) << "\": Accepts says " << !want;
          return;
        }
        members += want;
        ++total;
      });
      ASSERT_EQ(c.lang->CountOf(n, true), members) << "length " << n;
      ASSERT_EQ(c.lang->CountOf(n, false), total - members) << "length " << n;
    }
  }
}

TEST(GrammarLanguage, CountsEqualClosedFormsFarBeyond128Bits) {
  // Dyck-k at length 2n: k^n · Catalan(n); depth ≤ 1: k^n; depth ≤ 2: k·(2k)^(n−1) (words are sequences of
  // blocks "open_i (open_j close_j)* close_i", generating function (1 − kx)/(1 − 2kx)). Odd lengths: none.
  // a^n b^n: one member of each even length.
  for (int k : {1, 2, 3}) {
    auto unbounded = Dyck(k, 0), depth1 = Dyck(k, 1), depth2 = Dyck(k, 2);
    for (int n : {0, 1, 2, 5, 10, 33, 64, 65, 100, 250}) {
      SCOPED_TRACE("k " + std::to_string(k) + " n " + std::to_string(n));
      const Count all = Pow(2 * k, 2 * n);
      EXPECT_EQ(unbounded->CountOf(2 * n, true), Pow(k, n) * Catalan(n));
      EXPECT_EQ(unbounded->CountOf(2 * n, false), all - Pow(k, n) * Catalan(n));
      EXPECT_EQ(depth1->CountOf(2 * n, true), Pow(k, n));
      EXPECT_EQ(depth2->CountOf(2 * n, true), n == 0 ? Count(1) : Count(k * Pow(2 * k, n - 1)));
      EXPECT_EQ(unbounded->CountOf(2 * n + 1, true), 0);
      EXPECT_EQ(unbounded->CountOf(2 * n + 1, false), Pow(2 * k, 2 * n + 1));
    }
  }
  auto anbn = AnBn();
  for (int n : {0, 1, 2, 7, 63, 64, 127, 128, 129, 500}) {
    EXPECT_EQ(anbn->CountOf(n, true), n % 2 == 0 ? 1 : 0) << n;
    EXPECT_EQ(anbn->CountOf(n, false), Pow(2, n) - (n % 2 == 0 ? 1 : 0)) << n;
  }
  EXPECT_EQ(Dyck(2, 0)->CountOf(-1, true), 0);
  EXPECT_EQ(Dyck(2, 0)->CountOf(-1, false), 0);
}

TEST(GrammarLanguage, UnrankIsAnOrderedBijectionAtEveryLength) {
  for (const auto& lang : {Dyck(1, 0), Dyck(2, 0), Dyck(2, 1), Dyck(3, 3), AnBn()}) {
    SCOPED_TRACE(lang->name());
    const int max_len = lang->symbols() == 2 ? 12 : lang->symbols() == 4 ? 8 : 6;
    for (int n = 0; n <= max_len; ++n) {
      for (bool member : {true, false}) {
        std::vector<Word> expected, got;
        ForEachWord(lang->symbols(), n, [&](const Word& w) {
          if (lang->Accepts(w) == member) expected.push_back(w);
        });
        const long count = lang->CountOf(n, member).get_si();
        ASSERT_EQ(count, static_cast<long>(expected.size())) << "length " << n;
        for (long r = 0; r < count; ++r) got.push_back(lang->Unrank(n, member, r));
        ASSERT_EQ(got, expected) << "length " << n << (member ? " members" : " non-members");
      }
    }
  }
}

// The n-symbol binary representation of v, most significant first: the word of rank v among all binary words.
Word Binary(const Count& v, int n) {
  Word w(n);
  for (int i = 0; i < n; ++i) w[n - 1 - i] = mpz_tstbit(v.get_mpz_t(), i);
  return w;
}

TEST(GrammarLanguage, UnrankAtLargeLengthsKnownRanks) {
  // Dyck-1 of length 2n (symbol 0 opens): the first member is "((…))", the last "()()…()"; the first non-member is
  // all opens, the last all closes. a^n b^n has one member, 0^n 1^n, of binary value v: a non-member of value
  // u < v has rank u, one of value u > v has rank u − 1.
  const int n = 150;  // Catalan(150) ≈ 2^290 and 2^300 words: the GMP path
  auto dyck1 = Dyck(1, 0);
  Word nested(2 * n), flat(2 * n);
  for (int i = 0; i < 2 * n; ++i) {
    nested[i] = i < n ? 0 : 1;
    flat[i] = i % 2;
  }
  EXPECT_EQ(dyck1->Unrank(2 * n, true, 0), nested);
  EXPECT_EQ(dyck1->Unrank(2 * n, true, Catalan(n) - 1), flat);
  EXPECT_EQ(dyck1->Unrank(2 * n, false, 0), Word(2 * n, 0));
  EXPECT_EQ(dyck1->Unrank(2 * n, false, Pow(2, 2 * n) - Catalan(n) - 1), Word(2 * n, 1));

  auto anbn = AnBn();
  const Count v = Pow(2, n) - 1;  // 0^n 1^n
  ASSERT_EQ(Binary(v, 2 * n), nested);
  EXPECT_EQ(anbn->Unrank(2 * n, true, 0), nested);
  EXPECT_EQ(anbn->Unrank(2 * n, false, 0), Word(2 * n, 0));
  EXPECT_EQ(anbn->Unrank(2 * n, false, v - 1), Binary(v - 1, 2 * n));
  EXPECT_EQ(anbn->Unrank(2 * n, false, v), Binary(v + 1, 2 * n));
  EXPECT_EQ(anbn->Unrank(2 * n, false, Pow(2, 2 * n) - 2), Word(2 * n, 1));
  EXPECT_EQ(anbn->Unrank(2 * n + 1, false, Pow(2, 140) + 3), Binary(Pow(2, 140) + 3, 2 * n + 1));
}

// Below128 as grammar.cc documents it: below 2^64 one Rng::Below, else top-bit-masked 128-bit draws (high word
// first), rejected until below the total.
U128 Below128(U128 n, Rng& rng) {
  if (n <= ~uint64_t(0)) return rng.Below(static_cast<uint64_t>(n));
  int bits = 128;
  while (!((n >> (bits - 1)) & 1)) --bits;
  for (;;) {
    U128 x = (static_cast<U128>(rng.Next()) << 64) | rng.Next();
    if (bits < 128) x &= (U128(1) << bits) - 1;
    if (x < n) return x;
  }
}

Count ToCount(U128 x) {
  Count c = static_cast<unsigned long>(x >> 64);
  c <<= 64;
  return c + static_cast<unsigned long>(static_cast<uint64_t>(x));
}

U128 ToU128(const Count& c) {
  const Count high = c >> 64;
  const Count low = c - (high << 64);
  return (static_cast<U128>(high.get_ui()) << 64) | low.get_ui();
}

TEST(GrammarLanguage, Sample128BitPathEqualsTheGmpUnrank) {
  // While |Σ|^n < 2^127, Sample walks 128-bit tables; it must give exactly Unrank (the GMP walk) of the same rank.
  // Lengths cover totals below 2^64, between 2^64 and 2^127, and the big-number fallback (4^64 = 2^128).
  for (const auto& lang : {Dyck(1, 0), Dyck(2, 0), Dyck(2, 3), AnBn()}) {
    for (int n : {0, 2, 9, 20, 40, 62, 63, 74, 100, 126, 127}) {
      for (bool member : {true, false}) {
        SCOPED_TRACE(lang->name() + " length " + std::to_string(n) + (member ? " members" : " non-members"));
        const Count total = lang->CountOf(n, member);
        Rng a(77 + n), b(77 + n);
        if (total == 0) {
          EXPECT_THROW(lang->Sample(n, member, a), Error);
          continue;
        }
        const bool fast = Pow(lang->symbols(), n) < Pow(2, 127);
        for (int i = 0; i < 10; ++i) {
          const Word w = lang->Sample(n, member, a);
          const Count rank = fast ? ToCount(Below128(ToU128(total), b)) : RandomBelow(total, b);
          ASSERT_EQ(w, lang->Unrank(n, member, rank)) << "draw " << i;
        }
      }
    }
  }
}

TEST(GrammarLanguage, NextSymbolTargetsMatchBruteForceOnEveryString) {
  // Mask bit a: prefix·a can be completed to a member (a completion, if any, needs at most |prefix·a| symbols:
  // close every open bracket / owed b); bit k: prefix is a member.
  for (const auto& lang : {Dyck(1, 0), Dyck(2, 0), Dyck(2, 2), AnBn()}) {
    SCOPED_TRACE(lang->name());
    const int k = lang->symbols(), max_len = k == 2 ? 6 : 4, search = k == 2 ? 7 : 5;
    auto completable = [&](const Word& prefix) {
      for (int r = 0; r <= search; ++r) {
        bool found = false;
        ForEachWord(k, r, [&](const Word& tail) {
          if (found) return;
          Word w = prefix;
          w.insert(w.end(), tail.begin(), tail.end());
          found = lang->Accepts(w);
        });
        if (found) return true;
      }
      return false;
    };
    for (int n = 1; n <= max_len; ++n) {
      ForEachWord(k, n, [&](const Word& w) {
        const std::vector<uint32_t> masks = lang->NextSymbolTargets(w);
        ASSERT_EQ(masks.size(), w.size());
        for (size_t t = 0; t < w.size(); ++t) {
          Word prefix(w.begin(), w.begin() + t + 1);
          uint32_t want = lang->Accepts(prefix) ? 1u << k : 0u;
          for (int a = 0; a < k; ++a) {
            Word longer = prefix;
            longer.push_back(static_cast<uint8_t>(a));
            if (completable(longer)) want |= 1u << a;
          }
          ASSERT_EQ(masks[t], want) << lang->Decode(w) << " after " << lang->Decode(prefix);
        }
      });
    }
  }
}

TEST(GrammarLanguage, NegativeLengthsAndRanksOutOfRangeThrow) {
  for (const auto& lang : {Dyck(2, 0), AnBn()}) {
    SCOPED_TRACE(lang->name());
    Rng rng(1);
    EXPECT_THROW(lang->Sample(-1, true, rng), Error);
    EXPECT_THROW(lang->Sample(-3, false, rng), Error);
    EXPECT_THROW(lang->Unrank(-1, true, 0), Error);
    EXPECT_THROW(lang->Unrank(4, true, lang->CountOf(4, true)), Error);
    EXPECT_THROW(lang->Unrank(4, false, -1), Error);
    EXPECT_THROW(lang->Sample(3, true, rng), Error);  // no members of odd length
  }
  Rng rng(1);
  try {
    AnBn()->Sample(5, true, rng);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "language anbn has no members of length 5");
  }
  // Also on the big-number path (2^200 ≥ 2^127).
  EXPECT_THROW(AnBn()->Sample(201, true, rng), Error);
}

TEST(GrammarLanguage, RegularOnlyWithADepthBound) {
  EXPECT_FALSE(Dyck(2, 0)->regular());
  EXPECT_TRUE(Dyck(2, 4)->regular());
  EXPECT_FALSE(AnBn()->regular());
  EXPECT_EQ(Dyck(2, 4)->kind(), "grammar");
}

TEST(GrammarLanguage, SpecErrorsNameTheProblem) {
  auto expect_error = [](const std::string& alphabet, const GrammarSpec& spec, const std::string& want) {
    Language::Info info;
    info.name = "x";
    info.alphabet = alphabet;
    info.path = "g.yaml";
    try {
      MakeGrammarLanguage(info, spec);
      ADD_FAILURE() << "accepted: " << want;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), want);
    }
  };
  expect_error("()", {"dyck", 2, 0}, "g.yaml: grammar dyck with 2 pair(s) needs an alphabet of 4 symbols (open, close, ...), got \"()\"");
  expect_error("", {"dyck", 0, 0}, "g.yaml: grammar dyck: pairs must be 1..15, got 0");
  expect_error(std::string(32, 'x'), {"dyck", 16, 0}, "g.yaml: grammar dyck: pairs must be 1..15, got 16");
  expect_error("()", {"dyck", 1, -1}, "g.yaml: grammar dyck: max_depth must be ≥ 0 (0 = unbounded)");
  expect_error("abc", {"anbn", 1, 0}, "g.yaml: grammar anbn needs a two-symbol alphabet (a then b), got \"abc\"");
  expect_error("ab", {"palindrome", 1, 0}, "g.yaml: unknown grammar kind 'palindrome' (known: dyck, anbn)");
}

}  // namespace
}  // namespace flbench
