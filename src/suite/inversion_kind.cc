// The "inversion" experiment kind: one cell per (m, d, other grid values, seed) runs theory::RunInversion for
// every L in `lengths` at once (one recurrence serves all prefixes). Entry point: InversionKind.
// Schema: README "Suite files"; tested by tests/suite_theory_test.cc.
#include <fmt/format.h>

#include <algorithm>

#include "suite/kinds.h"
#include "suite/theory_grid.h"
#include "theory/inversion.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/rng.h"

namespace flbench {

namespace {

using theory::InversionConfig;
using theory::InversionSolver;

std::vector<GridKey> GridKeys() {
  const nlohmann::json d = theory::ToJson(InversionConfig{});  // the core's defaults
  return {
      {"m", GridType::kInt, d["m"], {}},
      {"d", GridType::kInt, d["d"], {}},
      {"lengths", GridType::kIntList, d["lengths"], {}},
      {"n_train", GridType::kInt, d["n_train"], {}},
      {"n_test", GridType::kInt, d["n_test"], {}},
      {"w_var", GridType::kDouble, d["w_var"], {}},
      {"a_var", GridType::kDouble, d["a_var"], {}},
      {"variance", GridType::kString, d["variance"], {"per-width", "absolute"}},
      {"solver", GridType::kString, d["solver"], {"ridge", "sgd"}},
      {"ridge_lambda", GridType::kDouble, d["ridge_lambda"], {}},
      {"sgd_batch", GridType::kInt, d["sgd_batch"], {}},
      {"sgd_momentum", GridType::kDouble, d["sgd_momentum"], {}},
      {"sgd_lr", GridType::kDouble, d["sgd_lr"], {}},
      {"sgd_epochs", GridType::kInt, d["sgd_epochs"], {}},
  };
}

// The core's configuration from a cell's "inversion" object (the form theory::ToJson writes).
InversionConfig FromJson(const nlohmann::json& j) {
  InversionConfig c;
  c.m = j["m"];
  c.d = j["d"];
  c.lengths = j["lengths"].get<std::vector<int>>();
  c.n_train = j["n_train"];
  c.n_test = j["n_test"];
  c.w_var = j["w_var"];
  c.a_var = j["a_var"];
  c.variance_per_width = j["variance"] != "absolute";
  c.solver = j["solver"] == "sgd" ? InversionSolver::kSgd : InversionSolver::kRidge;
  c.ridge_lambda = j["ridge_lambda"];
  c.sgd_batch = j["sgd_batch"];
  c.sgd_momentum = j["sgd_momentum"];
  c.sgd_lr = j["sgd_lr"];
  c.sgd_epochs = j["sgd_epochs"];
  c.seed = j["seed"];
  return c;
}

// Relative cost (flops, up to a constant): the float recurrence over train and test sequences, then per length
// the readout fit (ridge: Gram product and solve in the smaller dimension; SGD: epochs over the training set).
double Cost(const InversionConfig& c) {
  const double m = c.m, n = c.n_train, nt = c.n_test;
  const double lmax = *std::max_element(c.lengths.begin(), c.lengths.end());
  double cost = m * m * (n + nt) * lmax;
  for (int L : c.lengths) {
    if (c.solver == InversionSolver::kRidge) {
      const double k = std::min(m, n), big = std::max(m, n);
      cost += 2 * k * k * big + k * k * k / 3;  // fp64: counted twice as the float work
    } else {
      cost += 4.0 * c.sgd_epochs * n * m * L * c.d;
    }
  }
  return cost;
}

class InversionKindImpl : public Kind {
 public:
  std::set<std::string> Keys() const override { return {"grid", "studies"}; }

  void Expand(const YamlReader& r, const YAML::Node& root, Suite& suite) const override {
    const std::vector<TheoryStudy> studies = ReadTheoryStudies(r, root, GridKeys());
    RejectReportSettings(r, root, "inversion");
    for (const TheoryStudy& study : studies)
      if (auto it = study.grid.where.find("lengths"); it != study.grid.where.end()) {
        std::vector<int> lengths = study.grid.Values("lengths")[0].get<std::vector<int>>();
        std::sort(lengths.begin(), lengths.end());
        if (std::adjacent_find(lengths.begin(), lengths.end()) != lengths.end())
          r.Fail(it->second, "'lengths' lists a length twice");
      }
    ExpandStudies(studies, suite, [&](const TheoryStudy& study, const nlohmann::json& point) {
      const TheoryGrid& grid = study.grid;
      nlohmann::json cfg = point;
      cfg["seed"] = uint64_t{0};
      InversionConfig check = FromJson(cfg);
      try {
        theory::ValidateInversionConfig(check);
        // At least W (m × m floats) and the hidden states of every sequence (m × (n_train + n_test) floats).
        const double m = check.m;
        CheckMemory(4 * m * m + 4 * m * (double(check.n_train) + check.n_test),
                    fmt::format("inversion with m = {}, n_train = {}", check.m, check.n_train), "; use a smaller m");
      } catch (const Error& e) {
        grid.FailValidation(r, e.what(), point);
      }
      // The seed depends on the seed index only: every (m, d) of one seed index shares its test and training
      // sequences (for a given d), so differences across m are paired, not two independent draws.
      return AddSeedCells(grid, point, grid.Varying(), "inversion", "inversion", suite, [&](uint64_t seed) {
        check.seed = seed;
        return std::pair{theory::ToJson(check), Cost(check)};
      });
    });
    suite.report = nlohmann::json::object();
  }

  nlohmann::json Run(const Cell& cell) const override {
    const InversionConfig c = FromJson(cell.config.at("inversion"));
    nlohmann::json result = theory::ToJson(theory::RunInversion(c));
    const auto& last = result["points"].back();
    result["summary"] = fmt::format("rel-L2 {:.3g} at L={}", last["test_rel_l2"].get<double>(), last["length"].get<int>());
    return result;
  }
};

}  // namespace

const Kind& InversionKind() {
  static const InversionKindImpl kind;
  return kind;
}

}  // namespace flbench
