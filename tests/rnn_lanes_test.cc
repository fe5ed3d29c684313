// The batch-in-lanes path of ElmanRnn<float> (src/rnn/elman_lanes.h, used at widths ≤ kLanesMaxWidth) against the scalar path
// (ForceScalarGemm: the column-layout loop with GemmReference's plain std::fma chains), bit for bit: loss, correct
// count and every gradient coordinate, over widths, shard sizes (lane tails), lengths, activations, tasks, bias
// forms and alphabets on both sides of the permute/gather switch (d ≤ 8 / d > 8), forward-only too.
#include <gtest/gtest.h>

#include <cstring>
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

Outcome Run(const ElmanShape& shape, const std::vector<float>& theta, const std::vector<const Example*>& shard,
            bool scalar, bool with_grad) {
  ForceScalarGemm(scalar);
  ElmanRnn<float> net(shape);
  Outcome out;
  out.grad.assign(shape.size(), 0.25f);  // Evaluate adds into the gradient: start from a nonzero value
  out.r = net.Evaluate(theta.data(), shard, 1.0f / 37, with_grad ? out.grad.data() : nullptr);
  // A second call on the same scratch (different buffers' sizes from the first) must not change anything.
  std::vector<float> again(shape.size(), 0.25f);
  const ShardResult r2 = net.Evaluate(theta.data(), shard, 1.0f / 37, with_grad ? again.data() : nullptr);
  EXPECT_EQ(std::memcmp(&r2.loss_sum, &out.r.loss_sum, sizeof(double)), 0);
  EXPECT_EQ(std::memcmp(again.data(), out.grad.data(), again.size() * sizeof(float)), 0);
  ForceScalarGemm(false);
  return out;
}

void Check(int m, int n, int T, int d, Activation act, Task task, bool two_biases, Init init, Rng& rng) {
  const int o = task == Task::kMembership ? 1 : d + 1;
  const ElmanShape shape{m, d, o, act, task, two_biases};
  std::vector<float> theta(shape.size());
  InitParams(shape, init, rng, theta.data());
  std::vector<Example> examples(n);
  for (Example& e : examples) {
    for (int t = 0; t < T; ++t) {
      e.x.push_back(static_cast<uint8_t>(rng.Below(d)));
      e.next.push_back(static_cast<uint32_t>(rng.Below(1u << o)));
    }
    e.label = static_cast<uint8_t>(rng.Below(2));
  }
  std::vector<const Example*> shard;
  for (const Example& e : examples) shard.push_back(&e);
  const std::string what = "m=" + std::to_string(m) + " n=" + std::to_string(n) + " T=" + std::to_string(T) +
                           " d=" + std::to_string(d) + " act=" + ActivationName(act) +
                           " task=" + std::to_string(int(task)) + " two_biases=" + std::to_string(two_biases);
  for (bool with_grad : {true, false}) {
    const Outcome lanes = Run(shape, theta, shard, false, with_grad);
    const Outcome scalar = Run(shape, theta, shard, true, with_grad);
    ASSERT_EQ(std::memcmp(&lanes.r.loss_sum, &scalar.r.loss_sum, sizeof(double)), 0)
        << what << " loss " << lanes.r.loss_sum << " vs " << scalar.r.loss_sum;
    ASSERT_EQ(lanes.r.correct, scalar.r.correct) << what;
    for (size_t k = 0; k < lanes.grad.size(); ++k)
      ASSERT_EQ(std::memcmp(&lanes.grad[k], &scalar.grad[k], sizeof(float)), 0)
          << what << " gradient coordinate " << k << ": " << lanes.grad[k] << " vs " << scalar.grad[k];
  }
}

TEST(Lanes, UsedAtSmallWidthsOnly) {
  EXPECT_EQ(UseLanes(3), std::string(GemmPath()) == "avx2");
  EXPECT_EQ(UseLanes(kLanesMaxWidth), std::string(GemmPath()) == "avx2");
  EXPECT_FALSE(UseLanes(kLanesMaxWidth + 1));
  ForceScalarGemm(true);
  EXPECT_FALSE(UseLanes(3));
  ForceScalarGemm(false);
}

TEST(Lanes, EqualScalarPathBitForBit) {
  Rng rng(5);
  for (int m : {1, 3, 7, 8, 9, 13, kLanesMaxWidth})
    for (int n : {1, 5, 8, 16, 17, 40})
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

}  // namespace
}  // namespace flbench
