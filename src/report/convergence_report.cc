// The convergence report: per-width rates, iterations to ε and movement from init (with its exponent in m),
// loss curves, hidden-state norms at init against ℓ (polynomial vs exponential fits), and a verdict on
// Allen-Zhu, Li and Song's claims. Figures first (ConvergenceFigures), then the Markdown. Entry point:
// RenderConvergenceReport (report.h). Tested by tests/report_theory_test.cc.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "report/report.h"
#include "report/stats.h"
#include "report/svg.h"
#include "report/table.h"
#include "report/theory_format.h"
#include "util/strings.h"

namespace flbench {

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

struct ConvergenceRun {
  int m = 0, seed = 0, L = 0;
  double eta0 = kNaN;
  bool sgd = false;
  long steps = 0;
  double peak = kNaN;                                   // max_t f(W(t))/f(W(0))
  double eta = kNaN;                                    // the step used
  double ratio_init = kNaN, ratio_min = kNaN, ratio_max = kNaN;  // ‖∇f‖²_F/f along the trajectory
  bool diverged = false, reached = false;
  int iterations = 0, iters_to_eps = -1;
  double rate = kNaN, final_rel = kNaN, move2 = kNaN, move_fro = kNaN, w0 = kNaN;
  double linear_r2 = kNaN;  // R² of log f against t over the fitted half (from the thinned curve): 1 = a straight line
  std::vector<double> hidden;
  std::vector<double> curve_t, curve_rel;  // iteration and f(W(t))/f(W(0))
};

ConvergenceRun ReadConvergence(const CellRecord& rec) {
  ConvergenceRun r;
  const auto& res = rec.result;
  const auto& c = rec.config["convergence"];
  r.m = c["m"];
  r.L = c["L"];
  r.eta0 = Num(c["eta0"]);
  r.sgd = c.contains("optimizer") && Text(c["optimizer"]) == "sgd";
  r.seed = rec.config["seed_index"];
  r.steps = static_cast<long>(std::isfinite(Num(res.value("steps", nlohmann::json()))) ? Num(res["steps"]) : 0);
  r.peak = Num(res.value("peak_rel_loss", nlohmann::json()));
  r.eta = Num(res.value("eta", nlohmann::json()));
  r.ratio_init = Num(res.value("grad_ratio_init", nlohmann::json()));
  r.ratio_min = Num(res.value("grad_ratio_min", nlohmann::json()));
  r.ratio_max = Num(res.value("grad_ratio_max", nlohmann::json()));
  r.diverged = res.value("diverged", false);
  r.iterations = res.value("iterations", 0);
  r.iters_to_eps = res.value("iters_to_epsilon", -1);
  r.reached = r.iters_to_eps >= 0;
  r.rate = Num(res["rate"]);
  r.move2 = Num(res["move_spectral"]);
  r.move_fro = Num(res["final_move_fro"]);
  r.w0 = Num(res["w0_spectral"]);
  for (const auto& h : res["hidden_norms"]) r.hidden.push_back(Num(h));
  const auto& loss = res["loss"];
  const double f0 = loss.empty() ? kNaN : Num(loss[0]);
  for (size_t i = 0; i < loss.size(); ++i) {
    r.curve_t.push_back(Num(res["curve_iters"][i]));
    r.curve_rel.push_back(Num(loss[i]) / f0);
  }
  r.final_rel = r.curve_rel.empty() ? kNaN : r.curve_rel.back();
  std::vector<double> t, logf;
  const double fit_begin = res.value("fit_begin", 0);
  for (size_t i = 0; i < r.curve_t.size(); ++i)
    if (r.curve_t[i] >= fit_begin && r.curve_rel[i] > 0) {
      t.push_back(r.curve_t[i]);
      logf.push_back(std::log(r.curve_rel[i]));
    }
  if (!r.diverged) r.linear_r2 = FitLine(t, logf).r2;
  return r;
}

// Fits of ‖h_ℓ‖ against ℓ: polynomial (log‖h‖ linear in log ℓ) and exponential (log‖h‖ linear in ℓ).
struct GrowthFit {
  LineFit poly, expo;
  bool poly_better = false;
};

GrowthFit FitGrowth(const std::vector<double>& h) {
  std::vector<double> logl, l, logh;
  for (size_t i = 0; i < h.size(); ++i)
    if (h[i] > 0) {
      l.push_back(i + 1.0);
      logl.push_back(std::log(i + 1.0));
      logh.push_back(std::log(h[i]));
    }
  GrowthFit g;
  g.poly = FitLine(logl, logh);
  g.expo = FitLine(l, logh);
  g.poly_better = g.poly.rss <= g.expo.rss;
  return g;
}

// One width's row of the per-width table (over its seeds).
struct WidthRow {
  int m = 0, runs = 0, reached = 0, diverged = 0;
  Stats iters, rate, r2, rel, move2, move_scaled, move_fro, w0;
  Stats ratio_init, ratio_min, ratio_max;  // ‖∇f‖²_F / (m·f): at W(0), smallest and largest along the run
};

// One width's hidden-norm growth fit (widths with at least three steps).
struct HiddenRow {
  int m = 0;
  GrowthFit fit;
  double last_ratio = kNaN;  // ‖h_L‖/‖h_(L−1)‖
};

struct ConvergenceFigures {
  size_t records = 0, expected = 0;
  std::map<int, std::vector<ConvergenceRun>> by_m;  // width → runs sorted by seed index
  std::vector<int> mv;                              // the widths, ascending
  std::vector<WidthRow> rows;
  int runs_total = 0, reached_total = 0, diverged_total = 0, rate_below_one = 0, rate_known = 0;
  double rate_lo = 1e300, rate_hi = -1e300, r2_min = 1e300;
  std::map<int, double> mean_iters;  // widths where every seed reached ε → mean iterations to ε
  int all_reach_from = -1;           // smallest m from which every larger width had all seeds reach ε
  // Movement: log ‖W(T) − W(0)‖ (spectral, Frobenius) on log m over the runs that reached ε.
  std::vector<double> fit_x, fit_y, fit_fy;
  LineFit move_fit, fro_fit;
  // Hidden norms at init: width → mean over seeds per ℓ.
  std::map<int, std::vector<double>> mean_h;
  int L = 0;
  double h_min = 1e300;
  std::vector<HiddenRow> hidden_rows;
  int poly_better = 0, norms_in_range = 0, norms_n = 0;
  double poly_rss = 0, exp_rss = 0, p_lo = 1e300, p_hi = -1e300, ratio_hi = 0;
  // Theorem 3: log min_t ‖∇f‖²_F/f on log m over the non-diverged runs (the paper: exponent 1).
  std::vector<double> gx, gy;
  LineFit grad_fit;
};

ConvergenceFigures ComputeFigures(const Setting& s) {
  ConvergenceFigures f;
  f.records = s.records.size();
  f.expected = s.expected();
  for (const Cell* cell : s.cells) f.by_m[cell->config["convergence"]["m"].get<int>()];
  for (const CellRecord* rec : s.records) {
    ConvergenceRun r = ReadConvergence(*rec);
    f.by_m[r.m].push_back(std::move(r));
  }
  for (auto& [m, runs] : f.by_m) {
    std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.seed < b.seed; });
    f.mv.push_back(m);
  }
  std::map<int, bool> all_reached;
  for (const auto& [m, runs] : f.by_m) {
    std::vector<double> iters, rate, r2, rel, mv2, mvs, mf, w0, g0, gmin, gmax;
    WidthRow row;
    row.m = m;
    row.runs = runs.size();
    for (const auto& r : runs) {
      row.reached += r.reached;
      row.diverged += r.diverged;
      if (r.reached) iters.push_back(r.iters_to_eps);
      if (r.diverged) continue;
      rate.push_back(r.rate);
      r2.push_back(r.linear_r2);
      f.r2_min = std::min(f.r2_min, r.linear_r2);
      rel.push_back(r.final_rel);
      mv2.push_back(r.move2);
      mvs.push_back(r.move2 * std::sqrt(static_cast<double>(m)));
      mf.push_back(r.move_fro);
      w0.push_back(r.w0);
      g0.push_back(r.ratio_init / m);
      gmin.push_back(r.ratio_min / m);
      gmax.push_back(r.ratio_max / m);
      if (r.ratio_min > 0 && std::isfinite(r.ratio_min)) {
        f.gx.push_back(std::log(m));
        f.gy.push_back(std::log(r.ratio_min));
      }
      if (std::isfinite(r.rate)) {
        ++f.rate_known;
        f.rate_below_one += r.rate < 1;
        f.rate_lo = std::min(f.rate_lo, r.rate);
        f.rate_hi = std::max(f.rate_hi, r.rate);
      }
      if (r.reached && r.move2 > 0) {
        f.fit_x.push_back(std::log(m));
        f.fit_y.push_back(std::log(r.move2));
        f.fit_fy.push_back(std::log(r.move_fro));
      }
    }
    f.runs_total += row.runs;
    f.reached_total += row.reached;
    f.diverged_total += row.diverged;
    all_reached[m] = !runs.empty() && row.reached == row.runs;
    row.iters = Summarise(iters);
    if (all_reached[m]) f.mean_iters[m] = row.iters.mean;
    row.rate = Summarise(rate);
    row.r2 = Summarise(r2);
    row.rel = Summarise(rel);
    row.move2 = Summarise(mv2);
    row.move_scaled = Summarise(mvs);
    row.move_fro = Summarise(mf);
    row.w0 = Summarise(w0);
    row.ratio_init = Summarise(g0);
    row.ratio_min = Summarise(gmin);
    row.ratio_max = Summarise(gmax);
    f.rows.push_back(row);
  }
  for (auto it = f.mv.rbegin(); it != f.mv.rend() && all_reached[*it]; ++it) f.all_reach_from = *it;
  f.move_fit = FitLine(f.fit_x, f.fit_y);
  f.fro_fit = FitLine(f.fit_x, f.fit_fy);
  f.grad_fit = FitLine(f.gx, f.gy);

  for (const auto& [m, runs] : f.by_m) {
    f.mean_h[m];  // every width has a row, empty when it has no results
    std::vector<std::vector<double>> per_l;
    for (const auto& r : runs) {
      if (per_l.size() < r.hidden.size()) per_l.resize(r.hidden.size());
      for (size_t l = 0; l < r.hidden.size(); ++l) {
        per_l[l].push_back(r.hidden[l]);
        f.h_min = std::min(f.h_min, r.hidden[l]);
      }
    }
    for (const auto& v : per_l) f.mean_h[m].push_back(Summarise(v).mean);
    f.L = std::max<int>(f.L, per_l.size());
  }
  for (int m : f.mv) {
    const auto& v = f.mean_h[m];
    if (v.size() < 3) continue;
    HiddenRow h;
    h.m = m;
    h.fit = FitGrowth(v);
    h.last_ratio = v[v.size() - 1] / v[v.size() - 2];
    f.poly_better += h.fit.poly_better;
    f.poly_rss += h.fit.poly.rss;
    f.exp_rss += h.fit.expo.rss;
    f.p_lo = std::min(f.p_lo, h.fit.poly.b);
    f.p_hi = std::max(f.p_hi, h.fit.poly.b);
    f.ratio_hi = std::max(f.ratio_hi, h.last_ratio);
    for (double x : v) {
      ++f.norms_n;
      f.norms_in_range += x >= 0.5 && x <= v.size();
    }
    f.hidden_rows.push_back(h);
  }
  return f;
}

