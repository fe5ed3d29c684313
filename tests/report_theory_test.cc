// The theory reports on hand-made results with known answers (table lines, fitted exponents, the counts in the
// "Does the paper's claim hold here?" paragraph), and end to end on tiny real runs (every file written).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "report/report.h"
#include "results/store.h"
#include "report/theory_format.h"
#include "suite/kinds.h"
#include "suite/runner.h"
#include "suite/suite.h"
#include "testutil/paths.h"
#include "util/error.h"

namespace flbench {
namespace {

// The Markdown with every space removed, so table lines compare without their padding.
std::string Squeeze(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != ' ') out += c;
  return out;
}

bool HasLine(const std::string& md, const std::string& squeezed_line) {
  std::istringstream in(md);
  for (std::string line; std::getline(in, line);)
    if (Squeeze(line) == squeezed_line) return true;
  return false;
}

// The squeezed line that starts with `prefix`, or "" (for rows whose last cells are rounding noise).
std::string LineStarting(const std::string& md, const std::string& squeezed_prefix) {
  std::istringstream in(md);
  for (std::string line; std::getline(in, line);)
    if (Squeeze(line).rfind(squeezed_prefix, 0) == 0) return Squeeze(line);
  return "";
}

CellRecord Record(const Cell& c, nlohmann::json result) {
  CellRecord r;
  r.key = c.key;
  r.suite = "t";
  r.kind = c.kind;
  r.config = c.config;
  r.result = std::move(result);
  r.seconds = 1;
  return r;
}

const ReportPaths kPaths = ReportPaths::For("/tmp/unused/r.md");

TEST(InversionReportTest, TablesPlotsAndCountedClaim) {
  const Suite s = ParseSuite("kind: inversion\ngrid:\n  m: [100, 200]\n  d: 2\n  lengths: [2, 4]\n", "t.yaml");
  // rel-L2 (L∞ is twice it): m=100: 0.10, 0.20 (grows with L); m=200: 0.05, 0.04 (does not). Both fall with m.
  const std::map<int, std::pair<double, double>> err{{100, {0.10, 0.20}}, {200, {0.05, 0.04}}};
  std::vector<std::optional<CellRecord>> recs;
  for (const Cell& c : s.cells) {
    const auto e = err.at(c.config["inversion"]["m"].get<int>());
    nlohmann::json pts = nlohmann::json::array();
    int k = 0;
    for (double v : {e.first, e.second})
      pts.push_back({{"length", ++k * 2}, {"test_rel_l2", v}, {"test_linf", 2 * v}, {"train_rel_l2", v / 2},
                     {"train_linf", v}, {"mean_h_norm", 3.0}, {"form", "primal"}});
    recs.push_back(Record(c, {{"points", pts}}));
  }
  const RenderedReport r = RenderInversionReport(s, recs, kPaths);
  EXPECT_NE(r.markdown.find("### d = 2\n"), std::string::npos);
  EXPECT_TRUE(HasLine(r.markdown, "|m|rel-L2,L=2|rel-L2,L=4|L∞,L=2|L∞,L=4|")) << r.markdown;
  EXPECT_TRUE(HasLine(r.markdown, "|100|0.1|0.2|0.2|0.4|")) << r.markdown;
  EXPECT_TRUE(HasLine(r.markdown, "|200|0.05|0.04|0.1|0.08|")) << r.markdown;
  EXPECT_NE(r.markdown.find("## Does the paper's claim hold here?\n"), std::string::npos);
  EXPECT_NE(r.markdown.find("relative L2 error: it grows with L (strictly, at every step of L) in 1 of 2 (d, m) pairs "
                            "(exceptions: d=2 m=200: 0.04 at L=4 vs 0.05 at L=2); it falls with m (strictly, at every "
                            "step of m) in 2 of 2 (d, L) pairs, and is lower at m = 200 than at m = 100 in 2 of 2."),
            std::string::npos)
      << r.markdown;
  EXPECT_NE(r.markdown.find("L∞ error: it grows with L (strictly, at every step of L) in 1 of 2 (d, m) pairs"),
            std::string::npos);
  EXPECT_NE(r.markdown.find("With one seed per cell"), std::string::npos);
  // Exponents: rel-L2 halves from m = 100 to 200 at L = 2 (slope −1) and falls 5× at L = 4 (slope −log2 5).
  EXPECT_TRUE(HasLine(r.markdown, "|2|-1(R²1)|-2.32(R²1)|")) << r.markdown;
  EXPECT_NE(r.markdown.find("falls like m^s with s between -2.32 and -1"), std::string::npos);
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files.begin()->first, "/tmp/unused/r-d2.svg");
  EXPECT_NE(r.files.begin()->second.find("rel-L2, L=4"), std::string::npos);
  ASSERT_EQ(r.csv.size(), 5u);  // header + 2 cells × 2 lengths
  EXPECT_EQ(r.csv[0][0], "key");
}

