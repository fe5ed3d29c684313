// The "train" experiment kind: languages × grid of Elman-RNN hyperparameters × seeds, one cell each;
// a cell builds (or reuses) its language's dataset and trains. Schema: README "Suite files".
#include <fmt/format.h>

#include <future>
#include <map>
#include <memory>
#include <mutex>

#include "util/hash.h"
#include "lang/dataset_builder.h"
#include "lang/sampler.h"
#include "lang/spec.h"
#include "train/trainer.h"
#include "results/store.h"
#include "suite/kinds.h"
#include "util/error.h"
#include "util/strings.h"
#include "util/files.h"
#include "util/rng.h"

namespace flbench {

namespace {

enum class Type { kInt, kDouble, kString };

struct Axis {
  const char* key;      // in the suite file
  const char* section;  // "model" or "data" in the cell config
  Type type;
  std::vector<std::string> allowed;  // for strings; empty = any
};

// Grid keys (model hyperparameters). Every one may be a single value or a list (an axis of the grid).
const std::vector<Axis> kModelAxes = {
    {"width", "model", Type::kInt, {}},
    {"activation", "model", Type::kString, {"relu", "tanh", "sigmoid", "cos", "identity"}},
    {"init", "model", Type::kString, {"uniform", "gaussian", "identity", "orthogonal"}},
    {"optimizer", "model", Type::kString, {"sgd", "rmsprop", "adam"}},
    {"lr", "model", Type::kDouble, {}},
    {"momentum", "model", Type::kDouble, {}},
    {"alpha", "model", Type::kDouble, {}},
    {"beta1", "model", Type::kDouble, {}},
    {"beta2", "model", Type::kDouble, {}},
    {"eps", "model", Type::kDouble, {}},
    {"clip", "model", Type::kDouble, {}},
    {"batch", "model", Type::kInt, {}},
    {"epochs", "model", Type::kInt, {}},
    {"patience", "model", Type::kInt, {}},
    {"shard", "model", Type::kInt, {}},
};
// Data keys. task and negatives may be lists (axes); the others are single values.
const std::vector<Axis> kDataAxes = {
    {"task", "data", Type::kString, {"membership", "next-symbol"}},
    {"negatives", "data", Type::kString, {"uniform", "perturb"}},
};
const std::vector<std::string> kDataScalars = {"train", "validation", "test", "min_len", "max_len", "test_bins"};

// Axes a report table may use for rows or columns.
const std::set<std::string> kTableAxes = {"language", "task",  "negatives", "width", "activation", "init", "optimizer",
                                          "lr",       "momentum", "alpha", "clip",  "batch",      "epochs"};

nlohmann::json AxisValue(const YamlReader& r, const YAML::Node& n, const Axis& a) {
  switch (a.type) {
    case Type::kInt:
      return r.Int(n, a.key);
    case Type::kDouble:
      return r.Double(n, a.key);
    case Type::kString: {
      const std::string s = r.Scalar(n, a.key);
      if (!a.allowed.empty() && std::find(a.allowed.begin(), a.allowed.end(), s) == a.allowed.end())
        r.Fail(n, fmt::format("'{}' must be one of {}, got '{}'", a.key, Join(a.allowed), s));
      return s;
    }
  }
  return nullptr;
}

std::vector<std::pair<int, int>> ReadBins(const YamlReader& r, const YAML::Node& n) {
  std::vector<std::pair<int, int>> bins;
  if (!n.IsSequence()) r.Fail(n, "'test_bins' must be a list like [\"51-100\", \"101-150\"]");
  for (const auto& b : n) {
    const std::string s = r.Scalar(b, "test_bins");
    int lo = 0, hi = 0, used = 0;
    if (std::sscanf(s.c_str(), "%d-%d%n", &lo, &hi, &used) != 2 || used != static_cast<int>(s.size()) || lo < 0 || hi < lo)
      r.Fail(b, fmt::format("bad test bin '{}': expected \"LO-HI\" with 0 ≤ LO ≤ HI", s));
    bins.emplace_back(lo, hi);
  }
  return bins;
}

// Binds map[k] to node. (YAML::Node's operator= writes through to the node it already refers to, so
// a plain `map[k] = node` on an existing entry would overwrite the suite's defaults in place.)
void Set(std::map<std::string, YAML::Node>& map, const std::string& k, const YAML::Node& node) {
  auto it = map.find(k);
  if (it == map.end()) map.emplace(k, node);
  else it->second.reset(node);
}

// The settings that apply to one language: data keys and grid keys, each with the YAML node that
// set it (for error locations); later layers override earlier ones.
struct Layered {
  std::map<std::string, YAML::Node> data;  // key → node (scalar or list)
  std::map<std::string, YAML::Node> grid;
};

void Overlay(const YamlReader& r, const YAML::Node* data_ptr, const YAML::Node* grid_ptr, Layered& out) {
  if (data_ptr) {
    const YAML::Node& data = *data_ptr;
    std::set<std::string> keys(kDataScalars.begin(), kDataScalars.end());
    for (const auto& a : kDataAxes) keys.insert(a.key);
    r.CheckKeys(data, keys, "data");
    for (auto it = data.begin(); it != data.end(); ++it) Set(out.data, it->first.Scalar(), it->second);
  }
  if (grid_ptr) {
    const YAML::Node& grid = *grid_ptr;
    std::set<std::string> keys{"seeds"};
    for (const auto& a : kModelAxes) keys.insert(a.key);
    r.CheckKeys(grid, keys, "grid");
    for (auto it = grid.begin(); it != grid.end(); ++it) Set(out.grid, it->first.Scalar(), it->second);
  }
}

class TrainKindImpl : public Kind {
 public:
  std::set<std::string> Keys() const override { return {"data", "grid", "languages"}; }

