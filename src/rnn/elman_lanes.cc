// The batch-in-lanes kernels (see elman_lanes.h): one register-tiled product, R rows of the left operand × NB lane
// blocks of 8 strings, each accumulator one fixed-order fma chain over k, finished by an epilogue that adds the
// bias, the input part or the previous value in the order the scalar path does.
#include "rnn/elman_lanes.h"

#include <algorithm>
#include <cstring>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

#include "rnn/fast_math.h"
#include "rnn/gemm.h"

namespace flbench {

#if defined(__AVX2__) && defined(__FMA__)

bool UseLanes(int m) { return m <= kLanesMaxWidth && std::strcmp(GemmPath(), "avx2") == 0; }

namespace {

// acc[r][b] = Σ_k A(r, k)·B[k, block b] for R rows and NB blocks of 8 lanes, k = 0 … K−1 in order; A(r, k) at
// A + r·ai + k·ak, B's row k at B + k·bk. Then epi(r, b, acc[r][b]).
template <int R, int NB, typename Epi>
[[gnu::always_inline]] inline void Tile(int K, const float* A, ptrdiff_t ai, ptrdiff_t ak, const float* B,
                                        ptrdiff_t bk, const Epi& epi) {
  __m256 acc[R][NB];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int b = 0; b < NB; ++b) acc[r][b] = _mm256_setzero_ps();
  for (int k = 0; k < K; ++k) {
    __m256 bv[NB];
#pragma GCC unroll 4
    for (int b = 0; b < NB; ++b) bv[b] = _mm256_loadu_ps(B + k * bk + 8 * b);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m256 a = _mm256_broadcast_ss(A + r * ai + k * ak);
#pragma GCC unroll 4
      for (int b = 0; b < NB; ++b) acc[r][b] = _mm256_fmadd_ps(a, bv[b], acc[r][b]);  // fma(A[i,k], B[k,j], acc)
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int b = 0; b < NB; ++b) epi(r, b, acc[r][b]);
}

// The last `rest` (< R) rows of a row sweep, as one tile of exactly that many rows.
template <int R, int NB, typename Epi>
inline void RestRows(int rest, int i0, int b0, int K, const float* A, ptrdiff_t ai, ptrdiff_t ak, const float* B,
                     ptrdiff_t bk, const Epi& epi) {
  if constexpr (R > 0) {
    if (rest == R) {
      Tile<R, NB>(K, A + i0 * ai, ai, ak, B + 8 * b0, bk, [&](int r, int b, __m256 v) { epi(i0 + r, b0 + b, v); });
    } else {
      RestRows<R - 1, NB>(rest, i0, b0, K, A, ai, ak, B, bk, epi);
    }
  }
}

// All M rows for the NB lane blocks starting at block b0: tiles of R rows, then the remainder.
template <int R, int NB, typename Epi>
inline void Rows(int M, int b0, int K, const float* A, ptrdiff_t ai, ptrdiff_t ak, const float* B, ptrdiff_t bk,
                 const Epi& epi) {
  int i = 0;
  for (; i + R <= M; i += R)
    Tile<R, NB>(K, A + i * ai, ai, ak, B + 8 * b0, bk, [&](int r, int b, __m256 v) { epi(i + r, b0 + b, v); });
  RestRows<R - 1, NB>(M - i, i, b0, K, A, ai, ak, B, bk, epi);
}

// epi(i, b, Σ_k A(i,k)·B[k, block b]) for i < M and the nb lane blocks: up to 12 accumulators per tile (4 blocks ×
// 3 rows, 2 × 6, 1 × 8), so the chains of one tile hide the fma latency.
template <typename Epi>
void Product(int M, int nb, int K, const float* A, ptrdiff_t ai, ptrdiff_t ak, const float* B, ptrdiff_t bk,
             const Epi& epi) {
  int b = 0;
  for (; b + 4 <= nb; b += 4) Rows<3, 4>(M, b, K, A, ai, ak, B, bk, epi);
  switch (nb - b) {
    case 3: Rows<4, 3>(M, b, K, A, ai, ak, B, bk, epi); break;
    case 2: Rows<6, 2>(M, b, K, A, ai, ak, B, bk, epi); break;
    case 1: Rows<8, 1>(M, b, K, A, ai, ak, B, bk, epi); break;
    default: break;
  }
}

// UB[i, x_j] for the 8 lanes of one block: a register permute of row i of UB (the table LanesInputRows fills) for
// d ≤ 8, else a gather from UB.
struct InputPart {
  int m, d;
  const float* UB;
  const float* rows;
  const int32_t* x;
  __m256 operator()(int i, int b) const {
    const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + 8 * b));
    if (d <= 8) return _mm256_permutevar8x32_ps(_mm256_loadu_ps(rows + 8 * i), xv);
    return _mm256_i32gather_ps(UB + i, _mm256_mullo_epi32(xv, _mm256_set1_epi32(m)), 4);
  }
};

}  // namespace

