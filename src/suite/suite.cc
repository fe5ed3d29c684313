// Suite files: the common keys, then the kind's Expand; keys are hashed into cell keys.
#include "util/hash.h"
#include "suite/suite.h"

#include <fmt/format.h>

#include <filesystem>
#include <set>

#include "results/store.h"
#include "suite/kinds.h"
#include "util/error.h"
#include "util/strings.h"
#include "util/files.h"
#include "util/yaml_reader.h"

#ifndef FLBENCH_SOURCE_DIR
#define FLBENCH_SOURCE_DIR "."
#endif

namespace flbench {

namespace fs = std::filesystem;

std::vector<SearchDir> SuiteSearchPath() { return SearchPath("FLBENCH_SUITES", "suites", FLBENCH_SOURCE_DIR); }

Suite ParseSuite(const std::string& text, const std::string& path) {
  YamlReader r(path);
  const YAML::Node root = r.Parse(text);
  if (!root.IsMap()) throw Error(path, 1, 1, "a suite file must be a YAML mapping (see README, 'Suite files')");
  Suite suite;
  suite.path = path;
  suite.name = fs::path(path).stem().string();
  suite.kind = "train";
  if (root["kind"]) suite.kind = r.Scalar(root["kind"], "kind");
  const Kind* kind = nullptr;
  try {
    kind = &FindKind(suite.kind);
  } catch (const Error& e) {
    r.Fail(root["kind"], e.what());
  }
  std::set<std::string> keys = kind->Keys();
  keys.insert({"name", "description", "kind", "seed", "report"});
  r.CheckKeys(root, keys, "suite");
  if (root["name"]) suite.name = r.Scalar(root["name"], "name");
  // The name becomes file names (reports/NAME.md, NAME.db): letters, digits, '.', '_', '-', not starting with '.'
  // (so never "..", a hidden file or a path).
  const bool name_ok = !suite.name.empty() && suite.name[0] != '.' && suite.name.size() <= 200 &&
                       suite.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
                           std::string::npos;
  if (!name_ok)
    r.Fail(root["name"] ? root["name"] : root,
           fmt::format("suite name '{}' must be letters, digits, '.', '_' or '-' (not starting with '.'){}", suite.name,
                       root["name"] ? "" : " (it is the file name: add `name: ...`)"));
  if (root["description"]) suite.description = r.Scalar(root["description"], "description");
  if (root["seed"]) suite.seed = r.UInt64(root["seed"], "seed");
  kind->Expand(r, root, suite);
  if (suite.cells.empty()) r.Fail(root, "the suite expands to no cells");
  std::set<std::string> seen;
  for (Cell& c : suite.cells) {
    c.kind = suite.kind;
    c.key = HashKey(c.config);
    if (!seen.insert(c.key).second)
      r.Fail(root, fmt::format("two cells have the same configuration ({}): remove the repeated grid value", c.label));
  }
  return suite;
}

Suite LoadSuite(const std::string& name_or_path) {
  std::string path = name_or_path;
  if (!LooksLikePath(name_or_path)) {
    const std::vector<SearchDir> search = SuiteSearchPath();
    auto found = FindYaml(search, name_or_path);
    if (!found) {
      std::vector<std::string> names;
      for (const YamlEntry& e : YamlCatalog(search)) names.push_back(e.name);
      throw Error(fmt::format("unknown suite '{}' (suites: {}; looked in {})", name_or_path, Join(names),
                              DescribeSearchPath(search)));
    }
    path = *found;
  }
  return ParseSuite(ReadTextFile(path, "suite file"), path);
}

}  // namespace flbench
