// The convergence report: per-width rates, iterations to ε and movement from init (with its exponent in m),
// loss curves, hidden-state norms at init against ℓ (polynomial vs exponential fits), and a verdict on
// Allen-Zhu, Li and Song's claims. Figures first (ConvergenceFigures), then the Markdown. Entry point:
// RenderConvergenceReport (report.h). Tested by tests/report_theory_test.cc.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

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
  int m = 0, seed = 0;
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
  r.m = rec.config["convergence"]["m"];
  r.seed = rec.config["seed_index"];
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
};

ConvergenceFigures ComputeFigures(const Setting& s, std::vector<std::vector<std::string>>& csv) {
  ConvergenceFigures f;
  f.records = s.records.size();
  f.expected = s.expected();
  for (const Cell* cell : s.cells) f.by_m[cell->config["convergence"]["m"].get<int>()];
  for (const CellRecord* rec : s.records) {
    ConvergenceRun r = ReadConvergence(*rec);
    const auto& c = rec->config["convergence"];
    csv.push_back({rec->key, std::to_string(r.m), Text(c["n"]), Text(c["L"]), Csv(Num(c["eta0"])),
                   std::to_string(r.seed), std::to_string(r.iterations), std::to_string(r.iters_to_eps),
                   r.diverged ? "1" : "0", Csv(r.rate), Csv(r.final_rel), Csv(r.move2), Csv(r.move_fro), Csv(r.w0),
                   Csv(rec->seconds)});
    f.by_m[r.m].push_back(std::move(r));
  }
  for (auto& [m, runs] : f.by_m) {
    std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.seed < b.seed; });
    f.mv.push_back(m);
  }
  std::map<int, bool> all_reached;
  for (const auto& [m, runs] : f.by_m) {
    std::vector<double> iters, rate, r2, rel, mv2, mvs, mf, w0;
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
    f.rows.push_back(row);
  }
  for (auto it = f.mv.rbegin(); it != f.mv.rend() && all_reached[*it]; ++it) f.all_reach_from = *it;
  f.move_fit = FitLine(f.fit_x, f.fit_y);
  f.fro_fit = FitLine(f.fit_x, f.fit_fy);

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
  v += fmt::format(" The theorems need m ≥ poly(n, L); this grid reaches m = {} with n = {}, L = {}.\n\n", f.mv.back(),
                   Text(s.config["n"]), Text(s.config["L"]));
  return v;
}

}  // namespace

RenderedReport RenderConvergenceReport(const Suite& suite, const std::vector<std::optional<CellRecord>>& records,
                                       const ReportPaths& paths) {
  RenderedReport out;
  const std::vector<std::string> drop{"m", "seed"};
  const auto settings = GroupSettings(suite, records, "convergence", drop);
  const nlohmann::json& c0 = settings.front().config;
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
  out.csv.push_back({"key", "m", "n", "L", "eta0", "seed", "iterations", "iters_to_epsilon", "diverged", "rate",
                     "final_rel_loss", "move_spectral", "move_fro", "w0_spectral", "seconds"});
  std::string verdict;
  const auto render = [&](const Setting& s, const std::string& title) {
    const ConvergenceFigures f = ComputeFigures(s, out.csv);
    verdict += Verdict(f, s, title);
    return WriteSetting(f, title, paths, out.files);
  };
  md += SettingsThenVerdict(settings, drop, render,
                            "*The claims* (Theorems 1–4): once m ≥ poly(n, L), GD with "
                            "η ∝ 1/m converges linearly, W stays within O(1/√m) of W(0) in spectral norm, and the hidden norms at "
                            "init stay between 1/2 and O(L) (polynomial, never exponential, in L).",
                            verdict);
  return out;
}

}  // namespace flbench
