// `flbench train` through the real binary: the JSON contract on stdout, progress on stderr, identical
// results for any --threads, and clear errors for bad options.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "testutil/paths.h"

namespace flbench {
namespace {

using testing::BinaryPath;
using testing::RunCommand;

const std::string kArgs =
    " train tomita4 --task next-symbol --train 400 --validation 50 --test 100 --min-len 2 --max-len 20 "
    "--test-bins 21-30 --width 8 --act tanh --lr 0.01 --epochs 6 --patience 0 --seed 5";

TEST(CliTrainTest, PrintsOneJsonObjectAndProgress) {
  auto r = RunCommand(BinaryPath() + kArgs);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["command"], "train");
  EXPECT_EQ(j["config"]["width"], 8);
  const auto& res = j["result"];
  EXPECT_EQ(res["epochs_run"], 6);
  ASSERT_EQ(res["tests"].size(), 2u);
  EXPECT_EQ(res["tests"][1]["name"], "test[21,30]");
  EXPECT_EQ(res["curve"].size(), 6u);
  EXPECT_TRUE(res.contains("validation_acc"));
  EXPECT_NE(r.err.find("epoch"), std::string::npos) << "progress lines go to stderr";
}

TEST(CliTrainTest, ThreadsDoNotChangeTheResult) {
  auto one = RunCommand(BinaryPath() + kArgs + " --threads 1 --quiet");
  auto two = RunCommand(BinaryPath() + kArgs + " --threads 2 --quiet");
  ASSERT_EQ(one.status, 0) << one.err;
  ASSERT_EQ(two.status, 0) << two.err;
  auto a = nlohmann::json::parse(one.out)["result"], b = nlohmann::json::parse(two.out)["result"];
  for (auto* x : {&a, &b}) {  // wall times differ, nothing else may
    x->erase("seconds");
    for (auto& e : (*x)["curve"]) e.erase("seconds");
  }
  EXPECT_EQ(a.dump(), b.dump());
}

// --splits comes from the configuration table's data row: all-strings trains on every string of the training lengths
// and tests on the same strings (Tomita 2 has 25 of length 2–50).
TEST(CliTrainTest, SplitsAllStringsTrainsAndTestsOnEveryString) {
  auto r = RunCommand(BinaryPath() + " train tomita2 --task next-symbol --train 25 --test 50 --test-bins 51-100 "
                                     "--splits all-strings --width 4 --epochs 2 --patience 0");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["dataset"]["splits"], "all-strings");
  EXPECT_EQ(j["dataset"]["train"], 25);
  EXPECT_EQ(j["dataset"]["validation"], 0);
  EXPECT_EQ(j["dataset"]["tests"][0]["size"], 25);
  EXPECT_EQ(j["dataset"]["tests"][1]["size"], 25);  // (10)^k of length 52..100: all 25, noted
  EXPECT_NE(r.err.find("note: tomita2: train and test = all 25 members of lengths 2–50 (paper-like overlap"),
            std::string::npos)
      << r.err;
  auto help = RunCommand(BinaryPath() + " train --help");
  EXPECT_NE(help.out.find("--splits TEXT=disjoint"), std::string::npos) << help.out;
  auto plain = RunCommand(BinaryPath() + kArgs + " --quiet");
  ASSERT_EQ(plain.status, 0) << plain.err;
  EXPECT_EQ(nlohmann::json::parse(plain.out)["dataset"]["splits"], "disjoint");
}

TEST(CliTrainTest, BadOptionsAreClearErrors) {
  struct Case {
    const char* args;
    const char* fragment;
  };
  for (const Case& c : {Case{" train tomita2 --width -3", "--width: '-3' is out of range; expected an integer from 1 to 65536"},
                        Case{" train tomita2 --act softplus", "must be one of relu, tanh, sigmoid, cos, identity (got 'softplus')"},
                        Case{" train tomita2 --lr 0", "--lr: 'lr' must be > 0"},
                        Case{" train tomita2 --optimizer lbfgs", "lbfgs"},
                        Case{" train nosuchlang", "unknown language"}}) {
    auto r = RunCommand(BinaryPath() + c.args);
    EXPECT_NE(r.status, 0) << c.args;
    EXPECT_TRUE(r.out.empty()) << c.args;
    EXPECT_NE(r.err.find(c.fragment), std::string::npos) << c.args << "\n" << r.err;
  }
}

}  // namespace
}  // namespace flbench
