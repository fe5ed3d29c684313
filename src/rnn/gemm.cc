// Fixed-order products (see gemm.h): a scalar reference and an AVX2+FMA path that register-blocks 8 or 16 rows ×
// up to 6 columns of C, keeping one accumulator per element and running k in order.
#include "rnn/gemm.h"

#include <cmath>
#include <cstdlib>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace flbench {

template <typename Real>
void GemmReference(int M, int N, int K, const Real* A, ptrdiff_t lda, const Real* B, ptrdiff_t bk, ptrdiff_t bj,
                   Real* C, ptrdiff_t ldc, bool accumulate) {
  for (int j = 0; j < N; ++j) {
    for (int i = 0; i < M; ++i) {
      Real acc = 0;
      for (int k = 0; k < K; ++k) acc = std::fma(A[i + k * lda], B[k * bk + j * bj], acc);
      Real& c = C[i + j * ldc];
      c = accumulate ? c + acc : acc;
    }
  }
}

template void GemmReference<float>(int, int, int, const float*, ptrdiff_t, const float*, ptrdiff_t, ptrdiff_t, float*,
                                   ptrdiff_t, bool);
template void GemmReference<double>(int, int, int, const double*, ptrdiff_t, const double*, ptrdiff_t, ptrdiff_t,
                                    double*, ptrdiff_t, bool);

namespace {

// FLBENCH_SCALAR_KERNELS=1 in the environment forces the scalar path (to check end to end that it gives the same
// bits, and for CPUs where the vector path is suspected).
bool force_scalar = [] {
  const char* v = std::getenv("FLBENCH_SCALAR_KERNELS");
  return v != nullptr && *v != '\0' && *v != '0';
}();

#if defined(__x86_64__)

// Lanes [0, rows) of an 8-lane mask are on (rows may be ≤ 0 or ≥ 8).
__attribute__((target("avx2,fma"))) inline __m256i LaneMask(int rows) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(rows), lane);
}

// C[i0 .. i0+8·V, j0 .. j0+NR) for one block: V row vectors (8 rows each, the last ones masked to `rows`) × NR
// columns, one accumulator register per 8 elements, k in order. kMasked: some rows of the block are past M.
template <int V, int NR, bool kMasked>
__attribute__((target("avx2,fma"), always_inline)) inline void Block(int rows, int K, const float* A, ptrdiff_t lda,
                                                                     const float* B, ptrdiff_t bk, ptrdiff_t bj,
                                                                     float* C, ptrdiff_t ldc, bool accumulate) {
  __m256i mask[V];
#pragma GCC unroll 4
  for (int v = 0; v < V; ++v) mask[v] = LaneMask(rows - 8 * v);
  __m256 acc[V][NR];
#pragma GCC unroll 4
  for (int v = 0; v < V; ++v)
#pragma GCC unroll 8
    for (int c = 0; c < NR; ++c) acc[v][c] = _mm256_setzero_ps();
  for (int k = 0; k < K; ++k) {
    const float* a = A + k * lda;
    __m256 av[V];
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) av[v] = kMasked ? _mm256_maskload_ps(a + 8 * v, mask[v]) : _mm256_loadu_ps(a + 8 * v);
    const float* b = B + k * bk;
#pragma GCC unroll 8
    for (int c = 0; c < NR; ++c) {
      const __m256 bc = _mm256_broadcast_ss(b + c * bj);
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) acc[v][c] = _mm256_fmadd_ps(av[v], bc, acc[v][c]);  // fma(A[i,k], B[k,j], acc)
    }
  }
#pragma GCC unroll 8
  for (int c = 0; c < NR; ++c) {
    float* out = C + c * ldc;
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) {
      __m256 r = acc[v][c];
      if (kMasked) {
        if (accumulate) r = _mm256_add_ps(_mm256_maskload_ps(out + 8 * v, mask[v]), r);
        _mm256_maskstore_ps(out + 8 * v, mask[v], r);
      } else {
        if (accumulate) r = _mm256_add_ps(_mm256_loadu_ps(out + 8 * v), r);
        _mm256_storeu_ps(out + 8 * v, r);
      }
    }
  }
}

