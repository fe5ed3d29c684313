// Speed of the RNN trainer: one training step (forward + backward + RMSProp update, as Train does it: shards of 16
// strings, gradients reduced in order) at batch 32 and length 25 for widths 8 … 512, reported as symbols/s and
// GFLOP/s and ns per symbol; next to the machine's single-thread sgemm (512×512) and the trainer's fixed-order
// products (src/rnn/gemm.h) against sgemm at the trainer's shapes. Run: build/train_bench.
#include <benchmark/benchmark.h>

#include <armadillo>
#include <vector>

#include "optim/optimizer.h"
#include "rnn/elman.h"
#include "rnn/gemm.h"
#include "rnn/init.h"
#include "util/blas_threads.h"
#include "util/rng.h"

namespace flbench {
namespace {

constexpr int kBatch = 32, kLength = 25, kShard = 16, kSymbols = 2;

// Multiply-adds counted as 2 flops: forward 2·m·(m+d) per symbol (W h and U x; the readout is left out), and
// backward about twice that (Wᵀ δ and δ hᵀ), so 3× forward in all.
double StepFlops(int m) { return 3.0 * 2.0 * m * (m + kSymbols) * kBatch * kLength; }

void BM_TrainStep(benchmark::State& state) {
  PinBlasToOneThread();
  const int m = static_cast<int>(state.range(0));
  const Task task = state.range(1) == 0 ? Task::kMembership : Task::kNextSymbol;
  const ElmanShape shape{m, kSymbols, task == Task::kMembership ? 1 : kSymbols + 1, Activation::kTanh, task};
  Rng rng(1);
  std::vector<Example> batch(kBatch);
  for (Example& e : batch) {
    for (int t = 0; t < kLength; ++t) {
      e.x.push_back(static_cast<uint8_t>(rng.Below(kSymbols)));
      e.next.push_back(static_cast<uint32_t>(rng.Below(1u << shape.o)));
    }
    e.label = static_cast<uint8_t>(rng.Below(2));
  }
  std::vector<const Example*> ptrs;
  for (const Example& e : batch) ptrs.push_back(&e);
  const std::span<const Example* const> all(ptrs);

  arma::fvec theta(shape.size()), grad(shape.size());
  std::vector<arma::fvec> shard_grads(kBatch / kShard, arma::fvec(shape.size()));
  InitParams(shape, Init::kUniform, rng, theta.memptr());
  ElmanRnn<float> net(shape);
  RmsProp rmsprop(1e-4, 0.99, 1e-8);
  const float scale = 1.0f / float(kBatch * (task == Task::kMembership ? 1 : kLength * shape.o));
  for (auto _ : state) {
    for (int s = 0; s < kBatch / kShard; ++s) {
      shard_grads[s].zeros();
      net.Evaluate(theta.memptr(), all.subspan(s * kShard, kShard), scale, shard_grads[s].memptr());
    }
    grad = shard_grads[0];
    for (size_t s = 1; s < shard_grads.size(); ++s) grad += shard_grads[s];
    ClipGradNorm(grad, 0);
    rmsprop.Step(theta, grad);
    benchmark::DoNotOptimize(theta.memptr());
  }
  state.counters["symbols"] = benchmark::Counter(double(kBatch) * kLength, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["ns_per_symbol"] = benchmark::Counter(double(kBatch) * kLength,
                                                       benchmark::Counter::kIsIterationInvariantRate |
                                                           benchmark::Counter::kInvert);
  state.counters["GFLOPs"] = benchmark::Counter(StepFlops(m) / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_TrainStep)
    ->ArgNames({"width", "next_symbol"})
    ->ArgsProduct({{3, 8, 16, 32, 64, 128, 512}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);

// The machine's single-thread sgemm through Armadillo: C = A·B, 512×512×512.
void BM_Sgemm512(benchmark::State& state) {
  PinBlasToOneThread();
  const int n = 512;
  arma::fmat A(n, n, arma::fill::randu), B(n, n, arma::fill::randu), C(n, n);
  for (auto _ : state) {
    C = A * B;
    benchmark::DoNotOptimize(C.memptr());
  }
  state.counters["GFLOPs"] = benchmark::Counter(2.0 * n * n * n / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Sgemm512)->Unit(benchmark::kMicrosecond);

// The trainer's products, fixed-order kernel (rnn/gemm.h) against the machine's sgemm (OpenBLAS through Armadillo,
// single-threaded, whatever kernel it picks for this CPU): C = A·B with A m×m and B m×N, for N = 16 (one shard's
// recurrent step, W·h) and N = 400 (the ∂W = δ·hᵀ product over a shard's 25 steps). BLAS is only the yardstick:
// no result depends on it.
void BM_ProductBlas(benchmark::State& state) {
  PinBlasToOneThread();
  const int m = static_cast<int>(state.range(0)), n = static_cast<int>(state.range(1));
  arma::fmat A(m, m, arma::fill::randu), B(m, n, arma::fill::randu), C(m, n);
  for (auto _ : state) {
    C = A * B;
    benchmark::DoNotOptimize(C.memptr());
  }
  state.counters["GFLOPs"] = benchmark::Counter(2.0 * m * m * n / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ProductBlas)->ArgNames({"width", "cols"})->ArgsProduct({{8, 32, 128, 512}, {16, 400}});

void BM_ProductFixedOrder(benchmark::State& state) {
  const int m = static_cast<int>(state.range(0)), n = static_cast<int>(state.range(1));
  arma::fmat A(m, m, arma::fill::randu), B(m, n, arma::fill::randu), C(m, n);
  for (auto _ : state) {
    Gemm<float>(m, n, m, A.memptr(), m, B.memptr(), 1, m, C.memptr(), m, false);
    benchmark::DoNotOptimize(C.memptr());
  }
  state.counters["GFLOPs"] = benchmark::Counter(2.0 * m * m * n / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(GemmPath());
}
BENCHMARK(BM_ProductFixedOrder)->ArgNames({"width", "cols"})->ArgsProduct({{8, 32, 128, 512}, {16, 400}});

}  // namespace
}  // namespace flbench

BENCHMARK_MAIN();
