// RunSuite: pending cells sorted by cost (largest first) and grouped (GroupCells) are pulled from an atomic index by
// `jobs` TBB workers; each result is Put into the store the moment its cell finishes — a group reports its cells one
// by one as they finish — (and the store published at a bounded interval if asked). AssignShards: greedy
// largest-first split by estimated cost.
#include "suite/runner.h"

#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "util/blas_threads.h"
#include "suite/kinds.h"
#include "util/error.h"

namespace flbench {

namespace {

using Clock = std::chrono::steady_clock;

std::string Duration(double s) {
  if (!(s >= 0) || s > 1e7) return "?";
  const long t = static_cast<long>(s + 0.5);
  if (t >= 3600) return fmt::format("{}h{:02}m", t / 3600, t / 60 % 60);
  if (t >= 60) return fmt::format("{}m{:02}s", t / 60, t % 60);
  return fmt::format("{}s", t);
}

// Progress on stderr: one rewritten line on a terminal, one line per finished cell otherwise.
class Progress {
 public:
  Progress(size_t total, bool enabled) : total_(total), enabled_(enabled), tty_(isatty(2)), start_(Clock::now()) {}

  void Started() {
    std::lock_guard<std::mutex> lock(mu_);
    ++running_;
    if (tty_) Draw("");
  }
  void Finished(const std::string& label, const std::string& outcome, double cost_done, double cost_total) {
    std::lock_guard<std::mutex> lock(mu_);
    --running_;
    ++done_;
    done_cost_ += cost_done;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    eta_ = done_cost_ > 0 ? elapsed * (cost_total - done_cost_) / done_cost_ : -1;
    if (!enabled_) return;
    if (tty_) {
      Draw(label + " → " + outcome);
    } else {
      std::fprintf(stderr, "[%zu/%zu] %s → %s (%s elapsed, ETA %s)\n", done_, total_, label.c_str(), outcome.c_str(),
                   Duration(elapsed).c_str(), Duration(eta_).c_str());
    }
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    if (enabled_ && tty_) std::fprintf(stderr, "\n");
  }

 private:
  void Draw(const std::string& last) {
    if (!enabled_) return;
    std::string line = fmt::format("[{}/{}] running {} · ETA {} · {}", done_, total_, running_,
                                   eta_ < 0 ? std::string("?") : Duration(eta_), last);
    if (line.size() > 110) {  // cut on a UTF-8 character boundary
      size_t cut = 107;
      while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
      line = line.substr(0, cut) + "...";
    }
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
  }

  std::mutex mu_;
  size_t total_, done_ = 0, running_ = 0;
  double done_cost_ = 0, eta_ = -1;
  bool enabled_, tty_;
  Clock::time_point start_;
};

}  // namespace

std::vector<int> AssignShards(const std::vector<Cell>& cells, int count) {
  std::vector<int> shard(cells.size(), 0);
  if (count <= 1) return shard;
  std::vector<size_t> order(cells.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (cells[a].cost != cells[b].cost) return cells[a].cost > cells[b].cost;
    return cells[a].key < cells[b].key;
  });
  std::vector<double> load(static_cast<size_t>(count), 0.0);
  for (size_t i : order) {
    const size_t least = static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());  // first minimum
    shard[i] = static_cast<int>(least);
    load[least] += cells[i].cost;
  }
  return shard;
}

const Cell& FindCell(const Suite& suite, const std::string& key) {
  for (const Cell& c : suite.cells)
    if (c.key == key) return c;
  throw Error(fmt::format("{}: no cell with key '{}' in suite '{}' ({} cells; `flbench run {} --list-cells` lists them)",
                          suite.path, key, suite.name, suite.cells.size(), suite.path));
}

