#!/usr/bin/env bash
# CTest "theory_coretypes": runs small convergence, width-vs-samples and cayci-eryilmaz suites
# (tests/data/theory-coretype-*.yaml) in child processes under OPENBLAS_CORETYPE = Haswell, SkylakeX, Zen and
# unset, and requires every cell's result JSON to be identical bit for bit (the per-cell "seconds" lines,
# wall-clock times, are dropped). These cores use theory/fixed_order.h, not BLAS, so the OpenBLAS kernel must not
# matter. The inversion kind multiplies and solves with OpenBLAS (m up to 10 000), so for it (tests/data/
# theory-coretype-inversion.yaml) the test bounds the difference instead: every number of every cell within 1e-5
# relative of Haswell's (measured on an AVX-512 machine: SkylakeX differs by ≤ 2.6e-7 here, ≤ 5e-8 at full size; the
# bound leaves room for other CPUs' kernels), and prints the largest difference it saw.
set -euo pipefail
flbench=$1
src=$2
out=$3
rm -rf "$out"
mkdir -p "$out"
numbers() { grep -oE -- '-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?' "$1"; }  # every number of a file, one a line
for suite in convergence width cayci inversion; do
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
  if [ "$suite" = inversion ]; then
    for core in SkylakeX Zen unset; do
      # Number by number (the JSON layouts are the same): how many differ and the largest relative difference.
      paste <(numbers "$out/Haswell/$suite.results") <(numbers "$out/$core/$suite.results") |
        awk -v core="$core" 'BEGIN { worst = 0; n = 0; differ = 0; bad = 0 }
          NF != 2 { bad = 1 }
          { n++; a = $1 + 0; b = $2 + 0; if ($1 != $2) differ++
            s = a < 0 ? -a : a; t = b < 0 ? -b : b; den = s > t ? s : t
            if (den > 0) { r = (a - b) / den; if (r < 0) r = -r; if (r > worst) worst = r } }
          END { printf "inversion, Haswell vs %s: %d numbers, %d differ, largest relative difference %.3g\n", core, n, differ, worst
                if (bad || n == 0 || worst > 1e-5) { print "inversion results differ beyond 1e-5 relative (or in shape)"; exit 1 } }'
    done
    continue
  fi
  for core in SkylakeX Zen unset; do
    if ! cmp -s "$out/Haswell/$suite.results" "$out/$core/$suite.results"; then
      echo "theory results differ between OPENBLAS_CORETYPE=Haswell and $core ($suite):"
      diff "$out/Haswell/$suite.results" "$out/$core/$suite.results" | head -20
      exit 1
    fi
  done
  echo "$suite: identical results under Haswell, SkylakeX, Zen and unset"
done
