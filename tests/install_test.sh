#!/usr/bin/env bash
# CTest "install": `cmake --install BUILD --prefix P`, then the prefix is moved elsewhere (the binary finds its
# languages and suites relative to itself) and used from an unrelated working directory: `flbench languages` takes
# every shipped name from P/share/flbench and nothing from the source tree; `flbench run smoke` writes a complete
# report that passes the shipped baseline. Then the search path: ./languages and $FLBENCH_LANGUAGES add to (and
# shadow) the shipped languages, ./suites and $FLBENCH_SUITES likewise, a missing $FLBENCH_LANGUAGES directory is
# an error naming it. Usage: install_test.sh BUILD_DIR SRC OUT
set -euo pipefail
build=$1
src=$2
out=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
unset FLBENCH_LANGUAGES FLBENCH_SUITES

rm -rf "$out"
mkdir -p "$out/work"
cmake --install "$build" --prefix "$out/prefix" >/dev/null
mv "$out/prefix" "$out/moved"  # relocatable: nothing points into the install prefix
flbench=$out/moved/bin/flbench
share=$out/moved/share/flbench
[ -x "$flbench" ] && [ -f "$share/languages/tomita4.yaml" ] && [ -f "$share/suites/smoke.yaml" ] ||
  fail "install layout: expected bin/flbench, share/flbench/languages, share/flbench/suites"
cd "$out/work"

"$flbench" languages >"$out/languages.txt"
shipped=$(ls "$src/languages" | wc -l)
[ "$(grep -c ' installed ' "$out/languages.txt")" -eq "$shipped" ] || fail "not every language comes from the install: $(cat "$out/languages.txt")"
grep -q "^# from installed: $share/languages$" "$out/languages.txt" || fail "no '# from installed' line: $(cat "$out/languages.txt")"
grep -q "source tree\|$src/languages/" "$out/languages.txt" && fail "the installed flbench looks into the source tree: $(cat "$out/languages.txt")"

"$flbench" run smoke --jobs 2 --quiet --report "$out/report/smoke.md" 2>"$out/run.err" || fail "run smoke: $(cat "$out/run.err")"
grep -q "cells with results: 20 of 20" "$out/report/smoke.md" || fail "incomplete smoke report"
grep -q "suite file: \`$share/suites/smoke.yaml\`" "$out/report/smoke.md" || fail "smoke was not the installed suite"
"$flbench" compare smoke --report "$out/report/smoke.md" --baseline "$share/suites/smoke.baseline.json" --tolerance 0.05 >/dev/null ||
  fail "smoke from the installed binary fails its baseline"
echo "installed flbench: languages and smoke from $share"

# A working directory with its own languages/: a new one (ends01) and one that shadows a shipped name (tomita4).
mkdir -p languages suites more
cat >languages/ends01.yaml <<'YAML'
description: "strings ending in 01"
alphabet: "01"
regex: "[01]*01"
YAML
sed 's/^description: .*/description: "my own tomita4"/' "$share/languages/tomita4.yaml" >languages/tomita4.yaml
cat >suites/mine.yaml <<'YAML'
name: mine
data: {task: membership, train: 100, test: 50, min_len: 2, max_len: 12}
grid: {width: [4], activation: [relu], epochs: 2, seeds: 1}
languages: [ends01, tomita4, parity]
report:
  tables:
    - {title: "mine", rows: language, columns: activation}
YAML
"$flbench" languages >"$out/languages2.txt"
grep -q "^ends01 .* \./languages .*strings ending in 01" "$out/languages2.txt" || fail "ends01 not from ./languages: $(cat "$out/languages2.txt")"
grep -q "^tomita4 .* \./languages .*my own tomita4" "$out/languages2.txt" || fail "tomita4 not from ./languages"
grep -q "^# shadowed: $share/languages/tomita4.yaml (by languages/tomita4.yaml)$" "$out/languages2.txt" ||
  fail "the shadowed shipped tomita4 is not shown: $(cat "$out/languages2.txt")"
grep -q "^parity .* installed " "$out/languages2.txt" || fail "parity no longer from the install"
[ "$("$flbench" run mine --list-cells | wc -l)" -eq 3 ] || fail "suite mine from ./suites naming ends01, tomita4, parity"

# $FLBENCH_LANGUAGES comes before ./languages; $FLBENCH_SUITES before ./suites; a missing directory is an error.
printf 'description: "first in the path"\nalphabet: "01"\nregex: "1*"\n' >more/ends01.yaml
FLBENCH_LANGUAGES=$out/work/more "$flbench" languages | grep -q "^ends01 .*\$FLBENCH_LANGUAGES .*first in the path" ||
  fail "\$FLBENCH_LANGUAGES does not come first"
cp suites/mine.yaml more/other.yaml
FLBENCH_SUITES=$out/work/more "$flbench" run other --list-cells >/dev/null || fail "\$FLBENCH_SUITES not searched"
status=0
FLBENCH_LANGUAGES=$out/work/more:/no/such/dir "$flbench" languages >/dev/null 2>"$out/err.txt" || status=$?
[ "$status" -eq 2 ] || fail "a missing \$FLBENCH_LANGUAGES directory: exit $status, expected 2"
grep -q "'/no/such/dir' is not a directory" "$out/err.txt" || fail "the error does not name the directory: $(cat "$out/err.txt")"
echo "search path: \$FLBENCH_LANGUAGES, ./languages, installed; shadowing shown; missing directory is an error"
