// BuildDataset: sizes, balance, disjointness, take-all notes, next-symbol targets, determinism; Splits::kAllStrings
// against a brute-force enumeration, train = test, and its refusals.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "lang/dataset_builder.h"
#include "lang/spec.h"
#include "testutil/reference.h"
#include "util/error.h"

namespace flbench {
namespace {

std::string Text(const Example& e) { return std::string(e.x.begin(), e.x.end()); }

std::vector<const Split*> AllSplits(const Dataset& d) {
  std::vector<const Split*> v{&d.train, &d.validation};
  for (const auto& t : d.tests) v.push_back(&t);
  return v;
}

TEST(DatasetTest, SizesBalanceRangesAndDisjointness) {
  auto lang = LoadLanguage("tomita4");
  DatasetSpec spec;
  spec.train = 1000;
  spec.validation = 100;
  spec.test = 300;
  spec.min_len = 2;
  spec.max_len = 20;
  spec.test_bins = {{21, 30}, {31, 40}};
  const Dataset d = BuildDataset(*lang, spec);
  EXPECT_EQ(d.train.examples.size(), 1000u);
  EXPECT_EQ(d.validation.examples.size(), 100u);
  ASSERT_EQ(d.tests.size(), 3u);
  EXPECT_EQ(d.tests[1].name, "test[21,30]");
  std::set<std::string> seen;
  const auto& ref = testing::ReferenceLanguages().at("tomita4");
  for (const Split* s : AllSplits(d)) {
    int pos = 0;
    for (const Example& e : s->examples) {
      EXPECT_TRUE(seen.insert(Text(e)).second) << "duplicate across or within splits";
      EXPECT_GE(static_cast<int>(e.x.size()), s->min_len);
      EXPECT_LE(static_cast<int>(e.x.size()), s->max_len);
      EXPECT_EQ(ref(lang->Decode(e.x)), e.label == 1);
      pos += e.label;
    }
    EXPECT_EQ(pos, static_cast<int>((s->examples.size() + 1) / 2)) << s->name;
  }
}

TEST(DatasetTest, TakesAllWhenTheLanguageIsSmallAndSaysSo) {
  auto lang = LoadLanguage("tomita1");  // 49 members with length in [2, 50]
  DatasetSpec spec;
  spec.task = Task::kNextSymbol;
  spec.train = 50;
  spec.test = 100;
  spec.min_len = 2;
  spec.max_len = 50;
  std::vector<std::string> notes;
  const Dataset d = BuildDataset(*lang, spec, &notes);
  EXPECT_EQ(d.train.examples.size() + d.tests[0].examples.size(), 49u);
  EXPECT_EQ(d.train.examples.size(), 16u);  // 49 shared 50:100 → 16.3 : 32.7 → 16 : 33
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("only 49 members"), std::string::npos) << notes[0];
}

TEST(DatasetTest, NextSymbolTargetsMatchBruteForce) {
  for (const char* name : {"tomita3", "d2", "dyck2", "anbn", "abab"}) {
    SCOPED_TRACE(name);
    auto lang = LoadLanguage(name);
    const auto& ref = testing::ReferenceLanguages().at(name);
    DatasetSpec spec;
    spec.task = Task::kNextSymbol;
    spec.train = 40;
    spec.test = 0;
    spec.min_len = 1;
    spec.max_len = lang->symbols() > 2 ? 5 : 8;
    const int search = lang->symbols() > 2 ? 6 : 10;  // longest completion needed: the depth, ≤ max_len + 1
    const Dataset d = BuildDataset(*lang, spec);
    ASSERT_FALSE(d.train.examples.empty());
    for (const Example& e : d.train.examples) {
      ASSERT_EQ(e.label, 1);
      ASSERT_EQ(e.next.size(), e.x.size());
      const std::string s = lang->Decode(e.x);
      for (size_t t = 0; t < e.x.size(); ++t) {
        const std::string prefix = s.substr(0, t + 1);
        for (int a = 0; a <= lang->symbols(); ++a) {
          bool expected;
          if (a == lang->symbols()) {
            expected = ref(prefix);
          } else {  // can prefix·a be completed to a member? search completions up to length 10
            expected = false;
            for (int k = 0; k <= search && !expected; ++k)
              for (const auto& tail : testing::AllStrings(lang->alphabet(), k))
                if (ref(prefix + lang->alphabet()[a] + tail)) {
                  expected = true;
                  break;
                }
          }
          ASSERT_EQ((e.next[t] >> a & 1) != 0, expected) << s << " prefix " << prefix << " symbol " << a;
        }
      }
    }
  }
}

TEST(DatasetTest, PerturbNegativesAreNonMembers) {
  auto lang = LoadLanguage("dyck2");
  DatasetSpec spec;
  spec.negatives = Negatives::kPerturb;
  spec.train = 400;
  spec.test = 100;
  spec.min_len = 2;
  spec.max_len = 30;
  const Dataset d = BuildDataset(*lang, spec);
  int neg = 0;
  for (const Example& e : d.train.examples)
    if (!e.label) {
      ++neg;
      EXPECT_FALSE(lang->Accepts(e.x));
    }
  EXPECT_EQ(neg, 200);
}

// 0^n1^n has few near-misses; when they run out, every split keeps its proportional share.
TEST(DatasetTest, ScarcePerturbedNegativesAreSharedAcrossSplits) {
  auto lang = LoadLanguage("anbn");
  DatasetSpec spec;
  spec.negatives = Negatives::kPerturb;
  spec.train = 4000;
  spec.validation = 500;
  spec.test = 1000;
  spec.min_len = 2;
  spec.max_len = 30;
  std::vector<std::string> notes;
  const Dataset d = BuildDataset(*lang, spec, &notes);
  auto negatives = [](const Split& s) {
    size_t n = 0;
    for (const Example& e : s.examples) n += e.label == 0;
    return static_cast<double>(n);
  };
  const double train = negatives(d.train), val = negatives(d.validation), test = negatives(d.tests[0]);
  ASSERT_GT(train, 0);
  EXPECT_LT(train, 2000) << "supply is scarce at these lengths";
  EXPECT_NEAR(val / train, 250.0 / 2000, 0.02);
  EXPECT_NEAR(test / train, 500.0 / 2000, 0.02);
  EXPECT_FALSE(notes.empty());
}

TEST(DatasetTest, DeterministicAcrossRunsAndThreads) {
  auto lang = LoadLanguage("d3");
  DatasetSpec spec;
  spec.train = 500;
  spec.test = 100;
  spec.min_len = 2;
  spec.max_len = 60;
  spec.test_bins = {{61, 80}};
  spec.seed = 42;
  auto fingerprint = [&] {
    const Dataset d = BuildDataset(*lang, spec);
    std::string f;
    for (const Split* s : AllSplits(d))
      for (const Example& e : s->examples) f += Text(e) + char('0' + e.label) + "|";
    return f;
  };
  const std::string once = fingerprint();
  EXPECT_EQ(once, fingerprint());
  std::vector<std::string> in_threads(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&, i] { in_threads[i] = fingerprint(); });
  for (auto& t : threads) t.join();
  for (const auto& f : in_threads) EXPECT_EQ(f, once);
  spec.seed = 43;
  EXPECT_NE(once, fingerprint());
}

