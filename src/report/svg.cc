// LinePlotSvg, MakeAxis and EscapeXml (see svg.h). Layout: a 640×400 canvas, the plot area on the left,
// the legend in a column on its right; data drawn clipped to the plot area.
#include "report/svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <charconv>
#include <iterator>
#include <utility>

#include "util/error.h"

namespace flbench {
namespace {

constexpr double kWidth = 640, kHeight = 400;
constexpr double kLeft = 72, kRight = 456, kTop = 40, kBottom = 346;  // plot area
constexpr double kLegendX = 470;
constexpr size_t kLegendChars = 22;  // longer labels are cut with "…" (the full label is the tooltip)

// Okabe–Ito colours (distinguishable with colour-blindness), without the yellow that vanishes on white.
const char* const kColours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"};
enum class Marker { kCircle, kSquare, kTriangleUp, kDiamond, kTriangleDown, kCross, kPlus };
constexpr int kMarkers = 7;

// A coordinate or value with `decimals` digits after the point, the same under every locale.
std::string Num(double v, int decimals = 1) {
  char buf[400];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  std::string s(buf, res.ptr);
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

std::string General(double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 3);
  return std::string(buf, res.ptr);
}

// 10^e as a tick label: plain from 0.001 to 10000, "1e5" / "1e-4" beyond.
std::string DecadeLabel(int e) {
  if (e >= 0 && e <= 4) return "1" + std::string(static_cast<size_t>(e), '0');
  if (e < 0 && e >= -3) return "0." + std::string(static_cast<size_t>(-e - 1), '0') + "1";
  return "1e" + std::to_string(e);
}

// 1, 2 or 5 × 10^k closest above raw (> 0).
double NiceStep(double raw) {
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / p;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
}

Axis LinearAxis(double lo, double hi, double fixed_lo, double fixed_hi) {
  if (std::isfinite(fixed_lo)) lo = fixed_lo;
  if (std::isfinite(fixed_hi)) hi = fixed_hi;
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    if (std::isfinite(lo)) hi = lo + 1;
    else if (std::isfinite(hi)) lo = hi - 1;
    else lo = 0, hi = 1;
  }
  if (lo > hi) std::swap(lo, hi);
  if (lo == hi) {
    const double d = lo == 0 ? 1 : std::abs(lo) * 0.1;
    if (!std::isfinite(fixed_lo)) lo -= d;
    if (!std::isfinite(fixed_hi) || lo == hi) hi += d;
  }
  const double step = NiceStep((hi - lo) / 5);
  if (!std::isfinite(fixed_lo)) lo = std::floor(lo / step + 1e-9) * step;
  if (!std::isfinite(fixed_hi)) hi = std::ceil(hi / step - 1e-9) * step;
  Axis a;
  a.lo = lo;
  a.hi = hi;
  const double mag = std::max(std::abs(lo), std::abs(hi));
  const bool fixed_format = mag < 1e6 && step >= 1e-5;
  const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k += 1) {
    const double v = std::abs(k) < 0.5 ? 0.0 : k * step;
    a.ticks.push_back(v);
    a.labels.push_back(fixed_format ? Num(v, decimals) : General(v));
  }
  return a;
}

Axis LogAxis(double lo, double hi, double fixed_lo, double fixed_hi) {
  const bool has_lo = std::isfinite(fixed_lo) && fixed_lo > 0, has_hi = std::isfinite(fixed_hi) && fixed_hi > 0;
  if (has_lo) lo = fixed_lo;
  if (has_hi) hi = fixed_hi;
  if (!(lo > 0) || !std::isfinite(lo)) lo = (hi > 0 && std::isfinite(hi)) ? hi / 10 : 1;
  if (!(hi > 0) || !std::isfinite(hi)) hi = lo * 10;
  if (lo > hi) std::swap(lo, hi);
  if (!has_lo) lo = std::pow(10.0, std::floor(std::log10(lo) + 1e-9));
  if (!has_hi) hi = std::pow(10.0, std::ceil(std::log10(hi) - 1e-9));
  if (lo == hi) {
    if (!has_hi) hi = lo * 10;
    else lo = hi / 10;
  }
  Axis a;
  a.lo = lo;
  a.hi = hi;
  a.log = true;
  const int e_lo = static_cast<int>(std::ceil(std::log10(lo) - 1e-9));
  const int e_hi = static_cast<int>(std::floor(std::log10(hi) + 1e-9));
  const int decades = e_hi - e_lo + 1;
  const int stride = decades > 10 ? (decades + 7) / 8 : 1;  // at most about eight labels
  for (int e = e_lo; e <= e_hi; ++e) {
    if ((e - e_lo) % stride != 0) continue;
    a.ticks.push_back(std::pow(10.0, e));
    a.labels.push_back(DecadeLabel(e));
  }
  const double span = std::log10(hi) - std::log10(lo);
  if (span <= 4.5) {
    for (int e = e_lo - 1; e <= e_hi; ++e)
      for (int m = 2; m <= 9; ++m) {
        const double v = m * std::pow(10.0, e);
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) a.minor.push_back(v);
      }
  }
  if (a.ticks.size() < 2) {  // less than a decade shown: label the 2..9 × 10^k ticks too
    std::vector<std::pair<double, std::string>> all;
    for (size_t i = 0; i < a.ticks.size(); ++i) all.emplace_back(a.ticks[i], a.labels[i]);
    for (const double v : a.minor) all.emplace_back(v, General(v));
    std::sort(all.begin(), all.end());
    a.ticks.clear();
    a.labels.clear();
    a.minor.clear();
    for (auto& [v, label] : all) {
      a.ticks.push_back(v);
      a.labels.push_back(std::move(label));
    }
  }
  return a;
}

