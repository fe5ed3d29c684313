// `flbench compare --baseline REPORT.json`: a committed report's JSON is a baseline, so a user checks that their
// machine reproduces the committed numbers (tolerance 0); a changed number fails; a file that is neither a baseline
// nor a report is a clear error (exit 2).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "testutil/paths.h"

namespace flbench {
namespace {

using testing::BinaryPath;
using testing::RunCommand;

TEST(CliCompare, ReportJsonIsABaseline) {
  const std::string dir = testing::TempDir();
  auto run = RunCommand(BinaryPath() + " run smoke --report " + dir + "/smoke.md --jobs 2 --quiet");
  ASSERT_EQ(run.status, 0) << run.err;
  const std::string compare = BinaryPath() + " compare smoke --report " + dir + "/smoke.md --tolerance 0 --baseline ";
  auto same = RunCommand(compare + dir + "/smoke.json");
  EXPECT_EQ(same.status, 0) << same.out << same.err;
  EXPECT_NE(same.out.find("0 regressed, 0 missing"), std::string::npos) << same.out;

  // A report whose first cell scored higher than ours: that group regressed.
  nlohmann::json report;
  std::ifstream(dir + "/smoke.json") >> report;
  auto& acc = report["cells"][0]["result"]["tests"][0]["acc"];
  acc = acc.get<double>() >= 0.5 ? acc.get<double>() + 0.5 : 1.0;
  std::ofstream(dir + "/better.json") << report.dump();
  auto worse = RunCommand(compare + dir + "/better.json");
  EXPECT_EQ(worse.status, 1) << worse.out << worse.err;
  EXPECT_NE(worse.out.find("regressed"), std::string::npos) << worse.out;

  std::ofstream(dir + "/neither.json") << R"({"suite": "smoke"})";
  auto neither = RunCommand(compare + dir + "/neither.json");
  EXPECT_EQ(neither.status, 2);
  EXPECT_NE(neither.err.find("neither a baseline"), std::string::npos) << neither.err;
  std::ofstream(dir + "/broken.json") << R"({"suite": "smoke", "cells": [{"key": "x", "config": {}, "result": {}}]})";
  auto broken = RunCommand(compare + dir + "/broken.json");
  EXPECT_EQ(broken.status, 2);
  EXPECT_NE(broken.err.find("lacks key, config or result.tests"), std::string::npos) << broken.err;
}

}  // namespace
}  // namespace flbench
