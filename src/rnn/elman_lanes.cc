// The batch-in-lanes kernels (see elman_lanes.h). The products and their epilogues (elman_lanes_kernels.inc: register
// tiles of R rows × NB lane blocks, each accumulator one fixed-order fma chain over k, finished by an epilogue that adds
// the bias, the input part or the previous value in the order the scalar path does) are built for AVX2 and for
// AVX-512 and chosen per call (same bits); the layout conversions below are AVX2 only.
#include "rnn/elman_lanes.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <type_traits>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

#include "rnn/fast_math.h"
#include "rnn/gemm.h"
#include "rnn/simd.h"

namespace flbench {

#if defined(__AVX2__) && defined(__FMA__)

namespace {

// one(q) left[q] times for each of S (1 or 2) independent streams q, q a std::integral_constant: two streams'
// steps alternate while both have steps left, then the longer one's rest runs alone. Each stream's steps stay in
// order; interleaving them gives chains that wait on their own latency independent work (∂W's and ∂U's two shards).
template <int S, typename One>
[[gnu::always_inline]] inline void Interleave(const long* left, const One& one) {
  if constexpr (S == 2) {
    const long both = std::min(left[0], left[1]);
    for (long k = 0; k < both; ++k) {
      one(std::integral_constant<int, 0>{});
      one(std::integral_constant<int, 1>{});
    }
    for (long k = both; k < left[1]; ++k) one(std::integral_constant<int, 1>{});
    for (long k = both; k < left[0]; ++k) one(std::integral_constant<int, 0>{});
  } else {
    for (long k = 0; k < left[0]; ++k) one(std::integral_constant<int, 0>{});
  }
}

namespace avx2 {
using Isa = simd::Avx2;
#include "rnn/elman_lanes_kernels.inc"
}  // namespace avx2

// AVX-512 (F, VL, BW, DQ), used when the CPU has it: 16 lanes and 32 registers, the same chains and operations.
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512bw,avx512dq")
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_ps() to their builtins: false "(may be) used uninitialized".
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
namespace avx512 {
using Isa = simd::Avx512;
#include "rnn/elman_lanes_kernels.inc"

// The first two rounds of transposing R row vectors (R = 8 or 16; 16 lanes each): afterwards t[4g + k] holds, in
// each 128-bit lane L, rows 4g … 4g+3 of column 4L + k.
template <int R>
[[gnu::always_inline]] inline void RowsToQuads(const __m512* r, __m512* t) {
  __m512 a[R];
#pragma GCC unroll 8
  for (int i = 0; i < R / 2; ++i) {
    a[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    a[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
#pragma GCC unroll 4
  for (int g = 0; g < R / 4; ++g) {
    t[4 * g + 0] = _mm512_shuffle_ps(a[4 * g], a[4 * g + 2], 0x44);
    t[4 * g + 1] = _mm512_shuffle_ps(a[4 * g], a[4 * g + 2], 0xEE);
    t[4 * g + 2] = _mm512_shuffle_ps(a[4 * g + 1], a[4 * g + 3], 0x44);
    t[4 * g + 3] = _mm512_shuffle_ps(a[4 * g + 1], a[4 * g + 3], 0xEE);
  }
}

// LanesToColumns for m = 16·kRowBlocks rows, 16 strings at a time (16×16 blocks transposed in zmm registers: 64
// shuffles per 256 floats, against 96 for four 8×8 blocks in ymm), for the columns whose 16 lanes lie within the first
// `lanes` of the block; each column stored as kRowBlocks runs of 16 floats, columns past n not at all. Returns the
// columns it covered (a multiple of 16).
template <int kRowBlocks>
int ToColumns16(int m, int n, int np, int lanes, const float* b, float* c) {
  int j0 = 0;
  for (; j0 + 16 <= lanes && j0 < n; j0 += 16) {
    const int cols = std::min(16, n - j0);
    for (int ib = 0; ib < kRowBlocks; ++ib) {
      __m512 r[16], t[16];
#pragma GCC unroll 16
      for (int k = 0; k < 16; ++k) r[k] = _mm512_loadu_ps(b + size_t(16 * ib + k) * np + j0);
      RowsToQuads<16>(r, t);
      // Column 4L + k: lane L of t[k], t[4 + k], t[8 + k], t[12 + k].
#pragma GCC unroll 4
      for (int k = 0; k < 4; ++k) {
        const __m512 x0 = _mm512_shuffle_f32x4(t[k], t[4 + k], 0x44), x1 = _mm512_shuffle_f32x4(t[k], t[4 + k], 0xEE);
        const __m512 x2 = _mm512_shuffle_f32x4(t[8 + k], t[12 + k], 0x44);
        const __m512 x3 = _mm512_shuffle_f32x4(t[8 + k], t[12 + k], 0xEE);
        r[k] = _mm512_shuffle_f32x4(x0, x2, 0x88);
        r[4 + k] = _mm512_shuffle_f32x4(x0, x2, 0xDD);
        r[8 + k] = _mm512_shuffle_f32x4(x1, x3, 0x88);
        r[12 + k] = _mm512_shuffle_f32x4(x1, x3, 0xDD);
      }
#pragma GCC unroll 16
      for (int k = 0; k < 16; ++k)
        if (k < cols) _mm512_storeu_ps(c + size_t(j0 + k) * m + 16 * ib, r[k]);
    }
  }
  return j0;
}

inline __m512 Column8(const float* a) { return _mm512_broadcast_f32x8(_mm256_loadu_ps(a)); }  // in both halves

// DeltaHGather2 for m = 8 and two shards of equal size with two ∂W columns per register: lanes 0–7 hold column c's
// rows, lanes 8–15 column c + 1's, each δ column loaded into both halves. The FMAs of ∂W halve (one register per two
// columns instead of one half-empty register per column: at width 8 they were a sixth of the time); each lane is
// still its element's own chain in the same order, so the bits are DeltaHGather2's. ∂U's sums run in both halves
// alike (the same adds), the lower half stored.
template <int D>
void DeltaHGather8Pairs(int np, int steps, const DeltaHGatherStream* st) {
  constexpr int m = 8;
  const int n = st[0].n;
  __m512 w[2][4], u[2][D];
#pragma GCC unroll 2
  for (int q = 0; q < 2; ++q) {
#pragma GCC unroll 4
    for (int v = 0; v < 4; ++v) w[q][v] = _mm512_setzero_ps();
#pragma GCC unroll 4
    for (int a = 0; a < D; ++a) u[q][a] = _mm512_broadcast_f32x8(_mm256_loadu_ps(st[q].dU + size_t(a) * m));
  }
  auto gather = [&](int q, const int32_t* x, __m512 g) {
#pragma GCC unroll 4
    for (int a = 0; a < D; ++a) u[q][a] = Isa::AddWhere(u[q][a], Isa::SymbolIs(x, a), g);
  };
  const float* a0 = st[0].dz;
  const float* a1 = st[1].dz;
  for (int j = 0; j < n; ++j) {  // step 1: ∂U only
    gather(0, st[0].x + j, Column8(a0 + size_t(j) * m));
    gather(1, st[1].x + j, Column8(a1 + size_t(j) * m));
  }
  for (int t = 1; t < steps; ++t) {
    a0 += size_t(n) * m;
    a1 += size_t(n) * m;
    const float* h0 = st[0].hb + size_t(t - 1) * m * np;
    const float* h1 = st[1].hb + size_t(t - 1) * m * np;
    const int32_t* x0 = st[0].x + t * st[0].ld;
    const int32_t* x1 = st[1].x + t * st[1].ld;
    for (int j = 0; j < n; ++j) {
      const __m512 g0 = Column8(a0 + size_t(j) * m), g1 = Column8(a1 + size_t(j) * m);
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v) {  // columns 2v and 2v + 1: h_{t−1}[2v, j] in lanes 0–7, h_{t−1}[2v + 1, j] in 8–15
        const __m512 b0 = _mm512_mask_mov_ps(_mm512_set1_ps(h0[size_t(2 * v) * np + j]), __mmask16(0xFF00),
                                             _mm512_set1_ps(h0[size_t(2 * v + 1) * np + j]));
        const __m512 b1 = _mm512_mask_mov_ps(_mm512_set1_ps(h1[size_t(2 * v) * np + j]), __mmask16(0xFF00),
                                             _mm512_set1_ps(h1[size_t(2 * v + 1) * np + j]));
        w[0][v] = _mm512_fmadd_ps(g0, b0, w[0][v]);
        w[1][v] = _mm512_fmadd_ps(g1, b1, w[1][v]);
      }
      gather(0, x0 + j, g0);
      gather(1, x1 + j, g1);
    }
  }
#pragma GCC unroll 2
  for (int q = 0; q < 2; ++q) {
#pragma GCC unroll 4
    for (int v = 0; v < 4; ++v) {  // ∂W's columns 2v and 2v + 1: 16 floats in a row
      float* out = st[q].dW + size_t(16) * v;
      _mm512_storeu_ps(out, _mm512_add_ps(_mm512_loadu_ps(out), w[q][v]));  // Gemm's C + acc
    }
#pragma GCC unroll 4
    for (int a = 0; a < D; ++a) _mm256_storeu_ps(st[q].dU + size_t(a) * m, _mm512_castps512_ps256(u[q][a]));
  }
}

// LanesPackSymbols on AVX-512: 16 strings × 16 steps at a time, each string's 16 bytes loaded at once (masked at the
// string's end), transposed in registers (four rounds of byte, word, dword and qword unpacks), each step's 16 bytes
// widened to int32 and stored under the shard's lane mask. ≈ 0.5 instructions per symbol, against ≈ 5 for a byte
// at a time with strided stores.
void PackSymbols16(int T, int n, int lanes, int np, const uint8_t* const* strings, int32_t* xb) {
  for (int g0 = 0; g0 < lanes; g0 += 16) {
    const int rows = std::min(16, n - g0), width = std::min(16, lanes - g0);
    const __mmask16 store = width >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << width) - 1);
    for (int t0 = 0; t0 < T; t0 += 16) {
      const int tl = std::min(16, T - t0);
      const __mmask16 load = tl >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << tl) - 1);
      __m128i r[16];
#pragma GCC unroll 16
      for (int j = 0; j < 16; ++j) r[j] = j < rows ? _mm_maskz_loadu_epi8(load, strings[g0 + j] + t0) : _mm_setzero_si128();
      __m128i a[16], b[16];
#pragma GCC unroll 8
      for (int j = 0; j < 8; ++j) {  // bytes of strings 2j, 2j+1 interleaved
        a[2 * j] = _mm_unpacklo_epi8(r[2 * j], r[2 * j + 1]);
        a[2 * j + 1] = _mm_unpackhi_epi8(r[2 * j], r[2 * j + 1]);
      }
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) {  // words: strings 4j … 4j+3
        b[4 * j] = _mm_unpacklo_epi16(a[4 * j], a[4 * j + 2]);
        b[4 * j + 1] = _mm_unpackhi_epi16(a[4 * j], a[4 * j + 2]);
        b[4 * j + 2] = _mm_unpacklo_epi16(a[4 * j + 1], a[4 * j + 3]);
        b[4 * j + 3] = _mm_unpackhi_epi16(a[4 * j + 1], a[4 * j + 3]);
      }
      // b[4j + k] holds steps 4k … 4k+3 of strings 4j … 4j+3 (4 bytes per step).
#pragma GCC unroll 4
      for (int k = 0; k < 4; ++k) {
        const __m128i c0 = _mm_unpacklo_epi32(b[k], b[4 + k]), c1 = _mm_unpackhi_epi32(b[k], b[4 + k]);
        const __m128i c2 = _mm_unpacklo_epi32(b[8 + k], b[12 + k]), c3 = _mm_unpackhi_epi32(b[8 + k], b[12 + k]);
        const __m128i step[4] = {_mm_unpacklo_epi64(c0, c2), _mm_unpackhi_epi64(c0, c2), _mm_unpacklo_epi64(c1, c3),
                                 _mm_unpackhi_epi64(c1, c3)};  // steps 4k … 4k+3, strings 0 … 15 each
#pragma GCC unroll 4
        for (int e = 0; e < 4; ++e) {
          const int t = 4 * k + e;
          if (t < tl) _mm512_mask_storeu_epi32(xb + size_t(t0 + t) * np + g0, store, _mm512_cvtepu8_epi32(step[e]));
        }
      }
    }
  }
}

