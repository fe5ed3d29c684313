// Same numbers on every machine: training cells and a small suite run in child processes under several OpenBLAS
// core types (OPENBLAS_CORETYPE selects the BLAS kernel, as another CPU would) give identical results, bit for bit;
// and a few cells reproduce the committed golden numbers exactly (tests/data/golden/train.json), so a change that
// moves numbers is seen in review. Regenerate the golden file, on purpose only, with
// FLBENCH_UPDATE_GOLDEN=1 build/test_cli --gtest_filter='Repro.*Golden*'.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "testutil/paths.h"

namespace flbench {
namespace {

using testing::BinaryPath;
using testing::RunCommand;
using testing::SourceDir;

// Core types this CPU can run (forcing a kernel the CPU lacks would crash OpenBLAS, not test us), and "" = unset.
std::vector<std::string> CoreTypes() {
  std::vector<std::string> types = {"", "Prescott"};
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) types.insert(types.end(), {"Haswell", "Zen"});
  // (Haswell is also used below with the scalar kernels; every machine that runs flbench has AVX2.)
  if (__builtin_cpu_supports("avx512f")) types.push_back("SkylakeX");
  return types;
}

std::string Env(const std::string& core) {
  return core.empty() ? "env -u OPENBLAS_CORETYPE " : "env OPENBLAS_CORETYPE=" + core + " ";
}

// Drops wall times (and the store's timestamps), the only things allowed to differ.
void StripTimes(nlohmann::json& j) {
  if (j.is_object()) {
    for (const char* k : {"seconds", "finished_at", "host"}) j.erase(k);
    for (auto& [k, v] : j.items()) StripTimes(v);
  } else if (j.is_array()) {
    for (auto& v : j) StripTimes(v);
  }
}

const std::vector<std::string> kCells = {
    " train tomita7 --task next-symbol --act relu --width 32 --train 600 --test 200 --lr 0.001 --epochs 3 "
    "--patience 0 --seed 2",
    " train parity --act tanh --width 40 --init orthogonal --train 400 --test 200 --max-len 20 --epochs 3 "
    "--patience 0 --seed 4",
    " train tomita4 --task next-symbol --act tanh --width 8 --bias one --optimizer adam --lr 0.01 --train 300 "
    "--test 100 --epochs 3 --patience 0 --seed 5 --threads 2",
};

nlohmann::json TrainCell(const std::string& core, const std::string& args) {
  auto r = RunCommand(Env(core) + BinaryPath() + args + " --quiet");
  EXPECT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out)["result"];
  StripTimes(j);
  return j;
}

TEST(Repro, TrainCellsAreTheSameBitsUnderEveryCoreType) {
  const auto types = CoreTypes();
  ASSERT_GE(types.size(), 3u);
  for (const std::string& args : kCells) {
    const std::string first = TrainCell(types[0], args).dump();
    for (size_t i = 1; i < types.size(); ++i)
      EXPECT_EQ(TrainCell(types[i], args).dump(), first) << "OPENBLAS_CORETYPE=" << types[i] << ":" << args;
  }
}

TEST(Repro, ScalarKernelsGiveTheSameBitsAsVectorKernels) {
  for (const std::string& args : kCells) {
    const std::string vector = TrainCell("", args).dump();
    EXPECT_EQ(TrainCell("Haswell FLBENCH_SCALAR_KERNELS=1", args).dump(), vector) << args;
    // On an AVX-512 CPU the default run above used the AVX-512 lanes kernels; this one holds them to AVX2.
    EXPECT_EQ(TrainCell("Zen FLBENCH_NO_AVX512=1", args).dump(), vector) << args << " (AVX2 lanes)";
  }
}

TEST(Repro, SuiteResultsAreTheSameBitsUnderEveryCoreType) {
  const auto types = CoreTypes();
  std::string first;
  for (const std::string& core : types) {
    const std::string dir = testing::TempDir();
    auto r = RunCommand(Env(core) + BinaryPath() + " run " + SourceDir() + "/tests/data/repro-suite.yaml --db " + dir +
                        "/r.db --report " + dir + "/r.md --jobs 2 --quiet");
    ASSERT_EQ(r.status, 0) << r.err;
    std::ifstream in(dir + "/r.json");
    nlohmann::json j = nlohmann::json::parse(in);
    StripTimes(j);
    if (first.empty()) first = j.dump();
    else EXPECT_EQ(j.dump(), first) << "OPENBLAS_CORETYPE=" << core;
  }
}

// Final loss, training and test accuracies with round-trip precision (JSON numbers print the shortest string that
// reads back to the same double), compared for exact equality.
TEST(Repro, GoldenCellsAreReproducedExactly) {
  nlohmann::json now = nlohmann::json::array();
  for (const std::string& args : kCells) {
    const nlohmann::json r = TrainCell("", args);
    now.push_back({{"args", args}, {"final_loss", r["final_loss"]}, {"train_acc", r["train_acc"]},
                   {"tests", r["tests"]}, {"losses", [&] {
                      nlohmann::json l = nlohmann::json::array();
                      for (const auto& e : r["curve"]) l.push_back(e["loss"]);
                      return l;
                    }()}});
  }
  const std::string path = SourceDir() + "/tests/data/golden/train.json";
  if (std::getenv("FLBENCH_UPDATE_GOLDEN")) {
    std::ofstream(path) << now.dump(1) << "\n";
    GTEST_SKIP() << "wrote " << path;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing " << path;
  const nlohmann::json golden = nlohmann::json::parse(in);
  ASSERT_EQ(golden.size(), now.size());
  for (size_t i = 0; i < now.size(); ++i) EXPECT_EQ(now[i].dump(1), golden[i].dump(1)) << kCells[i];
}

}  // namespace
}  // namespace flbench
