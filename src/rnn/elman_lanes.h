// Batch-in-lanes kernels for the float Elman RNN at widths ≤ 32 (≤ 64 on AVX-512): the recurrent products run with the
// vector lanes along the shard's strings (columns), not along the hidden units, so a width-3 net keeps every lane
// busy. (Between 33 and 64 the row-vectorised path fills its 8 lanes too and is as fast on AVX2 — the lanes path pays
// transposes into the column layout the readout's and ∂U's products read — but on AVX-512 the lanes path trains a
// width-64 net 1.8× faster: ensemble_bench, 287 -> 161 ns per symbol.) Each output element is still the
// fixed-order chain of rnn/gemm.h (acc = 0; acc = fma(a_ik, b_kj, acc) over k ascending; then C = acc or C + acc),
// so these kernels give the bits of the row-vectorised path exactly.
// Entry points: UseLanes, LanesPath, UseAvx512, LanesPackSymbols, LanesInputRows, LanesStep, LanesForward, LanesReadout,
// LanesDeltas, LanesToColumns, LanesToColumnsSteps, LanesGatherBySymbol, LanesDeltaH, LanesDeltaHGather2 (used by
// rnn/elman.cc). Tested by tests/rnn_lanes_test.cc (against the scalar path, bit for bit) and the goldens
// (tests/cli_repro_test.cc).
//
// Batch layout: one step of a shard is an m×np block stored row by row, element (i, j) at [i·np + j], where np is
// the shard's n strings rounded up to a multiple of 8 (the padding lanes compute throw-away values from symbol 0).
#pragma once

#include <cstddef>
#include <cstdint>

#include "rnn/activation.h"
#include "rnn/gemm.h"

