// Trains an Elman RNN on a Dataset: length-bucketed batches in seeded order, data-parallel gradient shards with a
// fixed reduction order, an optimiser step per batch, early stopping, divergence detection, and evaluation of
// every split; and the same for several cells in lockstep. Entry points: Train, TrainEnsemble, SameBatchOrder, ToJson
// (TrainConfig is in config.h). Tested by tests/train_trainer_test.cc and tests/suite_by_length_test.cc (per-length
// errors against the model stage's forward).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lang/dataset.h"
#include "train/config.h"

namespace flbench {

struct EpochStats {
  int epoch;                // 1-based
  double loss;              // mean BCE per output over the epoch's batches (as seen during training)
  double train_acc;         // fraction of training strings correct when their batch was evaluated (before its update)
  double seconds;           // wall seconds since Train started, at the end of this epoch
  double validation_acc = -1;   // eval_each_epoch only; −1 when there is no validation split
  std::vector<double> test_acc;  // eval_each_epoch only; one per Dataset::tests split
};

// Strings of one length in a split, and how many of them the network got wrong.
struct LengthCount {
  int length = 0;
  long strings = 0, errors = 0;
};

struct TrainResult {
  bool diverged = false;  // a batch's loss or gradient was NaN/Inf: training stopped there
  int epochs_run = 0;
  double final_loss = 0;  // the last epoch's loss (NaN when diverged)
  double train_acc = 0, validation_acc = -1;  // with the final parameters (0 when they are not finite); −1 = no split
  std::vector<std::string> test_names;
  std::vector<double> test_acc;  // per Dataset::tests split, with the final parameters
  std::vector<std::vector<LengthCount>> test_by_length;  // per Dataset::tests split, lengths ascending; not in ToJson
  double seconds = 0;            // wall time of the whole call
  std::vector<EpochStats> curve;
  std::vector<float> theta;  // the final parameters, flat [W | U | b | V | c] (see rnn/elman.h); not in ToJson
};

// Throws flbench::Error when data or cfg cannot be trained on (empty training split, empty strings, bad options).
// on_epoch, if given, is called after every epoch (from the calling thread).
// init_theta, if given, replaces the configured initialisation: the initial θ in the layout of rnn/elman.h for this
// data and cfg (ElmanShape::size() values; `flbench train --init-from` converts a model file to it).
TrainResult Train(const Dataset& data, const TrainConfig& cfg,
                  const std::function<void(const EpochStats&)>& on_epoch = {},
                  const std::vector<float>* init_theta = nullptr);

// Cells with the same batch order (order_seed, batch, shuffle) on the same data see the same batches every epoch
// and can train in lockstep.
bool SameBatchOrder(const TrainConfig& a, const TrainConfig& b);

// Trains several cells on one dataset in lockstep: every epoch's batches are cut once and every cell still running
// trains that epoch on them, then ends it on its own (evaluation, early stop, divergence). Cell c's result is exactly Train(data, configs[c]) alone, bit for bit
// (the `seconds` fields count cell c's own work only). The configs must share SameBatchOrder (else
// flbench::Error); width, activation, init, seed, optimiser, learning rate, epochs, patience, shard … may differ.
// on_epoch(c, stats) after each epoch of cell c; on_done(c, result) the moment cell c finishes (cells finish at
// different epochs), before the ensemble goes on. Returns the results in config order.
std::vector<TrainResult> TrainEnsemble(const Dataset& data, const std::vector<TrainConfig>& configs,
                                       const std::function<void(size_t, const EpochStats&)>& on_epoch = {},
                                       const std::function<void(size_t, const TrainResult&)>& on_done = {});

nlohmann::json ToJson(const TrainResult& result);  // NaN losses become null

}  // namespace flbench
