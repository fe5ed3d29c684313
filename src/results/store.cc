// ResultStore over the SQLite C API (see store.h). Schema version 1:
//   cells(key PRIMARY KEY, suite, kind, config JSON text, result JSON text, seconds, finished_at, host)
//   meta(k PRIMARY KEY, v)
#include "results/store.h"

#include <sqlite3.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "util/error.h"

namespace flbench {
namespace {

constexpr int kBusyTimeoutMs = 30000;

const char* const kCreateSchema = R"sql(
  CREATE TABLE cells (
    key         TEXT PRIMARY KEY NOT NULL,
    suite       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    config      TEXT NOT NULL,
    result      TEXT NOT NULL,
    seconds     REAL NOT NULL,
    finished_at TEXT NOT NULL,
    host        TEXT NOT NULL
  );
  CREATE INDEX cells_by_suite ON cells (suite, key);
  CREATE TABLE meta (
    k TEXT PRIMARY KEY NOT NULL,
    v TEXT NOT NULL
  );
)sql";

const char* const kCellColumns = "key, suite, kind, config, result, seconds, finished_at, host";

[[noreturn]] void Fail(sqlite3* db, const std::string& path, const std::string& what) {
  if (sqlite3_errcode(db) == SQLITE_NOTADB)
    throw Error(path + ": not an SQLite database (expected an flbench results database)");
  throw Error(path + ": " + what + ": " + sqlite3_errmsg(db));
}

// A prepared statement, finalised on scope exit. Bind* take 1-based indices as sqlite3_bind_* do.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& path, const std::string& sql) : db_(db), path_(path) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) Fail(db_, path_, "prepare");
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  void BindText(int i, const std::string& s) {
    if (sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT) != SQLITE_OK)
      Fail(db_, path_, "bind");
  }
  void BindDouble(int i, double v) {
    if (sqlite3_bind_double(stmt_, i, v) != SQLITE_OK) Fail(db_, path_, "bind");
  }
  // True while a row is available; false when done.
  bool Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Fail(db_, path_, "step");
  }
  std::string Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3* db_;
  const std::string& path_;
  sqlite3_stmt* stmt_ = nullptr;
};

void Exec(sqlite3* db, const std::string& path, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = path + ": " + sql + ": " + (err ? err : sqlite3_errmsg(db));
    sqlite3_free(err);
    throw Error(msg);
  }
}

int64_t QueryInt(sqlite3* db, const std::string& path, const char* sql) {
  Stmt s(db, path, sql);
  if (!s.Step()) throw Error(path + ": " + sql + ": no row");
  return s.Int(0);
}

// BEGIN IMMEDIATE (takes the write lock at once, so busy_timeout applies) ... COMMIT; rolls back if the
// scope is left by an exception before Commit.
class WriteTransaction {
 public:
  WriteTransaction(sqlite3* db, const std::string& path) : db_(db), path_(path) {
    Exec(db_, path_, "BEGIN IMMEDIATE");
  }
  ~WriteTransaction() {
    if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  void Commit() {
    Exec(db_, path_, "COMMIT");
    done_ = true;
  }

 private:
  sqlite3* db_;
  const std::string& path_;
  bool done_ = false;
};

// Throws unless `db` holds schema kSchemaVersion. When `create` and the database is empty, creates it.
void CheckSchema(sqlite3* db, const std::string& path, bool create) {
  const auto check = [&](int64_t version, int64_t objects) {
    if (version == ResultStore::kSchemaVersion) return true;
    if (version == 0 && objects == 0) return false;  // empty: needs the schema
    if (version == 0)
      throw Error(path + ": an SQLite database but not an flbench results store (user_version 0, " +
                  std::to_string(objects) + " schema objects)");
    throw Error(path + ": results schema version " + std::to_string(version) + ", but this flbench reads version " +
                std::to_string(ResultStore::kSchemaVersion) + " (written by a " +
                (version > ResultStore::kSchemaVersion ? "newer" : "older") + " flbench)");
  };
  // The first read of the file: a non-database fails here with SQLITE_NOTADB.
  if (check(QueryInt(db, path, "PRAGMA user_version"),
            QueryInt(db, path, "SELECT count(*) FROM sqlite_master")))
    return;
  if (!create) throw Error(path + ": an empty database, not an flbench results store");
  WriteTransaction tx(db, path);
  // Another process may have created the schema between the check above and taking the write lock.
  if (check(QueryInt(db, path, "PRAGMA user_version"), QueryInt(db, path, "SELECT count(*) FROM sqlite_master")))
    return;
  Exec(db, path, kCreateSchema);
  Exec(db, path, ("PRAGMA user_version = " + std::to_string(ResultStore::kSchemaVersion)).c_str());
  tx.Commit();
}

// Opens `path` with WAL, synchronous=FULL and a busy timeout, and checks its schema. Returns an owned handle.
// `read_only` (never with `create`): opens for reading and leaves the file's journal mode alone, so a source
// of a merge (e.g. a shard published on a shared file system) is never written to.
sqlite3* OpenDb(const std::string& path, bool create, bool read_only = false) {
  struct stat st;
  const bool exists = stat(path.c_str(), &st) == 0;
  if (exists && !S_ISREG(st.st_mode)) throw Error(path + ": not a regular file");
  if (!exists && !create) throw Error(path + ": no such file");
  sqlite3* db = nullptr;
  const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0)) |
                    SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    const std::string msg = path + ": cannot open" + (create ? " or create" : "") + " the results database: " +
                            (db ? sqlite3_errmsg(db) : "out of memory") +
                            " (does the directory exist and is it writable?)";
    sqlite3_close(db);
    throw Error(msg);
  }
  try {
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    CheckSchema(db, path, create);
    if (read_only) return db;
    // WAL: readers never block the writer and a commit is one append to the -wal file. synchronous=FULL
    // fsyncs that append at every commit: a returned Put survives kill -9 (NORMAL would already give that:
    // the append is in the OS page cache) and also an OS crash or power cut, for ~0.1–few ms per cell.
    {
      Stmt mode(db, path, "PRAGMA journal_mode = WAL");
      if (!mode.Step() || mode.Text(0) != "wal")
        throw Error(path + ": cannot switch to WAL journal mode (a filesystem without shared memory?)");
    }
    Exec(db, path, "PRAGMA synchronous = FULL");
  } catch (...) {
    sqlite3_close(db);
    throw;
  }
  return db;
}