TEST(InversionReportTest, MissingCellsShowAsDashes) {
  const Suite s = ParseSuite("kind: inversion\ngrid:\n  m: [100, 200]\n  d: 2\n  lengths: [2]\n", "t.yaml");
  std::vector<std::optional<CellRecord>> recs(s.cells.size());
  const RenderedReport r = RenderInversionReport(s, recs, kPaths);
  EXPECT_TRUE(HasLine(r.markdown, "|100|—|—|")) << r.markdown;
  EXPECT_EQ(r.markdown.find("nan"), std::string::npos);
}

TEST(InversionReportTest, ExponentIntervalsAgainstMinusOneHalf) {
  const Suite s = ParseSuite("kind: inversion\ngrid:\n  m: [100, 400, 1600]\n  d: 2\n  lengths: [2, 4]\n", "t.yaml");
  // L=2: 3·m^−1/2 with the middle width 5 % off (equally spaced in log m: the slope stays −1/2, the interval is
  // finite); L=4: 3·m^−1 with the same wobble (far from −1/2).
  std::vector<std::optional<CellRecord>> recs;
  for (const Cell& c : s.cells) {
    const double m = c.config["inversion"]["m"].get<int>();
    const double wobble = m == 400 ? 1.05 : 1.0;
    nlohmann::json pts = nlohmann::json::array();
    for (int L : {2, 4}) {
      const double e = 3 * std::pow(m, L == 2 ? -0.5 : -1.0) * wobble;
      pts.push_back({{"length", L}, {"test_rel_l2", e}, {"test_linf", e}, {"train_rel_l2", e}, {"train_linf", e},
                     {"mean_h_norm", 1.0}, {"form", "primal"}});
    }
    recs.push_back(Record(c, {{"points", pts}}));
  }
  const RenderedReport r = RenderInversionReport(s, recs, kPaths);
  EXPECT_NE(r.markdown.find("Lemma 4.4's rate 1/√m (s = −1/2) lies inside the 95 % interval of 1 of 2 fits (outside: "
                            "d=2 L=4: -1 ["),
            std::string::npos)
      << r.markdown;
  EXPECT_NE(r.markdown.find(" -0.5 ["), std::string::npos) << r.markdown;
}