std::string WriteSetting(const ConvergenceFigures& f, const std::string& title, const ReportPaths& paths,
                         std::map<std::string, std::string>& files) {
  const std::string sfx = title.empty() ? "" : "-" + Slug(title);
  std::string md;
  md += fmt::format("### Per width\n\nMean ± std over seeds. \"reached ε\": runs with f ≤ ε·f(0) within the "
                    "budget; iterations to ε over those runs; rate, the R² of the straight-line fit of log f over the second half "
                    "of each run, and movement over all runs that did not diverge. "
                    "Results: {} of {} cells.\n\n",
                    f.records, f.expected);
  MarkdownTable t({"m", "runs", "reached ε", "diverged", "iterations to ε", "rate", "R² of log f", "f(T)/f(0)",
                   "‖W(T)−W(0)‖₂", "‖W(T)−W(0)‖₂·√m", "‖W(T)−W(0)‖_F", "‖W(0)‖₂"},
                  std::vector<Align>(12, Align::kRight));
  for (const WidthRow& r : f.rows)
    t.AddRow({std::to_string(r.m), std::to_string(r.runs), std::to_string(r.reached), std::to_string(r.diverged),
              IntMeanStd(r.iters), SigMeanStd(r.rate, 4), SigMeanStd(r.r2, 3), SigMeanStd(r.rel, 2),
              SigMeanStd(r.move2), SigMeanStd(r.move_scaled), SigMeanStd(r.move_fro), SigMeanStd(r.w0)});
  md += t.Render() + "\n";

  const LineFit& move_fit = f.move_fit;
  md += "### Movement from initialisation vs width\n\n";
  if (move_fit.n >= 2 && std::isfinite(move_fit.b)) {
    md += fmt::format(
        "Least-squares fit of log ‖W(T) − W(0)‖₂ on log m over the {} runs that reached ε (T = the iteration that "
        "reached it): exponent **{}**{} (R² = {}); the paper's bound ‖W − W(0)‖₂ ≤ poly(n, L)/√m has exponent "
        "−0.5. The Frobenius norm's exponent is {}{}.\n\n",
        move_fit.n, Sig(move_fit.b), std::isfinite(move_fit.se_b) ? " ± " + Sig(move_fit.se_b, 2) : "",
        Sig(move_fit.r2), Sig(f.fro_fit.b), std::isfinite(f.fro_fit.se_b) ? " ± " + Sig(f.fro_fit.se_b, 2) : "");
  } else {
    md += "Fewer than two runs at distinct widths reached ε: no exponent fitted.\n\n";
  }
  {
    // Mean ± std per width over the runs that reached ε; the fitted line and a slope −1/2 reference over the
    // fitted range.
    std::map<double, std::vector<double>> at;
    for (size_t i = 0; i < f.fit_x.size(); ++i) at[std::exp(f.fit_x[i])].push_back(std::exp(f.fit_y[i]));
    std::vector<Series> series(1);
    series[0].label = "runs that reached ε";
    for (const auto& [m, v] : at) {
      const Stats st = Summarise(v);
      series[0].x.push_back(m);
      series[0].y.push_back(st.mean);
      series[0].y_err.push_back(std::isfinite(st.std) ? st.std : 0.0);
    }
    if (std::isfinite(move_fit.b) && !at.empty()) {
      Series fl, half;
      fl.label = fmt::format("fit: m^{}", Sig(move_fit.b));
      half.label = "slope −1/2";
      const double m0 = at.begin()->first, y0 = std::exp(move_fit.a + move_fit.b * std::log(m0));
      for (const auto& [m, v] : at) {
        fl.x.push_back(m);
        fl.y.push_back(std::exp(move_fit.a + move_fit.b * std::log(m)));
        half.x.push_back(m);
        half.y.push_back(y0 * std::pow(m / m0, -0.5));
      }
      series.push_back(fl);
      series.push_back(half);
    }
    PlotSpec spec;
    spec.title = "Movement from init vs width" + (title.empty() ? "" : " (" + title + ")");
    spec.x_label = "hidden width m";
    spec.y_label = "‖W(T) − W(0)‖₂";
    spec.log_x = spec.log_y = true;
    files[paths.Sibling("-movement" + sfx + ".svg")] = LinePlotSvg(spec, series);
    md += fmt::format("![movement vs m]({}-movement{}.svg)\n\n", paths.base, sfx);
  }
  {
    md += "### Gradient lower bound along the trajectory (Theorem 3)\n\n"
          "‖∇f(W(t))‖²_F / f(W(t)) divided by m, at W(0) and its smallest and largest value over every point "
          "where the full gradient was computed (every GD iteration; every SGD epoch). The paper: once W is "
          "within poly(ρ)/√m of W(0), δ/poly(ρ) ≤ ‖∇f‖²_F / (m·f) ≤ poly(ρ), so the columns should stay "
          "bounded away from 0 and ∞ as m grows. Mean ± std over the runs that did not diverge.\n\n";
    MarkdownTable g({"m", "at W(0)", "min over t", "max over t"}, std::vector<Align>(4, Align::kRight));
    for (const WidthRow& r : f.rows)
      g.AddRow({std::to_string(r.m), SigMeanStd(r.ratio_init), SigMeanStd(r.ratio_min), SigMeanStd(r.ratio_max)});
    md += g.Render() + "\n";
    if (f.grad_fit.n >= 2 && std::isfinite(f.grad_fit.b)) {
      const double half = StudentT95(f.grad_fit.n - 2) * f.grad_fit.se_b;
      md += fmt::format("Fit of log min_t ‖∇f‖²_F/f on log m over {} runs: exponent **{}**{} (R² = {}); Theorem 3 "
                        "has exponent 1.\n\n",
                        f.grad_fit.n, Sig(f.grad_fit.b),
                        std::isfinite(half) ? fmt::format(", 95 % interval [{}, {}]", Sig(f.grad_fit.b - half),
                                                          Sig(f.grad_fit.b + half))
                                            : "",
                        Sig(f.grad_fit.r2));
    }
  }
  {
    // Loss curves: the lowest seed index of each width.
    std::vector<Series> series;
    for (const auto& [m, runs] : f.by_m) {
      if (runs.empty()) continue;
      Series sr;
      sr.label = fmt::format("m={}{}", m, runs[0].diverged ? " (diverged)" : "");
      sr.x = runs[0].curve_t;
      sr.y = runs[0].curve_rel;
      series.push_back(sr);
    }
    PlotSpec spec;
    spec.title = "Training loss vs GD iteration" + (title.empty() ? "" : " (" + title + ")");
    spec.x_label = "iteration t";
    spec.y_label = "f(W(t)) / f(W(0))";
    spec.log_y = true;
    files[paths.Sibling("-loss" + sfx + ".svg")] = LinePlotSvg(spec, series);
    md += fmt::format("### Loss curves\n\nOne line per width (its lowest seed index), log scale: a straight "
                      "stretch is linear convergence.\n\n![loss vs iteration]({}-loss{}.svg)\n\n",
                      paths.base, sfx);
  }
  {
    md += "### Hidden-state norms at initialisation\n\nmean_i ‖h_(i,ℓ)‖₂ at W(0), averaged over seeds. Fits per "
          "width over ℓ = 1..L: polynomial log‖h‖ = a + p·log ℓ and exponential log‖h‖ = a + b·ℓ (residual sums of "
          "squares in log space, so they compare directly); e^b is the per-step factor the exponential fit "
          "implies. The paper's (4.1): 1/2 ≤ ‖h_(i,ℓ)‖ ≤ O(L).\n\n";
    std::vector<std::string> header{"ℓ"};
    for (int m : f.mv) header.push_back(fmt::format("m={}", m));
    MarkdownTable h(header, std::vector<Align>(header.size(), Align::kRight));
    for (int l = 0; l < f.L; ++l) {
      std::vector<std::string> row{std::to_string(l + 1)};
      for (int m : f.mv) {
        const auto& v = f.mean_h.at(m);
        row.push_back(l < static_cast<int>(v.size()) ? Sig(v[l]) : "—");
      }
      h.AddRow(row);
    }
    md += h.Render() + "\n";
    MarkdownTable g({"m", "poly exponent p", "poly RSS", "exp factor e^b", "exp RSS", "better fit", "‖h_L‖/‖h_(L−1)‖"},
                    std::vector<Align>(7, Align::kRight));
    std::vector<Series> series;
    for (const HiddenRow& r : f.hidden_rows) {
      g.AddRow({std::to_string(r.m), Sig(r.fit.poly.b), Sig(r.fit.poly.rss, 2), Sig(std::exp(r.fit.expo.b)),
                Sig(r.fit.expo.rss, 2), r.fit.poly_better ? "polynomial" : "exponential", Sig(r.last_ratio)});
      const auto& v = f.mean_h.at(r.m);
      Series sr;
      sr.label = fmt::format("m={}", r.m);
      for (size_t l = 0; l < v.size(); ++l) {
        sr.x.push_back(l + 1.0);
        sr.y.push_back(v[l]);
      }
      series.push_back(sr);
    }
    md += g.Render() + "\n";
    PlotSpec spec;
    spec.title = "Hidden-state norm at init vs step" + (title.empty() ? "" : " (" + title + ")");
    spec.x_label = "step ℓ";
    spec.y_label = "mean ‖h_ℓ‖₂";
    spec.log_x = spec.log_y = true;
    files[paths.Sibling("-hidden" + sfx + ".svg")] = LinePlotSvg(spec, series);
    md += fmt::format("![hidden norms vs step]({}-hidden{}.svg)\n\n", paths.base, sfx);
  }
  return md;
}