// All column blocks of one row block (NR = 6, then the remainder).
template <int V, bool kMasked>
__attribute__((target("avx2,fma"))) void RowBlock(int rows, int N, int K, const float* A, ptrdiff_t lda,
                                                  const float* B, ptrdiff_t bk, ptrdiff_t bj, float* C, ptrdiff_t ldc,
                                                  bool accumulate) {
  int j = 0;
  for (; j + 6 <= N; j += 6) Block<V, 6, kMasked>(rows, K, A, lda, B + j * bj, bk, bj, C + j * ldc, ldc, accumulate);
  const float* b = B + j * bj;
  float* c = C + j * ldc;
  switch (N - j) {
    case 5: Block<V, 5, kMasked>(rows, K, A, lda, b, bk, bj, c, ldc, accumulate); break;
    case 4: Block<V, 4, kMasked>(rows, K, A, lda, b, bk, bj, c, ldc, accumulate); break;
    case 3: Block<V, 3, kMasked>(rows, K, A, lda, b, bk, bj, c, ldc, accumulate); break;
    case 2: Block<V, 2, kMasked>(rows, K, A, lda, b, bk, bj, c, ldc, accumulate); break;
    case 1: Block<V, 1, kMasked>(rows, K, A, lda, b, bk, bj, c, ldc, accumulate); break;
    default: break;
  }
}

__attribute__((target("avx2,fma"))) void GemmAvx2(int M, int N, int K, const float* A, ptrdiff_t lda, const float* B,
                                                  ptrdiff_t bk, ptrdiff_t bj, float* C, ptrdiff_t ldc, bool accumulate) {
  int i = 0;
  for (; i + 16 <= M; i += 16) RowBlock<2, false>(16, N, K, A + i, lda, B, bk, bj, C + i, ldc, accumulate);
  const int rest = M - i;
  if (rest == 8) RowBlock<1, false>(8, N, K, A + i, lda, B, bk, bj, C + i, ldc, accumulate);
  else if (rest > 8) RowBlock<2, true>(rest, N, K, A + i, lda, B, bk, bj, C + i, ldc, accumulate);
  else if (rest > 0) RowBlock<1, true>(rest, N, K, A + i, lda, B, bk, bj, C + i, ldc, accumulate);
}

bool HasAvx2Fma() {
  __builtin_cpu_init();  // (also called from a static initialiser: detail::gemm_vectorised)
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}

#else
bool HasAvx2Fma() { return false; }
#endif

}  // namespace

namespace detail {
bool gemm_vectorised = HasAvx2Fma() && !force_scalar;  // after force_scalar: one translation unit initialises in order
}  // namespace detail

const char* GemmPath() { return GemmVectorised() ? "avx2" : "scalar"; }
void ForceScalarGemm(bool scalar) {
  force_scalar = scalar;
  detail::gemm_vectorised = HasAvx2Fma() && !force_scalar;
}

template <>
void Gemm<float>(int M, int N, int K, const float* A, ptrdiff_t lda, const float* B, ptrdiff_t bk, ptrdiff_t bj,
                 float* C, ptrdiff_t ldc, bool accumulate) {
  if (M <= 0 || N <= 0) return;
#if defined(__x86_64__)
  if (HasAvx2Fma() && !force_scalar) return GemmAvx2(M, N, K, A, lda, B, bk, bj, C, ldc, accumulate);
#endif
  GemmReference(M, N, K, A, lda, B, bk, bj, C, ldc, accumulate);
}

template <>
void Gemm<double>(int M, int N, int K, const double* A, ptrdiff_t lda, const double* B, ptrdiff_t bk, ptrdiff_t bj,
                  double* C, ptrdiff_t ldc, bool accumulate) {
  GemmReference(M, N, K, A, lda, B, bk, bj, C, ldc, accumulate);
}

}  // namespace flbench