// Maps values of `axis` onto the pixel interval [p0, p1].
struct Scale {
  const Axis& axis;
  double p0, p1;
  double operator()(double v) const {
    const double t = axis.log ? (std::log10(v) - std::log10(axis.lo)) / (std::log10(axis.hi) - std::log10(axis.lo))
                              : (v - axis.lo) / (axis.hi - axis.lo);
    return p0 + t * (p1 - p0);
  }
};

bool Usable(double v, bool log) { return std::isfinite(v) && (!log || v > 0); }

std::string MarkerSvg(Marker m, double x, double y, const char* colour) {
  const double r = 3.5;
  const auto pt = [](double px, double py) { return Num(px) + "," + Num(py) + " "; };
  switch (m) {
    case Marker::kCircle:
      return "<circle cx=\"" + Num(x) + "\" cy=\"" + Num(y) + "\" r=\"" + Num(r) + "\"/>";
    case Marker::kSquare:
      return "<rect x=\"" + Num(x - r) + "\" y=\"" + Num(y - r) + "\" width=\"" + Num(2 * r) + "\" height=\"" +
             Num(2 * r) + "\"/>";
    case Marker::kTriangleUp:
      return "<polygon points=\"" + pt(x, y - 1.2 * r) + pt(x - 1.1 * r, y + 0.8 * r) + pt(x + 1.1 * r, y + 0.8 * r) +
             "\"/>";
    case Marker::kDiamond:
      return "<polygon points=\"" + pt(x, y - 1.3 * r) + pt(x + r, y) + pt(x, y + 1.3 * r) + pt(x - r, y) + "\"/>";
    case Marker::kTriangleDown:
      return "<polygon points=\"" + pt(x, y + 1.2 * r) + pt(x - 1.1 * r, y - 0.8 * r) + pt(x + 1.1 * r, y - 0.8 * r) +
             "\"/>";
    case Marker::kCross:
      return "<path d=\"M" + pt(x - r, y - r) + "L" + pt(x + r, y + r) + "M" + pt(x - r, y + r) + "L" +
             pt(x + r, y - r) + "\" fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"1.8\"/>";
    case Marker::kPlus:
      return "<path d=\"M" + pt(x - r * 1.2, y) + "L" + pt(x + r * 1.2, y) + "M" + pt(x, y - r * 1.2) + "L" +
             pt(x, y + r * 1.2) + "\" fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"1.8\"/>";
  }
  return "";
}

// The label as shown in the legend: at most kLegendChars code points, cut with "…".
std::string Shorten(const std::string& label) {
  std::vector<size_t> starts;  // byte offset of each code point
  for (size_t i = 0; i < label.size(); ++i)
    if ((static_cast<unsigned char>(label[i]) & 0xC0) != 0x80) starts.push_back(i);
  if (starts.size() <= kLegendChars) return label;
  return label.substr(0, starts[kLegendChars - 1]) + "…";
}

std::string Text(double x, double y, const std::string& text, const std::string& attrs) {
  return "<text x=\"" + Num(x) + "\" y=\"" + Num(y) + "\"" + (attrs.empty() ? "" : " " + attrs) + ">" +
         EscapeXml(text) + "</text>\n";
}

}  // namespace

