#!/usr/bin/python3
"""Reference PyTorch training of flbench's model, for the golden trajectories in tests/data/pytorch/.

Trains torch.nn.RNN(d, m, nonlinearity=relu|tanh, batch_first=True) followed by torch.nn.Linear(m, k) in float32 on
one thread, on a dataset directory written by `flbench dataset --out DIR` (README "Dataset files"), exactly as a
PyTorch user would, and writes the weights and the loss of every batch. Needs only torch (Debian python3-torch, run
with /usr/bin/python3). Usage:

  pytorch_reference.py --data DIR --act relu|tanh --width M [--optimizer rmsprop|sgd|adam] [--lr 0.01]
      [--alpha 0.99] [--eps 1e-8] [--momentum 0] [--beta1 0.9] [--beta2 0.999] [--batch 32] [--epochs 1]
      (--init FILE.safetensors | --init-seed S [--save-init FILE.safetensors])
      [--out FILE.safetensors] [--json FILE.json] [--reverse-batch] [--float64]
  pytorch_reference.py --diff A.safetensors B.safetensors     max abs / rel weight difference, as JSON

Model (names as in the safetensors files): inputs one-hot (symbol i = the i-th alphabet character), h_0 = 0,
h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) with rnn.weight_ih_l0 [m,d], rnn.weight_hh_l0 [m,m],
rnn.bias_ih_l0 [m], rnn.bias_hh_l0 [m]; logits = readout.weight [k,m] h + readout.bias [k].
- membership: k = 1, the logit after the last symbol, BCEWithLogitsLoss (mean over the n strings) against the label;
- next-symbol: k = |alphabet| + 1 logits after every symbol (alphabet order, then end of string), BCEWithLogitsLoss
  (mean over all n*T*k outputs of the batch) against the target bits T1..Tn of the TSV's third column.
Batches in file order (flbench's `--shuffle off`): consecutive training strings of one length, at most --batch per
batch, a new batch whenever the length changes or the batch is full; every epoch the same batches. Each batch:
zero_grad, forward, loss, backward, optimizer.step() with torch.optim.RMSprop(lr, alpha, eps, momentum=0,
centered=False), torch.optim.SGD(lr, momentum) or torch.optim.Adam(lr, (beta1, beta2), eps).
Initial weights: --init loads them; --init-seed S draws PyTorch's default initialisation (torch.manual_seed(S), then
nn.RNN is constructed, then nn.Linear: every tensor U(-1/sqrt(m), 1/sqrt(m))) and --save-init writes it.
--out writes the weights after --epochs; --json writes the configuration, the batches ([first data line, size,
length], data lines counted from 0 after the header) and per epoch the loss of every batch (torch's float32 value)
and the epoch loss (the mean BCE over all outputs of the epoch: batch losses weighted by their n*T*k outputs).
Noise-floor variants (for the tolerance in tests/data/pytorch/README.md): --reverse-batch feeds every batch's strings
in reverse order (the same mean loss and gradient, summed in another order); --float64 trains in float64 (weights are
written rounded to float32).

safetensors files are written and read here with struct + json: an 8-byte little-endian header length, a JSON header
{name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {str: str}} padded with spaces
to a multiple of 8 bytes, then the raw little-endian float32 data, row-major, tensors contiguous in header order.
"""
import argparse
import json
import math
import struct
import sys

import torch

NAMES = ["rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0", "readout.weight", "readout.bias"]


def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, float tensor), written as F32 in this order; metadata: str -> str."""
    header, chunks, offset = {}, [], 0
    for name, t in tensors:
        values = t.detach().to(torch.float32).contiguous().reshape(-1).tolist()
        data = struct.pack(f"<{len(values)}f", *values)
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the tensors' buffer starts 8-byte aligned, as the library writes it
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def read_safetensors(path):
    """Returns ({name: float32 tensor}, metadata); checks what it relies on (F32, sizes, offsets inside the file)."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        sys.exit(f"{path}: not a safetensors file (shorter than 8 bytes)")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > len(blob) - 8:
        sys.exit(f"{path}: header length {n} runs past the end of the file ({len(blob)} bytes)")
    if blob[8:9] != b"{":
        sys.exit(f"{path}: the header does not start with '{{'")
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    metadata = header.pop("__metadata__", {})
    # As the library: the tensors tile the data buffer exactly, no holes, no overlaps.
    end = 0
    for name, info in sorted(header.items(), key=lambda item: item[1]["data_offsets"]):
        if info["data_offsets"][0] != end:
            sys.exit(f"{path}: tensor {name} starts at {info['data_offsets'][0]}, want {end} (hole or overlap)")
        end = info["data_offsets"][1]
    if end != len(data):
        sys.exit(f"{path}: the tensors cover {end} of {len(data)} data bytes")
    tensors = {}
    for name, info in header.items():
        if info.get("dtype") != "F32":
            sys.exit(f"{path}: tensor {name} has dtype {info.get('dtype')}; this reader takes F32 only")
        shape, (b, e) = info["shape"], info["data_offsets"]
        count = math.prod(shape)
        if not (0 <= b <= e <= len(data)) or e - b != 4 * count:
            sys.exit(f"{path}: tensor {name} offsets {b}..{e} do not fit shape {shape} in {len(data)} data bytes")
        tensors[name] = torch.tensor(struct.unpack(f"<{count}f", data[b:e]), dtype=torch.float32).reshape(shape)
    return tensors, metadata


