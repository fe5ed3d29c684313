// The training configuration, defined once: one table row per field (key, section, type, allowed values drawn from
// the enums, range, help). The CLI options of `flbench train`, the suite grid keys and their validation, the cell
// config JSON (in and out) and the report axes are all generated from it; a field's default is the initial value of
// its member in DataConfig / TrainConfig. Adding a hyperparameter = a member + one row + its use.
// Entry points: TrainConfig, DataConfig, ConfigFields, FindField, ValidateTrainConfig, ModelJson, ModelFromJson,
// DataJson, DataFromJson, DropDefaults. Tested by tests/train_config_test.cc.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "lang/dataset_builder.h"

namespace flbench {

// How a model is trained (the "model" section of a cell's config).
struct TrainConfig {
  std::string activation = "tanh";    // relu, tanh, sigmoid, cos, identity (rnn/activation.h)
  int width = 32;                     // m
  std::string bias = "two";           // hidden biases: two (PyTorch's bias_ih + bias_hh) or one
  std::string init = "uniform";       // rnn/init.h
  std::string optimizer = "rmsprop";  // optim/optimizer.h
  double lr = 0.01, momentum = 0.0, alpha = 0.99, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double clip = 0.0;  // max gradient 2-norm, 0 = off
  int batch = 32, epochs = 100;
  int patience = 3;              // stop once train accuracy has been 100% for this many consecutive epochs (0 = never)
  bool eval_each_epoch = false;  // also record validation and every test split's accuracy per epoch
  int threads = 1;               // threads for the shards of a batch and for evaluation (result identical for any value)
  int shard = 16;                // strings per gradient shard: the unit of data parallelism, fixed by the data, so
                                 // results depend on it but never on `threads`
  std::string shuffle = "on";    // on: length groups and batches in seeded random order each epoch; off: file order
  uint64_t seed = 1;             // initial parameters
  uint64_t order_seed = 1;       // batch order (cells that share it and the data can train in lockstep)
};

// What a model is trained on (the "data" section of a cell's config); DatasetSpec minus the typed enums.
struct DataConfig {
  std::string task = "membership";  // membership, next-symbol
  std::string negatives = "uniform";  // uniform, perturb (membership)
  int64_t train = 1000, validation = 0, test = 200;
  int min_len = 2, max_len = 50;
  std::vector<std::pair<int, int>> test_bins;  // extra test splits [lo, hi]
  std::string splits = "disjoint";  // disjoint, all-strings (DatasetSpec::splits)
  uint64_t seed = 1;
};
DatasetSpec ToDatasetSpec(const DataConfig& d);

enum class Section { kData, kModel };
enum class FieldType { kInt, kCount, kSeed, kReal, kName, kBool, kBins };

// Where a field may appear.
enum FieldUse : unsigned {
  kGridAxis = 1u << 0,    // a suite key that may be a list (an axis of the grid): `grid:` for model, `data:` for data
  kSuiteScalar = 1u << 1, // a suite key with one value per language (data sizes and lengths)
  kReportAxis = 1u << 2,  // usable as rows/columns of a report table
  kCli = 1u << 3,         // an option of `flbench train`
  kInKey = 1u << 4,       // part of the cell config (and so of its key); otherwise run-time only (threads)
  kKeyIfSet = 1u << 5,    // with kInKey: in the config only when it differs from the default, and read as the
                          // default when absent (a field added after results were stored keeps every earlier key)
};

struct ConfigField {
  const char* key;   // JSON and suite key
  const char* cli;   // option name of `flbench train` without "--" (may differ from key: activation → act)
  Section section;
  FieldType type;
  unsigned uses;     // FieldUse bits
  std::vector<std::string> allowed;  // kName: the valid names, in the enum's order
  double lo, hi;     // kInt, kCount, kReal: the closed range; lo_open/hi_open make an end open
  bool lo_open, hi_open;
  const char* help;
  std::function<nlohmann::json(const DataConfig&, const TrainConfig&)> get;
  std::function<void(DataConfig&, TrainConfig&, const nlohmann::json&)> set;  // value already checked

  nlohmann::json Default() const { return get(DataConfig{}, TrainConfig{}); }
  const char* SectionName() const { return section == Section::kData ? "data" : "model"; }
  // Throws flbench::Error("'key' must be …") when v has the wrong type or lies outside allowed/range.
  void Check(const nlohmann::json& v) const;
  // A value as typed on a command line ("0.01", "relu", "32"), checked; throws flbench::Error otherwise.
  nlohmann::json Parse(const std::string& text) const;
  // The range or allowed values as text, for help and messages ("≥ 1", "in [0, 1)", "relu, tanh, …").
  std::string Domain() const;
};

// Every field, data section first, in a fixed order (the order of grid axes and labels).
const std::vector<ConfigField>& ConfigFields();
// The field of a section with this key; nullptr if none.
const ConfigField* FindField(const std::string& key, Section section);
// Keys of the fields with a use (e.g. kReportAxis), in table order.
std::vector<std::string> FieldKeys(unsigned use);

// Throws flbench::Error with a clear message for a bad option (width ≤ 0, unknown activation, lr ≤ 0, ...).
void ValidateTrainConfig(const TrainConfig& cfg);

// The model section as stored in a cell's config (kInKey fields), or with run-time fields too (for `flbench train`).
nlohmann::json ModelJson(const TrainConfig& cfg, bool with_runtime = false);
nlohmann::json DataJson(const DataConfig& d);
// Removes the kKeyIfSet fields of a section that hold their default (how DataJson and the suites write a config).
void DropDefaults(Section section, nlohmann::json& j);
// From stored or generated JSON (untrusted): every kInKey field of the section must be present with the right type
// and in range; throws flbench::Error naming the field otherwise.
TrainConfig ModelFromJson(const nlohmann::json& j);
DataConfig DataFromJson(const nlohmann::json& j);

}  // namespace flbench
