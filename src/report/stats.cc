// Summarise (mean, std, min, max over the finite values) and FitLine (least squares with the slope's
// standard error). Tested by tests/report_stats_test.cc.
#include "report/stats.h"

#include <algorithm>
#include <cmath>

namespace flbench {

Stats Summarise(const std::vector<double>& values) {
  Stats s;
  double sum = 0;
  for (double v : values) {
    if (!std::isfinite(v)) {
      ++s.skipped;
      continue;
    }
    if (s.n == 0 || v < s.min) s.min = v;
    if (s.n == 0 || v > s.max) s.max = v;
    sum += v;
    ++s.n;
  }
  if (s.n == 0) return s;
  s.mean = sum / s.n;
  if (s.n > 1) {
    double ss = 0;
    for (double v : values)
      if (std::isfinite(v)) ss += (v - s.mean) * (v - s.mean);
    s.std = std::sqrt(ss / (s.n - 1));
  }
  return s;
}

LineFit FitLine(const std::vector<double>& x, const std::vector<double>& y) {
  LineFit f;
  f.n = static_cast<int>(x.size());
  if (f.n < 2) return f;
  double mx = 0, my = 0;
  for (int i = 0; i < f.n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= f.n;
  my /= f.n;
  double sxx = 0, sxy = 0, syy = 0;
  for (int i = 0; i < f.n; ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx == 0) return f;
  f.b = sxy / sxx;
  f.a = my - f.b * mx;
  f.rss = 0;
  for (int i = 0; i < f.n; ++i) {
    const double e = y[i] - f.a - f.b * x[i];
    f.rss += e * e;
  }
  f.r2 = syy > 0 ? 1 - f.rss / syy : 1.0;
  if (f.n > 2) f.se_b = std::sqrt(f.rss / (f.n - 2) / sxx);
  return f;
}

double StudentT95(int dof) {
  // Two-sided 95 % points (t_{0.975}) for 1..30 degrees of freedom, then the normal's 1.96 approached as
  // 1.96 + 2.4/dof (within 0.003 of the exact value from 31 on).
  static const double kT[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                              2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                              2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (dof < 1) return std::numeric_limits<double>::quiet_NaN();
  if (dof <= 30) return kT[dof - 1];
  return 1.96 + 2.4 / dof;
}

Interval Wilson95(double p, double n) {
  if (!(n > 0) || !(p >= 0 && p <= 1)) return {};
  const double z = 1.959963984540054, z2 = z * z;
  const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = z / (1 + z2 / n) * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

Interval MeanInterval95(const Stats& s, double lo_clip, double hi_clip) {
  if (s.n < 2 || !std::isfinite(s.std)) return {};
  const double half = StudentT95(s.n - 1) * s.std / std::sqrt(static_cast<double>(s.n));
  return {std::max(lo_clip, s.mean - half), std::min(hi_clip, s.mean + half)};
}

int LateCollapse(const std::vector<double>& accuracy, double high, double drop) {
  double best = -std::numeric_limits<double>::infinity();
  for (size_t e = 0; e < accuracy.size(); ++e) {
    const double a = std::isfinite(accuracy[e]) ? accuracy[e] : 0.0;
    if (best >= high && a < best - drop) return static_cast<int>(e + 1);
    best = std::max(best, a);
  }
  return 0;
}

}  // namespace flbench
