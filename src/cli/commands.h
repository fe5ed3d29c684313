// The `flbench` subcommands, one registration function per file in src/cli/. Each callback throws
// flbench::Error for bad input; main() prints it as "flbench: <message>" and exits with status 2.
#pragma once

#include <CLI/CLI.hpp>

namespace flbench {

void AddLanguageCommands(CLI::App& app);  // languages, sample, accepts, dataset — lang_commands.cc
void AddSuiteCommands(CLI::App& app);     // run, report, merge, baseline, compare — suite_commands.cc
void AddTrainCommand(CLI::App& app);
void AddSlurmCommand(CLI::App& app);      // slurm — slurm_command.cc

}  // namespace flbench
