// `flbench predict`, `flbench verify`, `flbench extract`: a model file's decisions on given strings, its exhaustive
// check against the exact language up to a length, and the automaton it implements. Also the model half of
// `flbench train --save` (SaveTrainedModel). Entry points: AddModelCommands, SaveTrainedModel.
// Tested by tests/cli_model_test.cc.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/options.h"
#include "lang/spec.h"
#include "model/extract.h"
#include "model/safetensors.h"
#include "model/verify.h"
#include "results/run_meta.h"
#include "util/error.h"
#include "util/files.h"

namespace flbench {

void SaveTrainedModel(const std::string& path, const TrainConfig& cfg, const Dataset& data, const Language* lang,
                      const std::vector<float>& theta) {
  const ElmanShape shape{cfg.width,      data.symbols(), data.outputs(), ParseActivation(cfg.activation),
                         data.task,      cfg.bias == "two"};
  RnnModel model = ModelFromTheta(shape, theta.data(), lang ? lang->name() : data.language, data.alphabet);
  model.config_json = ModelJson(cfg).dump();
  if (lang) model.language_digest = LanguageDigest(lang->path(), lang->alphabet());
  model.flbench_version = "flbench 0.1 (" + CurrentCommit() + ")";
  SaveSafetensors(path, model);
}

namespace {

Word EncodeFor(const RnnModel& M, const std::string& text) {
  Word w;
  for (size_t i = 0; i < text.size(); ++i) {
    const size_t a = M.alphabet.find(text[i]);
    if (a == std::string::npos)
      throw Error(fmt::format("'{}': symbol '{}' at position {} is not in the model's alphabet '{}'", text, text[i],
                              i + 1, M.alphabet));
    w.push_back(static_cast<uint8_t>(a));
  }
  return w;
}

void RunPredict(const std::string& path, const std::vector<std::string>& strings) {
  const RnnModel M = LoadSafetensors(path);
  auto one = [&](const std::string& s) { std::printf("%s\n", PredictLine(M, EncodeFor(M, s)).c_str()); };
  if (!strings.empty()) {
    for (const auto& s : strings) one(s == "''" ? std::string() : s);
    return;
  }
  for (std::string line; std::getline(std::cin, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line[0] == '#') continue;
    const size_t tab = line.find('\t');  // a dataset TSV line: the string is the first column
    one(tab == std::string::npos ? line : line.substr(0, tab));
  }
}

// The language a model is checked against: --language, else the model's own (by name, or path if it has one).
std::shared_ptr<const Language> LanguageFor(const RnnModel& M, const std::string& override_name) {
  const std::string name = override_name.empty() ? M.language : override_name;
  if (name.empty()) throw Error("the model names no language: give --language");
  auto lang = LoadLanguage(name);
  if (override_name.empty() && !M.language_digest.empty() && !lang->path().empty() &&
      LanguageDigest(lang->path(), lang->alphabet()) != M.language_digest)
    std::fprintf(stderr, "note: %s differs from the language file the model was trained on (digest mismatch)\n",
                 lang->path().c_str());
  return lang;
}

void RunVerify(const std::string& path, int max_len, const std::string& language) {
  const RnnModel M = LoadSafetensors(path);
  const auto lang = LanguageFor(M, language);
  nlohmann::json j = {{"command", "verify"}, {"model", path}};
  j.update(ToJson(Verify(M, *lang, max_len)));
  std::printf("%s\n", j.dump(2).c_str());
}

void RunExtract(const std::string& path, int max_len, const std::string& language, const std::string& dot,
                int max_states) {
  const RnnModel M = LoadSafetensors(path);
  const auto lang = LanguageFor(M, language);
  if (max_states < 1) throw Error(fmt::format("--max-states must be ≥ 1, got {}", max_states));
  if (!dot.empty()) CheckOutputPath(dot, "--dot");  // before the (possibly long) extraction
  const ExtractResult r = Extract(M, *lang, max_len, max_states);
  if (!dot.empty()) WriteFileAtomic(dot, ToDot(r));
  nlohmann::json j = {{"command", "extract"}, {"model", path}};
  if (M.task == Task::kNextSymbol)
    j["reading"] = "next-symbol model read as a recogniser: end-of-string output on after the last symbol, and every "
                   "symbol after the first allowed by the step before";
  j.update(ToJson(r));
  std::printf("%s\n", j.dump(2).c_str());
}

}  // namespace

void AddModelCommands(CLI::App& app) {
  {
    auto path = std::make_shared<std::string>();
    auto strings = std::make_shared<std::vector<std::string>>();
    auto* cmd = app.add_subcommand(
        "predict", "A model's decisions: STRING<TAB>0|1 (membership) or STRING<TAB>END<TAB>T1,…,Tn (next-symbol)");
    cmd->add_option("MODEL", *path, "model file (.safetensors)")->required();
    cmd->add_option("STRING", *strings, "strings ('' = empty); none: one per line on stdin (TSV: first column)");
    cmd->callback([path, strings] { RunPredict(*path, *strings); });
  }
  {
    auto path = std::make_shared<std::string>();
    auto max_len = std::make_shared<int>(10);
    auto lang = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("verify", "Check a model on every string up to --max-len against the exact language");
    cmd->add_option("MODEL", *path, "model file (.safetensors)")->required();
    AddIntOption(*cmd, "--max-len", *max_len, 0, 1000, "longest length checked");
    cmd->add_option("--language", *lang, "language name or path (default: the model's)");
    cmd->callback([path, max_len, lang] { RunVerify(*path, *max_len, *lang); });
  }
  {
    auto path = std::make_shared<std::string>();
    auto max_len = std::make_shared<int>(12);
    auto lang = std::make_shared<std::string>();
    auto dot = std::make_shared<std::string>();
    auto max_states = std::make_shared<int>(500);
    auto* cmd = app.add_subcommand("extract", "Extract the automaton a model implements (L*) and compare with the "
                                              "language's minimal DFA");
    cmd->add_option("MODEL", *path, "model file (.safetensors)")->required();
    AddIntOption(*cmd, "--max-len", *max_len, 0, 1000, "equivalence queries check every string up to this length");
    cmd->add_option("--language", *lang, "language name or path (default: the model's)");
    cmd->add_option("--dot", *dot, "write the automaton as Graphviz DOT to this file");
    AddIntOption(*cmd, "--max-states", *max_states, 1, 1000000, "stop L* at this many states");
    cmd->callback([path, max_len, lang, dot, max_states] { RunExtract(*path, *max_len, *lang, *dot, *max_states); });
  }
}

}  // namespace flbench
