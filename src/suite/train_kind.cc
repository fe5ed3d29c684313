// The "train" experiment kind: languages × grid of Elman-RNN hyperparameters × seeds, one cell each;
// a cell builds (or reuses) its language's dataset and trains; on request (save_models, verify, extract) it then
// stores its model file, checks the network on every string up to a length and extracts the automaton it implements.
// Schema: README "Suite files".
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <mutex>

#include "util/hash.h"
#include "lang/dataset_builder.h"
#include "lang/sampler.h"
#include "lang/spec.h"
#include "model/exhaustive.h"
#include "model/extract.h"
#include "model/safetensors.h"
#include "model/verify.h"
#include "results/run_meta.h"
#include "rnn/activation.h"
#include "rnn/elman.h"
#include "suite/train_spec.h"
#include "train/config.h"
#include "train/trainer.h"
#include "results/store.h"
#include "suite/kinds.h"
#include "suite/limits.h"
#include "util/error.h"
#include "util/strings.h"
#include "util/files.h"
#include "util/rng.h"

namespace flbench {

namespace {

// A grid or data value from the suite file, typed and checked by its configuration field (train/config.h);
// errors are located at the value.
nlohmann::json FieldValue(const YamlReader& r, const YAML::Node& n, const ConfigField& f) {
  nlohmann::json v;
  switch (f.type) {
    case FieldType::kInt:
    case FieldType::kCount:
      v = r.Int64(n, f.key);
      break;
    case FieldType::kReal:
      v = r.Double(n, f.key);
      if (std::isinf(f.hi) && std::fabs(v.get<double>()) > kMaxUnboundedReal)
        r.Fail(n, fmt::format("'{}' must be at most {:g} (got {})", f.key, kMaxUnboundedReal, v.dump()));
      break;
    case FieldType::kBool:
      v = r.Bool(n, f.key);
      break;
    case FieldType::kSeed:
      v = r.UInt64(n, f.key);
      break;
    case FieldType::kName:
    case FieldType::kBins:
      v = r.Scalar(n, f.key);
      break;
  }
  try {
    f.Check(v);
  } catch (const Error& e) {
    r.Fail(n, e.what());
  }
  return v;
}

// The suite keys of a section: grid axes (lists allowed) and per-language scalars.
std::set<std::string> SuiteKeys(Section section) {
  std::set<std::string> keys;
  for (const ConfigField& f : ConfigFields())
    if (f.section == section && (f.uses & (kGridAxis | kSuiteScalar))) keys.insert(f.key);
  return keys;
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
    r.CheckKeys(data, SuiteKeys(Section::kData), "data");
    for (auto it = data.begin(); it != data.end(); ++it) Set(out.data, it->first.Scalar(), it->second);
  }
  if (grid_ptr) {
    const YAML::Node& grid = *grid_ptr;
    std::set<std::string> keys = SuiteKeys(Section::kModel);
    keys.insert("seeds");
    r.CheckKeys(grid, keys, "grid");
    for (auto it = grid.begin(); it != grid.end(); ++it) Set(out.grid, it->first.Scalar(), it->second);
  }
}

class TrainKindImpl : public Kind {
 public:
  std::set<std::string> Keys() const override {
    return {"data", "grid", "languages", "save_models", "verify", "extract"};
  }