// LanesToColumns for M ≤ 4 rows, 16 strings at a time, for `steps` blocks (block t at b + t·M·np, its columns at
// c + t·n·M): the M row vectors of 16 lanes permuted straight into the M vectors of the 16 columns' M·16 floats
// (output float f is row f % M of column f / M: two-source permutes of rows 0–1 and 2–3, blended), each stored under
// a mask that ends at column n. 2M permutes per 16 columns, against 48 shuffles of two 8×8 transposes. Data movement
// only: no bit changes.
template <int M>
struct SmallColumnsIndex {
  int32_t lo[M][16] = {}, hi[M][16] = {};  // permute indices into rows 0–1 and 2–3 (lane + 16·(row − first row))
  uint16_t upper[M] = {};                  // the floats taken from rows 2–3
  constexpr SmallColumnsIndex() {
    for (int v = 0; v < M; ++v)
      for (int e = 0; e < 16; ++e) {
        const int f = 16 * v + e, i = f % M, j = f / M;
        lo[v][e] = i < 2 ? j + 16 * i : 0;
        hi[v][e] = i >= 2 ? j + 16 * (i - 2) : 0;
        if (i >= 2) upper[v] = uint16_t(upper[v] | (1u << e));
      }
  }
};

template <int M>
void ToColumnsSmall(int n, int np, int steps, const float* b, float* c) {
  static constexpr SmallColumnsIndex<M> kIndex{};
  __m512i lo[M], hi[M];
#pragma GCC unroll 4
  for (int v = 0; v < M; ++v) {
    lo[v] = _mm512_loadu_si512(kIndex.lo[v]);
    hi[v] = _mm512_loadu_si512(kIndex.hi[v]);
  }
  for (int t = 0; t < steps; ++t, b += size_t(M) * np, c += size_t(n) * M)
    for (int j0 = 0; j0 < n; j0 += 16) {
      const int cols = std::min(16, n - j0);
      const __mmask16 lanes = __mmask16((1u << cols) - 1);
      __m512 r[4];
#pragma GCC unroll 4
      for (int i = 0; i < 4; ++i)
        r[i] = i < M ? _mm512_maskz_loadu_ps(lanes, b + size_t(i) * np + j0) : _mm512_setzero_ps();
      const int floats = cols * M;
#pragma GCC unroll 4
      for (int v = 0; v < M; ++v) {
        __m512 x = _mm512_permutex2var_ps(r[0], lo[v], r[1]);
        if (kIndex.upper[v] != 0)
          x = _mm512_mask_blend_ps(kIndex.upper[v], x, _mm512_permutex2var_ps(r[2], hi[v], r[3]));
        const int left = floats - 16 * v;
        if (left <= 0) break;
        _mm512_mask_storeu_ps(c + size_t(j0) * M + 16 * v, left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1), x);
      }
    }
}

