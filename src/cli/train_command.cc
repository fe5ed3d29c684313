// `flbench train LANG ...`: builds the dataset (BuildDataset), trains an Elman RNN on it (Train), prints one
// progress line per epoch on stderr and one JSON object (dataset, config, metrics) on stdout.
// Entry point: AddTrainCommand. Tested by tests/cli_train_test.cc (and end to end by bench/compare_pytorch).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/options.h"
#include "lang/dataset_builder.h"
#include "lang/dataset_io.h"
#include "lang/spec.h"
#include "model/model.h"
#include "model/safetensors.h"
#include "rnn/activation.h"
#include "rnn/elman.h"
#include "suite/limits.h"
#include "train/config.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/files.h"

namespace flbench {
namespace {

nlohmann::json DatasetJson(const Dataset& d, const DatasetArgs& a) {
  nlohmann::json tests = nlohmann::json::array();
  for (const Split& s : d.tests)
    tests.push_back({{"name", s.name}, {"min_len", s.min_len}, {"max_len", s.max_len}, {"size", s.examples.size()}});
  nlohmann::json j = {{"language", d.language},        {"alphabet", d.alphabet},       {"task", TaskName(d.task)},
                      {"min_len", a.min_len},          {"max_len", a.max_len},         {"negatives", a.negatives},
                      {"train", d.train.examples.size()}, {"validation", d.validation.examples.size()},
                      {"tests", tests},                {"seed", a.seed}};
  for (const ConfigField& f : ConfigFields())  // the table's data options (--splits), as given or their default
    if (f.section == Section::kData && (f.uses & kCli))
      j[f.key] = a.table.count(f.key) ? a.table.at(f.key) : f.Default();
  return j;
}

std::string Percent(double acc) { return acc < 0 ? "-" : fmt::format("{:.2f}%", 100 * acc); }

// Where the training data comes from: a language (built here) or a dataset directory (--data).
struct TrainSource {
  std::string data_dir;  // --data DIR; empty = build from LANG and the dataset options
  std::string save;      // --save PATH: write the trained model (model_commands.cc)
  std::string init_from;  // --init-from PATH: initial weights from a model file (PyTorch names)
};

void RunTrain(const DatasetArgs& a, const TrainSource& src, TrainConfig cfg, bool quiet) {
  cfg.seed = cfg.order_seed = a.seed;
  ValidateTrainConfig(cfg);  // before the (possibly slow) dataset build
  if (!src.save.empty()) CheckOutputPath(src.save, "--save");  // before training, not after
  std::vector<std::string> notes;
  Dataset data;
  std::shared_ptr<const Language> lang;  // none with --data
  if (!src.data_dir.empty()) {
    data = ReadDatasetDir(src.data_dir);
    int longest = 0;
    for (const Split* split : {&data.train, &data.validation}) longest = std::max(longest, split->max_len);
    for (const Split& split : data.tests) longest = std::max(longest, split.max_len);
    CheckTrainingMemory(cfg.width, data.symbols(), data.outputs(), cfg.batch, longest);
  } else {
    if (a.lang.empty()) throw Error("train: give a language (LANG) or a dataset directory (--data DIR)");
    lang = LoadLanguage(a.lang);
    const DatasetSpec spec = ToSpec(a);
    int longest = spec.max_len;
    for (auto [lo, hi] : spec.test_bins) longest = std::max(longest, hi);
    CheckTrainingMemory(cfg.width, lang->symbols(), lang->symbols() + 1, cfg.batch, longest);  // before the data
    data = BuildDataset(*lang, spec, &notes);
  }
  for (const auto& n : notes) std::fprintf(stderr, "note: %s\n", n.c_str());

  auto progress = [&](const EpochStats& e) {
    if (quiet) return;
    std::string line = fmt::format("epoch {:>4}/{}  loss {:.6f}  train {:>7}  {:.2f} s", e.epoch, cfg.epochs, e.loss,
                                   Percent(e.train_acc), e.seconds);
    if (e.validation_acc >= 0) line += "  validation " + Percent(e.validation_acc);
    for (size_t i = 0; i < e.test_acc.size(); ++i) line += "  " + data.tests[i].name + " " + Percent(e.test_acc[i]);
    std::fprintf(stderr, "%s\n", line.c_str());
  };
  std::vector<float> init;
  if (!src.init_from.empty()) {
    // The file's tensors must fit this data and configuration (width, alphabet, task, activation, two biases).
    RnnModel model = LoadSafetensors(src.init_from, /*weights_only=*/true);
    const ElmanShape shape{cfg.width, data.symbols(), data.outputs(), ParseActivation(cfg.activation), data.task,
                           cfg.bias == "two"};
    if (!model.flbench_version.size() && model.config_json.empty()) {
      model.act = shape.act;  // a plain state dict says nothing of these: --act and the data decide
      if (model.d == data.symbols()) model.alphabet = data.alphabet;
    }
    init.resize(shape.size());
    try {
      ThetaFromModel(model, shape, init.data());
    } catch (const Error& e) {
      throw Error(fmt::format("{}: {}", src.init_from, e.what()));
    }
  }
  const TrainResult r = Train(data, cfg, progress, init.empty() ? nullptr : &init);
  if (!quiet) {
    std::string line = r.diverged ? "diverged (NaN/Inf loss)" : fmt::format("done after {} epochs", r.epochs_run);
    line += fmt::format(": train {}", Percent(r.train_acc));
    for (size_t i = 0; i < r.test_acc.size(); ++i) line += fmt::format("  {} {}", r.test_names[i], Percent(r.test_acc[i]));
    std::fprintf(stderr, "%s  (%.2f s)\n", line.c_str(), r.seconds);
  }
  if (!src.save.empty()) {
    SaveTrainedModel(src.save, cfg, data, lang.get(), r.theta);
    if (!quiet) std::fprintf(stderr, "model saved to %s\n", src.save.c_str());
  }
  nlohmann::json dataset = DatasetJson(data, a);
  if (!src.data_dir.empty()) {
    for (const char* k : {"min_len", "max_len", "negatives", "seed"}) dataset.erase(k);
    for (const ConfigField& f : ConfigFields())
      if (f.section == Section::kData && (f.uses & kCli)) dataset.erase(f.key);
    dataset["dir"] = src.data_dir;
  }
  const nlohmann::json out = {{"command", "train"}, {"dataset", dataset}, {"config", ModelJson(cfg, true)},
                              {"result", ToJson(r)}};
  std::printf("%s\n", out.dump(2).c_str());
}

}  // namespace

void AddTrainCommand(CLI::App& app) {
  auto da = std::make_shared<DatasetArgs>();
  auto given = std::make_shared<std::map<const ConfigField*, nlohmann::json>>();  // field → value given
  auto quiet = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("train", "Train an Elman RNN on a language (progress on stderr, JSON on stdout)");
  AddDatasetOptions(*cmd, *da);
  cmd->get_option("LANG")->required(false);  // not with --data
  auto src = std::make_shared<TrainSource>();
  cmd->add_option("--data", src->data_dir,
                  "train and evaluate on the TSV files of DIR (the layout `flbench dataset --out DIR` writes) instead "
                  "of building a dataset from LANG; the dataset options are then ignored, --seed still seeds training");
  // The model and optimiser options, one per row of the configuration table (train/config.h).
  for (const ConfigField& f : ConfigFields()) {
    if (f.section != Section::kModel || !(f.uses & kCli)) continue;
    const std::string name = std::string("--") + f.cli;
    const ConfigField* key = &f;
    const std::string help = fmt::format("{} ({})", f.help, f.Domain());
    // Numbers go through the CLI's one number rule (cli/options.h) with the table's range; the table's own check
    // (open ends such as lr > 0) follows in the callback below.
    auto number = [name, key](const std::string& text) -> nlohmann::json {
      switch (key->type) {
        case FieldType::kInt:
        case FieldType::kCount:
          return ParseIntOption(name, text, static_cast<int64_t>(std::ceil(key->lo)), static_cast<int64_t>(std::floor(key->hi)));
        case FieldType::kReal:
          return ParseRealOption(name, text, key->lo, std::min(key->hi, kMaxRealOption));
        case FieldType::kSeed:
          return ParseUIntOption(name, text, 0, kMaxSeed);
        default:
          return key->Parse(text);
      }
    };
    if (f.type == FieldType::kBool) {
      cmd->add_flag_callback(name, [given, key] { (*given)[key] = true; }, help);
    } else {
      cmd->add_option_function<std::string>(name, [given, key, number](const std::string& v) { (*given)[key] = number(v); }, help)
          ->default_str(f.Default().is_string() ? f.Default().get<std::string>() : f.Default().dump())
          ->type_name(f.type == FieldType::kReal ? "REAL" : f.type == FieldType::kName ? "TEXT" : "INT");
    }
  }
  cmd->add_flag("--quiet", *quiet, "no progress lines on stderr");
  cmd->add_option("--init-from", src->init_from,
                  "start from the weights of this .safetensors model file (PyTorch's nn.RNN + nn.Linear names, see "
                  "README \"Models\") instead of the configured initialisation; its shapes must match");
  cmd->add_option("--save", src->save, "write the trained model to this .safetensors file (see README \"Models\")");
  cmd->callback([da, src, given, quiet] {
    DataConfig none;
    TrainConfig cfg;
    for (const auto& [f, value] : *given) {
      try {
        f->Check(value);
        f->set(none, cfg, value);
      } catch (const Error& e) {
        throw Error(fmt::format("--{}: {}", f->cli, e.what()));
      }
    }
    RunTrain(*da, *src, cfg, *quiet);
  });
}

}  // namespace flbench
