// Fixed-order products: a register-blocked micro-kernel over kRows × kCols elements of C that walks p
// ascending in passes of kDepth terms with one explicit fma per term (see fixed_order.h for the order). Tested by
// tests/theory_fixed_order_test.cc.
#include "theory/fixed_order.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "util/error.h"

namespace flbench::theory {

namespace {

constexpr size_t kRows = 8;  // rows of C per block: one AVX-512 or two AVX2 vectors of double
constexpr size_t kCols = 6;  // columns of C per block (8 × 6: twelve AVX2 accumulators, six AVX-512)
constexpr size_t kDepth = 128;  // terms per pass: the A panel (m × kDepth) stays in cache across column blocks

// `terms` terms of a pass for a full kRows × Cols block of C (A and B point at the pass's first term): the
// accumulators start from +0 on the first pass and from C after it, and stay in registers over the pass.
// Cols = 1 … kCols (fewer for the last column block, e.g. a matrix-vector product).
template <typename T, size_t Cols>
inline void Block(const T* A, size_t lda, const T* B, size_t ldb, T* C, size_t ldc, size_t terms, bool first) {
  T acc[Cols][kRows];
  for (size_t q = 0; q < Cols; ++q)
    for (size_t r = 0; r < kRows; ++r) acc[q][r] = first ? T(0) : C[r + q * ldc];
  for (size_t p = 0; p < terms; ++p) {
    const T* a = A + p * lda;
    for (size_t q = 0; q < Cols; ++q) {
      const T b = B[p + q * ldb];
      for (size_t r = 0; r < kRows; ++r) acc[q][r] = std::fma(a[r], b, acc[q][r]);
    }
  }
  for (size_t q = 0; q < Cols; ++q)
    for (size_t r = 0; r < kRows; ++r) C[r + q * ldc] = acc[q][r];
}

template <typename T>
inline void FullRowBlock(const T* A, size_t lda, const T* B, size_t ldb, T* C, size_t ldc, size_t cols, size_t terms,
                         bool first) {
  switch (cols) {
    case 1: return Block<T, 1>(A, lda, B, ldb, C, ldc, terms, first);
    case 2: return Block<T, 2>(A, lda, B, ldb, C, ldc, terms, first);
    case 3: return Block<T, 3>(A, lda, B, ldb, C, ldc, terms, first);
    case 4: return Block<T, 4>(A, lda, B, ldb, C, ldc, terms, first);
    case 5: return Block<T, 5>(A, lda, B, ldb, C, ldc, terms, first);
    default: return Block<T, kCols>(A, lda, B, ldb, C, ldc, terms, first);
  }
}

// An edge block (fewer than kRows rows): the same order, element by element.
template <typename T>
inline void EdgeBlock(const T* A, size_t lda, const T* B, size_t ldb, T* C, size_t ldc, size_t rows, size_t cols,
                      size_t terms, bool first) {
  for (size_t q = 0; q < cols; ++q)
    for (size_t r = 0; r < rows; ++r) {
      T c = first ? T(0) : C[r + q * ldc];
      for (size_t p = 0; p < terms; ++p) c = std::fma(A[r + p * lda], B[p + q * ldb], c);
      C[r + q * ldc] = c;
    }
}

}  // namespace

template <typename T>
void MulInto(const T* A, size_t lda, const T* B, size_t ldb, T* C, size_t ldc, size_t m, size_t k, size_t n) {
  // Passes over p in order (each element's sum continues where the last pass left it); within a pass, row
  // blocks, whose slice of A is first copied into a contiguous buffer (a leading dimension that is a power of
  // two would otherwise map every term's cache line to the same L1 set), then column blocks. Copying changes
  // no arithmetic.
  std::vector<T> panel(kRows * kDepth);
  for (size_t p0 = 0; p0 < k; p0 += kDepth) {
    const size_t p1 = std::min(k, p0 + kDepth);
    for (size_t i0 = 0; i0 < m; i0 += kRows) {
      const size_t rows = std::min(kRows, m - i0);
      if (rows < kRows) {
        for (size_t j0 = 0; j0 < n; j0 += kCols)
          EdgeBlock(A + i0 + p0 * lda, lda, B + p0 + j0 * ldb, ldb, C + i0 + j0 * ldc, ldc, rows,
                    std::min(kCols, n - j0), p1 - p0, p0 == 0);
        continue;
      }
      // panel[(p − p0)·kRows + r] = A(i0 + r, p): the block's slice of A as a kRows × (p1 − p0) matrix.
      for (size_t p = p0; p < p1; ++p)
        for (size_t r = 0; r < kRows; ++r) panel[(p - p0) * kRows + r] = A[i0 + r + p * lda];
      for (size_t j0 = 0; j0 < n; j0 += kCols)
        FullRowBlock(panel.data(), kRows, B + p0 + j0 * ldb, ldb, C + i0 + j0 * ldc, ldc, std::min(kCols, n - j0),
                     p1 - p0, p0 == 0);
    }
  }
}

template <typename T>
arma::Mat<T> Mul(const arma::Mat<T>& A, const arma::Mat<T>& B) {
  if (A.n_cols != B.n_rows)
    throw Error("Mul: inner dimensions differ (" + std::to_string(A.n_rows) + "x" + std::to_string(A.n_cols) +
                " times " + std::to_string(B.n_rows) + "x" + std::to_string(B.n_cols) + ")");
  arma::Mat<T> C(A.n_rows, B.n_cols);
  if (C.n_elem == 0) return C;
  if (A.n_cols == 0) {
    C.zeros();
    return C;
  }
  MulInto(A.memptr(), A.n_rows, B.memptr(), B.n_rows, C.memptr(), C.n_rows, A.n_rows, A.n_cols, B.n_cols);
  return C;
}

template <typename T>
double SumSquares(const T* x, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s = std::fma(static_cast<double>(x[i]), static_cast<double>(x[i]), s);
  return s;
}

template void MulInto<float>(const float*, size_t, const float*, size_t, float*, size_t, size_t, size_t, size_t);
template void MulInto<double>(const double*, size_t, const double*, size_t, double*, size_t, size_t, size_t, size_t);
template arma::Mat<float> Mul(const arma::Mat<float>&, const arma::Mat<float>&);
template arma::Mat<double> Mul(const arma::Mat<double>&, const arma::Mat<double>&);
template double SumSquares(const float*, size_t);
template double SumSquares(const double*, size_t);

}  // namespace flbench::theory