  void Expand(const YamlReader& r, const YAML::Node& root, Suite& suite) const override {
    if (!root["languages"]) r.Fail(root, "a train suite needs 'languages' (a list of language names or {name: ...} entries)");
    const YAML::Node langs = root["languages"];
    if (!langs.IsSequence() || langs.size() == 0) r.Fail(langs, "'languages' must be a non-empty list");
    Layered base;
    const YAML::Node data = root["data"], grid = root["grid"];
    Overlay(r, data ? &data : nullptr, grid ? &grid : nullptr, base);

    const TrainReportSpec report = TrainReportSpec::FromYaml(r, root["report"]);
    suite.report = report.ToJson();
    const bool best_epoch = report.NeedsEachEpoch();
    const nlohmann::json checks = ReadChecks(r, root, report);

    nlohmann::json info_langs = nlohmann::json::array();
    std::set<std::string> lang_names;
    for (const auto& entry : langs) {
      Layered layer = base;
      YAML::Node name_node;
      name_node.reset(entry);
      nlohmann::json reference = nlohmann::json::object();
      if (entry.IsMap()) {
        std::set<std::string> keys = SuiteKeys(Section::kData);
        keys.insert({"name", "grid", "reference", "data"});
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
      std::shared_ptr<const Language> lang;
      try {
        lang = LoadLanguage(lang_name);
      } catch (const Error& e) {
        r.Fail(name_node, e.what());
      }
      // Cells, labels and report rows name the language: two entries may not resolve to one name (a path
      // /x/tomita1.yaml beside the shipped tomita1 would be two rows called tomita1).
      if (!lang_names.insert(lang->name()).second)
        r.Fail(name_node, fmt::format("language '{}' listed twice (as '{}' and an earlier entry): rename the file",
                                      lang->name(), lang_name));
      info_langs.push_back(ExpandLanguage(r, name_node, *lang, layer, reference, best_epoch, checks, suite));
    }
    suite.info = {{"languages", info_langs}};
    Label(suite);
  }

  // What the train report reads (report/train_report.cc ReadRun): epochs_run, a tests array of {name, acc}.
  std::string CheckResult(const nlohmann::json& r) const override {
    if (!r.is_object()) return "not a JSON object";
    if (!r.contains("epochs_run") || !r["epochs_run"].is_number()) return "no numeric epochs_run";
    if (r.contains("diverged") && !r["diverged"].is_boolean()) return "diverged is not a boolean";
    if (!r.contains("tests") || !r["tests"].is_array()) return "no tests array";
    for (const auto& t : r["tests"])
      if (!t.is_object() || !t.contains("acc") || !(t["acc"].is_number() || t["acc"].is_null()))
        return "a tests entry without a numeric acc";
    if (r.contains("curve") && !r["curve"].is_array()) return "curve is not an array";
    return "";
  }

  std::string Outcome(const nlohmann::json& r) const override {
    if (r.value("diverged", false)) return "diverged";
    if (r.contains("tests") && r["tests"].is_array() && !r["tests"].empty() && r["tests"][0].contains("acc") &&
        r["tests"][0]["acc"].is_number())
      return fmt::format("test acc {:.3f}", r["tests"][0]["acc"].get<double>());
    return "done";
  }

  nlohmann::json Run(const Cell& cell) const override { return Run(cell, RunContext{}); }

  nlohmann::json Run(const Cell& cell, const RunContext& ctx) const override {
    const nlohmann::json& c = cell.config;
    std::shared_ptr<const BuiltDataset> data =
        GetDataset(c["language"].get<std::string>(), c["language_digest"].get<std::string>(), c["data"]);
    TrainConfig cfg = ModelFromJson(c["model"]);
    cfg.threads = 1;  // parallelism is across cells
    return Finish(cell, cfg, Train(data->dataset, cfg), *data, ctx);
  }

  // Cells on the same dataset with the same batch order (SameBatchOrder) train in lockstep (TrainEnsemble).
  std::string GroupKey(const Cell& cell) const override {
    const nlohmann::json& c = cell.config;
    const nlohmann::json& m = c.value("model", nlohmann::json::object());
    if (!c.contains("language") || !c.contains("data") || !m.is_object() || !m.contains("order_seed") ||
        !m.contains("batch") || !m.contains("shuffle"))
      return "";
    return nlohmann::json::array({c["language"], c.value("language_digest", nlohmann::json()), c["data"],
                                  m["order_seed"], m["batch"], m["shuffle"]})
        .dump();
  }

  void RunGroup(const std::vector<const Cell*>& cells, const RunContext& ctx, const GroupDone& done,
                const GroupFailed& failed) const override {
    const nlohmann::json& c0 = cells[0]->config;
    std::shared_ptr<const BuiltDataset> data =
        GetDataset(c0["language"].get<std::string>(), c0["language_digest"].get<std::string>(), c0["data"]);
    std::vector<TrainConfig> configs;
    std::vector<size_t> index;  // configs[k] is cells[index[k]]
    for (size_t i = 0; i < cells.size(); ++i) {
      try {
        TrainConfig cfg = ModelFromJson(cells[i]->config["model"]);
        cfg.threads = 1;
        ValidateTrainConfig(cfg);
        configs.push_back(cfg);
        index.push_back(i);
      } catch (const std::exception& e) {
        failed(i, e.what());
      }
    }
    TrainEnsemble(data->dataset, configs, {}, [&](size_t k, const TrainResult& r) {
      const size_t i = index[k];
      try {
        done(i, Finish(*cells[i], configs[k], r, *data, ctx), r.seconds);
      } catch (const std::exception& e) {  // saving, verifying or extracting failed: the cell is not stored
        failed(i, e.what());
      }
    });
  }

 private:
  // `save_models: true`, `verify: {max_len: N}`, `extract: true | {max_states: S}` (extract reads verify's tables,
  // so it needs verify); the report's accuracy-vs-length plot needs per-length results. {} when none is asked.
  static nlohmann::json ReadChecks(const YamlReader& r, const YAML::Node& root, const TrainReportSpec& report) {
    nlohmann::json checks = nlohmann::json::object();
    if (const YAML::Node n = root["save_models"]; n && r.Bool(n, "save_models")) checks["save_model"] = true;
    if (const YAML::Node n = root["verify"]) {
      if (!n.IsMap()) r.Fail(n, "'verify' must be a mapping like {max_len: 16}");
      r.CheckKeys(n, {"max_len"}, "verify");
      if (!n["max_len"]) r.Fail(n, "'verify' needs 'max_len' (check every string of length 1..max_len)");
      const int64_t len = r.Int64(n["max_len"], "max_len");
      if (len < 1 || len > 64) r.Fail(n["max_len"], fmt::format("verify max_len must be in [1, 64], got {}", len));
      checks["verify_max_len"] = len;
    }
    if (const YAML::Node n = root["extract"]) {
      int64_t max_states = 100;
      if (n.IsMap()) {
        r.CheckKeys(n, {"max_states"}, "extract");
        if (n["max_states"]) max_states = r.Int64(n["max_states"], "max_states");
        if (max_states < 1 || max_states > 10000)
          r.Fail(n["max_states"], fmt::format("extract max_states must be in [1, 10000], got {}", max_states));
      } else if (!r.Bool(n, "extract")) {
        max_states = 0;
      }
      if (max_states > 0) {
        if (!checks.contains("verify_max_len"))
          r.Fail(n, "'extract' answers its equivalence queries on every string up to verify's max_len: add verify: {max_len: N}");
        checks["extract_max_states"] = max_states;
      }
    }
    if (!checks.empty() || report.WantsByLength()) checks["by_length"] = true;
    return checks;
  }

  // After training: the model (PyTorch names, rnn/elman.h layout → model/model.h), saved beside the results database
  // when asked, per-length errors on every test split, exhaustive verification and extraction.
  void RunChecks(const Cell& cell, const nlohmann::json& checks, const Dataset& data, const TrainConfig& cfg,
                 const TrainResult& trained, const RunContext& ctx, nlohmann::json& result) const {
    const nlohmann::json& c = cell.config;
    const ElmanShape shape{cfg.width, data.symbols(), data.outputs(), ParseActivation(cfg.activation), data.task,
                           cfg.bias == "two"};
    RnnModel model = ModelFromTheta(shape, trained.theta.data(), c["language"].get<std::string>(), data.alphabet);
    model.config_json = ModelJson(cfg).dump();
    model.cell_key = cell.key;
    model.language_digest = c.value("language_digest", "");
    model.flbench_version = "flbench 0.1 (" + CurrentCommit() + ")";
    if (checks.value("save_model", false) && !ctx.models_dir.empty()) {
      std::filesystem::create_directories(ctx.models_dir);
      SaveSafetensors((std::filesystem::path(ctx.models_dir) / (cell.key + ".safetensors")).string(), model);
      result["model_file"] = cell.key + ".safetensors";
    }
    // Per-length counts as the report reads them: [length, strings, errors] per length (the trainer's LengthCount
    // or verify's LengthErrors).
    auto lengths_json = [](const auto& per_length) {
      nlohmann::json lengths = nlohmann::json::array();
      for (const auto& le : per_length) lengths.push_back({le.length, le.strings, le.errors});
      return lengths;
    };
    if (checks.value("by_length", false)) {
      nlohmann::json splits = nlohmann::json::array();
      // The trainer's final evaluation counted them (the strings its test accuracy is the fraction of).
      for (size_t i = 0; i < data.tests.size() && i < trained.test_by_length.size(); ++i)
        splits.push_back({{"split", data.tests[i].name}, {"lengths", lengths_json(trained.test_by_length[i])}});
      result["by_length"] = splits;  // per test split: [length, strings, errors] per length with examples
    }
    if (!checks.contains("verify_max_len")) return;
    std::shared_ptr<const Language> lang =
        LanguageFor(c["language"].get<std::string>(), c["language_digest"].get<std::string>());
    const ExhaustiveTables tables = ComputeTables(model, *lang, checks["verify_max_len"].get<int>());
    const VerifyResult v = Verify(model, *lang, tables);
    nlohmann::json verify = {{"max_len", v.max_len}, {"strings", v.strings}, {"errors", v.errors},
                             {"error_rate", v.error_rate}, {"exact", v.exact}, {"lengths", lengths_json(v.per_length)},
                             {"seconds", v.seconds}};
    if (!v.counterexamples.empty())
      verify["counterexample"] = {{"string", v.counterexamples[0].text}, {"model", v.counterexamples[0].model},
                                  {"expected", v.counterexamples[0].expected}};
    result["verify"] = verify;
    if (!checks.contains("extract_max_states")) return;
    const ExtractResult x = Extract(model, *lang, tables, checks["extract_max_states"].get<int>());
    nlohmann::json extract = {{"states", x.automaton.states()}, {"converged", x.converged},
                              {"target_states", x.target_states}, {"exact_up_to_n", x.exact_up_to_n},
                              {"exact_but_automaton_differs", x.exact_but_automaton_differs},
                              {"seconds", x.seconds}};
    extract["equivalent"] = x.equivalent ? nlohmann::json(*x.equivalent) : nlohmann::json();
    if (x.difference) extract["difference"] = *x.difference;
    result["extract"] = extract;
  }

  struct BuiltDataset {
    Dataset dataset;
    std::vector<std::string> notes;  // e.g. "only 49 members …; took them all"
  };

  // A cell's result: the trainer's JSON with the dataset's notes and split sizes, then (when the suite asks) the
  // model file, per-length results, exhaustive verification and extraction.
  nlohmann::json Finish(const Cell& cell, const TrainConfig& cfg, const TrainResult& trained, const BuiltDataset& data,
                        const RunContext& ctx) const {
    nlohmann::json result = ToJson(trained);
    if (!data.notes.empty()) result["data_notes"] = data.notes;
    nlohmann::json sizes = {{"train", data.dataset.train.examples.size()},
                            {"validation", data.dataset.validation.examples.size()}};
    for (const auto& t : data.dataset.tests) sizes[t.name] = t.examples.size();
    result["data_sizes"] = sizes;
    const nlohmann::json& c = cell.config;
    if (c.contains("checks") && !trained.diverged) RunChecks(cell, c["checks"], data.dataset, cfg, trained, ctx, result);
    return result;
  }

  // The language file a cell was keyed by: the digest → path that Expand recorded (a suite may name a language by
  // path, and a path may shadow a shipped name), else the name along the search path; either way the file read now
  // must still have the digest, so a cell never trains another language than its key says.
  std::shared_ptr<const Language> LanguageFor(const std::string& name, const std::string& digest) const {
    std::string where = name;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto it = language_paths_.find(digest); it != language_paths_.end()) where = it->second;
    }
    auto lang = LoadLanguage(where);
    if (LanguageDigest(*lang) != digest)
      throw Error(fmt::format("{}: the language file changed since the suite was loaded (or is not the file this "
                              "cell was keyed by); load the suite again",
                              lang->path().empty() ? where : lang->path()));
    return lang;
  }

