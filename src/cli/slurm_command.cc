// `flbench slurm SUITE --tasks N …`: writes a Slurm job array (task I runs shard I/N on node-local storage and
// publishes its database into DIR) and a merge job that depends on it; --submit and --wait drive sbatch.
// Tested by tests/cli_suite_test.cc (the scripts) and tests/slurm_cluster_test.sh (a real single-node Slurm).
#include <fmt/format.h>

#include <regex>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/options.h"
#include "report/report.h"
#include "suite/runner.h"
#include "suite/suite.h"
#include "util/error.h"
#include "util/files.h"

namespace flbench {

namespace {

namespace fs = std::filesystem;

struct SlurmArgs {
  std::string suite, partition, time, dir, local_dir;
  int tasks = 0, cpus_per_task = 1;
  double publish_every = 30;
  bool submit = false, wait = false, allow_incomplete = false;
};

// 'text' for a POSIX shell: single quotes, with each ' written as '\''.
std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// What both scripts share: the paths, resolved when the scripts are written.
struct Plan {
  std::string name;     // the suite's name: file names in DIR
  std::string suite;    // absolute path of the suite file
  std::string flbench;  // absolute path of this binary
  std::string dir;      // absolute DIR
  int tasks = 0;
};

std::string SbatchHeader(const SlurmArgs& a, const std::string& job_name, const std::string& dir, const std::string& log) {
  std::string h = fmt::format("#SBATCH --job-name={}\n#SBATCH --output={}\n#SBATCH --open-mode=append\n#SBATCH --chdir={}\n",
                              job_name, log, dir);
  h += fmt::format("#SBATCH --cpus-per-task={}\n", a.cpus_per_task);
  if (!a.partition.empty()) h += fmt::format("#SBATCH --partition={}\n", a.partition);
  if (!a.time.empty()) h += fmt::format("#SBATCH --time={}\n", a.time);
  return h;
}

// Node-local scratch: --local-dir if given, else the job's $TMPDIR, else /tmp; removed when the script exits.
std::string LocalDirLines(const SlurmArgs& a, const std::string& what) {
  const std::string root = a.local_dir.empty() ? "\"${TMPDIR:-/tmp}\"" : Quote(a.local_dir);
  return fmt::format("local_dir=$(mktemp -d {}/flbench-{}.XXXXXX)\ntrap 'rm -rf \"$local_dir\"' EXIT\n", root, what);
}

std::string ArrayScript(const SlurmArgs& a, const Plan& p) {
  const std::string dir = p.dir;
  std::string s = "#!/bin/bash\n";
  s += fmt::format(
      "# flbench suite '{0}' as a Slurm job array of {1} tasks, written by `flbench slurm`. Task I runs shard I/{1}\n"
      "# of the suite's cells; shards are balanced by estimated cost, and this lists the cells of one:\n"
      "#   {2} run {3} --list-cells --shard I/{1}\n"
      "# Submit it with the merge job, which waits for every task to succeed:\n"
      "#   array=$(sbatch --parsable {4}/{0}.sbatch)\n"
      "#   sbatch --dependency=afterok:$array {4}/{0}-merge.sbatch\n"
      "# (or `flbench slurm {0} --tasks {1} --dir {4} --submit`). If a task dies (node failure, time limit,\n"
      "# scancel), submit both again: each task resumes from the copy of its database it published in DIR, so\n"
      "# only its unfinished cells run again.\n"
      "#\n"
      "# Storage: SQLite's WAL journal is unsafe on NFS, Lustre or GPFS, so a task keeps its live database on\n"
      "# node-local storage ({5}) and publishes an atomic copy (SQLite backup to a temporary\n"
      "# file, then rename) to DIR/{0}-shardIof{1}.db after its first finished cell, then at most every {6:g} s,\n"
      "# and at the end.\n",
      p.name, p.tasks, p.flbench, p.suite, dir, a.local_dir.empty() ? "$TMPDIR, else /tmp" : a.local_dir,
      a.publish_every);
  s += SbatchHeader(a, "flbench-" + p.name, dir, dir + "/logs/" + p.name + "-%a.log");
  s += fmt::format("#SBATCH --array=0-{}\n", p.tasks - 1);
  s += "set -euo pipefail\n\n";
  s += fmt::format("flbench={}  # the flbench that wrote this script\n", Quote(p.flbench));
  s += fmt::format("suite={}  # resolved when this script was written\n", Quote(p.suite));
  s += fmt::format("dir={}  # shared: published shard databases, logs, the report\n", Quote(dir));
  s += fmt::format("tasks={}\n", p.tasks);
  s += "i=${SLURM_ARRAY_TASK_ID:?submit this script with sbatch: it is a job array}\n";
  s += fmt::format("published=\"$dir/{}-shard${{i}}of${{tasks}}.db\"\n", p.name);
  s += fmt::format("done_marker=\"$dir/{}-shard${{i}}of${{tasks}}.done\"  # written last: this task finished\n", p.name);
  s += "rm -f \"$done_marker\"\n\n";
  s += "# The live database lives on node-local storage, removed when this script exits.\n";
  s += LocalDirLines(a, p.name + "-$i");
  s += "\n# Resume: start from what an earlier attempt of this task published (merge only reads it).\n";
  s += "if [ -f \"$published\" ]; then\n  \"$flbench\" merge \"$local_dir/shard.db\" \"$published\"\nfi\n\n";
  s += "# Run this task's shard (cells already in the database are skipped), publishing as cells finish.\n";
  s += fmt::format(
      "\"$flbench\" run \"$suite\" --shard \"$i/$tasks\" --jobs \"${{SLURM_CPUS_PER_TASK:-1}}\" \\\n"
      "  --db \"$local_dir/shard.db\" --report \"$local_dir/shard.md\" \\\n"
      "  --publish-to \"$published\" --publish-every {:g}\n",
      a.publish_every);
  s += "touch \"$done_marker\"\n";
  return s;
}

std::string MergeScript(const SlurmArgs& a, const Plan& p) {
  const std::string dir = p.dir;
  std::string s = "#!/bin/bash\n";
  s += fmt::format(
      "# Merges the shard databases of flbench suite '{0}' (written by the job array {2}/{0}.sbatch) into\n"
      "# {2}/{0}.db and writes the report {2}/{0}.md. Submit it after the array, e.g.\n"
      "#   sbatch --dependency=afterok:ARRAY_JOB_ID {2}/{0}-merge.sbatch\n"
      "# Merging is idempotent (the merged database of an earlier run is merged again, nothing is added twice).\n"
      "# {1}\n",
      p.name,
      a.allow_incomplete ? "With cells missing the report is still written (--allow-incomplete) and says how many."
                         : "With cells missing it writes no report and exits 1, listing them (written without "
                           "--allow-incomplete).",
      dir);
  s += SbatchHeader(a, "flbench-" + p.name + "-merge", dir, dir + "/logs/" + p.name + "-merge.log");
  s += "set -euo pipefail\n\n";
  s += fmt::format("flbench={}\nsuite={}\ndir={}\ntasks={}\n", Quote(p.flbench), Quote(p.suite), Quote(dir), p.tasks);
  s += fmt::format("merged=\"$dir/{}.db\"\n", p.name);
  s += fmt::format("rm -f \"$dir/{}-merge.done\"\n\n", p.name);
  s += "# Merge on node-local storage (no WAL on the shared file system), then publish atomically.\n";
  s += LocalDirLines(a, p.name + "-merge");
  s += "sources=()\n";
  s += "if [ -f \"$merged\" ]; then sources+=(\"$merged\"); fi\n";
  s += "for ((i = 0; i < tasks; i++)); do\n";
  s += fmt::format("  shard=\"$dir/{}-shard${{i}}of${{tasks}}.db\"\n", p.name);
  s += "  if [ -f \"$shard\" ]; then\n    sources+=(\"$shard\")\n  else\n";
  s += "    echo \"merge: task $i published no database ($shard)\" >&2\n  fi\ndone\n";
  s += "if ((${#sources[@]} == 0)); then\n  echo \"merge: no databases in $dir: did the array run?\" >&2\n  exit 1\nfi\n";
  s += "\"$flbench\" merge \"$local_dir/merged.db\" \"${sources[@]}\" --publish-to \"$merged\"\n\n";
  s += "# The report, from the published copy (read only).\n";
  s += fmt::format("\"$flbench\" report \"$suite\" --db \"$merged\" --report \"$dir/{}.md\"{}\n", p.name,
                   a.allow_incomplete ? "" : " --require-complete");
  s += fmt::format("touch \"$dir/{}-merge.done\"\n", p.name);
  return s;
}

struct Captured {
  int status = -1;
  std::string out;
};

// Runs `command` through /bin/sh; stdout captured, stderr passed through.
Captured Capture(const std::string& command) {
  Captured c;
  FILE* f = popen(command.c_str(), "r");
  if (f == nullptr) throw Error(fmt::format("cannot run: {}", command));
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) c.out.append(buf, n);
  const int raw = pclose(f);
  c.status = raw != -1 && WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return c;
}

std::string Sbatch(const std::string& args) {
  const std::string cmd = "sbatch --parsable " + args;
  const Captured c = Capture(cmd);
  std::string id = c.out.substr(0, c.out.find_first_of(";\n"));  // "ID" or "ID;CLUSTER"
  if (c.status != 0 || id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
    throw Error(fmt::format("`{}` failed (exit {}){}; is Slurm reachable (sinfo)? For a local test cluster: "
                            "scripts/slurm-local.sh start",
                            cmd, c.status, c.out.empty() ? "" : ": " + c.out));
  return id;
}

// Every job record `scontrol -o show job ID` prints (one per array task), as key → value maps. Empty once
// Slurm has forgotten the job (MinJobAge after it ended).
std::vector<std::map<std::string, std::string>> JobRecords(const std::string& id) {
  const Captured c = Capture("scontrol -o show job " + id + " 2>/dev/null");
  std::vector<std::map<std::string, std::string>> out;
  if (c.status != 0) return out;
  std::istringstream lines(c.out);
  for (std::string line; std::getline(lines, line);) {
    std::map<std::string, std::string> rec;
    std::istringstream words(line);
    for (std::string w; words >> w;)
      if (auto eq = w.find('='); eq != std::string::npos) rec.emplace(w.substr(0, eq), w.substr(eq + 1));
    if (rec.count("JobId")) out.push_back(std::move(rec));
  }
  return out;
}

// True while squeue lists the job (any task of an array) as pending or running.
bool InQueue(const std::string& job_id) {
  const Captured c = Capture("squeue -h -j " + job_id + " -o %i 2>/dev/null");
  return c.status == 0 && c.out.find_first_not_of(" \n") != std::string::npos;
}

// Waits for the merge job; returns 0 if it completed, else prints what failed and returns 1.
int WaitFor(const Plan& p, const std::string& array_id, const std::string& merge_id) {
  const std::set<std::string> failed_states = {"FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
                                               "BOOT_FAIL", "DEADLINE", "PREEMPTED"};
  std::map<std::string, std::string> task_state;  // array task → its last state seen
  std::string merge_state;
  for (;;) {
    for (const auto& r : JobRecords(array_id))
      if (r.count("ArrayTaskId") && r.count("JobState")) task_state[r.at("ArrayTaskId")] = r.at("JobState");
    const auto merge = JobRecords(merge_id);
    merge_state = merge.empty() ? "" : merge[0].count("JobState") ? merge[0].at("JobState") : "?";
    const std::string reason = merge.empty() || !merge[0].count("Reason") ? "" : merge[0].at("Reason");
    if (merge_state == "COMPLETED") break;
    if (failed_states.count(merge_state)) break;
    // Not shown (forgotten after MinJobAge, or scontrol failed for a moment): over once neither job is queued;
    // the marker files below then say what finished.
    if (merge.empty() && !InQueue(merge_id) && !InQueue(array_id)) break;
    if (merge_state == "PENDING" && reason == "DependencyNeverSatisfied" && !InQueue(array_id)) {
      Capture("scancel " + merge_id);
      std::fprintf(stderr, "slurm: merge job %s can never run (a task failed); cancelled it\n", merge_id.c_str());
      merge_state = "CANCELLED";
      break;
    }
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
  std::vector<std::string> failed;
  for (int i = 0; i < p.tasks; ++i) {
    if (fs::exists(fmt::format("{}/{}-shard{}of{}.done", p.dir, p.name, i, p.tasks))) continue;
    const auto it = task_state.find(std::to_string(i));
    failed.push_back(fmt::format("{} ({}; log {}/logs/{}-{}.log)", i, it == task_state.end() ? "state unknown" : it->second,
                                 p.dir, p.name, i));
  }
  const bool merged = fs::exists(p.dir + "/" + p.name + "-merge.done");
  if (failed.empty() && merged) {
    std::fprintf(stderr, "slurm: all %d tasks and the merge finished: %s/%s.md\n", p.tasks, p.dir.c_str(), p.name.c_str());
    return 0;
  }
  for (const auto& f : failed) std::fprintf(stderr, "slurm: task %s did not finish\n", f.c_str());
  if (!failed.empty())
    std::fprintf(stderr, "slurm: finished cells are kept; submit again to run only the rest (the same `flbench slurm "
                 "… --submit`, or: array=$(sbatch --parsable %s/%s.sbatch) && sbatch --dependency=afterok:$array %s/%s-merge.sbatch)\n",
                 p.dir.c_str(), p.name.c_str(), p.dir.c_str(), p.name.c_str());
  if (!merged) {
    const std::string log = p.dir + "/logs/" + p.name + "-merge.log";
    std::fprintf(stderr, "slurm: the merge job %s did not finish (%s); log: %s\n", merge_id.c_str(),
                 merge_state.empty() ? "state unknown" : merge_state.c_str(), log.c_str());
    if (failed.empty() && fs::exists(log)) {  // it ran and failed: its last lines say why (e.g. missing cells)
      std::vector<std::string> lines;
      std::istringstream in(ReadTextFile(log, "merge log"));
      for (std::string line; std::getline(in, line);) lines.push_back(line);
      for (size_t i = lines.size() > 12 ? lines.size() - 12 : 0; i < lines.size(); ++i)
        std::fprintf(stderr, "  | %s\n", lines[i].c_str());
    }
  }
  return 1;
}

void SlurmCommand(const SlurmArgs& a) {
  if (a.tasks < 1) throw Error(fmt::format("--tasks must be ≥ 1, got {}", a.tasks));
  if (a.cpus_per_task < 1) throw Error(fmt::format("--cpus-per-task must be ≥ 1, got {}", a.cpus_per_task));
  if (!(a.publish_every >= 0)) throw Error(fmt::format("--publish-every must be ≥ 0 seconds, got {}", a.publish_every));
  if (a.wait && !a.submit) throw Error("--wait needs --submit (it waits for the jobs it submitted)");
  if (a.partition.find_first_of(" \t\n'\"") != std::string::npos || a.time.find_first_of(" \t\n'\"") != std::string::npos)
    throw Error("--partition and --time must not contain spaces or quotes");
  const Suite suite = LoadSuite(a.suite);
  if (static_cast<size_t>(a.tasks) > suite.cells.size())
    throw Error(fmt::format("--tasks {}: the suite '{}' has only {} cells", a.tasks, suite.name, suite.cells.size()));
  Plan p;
  p.name = suite.name;
  p.suite = fs::absolute(suite.path).lexically_normal().string();
  p.flbench = ExecutablePath();
  if (p.flbench.empty()) throw Error("cannot find the running flbench binary (/proc/self/exe)");
  p.dir = fs::absolute(a.dir.empty() ? "slurm-" + suite.name : a.dir).lexically_normal().string();
  if (p.dir.size() > 1 && p.dir.back() == '/') p.dir.pop_back();
  p.tasks = a.tasks;
  if (p.dir.find_first_of("\n'\"$`\\ ") != std::string::npos)
    throw Error(fmt::format("--dir '{}': use a directory path without spaces, quotes, $, ` or \\ (it goes into #SBATCH lines)",
                            p.dir));
  fs::create_directories(p.dir + "/logs");
  const std::string array_script = p.dir + "/" + p.name + ".sbatch";
  const std::string merge_script = p.dir + "/" + p.name + "-merge.sbatch";
  WriteFileAtomic(array_script, ArrayScript(a, p));
  WriteFileAtomic(merge_script, MergeScript(a, p));
  fs::permissions(array_script, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
  fs::permissions(merge_script, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
  const auto shard = AssignShards(suite.cells, a.tasks);
  std::vector<double> load(a.tasks, 0.0);
  std::vector<int> count(a.tasks, 0);
  for (size_t i = 0; i < suite.cells.size(); ++i) load[shard[i]] += suite.cells[i].cost, ++count[shard[i]];
  std::fprintf(stderr, "slurm: wrote %s (%d tasks) and %s\n", array_script.c_str(), a.tasks, merge_script.c_str());
  std::string balance;
  for (int i = 0; i < a.tasks; ++i) balance += fmt::format("{}{}: {} cells, cost {:.3g}", i ? "; " : "", i, count[i], load[i]);
  std::fprintf(stderr, "slurm: shards %s\n", balance.c_str());
  if (!a.submit) {
    std::fprintf(stderr, "slurm: submit with: array=$(sbatch --parsable %s) && sbatch --dependency=afterok:$array %s\n",
                 array_script.c_str(), merge_script.c_str());
    return;
  }
  // Markers of an earlier submission would make a task that never starts look finished.
  for (int i = 0; i < a.tasks; ++i) fs::remove(fmt::format("{}/{}-shard{}of{}.done", p.dir, p.name, i, a.tasks));
  fs::remove(p.dir + "/" + p.name + "-merge.done");
  const std::string array_id = Sbatch(Quote(array_script));
  const std::string merge_id = Sbatch("--dependency=afterok:" + array_id + " " + Quote(merge_script));
  std::printf("array\t%s\nmerge\t%s\n", array_id.c_str(), merge_id.c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "slurm: submitted array job %s (%d tasks) and merge job %s (runs when every task succeeded)\n",
               array_id.c_str(), a.tasks, merge_id.c_str());
  if (a.wait && WaitFor(p, array_id, merge_id) != 0) std::exit(1);
}

}  // namespace

void AddSlurmCommand(CLI::App& app) {
  auto a = std::make_shared<SlurmArgs>();
  auto* cmd = app.add_subcommand("slurm", "Write (and optionally submit) a Slurm job array for a suite, plus a merge job");
  cmd->add_option("SUITE", a->suite, "suite name or path")->required();
  AddIntOption(*cmd, "--tasks", a->tasks, 1, 1000000, "array tasks (shards, balanced by estimated cost)")->required();
  cmd->add_option("--partition", a->partition, "Slurm partition (default: the cluster's default)");
  cmd->add_option("--time", a->time, "time limit per task, HH:MM:SS (default: the partition's)")
      ->check(CLI::Validator(
          [](std::string& t) -> std::string {
            // Slurm's forms: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S (digits only), or UNLIMITED.
            static const std::regex kTime(R"(([0-9]+-[0-9]+(:[0-9]+){0,2})|([0-9]+(:[0-9]+){0,2})|UNLIMITED|unlimited)");
            if (std::regex_match(t, kTime)) return "";
            return "'" + t + "' is not a Slurm time (MINUTES, HH:MM:SS, D-HH:MM:SS or UNLIMITED)";
          },
          "TIME"));
  AddIntOption(*cmd, "--cpus-per-task", a->cpus_per_task, 1, 4096, "cores per task (cells in parallel)");
  cmd->add_option("--dir", a->dir, "shared directory for scripts, logs, shard databases, report (default: ./slurm-SUITE)");
  cmd->add_option("--local-dir", a->local_dir, "node-local directory for the live databases (default: $TMPDIR, else /tmp)");
  AddRealOption(*cmd, "--publish-every", a->publish_every, 0, 1e9, "seconds between a task's copies of its database into DIR");
  cmd->add_flag("--allow-incomplete", a->allow_incomplete, "let the merge job write a report while cells are missing");
  cmd->add_flag("--submit", a->submit, "submit both jobs with sbatch; prints 'array<TAB>ID' and 'merge<TAB>ID'");
  cmd->add_flag("--wait", a->wait, "with --submit: wait for the merge job; exit 1 naming the tasks that failed");
  cmd->callback([a] { SlurmCommand(*a); });
}

}  // namespace flbench
