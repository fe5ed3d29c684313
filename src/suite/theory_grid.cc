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

void AddSeedCells(const TheoryGrid& grid, const nlohmann::json& point, const std::vector<std::string>& varying,
                  const std::string& kind, const std::string& section, Suite& suite,
                  const std::function<std::pair<nlohmann::json, double>(uint64_t seed)>& config_for) {
  for (int s : grid.seeds) {
    auto [config, cost] = config_for(DeriveSeed(suite.seed, kind + "/seed/" + std::to_string(s)));
    Cell cell;
    cell.config = {{"kind", kind}, {section, std::move(config)}, {"seed_index", s}};
    cell.label = GridLabel(point, varying, s);
    cell.cost = cost;
    suite.cells.push_back(std::move(cell));
  }
}

}  // namespace flbench
