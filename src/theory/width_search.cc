// Width-vs-samples: bisection over a width grid with several seeds per width, and the two curve fits.
// Entry points: FindMinWidth, RunWidthSearch, FitWidthCurves. Tested by tests/theory_width_search_test.cc.
#include "theory/width_search.h"

#include <cmath>

#include "util/error.h"
#include "util/rng.h"

namespace flbench::theory {

WidthSearchResult FindMinWidth(const std::vector<int>& widths, const std::vector<uint64_t>& seeds, SeedRule rule,
                               const WidthOracle& oracle) {
  if (widths.empty()) throw Error("width search: the width grid is empty");
  for (size_t i = 0; i < widths.size(); ++i) {
    if (widths[i] <= 0) throw Error("width search: widths must be positive, got " + std::to_string(widths[i]));
    if (i > 0 && widths[i] <= widths[i - 1])
      throw Error("width search: widths must be sorted and distinct; " + std::to_string(widths[i]) +
                  " follows " + std::to_string(widths[i - 1]));
  }
  if (seeds.empty()) throw Error("width search: no seeds");
  WidthSearchResult result;
  const int k = static_cast<int>(seeds.size());
  const int need = rule == SeedRule::kAll ? k : k / 2 + 1;  // passes needed
  auto passes = [&](int m) {
    result.widths_probed.push_back(m);
    int pass = 0, fail = 0;
    for (uint64_t s : seeds) {
      WidthProbe p = oracle(m, s);
      p.m = m;
      p.seed = s;
      result.probes.push_back(p);
      (p.reached ? pass : fail) += 1;
      if (pass >= need) return true;
      if (fail > k - need) return false;
    }
    return pass >= need;
  };
  // Invariant: widths[hi] passes; every index below lo fails.
  int lo = 0, hi = static_cast<int>(widths.size()) - 1;
  if (!passes(widths[hi])) return result;  // m* = −1: not reached on this grid
  while (lo < hi) {
    const int mid = lo + (hi - lo) / 2;
    if (passes(widths[mid])) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  result.m_star = widths[hi];
  return result;
}

void ValidateWidthSearchConfig(const WidthSearchConfig& c) {
  if (c.n <= 0) throw Error("width search config: n must be positive, got " + std::to_string(c.n));
  if (c.num_seeds < 1) throw Error("width search config: num_seeds must be >= 1, got " + std::to_string(c.num_seeds));
  if (!std::isfinite(c.eta0_times_n)) throw Error("width search config: eta0_times_n must be finite");
  if (c.train.epsilon <= 0) throw Error("width search config: train.epsilon must be > 0 (the target loss ratio)");
}

WidthSearchResult RunWidthSearch(const WidthSearchConfig& c) {
  ValidateWidthSearchConfig(c);
  std::vector<uint64_t> seeds;
  for (int k = 0; k < c.num_seeds; ++k) seeds.push_back(DeriveSeed(c.base_seed, "seed/" + std::to_string(k)));
  ConvergenceConfig base = c.train;
  base.n = c.n;
  if (c.eta0_times_n > 0) base.eta0 = c.eta0_times_n / c.n;
  WidthSearchResult r = FindMinWidth(c.widths, seeds, c.rule, [&base](int m, uint64_t seed) {
    ConvergenceConfig tc = base;
    tc.m = m;
    tc.seed = seed;
    const ConvergenceResult cr = RunConvergence(tc);
    WidthProbe p;
    p.reached = cr.iters_to_epsilon >= 0;
    p.iters_to_epsilon = cr.iters_to_epsilon;
    p.final_rel_loss = cr.loss.front() > 0 ? cr.loss.back() / cr.loss.front() : 0.0;
    return p;
  });
  r.n = c.n;
  return r;
}

namespace {

// Least squares y = p + q·x; returns {p, q}.
std::pair<double, double> FitLine(const std::vector<double>& x, const std::vector<double>& y) {
  const double k = static_cast<double>(x.size());
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  const double den = k * sxx - sx * sx;
  const double q = (k * sxy - sx * sy) / den;
  return {(sy - q * sx) / k, q};
}

}  // namespace

WidthFit FitWidthCurves(const std::vector<double>& n, const std::vector<double>& m_star) {
  if (n.size() != m_star.size())
    throw Error("width fit: " + std::to_string(n.size()) + " values of n but " + std::to_string(m_star.size()) +
                " of m*");
  bool distinct = false;
  for (size_t i = 0; i < n.size(); ++i) {
    if (!(n[i] > 0)) throw Error("width fit: n must be > 0, got " + std::to_string(n[i]));
    if (!(m_star[i] > 0))
      throw Error("width fit: m* must be > 0 (drop points that did not reach epsilon), got " +
                  std::to_string(m_star[i]) + " at n = " + std::to_string(n[i]));
    if (n[i] != n[0]) distinct = true;
  }
  if (!distinct) throw Error("width fit: needs at least two distinct values of n");
  std::vector<double> logn, logm;
  for (size_t i = 0; i < n.size(); ++i) {
    logn.push_back(std::log(n[i]));
    logm.push_back(std::log(m_star[i]));
  }
  WidthFit f;
  std::tie(f.log_a, f.log_b) = FitLine(logn, m_star);
  double lc;
  std::tie(lc, f.pow_alpha) = FitLine(logn, logm);
  f.pow_c = std::exp(lc);
  for (size_t i = 0; i < n.size(); ++i) {
    const double e1 = m_star[i] - (f.log_a + f.log_b * logn[i]);
    const double e2 = m_star[i] - f.pow_c * std::pow(n[i], f.pow_alpha);
    f.log_rss += e1 * e1;
    f.pow_rss += e2 * e2;
  }
  f.better = f.pow_rss < f.log_rss ? "power" : "log";
  return f;
}

nlohmann::json ToJson(const WidthProbe& p) {
  return {{"m", p.m},
          {"seed", p.seed},
          {"reached", p.reached},
          {"iters_to_epsilon", p.iters_to_epsilon},
          {"final_rel_loss", p.final_rel_loss}};
}

nlohmann::json ToJson(const WidthSearchResult& r) {
  nlohmann::json probes = nlohmann::json::array();
  for (const auto& p : r.probes) probes.push_back(ToJson(p));
  return {{"n", r.n}, {"m_star", r.m_star}, {"widths_probed", r.widths_probed}, {"probes", probes}};
}

nlohmann::json ToJson(const WidthSearchConfig& c) {
  return {{"train", ToJson(c.train)},
          {"n", c.n},
          {"eta0_times_n", c.eta0_times_n},
          {"widths", c.widths},
          {"num_seeds", c.num_seeds},
          {"base_seed", c.base_seed},
          {"rule", c.rule == SeedRule::kAll ? "all" : "majority"}};
}

nlohmann::json ToJson(const WidthFit& f) {
  return {{"log_a", f.log_a},     {"log_b", f.log_b},         {"log_rss", f.log_rss}, {"pow_c", f.pow_c},
          {"pow_alpha", f.pow_alpha}, {"pow_rss", f.pow_rss}, {"better", f.better}};
}

}  // namespace flbench::theory
