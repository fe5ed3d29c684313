// The training loop: next batch → forward + backward per shard (in parallel) → reduce shard gradients in shard
// order → clip → optimiser step → log; see trainer.h. Determinism: everything random comes from Rngs seeded by
// (cfg.seed, purpose); a batch is cut into shards of cfg.shard strings by position, never by thread; shard
// gradients and losses are summed in shard order; evaluation chunks are fixed by the data too.
#include "train/trainer.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <span>

#include "optim/optimizer.h"
#include "util/blas_threads.h"
#include "rnn/elman.h"
#include "rnn/init.h"
#include "util/error.h"
#include "util/rng.h"

namespace flbench {

namespace {

using Clock = std::chrono::steady_clock;
using Group = std::vector<const Example*>;  // strings of one length

double Since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// The examples of a split grouped by length, shortest first, each group in dataset order.
std::vector<Group> ByLength(const std::vector<Example>& examples) {
  std::map<size_t, Group> groups;
  for (const Example& e : examples) groups[e.x.size()].push_back(&e);
  std::vector<Group> out;
  for (auto& [len, g] : groups) out.push_back(std::move(g));
  return out;
}

void CheckSplit(const Split& s, const Dataset& data) {
  for (const Example& e : s.examples) {
    if (e.x.empty())
      throw Error("split '" + s.name + "' has an empty string; the RNN reads at least one symbol (use min length ≥ 1)");
    for (uint8_t a : e.x)
      if (a >= data.symbols())
        throw Error("split '" + s.name + "' has symbol index " + std::to_string(a) + " outside the alphabet '" +
                    data.alphabet + "'");
    if (data.task == Task::kNextSymbol && e.next.size() != e.x.size())
      throw Error("split '" + s.name + "' has a next-symbol example without one target per prefix");
  }
}

bool AllFinite(const arma::fvec& v) { return v.is_finite(); }

// Runs f(i) for i in [0, n): serially for one thread, else on the arena's threads. f must write only to slot i.
template <typename F>
void ForEach(tbb::task_arena* arena, int n, const F& f) {
  if (arena == nullptr || n == 1) {
    for (int i = 0; i < n; ++i) f(i);
    return;
  }
  arena->execute([&] { tbb::parallel_for(0, n, [&](int i) { f(i); }); });
}

class Trainer {
 public:
  Trainer(const Dataset& data, const TrainConfig& cfg)
      : data_(data), cfg_(cfg),
        shape_{cfg.width, data.symbols(), data.outputs(), ParseActivation(cfg.activation), data.task, cfg.bias == "two"},
        theta_(shape_.size()),
        grad_(shape_.size()),
        optimizer_(MakeOptimizer({cfg.optimizer, cfg.lr, cfg.momentum, cfg.alpha, cfg.beta1, cfg.beta2, cfg.eps})),
        order_rng_(DeriveSeed(cfg.order_seed, "batch-order")),
        train_groups_(ByLength(data.train.examples)) {
    Rng init_rng(DeriveSeed(cfg.seed, "init"));
    InitParams(shape_, ParseInit(cfg.init), init_rng, theta_.memptr());
    // More threads than cores cannot change the result (shards are fixed by data), only oversubscribe.
    const int threads = std::min(cfg.threads, tbb::info::default_concurrency());
    if (threads > 1) arena_ = std::make_unique<tbb::task_arena>(threads);
    shard_grads_.resize((cfg.batch + cfg.shard - 1) / cfg.shard);
    for (auto& g : shard_grads_) g.set_size(shape_.size());
  }

  // Replaces the initial parameters (after the configured init drew its numbers, so the RNG streams are unchanged).
  void SetTheta(const std::vector<float>& theta) {
    if (theta.size() != theta_.n_elem)
      throw Error("initial parameters: " + std::to_string(theta.size()) + " values for a model of " +
                  std::to_string(theta_.n_elem));
    std::copy(theta.begin(), theta.end(), theta_.begin());
  }

