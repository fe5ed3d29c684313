// LooksLikePath, YamlStems, ReadTextFile, ExecutablePath, InstalledShareDir, SearchPath, FindYaml, YamlCatalog.
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

}  // namespace flbench
