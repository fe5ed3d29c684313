// The one error type flbench throws for bad input: a message that names the file, line and column
// (when known) and a hint. The CLI catches it, prints "flbench: <file>:<line>:<col>: <message>" and exits 2.
#pragma once

#include <stdexcept>
#include <string>

namespace flbench {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
  // "file:line:col: message" — line/col are 1-based; 0 means unknown and is left out.
  Error(const std::string& file, int line, int col, const std::string& message)
      : std::runtime_error(Locate(file, line, col) + message) {}

  static std::string Locate(const std::string& file, int line, int col) {
    std::string s;
    if (!file.empty()) s += file + ":";
    if (line > 0) s += std::to_string(line) + ":";
    if (line > 0 && col > 0) s += std::to_string(col) + ":";
    if (!s.empty()) s += " ";
    return s;
  }
};

}  // namespace flbench