std::string NowUtcIso8601() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::string DumpJson(const nlohmann::json& j, const std::string& path, const std::string& key, const char* what) {
  try {
    return j.dump();
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": cell " + key + ": cannot store its " + what + ": " + e.what());
  }
}

nlohmann::json ParseJson(const std::string& text, const std::string& path, const std::string& key,
                         const char* what) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": cell " + key + ": corrupt " + what + " JSON: " + e.what());
  }
}

// A row selected as kCellColumns.
CellRecord ReadRecord(const Stmt& s, const std::string& path) {
  CellRecord r;
  r.key = s.Text(0);
  r.suite = s.Text(1);
  r.kind = s.Text(2);
  r.config = ParseJson(s.Text(3), path, r.key, "config");
  r.result = ParseJson(s.Text(4), path, r.key, "result");
  r.seconds = s.Double(5);
  r.finished_at = s.Text(6);
  r.host = s.Text(7);
  return r;
}

// Inserts or replaces one row, the JSON columns already dumped.
void WriteRow(sqlite3* db, const std::string& path, const CellRecord& r, const std::string& config,
              const std::string& result) {
  Stmt s(db, path, std::string("INSERT OR REPLACE INTO cells (") + kCellColumns + ") VALUES (?,?,?,?,?,?,?,?)");
  s.BindText(1, r.key);
  s.BindText(2, r.suite);
  s.BindText(3, r.kind);
  s.BindText(4, config);
  s.BindText(5, result);
  s.BindDouble(6, r.seconds);
  s.BindText(7, r.finished_at.empty() ? NowUtcIso8601() : r.finished_at);
  s.BindText(8, r.host.empty() ? HostName() : r.host);
  s.Step();
}

}  // namespace

std::unique_ptr<ResultStore> ResultStore::Open(const std::string& path) {
  return std::unique_ptr<ResultStore>(new ResultStore(path, OpenDb(path, /*create=*/true)));
}

std::unique_ptr<ResultStore> ResultStore::OpenReadOnly(const std::string& path) {
  return std::unique_ptr<ResultStore>(new ResultStore(path, OpenDb(path, /*create=*/false, /*read_only=*/true)));
}

ResultStore::~ResultStore() { sqlite3_close(db_); }

bool ResultStore::Has(const std::string& key) {
  std::lock_guard lock(mu_);
  Stmt s(db_, path_, "SELECT 1 FROM cells WHERE key = ?");
  s.BindText(1, key);
  return s.Step();
}

std::optional<CellRecord> ResultStore::Get(const std::string& key) {
  std::lock_guard lock(mu_);
  Stmt s(db_, path_, std::string("SELECT ") + kCellColumns + " FROM cells WHERE key = ?");
  s.BindText(1, key);
  if (!s.Step()) return std::nullopt;
  return ReadRecord(s, path_);
}

void ResultStore::Put(const CellRecord& r) {
  if (r.key.empty()) throw Error(path_ + ": a cell with an empty key");
  const std::string config = DumpJson(r.config, path_, r.key, "config");
  const std::string result = DumpJson(r.result, path_, r.key, "result");
  std::lock_guard lock(mu_);
  // One statement in autocommit mode is one transaction, committed (WAL appended and fsynced) on return.
  WriteRow(db_, path_, r, config, result);
}