std::string Verdict(const ConvergenceFigures& f, const Setting& s, const std::string& title) {
  std::string v = title.empty() ? "" : "**" + title + ".** ";
  if (f.runs_total == 0) return v + "No results yet.\n\n";
  v += fmt::format("*Linear convergence:* {} runs reached f ≤ ε·f(0) within {} iterations; {} diverged. ",
                   Count(f.reached_total, f.runs_total), Text(s.config["max_iters"]), f.diverged_total);
  if (f.rate_known > 0)
    v += fmt::format("The fitted per-iteration rate was below 1 in {} non-diverged runs (range {} to {}). ",
                     Count(f.rate_below_one, f.rate_known), Sig(f.rate_lo, 4), Sig(f.rate_hi, 4));
  if (f.rate_known > 0 && f.r2_min <= 1)
    v += f.r2_min >= 0.99
             ? fmt::format("log f is close to a straight line over the second half of every run (R² ≥ {}). ",
                           Sig(f.r2_min, 3))
             : fmt::format("log f is not a straight line over the second half of some runs (R² as low as {}). ",
                           Sig(f.r2_min, 3));
  if (f.all_reach_from > 0) {
    v += fmt::format("Every seed reached ε at every width from m = {} up{}", f.all_reach_from,
                     f.all_reach_from == f.mv.front() ? " (all widths)" : " (not at every smaller width)");
    double lo = 1e300, hi = -1e300;
    for (int m : f.mv)
      if (m >= f.all_reach_from) {
        lo = std::min(lo, f.mean_iters.at(m));
        hi = std::max(hi, f.mean_iters.at(m));
      }
    v += fmt::format("; over those widths the mean iterations to ε range from {} to {} (m = {}: {}, m = {}: {}). ",
                     FormatFixed(lo, 0), FormatFixed(hi, 0), f.all_reach_from,
                     FormatFixed(f.mean_iters.at(f.all_reach_from), 0), f.mv.back(),
                     FormatFixed(f.mean_iters.at(f.mv.back()), 0));
  } else {
    v += "At the largest width not every seed reached ε. ";
  }
  const LineFit& move_fit = f.move_fit;
  if (move_fit.n >= 2 && std::isfinite(move_fit.b)) {
    const double gap = std::abs(move_fit.b + 0.5);
    v += fmt::format(
        "*Movement:* ‖W(T) − W(0)‖₂ scales as m^{}{} over {} runs, {} the paper's m^(−1/2) ({} from −0.5){}. ",
        Sig(move_fit.b), std::isfinite(move_fit.se_b) ? " ± " + Sig(move_fit.se_b, 2) : "", move_fit.n,
        gap <= 0.1 ? "consistent with" : "not matching", Sig(gap, 2),
        gap <= 0.1 ? "" : (move_fit.b < -0.5 ? ": it shrinks faster" : ": it shrinks more slowly"));
  } else {
    v += "*Movement:* too few runs reached ε to fit an exponent. ";
  }
  const int growth_n = f.hidden_rows.size();
  if (growth_n > 0)
    v += fmt::format(
        "*Hidden norms at init:* over ℓ = 1..{}, the polynomial fit beats the exponential one at {} widths, with "
        "exponents p from {} to {} (‖h‖ ≈ ℓ^p); the last step's growth factor is at most {}; {} (width, ℓ) means lie "
        "in [1/2, L] (the smallest single run's mean norm: {}). {}",
        f.L, Count(f.poly_better, growth_n), Sig(f.p_lo), Sig(f.p_hi), Sig(f.ratio_hi),
        Count(f.norms_in_range, f.norms_n), Sig(f.h_min),
        f.poly_better == growth_n ? "Growth is polynomial, as the paper says"
                                  : "At some widths an exponential fits better (see the table above)");
  if (growth_n > 0)
    v += fmt::format(" (summed over widths the exponential fit's residuals are {}× the polynomial's{}).",
                     Sig(f.poly_rss > 0 ? f.exp_rss / f.poly_rss : kNaN, 2),
                     f.L <= 10 ? fmt::format("; with only L = {} steps the two laws are close over the measured range, "
                                             "so this is a weak test of the 'never exponential' part",
                                             f.L)
                               : "");
  if (f.grad_fit.n >= 2 && std::isfinite(f.grad_fit.b)) {
    const double half = StudentT95(f.grad_fit.n - 2) * f.grad_fit.se_b;
    // Theorem 3 is a lower bound ∝ m: an exponent at or above 1 keeps it (with a constant that grows with m), one
    // below 1 means the constant shrinks as m grows.
    const double b = f.grad_fit.b;
    const std::string how = !std::isfinite(half)   ? (b >= 1 ? "at or above" : "below")
                            : b - half > 1         ? "above"
                            : b + half < 1         ? "below"
                                                   : "consistent with";
    double lo = 1e300;
    for (const WidthRow& r : f.rows)
      if (std::isfinite(r.ratio_min.min)) lo = std::min(lo, r.ratio_min.min);
    v += fmt::format(
        " *Gradient lower bound (Theorem 3):* the smallest ‖∇f‖²_F/f along each trajectory scales as m^{}{} over {} "
        "runs, {} the paper's m¹ ({}); min_t ‖∇f‖²_F/(m·f) was never below {} in any run: a PL-type bound "
        "‖∇f‖²_F ≥ c·m·f held along every trajectory with c = {}.",
        Sig(b), std::isfinite(half) ? fmt::format(" [95 %: {}, {}]", Sig(b - half), Sig(b + half)) : "",
        f.grad_fit.n, how,
        how == "below" ? "the bound's constant shrinks as m grows on this grid"
                       : how == "consistent with" ? "the bound's constant does not change with m"
                                                  : "the bound holds with a constant that grows with m",
        Sig(lo), Sig(lo));
  }
  v += fmt::format(" The theorems need m ≥ poly(n, L); this grid reaches m = {} with n = {}, L = {}.\n\n", f.mv.back(),
                   Text(s.config["n"]), Text(s.config["L"]));
  return v;
}

