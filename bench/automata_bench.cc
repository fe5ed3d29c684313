// Automata costs behind the robustness limits: Hopcroft minimisation of chains and random DFAs (n log n, was
// quadratic), loading a regex language (compile + the RE2 cross-check), and refusing an oversized pattern.
// Run: build/automata_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include "lang/dfa.h"
#include "lang/regex.h"
#include "lang/spec.h"
#include "util/error.h"
#include "util/rng.h"

namespace flbench {
namespace {

void BM_MinimizeChain(benchmark::State& state) {  // 0^n: n + 2 states, nothing merges
  const int n = static_cast<int>(state.range(0));
  Dfa d;
  d.symbols = 2;
  for (int q = 0; q <= n + 1; ++q) {
    d.accepting.push_back(q == n ? 1 : 0);
    d.next.push_back(q < n ? q + 1 : n + 1);
    d.next.push_back(n + 1);
  }
  for (auto _ : state) benchmark::DoNotOptimize(Minimize(d).states());
}
BENCHMARK(BM_MinimizeChain)->Arg(5000)->Arg(20000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_MinimizeRandom(benchmark::State& state) {  // random complete DFA over 2 symbols
  const int n = static_cast<int>(state.range(0));
  Rng rng(3);
  Dfa d;
  d.symbols = 2;
  for (int q = 0; q < n; ++q) d.accepting.push_back(rng.Below(2) ? 1 : 0);
  for (int i = 0; i < 2 * n; ++i) d.next.push_back(static_cast<int>(rng.Below(n)));
  for (auto _ : state) benchmark::DoNotOptimize(Minimize(d).states());
}
BENCHMARK(BM_MinimizeRandom)->Arg(5000)->Arg(20000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_LoadRegexLanguage(benchmark::State& state) {  // parse + compile + cross-check against RE2
  const std::string text = "alphabet: \"01\"\nregex: \"[01]*0110[01]*\"\n";
  for (auto _ : state) benchmark::DoNotOptimize(ParseLanguage(text, "contains-0110.yaml"));
}
BENCHMARK(BM_LoadRegexLanguage)->Unit(benchmark::kMillisecond);

void BM_CrossCheckOnly(benchmark::State& state) {
  const Dfa dfa = CompileRegex("((00|11)|(01|10)(00|11)*(01|10))*", "01");
  RE2::Options opts;
  opts.set_encoding(RE2::Options::EncodingLatin1);
  const RE2 re("((00|11)|(01|10)(00|11)*(01|10))*", opts);
  for (auto _ : state) CrossCheckRegex(dfa, re, "01");
}
BENCHMARK(BM_CrossCheckOnly)->Unit(benchmark::kMillisecond);

void BM_RefuseHundredBigRepeats(benchmark::State& state) {  // 0{1000} × 100: over the DFA state cap
  std::string pattern;
  for (int i = 0; i < 100; ++i) pattern += "0{1000}";
  for (auto _ : state) {
    try {
      CompileRegex(pattern, "01");
    } catch (const Error&) {
      continue;
    }
    state.SkipWithError("compiled");
  }
}
BENCHMARK(BM_RefuseHundredBigRepeats)->Iterations(3)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace flbench

BENCHMARK_MAIN();