TEST(ConvergenceReportTest, ExponentAndHiddenNormFits) {
  const Suite s = ParseSuite("kind: convergence\ngrid:\n  m: [64, 256, 1024]\n  n: 4\n  L: 5\n", "t.yaml");
  std::vector<std::optional<CellRecord>> recs;
  for (const Cell& c : s.cells) {
    const double m = c.config["convergence"]["m"];
    nlohmann::json hidden = nlohmann::json::array();
    for (int l = 1; l <= 5; ++l) hidden.push_back(std::sqrt(static_cast<double>(l)));  // ‖h_ℓ‖ = √ℓ
    // Over the fitted half (t ≥ 50) log f falls by ln 10 every 25 iterations: a straight line, R² = 1.
    recs.push_back(Record(c, {{"loss", {2.0, 0.2, 0.02, 0.002}}, {"move_fro", {0.0, 1.0, 1.5, 2.0}},
                              {"curve_iters", {0, 50, 75, 100}},
                              {"iterations", 100}, {"iters_to_epsilon", 100}, {"diverged", false},
                              {"log_slope", std::log(0.99)}, {"rate", 0.99}, {"fit_begin", 50}, {"fit_end", 100},
                              {"move_spectral", 3.0 / std::sqrt(m)}, {"final_move_fro", 6.0 / std::sqrt(m)},
                              {"w0_spectral", 2.83}, {"hidden_norms", hidden}}));
  }
  const RenderedReport r = RenderConvergenceReport(s, recs, kPaths);
  EXPECT_TRUE(HasLine(r.markdown, "|m|runs|reachedε|diverged|iterationstoε|rate|R²oflogf|f(T)/f(0)|‖W(T)−W(0)‖₂|‖W(T)−W(0)‖₂·√m|"
                                  "‖W(T)−W(0)‖_F|‖W(0)‖₂|"))
      << r.markdown;
  EXPECT_TRUE(HasLine(r.markdown, "|256|1|1|0|100|0.99|1|0.001|0.188|3|0.375|2.83|")) << r.markdown;
  EXPECT_NE(r.markdown.find("exponent **-0.5**"), std::string::npos) << r.markdown;
  EXPECT_NE(r.markdown.find("(R² = 1)"), std::string::npos) << r.markdown;
  EXPECT_NE(r.markdown.find("scales as m^-0.5"), std::string::npos) << r.markdown;
  EXPECT_NE(r.markdown.find("over 3 runs, consistent with the paper's m^(−1/2)"), std::string::npos) << r.markdown;
  EXPECT_NE(r.markdown.find("3 of 3 runs reached f ≤ ε·f(0) within 1000 iterations; 0 diverged"), std::string::npos);
  EXPECT_NE(r.markdown.find("Every seed reached ε at every width from m = 64 up (all widths); over those widths the mean "
                            "iterations to ε range from 100 to 100"),
            std::string::npos);
  EXPECT_NE(r.markdown.find("log f is close to a straight line over the second half of every run (R² ≥ 1)"),
            std::string::npos);
  EXPECT_NE(r.markdown.find("the polynomial fit beats the exponential one at 3 of 3 widths, with exponents p from 0.5 "
                            "to 0.5"),
            std::string::npos)
      << r.markdown;
  const std::string fit64 = LineStarting(r.markdown, "|64|0.5|");  // p = 0.5 exactly; RSS ≈ 0
  EXPECT_NE(fit64.find("|polynomial|1.12|"), std::string::npos) << r.markdown;
  EXPECT_EQ(r.files.size(), 3u);  // movement, loss, hidden
  EXPECT_EQ(r.files.count("/tmp/unused/r-movement.svg"), 1u);
  EXPECT_EQ(r.csv.size(), 4u);
}

TEST(ConvergenceReportTest, DivergedRunsAreCountedNotFitted) {
  const Suite s = ParseSuite("kind: convergence\ngrid:\n  m: [16, 32]\n", "t.yaml");
  std::vector<std::optional<CellRecord>> recs;
  for (const Cell& c : s.cells)
    recs.push_back(Record(c, {{"loss", {1.0, 1e7}}, {"move_fro", {0.0, 5.0}}, {"curve_iters", {0, 1}}, {"iterations", 1},
                              {"iters_to_epsilon", -1}, {"diverged", true}, {"log_slope", nullptr}, {"rate", nullptr},
                              {"fit_begin", 0}, {"fit_end", 1}, {"move_spectral", 4.0}, {"final_move_fro", 5.0},
                              {"w0_spectral", 2.8}, {"hidden_norms", {1.0, 1.4, 1.7, 2.0, 2.2}}}));
  const RenderedReport r = RenderConvergenceReport(s, recs, kPaths);
  EXPECT_NE(r.markdown.find("0 of 2 runs reached f ≤ ε·f(0) within 1000 iterations; 2 diverged"), std::string::npos)
      << r.markdown;
  EXPECT_NE(r.markdown.find("too few runs reached ε to fit an exponent"), std::string::npos);
  EXPECT_EQ(r.markdown.find("nan"), std::string::npos);
}

// A hand-made convergence result: `iters` iterations to ε (or −1), a peak, movement and the gradient ratios.
nlohmann::json ConvergenceResultJson(int iters, double peak, double move, double ratio_min, bool diverged = false,
                                     long steps = -1) {
  const int T = iters > 0 ? iters : 100;
  return {{"loss", {2.0, 2.0 * peak, 0.002}}, {"move_fro", {0.0, move, move}}, {"curve_iters", {0, 1, T}},
          {"iterations", T}, {"iters_to_epsilon", diverged ? -1 : iters}, {"diverged", diverged},
          {"log_slope", -0.1}, {"rate", 0.9}, {"fit_begin", T / 2}, {"fit_end", T}, {"move_spectral", move},
          {"final_move_fro", 1.5 * move}, {"w0_spectral", 2.83}, {"hidden_norms", {1.0, 1.4, 1.7}},
          {"steps", steps < 0 ? T : steps}, {"peak_rel_loss", peak}, {"grad_ratio_init", 2 * ratio_min},
          {"grad_ratio_min", ratio_min}, {"grad_ratio_max", 3 * ratio_min}};
}

