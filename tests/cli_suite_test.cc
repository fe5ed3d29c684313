// Suites end to end through the real binary: results independent of --jobs, kill -9 then resume gives
// the same report as an uninterrupted run, shards + merge, report regeneration, baseline + compare,
// --list-cells / --cell, and the `flbench slurm` scripts run by hand without Slurm (tasks, merge, refusal
// to publish an incomplete report). Against a real Slurm: tests/slurm_cluster_test.sh.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "results/store.h"
#include "testutil/paths.h"

namespace flbench {
namespace {

using testing::BinaryPath;
using testing::FileText;
using testing::RunCommand;
using testing::SourceDir;

std::string Suite() { return SourceDir() + "/tests/data/tiny-suite.yaml"; }
std::string Flbench(const std::string& args) { return BinaryPath() + " " + args; }

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
  const std::string md = FileText(Ref(".md"));
  EXPECT_NE(md.find("## Table 1: Tiny: test accuracy"), std::string::npos);
  EXPECT_NE(md.find("## Table 1.1: Tiny: test accuracy — longer strings (test bin 1)"), std::string::npos);
  EXPECT_NE(md.find("relu paper"), std::string::npos);
  EXPECT_NE(md.find("smallest m with every seed ≥ 0.9"), std::string::npos);
  EXPECT_NE(md.find("cells with results: 24 of 24"), std::string::npos);
  EXPECT_NE(md.find("](tiny-accuracy-vs-width-relu.svg)"), std::string::npos);
  for (const char* f : {"-accuracy-vs-width-relu.svg", "-curve-tomita4.svg", ".csv", ".json", ".db"})
    EXPECT_FALSE(FileText(Ref(f)).empty()) << f;
  const std::string csv = FileText(Ref(".csv"));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 25);  // header + 24 cells
}

