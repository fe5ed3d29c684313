// Paths tests need: the source tree (languages/, suites/) and the built flbench binary; a helper that runs a command
// and captures its stdout, stderr and exit status; and one that reads a file whole.
#pragma once

#include <string>

namespace flbench::testing {

std::string SourceDir();   // the source tree
std::string BinaryPath();  // the built flbench binary

struct CommandResult {
  int status = -1;  // exit status, or -1 if the process did not exit normally
  std::string out;
  std::string err;
};

// Runs `command` through /bin/sh with stdout and stderr captured to temporary files.
CommandResult RunCommand(const std::string& command);

// The contents of the file at `path`, or "" when it does not exist (yet) or cannot be read: tests poll for files
// another process writes.
std::string FileText(const std::string& path);

// A fresh empty temporary directory (removed by the OS's tmp cleaning, not by the test).
std::string TempDir();

}  // namespace flbench::testing
