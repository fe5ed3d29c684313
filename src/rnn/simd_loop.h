// Loops over [0, n) written so that GCC vectorises them at -O2: ForEachIndex, and the small kernels AddTo and
// AddToBoth built on it. GCC 12's -O2 cost model ("very cheap") only vectorises loops whose trip count is a known
// multiple of the vector length and whose arrays cannot overlap, so the body runs in fixed blocks of 16 (then a
// scalar tail) and callers pass __restrict pointers. A function holding such a loop must not be inlined into its
// caller: inlining drops the __restrict promise and the loop goes scalar (seen in perf), hence [[gnu::noinline]].
// Used by the elementwise loops of src/rnn/.
#pragma once

#include <cstddef>

namespace flbench {

template <typename Body>
inline void ForEachIndex(size_t n, const Body& body) {
  constexpr size_t kBlock = 16;
  size_t i = 0;
  for (; i + kBlock <= n; i += kBlock)
    for (size_t k = 0; k < kBlock; ++k) body(i + k);
  for (; i < n; ++i) body(i);
}

// y[0..n) += x[0..n); the arrays must not overlap.
template <typename Real>
[[gnu::noinline]] void AddTo(Real* __restrict y, const Real* __restrict x, size_t n) {
  ForEachIndex(n, [&](size_t i) { y[i] += x[i]; });
}

// y[0..n) += x[0..n) and z[0..n) += x[0..n); no two arrays may overlap.
template <typename Real>
[[gnu::noinline]] void AddToBoth(Real* __restrict y, Real* __restrict z, const Real* __restrict x, size_t n) {
  ForEachIndex(n, [&](size_t i) {
    y[i] += x[i];
    z[i] += x[i];
  });
}

}  // namespace flbench
