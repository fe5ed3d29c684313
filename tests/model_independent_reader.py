#!/usr/bin/env python3
# An independent reader of flbench model files (Python's struct and json only, no flbench code): parses the
# safetensors bytes, runs nn.RNN's documented recurrence h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) and the
# Linear readout in double precision, and checks `flbench predict` decides the same on every string of length 1..8.
# Usage: model_independent_reader.py FLBENCH_BINARY WORK_DIR. Registered in CMakeLists.txt when python3 is found.
import itertools, json, math, os, struct, subprocess, sys

flbench, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)


def load(path):
    b = open(path, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    assert n % 8 == 0, 'header padded to 8 bytes'
    header = json.loads(b[8:8 + n])
    meta = header.pop('__metadata__')
    buf = b[8 + n:]
    tensors = {}
    for name, t in header.items():
        assert t['dtype'] == 'F32'
        s, e = t['data_offsets']
        vals = struct.unpack('<%df' % ((e - s) // 4), buf[s:e])
        shape = t['shape']
        tensors[name] = ([list(vals[i * shape[1]:(i + 1) * shape[1]]) for i in range(shape[0])]
                         if len(shape) == 2 else list(vals))
    return meta, tensors


def check(path):
    meta, T = load(path)
    Wih, Whh, bih, bhh, R, r = (T[k] for k in ['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0',
                                               'rnn.bias_hh_l0', 'readout.weight', 'readout.bias'])
    m, k, alpha = len(Whh), len(r), meta['alphabet']
    act = {'tanh': math.tanh, 'relu': lambda z: max(z, 0.0)}[meta['activation']]

    def decide(s):
        h, rows = [0.0] * m, []
        for c in s:
            x = alpha.index(c)
            h = [act(Wih[i][x] + bih[i] + sum(Whh[i][j] * h[j] for j in range(m)) + bhh[i]) for i in range(m)]
            logits = [sum(R[o][j] * h[j] for j in range(m)) + r[o] for o in range(k)]
            rows.append(''.join('1' if y > 0 else '0' for y in logits))
        return rows

    strings = [''.join(p) for n in range(1, 9) for p in itertools.product(alpha, repeat=n)]
    out = subprocess.run([flbench, 'predict', path] + strings, capture_output=True, text=True, check=True).stdout
    bad = []
    for s, line in zip(strings, out.split('\n')):
        rows, f = decide(s), line.split('\t')
        ok = f[1] == rows[-1] if meta['task'] == 'membership' else (f[2] == ','.join(rows) and f[1] == rows[-1][-1])
        if not ok:
            bad.append((s, line, rows))
    # A logit within float rounding of 0 may legitimately differ; there should be none or almost none.
    print(path, meta['task'], meta['activation'], len(strings), 'strings,', len(bad), 'disagreements', bad[:3])
    return len(bad) <= 2


ok = True
for task, act in [('membership', 'relu'), ('next-symbol', 'tanh')]:
    path = os.path.join(work, '%s-%s.safetensors' % (task, act))
    subprocess.run([flbench, 'train', 'tomita3', '--task', task, '--act', act, '--width', '8', '--train', '300',
                    '--test', '20', '--max-len', '12', '--epochs', '3', '--patience', '0', '--quiet', '--save', path],
                   check=True, stdout=subprocess.DEVNULL)
    ok = check(path) and ok
sys.exit(0 if ok else 1)
