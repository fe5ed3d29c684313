// Run metadata: the commit, machine and date a run is made on, kept in the store's meta table (see run_meta.h).
#include "results/run_meta.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <thread>

#include "util/error.h"

#ifndef FLBENCH_SOURCE_DIR
#define FLBENCH_SOURCE_DIR "."
#endif

namespace flbench {

static std::string Capture(const std::string& command) {
  std::string out;
  if (FILE* f = popen(command.c_str(), "r")) {
    char buf[512];
    while (fgets(buf, sizeof buf, f)) out += buf;
    pclose(f);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string CurrentCommit() {
  const std::string dir = FLBENCH_SOURCE_DIR;
  const std::string c = Capture("git -C '" + dir + "' describe --always --dirty --abbrev=10 2>/dev/null");
  return c.empty() ? "unknown (not a git checkout)" : c;
}

std::string MachineDescription() {
  std::string cpu = "unknown CPU";
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  char host[256] = "?";
  gethostname(host, sizeof host - 1);
  return fmt::format("{}, {} cores, {:.0f} GiB, host {}", cpu, std::thread::hardware_concurrency(),
                     static_cast<double>(pages) * page / (1024.0 * 1024 * 1024), host);
}

std::string UtcNow() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

RunMeta RunMeta::FromStore(ResultStore& store) {
  RunMeta m;
  m.commit = store.GetMeta("commit").value_or("unknown");
  m.date = store.GetMeta("date").value_or("unknown");
  m.machine = store.GetMeta("machine").value_or("unknown");
  // Stored text is untrusted: a number that does not parse whole (or is negative / not finite) is an error.
  auto number = [&](const char* key) {
    const std::string text = store.GetMeta(key).value_or("0");
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v) || v < 0)
      throw Error(fmt::format("{}: metadata '{}' is not a number ≥ 0: '{}'", store.path(), key, text));
    return v;
  };
  const double jobs = number("jobs");
  if (jobs != std::floor(jobs) || jobs > 1e6)
    throw Error(fmt::format("{}: metadata 'jobs' is not a count: {}", store.path(), jobs));
  m.jobs = static_cast<int>(jobs);
  m.wall_seconds = number("wall_seconds");
  return m;
}

void RunMeta::Save(ResultStore& store) const {
  store.SetMeta("commit", commit);
  store.SetMeta("date", date);
  store.SetMeta("machine", machine);
  store.SetMeta("jobs", std::to_string(jobs));
  store.SetMeta("wall_seconds", fmt::format("{:.3f}", wall_seconds));
}

}  // namespace flbench