TEST_F(SuiteCliTest, ResultsDoNotDependOnJobs) {
  auto r = RunCommand(Flbench("run " + Suite() + " --jobs 1 --quiet --report " + *dir_ + "/one/tiny.md"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(FileText(*dir_ + "/one/tiny.csv"), FileText(Ref(".csv")));
  EXPECT_EQ(Body(FileText(*dir_ + "/one/tiny.md")), Body(FileText(Ref(".md"))));
}

TEST_F(SuiteCliTest, KillMinus9ThenResumeGivesTheSameReport) {
  const std::string out = *dir_ + "/killed";
  const std::string db = out + "/tiny.db";
  auto start = RunCommand("mkdir -p " + out + " && (" + Flbench("run " + Suite() + " --jobs 2 --quiet --report " + out +
                          "/tiny.md") + " >/dev/null 2>&1 & echo $! > " + out + "/pid)");
  ASSERT_EQ(start.status, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const pid_t pid = std::stoi(FileText(out + "/pid"));
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
  EXPECT_EQ(FileText(out + "/tiny.csv"), FileText(Ref(".csv")));
  EXPECT_EQ(Body(FileText(out + "/tiny.md")), Body(FileText(Ref(".md"))));
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
  EXPECT_EQ(FileText(out + "/tiny.csv"), FileText(Ref(".csv")));
  EXPECT_EQ(Body(FileText(out + "/tiny.md")), Body(FileText(Ref(".md"))));
}

TEST_F(SuiteCliTest, ReportRegeneratesWithoutTraining) {
  const std::string before = FileText(Ref(".csv"));
  auto r = RunCommand(Flbench("report " + Suite() + " --report " + Ref(".md")));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(FileText(Ref(".csv")), before);
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
  std::string text = FileText(base);
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

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) out.push_back(line);
  return out;
}

TEST_F(SuiteCliTest, ListCellsAndRunOneCell) {
  auto list = RunCommand(Flbench("run " + Suite() + " --list-cells"));
  ASSERT_EQ(list.status, 0) << list.err;
  const auto lines = Lines(list.out);
  ASSERT_EQ(lines.size(), 24u);
  EXPECT_NE(lines[0].find("\ttomita2 "), std::string::npos) << lines[0] << ": suite order, tomita2 first";
  std::set<std::string> keys;
  for (const auto& l : lines) {
    const auto tab1 = l.find('\t'), tab2 = l.rfind('\t');
    ASSERT_TRUE(tab1 == 32 && tab2 > tab1) << l;  // KEY<TAB>LABEL<TAB>COST
    EXPECT_GT(std::stod(l.substr(tab2 + 1)), 0) << l;
    keys.insert(l.substr(0, 32));
  }
  EXPECT_EQ(keys.size(), 24u);
  std::set<std::string> in_shards;  // the shards' lists partition the cells
  for (int i = 0; i < 3; ++i) {
    auto r = RunCommand(Flbench("run " + Suite() + " --list-cells --shard " + std::to_string(i) + "/3"));
    ASSERT_EQ(r.status, 0) << r.err;
    for (const auto& l : Lines(r.out)) EXPECT_TRUE(in_shards.insert(l.substr(0, 32)).second) << l << " in two shards";
  }
  EXPECT_EQ(in_shards, keys);

  // --cell runs exactly that cell into the database; its result is the uninterrupted run's.
  const std::string db = *dir_ + "/cell/one.db";
  const std::string key = lines[5].substr(0, 32);
  auto one = RunCommand(Flbench("run " + Suite() + " --cell " + key + " --db " + db + " --quiet"));
  ASSERT_EQ(one.status, 0) << one.err;
  EXPECT_NE(one.err.find("1 run now"), std::string::npos) << one.err;
  auto store = ResultStore::Open(db);
  EXPECT_EQ(store->Size(), 1u);
  ASSERT_TRUE(store->Has(key));
  EXPECT_EQ(store->Get(key)->result["tests"], ResultStore::Open(Ref(".db"))->Get(key)->result["tests"]);
  auto bad = RunCommand(Flbench("run " + Suite() + " --cell 0123abc --db " + *dir_ + "/cell/two.db"));
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("tiny-suite.yaml: no cell with key '0123abc'"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::ifstream(*dir_ + "/cell/two.db").good()) << "an unknown key creates no database";
  auto both = RunCommand(Flbench("run " + Suite() + " --cell " + key + " --shard 0/2"));
  EXPECT_EQ(both.status, 2);
}

// SIGTERM (what scancel and a Slurm time limit send first) makes a run with --publish-to publish every cell it
// has finished before it exits 143; without the signal only the first cell would be in the copy (long interval).
TEST_F(SuiteCliTest, SigtermPublishesBeforeExiting) {
  const std::string out = *dir_ + "/term";
  const std::string live = out + "/live.db", pub = out + "/pub.db";
  auto start = RunCommand("mkdir -p " + out + " && (sh -c '" + Flbench("run " + Suite() + " --jobs 1 --quiet --db " + live +
                          " --report " + out + "/tiny.md --publish-to " + pub + " --publish-every 1000000") +
                          " & echo $! > " + out + "/pid; wait $!; echo $? > " + out + "/status' >/dev/null 2>&1 &)");
  ASSERT_EQ(start.status, 0);
  for (int i = 0; i < 500 && FileText(out + "/pid").empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const pid_t pid = std::stoi(FileText(out + "/pid"));
  size_t at_kill = 0;
  for (int i = 0; i < 2000; ++i) {  // up to 20 s: signal once 3 cells are stored (the copy then holds 1)
    if (access(live.c_str(), F_OK) == 0 && access(pub.c_str(), F_OK) == 0 && (at_kill = ResultStore::Open(live)->Size()) >= 3)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  for (int i = 0; i < 1000 && FileText(out + "/status").empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(FileText(out + "/status"), "143\n") << "the run finished before SIGTERM: make the tiny suite's cells slower";
  // Every cell stored before the signal is in the copy (cells finishing while it is written may be too).
  ASSERT_GE(at_kill, 3u);
  const size_t published = ResultStore::OpenReadOnly(pub)->Size();
  EXPECT_GE(published, at_kill);
  EXPECT_LE(published, ResultStore::Open(live)->Size());
}

// The scripts `flbench slurm` writes, run by hand with bash (SLURM_ARRAY_TASK_ID set as Slurm would): the tasks
// publish their shards, the merge job refuses to report while a task is missing, then reports what a local run
// reports; merging again changes nothing.
TEST_F(SuiteCliTest, SlurmScriptsRunByHand) {
  const std::string dir = *dir_ + "/slurm";
  auto w = RunCommand(Flbench("slurm " + Suite() + " --tasks 3 --dir " + dir + " --time 00:10:00 --partition short "
                              "--local-dir " + *dir_ + "/node-local --publish-every 0"));
  ASSERT_EQ(w.status, 0) << w.err;
  const std::string array = FileText(dir + "/tiny.sbatch");
  for (const char* line : {"#SBATCH --array=0-2\n", "#SBATCH --time=00:10:00\n", "#SBATCH --partition=short\n",
                           "#SBATCH --cpus-per-task=1\n", "--publish-every 0", "#SBATCH --dependency"})
    EXPECT_EQ(array.find(line) != std::string::npos, std::string(line) != "#SBATCH --dependency") << line;
  EXPECT_NE(array.find("flbench='" + BinaryPath() + "'"), std::string::npos) << "the binary by absolute path";
  EXPECT_NE(array.find("mktemp -d '" + *dir_ + "/node-local'/"), std::string::npos) << array;
  EXPECT_EQ(RunCommand("bash -n " + dir + "/tiny.sbatch && bash -n " + dir + "/tiny-merge.sbatch").status, 0);
  auto task = [&](int i) {
    return RunCommand("mkdir -p " + *dir_ + "/node-local && SLURM_ARRAY_TASK_ID=" + std::to_string(i) + " bash " + dir +
                      "/tiny.sbatch");
  };
  const std::string merge = "bash " + dir + "/tiny-merge.sbatch";
  for (int i : {0, 2}) ASSERT_EQ(task(i).status, 0) << i;
  auto refused = RunCommand(merge);
  EXPECT_NE(refused.status, 0);
  EXPECT_NE(refused.err.find("task 1 published no database"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("cells have no results, so no report is written"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::ifstream(dir + "/tiny.md").good()) << "an incomplete report was published";

  ASSERT_EQ(task(1).status, 0);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(std::ifstream(dir + "/tiny-shard" + std::to_string(i) + "of3.done").good());
  auto merged = RunCommand(merge);
  ASSERT_EQ(merged.status, 0) << merged.err;
  EXPECT_EQ(FileText(dir + "/tiny.csv"), FileText(Ref(".csv")));
  EXPECT_EQ(Body(FileText(dir + "/tiny.md")), Body(FileText(Ref(".md"))));
  auto again = RunCommand(merge);  // idempotent: the merged database plus the shards again
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.err.find("now holds 24"), std::string::npos) << again.err;
  EXPECT_EQ(ResultStore::Open(dir + "/tiny.db")->Size(), 24u);
  EXPECT_EQ(FileText(dir + "/tiny.csv"), FileText(Ref(".csv")));

  // --allow-incomplete: the merge job writes the report with what it has and lists the missing cells.
  const std::string part = *dir_ + "/slurm-part";
  ASSERT_EQ(RunCommand(Flbench("slurm " + Suite() + " --tasks 2 --allow-incomplete --dir " + part)).status, 0);
  ASSERT_EQ(RunCommand("SLURM_ARRAY_TASK_ID=0 bash " + part + "/tiny.sbatch").status, 0);
  auto partial = RunCommand("bash " + part + "/tiny-merge.sbatch");
  ASSERT_EQ(partial.status, 0) << partial.err;
  EXPECT_NE(partial.err.find("cells without results:"), std::string::npos) << partial.err;
  EXPECT_NE(FileText(part + "/tiny.md").find("cells with results: 12 of 24"), std::string::npos);

  auto no_submit = RunCommand(Flbench("slurm " + Suite() + " --tasks 2 --wait --dir " + part));
  EXPECT_EQ(no_submit.status, 2);
  auto too_many = RunCommand(Flbench("slurm " + Suite() + " --tasks 25 --dir " + part));
  EXPECT_EQ(too_many.status, 2);
  EXPECT_NE(too_many.err.find("only 24 cells"), std::string::npos) << too_many.err;
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

// save_models, verify and extract in a suite: the model file beside the database, listed by `flbench models`, loadable
// by `flbench verify`, which finds exactly the errors the cell stored; the report's verification columns.
TEST(SuiteCliChecks, SavedModelsAreVerifiedAndListed) {
  const std::string dir = testing::TempDir() + "/checks";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/checked.yaml") << R"(name: checked
save_models: true
verify: {max_len: 10}
extract: {max_states: 30}
data: {task: next-symbol, train: 300, validation: 50, test: 100, min_len: 1, max_len: 12, test_bins: ["13-16"]}
grid: {width: 8, activation: tanh, lr: 0.02, epochs: 15, seeds: 2}
languages: [tomita4]
report: {plots: [accuracy-vs-length]}
)";
  auto r = RunCommand(Flbench("run " + dir + "/checked.yaml --jobs 2 --report " + dir + "/checked.md"));
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string md = FileText(dir + "/checked.md");
  EXPECT_NE(md.find("exact ≤ 10"), std::string::npos) << md;
  EXPECT_NE(md.find("automaton = target"), std::string::npos) << md;
  EXPECT_NE(md.find("checked-length-tomita4.svg"), std::string::npos) << md;

  auto m = RunCommand(Flbench("models " + dir + "/checked.yaml --db " + dir + "/checked.db"));
  ASSERT_EQ(m.status, 0) << m.err;
  EXPECT_NE(m.err.find("2 of 2 cells have a model file"), std::string::npos) << m.err;
  auto store = ResultStore::Open(dir + "/checked.db");
  const auto all = store->All();
  ASSERT_EQ(all.size(), 2u);
  for (const auto& rec : all) {
    const std::string model = dir + "/checked.models/" + rec.key + ".safetensors";
    ASSERT_TRUE(std::filesystem::exists(model)) << model;
    EXPECT_NE(m.out.find(model), std::string::npos) << m.out;
    ASSERT_TRUE(rec.result.contains("verify")) << rec.result.dump();
    ASSERT_TRUE(rec.result.contains("extract")) << rec.result.dump();
    // The stand-alone command on the saved file agrees with what the cell stored.
    auto v = RunCommand(Flbench("verify " + model + " --max-len 10"));
    ASSERT_EQ(v.status, 0) << v.err;
    const auto j = nlohmann::json::parse(v.out);
    EXPECT_EQ(j["errors"], rec.result["verify"]["errors"]);
    EXPECT_EQ(j["exact"], rec.result["verify"]["exact"]);
    // Per-length sampled results cover the test split and the longer bin: their error count matches the test acc.
    ASSERT_EQ(rec.result["by_length"].size(), 2u);
    double strings = 0, errors = 0;
    for (const auto& l : rec.result["by_length"][0]["lengths"]) {
      strings += l[1].get<double>();
      errors += l[2].get<double>();
    }
    EXPECT_EQ(strings, rec.result["data_sizes"]["test"].get<double>());
    EXPECT_NEAR(1 - errors / strings, rec.result["tests"][0]["acc"].get<double>(), 1e-12);
  }
}

}  // namespace
}  // namespace flbench
