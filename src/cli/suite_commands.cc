// `flbench run | report | merge | baseline | compare`: suites end to end; `run --list-cells | --cell KEY` for other
// dispatchers, `--publish-to` for node-local databases (see slurm_command.cc). Tested by tests/cli_suite_test.cc.
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/options.h"
#include "report/compare.h"
#include "report/report.h"
#include "results/run_lock.h"
#include "suite/runner.h"
#include "suite/suite.h"
#include "util/error.h"

namespace flbench {

namespace {

struct SuiteArgs {
  std::string suite, db, report, shard, baseline, out, cell, publish_to;
  int jobs = 0;
  bool force = false, quiet = false, list_cells = false, require_complete = false;
  double tolerance = 0.02, publish_every = 30;
};

// While alive: SIGTERM or SIGINT (Slurm's scancel and time limit send SIGTERM first, SIGKILL KillWait seconds
// later) publishes the store once more, then exits with 128 + the signal, so a cancelled task keeps every cell it
// finished. The handler only writes the signal number to a pipe (async-signal-safe, whichever thread takes it,
// OpenBLAS's included); a watcher thread reads it and publishes under the store's own lock.
int g_signal_pipe[2] = {-1, -1};
extern "C" void OnTerminateSignal(int sig) {
  const unsigned char b = static_cast<unsigned char>(sig);
  [[maybe_unused]] ssize_t n = write(g_signal_pipe[1], &b, 1);
}

class PublishOnSignal {
 public:
  PublishOnSignal(ResultStore& store, const std::string& dest) {
    if (pipe(g_signal_pipe) != 0) throw Error(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
    watcher_ = std::thread([&store, dest] {
      unsigned char sig = 0;
      while (read(g_signal_pipe[0], &sig, 1) < 0 && errno == EINTR) {
      }
      if (sig == 0) return;  // the destructor: the run ended normally
      std::fprintf(stderr, "flbench: %s: publishing %s before exiting\n", strsignal(sig), dest.c_str());
      try {
        store.PublishTo(dest);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "flbench: %s\n", e.what());
      }
      std::_Exit(128 + sig);
    });
    struct sigaction sa {};
    sa.sa_handler = OnTerminateSignal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, &old_term_);
    sigaction(SIGINT, &sa, &old_int_);
  }
  ~PublishOnSignal() {
    sigaction(SIGTERM, &old_term_, nullptr);
    sigaction(SIGINT, &old_int_, nullptr);
    const unsigned char stop = 0;
    [[maybe_unused]] ssize_t n = write(g_signal_pipe[1], &stop, 1);
    watcher_.join();
    close(g_signal_pipe[0]);
    close(g_signal_pipe[1]);
  }
  PublishOnSignal(const PublishOnSignal&) = delete;
  PublishOnSignal& operator=(const PublishOnSignal&) = delete;