def read_split(path):
    """The header fields and the rows (tab-split) of one TSV written by `flbench dataset`."""
    header, rows = None, []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                header = dict(kv.split("=", 1) for kv in line[1:].split() if "=" in kv)
            elif line:
                rows.append(line.split("\t"))
    if header is None:
        sys.exit(f"{path}: no '# language=… alphabet=… task=…' header line")
    return header, rows


def file_order_batches(rows, batch):
    """[first row, size, length]: consecutive rows of one length, at most `batch` per batch."""
    out = []
    for i, r in enumerate(rows):
        if out and len(r[0]) == out[-1][2] and out[-1][1] < batch and out[-1][0] + out[-1][1] == i:
            out[-1][1] += 1
        else:
            out.append([i, 1, len(r[0])])
    return out


class Net(torch.nn.Module):
    def __init__(self, d, m, k, act, task):
        super().__init__()
        self.rnn = torch.nn.RNN(d, m, nonlinearity=act, batch_first=True)  # constructed first: its draws come first
        self.readout = torch.nn.Linear(m, k)
        self.task = task

    def forward(self, x):  # x (n, T, d) -> logits (n, k) or (n, T, k)
        h, _ = self.rnn(x)
        return self.readout(h[:, -1, :] if self.task == "membership" else h)


