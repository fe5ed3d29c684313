// Dataset options shared by the commands that build datasets.
#include "cli/options.h"

#include <fmt/format.h>

#include "util/error.h"

namespace flbench {

void AddDatasetOptions(CLI::App& cmd, DatasetArgs& a) {
  cmd.add_option("LANG", a.lang, "language name or path to a .yaml file")->required();
  cmd.add_option("--task", a.task, "membership or next-symbol")
      ->check(CLI::IsMember({"membership", "next-symbol"}))
      ->capture_default_str();
  cmd.add_option("--train", a.train, "training strings")->capture_default_str();
  cmd.add_option("--validation", a.validation, "validation strings (training lengths)")->capture_default_str();
  cmd.add_option("--test", a.test, "test strings per test split")->capture_default_str();
  cmd.add_option("--min-len", a.min_len, "shortest training length")->capture_default_str();
  cmd.add_option("--max-len", a.max_len, "longest training length")->capture_default_str();
  cmd.add_option("--test-bins", a.test_bins, "extra test length bins, e.g. 51-100,101-150");
  cmd.add_option("--negatives", a.negatives, "uniform or perturb (membership task)")
      ->check(CLI::IsMember({"uniform", "perturb"}))
      ->capture_default_str();
  cmd.add_option("--seed", a.seed, "random seed")->capture_default_str();
}

std::vector<std::pair<int, int>> ParseBins(const std::string& text) {
  std::vector<std::pair<int, int>> bins;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(start, end - start);
    int lo = 0, hi = 0;
    char dash = 0;
    int used = 0;
    if (std::sscanf(item.c_str(), "%d%c%d%n", &lo, &dash, &hi, &used) != 3 || dash != '-' ||
        used != static_cast<int>(item.size()) || lo < 0 || hi < lo)
      throw Error(fmt::format("--test-bins: bad bin '{}' (expected LO-HI with 0 ≤ LO ≤ HI, e.g. 51-100)", item));
    bins.emplace_back(lo, hi);
    start = end + 1;
  }
  return bins;
}

DatasetSpec ToSpec(const DatasetArgs& a) {
  DatasetSpec s;
  s.task = a.task == "next-symbol" ? Task::kNextSymbol : Task::kMembership;
  s.train = a.train;
  s.validation = a.validation;
  s.test = a.test;
  s.min_len = a.min_len;
  s.max_len = a.max_len;
  s.test_bins = ParseBins(a.test_bins);
  s.negatives = a.negatives == "perturb" ? Negatives::kPerturb : Negatives::kUniform;
  s.seed = a.seed;
  return s;
}

}  // namespace flbench
