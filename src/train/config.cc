// The training-configuration table and everything generated from it (see config.h).
#include "train/config.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "optim/optimizer.h"
#include "rnn/activation.h"
#include "rnn/init.h"
#include "util/error.h"
#include "util/strings.h"

namespace flbench {

DatasetSpec ToDatasetSpec(const DataConfig& d) {
  DatasetSpec s;
  s.task = d.task == "next-symbol" ? Task::kNextSymbol : Task::kMembership;
  s.negatives = d.negatives == "perturb" ? Negatives::kPerturb : Negatives::kUniform;
  s.train = d.train;
  s.validation = d.validation;
  s.test = d.test;
  s.min_len = d.min_len;
  s.max_len = d.max_len;
  s.test_bins = d.test_bins;
  s.splits = d.splits == "all-strings" ? Splits::kAllStrings : Splits::kDisjoint;
  s.seed = d.seed;
  return s;
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The accessors of a member of DataConfig or TrainConfig, as JSON.
template <typename T>
ConfigField Field(const char* key, const char* cli, T DataConfig::*member, FieldType type, unsigned uses,
                  std::vector<std::string> allowed, double lo, double hi, bool lo_open, bool hi_open,
                  const char* help) {
  return {key, cli, Section::kData, type, uses, std::move(allowed), lo, hi, lo_open, hi_open, help,
          [member](const DataConfig& d, const TrainConfig&) { return nlohmann::json(d.*member); },
          [member](DataConfig& d, TrainConfig&, const nlohmann::json& v) { d.*member = v.get<T>(); }};
}
template <typename T>
ConfigField Field(const char* key, const char* cli, T TrainConfig::*member, FieldType type, unsigned uses,
                  std::vector<std::string> allowed, double lo, double hi, bool lo_open, bool hi_open,
                  const char* help) {
  return {key, cli, Section::kModel, type, uses, std::move(allowed), lo, hi, lo_open, hi_open, help,
          [member](const DataConfig&, const TrainConfig& t) { return nlohmann::json(t.*member); },
          [member](DataConfig&, TrainConfig& t, const nlohmann::json& v) { t.*member = v.get<T>(); }};
}

constexpr unsigned kAxis = kGridAxis | kReportAxis | kCli | kInKey;  // an ordinary hyperparameter
constexpr unsigned kSize = kSuiteScalar | kInKey;                   // a data size or length (CLI: dataset options)

std::vector<ConfigField> MakeFields() {
  using F = FieldType;
  return {
      // Data (the dataset options of `flbench train` are the shared dataset options, cli/options.h).
      Field("task", "task", &DataConfig::task, F::kName, kGridAxis | kReportAxis | kInKey,
            {"membership", "next-symbol"}, 0, 0, false, false, "membership or next-symbol"),
      Field("negatives", "negatives", &DataConfig::negatives, F::kName, kGridAxis | kReportAxis | kInKey,
            {"uniform", "perturb"}, 0, 0, false, false, "negatives of the membership task: uniform or perturb"),
      Field("train", "train", &DataConfig::train, F::kCount, kSize, {}, 0, 1e9, false, false, "training strings"),
      Field("validation", "validation", &DataConfig::validation, F::kCount, kSize, {}, 0, 1e9, false, false,
            "validation strings (training lengths)"),
      Field("test", "test", &DataConfig::test, F::kCount, kSize, {}, 0, 1e9, false, false, "test strings per split"),
      Field("min_len", "min-len", &DataConfig::min_len, F::kInt, kSize, {}, 0, 1e6, false, false,
            "shortest training length"),
      Field("max_len", "max-len", &DataConfig::max_len, F::kInt, kSize, {}, 0, 1e6, false, false,
            "longest training length"),
      Field("test_bins", "test-bins", &DataConfig::test_bins, F::kBins, kSize, {}, 0, 0, false, false,
            "extra test splits of other lengths, e.g. [\"51-100\"]"),
      Field("splits", "splits", &DataConfig::splits, F::kName, kSize | kCli | kKeyIfSet, {"disjoint", "all-strings"}, 0,
            0, false, false,
            "disjoint: train, validation and test sampled without overlap; all-strings: train on every string of the "
            "training lengths (at most `train` of them) and test on the same strings, plus the test bins as usual "
            "(the paper-like overlap for languages with few strings; validation must be 0)"),
      Field("seed", "seed", &DataConfig::seed, F::kSeed, kInKey, {}, 0, 0, false, false,
            "dataset seed (suites derive it from the suite seed and the language)"),
      // Model and optimiser.
      Field("width", "width", &TrainConfig::width, F::kInt, kAxis, {}, 1, 65536, false, false, "hidden units m"),
      Field("activation", "act", &TrainConfig::activation, F::kName, kAxis, ActivationNames(), 0, 0, false, false,
            "activation"),
      Field("bias", "bias", &TrainConfig::bias, F::kName, kAxis, {"two", "one"}, 0, 0, false, false,
            "hidden biases: two (PyTorch's nn.RNN: bias_ih and bias_hh, each its own parameter) or one (a single b)"),
      Field("init", "init", &TrainConfig::init, F::kName, kAxis, InitNames(), 0, 0, false, false,
            "initialisation: uniform (±1/√m), gaussian (N(0, 2/m)), identity (IRNN), orthogonal"),
      Field("optimizer", "optimizer", &TrainConfig::optimizer, F::kName, kAxis, OptimizerNames(), 0, 0, false, false,
            "optimiser"),
      Field("lr", "lr", &TrainConfig::lr, F::kReal, kAxis, {}, 0, kInf, true, true, "learning rate"),
      Field("momentum", "momentum", &TrainConfig::momentum, F::kReal, kAxis, {}, 0, 1, false, true, "SGD momentum"),
      Field("alpha", "alpha", &TrainConfig::alpha, F::kReal, kAxis, {}, 0, 1, false, true,
            "RMSProp decay of the running mean of g²"),
      Field("beta1", "beta1", &TrainConfig::beta1, F::kReal, kGridAxis | kCli | kInKey, {}, 0, 1, false, true,
            "Adam β₁"),
      Field("beta2", "beta2", &TrainConfig::beta2, F::kReal, kGridAxis | kCli | kInKey, {}, 0, 1, false, true,
            "Adam β₂"),
      Field("eps", "eps", &TrainConfig::eps, F::kReal, kGridAxis | kCli | kInKey, {}, 0, kInf, true, true,
            "RMSProp/Adam ε (added to √s)"),
      Field("clip", "clip", &TrainConfig::clip, F::kReal, kAxis, {}, 0, kInf, false, true,
            "max gradient 2-norm (0 = off)"),
      Field("batch", "batch", &TrainConfig::batch, F::kInt, kAxis, {}, 1, 1e6, false, false,
            "strings per batch (all of one length)"),
      Field("epochs", "epochs", &TrainConfig::epochs, F::kInt, kAxis, {}, 1, 1e6, false, false, "epochs (maximum)"),
      Field("patience", "patience", &TrainConfig::patience, F::kInt, kGridAxis | kCli | kInKey, {}, 0, 1e6, false,
            false, "stop after this many epochs at 100% train accuracy (0 = never)"),
      Field("shard", "shard", &TrainConfig::shard, F::kInt, kGridAxis | kCli | kInKey, {}, 1, 1e6, false, false,
            "strings per gradient shard (the unit of parallelism; results depend on it, never on threads)"),
      Field("shuffle", "shuffle", &TrainConfig::shuffle, F::kName, kGridAxis | kCli | kInKey, {"on", "off"}, 0, 0,
            false, false,
            "batch order: on = each length group and the batches shuffled every epoch (seeded); off = file order, "
            "consecutive strings of one length, at most `batch` per batch, the same every epoch"),
      Field("eval_each_epoch", "eval-each-epoch", &TrainConfig::eval_each_epoch, F::kBool, kCli | kInKey, {}, 0, 0,
            false, false, "also evaluate validation and test splits every epoch (suites: set by the report)"),
      Field("threads", "threads", &TrainConfig::threads, F::kInt, kCli, {}, 1, 1024, false, false,
            "threads within one run (results identical for any value)"),
      Field("seed", "seed", &TrainConfig::seed, F::kSeed, kInKey, {}, 0, 0, false, false,
            "initial parameters (suites derive it from the suite seed and the whole cell)"),
      Field("order_seed", "order-seed", &TrainConfig::order_seed, F::kSeed, kInKey, {}, 0, 0, false, false,
            "batch order (suites derive it from the suite seed, the language, the data and the seed index)"),
  };
}

std::string Num(double v) { return std::isinf(v) ? (v > 0 ? "∞" : "−∞") : ShowNumber(v); }

}  // namespace

const std::vector<ConfigField>& ConfigFields() {
  static const std::vector<ConfigField> fields = MakeFields();
  return fields;
}

const ConfigField* FindField(const std::string& key, Section section) {
  for (const ConfigField& f : ConfigFields())
    if (key == f.key && f.section == section) return &f;
  return nullptr;
}

std::vector<std::string> FieldKeys(unsigned use) {
  std::vector<std::string> keys;
  for (const ConfigField& f : ConfigFields())
    if (f.uses & use) keys.push_back(f.key);
  return keys;
}

std::string ConfigField::Domain() const {
  switch (type) {
    case FieldType::kName:
      return Join(allowed);
    case FieldType::kBool:
      return "true or false";
    case FieldType::kSeed:
      return "an integer in [0, 2^64)";
    case FieldType::kBins:
      return "a list of \"LO-HI\" with 0 ≤ LO ≤ HI";
    default:
      break;
  }
  if (hi == kInf && !hi_open) return fmt::format("{} {}", lo_open ? ">" : "≥", Num(lo));
  if (hi == kInf) return fmt::format("{} {}", lo_open ? ">" : "≥", Num(lo));
  return fmt::format("in {}{}, {}{}", lo_open ? "(" : "[", Num(lo), Num(hi), hi_open ? ")" : "]");
}

void ConfigField::Check(const nlohmann::json& v) const {
  auto bad = [&](const std::string& got) {
    throw Error(fmt::format("'{}' must be {}{} (got {})", key, type == FieldType::kName ? "one of " : "", Domain(), got));
  };
  auto in_range = [&](double x) {
    return !std::isnan(x) && (lo_open ? x > lo : x >= lo) && (hi_open ? x < hi : x <= hi);
  };
  switch (type) {
    case FieldType::kName: {
      if (!v.is_string()) bad(v.dump());
      const std::string s = v.get<std::string>();
      if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) bad("'" + s + "'");
      return;
    }
    case FieldType::kBool:
      if (!v.is_boolean()) bad(v.dump());
      return;
    case FieldType::kSeed:
      if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0)) bad(v.dump());
      return;
    case FieldType::kInt:
    case FieldType::kCount:
      if (!v.is_number_integer() || !in_range(double(v.get<int64_t>()))) bad(v.dump());
      return;
    case FieldType::kReal:
      if (!v.is_number() || !in_range(v.get<double>())) bad(v.is_number() ? ShowNumber(v.get<double>()) : v.dump());
      return;
    case FieldType::kBins:
      if (!v.is_array()) bad(v.dump());
      for (const auto& b : v)
        if (!b.is_array() || b.size() != 2 || !b[0].is_number_integer() || !b[1].is_number_integer() ||
            b[0].get<int64_t>() < 0 || b[1].get<int64_t>() < b[0].get<int64_t>() || b[1].get<int64_t>() > 1000000)
          bad(v.dump());
      return;
  }
}

