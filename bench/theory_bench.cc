// Benchmarks of the theory cores: one inversion cell (d = 8, L ∈ {2, 4, 6} from one recurrence, default
// n_train) at m = 1000, 5000, 10000, and one GD iteration (loss + BPTT gradient) of the convergence core.
// Counters: peak_rss_MB = the process's peak resident set so far (getrusage; benchmarks run in the order
// listed, so each row includes every earlier one), est_MB = the cell's own largest arrays. BM_Product: the
// fixed-order products against BLAS (GFLOP/s).
// Run: build-theory/theory_bench --benchmark_filter=Inversion (BLAS threads: OPENBLAS_NUM_THREADS).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <string>

#include "theory/convergence.h"
#include "theory/fixed_order.h"
#include "theory/inversion.h"

namespace {

using flbench::theory::ConvergenceConfig;
using flbench::theory::InversionConfig;

double PeakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

void BM_InversionCell(benchmark::State& state) {
  InversionConfig c;
  c.m = static_cast<int>(state.range(0));
  c.d = 8;
  c.lengths = {2, 4, 6};
  double err6 = 0;
  for (auto _ : state) {
    const auto r = flbench::theory::RunInversion(c);
    err6 = r.points.back().test_rel_l2;  // used in the label, so the run is not optimised away
  }
  const double m = c.m, n = c.n_train, k = std::min(m, n);
  // W (float) + h(2), h(4), h(6) and two work matrices (float, m×n) + one double copy + the Gram (double).
  const double bytes = 4 * m * m + 5 * 4 * m * n + 8 * m * n + 8 * k * k;
  state.counters["est_MB"] = bytes / (1 << 20);
  state.counters["peak_rss_MB"] = PeakRssMb();
  state.SetLabel("test_rel_l2(L=6)=" + std::to_string(err6));
  state.counters["n_train"] = n;
}
BENCHMARK(BM_InversionCell)->Arg(1000)->Arg(5000)->Arg(10000)->Iterations(1)->Unit(benchmark::kSecond);

template <typename T>
void BM_GdIteration(benchmark::State& state) {
  ConvergenceConfig c;
  c.m = static_cast<int>(state.range(0));
  c.n = 16;
  c.L = 5;
  c.dx = 8;
  flbench::theory::RnnRegression<T> problem(c);
  arma::Mat<T> W = problem.W0();  // m×m
  arma::Mat<T> grad;              // m×m
  const T eta = static_cast<T>(c.eta0 / c.m);
  for (auto _ : state) {
    benchmark::DoNotOptimize(problem.LossAndGradient(W, &grad));
    W -= eta * grad;
  }
  const double m = c.m, N = static_cast<double>(c.n) * c.L;
  // W, W(0), grad (m×m) + A X, H, dG (m×N).
  state.counters["est_MB"] = sizeof(T) * (3 * m * m + 3 * m * N) / (1 << 20);
  state.counters["peak_rss_MB"] = PeakRssMb();
}
BENCHMARK_TEMPLATE(BM_GdIteration, double)->Arg(256)->Arg(1024)->Arg(4096)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_GdIteration, float)->Arg(256)->Arg(1024)->Arg(4096)->Unit(benchmark::kMillisecond);

// Fixed-order products (theory/fixed_order.h) against Armadillo's BLAS on the convergence core's two shapes:
// W·H (m×m times m×16) and dG·Hᵀ (m×64 times 64×m). Arg 1: 0 = fixed order, 1 = BLAS.
void BM_Product(benchmark::State& state) {
  const arma::uword m = state.range(0);
  const bool blas = state.range(1) == 1, outer = state.range(2) == 1;
  arma::arma_rng::set_seed(1);
  const arma::mat A = outer ? arma::randn(m, 64) : arma::randn(m, m);
  const arma::mat B = outer ? arma::randn(64, m) : arma::randn(m, 16);
  for (auto _ : state) {
    arma::mat C = blas ? arma::mat(A * B) : flbench::theory::Mul(A, B);
    benchmark::DoNotOptimize(C.memptr());
  }
  state.counters["GFLOP/s"] =  // per second of process CPU time (the machine is shared)
      benchmark::Counter(2e-9 * A.n_rows * A.n_cols * B.n_cols, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(std::string(outer ? "dG*Ht" : "W*H") + (blas ? " blas" : " fixed-order"));
}
BENCHMARK(BM_Product)->ArgsProduct({{32, 128, 512, 1024}, {0, 1}, {0, 1}})->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
