// The results store: one SQLite row per finished cell, keyed by a hash of everything that determines the
// result (util/hash.h), committed before Put returns. Entry points: ResultStore, CellRecord.
// Tested by tests/results_store_test.cc.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

struct sqlite3;

namespace flbench {

// One finished cell.
struct CellRecord {
  std::string key;          // hex hash of everything that determines the result (computed by the caller)
  std::string suite;        // suite name
  std::string kind;         // "train", "inversion", "convergence", "width-vs-samples", ...
  nlohmann::json config;    // the cell's full configuration
  nlohmann::json result;    // its metrics (may include arrays: learning curves); NaN is stored as null
  double seconds = 0;       // wall time of the cell
  std::string finished_at;  // ISO 8601 UTC ("2024-05-01T12:34:56Z"), filled by Put if empty
  std::string host;         // filled by Put if empty (gethostname)
};

// A database file holding cells and metadata. One connection, serialised by a mutex, so any number of
// threads may call any method at once. Durability: WAL journal with synchronous=FULL — a commit is in the
// WAL file (and fsynced) before Put returns, so neither kill -9 nor a power cut loses a returned Put.
// Several processes may write the same file (busy_timeout waits for the lock), and shards writing their
// own files never interact. Every failure throws flbench::Error("<path>: <what>").
class ResultStore {
 public:
  static constexpr int kSchemaVersion = 1;  // PRAGMA user_version of the files this code writes

  // Opens `path`, creating the file and schema if it does not exist or is empty. Throws if it cannot:
  // not a database, a database that is not a results store, another schema version, unwritable.
  static std::unique_ptr<ResultStore> Open(const std::string& path);
  // Opens an existing store for reading only: its file (and journal mode) is never written, so it may be a
  // published copy on a shared file system. Writing methods throw.
  static std::unique_ptr<ResultStore> OpenReadOnly(const std::string& path);
  ~ResultStore();
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

  bool Has(const std::string& key);
  std::optional<CellRecord> Get(const std::string& key);
  // One transaction, committed before returning; replaces an existing row with the same key.
  void Put(const CellRecord& r);
  // Every record (of `suite`, or of all suites when empty), ordered by key.
  std::vector<CellRecord> All(const std::string& suite = "");
  size_t Size();
  // The suites whose cells the store holds, with the number of cells of each (suite name → cells).
  std::map<std::string, size_t> SuiteCounts();

  // Copies every record of the store at `source_path` (opened read-only) into this one, in one transaction (all
  // or nothing).
  // A key already present with an identical config is skipped; with a different config it throws an
  // Error naming the key (a hash collision or a corrupted db). Returns the number of records added.
  // Metadata is not copied: it describes one run.
  size_t MergeFrom(const std::string& source_path);

  // Publishes a consistent copy of this store at `dest` atomically: SQLite's backup API into DEST.tmp.PID.N (a
  // rollback-journal file, not WAL: safe to read on a network file system; N makes the name unique per call), fsync, rename over DEST. Readers
  // of DEST see the old copy or the new one, never a partial file. Any number of threads may call it.
  void PublishTo(const std::string& dest);

  // Metadata for reports (suite wall time, commit, ...).
  void SetMeta(const std::string& k, const std::string& v);
  std::optional<std::string> GetMeta(const std::string& k);

  const std::string& path() const { return path_; }

 private:
  ResultStore(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}

  const std::string path_;
  std::mutex mu_;  // guards every use of db_
  sqlite3* db_;    // owned
};

}  // namespace flbench
