// The `grid:` of the theory kinds (inversion, convergence, width-vs-samples): a table of typed keys, each a
// single value or a list (a list is an axis of the grid), their Cartesian product, `seeds:`, and core
// validation errors located at the key they name. Entry points: GridKey, TheoryGrid, ReadTheoryGrid.
// Tested by tests/suite_theory_test.cc.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "suite/suite.h"
#include "util/yaml_reader.h"

namespace flbench {

enum class GridType {
  kInt,       // an integer
  kDouble,    // a number
  kString,    // one of GridKey::allowed
  kIntList,   // a list of integers that is one value (e.g. lengths, widths), never an axis
};

struct GridKey {
  std::string key;
  GridType type;
  nlohmann::json default_value;       // used when the grid does not set the key
  std::vector<std::string> allowed;   // kString only
};

struct TheoryGrid {
  // One entry per GridKey, in table order: the values the key takes (one unless the file gave a list).
  std::vector<std::pair<std::string, std::vector<nlohmann::json>>> axes;
  std::map<std::string, YAML::Node> where;  // key → the node that set it (absent for defaults)
  std::vector<int> seeds{1};                // seed indices: `seeds: N` gives 1..N, a list gives itself
  YAML::Node node;                          // the grid mapping, or the suite root when there is none

  // Every combination of the axes (last axis fastest), each an object key → value.
  std::vector<nlohmann::json> Points() const;
  // The values of `key` (which must be in the table).
  const std::vector<nlohmann::json>& Values(const std::string& key) const;
  // Keys that take more than one value (for labels).
  std::vector<std::string> Varying() const;
  // Throws the core's validation message located at the grid key it names (the first key that appears in
  // it as a whole word), else at the grid itself, prefixed with the grid point that failed.
  [[noreturn]] void FailValidation(const YamlReader& r, const std::string& message, const nlohmann::json& point) const;
};

// Reads root["grid"] (absent or empty: every default): unknown keys, wrong types, empty lists, values outside
// `allowed` and repeated list values are located errors. `seeds` is accepted besides the table's keys.
TheoryGrid ReadTheoryGrid(const YamlReader& r, const YAML::Node& root, const std::vector<GridKey>& keys);

// The studies of a theory suite. Without `studies:` the suite's `grid:` is the one study (name ""). With it,
// `studies:` maps a name to a grid mapping; each study is read like `grid:` with the `grid:` mapping's values
// as its defaults (a key the study sets replaces the base's), so one suite can sweep m in one study and L in
// another without their Cartesian product. Errors are located in the file as for `grid:`.
struct TheoryStudy {
  std::string name;
  TheoryGrid grid;
};
std::vector<TheoryStudy> ReadTheoryStudies(const YamlReader& r, const YAML::Node& root,
                                           const std::vector<GridKey>& keys);

// Rejects a `report:` section: the theory reports have no settings (the section may be absent or empty).
void RejectReportSettings(const YamlReader& r, const YAML::Node& root, const std::string& kind);

// The cells of one grid point, one per seed index s, appended to suite.cells: config
// {"kind": kind, section: <the core's config>, "seed_index": s}. `config_for(seed)` returns the core's
// config as JSON and the cell's cost, for seed = DeriveSeed(suite seed, "<kind>/seed/<s>") — the same at
// every grid point, so differences across m (or n) are paired. A cell whose config equals one already in the
// suite (two studies sharing a point) is not added twice. Returns the indices of the point's cells in
// suite.cells, one per seed index, new or shared.
std::vector<size_t> AddSeedCells(const TheoryGrid& grid, const nlohmann::json& point, const std::vector<std::string>& varying,
                  const std::string& kind, const std::string& section, Suite& suite,
                  const std::function<std::pair<nlohmann::json, double>(uint64_t seed)>& config_for);

// "key=value" for each varying key, then "seed S": the cell's label.
std::string GridLabel(const nlohmann::json& point, const std::vector<std::string>& varying, int seed_index);

// Every study's cells: `expand_point(study, point)` validates one grid point and adds its cells (through
// AddSeedCells, returning their indices); the indices are collected per study in suite.info["studies"]
// (name → cell indices, in order) and each new cell's label gets the study's name in front when there are
// several studies.
void ExpandStudies(const std::vector<TheoryStudy>& studies, Suite& suite,
                   const std::function<std::vector<size_t>(const TheoryStudy& study, const nlohmann::json& point)>&
                       expand_point);

}  // namespace flbench
