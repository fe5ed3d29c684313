// One writer per results database: `flbench run` and `merge` hold DB.lock (flock(2)) while they write, so a
// second run on the same database refuses at once, naming the holder, instead of computing every cell again.
// Entry point: RunLock. Tested by tests/cli_concurrency_test.cc (real processes).
#pragma once

#include <memory>
#include <string>

namespace flbench {

// The lock file DB.lock beside the database holds the last holder's description ("pid 123 on host h since
// 2026-01-01T00:00:00Z: flbench run SUITE"). The lock itself is the kernel's: it goes away when the holding
// process ends in any way (kill -9 included), so a file left by a dead process never blocks anyone.
// Exclusive holders (a whole run, a merge) exclude everyone; shared holders (`run --cell KEY`, which a dispatcher
// may start many of at once on one database) exclude only exclusive ones.
class RunLock {
 public:
  // Takes the lock or throws flbench::Error("DB: in use by … (pid …); wait for it to finish, or use another --db").
  static std::unique_ptr<RunLock> Acquire(const std::string& db_path, const std::string& command, bool shared = false);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  static std::string LockPath(const std::string& db_path) { return db_path + ".lock"; }

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace flbench
