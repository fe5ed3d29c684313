// How wide is wide enough (Cayci & Eryilmaz, "GD for RNNs, non-asymptotic"): the smallest width m*(n) on a
// sorted grid at which GD drives the training loss below ε within a fixed budget, and fits of m*(n) against
// a + b·log n and c·n^α. Entry points: FindMinWidth, RunWidthSearch, FitWidthCurves, ToJson.
// Tested by tests/theory_width_search_test.cc.
//
// Trainer: the convergence core (RunConvergence, Allen-Zhu et al.'s setting: full W trained, A and B fixed,
// ReLU, η = eta0/m, loss summed over sequences), not Cayci & Eryilmaz's diagonal-W, smooth-activation,
// 1/√m-readout network; so m*(n) here measures the first paper's model against the second paper's claim.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "theory/convergence.h"

namespace flbench::theory {

enum class SeedRule {
  kMajority,  // a width passes when more than half of the seeds reach ε (default)
  kAll,       // a width passes only when every seed reaches ε
};

// One training run at one width and seed.
struct WidthProbe {
  int m = 0;
  uint64_t seed = 0;
  bool reached = false;
  int iters_to_epsilon = -1;
  double final_rel_loss = 0;  // f(W(T)) / f(W(0))
};

struct WidthSearchResult {
  int n = 0;
  int m_star = -1;                  // smallest passing width on the grid, or −1 if the largest fails
  std::vector<WidthProbe> probes;   // every run, in the order they were made
  std::vector<int> widths_probed;   // the widths the bisection visited, in order
};

// The oracle: trains at width m with seed; the outcome of one run.
using WidthOracle = std::function<WidthProbe(int m, uint64_t seed)>;

// Bisection over sorted, distinct widths, assuming passing is monotone in m: probes the largest width first,
// then halves the interval. For each probed width the seeds are run in order and stop as soon as the rule's
// verdict is decided (kAll: at the first failure; kMajority: once a majority either way is certain).
WidthSearchResult FindMinWidth(const std::vector<int>& widths, const std::vector<uint64_t>& seeds, SeedRule rule,
                               const WidthOracle& oracle);

// The trainer's settings for the search: the convergence defaults with the budget and target of this
// experiment, 2000 GD iterations to reach f(W(T)) <= 1e-2 · f(W(0)).
inline ConvergenceConfig DefaultWidthSearchTrain() {
  ConvergenceConfig c;
  c.max_iters = 2000;
  c.epsilon = 1e-2;
  return c;
}

struct WidthSearchConfig {
  // L, dx, dy, eta0, max_iters (the budget), epsilon, activation, precision; m, n, seed are set per probe.
  ConvergenceConfig train = DefaultWidthSearchTrain();
  int n = 16;               // training sequences
  // η = eta0 / m with eta0 = eta0_times_n / n when eta0_times_n > 0 (the largest stable step falls like 1/n
  // because f is a sum over sequences; measured at m = 256, L = 5: eta0·n = 0.8 is smooth, 1.6 overshoots and
  // moves W far, 3.2 diverges); otherwise train.eta0 is used as is.
  double eta0_times_n = 0.8;
  std::vector<int> widths{16, 32, 64, 128, 256, 512, 1024, 2048};
  int num_seeds = 3;        // seeds DeriveSeed(base_seed, "seed/<k>"), k = 0..num_seeds−1; the data of seed k
                            // is the same at every width
  uint64_t base_seed = 1;
  SeedRule rule = SeedRule::kMajority;
};

void ValidateWidthSearchConfig(const WidthSearchConfig& config);

// Bisection with the GD trainer as oracle.
WidthSearchResult RunWidthSearch(const WidthSearchConfig& config);

// Least-squares fits of m* against n: m* = a + b·log n, and m* = c·n^α (fitted on log m* = log c + α log n).
// Both residual sums of squares are on the m* scale, so they compare directly.
struct WidthFit {
  double log_a = 0, log_b = 0, log_rss = 0;
  double pow_c = 0, pow_alpha = 0, pow_rss = 0;
  std::string better;  // "log" or "power": the smaller RSS ("log" on a tie)
};

// Needs at least two distinct n; all n > 0 and m* > 0 (points with m* <= 0, i.e. not reached, are an error).
WidthFit FitWidthCurves(const std::vector<double>& n, const std::vector<double>& m_star);

nlohmann::json ToJson(const WidthProbe& probe);
nlohmann::json ToJson(const WidthSearchResult& result);
nlohmann::json ToJson(const WidthSearchConfig& config);
nlohmann::json ToJson(const WidthFit& fit);

}  // namespace flbench::theory
