// `flbench train LANG ...`: builds the dataset (BuildDataset), trains an Elman RNN on it (Train), prints one
// progress line per epoch on stderr and one JSON object (dataset, config, metrics) on stdout.
// Entry point: AddTrainCommand. Tested by running it (bench/compare_pytorch uses it end to end).
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/options.h"
#include "lang/dataset_builder.h"
#include "lang/spec.h"
#include "train/trainer.h"

namespace flbench {
namespace {

nlohmann::json DatasetJson(const Dataset& d, const DatasetArgs& a) {
  nlohmann::json tests = nlohmann::json::array();
  for (const Split& s : d.tests)
    tests.push_back({{"name", s.name}, {"min_len", s.min_len}, {"max_len", s.max_len}, {"size", s.examples.size()}});
  return {{"language", d.language},        {"alphabet", d.alphabet},       {"task", TaskName(d.task)},
          {"min_len", a.min_len},          {"max_len", a.max_len},         {"negatives", a.negatives},
          {"train", d.train.examples.size()}, {"validation", d.validation.examples.size()}, {"tests", tests},
          {"seed", a.seed}};
}

std::string Percent(double acc) { return acc < 0 ? "-" : fmt::format("{:.2f}%", 100 * acc); }

void RunTrain(const DatasetArgs& a, TrainConfig cfg, bool quiet, const std::string& save) {
  cfg.seed = a.seed;
  ValidateTrainConfig(cfg);  // before the (possibly slow) dataset build
  const auto lang = LoadLanguage(a.lang);
  std::vector<std::string> notes;
  const Dataset data = BuildDataset(*lang, ToSpec(a), &notes);
  for (const auto& n : notes) std::fprintf(stderr, "note: %s\n", n.c_str());

  auto progress = [&](const EpochStats& e) {
    if (quiet) return;
    std::string line = fmt::format("epoch {:>4}/{}  loss {:.6f}  train {:>7}  {:.2f} s", e.epoch, cfg.epochs, e.loss,
                                   Percent(e.train_acc), e.seconds);
    if (e.validation_acc >= 0) line += "  validation " + Percent(e.validation_acc);
    for (size_t i = 0; i < e.test_acc.size(); ++i) line += "  " + data.tests[i].name + " " + Percent(e.test_acc[i]);
    std::fprintf(stderr, "%s\n", line.c_str());
  };
  const TrainResult r = Train(data, cfg, progress);
  if (!quiet) {
    std::string line = r.diverged ? "diverged (NaN/Inf loss)" : fmt::format("done after {} epochs", r.epochs_run);
    line += fmt::format(": train {}", Percent(r.train_acc));
    for (size_t i = 0; i < r.test_acc.size(); ++i) line += fmt::format("  {} {}", r.test_names[i], Percent(r.test_acc[i]));
    std::fprintf(stderr, "%s  (%.2f s)\n", line.c_str(), r.seconds);
  }
  if (!save.empty()) {
    SaveTrainedModel(save, cfg, data, *lang, r.theta);
    if (!quiet) std::fprintf(stderr, "model saved to %s\n", save.c_str());
  }
  const nlohmann::json out = {{"command", "train"}, {"dataset", DatasetJson(data, a)}, {"config", ToJson(cfg)},
                              {"result", ToJson(r)}};
  std::printf("%s\n", out.dump(2).c_str());
}

}  // namespace

void AddTrainCommand(CLI::App& app) {
  auto da = std::make_shared<DatasetArgs>();
  auto cfg = std::make_shared<TrainConfig>();
  auto quiet = std::make_shared<bool>(false);
  auto save = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("train", "Train an Elman RNN on a language (progress on stderr, JSON on stdout)");
  AddDatasetOptions(*cmd, *da);
  cmd->add_option("--act", cfg->activation, "activation: relu, tanh, sigmoid, cos, identity")->capture_default_str();
  cmd->add_option("--width", cfg->width, "hidden units m")->capture_default_str();
  cmd->add_option("--init", cfg->init, "uniform, gaussian, identity, orthogonal")->capture_default_str();
  cmd->add_option("--optimizer", cfg->optimizer, "sgd, rmsprop, adam")->capture_default_str();
  cmd->add_option("--lr", cfg->lr, "learning rate")->capture_default_str();
  cmd->add_option("--momentum", cfg->momentum, "SGD momentum")->capture_default_str();
  cmd->add_option("--alpha", cfg->alpha, "RMSProp decay")->capture_default_str();
  cmd->add_option("--beta1", cfg->beta1, "Adam beta1")->capture_default_str();
  cmd->add_option("--beta2", cfg->beta2, "Adam beta2")->capture_default_str();
  cmd->add_option("--eps", cfg->eps, "RMSProp/Adam epsilon")->capture_default_str();
  cmd->add_option("--clip", cfg->clip, "max gradient 2-norm (0 = off)")->capture_default_str();
  cmd->add_option("--batch", cfg->batch, "strings per batch (all of one length)")->capture_default_str();
  cmd->add_option("--epochs", cfg->epochs, "maximum epochs")->capture_default_str();
  cmd->add_option("--patience", cfg->patience, "stop after this many epochs at 100% train accuracy (0 = never)")
      ->capture_default_str();
  cmd->add_option("--threads", cfg->threads, "threads within the run (results identical for any value)")
      ->capture_default_str();
  cmd->add_option("--shard", cfg->shard, "strings per gradient shard (the unit of parallelism)")->capture_default_str();
  cmd->add_flag("--eval-each-epoch", cfg->eval_each_epoch, "also evaluate validation and test splits every epoch");
  cmd->add_flag("--quiet", *quiet, "no progress lines on stderr");
  cmd->add_option("--save", *save, "write the trained model to this .safetensors file (see README \"Models\")");
  cmd->callback([da, cfg, quiet, save] { RunTrain(*da, *cfg, *quiet, *save); });
}

}  // namespace flbench
