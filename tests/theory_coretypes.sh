#!/usr/bin/env bash
# CTest "theory_coretypes": runs small convergence, width-vs-samples and cayci-eryilmaz suites
# (tests/data/theory-coretype-*.yaml) in child processes under OPENBLAS_CORETYPE = Haswell, SkylakeX, Zen and
# unset, and requires every cell's result JSON to be identical bit for bit (the per-cell "seconds" lines,
# wall-clock times, are dropped). These cores use theory/fixed_order.h, not BLAS, so the OpenBLAS kernel must not
# matter. (The inversion kind still uses BLAS at m up to 10 000; README "Theory experiments" says what varies.)
set -euo pipefail
flbench=$1
src=$2
out=$3
rm -rf "$out"
mkdir -p "$out"
for suite in convergence width cayci; do
  for core in Haswell SkylakeX Zen unset; do
    dir="$out/$core"
    mkdir -p "$dir"
    if [ "$core" = unset ]; then
      env -u OPENBLAS_CORETYPE "$flbench" run "$src/tests/data/theory-coretype-$suite.yaml" --jobs 1 --quiet \
        --report "$dir/$suite.md"
    else
      env OPENBLAS_CORETYPE="$core" "$flbench" run "$src/tests/data/theory-coretype-$suite.yaml" --jobs 1 --quiet \
        --report "$dir/$suite.md"
    fi
    grep -v '"seconds":' "$dir/$suite.json" > "$dir/$suite.results"
    test -s "$dir/$suite.results"
  done
  for core in SkylakeX Zen unset; do
    if ! cmp -s "$out/Haswell/$suite.results" "$out/$core/$suite.results"; then
      echo "theory results differ between OPENBLAS_CORETYPE=Haswell and $core ($suite):"
      diff "$out/Haswell/$suite.results" "$out/$core/$suite.results" | head -20
      exit 1
    fi
  done
  echo "$suite: identical results under Haswell, SkylakeX, Zen and unset"
done
