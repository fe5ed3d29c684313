// flbench trains exactly as PyTorch does: from the same initial weights (init.safetensors) and the same batches
// (--data DIR --shuffle off), the weights after training equal PyTorch 1.13's (after.safetensors, made by
// bench/make_pytorch_goldens.sh with nn.RNN + nn.Linear) to float32 noise, and so do the epoch losses. Tolerances
// and their justification (PyTorch's own spread under reordered and float64 sums): tests/data/pytorch/README.md.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "model/safetensors.h"
#include "testutil/paths.h"

namespace flbench {
namespace {

using testing::BinaryPath;
using testing::RunCommand;
using testing::SourceDir;

struct Worst {
  double diff = 0;
  std::string where;
  size_t over = 0, total = 0;  // weights beyond the per-weight tolerance, and all weights
  double tolerance = 0;
};

void CompareTensor(const std::string& name, const std::vector<float>& ours, const std::vector<float>& torch, Worst* w) {
  ASSERT_EQ(ours.size(), torch.size()) << name;
  for (size_t i = 0; i < ours.size(); ++i) {
    const double d = std::fabs(double(ours[i]) - double(torch[i]));
    ++w->total;
    if (d > w->tolerance) ++w->over;
    if (d > w->diff) {
      w->diff = d;
      w->where = name + "[" + std::to_string(i) + "]: flbench " + std::to_string(ours[i]) + ", PyTorch " +
                 std::to_string(torch[i]);
    }
  }
}

void CheckCase(const std::string& name) {
  const std::string dir = SourceDir() + "/tests/data/pytorch/" + name;
  nlohmann::json traj;
  std::ifstream(dir + "/trajectory.json") >> traj;
  const auto& c = traj["config"];
  const std::string out = testing::TempDir() + "/after.safetensors";
  std::string args = " train --data " + dir + " --init-from " + dir + "/init.safetensors --shuffle off --patience 0" +
                     " --act " + c["act"].get<std::string>() + " --width " + std::to_string(c["width"].get<int>()) +
                     " --optimizer " + c["optimizer"].get<std::string>() + " --lr " + c["lr"].dump() +
                     " --batch " + std::to_string(c["batch"].get<int>()) +
                     " --epochs " + std::to_string(c["epochs"].get<int>()) + " --save " + out + " --quiet";
  if (c["optimizer"] == "rmsprop") args += " --alpha " + c["alpha"].dump() + " --eps " + c["eps"].dump();
  if (c["optimizer"] == "sgd") args += " --momentum " + c["momentum"].dump();
  const auto r = RunCommand(BinaryPath() + args);
  ASSERT_EQ(r.status, 0) << r.err;
  const RnnModel ours = LoadSafetensors(out), torch = LoadSafetensors(dir + "/after.safetensors", /*weights_only=*/true);
  Worst w;
  w.tolerance = c["epochs"].get<int>() == 1 ? 1e-5 : 1e-4;
  CompareTensor("rnn.weight_ih_l0", ours.weight_ih, torch.weight_ih, &w);
  CompareTensor("rnn.weight_hh_l0", ours.weight_hh, torch.weight_hh, &w);
  CompareTensor("rnn.bias_ih_l0", ours.bias_ih, torch.bias_ih, &w);
  CompareTensor("rnn.bias_hh_l0", ours.bias_hh, torch.bias_hh, &w);
  CompareTensor("readout.weight", ours.readout_weight, torch.readout_weight, &w);
  CompareTensor("readout.bias", ours.readout_bias, torch.readout_bias, &w);
  std::printf("%s: largest weight difference %.3g (%s); %zu of %zu weights beyond %.0e\n", name.c_str(), w.diff,
              w.where.c_str(), w.over, w.total, w.tolerance);
  // Every weight within 5× the per-weight tolerance and at most 1% beyond it. Measured: one weight of 123 in the
  // tomita7 ReLU case at 1.85e-5 (its gradient is tiny, and RMSProp's g/√s magnifies a relative difference of the
  // order of the fast exp's 2e-7 there), every other weight of every case within the bound. A real difference of
  // rule (ε inside the root, one bias, summed loss) moves weights by 0.08–0.4, 1600× beyond this.
  EXPECT_LE(w.diff, 5 * w.tolerance) << name << ": " << w.where;
  EXPECT_LE(double(w.over), 0.01 * double(w.total)) << name << ": " << w.over << " weights beyond " << w.tolerance;
  // Epoch losses as PyTorch computed them (mean BCE over all outputs), to 1e-5 relative.
  const auto result = nlohmann::json::parse(r.out)["result"];
  ASSERT_EQ(result["curve"].size(), traj["epoch_loss"].size());
  for (size_t e = 0; e < traj["epoch_loss"].size(); ++e) {
    const double ours_loss = result["curve"][e]["loss"], torch_loss = traj["epoch_loss"][e];
    EXPECT_LE(std::fabs(ours_loss - torch_loss), 1e-5 * torch_loss) << name << " epoch " << e + 1;
  }
}

TEST(PyTorchEquivalence, Tomita7NextSymbolReluWidth8) { CheckCase("tomita7-next-relu-m8"); }
TEST(PyTorchEquivalence, Tomita3MembershipTanhWidth8) { CheckCase("tomita3-member-tanh-m8"); }
TEST(PyTorchEquivalence, ParityNextSymbolTanhWidth4Sgd) { CheckCase("parity-next-tanh-m4-sgd"); }
TEST(PyTorchEquivalence, Dyck2NextSymbolReluWidth32) { CheckCase("dyck2-next-relu-m32"); }
TEST(PyTorchEquivalence, Tomita7Batch8ThreeEpochs) { CheckCase("tomita7-next-relu-m8-batch8-3epochs"); }

}  // namespace
}  // namespace flbench