// "lo … hi" interval text for a slope fit, or "" without an interval.
std::string Interval(const LineFit& fit, double scale_exp = 0) {
  const double half = StudentT95(fit.n - 2) * fit.se_b;
  if (!std::isfinite(half)) return "";
  if (scale_exp) return fmt::format(" [95 %: {}, {}]", Sig(std::exp(fit.b - half), 4), Sig(std::exp(fit.b + half), 4));
  return fmt::format(" [95 %: {}, {}]", Sig(fit.b - half), Sig(fit.b + half));
}

// Runs of a setting grouped by one axis value (L, η0 or "m optimizer"), each group sorted by seed index.
template <typename Key, typename KeyOf>
std::map<Key, std::vector<ConvergenceRun>> RunsBy(const Setting& s, KeyOf key_of) {
  std::map<Key, std::vector<ConvergenceRun>> out;
  for (const CellRecord* rec : s.records) {
    ConvergenceRun r = ReadConvergence(*rec);
    out[key_of(r)].push_back(std::move(r));
  }
  for (auto& [k, runs] : out)
    std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.seed < b.seed; });
  return out;
}

// Iterations to ε against L: table, polynomial and exponential fits, the plot; appends the verdict.
std::string DepthSection(const Setting& s, const std::string& title, const ReportPaths& paths,
                         std::map<std::string, std::string>& files, std::string& verdict) {
  const auto by_l = RunsBy<int>(s, [](const ConvergenceRun& r) { return r.L; });
  std::string md = "### Iterations to ε against the depth L\n\n";
  const bool init_rule = s.config.contains("step_rule") && Text(s.config["step_rule"]) == "init-gradient";
  md += fmt::format("m = {}, {}. Iterations to ε over the runs that reached it; runs that did not are left out of "
                    "the fits (censored) and counted. ‖∇f‖²/(m·f) at init is the gradient the step must handle "
                    "(Theorem 3's upper bound: ≤ poly(ρ)). Results: {} of {} cells.\n\n",
                    Text(s.config["m"]),
                    init_rule ? fmt::format("η = η0·f(W(0))/‖∇f(W(0))‖²_F with η0 = {} (the step scaled to the "
                                            "gradient at init, so every L gets the same first-step decrease)",
                                            Sig(Num(s.config["eta0"])))
                              : fmt::format("η = η0/m with η0 = {} at every L", Sig(Num(s.config["eta0"]))),
                    s.records.size(), s.expected());
  MarkdownTable t({"L", "runs", "reached ε", "diverged", "iterations to ε", "f(T)/f(0)", "η",
                   "‖∇f‖²/(m·f) at init", "min ‖∇f‖²/(m·f)", "‖h_L‖ at init"},
                  std::vector<Align>(10, Align::kRight));
  std::vector<double> g_l, g_ratio;  // mean ‖∇f(W(0))‖²/(m·f) per L
  std::vector<double> x, logx, y;
  int runs = 0, reached = 0, diverged = 0;
  std::vector<double> h_longest;  // mean ‖h_ℓ‖ at init over the seeds of the largest L
  Series mean_series;
  mean_series.label = "mean over the runs that reached ε";
  for (const auto& [L, rs] : by_l) {
    std::vector<double> it, rel, ratio, hl, etas, init;
    int rch = 0, dv = 0;
    for (const auto& r : rs) {
      ++runs;
      etas.push_back(r.eta);
      init.push_back(r.ratio_init / r.m);
      if (r.reached) {
        ++rch;
        it.push_back(r.iters_to_eps);
        x.push_back(L);
        logx.push_back(std::log(L));
        y.push_back(std::log(std::max(1, r.iters_to_eps)));
      }
      if (r.diverged) {
        ++dv;
        continue;
      }
      rel.push_back(r.final_rel);
      ratio.push_back(r.ratio_min / r.m);
      if (!r.hidden.empty()) hl.push_back(r.hidden.back());
    }
    reached += rch;
    diverged += dv;
    const Stats its = Summarise(it);
    if (its.n > 0) {
      mean_series.x.push_back(L);
      mean_series.y.push_back(its.mean);
      mean_series.y_err.push_back(std::isfinite(its.std) ? its.std : 0.0);
    }
    const Stats ist = Summarise(init);
    if (ist.mean > 0) {
      g_l.push_back(L);
      g_ratio.push_back(ist.mean);
    }
    t.AddRow({std::to_string(L), std::to_string(rs.size()), std::to_string(rch), std::to_string(dv), IntMeanStd(its),
              SigMeanStd(Summarise(rel), 2), Sig(Summarise(etas).mean), SigMeanStd(ist), SigMeanStd(Summarise(ratio)),
              SigMeanStd(Summarise(hl))});
  }
  if (!by_l.empty()) {
    const auto& longest = by_l.rbegin()->second;
    std::vector<std::vector<double>> per_l;
    for (const auto& r : longest) {
      if (per_l.size() < r.hidden.size()) per_l.resize(r.hidden.size());
      for (size_t l = 0; l < r.hidden.size(); ++l) per_l[l].push_back(r.hidden[l]);
    }
    for (const auto& v : per_l) h_longest.push_back(Summarise(v).mean);
  }
  md += t.Render() + "\n";
  const LineFit poly = FitLine(logx, y), expo = FitLine(x, y);
  const std::string sfx = title.empty() ? "" : "-" + Slug(title);
  std::string v = title.empty() ? "" : "**" + title + ".** ";
  v += fmt::format("*Depth:* {} runs over L = {} … {} reached ε ({} diverged). ", Count(reached, runs),
                   by_l.empty() ? 0 : by_l.begin()->first, by_l.empty() ? 0 : by_l.rbegin()->first, diverged);
  if (poly.n >= 3 && std::isfinite(poly.b) && std::isfinite(expo.b)) {
    md += fmt::format(
        "Fits over the {} runs that reached ε: polynomial T ≈ {}·L^p with p = **{}**{} (R² = {}, RSS {}); "
        "exponential T ≈ {}·c^L with c = e^b = **{}**{} (R² = {}, RSS {}); residuals in log T, so the RSS "
        "compare directly.\n\n",
        poly.n, Sig(std::exp(poly.a)), Sig(poly.b), Interval(poly), Sig(poly.r2), Sig(poly.rss, 2),
        Sig(std::exp(expo.a)), Sig(std::exp(expo.b), 4), Interval(expo, 1), Sig(expo.r2), Sig(expo.rss, 2));
    const double ratio = expo.rss / poly.rss;  // +inf when the polynomial fit is exact, NaN when both are
    const bool poly_wins = poly.rss < expo.rss;
    const bool clear = ratio >= 2 || ratio <= 0.5;
    v += fmt::format("Iterations to ε grow like L^{}{} (polynomial, R² {}) or {}^L{} (exponential, R² {}); the "
                     "exponential fit's residuals are {} the polynomial's, so {}. ",
                     Sig(poly.b), Interval(poly), Sig(poly.r2), Sig(std::exp(expo.b), 4), Interval(expo, 1),
                     Sig(expo.r2), std::isfinite(ratio) ? Sig(ratio, 2) + "×" : "incomparably larger than",
                     clear ? (poly_wins ? "the data support polynomial growth, as Theorems 1–2 say"
                                        : "the data favour exponential growth, against Theorems 1–2")
                           : "the data cannot tell the two laws apart over this range");
    if (reached < runs)
      v += fmt::format("{} runs did not reach ε and are censored (left out), which biases both fits towards "
                       "slower growth. ",
                       runs - reached);
    Series pf, ef;
    pf.label = fmt::format("poly: L^{}", Sig(poly.b));
    ef.label = fmt::format("exp: {}^L", Sig(std::exp(expo.b), 3));
    for (const auto& [L, rs] : by_l) {
      pf.x.push_back(L);
      pf.y.push_back(std::exp(poly.a + poly.b * std::log(L)));
      ef.x.push_back(L);
      ef.y.push_back(std::exp(expo.a + expo.b * L));
    }
    PlotSpec spec;
    spec.title = "GD iterations to ε vs depth" + (title.empty() ? "" : " (" + title + ")");
    spec.x_label = "sequence length L";
    spec.y_label = "iterations to f ≤ ε·f(0)";
    spec.log_y = true;
    files[paths.Sibling("-depth" + sfx + ".svg")] = LinePlotSvg(spec, {mean_series, pf, ef});
    md += fmt::format("Log y against linear L: an exponential law is a straight line.\n\n![iterations vs L]({}-depth{}.svg)\n\n",
                      paths.base, sfx);
  } else {
    md += "Fewer than three runs reached ε: no fit.\n\n";
    v += "Fewer than three runs reached ε: no fit of iterations against L. ";
  }
  if (g_l.size() >= 3) {
    // The init gradient ratio against L: FitGrowth takes values at ℓ = 1, 2, …, so fit directly here.
    std::vector<double> lx, llx, ly;
    for (size_t i = 0; i < g_l.size(); ++i) {
      lx.push_back(g_l[i]);
      llx.push_back(std::log(g_l[i]));
      ly.push_back(std::log(g_ratio[i]));
    }
    const LineFit gp = FitLine(llx, ly), ge = FitLine(lx, ly);
    md += fmt::format("‖∇f(W(0))‖²_F/(m·f(W(0))) against L: polynomial fit L^{} (RSS {}), exponential fit {}^L (RSS "
                      "{}).\n\n",
                      Sig(gp.b), Sig(gp.rss, 2), Sig(std::exp(ge.b), 4), Sig(ge.rss, 2));
    v += fmt::format("The gradient at init, ‖∇f‖²_F/(m·f), goes from {} at L = {} to {} at L = {} (like L^{}, RSS {}, "
                     "or {}^L, RSS {}). ",
                     Sig(g_ratio.front()), g_l.front(), Sig(g_ratio.back()), g_l.back(), Sig(gp.b), Sig(gp.rss, 2),
                     Sig(std::exp(ge.b), 4), Sig(ge.rss, 2));
  }
  if (h_longest.size() >= 3) {
    const GrowthFit g = FitGrowth(h_longest);
    md += fmt::format("Hidden norms at init for L = {} (mean over seeds): ‖h_1‖ = {}, ‖h_L‖ = {}; polynomial fit "
                      "‖h_ℓ‖ ∝ ℓ^{} (RSS {}), exponential factor {} per step (RSS {}).\n\n",
                      h_longest.size(), Sig(h_longest.front()), Sig(h_longest.back()), Sig(g.poly.b),
                      Sig(g.poly.rss, 2), Sig(std::exp(g.expo.b), 4), Sig(g.expo.rss, 2));
    v += fmt::format("Hidden norms at init over ℓ = 1..{} grow like ℓ^{} ({} fits better; ‖h_L‖ = {}, inside [1/2, L]: "
                     "{}). ",
                     h_longest.size(), Sig(g.poly.b), g.poly_better ? "the polynomial" : "the exponential",
                     Sig(h_longest.back()), h_longest.back() >= 0.5 && h_longest.back() <= h_longest.size() ? "yes" : "no");
  }
  verdict += v + "\n\n";
  return md;
}