  void Expand(const YamlReader& r, const YAML::Node& root, Suite& suite) const override {
    if (!root["languages"]) r.Fail(root, "a train suite needs 'languages' (a list of language names or {name: ...} entries)");
    const YAML::Node langs = root["languages"];
    if (!langs.IsSequence() || langs.size() == 0) r.Fail(langs, "'languages' must be a non-empty list");
    Layered base;
    const YAML::Node data = root["data"], grid = root["grid"];
    Overlay(r, data ? &data : nullptr, grid ? &grid : nullptr, base);

    suite.report = ReadReport(r, root["report"]);
    bool best_epoch = false;
    for (const auto& t : suite.report["tables"]) best_epoch = best_epoch || t["select"] == "best-epoch-on-test";

    nlohmann::json info_langs = nlohmann::json::array();
    std::set<std::string> lang_names;
    for (const auto& entry : langs) {
      Layered layer = base;
      YAML::Node name_node;
      name_node.reset(entry);
      nlohmann::json reference = nlohmann::json::object();
      if (entry.IsMap()) {
        std::set<std::string> keys{"name", "grid", "reference", "data"};
        keys.insert(kDataScalars.begin(), kDataScalars.end());
        for (const auto& a : kDataAxes) keys.insert(a.key);
        r.CheckKeys(entry, keys, "language entry");
        if (!entry["name"]) r.Fail(entry, "language entry needs 'name'");
        name_node.reset(entry["name"]);
        if (const YAML::Node d = entry["data"]) Overlay(r, &d, nullptr, layer);
        // Data keys written directly in the entry (train: 50) are allowed too.
        for (auto it = entry.begin(); it != entry.end(); ++it) {
          const std::string k = it->first.Scalar();
          if (k != "name" && k != "grid" && k != "reference" && k != "data") Set(layer.data, k, it->second);
        }
        if (const YAML::Node g = entry["grid"]) Overlay(r, nullptr, &g, layer);
        if (entry["reference"]) {
          const YAML::Node ref = entry["reference"];
          if (!ref.IsMap()) r.Fail(ref, "'reference' must map a column value to the paper's number, e.g. {relu: 1.0, tanh: 0.99}");
          for (auto it = ref.begin(); it != ref.end(); ++it)
            reference[r.Scalar(it->first, "reference key")] = r.Double(it->second, "reference value");
        }
      }
      const std::string lang_name = r.Scalar(name_node, "language");
      if (!lang_names.insert(lang_name).second) r.Fail(name_node, fmt::format("language '{}' listed twice", lang_name));
      std::shared_ptr<const Language> lang;
      try {
        lang = LoadLanguage(lang_name);
      } catch (const Error& e) {
        r.Fail(name_node, e.what());
      }
      info_langs.push_back(ExpandLanguage(r, name_node, *lang, layer, reference, best_epoch, suite));
    }
    suite.info = {{"languages", info_langs}};
    Label(suite);
  }

