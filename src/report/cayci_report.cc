// The cayci-eryilmaz report: every cell's min_s R(s)/R(0) and iterations to ε by (α, method, n, T) × m; m*(n)
// with logarithmic and power-law fits when the grid varies n and m; error and iterations against T on both
// sides of the memory cutoff α_m = 1/σ₁ with polynomial vs exponential fits when it varies T; a verdict.
// Figures first (CayciFigures), then the Markdown. Entry point: RenderCayciReport (report.h).
// Tested by tests/report_theory_test.cc.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "report/report.h"
#include "report/stats.h"
#include "report/svg.h"
#include "report/table.h"
#include "report/theory_format.h"
#include "theory/width_search.h"
#include "util/strings.h"

namespace flbench {

namespace {

// (α, method): one curve family; the memory cutoff is a property of α (and ρ_w/√m when projected).
using SeriesKey = std::pair<double, std::string>;
// (n, T, m): one grid point of a series.
using PointKey = std::tuple<int, int, int>;

struct PointStats {
  int runs = 0, reached = 0, diverged = 0;
  Stats min_rel, iters, alpha_m, u_move;
};

struct GrowthInT {  // a series' error or iterations against T at one (n, m)
  std::vector<double> T, y;
  LineFit poly, expo;  // log y on log T, log y on T
  bool fitted = false;
};

struct CayciFigures {
  size_t records = 0, expected = 0;
  std::set<int> ns, Ts, ms;
  std::map<SeriesKey, std::map<PointKey, PointStats>> points;
  // m*(n) per (series, T): the smallest m at which more than half the seeds reached ε; −1 when none did.
  std::map<std::pair<SeriesKey, int>, std::map<int, int>> mstar;
  std::map<std::pair<SeriesKey, int>, theory::WidthFit> mstar_fit;  // where ≥ 2 n have an m*
  // Against T per (series, n, m): min R/R0 and mean iterations to ε (where every seed reached it).
  std::map<std::tuple<SeriesKey, int, int>, std::pair<GrowthInT, GrowthInT>> in_T;
};

GrowthInT FitInT(std::vector<double> T, std::vector<double> y) {
  GrowthInT g;
  std::vector<double> lt, t, ly;
  for (size_t i = 0; i < T.size(); ++i)
    if (y[i] > 0 && std::isfinite(y[i])) {
      lt.push_back(std::log(T[i]));
      t.push_back(T[i]);
      ly.push_back(std::log(y[i]));
    }
  g.T = std::move(T);
  g.y = std::move(y);
  if (ly.size() >= 3) {
    g.poly = FitLine(lt, ly);
    g.expo = FitLine(t, ly);
    g.fitted = std::isfinite(g.poly.rss) && std::isfinite(g.expo.rss);
  }
  return g;
}

CayciFigures ComputeFigures(const Setting& s, std::vector<std::vector<std::string>>& csv) {
  CayciFigures f;
  f.records = s.records.size();
  f.expected = s.expected();
  for (const Cell* cell : s.cells) {
    const auto& c = cell->config["cayci"];
    f.ns.insert(c["n"].get<int>());
    f.Ts.insert(c["T"].get<int>());
    f.ms.insert(c["m"].get<int>());
  }
  std::map<SeriesKey, std::map<PointKey, std::vector<const CellRecord*>>> runs;
  for (const CellRecord* rec : s.records) {
    const auto& c = rec->config["cayci"];
    runs[{Num(c["alpha"]), Text(c["method"])}][{c["n"].get<int>(), c["T"].get<int>(), c["m"].get<int>()}].push_back(rec);
    const auto& r = rec->result;
    csv.push_back({rec->key, Text(c["m"]), Text(c["n"]), Text(c["T"]), Csv(Num(c["alpha"])), Text(c["method"]),
                   Text(rec->config["seed_index"]), Text(r["iterations"]), Text(r["iters_to_epsilon"]),
                   r.value("diverged", false) ? "1" : "0", Csv(Num(r["min_rel_loss"])), Csv(Num(r["final_rel_loss"])),
                   Csv(Num(r["alpha_m"])), Csv(Num(r["w_move"])), Csv(Num(r["u_move"])), Csv(Num(r["y_rms"])),
                   Csv(Num(r["step"])), Csv(rec->seconds)});
  }
  for (const auto& [key, by_point] : runs)
    for (const auto& [pk, recs] : by_point) {
      PointStats p;
      std::vector<double> rel, iters, am, um;
      for (const CellRecord* rec : recs) {
        const auto& r = rec->result;
        ++p.runs;
        const bool div = r.value("diverged", false);
        const int ite = r.value("iters_to_epsilon", -1);
        p.diverged += div;
        p.reached += ite >= 0;
        if (ite >= 0) iters.push_back(ite);
        rel.push_back(div ? std::numeric_limits<double>::quiet_NaN() : Num(r["min_rel_loss"]));
        am.push_back(Num(r["alpha_m"]));
        um.push_back(Num(r["u_move"]));
      }
      p.min_rel = Summarise(rel);
      p.iters = Summarise(iters);
      p.alpha_m = Summarise(am);
      p.u_move = Summarise(um);
      f.points[key][pk] = p;
    }
  for (const auto& [key, pts] : f.points) {
    for (int T : f.Ts) {
      std::map<int, int> by_n;
      for (int n : f.ns) {
        int best = -1;
        bool any = false;
        for (int m : f.ms) {
          const auto it = pts.find({n, T, m});
          if (it == pts.end()) continue;
          any = true;
          if (2 * it->second.reached > it->second.runs) {
            best = m;
            break;
          }
        }
        if (any) by_n[n] = best;
      }
      if (f.ms.size() >= 2) {
        f.mstar[{key, T}] = by_n;
        std::vector<double> xn, ym;
        for (const auto& [n, ms] : by_n)
          if (ms > 0) {
            xn.push_back(n);
            ym.push_back(ms);
          }
        if (std::set<double>(xn.begin(), xn.end()).size() >= 2) f.mstar_fit[{key, T}] = theory::FitWidthCurves(xn, ym);
      }
    }
    if (f.Ts.size() >= 2)
      for (int n : f.ns)
        for (int m : f.ms) {
          std::vector<double> T1, err, T2, its;
          for (int T : f.Ts) {
            const auto it = pts.find({n, T, m});
            if (it == pts.end()) continue;
            T1.push_back(T);
            err.push_back(it->second.min_rel.mean);
            if (it->second.reached == it->second.runs && it->second.runs > 0) {
              T2.push_back(T);
              its.push_back(it->second.iters.mean);
            }
          }
          if (!T1.empty()) f.in_T[{key, n, m}] = {FitInT(T1, err), FitInT(T2, its)};
        }
  }
  return f;
}

std::string SeriesName(const SeriesKey& k) { return fmt::format("α={} {}", Sig(k.first), k.second); }

// "polynomial (T^p, p = …)" or "exponential (×… per step)" by the smaller residual sum of squares.
std::string GrowthLaw(const GrowthInT& g) {
  if (!g.fitted) return "—";
  return g.poly.rss <= g.expo.rss ? fmt::format("polynomial, T^{}", Sig(g.poly.b, 2))
                                  : fmt::format("exponential, ×{} per step", Sig(std::exp(g.expo.b), 3));
}

std::string WriteSetting(const CayciFigures& f, const std::string& title, const ReportPaths& paths,
                         std::map<std::string, std::string>& files) {
  const std::string sfx = title.empty() ? "" : "-" + Slug(title);
  std::string md = fmt::format("### Every grid point\n\nSeeds that reached R ≤ ε·R(0) within the budget, of the "
                               "seeds run, and min_s R(s)/R(0) (mean ± std over seeds; diverged runs left out and "
                               "counted). Results: {} of {} cells.\n\n",
                               f.records, f.expected);
  std::vector<std::string> header{"α, method", "n", "T"};
  for (int m : f.ms) header.push_back(fmt::format("m={}", m));
  MarkdownTable t(header, std::vector<Align>(header.size(), Align::kRight));
  for (const auto& [key, pts] : f.points)
    for (int n : f.ns)
      for (int T : f.Ts) {
        std::vector<std::string> row{SeriesName(key), std::to_string(n), std::to_string(T)};
        bool any = false;
        for (int m : f.ms) {
          const auto it = pts.find({n, T, m});
          if (it == pts.end()) {
            row.push_back("—");
            continue;
          }
          any = true;
          const PointStats& p = it->second;
          row.push_back(fmt::format("{}/{}: {}{}", p.reached, p.runs, SigMeanStd(p.min_rel, 2),
                                    p.diverged ? fmt::format(" ({} diverged)", p.diverged) : ""));
        }
        if (any) t.AddRow(row);
      }
  md += t.Render() + "\n";

  if (!f.mstar.empty() && f.ns.size() >= 2) {
    md += "### m*(n)\n\nThe smallest width on the grid at which more than half of the seeds reached ε (\"—\": none "
          "did, up to the largest width), with least-squares fits m* = a + b·ln n and m* = c·n^α.\n\n";
    std::vector<std::string> h2{"α, method", "T"};
    for (int n : f.ns) h2.push_back(fmt::format("n={}", n));
    h2.push_back("log fit (RSS)");
    h2.push_back("power fit (RSS)");
    MarkdownTable t2(h2, std::vector<Align>(h2.size(), Align::kRight));
    std::vector<Series> series;
    for (const auto& [kt, by_n] : f.mstar) {
      std::vector<std::string> row{SeriesName(kt.first), std::to_string(kt.second)};
      Series sr;
      sr.label = SeriesName(kt.first) + fmt::format(" T={}", kt.second);
      for (int n : f.ns) {
        const auto it = by_n.find(n);
        row.push_back(it == by_n.end() ? "" : it->second > 0 ? std::to_string(it->second) : "—");
        if (it != by_n.end() && it->second > 0) {
          sr.x.push_back(n);
          sr.y.push_back(it->second);
        }
      }
      const auto fit = f.mstar_fit.find(kt);
      if (fit != f.mstar_fit.end()) {
        row.push_back(fmt::format("{} + {}·ln n ({})", Sig(fit->second.log_a), Sig(fit->second.log_b),
                                  Sig(fit->second.log_rss, 2)));
        row.push_back(fmt::format("{}·n^{} ({})", Sig(fit->second.pow_c), Sig(fit->second.pow_alpha, 2),
                                  Sig(fit->second.pow_rss, 2)));
      } else {
        row.push_back("—");
        row.push_back("—");
      }
      t2.AddRow(row);
      if (!sr.x.empty()) series.push_back(sr);
    }
    md += t2.Render() + "\n";
    PlotSpec spec;
    spec.title = "Smallest width reaching ε vs samples" + (title.empty() ? "" : " (" + title + ")");
    spec.x_label = "training sequences n";
    spec.y_label = "m*(n)";
    spec.log_x = true;
    files[paths.Sibling("-mstar" + sfx + ".svg")] = LinePlotSvg(spec, series);
    md += fmt::format("![m* vs n]({}-mstar{}.svg)\n\n", paths.base, sfx);
  }

  if (!f.in_T.empty()) {
    md += "### Against the sequence length T\n\nPer (α, method, n, m): min_s R(s)/R(0) and the mean iterations to "
          "ε (where every seed reached it) at each T; the better of a polynomial (log y on log T) and an "
          "exponential (log y on T) fit by residual sum of squares. α_m is α + ρ_w/√m for projected GD and α + "
          "max_i |W_ii − W_ii(0)| at the end for plain GD (mean over the runs); the paper's cutoff is α_m = "
          "1/σ₁ = 1 for tanh.\n\n";
    std::vector<std::string> h3{"α, method", "n", "m", "α_m"};
    for (int T : f.Ts) h3.push_back(fmt::format("T={}", T));
    h3.push_back("error growth");
    h3.push_back("iterations growth");
    MarkdownTable t3(h3, std::vector<Align>(h3.size(), Align::kRight));
    std::vector<Series> its_series, err_series;
    for (const auto& [k, gs] : f.in_T) {
      const auto& [key, n, m] = k;
      const auto& pts = f.points.at(key);
      double am = 0;
      int amn = 0;
      std::vector<std::string> row{SeriesName(key), std::to_string(n), std::to_string(m)};
      std::vector<std::string> cells;
      for (int T : f.Ts) {
        const auto it = pts.find({n, T, m});
        if (it == pts.end()) {
          cells.push_back("—");
          continue;
        }
        if (std::isfinite(it->second.alpha_m.mean)) {
          am += it->second.alpha_m.mean;
          ++amn;
        }
        const PointStats& p = it->second;
        cells.push_back(fmt::format("{} / {}", Sig(p.min_rel.mean, 2),
                                    p.reached == p.runs && p.runs > 0 ? FormatFixed(p.iters.mean, 0) : "—"));
      }
      row.push_back(amn ? Sig(am / amn, 3) : "—");
      for (auto& c : cells) row.push_back(c);
      row.push_back(GrowthLaw(gs.first));
      row.push_back(GrowthLaw(gs.second));
      t3.AddRow(row);
      Series e, i;
      e.label = i.label = SeriesName(key) + (f.ns.size() > 1 ? fmt::format(" n={}", n) : "") +
                          (f.ms.size() > 1 ? fmt::format(" m={}", m) : "");
      e.x = gs.first.T;
      e.y = gs.first.y;
      i.x = gs.second.T;
      i.y = gs.second.y;
      err_series.push_back(e);
      if (!i.x.empty()) its_series.push_back(i);
    }
    md += "Cells: min R/R0 / iterations to ε.\n\n" + t3.Render() + "\n";
    PlotSpec spec;
    spec.title = "Iterations to ε vs T" + (title.empty() ? "" : " (" + title + ")");
    spec.x_label = "sequence length T";
    spec.y_label = "GD iterations to ε (mean over seeds)";
    spec.log_y = true;
    files[paths.Sibling("-iterations" + sfx + ".svg")] = LinePlotSvg(spec, its_series);
    spec.title = "Best training error vs T" + (title.empty() ? "" : " (" + title + ")");
    spec.y_label = "min_s R(s)/R(0)";
    files[paths.Sibling("-error" + sfx + ".svg")] = LinePlotSvg(spec, err_series);
    md += fmt::format("![iterations vs T]({0}-iterations{1}.svg)\n\n![error vs T]({0}-error{1}.svg)\n\n", paths.base,
                      sfx);
  }
  return md;
}

std::string Verdict(const CayciFigures& f, const std::string& title) {
  std::string v = title.empty() ? "" : "**" + title + ".** ";
  if (f.records == 0) return v + "No results yet.\n\n";
  bool said = false;
  for (const auto& [kt, fit] : f.mstar_fit) {
    const auto& by_n = f.mstar.at(kt);
    std::vector<std::pair<int, int>> have;
    int unreached = 0;
    for (const auto& [n, ms] : by_n) {
      if (ms > 0) have.push_back({n, ms});
      else ++unreached;
    }
    const double n_ratio = static_cast<double>(have.back().first) / have.front().first;
    const double m_ratio = static_cast<double>(have.back().second) / have.front().second;
    v += fmt::format("*m*(n), {} T={}:* from n = {} to n = {} (×{}), m* went from {} to {} (×{}){}. ",
                     SeriesName(kt.first), kt.second, have.front().first, have.back().first, Sig(n_ratio),
                     have.front().second, have.back().second, Sig(m_ratio),
                     unreached ? fmt::format("; at {} value(s) of n no width on the grid reached ε", unreached) : "");
    const double gap = std::abs(fit.log_rss - fit.pow_rss);
    if (m_ratio <= 2 && n_ratio >= 10)
      v += fmt::format("The needed width hardly grows while n grows {}-fold (power-law exponent {}): consistent with "
                       "the paper's logarithmic dependence on n (a flat m* cannot tell log n from a constant). ",
                       Sig(n_ratio), Sig(fit.pow_alpha, 2));
    else if (gap <= 0.2 * std::max(fit.log_rss, fit.pow_rss))
      v += fmt::format("The logarithmic fit (RSS {}) and the power fit (RSS {}, α = {}) are within 20% of each "
                       "other: the data cannot tell the two laws apart. ",
                       Sig(fit.log_rss, 2), Sig(fit.pow_rss, 2), Sig(fit.pow_alpha, 2));
    else if (fit.better == "log")
      v += fmt::format("The logarithmic fit has the smaller residuals (RSS {} vs {} for m* ∝ n^{}): consistent with "
                       "the paper's claim. ",
                       Sig(fit.log_rss, 2), Sig(fit.pow_rss, 2), Sig(fit.pow_alpha, 2));
    else
      v += fmt::format("The power law m* ∝ n^{} has the smaller residuals (RSS {} vs {} for a + b·ln n): the needed "
                       "width grows faster than logarithmically here, against the paper's claim at this budget. ",
                       Sig(fit.pow_alpha, 2), Sig(fit.pow_rss, 2), Sig(fit.log_rss, 2));
    if (have.size() < 6) v += fmt::format("Only {} values of n have an m*: weak evidence. ", have.size());
    int steps = 0;  // distinct m* values minus one: how many grid steps the whole curve spans
    for (size_t i = 1; i < have.size(); ++i) steps += have[i].second != have[i - 1].second;
    v += fmt::format("m* moves in {} step(s) of the width grid over the {} values of n (each m* is known only to lie "
                     "between the width below it and itself), so the fits rest on few distinct values. ",
                     steps, have.size());
    said = true;
  }
  // The memory cutoff: below α_m = 1, does every T reach ε and how do the iterations grow; above it, from which
  // T is ε missed and how fast does the best error grow per step of T.
  struct Side {
    int series = 0, all_reached = 0, missed = 0, exp_better = 0, fitted = 0, first_missed = 1 << 30;
    double p_lo = 1e300, p_hi = -1e300, f_lo = 1e300, f_hi = -1e300;
  };
  Side lo, hi;
  std::map<double, std::map<std::string, double>> err_at_max;  // α → method → min R/R0 at the largest T
  for (const auto& [k, gs] : f.in_T) {
    const auto& [key, n, m] = k;
    const auto& pts = f.points.at(key);
    double am = 0;
    int amn = 0, first_missed = -1;
    for (int T : f.Ts) {
      const auto it = pts.find({n, T, m});
      if (it == pts.end()) continue;
      if (std::isfinite(it->second.alpha_m.mean)) {
        am += it->second.alpha_m.mean;
        ++amn;
      }
      if (it->second.reached < it->second.runs && first_missed < 0) first_missed = T;
    }
    if (!amn) continue;
    Side& sd = am / amn < 1 ? lo : hi;
    ++sd.series;
    if (first_missed < 0) ++sd.all_reached;
    else {
      ++sd.missed;
      sd.first_missed = std::min(sd.first_missed, first_missed);
    }
    if (gs.second.fitted) {
      sd.p_lo = std::min(sd.p_lo, gs.second.poly.b);
      sd.p_hi = std::max(sd.p_hi, gs.second.poly.b);
    }
    if (gs.first.fitted) {
      ++sd.fitted;
      sd.f_lo = std::min(sd.f_lo, std::exp(gs.first.expo.b));
      sd.f_hi = std::max(sd.f_hi, std::exp(gs.first.expo.b));
      sd.exp_better += gs.first.expo.rss < gs.first.poly.rss;
    }
    if (!gs.first.y.empty()) err_at_max[key.first][key.second] = gs.first.y.back();
  }
  auto side_text = [&](const Side& sd, const char* name) {
    std::string t = fmt::format("{} ({} series): every T up to {} reached ε in {}", name, sd.series, *f.Ts.rbegin(),
                                Count(sd.all_reached, sd.series));
    if (sd.missed > 0) t += fmt::format(", and ε was missed from T = {} on in the other {}", sd.first_missed, sd.missed);
    if (sd.p_lo <= sd.p_hi)
      t += fmt::format("; over the T that reached it, the iterations to ε go like T^p with p from {} to {}{}",
                       Sig(sd.p_lo, 2), Sig(sd.p_hi, 2), sd.p_hi <= 0.1 ? " (they do not grow with T)" : "");
    if (sd.fitted > 0)
      t += fmt::format("; the best error min_s R(s)/R(0) changes ×{} to ×{} per step of T (exponential fit), and an "
                       "exponential fits it better than a power of T in {}",
                       Sig(sd.f_lo, 3), Sig(sd.f_hi, 3), Count(sd.exp_better, sd.fitted));
    return t + ". ";
  };
  if (lo.series + hi.series > 0) {
    v += "*Memory cutoff:* ";
    if (lo.series > 0) v += side_text(lo, "Below the cutoff (α_m < 1)");
    if (hi.series > 0) v += side_text(hi, "Above it (α_m ≥ 1)");
    if (lo.series > 0 && hi.series > 0) {
      const bool direction = lo.all_reached == lo.series && hi.missed > 0;
      v += direction ? "The direction matches Remark 1: below the cutoff longer sequences cost no more (or "
                       "polynomially more), above it GD stops reaching ε as T grows. "
                     : "The direction of Remark 1 (cheap below the cutoff, costs rising with T above it) does not "
                       "show cleanly here. ";
      v += "Whether the growth above the cutoff is exponential rather than polynomial is weak evidence either way "
           "with T ≤ " + std::to_string(*f.Ts.rbegin()) + " and runs that stop at ε (an error pinned at ε has no "
           "growth to fit). ";
    }
    std::vector<std::string> both;
    for (const auto& [alpha, by_method] : err_at_max)
      if (by_method.count("projected") && by_method.count("plain"))
        both.push_back(fmt::format("α={}: projected {}, plain {}", Sig(alpha), Sig(by_method.at("projected"), 2),
                                   Sig(by_method.at("plain"), 2)));
    if (!both.empty())
      v += fmt::format("Projected vs plain GD, best error at T = {}: {}. ", *f.Ts.rbegin(), Join(both, "; "));
    said = true;
  }
  if (!said) v += "The grid varies neither n (with several widths) nor T: nothing to compare with the claims. ";
  v += "What this experiment cannot show: the theorems' constants (poly(μ_T), the union bound's log(nT/δ)) or "
       "behaviour beyond the grid; the teacher is a Monte Carlo mean of M random features, in the paper's class only "
       "up to that sampling error, and m* is measured for one fixed budget and step.\n\n";
  return v;
}

}  // namespace

RenderedReport RenderCayciReport(const Suite& suite, const std::vector<std::optional<CellRecord>>& records,
                                 const ReportPaths& paths) {
  RenderedReport out;
  const std::vector<std::string> drop{"m", "n", "T", "alpha", "method", "seed"};
  const auto settings = GroupSettings(suite, records, "cayci", drop);
  const nlohmann::json& c0 = settings.front().config;
  std::string& md = out.markdown;
  md += "## Setup\n\n";
  md += fmt::format(
      "Cayci & Eryilmaz's network and algorithm as stated: H_t^(i) = tanh(W_ii H_(t−1)^(i) + U_iᵀ X_(t−1)) with a "
      "diagonal W, output F_t = (1/√m) Σ_i c_i H_t^(i) with c_i = ±1 fixed, the symmetric initialisation of "
      "Definition 1 (W_ii(0) = ±α, U_i(0) ~ N(0, I_d), the second half a copy with c negated, so F(Θ(0)) = 0), "
      "loss R = (1/n) Σ_j Σ_t (F_t − Y_t)² over t = 1..T, and GD on (W, U) with step η ({}), projected (radii "
      "ρ_w = {}, ρ_u = {} on |W_ii − W_ii(0)|·√m and ‖U_i − U_i(0)‖·√m) or plain. Inputs X_t uniform on the unit "
      "sphere in R^{}. **Teacher** in their class F_(ν̄w,ν̄u): Y_t = F̃_t(X) of their (8) with transport maps "
      "v_u = ν̄_u·β (β a fixed random unit vector), v_w = ν̄_w, ν̄_u = {}, ν̄_w = {} (RKHS norm at most "
      "√(ν̄_u² + ν̄_w²)), the expectation taken over M = {} random features drawn apart from the student's. "
      "A run reaches ε when R ≤ ε·R(0) (ε = {}) within τ = {} iterations; Theorems 1–2 bound min_s R(s), which is "
      "what the tables show. One seed index gives the same inputs and teacher at every m, n and method. "
      "Cells: {}.\n\n",
      Num(c0["eta"]) > 0 ? fmt::format("η = {}", Sig(Num(c0["eta"]))) : "η = 1/(T·√τ), Theorem 1's step",
      Sig(Num(c0["rho_w"])), Sig(Num(c0["rho_u"])), Text(c0["d"]), Sig(Num(c0["nu_u"])), Sig(Num(c0["nu_w"])),
      Text(c0["teacher_width"]), Sig(Num(c0["epsilon"])), Text(c0["max_iters"]), suite.cells.size());
  if (settings.size() > 1) md += "The grid has several settings of the other keys; each has its own section.\n\n";
  out.csv.push_back({"key", "m", "n", "T", "alpha", "method", "seed", "iterations", "iters_to_epsilon", "diverged",
                     "min_rel_loss", "final_rel_loss", "alpha_m", "w_move", "u_move", "y_rms", "step", "seconds"});
  std::string verdict;
  const auto render = [&](const Setting& s, const std::string& title) {
    const CayciFigures f = ComputeFigures(s, out.csv);
    verdict += Verdict(f, title);
    return WriteSetting(f, title, paths, out.files);
  };
  md += SettingsThenVerdict(settings, drop, render,
                            "*The claims* (Cayci & Eryilmaz, Theorems 1–2 and Remark 1): for a target in their class, "
                            "a width logarithmic in n suffices for (projected) GD to reach a given training error; "
                            "width and iterations grow polynomially in T when α_m = α + ρ_w/√m < 1/σ₁ and "
                            "exponentially when α_m ≥ 1/σ₁.",
                            verdict);
  return out;
}

}  // namespace flbench
