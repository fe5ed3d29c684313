// The reports of the theory kinds: inversion (error tables by m × L per d, Figure 4 mirrored), convergence
// (rates, iterations to ε, movement from init and its exponent in m, hidden norms at init vs ℓ) and
// width-vs-samples (m*(n) with logarithmic and power fits). Each ends with a verdict on the paper's claim
// generated from the numbers. Entry points: RenderInversionReport, RenderConvergenceReport,
// RenderWidthReport (report.h). Tested by tests/report_theory_test.cc.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "report/report.h"
#include "report/svg.h"
#include "report/table.h"
#include "theory/width_search.h"
#include "util/strings.h"

namespace flbench {

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Stats {
  double mean = kNaN, std = kNaN;  // std over seeds (n − 1 denominator); NaN with one value
  int n = 0;
};

Stats Summarise(const std::vector<double>& v) {
  Stats s;
  std::vector<double> x;
  for (double e : v)
    if (std::isfinite(e)) x.push_back(e);
  s.n = static_cast<int>(x.size());
  if (x.empty()) return s;
  double sum = 0;
  for (double e : x) sum += e;
  s.mean = sum / x.size();
  if (x.size() > 1) {
    double ss = 0;
    for (double e : x) ss += (e - s.mean) * (e - s.mean);
    s.std = std::sqrt(ss / (x.size() - 1));
  }
  return s;
}

// Least squares y = a + b·x with the slope's standard error and R².
struct LineFit {
  double a = kNaN, b = kNaN, se_b = kNaN, r2 = kNaN, rss = kNaN;
  int n = 0;
};

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

// Three significant digits ("0.0123", "1.23e+04"); "—" when not finite.
std::string Sig(double v, int digits = 3) {
  if (!std::isfinite(v)) return "—";
  return fmt::format("{:.{}g}", v, digits);
}

// "0.123 ± 0.045": the mean to `digits` significant digits, the std to two.
std::string SigMeanStd(const Stats& s, int digits = 3) {
  if (!std::isfinite(s.mean)) return "—";
  if (!std::isfinite(s.std)) return Sig(s.mean, digits);
  return Sig(s.mean, digits) + " ± " + Sig(s.std, 2);
}

// Counts (iterations): "1510 ± 32", rounded to whole numbers.
std::string IntMeanStd(const Stats& s) {
  if (!std::isfinite(s.mean)) return "—";
  if (!std::isfinite(s.std)) return FormatFixed(s.mean, 0);
  return FormatFixed(s.mean, 0) + " ± " + FormatFixed(s.std, 0);
}

std::string Text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

double Num(const nlohmann::json& v) { return v.is_number() ? v.get<double>() : kNaN; }

std::string Csv(double v) { return std::isfinite(v) ? fmt::format("{:.6g}", v) : ""; }

// Groups records by their configuration without the keys in `axes` (the table axes) and the seed: each
// group is one "setting" of the remaining grid keys, rendered as its own section when there are several.
struct Setting {
  nlohmann::json config;                    // the first cell's inner config
  std::vector<const Cell*> cells;           // the suite's cells of this setting
  std::vector<const CellRecord*> records;   // their results, where present
  size_t expected() const { return cells.size(); }
};

std::vector<Setting> GroupSettings(const Suite& suite, const std::vector<std::optional<CellRecord>>& records,
                                   const std::string& section, const std::vector<std::string>& drop) {
  std::vector<Setting> out;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < suite.cells.size(); ++i) {
    nlohmann::json c = suite.cells[i].config.at(section);
    for (const auto& k : drop) {
      const size_t dot = k.find('.');
      if (dot == std::string::npos) c.erase(k);
      else c[k.substr(0, dot)].erase(k.substr(dot + 1));
    }
    auto [it, inserted] = index.try_emplace(c.dump(), out.size());
    if (inserted) out.push_back({suite.cells[i].config.at(section), {}, {}});
    Setting& s = out[it->second];
    s.cells.push_back(&suite.cells[i]);
    if (records[i]) s.records.push_back(&*records[i]);
  }
  return out;
}

// "solver=sgd n_train=5000": the keys of `section` (not in `drop`) whose value differs between settings.
std::string SettingTitle(const std::vector<Setting>& settings, const Setting& s, const std::vector<std::string>& drop) {
  std::string title;
  for (auto it = s.config.begin(); it != s.config.end(); ++it) {
    if (std::find(drop.begin(), drop.end(), it.key()) != drop.end()) continue;
    bool differs = false;
    for (const Setting& o : settings) differs = differs || o.config[it.key()] != it.value();
    if (!differs) continue;
    if (it.value().is_object()) {
      for (auto jt = it.value().begin(); jt != it.value().end(); ++jt) {
        if (std::find(drop.begin(), drop.end(), it.key() + "." + jt.key()) != drop.end()) continue;
        bool d2 = false;
        for (const Setting& o : settings) d2 = d2 || o.config[it.key()][jt.key()] != jt.value();
        if (d2) title += (title.empty() ? "" : " ") + jt.key() + "=" + Text(jt.value());
      }
    } else {
      title += (title.empty() ? "" : " ") + it.key() + "=" + Text(it.value());
    }
  }
  return title;
}

// The body the three reports share: one section per setting (headed only when there are several),
// rendered by `render(setting, title)`, then the paper's claim and the verdict the sections computed.
template <typename Render>
std::string SettingsThenVerdict(const std::vector<Setting>& settings, const std::vector<std::string>& drop,
                                Render render, const std::string& claim, const std::string& verdict) {
  std::string md;
  for (const Setting& s : settings) {
    const std::string title = SettingTitle(settings, s, drop);
    if (settings.size() > 1) md += "## Setting: " + title + "\n\n";
    md += render(s, title);
  }
  return md + "## Does the paper's claim hold here?\n\n" + claim + "\n\n" + verdict;
}

std::string Slug(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) || c == '.' ? c : '-';
  return out;
}

std::string Count(int k, int n) { return fmt::format("{} of {}", k, n); }

// ---------------------------------------------------------------------------------------------------------
// Inversion

struct InversionCellView {
  int m = 0, d = 0, seed = 0;
  std::map<int, std::pair<double, double>> test;  // L → (rel-L2, L∞)
  std::map<int, double> train_rel, h_norm;
};

class InversionReport {
 public:
  InversionReport(const Suite& suite, const std::vector<std::optional<CellRecord>>& records, const ReportPaths& paths)
      : suite_(suite), records_(records), paths_(paths) {}

