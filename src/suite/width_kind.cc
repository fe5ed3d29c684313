// The "width-vs-samples" experiment kind: one cell per (n, other grid values, seed) bisects the width grid for
// that one seed with theory::RunWidthSearch; the report combines the seeds of an n by the suite's rule.
// Entry point: WidthKind. Schema: README "Suite files"; tested by tests/suite_theory_test.cc.
//
// Why one cell per seed rather than per n: the cells balance across cores (the largest n is a third of its
// work with 3 seeds, not all of it), a killed run loses at most one seed's search, and the report gets each
// seed's own m*, i.e. the spread over seeds. When passing is monotone in m for every seed (the assumption the
// bisection makes anyway), a width passes the majority rule iff at least ⌊k/2⌋+1 seeds have m*_seed ≤ m, so
// m*(n) is the (⌊k/2⌋+1)-th smallest per-seed m* (the largest for rule `all`): the value the core's joint
// search over k seeds returns. The price is that a seed's search cannot stop early once the others decide.
#include <fmt/format.h>

#include "suite/kinds.h"
#include "suite/theory_grid.h"
#include "theory/width_search.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/rng.h"

namespace flbench {

namespace {

using theory::ConvergenceConfig;
using theory::WidthSearchConfig;

std::vector<GridKey> GridKeys() {
  const WidthSearchConfig def;
  const nlohmann::json d = theory::ToJson(def);  // the core's defaults
  const nlohmann::json& t = d["train"];
  return {
      {"n", GridType::kInt, d["n"], {}},
      {"widths", GridType::kIntList, d["widths"], {}},
      {"rule", GridType::kString, d["rule"], {"majority", "all"}},
      {"eta0_times_n", GridType::kDouble, d["eta0_times_n"], {}},
      {"eta0", GridType::kDouble, t["eta0"], {}},
      {"L", GridType::kInt, t["L"], {}},
      {"dx", GridType::kInt, t["dx"], {}},
      {"dy", GridType::kInt, t["dy"], {}},
      {"w_var", GridType::kDouble, t["w_var"], {}},
      {"a_var", GridType::kDouble, t["a_var"], {}},
      {"b_var", GridType::kDouble, t["b_var"], {}},
      {"max_iters", GridType::kInt, t["max_iters"], {}},
      {"epsilon", GridType::kDouble, t["epsilon"], {}},
      {"activation", GridType::kString, t["activation"], {"relu", "linear"}},
      {"precision", GridType::kString, t["precision"], {"float64", "float32"}},
  };
}

// The core's configuration of one cell from a grid point (and the seed fields).
WidthSearchConfig FromPoint(const nlohmann::json& p, uint64_t base_seed) {
  WidthSearchConfig c;
  c.n = p["n"];
  c.widths = p["widths"].get<std::vector<int>>();
  c.eta0_times_n = p["eta0_times_n"];
  ConvergenceConfig& t = c.train;
  t.eta0 = p["eta0"];
  t.L = p["L"];
  t.dx = p["dx"];
  t.dy = p["dy"];
  t.w_var = p["w_var"];
  t.a_var = p["a_var"];
  t.b_var = p["b_var"];
  t.max_iters = p["max_iters"];
  t.epsilon = p["epsilon"];
  t.activation = p["activation"] == "linear" ? theory::Activation::kLinear : theory::Activation::kRelu;
  t.precision = p["precision"] == "float32" ? theory::Precision::kFloat32 : theory::Precision::kFloat64;
  // m, n and seed of `train` are set per probe by the search; the stored values only say what was probed last.
  t.m = c.widths.empty() ? 1 : c.widths.back();
  t.n = c.n;
  t.seed = base_seed;
  // One seed per cell: the rule is applied across cells by the report.
  c.num_seeds = 1;
  c.rule = theory::SeedRule::kAll;
  c.base_seed = base_seed;
  return c;
}

WidthSearchConfig FromJson(const nlohmann::json& j) {
  nlohmann::json p = j["train"];
  p["n"] = j["n"];
  p["widths"] = j["widths"];
  p["eta0_times_n"] = j["eta0_times_n"];
  return FromPoint(p, j["base_seed"].get<uint64_t>());
}

// The search probes the largest width first, then about log2(#widths) smaller ones; each probe is at most
// max_iters GD iterations of about 3·m²·n·L flops.
double Cost(const WidthSearchConfig& c) {
  const double wmax = c.widths.back();
  const double per_iter = 3 * wmax * wmax * c.n * c.train.L * (c.train.precision == theory::Precision::kFloat32 ? 0.5 : 1.0);
  return 1.5 * per_iter * (c.train.max_iters + 1);
}

class WidthKindImpl : public Kind {
 public:
  std::set<std::string> Keys() const override { return {"grid"}; }

  void Expand(const YamlReader& r, const YAML::Node& root, Suite& suite) const override {
    const TheoryGrid grid = ReadTheoryGrid(r, root, GridKeys());
    RejectReportSettings(r, root, "width-vs-samples");
    const auto& rules = grid.Values("rule");
    if (rules.size() > 1)
      r.Fail(grid.where.at("rule"), "'rule' combines the seeds of one n in the report; it takes one value, not a list");
    const std::vector<int> widths = grid.Values("widths")[0].get<std::vector<int>>();
    for (size_t i = 0; i < widths.size(); ++i) {
      const YAML::Node& at = grid.where.count("widths") ? grid.where.at("widths") : grid.node;
      if (widths[i] <= 0) r.Fail(at, fmt::format("'widths' must be positive, got {}", widths[i]));
      if (i > 0 && widths[i] <= widths[i - 1])
        r.Fail(at, fmt::format("'widths' must be sorted and distinct (the bisection grid); {} follows {}", widths[i],
                               widths[i - 1]));
    }
    const std::vector<std::string> varying = grid.Varying();
    for (const nlohmann::json& point : grid.Points()) {
      WidthSearchConfig check = FromPoint(point, 0);
      try {
        theory::ValidateWidthSearchConfig(check);
        ConvergenceConfig probe = check.train;  // what every probe will run, at the smallest width
        probe.m = widths.front();
        if (check.eta0_times_n > 0) probe.eta0 = check.eta0_times_n / check.n;
        theory::ValidateConvergenceConfig(probe);
        // At least W and the hidden states at the largest width (as convergence_kind.cc).
        const double m = widths.back();
        CheckMemory(8 * m * m + 8 * m * double(check.n) * check.train.L,
                    fmt::format("width-vs-samples with m = {}, n = {}", widths.back(), check.n), "; use smaller widths or n");
      } catch (const Error& e) {
        grid.FailValidation(r, e.what(), point);
      }
      // One seed index: the same base seed at every n (the data still differ: n sequences are drawn).
      AddSeedCells(grid, point, varying, "width-vs-samples", "width_search", suite, [&](uint64_t seed) {
        check = FromPoint(point, seed);
        return std::pair{theory::ToJson(check), Cost(check)};
      });
    }
    suite.report = {{"rule", rules[0]}, {"seeds", grid.seeds.size()}};
    suite.info = {{"varying", varying}};
  }

  nlohmann::json Run(const Cell& cell) const override {
    const WidthSearchConfig c = FromJson(cell.config.at("width_search"));
    nlohmann::json result = theory::ToJson(theory::RunWidthSearch(c));
    const int m = result["m_star"];
    result["summary"] = m > 0 ? fmt::format("m* = {}", m) : std::string("not reached at the largest width");
    return result;
  }
};

}  // namespace

const Kind& WidthKind() {
  static const WidthKindImpl kind;
  return kind;
}

}  // namespace flbench
