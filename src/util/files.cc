// LooksLikePath, YamlStems, ReadTextFile.
#include "util/files.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

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

}  // namespace flbench