 private:
  std::thread watcher_;
  struct sigaction old_term_ {}, old_int_ {};
};

// `run --list-cells`: KEY<TAB>LABEL<TAB>COST per cell (of the shard, if --shard), in suite order.
void ListCells(const Suite& suite, int si, int sn) {
  const std::vector<int> shard = AssignShards(suite.cells, sn);
  std::string out;
  for (size_t i = 0; i < suite.cells.size(); ++i)
    if (shard[i] == si) out += fmt::format("{}\t{}\t{:.6g}\n", suite.cells[i].key, suite.cells[i].label, suite.cells[i].cost);
  std::fwrite(out.data(), 1, out.size(), stdout);
}

ReportPaths PathsFor(const Suite& suite, const SuiteArgs& a) {
  return ReportPaths::For(a.report.empty() ? "reports/" + suite.name + ".md" : a.report);
}

// A database holds the results of one suite (by name): reporting, running or comparing suite A against the
// database of suite B would show B's metadata over "0 of N cells" (or mix two runs), so it is refused. A store with
// no cells, or with some of this suite's, is fine.
void CheckStoreSuite(ResultStore& store, const Suite& suite) {
  const std::map<std::string, size_t> held = store.SuiteCounts();
  if (held.empty() || held.count(suite.name)) return;
  std::string names;
  for (const auto& [name, n] : held) names += fmt::format("{}'{}' ({} cells)", names.empty() ? "" : ", ", name, n);
  throw Error(fmt::format("{}: holds the results of suite {}, not of suite '{}' ({}); give this suite's own database "
                          "(--db), or none for the default beside its report",
                          store.path(), names, suite.name, suite.path));
}

// The whole command line, for the lock file's description of its holder.
std::string CommandLine(const std::string& command, const SuiteArgs& a) {
  return "flbench " + command + " " + a.suite + (a.cell.empty() ? "" : " --cell " + a.cell) +
         (a.shard.empty() ? "" : " --shard " + a.shard);
}

std::string DbFor(const ReportPaths& paths, const SuiteArgs& a, int shard_index, int shard_count) {
  if (!a.db.empty()) return a.db;
  if (shard_count > 1) return paths.stem + fmt::format("-shard{}of{}.db", shard_index, shard_count);
  return paths.stem + ".db";
}

// Model files of a suite's cells (save_models): DIR/SUITE.models/KEY.safetensors beside the results database — the
// published copy's directory when there is one, so every shard of a cluster run writes into the shared directory.
std::string ModelsDirFor(const Suite& suite, const std::string& db, const std::string& publish_to) {
  const std::filesystem::path beside = publish_to.empty() ? db : publish_to;
  return (beside.parent_path() / (suite.name + ".models")).string();
}

void RunCommand(const SuiteArgs& a) {
  const Suite suite = LoadSuite(a.suite);
  auto [si, sn] = a.shard.empty() ? std::pair<int, int>{0, 1} : ParseShard(a.shard);
  if (a.list_cells) return ListCells(suite, si, sn);
  if (!a.cell.empty() && !a.shard.empty()) throw Error("--cell and --shard: give one of them (a cell is in exactly one shard)");
  if (!a.cell.empty()) FindCell(suite, a.cell);  // an unknown key fails before any file is created
  if (!(a.publish_every >= 0)) throw Error(fmt::format("--publish-every must be ≥ 0 seconds, got {}", a.publish_every));
  if (a.jobs < 0) throw Error("--jobs must be ≥ 0 (0 = number of cores)");
  const ReportPaths paths = PathsFor(suite, a);
  const std::string db = DbFor(paths, a, si, sn);
  // Every output is checked before the first cell trains: a report that cannot be written fails now, not after
  // hours of training.
  if (a.cell.empty() && sn == 1) CheckOutputPath(paths.markdown, "--report");  // the report is written at the end
  CheckOutputPath(db, "--db");
  if (!a.publish_to.empty()) CheckOutputPath(a.publish_to, "--publish-to");
  if (std::filesystem::path(db).has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(db).parent_path(), ec);
    if (ec) throw Error(fmt::format("{}: cannot create its directory: {}", db, ec.message()));
  }
  // One run per database (`run --cell` runs may share it with each other): a second run refuses, naming the first.
  const auto lock = RunLock::Acquire(db, CommandLine("run", a), /*shared=*/!a.cell.empty());
  auto store = ResultStore::Open(db);
  CheckStoreSuite(*store, suite);
  RunOptions opt;
  opt.jobs = a.jobs;
  opt.force = a.force;
  opt.shard_index = si;
  opt.shard_count = sn;
  opt.cell_key = a.cell;
  opt.publish_to = a.publish_to;
  opt.publish_every = a.publish_every;
  opt.progress = !a.quiet;
  opt.models_dir = ModelsDirFor(suite, db, a.publish_to);
  std::optional<PublishOnSignal> on_signal;
  if (!a.publish_to.empty()) on_signal.emplace(*store, a.publish_to);
  const RunSummary s = RunSuite(suite, *store, opt);
  on_signal.reset();

  RunMeta meta = RunMeta::FromStore(*store);
  meta.commit = CurrentCommit();
  meta.date = UtcNow();
  meta.machine = MachineDescription();
  meta.jobs = a.jobs > 0 ? a.jobs : static_cast<int>(std::thread::hardware_concurrency());
  meta.wall_seconds += s.ran > 0 || s.failures.size() > 0 ? s.wall_seconds : 0;
  meta.Save(*store);
  if (!a.publish_to.empty()) store->PublishTo(a.publish_to);  // the final copy, with this run's metadata

