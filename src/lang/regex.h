// Regex → minimal DFA over a language's alphabet, for generation (RE2 stays the membership oracle).
// Syntax: symbols (escape metacharacters with \), '.', classes [..] / [^..] with ranges, groups (..)
// and (?:..), '|', '*', '+', '?', {n}, {n,}, {n,m} (n, m ≤ 1000; a trailing '?' = lazy, same language).
// Parsed with explicit stacks (shunting-yard + Thompson), never recursion. Tested by tests/lang_regex_test.cc.
#pragma once

#include <re2/re2.h>

#include <string>

#include "lang/dfa.h"

namespace flbench {

// Throws flbench::Error("<where>regex column C: <what>") for syntax errors, symbols outside the
// alphabet and patterns whose automata exceed the size limits. `where` prefixes the message
// (e.g. "languages/x.yaml:4:8: ").
Dfa CompileRegex(const std::string& pattern, const std::string& alphabet, const std::string& where = "");

// The load-time check that the compiled DFA and RE2 (the oracle, Latin-1, whole-string match) agree: on every
// string over the alphabet up to the longest length (≤ 64) with at most kCrossCheckStrings strings in all, and on
// kCrossCheckRandom seeded random strings of lengths up to 64 (a few milliseconds). Throws flbench::Error
// ("<where>the compiled automaton and RE2 disagree on \"w\" …") on the first disagreement.
inline constexpr int kCrossCheckStrings = 4096;
inline constexpr int kCrossCheckRandom = 256;
void CrossCheckRegex(const Dfa& dfa, const RE2& re2, const std::string& alphabet, const std::string& where = "");

}  // namespace flbench