  nlohmann::json Run(const Cell& cell) const override {
    const nlohmann::json& c = cell.config;
    std::shared_ptr<const BuiltDataset> data = GetDataset(c["language"].get<std::string>(), c["data"]);
    TrainConfig cfg = ModelConfig(c["model"]);
    nlohmann::json result = ToJson(Train(data->dataset, cfg));
    if (!data->notes.empty()) result["data_notes"] = data->notes;
    nlohmann::json sizes = {{"train", data->dataset.train.examples.size()},
                            {"validation", data->dataset.validation.examples.size()}};
    for (const auto& t : data->dataset.tests) sizes[t.name] = t.examples.size();
    result["data_sizes"] = sizes;
    return result;
  }

 private:
  static TrainConfig ModelConfig(const nlohmann::json& m) {
    TrainConfig t;
    t.activation = m["activation"];
    t.width = m["width"];
    t.init = m["init"];
    t.optimizer = m["optimizer"];
    t.lr = m["lr"];
    t.momentum = m["momentum"];
    t.alpha = m["alpha"];
    t.beta1 = m["beta1"];
    t.beta2 = m["beta2"];
    t.eps = m["eps"];
    t.clip = m["clip"];
    t.batch = m["batch"];
    t.epochs = m["epochs"];
    t.patience = m["patience"];
    t.shard = m["shard"];
    t.eval_each_epoch = m["eval_each_epoch"];
    t.seed = m["seed"];
    t.threads = 1;  // parallelism is across cells
    return t;
  }

  static DatasetSpec DataSpec(const nlohmann::json& d) {
    DatasetSpec s;
    s.task = d["task"] == "next-symbol" ? Task::kNextSymbol : Task::kMembership;
    s.negatives = d["negatives"] == "perturb" ? Negatives::kPerturb : Negatives::kUniform;
    s.train = d["train"];
    s.validation = d["validation"];
    s.test = d["test"];
    s.min_len = d["min_len"];
    s.max_len = d["max_len"];
    for (const auto& b : d["test_bins"]) s.test_bins.emplace_back(b[0].get<int>(), b[1].get<int>());
    s.seed = d["seed"];
    return s;
  }

  struct BuiltDataset {
    Dataset dataset;
    std::vector<std::string> notes;  // e.g. "only 49 members …; took them all"
  };

  // One dataset per (language, data config), built once even when many cells ask at the same time.
  std::shared_ptr<const BuiltDataset> GetDataset(const std::string& lang, const nlohmann::json& data) const {
    const std::string key = lang + "|" + data.dump();
    std::shared_future<std::shared_ptr<const BuiltDataset>> fut;
    std::promise<std::shared_ptr<const BuiltDataset>> promise;
    bool build = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = datasets_.find(key);
      if (it == datasets_.end()) {
        fut = promise.get_future().share();
        datasets_.emplace(key, fut);
        build = true;
      } else {
        fut = it->second;
      }
    }
    if (build) {
      try {
        auto language = LoadLanguage(lang);
        auto built = std::make_shared<BuiltDataset>();
        built->dataset = BuildDataset(*language, DataSpec(data), &built->notes);
        promise.set_value(std::move(built));
      } catch (...) {
        promise.set_exception(std::current_exception());
      }
    }
    return fut.get();
  }