  std::fprintf(stderr, "%s: %zu cells%s: %zu already done, %zu run now, %zu failed (%.1f s) → %s\n", suite.name.c_str(),
               s.in_shard, sn > 1 ? fmt::format(" in shard {}/{}", si, sn).c_str() : "", s.already, s.ran,
               s.failures.size(), s.wall_seconds, db.c_str());
  for (const auto& f : s.failures) std::fprintf(stderr, "FAILED %s\n", f.c_str());
  if (!a.cell.empty()) {
    std::fprintf(stderr, "cell stored; when all cells are: flbench report %s --db %s\n", a.suite.c_str(), db.c_str());
  } else if (sn > 1 && !a.publish_to.empty()) {
    std::fprintf(stderr, "shard done; published to %s\n", a.publish_to.c_str());
  } else if (sn > 1) {
    std::fprintf(stderr, "shard done; when all shards are: flbench merge %s.db %s-shard*of%d.db && flbench report %s --db %s.db\n",
                 paths.stem.c_str(), paths.stem.c_str(), sn, a.suite.c_str(), paths.stem.c_str());
  } else {
    const size_t missing = WriteReport(suite, *store, paths);
    std::fprintf(stderr, "report: %s%s\n", paths.markdown.c_str(),
                 missing ? fmt::format(" ({} cells missing)", missing).c_str() : "");
  }
  if (!s.failures.empty()) throw Error(fmt::format("{} cell(s) failed (see above); finished cells are stored", s.failures.size()));
}

void ReportCommand(const SuiteArgs& a) {
  const Suite suite = LoadSuite(a.suite);
  const ReportPaths paths = PathsFor(suite, a);
  const std::string db = DbFor(paths, a, 0, 1);
  if (!std::filesystem::exists(db)) throw Error(fmt::format("{}: no results database (run `flbench run {}` first, or pass --db)", db, a.suite));
  CheckOutputPath(paths.markdown, "--report");
  auto store = ResultStore::OpenReadOnly(db);  // only read: the file may be a published copy on a shared file system
  CheckStoreSuite(*store, suite);
  const auto records = CollectRecords(suite, *store);
  std::string missing_list;  // "\n  KEY  LABEL" per missing cell, the first 20
  size_t count = 0;
  for (size_t i = 0; i < records.size(); ++i)
    if (!records[i] && ++count <= 20) missing_list += fmt::format("\n  {}  {}", suite.cells[i].key, suite.cells[i].label);
  if (count > 20) missing_list += fmt::format("\n  … and {} more", count - 20);
  if (count > 0 && a.require_complete)
    throw Error(fmt::format("{}: {} of {} cells have no results, so no report is written (--require-complete):{}\n"
                            "hint: run the missing cells (resubmitting a Slurm array resumes it) and merge again, or "
                            "write an incomplete report without --require-complete",
                            db, count, suite.cells.size(), missing_list));
  if (count > 0) std::fprintf(stderr, "report: cells without results:%s\n", missing_list.c_str());
  const size_t missing = WriteReport(suite, *store, paths);
  std::fprintf(stderr, "report: %s%s\n", paths.markdown.c_str(),
               missing ? fmt::format(" — {} of {} cells have no results yet", missing, suite.cells.size()).c_str() : "");
}

