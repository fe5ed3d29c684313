// The regex compiler against RE2 and against the reference predicates, and its error messages.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include "lang/language_dfa.h"
#include "lang/regex.h"
#include "lang/spec.h"
#include "testutil/reference.h"
#include "util/error.h"

namespace flbench {
namespace {

using testing::AllStrings;
using testing::ReferenceLanguages;

// For every shipped regular language: its DFA, the DFA compiled from its regex, RE2 and the
// reference predicate agree on every string up to length 12.
TEST(RegexTest, ShippedRegularLanguagesAgreeWithRe2AndReference) {
  int checked = 0;
  for (const auto& name : LanguageNames()) {
    auto lang = LoadLanguage(name);
    if (!lang->regular()) continue;
    SCOPED_TRACE(name);
    const auto* dl = dynamic_cast<const DfaLanguage*>(lang.get());
    ASSERT_NE(dl, nullptr) << "regular languages are DfaLanguage";
    ASSERT_FALSE(dl->regex().empty()) << "every shipped regular language has a regex for RE2";
    const Dfa compiled = CompileRegex(dl->regex(), lang->alphabet());
    RE2 re(dl->regex());
    ASSERT_TRUE(re.ok());
    const auto& ref = ReferenceLanguages().at(name);
    for (int n = 0; n <= 12; ++n) {
      for (const std::string& s : AllStrings(lang->alphabet(), n)) {
        const Word w = lang->Encode(s);
        const bool expected = ref(s);
        ASSERT_EQ(dl->Accepts(w), expected) << "DFA on \"" << s << "\"";
        ASSERT_EQ(compiled.Accepts(w), expected) << "compiled regex on \"" << s << "\"";
        ASSERT_EQ(RE2::FullMatch(s, re), expected) << "RE2 on \"" << s << "\"";
      }
    }
    ++checked;
  }
  EXPECT_GE(checked, 17);
}

// Syntax beyond the shipped files: classes, counted repetition, escapes, empty alternatives, lazy
// modifiers — checked against RE2 on all strings up to length 8.
TEST(RegexTest, SyntaxMatchesRe2) {
  const std::string alphabet = "ab()";
  const std::vector<std::string> patterns = {
      "a{2,3}b?",   "(ab){0,2}",   "[ab]{3}",      "[^a]*",       "\\(a*\\)",    "(a|)(b|)",  "a{2,}",
      "(?:ab|ba)+", "a*?b+?",      ".a.",          "[a-b]+\\)",   "((a))*",      "()",        "a|b|\\(",
      "(a{1,2}b){2}", "[()]a{0}b", "(a*|b*)*",     "[\\(\\)]{1,2}",
  };
  for (const auto& p : patterns) {
    SCOPED_TRACE(p);
    const Dfa dfa = CompileRegex(p, alphabet);
    RE2 re(p);
    ASSERT_TRUE(re.ok()) << re.error();
    for (int n = 0; n <= 8; ++n)
      for (const std::string& s : AllStrings(alphabet, n)) {
        Word w;
        for (char c : s) w.push_back(static_cast<uint8_t>(alphabet.find(c)));
        ASSERT_EQ(dfa.Accepts(w), RE2::FullMatch(s, re)) << "on \"" << s << "\"";
      }
  }
}

TEST(RegexTest, MinimalDfaSizes) {
  EXPECT_EQ(CompileRegex("1*", "01").states(), 2);            // loop + dead
  EXPECT_EQ(CompileRegex("(0101)*", "01").states(), 5);       // 4 phases + dead
  EXPECT_EQ(CompileRegex("[01]*0110[01]*", "01").states(), 5);  // KMP automaton, no dead state
}

TEST(RegexTest, DeepNestingDoesNotRecurse) {
  const std::string p = std::string(20000, '(') + "0" + std::string(20000, ')') + "*";
  const Dfa dfa = CompileRegex(p, "01");
  EXPECT_TRUE(dfa.Accepts(Word{0, 0, 0}));
  EXPECT_FALSE(dfa.Accepts(Word{1}));
}

void ExpectError(const std::string& pattern, const std::string& fragment) {
  try {
    CompileRegex(pattern, "01", "x.yaml:3:8: ");
    FAIL() << "no error for " << pattern;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("x.yaml:3:8: "), std::string::npos) << e.what();
  }
}

TEST(RegexTest, ErrorsNameColumnAndProblem) {
  ExpectError("01(2)", "column 4: symbol '2' is not in the alphabet");
  ExpectError("(01", "column 1: missing ')'");
  ExpectError("01)", "column 3: unexpected ')'");
  ExpectError("*0", "column 1: missing argument to repetition");
  ExpectError("0**", "column 3: bad repetition operator");
  ExpectError("0{3,2}", "max < min");
  ExpectError("0{2000}", "above 1000");
  ExpectError("[01", "missing ']'");
  ExpectError("^0", "anchor");
  ExpectError("\\d", "unsupported escape");
  ExpectError("((0|1){1000}){1000}", "pattern too large");
  ExpectError("(0|1)*0(0|1){20}", "needs more than");
  ExpectError("[01]{04,}1", "column 5: repetition count '04' has a leading zero");  // found by the fuzzer
  ExpectError("0{1,007}", "leading zero");
}

// Escaped letters and digits mean something else to RE2 (\b a word boundary, \0 NUL, \d a class…), so
// they are refused even when the letter is in the alphabet; escaped punctuation stands for itself.
TEST(RegexTest, EscapesRe2ReadsDifferentlyAreRefused) {
  const std::string alphabet = "abdnstwxzABCEQPpN019:[]";
  for (const char* p : {"\\ba*", "a\\B", "\\a", "\\0", "\\1", "\\d", "\\s", "\\t", "\\n", "\\A", "a\\z",
                        "\\pN", "\\PN", "\\x41", "\\Qa\\E", "\\C", "\\w", "[\\d]", "[a\\n]", "[[:alpha:]]",
                        "[^[:digit:]]"}) {
    SCOPED_TRACE(p);
    try {
      CompileRegex(p, alphabet, "w.yaml:2:8: ");
      ADD_FAILURE() << "compiled";
    } catch (const Error& e) {
      const std::string m = e.what();
      EXPECT_EQ(m.rfind("w.yaml:2:8: regex column ", 0), 0u) << m;
      EXPECT_TRUE(m.find("unsupported escape") != std::string::npos || m.find("POSIX class") != std::string::npos) << m;
    }
  }
  const Dfa dfa = CompileRegex("\\[a\\]\\.", "[]a.");
  EXPECT_TRUE(dfa.Accepts(Word{0, 2, 1, 3}));
}

// The load-time cross-check finds a DFA that disagrees with RE2 and names the shortest string it tried.
TEST(RegexTest, CrossCheckNamesADisagreement) {
  RE2::Options opts;
  opts.set_encoding(RE2::Options::EncodingLatin1);
  const RE2 re("(ab)*", opts);
  EXPECT_NO_THROW(CrossCheckRegex(CompileRegex("(ab)*", "ab"), re, "ab"));
  try {
    CrossCheckRegex(CompileRegex("(ab)*a?", "ab"), re, "ab", "w.yaml:2:8: ");
    FAIL() << "no disagreement found";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("w.yaml:2:8: regex: the compiled automaton and RE2 disagree on \"a\""),
              std::string::npos)
        << e.what();
  }
  // A difference only beyond the enumerated lengths (here: above 20) is found by the random probes.
  const RE2 short_re("[ab]{0,20}", opts);
  try {
    CrossCheckRegex(CompileRegex("[ab]*", "ab"), short_re, "ab");
    FAIL() << "no disagreement found";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(RE2 says non-member, the compiler member)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace flbench