void LanesInputRows(int m, int d, const float* UB, float* rows) {
  if (d > 8) return;
  for (int i = 0; i < m; ++i)
    for (int a = 0; a < 8; ++a) rows[8 * i + a] = a < d ? UB[i + size_t(a) * m] : 0.0f;
}

namespace {

// act(z) for 8 lanes, exactly as Activate computes it (activation.cc): tanh and sigmoid through FastTanh8, relu as
// z > 0 ? z : 0 (NaN → 0), identity unchanged. cos is not fused (its sin is needed too): Act<kCos> is never used.
template <Activation A>
[[gnu::always_inline]] inline __m256 Act(__m256 z) {
  if constexpr (A == Activation::kTanh) return FastTanh8(z);
  if constexpr (A == Activation::kSigmoid) {
    const __m256 half = _mm256_set1_ps(0.5f);
    return _mm256_add_ps(half, _mm256_mul_ps(half, FastTanh8(_mm256_mul_ps(half, z))));
  }
  if constexpr (A == Activation::kRelu) return _mm256_and_ps(_mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_GT_OQ), z);
  return z;
}

template <Activation A>
void Step(int m, int np, const float* W, const float* init, const InputPart& input, const float* prev, float* out) {
  const int nb = np / 8;
  if (prev == nullptr) {  // h_0 = 0: no product, init + UB x
    for (int i = 0; i < m; ++i)
      for (int b = 0; b < nb; ++b)
        _mm256_storeu_ps(out + size_t(i) * np + 8 * b, Act<A>(_mm256_add_ps(_mm256_set1_ps(init[i]), input(i, b))));
    return;
  }
  Product(m, nb, m, W, 1, m, prev, np, [&](int i, int b, __m256 acc) {
    const __m256 hidden = _mm256_add_ps(_mm256_set1_ps(init[i]), acc);  // b_hh + W h (Gemm's C + acc)
    _mm256_storeu_ps(out + size_t(i) * np + 8 * b, Act<A>(_mm256_add_ps(hidden, input(i, b))));  // act(· + (U x + b))
  });
}

}  // namespace

bool LanesStep(int m, int np, int d, Activation act, const float* W, const float* init, const float* UB,
               const float* rows, const int32_t* x, const float* prev, float* out) {
  const InputPart input{m, d, UB, rows, x};
  switch (act) {
    case Activation::kTanh: Step<Activation::kTanh>(m, np, W, init, input, prev, out); return true;
    case Activation::kSigmoid: Step<Activation::kSigmoid>(m, np, W, init, input, prev, out); return true;
    case Activation::kRelu: Step<Activation::kRelu>(m, np, W, init, input, prev, out); return true;
    case Activation::kIdentity: Step<Activation::kIdentity>(m, np, W, init, input, prev, out); return true;
    case Activation::kCos: Step<Activation::kIdentity>(m, np, W, init, input, prev, out); return false;
  }
  return false;
}

void LanesReadout(int o, int m, int np, const float* V, const float* c, const float* h, float* y) {
  Product(o, np / 8, m, V, 1, o, h, np, [&](int a, int b, __m256 acc) {
    _mm256_storeu_ps(y + size_t(a) * np + 8 * b, _mm256_add_ps(_mm256_set1_ps(c[a]), acc));
  });
}

void LanesDelta(int m, int np, int o, const float* W, const float* V, const float* dy, const float* next, float* out) {
  const int nb = np / 8;
  if (dy != nullptr) {
    Product(m, nb, o, V, o, 1, dy, np,
            [&](int i, int b, __m256 acc) { _mm256_storeu_ps(out + size_t(i) * np + 8 * b, acc); });
  } else {
    std::fill(out, out + size_t(m) * np, 0.0f);
  }
  if (next == nullptr) return;
  Product(m, nb, m, W, m, 1, next, np, [&](int i, int b, __m256 acc) {
    float* p = out + size_t(i) * np + 8 * b;
    _mm256_storeu_ps(p, _mm256_add_ps(_mm256_loadu_ps(p), acc));
  });
}

