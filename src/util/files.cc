// LooksLikePath, YamlStems, ReadTextFile, WriteFileAtomic, CheckOutputPath, ExecutablePath, InstalledShareDir, SearchPath, FindYaml, YamlCatalog.
#include "util/files.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>

#include "util/error.h"

namespace flbench {

namespace fs = std::filesystem;

bool LooksLikePath(const std::string& s) {
  return s.find('/') != std::string::npos || (s.size() > 5 && s.compare(s.size() - 5, 5, ".yaml") == 0);
}

std::vector<std::string> YamlStems(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string ReadTextFile(const std::string& path, const std::string& what) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) throw Error(path + ": cannot read " + what + ": no such file");
  if (fs::is_directory(st)) throw Error(path + ": is a directory, not a " + what);
  if (fs::is_regular_file(st)) {
    const auto size = fs::file_size(path, ec);
    if (!ec && size > kMaxTextFileBytes)
      throw Error(fmt::format("{}: {} is {} bytes; a {} may be at most {} bytes", path, what, size, what, kMaxTextFileBytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot read " + what + ": " + std::strerror(errno));
  std::string text;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxTextFileBytes)
      throw Error(fmt::format("{}: {} is larger than {} bytes", path, what, kMaxTextFileBytes));
  }
  if (in.bad()) throw Error(path + ": cannot read " + what + ": " + std::strerror(errno));
  return text;
}

std::string ExecutablePath() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.string();
}

std::string InstalledShareDir() {
  const std::string exe = ExecutablePath();
  if (exe.empty()) return "";
  const fs::path share = fs::path(exe).parent_path().parent_path() / "share" / "flbench";
  std::error_code ec;
  return fs::is_directory(share, ec) ? share.string() : std::string();
}

std::vector<SearchDir> SearchPath(const char* env_var, const std::string& subdir, const std::string& source_dir) {
  std::vector<SearchDir> path;
  std::vector<fs::path> seen;  // canonical forms, so the source tree run from itself is listed once
  auto add = [&](const std::string& dir, const std::string& origin) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return;
    const fs::path canonical = fs::weakly_canonical(dir, ec);
    if (std::find(seen.begin(), seen.end(), canonical) != seen.end()) return;
    seen.push_back(canonical);
    path.push_back({dir, origin});
  };
  if (const char* env = std::getenv(env_var); env && *env) {
    std::stringstream ss(env);
    for (std::string dir; std::getline(ss, dir, ':');) {
      if (dir.empty()) continue;
      std::error_code ec;
      if (!fs::is_directory(dir, ec))
        throw Error(fmt::format("${}: '{}' is not a directory (${}={}; a colon-separated list of directories)", env_var,
                                dir, env_var, env));
      add(dir, std::string("$") + env_var);
    }
  }
  add(subdir, "./" + subdir);
  // An installed flbench uses its own share dir only; the source tree it was built from is for a build that
  // is not installed (build/flbench has no ../share/flbench).
  if (const std::string share = InstalledShareDir(); !share.empty())
    add(share + "/" + subdir, "installed");
  else
    add(source_dir + "/" + subdir, "source tree");
  return path;
}

std::optional<std::string> FindYaml(const std::vector<SearchDir>& path, const std::string& name) {
  for (const SearchDir& d : path) {
    const std::string file = d.dir + "/" + name + ".yaml";
    std::error_code ec;
    if (fs::is_regular_file(file, ec)) return file;
  }
  return std::nullopt;
}

std::vector<YamlEntry> YamlCatalog(const std::vector<SearchDir>& path) {
  std::map<std::string, YamlEntry> by_name;
  for (const SearchDir& d : path) {
    for (const std::string& name : YamlStems(d.dir)) {
      const std::string file = d.dir + "/" + name + ".yaml";
      auto [it, fresh] = by_name.try_emplace(name, YamlEntry{name, file, d.origin, {}});
      if (!fresh) it->second.shadowed.push_back(file);
    }
  }
  std::vector<YamlEntry> out;
  for (auto& [name, e] : by_name) out.push_back(std::move(e));
  return out;
}

std::string DescribeSearchPath(const std::vector<SearchDir>& path) {
  if (path.empty()) return "(no directory)";
  std::string out;
  for (const SearchDir& d : path) out += (out.empty() ? "" : ", ") + d.dir + " (" + d.origin + ")";
  return out;
}

namespace {

// Creates a new file PATH.tmp.PID.N with O_EXCL (N counts calls in this process); returns its fd and name.
int CreateUniqueTemp(const std::string& path, std::string* name) {
  static std::atomic<uint64_t> calls{0};
  for (int attempt = 0;; ++attempt) {
    *name = fmt::format("{}.tmp.{}.{}", path, getpid(), calls++);
    const int fd = open(name->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST || attempt >= 100) return fd;
  }
}

}  // namespace

void WriteFileAtomic(const std::string& path, const std::string& text) {
  const fs::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) {
    fs::create_directories(p.parent_path(), ec);
    if (ec) throw Error(fmt::format("{}: cannot create its directory: {}", path, ec.message()));
  }
  if (fs::is_directory(p, ec)) throw Error(fmt::format("{}: is a directory (give a file name)", path));
  std::string tmp;
  const int fd = CreateUniqueTemp(path, &tmp);
  if (fd < 0) throw Error(fmt::format("{}: cannot create {}: {}", path, tmp, std::strerror(errno)));
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      close(fd);
      std::remove(tmp.c_str());
      throw Error(fmt::format("{}: cannot write: {}", path, why));
    }
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw Error(fmt::format("{}: cannot write: {}", path, why));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw Error(fmt::format("{}: cannot rename {} over it: {}", path, tmp, why));
  }
}

void CheckOutputPath(const std::string& path, const std::string& what) {
  if (path.empty()) throw Error(fmt::format("{}: an empty path", what));
  std::error_code ec;
  const fs::path p(path);
  const auto status = fs::status(p, ec);
  if (fs::is_directory(status)) throw Error(fmt::format("{} {}: is a directory (give a file name)", what, path));
  if (fs::exists(status) && !fs::is_regular_file(status))
    throw Error(fmt::format("{} {}: exists and is not a regular file", what, path));
  // The nearest existing ancestor: it must be a directory that accepts a new file.
  fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  while (!fs::exists(dir, ec) && dir.has_parent_path() && dir.parent_path() != dir) dir = dir.parent_path();
  if (!fs::exists(dir, ec) && dir.is_relative()) dir = ".";  // reports/x.md with no reports/ yet: the working dir
  if (!fs::is_directory(dir, ec))
    throw Error(fmt::format("{} {}: {} is not a directory", what, path, dir.string()));
  std::string probe;
  const int fd = CreateUniqueTemp((dir / ".flbench-probe").string(), &probe);
  if (fd < 0)
    throw Error(fmt::format("{} {}: cannot create files in {}: {}", what, path, dir.string(), std::strerror(errno)));
  close(fd);
  std::remove(probe.c_str());
}

}  // namespace flbench