  RenderedReport Render() {
    RenderedReport out;
    const std::vector<std::string> drop{"m", "d", "seed"};
    const auto settings = GroupSettings(suite_, records_, "inversion", drop);
    std::string& md = out.markdown;
    const nlohmann::json& c0 = settings.front().config;
    md += "## Setup\n\n";
    md += fmt::format(
        "ReLU RNN h(ℓ) = relu(W h(ℓ−1) + A x(ℓ)), h(0) = 0, with W_ij ~ N(0, {}/m) and A_ij ~ N(0, {}/m) (the paper "
        "draws N(0, 1); with variance 2/m the state norm grows like √(ℓ·d) instead of by √(m/2) per step), inputs "
        "x(ℓ) ~ N(0, I_d). A linear readout from h(L) to [x(1), …, x(L)] is fitted on {} training sequences and "
        "scored on {} test sequences: mean relative L2 error ‖Ŵ h(L) − x‖₂/‖x‖₂ and mean L∞ error "
        "‖Ŵ h(L) − x‖∞. Readout: {}. All L of one (m, d, seed) come from one recurrence (prefixes of the same "
        "sequences); one seed index shares its sequences across m, so the comparison across widths is paired. "
        "Cells: {}.\n\n",
        Sig(Num(c0["w_var"])), Sig(Num(c0["a_var"])), Text(c0["n_train"]), Text(c0["n_test"]),
        c0["solver"] == "sgd"
            ? fmt::format("the paper's SGD (batch {}, momentum {}, lr {}, {} epochs, on features scaled to unit "
                          "root-mean-square norm)",
                          Text(c0["sgd_batch"]), Sig(Num(c0["sgd_momentum"])), Sig(Num(c0["sgd_lr"])),
                          Text(c0["sgd_epochs"]))
            : fmt::format("exact ridge least squares, λ = {} × the mean eigenvalue of H Hᵀ", Sig(Num(c0["ridge_lambda"]))),
        suite_.cells.size());
    if (settings.size() > 1) md += "The grid has several settings of the other keys; each has its own section.\n\n";

    csv_.push_back({"key", "m", "d", "L", "seed", "solver", "n_train", "ridge_lambda", "test_rel_l2", "test_linf",
                    "train_rel_l2", "train_linf", "mean_h_norm", "form", "seconds"});
    const auto render = [&](const Setting& s, const std::string& title) { return RenderSetting(s, title, out.files); };
    md += SettingsThenVerdict(settings, drop, render,
                              "*The claim* (Sec. I and Theorem 4.5): the inversion error grows "
                              "with L and falls with m.",
                              verdict_);
    out.csv = csv_;
    return out;
  }

 private:
  std::string RenderSetting(const Setting& s, const std::string& title, std::map<std::string, std::string>& files) {
    std::vector<InversionCellView> cells;
    std::set<int> ms, ds, Ls;
    for (const CellRecord* rec : s.records) {
      InversionCellView v;
      const auto& c = rec->config["inversion"];
      v.m = c["m"];
      v.d = c["d"];
      v.seed = rec->config["seed_index"];
      for (const auto& p : rec->result["points"]) {
        const int L = p["length"];
        v.test[L] = {Num(p["test_rel_l2"]), Num(p["test_linf"])};
        v.train_rel[L] = Num(p["train_rel_l2"]);
        v.h_norm[L] = Num(p["mean_h_norm"]);
        Ls.insert(L);
        csv_.push_back({rec->key, std::to_string(v.m), std::to_string(v.d), std::to_string(L), std::to_string(v.seed),
                        Text(c["solver"]), Text(c["n_train"]), Csv(Num(c["ridge_lambda"])), Csv(Num(p["test_rel_l2"])),
                        Csv(Num(p["test_linf"])), Csv(Num(p["train_rel_l2"])), Csv(Num(p["train_linf"])),
                        Csv(Num(p["mean_h_norm"])), Text(p["form"]), Csv(rec->seconds)});
      }
      ms.insert(v.m);
      ds.insert(v.d);
      cells.push_back(std::move(v));
    }
    for (const Cell* cell : s.cells) {  // axes from the suite, so a missing cell shows as "—"
      const auto& c = cell->config["inversion"];
      ms.insert(c["m"].get<int>());
      ds.insert(c["d"].get<int>());
      for (int L : c["lengths"]) Ls.insert(L);
    }
    // (d, m, L) → stats over seeds of rel-L2 and L∞.
    std::map<std::tuple<int, int, int>, std::pair<Stats, Stats>> stat;
    int seeds_max = 0;
    for (int d : ds)
      for (int m : ms)
        for (int L : Ls) {
          std::vector<double> rel, inf;
          for (const auto& v : cells)
            if (v.d == d && v.m == m && v.test.count(L)) {
              rel.push_back(v.test.at(L).first);
              inf.push_back(v.test.at(L).second);
            }
          stat[{d, m, L}] = {Summarise(rel), Summarise(inf)};
          seeds_max = std::max<int>(seeds_max, rel.size());
        }

    std::string md;
    md += fmt::format("Test errors, mean ± std over seeds ({} seed{} per cell; \"—\": no result). Results: {} of {} "
                      "cells.\n\n",
                      seeds_max, seeds_max == 1 ? "" : "s", s.records.size(), s.expected());
    for (int d : ds) {
      md += fmt::format("### d = {}\n\n", d);
      std::vector<std::string> header{"m"};
      for (int L : Ls) header.push_back(fmt::format("rel-L2, L={}", L));
      for (int L : Ls) header.push_back(fmt::format("L∞, L={}", L));
      MarkdownTable t(header, std::vector<Align>(header.size(), Align::kRight));
      for (int m : ms) {
        std::vector<std::string> row{std::to_string(m)};
        for (int L : Ls) row.push_back(SigMeanStd(stat[{d, m, L}].first));
        for (int L : Ls) row.push_back(SigMeanStd(stat[{d, m, L}].second));
        t.AddRow(row);
      }
      md += t.Render() + "\n";
      // Figure 4 mirrored: error vs m, one line per L, both errors.
      std::vector<Series> series;
      for (int which = 0; which < 2; ++which)
        for (int L : Ls) {
          Series sr;
          sr.label = fmt::format("{}, L={}", which == 0 ? "rel-L2" : "L∞", L);
          for (int m : ms) {
            const Stats& st = which == 0 ? stat[{d, m, L}].first : stat[{d, m, L}].second;
            sr.x.push_back(m);
            sr.y.push_back(st.mean);
            sr.y_err.push_back(std::isfinite(st.std) ? st.std : 0.0);
          }
          series.push_back(sr);
        }
      PlotSpec spec;
      spec.title = fmt::format("Inversion error vs width, d = {}{}", d, title.empty() ? "" : " (" + title + ")");
      spec.x_label = "hidden width m";
      spec.y_label = "test error (mean over sequences)";
      spec.log_x = true;
      spec.log_y = true;
      const std::string suffix = fmt::format("-d{}{}.svg", d, title.empty() ? "" : "-" + Slug(title));
      files[paths_.Sibling(suffix)] = LinePlotSvg(spec, series);
      md += fmt::format("![inversion error vs m, d = {}]({}{})\n\n", d, paths_.base, suffix);
    }
    // How fast the error falls with m: the slope of log(mean rel-L2) on log m, per (d, L).
    double slope_lo = 1e300, slope_hi = -1e300;
    {
      std::vector<std::string> header{"d"};
      for (int L : Ls) header.push_back(fmt::format("L={}", L));
      MarkdownTable e(header, std::vector<Align>(header.size(), Align::kRight));
      for (int d : ds) {
        std::vector<std::string> row{std::to_string(d)};
        for (int L : Ls) {
          std::vector<double> x, y;
          for (int m : ms)
            if (stat[{d, m, L}].first.mean > 0) {
              x.push_back(std::log(m));
              y.push_back(std::log(stat[{d, m, L}].first.mean));
            }
          const LineFit f = FitLine(x, y);
          row.push_back(std::isfinite(f.b) ? fmt::format("{} (R² {})", Sig(f.b), Sig(f.r2, 3)) : "—");
          if (std::isfinite(f.b)) {
            slope_lo = std::min(slope_lo, f.b);
            slope_hi = std::max(slope_hi, f.b);
          }
        }
        e.AddRow(row);
      }
      md += "### Error vs width: fitted exponents\n\nSlope of log(mean relative L2 error) on log m per (d, L): the error "
            "falls like m^slope over the grid.\n\n" +
            e.Render() + "\n";
    }
    verdict_ += Verdict(stat, ds, ms, Ls, seeds_max, title);
    if (slope_lo <= slope_hi)
      verdict_ += fmt::format("Over this grid the relative L2 error falls like m^s with s between {} and {} (table of "
                              "fitted exponents above).",
                              Sig(slope_lo), Sig(slope_hi));
    verdict_ += "\n\n";
    return md;
  }

