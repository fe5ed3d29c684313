// Command-line options shared by `dataset`, `train` and friends: the dataset options and their parsing
// (e.g. --test-bins 51-100,101-150), and the one rule for numbers in every option (AddIntOption,
// AddRealOption). Entry points: DatasetArgs, AddDatasetOptions, ToSpec, AddIntOption, AddRealOption.
// Tested by tests/cli_bad_input_test.cc (through the binary) and tests/cli_lang_test.cc.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "lang/dataset_builder.h"
#include "suite/limits.h"

namespace flbench {

// One rule for numbers in command-line options. An integer is an optional '-' and decimal digits (the whole
// text; no '+', spaces, exponents or hex); a real is a finite decimal number (digits, '.', an exponent; no
// nan, inf or hex). Either must lie in [lo, hi]. Anything else throws flbench::Error naming the option, the
// text and the allowed range (the CLI prints it and exits 2).
int64_t ParseIntOption(const std::string& option, const std::string& text, int64_t lo, int64_t hi);
uint64_t ParseUIntOption(const std::string& option, const std::string& text, uint64_t lo, uint64_t hi);
double ParseRealOption(const std::string& option, const std::string& text, double lo, double hi);

// Adds `name` (e.g. "--count") parsed by the rule above into `var`; the default shown in --help is var's value.
template <typename T>
CLI::Option* AddIntOption(CLI::App& cmd, const std::string& name, T& var, T lo, T hi, const std::string& help) {
  const std::string option = name.substr(0, name.find(','));
  return cmd
      .add_option_function<std::string>(
          name,
          [&var, option, lo, hi](const std::string& text) {
            if constexpr (std::is_unsigned_v<T>)
              var = static_cast<T>(ParseUIntOption(option, text, lo, hi));
            else
              var = static_cast<T>(ParseIntOption(option, text, lo, hi));
          },
          help)
      ->default_str(std::to_string(var))
      ->type_name(std::is_unsigned_v<T> ? "UINT" : "INT");
}
CLI::Option* AddRealOption(CLI::App& cmd, const std::string& name, double& var, double lo, double hi,
                           const std::string& help);

// A real option whose range in the configuration table has no upper end (lr, eps, clip) takes at most this, as in
// suite files (suite/limits.h).
inline constexpr double kMaxRealOption = kMaxUnboundedReal;

// Seeds are any 64-bit unsigned integer.
inline constexpr uint64_t kMaxSeed = std::numeric_limits<uint64_t>::max();

struct DatasetArgs {
  std::string lang;
  std::string task = "membership";
  int64_t train = 1000, validation = 0, test = 200;
  int min_len = 2, max_len = 50;
  std::string test_bins;
  std::string negatives = "uniform";
  uint64_t seed = 1;
  std::map<std::string, nlohmann::json> table;  // the data rows of the configuration table with kCli (--splits), by key
};

// Adds LANG and --task --train --validation --test --min-len --max-len --test-bins --negatives --seed, and one
// option per data row of the configuration table marked kCli (--splits; name, values and help from the row).
void AddDatasetOptions(CLI::App& cmd, DatasetArgs& a);
// Throws flbench::Error for a malformed --test-bins.
DatasetSpec ToSpec(const DatasetArgs& a);
std::vector<std::pair<int, int>> ParseBins(const std::string& text);

}  // namespace flbench
