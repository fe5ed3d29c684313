#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, -DFLBENCH_FUZZ=ON, own build directory) and runs each for a bounded
# time, starting from the seed corpus in tests/fuzz/corpus/. Exit status non-zero if a target found a crash,
# a sanitizer report or a unit running over 60 s (the reproducer is left in BUILD_DIR/artifacts-*/).
# Usage: tests/fuzz/run.sh [TOTAL_SECONDS=60] [BUILD_DIR=build-fuzz]
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
total=${1:-60}
build=${2:-$src/build-fuzz}
command -v clang++ >/dev/null || { echo "run.sh: clang++ not found (apt-get install clang)" >&2; exit 2; }
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
      -DFLBENCH_FUZZ=ON -DFLBENCH_NATIVE=OFF >/dev/null
cmake --build "$build" --target fuzz_language fuzz_regex
targets=(language regex)
per=$(( total / ${#targets[@]} ))
(( per > 0 )) || per=1
status=0
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus-$t" "$build/artifacts-$t"
  echo "== fuzz_$t for ${per}s" >&2
  "$build/fuzz_$t" -max_total_time="$per" -timeout=60 -rss_limit_mb=3000 -max_len=2048 -print_final_stats=1 \
      -artifact_prefix="$build/artifacts-$t/" "$build/corpus-$t" "$src/tests/fuzz/corpus/$t" || status=1
done
exit $status
