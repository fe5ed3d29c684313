#!/usr/bin/env bash
# CTest "slurm_cluster" (label slurm): `flbench slurm` against a real single-node Slurm (scripts/slurm-local.sh,
# which installs slurm-wlm and munge if missing; needs root). Usage: slurm_cluster_test.sh FLBENCH SRC OUT
#  1. suites/smoke.yaml as 3 array tasks + the merge job (--submit --wait): the report equals a local
#     `flbench run smoke` (everything but the run metadata block) and so does the CSV.
#  2. tests/data/slurm-suite.yaml (cells slow enough to catch a task mid-run): submit with --wait, scancel array
#     task 1 after it published its first cell and before its last; --wait exits 1 naming task 1, no report is
#     published, the merge job is never run; resubmitting resumes task 1 from its published cells and the report
#     equals a local run again.
# The cluster is stopped at the end whatever happened (unless it was already running before the test).
set -euo pipefail
flbench=$1
src=$2
out=$3
local_cluster=$src/scripts/slurm-local.sh
export SLURM_CONF=${FLBENCH_SLURM_DIR:-/tmp/flbench-slurm}/slurm.conf

fail() { echo "FAIL: $*" >&2; exit 1; }

was_running=0
"$local_cluster" status >/dev/null 2>&1 && was_running=1
if ((was_running == 0)) && [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: starting the local Slurm cluster needs root (CI runs the tests as root)" >&2
  exit 77
fi
cleanup() {
  local status=$?
  if ((status != 0)) && [ -d "$out" ]; then
    for f in "$out"/*/logs/*.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -5 "$f" >&2; }; done
  fi
  if ((was_running == 0)); then "$local_cluster" stop || true; fi
  exit $status
}
trap cleanup EXIT
"$local_cluster" start >/dev/null

rm -rf "$out"
mkdir -p "$out"
cd "$out"  # nothing below depends on the working directory

# The report without its "## Run" metadata block (commit, date, machine, wall time, database path).
body() { awk '/^## / { keep = ($0 != "## Run") } keep' "$1"; }
same_report() {  # REF_STEM OTHER_STEM
  [ -s "$2.md" ] || fail "no report $2.md"
  grep -q "^## " "$1.md" || fail "no sections in $1.md"
  diff <(body "$1.md") <(body "$2.md") >&2 || fail "$2.md differs from $1.md (above)"
  cmp "$1.csv" "$2.csv" || fail "$2.csv differs from $1.csv"
}

# 1. smoke: 3 tasks + merge, waited for.
"$flbench" run smoke --jobs 2 --quiet --report "$out/ref/smoke.md" 2>/dev/null
"$flbench" slurm smoke --tasks 3 --dir "$out/smoke" --submit --wait >"$out/smoke.ids" 2>"$out/smoke.err" ||
  { cat "$out/smoke.err" >&2; fail "flbench slurm smoke --submit --wait failed"; }
grep -q "all 3 tasks and the merge finished" "$out/smoke.err" || fail "no completion message: $(cat "$out/smoke.err")"
same_report "$out/ref/smoke" "$out/smoke/smoke"
grep -q "cells with results: 20 of 20" "$out/smoke/smoke.md" || fail "smoke report incomplete"
echo "smoke as 3 Slurm tasks: same report as a local run"

# 2. cancel one task mid-run, then resubmit.
suite=$src/tests/data/slurm-suite.yaml
name=slurm-test
dir=$out/kill
"$flbench" run "$suite" --jobs 2 --quiet --report "$out/ref/$name.md" 2>/dev/null
in_shard=$("$flbench" run "$suite" --list-cells --shard 1/3 | wc -l)
((in_shard >= 2)) || fail "shard 1/3 of $suite has $in_shard cells; the test needs at least 2"
"$flbench" slurm "$suite" --tasks 3 --dir "$dir" --publish-every 0 --submit --wait >"$out/kill.ids" 2>"$out/kill.err" &
waiter=$!
for ((i = 0; i < 600; i++)); do  # up to 60 s for task 1's first published cell
  [ -f "$dir/$name-shard1of3.db" ] && break
  sleep 0.1
done
array=$(awk '$1 == "array" { print $2 }' "$out/kill.ids")
merge=$(awk '$1 == "merge" { print $2 }' "$out/kill.ids")
[ -n "$array" ] && [ -n "$merge" ] || fail "no job ids printed: $(cat "$out/kill.ids" "$out/kill.err")"
[ -f "$dir/$name-shard1of3.db" ] || fail "task 1 published nothing within 60 s"
scancel "${array}_1"
for ((i = 0; i < 300 && $(squeue -h -j "${array}_1" 2>/dev/null | wc -l) > 0; i++)); do sleep 0.1; done
# How many cells task 1 had published when it was cancelled (merge reads the published copy).
published=$("$flbench" merge "$out/count.db" "$dir/$name-shard1of3.db" 2>&1 | sed -n 's/.*now holds \([0-9]*\).*/\1/p')
echo "task 1 cancelled with $published of $in_shard cells published"
((published >= 1 && published < in_shard)) ||
  fail "task 1 was cancelled with $published of $in_shard cells published: not mid-run (make the test suite slower)"
status=0
wait "$waiter" || status=$?
((status == 1)) || fail "--wait exited $status after a cancelled task, expected 1: $(cat "$out/kill.err")"
grep -q "task 1 (CANCELLED" "$out/kill.err" || fail "--wait does not name the cancelled task 1: $(cat "$out/kill.err")"
grep -q "task 0 \|task 2 " "$out/kill.err" && fail "--wait names a task that finished: $(cat "$out/kill.err")"
[ ! -e "$dir/$name.md" ] || fail "a report was published although task 1 was cancelled"
squeue -h -j "$merge" 2>/dev/null | grep -q . && fail "the merge job $merge is still queued (--wait should cancel it)"
echo "cancelled task: --wait names it; no report"

"$flbench" slurm "$suite" --tasks 3 --dir "$dir" --publish-every 0 --submit --wait >/dev/null 2>"$out/resubmit.err" ||
  { cat "$out/resubmit.err" >&2; fail "resubmission failed"; }
grep -q "$published of $in_shard cells already in" "$dir/logs/$name-1.log" ||
  fail "task 1 did not resume from its $published published cells: $(cat "$dir/logs/$name-1.log")"
same_report "$out/ref/$name" "$dir/$name"
echo "resubmitted: task 1 resumed ($published cells kept), same report as a local run"
