#!/usr/bin/env bash
# Checks README's PyTorch snippet ("Models"): trains a small model with `flbench train --data DIR --save`, loads the
# file in PyTorch with exactly the snippet's lines (json + struct + torch only: Debian has no python3-safetensors),
# and requires PyTorch's decisions on the test split to give flbench's test accuracy. Needs Debian's python3-torch
# (not in CI). Usage: bench/pytorch_load_model.sh [LANG] [--task membership|next-symbol] [--act relu|tanh]
#   (FLBENCH=path/to/flbench, default build/flbench). Exit 0 when the accuracies agree.
set -euo pipefail
lang=tomita3 task=next-symbol act=relu
while [[ $# -gt 0 ]]; do
  case "$1" in
    --task) task="$2"; shift 2 ;;
    --act) act="$2"; shift 2 ;;
    -*) echo "pytorch_load_model: unknown option $1" >&2; exit 2 ;;
    *) lang="$1"; shift ;;
  esac
done
here="$(cd "$(dirname "$0")/.." && pwd)"
flbench="${FLBENCH:-$here/build/flbench}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$flbench" dataset "$lang" --task "$task" --train 2000 --test 500 --min-len 2 --max-len 30 --out "$tmp/ds" >/dev/null
"$flbench" train --data "$tmp/ds" --act "$act" --width 8 --epochs 8 --patience 0 --quiet --save "$tmp/m.safetensors" \
  > "$tmp/train.json"
/usr/bin/python3 - "$tmp/m.safetensors" "$tmp/ds/test.tsv" "$tmp/train.json" <<'PY'
import json, struct, sys, torch
path, test_path, train_json = sys.argv[1:]
# --- README snippet (verbatim) ---
raw = open(path, "rb").read(); n = struct.unpack("<Q", raw[:8])[0]; hdr = json.loads(raw[8:8 + n]); meta = hdr.pop("__metadata__")
sd = {k: torch.frombuffer(bytearray(raw[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]]), dtype=torch.float32).reshape(v["shape"]) for k, v in hdr.items()}
(m, d), k = sd["rnn.weight_ih_l0"].shape, sd["readout.bias"].numel()
net = torch.nn.ModuleDict({"rnn": torch.nn.RNN(d, m, nonlinearity=meta["activation"], batch_first=True), "readout": torch.nn.Linear(m, k)}); net.load_state_dict(sd)
decide = lambda s: (net.readout(net.rnn(torch.nn.functional.one_hot(torch.tensor([[meta["alphabet"].index(c) for c in s]]), d).float())[0][0]) > 0).int()
# --- end of snippet ---
right = total = 0
with torch.no_grad():
    for line in open(test_path):
        if line.startswith("#") or not line.strip():
            continue
        cols = line.rstrip("\n").split("\t")
        out = decide(cols[0])
        if meta["task"] == "membership":
            ok = int(out[-1][0]) == int(cols[1])
        else:
            ok = all("".join(str(int(b)) for b in row) == t for row, t in zip(out, cols[2].split(",")))
        right += ok; total += 1
ours = right / total
flb = json.load(open(train_json))["result"]["tests"][0]["acc"]
print(f"PyTorch (README snippet) test accuracy {ours:.6f} on {total} strings; flbench {flb:.6f}")
sys.exit(0 if abs(ours - flb) < 0.5 / total else 1)
PY
