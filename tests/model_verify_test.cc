// Exhaustive verification: the trie walk against one-string forward passes, the language's exact answers against
// brute-force predicates, Verify against a slow string-by-string reference, a hand-set parity network verified exact,
// and a deliberately wrong network giving the expected shortest counterexamples.
#include <gtest/gtest.h>

#include "lang/language_dfa.h"
#include "lang/spec.h"
#include "model/exhaustive.h"
#include "model/verify.h"
#include "model_networks.h"
#include "testutil/reference.h"
#include "util/error.h"

namespace flbench {
namespace {

using testing::NetworkFromDfa;
using testing::RandomNetwork;

const Dfa& DfaOf(const Language& lang) { return dynamic_cast<const DfaLanguage&>(lang).dfa(); }

TEST(ModelVerifyTest, TrieWalkEqualsOneStringForwardPasses) {
  struct Case {
    RnnModel model;
    int max_len;
  };
  const Case cases[] = {
      {RandomNetwork(5, "abc", Task::kNextSymbol, Activation::kTanh, 1), 7},
      {RandomNetwork(5, "01", Task::kMembership, Activation::kRelu, 2, 0.7), 16},  // wide levels: blocks of 256
      {RandomNetwork(40, "01", Task::kMembership, Activation::kSigmoid, 3), 11},
      {RandomNetwork(3, "0", Task::kNextSymbol, Activation::kCos, 4), 30},
      {RandomNetwork(4, "xyz", Task::kNextSymbol, Activation::kIdentity, 5, 0.5), 6}};
  for (const Case& c : cases) {
    const StringSpace S(c.model.d, c.max_len);
    const std::vector<uint32_t> table = ModelDecisions(c.model, S);
    ASSERT_EQ(table.size(), S.total());
    EXPECT_EQ(table[0], EmptyDecision(c.model));
    uint64_t checked = 0;
    for (int n = 1; n <= c.max_len; ++n)
      for (uint64_t q = 0; q < S.count(n); ++q) {
        const Word w = S.At(n, q);
        ASSERT_EQ(table[S.start[n] + q], ModelForward(c.model, w).back()) << "length " << n << " rank " << q;
        ++checked;
      }
    EXPECT_EQ(checked + 1, S.total());
  }
}

TEST(ModelVerifyTest, LanguageTargetsMatchBruteForce) {
  const auto& ref = testing::ReferenceLanguages();
  for (const char* name : {"tomita3", "parity", "dyck1", "contains-0110"}) {
    const auto lang = LoadLanguage(name);
    const StringSpace S(lang->symbols(), 10);
    const auto member = LanguageTargets(*lang, Task::kMembership, S);
    const auto next = LanguageTargets(*lang, Task::kNextSymbol, S);
    const auto& pred = ref.at(name);
    for (int n = 0; n <= 10; ++n)
      for (uint64_t q = 0; q < S.count(n); ++q) {
        const std::string s = lang->Decode(S.At(n, q));
        ASSERT_EQ(member[S.start[n] + q], pred(s) ? 1u : 0u) << name << " '" << s << "'";
        ASSERT_EQ((next[S.start[n] + q] >> lang->symbols()) & 1, pred(s) ? 1u : 0u) << name << " '" << s << "'";
        if (n > 6) continue;
        // Continuations, by brute force: some completion of length ≤ 10 is a member.
        for (int a = 0; a < lang->symbols(); ++a) {
          bool live = false;
          for (int r = 0; r <= 10 && !live; ++r)
            for (const std::string& u : testing::AllStrings(lang->alphabet(), r))
              if (pred(s + lang->alphabet()[a] + u)) {
                live = true;
                break;
              }
          ASSERT_EQ((next[S.start[n] + q] >> a) & 1, live ? 1u : 0u) << name << " '" << s << "' then " << a;
        }
      }
  }
}

// The slow, obvious reference: one string at a time, in shortlex order.
VerifyResult SlowVerify(const RnnModel& M, const Language& lang, int max_len) {
  VerifyResult r;
  for (int n = 1; n <= max_len; ++n) {
    LengthErrors le{n, 0, 0};
    for (const std::string& s : testing::AllStrings(lang.alphabet(), n)) {
      const Word w = lang.Encode(s);
      const std::vector<uint32_t> steps = ModelForward(M, w);
      if (M.task == Task::kMembership) {
        const bool want = lang.Accepts(w), got = steps.back() & 1;
        ++le.strings;
        if (want != got) {
          ++le.errors;
          if (r.counterexamples.size() < 5) r.counterexamples.push_back({s, got ? "1" : "0", want ? "1" : "0"});
        }
        continue;
      }
      const std::vector<uint32_t> targets = lang.NextSymbolTargets(w);
      if (targets.back() == 0) continue;
      ++le.strings;
      size_t first_wrong = w.size();
      const uint32_t mask = (2u << M.d) - 1;
      for (size_t t = 0; t < w.size() && first_wrong == w.size(); ++t)
        if ((steps[t] & mask) != targets[t]) first_wrong = t;
      if (first_wrong == w.size()) continue;
      ++le.errors;
      if (first_wrong + 1 == w.size() && r.counterexamples.size() < 5) {
        std::string got, want;
        for (size_t t = 0; t < w.size(); ++t) {
          got += (t ? "," : "") + MaskText(steps[t] & mask, M.d);
          want += (t ? "," : "") + MaskText(targets[t], M.d);
        }
        r.counterexamples.push_back({s, got, want});
      }
    }
    r.per_length.push_back(le);
  }
  return r;
}

void ExpectSame(const VerifyResult& fast, const VerifyResult& slow) {
  ASSERT_EQ(fast.per_length.size(), slow.per_length.size());
  uint64_t strings = 0, errors = 0;
  for (size_t i = 0; i < slow.per_length.size(); ++i) {
    EXPECT_EQ(fast.per_length[i].length, slow.per_length[i].length);
    EXPECT_EQ(fast.per_length[i].strings, slow.per_length[i].strings) << "length " << i + 1;
    EXPECT_EQ(fast.per_length[i].errors, slow.per_length[i].errors) << "length " << i + 1;
    strings += slow.per_length[i].strings;
    errors += slow.per_length[i].errors;
  }
  EXPECT_EQ(fast.strings, strings);
  EXPECT_EQ(fast.errors, errors);
  ASSERT_EQ(fast.counterexamples.size(), slow.counterexamples.size());
  for (size_t i = 0; i < slow.counterexamples.size(); ++i) {
    EXPECT_EQ(fast.counterexamples[i].text, slow.counterexamples[i].text);
    EXPECT_EQ(fast.counterexamples[i].model, slow.counterexamples[i].model);
    EXPECT_EQ(fast.counterexamples[i].expected, slow.counterexamples[i].expected);
  }
}

TEST(ModelVerifyTest, VerifyEqualsTheSlowReference) {
  const auto dyck1 = LoadLanguage("dyck1"), tomita3 = LoadLanguage("tomita3"), t4 = LoadLanguage("tomita4");
  ExpectSame(Verify(RandomNetwork(6, "()", Task::kMembership, Activation::kTanh, 9), *dyck1, 10),
             SlowVerify(RandomNetwork(6, "()", Task::kMembership, Activation::kTanh, 9), *dyck1, 10));
  for (uint64_t seed : {1, 2, 3}) {
    const RnnModel M = RandomNetwork(6, "()", Task::kNextSymbol, Activation::kRelu, seed);
    ExpectSame(Verify(M, *dyck1, 10), SlowVerify(M, *dyck1, 10));
  }
  // A nearly right next-symbol network (Tomita 4's exact one with noise) has long strings to count.
  RnnModel near = NetworkFromDfa(DfaOf(*t4), "01", Task::kNextSymbol);
  Rng rng(4);
  for (float& w : near.weight_hh) w += static_cast<float>(rng.Uniform(-0.3, 0.3));
  const VerifyResult fast = Verify(near, *t4, 12);
  ExpectSame(fast, SlowVerify(near, *t4, 12));
  EXPECT_GT(fast.strings, 1000u);
  const RnnModel M3 = RandomNetwork(7, "01", Task::kNextSymbol, Activation::kTanh, 5);
  ExpectSame(Verify(M3, *tomita3, 9), SlowVerify(M3, *tomita3, 9));
}

TEST(ModelVerifyTest, HandSetParityNetworkIsExact) {
  const auto parity = LoadLanguage("parity");
  const RnnModel M = NetworkFromDfa(DfaOf(*parity), "01", Task::kMembership, "parity");
  const VerifyResult r = Verify(M, *parity, 16);
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.errors, 0u);
  EXPECT_EQ(r.error_rate, 0.0);
  EXPECT_EQ(r.strings, (uint64_t(1) << 17) - 2);
  ASSERT_EQ(r.per_length.size(), 16u);
  for (int n = 1; n <= 16; ++n) EXPECT_EQ(r.per_length[n - 1].strings, uint64_t(1) << n);
  EXPECT_TRUE(r.counterexamples.empty());
  EXPECT_EQ(r.empty_model, "0");     // readout.bias = 0: logit 0 is not > 0
  EXPECT_EQ(r.empty_language, "0");  // no 1s: even
  const auto j = ToJson(r);
  EXPECT_EQ(j["exact"], true);
  EXPECT_EQ(j["per_length"][3]["strings"], 16);
  EXPECT_EQ(j["per_length"][3]["accuracy"], 1.0);
}

// Per-length errors on sampled examples: over every string of lengths 1..9 they are the exhaustive counts.
TEST(ModelVerifyTest, SampledByLengthEqualsExhaustiveOnAllStrings) {
  const auto t3 = LoadLanguage("tomita3");
  const RnnModel M = RandomNetwork(6, "01", Task::kMembership, Activation::kTanh, 11);
  std::vector<Example> all;
  for (int n = 1; n <= 9; ++n)
    for (uint32_t r = 0; r < (1u << n); ++r) {
      Example e;
      for (int t = n - 1; t >= 0; --t) e.x.push_back(static_cast<uint8_t>((r >> t) & 1));
      e.label = t3->Accepts(e.x) ? 1 : 0;
      all.push_back(e);
    }
  const std::vector<LengthErrors> sampled = SampledByLength(M, all);
  const VerifyResult exact = Verify(M, *t3, 9);
  ASSERT_EQ(sampled.size(), 9u);
  uint64_t errors = 0;
  for (int n = 1; n <= 9; ++n) {
    EXPECT_EQ(sampled[n - 1].length, n);
    EXPECT_EQ(sampled[n - 1].strings, exact.per_length[n - 1].strings);
    EXPECT_EQ(sampled[n - 1].errors, exact.per_length[n - 1].errors) << "length " << n;
    errors += sampled[n - 1].errors;
  }
  EXPECT_GT(errors, 0u);  // a random network: the comparison is not vacuous
  Example bad;
  bad.x = {0, 2};
  EXPECT_THROW(SampledByLength(M, {bad}), Error);
}

TEST(ModelVerifyTest, HandSetNextSymbolNetworkIsExact) {
  for (const char* name : {"tomita4", "tomita3", "abab", "d2"}) {
    const auto lang = LoadLanguage(name);
    const RnnModel M = NetworkFromDfa(DfaOf(*lang), lang->alphabet(), Task::kNextSymbol, name);
    const VerifyResult r = Verify(M, *lang, 14);
    EXPECT_TRUE(r.exact) << name << ": " << ToJson(r).dump();
    EXPECT_GE(r.strings, 14u);  // (0101)* has one live string per length
  }
}

TEST(ModelVerifyTest, WrongNetworkGivesTheExpectedShortestCounterexamples) {
  // The network counts 0s (odd number of 0s) where parity counts 1s: on odd lengths exactly one of the two counts is
  // odd, so every odd-length string is wrong; on even lengths the two parities agree.
  const auto parity = LoadLanguage("parity");
  Dfa zeros = DfaOf(*parity);
  for (int q = 0; q < zeros.states(); ++q) std::swap(zeros.next[q * 2], zeros.next[q * 2 + 1]);
  const RnnModel M = NetworkFromDfa(zeros, "01", Task::kMembership, "parity");
  const VerifyResult r = Verify(M, *parity, 9);
  EXPECT_FALSE(r.exact);
  for (int n = 1; n <= 9; ++n) EXPECT_EQ(r.per_length[n - 1].errors, n % 2 ? uint64_t(1) << n : 0u) << n;
  EXPECT_EQ(r.errors, 2u + 8 + 32 + 128 + 512);
  EXPECT_DOUBLE_EQ(r.error_rate, 682.0 / 1022.0);
  ASSERT_EQ(r.counterexamples.size(), 5u);
  const char* texts[] = {"0", "1", "000", "001", "010"};
  const char* model[] = {"1", "0", "1", "0", "0"};
  const char* right[] = {"0", "1", "0", "1", "1"};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(r.counterexamples[i].text, texts[i]);
    EXPECT_EQ(r.counterexamples[i].model, model[i]) << texts[i];
    EXPECT_EQ(r.counterexamples[i].expected, right[i]) << texts[i];
  }
}

TEST(ModelVerifyTest, BadArgumentsAreErrors) {
  const auto parity = LoadLanguage("parity"), dyck1 = LoadLanguage("dyck1");
  const RnnModel M = NetworkFromDfa(DfaOf(*parity), "01", Task::kMembership);
  EXPECT_THROW(Verify(M, *dyck1, 5), Error);   // alphabets differ
  EXPECT_THROW(Verify(M, *parity, 40), Error);  // 2^41 strings
  EXPECT_THROW(Verify(M, *parity, -1), Error);
}

}  // namespace
}  // namespace flbench