  // The paper's two trends, counted: error grows with L at every (d, m); error falls with m at every (d, L).
  static std::string Verdict(std::map<std::tuple<int, int, int>, std::pair<Stats, Stats>>& stat, const std::set<int>& ds,
                             const std::set<int>& ms, const std::set<int>& Ls, int seeds, const std::string& title) {
    std::string out = title.empty() ? "" : "**" + title + ".** ";
    if (seeds == 0) return out + "No results yet.";
    const std::vector<int> mv(ms.begin(), ms.end()), lv(Ls.begin(), Ls.end());
    int steps = 0, steps_clear = 0;  // adjacent comparisons, and those beyond twice the seed noise (both errors)
    for (int which = 0; which < 2; ++which) {
      const char* name = which == 0 ? "relative L2" : "L∞";
      auto mean = [&](int d, int m, int L) {
        const auto& p = stat[{d, m, L}];
        return (which == 0 ? p.first : p.second).mean;
      };
      int grow = 0, grow_n = 0, fall = 0, fall_n = 0, ends = 0;
      std::vector<std::string> against_l, against_m;
      // Adjacent steps (in L and in m) larger than twice their seed noise √(std₁² + std₂²).
      auto clear = [&](std::tuple<int, int, int> a, std::tuple<int, int, int> b) {
        const Stats& sa = which == 0 ? stat[a].first : stat[a].second;
        const Stats& sb = which == 0 ? stat[b].first : stat[b].second;
        ++steps;
        if (std::isfinite(sa.std) && std::isfinite(sb.std))
          steps_clear += std::abs(sa.mean - sb.mean) > 2 * std::sqrt(sa.std * sa.std + sb.std * sb.std);
      };
      for (int d : ds) {
        for (int m : mv) {
          bool ok = true, have = true;
          for (size_t i = 0; i < lv.size(); ++i) have = have && std::isfinite(mean(d, m, lv[i]));
          if (!have || lv.size() < 2) continue;
          for (size_t i = 1; i < lv.size(); ++i) clear({d, m, lv[i]}, {d, m, lv[i - 1]});
          for (size_t i = 1; i < lv.size(); ++i)
            if (!(mean(d, m, lv[i]) > mean(d, m, lv[i - 1]))) {
              ok = false;
              if (against_l.size() < 4)
                against_l.push_back(fmt::format("d={} m={}: {} at L={} vs {} at L={}", d, m, Sig(mean(d, m, lv[i])),
                                                lv[i], Sig(mean(d, m, lv[i - 1])), lv[i - 1]));
            }
          ++grow_n;
          grow += ok;
        }
        for (int L : lv) {
          bool ok = true, have = true;
          for (int m : mv) have = have && std::isfinite(mean(d, m, L));
          if (!have || mv.size() < 2) continue;
          for (size_t i = 1; i < mv.size(); ++i) clear({d, mv[i], L}, {d, mv[i - 1], L});
          for (size_t i = 1; i < mv.size(); ++i)
            if (!(mean(d, mv[i], L) < mean(d, mv[i - 1], L))) {
              ok = false;
              if (against_m.size() < 4)
                against_m.push_back(fmt::format("d={} L={}: {} at m={} vs {} at m={}", d, L, Sig(mean(d, mv[i], L)), mv[i],
                                                Sig(mean(d, mv[i - 1], L)), mv[i - 1]));
            }
          ++fall_n;
          fall += ok;
          ends += mean(d, mv.back(), L) < mean(d, mv.front(), L);
        }
      }
      out += fmt::format(
          "{} error: it grows with L (strictly, at every step of L) in {} (d, m) pairs{}; it falls with m (strictly, "
          "at every step of m) in {} (d, L) pairs{}, and is lower at m = {} than at m = {} in {}.",
          name, Count(grow, grow_n), against_l.empty() ? "" : " (exceptions: " + Join(against_l, "; ") + ")",
          Count(fall, fall_n), against_m.empty() ? "" : " (exceptions: " + Join(against_m, "; ") + ")",
          mv.empty() ? 0 : mv.back(), mv.empty() ? 0 : mv.front(), Count(ends, fall_n));
      out += " ";
    }
    // The hardest and easiest cases at the largest width: how far from exact inversion.
    if (!ds.empty() && !mv.empty() && !lv.empty()) {
      const int dmax = *ds.rbegin(), dmin = *ds.begin();
      out += fmt::format(
          "At the largest width m = {}, the relative L2 error is {} for d = {}, L = {} (the hardest case) and {} for "
          "d = {}, L = {}. ",
          mv.back(), Sig(stat[{dmax, mv.back(), lv.back()}].first.mean), dmax, lv.back(),
          Sig(stat[{dmin, mv.back(), lv.front()}].first.mean), dmin, lv.front());
    }
    out += seeds == 1 ? "With one seed per cell the counts carry no error bars: a single reversed step can be noise. "
                      : fmt::format("Means are over {} seeds; {} adjacent steps (in L or in m, both errors) exceed "
                                    "twice their seed-to-seed noise. ",
                                    seeds, Count(steps_clear, steps));
    return out;
  }

  const Suite& suite_;
  const std::vector<std::optional<CellRecord>>& records_;
  const ReportPaths& paths_;
  std::vector<std::vector<std::string>> csv_;
  std::string verdict_;
};

// ---------------------------------------------------------------------------------------------------------
// Convergence

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

class ConvergenceReport {
 public:
  ConvergenceReport(const Suite& suite, const std::vector<std::optional<CellRecord>>& records, const ReportPaths& paths)
      : suite_(suite), records_(records), paths_(paths) {}