// LanesToColumns for m = 8 rows, 16 strings at a time, for `steps` blocks as ToColumnsSmall: an 8×16 transpose in zmm registers (32 shuffles per 16
// columns, against 48 for two 8×8 transposes in ymm), each output vector two whole columns, stored under a mask
// that ends at column n. Data movement only: no bit changes.
void ToColumns8(int n, int np, int steps, const float* b, float* c) {
  for (int t = 0; t < steps; ++t, b += size_t(8) * np, c += size_t(n) * 8)
  for (int j0 = 0; j0 < n; j0 += 16) {
    const int cols = std::min(16, n - j0);
    const __mmask16 lanes = __mmask16((1u << cols) - 1);
    __m512 r[8], t[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) r[i] = _mm512_maskz_loadu_ps(lanes, b + size_t(i) * np + j0);
    RowsToQuads<8>(r, t);
    // Output 2L + k/2 (k = 0, 2): columns 4L + k and 4L + k + 1, i.e. lane L of t[k], t[4 + k], t[k + 1], t[5 + k].
#pragma GCC unroll 2
    for (int k = 0; k < 4; k += 2) {
      const __m512 p0 = _mm512_shuffle_f32x4(t[k], t[4 + k], 0x44), q0 = _mm512_shuffle_f32x4(t[k], t[4 + k], 0xEE);
      const __m512 p1 = _mm512_shuffle_f32x4(t[k + 1], t[5 + k], 0x44);
      const __m512 q1 = _mm512_shuffle_f32x4(t[k + 1], t[5 + k], 0xEE);
      const __m512 out[4] = {_mm512_shuffle_f32x4(p0, p1, 0x88), _mm512_shuffle_f32x4(p0, p1, 0xDD),
                             _mm512_shuffle_f32x4(q0, q1, 0x88), _mm512_shuffle_f32x4(q0, q1, 0xDD)};
#pragma GCC unroll 4
      for (int L = 0; L < 4; ++L) {
        const int col = 4 * L + k;  // the output's first column
        if (col >= cols) continue;
        _mm512_mask_storeu_ps(c + size_t(j0 + col) * 8, col + 1 < cols ? __mmask16(0xFFFF) : __mmask16(0x00FF), out[L]);
      }
    }
  }
}

}  // namespace avx512
#pragma GCC diagnostic pop
#pragma GCC pop_options