  nlohmann::json ReadReport(const YamlReader& r, const YAML::Node& node) const {
    nlohmann::json report = {{"tables", nlohmann::json::array()}, {"plots", nlohmann::json::array()}};
    if (!node) {
      report["tables"].push_back({{"title", "Test accuracy"}, {"rows", {"language"}}, {"columns", "activation"},
                                  {"select", "validation"}, {"statistics", {"mean_std", "max"}}, {"reference", true},
                                  {"smallest_width", nullptr}});
      report["plots"] = {"accuracy-vs-width", "learning-curves"};
      return report;
    }
    r.CheckKeys(node, {"tables", "plots"}, "report");
    if (node["tables"]) {
      const YAML::Node tables = node["tables"];
      if (!tables.IsSequence() || tables.size() == 0) r.Fail(tables, "'tables' must be a non-empty list");
      for (const auto& t : tables) {
        r.CheckKeys(t, {"title", "rows", "columns", "select", "statistics", "reference", "smallest_width"}, "table");
        nlohmann::json table = {{"title", "Test accuracy"}, {"rows", {"language"}}, {"columns", "activation"},
                                {"select", "validation"}, {"statistics", {"mean_std", "max"}}, {"reference", true},
                                {"smallest_width", nullptr}};
        if (t["title"]) table["title"] = r.Scalar(t["title"], "title");
        auto axis = [&](const YAML::Node& n) {
          const std::string a = r.Scalar(n, "axis");
          if (!kTableAxes.count(a))
            r.Fail(n, fmt::format("unknown axis '{}' (axes: {})", a,
                                  Join(std::vector<std::string>(kTableAxes.begin(), kTableAxes.end()))));
          return a;
        };
        if (t["rows"]) {
          table["rows"] = nlohmann::json::array();
          for (const auto& n : r.ScalarOrList(t["rows"], "rows")) table["rows"].push_back(axis(n));
        }
        if (t["columns"]) table["columns"] = axis(t["columns"]);
        if (t["select"]) {
          const std::string s = r.Scalar(t["select"], "select");
          if (s != "validation" && s != "best-epoch-on-test" && s != "final-test")
            r.Fail(t["select"], fmt::format("'select' must be validation, best-epoch-on-test or final-test, got '{}'", s));
          table["select"] = s;
        }
        if (t["statistics"]) {
          table["statistics"] = nlohmann::json::array();
          for (const auto& n : r.ScalarOrList(t["statistics"], "statistics")) {
            const std::string s = r.Scalar(n, "statistics");
            if (s != "mean_std" && s != "max" && s != "min")
              r.Fail(n, fmt::format("statistic must be mean_std, max or min, got '{}'", s));
            table["statistics"].push_back(s);
          }
        }
        if (t["reference"]) table["reference"] = r.Bool(t["reference"], "reference");
        if (t["smallest_width"]) {
          const double th = r.Double(t["smallest_width"], "smallest_width");
          if (th <= 0 || th > 1) r.Fail(t["smallest_width"], "'smallest_width' is an accuracy threshold in (0, 1]");
          table["smallest_width"] = th;
        }
        report["tables"].push_back(table);
      }
    }
    if (node["plots"]) {
      for (const auto& n : r.ScalarOrList(node["plots"], "plots")) {
        const std::string p = r.Scalar(n, "plots");
        if (p != "accuracy-vs-width" && p != "learning-curves")
          r.Fail(n, fmt::format("unknown plot '{}' (plots: accuracy-vs-width, learning-curves)", p));
        report["plots"].push_back(p);
      }
    }
    return report;
  }