std::pair<int, int> ParseShard(const std::string& text) {
  int i = 0, n = 0, used = 0;
  if (std::sscanf(text.c_str(), "%d/%d%n", &i, &n, &used) != 2 || used != static_cast<int>(text.size()) || n < 1 ||
      i < 0 || i >= n)
    throw Error(fmt::format("--shard: expected I/N with 0 ≤ I < N (e.g. 0/4), got '{}'", text));
  return {i, n};
}

void Kind::RunGroup(const std::vector<const Cell*>& cells, const RunContext& ctx, const GroupDone& done,
                    const GroupFailed& failed) const {
  for (size_t i = 0; i < cells.size(); ++i) {
    const auto t0 = Clock::now();
    nlohmann::json result;
    try {
      result = Run(*cells[i], ctx);
    } catch (const std::exception& e) {
      failed(i, e.what());
      continue;
    }
    done(i, std::move(result), std::chrono::duration<double>(Clock::now() - t0).count());
  }
}

std::vector<std::vector<const Cell*>> GroupCells(const Kind& kind, const std::vector<const Cell*>& pending, int cap,
                                                 int jobs) {
  if (cap <= 0) {
    const size_t per_job = (pending.size() + std::max(jobs, 1) - 1) / std::max(jobs, 1);
    cap = static_cast<int>(std::clamp<size_t>(per_job, 1, kMaxGroup));
  }
  std::vector<std::vector<const Cell*>> groups;
  std::map<std::string, size_t> open;  // key → its group still taking cells
  for (const Cell* c : pending) {
    const std::string key = cap > 1 ? kind.GroupKey(*c) : std::string();
    if (key.empty()) {
      groups.push_back({c});
      continue;
    }
    auto it = open.find(key);
    if (it == open.end() || groups[it->second].size() >= static_cast<size_t>(cap)) {
      groups.push_back({});
      it = open.insert_or_assign(key, groups.size() - 1).first;
    }
    groups[it->second].push_back(c);
  }
  std::vector<double> cost(groups.size(), 0);
  for (size_t g = 0; g < groups.size(); ++g)
    for (const Cell* c : groups[g]) cost[g] += c->cost;
  std::vector<size_t> order(groups.size());
  for (size_t g = 0; g < order.size(); ++g) order[g] = g;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return cost[a] > cost[b]; });
  std::vector<std::vector<const Cell*>> sorted;
  for (size_t g : order) sorted.push_back(std::move(groups[g]));
  return sorted;
}