bool CpuHasAvx512() {
  __builtin_cpu_init();  // (called from a static initialiser: detail::avx512_usable)
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                          __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
  return has;
}

}  // namespace

// AVX-512 is used when the CPU has F, VL, BW and DQ, unless FLBENCH_NO_AVX512=1 (or ForceAvx2Lanes) says not to.
bool detail::avx512_usable = [] {
  const char* v = std::getenv("FLBENCH_NO_AVX512");
  return !(v != nullptr && *v != '\0' && *v != '0') && CpuHasAvx512();
}();

const char* LanesPath() {
  if (!GemmVectorised()) return "off";
  return UseAvx512() ? "avx512" : "avx2";
}

void ForceAvx2Lanes(bool avx2) { detail::avx512_usable = !avx2 && CpuHasAvx512(); }

void LanesInputRows(int m, int d, const float* UB, float* rows) {
  if (d > 8) return;
  for (int i = 0; i < m; ++i)
    for (int a = 0; a < 8; ++a) rows[8 * i + a] = a < d ? UB[i + size_t(a) * m] : 0.0f;
}

// The AVX-512 kernels take the lanes up to the last multiple of 16, the AVX2 ones the 8 after them (np is a multiple
// of 8); lanes are independent, so the split changes no bits.
namespace {
int Lanes512(int np) { return UseAvx512() ? np / 16 * 16 : 0; }
}  // namespace