TEST(ConvergenceReportTest, DepthStepSgdAndGradientSections) {
  const Suite s = ParseSuite(R"(kind: convergence
grid:
  m: 64
  n: 4
  L: 3
  eta0: 0.01
studies:
  width: {m: [64, 256, 1024]}
  depth: {L: [2, 4, 8, 16]}
  step: {eta0: [0.01, 0.05, 0.2]}
  sgd: {m: [64, 256], optimizer: [gd, sgd], batch: 2}
)",
                             "t.yaml");
  std::vector<std::optional<CellRecord>> recs;
  for (const Cell& c : s.cells) {
    const auto& cv = c.config["convergence"];
    const int m = cv["m"], L = cv["L"];
    const double eta0 = cv["eta0"];
    const bool sgd = cv.contains("optimizer");
    // Iterations 10·L² (a power law, exponent 2); ratio_min = 3·m (Theorem 3's m¹); η0 = 0.05 catapults
    // (peak 70), η0 = 0.2 diverges; SGD takes 1.5× GD's epochs and 2 steps per epoch.
    const int iters = sgd ? 15 * L * L : 10 * L * L;
    const bool diverged = eta0 > 0.1;
    const double peak = eta0 == 0.05 ? 70.0 : 1.0;
    const double move = (eta0 == 0.05 ? 4.0 : 1.0) / std::sqrt(m);
    const double wobble = m == 256 ? 1.05 : 1.0;  // equally spaced in log m: the slope stays 1, its interval finite
    recs.push_back(Record(c, ConvergenceResultJson(diverged ? -1 : iters, peak, move, 3.0 * m * wobble, diverged,
                                                   sgd ? 2L * iters : -1L)));
  }
  const RenderedReport r = RenderConvergenceReport(s, recs, kPaths);
  const std::string& md = r.markdown;
  // Depth: T = 10·L² exactly → p = 2, the polynomial fit exact, the data support polynomial growth.
  EXPECT_NE(md.find("polynomial T ≈ 10·L^p with p = **2**"), std::string::npos) << md;
  EXPECT_NE(md.find("the data support polynomial growth, as Theorems 1–2 say"), std::string::npos) << md;
  EXPECT_TRUE(HasLine(md, "|16|1|1|0|2560|0.001|—|6|3|1.7|")) << md;
  // Gradient ratio: min ratio = 3m → exponent 1, min ratio/m = 3.
  EXPECT_NE(md.find("exponent **1**"), std::string::npos) << md;
  EXPECT_NE(md.find("consistent with the paper's m¹ (the bound's constant does not change with m); min_t ‖∇f‖²_F/(m·f) was never below 3"), std::string::npos) << md;
  EXPECT_TRUE(HasLine(md, "|256|6.3|3.15|9.45|")) << md;
  // Step size: the catapult at 0.05 with its peak, divergence from 0.2, movement ×4.
  EXPECT_NE(md.find("the loss first rises above f(0) (a catapult) at η0 = 0.05 (η = 0.000781), peaking at 70× f(0)"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("runs diverge from η0 = 0.2"), std::string::npos) << md;
  EXPECT_NE(md.find("the catapult runs moved at least 0.5 against at most 0.125"), std::string::npos) << md;
  // SGD beside GD: 1.5× the epochs, 2 updates per epoch.
  EXPECT_NE(md.find("SGD with batch 2 reached ε in 2 of 2 runs, GD in 3 of 3"), std::string::npos) << md;
  EXPECT_NE(md.find("1.5 at m = 64, 1.5 at m = 256"), std::string::npos) << md;
  EXPECT_TRUE(HasLine(md, "|64|sgd(batch2)|1|1|0|135|270|0.9|0.125|3|")) << md;
  EXPECT_EQ(r.files.count("/tmp/unused/r-depth-eta0-0.01-m-64.svg"), 1u);
  EXPECT_EQ(r.files.count("/tmp/unused/r-step-loss-L-3-m-64.svg"), 1u);
  EXPECT_EQ(md.find("nan"), std::string::npos);
  EXPECT_EQ(r.csv.size(), s.cells.size() + 1);
}