RunSummary RunSuite(const Suite& suite, ResultStore& store, const RunOptions& options) {
  const auto start = Clock::now();
  RunSummary summary;
  summary.cells = suite.cells.size();
  std::vector<const Cell*> pending;
  const Cell* only = options.cell_key.empty() ? nullptr : &FindCell(suite, options.cell_key);
  const std::vector<int> shard = AssignShards(suite.cells, options.shard_count);
  const Kind& kind = FindKind(suite.kind);
  for (size_t i = 0; i < suite.cells.size(); ++i) {
    const Cell& c = suite.cells[i];
    if (only ? &c != only : shard[i] != options.shard_index) continue;
    ++summary.in_shard;
    if (!options.force && store.Has(c.key)) {
      // Stored rows are untrusted: one the kind cannot read is run again (and overwritten), not counted as done.
      const std::optional<CellRecord> rec = store.Get(c.key);
      const std::string wrong = rec ? kind.CheckResult(rec->result) : "unreadable row";
      if (wrong.empty()) {
        ++summary.already;
        continue;
      }
      if (options.progress)
        std::fprintf(stderr, "%s: cell %s (%s): stored result is malformed (%s); running it again\n",
                     store.path().c_str(), c.key.c_str(), c.label.c_str(), wrong.c_str());
    }
    pending.push_back(&c);
  }
  // Largest first for load balance; ties in suite order (stable) so runs are reproducible.
  std::stable_sort(pending.begin(), pending.end(), [](const Cell* a, const Cell* b) { return a->cost > b->cost; });
  double cost_total = 0;
  for (const Cell* c : pending) cost_total += c->cost;

  PinBlasToOneThread();  // parallelism is across cells; a cell's BLAS calls stay on its own thread
  int jobs = options.jobs > 0 ? options.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  jobs = std::max(1, std::min<int>(jobs, static_cast<int>(pending.size())));
  if (options.progress && summary.already > 0)
    std::fprintf(stderr, "%s: %zu of %zu cells already in %s; running %zu\n", suite.name.c_str(), summary.already,
                 summary.in_shard, store.path().c_str(), pending.size());

  Progress progress(pending.size(), options.progress);
  std::atomic<size_t> next{0};
  std::mutex failures_mu;
  // Publishing: one thread at a time (try_lock: a thread that finds another publishing moves on), at most
  // once per publish_every seconds. A failed publication is reported and retried after the next cell.
  std::mutex publish_mu;
  std::optional<Clock::time_point> last_publish;  // none yet: the first finished cell is published at once
  auto publish = [&] {
    std::unique_lock<std::mutex> lock(publish_mu, std::try_to_lock);
    if (!lock.owns_lock()) return;
    if (last_publish && std::chrono::duration<double>(Clock::now() - *last_publish).count() < options.publish_every)
      return;
    try {
      store.PublishTo(options.publish_to);
      last_publish = Clock::now();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "warning: %s\n", e.what());
    }
  };
  // One finished cell: stored at once (then published), or reported as failed.
  auto finished = [&](const Cell& cell, nlohmann::json result, double seconds) {
    CellRecord rec;
    rec.key = cell.key;
    rec.suite = suite.name;
    rec.kind = cell.kind;
    rec.config = cell.config;
    rec.result = std::move(result);
    rec.seconds = seconds;
    store.Put(rec);
    progress.Finished(cell.label, kind.Outcome(rec.result), cell.cost, cost_total);
    if (!options.publish_to.empty()) publish();
  };
  auto failed = [&](const Cell& cell, const std::string& message) {
    {
      std::lock_guard<std::mutex> lock(failures_mu);
      summary.failures.push_back(cell.label + ": " + message);
    }
    progress.Finished(cell.label, "FAILED: " + message, cell.cost, cost_total);
  };
  const std::vector<std::vector<const Cell*>> groups = GroupCells(kind, pending, options.group, jobs);
  jobs = std::max(1, std::min<int>(jobs, static_cast<int>(groups.size())));
  tbb::task_arena arena(jobs);
  arena.execute([&] {
    tbb::parallel_for(0, jobs, 1, [&](int) {
      for (size_t i = next++; i < groups.size(); i = next++) {
        const std::vector<const Cell*>& group = groups[i];
        for (size_t k = 0; k < group.size(); ++k) progress.Started();
        if (group.size() == 1) {  // alone: Run, timed here
          const Cell& cell = *group[0];
          const auto t0 = Clock::now();
          try {
            nlohmann::json result = kind.Run(cell, RunContext{options.models_dir});
            finished(cell, std::move(result), std::chrono::duration<double>(Clock::now() - t0).count());
          } catch (const std::exception& e) {
            failed(cell, e.what());
          }
          continue;
        }
        std::vector<bool> reported(group.size(), false);
        try {
          kind.RunGroup(
              group, RunContext{options.models_dir},
              [&](size_t k, nlohmann::json result, double seconds) {
                finished(*group[k], std::move(result), seconds);
                reported[k] = true;
              },
              [&](size_t k, const std::string& message) {
                reported[k] = true;
                failed(*group[k], message);
              });
        } catch (const std::exception& e) {  // the cells the group had not finished fail with it
          for (size_t k = 0; k < group.size(); ++k)
            if (!reported[k]) failed(*group[k], e.what());
        }
      }
    }, tbb::simple_partitioner());
  });
  progress.Close();
  summary.ran = pending.size() - summary.failures.size();
  summary.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return summary;
}

}  // namespace flbench
