#!/usr/bin/env bash
# CTest "smoke_suite": runs suites/smoke.yaml end to end with the real binary into a scratch directory,
# checks the report was written, then `flbench compare`s the results against the committed baseline
# suites/smoke.baseline.json (exit 1 and a table of regressions if any group fell by more than 0.05).
set -euo pipefail
flbench=$1
src=$2
out=$3
rm -rf "$out"
mkdir -p "$out"
"$flbench" run "$src/suites/smoke.yaml" --report "$out/smoke.md" --jobs 2
test -s "$out/smoke.md"
grep -q "cells with results: 20 of 20" "$out/smoke.md"
"$flbench" compare "$src/suites/smoke.yaml" --report "$out/smoke.md" --baseline "$src/suites/smoke.baseline.json" --tolerance 0.05
