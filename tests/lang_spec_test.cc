// Language files: every error path names file:line:col and the problem; missing: reject; both ways.
#include <gtest/gtest.h>

#include "lang/spec.h"
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

}  // namespace
}  // namespace flbench
