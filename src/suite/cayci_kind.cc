// The "cayci-eryilmaz" experiment kind: one cell per (m, n, T, α, method, other grid values, seed) trains Cayci &
// Eryilmaz's diagonal tanh RNN on their realizable teacher with (projected) GD (theory::RunCayci); its loss
// curve is thinned to at most kCurvePoints points. Entry point: CayciKind. Schema: README "Suite files";
// tested by tests/suite_theory_test.cc.
#include <fmt/format.h>

#include <algorithm>

#include "suite/kinds.h"
#include "suite/theory_grid.h"
#include "theory/cayci.h"
#include "util/error.h"
#include "util/memory.h"

namespace flbench {

namespace {

using theory::CayciConfig;

constexpr size_t kCurvePoints = 200;

std::vector<GridKey> GridKeys() {
  const nlohmann::json d = theory::ToJson(CayciConfig{});  // the core's defaults
  return {
      {"m", GridType::kInt, d["m"], {}},
      {"n", GridType::kInt, d["n"], {}},
      {"T", GridType::kInt, d["T"], {}},
      {"d", GridType::kInt, d["d"], {}},
      {"alpha", GridType::kDouble, d["alpha"], {}},
      {"nu_u", GridType::kDouble, d["nu_u"], {}},
      {"nu_w", GridType::kDouble, d["nu_w"], {}},
      {"teacher_width", GridType::kInt, d["teacher_width"], {}},
      {"method", GridType::kString, d["method"], {"projected", "plain"}},
      {"rho_w", GridType::kDouble, d["rho_w"], {}},
      {"rho_u", GridType::kDouble, d["rho_u"], {}},
      {"eta", GridType::kDouble, d["eta"], {}},
      {"max_iters", GridType::kInt, d["max_iters"], {}},
      {"epsilon", GridType::kDouble, d["epsilon"], {}},
  };
}

CayciConfig FromJson(const nlohmann::json& j) {
  CayciConfig c;
  c.m = j["m"];
  c.n = j["n"];
  c.T = j["T"];
  c.d = j["d"];
  c.alpha = j["alpha"];
  c.nu_u = j["nu_u"];
  c.nu_w = j["nu_w"];
  c.teacher_width = j["teacher_width"];
  c.method = j["method"] == "plain" ? theory::CayciMethod::kPlain : theory::CayciMethod::kProjected;
  c.rho_w = j["rho_w"];
  c.rho_u = j["rho_u"];
  c.eta = j["eta"];
  c.max_iters = j["max_iters"];
  c.epsilon = j["epsilon"];
  c.seed = j["seed"];
  return c;
}

// Per iteration about m·n·T·(4d + 40) operations (two products with X, tanh, the recurrences); the teacher
// once M·n·T·(2d + 40).
double Cost(const CayciConfig& c) {
  const double steps = static_cast<double>(c.n) * c.T;
  return c.m * steps * (4.0 * c.d + 40) * (c.max_iters + 1) + c.teacher_width * steps * (2.0 * c.d + 40);
}

class CayciKindImpl : public Kind {
 public:
  std::set<std::string> Keys() const override { return {"grid"}; }

  void Expand(const YamlReader& r, const YAML::Node& root, Suite& suite) const override {
    const TheoryGrid grid = ReadTheoryGrid(r, root, GridKeys());
    RejectReportSettings(r, root, "cayci-eryilmaz");
    const std::vector<std::string> varying = grid.Varying();
    for (const nlohmann::json& point : grid.Points()) {
      nlohmann::json cfg = point;
      cfg["seed"] = uint64_t{0};
      CayciConfig check = FromJson(cfg);
      try {
        theory::ValidateCayciConfig(check);
        // At least the hidden states of every sample and step (m × n × T doubles) and W (m × d doubles).
        const double m = check.m;
        CheckMemory(8 * m * double(check.n) * check.T + 8 * m * check.d,
                    fmt::format("cayci-eryilmaz with m = {}, n = {}", check.m, check.n), "; use a smaller m or n");
      } catch (const Error& e) {
        grid.FailValidation(r, e.what(), point);
      }
      // One seed index gives the same inputs and teacher at every m, n and method (nested in n).
      AddSeedCells(grid, point, varying, "cayci-eryilmaz", "cayci", suite, [&](uint64_t seed) {
        check.seed = seed;
        return std::pair{theory::ToJson(check), Cost(check)};
      });
    }
    suite.report = nlohmann::json::object();
    suite.info = {{"varying", varying}};
  }

  nlohmann::json Run(const Cell& cell) const override {
    const CayciConfig c = FromJson(cell.config.at("cayci"));
    const theory::CayciResult r = theory::RunCayci(c);
    nlohmann::json result = theory::ToJson(r);
    double min_rel = 1e300;
    for (double f : r.loss) min_rel = std::min(min_rel, f / r.loss.front());
    result["min_rel_loss"] = min_rel;        // min_s R(Θ(s))/R(Θ(0)): the quantity Theorems 1–2 bound
    result["final_rel_loss"] = r.loss.back() / r.loss.front();
    nlohmann::json iters = nlohmann::json::array(), loss = nlohmann::json::array();
    const size_t size = r.loss.size();
    for (size_t k = 0; k < std::min(size, kCurvePoints); ++k) {  // evenly spaced, first and last kept
      const size_t i = size <= kCurvePoints ? k
                                            : static_cast<size_t>(static_cast<double>(k) * (size - 1) /
                                                                      (kCurvePoints - 1) + 0.5);
      iters.push_back(i);
      loss.push_back(r.loss[i]);
    }
    result["curve_iters"] = iters;
    result["loss"] = loss;
    result["summary"] = r.diverged ? std::string("diverged")
                                   : fmt::format("R/R0 {:.2g} after {} its{}", r.loss.back() / r.loss.front(),
                                                 r.iterations, r.iters_to_epsilon >= 0 ? " (reached ε)" : "");
    return result;
  }
};

}  // namespace

const Kind& CayciKind() {
  static const CayciKindImpl kind;
  return kind;
}

}  // namespace flbench