TEST(ConvergenceReportTest, ExponentialIterationsAreCalledExponential) {
  const Suite s = ParseSuite("kind: convergence\ngrid:\n  m: 64\n  L: [2, 4, 6, 8, 10, 12]\n", "t.yaml");
  std::vector<std::optional<CellRecord>> recs;
  for (const Cell& c : s.cells) {
    const int L = c.config["convergence"]["L"];
    recs.push_back(Record(c, ConvergenceResultJson(5 << L, 1.0, 0.1, 100)));  // 5·2^L
  }
  const std::string md = RenderConvergenceReport(s, recs, kPaths).markdown;
  EXPECT_NE(md.find("the data favour exponential growth, against Theorems 1–2"), std::string::npos) << md;
  EXPECT_NE(md.find("c = e^b = **2**"), std::string::npos) << md;
}

TEST(InversionReportTest, TwoSettingsStateTheirWeightsAndPositions) {
  const Suite s = ParseSuite(R"(kind: inversion
grid:
  m: [100, 400]
  d: 2
  lengths: [1, 2]
studies:
  scaled: {}
  paper: {variance: absolute, w_var: 1.0, a_var: 1.0, solver: sgd}
)",
                             "t.yaml");
  std::vector<std::optional<CellRecord>> recs;
  for (const Cell& c : s.cells) {
    nlohmann::json pts = nlohmann::json::array();
    for (int L : {1, 2}) {
      nlohmann::json pos = L == 1 ? nlohmann::json({0.1}) : nlohmann::json({0.05, 0.9});
      pts.push_back({{"length", L}, {"test_rel_l2", 0.1 * L}, {"test_linf", 0.2 * L}, {"train_rel_l2", 0.1},
                     {"train_linf", 0.1}, {"mean_h_norm", 1.0}, {"position_rel_l2", pos}, {"form", "sgd"}});
    }
    recs.push_back(Record(c, {{"points", pts}}));
  }
  const std::string md = RenderInversionReport(s, recs, kPaths).markdown;
  EXPECT_NE(md.find("Weights: W_ij ~ N(0, 2/m) and A_ij ~ N(0, 2/m)"), std::string::npos) << md;
  EXPECT_NE(md.find("Weights: W_ij ~ N(0, 1) and A_ij ~ N(0, 1) (the paper's own initialisation"), std::string::npos)
      << md;
  EXPECT_NE(md.find("Readout: the paper's SGD (batch 128, momentum 0.9, lr 0.1"), std::string::npos) << md;
  EXPECT_TRUE(HasLine(md, "|2|0.05|0.9|")) << md;
  EXPECT_NE(md.find("x(1) is recovered with relative error 0.05, x(L) with 0.9"), std::string::npos) << md;
  EXPECT_NE(md.find("*What this cannot show:*"), std::string::npos);
}

nlohmann::json WidthResult(int n, int m_star) {
  nlohmann::json probes = nlohmann::json::array();
  probes.push_back({{"m", 64}, {"seed", 1}, {"reached", m_star > 0}, {"iters_to_epsilon", m_star > 0 ? 50 : -1},
                    {"final_rel_loss", 0.001}});
  if (m_star > 0 && m_star != 64)
    probes.push_back({{"m", m_star}, {"seed", 1}, {"reached", true}, {"iters_to_epsilon", 100}, {"final_rel_loss", 0.001}});
  nlohmann::json probed = nlohmann::json::array();
  for (const auto& p : probes) probed.push_back(p["m"]);
  return {{"n", n}, {"m_star", m_star}, {"widths_probed", probed}, {"probes", probes}};
}

// Per seed m*: the majority gives 16, 32, 48 at n = 1, 10, 100 — exactly 16 + 16·log10 n — and n = 1000 has only
// one seed reaching (not reached under the majority rule).
const std::map<int, std::vector<int>> kPerSeed{
    {1, {16, 16, 32}}, {10, {32, 64, 32}}, {100, {-1, 48, 48}}, {1000, {-1, -1, 64}}};

RenderedReport WidthReportOn(const std::string& widths) {
  const Suite s = ParseSuite(
      "kind: width-vs-samples\ngrid:\n  n: [1, 10, 100, 1000]\n  widths: " + widths + "\n  seeds: 3\n", "t.yaml");
  std::vector<std::optional<CellRecord>> recs;
  for (const Cell& c : s.cells) {
    const int n = c.config["width_search"]["n"], k = c.config["seed_index"];
    recs.push_back(Record(c, WidthResult(n, kPerSeed.at(n)[k - 1])));
  }
  return RenderWidthReport(s, recs, kPaths);
}

