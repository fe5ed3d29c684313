// Small string helpers used across stages: joining a list for messages, and numbers as a user writes them.
// Entry points: Join, ShowNumber. Tested by tests/util_strings_test.cc.
#pragma once

#include <string>
#include <vector>

namespace flbench {

// "a, b, c" (or with another separator); "" for an empty list.
std::string Join(const std::vector<std::string>& v, const std::string& sep = ", ");

// A number as written on a command line or in YAML (0.01, not 0.010000; 1e-08), for messages.
std::string ShowNumber(double v);

}  // namespace flbench