bool LanesStep(int m, int np, int d, Activation act, const float* W, const float* init, const float* UB,
               const float* rows, const int32_t* x, const float* prev, float* out) {
  const int l = Lanes512(np);
  bool fused = true;
  if (l > 0) fused = avx512::StepAny(m, np, l, d, act, W, init, UB, rows, x, prev, out);
  if (l < np) fused = avx2::StepAny(m, np, np - l, d, act, W, init, UB, rows, x + l, prev ? prev + l : nullptr, out + l);
  return fused;
}

void LanesForward(int m, int np, int d, Activation act, const float* W, const float* init, const float* UB,
                  const float* rows, const int32_t* x, int steps, bool ring, float* hb, float* sb) {
  const int l = Lanes512(np);
  if (l == np && avx512::StepsAny(m, np, np, d, act, W, init, UB, rows, x, steps, ring, hb)) return;
  if (l == 0 && avx2::StepsAny(m, np, np, d, act, W, init, UB, rows, x, steps, ring, hb)) return;
  // Lanes split between the two ISAs, or cos: step by step.
  const size_t step = size_t(m) * np;
  for (int t = 0; t < steps; ++t) {
    const size_t slot = ring ? t % 2 : t, before = ring ? (t + 1) % 2 : t - 1;
    float* out = hb + slot * step;
    if (!LanesStep(m, np, d, act, W, init, UB, rows, x + size_t(t) * np, t == 0 ? nullptr : hb + before * step, out))
      Activate(act, out, sb + slot * step, step);  // cos: with sin z
  }
}

void LanesDeltas(int m, int np, int o, Activation act, const float* W, const float* V, const float* dyb,
                 bool dy_each_step, int steps, const float* hb, const float* sb, float* db) {
  const int l = Lanes512(np);
  if (l == np) return avx512::Deltas(m, np, np, act, W, V, o, dyb, dy_each_step, steps, hb, sb, db);
  if (l == 0) return avx2::Deltas(m, np, np, act, W, V, o, dyb, dy_each_step, steps, hb, sb, db);
  // Lanes split between the two ISAs: step by step, each ISA its lanes.
  const size_t step = size_t(m) * np;
  for (int t = steps - 1; t >= 0; --t) {
    const float* dy = dy_each_step ? dyb + size_t(t) * o * np : t == steps - 1 ? dyb : nullptr;
    const float* next = t < steps - 1 ? db + size_t(t + 1) * step : nullptr;
    const float* h = hb + size_t(t) * step;
    const float* aux = sb != nullptr ? sb + size_t(t) * step : nullptr;
    float* out = db + size_t(t) * step;
    avx512::Delta(m, np, l, act, W, V, o, dy, next, h, aux, out);
    avx2::Delta(m, np, np - l, act, W, V, o, dy ? dy + l : nullptr, next ? next + l : nullptr, h + l,
                aux ? aux + l : nullptr, out + l);
  }
}

void LanesPackSymbols(int T, int n, int np, const uint8_t* const* strings, int32_t* xb) {
  const int lanes = (n + 7) / 8 * 8;
  if (UseAvx512()) return avx512::PackSymbols16(T, n, lanes, np, strings, xb);
  for (int t = 0; t < T; ++t) {
    int32_t* row = xb + size_t(t) * np;
    for (int j = 0; j < n; ++j) row[j] = strings[j][t];
    std::fill(row + n, row + lanes, 0);
  }
}

void LanesReadout(int o, int m, int np, const float* V, const float* c, const float* h, float* y, int steps) {
  const int l = Lanes512(np);
  if (l > 0) avx512::Readout(o, m, np, l, V, c, h, y, steps);
  if (l < np) avx2::Readout(o, m, np, np - l, V, c, h + l, y + l, steps);
}