def diff(a_path, b_path):
    a, _ = read_safetensors(a_path)
    b, _ = read_safetensors(b_path)
    if sorted(a) != sorted(b):
        sys.exit(f"--diff: tensor names differ: {sorted(a)} vs {sorted(b)}")
    out = {"max_abs": 0.0, "max_rel": 0.0, "max_abs_weight": 0.0, "per_tensor": {}}
    for name in NAMES:
        x, y = a[name].double(), b[name].double()
        d = (x - y).abs()
        scale = torch.maximum(x.abs(), y.abs())
        rel = torch.where(scale > 0, d / scale.clamp_min(1e-300), torch.zeros_like(d))
        row = {"max_abs": d.max().item(), "max_rel": rel.max().item(), "max_abs_weight": scale.max().item()}
        out["per_tensor"][name] = row
        for key in ("max_abs", "max_rel", "max_abs_weight"):
            out[key] = max(out[key], row[key])
    print(json.dumps(out, indent=1))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--diff", nargs=2, metavar=("A", "B"))
    p.add_argument("--data")
    p.add_argument("--act", choices=["relu", "tanh"])
    p.add_argument("--width", type=int)
    p.add_argument("--optimizer", choices=["rmsprop", "sgd", "adam"], default="rmsprop")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--alpha", type=float, default=0.99)
    p.add_argument("--eps", type=float, default=1e-8)
    p.add_argument("--momentum", type=float, default=0.0)
    p.add_argument("--beta1", type=float, default=0.9)
    p.add_argument("--beta2", type=float, default=0.999)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--init")
    p.add_argument("--init-seed", type=int)
    p.add_argument("--save-init")
    p.add_argument("--out")
    p.add_argument("--json")
    p.add_argument("--reverse-batch", action="store_true")
    p.add_argument("--float64", action="store_true")
    args = p.parse_args()
    if args.diff:
        return diff(*args.diff)
    if not args.data or not args.act or not args.width:
        p.error("--data, --act and --width are required")
    if (args.init is None) == (args.init_seed is None):
        p.error("give exactly one of --init FILE and --init-seed S")
    if args.save_init and args.init_seed is None:
        p.error("--save-init needs --init-seed")
    torch.set_num_threads(1)

    header, rows = read_split(f"{args.data}/train.tsv")
    alphabet, task = header["alphabet"], header["task"]
    d, m = len(alphabet), args.width
    k = 1 if task == "membership" else d + 1
    dtype = torch.float64 if args.float64 else torch.float32

    if args.init_seed is not None:
        torch.manual_seed(args.init_seed)
        net = Net(d, m, k, args.act, task)
    else:
        net = Net(d, m, k, args.act, task)
        weights, _ = read_safetensors(args.init)
        state = net.state_dict()
        for name in NAMES:
            if name not in weights or list(weights[name].shape) != list(state[name].shape):
                got = list(weights[name].shape) if name in weights else "missing"
                sys.exit(f"{args.init}: tensor {name} is {got}, want {list(state[name].shape)}")
        net.load_state_dict({name: weights[name] for name in NAMES})
    state = net.state_dict()
    meta = {"language": header.get("language", "?"), "task": task, "act": args.act, "width": m,
            "torch": torch.__version__}
    if args.save_init:
        write_safetensors(args.save_init, [(name, state[name]) for name in NAMES], meta)
    net = net.to(dtype)

    def encode(r):
        x = torch.nn.functional.one_hot(torch.tensor([alphabet.index(c) for c in r[0]]), d).to(dtype)
        if task == "membership":
            y = torch.tensor([float(r[1])], dtype=dtype)
        else:
            y = torch.tensor([[float(ch) for ch in step] for step in r[2].split(",")], dtype=dtype)
        return x, y

    examples = [encode(r) for r in rows]
    batches = file_order_batches(rows, args.batch)
    params = list(net.parameters())
    if args.optimizer == "rmsprop":
        opt = torch.optim.RMSprop(params, lr=args.lr, alpha=args.alpha, eps=args.eps, momentum=0, centered=False)
    elif args.optimizer == "sgd":
        opt = torch.optim.SGD(params, lr=args.lr, momentum=args.momentum)
    else:
        opt = torch.optim.Adam(params, lr=args.lr, betas=(args.beta1, args.beta2), eps=args.eps)
    bce = torch.nn.BCEWithLogitsLoss()

    losses, epoch_losses = [], []
    for _ in range(args.epochs):
        epoch, weighted, outputs = [], 0.0, 0
        for first, size, _length in batches:
            chosen = examples[first:first + size]
            if args.reverse_batch:
                chosen = chosen[::-1]
            xb = torch.stack([x for x, _ in chosen])
            yb = torch.stack([y for _, y in chosen])
            opt.zero_grad()
            loss = bce(net(xb), yb)
            loss.backward()
            opt.step()
            value = float(loss.item())
            epoch.append(value)
            weighted += value * yb.numel()
            outputs += yb.numel()
        losses.append(epoch)
        epoch_losses.append(weighted / outputs)

    if args.out:
        state = net.state_dict()
        write_safetensors(args.out, [(name, state[name]) for name in NAMES], {**meta, "epochs": args.epochs})
    if args.json:
        config = {"language": header.get("language", "?"), "task": task, "act": args.act, "width": m,
                  "optimizer": args.optimizer, "lr": args.lr, "batch": args.batch, "epochs": args.epochs,
                  "init": f"torch.manual_seed({args.init_seed})" if args.init is None else args.init}
        if args.optimizer == "rmsprop":
            config.update(alpha=args.alpha, eps=args.eps, momentum=0.0, centered=False)
        elif args.optimizer == "sgd":
            config.update(momentum=args.momentum)
        else:
            config.update(beta1=args.beta1, beta2=args.beta2, eps=args.eps)
        out = {"config": config, "torch": torch.__version__, "train_strings": len(rows), "batches": batches,
               "batch_losses": losses, "epoch_loss": epoch_losses}
        with open(args.json, "w") as f:  # one line per key, per batch and per epoch's losses
            f.write("{\n")
            for i, (key, value) in enumerate(out.items()):
                if key in ("batches", "batch_losses"):
                    text = "[\n  " + ",\n  ".join(json.dumps(v, separators=(",", ":")) for v in value) + "\n ]"
                else:
                    text = json.dumps(value, separators=(",", ": ") if key == "config" else (",", ":"))
                f.write(f' "{key}": {text}' + (",\n" if i + 1 < len(out) else "\n"))
            f.write("}\n")


if __name__ == "__main__":
    main()
