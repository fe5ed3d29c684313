// Experiment kinds: each reads its part of a suite file into cells, and runs one cell to a result
// JSON. The runner and the store see only Cell and JSON, so new kinds plug in without touching them.
// Entry points: Kind, FindKind, KindNames. The train kind is in train_kind.cc; Kind::RunGroup's default in runner.cc.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "suite/suite.h"
#include "util/yaml_reader.h"

namespace flbench {

// What a cell may write besides its result: files kept beside the results database.
struct RunContext {
  std::string models_dir;  // where a cell stores its model file (train suites with save_models); "" = nowhere
};

class Kind {
 public:
  virtual ~Kind() = default;
  // Top-level keys this kind accepts besides name, description, kind, seed and report.
  virtual std::set<std::string> Keys() const = 0;
  // Reads the kind's keys (and `report:`, which may be null) from the suite file and fills suite.cells,
  // suite.report and suite.info. Throws flbench::Error located in the file for bad input.
  virtual void Expand(const YamlReader& r, const YAML::Node& root, Suite& suite) const = 0;
  // Runs one cell (from the calling thread; cells run in parallel, so Run must be thread-safe).
  virtual nlohmann::json Run(const Cell& cell) const = 0;
  // The same with the run's context; the runner calls this one. Kinds that write no files keep the default.
  virtual nlohmann::json Run(const Cell& cell, const RunContext& ctx) const {
    (void)ctx;
    return Run(cell);
  }
  // One short phrase for the progress line about a result of Run ("test acc 0.982", "diverged"). The default
  // shows the result's "summary" string if it has one.
  virtual std::string Outcome(const nlohmann::json& result) const;
  // A stored result is untrusted: "" if it has what this kind's report reads, else what is wrong (the runner then
  // runs the cell again instead of counting it done). The default accepts any JSON object.
  virtual std::string CheckResult(const nlohmann::json& result) const {
    return result.is_object() ? "" : "not a JSON object";
  }

  // Cells with the same non-empty GroupKey may run together through RunGroup (train cells that share their data and
  // batch order train in lockstep); "" (the default): the cell runs alone through Run.
  virtual std::string GroupKey(const Cell&) const { return ""; }
  // Runs a group of cells (all with one GroupKey) from the calling thread, calling done(i, result, seconds) the moment
  // cells[i] finishes (seconds: its own compute time) or failed(i, message) for a cell that cannot run; every cell
  // gets exactly one of the two. A cell's result must be exactly what Run gives it alone. Default: Run each in turn.
  using GroupDone = std::function<void(size_t, nlohmann::json, double)>;
  using GroupFailed = std::function<void(size_t, const std::string&)>;
  virtual void RunGroup(const std::vector<const Cell*>& cells, const RunContext& ctx, const GroupDone& done,
                        const GroupFailed& failed) const;
};

// Throws flbench::Error listing the known kinds.
const Kind& FindKind(const std::string& name);
std::vector<std::string> KindNames();

const Kind& TrainKind();
const Kind& InversionKind();      // inversion_kind.cc
const Kind& ConvergenceKind();    // convergence_kind.cc
const Kind& WidthKind();          // width_kind.cc ("width-vs-samples")
const Kind& CayciKind();          // cayci_kind.cc ("cayci-eryilmaz")

}  // namespace flbench
