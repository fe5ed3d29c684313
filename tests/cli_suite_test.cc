// Suites end to end through the real binary: results independent of --jobs, kill -9 then resume gives
// the same report as an uninterrupted run, shards + merge, report regeneration, baseline + compare.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "results/store.h"
#include "testutil/paths.h"

namespace flbench {
namespace {

using testing::BinaryPath;
using testing::RunCommand;
using testing::SourceDir;

std::string Suite() { return SourceDir() + "/tests/data/tiny-suite.yaml"; }
std::string Flbench(const std::string& args) { return BinaryPath() + " " + args; }

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The report from its first table on: everything but the run metadata (paths, dates, wall times).
std::string Body(const std::string& md) {
  const size_t at = md.find("## Table 1");
  return at == std::string::npos ? "(no tables)" : md.substr(at);
}

// One uninterrupted run, shared by the tests.
class SuiteCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::TempDir());
    auto r = RunCommand(Flbench("run " + Suite() + " --jobs 2 --report " + *dir_ + "/ref/tiny.md"));
    ASSERT_EQ(r.status, 0) << r.err;
  }
  static std::string Ref(const std::string& suffix) { return *dir_ + "/ref/tiny" + suffix; }
  static std::string* dir_;
};
std::string* SuiteCliTest::dir_ = nullptr;

TEST_F(SuiteCliTest, ReportHasTablesPlotsAndFiles) {
  const std::string md = Slurp(Ref(".md"));
  EXPECT_NE(md.find("## Table 1: Tiny: test accuracy"), std::string::npos);
  EXPECT_NE(md.find("## Table 1.1: Tiny: test accuracy — longer strings (test bin 1)"), std::string::npos);
  EXPECT_NE(md.find("relu paper"), std::string::npos);
  EXPECT_NE(md.find("smallest m with every seed ≥ 0.9"), std::string::npos);
  EXPECT_NE(md.find("cells with results: 24 of 24"), std::string::npos);
  EXPECT_NE(md.find("](tiny-accuracy-vs-width-relu.svg)"), std::string::npos);
  for (const char* f : {"-accuracy-vs-width-relu.svg", "-curve-tomita4.svg", ".csv", ".json", ".db"})
    EXPECT_FALSE(Slurp(Ref(f)).empty()) << f;
  const std::string csv = Slurp(Ref(".csv"));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 25);  // header + 24 cells
}

