// Matrix products with one fixed summation order, so a result's bits depend on the operands only — never on the
// BLAS kernel, the CPU vendor or the vector width. Every product the trainer's results depend on goes through here.
// Entry points: Gemm, GemmReference, GemmPath. Tested by tests/rnn_gemm_test.cc (every path against the scalar
// reference, bit for bit, over many shapes and strides).
//
// The order (the definition of the result): for every output element,
//     acc = 0;  for k = 0, 1, …, K−1:  acc = fma(A[i,k], B[k,j], acc)        (one rounding per step)
//     C[i,j] = acc            (overwrite)     or     C[i,j] = C[i,j] + acc   (accumulate)
// A vector path computes several elements at once (lanes run along i), but each element's chain is exactly the
// one above, so every path gives the same bits; the scalar reference below is the same loop written plainly.
#pragma once

#include <cstddef>

namespace flbench {

// C (M×N, column-major, leading dimension ldc) = or += A · B, where A is M×K column-major (A[i,k] = A[i + k·lda])
// and B is K×N with arbitrary strides (B[k,j] = B[k·bk + j·bj]: bk = 1, bj = ldb for a column-major B; bk = ldb,
// bj = 1 for the transpose of a column-major matrix). K = 0 gives acc = 0.
template <typename Real>
void Gemm(int M, int N, int K, const Real* A, ptrdiff_t lda, const Real* B, ptrdiff_t bk, ptrdiff_t bj, Real* C,
          ptrdiff_t ldc, bool accumulate);

// The definition, one element at a time with std::fma (exact on any CPU, hardware FMA or not).
template <typename Real>
void GemmReference(int M, int N, int K, const Real* A, ptrdiff_t lda, const Real* B, ptrdiff_t bk, ptrdiff_t bj,
                   Real* C, ptrdiff_t ldc, bool accumulate);

// Which path Gemm<float> takes on this CPU: "avx2" (8 lanes, FMA) or "scalar". Both give the same bits.
const char* GemmPath();
// GemmPath() is "avx2": one load, inline (the lanes kernels ask it per call, and a call per step cost ~10% at width 3).
namespace detail {
extern bool gemm_vectorised;  // the CPU has AVX2 + FMA and the scalar path is not forced; set at start-up and by ForceScalarGemm
}  // namespace detail
inline bool GemmVectorised() { return detail::gemm_vectorised; }
// For tests and benchmarks: force the scalar path (true) or let Gemm choose (false). Not thread-safe to change
// while products run. The environment variable FLBENCH_SCALAR_KERNELS=1 sets it at start-up.
void ForceScalarGemm(bool scalar);

}  // namespace flbench