TEST(WidthReportTest, MajorityOfSeedsAndTheBetterFit) {
  // A fine grid: m* is pinned to within 1, so the exact logarithmic law wins clearly.
  const RenderedReport r = WidthReportOn("[15, 16, 31, 32, 47, 48, 64]");
  EXPECT_TRUE(HasLine(r.markdown, "|n|seeds|per-seedm*|m*(n)|m*(n)/√n|iterationstoεatm*|iterationstoεatm=64|runs|")) << r.markdown;
  EXPECT_TRUE(HasLine(r.markdown, "|100|3|—,48,48|48|4.8|100±0|50±0(2/3)|5|")) << r.markdown;
  EXPECT_TRUE(HasLine(r.markdown, "|1000|3|—,—,64|notreached|—|50|50(1/3)|3|")) << r.markdown;
  EXPECT_NE(r.markdown.find("**logarithmic** m* = 16 + 6.95·ln n (RSS "), std::string::npos) << r.markdown;
  EXPECT_NE(r.markdown.find("At n = 1000 the largest width 64 did not reach ε under the rule"), std::string::npos);
  EXPECT_NE(r.markdown.find("From n = 1 to n = 100 (×100), m* went from 16 to 48 (×3)."), std::string::npos)
      << r.markdown;
  EXPECT_NE(r.markdown.find("The logarithmic fit has the smaller residuals"), std::string::npos) << r.markdown;
  EXPECT_NE(r.markdown.find("Seeds disagree: at n = 1 the seeds' m* range from 16 to 32."), std::string::npos);
  EXPECT_NE(r.markdown.find("hardly change with n (mean 50 at n = 1, 50 at n = 1e+03, where only 1 of 3 seeds reached "
                            "ε; ∝ n^0)"),
            std::string::npos)
      << r.markdown;
  EXPECT_NE(r.markdown.find("m*(n)/√n stays between 4.8 and 16: what parameter counting predicts"), std::string::npos)
      << r.markdown;
  EXPECT_NE(r.markdown.find("**Verdict for the paper's setting: inconclusive.**"), std::string::npos);
  EXPECT_EQ(r.files.count("/tmp/unused/r-mstar.svg"), 1u);
  EXPECT_EQ(r.files.count("/tmp/unused/r-final-loss.svg"), 1u);
  EXPECT_EQ(r.csv.size(), 13u);
}

TEST(WidthReportTest, ACoarseGridCannotTellTheLawsApart) {
  // The same m* on a grid of steps of 16: the power fit's excess RSS is below the quantisation noise.
  const RenderedReport r = WidthReportOn("[16, 32, 48, 64]");
  EXPECT_NE(r.markdown.find("differ by less than the grid's quantisation noise"), std::string::npos) << r.markdown;
  EXPECT_NE(r.markdown.find("the data cannot tell the two laws apart"), std::string::npos);
}

TEST(WidthReportTest, PowerLawDataPickThePowerFit) {
  const Suite s = ParseSuite("kind: width-vs-samples\ngrid:\n  n: [4, 16, 64, 256]\n  widths: [8, 16, 32, 64, 128]\n",
                             "t.yaml");
  const std::map<int, int> m_star{{4, 8}, {16, 16}, {64, 32}, {256, 64}};  // m* = 4·√n exactly
  std::vector<std::optional<CellRecord>> recs;
  for (const Cell& c : s.cells) {
    const int n = c.config["width_search"]["n"];
    recs.push_back(Record(c, WidthResult(n, m_star.at(n))));
  }
  const RenderedReport r = RenderWidthReport(s, recs, kPaths);
  EXPECT_NE(r.markdown.find("**power** m* = 4·n^0.5"), std::string::npos) << r.markdown;
  EXPECT_NE(r.markdown.find("The power law m* ∝ n^0.5 has the smaller residuals"), std::string::npos) << r.markdown;
}