// 8×8 blocks: 8 rows (zero past m) × 8 lanes loaded and transposed in registers; each column below n stored
// straight from its register as one run of 8 floats (4 when the block has ≤ 4 rows: fewer stores split across cache
// lines). A run past row m spills into the next columns' first rows, which are written after it (columns ascending,
// row blocks ascending within a column); a run that would pass the end of column n−1 is stored element by element,
// so nothing outside the n columns is touched. (No masked stores: microcoded and slow on AMD; no store-and-reload of
// the columns: perf showed the reloads stalling.)
// This covers the kBlocks row blocks from row `first` (a multiple of 32; LanesToColumns runs the groups of four
// blocks last to first, so a run spilling into the next column's first rows is overwritten by their group after).
template <int kBlocks>
void ToColumns(int m, int first, int n, int np, const float* b, float* c) {
  for (int j0 = 0; j0 < n; j0 += 8) {
    __m256 col[kBlocks][8];
#pragma GCC unroll 4
    for (int ib = 0; ib < kBlocks; ++ib) {
      const int i0 = first + 8 * ib, rows = std::min(8, m - i0);
      __m256 r[8];
#pragma GCC unroll 8
      for (int k = 0; k < 8; ++k)
        r[k] = k < rows ? _mm256_loadu_ps(b + size_t(i0 + k) * np + j0) : _mm256_setzero_ps();
      const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
      const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
      const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
      const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
      const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
      const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
      const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
      const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
      col[ib][0] = _mm256_permute2f128_ps(u0, u4, 0x20);
      col[ib][1] = _mm256_permute2f128_ps(u1, u5, 0x20);
      col[ib][2] = _mm256_permute2f128_ps(u2, u6, 0x20);
      col[ib][3] = _mm256_permute2f128_ps(u3, u7, 0x20);
      col[ib][4] = _mm256_permute2f128_ps(u0, u4, 0x31);
      col[ib][5] = _mm256_permute2f128_ps(u1, u5, 0x31);
      col[ib][6] = _mm256_permute2f128_ps(u2, u6, 0x31);
      col[ib][7] = _mm256_permute2f128_ps(u3, u7, 0x31);
    }
    const int cols = std::min(8, n - j0);
#pragma GCC unroll 8
    for (int k = 0; k < 8; ++k) {
      if (k >= cols) break;
#pragma GCC unroll 4
      for (int ib = 0; ib < kBlocks; ++ib) {
        const int i0 = first + 8 * ib, rows = std::min(8, m - i0);
        const int run = rows <= 4 ? 4 : 8;
        float* out = c + size_t(j0 + k) * m + i0;
        if (size_t(j0 + k) * m + i0 + run > size_t(n) * m) {
          alignas(32) float tmp[8];
          _mm256_store_ps(tmp, col[ib][k]);
          std::copy_n(tmp, rows, out);
        } else if (run == 4) {
          _mm_storeu_ps(out, _mm256_castps256_ps128(col[ib][k]));
        } else {
          _mm256_storeu_ps(out, col[ib][k]);
        }
      }
    }
  }
}

void LanesToColumnsSteps(int m, int n, int np, int steps, const float* b, float* c) {
  if (UseAvx512()) {
    switch (m) {
      case 1: return avx512::ToColumnsSmall<1>(n, np, steps, b, c);
      case 2: return avx512::ToColumnsSmall<2>(n, np, steps, b, c);
      case 3: return avx512::ToColumnsSmall<3>(n, np, steps, b, c);
      case 4: return avx512::ToColumnsSmall<4>(n, np, steps, b, c);
      case 8: return avx512::ToColumns8(n, np, steps, b, c);
      default: break;
    }
  }
  for (int t = 0; t < steps; ++t) LanesToColumns(m, n, np, b + size_t(t) * m * np, c + size_t(t) * n * m);
}

void LanesToColumns(int m, int n, int np, const float* b, float* c) {
  static_assert(kLanesMaxWidth <= 64, "ToColumns16 handles up to four blocks of 16 rows");
  if (UseAvx512() && (m <= 4 || m == 8)) return LanesToColumnsSteps(m, n, np, 1, b, c);
  if (UseAvx512() && m % 16 == 0) {  // 16×16 blocks where their lanes exist, then 8×8 ones
    const int lanes = (n + 7) / 8 * 8;
    int done = 0;
    switch (m / 16) {
      case 1: done = avx512::ToColumns16<1>(m, n, np, lanes, b, c); break;
      case 2: done = avx512::ToColumns16<2>(m, n, np, lanes, b, c); break;
      case 3: done = avx512::ToColumns16<3>(m, n, np, lanes, b, c); break;
      default: done = avx512::ToColumns16<4>(m, n, np, lanes, b, c); break;
    }
    if (done >= n) return;
    b += done;
    c += size_t(done) * m;
    n -= done;
  }
  const int blocks = (m + 7) / 8;
  for (int g = (blocks - 1) / 4 * 4; g >= 0; g -= 4) {  // groups of four row blocks, the last group first
    switch (std::min(4, blocks - g)) {
      case 1: ToColumns<1>(m, 8 * g, n, np, b, c); break;
      case 2: ToColumns<2>(m, 8 * g, n, np, b, c); break;
      case 3: ToColumns<3>(m, 8 * g, n, np, b, c); break;
      default: ToColumns<4>(m, 8 * g, n, np, b, c); break;
    }
  }
}