  RenderedReport Render() {
    RenderedReport out;
    const std::vector<std::string> drop{"m", "seed"};
    const auto settings = GroupSettings(suite_, records_, "convergence", drop);
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
        Text(c0["dx"]), Text(c0["dy"]), Text(c0["precision"]), suite_.cells.size());
    csv_.push_back({"key", "m", "n", "L", "eta0", "seed", "iterations", "iters_to_epsilon", "diverged", "rate",
                    "final_rel_loss", "move_spectral", "move_fro", "w0_spectral", "seconds"});
    const auto render = [&](const Setting& s, const std::string& title) { return RenderSetting(s, title, out.files); };
    md += SettingsThenVerdict(settings, drop, render,
                              "*The claims* (Theorems 1–4): once m ≥ poly(n, L), GD with "
                              "η ∝ 1/m converges linearly, W stays within O(1/√m) of W(0) in spectral norm, and the hidden norms at "
                              "init stay between 1/2 and O(L) (polynomial, never exponential, in L).",
                              verdict_);
    out.csv = csv_;
    return out;
  }

 private:
  std::string RenderSetting(const Setting& s, const std::string& title, std::map<std::string, std::string>& files) {
    std::map<int, std::vector<ConvergenceRun>> by_m;
    for (const Cell* cell : s.cells) by_m[cell->config["convergence"]["m"].get<int>()];
    for (const CellRecord* rec : s.records) {
      ConvergenceRun r = ReadConvergence(*rec);
      const auto& c = rec->config["convergence"];
      csv_.push_back({rec->key, std::to_string(r.m), Text(c["n"]), Text(c["L"]), Csv(Num(c["eta0"])),
                      std::to_string(r.seed), std::to_string(r.iterations), std::to_string(r.iters_to_eps),
                      r.diverged ? "1" : "0", Csv(r.rate), Csv(r.final_rel), Csv(r.move2), Csv(r.move_fro), Csv(r.w0),
                      Csv(rec->seconds)});
      by_m[r.m].push_back(std::move(r));
    }
    for (auto& [m, runs] : by_m)
      std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.seed < b.seed; });
    const std::string sfx = title.empty() ? "" : "-" + Slug(title);
    std::string md;

    // Per-width table.
    md += fmt::format("### Per width\n\nMean ± std over seeds. \"reached ε\": runs with f ≤ ε·f(0) within the "
                      "budget; iterations to ε over those runs; rate, the R² of the straight-line fit of log f over the second half "
                      "of each run, and movement over all runs that did not diverge. "
                      "Results: {} of {} cells.\n\n",
                      s.records.size(), s.expected());
    MarkdownTable t({"m", "runs", "reached ε", "diverged", "iterations to ε", "rate", "R² of log f", "f(T)/f(0)",
                     "‖W(T)−W(0)‖₂", "‖W(T)−W(0)‖₂·√m", "‖W(T)−W(0)‖_F", "‖W(0)‖₂"},
                    std::vector<Align>(12, Align::kRight));
    int runs_total = 0, reached_total = 0, diverged_total = 0, rate_below_one = 0, rate_known = 0;
    double rate_lo = 1e300, rate_hi = -1e300, r2_min = 1e300;
    std::map<int, double> mean_iters;  // widths where every seed reached ε → mean iterations to ε
    int all_reach_from = -1;  // smallest m from which every larger width had all seeds reach ε
    std::vector<double> fit_x, fit_y, fit_fx, fit_fy;
    std::vector<int> mv;
    for (const auto& [m, runs] : by_m) mv.push_back(m);
    std::map<int, bool> all_reached;
    for (const auto& [m, runs] : by_m) {
      std::vector<double> iters, rate, r2, rel, mv2, mvs, mf, w0;
      int reached = 0, diverged = 0;
      for (const auto& r : runs) {
        reached += r.reached;
        diverged += r.diverged;
        if (r.reached) iters.push_back(r.iters_to_eps);
        if (r.diverged) continue;
        rate.push_back(r.rate);
        r2.push_back(r.linear_r2);
        r2_min = std::min(r2_min, r.linear_r2);
        rel.push_back(r.final_rel);
        mv2.push_back(r.move2);
        mvs.push_back(r.move2 * std::sqrt(static_cast<double>(m)));
        mf.push_back(r.move_fro);
        w0.push_back(r.w0);
        if (std::isfinite(r.rate)) {
          ++rate_known;
          rate_below_one += r.rate < 1;
          rate_lo = std::min(rate_lo, r.rate);
          rate_hi = std::max(rate_hi, r.rate);
        }
        if (r.reached && r.move2 > 0) {
          fit_x.push_back(std::log(m));
          fit_y.push_back(std::log(r.move2));
          fit_fy.push_back(std::log(r.move_fro));
        }
      }
      runs_total += runs.size();
      reached_total += reached;
      diverged_total += diverged;
      all_reached[m] = !runs.empty() && reached == static_cast<int>(runs.size());
      if (all_reached[m]) mean_iters[m] = Summarise(iters).mean;
      t.AddRow({std::to_string(m), std::to_string(runs.size()), std::to_string(reached), std::to_string(diverged),
                IntMeanStd(Summarise(iters)), SigMeanStd(Summarise(rate), 4), SigMeanStd(Summarise(r2), 3), SigMeanStd(Summarise(rel), 2),
                SigMeanStd(Summarise(mv2)), SigMeanStd(Summarise(mvs)), SigMeanStd(Summarise(mf)),
                SigMeanStd(Summarise(w0))});
    }
    for (auto it = mv.rbegin(); it != mv.rend() && all_reached[*it]; ++it) all_reach_from = *it;
    md += t.Render() + "\n";

    // Movement exponent.
    const LineFit move_fit = FitLine(fit_x, fit_y);
    const LineFit fro_fit = FitLine(fit_x, fit_fy);
    md += "### Movement from initialisation vs width\n\n";
    if (move_fit.n >= 2 && std::isfinite(move_fit.b)) {
      md += fmt::format(
          "Least-squares fit of log ‖W(T) − W(0)‖₂ on log m over the {} runs that reached ε (T = the iteration that "
          "reached it): exponent **{}**{} (R² = {}); the paper's bound ‖W − W(0)‖₂ ≤ poly(n, L)/√m has exponent "
          "−0.5. The Frobenius norm's exponent is {}{}.\n\n",
          move_fit.n, Sig(move_fit.b), std::isfinite(move_fit.se_b) ? " ± " + Sig(move_fit.se_b, 2) : "",
          Sig(move_fit.r2), Sig(fro_fit.b), std::isfinite(fro_fit.se_b) ? " ± " + Sig(fro_fit.se_b, 2) : "");
    } else {
      md += "Fewer than two runs at distinct widths reached ε: no exponent fitted.\n\n";
    }
    {
      // Mean ± std per width over the runs that reached ε; the fitted line and a slope −1/2 reference over the
      // fitted range.
      std::map<double, std::vector<double>> at;
      for (size_t i = 0; i < fit_x.size(); ++i) at[std::exp(fit_x[i])].push_back(std::exp(fit_y[i]));
      std::vector<Series> series(1);
      series[0].label = "runs that reached ε";
      for (const auto& [m, v] : at) {
        const Stats st = Summarise(v);
        series[0].x.push_back(m);
        series[0].y.push_back(st.mean);
        series[0].y_err.push_back(std::isfinite(st.std) ? st.std : 0.0);
      }
      if (std::isfinite(move_fit.b) && !at.empty()) {
        Series f, half;
        f.label = fmt::format("fit: m^{}", Sig(move_fit.b));
        half.label = "slope −1/2";
        const double m0 = at.begin()->first, y0 = std::exp(move_fit.a + move_fit.b * std::log(m0));
        for (const auto& [m, v] : at) {
          f.x.push_back(m);
          f.y.push_back(std::exp(move_fit.a + move_fit.b * std::log(m)));
          half.x.push_back(m);
          half.y.push_back(y0 * std::pow(m / m0, -0.5));
        }
        series.push_back(f);
        series.push_back(half);
      }
      PlotSpec spec;
      spec.title = "Movement from init vs width" + (title.empty() ? "" : " (" + title + ")");
      spec.x_label = "hidden width m";
      spec.y_label = "‖W(T) − W(0)‖₂";
      spec.log_x = spec.log_y = true;
      files[paths_.Sibling("-movement" + sfx + ".svg")] = LinePlotSvg(spec, series);
      md += fmt::format("![movement vs m]({}-movement{}.svg)\n\n", paths_.base, sfx);
    }

    // Loss curves: the lowest seed index of each width.
    {
      std::vector<Series> series;
      for (const auto& [m, runs] : by_m) {
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
      files[paths_.Sibling("-loss" + sfx + ".svg")] = LinePlotSvg(spec, series);
      md += fmt::format("### Loss curves\n\nOne line per width (its lowest seed index), log scale: a straight "
                        "stretch is linear convergence.\n\n![loss vs iteration]({}-loss{}.svg)\n\n",
                        paths_.base, sfx);
    }

    // Hidden norms at initialisation.
    int poly_better = 0, growth_n = 0, norms_in_range = 0, norms_n = 0;
    double poly_rss = 0, exp_rss = 0;
    double p_lo = 1e300, p_hi = -1e300, ratio_hi = 0, h_min = 1e300;
    int L = 0;
    {
      md += "### Hidden-state norms at initialisation\n\nmean_i ‖h_(i,ℓ)‖₂ at W(0), averaged over seeds. Fits per "
            "width over ℓ = 1..L: polynomial log‖h‖ = a + p·log ℓ and exponential log‖h‖ = a + b·ℓ (residual sums of "
            "squares in log space, so they compare directly); e^b is the per-step factor the exponential fit "
            "implies. The paper's (4.1): 1/2 ≤ ‖h_(i,ℓ)‖ ≤ O(L).\n\n";
      std::map<int, std::vector<double>> mean_h;
      for (const auto& [m, runs] : by_m) {
        std::vector<std::vector<double>> per_l;
        for (const auto& r : runs) {
          if (per_l.size() < r.hidden.size()) per_l.resize(r.hidden.size());
          for (size_t l = 0; l < r.hidden.size(); ++l) {
            per_l[l].push_back(r.hidden[l]);
            h_min = std::min(h_min, r.hidden[l]);
          }
        }
        for (const auto& v : per_l) mean_h[m].push_back(Summarise(v).mean);
        L = std::max<int>(L, per_l.size());
      }
      std::vector<std::string> header{"ℓ"};
      for (int m : mv) header.push_back(fmt::format("m={}", m));
      MarkdownTable h(header, std::vector<Align>(header.size(), Align::kRight));
      for (int l = 0; l < L; ++l) {
        std::vector<std::string> row{std::to_string(l + 1)};
        for (int m : mv) row.push_back(l < static_cast<int>(mean_h[m].size()) ? Sig(mean_h[m][l]) : "—");
        h.AddRow(row);
      }
      md += h.Render() + "\n";
      MarkdownTable f({"m", "poly exponent p", "poly RSS", "exp factor e^b", "exp RSS", "better fit", "‖h_L‖/‖h_(L−1)‖"},
                      std::vector<Align>(7, Align::kRight));
      std::vector<Series> series;
      for (int m : mv) {
        const auto& v = mean_h[m];
        if (v.size() < 3) continue;
        const GrowthFit g = FitGrowth(v);
        ++growth_n;
        poly_better += g.poly_better;
        poly_rss += g.poly.rss;
        exp_rss += g.expo.rss;
        p_lo = std::min(p_lo, g.poly.b);
        p_hi = std::max(p_hi, g.poly.b);
        const double ratio = v[v.size() - 1] / v[v.size() - 2];
        ratio_hi = std::max(ratio_hi, ratio);
        for (double x : v) {
          ++norms_n;
          norms_in_range += x >= 0.5 && x <= v.size();
        }
        f.AddRow({std::to_string(m), Sig(g.poly.b), Sig(g.poly.rss, 2), Sig(std::exp(g.expo.b)), Sig(g.expo.rss, 2),
                  g.poly_better ? "polynomial" : "exponential", Sig(ratio)});
        Series sr;
        sr.label = fmt::format("m={}", m);
        for (size_t l = 0; l < v.size(); ++l) {
          sr.x.push_back(l + 1.0);
          sr.y.push_back(v[l]);
        }
        series.push_back(sr);
      }
      md += f.Render() + "\n";
      PlotSpec spec;
      spec.title = "Hidden-state norm at init vs step" + (title.empty() ? "" : " (" + title + ")");
      spec.x_label = "step ℓ";
      spec.y_label = "mean ‖h_ℓ‖₂";
      spec.log_x = spec.log_y = true;
      files[paths_.Sibling("-hidden" + sfx + ".svg")] = LinePlotSvg(spec, series);
      md += fmt::format("![hidden norms vs step]({}-hidden{}.svg)\n\n", paths_.base, sfx);
    }

    // Verdict.
    std::string v = title.empty() ? "" : "**" + title + ".** ";
    if (runs_total == 0) {
      verdict_ += v + "No results yet.\n\n";
      return md;
    }
    v += fmt::format("*Linear convergence:* {} runs reached f ≤ ε·f(0) within {} iterations; {} diverged. ",
                     Count(reached_total, runs_total), Text(s.config["max_iters"]), diverged_total);
    if (rate_known > 0)
      v += fmt::format("The fitted per-iteration rate was below 1 in {} non-diverged runs (range {} to {}). ",
                       Count(rate_below_one, rate_known), Sig(rate_lo, 4), Sig(rate_hi, 4));
    if (rate_known > 0 && r2_min <= 1)
      v += r2_min >= 0.99
               ? fmt::format("log f is close to a straight line over the second half of every run (R² ≥ {}). ",
                             Sig(r2_min, 3))
               : fmt::format("log f is not a straight line over the second half of some runs (R² as low as {}). ",
                             Sig(r2_min, 3));
    if (all_reach_from > 0) {
      v += fmt::format("Every seed reached ε at every width from m = {} up{}", all_reach_from,
                       all_reach_from == mv.front() ? " (all widths)" : " (not at every smaller width)");
      double lo = 1e300, hi = -1e300;
      for (int m : mv)
        if (m >= all_reach_from) {
          lo = std::min(lo, mean_iters[m]);
          hi = std::max(hi, mean_iters[m]);
        }
      v += fmt::format("; over those widths the mean iterations to ε range from {} to {} (m = {}: {}, m = {}: {}). ",
                       FormatFixed(lo, 0), FormatFixed(hi, 0), all_reach_from, FormatFixed(mean_iters[all_reach_from], 0),
                       mv.back(), FormatFixed(mean_iters[mv.back()], 0));
    } else
      v += "At the largest width not every seed reached ε. ";
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
    if (growth_n > 0)
      v += fmt::format(
          "*Hidden norms at init:* over ℓ = 1..{}, the polynomial fit beats the exponential one at {} widths, with "
          "exponents p from {} to {} (‖h‖ ≈ ℓ^p); the last step's growth factor is at most {}; {} (width, ℓ) means lie "
          "in [1/2, L] (the smallest single run's mean norm: {}). {}",
          L, Count(poly_better, growth_n), Sig(p_lo), Sig(p_hi), Sig(ratio_hi), Count(norms_in_range, norms_n),
          Sig(h_min),
          poly_better == growth_n ? "Growth is polynomial, as the paper says"
                                  : "At some widths an exponential fits better (see the table above)");
    if (growth_n > 0)
      v += fmt::format(" (summed over widths the exponential fit's residuals are {}× the polynomial's{}).",
                       Sig(poly_rss > 0 ? exp_rss / poly_rss : kNaN, 2),
                       L <= 10 ? fmt::format("; with only L = {} steps the two laws are close over the measured range, so "
                                             "this is a weak test of the 'never exponential' part",
                                             L)
                               : "");
    v += fmt::format(" The theorems need m ≥ poly(n, L); this grid reaches m = {} with n = {}, L = {}.\n\n", mv.back(),
                     Text(s.config["n"]), Text(s.config["L"]));
    verdict_ += v;
    return md;
  }

  const Suite& suite_;
  const std::vector<std::optional<CellRecord>>& records_;
  const ReportPaths& paths_;
  std::vector<std::vector<std::string>> csv_;
  std::string verdict_;
};

