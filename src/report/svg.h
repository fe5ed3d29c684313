// A small, self-contained SVG line-plot writer for reports (accuracy vs width, learning curves, error vs m):
// axes with ticks at nice values (decades on log axes), a legend, distinct colours and markers, error bars.
// Entry points: LinePlotSvg, HeatmapSvg, MakeAxis, EscapeXml. Tested by tests/report_svg_test.cc.
#pragma once

#include <cmath>
#include <string>
#include <vector>

namespace flbench {

// One line. Points are joined in the order given; a point with a non-finite coordinate (or a non-positive
// one on a log axis) is skipped and breaks the line there. y_err is empty or has one half-width per point.
struct Series {
  std::string label;
  std::vector<double> x, y;
  std::vector<double> y_err;  // optional error bars: y ± y_err[i]
};

struct PlotSpec {
  std::string title, x_label, y_label;
  bool log_x = false, log_y = false;
  double y_min = NAN, y_max = NAN;  // fixed y bounds when finite (ignored on a log axis unless > 0)
};

// An about 640×400 SVG document. Throws flbench::Error when a series' x, y and y_err sizes disagree.
std::string LinePlotSvg(const PlotSpec& spec, const std::vector<Series>& series);

// A heatmap: one coloured cell per (row, column), colour from value in [0, 1] (white-to-blue; NaN: grey, "—"), the
// value printed in each cell with `decimals` digits. values[r][c]; every row has cols.size() entries (else Error).
struct HeatmapSpec {
  std::string title, x_label, y_label;
  std::vector<std::string> rows, cols;
  std::vector<std::vector<double>> values;
  int decimals = 2;
};
std::string HeatmapSvg(const HeatmapSpec& spec);

// One axis: its bounds and where its ticks go (exposed for tests and for callers drawing their own).
struct Axis {
  double lo = 0, hi = 1;           // the drawn range; lo < hi (and lo > 0 on a log axis)
  bool log = false;
  std::vector<double> ticks;       // labelled ticks, ascending, inside [lo, hi]
  std::vector<std::string> labels; // one per tick
  std::vector<double> minor;       // unlabelled ticks (2..9 × 10^k on short log axes)
};

// The axis for data in [data_lo, data_hi] (NaN when there is no data). Linear: about five ticks at
// 1, 2 or 5 × 10^k, the range widened to whole ticks. Log: ticks at decades, the range widened to whole
// decades. A finite fixed_lo / fixed_hi (> 0 on a log axis) is used as that bound exactly.
Axis MakeAxis(double data_lo, double data_hi, bool log, double fixed_lo = NAN, double fixed_hi = NAN);

// Text made safe for XML character data and attribute values: & < > " ' escaped, control characters
// that XML 1.0 forbids dropped.
std::string EscapeXml(const std::string& text);

}  // namespace flbench