  nlohmann::json ExpandLanguage(const YamlReader& r, const YAML::Node& at, const Language& lang, const Layered& layer,
                                const nlohmann::json& reference, bool best_epoch, Suite& suite) const {
    // Data: defaults, then the layers.
    nlohmann::json data = {{"train", 1000}, {"validation", 0}, {"test", 200}, {"min_len", 2}, {"max_len", 50},
                           {"test_bins", nlohmann::json::array()}};
    std::vector<std::pair<std::string, std::vector<nlohmann::json>>> axes;  // grid axes in a fixed order
    std::map<std::string, YAML::Node> where;
    for (const auto& key : kDataScalars) {
      auto it = layer.data.find(key);
      if (it == layer.data.end()) continue;
      Set(where, key, it->second);
      if (key == "test_bins") {
        data[key] = nlohmann::json::array();
        for (auto [lo, hi] : ReadBins(r, it->second)) data[key].push_back({lo, hi});
      } else if (key == "min_len" || key == "max_len") {
        data[key] = r.Int(it->second, key);
      } else {
        const int64_t v = r.Int64(it->second, key);
        if (v < 0) r.Fail(it->second, fmt::format("'{}' must be ≥ 0", key));
        data[key] = v;
      }
    }
    auto axis_values = [&](const Axis& a, const YAML::Node& n) {
      std::vector<nlohmann::json> values;
      for (const auto& v : r.ScalarOrList(n, a.key)) values.push_back(AxisValue(r, v, a));
      return values;
    };
    const std::map<std::string, nlohmann::json> model_defaults = {
        {"width", 32},   {"activation", "tanh"}, {"init", "uniform"}, {"optimizer", "rmsprop"}, {"lr", 0.01},
        {"momentum", 0.0}, {"alpha", 0.99},      {"beta1", 0.9},      {"beta2", 0.999},         {"eps", 1e-8},
        {"clip", 0.0},   {"batch", 32},          {"epochs", 100},     {"patience", 3},          {"shard", 16}};
    for (const Axis& a : kDataAxes) {
      auto it = layer.data.find(a.key);
      axes.push_back({a.key, it == layer.data.end()
                                 ? std::vector<nlohmann::json>{a.key == std::string("task") ? "membership" : "uniform"}
                                 : axis_values(a, it->second)});
      if (it != layer.data.end()) Set(where, a.key, it->second);
    }
    for (const Axis& a : kModelAxes) {
      auto it = layer.grid.find(a.key);
      axes.push_back({a.key, it == layer.grid.end() ? std::vector<nlohmann::json>{model_defaults.at(a.key)}
                                                    : axis_values(a, it->second)});
      if (it != layer.grid.end()) Set(where, a.key, it->second);
    }
    std::vector<int> seeds{1};
    if (auto it = layer.grid.find("seeds"); it != layer.grid.end()) {
      Set(where, "seeds", it->second);
      seeds.clear();
      if (it->second.IsSequence()) {
        for (const auto& s : r.ScalarOrList(it->second, "seeds")) seeds.push_back(r.Int(s, "seeds"));
      } else {
        const int n = r.Int(it->second, "seeds");
        if (n < 1 || n > 1000) r.Fail(it->second, "'seeds' is a count from 1 to 1000, or a list of seed numbers");
        for (int i = 1; i <= n; ++i) seeds.push_back(i);
      }
    }
    auto fail_at = [&](const std::string& key, const std::string& what) {
      auto it = where.find(key);
      r.Fail(it != where.end() ? it->second : at, fmt::format("language {}: {}", lang.name(), what));
    };

    // The dataset must be buildable: check every length range has members (and non-members for membership).
    const DatasetSpec probe = [&] {
      nlohmann::json d = data;
      d["task"] = "membership";
      d["negatives"] = "uniform";
      d["seed"] = 0;
      return DataSpec(d);
    }();
    if (probe.max_len < probe.min_len || probe.min_len < 0)
      fail_at("max_len", fmt::format("bad length range [{}, {}]", probe.min_len, probe.max_len));
    std::vector<std::pair<int, int>> ranges{{probe.min_len, probe.max_len}};
    ranges.insert(ranges.end(), probe.test_bins.begin(), probe.test_bins.end());
    for (auto [lo, hi] : ranges) {
      RangeSampler range(lang, lo, hi);
      if (range.Lengths(true).empty())
        fail_at(lo == probe.min_len && hi == probe.max_len ? "min_len" : "test_bins",
                fmt::format("no members with length in [{}, {}]", lo, hi));
    }

    const uint64_t data_seed = DeriveSeed(suite.seed, "data/" + lang.name());
    // The language's definition is part of every cell key: editing the file invalidates its cells.
    const std::string digest = HashKey({{"file", ReadTextFile(lang.path(), "language file")}, {"alphabet", lang.alphabet()}});

    // Cartesian product of the axes, last axis fastest; then seeds.
    std::vector<size_t> idx(axes.size(), 0);
    double avg_len = (probe.min_len + probe.max_len) / 2.0;
    for (;;) {
      nlohmann::json d = data;
      nlohmann::json m = nlohmann::json::object();
      for (size_t i = 0; i < axes.size(); ++i) {
        const std::string& k = axes[i].first;
        const nlohmann::json& v = axes[i].second[idx[i]];
        if (k == "task" || k == "negatives") d[k] = v;
        else m[k] = v;
      }
      d["seed"] = data_seed;
      if (d["task"] == "next-symbol" && d["min_len"].get<int>() < 1)
        fail_at("min_len", "the next-symbol task needs min_len ≥ 1");
      m["eval_each_epoch"] = best_epoch;
      {
        TrainConfig check = ModelConfig([&] {
          nlohmann::json mm = m;
          mm["seed"] = 0;
          return mm;
        }());
        try {
          ValidateTrainConfig(check);
        } catch (const Error& e) {
          // Locate the error at the grid key whose value alone (others at their defaults) is invalid.
          std::string key;
          for (const auto& [k, v] : model_defaults) {
            nlohmann::json alone = nlohmann::json(model_defaults);
            alone[k] = m[k];
            alone["eval_each_epoch"] = false;
            alone["seed"] = 0;
            try {
              ValidateTrainConfig(ModelConfig(alone));
            } catch (const Error&) {
              key = k;
              break;
            }
          }
          fail_at(key, e.what());
        }
      }
      for (int s : seeds) {
        nlohmann::json config = {{"kind", "train"}, {"language", lang.name()}, {"language_digest", digest},
                                 {"data", d},       {"model", m},            {"seed_index", s}};
        config["model"]["seed"] = DeriveSeed(suite.seed, config.dump());
        Cell cell;
        cell.config = std::move(config);
        const double width = m["width"].get<int>();
        cell.cost = static_cast<double>(d["train"].get<int64_t>() + d["test"].get<int64_t>()) * avg_len *
                    m["epochs"].get<int>() * (width * width + 900);  // a step costs ~ m² + 900 (train_bench)
        suite.cells.push_back(std::move(cell));
      }
      // Next index tuple (odometer, last axis fastest); stop after the last one.
      size_t i = axes.size();
      while (i > 0 && ++idx[i - 1] == axes[i - 1].second.size()) idx[--i] = 0;
      if (i == 0) break;
    }

    nlohmann::json info = {{"name", lang.name()},
                           {"description", lang.description()},
                           {"reference", reference},
                           {"train_range", {probe.min_len, probe.max_len}},
                           {"test_bins", data["test_bins"]}};
    return info;
  }