TEST(DatasetTest, ErrorsForEmptyRangesAndBadSpecs) {
  auto abab = LoadLanguage("abab");
  DatasetSpec spec;
  spec.min_len = 5;
  spec.max_len = 7;  // no member of (0101)* has length 5..7
  try {
    BuildDataset(*abab, spec);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no members with length in [5, 7]"), std::string::npos) << e.what();
  }
  spec.min_len = 9;
  spec.max_len = 3;
  EXPECT_THROW(BuildDataset(*abab, spec), Error);
  spec.min_len = 0;
  spec.max_len = 10;
  spec.task = Task::kNextSymbol;
  EXPECT_THROW(BuildDataset(*abab, spec), Error);
}

// Splits::kAllStrings against brute force: every string over the alphabet of each training length, kept when the
// language's own automaton accepts it (checked against the reference predicate written from the definition).
TEST(DatasetAllStringsTest, TrainIsEveryMemberByBruteForceAndTestIsTrain) {
  for (const char* name : {"tomita1", "tomita2", "tomita3", "tomita7", "parity", "aa", "abab", "aabb", "d2", "dyck2",
                           "anbn"}) {
    SCOPED_TRACE(name);
    auto lang = LoadLanguage(name);
    const auto& ref = testing::ReferenceLanguages().at(name);
    DatasetSpec spec;
    spec.task = Task::kNextSymbol;
    spec.splits = Splits::kAllStrings;
    spec.train = 1000000;  // an upper bound: all-strings takes what there is
    spec.test = 30;
    spec.min_len = 1;
    spec.max_len = lang->symbols() > 2 ? 8 : 12;
    spec.test_bins = {{spec.max_len + 1, spec.max_len + 4}};
    std::set<std::string> expected;
    for (int n = spec.min_len; n <= spec.max_len; ++n)
      for (const std::string& s : testing::AllStrings(lang->alphabet(), n)) {
        const bool member = lang->Accepts(lang->Encode(s));
        ASSERT_EQ(member, ref(s)) << s;
        if (member) expected.insert(s);
      }
    ASSERT_FALSE(expected.empty());
    std::vector<std::string> notes;
    const Dataset d = BuildDataset(*lang, spec, &notes);
    std::set<std::string> train;
    for (const Example& e : d.train.examples) {
      EXPECT_EQ(e.label, 1);
      EXPECT_EQ(e.next, lang->NextSymbolTargets(e.x));
      train.insert(lang->Decode(e.x));
    }
    EXPECT_EQ(d.train.examples.size(), expected.size()) << "each member exactly once";
    EXPECT_EQ(train, expected);
    EXPECT_TRUE(d.validation.examples.empty());
    ASSERT_EQ(d.tests.size(), 2u);
    const Split& test = d.tests[0];
    EXPECT_EQ(test.name, "test");
    EXPECT_EQ(test.min_len, spec.min_len);
    EXPECT_EQ(test.max_len, spec.max_len);
    ASSERT_EQ(test.examples.size(), d.train.examples.size());
    for (size_t i = 0; i < test.examples.size(); ++i) {
      EXPECT_EQ(test.examples[i].x, d.train.examples[i].x);
      EXPECT_EQ(test.examples[i].label, d.train.examples[i].label);
      EXPECT_EQ(test.examples[i].next, d.train.examples[i].next);
    }
    // The longer bin is built as with disjoint splits: members of its lengths, none seen in training.
    EXPECT_FALSE(d.tests[1].examples.empty());
    for (const Example& e : d.tests[1].examples) {
      EXPECT_GE(static_cast<int>(e.x.size()), spec.max_len + 1);
      EXPECT_LE(static_cast<int>(e.x.size()), spec.max_len + 4);
      EXPECT_TRUE(ref(lang->Decode(e.x)));
      EXPECT_EQ(train.count(lang->Decode(e.x)), 0u);
    }
    ASSERT_FALSE(notes.empty());
    EXPECT_EQ(notes[0], fmt::format("{}: train and test = all {} members of lengths 1–{} (paper-like overlap, splits: "
                                    "all-strings)",
                                    name, expected.size(), spec.max_len));
  }
}