  TrainResult Run(const std::function<void(const EpochStats&)>& on_epoch) {
    const Clock::time_point start = Clock::now();
    TrainResult result;
    int streak = 0;  // consecutive epochs at 100% train accuracy
    for (int epoch = 1; epoch <= cfg_.epochs; ++epoch) {
      EpochStats stats{epoch, 0, 0, 0, -1, {}};
      const bool ok = RunEpoch(&stats);
      result.epochs_run = epoch;
      result.final_loss = stats.loss;
      if (!ok) {
        result.diverged = true;
        break;
      }
      if (cfg_.eval_each_epoch) {
        stats.validation_acc = data_.validation.examples.empty() ? -1 : Accuracy(data_.validation.examples);
        for (const Split& s : data_.tests) stats.test_acc.push_back(Accuracy(s.examples));
      }
      stats.seconds = Since(start);
      result.curve.push_back(stats);
      if (on_epoch) on_epoch(stats);
      streak = stats.train_acc == 1.0 ? streak + 1 : 0;
      if (cfg_.patience > 0 && streak >= cfg_.patience) break;
    }
    // Final evaluation with the final parameters (a diverged run's may be non-finite: it then scores 0).
    const bool usable = AllFinite(theta_);
    result.train_acc = usable ? Accuracy(data_.train.examples) : 0;
    if (!data_.validation.examples.empty()) result.validation_acc = usable ? Accuracy(data_.validation.examples) : 0;
    for (const Split& s : data_.tests) {
      result.test_names.push_back(s.name);
      result.test_acc.push_back(usable ? Accuracy(s.examples) : 0);
    }
    result.theta.assign(theta_.begin(), theta_.end());
    result.seconds = Since(start);
    return result;
  }

 private:
  // One pass over the training set. Returns false (and stats->loss = NaN) on a non-finite loss or gradient.
  bool RunEpoch(EpochStats* stats) {
    // Batches: each length group shuffled and cut into batches of cfg.batch, then the batch order shuffled; or, with
    // shuffle off, the training file's order cut into runs of one length of at most cfg.batch strings.
    std::vector<std::span<const Example* const>> batches;
    if (cfg_.shuffle == "off") {
      batches = FileOrderBatches();
    } else {
      for (Group& g : train_groups_) {
        order_rng_.Shuffle(g);
        for (size_t i = 0; i < g.size(); i += cfg_.batch)
          batches.emplace_back(g.data() + i, std::min<size_t>(cfg_.batch, g.size() - i));
      }
      order_rng_.Shuffle(batches);
    }

    double loss_sum = 0, outputs = 0;
    long correct = 0, strings = 0;
    for (const auto& batch : batches) {
      double batch_loss = 0;
      int batch_correct = 0;
      const double batch_outputs = BatchGradient(batch, &batch_loss, &batch_correct);
      const double norm = ClipGradNorm(grad_, cfg_.clip);
      loss_sum += batch_loss;
      outputs += batch_outputs;
      correct += batch_correct;
      strings += static_cast<long>(batch.size());
      if (!std::isfinite(batch_loss) || !std::isfinite(norm)) {
        stats->loss = std::numeric_limits<double>::quiet_NaN();
        stats->train_acc = double(correct) / double(strings);
        return false;
      }
      optimizer_->Step(theta_, grad_);
    }
    stats->loss = loss_sum / outputs;
    stats->train_acc = double(correct) / double(strings);
    return true;
  }

  // Consecutive strings of one length in file order, at most cfg.batch per batch (PyTorch's DataLoader without
  // shuffling, over a file sorted or grouped by length).
  std::vector<std::span<const Example* const>> FileOrderBatches() {
    if (file_order_.empty())
      for (const Example& e : data_.train.examples) file_order_.push_back(&e);
    std::vector<std::span<const Example* const>> batches;
    size_t begin = 0;
    for (size_t i = 1; i <= file_order_.size(); ++i)
      if (i == file_order_.size() || i - begin == size_t(cfg_.batch) || file_order_[i]->x.size() != file_order_[begin]->x.size()) {
        batches.emplace_back(file_order_.data() + begin, i - begin);
        begin = i;
      }
    return batches;
  }

  // grad_ = ∂(mean BCE over the batch's outputs)/∂θ, summed over shards in shard order. Returns the number of
  // outputs; *loss = their summed BCE, *correct = strings right before the update.
  double BatchGradient(std::span<const Example* const> batch, double* loss, int* correct) {
    const int shards = static_cast<int>((batch.size() + cfg_.shard - 1) / cfg_.shard);
    const double outputs = double(batch.size()) * double(data_.task == Task::kMembership ? 1 : batch[0]->x.size() * shape_.o);
    const float scale = float(1.0 / outputs);
    std::vector<ShardResult> results(shards);
    ForEach(arena_.get(), shards, [&](int s) {
      const size_t begin = size_t(s) * cfg_.shard;
      const auto shard = batch.subspan(begin, std::min<size_t>(cfg_.shard, batch.size() - begin));
      shard_grads_[s].zeros();
      results[s] = Net().Evaluate(theta_.memptr(), shard, scale, shard_grads_[s].memptr());
    });
    grad_ = shard_grads_[0];
    for (int s = 1; s < shards; ++s) grad_ += shard_grads_[s];
    for (const ShardResult& r : results) {
      *loss += r.loss_sum;
      *correct += r.correct;
    }
    return outputs;
  }

