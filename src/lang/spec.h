// Loading languages from YAML files: `languages/<name>.yaml`, or any path. See README "Language files".
// Entry points: LoadLanguage, ParseLanguage, LanguageNames, LanguagesDir. Tested by tests/lang_spec_test.cc and
// tests/lang_languages_dir_test.cc (and LanguageNames through every test over the shipped languages).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lang/language.h"

namespace flbench {

// The directory holding the shipped languages: $FLBENCH_LANGUAGES if set, else ./languages if it
// exists, else the source tree's languages/ (compiled in).
std::string LanguagesDir();

// `name_or_path` is a language name (file stem in LanguagesDir()) or a path to a .yaml file.
// Throws flbench::Error with file:line:col for malformed files, and lists close names for unknown ones.
std::shared_ptr<const Language> LoadLanguage(const std::string& name_or_path);

// Parses a language from YAML text; `path` is used in error messages and for the name (its stem).
std::shared_ptr<const Language> ParseLanguage(const std::string& yaml_text, const std::string& path);

// Names of all shipped languages, sorted.
std::vector<std::string> LanguageNames();

}  // namespace flbench
