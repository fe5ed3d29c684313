// The training loop: next batch → forward + backward per shard (in parallel) → reduce shard gradients in shard
// order → clip → optimiser step → log; see trainer.h. Determinism: everything random comes from Rngs seeded by
// (cfg.seed, purpose); a batch is cut into shards of cfg.shard strings by position, never by thread; shard
// gradients and losses are summed in shard order; evaluation chunks are fixed by the data too.
#include "train/trainer.h"

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
#include <tuple>

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

// The batch order of a training set: each epoch's batches from (order_seed, batch, shuffle) and the data alone, so
// every cell that shares those gets the same batches; an ensemble keeps one BatchOrder for all its cells. The spans
// stay valid until the next call to Next.
class BatchOrder {
 public:
  BatchOrder(const Dataset& data, const TrainConfig& cfg)
      : data_(data), batch_(cfg.batch), shuffle_(cfg.shuffle != "off"),
        rng_(DeriveSeed(cfg.order_seed, "batch-order")), groups_(ByLength(data.train.examples)) {}

  // The next epoch's batches. Each length group shuffled and cut into batches of `batch`, then the batch order
  // shuffled; or, with shuffle off, the training file's order cut into runs of one length of at most `batch`
  // strings (PyTorch's DataLoader without shuffling, over a file sorted or grouped by length).
  const std::vector<std::span<const Example* const>>& Next() {
    if (!shuffle_) {
      if (batches_.empty()) FileOrder();
      return batches_;
    }
    batches_.clear();
    for (Group& g : groups_) {
      rng_.Shuffle(g);
      for (size_t i = 0; i < g.size(); i += batch_)
        batches_.emplace_back(g.data() + i, std::min<size_t>(batch_, g.size() - i));
    }
    rng_.Shuffle(batches_);
    return batches_;
  }

 private:
  void FileOrder() {
    for (const Example& e : data_.train.examples) file_order_.push_back(&e);
    size_t begin = 0;
    for (size_t i = 1; i <= file_order_.size(); ++i)
      if (i == file_order_.size() || i - begin == size_t(batch_) ||
          file_order_[i]->x.size() != file_order_[begin]->x.size()) {
        batches_.emplace_back(file_order_.data() + begin, i - begin);
        begin = i;
      }
  }

  const Dataset& data_;
  const int batch_;
  const bool shuffle_;
  Rng rng_;
  std::vector<Group> groups_;
  Group file_order_;  // the training strings in file order (shuffle off)
  std::vector<std::span<const Example* const>> batches_;
};

// One cell's training, driven epoch by epoch and batch by batch: Train runs it alone (Run), TrainEnsemble drives
// several in lockstep through one BatchOrder. Either way a cell performs the same operations in the same order.
class Trainer {
 public:
  Trainer(const Dataset& data, const TrainConfig& cfg)
      : data_(data), cfg_(cfg),
        shape_{cfg.width, data.symbols(), data.outputs(), ParseActivation(cfg.activation), data.task, cfg.bias == "two"},
        theta_(shape_.size()),
        grad_(shape_.size()),
        optimizer_(MakeOptimizer({cfg.optimizer, cfg.lr, cfg.momentum, cfg.alpha, cfg.beta1, cfg.beta2, cfg.eps})) {
    Rng init_rng(DeriveSeed(cfg.seed, "init"));
    InitParams(shape_, ParseInit(cfg.init), init_rng, theta_.memptr());
    // More threads than cores cannot change the result (shards are fixed by data), only oversubscribe.
    const int threads = std::min(cfg.threads, tbb::info::default_concurrency());
    if (threads > 1) arena_ = std::make_unique<tbb::task_arena>(threads);
    shard_grads_.resize((cfg.batch + cfg.shard - 1) / cfg.shard);
    for (auto& g : shard_grads_) g.set_size(shape_.size());
    shard_results_.resize(shard_grads_.size());
  }

  // Replaces the initial parameters (after the configured init drew its numbers, so the RNG streams are unchanged).
  void SetTheta(const std::vector<float>& theta) {
    if (theta.size() != theta_.n_elem)
      throw Error("initial parameters: " + std::to_string(theta.size()) + " values for a model of " +
                  std::to_string(theta_.n_elem));
    std::copy(theta.begin(), theta.end(), theta_.begin());
  }

  TrainResult Run(const std::function<void(const EpochStats&)>& on_epoch) {
    BatchOrder order(data_, cfg_);
    do {
      BeginEpoch();
      for (const auto& batch : order.Next()) Step(batch);
    } while (!EndEpoch(on_epoch));
    return Finish();
  }

