// Trains an Elman RNN on a Dataset: length-bucketed batches in seeded order, data-parallel gradient shards with a
// fixed reduction order, an optimiser step per batch, early stopping, divergence detection, and evaluation of
// every split. Entry points: TrainConfig, Train, ValidateTrainConfig, ToJson. Tested by tests/train_trainer_test.cc.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lang/dataset.h"

namespace flbench {

struct TrainConfig {
  std::string activation = "tanh";    // relu, tanh, sigmoid, cos, identity
  int width = 32;                     // m
  std::string init = "uniform";       // uniform, gaussian, identity, orthogonal (see rnn/init.h)
  std::string optimizer = "rmsprop";  // sgd, rmsprop, adam
  double lr = 0.01, momentum = 0.0, alpha = 0.99, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double clip = 0.0;  // max gradient 2-norm, 0 = off
  int batch = 32, epochs = 100;
  int patience = 3;              // stop once train accuracy has been 100% for this many consecutive epochs (0 = never)
  bool eval_each_epoch = false;  // also record validation and every test split's accuracy per epoch
  int threads = 1;               // threads for the shards of a batch and for evaluation (result identical for any value)
  int shard = 16;                // strings per gradient shard: the unit of data parallelism, fixed by the data, so
                                 // results depend on it but never on `threads`
  uint64_t seed = 1;             // initial parameters and batch order
};

struct EpochStats {
  int epoch;                // 1-based
  double loss;              // mean BCE per output over the epoch's batches (as seen during training)
  double train_acc;         // fraction of training strings correct when their batch was evaluated (before its update)
  double seconds;           // wall seconds since Train started, at the end of this epoch
  double validation_acc = -1;   // eval_each_epoch only; −1 when there is no validation split
  std::vector<double> test_acc;  // eval_each_epoch only; one per Dataset::tests split
};

struct TrainResult {
  bool diverged = false;  // a batch's loss or gradient was NaN/Inf: training stopped there
  int epochs_run = 0;
  double final_loss = 0;  // the last epoch's loss (NaN when diverged)
  double train_acc = 0, validation_acc = -1;  // with the final parameters (0 when they are not finite); −1 = no split
  std::vector<std::string> test_names;
  std::vector<double> test_acc;  // per Dataset::tests split, with the final parameters
  double seconds = 0;            // wall time of the whole call
  std::vector<EpochStats> curve;
  std::vector<float> theta;  // the final parameters, flat [W | U | b | V | c] (see rnn/elman.h); not in ToJson
};

// Throws flbench::Error when data or cfg cannot be trained on (empty training split, empty strings, bad options).
// on_epoch, if given, is called after every epoch (from the calling thread).
TrainResult Train(const Dataset& data, const TrainConfig& cfg,
                  const std::function<void(const EpochStats&)>& on_epoch = {});

// Throws flbench::Error with a clear message for a bad option (width ≤ 0, unknown activation, lr ≤ 0, ...).
void ValidateTrainConfig(const TrainConfig& cfg);

nlohmann::json ToJson(const TrainConfig& cfg);
nlohmann::json ToJson(const TrainResult& result);  // NaN losses become null

}  // namespace flbench
