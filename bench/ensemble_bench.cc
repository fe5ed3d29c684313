// Speed of training grids of small networks: ns per symbol per network for widths 3, 8, 16, 32, 64, trained alone
// (Train: BM_Single) and in lockstep ensembles of 1, 8 and 32 networks (TrainEnsemble: BM_Ensemble; the networks
// differ in init seed and learning rate and share data and batch order), beside the arithmetic bound: the FLOPs of
// a training symbol (6m², the three m×m products W h, Wᵀ δ and δ hᵀ, 2 FLOPs per multiply-add) over this core's
// measured single-thread peak for the lanes path in use (BM_Peak: independent 8-lane FMA chains, or 16-lane ones
// where the kernels run on AVX-512; FLBENCH_NO_AVX512=1 measures the AVX2 path and bound). Data: 10 000 random
// binary strings of length 2–50 labelled by Tomita 3 (membership, batch 32, RMSProp, the trainer's defaults), so
// ≈ 260 000 symbols per epoch.
// Timed: epochs 2 and 3 of each network (the first epoch's set-up and the final evaluation are left out), as this
// thread's CPU time. Run: build/ensemble_bench (one thread).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <ctime>
#include <vector>

#include <immintrin.h>

#include "rnn/elman_lanes.h"
#include "train/trainer.h"
#include "util/blas_threads.h"
#include "util/rng.h"

namespace flbench {
namespace {

// This thread's CPU time: the machines these run on are shared, and CPU time is what a busy neighbour disturbs least.
struct Clock {
  using time_point = double;
  static double now() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
  }
};
double Seconds(double from, double to) { return to - from; }

// Tomita 3: no odd-length run of 1s is ever followed (later) by an odd-length run of 0s.
bool Tomita3(const std::vector<uint8_t>& w) {
  bool odd_ones_seen = false;
  size_t i = 0;
  while (i < w.size()) {
    size_t j = i;
    while (j < w.size() && w[j] == w[i]) ++j;
    const bool odd = (j - i) % 2 == 1;
    if (w[i] == 1 && odd) odd_ones_seen = true;
    if (w[i] == 0 && odd && odd_ones_seen) return false;
    i = j;
  }
  return true;
}

const Dataset& BenchData() {
  static const Dataset data = [] {
    Dataset d;
    d.language = "tomita3";
    d.alphabet = "01";
    d.task = Task::kMembership;
    d.train.name = "train";
    Rng rng(3);
    for (int s = 0; s < 10000; ++s) {
      Example e;
      const int len = 2 + static_cast<int>(rng.Below(49));
      for (int t = 0; t < len; ++t) e.x.push_back(static_cast<uint8_t>(rng.Below(2)));
      e.label = Tomita3(e.x);
      d.train.examples.push_back(std::move(e));
    }
    return d;
  }();
  return data;
}

double Symbols(const Dataset& d) {
  double n = 0;
  for (const Example& e : d.train.examples) n += double(e.x.size());
  return n;
}

TrainConfig Config(int width, int k) {
  TrainConfig c;
  c.width = width;
  c.epochs = 3;
  c.patience = 0;
  c.seed = 1 + k;
  c.lr = 0.001 * (1 + k % 4);
  c.order_seed = 1;
  return c;
}

// The single-thread FMA peak of 16-lane AVX-512 (24 independent chains), for CPUs where the lanes kernels run so.
#pragma GCC push_options
#pragma GCC target("avx512f")
double Peak512Gflops() {
  __m512 acc[24];
  for (int r = 0; r < 24; ++r) acc[r] = _mm512_set1_ps(float(r));
  const __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(1e-3f);
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    const long iters = 1'000'000;
    const auto t0 = Clock::now();
    for (long i = 0; i < iters; ++i)
#pragma GCC unroll 24
      for (int r = 0; r < 24; ++r) acc[r] = _mm512_fmadd_ps(acc[r], a, b);
    const double s = Seconds(t0, Clock::now());
    for (int r = 0; r < 24; ++r) benchmark::DoNotOptimize(acc[r]);
    best = std::max(best, 2.0 * 16 * 24 * double(iters) / s / 1e9);
  }
  return best;
}
#pragma GCC pop_options

