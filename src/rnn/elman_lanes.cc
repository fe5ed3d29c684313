// The batch-in-lanes kernels (see elman_lanes.h): one register-tiled product, R rows of the left operand × NB lane
// blocks of 8 strings, each accumulator one fixed-order fma chain over k, finished by an epilogue that adds the
// bias, the input part or the previous value in the order the scalar path does.
#include "rnn/elman_lanes.h"

#include <algorithm>
#include <cstring>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

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

void LanesStep(int m, int np, int d, const float* W, const float* init, const float* UB, const float* rows,
               const int32_t* x, const float* prev, float* out) {
  const int nb = np / 8;
  const InputPart input{m, d, UB, rows, x};
  if (prev == nullptr) {  // h_0 = 0: no product, init + UB x
    for (int i = 0; i < m; ++i)
      for (int b = 0; b < nb; ++b)
        _mm256_storeu_ps(out + size_t(i) * np + 8 * b, _mm256_add_ps(_mm256_set1_ps(init[i]), input(i, b)));
    return;
  }
  Product(m, nb, m, W, 1, m, prev, np, [&](int i, int b, __m256 acc) {
    const __m256 hidden = _mm256_add_ps(_mm256_set1_ps(init[i]), acc);  // b_hh + W h (Gemm's C + acc)
    _mm256_storeu_ps(out + size_t(i) * np + 8 * b, _mm256_add_ps(hidden, input(i, b)));  // + (U x + b)
  });
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

void LanesToColumns(int m, int n, int np, const float* b, float* c) {
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < m; ++i) c[size_t(j) * m + i] = b[size_t(i) * np + j];
}

#else

bool UseLanes(int) { return false; }
void LanesInputRows(int, int, const float*, float*) {}
void LanesStep(int, int, int, const float*, const float*, const float*, const float*, const int32_t*, const float*,
               float*) {}
void LanesReadout(int, int, int, const float*, const float*, const float*, float*) {}
void LanesDelta(int, int, int, const float*, const float*, const float*, const float*, float*) {}
void LanesToColumns(int, int, int, const float*, float*) {}

#endif

}  // namespace flbench
