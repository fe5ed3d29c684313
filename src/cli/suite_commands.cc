// `flbench run | report | merge | baseline | compare`: suites end to end. Tested by tests/cli_suite_test.cc.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "report/compare.h"
#include "report/report.h"
#include "suite/runner.h"
#include "suite/suite.h"
#include "util/error.h"

namespace flbench {

namespace {

struct SuiteArgs {
  std::string suite, db, report, shard, baseline, out;
  int jobs = 0;
  bool force = false, quiet = false;
  double tolerance = 0.02;
};

ReportPaths PathsFor(const Suite& suite, const SuiteArgs& a) {
  return ReportPaths::For(a.report.empty() ? "reports/" + suite.name + ".md" : a.report);
}

std::string DbFor(const ReportPaths& paths, const SuiteArgs& a, int shard_index, int shard_count) {
  if (!a.db.empty()) return a.db;
  if (shard_count > 1) return paths.stem + fmt::format("-shard{}of{}.db", shard_index, shard_count);
  return paths.stem + ".db";
}

void RunCommand(const SuiteArgs& a) {
  const Suite suite = LoadSuite(a.suite);
  auto [si, sn] = a.shard.empty() ? std::pair<int, int>{0, 1} : ParseShard(a.shard);
  const ReportPaths paths = PathsFor(suite, a);
  const std::string db = DbFor(paths, a, si, sn);
  if (std::filesystem::path(db).has_parent_path()) std::filesystem::create_directories(std::filesystem::path(db).parent_path());
  auto store = ResultStore::Open(db);
  RunOptions opt;
  opt.jobs = a.jobs;
  opt.force = a.force;
  opt.shard_index = si;
  opt.shard_count = sn;
  opt.progress = !a.quiet;
  if (a.jobs < 0) throw Error("--jobs must be ≥ 0 (0 = number of cores)");
  const RunSummary s = RunSuite(suite, *store, opt);

  RunMeta meta = RunMeta::FromStore(*store);
  meta.commit = CurrentCommit();
  meta.date = UtcNow();
  meta.machine = MachineDescription();
  meta.jobs = a.jobs > 0 ? a.jobs : static_cast<int>(std::thread::hardware_concurrency());
  meta.wall_seconds += s.ran > 0 || s.failures.size() > 0 ? s.wall_seconds : 0;
  meta.Save(*store);

  std::fprintf(stderr, "%s: %zu cells%s: %zu already done, %zu run now, %zu failed (%.1f s) → %s\n", suite.name.c_str(),
               s.in_shard, sn > 1 ? fmt::format(" in shard {}/{}", si, sn).c_str() : "", s.already, s.ran,
               s.failures.size(), s.wall_seconds, db.c_str());
  for (const auto& f : s.failures) std::fprintf(stderr, "FAILED %s\n", f.c_str());
  if (sn > 1) {
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
  auto store = ResultStore::Open(db);
  const size_t missing = WriteReport(suite, *store, paths);
  std::fprintf(stderr, "report: %s%s\n", paths.markdown.c_str(),
               missing ? fmt::format(" — {} of {} cells have no results yet", missing, suite.cells.size()).c_str() : "");
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
  auto store = ResultStore::Open(db);
  std::vector<CellRecord> out;
  for (auto& r : CollectRecords(suite, *store))
    if (r) out.push_back(std::move(*r));
  return out;
}

}  // namespace

void AddSuiteCommands(CLI::App& app) {
  auto a = std::make_shared<SuiteArgs>();
  auto* run = app.add_subcommand("run", "Run a suite (resumable) and write its report");
  run->add_option("SUITE", a->suite, "suite name (suites/NAME.yaml) or path")->required();
  run->add_option("--jobs", a->jobs, "cells in parallel (0 = number of cores)")->capture_default_str();
  run->add_option("--db", a->db, "results database (default: beside the report, REPORT_STEM.db)");
  run->add_option("--report", a->report, "Markdown report path (default: reports/SUITE.md)");
  run->add_option("--shard", a->shard, "run only shard I of N (I/N, 0-based), into its own database");
  run->add_flag("--force", a->force, "rerun cells that already have results");
  run->add_flag("--quiet", a->quiet, "no progress output");
  run->callback([a] { RunCommand(*a); });

  auto* report = app.add_subcommand("report", "Regenerate a suite's report from stored results (no training)");
  report->add_option("SUITE", a->suite, "suite name or path")->required();
  report->add_option("--db", a->db, "results database (default: beside the report)");
  report->add_option("--report", a->report, "Markdown report path (default: reports/SUITE.md)");
  report->callback([a] { ReportCommand(*a); });

  auto dbs = std::make_shared<std::vector<std::string>>();
  auto* merge = app.add_subcommand("merge", "Merge results databases: flbench merge DEST SRC... (DEST is created if needed)");
  merge->add_option("DB", *dbs, "destination, then sources")->required()->expected(2, -1);
  merge->callback([dbs] {
    auto dest = ResultStore::Open((*dbs)[0]);
    size_t added = 0;
    for (size_t i = 1; i < dbs->size(); ++i) added += dest->MergeFrom((*dbs)[i]);
    std::fprintf(stderr, "merge: %zu record(s) added; %s now holds %zu\n", added, (*dbs)[0].c_str(), dest->Size());
  });

  auto* baseline = app.add_subcommand("baseline", "Write a regression baseline (mean accuracy per configuration group)");
  baseline->add_option("SUITE", a->suite, "suite name or path");
  baseline->add_option("--db", a->db, "results database");
  baseline->add_option("--report", a->report, "report path whose database to use (default: reports/SUITE.md)");
  baseline->add_option("--out", a->out, "baseline JSON file to write")->required();
  baseline->callback([a] {
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
  compare->add_option("--tolerance", a->tolerance, "allowed drop in accuracy")->capture_default_str();
  compare->callback([a] {
    if (a->tolerance < 0) throw Error("--tolerance must be ≥ 0");
    std::ifstream in(a->baseline);
    if (!in) throw Error(fmt::format("{}: cannot read baseline", a->baseline));
    nlohmann::json base;
    try {
      base = nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
      throw Error(fmt::format("{}: not valid JSON: {}", a->baseline, e.what()));
    }
    base = AsBaseline(base, a->baseline);  // a baseline, or a report's JSON (e.g. the committed reports/table1.json)
    std::string name;
    const auto records = RecordsFor(*a, &name);
    const Comparison cmp = Compare(base, records, a->tolerance);
    std::printf("%s", cmp.Render().c_str());
    std::fflush(stdout);
    if (!cmp.passed()) std::exit(1);
  });
}

}  // namespace flbench