  // Labels name the language and every axis that takes more than one value in the suite.
  static void Label(Suite& suite) {
    std::map<std::string, std::set<std::string>> values;
    for (const Cell& c : suite.cells) {
      for (const char* k : {"task", "negatives"}) values[k].insert(c.config["data"][k].dump());
      for (const auto& a : kModelAxes) values[a.key].insert(c.config["model"][a.key].dump());
    }
    for (Cell& c : suite.cells) {
      std::string label = c.config["language"].get<std::string>();
      for (const char* k : {"task", "negatives"})
        if (values[k].size() > 1) label += " " + c.config["data"][k].get<std::string>();
      for (const auto& a : kModelAxes) {
        if (values[a.key].size() <= 1) continue;
        const auto& v = c.config["model"][a.key];
        const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
        if (a.key == std::string("activation")) label += " " + text;
        else label += " " + std::string(a.key == std::string("width") ? "m" : a.key) + "=" + text;
      }
      label += " seed " + std::to_string(c.config["seed_index"].get<int>());
      c.label = label;
    }
  }

  mutable std::mutex mu_;
  mutable std::map<std::string, std::shared_future<std::shared_ptr<const BuiltDataset>>> datasets_;
};

}  // namespace

const Kind& TrainKind() {
  static const TrainKindImpl kind;
  return kind;
}

}  // namespace flbench