std::vector<CellRecord> ResultStore::All(const std::string& suite) {
  std::lock_guard lock(mu_);
  const std::string where = suite.empty() ? "" : " WHERE suite = ?";
  Stmt s(db_, path_, std::string("SELECT ") + kCellColumns + " FROM cells" + where + " ORDER BY key");
  if (!suite.empty()) s.BindText(1, suite);
  std::vector<CellRecord> out;
  while (s.Step()) out.push_back(ReadRecord(s, path_));
  return out;
}

size_t ResultStore::Size() {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(QueryInt(db_, path_, "SELECT count(*) FROM cells"));
}

std::map<std::string, size_t> ResultStore::SuiteCounts() {
  std::lock_guard lock(mu_);
  Stmt s(db_, path_, "SELECT suite, count(*) FROM cells GROUP BY suite");
  std::map<std::string, size_t> out;
  while (s.Step()) out[s.Text(0)] = static_cast<size_t>(s.Int(1));
  return out;
}

size_t ResultStore::MergeFrom(const std::string& source_path) {
  sqlite3* src = OpenDb(source_path, /*create=*/false, /*read_only=*/true);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> src_owner(src, sqlite3_close);
  std::lock_guard lock(mu_);
  WriteTransaction tx(db_, path_);
  Stmt rows(src, source_path, std::string("SELECT ") + kCellColumns + " FROM cells ORDER BY key");
  size_t added = 0;
  while (rows.Step()) {
    const CellRecord r = ReadRecord(rows, source_path);
    Stmt existing(db_, path_, "SELECT config FROM cells WHERE key = ?");
    existing.BindText(1, r.key);
    if (existing.Step()) {
      if (ParseJson(existing.Text(0), path_, r.key, "config") != r.config)
        throw Error(path_ + ": merging " + source_path + ": cell " + r.key +
                    " is in both with different configs (a hash collision or a corrupted database); nothing merged");
      continue;
    }
    WriteRow(db_, path_, r, rows.Text(3), rows.Text(4));
    ++added;
  }
  tx.Commit();
  return added;
}

void ResultStore::PublishTo(const std::string& dest) {
  static std::atomic<uint64_t> calls{0};  // threads of one process publish to distinct temporary files
  const std::string tmp = dest + ".tmp." + std::to_string(getpid()) + "." + std::to_string(calls++);
  std::remove(tmp.c_str());
  sqlite3* out = nullptr;
  if (sqlite3_open_v2(tmp.c_str(), &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    const std::string msg = tmp + ": cannot create (publishing " + path_ + "): " + (out ? sqlite3_errmsg(out) : "out of memory");
    sqlite3_close(out);
    throw Error(msg);
  }
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> out_owner(out, sqlite3_close);
  try {
    {
      std::lock_guard lock(mu_);  // the backup reads through our connection: a consistent snapshot
      sqlite3_backup* b = sqlite3_backup_init(out, "main", db_, "main");
      if (b == nullptr) Fail(out, tmp, "backup of " + path_);
      const int rc = sqlite3_backup_step(b, -1);
      sqlite3_backup_finish(b);
      if (rc != SQLITE_DONE) Fail(out, tmp, "backup of " + path_);
    }
    // A plain rollback-journal file: readers on any host (NFS, Lustre) need no shared memory, and the copy
    // is complete in this one file before the rename makes it visible.
    Exec(out, tmp, "PRAGMA journal_mode = DELETE");
    out_owner.reset();
    const int fd = open(tmp.c_str(), O_RDONLY);
    if (fd < 0 || fsync(fd) != 0) {
      if (fd >= 0) close(fd);
      throw Error(tmp + ": cannot fsync the published copy");
    }
    close(fd);
    if (std::rename(tmp.c_str(), dest.c_str()) != 0)
      throw Error(dest + ": cannot rename " + tmp + " over it: " + std::strerror(errno));
  } catch (...) {
    out_owner.reset();
    std::remove(tmp.c_str());
    throw;
  }
}

void ResultStore::SetMeta(const std::string& k, const std::string& v) {
  std::lock_guard lock(mu_);
  Stmt s(db_, path_, "INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)");
  s.BindText(1, k);
  s.BindText(2, v);
  s.Step();
}

std::optional<std::string> ResultStore::GetMeta(const std::string& k) {
  std::lock_guard lock(mu_);
  Stmt s(db_, path_, "SELECT v FROM meta WHERE k = ?");
  s.BindText(1, k);
  if (!s.Step()) return std::nullopt;
  return s.Text(0);
}


}  // namespace flbench