// Single-thread peak of the path the lanes kernels take here: 12 independent chains of 8-lane FMAs (enough to cover
// the FMA latency on every x86-64-v3 core), or the AVX-512 peak where they run 16 lanes wide.
double PeakGflops() {
  static const double peak = [] {
    if (UseAvx512()) return Peak512Gflops();
    __m256 acc[12];
    for (int r = 0; r < 12; ++r) acc[r] = _mm256_set1_ps(float(r));
    const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(1e-3f);
    double best = 0;
    for (int rep = 0; rep < 5; ++rep) {
      const long iters = 2'000'000;
      const auto t0 = Clock::now();
      for (long i = 0; i < iters; ++i)
#pragma GCC unroll 12
        for (int r = 0; r < 12; ++r) acc[r] = _mm256_fmadd_ps(acc[r], a, b);
      const double s = Seconds(t0, Clock::now());
      for (int r = 0; r < 12; ++r) benchmark::DoNotOptimize(acc[r]);
      best = std::max(best, 2.0 * 8 * 12 * double(iters) / s / 1e9);
    }
    return best;
  }();
  return peak;
}

void Counters(benchmark::State& state, int width, int networks, double seconds_per_iter_total) {
  const double per = Symbols(BenchData()) * 2 /* epochs timed */ * networks;
  state.counters["ns_per_symbol_per_net"] = 1e9 * seconds_per_iter_total / per;
  state.counters["bound_ns"] = 6.0 * width * width / PeakGflops();
  state.counters["networks"] = networks;
}

// Train alone, one network: the time from the end of epoch 1 to the end of epoch 3.
void BM_Single(benchmark::State& state) {
  PinBlasToOneThread();
  const int width = static_cast<int>(state.range(0));
  const Dataset& data = BenchData();
  double total = 0;
  for (auto _ : state) {
    Clock::time_point t1;
    double elapsed = 0;
    Train(data, Config(width, 0), [&](const EpochStats& s) {
      if (s.epoch == 1) t1 = Clock::now();
      if (s.epoch == 3) elapsed = Seconds(t1, Clock::now());
    });
    state.SetIterationTime(elapsed);
    total += elapsed;
  }
  Counters(state, width, 1, total / double(state.iterations()));
}
BENCHMARK(BM_Single)->ArgNames({"width"})->Arg(3)->Arg(8)->Arg(16)->Arg(32)->Arg(64)->UseManualTime()->Iterations(2)
    ->Unit(benchmark::kMillisecond);

// TrainEnsemble of E networks: from the end of the last network's epoch 1 to the end of the last network's epoch 3,
// less the final evaluations of the networks that finish before the last one (each from its on_epoch(3) to its
// on_done): epochs 2 and 3 of every network.
void BM_Ensemble(benchmark::State& state) {
  PinBlasToOneThread();
  const int width = static_cast<int>(state.range(0)), networks = static_cast<int>(state.range(1));
  const Dataset& data = BenchData();
  std::vector<TrainConfig> configs;
  for (int k = 0; k < networks; ++k) configs.push_back(Config(width, k));
  double total = 0;
  for (auto _ : state) {
    double t1 = 0, t3 = 0, finishing = 0, finals = 0;
    TrainEnsemble(
        data, configs,
        [&](size_t c, const EpochStats& s) {
          if (c + 1 == configs.size() && s.epoch == 1) t1 = Clock::now();
          if (s.epoch == 3) {
            t3 = Clock::now();
            finishing = t3;
          }
        },
        [&](size_t c, const TrainResult&) {
          if (c + 1 < configs.size()) finals += Seconds(finishing, Clock::now());
        });
    const double elapsed = Seconds(t1, t3) - finals;
    state.SetIterationTime(elapsed);
    total += elapsed;
  }
  Counters(state, width, networks, total / double(state.iterations()));
}
BENCHMARK(BM_Ensemble)
    ->ArgNames({"width", "networks"})
    ->ArgsProduct({{3, 8, 16, 32, 64}, {1, 8, 32}})
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// The single-thread peak the bound uses.
void BM_Peak(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(PeakGflops());
  state.counters["GFLOPs"] = PeakGflops();
}
BENCHMARK(BM_Peak)->Iterations(1);

}  // namespace
}  // namespace flbench

BENCHMARK_MAIN();