// The step-size sweep: catapult (the loss rising above f(0)), divergence and movement per η0.
std::string StepSection(const Setting& s, const std::string& title, const ReportPaths& paths,
                        std::map<std::string, std::string>& files, std::string& verdict) {
  const auto by_eta = RunsBy<double>(s, [](const ConvergenceRun& r) { return r.eta0; });
  const double m = Num(s.config["m"]);
  std::string md = "### Step size: through the catapult\n\n";
  md += fmt::format(
      "m = {}, L = {}, η = η0/m. \"peak f/f(0)\": the largest f(W(t))/f(W(0)) over the run (> 1: the loss rose "
      "above its start — a catapult); movement ‖W(T) − W(0)‖₂ at the end of the run (T = iterations to ε, or the "
      "budget, or the divergence). Mean ± std over seeds (diverged runs left out of all but the counts). Results: "
      "{} of {} cells.\n\n",
      Text(s.config["m"]), Text(s.config["L"]), s.records.size(), s.expected());
  MarkdownTable t({"η0", "η", "runs", "diverged", "catapult", "reached ε", "iterations to ε", "peak f/f(0)",
                   "f(T)/f(0)", "‖W(T)−W(0)‖₂", "‖W(T)−W(0)‖₂·√m", "min ‖∇f‖²/(m·f)"},
                  std::vector<Align>(12, Align::kRight));
  std::vector<Series> curves;
  Series move;
  move.label = "mean over the runs that did not diverge";
  double first_catapult = kNaN, first_diverged = kNaN, peak_hi = 0;
  double move_lo = kNaN, move_hi = kNaN, eta_lo = kNaN, eta_hi = kNaN;
  double calm_move_max = 0, cat_move_min = 1e300;
  for (const auto& [eta, rs] : by_eta) {
    std::vector<double> it, peak, rel, mv, mvs, ratio;
    int dv = 0, cat = 0, rch = 0;
    for (const auto& r : rs) {
      if (r.reached) {
        ++rch;
        it.push_back(r.iters_to_eps);
      }
      if (r.diverged) {
        ++dv;
        continue;
      }
      const bool catapult = r.peak > 1;
      cat += catapult;
      if (catapult) cat_move_min = std::min(cat_move_min, r.move2);
      else calm_move_max = std::max(calm_move_max, r.move2);
      peak.push_back(r.peak);
      peak_hi = std::max(peak_hi, r.peak);
      rel.push_back(r.final_rel);
      mv.push_back(r.move2);
      mvs.push_back(r.move2 * std::sqrt(m));
      ratio.push_back(r.ratio_min / r.m);
    }
    if (cat > 0 && !std::isfinite(first_catapult)) first_catapult = eta;
    if (dv > 0 && !std::isfinite(first_diverged)) first_diverged = eta;
    const Stats mst = Summarise(mv);
    if (mst.n > 0) {
      move.x.push_back(eta);
      move.y.push_back(mst.mean);
      move.y_err.push_back(std::isfinite(mst.std) ? mst.std : 0.0);
      if (!std::isfinite(move_lo)) {
        move_lo = mst.mean;
        eta_lo = eta;
      }
      move_hi = mst.mean;
      eta_hi = eta;
    }
    t.AddRow({Sig(eta), Sig(eta / m), std::to_string(rs.size()), std::to_string(dv), std::to_string(cat),
              std::to_string(rch), IntMeanStd(Summarise(it)), SigMeanStd(Summarise(peak)), SigMeanStd(Summarise(rel), 2),
              SigMeanStd(mst), SigMeanStd(Summarise(mvs)), SigMeanStd(Summarise(ratio))});
    if (!rs.empty()) {
      Series c;
      c.label = fmt::format("η0={}{}", Sig(eta), rs[0].diverged ? " (diverged)" : "");
      c.x = rs[0].curve_t;
      c.y = rs[0].curve_rel;
      curves.push_back(c);
    }
  }
  md += t.Render() + "\n";
  const std::string sfx = title.empty() ? "" : "-" + Slug(title);
  {
    PlotSpec spec;
    spec.title = "Loss vs GD iteration per step size" + (title.empty() ? "" : " (" + title + ")");
    spec.x_label = "iteration t";
    spec.y_label = "f(W(t)) / f(W(0))";
    spec.log_y = true;
    files[paths.Sibling("-step-loss" + sfx + ".svg")] = LinePlotSvg(spec, curves);
    PlotSpec ms;
    ms.title = "Movement from init vs step size" + (title.empty() ? "" : " (" + title + ")");
    ms.x_label = "η0 = η·m";
    ms.y_label = "‖W(T) − W(0)‖₂";
    ms.log_x = ms.log_y = true;
    files[paths.Sibling("-step-movement" + sfx + ".svg")] = LinePlotSvg(ms, {move});
    md += fmt::format("Loss curves (lowest seed index per η0) and movement against η0:\n\n![loss per step size]({0}-step-loss{1}.svg)\n"
                      "![movement vs step size]({0}-step-movement{1}.svg)\n\n",
                      paths.base, sfx);
  }
  std::string v = title.empty() ? "" : "**" + title + ".** ";
  v += fmt::format("*Step size (m = {}):* ", Text(s.config["m"]));
  v += std::isfinite(first_catapult)
           ? fmt::format("the loss first rises above f(0) (a catapult) at η0 = {} (η = {}), peaking at {}× f(0) over "
                         "the sweep; ",
                         Sig(first_catapult), Sig(first_catapult / m), Sig(peak_hi))
           : "no run's loss rose above f(0); ";
  v += std::isfinite(first_diverged) ? fmt::format("runs diverge from η0 = {}; ", Sig(first_diverged))
                                     : "no run diverged; ";
  if (std::isfinite(move_lo) && eta_hi > eta_lo)
    v += fmt::format("the movement ‖W(T) − W(0)‖₂ goes from {} at η0 = {} to {} at η0 = {} (×{})", Sig(move_lo),
                     Sig(eta_lo), Sig(move_hi), Sig(eta_hi), Sig(move_hi / move_lo, 2));
  if (std::isfinite(first_catapult) && calm_move_max > 0 && cat_move_min < 1e300)
    v += fmt::format("; the catapult runs moved at least {} against at most {} for the runs without one", Sig(cat_move_min),
                     Sig(calm_move_max));
  v += ". Theorems 1–2 take η = Θ̃(δ/(m·poly(n, L))) — far below the catapult — so the runs above it are "
       "outside what they cover. ";
  verdict += v + "\n\n";
  return md;
}

