// The "convergence" experiment kind: one cell per (m, n, other grid values, seed) runs full-batch GD on W with
// theory::RunConvergence; its loss and movement curves are thinned to at most kCurvePoints points.
// Entry point: ConvergenceKind. Schema: README "Suite files"; tested by tests/suite_theory_test.cc.
#include <fmt/format.h>

#include "suite/kinds.h"
#include "suite/theory_grid.h"
#include "theory/convergence.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/rng.h"

namespace flbench {

namespace {

using theory::ConvergenceConfig;

constexpr size_t kCurvePoints = 500;

std::vector<GridKey> GridKeys() {
  const nlohmann::json d = theory::ToJson(ConvergenceConfig{});  // the core's defaults
  return {
      {"m", GridType::kInt, d["m"], {}},
      {"n", GridType::kInt, d["n"], {}},
      {"L", GridType::kInt, d["L"], {}},
      {"dx", GridType::kInt, d["dx"], {}},
      {"dy", GridType::kInt, d["dy"], {}},
      {"w_var", GridType::kDouble, d["w_var"], {}},
      {"a_var", GridType::kDouble, d["a_var"], {}},
      {"b_var", GridType::kDouble, d["b_var"], {}},
      {"eta0", GridType::kDouble, d["eta0"], {}},
      {"max_iters", GridType::kInt, d["max_iters"], {}},
      {"epsilon", GridType::kDouble, d["epsilon"], {}},
      {"activation", GridType::kString, d["activation"], {"relu", "linear"}},
      {"precision", GridType::kString, d["precision"], {"float64", "float32"}},
      {"optimizer", GridType::kString, "gd", {"gd", "sgd"}},  // ToJson writes these two for SGD only
      {"batch", GridType::kInt, ConvergenceConfig{}.batch, {}},
      {"step_rule", GridType::kString, "per-width", {"per-width", "init-gradient"}},  // also written only when set
  };
}

ConvergenceConfig FromJson(const nlohmann::json& j) {
  ConvergenceConfig c;
  c.m = j["m"];
  c.n = j["n"];
  c.L = j["L"];
  c.dx = j["dx"];
  c.dy = j["dy"];
  c.w_var = j["w_var"];
  c.a_var = j["a_var"];
  c.b_var = j["b_var"];
  c.eta0 = j["eta0"];
  c.max_iters = j["max_iters"];
  c.epsilon = j["epsilon"];
  c.activation = j["activation"] == "linear" ? theory::Activation::kLinear : theory::Activation::kRelu;
  c.precision = j["precision"] == "float32" ? theory::Precision::kFloat32 : theory::Precision::kFloat64;
  c.optimizer = j.value("optimizer", "gd") == "sgd" ? theory::Optimizer::kSgd : theory::Optimizer::kGd;
  c.batch = j.value("batch", c.batch);
  c.step_rule = j.value("step_rule", "per-width") == "init-gradient" ? theory::StepRule::kInitGradient
                                                                      : theory::StepRule::kPerWidth;
  c.seed = j["seed"];
  return c;
}

// One GD iteration costs about 3·m²·n·L flops (forward, backward, the gradient product); float32 half of that.
// An SGD epoch does that work in minibatch steps (slower per flop: narrow products) plus one full gradient.
double Cost(const ConvergenceConfig& c) {
  const double m = c.m;
  const double per_iter = 3 * m * m * c.n * c.L * (c.precision == theory::Precision::kFloat32 ? 0.5 : 1.0) *
                          (c.optimizer == theory::Optimizer::kSgd ? 1 + 4.0 / c.batch : 1.0);
  return per_iter * (c.max_iters + 1) + 2000.0 * m * m;  // + the spectral norms' power iterations (at most)
}

// Indices 0..size−1 thinned to at most max_points (≥ 2), evenly spaced, always keeping the first and the last.
std::vector<size_t> ThinCurve(size_t size, size_t max_points) {
  std::vector<size_t> idx;
  if (size <= max_points) {
    for (size_t i = 0; i < size; ++i) idx.push_back(i);
    return idx;
  }
  for (size_t k = 0; k < max_points; ++k)  // i_k = round(k·(size−1)/(max_points−1)): strictly increasing
    idx.push_back(static_cast<size_t>(static_cast<double>(k) * (size - 1) / (max_points - 1) + 0.5));
  return idx;
}

class ConvergenceKindImpl : public Kind {
 public:
  std::set<std::string> Keys() const override { return {"grid", "studies"}; }

  void Expand(const YamlReader& r, const YAML::Node& root, Suite& suite) const override {
    const std::vector<TheoryStudy> studies = ReadTheoryStudies(r, root, GridKeys());
    RejectReportSettings(r, root, "convergence");
    ExpandStudies(studies, suite, [&](const TheoryStudy& study, const nlohmann::json& point) {
      const TheoryGrid& grid = study.grid;
      nlohmann::json cfg = point;
      cfg["seed"] = uint64_t{0};
      ConvergenceConfig check = FromJson(cfg);
      try {
        theory::ValidateConvergenceConfig(check);
        // At least W (m × m doubles) and the hidden states of every sample and step (m × n × L doubles).
        const double m = check.m;
        CheckMemory(8 * m * m + 8 * m * double(check.n) * check.L,
                    fmt::format("convergence with m = {}, n = {}", check.m, check.n), "; use a smaller m or n");
      } catch (const Error& e) {
        grid.FailValidation(r, e.what(), point);
      }
      // One seed index gives the same data (x, y*) at every width (the core draws data independently of m).
      return AddSeedCells(grid, point, grid.Varying(), "convergence", "convergence", suite, [&](uint64_t seed) {
        check.seed = seed;
        return std::pair{theory::ToJson(check), Cost(check)};
      });
    });
    suite.report = nlohmann::json::object();
  }

  nlohmann::json Run(const Cell& cell) const override {
    const ConvergenceConfig c = FromJson(cell.config.at("convergence"));
    const theory::ConvergenceResult r = theory::RunConvergence(c);
    nlohmann::json result = theory::ToJson(r);
    // Curves: f(W(t)) and ‖W(t) − W(0)‖_F at the iterations in curve_iters (first and last always kept).
    nlohmann::json iters = nlohmann::json::array(), loss = nlohmann::json::array(), move = nlohmann::json::array();
    for (size_t i : ThinCurve(r.loss.size(), kCurvePoints)) {
      iters.push_back(i);
      loss.push_back(result["loss"][i]);
      move.push_back(result["move_fro"][i]);
    }
    result["curve_iters"] = iters;
    result["loss"] = loss;
    result["move_fro"] = move;
    const double rel = r.loss.front() > 0 ? r.loss.back() / r.loss.front() : 0.0;
    result["summary"] = r.diverged ? std::string("diverged")
                                   : fmt::format("f(T)/f(0) {:.2g} after {} its{}", rel, r.iterations,
                                                 r.iters_to_epsilon >= 0 ? " (reached ε)" : "");
    return result;
  }
};

}  // namespace

const Kind& ConvergenceKind() {
  static const ConvergenceKindImpl kind;
  return kind;
}

}  // namespace flbench
