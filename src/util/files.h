// Small file helpers shared by the loaders of languages and suites: names vs paths, the YAML files of a
// directory, reading a whole text file. Tested through tests/lang_spec_test.cc and tests/suite_suite_test.cc.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace flbench {

// True for "dir/x.yaml" or "x.yaml" (a path); false for a bare name such as "tomita3", which the loaders
// resolve to DIR/NAME.yaml.
bool LooksLikePath(const std::string& name_or_path);

// The stems of DIR/*.yaml, sorted (empty if DIR cannot be read).
std::vector<std::string> YamlStems(const std::string& dir);

// The whole file; throws flbench::Error("PATH: …") naming WHAT if it is missing, a directory, unreadable or
// larger than kMaxTextFileBytes (a user's text file, not data).
inline constexpr size_t kMaxTextFileBytes = 64u << 20;
std::string ReadTextFile(const std::string& path, const std::string& what = "file");

}  // namespace flbench