  // Fraction of `examples` correct under the current parameters: forward only, in chunks of up to kEvalChunk
  // strings of one length.
  double Accuracy(const std::vector<Example>& examples) {
    if (examples.empty()) return -1;
    constexpr size_t kEvalChunk = 256;
    const std::vector<Group> groups = ByLength(examples);
    std::vector<std::span<const Example* const>> chunks;
    for (const Group& g : groups)
      for (size_t i = 0; i < g.size(); i += kEvalChunk) chunks.emplace_back(g.data() + i, std::min(kEvalChunk, g.size() - i));
    std::vector<int> correct(chunks.size());
    ForEach(arena_.get(), static_cast<int>(chunks.size()), [&](int i) {
      correct[i] = Net().Evaluate(theta_.memptr(), chunks[i], 1.0f, nullptr).correct;
    });
    long total = 0;
    for (int c : correct) total += c;
    return double(total) / double(examples.size());
  }

  // This thread's network scratch (the scratch holds no state that outlives one Evaluate call).
  ElmanRnn<float>& Net() {
    auto& net = nets_.local();
    if (!net) net = std::make_unique<ElmanRnn<float>>(shape_);
    return *net;
  }

  const Dataset& data_;
  const TrainConfig& cfg_;
  const ElmanShape shape_;
  arma::fvec theta_;  // θ, ElmanShape::size()
  arma::fvec grad_;   // ∂L/∂θ of the current batch, ElmanShape::size()
  std::vector<arma::fvec> shard_grads_;  // one gradient per shard of a batch, each ElmanShape::size()
  std::unique_ptr<Optimizer> optimizer_;
  Rng order_rng_;
  std::vector<Group> train_groups_;
  Group file_order_;  // the training strings in file order (shuffle off)
  std::unique_ptr<tbb::task_arena> arena_;  // null for one thread
  tbb::enumerable_thread_specific<std::unique_ptr<ElmanRnn<float>>> nets_;
};

}  // namespace

TrainResult Train(const Dataset& data, const TrainConfig& cfg, const std::function<void(const EpochStats&)>& on_epoch,
                  const std::vector<float>* init_theta) {
  ValidateTrainConfig(cfg);
  if (data.symbols() < 1) throw Error("dataset has an empty alphabet");
  if (data.task == Task::kNextSymbol && data.symbols() + 1 > 32)
    throw Error("next-symbol targets hold at most 31 symbols (alphabet has " + std::to_string(data.symbols()) + ")");
  if (data.train.examples.empty()) throw Error("dataset '" + data.language + "' has no training strings");
  CheckSplit(data.train, data);
  CheckSplit(data.validation, data);
  for (const Split& s : data.tests) CheckSplit(s, data);
  PinBlasToOneThread();
  Trainer trainer(data, cfg);
  if (init_theta != nullptr) trainer.SetTheta(*init_theta);
  return trainer.Run(on_epoch);
}

namespace {
nlohmann::json Number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
}  // namespace

nlohmann::json ToJson(const TrainResult& r) {
  nlohmann::json tests = nlohmann::json::array();  // in Dataset::tests order
  for (size_t i = 0; i < r.test_names.size(); ++i) tests.push_back({{"name", r.test_names[i]}, {"acc", r.test_acc[i]}});
  nlohmann::json curve = nlohmann::json::array();
  for (const EpochStats& e : r.curve) {
    nlohmann::json row = {{"epoch", e.epoch}, {"loss", Number(e.loss)}, {"train_acc", e.train_acc}, {"seconds", e.seconds}};
    if (e.validation_acc >= 0) row["validation_acc"] = e.validation_acc;
    if (!e.test_acc.empty()) row["test_acc"] = e.test_acc;
    curve.push_back(row);
  }
  nlohmann::json j = {{"diverged", r.diverged}, {"epochs_run", r.epochs_run}, {"final_loss", Number(r.final_loss)},
                      {"train_acc", r.train_acc}, {"tests", tests},          {"seconds", r.seconds},
                      {"curve", curve}};
  if (r.validation_acc >= 0) j["validation_acc"] = r.validation_acc;
  return j;
}

}  // namespace flbench
