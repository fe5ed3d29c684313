// Built-in generators for languages given by `grammar:` specs: Dyck-k (k bracket pairs, optional depth
// bound) and a^n b^n. Each has an exact membership function and an exact completion-counting DP, so
// sampling either class is exact and uniform by unranking. Entry point: MakeGrammarLanguage.
// Tested by tests/lang_sampling_test.cc and tests/lang_spec_test.cc.
#pragma once

#include <memory>
#include <string>

#include "lang/language.h"

namespace flbench {

struct GrammarSpec {
  std::string kind;   // "dyck" or "anbn"
  int pairs = 1;      // dyck: k; alphabet = open_1 close_1 open_2 close_2 ...
  int max_depth = 0;  // dyck: 0 = unbounded
};

// Throws flbench::Error if the alphabet does not fit the grammar (e.g. dyck needs 2·pairs symbols).
std::shared_ptr<const Language> MakeGrammarLanguage(Language::Info info, const GrammarSpec& spec);

}  // namespace flbench