  // The lockstep interface. Every epoch: BeginEpoch, Step for each batch of the epoch (a no-op once a batch of this
  // epoch diverged), EndEpoch (true when the cell is done: diverged, stopped early or at its last epoch); then Finish.
  void BeginEpoch() {
    if (!started_) {
      started_ = true;
      start_ = Clock::now();
    }
    ++epoch_;
    epoch_ok_ = true;
    loss_sum_ = outputs_ = 0;
    correct_ = strings_ = 0;
  }

  void Step(std::span<const Example* const> batch) {
    if (!epoch_ok_) return;
    double batch_loss = 0;
    int batch_correct = 0;
    const double batch_outputs = BatchGradient(batch, &batch_loss, &batch_correct);
    const double norm = ClipGradNorm(grad_, cfg_.clip);
    loss_sum_ += batch_loss;
    outputs_ += batch_outputs;
    correct_ += batch_correct;
    strings_ += static_cast<long>(batch.size());
    if (!std::isfinite(batch_loss) || !std::isfinite(norm)) {
      epoch_ok_ = false;  // the epoch (and the run) stops at this batch
      return;
    }
    optimizer_->Step(theta_, grad_);
  }

  bool EndEpoch(const std::function<void(const EpochStats&)>& on_epoch) {
    EpochStats stats{epoch_, 0, 0, 0, -1, {}};
    stats.loss = epoch_ok_ ? loss_sum_ / outputs_ : std::numeric_limits<double>::quiet_NaN();
    stats.train_acc = double(correct_) / double(strings_);
    result_.epochs_run = epoch_;
    result_.final_loss = stats.loss;
    if (!epoch_ok_) {
      result_.diverged = true;
      return true;
    }
    if (cfg_.eval_each_epoch) {
      stats.validation_acc = data_.validation.examples.empty() ? -1 : Accuracy(data_.validation.examples);
      for (const Split& s : data_.tests) stats.test_acc.push_back(Accuracy(s.examples));
    }
    stats.seconds = Since(start_);
    result_.curve.push_back(stats);
    if (on_epoch) on_epoch(stats);
    streak_ = stats.train_acc == 1.0 ? streak_ + 1 : 0;
    return epoch_ >= cfg_.epochs || (cfg_.patience > 0 && streak_ >= cfg_.patience);
  }

  // Final evaluation with the final parameters (a diverged run's may be non-finite: it then scores 0).
  TrainResult Finish() {
    TrainResult result = std::move(result_);
    const bool usable = AllFinite(theta_);
    result.train_acc = usable ? Accuracy(data_.train.examples) : 0;
    if (!data_.validation.examples.empty()) result.validation_acc = usable ? Accuracy(data_.validation.examples) : 0;
    for (const Split& s : data_.tests) {
      result.test_names.push_back(s.name);
      std::vector<LengthCount> by_length;
      result.test_acc.push_back(usable ? Accuracy(s.examples, &by_length) : 0);
      if (!usable)  // every string counts as wrong, as the accuracy of 0 says
        for (const Group& g : ByLength(s.examples)) by_length.push_back({int(g[0]->x.size()), long(g.size()), long(g.size())});
      result.test_by_length.push_back(std::move(by_length));
    }
    result.theta.assign(theta_.begin(), theta_.end());
    result.seconds = Since(start_);
    return result;
  }

  // Restarts the clock that `seconds` fields count from (an ensemble counts each cell's own time: see Busy).
  void ShiftClock(Clock::duration d) { start_ += d; }

 private:
  // grad_ = ∂(mean BCE over the batch's outputs)/∂θ, summed over shards in shard order. Returns the number of
  // outputs; *loss = their summed BCE, *correct = strings right before the update.
  double BatchGradient(std::span<const Example* const> batch, double* loss, int* correct) {
    const int shards = static_cast<int>((batch.size() + cfg_.shard - 1) / cfg_.shard);
    const double outputs = double(batch.size()) * double(data_.task == Task::kMembership ? 1 : batch[0]->x.size() * shape_.o);
    const float scale = float(1.0 / outputs);
    auto shard = [&](int s) {
      const size_t begin = size_t(s) * cfg_.shard;
      return batch.subspan(begin, std::min<size_t>(cfg_.shard, batch.size() - begin));
    };
    if (arena_ == nullptr) {  // one thread: the shards side by side in one pass (the same bits as one by one)
      shard_spans_.clear();
      shard_ptrs_.clear();
      for (int s = 0; s < shards; ++s) {
        shard_spans_.push_back(shard(s));
        shard_grads_[s].zeros();
        shard_ptrs_.push_back(shard_grads_[s].memptr());
      }
      Net().EvaluateShards(theta_.memptr(), shard_spans_, scale, shard_ptrs_.data(), shard_results_.data());
    } else {
      ForEach(arena_.get(), shards, [&](int s) {
        shard_grads_[s].zeros();
        shard_results_[s] = Net().Evaluate(theta_.memptr(), shard(s), scale, shard_grads_[s].memptr());
      });
    }
    grad_ = shard_grads_[0];
    for (int s = 1; s < shards; ++s) grad_ += shard_grads_[s];
    for (int s = 0; s < shards; ++s) {
      *loss += shard_results_[s].loss_sum;
      *correct += shard_results_[s].correct;
    }
    return outputs;
  }

