// Regex → minimal DFA over a language's alphabet, for generation (RE2 stays the membership oracle).
// Syntax: symbols (escape metacharacters with \), '.', classes [..] / [^..] with ranges, groups (..)
// and (?:..), '|', '*', '+', '?', {n}, {n,}, {n,m} (n, m ≤ 1000; a trailing '?' = lazy, same language).
// Parsed with explicit stacks (shunting-yard + Thompson), never recursion. Tested by tests/lang_regex_test.cc.
#pragma once

#include <string>

#include "lang/dfa.h"

namespace flbench {

// Throws flbench::Error("<where>regex column C: <what>") for syntax errors, symbols outside the
// alphabet and patterns whose automata exceed the size limits. `where` prefixes the message
// (e.g. "languages/x.yaml:4:8: ").
Dfa CompileRegex(const std::string& pattern, const std::string& alphabet, const std::string& where = "");

}  // namespace flbench