nlohmann::json ConfigField::Parse(const std::string& text) const {
  nlohmann::json v;
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  switch (type) {
    case FieldType::kName:
      v = text;
      break;
    case FieldType::kBool:
      if (text != "true" && text != "false") throw Error(fmt::format("'{}' must be true or false (got '{}')", key, text));
      v = text == "true";
      break;
    case FieldType::kSeed: {
      const unsigned long long x = std::strtoull(begin, &end, 10);
      if (text.empty() || text[0] == '-' || *end != '\0' || errno == ERANGE)
        throw Error(fmt::format("'{}' must be {} (got '{}')", key, Domain(), text));
      v = uint64_t(x);
      break;
    }
    case FieldType::kInt:
    case FieldType::kCount: {
      const long long x = std::strtoll(begin, &end, 10);
      if (text.empty() || *end != '\0' || errno == ERANGE)
        throw Error(fmt::format("'{}' must be an integer {} (got '{}')", key, Domain(), text));
      v = int64_t(x);
      break;
    }
    case FieldType::kReal: {
      const double x = std::strtod(begin, &end);
      if (text.empty() || *end != '\0' || !std::isfinite(x))
        throw Error(fmt::format("'{}' must be a finite number {} (got '{}')", key, Domain(), text));
      v = x;
      break;
    }
    case FieldType::kBins:
      throw Error(fmt::format("'{}' is not read from a single word", key));
  }
  Check(v);
  return v;
}

