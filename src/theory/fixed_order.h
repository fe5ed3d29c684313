// Fixed-order dense products for the theory cores, so their results do not depend on the BLAS kernel
// (OPENBLAS_CORETYPE), the thread count or the CPU's vector width. Entry points: MulInto, Mul, SumSquares,
// Norm2. Tested by tests/theory_fixed_order_test.cc; speed in bench/theory_bench.cc.
//
// The summation order, written down: C = A·B gives every element
//     C(i,j) = fma(A(i,k−1), B(k−1,j), … fma(A(i,1), B(1,j), fma(A(i,0), B(0,j), +0)) …)
// — the inner index p ascending from 0, one fused multiply-add (one rounding) per term, nothing else. Blocking
// (8 × 6 elements of C in registers, passes of 128 terms, A's slice copied to a contiguous panel) and
// vectorisation run across i and j only (independent elements), never across p, so the bits are the same for
// any vector width, with or without -march=native or -ffp-contract (the fma is explicit; without hardware FMA
// it is libm's fma, slower but correctly rounded too). Sums of squares run i ascending in double:
// s = fma(x_i, x_i, s). Speed (bench/theory_bench.cc BM_Product, per CPU second, AMD EPYC, m = 32 … 1024):
// 12–19 GFLOP/s against 16–44 for OpenBLAS dgemm on the convergence core's shapes (about half its speed).
#pragma once

#include <armadillo>
#include <cstddef>

namespace flbench::theory {

// C (m×n, leading dimension ldc) = A (m×k, lda) · B (k×n, ldb); column-major; C must not alias A or B.
template <typename T>
void MulInto(const T* A, size_t lda, const T* B, size_t ldb, T* C, size_t ldc, size_t m, size_t k, size_t n);

// A·B for Armadillo matrices (contiguous), A n_cols == B n_rows (throws flbench::Error otherwise).
template <typename T>
arma::Mat<T> Mul(const arma::Mat<T>& A, const arma::Mat<T>& B);

// Σ x_i² over n values (double accumulator, i ascending) and its square root.
template <typename T>
double SumSquares(const T* x, size_t n);
template <typename T>
double Norm2(const T* x, size_t n) {
  return std::sqrt(SumSquares(x, n));
}

}  // namespace flbench::theory