Axis MakeAxis(double data_lo, double data_hi, bool log, double fixed_lo, double fixed_hi) {
  return log ? LogAxis(data_lo, data_hi, fixed_lo, fixed_hi) : LinearAxis(data_lo, data_hi, fixed_lo, fixed_hi);
}

std::string EscapeXml(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') break;
        out += c;
    }
  }
  return out;
}

std::string LinePlotSvg(const PlotSpec& spec, const std::vector<Series>& series) {
  // Data ranges over the usable points (error bars included in y).
  double x_lo = NAN, x_hi = NAN, y_lo = NAN, y_hi = NAN;
  const auto extend = [](double& lo, double& hi, double v) {
    lo = std::isnan(lo) ? v : std::min(lo, v);
    hi = std::isnan(hi) ? v : std::max(hi, v);
  };
  for (const Series& s : series) {
    if (s.x.size() != s.y.size())
      throw Error("plot '" + spec.title + "': series '" + s.label + "' has " + std::to_string(s.x.size()) +
                  " x values but " + std::to_string(s.y.size()) + " y values");
    if (!s.y_err.empty() && s.y_err.size() != s.y.size())
      throw Error("plot '" + spec.title + "': series '" + s.label + "' has " + std::to_string(s.y.size()) +
                  " points but " + std::to_string(s.y_err.size()) + " error bars");
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!Usable(s.x[i], spec.log_x) || !Usable(s.y[i], spec.log_y)) continue;
      extend(x_lo, x_hi, s.x[i]);
      extend(y_lo, y_hi, s.y[i]);
      const double e = s.y_err.empty() ? 0 : s.y_err[i];
      if (std::isfinite(e) && e > 0) {
        extend(y_lo, y_hi, s.y[i] + e);
        if (Usable(s.y[i] - e, spec.log_y)) extend(y_lo, y_hi, s.y[i] - e);
      }
    }
  }
  const Axis ax = MakeAxis(x_lo, x_hi, spec.log_x);
  const Axis ay = MakeAxis(y_lo, y_hi, spec.log_y, spec.y_min, spec.y_max);
  const Scale sx{ax, kLeft, kRight}, sy{ay, kBottom, kTop};

  std::string o;
  o += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Num(kWidth, 0) + "\" height=\"" + Num(kHeight, 0) +
       "\" viewBox=\"0 0 " + Num(kWidth, 0) + " " + Num(kHeight, 0) +
       "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n";
  o += "<title>" + EscapeXml(spec.title) + "</title>\n";
  o += "<rect x=\"0\" y=\"0\" width=\"" + Num(kWidth, 0) + "\" height=\"" + Num(kHeight, 0) + "\" fill=\"white\"/>\n";
  o += "<defs><clipPath id=\"plot-area\"><rect x=\"" + Num(kLeft) + "\" y=\"" + Num(kTop) + "\" width=\"" +
       Num(kRight - kLeft) + "\" height=\"" + Num(kBottom - kTop) + "\"/></clipPath></defs>\n";
  o += Text((kLeft + kRight) / 2, 22, spec.title, "text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\"");

  // Grid, ticks and tick labels.
  o += "<g stroke=\"#e4e4e4\" stroke-width=\"1\">\n";
  for (const double t : ax.ticks)
    o += "<line x1=\"" + Num(sx(t)) + "\" y1=\"" + Num(kTop) + "\" x2=\"" + Num(sx(t)) + "\" y2=\"" + Num(kBottom) + "\"/>\n";
  for (const double t : ay.ticks)
    o += "<line x1=\"" + Num(kLeft) + "\" y1=\"" + Num(sy(t)) + "\" x2=\"" + Num(kRight) + "\" y2=\"" + Num(sy(t)) + "\"/>\n";
  o += "</g>\n<g stroke=\"#333333\" stroke-width=\"1\">\n";
  o += "<rect x=\"" + Num(kLeft) + "\" y=\"" + Num(kTop) + "\" width=\"" + Num(kRight - kLeft) + "\" height=\"" +
       Num(kBottom - kTop) + "\" fill=\"none\"/>\n";
  for (const auto* ticks : {&ax.ticks, &ax.minor})
    for (const double t : *ticks) {
      const double len = ticks == &ax.ticks ? 5 : 3;
      o += "<line x1=\"" + Num(sx(t)) + "\" y1=\"" + Num(kBottom) + "\" x2=\"" + Num(sx(t)) + "\" y2=\"" +
           Num(kBottom + len) + "\"/>\n";
    }
  for (const auto* ticks : {&ay.ticks, &ay.minor})
    for (const double t : *ticks) {
      const double len = ticks == &ay.ticks ? 5 : 3;
      o += "<line x1=\"" + Num(kLeft - len) + "\" y1=\"" + Num(sy(t)) + "\" x2=\"" + Num(kLeft) + "\" y2=\"" +
           Num(sy(t)) + "\"/>\n";
    }
  o += "</g>\n<g fill=\"#333333\">\n";
  for (size_t i = 0; i < ax.ticks.size(); ++i)
    o += Text(sx(ax.ticks[i]), kBottom + 18, ax.labels[i], "text-anchor=\"middle\"");
  for (size_t i = 0; i < ay.ticks.size(); ++i)
    o += Text(kLeft - 8, sy(ay.ticks[i]) + 4, ay.labels[i], "text-anchor=\"end\"");
  o += "</g>\n";
  o += Text((kLeft + kRight) / 2, kHeight - 12, spec.x_label, "text-anchor=\"middle\"");
  const double ylx = 18, yly = (kTop + kBottom) / 2;
  o += Text(ylx, yly, spec.y_label,
            "text-anchor=\"middle\" transform=\"rotate(-90 " + Num(ylx) + " " + Num(yly) + ")\"");

  // Data: per series a group holding its lines (broken at skipped points), error bars and markers.
  bool any_point = false;
  o += "<g clip-path=\"url(#plot-area)\">\n";
  for (size_t k = 0; k < series.size(); ++k) {
    const Series& s = series[k];
    const char* colour = kColours[k % std::size(kColours)];
    const Marker marker = static_cast<Marker>(k % kMarkers);
    std::vector<size_t> usable;
    for (size_t i = 0; i < s.x.size(); ++i)
      if (Usable(s.x[i], spec.log_x) && Usable(s.y[i], spec.log_y)) usable.push_back(i);
    any_point = any_point || !usable.empty();
    o += "<g stroke=\"" + std::string(colour) + "\" fill=\"" + colour + "\">\n";
    std::string points;
    const auto flush = [&] {
      if (points.find(' ') != points.rfind(' '))  // two points or more
        o += "<polyline fill=\"none\" stroke-width=\"1.8\" stroke-linejoin=\"round\" points=\"" + points + "\"/>\n";
      points.clear();
    };
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!Usable(s.x[i], spec.log_x) || !Usable(s.y[i], spec.log_y)) {
        flush();
        continue;
      }
      points += Num(sx(s.x[i])) + "," + Num(sy(s.y[i])) + " ";
    }
    flush();
    for (const size_t i : usable) {
      const double e = s.y_err.empty() ? 0 : s.y_err[i];
      if (!std::isfinite(e) || e <= 0) continue;
      const double px = sx(s.x[i]);
      const double top = sy(s.y[i] + e);
      const double bottom = Usable(s.y[i] - e, spec.log_y) ? sy(s.y[i] - e) : kBottom + 10;
      o += "<path stroke-width=\"1.2\" fill=\"none\" d=\"M" + Num(px) + "," + Num(top) + " L" + Num(px) + "," +
           Num(bottom) + " M" + Num(px - 3) + "," + Num(top) + " L" + Num(px + 3) + "," + Num(top) + " M" +
           Num(px - 3) + "," + Num(bottom) + " L" + Num(px + 3) + "," + Num(bottom) + "\"/>\n";
    }
    // Markers on at most about 25 points per series, so dense learning curves stay readable.
    const size_t stride = std::max<size_t>(1, (usable.size() + 24) / 25);
    for (size_t j = 0; j < usable.size(); j += stride)
      o += MarkerSvg(marker, sx(s.x[usable[j]]), sy(s.y[usable[j]]), colour) + "\n";
    o += "</g>\n";
  }
  o += "</g>\n";
  if (!any_point) o += Text((kLeft + kRight) / 2, (kTop + kBottom) / 2, "no data", "text-anchor=\"middle\" fill=\"#999999\"");

  // Legend: a line with the series' marker, then its label.
  if (!series.empty()) {
    const double step = std::min(18.0, (kBottom - kTop) / static_cast<double>(series.size()));
    o += "<g font-size=\"11\">\n";
    for (size_t k = 0; k < series.size(); ++k) {
      const char* colour = kColours[k % std::size(kColours)];
      const double y = kTop + 8 + step * static_cast<double>(k);
      o += "<g stroke=\"" + std::string(colour) + "\" fill=\"" + colour + "\">";
      o += "<line x1=\"" + Num(kLegendX) + "\" y1=\"" + Num(y) + "\" x2=\"" + Num(kLegendX + 22) + "\" y2=\"" + Num(y) +
           "\" stroke-width=\"1.8\"/>";
      o += MarkerSvg(static_cast<Marker>(k % kMarkers), kLegendX + 11, y, colour) + "</g>\n";
      o += "<text x=\"" + Num(kLegendX + 28) + "\" y=\"" + Num(y + 4) + "\"><title>" + EscapeXml(series[k].label) +
           "</title>" + EscapeXml(Shorten(series[k].label)) + "</text>\n";
    }
    o += "</g>\n";
  }
  o += "</svg>\n";
  return o;
}