// ---------------------------------------------------------------------------------------------------------
// Width vs samples

class WidthReport {
 public:
  WidthReport(const Suite& suite, const std::vector<std::optional<CellRecord>>& records, const ReportPaths& paths)
      : suite_(suite), records_(records), paths_(paths) {}

  RenderedReport Render() {
    RenderedReport out;
    const std::vector<std::string> drop{"n", "base_seed", "train.n", "train.seed"};
    const auto settings = GroupSettings(suite_, records_, "width_search", drop);
    const nlohmann::json& c0 = settings.front().config;
    const nlohmann::json& t0 = c0["train"];
    rule_ = suite_.report.value("rule", std::string("majority"));
    std::string& md = out.markdown;
    md += "## Setup\n\n";
    md += fmt::format(
        "For each n, the smallest width m* on the grid {} at which full-batch GD on W drives the training loss to "
        "f ≤ ε·f(W(0)) (ε = {}) within {} iterations, found by bisection (the largest width first; passing is "
        "assumed monotone in m). **Trainer:** the convergence experiment's model (Allen-Zhu et al.: ReLU, W trained, "
        "A and B fixed at N(0, {}/m) and N(0, {}/d_y), random labels, L = {}, d_x = {}, d_y = {}, {}), not Cayci "
        "& Eryilmaz's own network (diagonal W, smooth activation, 1/√m readout): the claim is tested on a "
        "neighbouring model. **Targets:** random labels, whose interpolation gets harder as n grows; Cayci & "
        "Eryilmaz's bound is for targets in a fixed RKHS ball (realizable dynamical systems), so a faster-than-"
        "logarithmic m*(n) here does not by itself contradict their theorem. Step η = η0/m with {}. Each cell is one (n, seed) search; m*(n) combines the seeds by "
        "the rule `{}` ({}), which is what a joint search over the seeds returns when each seed passes monotonically "
        "in m. Cells: {}.\n\n",
        Join([&] {
          std::vector<std::string> w;
          for (const auto& x : c0["widths"]) w.push_back(Text(x));
          return w;
        }(), ", "),
        Sig(Num(t0["epsilon"])), Text(t0["max_iters"]), Sig(Num(t0["a_var"])), Sig(Num(t0["b_var"])), Text(t0["L"]),
        Text(t0["dx"]), Text(t0["dy"]), Text(t0["precision"]),
        Num(c0["eta0_times_n"]) > 0 ? fmt::format("η0 = {}/n (the stable step falls like 1/n because f sums over "
                                                  "sequences)", Sig(Num(c0["eta0_times_n"])))
                                    : fmt::format("η0 = {}", Sig(Num(t0["eta0"]))),
        rule_, rule_ == "all" ? "every seed must reach ε" : "more than half of the seeds must reach ε",
        suite_.cells.size());
    csv_.push_back({"key", "n", "seed", "m_star", "widths_probed", "probes", "seconds"});
    const auto render = [&](const Setting& s, const std::string& title) { return RenderSetting(s, title, out.files); };
    md += SettingsThenVerdict(settings, drop, render,
                              "*The claim* (Cayci & Eryilmaz, Theorems 1–2): a width "
                              "logarithmic in n suffices for GD to reach a given training error.",
                              verdict_);
    out.csv = csv_;
    return out;
  }

