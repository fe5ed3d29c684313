// A benchmark suite: a YAML file (suites/<name>.yaml) that declares a grid of cells and the report to
// build from them. The common keys are read here; each experiment kind (train, inversion, ...) reads
// its own keys and expands its grid (kinds.h). Entry points: LoadSuite, ParseSuite, Cell, Suite.
// Schema: README "Suite files". Tested by tests/suite_suite_test.cc (the search path:
// tests/util_files_test.cc, tests/install_test.sh).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/files.h"

namespace flbench {

struct Cell {
  std::string kind;
  nlohmann::json config;  // everything that determines the result; the key hashes it
  std::string key;        // HashKey(config)
  std::string label;      // short human description, e.g. "tomita3 relu m=8 lr=0.01 seed 2"
  double cost = 1;        // relative cost estimate: the runner starts expensive cells first
};

struct Suite {
  std::string name;  // the file stem unless `name:` says otherwise
  std::string path;
  std::string description;
  std::string kind;  // "train" (default), "inversion", "convergence", "width-vs-samples"
  uint64_t seed = 1;
  nlohmann::json report;  // the kind's report settings, validated and defaulted by the kind
  nlohmann::json info;    // kind-specific facts the report needs (e.g. languages with paper numbers)
  std::vector<Cell> cells;
};

// Where suite names are looked up, first match wins: the directories of $FLBENCH_SUITES (colon-separated;
// a missing one is an Error), ./suites, the installed share dir's suites/, the source tree's suites/.
std::vector<SearchDir> SuiteSearchPath();

// `name_or_path`: a suite name (file stem along SuiteSearchPath()) or a path. Throws flbench::Error naming
// file, line, column and key for every problem (unknown key, wrong type, empty grid, unknown language).
Suite LoadSuite(const std::string& name_or_path);
Suite ParseSuite(const std::string& yaml_text, const std::string& path);

}  // namespace flbench
