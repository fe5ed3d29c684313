// RunLock over flock(2) on DB.lock (see run_lock.h).
#include "results/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "util/error.h"

namespace flbench {

namespace {

std::string Holder(int fd) {
  char buf[512] = {};
  const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  std::string s(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
  return s.empty() ? "another process (no description in the lock file)" : s;
}

std::string Describe(const std::string& command) {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "unknown");
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return "pid " + std::to_string(getpid()) + " on " + host + " since " + date + ": " + command + "\n";
}

}  // namespace

std::unique_ptr<RunLock> RunLock::Acquire(const std::string& db_path, const std::string& command, bool shared) {
  const std::string path = LockPath(db_path);
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) throw Error(path + ": cannot create the lock file of " + db_path + ": " + std::strerror(errno));
  int rc;
  while ((rc = flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB)) != 0 && errno == EINTR) {
  }
  if (rc != 0) {
    const int err = errno;
    const std::string holder = Holder(fd);
    close(fd);
    if (err == EWOULDBLOCK)
      throw Error(db_path + ": in use by " + holder + " (lock " + path +
                  "); wait for it to finish, or give this run another --db");
    throw Error(path + ": cannot lock: " + std::strerror(err));
  }
  const std::string text = Describe(command);
  // Describes this holder to whoever is refused (informational: shared holders overwrite each other's line).
  if (ftruncate(fd, 0) == 0) {
    [[maybe_unused]] const ssize_t n = pwrite(fd, text.data(), text.size(), 0);
  }
  return std::unique_ptr<RunLock>(new RunLock(fd));
}

RunLock::~RunLock() { close(fd_); }  // closing the last descriptor releases the flock

}  // namespace flbench
