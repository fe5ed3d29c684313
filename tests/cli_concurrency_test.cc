// Several flbench processes at once, and suites naming languages by path, through the real binary: a second `run`
// on one database refuses naming the first (pid, host) and a killed holder blocks nobody; concurrent `report` runs
// writing the same files all succeed; a suite language given by path trains exactly that file, even when the file
// shadows a shipped name; the default output paths (reports/SUITE.md) pass the output check in a fresh directory.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "results/store.h"
#include "testutil/paths.h"

namespace flbench {
namespace {

using testing::BinaryPath;
using testing::FileText;
using testing::RunCommand;
using testing::SourceDir;

std::string Flbench(const std::string& args) { return BinaryPath() + " " + args; }

std::string HostName() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

// A flbench process started in the background; killed (SIGKILL) and reaped when the guard goes.
class Background {
 public:
  explicit Background(const std::string& args) {
    pid_ = fork();
    if (pid_ == 0) {
      execl("/bin/sh", "sh", "-c", ("exec " + Flbench(args) + " >/dev/null 2>&1").c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~Background() { Kill(); }
  pid_t pid() const { return pid_; }
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

// Cells that keep a run busy for many seconds (no early stop), so a second process meets the first.
const char* const kSlowSuite = R"(name: slow
languages: [tomita4]
data: {task: next-symbol, train: 300, test: 50, min_len: 2, max_len: 16}
grid: {width: 24, epochs: 20000, patience: 0, seeds: 4}
)";

TEST(ConcurrencyTest, SecondRunRefusesNamingTheHolderAndAKilledHolderBlocksNobody) {
  const std::string dir = testing::TempDir();
  std::ofstream(dir + "/slow.yaml") << kSlowSuite;
  const std::string run = "run " + dir + "/slow.yaml --jobs 1 --quiet --report " + dir + "/slow.md";
  Background first(run);
  const std::string lock = dir + "/slow.db.lock";
  const std::string holder = "pid " + std::to_string(first.pid()) + " on " + HostName();
  for (int i = 0; i < 1000 && FileText(lock).find(holder) == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_NE(FileText(lock).find(holder), std::string::npos) << FileText(lock);

  auto second = RunCommand(Flbench(run));
  EXPECT_EQ(second.status, 2) << second.err;
  EXPECT_EQ(second.err.rfind("flbench: " + dir + "/slow.db: in use by " + holder, 0), 0u) << second.err;
  EXPECT_NE(second.err.find("flbench run " + dir + "/slow.yaml"), std::string::npos) << second.err;
  // `run --cell` shares the database with other --cell runs only, never with a whole run.
  auto cells = RunCommand(Flbench("run " + dir + "/slow.yaml --list-cells"));
  ASSERT_EQ(cells.status, 0) << cells.err;
  auto cell = RunCommand(Flbench(run + " --cell " + cells.out.substr(0, cells.out.find('\t'))));
  EXPECT_EQ(cell.status, 2) << cell.err;
  EXPECT_NE(cell.err.find("in use by " + holder), std::string::npos) << cell.err;
  // A merge into the database is refused too.
  auto merge = RunCommand(Flbench("merge " + dir + "/slow.db " + dir + "/slow.db"));
  EXPECT_EQ(merge.status, 2) << merge.err;

  // kill -9 leaves the lock file with a dead pid in it; the lock itself died with the process.
  first.Kill();
  ASSERT_NE(FileText(lock).find(holder), std::string::npos);
  std::ofstream(dir + "/fast.yaml") << std::string(kSlowSuite).replace(std::string(kSlowSuite).find("20000"), 5, "2");
  auto after = RunCommand(Flbench("run " + dir + "/fast.yaml --jobs 1 --quiet --db " + dir + "/slow.db --report " +
                                  dir + "/slow.md"));
  EXPECT_EQ(after.status, 0) << after.err;
  EXPECT_EQ(FileText(lock).find(holder), std::string::npos) << "the new holder describes itself: " << FileText(lock);
}

TEST(ConcurrencyTest, CellRunsShareADatabase) {
  const std::string dir = testing::TempDir();
  const std::string suite = SourceDir() + "/tests/data/tiny-suite.yaml";
  auto cells = RunCommand(Flbench("run " + suite + " --list-cells"));
  ASSERT_EQ(cells.status, 0) << cells.err;
  std::string script;
  std::istringstream lines(cells.out);
  std::string line;
  for (int i = 0; i < 6 && std::getline(lines, line); ++i)
    script += "(" + Flbench("run " + suite + " --quiet --db " + dir + "/tiny.db --cell " + line.substr(0, line.find('\t'))) +
              " 2>" + dir + "/err" + std::to_string(i) + "; echo $? >" + dir + "/status" + std::to_string(i) + ") & ";
  ASSERT_EQ(RunCommand(script + "wait").status, 0);
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(FileText(dir + "/status" + std::to_string(i)), "0\n") << FileText(dir + "/err" + std::to_string(i));
  EXPECT_EQ(ResultStore::Open(dir + "/tiny.db")->Size(), 6u);
}

TEST(ConcurrencyTest, ConcurrentReportsOfOneSuiteAllSucceed) {
  const std::string dir = testing::TempDir();
  const std::string suite = SourceDir() + "/tests/data/tiny-suite.yaml";
  auto run = RunCommand(Flbench("run " + suite + " --quiet --report " + dir + "/tiny.md"));
  ASSERT_EQ(run.status, 0) << run.err;
  std::string script;
  for (int i = 0; i < 12; ++i)
    script += "(" + Flbench("report " + suite + " --report " + dir + "/tiny.md") + " 2>" + dir + "/err" +
              std::to_string(i) + "; echo $? >" + dir + "/status" + std::to_string(i) + ") & ";
  ASSERT_EQ(RunCommand(script + "wait").status, 0);
  std::string errors;
  for (int i = 0; i < 12; ++i) {
    errors += FileText(dir + "/err" + std::to_string(i));
    EXPECT_EQ(FileText(dir + "/status" + std::to_string(i)), "0\n") << FileText(dir + "/err" + std::to_string(i));
  }
  EXPECT_EQ(errors.find("cannot"), std::string::npos) << errors;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << "left behind: " << e.path();
  EXPECT_NE(FileText(dir + "/tiny.md").find("cells with results: 24 of 24"), std::string::npos);
}

// The stored result of the only cell of a one-language suite.
nlohmann::json OnlyResult(const std::string& db) {
  const auto all = ResultStore::Open(db)->All();
  if (all.size() != 1) return nullptr;
  return all[0].result;
}

TEST(LanguageByPathTest, TrainsExactlyTheFileEvenWhenItShadowsAShippedName) {
  const std::string dir = testing::TempDir();
  std::filesystem::create_directories(dir + "/mine");
  // tomita1 ships as 1* (only 6 members of length 1–6); this file of the same name has 63.
  const std::string lang = "alphabet: \"01\"\nregex: \"0(0|1)*\"\n";
  std::ofstream(dir + "/mine/tomita1.yaml") << lang;
  std::ofstream(dir + "/mine/mylang.yaml") << lang;
  const std::string body = "data: {train: 40, test: 10, min_len: 1, max_len: 6}\ngrid: {width: 4, epochs: 2}\n";
  std::ofstream(dir + "/shipped.yaml") << "languages: [tomita1]\n" << body;
  std::ofstream(dir + "/shadow.yaml") << "languages: [" << dir << "/mine/tomita1.yaml]\n" << body;
  std::ofstream(dir + "/mylang.yaml") << "languages: [" << dir << "/mine/mylang.yaml]\n" << body;
  for (const char* s : {"shipped", "shadow", "mylang"}) {
    auto r = RunCommand(Flbench(std::string("run ") + dir + "/" + s + ".yaml --quiet --report " + dir + "/" + s + ".md"));
    ASSERT_EQ(r.status, 0) << s << ": " << r.err;
  }
  const nlohmann::json shipped = OnlyResult(dir + "/shipped.db"), shadow = OnlyResult(dir + "/shadow.db"),
                       mine = OnlyResult(dir + "/mylang.db");
  ASSERT_TRUE(shipped.is_object() && shadow.is_object() && mine.is_object());
  // 1*: 6 members, so 6 positives of 20 asked and a note; 0(0|1)*: all 20 positives and 20 negatives, no note.
  EXPECT_LT(shipped["data_sizes"]["train"].get<int>(), 40) << shipped.dump();
  EXPECT_TRUE(shipped.contains("data_notes"));
  EXPECT_EQ(shadow["data_sizes"]["train"].get<int>(), 40) << shadow.dump();
  EXPECT_FALSE(shadow.contains("data_notes")) << shadow.dump();
  EXPECT_EQ(shadow["data_sizes"], mine["data_sizes"]);
  // Both names in one suite would make two report rows called tomita1.
  std::ofstream(dir + "/both.yaml") << "languages: [tomita1, " << dir << "/mine/tomita1.yaml]\n" << body;
  auto both = RunCommand(Flbench("run " + dir + "/both.yaml --quiet --report " + dir + "/both.md"));
  EXPECT_EQ(both.status, 2);
  EXPECT_NE(both.err.find("both.yaml:1:22: language 'tomita1' listed twice"), std::string::npos) << both.err;
}

TEST(OutputPathTest, DefaultReportDirectoryIsCreatedInAFreshWorkingDirectory) {
  const std::string dir = testing::TempDir();
  std::ofstream(dir + "/s.yaml") << "name: fresh\nlanguages: [tomita1]\ndata: {min_len: 1, max_len: 6}\ngrid: {epochs: 1}\n";
  auto r = RunCommand("cd " + dir + " && " + Flbench("run s.yaml --quiet"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir + "/reports/fresh.md"));
  auto report = RunCommand("cd " + dir + " && rm -r reports/fresh.md && " + Flbench("report s.yaml"));
  EXPECT_EQ(report.status, 0) << report.err;
  EXPECT_TRUE(std::filesystem::exists(dir + "/reports/fresh.md"));
}

}  // namespace
}  // namespace flbench
