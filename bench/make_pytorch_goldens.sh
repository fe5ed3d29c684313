#!/usr/bin/env bash
# Rebuilds tests/data/pytorch/ (the PyTorch reference trajectories for flbench's step-for-step equivalence test, see
# tests/data/pytorch/README.md) from scratch: per case the dataset (`flbench dataset`), PyTorch's initial weights, the
# weights after training and the per-batch losses (bench/pytorch_reference.py), and noise.json, the float32 noise
# floor (how far the same PyTorch training moves when only the summation order or the precision changes).
# Deterministic: a rerun on the same machine writes the same bytes. Needs Debian's python3-torch. Usage:
#   bench/make_pytorch_goldens.sh            (FLBENCH=path/to/flbench, default build/flbench)
set -euo pipefail
export LC_ALL=C OMP_NUM_THREADS=1

here="$(cd "$(dirname "$0")/.." && pwd)"
flbench="${FLBENCH:-$here/build/flbench}"
py=/usr/bin/python3  # Debian's python3-torch installs for the system interpreter
ref="$here/bench/pytorch_reference.py"
out="$here/tests/data/pytorch"
[[ -x "$flbench" ]] || { echo "make_pytorch_goldens: no flbench binary at $flbench (set FLBENCH)" >&2; exit 2; }
"$py" -c 'import torch' 2>/dev/null || { echo "make_pytorch_goldens: needs python3-torch" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# From scratch: every case directory and noise.json go (README.md, written by hand, stays).
mkdir -p "$out"
find "$out" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
rm -f "$out/noise.json"
noise_cases=()
# make_case NAME ORDER LANG TASK ACT WIDTH EPOCHS BATCH-AND-OPTIMIZER-OPTIONS...
#   ORDER sorted: train.tsv sorted by length (stable), so a file-order batch holds up to --batch strings of one length
#   (full batches and a short last one per length); ORDER file: train.tsv as `flbench dataset` wrote it (mixed
#   lengths: mostly batches of one string, so the rule "a new batch whenever the length changes" is tested).
make_case() {
  local name="$1" order="$2" lang="$3" task="$4" act="$5" width="$6" epochs="$7"
  shift 7
  local dir="$out/$name"
  mkdir -p "$dir"
  "$flbench" dataset "$lang" --task "$task" --train 200 --test 50 --min-len 2 --max-len 12 --seed 1 \
    --out "$tmp/$name" 2>/dev/null >/dev/null
  cp "$tmp/$name/test.tsv" "$dir/test.tsv"
  if [[ "$order" == sorted ]]; then
    { head -n 1 "$tmp/$name/train.tsv"
      tail -n +2 "$tmp/$name/train.tsv" | awk -F'\t' '{ printf "%d\t%d\t%s\n", length($1), NR, $0 }' |
        sort -t "$(printf '\t')" -k1,1n -k2,2n | cut -f3-
    } >"$dir/train.tsv"
  else
    cp "$tmp/$name/train.tsv" "$dir/train.tsv"
  fi
  local common=(--data "$dir" --act "$act" --width "$width" "$@")
  "$py" "$ref" "${common[@]}" --epochs "$epochs" --init-seed 1 --save-init "$dir/init.safetensors" \
    --out "$dir/after.safetensors" --json "$dir/trajectory.json"
  noise_cases+=("$name")
  # Noise floor after 1 and 3 epochs: the float32 run against the same run with each batch's strings reversed
  # (another float32 summation order) and against a float64 run.
  for e in 1 3; do
    for variant in f32 rev f64; do
      local flag=()
      [[ "$variant" == rev ]] && flag=(--reverse-batch)
      [[ "$variant" == f64 ]] && flag=(--float64)
      "$py" "$ref" "${common[@]}" --epochs "$e" --init "$dir/init.safetensors" "${flag[@]}" \
        --out "$tmp/$name.$variant.$e.safetensors" --json "$tmp/$name.$variant.$e.json"
    done
  done
  cmp -s "$tmp/$name.f32.$epochs.safetensors" "$dir/after.safetensors" ||
    { echo "make_pytorch_goldens: $name: two identical PyTorch runs differ" >&2; exit 1; }
}

rmsprop=(--optimizer rmsprop --lr 0.01 --alpha 0.99 --eps 1e-8)
make_case tomita7-next-relu-m8 sorted tomita7 next-symbol relu 8 1 --batch 32 "${rmsprop[@]}"
make_case tomita3-member-tanh-m8 sorted tomita3 membership tanh 8 1 --batch 32 "${rmsprop[@]}"
make_case parity-next-tanh-m4-sgd file parity next-symbol tanh 4 1 --batch 32 --optimizer sgd --lr 0.1
make_case dyck2-next-relu-m32 sorted dyck2 next-symbol relu 32 1 --batch 32 "${rmsprop[@]}"
make_case tomita7-next-relu-m8-batch8-3epochs sorted tomita7 next-symbol relu 8 3 --batch 8 "${rmsprop[@]}"

"$py" - "$here/bench" "$tmp" "$out/noise.json" "${noise_cases[@]}" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
from pytorch_reference import NAMES, read_safetensors
tmp, path, cases = sys.argv[2], sys.argv[3], sys.argv[4:]

def compare(a, b):
    """Max |a - b| over every weight, the largest |weight|, and the max relative difference of per-batch losses."""
    wa, _ = read_safetensors(f"{a}.safetensors")
    wb, _ = read_safetensors(f"{b}.safetensors")
    la = [x for epoch in json.load(open(f"{a}.json"))["batch_losses"] for x in epoch]
    lb = [x for epoch in json.load(open(f"{b}.json"))["batch_losses"] for x in epoch]
    return {"weight_max_abs": max((wa[n].double() - wb[n].double()).abs().max().item() for n in NAMES),
            "weight_max": max(wa[n].abs().max().item() for n in NAMES),
            "loss_max_rel": max(abs(x - y) / abs(y) for x, y in zip(la, lb))}

with open(path, "w") as f:
    f.write("{\n")
    for i, name in enumerate(cases):
        rows = {}
        for e in (1, 3):
            for variant, label in (("rev", "reversed_batch"), ("f64", "float64")):
                d = compare(f"{tmp}/{name}.f32.{e}", f"{tmp}/{name}.{variant}.{e}")
                rows[f"epochs{e}_{label}"] = {k: float(f"{v:.3g}") for k, v in d.items()}
        f.write(f' "{name}": {json.dumps(rows, separators=(",", ":"))}' + (",\n" if i + 1 < len(cases) else "\n"))
    f.write("}\n")
PY
du -sb "$out" | awk '{ printf "make_pytorch_goldens: %s: %d bytes\n", $2, $1 }' >&2
