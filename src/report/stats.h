// The statistics the reports print: one summary over seeds (mean, std, min, max, n) with one NaN rule, and
// least-squares line fits. Entry points: Summarise, FitLine. Tested by tests/report_stats_test.cc.
#pragma once

#include <limits>
#include <vector>

namespace flbench {

// The NaN rule (the only one in the reports): non-finite values (NaN, ±inf: a missing or diverged number)
// are skipped. mean, std, min and max are over the finite values, n counts them and `skipped` counts the
// rest; with n = 0 every statistic is NaN, and std (sample, n − 1 denominator) is NaN for n < 2. A caller
// that wants a missing value to spoil the whole summary tests `skipped`.
struct Stats {
  double mean = std::numeric_limits<double>::quiet_NaN();
  double std = std::numeric_limits<double>::quiet_NaN();
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
  int n = 0;        // finite values summarised
  int skipped = 0;  // non-finite values left out
};

Stats Summarise(const std::vector<double>& values);

// Least squares y = a + b·x: the slope's standard error se_b (NaN for n ≤ 2), R² (1 when every y is equal)
// and the residual sum of squares. Everything is NaN when n < 2 or every x is equal.
struct LineFit {
  double a = std::numeric_limits<double>::quiet_NaN();
  double b = std::numeric_limits<double>::quiet_NaN();
  double se_b = std::numeric_limits<double>::quiet_NaN();
  double r2 = std::numeric_limits<double>::quiet_NaN();
  double rss = std::numeric_limits<double>::quiet_NaN();
  int n = 0;
};

// x and y have the same size.
LineFit FitLine(const std::vector<double>& x, const std::vector<double>& y);

// The two-sided 95 % quantile of Student's t with `dof` degrees of freedom (dof ≥ 1; NaN otherwise), for
// intervals b ± t·se_b on a fitted slope (dof = n − 2).
double StudentT95(int dof);

}  // namespace flbench
