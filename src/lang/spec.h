// Loading languages from YAML files: `languages/<name>.yaml`, or any path. See README "Language files".
// Entry points: LoadLanguage, ParseLanguage, LanguageNames, LanguageSearchPath, LanguageCatalog. Tested by
// tests/lang_spec_test.cc and tests/lang_languages_dir_test.cc (the search path also by tests/util_files_test.cc
// and tests/install_test.sh; LanguageNames through every test over the shipped languages).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lang/language.h"
#include "util/files.h"

namespace flbench {

// Where language names are looked up, first match wins: the directories of $FLBENCH_LANGUAGES
// (colon-separated; a missing one is an Error), ./languages, the installed share dir (BIN/../share/flbench),
// the source tree's languages/ (compiled in).
std::vector<SearchDir> LanguageSearchPath();

// `name_or_path` is a language name (file stem along LanguageSearchPath()) or a path to a .yaml file.
// Throws flbench::Error with file:line:col for malformed files, and lists close names for unknown ones.
std::shared_ptr<const Language> LoadLanguage(const std::string& name_or_path);

// Parses a language from YAML text; `path` is used in error messages and for the name (its stem).
std::shared_ptr<const Language> ParseLanguage(const std::string& yaml_text, const std::string& path);

// Every language name along the search path: the file used and the files it shadows, sorted by name.
std::vector<YamlEntry> LanguageCatalog();
// Names of all languages along the search path, sorted.
std::vector<std::string> LanguageNames();

}  // namespace flbench