// `flbench models SUITE`: one line per cell of the suite — KEY, LABEL, the model file (or "-" when none is
// stored) and, from the results, what the exhaustive check and the extraction said.
void ModelsCommand(const SuiteArgs& a) {
  const Suite suite = LoadSuite(a.suite);
  const ReportPaths paths = PathsFor(suite, a);
  const std::string db = DbFor(paths, a, 0, 1);
  const std::string dir = ModelsDirFor(suite, db, "");
  std::vector<std::optional<CellRecord>> records(suite.cells.size());
  if (std::filesystem::exists(db)) records = CollectRecords(suite, *ResultStore::OpenReadOnly(db));
  size_t found = 0;
  std::string out = "key\tlabel\tmodel\texact\tautomaton\n";
  for (size_t i = 0; i < suite.cells.size(); ++i) {
    const Cell& c = suite.cells[i];
    const std::filesystem::path file = std::filesystem::path(dir) / (c.key + ".safetensors");
    const bool has = std::filesystem::is_regular_file(file);
    found += has;
    std::string exact = "-", automaton = "-";
    if (records[i] && records[i]->result.is_object()) {
      const auto& r = records[i]->result;
      if (r.contains("verify") && r["verify"].is_object() && r["verify"].contains("exact") && r["verify"]["exact"].is_boolean())
        exact = r["verify"]["exact"].get<bool>() ? "exact" : "errors";
      if (r.contains("extract") && r["extract"].is_object() && r["extract"].contains("equivalent") &&
          r["extract"]["equivalent"].is_boolean())
        automaton = r["extract"]["equivalent"].get<bool>() ? "equivalent" : "differs";
    }
    out += fmt::format("{}\t{}\t{}\t{}\t{}\n", c.key, c.label, has ? file.string() : "-", exact, automaton);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fprintf(stderr, "models: %zu of %zu cells have a model file in %s\n", found, suite.cells.size(), dir.c_str());
}

std::vector<CellRecord> RecordsFor(const SuiteArgs& a, std::string* suite_name) {
  if (a.suite.empty() && a.db.empty()) throw Error("give a SUITE or --db PATH");
  if (a.suite.empty()) {
    if (!std::filesystem::exists(a.db)) throw Error(fmt::format("{}: no such results database", a.db));
    auto store = ResultStore::Open(a.db);
    *suite_name = "";
    return store->All();
  }
  const Suite suite = LoadSuite(a.suite);
  *suite_name = suite.name;
  const std::string db = DbFor(PathsFor(suite, a), a, 0, 1);
  if (!std::filesystem::exists(db)) throw Error(fmt::format("{}: no results database (run `flbench run {}` first)", db, a.suite));
  auto store = ResultStore::OpenReadOnly(db);
  CheckStoreSuite(*store, suite);
  std::vector<CellRecord> out;
  for (auto& r : CollectRecords(suite, *store))
    if (r) out.push_back(std::move(*r));
  return out;
}

// The metadata of a merged store describes the merged runs together: the set of commits and machines, the
// latest date, and the largest jobs and wall time (shards run side by side). Union and maximum make merging
// again change nothing, whether DEST is among the inputs or not.
void MergeMeta(ResultStore& dest, const std::vector<std::string>& sources) {
  std::set<std::string> commits, machines;
  RunMeta out;
  out.date = "";
  bool any = false;
  auto add = [&](ResultStore& s) {
    if (!s.GetMeta("date")) return;
    const RunMeta m = RunMeta::FromStore(s);
    any = true;
    for (auto [set, text] : {std::pair{&commits, m.commit}, std::pair{&machines, m.machine}}) {
      std::stringstream parts(text);  // a merged value is "a; b": split so the union stays flat
      for (std::string part; std::getline(parts, part, ';');) {
        part.erase(0, part.find_first_not_of(' '));
        if (!part.empty()) set->insert(part);
      }
    }
    out.date = std::max(out.date, m.date);
    out.jobs = std::max(out.jobs, m.jobs);
    out.wall_seconds = std::max(out.wall_seconds, m.wall_seconds);
  };
  add(dest);
  for (const auto& src : sources) add(*ResultStore::OpenReadOnly(src));
  if (!any) return;
  auto join = [](const std::set<std::string>& set) {
    std::string text;
    for (const auto& s : set) text += (text.empty() ? "" : "; ") + s;
    return text;
  };
  out.commit = join(commits);
  out.machine = join(machines);
  out.Save(dest);
}

}  // namespace