  // Fraction of `examples` correct under the current parameters: forward only, in chunks of up to kEvalChunk
  // strings of one length. by_length, if given, receives the strings and errors per length (lengths ascending).
  double Accuracy(const std::vector<Example>& examples, std::vector<LengthCount>* by_length = nullptr) {
    if (examples.empty()) return -1;
    constexpr size_t kEvalChunk = 256;
    auto it = eval_chunks_.find(&examples);
    if (it == eval_chunks_.end()) {  // the chunks of a split, cut once (the split does not change)
      EvalChunks c;
      c.groups = ByLength(examples);
      for (const Group& g : c.groups)
        for (size_t i = 0; i < g.size(); i += kEvalChunk)
          c.chunks.emplace_back(g.data() + i, std::min(kEvalChunk, g.size() - i));
      it = eval_chunks_.emplace(&examples, std::move(c)).first;
    }
    const auto& chunks = it->second.chunks;
    eval_correct_.resize(chunks.size());
    ForEach(arena_.get(), static_cast<int>(chunks.size()), [&](int i) {
      eval_correct_[i] = Net().CountCorrect(theta_.memptr(), chunks[i]);
    });
    long total = 0;
    for (int c : eval_correct_) total += c;
    if (by_length != nullptr) {
      by_length->clear();
      for (size_t i = 0; i < chunks.size(); ++i) {  // chunks run by length, shortest first
        const int length = static_cast<int>(chunks[i][0]->x.size());
        if (by_length->empty() || by_length->back().length != length) by_length->push_back({length, 0, 0});
        by_length->back().strings += long(chunks[i].size());
        by_length->back().errors += long(chunks[i].size()) - eval_correct_[i];
      }
    }
    return double(total) / double(examples.size());
  }

  // This thread's network scratch for this shape. The scratch holds no state that outlives one Evaluate call, so
  // every Trainer on a thread shares one per shape: an ensemble's cells of one shape reuse one warm scratch instead
  // of each keeping its own.
  ElmanRnn<float>& Net() {
    using Key = std::tuple<int, int, int, int, int, bool>;
    thread_local std::map<Key, std::unique_ptr<ElmanRnn<float>>> nets;
    const Key key{shape_.m, shape_.d, shape_.o, int(shape_.act), int(shape_.task), shape_.two_biases};
    auto it = nets.find(key);
    if (it == nets.end()) {
      if (nets.size() >= 8) nets.clear();  // bounded: a suite's many shapes do not pile up scratch
      it = nets.emplace(key, std::make_unique<ElmanRnn<float>>(shape_)).first;
    }
    return *it->second;
  }

  struct EvalChunks {
    std::vector<Group> groups;  // the split by length
    std::vector<std::span<const Example* const>> chunks;
  };

  const Dataset& data_;
  const TrainConfig& cfg_;
  const ElmanShape shape_;
  arma::fvec theta_;  // θ, ElmanShape::size()
  arma::fvec grad_;   // ∂L/∂θ of the current batch, ElmanShape::size()
  std::vector<arma::fvec> shard_grads_;  // one gradient per shard of a batch, each ElmanShape::size()
  std::vector<ShardResult> shard_results_;
  std::vector<std::span<const Example* const>> shard_spans_;  // one thread: the batch's shards, for EvaluateShards
  std::vector<float*> shard_ptrs_;                            // and their gradients
  std::unique_ptr<Optimizer> optimizer_;
  std::map<const std::vector<Example>*, EvalChunks> eval_chunks_;
  std::vector<int> eval_correct_;
  std::unique_ptr<tbb::task_arena> arena_;  // null for one thread
  // The run so far.
  bool started_ = false;
  Clock::time_point start_;
  TrainResult result_;
  int epoch_ = 0, streak_ = 0;  // streak: consecutive epochs at 100% train accuracy
  bool epoch_ok_ = true;        // no batch of this epoch diverged
  double loss_sum_ = 0, outputs_ = 0;
  long correct_ = 0, strings_ = 0;
};

