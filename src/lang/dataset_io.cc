// ReadDatasetDir (see dataset_io.h).
#include "lang/dataset_io.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "util/error.h"

namespace flbench {
namespace {

namespace fs = std::filesystem;

struct Header {
  std::string language, alphabet, task, split;
  int min_len = 0, max_len = 0;
  long count = -1;
};

// "# language=L alphabet=A task=T split=S lengths=LO-HI count=N"; the alphabet may hold any printable character
// but a tab, so it runs up to " task=".
Header ParseHeader(const std::string& line, const std::string& where) {
  auto fail = [&](const std::string& what) { throw Error(fmt::format("{}:1: {} (header: '{}')", where, what, line)); };
  if (line.rfind("# ", 0) != 0) fail("expected a '# language=… alphabet=… task=…' header line");
  Header h;
  const size_t a = line.find(" alphabet="), t = line.find(" task=", a == std::string::npos ? 0 : a);
  if (line.rfind("# language=", 0) != 0 || a == std::string::npos || t == std::string::npos)
    fail("the header needs language=, alphabet= and task=");
  h.language = line.substr(11, a - 11);
  h.alphabet = line.substr(a + 10, t - (a + 10));
  std::map<std::string, std::string> kv;
  size_t pos = t + 1;
  while (pos < line.size()) {
    size_t end = line.find(' ', pos);
    if (end == std::string::npos) end = line.size();
    const std::string item = line.substr(pos, end - pos);
    const size_t eq = item.find('=');
    if (eq == std::string::npos) fail("expected key=value, got '" + item + "'");
    kv[item.substr(0, eq)] = item.substr(eq + 1);
    pos = end + 1;
  }
  h.task = kv["task"];
  h.split = kv["split"];
  if (h.task != "membership" && h.task != "next-symbol") fail("task must be membership or next-symbol");
  if (h.alphabet.empty() || h.alphabet.size() > 31) fail("the alphabet must have 1–31 symbols");
  if (kv.count("count")) {
    char* end = nullptr;
    h.count = std::strtol(kv["count"].c_str(), &end, 10);
    if (kv["count"].empty() || *end != '\0' || h.count < 0) fail("count must be a number of strings");
  }
  if (kv.count("lengths")) {
    int used = 0;
    if (std::sscanf(kv["lengths"].c_str(), "%d-%d%n", &h.min_len, &h.max_len, &used) != 2 ||
        used != static_cast<int>(kv["lengths"].size()) || h.min_len < 0 || h.max_len < h.min_len)
      fail("lengths must be LO-HI");
  }
  return h;
}

Split ReadSplit(const fs::path& path, const std::string& default_name, Header* header) {
  const std::string where = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot read", where));
  std::string line;
  if (!std::getline(in, line)) throw Error(fmt::format("{}: empty file (expected a header line)", where));
  const Header h = ParseHeader(line, where);
  if (!header->alphabet.empty() &&
      (h.alphabet != header->alphabet || h.task != header->task || h.language != header->language))
    throw Error(fmt::format("{}:1: header disagrees with train.tsv (language, alphabet and task must match)", where));
  *header = h;
  const bool next = h.task == "next-symbol";
  const int d = static_cast<int>(h.alphabet.size());
  Split split;
  split.name = h.split.empty() ? default_name : h.split;
  split.min_len = h.min_len;
  split.max_len = h.max_len;
  int min_seen = 1 << 30, max_seen = 0;
  for (long number = 2; std::getline(in, line); ++number) {
    auto fail = [&](const std::string& what) { throw Error(fmt::format("{}:{}: {}", where, number, what)); };
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> cols;
    for (size_t pos = 0;;) {
      const size_t tab = line.find('\t', pos);
      cols.push_back(line.substr(pos, tab == std::string::npos ? std::string::npos : tab - pos));
      if (tab == std::string::npos) break;
      pos = tab + 1;
    }
    if (cols.size() != (next ? 3u : 2u))
      fail(fmt::format("expected {} tab-separated columns (STRING, LABEL{}), got {}", next ? 3 : 2,
                       next ? ", TARGETS" : "", cols.size()));
    Example e;
    for (char ch : cols[0]) {
      const size_t a = h.alphabet.find(ch);
      if (a == std::string::npos) fail(fmt::format("symbol '{}' is not in the alphabet '{}'", ch, h.alphabet));
      e.x.push_back(static_cast<uint8_t>(a));
    }
    if (cols[1] != "0" && cols[1] != "1") fail("LABEL must be 0 or 1, got '" + cols[1] + "'");
    e.label = cols[1] == "1";
    if (next) {
      if (!e.label) fail("next-symbol rows are members (LABEL 1)");
      size_t pos = 0;
      for (size_t t = 0; t < e.x.size(); ++t) {
        if (pos > cols[2].size()) fail(fmt::format("{} targets for {} symbols (one per prefix)", t, e.x.size()));
        const size_t end = std::min(cols[2].find(',', pos), cols[2].size());
        const std::string bits = cols[2].substr(pos, end - pos);
        if (bits.size() != size_t(d) + 1 || bits.find_first_not_of("01") != std::string::npos)
          fail(fmt::format("target {} must be {} characters 0/1 (one per symbol, then end of string), got '{}'", t + 1,
                           d + 1, bits));
        uint32_t mask = 0;
        for (int a = 0; a <= d; ++a) mask |= uint32_t(bits[a] == '1') << a;
        e.next.push_back(mask);
        pos = end + 1;
      }
      if (e.x.empty() ? !cols[2].empty() : pos <= cols[2].size())
        fail(fmt::format("more targets than symbols ({} symbols)", e.x.size()));
      if (!e.next.empty() && ((e.next.back() >> d) & 1u) != 1u)
        fail("the last target's end-of-string bit must be 1 (the string is a member)");
    }
    min_seen = std::min<int>(min_seen, static_cast<int>(e.x.size()));
    max_seen = std::max<int>(max_seen, static_cast<int>(e.x.size()));
    split.examples.push_back(std::move(e));
  }
  if (h.count >= 0 && h.count != static_cast<long>(split.examples.size()))
    throw Error(fmt::format("{}: header says count={} but the file has {} strings", where, h.count, split.examples.size()));
  if (h.max_len == 0 && !split.examples.empty()) {
    split.min_len = min_seen;
    split.max_len = max_seen;
  }
  return split;
}

}  // namespace

Dataset ReadDatasetDir(const std::string& dir) {
  const fs::path root(dir);
  if (!fs::is_directory(root)) throw Error(fmt::format("{}: not a directory (expected train.tsv, test.tsv, …)", dir));
  if (!fs::exists(root / "train.tsv")) throw Error(fmt::format("{}: no train.tsv", dir));
  Header h;
  Dataset data;
  data.train = ReadSplit(root / "train.tsv", "train", &h);
  data.language = h.language;
  data.alphabet = h.alphabet;
  data.task = h.task == "next-symbol" ? Task::kNextSymbol : Task::kMembership;
  if (fs::exists(root / "validation.tsv")) data.validation = ReadSplit(root / "validation.tsv", "validation", &h);
  if (fs::exists(root / "test.tsv")) data.tests.push_back(ReadSplit(root / "test.tsv", "test", &h));
  // Length bins: test_LO-HI.tsv, by LO.
  std::vector<std::pair<int, fs::path>> bins;
  for (const auto& entry : fs::directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    int lo = 0, hi = 0, used = 0;
    if (std::sscanf(name.c_str(), "test_%d-%d.tsv%n", &lo, &hi, &used) == 2 && used == static_cast<int>(name.size()))
      bins.emplace_back(lo, entry.path());
  }
  std::sort(bins.begin(), bins.end());
  for (const auto& [lo, path] : bins) data.tests.push_back(ReadSplit(path, path.stem().string(), &h));
  return data;
}

}  // namespace flbench
