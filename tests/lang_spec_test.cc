// Language files: every error path names file:line:col and the problem; missing: reject; both ways.
#include <gtest/gtest.h>

#include <cstdlib>

#include "lang/language_dfa.h"
#include "lang/spec.h"
#include "testutil/paths.h"
#include "util/error.h"

namespace flbench {
namespace {

std::string ErrorOf(const std::string& yaml) {
  try {
    ParseLanguage(yaml, "bad.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

void ExpectError(const std::string& yaml, const std::string& location, const std::string& fragment) {
  const std::string e = ErrorOf(yaml);
  EXPECT_EQ(e.rfind("bad.yaml:" + location, 0), 0u) << e;
  EXPECT_NE(e.find(fragment), std::string::npos) << e;
}

const char* kDfaHead = "alphabet: \"01\"\ndfa:\n";

TEST(SpecTest, MalformedYamlGivesLineAndColumn) {
  ExpectError("alphabet: \"01\"\nregex: [1*\n", "3:1:", "malformed YAML");
  ExpectError("alphabet: \"01\"\n  regex: x\n", "2:3:", "malformed YAML");
}

TEST(SpecTest, UnknownAndDuplicateKeys) {
  ExpectError("alphabet: \"01\"\nregexp: \"1*\"\n", "2:1:", "unknown key 'regexp'");
  ExpectError("alphabet: \"01\"\nregex: \"1*\"\nregex: \"0*\"\n", "3:1:", "duplicate key 'regex'");
  ExpectError("alphabet: \"01\"\n", "1:1:", "needs one of 'dfa', 'regex' or 'grammar'");
  ExpectError("regex: \"1*\"\n", "1:1:", "missing 'alphabet'");
  ExpectError("alphabet: \"011\"\nregex: \"1*\"\n", "1:11:", "alphabet symbol '1' repeated");
}

TEST(SpecTest, DfaStateErrors) {
  ExpectError(std::string(kDfaHead) +
                  "  states: [a, b, a]\n  start: a\n  accepting: [a]\n  transitions: {a: {\"0\": a, \"1\": a}}\n",
              "3:18:", "duplicate state 'a'");
  ExpectError(std::string(kDfaHead) +
                  "  states: [a]\n  start: z\n  accepting: [a]\n  transitions: {a: {\"0\": a, \"1\": a}}\n",
              "4:10:", "unknown state 'z'");
  ExpectError(std::string(kDfaHead) +
                  "  states: [a]\n  start: a\n  accepting: [a]\n  transitions:\n    a: {\"0\": a, \"1\": q}\n",
              "7:22:", "unknown state 'q'");
  ExpectError(std::string(kDfaHead) +
                  "  states: [a]\n  start: a\n  accepting: [a]\n  transitions:\n    a: {\"0\": a, \"2\": a}\n",
              "7:17:", "symbol not in the alphabet");
  ExpectError(std::string(kDfaHead) +
                  "  states: [a, b]\n  start: a\n  accepting: [a]\n  transitions:\n    a: {\"0\": b}\n",
              "7:5:", "missing transitions: a on '1', b on '0', b on '1'");
  ExpectError(std::string(kDfaHead) + "  states: [a]\n  accepting: [a]\n  transitions: {a: {\"0\": a, \"1\": a}}\n",
              "3:3:", "dfa is missing 'start'");
}

TEST(SpecTest, MissingRejectCompletesToASink) {
  auto lang = ParseLanguage(std::string(kDfaHead) +
                                "  states: [a, b]\n  start: a\n  accepting: [b]\n  missing: reject\n"
                                "  transitions:\n    a: {\"0\": b}\n    b: {\"1\": a}\n",
                            "ok.yaml");  // (01)*0
  EXPECT_TRUE(lang->Accepts(lang->Encode("010")));
  EXPECT_FALSE(lang->Accepts(lang->Encode("011")));
  EXPECT_EQ(lang->CountOf(3, true), 1);
  EXPECT_EQ(lang->CountOf(3, false), 7);
}

TEST(SpecTest, InvalidRegexReportsRe2Message) {
  ExpectError("alphabet: \"01\"\nregex: \"(01\"\n", "2:8:", "missing ): (01");  // RE2's own wording
  ExpectError("alphabet: \"01\"\nregex: \"012\"\n", "2:8:", "symbol '2' is not in the alphabet");
}

TEST(SpecTest, DfaAndRegexMustAgree) {
  ExpectError(std::string(kDfaHead) +
                  "  states: [e, o]\n  start: e\n  accepting: [o]\n"
                  "  transitions: {e: {\"0\": e, \"1\": o}, o: {\"0\": o, \"1\": e}}\nregex: \"0*10*\"\n",
              "7:8:", "on \"111\" the dfa says member and the regex non-member");
}

TEST(SpecTest, GrammarErrors) {
  ExpectError("alphabet: \"()\"\ngrammar:\n  kind: dyk\n", "3:3:", "unknown grammar kind 'dyk'");
  ExpectError("alphabet: \"()\"\ngrammar:\n  kind: dyck\n  pairs: 2\n", "3:3:", "needs an alphabet of 4 symbols");
  ExpectError("alphabet: \"()\"\ngrammar:\n  kind: dyck\n  pairs: two\n", "4:10:", "'pairs' must be an integer");
}

TEST(SpecTest, UnknownLanguageListsCloseNames) {
  try {
    LoadLanguage("tomita8");
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("unknown language 'tomita8'"), std::string::npos) << m;
    EXPECT_NE(m.find("tomita1"), std::string::npos) << m;
  }
  EXPECT_THROW(LoadLanguage("/nonexistent/x.yaml"), Error);
}

TEST(SpecTest, EncodeRejectsForeignSymbols) {
  auto lang = LoadLanguage("dyck2");
  try {
    lang->Encode("([x])");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("symbol 'x' at position 3 is not in the alphabet \"()[]\""), std::string::npos)
        << e.what();
  }
}

TEST(SpecTest, GrammarKeysDependOnTheKind) {
  ExpectError("alphabet: \"ab\"\ngrammar: {kind: anbn, pairs: 2}\n", "2:", "unknown key 'pairs' in grammar of kind anbn");
  ExpectError("alphabet: \"ab\"\ngrammar: {kind: anbn, max_depth: 2}\n", "2:", "unknown key 'max_depth'");
  EXPECT_EQ(ErrorOf("alphabet: \"()\"\ngrammar: {kind: dyck, pairs: 1, max_depth: 3}\n"), "(no error)");
}

TEST(SpecTest, NullValuesAndMultipleDocumentsAreNamed) {
  ExpectError("alphabet: ~\nregex: \"0*\"\n", "1:11:", "'alphabet' is empty (null");
  ExpectError("alphabet: \"01\"\nregex: ~\n", "2:8:", "'regex' is empty (null");
  ExpectError("alphabet: \"01\"\ngrammar:\n", "", "grammar must be a mapping (key: value), not empty (null)");
  ExpectError("alphabet: \"01\"\nregex: \"0*\"\n---\nalphabet: \"01\"\nregex: \"1*\"\n", "4:1:",
              "a second YAML document starts here");
}

TEST(SpecTest, EscapesAreRefusedWhereTheyAreWritten) {
  ExpectError("alphabet: \"ab\"\nregex: \"\\\\ba*\"\n", "2:8:", "unsupported escape '\\b' (RE2 reads it as a word boundary)");
}

TEST(SpecTest, ADirectoryIsNamedAsOne) {
  try {
    LoadLanguage("/tmp/");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is a directory, not a language file"), std::string::npos) << e.what();
  }
}

// Tables are built on first use: loading and membership of a regex with many states cost no counting.
TEST(SpecTest, LoadingBuildsNoCountingTables) {
  auto lang = ParseLanguage("alphabet: \"0123456789abcdefghijklmnopqrstu\"\nregex: \"" + std::string(32, '.') + "\"\n", "dots.yaml");
  auto dfa = std::dynamic_pointer_cast<const DfaLanguage>(lang);
  ASSERT_TRUE(dfa);
  EXPECT_EQ(dfa->dfa().states(), 34);
  EXPECT_TRUE(lang->Accepts(lang->Encode(std::string(32, 'a'))));
  EXPECT_EQ(dfa->TablesBuilt(), 0);
  Count all = 1;
  for (int i = 0; i < 32; ++i) all *= 31;
  EXPECT_EQ(lang->CountOf(32, true), all);
  EXPECT_EQ(dfa->TablesBuilt(), 33);
}

// Counting tables are estimated before they are built: what does not fit the budget is refused with the estimate,
// what fits is built (a depth-bounded Dyck grammar keeps only depths ≤ max_depth, so length 3000 is cheap and
// agrees with the same language as a regex).
TEST(SpecTest, TablesThatDoNotFitAreRefusedWithAnEstimate) {
  setenv("FLBENCH_MEMORY_LIMIT", "16M", 1);
  auto tomita3 = LoadLanguage("tomita3");
  EXPECT_GT(tomita3->CountOf(200, true), 0);
  try {
    tomita3->CountOf(5000, true);
    ADD_FAILURE() << "no refusal";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("language tomita3: counting strings up to length 5000 (5 DFA states) would need "
                                         "about"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(LoadLanguage("dyck2")->CountOf(1000, false), Error);
  auto grammar = LoadLanguage(testing::SourceDir() + "/tests/data/d4-grammar.yaml");
  auto regex = LoadLanguage("d4");
  EXPECT_EQ(grammar->CountOf(3000, true), regex->CountOf(3000, true));
  EXPECT_EQ(grammar->CountOf(2999, false), regex->CountOf(2999, false));
  unsetenv("FLBENCH_MEMORY_LIMIT");
}

}  // namespace
}  // namespace flbench