// GD beside SGD (Theorem 2) at each width: iterations or epochs to ε, steps, movement, the gradient ratio.
std::string OptimizerSection(const Setting& s, const std::string& title, std::string& verdict) {
  const auto by = RunsBy<std::pair<int, bool>>(s, [](const ConvergenceRun& r) { return std::pair{r.m, r.sgd}; });
  std::string md = "### GD beside SGD (Theorem 2)\n\n";
  std::string batch = "1";  // from an SGD cell (the setting's first cell may be a GD one, which has no batch)
  for (const Cell* c : s.cells)
    if (c->config["convergence"].contains("batch")) {
      batch = Text(c->config["convergence"]["batch"]);
      break;
    }
  md += fmt::format(
      "SGD steps on the loss of one minibatch of sequences (drawn without replacement within an epoch) with the same "
      "η = η0/m (η0 = {}); the full f is checked after every epoch of n/batch steps, so SGD's \"iterations\" are "
      "epochs — one epoch touches every sequence once, as one GD iteration does. Mean ± std over seeds. Results: {} "
      "of {} cells.\n\n",
      Sig(Num(s.config["eta0"])), s.records.size(), s.expected());
  MarkdownTable t({"m", "optimizer", "runs", "reached ε", "diverged", "iterations (GD) / epochs (SGD) to ε",
                   "weight updates to ε", "rate per iteration/epoch", "‖W(T)−W(0)‖₂", "min ‖∇f‖²/(m·f)"},
                  std::vector<Align>(10, Align::kRight));
  int sgd_runs = 0, sgd_reached = 0, gd_runs = 0, gd_reached = 0;
  std::vector<std::string> ratios, moves;
  std::map<int, std::pair<double, double>> mean_it, mean_mv;  // m → (GD, SGD); NaN where a side has no runs
  for (const auto& [key, rs] : by) {
    const auto& [m, sgd] = key;
    std::vector<double> it, steps, rate, mv, ratio;
    int rch = 0, dv = 0;
    for (const auto& r : rs) {
      if (r.reached) {
        ++rch;
        it.push_back(r.iters_to_eps);
        steps.push_back(static_cast<double>(r.steps));
      }
      if (r.diverged) {
        ++dv;
        continue;
      }
      rate.push_back(r.rate);
      mv.push_back(r.move2);
      ratio.push_back(r.ratio_min / r.m);
    }
    (sgd ? sgd_runs : gd_runs) += rs.size();
    (sgd ? sgd_reached : gd_reached) += rch;
    const Stats its = Summarise(it), mvs = Summarise(mv);
    mean_it.try_emplace(m, kNaN, kNaN);
    mean_mv.try_emplace(m, kNaN, kNaN);
    (sgd ? mean_it[m].second : mean_it[m].first) = its.mean;
    (sgd ? mean_mv[m].second : mean_mv[m].first) = mvs.mean;
    t.AddRow({std::to_string(m), sgd ? "sgd (batch " + batch + ")" : "gd", std::to_string(rs.size()),
              std::to_string(rch), std::to_string(dv), IntMeanStd(its), IntMeanStd(Summarise(steps)),
              SigMeanStd(Summarise(rate), 4), SigMeanStd(mvs), SigMeanStd(Summarise(ratio))});
  }
  md += t.Render() + "\n";
  for (const auto& [m, p] : mean_it) {
    if (std::isfinite(p.first) && std::isfinite(p.second) && p.first > 0)
      ratios.push_back(fmt::format("{} at m = {}", Sig(p.second / p.first, 2), m));
    const auto& q = mean_mv[m];
    if (std::isfinite(q.first) && std::isfinite(q.second) && q.first > 0)
      moves.push_back(fmt::format("{} at m = {}", Sig(q.second / q.first, 2), m));
  }
  std::string v = title.empty() ? "" : "**" + title + ".** ";
  v += fmt::format("*SGD (Theorem 2):* SGD with batch {} reached ε in {} runs, GD in {}. ", batch,
                   Count(sgd_reached, sgd_runs), Count(gd_reached, gd_runs));
  if (!ratios.empty())
    v += "SGD epochs to ε over GD iterations to ε: " + Join(ratios, ", ") +
         " (about 1: an SGD epoch does the work of a GD step, as the linear rate in both theorems says). ";
  if (!moves.empty()) v += "SGD's movement over GD's: " + Join(moves, ", ") + ". ";
  verdict += v + "\n\n";
  return md;
}

}  // namespace