void AddSuiteCommands(CLI::App& app) {
  auto a = std::make_shared<SuiteArgs>();
  auto* run = app.add_subcommand("run", "Run a suite (resumable) and write its report");
  run->add_option("SUITE", a->suite, "suite name (suites/NAME.yaml) or path")->required();
  AddIntOption(*run, "--jobs", a->jobs, 0, 4096, "cells in parallel (0 = number of cores)");
  run->add_option("--db", a->db, "results database (default: beside the report, REPORT_STEM.db)");
  run->add_option("--report", a->report, "Markdown report path (default: reports/SUITE.md)");
  run->add_option("--shard", a->shard, "run only shard I of N (I/N, 0-based), into its own database");
  run->add_flag("--force", a->force, "rerun cells that already have results");
  run->add_flag("--list-cells", a->list_cells, "print KEY<TAB>LABEL<TAB>ESTIMATED COST per cell (of --shard if given); run nothing");
  run->add_option("--cell", a->cell, "run only the cell with this key (from --list-cells) into the database; no report");
  run->add_option("--publish-to", a->publish_to,
                  "also keep an atomic copy of the database at PATH (SQLite backup + rename; e.g. on a shared file "
                  "system); SIGTERM/SIGINT publish once more before exiting");
  AddRealOption(*run, "--publish-every", a->publish_every, 0, 1e9, "seconds between copies to --publish-to (a copy "
                "also follows the first cell and the end)");
  run->add_flag("--quiet", a->quiet, "no progress output");
  run->callback([a] { RunCommand(*a); });

  auto* models = app.add_subcommand("models", "List the model files of a suite's cells (suites with save_models: true)");
  models->add_option("SUITE", a->suite, "suite name or path")->required();
  models->add_option("--db", a->db, "results database (default: reports/SUITE.db); models are in DB_DIR/SUITE.models/");
  models->callback([a] { ModelsCommand(*a); });

  auto* report = app.add_subcommand("report", "Regenerate a suite's report from stored results (no training)");
  report->add_option("SUITE", a->suite, "suite name or path")->required();
  report->add_option("--db", a->db, "results database (default: beside the report)");
  report->add_option("--report", a->report, "Markdown report path (default: reports/SUITE.md)");
  report->add_flag("--require-complete", a->require_complete, "fail, listing them, if any cell has no results");
  report->callback([a] { ReportCommand(*a); });

  auto dbs = std::make_shared<std::vector<std::string>>();
  auto merge_publish = std::make_shared<std::string>();
  auto* merge = app.add_subcommand("merge", "Merge results databases: flbench merge DEST SRC... (DEST is created if "
                                   "needed; sources are only read; merging again adds nothing). Metadata: the sources' commits and machines, "
                                   "the latest date, the largest jobs and wall time");
  merge->add_option("DB", *dbs, "destination, then sources")->required()->expected(2, -1);
  merge->add_option("--publish-to", *merge_publish, "then copy DEST atomically to PATH (SQLite backup + rename)");
  merge->callback([dbs, merge_publish] {
    // Every source must exist and hold the same suite as the others and DEST: a merge of two suites' results would
    // report one suite with the other's cells and metadata.
    std::string suite_name, suite_db;
    for (size_t i = 0; i < dbs->size(); ++i) {
      if (!std::filesystem::exists((*dbs)[i])) continue;  // DEST is created; a missing source fails in MergeFrom
      for (const auto& [name, n] : ResultStore::OpenReadOnly((*dbs)[i])->SuiteCounts()) {
        if (suite_db.empty()) {
          suite_name = name;
          suite_db = (*dbs)[i];
        } else if (name != suite_name) {
          throw Error(fmt::format("merge: {} holds results of suite '{}' but {} holds results of suite '{}'; merge the "
                                  "databases of one suite only",
                                  suite_db, suite_name, (*dbs)[i], name));
        }
      }
    }
    CheckOutputPath((*dbs)[0], "merge DEST");
    if (!merge_publish->empty()) CheckOutputPath(*merge_publish, "--publish-to");
    const auto lock = RunLock::Acquire((*dbs)[0], "flbench merge " + (*dbs)[0]);
    auto dest = ResultStore::Open((*dbs)[0]);
    size_t added = 0;
    for (size_t i = 1; i < dbs->size(); ++i) added += dest->MergeFrom((*dbs)[i]);
    MergeMeta(*dest, std::vector<std::string>(dbs->begin() + 1, dbs->end()));
    std::fprintf(stderr, "merge: %zu record(s) added; %s now holds %zu\n", added, (*dbs)[0].c_str(), dest->Size());
    if (!merge_publish->empty()) dest->PublishTo(*merge_publish);
  });

  auto* baseline = app.add_subcommand("baseline", "Write a regression baseline (mean accuracy per configuration group)");
  baseline->add_option("SUITE", a->suite, "suite name or path");
  baseline->add_option("--db", a->db, "results database");
  baseline->add_option("--report", a->report, "report path whose database to use (default: reports/SUITE.md)");
  baseline->add_option("--out", a->out, "baseline JSON file to write")->required();
  baseline->callback([a] {
    CheckOutputPath(a->out, "--out");
    std::string name;
    const auto records = RecordsFor(*a, &name);
    if (records.empty()) throw Error("no results to make a baseline from");
    WriteFileAtomic(a->out, MakeBaseline(records, name).dump(1) + "\n");
    std::fprintf(stderr, "baseline: %s (%zu cells)\n", a->out.c_str(), records.size());
  });

  auto* compare = app.add_subcommand("compare", "Compare results with a baseline; exit 1 if any group regressed or is missing");
  compare->add_option("SUITE", a->suite, "suite name or path (or use --db)");
  compare->add_option("--db", a->db, "results database");
  compare->add_option("--report", a->report, "report path whose database to use (default: reports/SUITE.md)");
  compare->add_option("--baseline", a->baseline, "baseline JSON (from `flbench baseline`) or a report's JSON (reports/SUITE.json)")->required();
  AddRealOption(*compare, "--tolerance", a->tolerance, 0, 1, "allowed drop in accuracy (0 to 1)");
  compare->callback([a] {
    // The inputs first (a NaN tolerance or an empty baseline would pass everything), then the results.
    CheckTolerance(a->tolerance);
    const nlohmann::json base = ReadBaseline(a->baseline);  // a baseline, or a report's JSON (reports/table1.json)
    std::string name;
    const auto records = RecordsFor(*a, &name);
    const Comparison cmp = Compare(base, records, a->tolerance, a->baseline);
    std::printf("%s", cmp.Render().c_str());
    std::fflush(stdout);
    if (!cmp.passed()) std::exit(1);
  });
}

}  // namespace flbench
