// The `flbench` subcommands, one registration function per file in src/cli/. Each callback throws
// flbench::Error for bad input; main() prints it as "flbench: <message>" and exits with status 2.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "lang/dataset.h"
#include "lang/language.h"
#include "train/config.h"

namespace flbench {

void AddLanguageCommands(CLI::App& app);  // languages, sample, accepts, dataset — lang_commands.cc
void AddSuiteCommands(CLI::App& app);     // run, report, merge, baseline, compare — suite_commands.cc
void AddTrainCommand(CLI::App& app);
void AddSlurmCommand(CLI::App& app);      // slurm — slurm_command.cc
void AddModelCommands(CLI::App& app);     // predict, verify, extract — model_commands.cc

// `flbench train --save PATH`: the trained θ as a model file (model_commands.cc). `lang` is null when training read
// a dataset directory (the model then names data.language and has no language digest).
void SaveTrainedModel(const std::string& path, const TrainConfig& cfg, const Dataset& data, const Language* lang,
                      const std::vector<float>& theta);

}  // namespace flbench
