// RunCommand, FileText and TempDir for tests (see paths.h).
#include "testutil/paths.h"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace flbench::testing {

std::string FileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string SourceDir() { return FLBENCH_SOURCE_DIR; }
std::string BinaryPath() { return FLBENCH_BINARY; }

std::string TempDir() {
  char tmpl[] = "/tmp/flbench-test-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

CommandResult RunCommand(const std::string& command) {
  const std::string dir = TempDir();
  const std::string full = command + " >" + dir + "/out 2>" + dir + "/err </dev/null";
  const int raw = std::system(full.c_str());
  CommandResult r;
  r.status = (raw != -1 && WIFEXITED(raw)) ? WEXITSTATUS(raw) : -1;
  r.out = FileText(dir + "/out");
  r.err = FileText(dir + "/err");
  std::system(("rm -rf " + dir).c_str());
  return r;
}

}  // namespace flbench::testing