// Tiny real runs through RunSuite and WriteReport: every file of the report is written.
TEST(TheoryReportTest, EndToEndWritesEveryFile) {
  const std::string dir = testing::TempDir();
  const std::vector<std::pair<std::string, std::vector<std::string>>> suites{
      {"kind: inversion\ngrid:\n  m: [8, 16]\n  d: [1, 2]\n  lengths: [1, 2]\n  n_train: 40\n  n_test: 10\n",
       {"-d1.svg", "-d2.svg"}},
      {"kind: convergence\ngrid:\n  m: [8, 16]\n  n: 2\n  L: 3\n  dx: 3\n  max_iters: 40\n",
       {"-movement.svg", "-loss.svg", "-hidden.svg"}},
      {"kind: width-vs-samples\ngrid:\n  n: [2, 3]\n  widths: [4, 8]\n  L: 2\n  dx: 2\n  max_iters: 50\n", {"-mstar.svg"}}};
  for (const auto& [yaml, svgs] : suites) {
    const Suite s = ParseSuite(yaml, "t.yaml");
    const ReportPaths paths = ReportPaths::For(dir + "/" + s.cells[0].kind + ".md");
    auto store = ResultStore::Open(paths.Sibling(".db"));
    RunOptions opt;
    opt.progress = false;
    ASSERT_TRUE(RunSuite(s, *store, opt).failures.empty());
    EXPECT_EQ(WriteReport(s, *store, paths), 0u);
    for (const std::string& sfx : {std::string(".md"), std::string(".csv"), std::string(".json")})
      EXPECT_TRUE(std::filesystem::exists(paths.Sibling(sfx))) << paths.Sibling(sfx);
    for (const auto& sfx : svgs) EXPECT_TRUE(std::filesystem::exists(paths.Sibling(sfx))) << paths.Sibling(sfx);
    const std::string md = testing::FileText(paths.markdown);
    EXPECT_NE(md.find("## Does the paper's claim hold here?"), std::string::npos);
    EXPECT_EQ(md.find("nan"), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

nlohmann::json CayciResult(bool reached, int iters, double min_rel, double alpha_m) {
  return {{"iterations", iters}, {"iters_to_epsilon", reached ? iters : -1}, {"diverged", false},
          {"min_rel_loss", min_rel}, {"final_rel_loss", min_rel}, {"alpha_m", alpha_m}, {"w_move", 0.1},
          {"u_move", 0.2}, {"y_rms", 0.5}, {"step", 0.01}};
}

TEST(CayciReportTest, MStarPerNAndItsFits) {
  const Suite s = ParseSuite("kind: cayci-eryilmaz\ngrid:\n  m: [8, 16, 32]\n  n: [4, 16, 64]\n  seeds: 3\n", "t.yaml");
  // Seeds reaching ε: n=4 from m=8, n=16 from m=16 (two of three at m=8: still a majority → m*=8? no: one of
  // three), n=64 from m=32.
  const std::map<int, int> first{{4, 8}, {16, 16}, {64, 32}};
  std::vector<std::optional<CellRecord>> recs;
  for (const Cell& c : s.cells) {
    const int m = c.config["cayci"]["m"], n = c.config["cayci"]["n"], seed = c.config["seed_index"];
    const bool reached = m >= first.at(n) || (n == 16 && m == 8 && seed == 1);
    recs.push_back(Record(c, CayciResult(reached, 100, reached ? 0.04 : 0.2, 0.5)));
  }
  const RenderedReport r = RenderCayciReport(s, recs, kPaths);
  // m* = 8, 16, 32 at n = 4, 16, 64 is exactly 4·n^½; by hand the log fit is −5.33 + 8.66·ln n, RSS 10.7.
  EXPECT_NE(LineStarting(r.markdown, Squeeze("| α=0.5 projected | 8 | 8 | 16 | 32 | -5.33 + 8.66·ln n (11) | 4·n^0.5 (")),
            "")
      << r.markdown;
  EXPECT_TRUE(HasLine(r.markdown, "|α=0.5projected|16|8|1/3:0.15±0.092|3/3:0.04±0|3/3:0.04±0|")) << r.markdown;
  EXPECT_NE(r.markdown.find("from n = 4 to n = 64 (×16), m* went from 8 to 32 (×4). The power law m* ∝ n^0.5 has "
                            "the smaller residuals"),
            std::string::npos)
      << r.markdown;
  EXPECT_NE(r.markdown.find("Only 3 values of n have an m*"), std::string::npos);
  EXPECT_NE(r.markdown.find("m* moves in 2 step(s) of the width grid over the 3 values of n"), std::string::npos);
  EXPECT_NE(r.markdown.find("What this experiment cannot show"), std::string::npos);
  EXPECT_EQ(r.csv.size(), 1 + s.cells.size());
}

TEST(CayciReportTest, MemoryCutoffBelowAndAbove) {
  const Suite s = ParseSuite(
      "kind: cayci-eryilmaz\ngrid:\n  m: 64\n  T: [2, 4, 8, 16]\n  alpha: [0.5, 1.5]\n  method: [projected, plain]\n",
      "t.yaml");
  // Below (α = 0.5): every T reaches ε, iterations 10·T². Above (α = 1.5): ε missed from T = 8 on, best error
  // 0.001·1.5^T; plain GD's error is half the projected one's.
  std::vector<std::optional<CellRecord>> recs;
  for (const Cell& c : s.cells) {
    const double alpha = c.config["cayci"]["alpha"];
    const int T = c.config["cayci"]["T"];
    const double plain = c.config["cayci"]["method"] == "plain" ? 0.5 : 1.0;
    if (alpha < 1) recs.push_back(Record(c, CayciResult(true, 10 * T * T, 0.001, alpha + 0.125)));
    else recs.push_back(Record(c, CayciResult(T < 8, T < 8 ? 100 : 2000, plain * 0.001 * std::pow(1.5, T), alpha + 0.125)));
  }
  const RenderedReport r = RenderCayciReport(s, recs, kPaths);
  EXPECT_NE(r.markdown.find("Below the cutoff (α_m < 1) (2 series): every T up to 16 reached ε in 2 of 2; over the T "
                            "that reached it, the iterations to ε go like T^p with p from 2 to 2;"),
            std::string::npos)
      << r.markdown;
  EXPECT_NE(r.markdown.find("Above it (α_m ≥ 1) (2 series): every T up to 16 reached ε in 0 of 2, and ε was missed "
                            "from T = 8 on in the other 2;"),
            std::string::npos);
  EXPECT_NE(r.markdown.find("changes ×1.5 to ×1.5 per step of T (exponential fit), and an exponential fits it better "
                            "than a power of T in 2 of 2"),
            std::string::npos);
  EXPECT_NE(r.markdown.find("The direction matches Remark 1"), std::string::npos);
  EXPECT_NE(r.markdown.find("Projected vs plain GD, best error at T = 16: α=0.5: projected 0.001, plain 0.001; α=1.5: "
                            "projected 0.66, plain 0.33."),
            std::string::npos);
  EXPECT_NE(r.markdown.find("polynomial, T^2"), std::string::npos);
}

// The renderer table (report.cc) and the kind registry (suite/kinds.cc) name the same kinds in the same order,
// so a new kind cannot run without a report, nor a renderer outlive its kind.
TEST(RendererTableTest, NamesTheSameKindsAsTheKindRegistry) {
  EXPECT_EQ(RendererKinds(), KindNames());
  for (const std::string& kind : KindNames()) EXPECT_NE(FindRenderer(kind), nullptr) << kind;
  EXPECT_THROW(FindRenderer("no-such-kind"), Error);
}

TEST(TheoryFormatTest, NumbersAndCounts) {
  EXPECT_EQ(Sig(0.0123456), "0.0123");
  EXPECT_EQ(Sig(12345.0), "1.23e+04");
  EXPECT_EQ(Sig(std::nan("")), "—");
  Stats s;
  s.mean = 0.1234;
  EXPECT_EQ(SigMeanStd(s), "0.123");
  s.std = 0.04567;
  EXPECT_EQ(SigMeanStd(s), "0.123 ± 0.046");
  s.mean = 1510.4;
  s.std = 31.6;
  EXPECT_EQ(IntMeanStd(s), "1510 ± 32");
  EXPECT_EQ(IntMeanStd(Stats{}), "—");
  EXPECT_TRUE(std::isnan(Num(nlohmann::json("3"))));
  EXPECT_EQ(Num(nlohmann::json(3)), 3.0);
  EXPECT_EQ(Text(nlohmann::json("sgd")), "sgd");
  EXPECT_EQ(Text(nlohmann::json(0.5)), "0.5");
  EXPECT_EQ(Csv(std::nan("")), "");
  EXPECT_EQ(Slug("solver=sgd n=5"), "solver-sgd-n-5");
  EXPECT_EQ(Count(2, 3), "2 of 3");
}

}  // namespace
}  // namespace flbench
