// The theory kinds' grid: typed keys, axes, their product, and located validation errors (theory_grid.h).
#include "suite/theory_grid.h"

#include "suite/limits.h"

#include "util/rng.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "util/error.h"
#include "util/strings.h"

namespace flbench {

namespace {

nlohmann::json ReadValue(const YamlReader& r, const YAML::Node& n, const GridKey& k) {
  switch (k.type) {
    case GridType::kInt:
      return r.Int(n, k.key);
    case GridType::kDouble:
      return r.Double(n, k.key);
    case GridType::kString: {
      const std::string s = r.Scalar(n, k.key);
      if (std::find(k.allowed.begin(), k.allowed.end(), s) == k.allowed.end())
        r.Fail(n, fmt::format("'{}' must be one of {}, got '{}'", k.key, Join(k.allowed), s));
      return s;
    }
    case GridType::kIntList: {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& x : r.ScalarOrList(n, k.key)) list.push_back(r.Int(x, k.key));
      return list;
    }
  }
  return nullptr;
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Position of `word` in `text` as a whole word (not inside a longer identifier), or npos.
size_t FindWord(const std::string& text, const std::string& word) {
  for (size_t p = text.find(word); p != std::string::npos; p = text.find(word, p + 1)) {
    const bool left = p == 0 || !IsWordChar(text[p - 1]);
    const bool right = p + word.size() == text.size() || !IsWordChar(text[p + word.size()]);
    if (left && right) return p;
  }
  return std::string::npos;
}

std::string ValueText(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

TheoryGrid ReadTheoryGrid(const YamlReader& r, const YAML::Node& root, const std::vector<GridKey>& keys) {
  TheoryGrid g;
  g.node.reset(root);
  const YAML::Node grid = root["grid"];
  const bool present = grid && !grid.IsNull();
  if (present) {
    std::set<std::string> allowed{"seeds"};
    for (const auto& k : keys) allowed.insert(k.key);
    r.CheckKeys(grid, allowed, "grid");
    g.node.reset(grid);
  }
  for (const GridKey& k : keys) {
    std::vector<nlohmann::json> values;
    const YAML::Node n = present ? grid[k.key] : YAML::Node();
    if (!present || !n) {
      values.push_back(k.default_value);
    } else {
      g.where.emplace(k.key, n);
      if (k.type == GridType::kIntList) {
        values.push_back(ReadValue(r, n, k));
      } else {
        std::set<std::string> seen;
        for (const auto& x : r.ScalarOrList(n, k.key)) {
          values.push_back(ReadValue(r, x, k));
          if (!seen.insert(values.back().dump()).second)
            r.Fail(x, fmt::format("'{}' lists the value {} twice", k.key, ValueText(values.back())));
        }
      }
    }
    g.axes.emplace_back(k.key, std::move(values));
  }
  if (present && grid["seeds"]) {
    const YAML::Node s = grid["seeds"];
    g.where.emplace("seeds", s);
    g.seeds = ReadSeeds(r, s);
  }
  double cells = static_cast<double>(g.seeds.size());
  for (const auto& axis : g.axes) cells *= static_cast<double>(axis.second.size());
  try {
    CheckGridSize(cells, "the grid");
  } catch (const Error& e) {
    r.Fail(g.node, e.what());
  }
  return g;
}

std::vector<nlohmann::json> TheoryGrid::Points() const {
  std::vector<nlohmann::json> out;
  std::vector<size_t> idx(axes.size(), 0);
  for (;;) {
    nlohmann::json p = nlohmann::json::object();
    for (size_t i = 0; i < axes.size(); ++i) p[axes[i].first] = axes[i].second[idx[i]];
    out.push_back(std::move(p));
    // Next index tuple (odometer, last axis fastest); stop after the last one.
    size_t i = axes.size();
    while (i > 0 && ++idx[i - 1] == axes[i - 1].second.size()) idx[--i] = 0;
    if (i == 0) break;
  }
  return out;
}

const std::vector<nlohmann::json>& TheoryGrid::Values(const std::string& key) const {
  for (const auto& [k, values] : axes)
    if (k == key) return values;
  throw Error("grid: no key '" + key + "'");
}

std::vector<std::string> TheoryGrid::Varying() const {
  std::vector<std::string> v;
  for (const auto& [key, values] : axes)
    if (values.size() > 1) v.push_back(key);
  return v;
}

void TheoryGrid::FailValidation(const YamlReader& r, const std::string& message, const nlohmann::json& point) const {
  // Skip the core's "xxx config: " prefix so its words do not match a key.
  const size_t colon = message.find(": ");
  const std::string body = colon == std::string::npos ? message : message.substr(colon + 2);
  size_t best = std::string::npos;
  const YAML::Node* at = &node;
  for (const auto& [key, n] : where) {
    const size_t p = FindWord(body, key);
    if (p < best) {
      best = p;
      at = &n;
    }
  }
  std::string where_text;
  for (const auto& key : Varying()) where_text += (where_text.empty() ? "" : " ") + key + "=" + ValueText(point[key]);
  r.Fail(*at, where_text.empty() ? message : fmt::format("at {}: {}", where_text, message));
}

void RejectReportSettings(const YamlReader& r, const YAML::Node& root, const std::string& kind) {
  const YAML::Node rep = root["report"];
  if (!rep || rep.IsNull()) return;
  if (!rep.IsMap() || rep.size() != 0)
    r.Fail(rep, fmt::format("the {} report has no settings: remove 'report:' (its tables and plots are fixed, see README)", kind));
}

std::string GridLabel(const nlohmann::json& point, const std::vector<std::string>& varying, int seed_index) {
  std::string label;
  for (const auto& key : varying) label += key + "=" + ValueText(point[key]) + " ";
  return label + "seed " + std::to_string(seed_index);
}

std::vector<size_t> AddSeedCells(const TheoryGrid& grid, const nlohmann::json& point,
                                 const std::vector<std::string>& varying, const std::string& kind,
                                 const std::string& section, Suite& suite,
                                 const std::function<std::pair<nlohmann::json, double>(uint64_t seed)>& config_for) {
  std::vector<size_t> indices;
  for (int s : grid.seeds) {
    auto [config, cost] = config_for(DeriveSeed(suite.seed, kind + "/seed/" + std::to_string(s)));
    Cell cell;
    cell.config = {{"kind", kind}, {section, std::move(config)}, {"seed_index", s}};
    size_t at = 0;
    while (at < suite.cells.size() && suite.cells[at].config != cell.config) ++at;
    if (at == suite.cells.size()) {
      cell.label = GridLabel(point, varying, s);
      cell.cost = cost;
      suite.cells.push_back(std::move(cell));
    }
    indices.push_back(at);
  }
  return indices;
}

std::vector<TheoryStudy> ReadTheoryStudies(const YamlReader& r, const YAML::Node& root,
                                           const std::vector<GridKey>& keys) {
  const YAML::Node studies = root["studies"];
  if (!studies || studies.IsNull()) return {{"", ReadTheoryGrid(r, root, keys)}};
  if (!studies.IsMap() || studies.size() == 0)
    r.Fail(studies, "'studies' must be a mapping from a study name to its grid keys (e.g. width: {m: [64, 128]})");
  const YAML::Node base = root["grid"];
  if (base && !base.IsNull() && !base.IsMap()) r.Fail(base, "'grid' must be a mapping of grid keys");
  std::vector<TheoryStudy> out;
  for (const auto& kv : studies) {
    const std::string name = kv.first.Scalar();
    const YAML::Node study = kv.second;
    if (study && !study.IsNull() && !study.IsMap())
      r.Fail(study, fmt::format("study '{}' must be a mapping of grid keys", name));
    // Keys checked where they are written (the merged mapping below has no positions of its own).
    std::set<std::string> allowed{"seeds"};
    for (const auto& k : keys) allowed.insert(k.key);
    if (study && study.IsMap()) r.CheckKeys(study, allowed, fmt::format("study '{}'", name));
    if (base && base.IsMap()) r.CheckKeys(base, allowed, "grid");
    // The study's grid: the base mapping's entries, then the study's (same nodes, so errors keep their place).
    YAML::Node merged(YAML::NodeType::Map);
    if (base && base.IsMap())
      for (const auto& e : base) merged[e.first.Scalar()] = e.second;
    if (study && study.IsMap())
      for (const auto& e : study) merged[e.first.Scalar()] = e.second;
    YAML::Node fake_root(YAML::NodeType::Map);
    fake_root["grid"] = merged;
    TheoryGrid grid = ReadTheoryGrid(r, fake_root, keys);
    grid.node.reset(study && study.IsMap() ? study : studies);
    out.push_back({name, std::move(grid)});
  }
  return out;
}

void ExpandStudies(const std::vector<TheoryStudy>& studies, Suite& suite,
                   const std::function<std::vector<size_t>(const TheoryStudy& study, const nlohmann::json& point)>&
                       expand_point) {
  nlohmann::json info = nlohmann::json::object();
  for (const TheoryStudy& study : studies) {
    const size_t before = suite.cells.size();
    nlohmann::json& indices = info[study.name] = nlohmann::json::array();
    for (const nlohmann::json& point : study.grid.Points())
      for (size_t i : expand_point(study, point)) indices.push_back(i);
    if (studies.size() > 1)
      for (size_t i = before; i < suite.cells.size(); ++i) suite.cells[i].label = study.name + ": " + suite.cells[i].label;
  }
  suite.info["studies"] = info;
}

}  // namespace flbench
