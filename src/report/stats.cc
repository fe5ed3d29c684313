// Summarise (mean, std, min, max over the finite values) and FitLine (least squares with the slope's
// standard error). Tested by tests/report_stats_test.cc.
#include "report/stats.h"

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

}  // namespace flbench
