// `flbench predict / verify / extract` and `train --save` through the real binary: output formats, exit 0 whatever
// the verdict, exit 2 with a message naming the file for damaged model files and bad arguments.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "lang/language_dfa.h"
#include "lang/spec.h"
#include "model/safetensors.h"
#include "model_networks.h"
#include "testutil/paths.h"

namespace flbench {
namespace {

using testing::BinaryPath;
using testing::RunCommand;

class CliModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::TempDir());
    const auto parity = LoadLanguage("parity");
    Dfa D = dynamic_cast<const DfaLanguage&>(*parity).dfa();
    SaveSafetensors(*dir_ + "/parity.safetensors", testing::NetworkFromDfa(D, "01", Task::kMembership, "parity"));
    for (int q = 0; q < D.states(); ++q) std::swap(D.next[q * 2], D.next[q * 2 + 1]);  // counts 0s instead
    SaveSafetensors(*dir_ + "/wrong.safetensors", testing::NetworkFromDfa(D, "01", Task::kMembership, "parity"));
    const auto t4 = LoadLanguage("tomita4");
    SaveSafetensors(*dir_ + "/t4next.safetensors",
                    testing::NetworkFromDfa(dynamic_cast<const DfaLanguage&>(*t4).dfa(), "01", Task::kNextSymbol,
                                            "tomita4"));
  }
  static std::string Path(const std::string& name) { return *dir_ + "/" + name; }
  static std::string* dir_;
};
std::string* CliModelTest::dir_ = nullptr;

TEST_F(CliModelTest, PredictPrintsOneLinePerString) {
  auto r = RunCommand(BinaryPath() + " predict " + Path("parity.safetensors") + " 0 1 11 0100 ''");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "0\t0\n1\t1\n11\t0\n0100\t1\n\t0\n");
  // From stdin, dataset TSV lines (first column), comments skipped.
  r = RunCommand("(printf '# header\\n01\\t1\\n111\\n' | " + BinaryPath() + " predict " + Path("parity.safetensors") +
                 ")");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "01\t1\n111\t1\n");
  // Next-symbol: the dataset TSV's target format (per step: may-follow per symbol, then end).
  r = RunCommand(BinaryPath() + " predict " + Path("t4next.safetensors") + " 100 0001");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "100\t1\t111,111,011\n0001\t0\t111,011,000,000\n");
}

TEST_F(CliModelTest, VerifyPrintsOneJsonObjectAndExitsZeroEitherWay) {
  auto r = RunCommand(BinaryPath() + " verify " + Path("parity.safetensors") + " --max-len 12");
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["exact"], true);
  EXPECT_EQ(j["strings"], 8190);
  EXPECT_EQ(j["language"], "parity");
  EXPECT_EQ(j["per_length"].size(), 12u);
  r = RunCommand(BinaryPath() + " verify " + Path("wrong.safetensors") + " --max-len 6");
  ASSERT_EQ(r.status, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["exact"], false);
  EXPECT_EQ(j["counterexamples"][0]["string"], "0");
  EXPECT_EQ(j["counterexamples"][0]["model"], "1");
  EXPECT_EQ(j["counterexamples"][0]["expected"], "0");
  r = RunCommand(BinaryPath() + " verify " + Path("t4next.safetensors") + " --max-len 10 --language tomita3");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["exact"], false);
}

TEST_F(CliModelTest, ExtractPrintsJsonAndWritesDot) {
  const std::string dot = Path("t4.dot");
  auto r = RunCommand(BinaryPath() + " extract " + Path("t4next.safetensors") + " --max-len 10 --dot " + dot);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["equivalent"], true);
  EXPECT_EQ(j["states"], 4);
  EXPECT_TRUE(j.contains("reading"));
  std::ifstream f(dot);
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.rfind("digraph", 0), 0u) << text;
}

TEST_F(CliModelTest, DamagedModelFilesAndBadArgumentsExitTwo) {
  {
    std::ofstream(Path("garbage.safetensors")) << "this is not a model";
    std::ifstream in(Path("parity.safetensors"), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(Path("cut.safetensors"), std::ios::binary) << bytes.substr(0, bytes.size() - 3);
  }
  struct Case {
    std::string args, fragment;
  };
  const Case cases[] = {
      {" verify " + Path("garbage.safetensors"), "garbage.safetensors: header length"},
      {" extract " + Path("cut.safetensors"), "cut.safetensors: tensor"},
      {" predict " + Path("cut.safetensors") + " 01", "run past the end of the data"},
      {" predict " + Path("none.safetensors") + " 01", "none.safetensors: cannot read"},
      {" predict " + Path("parity.safetensors") + " 01x", "symbol 'x' at position 3"},
      {" verify " + Path("parity.safetensors") + " --max-len 40", "more than"},
      {" verify " + Path("parity.safetensors") + " --language dyck1", "alphabet"},
      {" extract " + Path("parity.safetensors") + " --language nosuchlang", "unknown language"},
  };
  for (const Case& c : cases) {
    auto r = RunCommand(BinaryPath() + c.args);
    EXPECT_EQ(r.status, 2) << c.args << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << c.args;
    EXPECT_EQ(r.err.rfind("flbench: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(c.fragment), std::string::npos) << c.args << "\n" << r.err;
  }
}

TEST_F(CliModelTest, TrainSaveWritesAModelThatVerifyReads) {
  const std::string model = Path("trained.safetensors");
  auto r = RunCommand(BinaryPath() +
                      " train tomita4 --task next-symbol --train 300 --test 50 --min-len 2 --max-len 12 --width 6 "
                      "--epochs 3 --patience 0 --quiet --seed 2 --save " + model);
  ASSERT_EQ(r.status, 0) << r.err;
  const RnnModel M = LoadSafetensors(model);
  EXPECT_EQ(M.m, 6);
  EXPECT_EQ(M.language, "tomita4");
  EXPECT_EQ(M.task, Task::kNextSymbol);
  EXPECT_EQ(nlohmann::json::parse(M.config_json)["width"], 6);
  EXPECT_EQ(M.language_digest.size(), 32u);
  EXPECT_NE(M.flbench_version.find("flbench"), std::string::npos);
  r = RunCommand(BinaryPath() + " verify " + model + " --max-len 8");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["language"], "tomita4");
  EXPECT_EQ(j["task"], "next-symbol");
}

}  // namespace
}  // namespace flbench
