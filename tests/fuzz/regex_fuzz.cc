// libFuzzer target: the regex compiler against RE2. Input: ALPHABET '\n' PATTERN. When RE2 accepts the
// pattern and CompileRegex compiles it, the DFA must agree with RE2 on every probe string (CrossCheckRegex):
// a disagreement traps, as do exceptions other than flbench::Error, sanitizer reports and timeouts.
// Built only with -DFLBENCH_FUZZ=ON; run by tests/fuzz/run.sh.
#include <re2/re2.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "lang/regex.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 2048) return 0;
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  if (nl == std::string::npos) return 0;
  std::string alphabet;
  for (char c : input.substr(0, nl))  // distinct printable symbols, as the language loader requires
    if (c > ' ' && c < 127 && alphabet.find(c) == std::string::npos && alphabet.size() < 31) alphabet.push_back(c);
  if (alphabet.empty()) return 0;
  const std::string pattern = input.substr(nl + 1);
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_encoding(RE2::Options::EncodingLatin1);
  RE2 re(pattern, opts);
  if (!re.ok()) return 0;
  flbench::Dfa dfa;
  try {
    dfa = flbench::CompileRegex(pattern, alphabet, "");
  } catch (const flbench::Error&) {
    return 0;  // refused with a message: fine
  }
  try {
    flbench::CrossCheckRegex(dfa, re, alphabet, "");
  } catch (const flbench::Error& e) {
    std::fprintf(stderr, "alphabet \"%s\" pattern \"%s\": %s\n", alphabet.c_str(), pattern.c_str(), e.what());
    __builtin_trap();
  }
  return 0;
}