// Checks that Train and TrainEnsemble share.
void CheckTrainable(const Dataset& data, const TrainConfig& cfg) {
  ValidateTrainConfig(cfg);
  if (data.symbols() < 1) throw Error("dataset has an empty alphabet");
  if (data.task == Task::kNextSymbol && data.symbols() + 1 > 32)
    throw Error("next-symbol targets hold at most 31 symbols (alphabet has " + std::to_string(data.symbols()) + ")");
  if (data.train.examples.empty()) throw Error("dataset '" + data.language + "' has no training strings");
}

void CheckSplits(const Dataset& data) {
  CheckSplit(data.train, data);
  CheckSplit(data.validation, data);
  for (const Split& s : data.tests) CheckSplit(s, data);
}

}  // namespace

TrainResult Train(const Dataset& data, const TrainConfig& cfg, const std::function<void(const EpochStats&)>& on_epoch,
                  const std::vector<float>* init_theta) {
  CheckTrainable(data, cfg);
  CheckSplits(data);
  PinBlasToOneThread();
  Trainer trainer(data, cfg);
  if (init_theta != nullptr) trainer.SetTheta(*init_theta);
  return trainer.Run(on_epoch);
}

bool SameBatchOrder(const TrainConfig& a, const TrainConfig& b) {
  return a.order_seed == b.order_seed && a.batch == b.batch && a.shuffle == b.shuffle;
}

std::vector<TrainResult> TrainEnsemble(const Dataset& data, const std::vector<TrainConfig>& configs,
                                       const std::function<void(size_t, const EpochStats&)>& on_epoch,
                                       const std::function<void(size_t, const TrainResult&)>& on_done) {
  if (configs.empty()) return {};
  for (size_t c = 0; c < configs.size(); ++c) {
    CheckTrainable(data, configs[c]);
    if (!SameBatchOrder(configs[c], configs[0]))
      throw Error("TrainEnsemble: cell " + std::to_string(c) + " has another batch order (order_seed " +
                  std::to_string(configs[c].order_seed) + ", batch " + std::to_string(configs[c].batch) +
                  ", shuffle " + configs[c].shuffle + ") than cell 0; only cells that share it train in lockstep");
  }
  CheckSplits(data);
  PinBlasToOneThread();
  std::vector<std::unique_ptr<Trainer>> cells;
  for (const TrainConfig& cfg : configs) cells.push_back(std::make_unique<Trainer>(data, cfg));
  std::vector<TrainResult> results(configs.size());
  std::vector<size_t> active(configs.size());
  for (size_t c = 0; c < active.size(); ++c) active[c] = c;
  // Each cell's clock counts only its own work: the time spent on the other cells is added to its start.
  auto timed = [&](size_t c, const auto& work) {
    const Clock::time_point t0 = Clock::now();
    work();
    const Clock::duration d = Clock::now() - t0;
    for (size_t o : active)
      if (o != c && cells[o]) cells[o]->ShiftClock(d);
  };
  BatchOrder order(data, configs[0]);
  while (!active.empty()) {
    // The epoch's batches, cut once; then each running cell trains its whole epoch in turn (cell by cell rather than
    // batch by batch, so a cell's parameters, optimiser state and scratch stay in cache through its epoch: stepping
    // each batch through every cell in turn was 3.5% slower on a Table 1 group of widths 3–32 on strings up to
    // length 100, whose cells' scratch does not fit in cache together).
    const auto& batches = order.Next();
    for (size_t c : active)
      timed(c, [&] {
        cells[c]->BeginEpoch();
        for (const auto& batch : batches) cells[c]->Step(batch);
      });
    std::vector<size_t> still;
    for (size_t c : active) {
      bool done = false;
      timed(c, [&] {
        done = cells[c]->EndEpoch(on_epoch ? std::function<void(const EpochStats&)>(
                                                 [&, c](const EpochStats& s) { on_epoch(c, s); })
                                           : std::function<void(const EpochStats&)>());
        if (done) results[c] = cells[c]->Finish();
      });
      if (done) {
        cells[c].reset();  // its scratch and evaluation chunks are not needed any more
        // The caller's work on a finished cell (storing it, checking the model) is no other cell's time either.
        if (on_done) timed(c, [&] { on_done(c, results[c]); });
      } else {
        still.push_back(c);
      }
    }
    active = std::move(still);
  }
  return results;
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