  // Part of every cell key: the file's text and alphabet, so editing the file invalidates its cells.
  static std::string LanguageDigest(const Language& lang) {
    return HashKey({{"file", ReadTextFile(lang.path(), "language file")}, {"alphabet", lang.alphabet()}});
  }

  // One dataset per (language file, data config), built once even when many cells ask at the same time.
  std::shared_ptr<const BuiltDataset> GetDataset(const std::string& lang, const std::string& digest,
                                                 const nlohmann::json& data) const {
    const std::string key = digest + "|" + data.dump();
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
        auto language = LanguageFor(lang, digest);
        auto built = std::make_shared<BuiltDataset>();
        built->dataset = BuildDataset(*language, ToDatasetSpec(DataFromJson(data)), &built->notes);
        promise.set_value(std::move(built));
      } catch (...) {
        promise.set_exception(std::current_exception());
      }
    }
    return fut.get();
  }

  nlohmann::json ExpandLanguage(const YamlReader& r, const YAML::Node& at, const Language& lang, const Layered& layer,
                                const nlohmann::json& reference, bool best_epoch, const nlohmann::json& checks,
                                Suite& suite) const {
    // Each field: its default, then the layers; per-language scalars go straight into the data section, grid
    // axes (a scalar or a list) become axes of the grid, in table order (the order of cells and labels).
    nlohmann::json data = nlohmann::json::object();
    std::vector<std::pair<const ConfigField*, std::vector<nlohmann::json>>> axes;
    std::map<std::string, YAML::Node> where;
    for (const ConfigField& f : ConfigFields()) {
      if (!(f.uses & (kGridAxis | kSuiteScalar))) continue;
      const auto& source = f.section == Section::kData ? layer.data : layer.grid;
      auto it = source.find(f.key);
      if (it != source.end()) Set(where, f.key, it->second);
      if (f.uses & kSuiteScalar) {
        if (it == source.end()) {
          data[f.key] = f.Default();
        } else if (f.type == FieldType::kBins) {
          data[f.key] = nlohmann::json::array();
          for (auto [lo, hi] : ReadBins(r, it->second)) data[f.key].push_back({lo, hi});
        } else {
          data[f.key] = FieldValue(r, it->second, f);
        }
        continue;
      }
      std::vector<nlohmann::json> values;
      if (it == source.end()) values.push_back(f.Default());
      else
        for (const auto& v : r.ScalarOrList(it->second, f.key)) values.push_back(FieldValue(r, v, f));
      axes.push_back({&f, std::move(values)});
    }
    DropDefaults(Section::kData, data);  // a later field at its default leaves the keys of earlier suites unchanged
    std::vector<int> seeds{1};
    if (auto it = layer.grid.find("seeds"); it != layer.grid.end()) {
      Set(where, "seeds", it->second);
      seeds = ReadSeeds(r, it->second);
    }
    auto fail_at = [&](const std::string& key, const std::string& what) {
      auto it = where.find(key);
      r.Fail(it != where.end() ? it->second : at, fmt::format("language {}: {}", lang.name(), what));
    };

    // The dataset must be buildable: check every length range has members (and non-members for membership).
    const DataConfig probe = [&] {
      nlohmann::json d = data;
      d["task"] = "membership";
      d["negatives"] = "uniform";
      d["seed"] = 0;
      return DataFromJson(d);
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
    const std::string digest = LanguageDigest(lang);
    {
      std::lock_guard<std::mutex> lock(mu_);
      language_paths_[digest] = lang.path();
    }

    // Resources, before the grid is expanded: its cells (with those of the languages before), then per data
    // configuration what BuildDataset would refuse and per cell the training memory.
    double grid_cells = static_cast<double>(seeds.size());
    for (const auto& axis : axes) grid_cells *= static_cast<double>(axis.second.size());
    try {
      CheckGridSize(static_cast<double>(suite.cells.size()) + grid_cells, "the suite");
    } catch (const Error& e) {
      r.Fail(at, e.what());
    }
    std::set<std::string> checked_data;
    int longest = probe.max_len;
    for (auto [lo, hi] : probe.test_bins) longest = std::max(longest, hi);

    if (checks.contains("verify_max_len")) {
      try {
        StringSpace space(lang.symbols(), checks["verify_max_len"].get<int>());
      } catch (const Error& e) {
        r.Fail(at, fmt::format("language {}: verify: {}", lang.name(), e.what()));
      }
    }

    // Cartesian product of the axes, last axis fastest; then seeds.
    std::vector<size_t> idx(axes.size(), 0);
    const double avg_len = (probe.min_len + probe.max_len) / 2.0;
    for (;;) {
      nlohmann::json d = data;
      nlohmann::json m = nlohmann::json::object();
      for (size_t i = 0; i < axes.size(); ++i) (axes[i].first->section == Section::kData ? d : m)[axes[i].first->key] = axes[i].second[idx[i]];
      d["seed"] = data_seed;
      if (d["task"] == "next-symbol" && d["min_len"].get<int>() < 1)
        fail_at("min_len", "the next-symbol task needs min_len ≥ 1");
      if (checked_data.insert(d.dump()).second) {
        try {
          CheckDatasetSpec(lang, ToDatasetSpec(DataFromJson(d)));
        } catch (const Error& e) {
          const std::string what = e.what();
          fail_at(what.find("test bin") != std::string::npos           ? "test_bins"
                  : what.find("needs validation 0") != std::string::npos ? "validation"
                                                                          : "train",
                  what);
        }
      }
      try {
        CheckTrainingMemory(m["width"].get<int>(), lang.symbols(), lang.symbols() + 1, m["batch"].get<int>(), longest);
      } catch (const Error& e) {
        fail_at("width", e.what());
      }
      m["eval_each_epoch"] = best_epoch;
      for (int s : seeds) {
        nlohmann::json config = {{"kind", "train"}, {"language", lang.name()}, {"language_digest", digest},
                                 {"data", d},       {"model", m},            {"seed_index", s}};
        // What the cell does after training is part of what it computes (so part of its key); absent when nothing.
        if (!checks.empty()) config["checks"] = checks;
        // The batch order depends on the data and the seed index only, so cells that differ in width, activation,
        // learning rate … share it (and can train in lockstep); the initial parameters depend on the whole cell.
        config["model"]["order_seed"] = DeriveSeed(suite.seed, "order/" + lang.name() + "/" + d.dump() + "/" + std::to_string(s));
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
    std::map<std::string, std::set<std::string>> values;  // "section/key" → values taken
    auto value = [](const Cell& c, const ConfigField& f) -> const nlohmann::json& { return c.config[f.SectionName()][f.key]; };
    for (const Cell& c : suite.cells)
      for (const ConfigField& f : ConfigFields())
        if (f.uses & kGridAxis) values[std::string(f.SectionName()) + "/" + f.key].insert(value(c, f).dump());
    for (Cell& c : suite.cells) {
      std::string label = c.config["language"].get<std::string>();
      for (const ConfigField& f : ConfigFields()) {
        if (!(f.uses & kGridAxis) || values[std::string(f.SectionName()) + "/" + f.key].size() <= 1) continue;
        const auto& v = value(c, f);
        const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
        if (f.section == Section::kData || f.key == std::string("activation")) label += " " + text;
        else label += " " + std::string(f.key == std::string("width") ? "m" : f.key) + "=" + text;
      }
      label += " seed " + std::to_string(c.config["seed_index"].get<int>());
      c.label = label;
    }
  }

  mutable std::mutex mu_;
  mutable std::map<std::string, std::shared_future<std::shared_ptr<const BuiltDataset>>> datasets_;
  mutable std::map<std::string, std::string> language_paths_;  // language digest → its file (LanguageFor)
};

}  // namespace

const Kind& TrainKind() {
  static const TrainKindImpl kind;
  return kind;
}

}  // namespace flbench