// Table 1's small languages at their real lengths (suites/table1-small.yaml), against closed forms: the training
// set is exactly the powers of the language's period, as many as the paper's training size.
TEST(DatasetAllStringsTest, TableOneSmallLanguagesAreTheirClosedForms) {
  struct Case {
    const char* name;
    std::string unit;
    int min_len, max_len;
    int64_t count;
  };
  for (const Case& c : {Case{"tomita1", "1", 2, 50, 49}, Case{"tomita2", "10", 2, 50, 25},
                        Case{"aa", "00", 2, 500, 250}, Case{"abab", "0101", 4, 500, 125}}) {
    SCOPED_TRACE(c.name);
    auto lang = LoadLanguage(c.name);
    DatasetSpec spec;
    spec.task = Task::kNextSymbol;
    spec.splits = Splits::kAllStrings;
    spec.train = c.count;  // exactly enough
    spec.test = 10;
    spec.min_len = c.min_len;
    spec.max_len = c.max_len;
    std::set<std::string> expected;
    for (std::string s = c.unit; static_cast<int>(s.size()) <= c.max_len; s += c.unit)
      if (static_cast<int>(s.size()) >= c.min_len) expected.insert(s);
    ASSERT_EQ(static_cast<int64_t>(expected.size()), c.count);
    const Dataset d = BuildDataset(*lang, spec);
    std::set<std::string> train, test;
    for (const Example& e : d.train.examples) train.insert(lang->Decode(e.x));
    for (const Example& e : d.tests[0].examples) test.insert(lang->Decode(e.x));
    EXPECT_EQ(static_cast<int64_t>(d.train.examples.size()), c.count);
    EXPECT_EQ(train, expected);
    EXPECT_EQ(test, expected);
    spec.train = c.count - 1;  // one short: refused with the count, never sampled down
    try {
      BuildDataset(*lang, spec);
      ADD_FAILURE() << "train below the number of strings must be refused";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(fmt::format("{} has {} members with length in [{}, {}], more than train = {}",
                                                       c.name, c.count, c.min_len, c.max_len, c.count - 1)),
                std::string::npos)
          << e.what();
    }
  }
}

