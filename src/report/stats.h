// The statistics the reports print: one summary over seeds (mean, std, min, max, n) with one NaN rule, and
// least-squares line fits, 95 % intervals (Wilson for one proportion, Student's t for a mean over seeds) and the
// late-collapse statistic of a learning curve. Entry points: Summarise, FitLine, Wilson95, MeanInterval95,
// LateCollapse. Tested by tests/report_stats_test.cc.
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

// A 95 % interval [lo, hi] (NaN when undefined).
struct Interval {
  double lo = std::numeric_limits<double>::quiet_NaN();
  double hi = std::numeric_limits<double>::quiet_NaN();
};

// Wilson's score interval (z = 1.959964) for a proportion p observed on n trials: what one run's accuracy on a
// test set of n strings can tell. n ≤ 0 or p outside [0, 1] gives NaN.
Interval Wilson95(double p, double n);

// mean ± t_{n−1} · std / √n over seeds (s.n ≥ 2; NaN otherwise), clipped to [lo_clip, hi_clip].
Interval MeanInterval95(const Stats& s, double lo_clip = -std::numeric_limits<double>::infinity(),
                        double hi_clip = std::numeric_limits<double>::infinity());

// Late collapse of an accuracy curve (one value per epoch, in order): the first epoch (1-based) at which accuracy is
// more than `drop` below a value ≥ `high` reached at an earlier epoch; 0 when it never happens. Non-finite values
// count as 0 (a diverged run scores 0 from the epoch it diverged).
int LateCollapse(const std::vector<double>& accuracy, double high = 0.99, double drop = 0.5);

}  // namespace flbench
