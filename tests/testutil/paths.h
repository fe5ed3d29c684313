// Paths tests need: the source tree (languages/, suites/) and the built flbench binary; and a helper
// that runs a command and captures its stdout, stderr and exit status.
#pragma once

#include <string>

namespace flbench::testing {

inline std::string SourceDir() { return FLBENCH_SOURCE_DIR; }
inline std::string BinaryPath() { return FLBENCH_BINARY; }

struct CommandResult {
  int status = -1;  // exit status, or -1 if the process did not exit normally
  std::string out;
  std::string err;
};

// Runs `command` through /bin/sh with stdout and stderr captured to temporary files.
CommandResult RunCommand(const std::string& command);

// A fresh empty temporary directory (removed by the OS's tmp cleaning, not by the test).
std::string TempDir();

}  // namespace flbench::testing
