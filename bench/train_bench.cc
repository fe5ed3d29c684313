// Speed of the RNN trainer: one training step (forward + backward + RMSProp update, as Train does it: shards of 16
// strings, gradients reduced in order) at batch 32 and length 25 for widths 8 … 512, reported as symbols/s and
// GFLOP/s; next to the machine's single-thread sgemm (512×512) and a hand-written-loop vs BLAS product at small
// widths (the measurement behind using BLAS in src/rnn/elman.cc). Run: build/train_bench.
#include <benchmark/benchmark.h>

#include <armadillo>
#include <vector>

#include "optim/optimizer.h"
#include "util/blas_threads.h"
#include "rnn/elman.h"
#include "rnn/init.h"
#include "rnn/simd_loop.h"
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
  state.counters["GFLOPs"] = benchmark::Counter(StepFlops(m) / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_TrainStep)
    ->ArgNames({"width", "next_symbol"})
    ->ArgsProduct({{8, 32, 128, 512}, {0, 1}})
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

// The recurrent product W·H (m×m times m×16, one shard's step) by BLAS and by register-blocked loops (4 columns
// at a time, the compiler vectorising along the rows), to decide which the model should use.
void BM_StepProductBlas(benchmark::State& state) {
  PinBlasToOneThread();
  const int m = static_cast<int>(state.range(0));
  arma::fmat W(m, m, arma::fill::randu), H(m, kShard, arma::fill::randu), Z(m, kShard);
  for (auto _ : state) {
    Z = W * H;
    benchmark::DoNotOptimize(Z.memptr());
  }
  state.counters["GFLOPs"] = benchmark::Counter(2.0 * m * m * kShard / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_StepProductBlas)->ArgName("width")->Arg(8)->Arg(16)->Arg(32)->Arg(64)->Arg(128);

// Z = W·H for 4 columns z0..z3 of Z: for each k, z_c += W[:, k]·H(k, c), the four columns' sums held apart so the
// compiler can keep them in registers. Out of line with __restrict so GCC vectorises along the rows in blocks of
// 16 (ForEachIndex, src/rnn/simd_loop.h).
[[gnu::noinline]] void FourColumns(int m, const float* __restrict W, const float* __restrict H, float* __restrict z0,
                                   float* __restrict z1, float* __restrict z2, float* __restrict z3) {
  ForEachIndex(m, [&](size_t i) { z0[i] = z1[i] = z2[i] = z3[i] = 0; });
  for (int k = 0; k < m; ++k) {
    const float* w = W + size_t(k) * m;
    const float h0 = H[k], h1 = H[m + k], h2 = H[2 * m + k], h3 = H[3 * m + k];
    ForEachIndex(m, [&](size_t i) {
      z0[i] += w[i] * h0;
      z1[i] += w[i] * h1;
      z2[i] += w[i] * h2;
      z3[i] += w[i] * h3;
    });
  }
}

void BM_StepProductLoops(benchmark::State& state) {
  const int m = static_cast<int>(state.range(0));
  arma::fmat W(m, m, arma::fill::randu), H(m, kShard, arma::fill::randu), Z(m, kShard);
  for (auto _ : state) {
    for (int j = 0; j < kShard; j += 4)
      FourColumns(m, W.memptr(), H.colptr(j), Z.colptr(j), Z.colptr(j + 1), Z.colptr(j + 2), Z.colptr(j + 3));
    benchmark::DoNotOptimize(Z.memptr());
  }
  state.counters["GFLOPs"] = benchmark::Counter(2.0 * m * m * kShard / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_StepProductLoops)->ArgName("width")->Arg(8)->Arg(16)->Arg(32)->Arg(64)->Arg(128);

}  // namespace
}  // namespace flbench

BENCHMARK_MAIN();