RenderedReport RenderConvergenceReport(const Suite& suite, const std::vector<std::optional<CellRecord>>& records,
                                       const ReportPaths& paths) {
  RenderedReport out;
  const std::vector<std::string> drop{"m", "seed"};
  const auto settings = GroupSettings(suite, records, "convergence", drop);
  const nlohmann::json& c0 = settings.front().config;
  // A suite with `studies:` mixes sweeps; its width sections are the settings with at least two widths.
  const bool studies = suite.info.contains("studies") && suite.info["studies"].size() > 1;
  std::string& md = out.markdown;
  md += "## Setup\n\n";
  md += fmt::format(
      "Allen-Zhu, Li and Song's setting: h_ℓ = φ(W h_(ℓ−1) + A x_ℓ) with φ = {}, W, A ~ N(0, {}/m) and N(0, {}/m), "
      "B ~ N(0, {}/d_y) fixed; inputs of norm 1 with last coordinate 1/√2; random labels y* ~ N(0, I/d_y). Only W "
      "is trained, by full-batch GD on f(W) = ½ Σ_i Σ_(ℓ≥2) ‖B h_(i,ℓ) − y*_(i,ℓ)‖², with step η = η0/m "
      "(η0 = {}), until f ≤ ε·f(W(0)) (ε = {}) or {} iterations. n = {}, L = {}, d_x = {}, d_y = {}, {}. "
      "The fitted rate is exp(slope of log f) over the second half of each run (< 1: linear convergence). One seed "
      "index uses the same data at every width. Cells: {}.\n\n",
      Text(c0["activation"]), Sig(Num(c0["w_var"])), Sig(Num(c0["a_var"])), Sig(Num(c0["b_var"])),
      Sig(Num(c0["eta0"])), Sig(Num(c0["epsilon"])), Text(c0["max_iters"]), Text(c0["n"]), Text(c0["L"]),
      Text(c0["dx"]), Text(c0["dy"]), Text(c0["precision"]), suite.cells.size());
  if (studies) {
    std::vector<std::string> names;
    for (auto it = suite.info["studies"].begin(); it != suite.info["studies"].end(); ++it)
      names.push_back(fmt::format("{} ({} cells)", it.key(), it.value().size()));
    md += "The suite runs several studies, each varying some of these values (a point two studies share is one "
          "cell): " + Join(names, ", ") +
          ". Each section's title names the values it holds; the sections are widths, depth, step size, and GD "
          "beside SGD.\n\n";
  }
  out.csv.push_back({"key", "m", "n", "L", "eta0", "seed", "iterations", "iters_to_epsilon", "diverged", "rate",
                     "final_rel_loss", "move_spectral", "move_fro", "w0_spectral", "seconds", "optimizer", "batch",
                     "steps", "peak_rel_loss", "grad_ratio_init", "grad_ratio_min", "grad_ratio_max"});
  for (const auto& rec : records) {
    if (!rec) continue;
    const ConvergenceRun r = ReadConvergence(*rec);
    const auto& c = rec->config["convergence"];
    out.csv.push_back({rec->key, std::to_string(r.m), Text(c["n"]), Text(c["L"]), Csv(r.eta0),
                       std::to_string(r.seed), std::to_string(r.iterations), std::to_string(r.iters_to_eps),
                       r.diverged ? "1" : "0", Csv(r.rate), Csv(r.final_rel), Csv(r.move2), Csv(r.move_fro), Csv(r.w0),
                       Csv(rec->seconds), r.sgd ? "sgd" : "gd", c.contains("batch") ? Text(c["batch"]) : "",
                       std::to_string(r.steps), Csv(r.peak), Csv(r.ratio_init), Csv(r.ratio_min), Csv(r.ratio_max)});
  }
  std::string verdict;
  // Widths.
  std::vector<const Setting*> width_settings;
  for (const Setting& s : settings) {
    std::set<int> ms;
    for (const Cell* c : s.cells) ms.insert(c->config["convergence"]["m"].get<int>());
    if (!studies || ms.size() >= 2) width_settings.push_back(&s);
  }
  for (const Setting* s : width_settings) {
    const std::string title = SettingTitle(settings, *s, drop);
    if (settings.size() > 1) md += "## Widths: " + title + "\n\n";
    const ConvergenceFigures f = ComputeFigures(*s);
    verdict += Verdict(f, *s, title);
    md += WriteSetting(f, title, paths, out.files);
  }
  // Depth, step size, optimizer: settings in which that axis takes several values.
  const auto axis_sections = [&](const std::vector<std::string>& axis_drop, const std::string& axis, size_t need,
                                 const std::string& heading, const auto& section) {
    const auto groups = GroupSettings(suite, records, "convergence", axis_drop);
    for (const Setting& s : groups) {
      std::set<std::string> values;
      for (const Cell* c : s.cells) {
        const auto& cc = c->config["convergence"];
        values.insert(cc.contains(axis) ? cc[axis].dump() : "-");
      }
      if (values.size() < need) continue;
      const std::string title = SettingTitle(groups, s, axis_drop);
      md += "## " + heading + (title.empty() ? "" : ": " + title) + "\n\n";
      md += section(s, title);
    }
  };
  axis_sections({"L", "seed"}, "L", 3, "Depth", [&](const Setting& s, const std::string& title) {
    return DepthSection(s, title, paths, out.files, verdict);
  });
  axis_sections({"eta0", "seed"}, "eta0", 2, "Step size", [&](const Setting& s, const std::string& title) {
    return StepSection(s, title, paths, out.files, verdict);
  });
  axis_sections({"optimizer", "batch", "m", "seed"}, "optimizer", 2, "GD and SGD",
                [&](const Setting& s, const std::string& title) { return OptimizerSection(s, title, verdict); });
  md += "## Does the paper's claim hold here?\n\n*The claims* (Theorems 1–4): once m ≥ poly(n, L), GD (and SGD, one "
        "random sequence per step) with η ∝ 1/m converges linearly in a number of iterations polynomial (not "
        "exponential) in L, W stays within O(1/√m) of W(0) in spectral norm, ‖∇f‖²_F ≥ δ/poly(ρ)·m·f along the way "
        "(Theorem 3), and the hidden norms at init stay between 1/2 and O(L) (polynomial, never exponential, in L).\n\n" +
        verdict;
  md += "*What this cannot show:* the theorems are asymptotic (m ≥ poly(n, L) with unstated polynomials, "
        "η = Θ̃(δ/(m·poly))); finite grids of small n and m can agree or disagree with their trends but cannot "
        "confirm or refute the bounds themselves, and a polynomial and an exponential law are hard to tell apart "
        "over one decade of L.\n";
  return out;
}

}  // namespace flbench