 private:
  std::string RenderSetting(const Setting& s, const std::string& title, std::map<std::string, std::string>& files) {
    const std::vector<int> widths = s.config["widths"].get<std::vector<int>>();
    const double eps = Num(s.config["train"]["epsilon"]);
    struct PerN {
      std::vector<std::pair<int, int>> seed_mstar;  // (seed index, m*), m* = −1 when not reached
      std::vector<double> iters_at_mstar;
      std::vector<double> iters_at_max;             // iterations to ε at the largest width, seeds that reached it
      int seeds_at_max = 0;                         // seeds probed at the largest width
      std::map<int, std::vector<double>> final_rel; // width → f(T)/f(0) of every probe there
      int probes = 0;
    };
    std::map<int, PerN> by_n;
    int searches = 0, non_monotone = 0;  // searches whose failing widths' losses rose with m
    std::vector<std::string> non_monotone_examples;
    for (const Cell* cell : s.cells) by_n[cell->config["width_search"]["n"].get<int>()];
    for (const CellRecord* rec : s.records) {
      const int n = rec->config["width_search"]["n"];
      const int seed = rec->config["seed_index"];
      const int ms = rec->result["m_star"];
      PerN& p = by_n[n];
      p.seed_mstar.push_back({seed, ms});
      p.probes += rec->result["probes"].size();
      std::vector<std::string> probed;
      for (const auto& w : rec->result["widths_probed"]) probed.push_back(Text(w));
      std::map<int, double> failed;  // width → f(T)/f(0) of the probes that did not reach ε
      for (const auto& pr : rec->result["probes"]) {
        const int m = pr["m"];
        const bool reached = pr["reached"].get<bool>();
        if (m == ms && reached) p.iters_at_mstar.push_back(Num(pr["iters_to_epsilon"]));
        if (m == widths.back()) {
          ++p.seeds_at_max;
          if (reached) p.iters_at_max.push_back(Num(pr["iters_to_epsilon"]));
        }
        p.final_rel[m].push_back(Num(pr["final_rel_loss"]));
        if (!reached) failed[m] = Num(pr["final_rel_loss"]);
      }
      // Bisection never probes above a passing width, so it cannot see a pass below a fail directly; but if the
      // loss after the budget rises with m among the failing widths (by more than 20%), passing need not be
      // monotone either.
      ++searches;
      for (auto a = failed.begin(); a != failed.end(); ++a) {
        bool found = false;
        for (auto b = std::next(a); b != failed.end() && !found; ++b)
          if (b->second > 1.2 * a->second) {
            found = true;
            if (non_monotone_examples.size() < 3)
              non_monotone_examples.push_back(fmt::format("n={} seed {}: f(T)/f(0) = {} at m={} but {} at m={}", n, seed,
                                                          Sig(a->second, 2), a->first, Sig(b->second, 2), b->first));
          }
        if (found) {
          ++non_monotone;
          break;
        }
      }
      csv_.push_back({rec->key, std::to_string(n), std::to_string(seed), std::to_string(ms), Join(probed, ";"),
                      std::to_string(rec->result["probes"].size()), Csv(rec->seconds)});
    }
    std::string md;
    md += fmt::format("### m*(n)\n\nPer-seed m* (\"—\": not reached at the largest width {0}), m*(n) by the rule "
                      "`{1}`, mean GD iterations to ε at each seed's m* and at the largest width m = {0} (with the "
                      "seeds that reached ε there), and the number of training runs. Results: {2} of {3} cells.\n\n",
                      widths.back(), rule_, s.records.size(), s.expected());
    MarkdownTable t({"n", "seeds", "per-seed m*", "m*(n)", "iterations to ε at m*",
                     fmt::format("iterations to ε at m = {}", widths.back()), "runs"},
                    std::vector<Align>(7, Align::kRight));
    std::vector<double> fit_n, fit_m, max_n, max_iters;
    std::vector<int> unreached;
    Series combined;
    combined.label = fmt::format("m*(n), rule {}", rule_);
    double quant_rss = 0;  // the RSS the grid's quantisation alone produces: (step below m*)²/12 per point
    std::string spread;    // the widest per-seed spread
    double spread_ratio = 0;
    for (auto& [n, p] : by_n) {
      std::sort(p.seed_mstar.begin(), p.seed_mstar.end());
      std::vector<int> thresholds;  // per seed, not reached = +∞
      std::vector<std::string> text;
      for (auto [seed, ms] : p.seed_mstar) {
        thresholds.push_back(ms > 0 ? ms : std::numeric_limits<int>::max());
        text.push_back(ms > 0 ? std::to_string(ms) : "—");
      }
      std::sort(thresholds.begin(), thresholds.end());
      const int k = thresholds.size();
      int mstar = -1;
      if (k > 0) {
        const int need = rule_ == "all" ? k : k / 2 + 1;
        const int v = thresholds[need - 1];
        mstar = v == std::numeric_limits<int>::max() ? -1 : v;
      }
      if (k > 1 && thresholds.back() != std::numeric_limits<int>::max() &&
          static_cast<double>(thresholds.back()) / thresholds.front() > spread_ratio) {
        spread_ratio = static_cast<double>(thresholds.back()) / thresholds.front();
        spread = fmt::format("at n = {} the seeds' m* range from {} to {}", n, thresholds.front(), thresholds.back());
      }
      if (k > 0 && mstar > 0) {
        fit_n.push_back(n);
        fit_m.push_back(mstar);
        combined.x.push_back(n);
        combined.y.push_back(mstar);
        const auto it = std::find(widths.begin(), widths.end(), mstar);
        const double below = it == widths.begin() || it == widths.end() ? 0 : *(it - 1);
        if (below > 0) quant_rss += (mstar - below) * (mstar - below) / 12.0;
      } else if (k > 0) {
        unreached.push_back(n);
      }
      const Stats at_max = Summarise(p.iters_at_max);
      if (!p.iters_at_max.empty()) {
        max_n.push_back(n);
        max_iters.push_back(at_max.mean);
      }
      t.AddRow({std::to_string(n), std::to_string(k), Join(text, ", "),
                k == 0 ? "—" : mstar > 0 ? std::to_string(mstar) : "not reached",
                IntMeanStd(Summarise(p.iters_at_mstar)),
                p.seeds_at_max == 0 ? "—"
                                    : fmt::format("{} ({}/{})", IntMeanStd(at_max), p.iters_at_max.size(), p.seeds_at_max),
                std::to_string(p.probes)});
    }
    md += t.Render() + "\n";

    std::string v = title.empty() ? "" : "**" + title + ".** ";
    md += "### Fits\n\n";
    bool fitted = false;
    theory::WidthFit fit;
    std::set<double> distinct(fit_n.begin(), fit_n.end());
    if (distinct.size() >= 2) {
      fit = theory::FitWidthCurves(fit_n, fit_m);
      fitted = true;
      md += fmt::format("Least squares over the {} values of n with an m*: **logarithmic** m* = {} + {}·ln n (RSS {}), "
                        "**power** m* = {}·n^{} (fitted on log m*; RSS on the m* scale: {}). The {} law has the smaller "
                        "residual sum of squares. For scale: the grid's quantisation alone (m* known only to lie "
                        "between the width below it and itself) gives an RSS of about {}.\n\n",
                        fit_n.size(), Sig(fit.log_a), Sig(fit.log_b), Sig(fit.log_rss), Sig(fit.pow_c),
                        Sig(fit.pow_alpha), Sig(fit.pow_rss), fit.better == "log" ? "logarithmic" : "power",
                        Sig(quant_rss, 2));
      MarkdownTable r({"n", "m*", "log fit", "residual", "power fit", "residual"}, std::vector<Align>(6, Align::kRight));
      for (size_t i = 0; i < fit_n.size(); ++i) {
        const double lf = fit.log_a + fit.log_b * std::log(fit_n[i]);
        const double pf = fit.pow_c * std::pow(fit_n[i], fit.pow_alpha);
        r.AddRow({Sig(fit_n[i]), Sig(fit_m[i]), Sig(lf), Sig(fit_m[i] - lf), Sig(pf), Sig(fit_m[i] - pf)});
      }
      md += r.Render() + "\n";
    } else {
      md += fmt::format("Fewer than two values of n have an m* on this grid ({} reached): no fit.\n\n", fit_n.size());
    }
    const std::string sfx = title.empty() ? "" : "-" + Slug(title);
    // Plot: m*(n) and the two fits on a dense grid of n.
    {
      std::vector<Series> series{combined};
      if (fitted) {
        Series lf, pf;
        lf.label = fmt::format("{} + {}·ln n", Sig(fit.log_a), Sig(fit.log_b));
        pf.label = fmt::format("{}·n^{}", Sig(fit.pow_c), Sig(fit.pow_alpha));
        const double lo = *distinct.begin(), hi = *distinct.rbegin();
        for (int i = 0; i <= 8; ++i) {  // few points: every point gets a marker
          const double n = lo * std::pow(hi / lo, i / 8.0);
          lf.x.push_back(n);
          lf.y.push_back(fit.log_a + fit.log_b * std::log(n));
          pf.x.push_back(n);
          pf.y.push_back(fit.pow_c * std::pow(n, fit.pow_alpha));
        }
        series.push_back(lf);
        series.push_back(pf);
      }
      PlotSpec spec;
      spec.title = "Smallest width reaching ε vs samples" + (title.empty() ? "" : " (" + title + ")");
      spec.x_label = "training sequences n";
      spec.y_label = "m*(n)";
      spec.log_x = true;
      files[paths_.Sibling("-mstar" + sfx + ".svg")] = LinePlotSvg(spec, series);
      md += fmt::format("![m* vs n]({}-mstar{}.svg)\n\n", paths_.base, sfx);
    }
    // Plot: the final loss of every probe against its width, one line per n (mean over the seeds probed there).
    {
      std::vector<Series> series;
      for (const auto& [n, p] : by_n) {
        Series sr;
        sr.label = fmt::format("n={}", n);
        for (const auto& [m, rel] : p.final_rel) {
          sr.x.push_back(m);
          sr.y.push_back(Summarise(rel).mean);
        }
        if (!sr.x.empty()) series.push_back(sr);
      }
      Series target;
      target.label = "ε";
      target.x = {static_cast<double>(widths.front()), static_cast<double>(widths.back())};
      target.y = {eps, eps};
      series.push_back(target);
      PlotSpec spec;
      spec.title = "Loss after the budget vs width" + (title.empty() ? "" : " (" + title + ")");
      spec.x_label = "width m (widths the bisection probed)";
      spec.y_label = "f(W(T)) / f(W(0))";
      spec.log_x = spec.log_y = true;
      files[paths_.Sibling("-final-loss" + sfx + ".svg")] = LinePlotSvg(spec, series);
      md += fmt::format("### Loss after the budget vs width\n\nf(W(T))/f(W(0)) of every probed width (runs stop at ε, "
                        "so passing runs sit just below it), mean over the seeds probed there. m* is where a line "
                        "first drops to ε; a flat line means the width hardly matters within the budget.\n\n"
                        "![final loss vs m]({}-final-loss{}.svg)\n\n",
                        paths_.base, sfx);
    }

    // Verdict.
    if (by_n.empty() || s.records.empty()) {
      verdict_ += v + "No results yet.\n\n";
      return md;
    }
    if (!unreached.empty()) {
      std::vector<std::string> u;
      for (int n : unreached) u.push_back(std::to_string(n));
      v += fmt::format("At n = {} the largest width {} did not reach ε under the rule, so m*(n) is only known to "
                       "exceed it there (left out of the fits). ",
                       Join(u, ", "), widths.back());
    }
    if (fitted) {
      const double n_ratio = fit_n.back() / fit_n.front(), m_ratio = fit_m.back() / fit_m.front();
      v += fmt::format("From n = {} to n = {} (×{}), m* went from {} to {} (×{}). ", Sig(fit_n.front()),
                       Sig(fit_n.back()), Sig(n_ratio), Sig(fit_m.front()), Sig(fit_m.back()), Sig(m_ratio));
      const double gap = std::abs(fit.log_rss - fit.pow_rss);
      if (gap <= quant_rss || gap <= 0.2 * std::max(fit.log_rss, fit.pow_rss)) {
        v += fmt::format("The logarithmic fit (RSS {}) and the power fit (RSS {}, α = {}) differ by less than the grid's "
                         "quantisation noise ({}) or 20%: the data cannot tell the two laws apart. ",
                         Sig(fit.log_rss), Sig(fit.pow_rss), Sig(fit.pow_alpha), Sig(quant_rss, 2));
      } else if (fit.better == "log") {
        v += fmt::format("The logarithmic fit has the smaller residuals (RSS {} vs {} for the power law with α = {}): "
                         "consistent with the paper's claim that width logarithmic in n suffices. ",
                         Sig(fit.log_rss), Sig(fit.pow_rss), Sig(fit.pow_alpha));
      } else {
        v += fmt::format("The power law m* ∝ n^{} has the smaller residuals (RSS {} vs {} for a + b·ln n; the grid's "
                         "quantisation accounts for about {}): on this model the needed width grows faster than "
                         "logarithmically, against the paper's claim. ",
                         Sig(fit.pow_alpha), Sig(fit.pow_rss), Sig(fit.log_rss), Sig(quant_rss, 2));
      }
      if (fit_n.size() <= 5) v += fmt::format("With only {} points this is weak evidence either way. ", fit_n.size());
    } else {
      v += "Too few values of n have an m* to compare the growth laws. ";
    }
    if (!spread.empty()) v += fmt::format("Seeds disagree: {}. ", spread);
    if (non_monotone > 0)
      v += fmt::format("The bisection assumes that passing is monotone in m, but the loss after the budget rose with m "
                       "(by more than 20% between two failing widths) in {} searches ({}): there m* depends on the "
                       "bisection's path, and the fits inherit that noise. ",
                       Count(non_monotone, searches), Join(non_monotone_examples, "; "));
    else
      v += fmt::format("Among failing widths the loss after the budget fell with m in all {} searches, as the "
                       "bisection's monotonicity assumption needs. ",
                       searches);
    const LineFit growth = [&] {
      std::vector<double> lx, ly;
      for (size_t i = 0; i < max_n.size(); ++i)
        if (max_iters[i] > 0) {
          lx.push_back(std::log(max_n[i]));
          ly.push_back(std::log(max_iters[i]));
        }
      return FitLine(lx, ly);
    }();
    if (max_n.size() >= 2 && std::isfinite(growth.b)) {
      const PerN& last = by_n.at(static_cast<int>(max_n.back()));
      const std::string reached =
          last.iters_at_max.size() < static_cast<size_t>(last.seeds_at_max)
              ? fmt::format(", where only {} of {} seeds reached ε", last.iters_at_max.size(), last.seeds_at_max)
              : "";
      const std::string numbers =
          fmt::format("mean {} at n = {}, {} at n = {}{}; ∝ n^{}", FormatFixed(max_iters.front(), 0), Sig(max_n.front()),
                      FormatFixed(max_iters.back(), 0), Sig(max_n.back()), reached, Sig(growth.b, 2));
      if (growth.b > 0.2)
        v += fmt::format("Even at the largest width m = {} the iterations GD needs grow with n ({}), so with a fixed "
                         "budget of {} iterations the budget itself caps the n at which any width passes. ",
                         widths.back(), numbers, Text(s.config["train"]["max_iters"]));
      else
        v += fmt::format("At the largest width m = {} the iterations GD needs hardly change with n ({}). ", widths.back(),
                         numbers);
    }
    v += "Caveats: the trainer is Allen-Zhu et al.'s model, not Cayci & Eryilmaz's; the labels are random, not a "
         "realizable target of bounded RKHS norm as their theorem assumes.\n\n";
    verdict_ += v;
    return md;
  }

  const Suite& suite_;
  const std::vector<std::optional<CellRecord>>& records_;
  const ReportPaths& paths_;
  std::string rule_;
  std::vector<std::vector<std::string>> csv_;
  std::string verdict_;
};

}  // namespace

RenderedReport RenderInversionReport(const Suite& suite, const std::vector<std::optional<CellRecord>>& records,
                                     const ReportPaths& paths) {
  return InversionReport(suite, records, paths).Render();
}

RenderedReport RenderConvergenceReport(const Suite& suite, const std::vector<std::optional<CellRecord>>& records,
                                       const ReportPaths& paths) {
  return ConvergenceReport(suite, records, paths).Render();
}

RenderedReport RenderWidthReport(const Suite& suite, const std::vector<std::optional<CellRecord>>& records,
                                 const ReportPaths& paths) {
  return WidthReport(suite, records, paths).Render();
}

}  // namespace flbench