TEST_F(SuiteCliTest, ResultsDoNotDependOnJobs) {
  auto r = RunCommand(Flbench("run " + Suite() + " --jobs 1 --quiet --report " + *dir_ + "/one/tiny.md"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Slurp(*dir_ + "/one/tiny.csv"), Slurp(Ref(".csv")));
  EXPECT_EQ(Body(Slurp(*dir_ + "/one/tiny.md")), Body(Slurp(Ref(".md"))));
}

TEST_F(SuiteCliTest, KillMinus9ThenResumeGivesTheSameReport) {
  const std::string out = *dir_ + "/killed";
  const std::string db = out + "/tiny.db";
  auto start = RunCommand("mkdir -p " + out + " && (" + Flbench("run " + Suite() + " --jobs 2 --quiet --report " + out +
                          "/tiny.md") + " >/dev/null 2>&1 & echo $! > " + out + "/pid)");
  ASSERT_EQ(start.status, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const pid_t pid = std::stoi(Slurp(out + "/pid"));
  size_t at_kill = 0;
  for (int i = 0; i < 2000; ++i) {  // up to 20 s: kill once some but not all cells are stored
    if (access(db.c_str(), F_OK) == 0) {
      at_kill = ResultStore::Open(db)->Size();
      if (at_kill >= 2) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const size_t stored = ResultStore::Open(db)->Size();
  ASSERT_GE(stored, 2u);
  ASSERT_LT(stored, 24u) << "the run finished before it could be killed: make the tiny suite's cells slower";
  auto resumed = RunCommand(Flbench("run " + Suite() + " --jobs 2 --report " + out + "/tiny.md"));
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_NE(resumed.err.find(std::to_string(stored) + " of 24 cells already in"), std::string::npos) << resumed.err;
  EXPECT_NE(resumed.err.find(std::to_string(24 - stored) + " run now"), std::string::npos) << resumed.err;
  EXPECT_EQ(Slurp(out + "/tiny.csv"), Slurp(Ref(".csv")));
  EXPECT_EQ(Body(Slurp(out + "/tiny.md")), Body(Slurp(Ref(".md"))));
}

TEST_F(SuiteCliTest, ShardsMergeIntoTheSameReport) {
  const std::string out = *dir_ + "/shards";
  for (int i = 0; i < 3; ++i) {
    auto r = RunCommand(Flbench("run " + Suite() + " --quiet --shard " + std::to_string(i) + "/3 --report " + out + "/tiny.md"));
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("flbench merge"), std::string::npos) << "a shard run says how to merge";
  }
  auto m = RunCommand(Flbench("merge " + out + "/tiny.db " + out + "/tiny-shard0of3.db " + out + "/tiny-shard1of3.db " + out +
                              "/tiny-shard2of3.db"));
  ASSERT_EQ(m.status, 0) << m.err;
  EXPECT_NE(m.err.find("now holds 24"), std::string::npos) << m.err;
  auto rep = RunCommand(Flbench("report " + Suite() + " --report " + out + "/tiny.md"));
  ASSERT_EQ(rep.status, 0) << rep.err;
  EXPECT_EQ(Slurp(out + "/tiny.csv"), Slurp(Ref(".csv")));
  EXPECT_EQ(Body(Slurp(out + "/tiny.md")), Body(Slurp(Ref(".md"))));
}

TEST_F(SuiteCliTest, ReportRegeneratesWithoutTraining) {
  const std::string before = Slurp(Ref(".csv"));
  auto r = RunCommand(Flbench("report " + Suite() + " --report " + Ref(".md")));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Slurp(Ref(".csv")), before);
  auto missing = RunCommand(Flbench("report " + Suite() + " --report " + *dir_ + "/none/tiny.md"));
  EXPECT_NE(missing.status, 0);
  EXPECT_NE(missing.err.find("no results database"), std::string::npos) << missing.err;
}

TEST_F(SuiteCliTest, BaselineAndCompare) {
  const std::string base = *dir_ + "/baseline.json";
  auto b = RunCommand(Flbench("baseline " + Suite() + " --report " + Ref(".md") + " --out " + base));
  ASSERT_EQ(b.status, 0) << b.err;
  auto same = RunCommand(Flbench("compare " + Suite() + " --report " + Ref(".md") + " --baseline " + base));
  EXPECT_EQ(same.status, 0) << same.out << same.err;
  EXPECT_NE(same.out.find("0 regressed, 0 missing — PASS"), std::string::npos) << same.out;
  // A baseline that is better than us by more than the tolerance makes compare fail, with a table.
  std::string text = Slurp(base);
  const size_t at = text.find("\"mean\": ");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 8, "\"mean\": 1.5, \"was\": ");
  std::ofstream(*dir_ + "/better.json") << text;
  auto worse = RunCommand(Flbench("compare --db " + Ref(".db") + " --baseline " + *dir_ + "/better.json"));
  EXPECT_EQ(worse.status, 1) << worse.out << worse.err;
  EXPECT_NE(worse.out.find("| regressed"), std::string::npos) << worse.out;
  EXPECT_NE(worse.out.find("1 regressed"), std::string::npos) << worse.out;
  std::ofstream(*dir_ + "/bad.json") << "{\"groups\": 3}";
  auto bad = RunCommand(Flbench("compare --db " + Ref(".db") + " --baseline " + *dir_ + "/bad.json"));
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.err.find("'groups' list"), std::string::npos) << bad.err;
}

TEST(SuiteCliErrors, BadSuiteFileIsAClearError) {
  const std::string dir = testing::TempDir();
  std::ofstream(dir + "/bad.yaml") << "languages: [tomita1]\ngrid:\n  width: [3, x]\n";
  auto r = RunCommand(Flbench("run " + dir + "/bad.yaml --report " + dir + "/r.md"));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("bad.yaml:3:14: 'width' must be an integer, got 'x'"), std::string::npos) << r.err;
  auto s = RunCommand(Flbench("run smok"));
  EXPECT_NE(s.status, 0);
  EXPECT_NE(s.err.find("unknown suite 'smok'"), std::string::npos) << s.err;
}

}  // namespace
}  // namespace flbench