// Membership: every member and as many distinct non-members (uniform or perturbed), balanced; test = train.
TEST(DatasetAllStringsTest, MembershipTakesEveryMemberAndAsManyNonMembers) {
  auto lang = LoadLanguage("tomita1");  // 49 members with length in [2, 50]
  const auto& ref = testing::ReferenceLanguages().at("tomita1");
  for (Negatives negatives : {Negatives::kUniform, Negatives::kPerturb}) {
    DatasetSpec spec;
    spec.splits = Splits::kAllStrings;
    spec.negatives = negatives;
    spec.train = 98;
    std::vector<std::string> notes;
    const Dataset d = BuildDataset(*lang, spec, &notes);
    std::set<std::string> members, non_members;
    for (const Example& e : d.train.examples) {
      const std::string s = lang->Decode(e.x);
      EXPECT_EQ(ref(s), e.label == 1) << s;
      EXPECT_TRUE((e.label ? members : non_members).insert(s).second) << "duplicate " << s;
    }
    EXPECT_EQ(members.size(), 49u);
    EXPECT_EQ(non_members.size(), 49u);
    ASSERT_EQ(d.tests[0].examples.size(), d.train.examples.size());
    for (size_t i = 0; i < d.train.examples.size(); ++i) EXPECT_EQ(d.tests[0].examples[i].x, d.train.examples[i].x);
    ASSERT_FALSE(notes.empty());
    EXPECT_EQ(notes.back(), fmt::format("tomita1: train and test = all 49 members and 49 {} non-members of lengths "
                                        "2–50 (paper-like overlap, splits: all-strings)",
                                        negatives == Negatives::kPerturb ? "perturbed" : "uniform"));
  }
}

TEST(DatasetAllStringsTest, RefusesMoreStringsThanTrainAndAValidationSplit) {
  auto lang = LoadLanguage("tomita1");
  DatasetSpec spec;
  spec.splits = Splits::kAllStrings;
  spec.train = 97;  // membership needs 49 members + 49 non-members
  try {
    CheckDatasetSpec(*lang, spec);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(98 strings with as many non-members), more than train = 97; raise train to "
                                          "98"),
              std::string::npos)
        << e.what();
  }
  spec.train = 98;
  EXPECT_NO_THROW(CheckDatasetSpec(*lang, spec));
  spec.validation = 1;
  try {
    BuildDataset(*lang, spec);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("splits all-strings needs validation 0"), std::string::npos) << e.what();
  }
  // A language with astronomically many strings of the training lengths is refused before anything is enumerated.
  auto tomita3 = LoadLanguage("tomita3");
  spec.validation = 0;
  spec.task = Task::kNextSymbol;
  spec.train = 1000000000;
  try {
    CheckDatasetSpec(*tomita3, spec);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tomita3 has "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("more than train = 1000000000"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace flbench
