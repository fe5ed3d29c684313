// The theory kinds (inversion, convergence, width-vs-samples): grids expand to the expected cells, bad input
// fails at file:line:col, Run on tiny configurations returns the expected fields, and a rerun resumes.
#include <gtest/gtest.h>

#include <set>

#include "results/store.h"
#include "suite/kinds.h"
#include "suite/runner.h"
#include "suite/suite.h"
#include "testutil/paths.h"
#include "util/error.h"

namespace flbench {
namespace {

// The message of the Error that parsing `yaml` throws (fails the test if it parses).
std::string ParseError(const std::string& yaml) {
  try {
    ParseSuite(yaml, "t.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an error for:\n" << yaml;
  return "";
}

// Expects the error to start with `where` ("t.yaml:LINE:COL: ") and to contain `what`.
void ExpectError(const std::string& yaml, const std::string& where, const std::string& what) {
  const std::string msg = ParseError(yaml);
  EXPECT_EQ(msg.rfind(where, 0), 0u) << msg;
  EXPECT_NE(msg.find(what), std::string::npos) << msg;
}

// ---- inversion

const char* kInversion = R"(kind: inversion
seed: 5
grid:
  m: [16, 32]
  d: [2, 3]
  lengths: [1, 2]
  n_train: 200
  n_test: 50
  seeds: 2
)";

TEST(InversionKindTest, OneCellPerWidthDimensionAndSeed) {
  const Suite s = ParseSuite(kInversion, "t.yaml");
  EXPECT_EQ(s.kind, "inversion");
  ASSERT_EQ(s.cells.size(), 8u);  // 2 m × 2 d × 2 seeds; both lengths in each cell
  std::set<std::string> keys;
  std::map<int, std::set<uint64_t>> seeds_of_index;
  for (const Cell& c : s.cells) {
    keys.insert(c.key);
    EXPECT_EQ(c.kind, "inversion");
    EXPECT_EQ(c.config["kind"], "inversion");
    const auto& inv = c.config["inversion"];
    EXPECT_EQ(inv["lengths"], nlohmann::json::array({1, 2}));
    EXPECT_EQ(inv["n_train"], 200);
    EXPECT_EQ(inv["n_test"], 50);
    EXPECT_EQ(inv["solver"], "ridge");
    EXPECT_EQ(inv["w_var"], 2.0);
    seeds_of_index[c.config["seed_index"].get<int>()].insert(inv["seed"].get<uint64_t>());
    EXPECT_EQ(c.label, "m=" + inv["m"].dump() + " d=" + inv["d"].dump() + " seed " + c.config["seed_index"].dump());
    EXPECT_GT(c.cost, 0);
  }
  EXPECT_EQ(keys.size(), 8u);
  // A seed index has one seed at every (m, d) (paired comparisons); the two indices differ.
  ASSERT_EQ(seeds_of_index.size(), 2u);
  EXPECT_EQ(seeds_of_index[1].size(), 1u);
  EXPECT_EQ(seeds_of_index[2].size(), 1u);
  EXPECT_NE(*seeds_of_index[1].begin(), *seeds_of_index[2].begin());
  // Wider cells cost more, so the runner starts them first.
  double c16 = 0, c32 = 0;
  for (const Cell& c : s.cells) (c.config["inversion"]["m"] == 16 ? c16 : c32) = c.cost;
  EXPECT_GT(c32, c16);
}

TEST(InversionKindTest, NoGridMeansTheCoreDefaults) {
  const Suite s = ParseSuite("kind: inversion\n", "t.yaml");
  ASSERT_EQ(s.cells.size(), 1u);
  const auto& inv = s.cells[0].config["inversion"];
  EXPECT_EQ(inv["m"], 1000);
  EXPECT_EQ(inv["d"], 2);
  EXPECT_EQ(inv["lengths"], nlohmann::json::array({2, 4, 6}));
  EXPECT_EQ(inv["n_train"], 10000);
  EXPECT_EQ(inv["ridge_lambda"], 3e-2);
  EXPECT_EQ(inv["sgd_batch"], 128);
  EXPECT_EQ(s.cells[0].label, "seed 1");
}

TEST(InversionKindTest, SolverIsAnAxis) {
  const Suite s = ParseSuite("kind: inversion\ngrid:\n  m: 8\n  solver: [ridge, sgd]\n  seeds: [3, 7]\n", "t.yaml");
  ASSERT_EQ(s.cells.size(), 4u);
  EXPECT_EQ(s.cells[0].label, "solver=ridge seed 3");
  EXPECT_EQ(s.cells[3].label, "solver=sgd seed 7");
  EXPECT_EQ(s.cells[3].config["inversion"]["solver"], "sgd");
}

TEST(InversionKindTest, ErrorsAreLocated) {
  ExpectError("kind: inversion\ngrid:\n  m: [8]\n  widht: 3\n", "t.yaml:4:3: ", "unknown key 'widht' in grid");
  ExpectError("kind: inversion\ngrid:\n  m: abc\n", "t.yaml:3:6: ", "'m' must be an integer");
  ExpectError("kind: inversion\ngrid:\n  m: []\n", "t.yaml:3:6: ", "empty list");
  ExpectError("kind: inversion\ngrid:\n  d: 2\n  solver: lsq\n", "t.yaml:4:11: ", "'solver' must be one of ridge, sgd");
  ExpectError("kind: inversion\ngrid:\n  m: [8, 8]\n", "t.yaml:3:10: ", "lists the value 8 twice");
  ExpectError("kind: inversion\ngrid:\n  lengths: [2, 4, 2]\n", "t.yaml:3:12: ", "lists a length twice");
  ExpectError("kind: inversion\ngrid:\n  lengths: []\n", "t.yaml:3:12: ", "empty list");
  ExpectError("kind: inversion\ngrid:\n  seeds: 0\n", "t.yaml:3:10: ", "'seeds' is a count");
  ExpectError("kind: inversion\ngrid: [1, 2]\n", "t.yaml:2:7: ", "grid must be a mapping");
  ExpectError("kind: inversion\nreport:\n  tables: []\n", "t.yaml:3:3: ", "has no settings");
  ExpectError("kind: inversion\nlanguages: [parity]\n", "t.yaml:2:1: ", "unknown key 'languages' in suite");
  // The core's validation, located at the key its message names, with the grid point.
  ExpectError("kind: inversion\ngrid:\n  m: [8, -4]\n  d: 2\n", "t.yaml:3:6: ", "at m=-4: inversion config: m must be positive");
  ExpectError("kind: inversion\ngrid:\n  d: 2\n  n_test: 0\n", "t.yaml:4:11: ", "n_test must be >= 1");
  ExpectError("kind: inversion\ngrid:\n  solver: sgd\n  sgd_momentum: 1.5\n", "t.yaml:4:17: ", "sgd_momentum must be in [0, 1)");
}

TEST(InversionKindTest, RunReturnsOnePointPerLength) {
  const Suite s = ParseSuite("kind: inversion\ngrid:\n  m: 24\n  d: 2\n  lengths: [1, 3]\n  n_train: 100\n  n_test: 20\n",
                             "t.yaml");
  const nlohmann::json r = FindKind("inversion").Run(s.cells[0]);
  ASSERT_EQ(r["points"].size(), 2u);
  EXPECT_EQ(r["points"][0]["length"], 1);
  EXPECT_EQ(r["points"][1]["length"], 3);
  for (const auto& p : r["points"]) {
    for (const char* k : {"test_rel_l2", "test_linf", "train_rel_l2", "train_linf", "mean_h_norm"})
      EXPECT_TRUE(p[k].is_number()) << k;
    EXPECT_EQ(p["form"], "primal");  // m = 24 ≤ n_train = 100
    EXPECT_GE(p["test_rel_l2"].get<double>(), 0.0);
  }
  EXPECT_TRUE(r["summary"].is_string());
  EXPECT_EQ(r, FindKind("inversion").Run(s.cells[0])) << "a cell's result depends only on its config";
}

// ---- convergence

TEST(ConvergenceKindTest, OneCellPerWidthSamplesAndSeed) {
  const Suite s = ParseSuite("kind: convergence\ngrid:\n  m: [16, 64, 256]\n  n: [4, 8]\n  L: 4\n  eta0: 0.02\n  seeds: 2\n",
                             "t.yaml");
  ASSERT_EQ(s.cells.size(), 12u);
  std::set<std::string> keys;
  for (const Cell& c : s.cells) {
    keys.insert(c.key);
    const auto& cv = c.config["convergence"];
    EXPECT_EQ(c.config["kind"], "convergence");
    EXPECT_EQ(cv["L"], 4);
    EXPECT_EQ(cv["eta0"], 0.02);
    EXPECT_EQ(cv["activation"], "relu");
    EXPECT_EQ(cv["precision"], "float64");
    EXPECT_EQ(cv["max_iters"], 1000);
  }
  EXPECT_EQ(keys.size(), 12u);
  EXPECT_EQ(s.cells[0].label, "m=16 n=4 seed 1");
}

TEST(ConvergenceKindTest, ErrorsAreLocated) {
  ExpectError("kind: convergence\ngrid:\n  m: [16]\n  L: 1\n", "t.yaml:4:6: ", "L must be >= 2");
  ExpectError("kind: convergence\ngrid:\n  dx: [4, 1]\n", "t.yaml:3:7: ", "at dx=1: convergence config: dx must be >= 2");
  ExpectError("kind: convergence\ngrid:\n  activation: tanh\n", "t.yaml:3:15: ", "'activation' must be one of relu, linear");
  ExpectError("kind: convergence\ngrid:\n  eta0: fast\n", "t.yaml:3:9: ", "'eta0' must be a number");
  ExpectError("kind: convergence\ngrid:\n  m: {a: 1}\n", "t.yaml:3:6: ", "must be a single value");
}

TEST(ConvergenceKindTest, RunThinsTheCurvesKeepingFirstAndLast) {
  // epsilon 0 is never reached: all 700 iterations run, 701 loss values thinned to 500.
  const Suite s = ParseSuite(
      "kind: convergence\ngrid:\n  m: 12\n  n: 3\n  L: 3\n  dx: 3\n  max_iters: 700\n  epsilon: 0\n  eta0: 0.02\n", "t.yaml");
  const nlohmann::json r = FindKind("convergence").Run(s.cells[0]);
  EXPECT_EQ(r["iterations"], 700);
  EXPECT_EQ(r["iters_to_epsilon"], -1);
  ASSERT_EQ(r["loss"].size(), 500u);
  ASSERT_EQ(r["move_fro"].size(), 500u);
  ASSERT_EQ(r["curve_iters"].size(), 500u);
  EXPECT_EQ(r["curve_iters"].front(), 0);
  EXPECT_EQ(r["curve_iters"].back(), 700);
  for (size_t i = 1; i < r["curve_iters"].size(); ++i) EXPECT_GT(r["curve_iters"][i], r["curve_iters"][i - 1]);
  EXPECT_EQ(r["move_fro"].front(), 0.0);
  EXPECT_LT(r["loss"].back().get<double>(), r["loss"].front().get<double>());
  for (const char* k : {"rate", "log_slope", "move_spectral", "final_move_fro", "w0_spectral"})
    EXPECT_TRUE(r[k].is_number()) << k;
  EXPECT_EQ(r["hidden_norms"].size(), 3u);
  EXPECT_FALSE(r["diverged"].get<bool>());
  EXPECT_TRUE(r["summary"].is_string());
}

TEST(ConvergenceKindTest, ShortRunsKeepEveryPoint) {
  const Suite s = ParseSuite("kind: convergence\ngrid:\n  m: 8\n  n: 2\n  L: 2\n  dx: 2\n  max_iters: 20\n  epsilon: 0\n", "t.yaml");
  const nlohmann::json r = FindKind("convergence").Run(s.cells[0]);
  ASSERT_EQ(r["loss"].size(), 21u);
  EXPECT_EQ(r["curve_iters"][20], 20);
}

// ---- width-vs-samples

TEST(WidthKindTest, OneCellPerSamplesAndSeed) {
  const Suite s = ParseSuite(
      "kind: width-vs-samples\ngrid:\n  n: [4, 8, 16]\n  widths: [8, 16, 32]\n  L: 3\n  max_iters: 300\n  seeds: 3\n  rule: all\n",
      "t.yaml");
  ASSERT_EQ(s.cells.size(), 9u);
  std::set<uint64_t> base_seeds;
  for (const Cell& c : s.cells) {
    const auto& w = c.config["width_search"];
    EXPECT_EQ(c.config["kind"], "width-vs-samples");
    EXPECT_EQ(w["widths"], nlohmann::json::array({8, 16, 32}));
    EXPECT_EQ(w["num_seeds"], 1);
    EXPECT_EQ(w["train"]["L"], 3);
    EXPECT_EQ(w["train"]["max_iters"], 300);
    EXPECT_EQ(w["eta0_times_n"], 0.8);
    base_seeds.insert(w["base_seed"].get<uint64_t>());
  }
  EXPECT_EQ(base_seeds.size(), 3u) << "one base seed per seed index, the same at every n";
  EXPECT_EQ(s.report["rule"], "all");
  EXPECT_EQ(s.report["seeds"], 3);
  EXPECT_EQ(s.cells[0].label, "n=4 seed 1");
}

TEST(WidthKindTest, ErrorsAreLocated) {
  ExpectError("kind: width-vs-samples\ngrid:\n  widths: [32, 16]\n", "t.yaml:3:11: ", "sorted and distinct");
  ExpectError("kind: width-vs-samples\ngrid:\n  widths: [0, 16]\n", "t.yaml:3:11: ", "must be positive");
  ExpectError("kind: width-vs-samples\ngrid:\n  rule: [all, majority]\n", "t.yaml:3:9: ", "takes one value");
  ExpectError("kind: width-vs-samples\ngrid:\n  n: [4, 0]\n", "t.yaml:3:6: ", "at n=0: width search config: n must be positive");
  ExpectError("kind: width-vs-samples\ngrid:\n  epsilon: 0\n", "t.yaml:3:12: ", "epsilon must be > 0");
  ExpectError("kind: width-vs-samples\ngrid:\n  L: 1\n", "t.yaml:3:6: ", "L must be >= 2");
  ExpectError("kind: width-vs-samples\ngrid:\n  m: 16\n", "t.yaml:3:3: ", "unknown key 'm' in grid");
}

TEST(WidthKindTest, RunBisectsTheGrid) {
  const Suite s = ParseSuite(
      "kind: width-vs-samples\ngrid:\n  n: 2\n  widths: [4, 8, 16, 32]\n  L: 3\n  dx: 3\n  max_iters: 400\n  epsilon: 0.05\n",
      "t.yaml");
  const nlohmann::json r = FindKind("width-vs-samples").Run(s.cells[0]);
  EXPECT_EQ(r["n"], 2);
  ASSERT_FALSE(r["widths_probed"].empty());
  EXPECT_EQ(r["widths_probed"][0], 32) << "the bisection probes the largest width first";
  EXPECT_EQ(r["probes"].size(), r["widths_probed"].size()) << "one seed per cell: one run per probed width";
  const int m = r["m_star"];
  if (m > 0) {
    bool passed = false;
    for (const auto& p : r["probes"]) passed = passed || (p["m"] == m && p["reached"].get<bool>());
    EXPECT_TRUE(passed);
  }
  EXPECT_TRUE(r["summary"].is_string());
}

// ---- all kinds: a rerun resumes from the store

TEST(CayciKindTest, OneCellPerGridPointAndSeedWithThePapersDefaults) {
  const Suite s = ParseSuite(
      "kind: cayci-eryilmaz\ngrid:\n  m: [8, 16]\n  n: [4, 8]\n  alpha: [0.5, 1.5]\n  method: [projected, plain]\n"
      "  seeds: 2\n",
      "t.yaml");
  ASSERT_EQ(s.cells.size(), 32u);
  std::set<std::string> keys;
  for (const Cell& c : s.cells) {
    keys.insert(c.key);
    const auto& cv = c.config["cayci"];
    EXPECT_EQ(c.config["kind"], "cayci-eryilmaz");
    EXPECT_EQ(cv["T"], 8);
    EXPECT_EQ(cv["eta"], 0.0);  // the paper's 1/(T·√τ)
    EXPECT_EQ(cv["teacher_width"], 4096);
  }
  EXPECT_EQ(keys.size(), 32u);
  EXPECT_EQ(s.cells[0].label, "m=8 n=4 alpha=0.5 method=projected seed 1");
}

TEST(CayciKindTest, ErrorsAreLocated) {
  ExpectError("kind: cayci-eryilmaz\ngrid:\n  m: [8, 7]\n", "t.yaml:3:6: ", "m must be even");
  ExpectError("kind: cayci-eryilmaz\ngrid:\n  method: sgd\n", "t.yaml:3:11: ", "'method' must be one of projected, plain");
}

TEST(CayciKindTest, RunReportsTheBoundedQuantityAndAThinnedCurve) {
  const Suite s = ParseSuite(
      "kind: cayci-eryilmaz\ngrid:\n  m: 8\n  n: 3\n  T: 3\n  d: 2\n  teacher_width: 64\n  max_iters: 300\n"
      "  epsilon: 0\n",
      "t.yaml");
  const nlohmann::json r = FindKind("cayci-eryilmaz").Run(s.cells[0]);
  EXPECT_EQ(r["iterations"], 300);
  ASSERT_EQ(r["loss"].size(), 200u);
  EXPECT_EQ(r["curve_iters"].front(), 0);
  EXPECT_EQ(r["curve_iters"].back(), 300);
  EXPECT_LE(r["min_rel_loss"].get<double>(), r["final_rel_loss"].get<double>());
  EXPECT_LE(r["u_move"].get<double>(), 2.0 * (1 + 1e-12));  // projected with the default rho_u = 2
}

// ---- studies: several grids in one suite

TEST(TheoryStudiesTest, EachStudyOverridesTheBaseGridAndSharedPointsAreOneCell) {
  const Suite s = ParseSuite(R"(kind: convergence
grid:
  m: 16
  n: 4
  L: 3
  seeds: 2
studies:
  width: {m: [16, 32]}
  depth:
    L: [3, 5]
    seeds: 1
  sgd: {optimizer: [gd, sgd], batch: 2}
)",
                             "t.yaml");
  // width: 2 widths × 2 seeds; depth: L = 3 (seed 1 is the width study's m = 16 cell) and L = 5; sgd: the GD
  // point with batch 2 is the width study's m = 16 cells again (batch is not part of a GD config), SGD 2 new.
  ASSERT_EQ(s.cells.size(), 4u + 1u + 2u);
  const auto& studies = s.info["studies"];
  ASSERT_EQ(studies.size(), 3u);
  EXPECT_EQ(studies["width"], nlohmann::json({0, 1, 2, 3}));
  EXPECT_EQ(studies["depth"], nlohmann::json({0, 4}));
  EXPECT_EQ(studies["sgd"], nlohmann::json({0, 1, 5, 6}));
  EXPECT_EQ(s.cells[4].config["convergence"]["L"], 5);
  EXPECT_EQ(s.cells[4].config["convergence"]["n"], 4);  // from the base grid
  EXPECT_EQ(s.cells[5].config["convergence"]["optimizer"], "sgd");
  EXPECT_EQ(s.cells[5].config["convergence"]["batch"], 2);
  EXPECT_FALSE(s.cells[0].config["convergence"].contains("optimizer"));
  EXPECT_EQ(s.cells[0].label, "width: m=16 seed 1");
  EXPECT_EQ(s.cells[4].label, "depth: L=5 seed 1");
  std::set<std::string> keys;
  for (const Cell& c : s.cells) keys.insert(c.key);
  EXPECT_EQ(keys.size(), s.cells.size());
}

TEST(TheoryStudiesTest, ErrorsAreLocatedInsideTheStudy) {
  ExpectError("kind: convergence\ngrid:\n  n: 4\nstudies:\n  depth:\n    L: [3, 1]\n", "t.yaml:6:8: ",
              "at L=1: convergence config: L must be >= 2");
  ExpectError("kind: convergence\nstudies:\n  depth:\n    depth: 3\n", "t.yaml:4:5: ", "unknown key 'depth' in study 'depth'");
  ExpectError("kind: convergence\nstudies: [a, b]\n", "t.yaml:2:", "'studies' must be a mapping");
  ExpectError("kind: inversion\nstudies:\n  a: 3\n", "t.yaml:3:", "study 'a' must be a mapping");
  ExpectError("kind: convergence\nstudies:\n  s: {optimizer: sgd, n: 4, batch: 3}\n", "t.yaml:3:",
              "batch must be >= 1 and divide n");
}

TEST(TheoryStudiesTest, InversionStudiesGiveTwoSettings) {
  const Suite s = ParseSuite(R"(kind: inversion
grid:
  m: [16, 32]
  d: 2
  lengths: [1, 2]
  n_train: 100
  n_test: 20
studies:
  scaled: {seeds: 2}
  paper: {variance: absolute, w_var: 1.0, a_var: 1.0, solver: sgd}
)",
                             "t.yaml");
  ASSERT_EQ(s.cells.size(), 4u + 2u);
  EXPECT_EQ(s.cells[0].config["inversion"]["variance"], "per-width");
  EXPECT_EQ(s.cells[4].config["inversion"]["variance"], "absolute");
  EXPECT_EQ(s.cells[4].config["inversion"]["solver"], "sgd");
}

TEST(TheoryKindsTest, RerunRunsNothing) {
  const std::string dir = testing::TempDir();
  for (const char* yaml :
       {"kind: inversion\ngrid:\n  m: [8, 12]\n  d: 2\n  lengths: [1, 2]\n  n_train: 40\n  n_test: 10\n  seeds: 2\n",
        "kind: convergence\ngrid:\n  m: [8, 16]\n  n: 2\n  L: 3\n  dx: 3\n  max_iters: 30\n",
        "kind: width-vs-samples\ngrid:\n  n: [2, 3]\n  widths: [4, 8]\n  L: 2\n  dx: 2\n  max_iters: 50\n  seeds: 2\n"}) {
    const Suite s = ParseSuite(yaml, "t.yaml");
    auto store = ResultStore::Open(dir + "/" + s.cells[0].kind + ".db");
    RunOptions opt;
    opt.jobs = 2;
    opt.progress = false;
    const RunSummary first = RunSuite(s, *store, opt);
    EXPECT_TRUE(first.failures.empty()) << (first.failures.empty() ? "" : first.failures[0]);
    EXPECT_EQ(first.ran, s.cells.size());
    const RunSummary again = RunSuite(s, *store, opt);
    EXPECT_EQ(again.ran, 0u) << s.cells[0].kind;
    EXPECT_EQ(again.already, s.cells.size());
    for (const Cell& c : s.cells) {
      const auto rec = store->Get(c.key);
      ASSERT_TRUE(rec.has_value());
      EXPECT_EQ(rec->kind, c.kind);
      EXPECT_EQ(rec->config, c.config);
    }
  }
  std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace flbench
