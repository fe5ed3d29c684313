// ResultStore on real SQLite files in a temporary directory: round trips, reopening, kill -9 during Puts,
// concurrent Puts, MergeFrom, PublishTo and read-only opening, and the errors for files that are not results stores.
#include <gtest/gtest.h>

#include <filesystem>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <limits>
#include <thread>

#include "results/run_meta.h"
#include "results/store.h"
#include "testutil/paths.h"
#include "util/error.h"

namespace flbench {
namespace {

using nlohmann::json;

CellRecord Record(const std::string& key, const std::string& suite = "smoke", double acc = 0.5) {
  CellRecord r;
  r.key = key;
  r.suite = suite;
  r.kind = "train";
  r.config = {{"language", "tomita1"}, {"width", 8}, {"name", key}};
  r.result = {{"accuracy", acc}, {"curve", json::array({0.25, 0.5, acc})}};
  r.seconds = 1.25;
  return r;
}

// The message of the flbench::Error that `f` throws ("" if it throws none).
template <typename F>
std::string ErrorOf(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// PRAGMA integrity_check on a closed store file.
std::string IntegrityCheck(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, nullptr);
  std::string out = sqlite3_step(s) == SQLITE_ROW ? reinterpret_cast<const char*>(sqlite3_column_text(s, 0)) : "";
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

void ExecSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(ResultStore, PutGetHasRoundTrip) {
  const std::string path = testing::TempDir() + "/r.db";
  auto store = ResultStore::Open(path);
  EXPECT_EQ(store->Size(), 0u);
  EXPECT_FALSE(store->Has("k1"));
  EXPECT_FALSE(store->Get("k1").has_value());

  store->Put(Record("k1"));
  EXPECT_TRUE(store->Has("k1"));
  const auto got = store->Get("k1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->key, "k1");
  EXPECT_EQ(got->suite, "smoke");
  EXPECT_EQ(got->kind, "train");
  EXPECT_EQ(got->config, Record("k1").config);
  EXPECT_EQ(got->result, Record("k1").result);
  EXPECT_EQ(got->seconds, 1.25);
  EXPECT_EQ(got->finished_at.size(), 20u) << got->finished_at;  // 2024-05-01T12:34:56Z
  EXPECT_EQ(got->finished_at.back(), 'Z');
  EXPECT_FALSE(got->host.empty());

  // Given finished_at and host are kept; a second Put with the same key replaces the row.
  CellRecord again = Record("k1", "smoke", 0.75);
  again.finished_at = "2020-01-02T03:04:05Z";
  again.host = "node7";
  store->Put(again);
  EXPECT_EQ(store->Size(), 1u);
  EXPECT_EQ(store->Get("k1")->result["accuracy"], 0.75);
  EXPECT_EQ(store->Get("k1")->finished_at, "2020-01-02T03:04:05Z");
  EXPECT_EQ(store->Get("k1")->host, "node7");
}

TEST(ResultStore, NonFiniteMetricsAreStoredAsNull) {
  auto store = ResultStore::Open(testing::TempDir() + "/r.db");
  CellRecord r = Record("k");
  r.result["loss"] = std::numeric_limits<double>::quiet_NaN();
  store->Put(r);
  EXPECT_TRUE(store->Get("k")->result["loss"].is_null());
}

TEST(ResultStore, ReopenKeepsRecordsAndMeta) {
  const std::string path = testing::TempDir() + "/r.db";
  {
    auto store = ResultStore::Open(path);
    store->Put(Record("b"));
    store->Put(Record("a", "other"));
    store->SetMeta("commit", "abc123");
    store->SetMeta("wall_seconds", "12.5");
    store->SetMeta("commit", "def456");
  }
  auto store = ResultStore::Open(path);
  EXPECT_EQ(store->Size(), 2u);
  EXPECT_EQ(store->Get("b")->config, Record("b").config);
  EXPECT_EQ(store->GetMeta("commit"), "def456");
  EXPECT_EQ(store->GetMeta("wall_seconds"), "12.5");
  EXPECT_FALSE(store->GetMeta("missing").has_value());
}

TEST(ResultStore, AllIsOrderedByKeyAndFiltersBySuite) {
  auto store = ResultStore::Open(testing::TempDir() + "/r.db");
  for (const char* k : {"c", "a", "d", "b"}) store->Put(Record(k, std::string(k) < "c" ? "s1" : "s2"));
  std::vector<std::string> keys;
  for (const auto& r : store->All()) keys.push_back(r.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b", "c", "d"}));
  keys.clear();
  for (const auto& r : store->All("s2")) keys.push_back(r.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"c", "d"}));
  EXPECT_TRUE(store->All("none").empty());
}

// A child process Puts records and reports each returned Put through a pipe; it is killed with SIGKILL
// mid-way. Every reported record must be there after reopening, and the file must pass integrity_check.
// Several rounds on the same file, so kills land at different points of a commit.
TEST(ResultStore, KillNineLosesNoReturnedPut) {
  const std::string path = testing::TempDir() + "/r.db";
  size_t expected_total = 0;
  for (int round = 0; round < 4; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      auto store = ResultStore::Open(path);
      for (uint32_t i = 0; i < 1000000; ++i) {
        store->Put(Record("r" + std::to_string(round) + "-" + std::to_string(i)));
        const uint32_t done = i + 1;
        if (write(fds[1], &done, sizeof done) != sizeof done) _exit(3);
      }
      _exit(0);
    }
    close(fds[1]);
    uint32_t done = 0, n = 0;
    const uint32_t kill_after = 150 + 37 * static_cast<uint32_t>(round);
    bool killed = false;
    while (read(fds[0], &n, sizeof n) == sizeof n) {
      done = n;
      if (!killed && done >= kill_after) {
        kill(pid, SIGKILL);
        killed = true;
      }
    }
    close(fds[0]);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child finished before the kill";

    ASSERT_EQ(IntegrityCheck(path), "ok");
    auto store = ResultStore::Open(path);
    for (uint32_t i = 0; i < done; ++i)
      ASSERT_TRUE(store->Has("r" + std::to_string(round) + "-" + std::to_string(i))) << "round " << round << " i " << i;
    // At most the one Put in flight when the kill landed may be there beyond those reported.
    expected_total += done;
    EXPECT_GE(store->Size(), expected_total);
    EXPECT_LE(store->Size(), expected_total + 1);
    expected_total = store->Size();
  }
}

TEST(ResultStore, ConcurrentPutsFromEightThreads) {
  auto store = ResultStore::Open(testing::TempDir() + "/r.db");
  constexpr int kThreads = 8, kPerThread = 100;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
        store->Put(Record(key));
        if (!store->Has(key)) ADD_FAILURE() << key;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(store->Size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(store->All().size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(ResultStore, MergeFromDisjointOverlappingAndConflicting) {
  const std::string dir = testing::TempDir();
  {
    auto a = ResultStore::Open(dir + "/a.db");
    a->Put(Record("k1"));
    a->Put(Record("k2"));
    auto b = ResultStore::Open(dir + "/b.db");
    b->Put(Record("k3"));
    b->Put(Record("k4"));
    auto c = ResultStore::Open(dir + "/c.db");  // overlaps a and b with identical configs
    c->Put(Record("k2", "smoke", 0.9));
    c->Put(Record("k4"));
    c->Put(Record("k5"));
    auto d = ResultStore::Open(dir + "/d.db");  // k0 is new, but k1 conflicts
    d->Put(Record("k0"));
    CellRecord conflict = Record("k1");
    conflict.config["width"] = 16;
    d->Put(conflict);
  }
  auto merged = ResultStore::Open(dir + "/merged.db");
  EXPECT_EQ(merged->MergeFrom(dir + "/a.db"), 2u);
  EXPECT_EQ(merged->MergeFrom(dir + "/b.db"), 2u);
  EXPECT_EQ(merged->MergeFrom(dir + "/c.db"), 1u);
  EXPECT_EQ(merged->MergeFrom(dir + "/c.db"), 0u);
  EXPECT_EQ(merged->MergeFrom(dir + "/merged.db"), 0u);  // itself: every key present, identical
  EXPECT_EQ(merged->Size(), 5u);
  EXPECT_EQ(merged->Get("k2")->result["accuracy"], 0.5);  // the record already present is kept
  EXPECT_EQ(merged->Get("k5")->config, Record("k5").config);

  const std::string err = ErrorOf([&] { merged->MergeFrom(dir + "/d.db"); });
  EXPECT_NE(err.find("k1"), std::string::npos) << err;
  EXPECT_NE(err.find("different configs"), std::string::npos) << err;
  EXPECT_FALSE(merged->Has("k0")) << "a failed merge adds nothing";
  EXPECT_EQ(merged->Size(), 5u);

  const std::string missing = ErrorOf([&] { merged->MergeFrom(dir + "/nope.db"); });
  EXPECT_NE(missing.find("nope.db: no such file"), std::string::npos) << missing;
}

// PublishTo while other threads keep writing: every copy is a complete store (no WAL, no partial file) holding
// a prefix of what was written; merging from a read-only source never writes to it.
TEST(ResultStore, PublishToIsAtomicAndReadOnlySourcesStayUntouched) {
  const std::string dir = testing::TempDir();
  auto store = ResultStore::Open(dir + "/live.db");
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) store->Put(Record("w" + std::to_string(i)));
  });
  size_t last = 0;
  for (int round = 0; round < 20; ++round) {
    store->PublishTo(dir + "/pub.db");
    auto copy = ResultStore::OpenReadOnly(dir + "/pub.db");
    const size_t n = copy->Size();
    EXPECT_GE(n, last) << "a later copy holds fewer records";
    last = n;
    for (const auto& r : copy->All()) EXPECT_EQ(r.config, Record(r.key).config);
  }
  stop = true;
  writer.join();
  store->PublishTo(dir + "/pub.db");
  EXPECT_EQ(ResultStore::OpenReadOnly(dir + "/pub.db")->Size(), store->Size());
  EXPECT_NE(access((dir + "/pub.db-wal").c_str(), F_OK), 0);
  for (const auto& e : std::filesystem::directory_iterator(dir))
    EXPECT_EQ(e.path().filename().string().find("pub.db.tmp"), std::string::npos) << "temporary file left: " << e.path();

  // A merge reads its source read-only: the published file stays a rollback-journal database.
  auto merged = ResultStore::Open(dir + "/merged.db");
  EXPECT_EQ(merged->MergeFrom(dir + "/pub.db"), store->Size());
  EXPECT_EQ(merged->MergeFrom(dir + "/pub.db"), 0u) << "merging again adds nothing";
  std::ifstream in(dir + "/pub.db", std::ios::binary);
  char header[20] = {};
  in.read(header, sizeof header);
  EXPECT_EQ(header[18], 1) << "the source was switched to WAL";
  // A read-only store refuses to write; a missing file is an error, not a new store.
  auto ro = ResultStore::OpenReadOnly(dir + "/pub.db");
  EXPECT_NE(ErrorOf([&] { ro->Put(Record("x")); }).find("pub.db"), std::string::npos);
  EXPECT_NE(ErrorOf([&] { ResultStore::OpenReadOnly(dir + "/none.db"); }).find("none.db: no such file"), std::string::npos);
  EXPECT_NE(ErrorOf([&] { store->PublishTo(dir + "/no/such/dir/x.db"); }).find("cannot create"), std::string::npos);
  std::system(("rm -rf " + dir).c_str());
}

TEST(ResultStore, ClearErrorsForFilesThatAreNotResultStores) {
  const std::string dir = testing::TempDir();

  const std::string text = dir + "/notes.txt";
  std::ofstream(text) << "these are not the results you are looking for, not even close to a database header\n";
  std::string err = ErrorOf([&] { ResultStore::Open(text); });
  EXPECT_NE(err.find(text + ":"), std::string::npos) << err;
  EXPECT_NE(err.find(text + ": not an SQLite database"), std::string::npos) << err;

  err = ErrorOf([&] { ResultStore::Open(dir + "/no/such/dir/r.db"); });
  EXPECT_NE(err.find("no/such/dir/r.db: cannot open"), std::string::npos) << err;

  err = ErrorOf([&] { ResultStore::Open(dir); });
  EXPECT_NE(err.find("not a regular file"), std::string::npos) << err;

  const std::string other = dir + "/other.db";
  ExecSql(other, "CREATE TABLE t (x)");
  err = ErrorOf([&] { ResultStore::Open(other); });
  EXPECT_NE(err.find("not an flbench results store"), std::string::npos) << err;

  const std::string newer = dir + "/newer.db";
  ResultStore::Open(newer);
  ExecSql(newer, "PRAGMA user_version = 7");
  err = ErrorOf([&] { ResultStore::Open(newer); });
  EXPECT_NE(err.find("schema version 7, but this flbench reads version 1"), std::string::npos) << err;

  // An empty file is an empty database: it gets the schema.
  const std::string empty = dir + "/empty.db";
  std::ofstream(empty).close();
  EXPECT_EQ(ResultStore::Open(empty)->Size(), 0u);
}

// RunMeta (results/run_meta.h): Save then FromStore gives the same metadata, through a reopen of the file; the
// wall time is kept to the millisecond; a store without metadata reads as "unknown" / 0.
TEST(RunMeta, SaveThenFromStoreRoundTrips) {
  const std::string path = testing::TempDir() + "/meta.db";
  RunMeta m;
  m.commit = "v0.1-12-gabcdef0123-dirty";
  m.date = "2026-11-22T20:55:00Z";
  m.machine = "AMD EPYC 7B13, 2 cores, 8 GiB, host x | y";  // any text, '|' included
  m.jobs = 7;
  m.wall_seconds = 1234.5;
  {
    auto store = ResultStore::Open(path);
    m.Save(*store);
    const RunMeta same = RunMeta::FromStore(*store);
    EXPECT_EQ(same.commit, m.commit);
    EXPECT_EQ(same.wall_seconds, 1234.5);
  }
  auto store = ResultStore::Open(path);
  const RunMeta back = RunMeta::FromStore(*store);
  EXPECT_EQ(back.commit, m.commit);
  EXPECT_EQ(back.date, m.date);
  EXPECT_EQ(back.machine, m.machine);
  EXPECT_EQ(back.jobs, 7);
  EXPECT_EQ(back.wall_seconds, 1234.5);
  EXPECT_EQ(store->GetMeta("wall_seconds"), "1234.500");

  // Saved to the millisecond (3 decimals): 0.0004 more rounds away, 0.0006 more rounds up.
  m.wall_seconds = 2.0004;
  m.Save(*store);
  EXPECT_EQ(RunMeta::FromStore(*store).wall_seconds, 2.0);
  m.wall_seconds = 2.0006;
  m.jobs = 1;
  m.Save(*store);  // a second Save replaces every field
  EXPECT_EQ(RunMeta::FromStore(*store).wall_seconds, 2.001);
  EXPECT_EQ(RunMeta::FromStore(*store).jobs, 1);
}

TEST(RunMeta, MissingMetadataReadsAsUnknown) {
  auto store = ResultStore::Open(testing::TempDir() + "/empty-meta.db");
  const RunMeta m = RunMeta::FromStore(*store);
  EXPECT_EQ(m.commit, "unknown");
  EXPECT_EQ(m.date, "unknown");
  EXPECT_EQ(m.machine, "unknown");
  EXPECT_EQ(m.jobs, 0);
  EXPECT_EQ(m.wall_seconds, 0.0);
}

TEST(RunMeta, UtcNowIsIso8601) {
  const std::string now = UtcNow();
  ASSERT_EQ(now.size(), 20u) << now;
  for (size_t i : {4u, 7u}) EXPECT_EQ(now[i], '-') << now;
  EXPECT_EQ(now[10], 'T');
  EXPECT_EQ(now[13], ':');
  EXPECT_EQ(now[16], ':');
  EXPECT_EQ(now[19], 'Z');
  EXPECT_FALSE(MachineDescription().empty());
  EXPECT_FALSE(CurrentCommit().empty());
}

// Disabled: reveals a bug in src/results/run_meta.cc (reported to the lead). Metadata read back from a results file
// is untrusted; a non-numeric "jobs" or "wall_seconds" escapes std::stoi/std::stod as std::invalid_argument (so the
// CLI says "internal error", exit 3) instead of a flbench::Error naming the file and the bad value.
TEST(RunMeta, GarbageNumbersInTheStoreAreErrors) {
  auto store = ResultStore::Open(testing::TempDir() + "/bad-meta.db");
  store->SetMeta("jobs", "many");
  EXPECT_THROW(RunMeta::FromStore(*store), Error);
  store->SetMeta("jobs", "2");
  store->SetMeta("wall_seconds", "");
  EXPECT_THROW(RunMeta::FromStore(*store), Error);
}

}  // namespace
}  // namespace flbench
