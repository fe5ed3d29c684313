// Tests of Train (src/train/trainer.cc) on datasets built here by brute force from C++ predicates (not by the data
// layer): training reaches 100% on easy next-symbol tasks (tomita1, tomita2, parity) within seconds, results are
// bit-for-bit identical for 1, 2 and 4 threads, divergence stops cleanly, early stopping and option checks work;
// TrainEnsemble gives every cell exactly its Train result.
#include <gtest/gtest.h>

#include <chrono>

#include <cmath>
#include <cstring>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "train/trainer.h"
#include "util/error.h"
#include "util/rng.h"

namespace flbench {
namespace {

using Predicate = std::function<bool(const std::vector<uint8_t>&)>;

bool Tomita1(const std::vector<uint8_t>& w) {  // 1*
  for (uint8_t a : w)
    if (a != 1) return false;
  return true;
}
bool Tomita2(const std::vector<uint8_t>& w) {  // (10)*
  if (w.size() % 2) return false;
  for (size_t i = 0; i < w.size(); ++i)
    if (w[i] != (i % 2 == 0 ? 1 : 0)) return false;
  return true;
}
bool EvenOnes(const std::vector<uint8_t>& w) {  // parity: an even number of 1s
  int ones = 0;
  for (uint8_t a : w) ones += a;
  return ones % 2 == 0;
}

// Is some extension of w by at most `depth` more symbols in the language? (brute force)
bool Completable(std::vector<uint8_t>& w, const Predicate& in, int depth) {
  if (in(w)) return true;
  if (depth == 0) return false;
  for (uint8_t a = 0; a < 2; ++a) {
    w.push_back(a);
    const bool ok = Completable(w, in, depth - 1);
    w.pop_back();
    if (ok) return true;
  }
  return false;
}

// A member string as a next-symbol example: after each prefix, bit a ⇔ prefix·a is completable (within 4 more
// symbols, enough for these languages), bit 2 ⇔ the prefix is a member.
Example NextSymbolExample(const std::vector<uint8_t>& w, const Predicate& in) {
  Example e;
  e.x = w;
  e.label = in(w);
  std::vector<uint8_t> prefix;
  for (uint8_t a : w) {
    prefix.push_back(a);
    uint32_t mask = in(prefix) ? 0b100u : 0u;
    for (uint8_t b = 0; b < 2; ++b) {
      prefix.push_back(b);
      if (Completable(prefix, in, 4)) mask |= 1u << b;
      prefix.pop_back();
    }
    e.next.push_back(mask);
  }
  return e;
}

Split MakeSplit(const std::string& name, const std::vector<std::vector<uint8_t>>& words, const Predicate& in) {
  Split s{name, 1 << 30, 0, {}};
  for (const auto& w : words) {
    s.examples.push_back(NextSymbolExample(w, in));
    s.min_len = std::min<int>(s.min_len, w.size());
    s.max_len = std::max<int>(s.max_len, w.size());
  }
  return s;
}

Dataset NextSymbolDataset(const std::string& name, const std::vector<std::vector<uint8_t>>& train,
                          const std::vector<std::vector<uint8_t>>& test, const Predicate& in) {
  Dataset d;
  d.language = name;
  d.alphabet = "01";
  d.task = Task::kNextSymbol;
  d.train = MakeSplit("train", train, in);
  d.tests.push_back(MakeSplit("test", test, in));
  return d;
}

std::vector<uint8_t> Repeat(std::vector<uint8_t> unit, int k) {
  std::vector<uint8_t> w;
  for (int i = 0; i < k; ++i) w.insert(w.end(), unit.begin(), unit.end());
  return w;
}

// Distinct random members of parity with lengths in [lo, hi], disjoint from `avoid`.
std::vector<std::vector<uint8_t>> ParityWords(int count, int lo, int hi, uint64_t seed,
                                              std::set<std::vector<uint8_t>>* avoid) {
  Rng rng(seed);
  std::vector<std::vector<uint8_t>> out;
  while (static_cast<int>(out.size()) < count) {
    std::vector<uint8_t> w(lo + rng.Below(hi - lo + 1));
    int ones = 0;
    for (size_t i = 0; i + 1 < w.size(); ++i) ones += w[i] = static_cast<uint8_t>(rng.Below(2));
    w.back() = ones % 2;  // make the count of 1s even
    if (avoid->insert(w).second) out.push_back(w);
  }
  return out;
}

Dataset Parity(int train, int test) {
  std::set<std::vector<uint8_t>> seen;
  const auto tr = ParityWords(train, 2, 16, 1, &seen);
  const auto te = ParityWords(test, 2, 16, 2, &seen);
  return NextSymbolDataset("parity", tr, te, EvenOnes);
}

TrainConfig EasyConfig() {
  TrainConfig c;
  c.activation = "tanh";
  c.width = 16;
  c.optimizer = "adam";
  c.lr = 0.02;
  c.batch = 16;
  c.epochs = 300;
  c.patience = 3;
  return c;
}

TEST(Train, Tomita1NextSymbolReaches100Percent) {
  std::vector<std::vector<uint8_t>> train, test;
  for (int n = 1; n <= 20; ++n) train.push_back(Repeat({1}, n));
  for (int n = 21; n <= 40; ++n) test.push_back(Repeat({1}, n));  // tomita1 has one string per length
  const TrainResult r = Train(NextSymbolDataset("tomita1", train, test, Tomita1), EasyConfig());
  EXPECT_FALSE(r.diverged);
  EXPECT_EQ(r.train_acc, 1.0);
  ASSERT_EQ(r.test_acc.size(), 1u);
  EXPECT_EQ(r.test_acc[0], 1.0);
  EXPECT_LT(r.epochs_run, 300);  // stopped early
  ASSERT_GE(r.curve.size(), 3u);
  for (size_t i = r.curve.size() - 3; i < r.curve.size(); ++i) EXPECT_EQ(r.curve[i].train_acc, 1.0);
}

TEST(Train, Tomita2NextSymbolReaches100Percent) {
  std::vector<std::vector<uint8_t>> train, test;
  for (int k = 1; k <= 12; ++k) train.push_back(Repeat({1, 0}, k));
  for (int k = 13; k <= 16; ++k) test.push_back(Repeat({1, 0}, k));
  const TrainResult r = Train(NextSymbolDataset("tomita2", train, test, Tomita2), EasyConfig());
  EXPECT_FALSE(r.diverged);
  EXPECT_EQ(r.train_acc, 1.0);
  EXPECT_EQ(r.test_acc[0], 1.0);
}

TEST(Train, ParityNextSymbolReaches100Percent) {
  const TrainResult r = Train(Parity(600, 200), EasyConfig());
  EXPECT_FALSE(r.diverged);
  EXPECT_EQ(r.train_acc, 1.0);
  EXPECT_EQ(r.test_acc[0], 1.0);
  EXPECT_EQ(r.test_names[0], "test");
}

TEST(Train, IdenticalForAnyThreadCount) {
  const Dataset data = Parity(200, 50);
  TrainConfig c = EasyConfig();
  c.epochs = 4;
  c.patience = 0;
  c.shard = 4;  // 4 shards per batch of 16
  c.eval_each_epoch = true;
  c.threads = 1;
  const TrainResult one = Train(data, c);
  for (int threads : {2, 4}) {
    c.threads = threads;
    const TrainResult many = Train(data, c);
    ASSERT_EQ(many.curve.size(), one.curve.size());
    for (size_t e = 0; e < one.curve.size(); ++e) {
      EXPECT_EQ(many.curve[e].loss, one.curve[e].loss) << threads << " threads, epoch " << e + 1;
      EXPECT_EQ(many.curve[e].train_acc, one.curve[e].train_acc);
      EXPECT_EQ(many.curve[e].test_acc, one.curve[e].test_acc);
    }
    EXPECT_EQ(many.theta, one.theta) << threads << " threads";
    EXPECT_EQ(many.test_acc, one.test_acc);
  }
  // ... and the seed matters.
  c.seed = 2;
  EXPECT_NE(Train(data, c).theta, one.theta);
}

TEST(Train, DivergenceStopsAndIsReported) {
  const Dataset data = Parity(100, 20);
  // (tanh and sigmoid keep h bounded, so their loss grows huge but stays finite: not divergence.)
  for (const char* act : {"identity", "relu"}) {
    TrainConfig c = EasyConfig();
    c.activation = act;
    c.optimizer = "sgd";
    c.lr = 1e30;
    c.epochs = 50;
    const TrainResult r = Train(data, c);
    EXPECT_TRUE(r.diverged) << act;
    EXPECT_TRUE(std::isnan(r.final_loss)) << act;
    EXPECT_LE(r.epochs_run, 2) << act;
    const nlohmann::json j = ToJson(r);
    EXPECT_TRUE(j["diverged"].get<bool>());
    EXPECT_TRUE(j["final_loss"].is_null());
    EXPECT_GE(r.train_acc, 0.0);
    EXPECT_LE(r.train_acc, 1.0);
  }
}

TEST(Train, RejectsBadOptionsAndData) {
  auto expect_error = [](const std::function<void(TrainConfig&)>& edit, const std::string& needle) {
    TrainConfig c;
    edit(c);
    try {
      ValidateTrainConfig(c);
      ADD_FAILURE() << "no error for " << needle;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error([](TrainConfig& c) { c.width = 0; }, "width");
  expect_error([](TrainConfig& c) { c.activation = "swish"; }, "swish");
  expect_error([](TrainConfig& c) { c.init = "xavier"; }, "xavier");
  expect_error([](TrainConfig& c) { c.optimizer = "lbfgs"; }, "lbfgs");
  expect_error([](TrainConfig& c) { c.lr = 0; }, "'lr' must be > 0");
  expect_error([](TrainConfig& c) { c.batch = 0; }, "batch");
  expect_error([](TrainConfig& c) { c.clip = -1; }, "clip");
  expect_error([](TrainConfig& c) { c.threads = 0; }, "threads");
  expect_error([](TrainConfig& c) { c.momentum = 1.5, c.optimizer = "sgd"; }, "momentum");
  Dataset empty;
  empty.alphabet = "01";
  EXPECT_THROW(Train(empty, TrainConfig{}), Error);
}

TEST(Train, JsonHasConfigAndMetrics) {
  TrainConfig c = EasyConfig();
  c.epochs = 2;
  const TrainResult r = Train(Parity(50, 10), c);
  const nlohmann::json j = ToJson(r);
  EXPECT_EQ(j["epochs_run"], 2);
  EXPECT_EQ(j["curve"].size(), 2u);
  EXPECT_EQ(j["tests"][0]["name"], "test");
  EXPECT_EQ(ModelJson(c, true)["activation"], "tanh");
  EXPECT_EQ(ModelJson(c, true)["width"], 16);
}

// Exact equality of two results (everything but wall seconds), reporting the first difference.
void ExpectSameResult(const TrainResult& a, const TrainResult& b, const std::string& what) {
  EXPECT_EQ(a.diverged, b.diverged) << what;
  EXPECT_EQ(a.epochs_run, b.epochs_run) << what;
  EXPECT_TRUE(a.final_loss == b.final_loss || (std::isnan(a.final_loss) && std::isnan(b.final_loss))) << what;
  EXPECT_EQ(a.train_acc, b.train_acc) << what;
  EXPECT_EQ(a.validation_acc, b.validation_acc) << what;
  EXPECT_EQ(a.test_acc, b.test_acc) << what;
  EXPECT_EQ(a.test_names, b.test_names) << what;
  ASSERT_EQ(a.curve.size(), b.curve.size()) << what;
  for (size_t e = 0; e < a.curve.size(); ++e) {
    EXPECT_EQ(a.curve[e].loss, b.curve[e].loss) << what << " epoch " << e + 1;
    EXPECT_EQ(a.curve[e].train_acc, b.curve[e].train_acc) << what << " epoch " << e + 1;
    EXPECT_EQ(a.curve[e].test_acc, b.curve[e].test_acc) << what << " epoch " << e + 1;
  }
  ASSERT_EQ(a.theta.size(), b.theta.size()) << what;
  EXPECT_EQ(std::memcmp(a.theta.data(), b.theta.data(), a.theta.size() * sizeof(float)), 0) << what << ": θ differs";
}

// Cells of mixed widths (on both sides of the lanes path's limit), activations, optimisers, learning rates, seeds
// and shard sizes train in lockstep; each gives exactly what it gives alone — also the cells that stop early at
// different epochs and a cell that diverges in its first epoch — and on_done reports each cell as it finishes.
TEST(TrainEnsemble, EachCellIsBitIdenticalToTrainingAlone) {
  const Dataset data = Parity(160, 40);
  std::vector<TrainConfig> configs;
  auto add = [&](int width, const char* act, const char* opt, double lr, uint64_t seed, int patience, int epochs) {
    TrainConfig c = EasyConfig();
    c.width = width, c.activation = act, c.optimizer = opt, c.lr = lr, c.seed = seed, c.patience = patience;
    c.epochs = epochs;
    c.order_seed = 7;
    c.eval_each_epoch = true;
    configs.push_back(c);
  };
  add(3, "tanh", "rmsprop", 0.01, 1, 0, 6);
  add(12, "tanh", "adam", 0.03, 2, 1, 300);  // learns parity: stops early
  add(16, "tanh", "adam", 0.02, 3, 2, 300);  // stops early, at another epoch
  add(24, "sigmoid", "sgd", 0.5, 4, 0, 5);   // wider than the lanes path
  add(8, "identity", "sgd", 1e30, 5, 0, 9);  // diverges
  add(5, "cos", "rmsprop", 0.003, 6, 3, 7);
  configs[5].shard = 5;
  configs[5].bias = "one";
  std::vector<size_t> done_order;
  std::vector<int> epochs_seen(configs.size(), 0);
  const std::vector<TrainResult> together = TrainEnsemble(
      data, configs, [&](size_t c, const EpochStats& s) { EXPECT_EQ(s.epoch, ++epochs_seen[c]); },
      [&](size_t c, const TrainResult& r) {
        done_order.push_back(c);
        EXPECT_EQ(r.epochs_run, r.diverged ? epochs_seen[c] + 1 : epochs_seen[c]);  // at once, not later
      });
  ASSERT_EQ(together.size(), configs.size());
  std::set<int> stops;
  for (size_t c = 0; c < configs.size(); ++c) {
    const TrainResult alone = Train(data, configs[c]);
    ExpectSameResult(together[c], alone, "cell " + std::to_string(c) + " (width " + std::to_string(configs[c].width) +
                                             " " + configs[c].activation + ")");
    EXPECT_EQ(epochs_seen[c], static_cast<int>(alone.curve.size()));
    stops.insert(alone.epochs_run);
  }
  EXPECT_TRUE(together[4].diverged);
  EXPECT_LT(together[1].epochs_run, 300);  // stopped early
  EXPECT_LT(together[2].epochs_run, 300);
  EXPECT_GE(stops.size(), 4u) << "cells should leave the ensemble at different epochs";
  // Each cell reported once, the diverged one first (its first epoch), then in order of finishing.
  ASSERT_EQ(done_order.size(), configs.size());
  EXPECT_EQ(done_order[0], 4u);
  for (size_t k = 1; k < done_order.size(); ++k)
    EXPECT_LE(together[done_order[k - 1]].epochs_run, together[done_order[k]].epochs_run);
}

// Each cell's seconds count its own work only: the cells' seconds add up to no more than the ensemble's wall time
// (counting the other cells' steps in a cell's clock would make the sum several times the wall time), and a cell's
// curve is timed on the same clock.
TEST(TrainEnsemble, CellSecondsAddUpToTheWallTime) {
  const Dataset data = Parity(400, 40);
  std::vector<TrainConfig> configs;
  for (int k = 0; k < 6; ++k) {
    TrainConfig c = EasyConfig();
    c.width = 4 + 4 * k, c.seed = 1 + k, c.epochs = 3, c.patience = 0, c.order_seed = 3;
    configs.push_back(c);
  }
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<TrainResult> results = TrainEnsemble(data, configs);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double sum = 0;
  for (const TrainResult& r : results) {
    EXPECT_GT(r.seconds, 0);
    ASSERT_EQ(r.curve.size(), 3u);
    for (size_t e = 1; e < r.curve.size(); ++e) EXPECT_LE(r.curve[e - 1].seconds, r.curve[e].seconds);
    EXPECT_LE(r.curve.back().seconds, r.seconds);
    sum += r.seconds;
  }
  EXPECT_LE(sum, wall + 1e-3) << "cells' seconds " << sum << " s, ensemble wall time " << wall << " s";
}

TEST(TrainEnsemble, RejectsCellsWithAnotherBatchOrder) {
  const Dataset data = Parity(20, 5);
  TrainConfig a = EasyConfig(), b = EasyConfig();
  b.batch = 8;
  EXPECT_TRUE(SameBatchOrder(a, a));
  EXPECT_FALSE(SameBatchOrder(a, b));
  EXPECT_THROW(TrainEnsemble(data, {a, b}), Error);
  b = a;
  b.order_seed = 2;
  EXPECT_THROW(TrainEnsemble(data, {a, b}), Error);
  EXPECT_TRUE(TrainEnsemble(data, {}).empty());
}

}  // namespace
}  // namespace flbench
