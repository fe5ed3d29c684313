// MemoryBudget from sysconf and getrlimit, FormatBytes, CheckMemory.
#include "util/memory.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "util/error.h"

namespace flbench {

namespace {

uint64_t ParseLimit(const std::string& s) {
  size_t used = 0;
  double v = -1;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  double scale = 1;
  if (used > 0 && used + 1 == s.size()) {
    switch (s.back()) {
      case 'K': case 'k': scale = 1024.0; break;
      case 'M': case 'm': scale = 1024.0 * 1024; break;
      case 'G': case 'g': scale = 1024.0 * 1024 * 1024; break;
      case 'T': case 't': scale = 1024.0 * 1024 * 1024 * 1024; break;
      default: used = 0;
    }
    if (used) ++used;
  }
  if (used == 0 || used != s.size() || !std::isfinite(v) || v <= 0 || v * scale > 1e18)
    throw Error(fmt::format("FLBENCH_MEMORY_LIMIT: expected a positive size such as 8G or 500M, got '{}'", s));
  return static_cast<uint64_t>(v * scale);
}

}  // namespace

uint64_t MemoryBudget() {
  if (const char* env = std::getenv("FLBENCH_MEMORY_LIMIT"); env && *env) return ParseLimit(env);
  uint64_t limit = UINT64_MAX;
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0) limit = static_cast<uint64_t>(pages) * static_cast<uint64_t>(page);
  for (int resource : {RLIMIT_AS, RLIMIT_DATA}) {
    rlimit rl{};
    if (getrlimit(resource, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) limit = std::min<uint64_t>(limit, rl.rlim_cur);
  }
  if (limit == UINT64_MAX) limit = uint64_t(8) << 30;
  return limit / 2;
}

std::string FormatBytes(double bytes) {
  if (bytes >= 1e15) return fmt::format("{:.3g} PB", bytes / 1e15);
  if (bytes >= 1e12) return fmt::format("{:.3g} TB", bytes / 1e12);
  if (bytes >= 1e9) return fmt::format("{:.3g} GB", bytes / 1e9);
  if (bytes >= 1e6) return fmt::format("{:.3g} MB", bytes / 1e6);
  if (bytes >= 1e3) return fmt::format("{:.3g} KB", bytes / 1e3);
  return fmt::format("{:.0f} B", bytes);
}

void CheckMemory(double estimate_bytes, const std::string& what, const std::string& hint) {
  const uint64_t budget = MemoryBudget();
  if (!(estimate_bytes <= static_cast<double>(budget)))
    throw Error(fmt::format("{} would need about {} of memory; this machine allows {} (FLBENCH_MEMORY_LIMIT changes "
                            "that){}",
                            what, FormatBytes(estimate_bytes), FormatBytes(static_cast<double>(budget)), hint));
}

}  // namespace flbench