// 8×8 blocks: 8 rows (zero past m) × 8 lanes loaded and transposed in registers; each column below n stored
// straight from its register as one run of 8 floats (4 when the block has ≤ 4 rows: fewer stores split across cache
// lines). A run past row m spills into the next columns' first rows, which are written after it (columns ascending,
// row blocks ascending within a column); a run that would pass the end of column n−1 is stored element by element,
// so nothing outside the n columns is touched. (No masked stores: microcoded and slow on AMD; no store-and-reload of
// the columns: perf showed the reloads stalling.)
template <int kBlocks>
void ToColumns(int m, int n, int np, const float* b, float* c) {
  for (int j0 = 0; j0 < n; j0 += 8) {
    __m256 col[kBlocks][8];
#pragma GCC unroll 4
    for (int ib = 0; ib < kBlocks; ++ib) {
      const int i0 = 8 * ib, rows = std::min(8, m - i0);
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
        const int i0 = 8 * ib, rows = std::min(8, m - i0);
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

void LanesToColumns(int m, int n, int np, const float* b, float* c) {
  static_assert(kLanesMaxWidth <= 32, "ToColumns handles up to four row blocks");
  switch ((m + 7) / 8) {
    case 1: ToColumns<1>(m, n, np, b, c); break;
    case 2: ToColumns<2>(m, n, np, b, c); break;
    case 3: ToColumns<3>(m, n, np, b, c); break;
    default: ToColumns<4>(m, n, np, b, c); break;
  }
}

namespace {

// dU[:, x_j] += D[:, j] for the columns of D in order, V vectors of 8 rows, D symbols: every (symbol, vector) has
// its register and every column adds into each symbol's register — D[:, j] for its own symbol, +0 for the others.
// Adding +0 leaves a sum unchanged unless it is −0, and these sums start at +0 and so are never −0: the same bits
// as adding into the matching column only.
template <int V, int D>
void GatherColumns(int m, int cols, const float* dz, const int32_t* symbols, float* dU) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256i mask[V];
#pragma GCC unroll 4
  for (int v = 0; v < V; ++v) mask[v] = _mm256_cmpgt_epi32(_mm256_set1_epi32(m - 8 * v), lane);
  __m256 acc[D][V];  // in registers: the loops over a and v are unrolled
#pragma GCC unroll 4
  for (int a = 0; a < D; ++a)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) acc[a][v] = _mm256_maskload_ps(dU + size_t(a) * m + 8 * v, mask[v]);
  for (int j = 0; j < cols; ++j) {
    const float* col = dz + size_t(j) * m;
    const int x = symbols[j];
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) {
      const __m256 g = _mm256_maskload_ps(col + 8 * v, mask[v]);
#pragma GCC unroll 4
      for (int a = 0; a < D; ++a)
        acc[a][v] = _mm256_add_ps(acc[a][v], x == a ? g : _mm256_setzero_ps());
    }
  }
#pragma GCC unroll 4
  for (int a = 0; a < D; ++a)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) _mm256_maskstore_ps(dU + size_t(a) * m + 8 * v, mask[v], acc[a][v]);
}

template <int D>
bool GatherWidth(int m, int cols, const float* dz, const int32_t* symbols, float* dU) {
  switch ((m + 7) / 8) {
    case 1: GatherColumns<1, D>(m, cols, dz, symbols, dU); return true;
    case 2: GatherColumns<2, D>(m, cols, dz, symbols, dU); return true;
    case 3: GatherColumns<3, D>(m, cols, dz, symbols, dU); return true;
    case 4: GatherColumns<4, D>(m, cols, dz, symbols, dU); return true;
    default: return false;
  }
}

}  // namespace