namespace flbench {

inline constexpr int kLanesMaxWidthAvx2 = 32;  // the widest net the lanes path takes on AVX2
inline constexpr int kLanesMaxWidth = 64;      // … and with the AVX-512 kernels (UseAvx512)

// True when the lanes kernels are built (AVX2 + FMA) and in use: width ≤ kLanesMaxWidthAvx2 (≤ kLanesMaxWidth where
// the AVX-512 kernels run) and the vector kernels not forced off (ForceScalarGemm / FLBENCH_SCALAR_KERNELS; then
// elman.cc takes the scalar path of rnn/gemm.h). Either path gives the same bits.
inline bool UseLanes(int m);

// Which kernels the lanes path runs on this CPU: "avx512" (16 lanes; when the CPU has AVX-512 F/VL/BW/DQ, for the
// shard blocks whose np is a multiple of 16 and for ∂W), "avx2" (8 lanes) or "off" (UseLanes is false). Every choice
// gives the same bits: the same fma chains and the same IEEE operations per element. FLBENCH_NO_AVX512=1 in the
// environment keeps AVX2; ForceAvx2Lanes does the same for tests and benchmarks (not while kernels run).
const char* LanesPath();
void ForceAvx2Lanes(bool avx2);
// True when the AVX-512 kernels are in use (the CPU has them, the vector kernels are not forced off, and neither
// FLBENCH_NO_AVX512 nor ForceAvx2Lanes says no); also chooses the 16-lane loss in elman.cc. Inline flag tests: the
// kernels ask per call.
namespace detail {
extern bool avx512_usable;  // the CPU has AVX-512 F/VL/BW/DQ and neither FLBENCH_NO_AVX512 nor ForceAvx2Lanes says no
}  // namespace detail
inline bool UseAvx512() { return detail::avx512_usable && GemmVectorised(); }
inline bool UseLanes(int m) {
  return GemmVectorised() && (m <= kLanesMaxWidthAvx2 || (m <= kLanesMaxWidth && UseAvx512()));
}

// A shard's symbols into the batch layout: xb[t·np + j] = strings[j][t] for its n strings of T symbols (xb at the
// shard's first lane), and 0 in its padding lanes j = n … ⌈n/8⌉·8 − 1.
void LanesPackSymbols(int T, int n, int np, const uint8_t* const* strings, int32_t* xb);

// For d ≤ 8 symbols: rows[8·i + a] = UB[i, a] (zero past d), m×8 floats, the table LanesStep permutes from.
void LanesInputRows(int m, int d, const float* UB, float* rows);

// One forward step: out[i, j] = act((init[i] + Σ_k W[i,k]·prev[k, j]) + UB[i, x_j]), the sum over k the fixed-order
// chain and act computed as Activate does (rnn/activation.h); prev = nullptr (step 1, h_0 = 0) leaves the pre-
// activation init[i] + UB[i, x_j]. Returns false, leaving the pre-activation for the caller's Activate, for cos
// (which also needs sin z). W is m×m column-major, UB m×d column-major (U + b) with its LanesInputRows table `rows`
// (d ≤ 8), x the np symbols of the step (padding lanes 0), init m values (b_hh, or zeros).
bool LanesStep(int m, int np, int d, Activation act, const float* W, const float* init, const float* UB,
               const float* rows, const int32_t* x, const float* prev, float* out);

// LanesStep for t = 0 … steps−1 from h_0 = 0: step t's symbols at x + t·np, its state h_t at hb + slot·m·np with
// slot = t (every step kept), or t % 2 with ring (only the last two). For cos the pre-activation is activated between
// the steps by Activate, with sin z into sb's slots (sb unused otherwise). Where one ISA takes every lane (np a
// multiple of 16 on AVX-512, or AVX2) and the activation is fused, the loop over the steps runs inside the kernels.
void LanesForward(int m, int np, int d, Activation act, const float* W, const float* init, const float* UB,
                  const float* rows, const int32_t* x, int steps, bool ring, float* hb, float* sb);

// The readout of `steps` steps: y[a, j] = c[a] + Σ_k V[a,k]·h[k, j] for the o outputs (V o×m column-major; step t's h
// an m×np block at h + t·m·np, its y an o×np block at y + t·o·np).
void LanesReadout(int o, int m, int np, const float* V, const float* c, const float* h, float* y, int steps = 1);

// δ_t for t = T … 1 (T = steps, 0-based blocks t = steps−1 … 0 of db, each m×np): out = db's block t gets
// Σ_a V[a,i]·dy[a, j] (dy o×np: dyb + t·o·np with dy_each_step, else dyb at the last step only and 0 elsewhere), then
// out[i, j] + Σ_k W[k,i]·δ_{t+1}[k, j] (Wᵀ δ_{t+1}: block t+1, none at the last step; 0 + it without dy), then
// multiplied by act'(z) as MultiplyByDerivative does from h = act(z) (hb's block t) and, for cos, aux = sin z (sb's
// block t; sb nullptr otherwise). V o×m and W m×m column-major. The loop over the steps runs inside the kernels
// where one ISA takes every lane.
void LanesDeltas(int m, int np, int o, Activation act, const float* W, const float* V, const float* dyb,
                 bool dy_each_step, int steps, const float* hb, const float* sb, float* db);

// The n real columns of an m×np batch-layout block into column-major m×n (column j at c + j·m).
void LanesToColumns(int m, int n, int np, const float* b, float* c);
// LanesToColumns for `steps` blocks one after the other: block t at b + t·m·np, its columns at c + t·n·m.
void LanesToColumnsSteps(int m, int n, int np, int steps, const float* b, float* c);

// dU[:, x] += dz[:, t·n + j] for t = 0 … steps−1 and j = 0 … n−1 in that order, x = symbols[t·ld + j] (dz m×steps·n
// and dU m×d column-major; the symbols of step t a run of n at symbols + t·ld, e.g. a shard's lanes of the batch
// layout), for m ≤ 32 and d ≤ 3 with the sums in registers; returns false (nothing done) otherwise.
bool LanesGatherBySymbol(int m, int d, int steps, int n, const float* dz, const int32_t* symbols, ptrdiff_t ld,
                         float* dU);

// LanesGatherBySymbol for two shards of one pass at once (each its δ block, symbols and dU; dU starting at +0), their
// chains interleaved: the same bits as two calls. Returns false (nothing done) where it does not apply (as above, and
// where two shards' sums would not fit in registers: (m + 7) / 8 · d > 6).
bool LanesGatherBySymbol2(int m, int d, int steps, ptrdiff_t ld, int n0, const float* dz0, const int32_t* symbols0,
                          float* dU0, int n1, const float* dz1, const int32_t* symbols1, float* dU1);

// ∂W += Σ_{t=2..T} δ_t h_{t−1}ᵀ, one fixed-order chain per element over (t, string) in order — Gemm's product over
// dZ's columns n … T·n−1 and H's columns 0 … (T−1)·n−1 — with δ in the column layout (dz, m×T·n) and h read from the
// batch layout (hb, T steps of m×np), so h needs no transpose. dW m×m column-major.
void LanesDeltaH(int m, int n, int np, int steps, const float* dz, const float* hb, float* dW);

// LanesDeltaH for two shards of one pass at once (n0 and n1 strings; each its own δ block, its own lanes of the
// batch layout and its own ∂W), their chains interleaved: the same bits as two LanesDeltaH calls. For m up to one
// vector of rows (8, or 16 on AVX-512); returns false (nothing done) for wider nets.
bool LanesDeltaH2(int m, int np, int steps, int n0, const float* dz0, const float* hb0, float* dW0, int n1,
                  const float* dz1, const float* hb1, float* dW1);

// ∂W += Σ δ hᵀ (LanesDeltaH's chains) and the ∂U sums (LanesGatherBySymbol's, into dU m×d from +0) of two shards in
// one pass over their δ columns, each column loaded once and all four kinds of chains advancing together: the same
// bits as LanesDeltaH2 and LanesGatherBySymbol2. Symbols and h in the batch layout (x and hb at each shard's first
// lane; x's steps ld apart), δ in the column layout. For small nets and alphabets (m ≤ 8 and m + d ≤ 7 on AVX2,
// m + d ≤ 15 on AVX-512, d ≤ 3); returns false (nothing done) elsewhere.
bool LanesDeltaHGather2(int m, int d, int np, int steps, ptrdiff_t ld, int n0, const float* dz0, const float* hb0,
                        const int32_t* x0, float* dW0, float* dU0, int n1, const float* dz1, const float* hb1,
                        const int32_t* x1, float* dW1, float* dU1);

}  // namespace flbench
