// Small file helpers shared by the loaders of languages and suites: names vs paths, the search path of
// directories a name is looked up in (and the catalogue along it), the running binary and its share dir,
// reading a whole text file, writing one atomically, checking an output path. Tested by tests/util_files_test.cc and tests/install_test.sh (an installed,
// relocated binary), and through tests/lang_spec_test.cc and tests/suite_suite_test.cc.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace flbench {

// True for "dir/x.yaml" or "x.yaml" (a path); false for a bare name such as "tomita3", which the loaders
// resolve to DIR/NAME.yaml along a search path.
bool LooksLikePath(const std::string& name_or_path);

// The stems of DIR/*.yaml, sorted (empty if DIR cannot be read).
std::vector<std::string> YamlStems(const std::string& dir);

// The whole file; throws flbench::Error("PATH: …") naming WHAT if it is missing, a directory, unreadable or
// larger than kMaxTextFileBytes (a user's text file, not data).
inline constexpr size_t kMaxTextFileBytes = 64u << 20;
std::string ReadTextFile(const std::string& path, const std::string& what = "file");

// Writes `text` to `path` atomically: a temporary file PATH.tmp.PID.N (unique per call, so concurrent writers of
// one path never share it; created with O_EXCL and the usual umask) then rename over PATH, creating PATH's
// directory if needed. Throws flbench::Error("PATH: …") on any failure; the temporary file is removed.
void WriteFileAtomic(const std::string& path, const std::string& text);

// Checks, before any work, that `path` could be written as an output file: it is not a directory, and the nearest
// existing directory above it accepts a new file (probed by creating and removing one, so read-only file systems,
// /proc and permissions all count; missing directories below it would be created). Throws
// flbench::Error("<what> PATH: …") otherwise.
void CheckOutputPath(const std::string& path, const std::string& what);

// The running binary, resolved (/proc/self/exe); empty if it cannot be read.
std::string ExecutablePath();
// BIN/../share/flbench for the running BIN/flbench if that directory exists (an installed flbench), else empty.
std::string InstalledShareDir();

// One directory of a search path and why it is there: "$FLBENCH_LANGUAGES", "./languages", "installed",
// "source tree".
struct SearchDir {
  std::string dir;
  std::string origin;
};

// Where names of `subdir` ("languages" or "suites") are looked up, first match wins: each directory of
// $ENV_VAR (colon-separated; one that does not exist is an Error naming it), ./SUBDIR, then the installed
// share dir's SUBDIR for an installed binary, else SOURCE_DIR/SUBDIR (a build tree's binary). Directories
// that do not exist (other than $ENV_VAR's) and repeats of the same directory are left out.
std::vector<SearchDir> SearchPath(const char* env_var, const std::string& subdir, const std::string& source_dir);

// DIR/NAME.yaml in the first directory of `path` that has it.
std::optional<std::string> FindYaml(const std::vector<SearchDir>& path, const std::string& name);

// Every name along a search path: the file that wins and the ones it hides (shadows), sorted by name.
struct YamlEntry {
  std::string name;
  std::string path;    // DIR/NAME.yaml of the first directory that has it
  std::string origin;  // that directory's SearchDir::origin
  std::vector<std::string> shadowed;  // the same name in later directories, in search order
};
std::vector<YamlEntry> YamlCatalog(const std::vector<SearchDir>& path);

// "DIR (ORIGIN), …" for error messages.
std::string DescribeSearchPath(const std::vector<SearchDir>& path);

}  // namespace flbench