namespace {

// One shard's ∂U gather: δ in the column layout (dz: m×steps·n), the symbols of step t a run of n at symbols + t·ld,
// the sums into dU (m×d, starting at +0).
struct GatherStream {
  const float* dz;
  const int32_t* symbols;
  ptrdiff_t ld;
  int n;
  float* dU;
};

// dU[:, x_j] += D[:, j] for the columns of D in order, V vectors of 8 rows, D symbols, for S shards (1 or 2) at once:
// every (shard, symbol, vector) has its register and every column adds into each of its shard's symbol registers —
// D[:, j] for its own symbol, +0 for the others. Adding +0 leaves a sum unchanged unless it is −0, and these sums
// start at +0 and so are never −0: the same bits as adding into the matching column only. Two shards' chains advance
// side by side (each add waits on the last one of its chain), then the longer shard's rest alone.
template <int V, int D, int S>
void GatherColumns(int m, int steps, const GatherStream* st) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256i mask[V];
#pragma GCC unroll 4
  for (int v = 0; v < V; ++v) mask[v] = _mm256_cmpgt_epi32(_mm256_set1_epi32(m - 8 * v), lane);
  __m256 acc[S][D][V];  // in registers: the loops over q, a and v are unrolled
  const float* col[S];
  const int32_t* x[S];
  int j[S];
  long left[S];
#pragma GCC unroll 2
  for (int q = 0; q < S; ++q) {
#pragma GCC unroll 4
    for (int a = 0; a < D; ++a)
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) acc[q][a][v] = _mm256_maskload_ps(st[q].dU + size_t(a) * m + 8 * v, mask[v]);
    col[q] = st[q].dz;
    x[q] = st[q].symbols;
    j[q] = 0;
    left[q] = long(steps) * st[q].n;
  }
  auto one = [&](auto q_) {  // column k of shard q: step t, string j
    constexpr int q = decltype(q_)::value;
    // The symbol as a lane mask per register (all ones where a = x_j), so choosing g or +0 is an AND, not a branch:
    // a branch on random symbols mispredicts half the time (perf: 21% of a width-3 ensemble's time was here).
    const __m256i xv = _mm256_set1_epi32(x[q][j[q]]);
    __m256 is[D];
#pragma GCC unroll 4
    for (int a = 0; a < D; ++a) is[a] = _mm256_castsi256_ps(_mm256_cmpeq_epi32(xv, _mm256_set1_epi32(a)));
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) {
      const __m256 g = _mm256_maskload_ps(col[q] + 8 * v, mask[v]);
#pragma GCC unroll 4
      for (int a = 0; a < D; ++a) acc[q][a][v] = _mm256_add_ps(acc[q][a][v], _mm256_and_ps(is[a], g));  // g or +0
    }
    col[q] += m;
    if (++j[q] == st[q].n) {
      j[q] = 0;
      x[q] += st[q].ld;
    }
  };
  Interleave<S>(left, one);
#pragma GCC unroll 2
  for (int q = 0; q < S; ++q)
#pragma GCC unroll 4
    for (int a = 0; a < D; ++a)
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) _mm256_maskstore_ps(st[q].dU + size_t(a) * m + 8 * v, mask[v], acc[q][a][v]);
}

// The register gather for m ≤ 32 and d ≤ 3, S shards; false (nothing done) where it does not apply: wider nets,
// larger alphabets, or two shards whose registers would not fit (V·D > 6).
template <int S>
bool Gather(int m, int d, int steps, const GatherStream* st) {
  auto width = [&](auto d_) {
    constexpr int D = decltype(d_)::value;
    switch ((m + 7) / 8) {
      case 1: GatherColumns<1, D, S>(m, steps, st); return true;
      case 2: if constexpr (S == 1 || 2 * D <= 6) { GatherColumns<2, D, S>(m, steps, st); return true; } return false;
      case 3: if constexpr (S == 1 || 3 * D <= 6) { GatherColumns<3, D, S>(m, steps, st); return true; } return false;
      case 4: if constexpr (S == 1 || 4 * D <= 6) { GatherColumns<4, D, S>(m, steps, st); return true; } return false;
      default: return false;
    }
  };
  switch (d) {
    case 1: return width(std::integral_constant<int, 1>{});
    case 2: return width(std::integral_constant<int, 2>{});
    case 3: return width(std::integral_constant<int, 3>{});
    default: return false;
  }
}

}  // namespace

