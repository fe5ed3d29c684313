// Dataset options shared by the commands that build datasets, and the number rule of every option.
#include "cli/options.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "lang/sampler.h"
#include "train/config.h"
#include "util/error.h"

namespace flbench {

namespace {

[[noreturn]] void BadNumber(const std::string& option, const std::string& text, const std::string& what,
                            const std::string& range) {
  throw Error(fmt::format("{}: '{}' is {}; expected {}", option, text, what, range));
}

bool AllDigits(const std::string& s, size_t from) {
  if (from >= s.size()) return false;
  for (size_t i = from; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

}  // namespace

int64_t ParseIntOption(const std::string& option, const std::string& text, int64_t lo, int64_t hi) {
  const std::string range = fmt::format("an integer from {} to {}", lo, hi);
  const bool negative = !text.empty() && text[0] == '-';
  if (!AllDigits(text, negative ? 1 : 0)) BadNumber(option, text, "not an integer", range);
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi)
    BadNumber(option, text, "out of range", range);
  return v;
}

uint64_t ParseUIntOption(const std::string& option, const std::string& text, uint64_t lo, uint64_t hi) {
  const std::string range = fmt::format("an integer from {} to {}", lo, hi);
  if (!text.empty() && text[0] == '-' && AllDigits(text, 1)) BadNumber(option, text, "negative", range);
  if (!AllDigits(text, 0)) BadNumber(option, text, "not an integer", range);
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi)
    BadNumber(option, text, "out of range", range);
  return v;
}

double ParseRealOption(const std::string& option, const std::string& text, double lo, double hi) {
  const std::string range = fmt::format("a number from {} to {}", lo, hi);
  // Decimal syntax only: sign, digits, one '.', an exponent (strtod alone would also take nan, inf and hex).
  size_t i = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
  size_t digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++digits;
  }
  if (digits > 0 && i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    size_t exponent_digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++exponent_digits;
    if (exponent_digits == 0) digits = 0;
  }
  if (digits == 0 || i != text.size()) BadNumber(option, text, "not a finite decimal number", range);
  const double v = std::strtod(text.c_str(), nullptr);
  if (!std::isfinite(v) || v < lo || v > hi) BadNumber(option, text, "out of range", range);
  return v;
}

CLI::Option* AddRealOption(CLI::App& cmd, const std::string& name, double& var, double lo, double hi,
                           const std::string& help) {
  const std::string option = name.substr(0, name.find(','));
  return cmd
      .add_option_function<std::string>(
          name, [&var, option, lo, hi](const std::string& text) { var = ParseRealOption(option, text, lo, hi); }, help)
      ->default_str(fmt::format("{}", var))
      ->type_name("REAL");
}

void AddDatasetOptions(CLI::App& cmd, DatasetArgs& a) {
  // The ranges are the configuration table's (train/config.h), as in suite files; lengths also the samplers' limit.
  auto table_max = [](const char* key) { return static_cast<int64_t>(FindField(key, Section::kData)->hi); };
  const int64_t kMaxCount = std::min(table_max("train"), std::min(table_max("validation"), table_max("test")));
  const int kMaxLen = static_cast<int>(std::min<int64_t>(kMaxLength, table_max("max_len")));
  cmd.add_option("LANG", a.lang, "language name or path to a .yaml file")->required();
  cmd.add_option("--task", a.task, "membership or next-symbol")
      ->check(CLI::IsMember({"membership", "next-symbol"}))
      ->capture_default_str();
  AddIntOption<int64_t>(cmd, "--train", a.train, 0, kMaxCount, "training strings (memory is checked before drawing)");
  AddIntOption<int64_t>(cmd, "--validation", a.validation, 0, kMaxCount, "validation strings (training lengths)");
  AddIntOption<int64_t>(cmd, "--test", a.test, 0, kMaxCount, "test strings per test split");
  AddIntOption(cmd, "--min-len", a.min_len, 0, kMaxLen, "shortest training length");
  AddIntOption(cmd, "--max-len", a.max_len, 0, kMaxLen, "longest training length");
  cmd.add_option("--test-bins", a.test_bins, "extra test length bins, e.g. 51-100,101-150");
  cmd.add_option("--negatives", a.negatives, "uniform or perturb (membership task)")
      ->check(CLI::IsMember({"uniform", "perturb"}))
      ->capture_default_str();
  AddIntOption<uint64_t>(cmd, "--seed", a.seed, 0, kMaxSeed, "random seed");
  for (const ConfigField& f : ConfigFields()) {
    if (f.section != Section::kData || !(f.uses & kCli)) continue;
    const ConfigField* field = &f;
    cmd.add_option_function<std::string>(
           std::string("--") + f.cli,
           [&a, field](const std::string& text) {
             try {
               a.table[field->key] = field->Parse(text);
             } catch (const Error& e) {
               throw Error(fmt::format("--{}: {}", field->cli, e.what()));
             }
           },
           fmt::format("{} ({})", f.help, f.Domain()))
        ->default_str(f.Default().is_string() ? f.Default().get<std::string>() : f.Default().dump())
        ->type_name(f.type == FieldType::kName ? "TEXT" : "INT");
  }
}

std::vector<std::pair<int, int>> ParseBins(const std::string& text) {
  std::vector<std::pair<int, int>> bins;
  if (text.empty()) return bins;
  size_t start = 0;
  for (;;) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(start, end - start);
    const size_t dash = item.find('-');
    auto bad = [&] {
      throw Error(fmt::format("--test-bins: bad bin '{}' (expected LO-HI with 0 ≤ LO ≤ HI ≤ {}, e.g. 51-100)", item,
                              kMaxLength));
    };
    if (dash == std::string::npos || !AllDigits(item.substr(0, dash), 0) || !AllDigits(item, dash + 1)) bad();
    int lo = 0, hi = 0;
    auto r1 = std::from_chars(item.data(), item.data() + dash, lo);
    auto r2 = std::from_chars(item.data() + dash + 1, item.data() + item.size(), hi);
    if (r1.ec != std::errc() || r2.ec != std::errc() || hi < lo || hi > kMaxLength) bad();
    bins.emplace_back(lo, hi);
    if (end == text.size()) break;
    start = end + 1;
  }
  return bins;
}

DatasetSpec ToSpec(const DatasetArgs& a) {
  if (a.max_len < a.min_len) throw Error(fmt::format("--min-len {} is above --max-len {}", a.min_len, a.max_len));
  DataConfig d;  // the one conversion to DatasetSpec is the configuration table's (train/config.h)
  d.task = a.task;
  d.negatives = a.negatives;
  d.train = a.train;
  d.validation = a.validation;
  d.test = a.test;
  d.min_len = a.min_len;
  d.max_len = a.max_len;
  d.test_bins = ParseBins(a.test_bins);
  d.seed = a.seed;
  TrainConfig none;
  for (const auto& [key, value] : a.table) FindField(key, Section::kData)->set(d, none, value);
  return ToDatasetSpec(d);
}

}  // namespace flbench
