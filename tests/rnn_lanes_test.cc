// The batch-in-lanes path of ElmanRnn<float> (src/rnn/elman_lanes.h, used at widths ≤ kLanesMaxWidth), as this CPU runs
// it (AVX-512 where present) and held to AVX2, against the scalar path (ForceScalarGemm: the column-layout loop with
// GemmReference's plain std::fma chains), bit for bit: loss, correct
// count and every gradient coordinate, over widths, shard sizes (lane tails), lengths, activations, tasks, bias
// forms and alphabets on both sides of the permute/gather switch (d ≤ 8 / d > 8), forward-only too.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "rnn/elman.h"
#include "rnn/elman_lanes.h"
#include "rnn/gemm.h"
#include "rnn/init.h"
#include "util/rng.h"

namespace flbench {
namespace {

struct Outcome {
  ShardResult r;
  std::vector<float> grad;
};

// The three paths: the lanes kernels as this CPU runs them (AVX-512 where it has it), the lanes kernels held to AVX2,
// and the scalar column-layout path.
enum class Path { kLanes, kLanesAvx2, kScalar };

Outcome Run(const ElmanShape& shape, const std::vector<float>& theta, const std::vector<const Example*>& shard,
            Path path, bool with_grad) {
  ForceScalarGemm(path == Path::kScalar);
  ForceAvx2Lanes(path == Path::kLanesAvx2);
  ElmanRnn<float> net(shape);
  Outcome out;
  out.grad.assign(shape.size(), 0.25f);  // Evaluate adds into the gradient: start from a nonzero value
  out.r = net.Evaluate(theta.data(), shard, 1.0f / 37, with_grad ? out.grad.data() : nullptr);
  // A second call on the same scratch (different buffers' sizes from the first) must not change anything.
  std::vector<float> again(shape.size(), 0.25f);
  const ShardResult r2 = net.Evaluate(theta.data(), shard, 1.0f / 37, with_grad ? again.data() : nullptr);
  EXPECT_EQ(std::memcmp(&r2.loss_sum, &out.r.loss_sum, sizeof(double)), 0);
  EXPECT_EQ(std::memcmp(again.data(), out.grad.data(), again.size() * sizeof(float)), 0);
  EXPECT_EQ(net.CountCorrect(theta.data(), shard), out.r.correct);  // evaluation's count, without the loss
  ForceScalarGemm(false);
  ForceAvx2Lanes(false);
  return out;
}

// count strings of length T over d symbols with random next-symbol masks (o outputs) and labels.
std::vector<Example> RandomExamples(int count, int T, int d, int o, Rng& rng) {
  std::vector<Example> examples(count);
  for (Example& e : examples) {
    for (int t = 0; t < T; ++t) {
      e.x.push_back(static_cast<uint8_t>(rng.Below(d)));
      e.next.push_back(static_cast<uint32_t>(rng.Below(1u << o)));
    }
    e.label = static_cast<uint8_t>(rng.Below(2));
  }
  return examples;
}

void Check(int m, int n, int T, int d, Activation act, Task task, bool two_biases, Init init, Rng& rng) {
  const int o = task == Task::kMembership ? 1 : d + 1;
  const ElmanShape shape{m, d, o, act, task, two_biases};
  std::vector<float> theta(shape.size());
  InitParams(shape, init, rng, theta.data());
  const std::vector<Example> examples = RandomExamples(n, T, d, o, rng);
  std::vector<const Example*> shard;
  for (const Example& e : examples) shard.push_back(&e);
  const std::string what = "m=" + std::to_string(m) + " n=" + std::to_string(n) + " T=" + std::to_string(T) +
                           " d=" + std::to_string(d) + " act=" + ActivationName(act) +
                           " task=" + std::to_string(int(task)) + " two_biases=" + std::to_string(two_biases);
  for (bool with_grad : {true, false}) {
    const Outcome scalar = Run(shape, theta, shard, Path::kScalar, with_grad);
    for (Path path : {Path::kLanes, Path::kLanesAvx2}) {
      const Outcome lanes = Run(shape, theta, shard, path, with_grad);
      const std::string which = what + (path == Path::kLanes ? std::string(" lanes=") + LanesPath() : " lanes=avx2");
      ASSERT_EQ(std::memcmp(&lanes.r.loss_sum, &scalar.r.loss_sum, sizeof(double)), 0)
          << which << " loss " << lanes.r.loss_sum << " vs " << scalar.r.loss_sum;
      ASSERT_EQ(lanes.r.correct, scalar.r.correct) << which;
      for (size_t k = 0; k < lanes.grad.size(); ++k)
        ASSERT_EQ(std::memcmp(&lanes.grad[k], &scalar.grad[k], sizeof(float)), 0)
            << which << " gradient coordinate " << k << ": " << lanes.grad[k] << " vs " << scalar.grad[k];
    }
  }
}

TEST(Lanes, UsedAtSmallWidthsOnly) {
  EXPECT_EQ(UseLanes(3), std::string(GemmPath()) == "avx2");
  EXPECT_EQ(UseLanes(kLanesMaxWidthAvx2), std::string(GemmPath()) == "avx2");
  EXPECT_EQ(UseLanes(kLanesMaxWidth), UseAvx512());  // widths 33–64 only on AVX-512
  EXPECT_FALSE(UseLanes(kLanesMaxWidth + 1));
  ForceAvx2Lanes(true);
  EXPECT_FALSE(UseLanes(kLanesMaxWidthAvx2 + 1));
  ForceAvx2Lanes(false);
  ForceScalarGemm(true);
  EXPECT_FALSE(UseLanes(3));
  EXPECT_STREQ(LanesPath(), "off");
  ForceScalarGemm(false);
  ForceAvx2Lanes(true);
  EXPECT_STREQ(LanesPath(), UseLanes(3) ? "avx2" : "off");
  ForceAvx2Lanes(false);
}

// The AVX-512 kernels exist to be used: on a CPU that has AVX-512 F/VL/BW/DQ the lanes path runs them (so the tests
// above compared them with the scalar path), unless FLBENCH_NO_AVX512 is set.
TEST(Lanes, Avx512UsedWhereTheCpuHasIt) {
  const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                   __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
  const char* off = std::getenv("FLBENCH_NO_AVX512");
  if (!has || !UseLanes(3) || (off != nullptr && *off != '\0' && *off != '0'))
    GTEST_SKIP() << "no AVX-512 here (or FLBENCH_NO_AVX512 set): the AVX2 lanes were compared with the scalar path";
  EXPECT_STREQ(LanesPath(), "avx512");
}

TEST(Lanes, EqualScalarPathBitForBit) {
  Rng rng(5);
  for (int m : {1, 3, 7, 8, 9, 13, 16, 24, 32, 37, 48, kLanesMaxWidth})
    for (int n : {1, 5, 8, 12, 16, 17, 25, 32, 40, 48, 64})  // lane blocks: 1–5 of 8, and 1–4 of 16 (AVX-512)
      for (Task task : {Task::kMembership, Task::kNextSymbol})
        for (Activation act : {Activation::kTanh, Activation::kRelu, Activation::kSigmoid, Activation::kCos,
                               Activation::kIdentity})
          Check(m, n, 1 + static_cast<int>(rng.Below(9)), 2, act, task, rng.Below(2) == 0, Init::kUniform, rng);
}

TEST(Lanes, EqualScalarPathForLargerAlphabetsAndInits) {
  Rng rng(6);
  for (int d : {3, 8, 9, 20})
    for (int m : {2, 9, kLanesMaxWidth})
      for (Init init : {Init::kUniform, Init::kGaussian, Init::kIdentity})
        Check(m, 11, 6, d, Activation::kTanh, d < 20 ? Task::kNextSymbol : Task::kMembership, true, init, rng);
  Check(5, 256, 3, 2, Activation::kRelu, Task::kMembership, true, Init::kGaussian, rng);  // an evaluation chunk
  Check(kLanesMaxWidth, 33, 30, 4, Activation::kTanh, Task::kNextSymbol, true, Init::kUniform, rng);
}

// Several shards of one batch in one pass (EvaluateShards: side by side in the lanes, each shard's reductions its own)
// against each shard alone (Evaluate), bit for bit: results and gradients, with and without gradients, shards of
// sizes that leave lane tails (the padding lanes between shards), both tasks, every activation, alphabets on both
// sides of the register gather (d ≤ 3) and of the permute (d ≤ 8), and on the AVX2 kernels too.
void CheckShards(int m, const std::vector<int>& sizes, int T, int d, Activation act, Task task, Rng& rng, bool avx2) {
  const int o = task == Task::kMembership ? 1 : d + 1;
  const ElmanShape shape{m, d, o, act, task, rng.Below(2) == 0};
  std::vector<float> theta(shape.size());
  InitParams(shape, Init::kUniform, rng, theta.data());
  int total = 0;
  for (int n : sizes) total += n;
  const std::vector<Example> examples = RandomExamples(total, T, d, o, rng);
  std::vector<const Example*> all;
  for (const Example& e : examples) all.push_back(&e);
  std::vector<std::span<const Example* const>> shards;
  size_t begin = 0;
  for (int n : sizes) {
    shards.push_back(std::span<const Example* const>(all).subspan(begin, n));
    begin += n;
  }
  ForceAvx2Lanes(avx2);
  const std::string what = "m=" + std::to_string(m) + " shards=" + std::to_string(sizes.size()) + " T=" +
                           std::to_string(T) + " d=" + std::to_string(d) + " act=" + ActivationName(act) +
                           " task=" + std::to_string(int(task)) + (avx2 ? " avx2" : "");
  ElmanRnn<float> net(shape);
  for (bool with_grad : {true, false}) {
    std::vector<std::vector<float>> alone(sizes.size(), std::vector<float>(shape.size(), 0.5f));
    std::vector<std::vector<float>> together = alone;
    std::vector<ShardResult> r_alone(sizes.size()), r_together(sizes.size());
    for (size_t s = 0; s < sizes.size(); ++s)
      r_alone[s] = net.Evaluate(theta.data(), shards[s], 1.0f / 29, with_grad ? alone[s].data() : nullptr);
    std::vector<float*> grads;
    for (auto& g : together) grads.push_back(g.data());
    net.EvaluateShards(theta.data(), shards, 1.0f / 29, with_grad ? grads.data() : nullptr, r_together.data());
    for (size_t s = 0; s < sizes.size(); ++s) {
      ASSERT_EQ(std::memcmp(&r_alone[s].loss_sum, &r_together[s].loss_sum, sizeof(double)), 0)
          << what << " shard " << s << " loss " << r_together[s].loss_sum << " vs " << r_alone[s].loss_sum;
      ASSERT_EQ(r_alone[s].correct, r_together[s].correct) << what << " shard " << s;
      ASSERT_EQ(std::memcmp(alone[s].data(), together[s].data(), alone[s].size() * sizeof(float)), 0)
          << what << " shard " << s << " gradient";
    }
  }
  ForceAvx2Lanes(false);
}

TEST(Lanes, ShardsSideBySideEqualShardsAlone) {
  Rng rng(7);
  const std::vector<std::vector<int>> sizes = {{16, 16}, {16, 5}, {3, 9, 1}, {17, 16, 40}, {8, 8, 8, 8}};
  for (int m : {1, 3, 8, 13, 16, 32, 45, kLanesMaxWidth})
    for (const auto& s : sizes)
      for (Task task : {Task::kMembership, Task::kNextSymbol})
        for (Activation act : {Activation::kTanh, Activation::kRelu, Activation::kSigmoid, Activation::kCos,
                               Activation::kIdentity})
          CheckShards(m, s, 1 + static_cast<int>(rng.Below(9)), 2, act, task, rng, rng.Below(3) == 0);
  for (int d : {3, 4, 9})
    for (int m : {2, 9, kLanesMaxWidth})
      CheckShards(m, {16, 11}, 7, d, Activation::kTanh, Task::kNextSymbol, rng, false);
}

// The column-layout path (no lanes: ForceScalarGemm) runs the shards one by one: the same results again.
TEST(Lanes, ShardsOnTheScalarPathEqualShardsAlone) {
  Rng rng(8);
  ForceScalarGemm(true);
  CheckShards(5, {16, 7}, 6, 2, Activation::kTanh, Task::kNextSymbol, rng, false);
  CheckShards(40, {16, 16}, 4, 3, Activation::kRelu, Task::kMembership, rng, false);
  ForceScalarGemm(false);
}

}  // namespace
}  // namespace flbench