void LanesDeltaH(int m, int n, int np, int steps, const float* dz, const float* hb, float* dW) {
  if (UseAvx512()) return avx512::DeltaH(m, n, np, steps, dz, hb, dW);
  avx2::DeltaH(m, n, np, steps, dz, hb, dW);
}

bool LanesDeltaH2(int m, int np, int steps, int n0, const float* dz0, const float* hb0, float* dW0, int n1,
                  const float* dz1, const float* hb1, float* dW1) {
  if (UseAvx512()) {
    const avx512::DeltaHStream st[2] = {{dz0, hb0, dW0, n0}, {dz1, hb1, dW1, n1}};
    return avx512::DeltaH2(m, np, steps, st);
  }
  const avx2::DeltaHStream st[2] = {{dz0, hb0, dW0, n0}, {dz1, hb1, dW1, n1}};
  return avx2::DeltaH2(m, np, steps, st);
}

bool LanesDeltaHGather2(int m, int d, int np, int steps, ptrdiff_t ld, int n0, const float* dz0, const float* hb0,
                        const int32_t* x0, float* dW0, float* dU0, int n1, const float* dz1, const float* hb1,
                        const int32_t* x1, float* dW1, float* dU1) {
  if (UseAvx512()) {
    const avx512::DeltaHGatherStream st[2] = {{dz0, hb0, x0, ld, n0, dW0, dU0}, {dz1, hb1, x1, ld, n1, dW1, dU1}};
    if (m == 8 && n0 == n1 && d <= 3) {
      switch (d) {
        case 1: avx512::DeltaHGather8Pairs<1>(np, steps, st); return true;
        case 2: avx512::DeltaHGather8Pairs<2>(np, steps, st); return true;
        default: avx512::DeltaHGather8Pairs<3>(np, steps, st); return true;
      }
    }
    return avx512::DeltaHGather2Any(m, d, np, steps, st);
  }
  const avx2::DeltaHGatherStream st[2] = {{dz0, hb0, x0, ld, n0, dW0, dU0}, {dz1, hb1, x1, ld, n1, dW1, dU1}};
  return avx2::DeltaHGather2Any(m, d, np, steps, st);
}

bool LanesGatherBySymbol(int m, int d, int steps, int n, const float* dz, const int32_t* symbols, ptrdiff_t ld,
                         float* dU) {
  const GatherStream st{dz, symbols, ld, n, dU};
  return Gather<1>(m, d, steps, &st);
}

bool LanesGatherBySymbol2(int m, int d, int steps, ptrdiff_t ld, int n0, const float* dz0, const int32_t* symbols0,
                          float* dU0, int n1, const float* dz1, const int32_t* symbols1, float* dU1) {
  const GatherStream st[2] = {{dz0, symbols0, ld, n0, dU0}, {dz1, symbols1, ld, n1, dU1}};
  return Gather<2>(m, d, steps, st);
}

#else

bool detail::avx512_usable = false;
const char* LanesPath() { return "off"; }
void ForceAvx2Lanes(bool) {}
void LanesInputRows(int, int, const float*, float*) {}
bool LanesStep(int, int, int, Activation, const float*, const float*, const float*, const float*, const int32_t*,
               const float*, float*) {
  return false;
}
void LanesForward(int, int, int, Activation, const float*, const float*, const float*, const float*, const int32_t*, int,
                  bool, float*, float*) {}
void LanesDeltas(int, int, int, Activation, const float*, const float*, const float*, bool, int, const float*,
                 const float*, float*) {}
void LanesPackSymbols(int, int, int, const uint8_t* const*, int32_t*) {}
void LanesReadout(int, int, int, const float*, const float*, const float*, float*, int) {}
void LanesToColumns(int, int, int, const float*, float*) {}
void LanesToColumnsSteps(int, int, int, int, const float*, float*) {}
bool LanesGatherBySymbol(int, int, int, int, const float*, const int32_t*, ptrdiff_t, float*) { return false; }
bool LanesGatherBySymbol2(int, int, int, ptrdiff_t, int, const float*, const int32_t*, float*, int, const float*,
                          const int32_t*, float*) {
  return false;
}
void LanesDeltaH(int, int, int, int, const float*, const float*, float*) {}
bool LanesDeltaH2(int, int, int, int, const float*, const float*, float*, int, const float*, const float*, float*) {
  return false;
}
bool LanesDeltaHGather2(int, int, int, int, ptrdiff_t, int, const float*, const float*, const int32_t*, float*, float*,
                        int, const float*, const float*, const int32_t*, float*, float*) {
  return false;
}

#endif

}  // namespace flbench