namespace {

// The rows [0, rows) of one block × NR columns of ∂W += Σ_k δ[:, k] h[:, k]ᵀ, k over (step s, string col) in order,
// lanes along the rows: δ from the column layout (dz at the block's first row), h broadcast from the batch layout
// (hb at the block's first column j0: h_{s+1}[j0 + c] of string col at hb + (s·m + c)·np + col). C at column j0.
template <int V, int NR, bool kMasked>
[[gnu::always_inline]] inline void DeltaHBlock(int rows, int m, int n, int np, int steps, const float* dz, const float* hb, float* C) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256i mask[V];
#pragma GCC unroll 2
  for (int v = 0; v < V; ++v) mask[v] = _mm256_cmpgt_epi32(_mm256_set1_epi32(rows - 8 * v), lane);
  __m256 acc[V][NR];  // in registers: every loop over v and c is unrolled (else GCC keeps acc in memory)
#pragma GCC unroll 2
  for (int v = 0; v < V; ++v)
#pragma GCC unroll 8
    for (int c = 0; c < NR; ++c) acc[v][c] = _mm256_setzero_ps();
  for (int s = 0; s + 1 < steps; ++s) {
    const float* as = dz + size_t(s + 1) * n * m;  // δ_{s+2}: the steps after the first
    const float* bs = hb + size_t(s) * m * np;      // h_{s+1}
    for (int col = 0; col < n; ++col) {
      const float* a = as + size_t(col) * m;
      __m256 av[V];
#pragma GCC unroll 2
      for (int v = 0; v < V; ++v) av[v] = kMasked ? _mm256_maskload_ps(a + 8 * v, mask[v]) : _mm256_loadu_ps(a + 8 * v);
#pragma GCC unroll 8
      for (int c = 0; c < NR; ++c) {
        const __m256 bc = _mm256_broadcast_ss(bs + size_t(c) * np + col);
#pragma GCC unroll 2
        for (int v = 0; v < V; ++v) acc[v][c] = _mm256_fmadd_ps(av[v], bc, acc[v][c]);  // fma(δ[i,k], h[j,k], acc)
      }
    }
  }
#pragma GCC unroll 8
  for (int c = 0; c < NR; ++c)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) {
      float* out = C + size_t(c) * m + 8 * v;
      if (kMasked) _mm256_maskstore_ps(out, mask[v], _mm256_add_ps(_mm256_maskload_ps(out, mask[v]), acc[v][c]));
      else _mm256_storeu_ps(out, _mm256_add_ps(_mm256_loadu_ps(out), acc[v][c]));
    }
}

// One row block (rows ≤ 16 rows starting at dz's and dW's first row) × all m columns: NR = 6, then the remainder.
template <int V, bool kMasked>
void DeltaHRows(int rows, int m, int n, int np, int steps, const float* dz, const float* hb, float* dW) {
  int j = 0;
  for (; j + 6 <= m; j += 6)
    DeltaHBlock<V, 6, kMasked>(rows, m, n, np, steps, dz, hb + size_t(j) * np, dW + size_t(j) * m);
  const float* b = hb + size_t(j) * np;
  float* c = dW + size_t(j) * m;
  switch (m - j) {
    case 5: DeltaHBlock<V, 5, kMasked>(rows, m, n, np, steps, dz, b, c); break;
    case 4: DeltaHBlock<V, 4, kMasked>(rows, m, n, np, steps, dz, b, c); break;
    case 3: DeltaHBlock<V, 3, kMasked>(rows, m, n, np, steps, dz, b, c); break;
    case 2: DeltaHBlock<V, 2, kMasked>(rows, m, n, np, steps, dz, b, c); break;
    case 1: DeltaHBlock<V, 1, kMasked>(rows, m, n, np, steps, dz, b, c); break;
    default: break;
  }
}

}  // namespace

void LanesDeltaH(int m, int n, int np, int steps, const float* dz, const float* hb, float* dW) {
  for (int i0 = 0; i0 < m; i0 += 16) {  // row blocks of 16 (2 vectors), the last one masked if partial
    const int rows = std::min(16, m - i0);
    const float* a = dz + i0;
    float* c = dW + i0;
    if (rows == 16) DeltaHRows<2, false>(rows, m, n, np, steps, a, hb, c);
    else if (rows > 8) DeltaHRows<2, true>(rows, m, n, np, steps, a, hb, c);
    else if (rows == 8) DeltaHRows<1, false>(rows, m, n, np, steps, a, hb, c);
    else DeltaHRows<1, true>(rows, m, n, np, steps, a, hb, c);
  }
}

bool LanesGatherBySymbol(int m, int d, int cols, const float* dz, const int32_t* symbols, float* dU) {
  switch (d) {
    case 1: return GatherWidth<1>(m, cols, dz, symbols, dU);
    case 2: return GatherWidth<2>(m, cols, dz, symbols, dU);
    case 3: return GatherWidth<3>(m, cols, dz, symbols, dU);
    default: return false;
  }
}

#else

bool UseLanes(int) { return false; }
void LanesInputRows(int, int, const float*, float*) {}
bool LanesStep(int, int, int, Activation, const float*, const float*, const float*, const float*, const int32_t*,
               const float*, float*) {
  return false;
}
void LanesReadout(int, int, int, const float*, const float*, const float*, float*) {}
void LanesDelta(int, int, int, const float*, const float*, const float*, const float*, float*) {}
void LanesToColumns(int, int, int, const float*, float*) {}
bool LanesGatherBySymbol(int, int, int, const float*, const int32_t*, float*) { return false; }
void LanesDeltaH(int, int, int, int, const float*, const float*, float*) {}

#endif

}  // namespace flbench
