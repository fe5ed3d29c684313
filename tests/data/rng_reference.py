#!/usr/bin/python3
# Independent reference for src/util/rng.h, written from the published algorithms (SplitMix64 and xoshiro256**
# by Blackman and Vigna, FNV-1a, Lemire's nearly-divisionless bounded integers, the Marsaglia polar method) with
# Python's unbounded integers masked to 64 bits. It prints the known values pinned by tests/util_rng_test.cc:
#   /usr/bin/python3 tests/data/rng_reference.py
import math

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, state):
        self.state = state & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


def fnv1a(key):
    h = 0xCBF29CE484222325
    for c in key.encode("utf-8"):
        h = ((h ^ c) * 0x100000001B3) & MASK
    return h


def derive_seed(parent, key):
    sm = SplitMix64(parent ^ fnv1a(key))
    sm.next()
    return sm.next()


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Xoshiro256ss:
    def __init__(self, seed):
        sm = SplitMix64(seed)
        self.s = [sm.next() for _ in range(4)]
        self.spare = None

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, n):  # Lemire: high word of x·n, rejecting low words below 2^64 mod n
        m = self.next() * n
        if (m & MASK) < n:
            threshold = (1 << 64) % n
            while (m & MASK) < threshold:
                m = self.next() * n
        return m >> 64

    def uniform(self):
        return (self.next() >> 11) / float(1 << 53)

    def normal(self):
        if self.spare is not None:
            v, self.spare = self.spare, None
            return v
        while True:
            u = 2.0 * self.uniform() - 1.0
            v = 2.0 * self.uniform() - 1.0
            s = u * u + v * v
            if 0.0 < s < 1.0:
                break
        f = math.sqrt(-2.0 * math.log(s) / s)
        self.spare = v * f
        return u * f

    def shuffle(self, v):
        for i in range(len(v), 1, -1):
            j = self.below(i)
            v[i - 1], v[j] = v[j], v[i - 1]


def check_published_vectors():
    # SplitMix64 from state 0 (Vigna's splitmix64.c): first output 0xe220a8397b1dcdaf.
    assert SplitMix64(0).next() == 0xE220A8397B1DCDAF
    # xoshiro256** from state {1, 2, 3, 4}, by hand: rotl(2·5, 7)·9 = 1280·9 = 11520; then s1 becomes 0, so 0.
    r = Xoshiro256ss(0)
    r.s = [1, 2, 3, 4]
    assert r.next() == 11520 and r.next() == 0


if __name__ == "__main__":
    check_published_vectors()
    sm = SplitMix64(0)
    print("SplitMix64(0) x3:", ", ".join("0x%016xULL" % sm.next() for _ in range(3)))
    for seed in (0, 1, 42):
        r = Xoshiro256ss(seed)
        print("Rng(%d).Next() x5:" % seed, ", ".join("0x%016xULL" % r.next() for _ in range(5)))
    for parent, key in ((0, ""), (1, ""), (1, "a"), (1, "lang=tomita1 width=8 seed=0"), (12345, "train"),
                        (0xFFFFFFFFFFFFFFFF, "shard 3/4"), (1, "data/tomita1"), (7, "init"),
                        (7, "batch-order"), (1, "inversion/seed/0"), (3, "sample:parity"), (2, "dataset:d2")):
        print("DeriveSeed(%d, %r) = 0x%016xULL" % (parent, key, derive_seed(parent, key)))
    r = Xoshiro256ss(7)
    print("Rng(7).Below(n) for n = 1, 2, 3, 10, 1000, 2^63+1, 2^64-1:",
          ", ".join("%dULL" % r.below(n) for n in (1, 2, 3, 10, 1000, (1 << 63) + 1, MASK)))
    r = Xoshiro256ss(7)
    calls = 0
    orig = r.next

    def counted():
        global calls
        calls += 1
        return orig()
    r.next = counted
    draws = [r.below((1 << 63) + 1) for _ in range(8)]
    print("Rng(7).Below(2^63+1) x8:", ", ".join("%dULL" % x for x in draws), "using %d draws" % calls)
    r = Xoshiro256ss(7)
    print("Rng(7).Uniform() x3:", ", ".join(float.hex(r.uniform()) for _ in range(3)))
    r = Xoshiro256ss(7)
    print("Rng(7).Normal() x4:", ", ".join(repr(r.normal()) for _ in range(4)))
    r = Xoshiro256ss(7)
    v = list(range(10))
    r.shuffle(v)
    print("Rng(7).Shuffle(0..9):", v)
    # Moments of 100000 normals and uniforms from seed 2024, to pin the figures the test checks.
    r = Xoshiro256ss(2024)
    xs = [r.normal() for _ in range(100000)]
    mean = sum(xs) / len(xs)
    var = sum((x - mean) ** 2 for x in xs) / len(xs)
    print("Rng(2024) 100000 normals: mean %r var %r" % (mean, var))
    r = Xoshiro256ss(2024)
    us = [r.uniform() for _ in range(100000)]
    print("Rng(2024) 100000 uniforms: mean %r min %r max %r" % (sum(us) / len(us), min(us), max(us)))