void ValidateTrainConfig(const TrainConfig& cfg) {
  const DataConfig none;
  for (const ConfigField& f : ConfigFields())
    if (f.section == Section::kModel) f.Check(f.get(none, cfg));
}

nlohmann::json ModelJson(const TrainConfig& cfg, bool with_runtime) {
  nlohmann::json j = nlohmann::json::object();
  const DataConfig none;
  for (const ConfigField& f : ConfigFields())
    if (f.section == Section::kModel && (with_runtime || (f.uses & kInKey))) j[f.key] = f.get(none, cfg);
  return j;
}

nlohmann::json DataJson(const DataConfig& d) {
  nlohmann::json j = nlohmann::json::object();
  const TrainConfig none;
  for (const ConfigField& f : ConfigFields())
    if (f.section == Section::kData) j[f.key] = f.get(d, none);
  DropDefaults(Section::kData, j);
  return j;
}

void DropDefaults(Section section, nlohmann::json& j) {
  for (const ConfigField& f : ConfigFields())
    if (f.section == section && (f.uses & kKeyIfSet) && j.contains(f.key) && j[f.key] == f.Default()) j.erase(f.key);
}

namespace {
void FromJson(Section section, const nlohmann::json& j, DataConfig& d, TrainConfig& t) {
  if (!j.is_object()) throw Error(fmt::format("the {} section must be a JSON object", section == Section::kData ? "data" : "model"));
  for (const ConfigField& f : ConfigFields()) {
    if (f.section != section) continue;
    if (!j.contains(f.key)) {
      if ((f.uses & kInKey) && !(f.uses & kKeyIfSet))
        throw Error(fmt::format("{} section: missing '{}'", f.SectionName(), f.key));
      continue;
    }
    f.Check(j[f.key]);
    f.set(d, t, j[f.key]);
  }
}
}  // namespace

TrainConfig ModelFromJson(const nlohmann::json& j) {
  DataConfig d;
  TrainConfig t;
  FromJson(Section::kModel, j, d, t);
  return t;
}

DataConfig DataFromJson(const nlohmann::json& j) {
  DataConfig d;
  TrainConfig t;
  FromJson(Section::kData, j, d, t);
  return d;
}

}  // namespace flbench