std::string HeatmapSvg(const HeatmapSpec& spec) {
  if (spec.values.size() != spec.rows.size()) throw Error("HeatmapSvg: values has a row count other than rows");
  for (const auto& r : spec.values)
    if (r.size() != spec.cols.size()) throw Error("HeatmapSvg: a row of values has a length other than cols");
  const double cell_w = 64, cell_h = 24, left = 120, top = 48, legend = 70;
  const double width = left + cell_w * static_cast<double>(spec.cols.size()) + legend + 20;
  const double height = top + cell_h * static_cast<double>(spec.rows.size()) + 48;
  // White (0) to the Okabe–Ito blue (1), linear in each channel; text turns white on dark cells.
  auto colour = [](double v) {
    const double t = std::clamp(v, 0.0, 1.0);
    auto ch = [&](double hi) { return static_cast<int>(std::lround(255 + (hi - 255) * t)); };
    return fmt::format("#{:02X}{:02X}{:02X}", ch(0x00), ch(0x72), ch(0xB2));
  };
  std::string o = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" viewBox=\"0 0 {0:.0f} {1:.0f}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      width, height);
  o += fmt::format("<text x=\"{:.1f}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">{}</text>\n", width / 2,
                   EscapeXml(spec.title));
  for (size_t c = 0; c < spec.cols.size(); ++c)
    o += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
                     left + cell_w * (static_cast<double>(c) + 0.5), top - 8, EscapeXml(spec.cols[c]));
  for (size_t r = 0; r < spec.rows.size(); ++r) {
    const double y = top + cell_h * static_cast<double>(r);
    o += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 8, y + cell_h / 2 + 4,
                     EscapeXml(spec.rows[r]));
    for (size_t c = 0; c < spec.cols.size(); ++c) {
      const double v = spec.values[r][c];
      const double x = left + cell_w * static_cast<double>(c);
      const bool ok = std::isfinite(v);
      o += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" stroke=\"white\"/>",
                       x, y, cell_w, cell_h, ok ? colour(v) : "#DDDDDD");
      o += fmt::format("<text class=\"cell\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" fill=\"{}\">{}</text>\n",
                       x + cell_w / 2, y + cell_h / 2 + 4, ok && v > 0.55 ? "white" : "black",
                       ok ? fmt::format("{:.{}f}", v, spec.decimals) : "—");
    }
  }
  const double grid_bottom = top + cell_h * static_cast<double>(spec.rows.size());
  o += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
                   left + cell_w * static_cast<double>(spec.cols.size()) / 2, grid_bottom + 30, EscapeXml(spec.x_label));
  o += fmt::format("<text x=\"16\" y=\"{:.1f}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {:.1f})\">{}</text>\n",
                   (top + grid_bottom) / 2, (top + grid_bottom) / 2, EscapeXml(spec.y_label));
  // Colour scale: 0 at the bottom, 1 at the top.
  const double lx = left + cell_w * static_cast<double>(spec.cols.size()) + 24, steps = 10;
  const double lh = std::max(cell_h * 3, grid_bottom - top);
  for (int i = 0; i < steps; ++i) {
    const double v = (i + 0.5) / steps;
    o += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"14\" height=\"{:.2f}\" fill=\"{}\"/>", lx,
                     top + lh * (1 - (i + 1) / steps), lh / steps + 0.5, colour(v));
  }
  o += fmt::format("\n<text x=\"{:.1f}\" y=\"{:.1f}\">1</text><text x=\"{:.1f}\" y=\"{:.1f}\">0</text>\n", lx + 18,
                   top + 10, lx + 18, top + lh);
  o += "</svg>\n";
  return o;
}

}  // namespace flbench
