// Sampling speed: 100 000 i.i.d. strings of lengths 2–50 per shipped language (both classes), a
// 100 000-string dataset, and one string of length 1000 from sparse languages (cold and warm tables).
// Run: build/sample_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include "lang/dataset_builder.h"
#include "lang/sampler.h"
#include "lang/spec.h"

namespace flbench {
namespace {

void BM_Sample100k(benchmark::State& state, const std::string& name, bool member) {
  auto lang = LoadLanguage(name);
  RangeSampler range(*lang, 2, 50);
  Rng rng(1);
  for (auto _ : state) {
    size_t symbols = 0;
    for (int i = 0; i < 100000; ++i) symbols += range.Draw(member, rng).size();
    benchmark::DoNotOptimize(symbols);
  }
  state.SetItemsProcessed(state.iterations() * 100000);
}

void BM_Dataset100k(benchmark::State& state, const std::string& name) {
  auto lang = LoadLanguage(name);
  DatasetSpec spec;
  spec.train = 100000;
  spec.test = 0;
  spec.min_len = 2;
  spec.max_len = 50;
  for (auto _ : state) benchmark::DoNotOptimize(BuildDataset(*lang, spec).train.examples.size());
  state.SetItemsProcessed(state.iterations() * 100000);
}

void BM_Length1000(benchmark::State& state, const std::string& name, bool cold) {
  auto warm_lang = LoadLanguage(name);
  Rng rng(1);
  for (auto _ : state) {
    if (cold) {
      auto lang = LoadLanguage(name);  // parse, compile and build the counting tables up to 1000
      benchmark::DoNotOptimize(lang->Sample(1000, true, rng).size());
    } else {
      benchmark::DoNotOptimize(warm_lang->Sample(1000, true, rng).size());
    }
  }
}

void Register() {
  for (const auto& name : LanguageNames()) {
    benchmark::RegisterBenchmark(("Sample100k/pos/" + name).c_str(), BM_Sample100k, name, true)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("Sample100k/neg/" + name).c_str(), BM_Sample100k, name, false)->Unit(benchmark::kMillisecond);
  }
  for (const char* name : {"tomita3", "d4", "dyck2"})
    benchmark::RegisterBenchmark((std::string("Dataset100k/") + name).c_str(), BM_Dataset100k, std::string(name))
        ->Unit(benchmark::kMillisecond);
  for (const char* name : {"abab", "d4", "dyck2"}) {
    benchmark::RegisterBenchmark((std::string("Length1000/cold/") + name).c_str(), BM_Length1000, std::string(name), true)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((std::string("Length1000/warm/") + name).c_str(), BM_Length1000, std::string(name), false)
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace
}  // namespace flbench

int main(int argc, char** argv) {
  flbench::Register();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
