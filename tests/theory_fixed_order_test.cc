// theory/fixed_order: MulInto and Mul give exactly the bits of the obvious triple loop with the written-down
// order (p ascending, one fma per term) for every block shape and edge, agree with Armadillo's BLAS product to
// rounding, and SumSquares/Norm2 match their reference sums.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "theory/fixed_order.h"
#include "util/error.h"

namespace flbench::theory {
namespace {

// The slow, obviously-correct reference: the documented order, one element at a time.
template <typename T>
arma::Mat<T> ReferenceMul(const arma::Mat<T>& A, const arma::Mat<T>& B) {
  arma::Mat<T> C(A.n_rows, B.n_cols);
  for (arma::uword i = 0; i < A.n_rows; ++i)
    for (arma::uword j = 0; j < B.n_cols; ++j) {
      T c = T(0);
      for (arma::uword p = 0; p < A.n_cols; ++p) c = std::fma(A(i, p), B(p, j), c);
      C(i, j) = c;
    }
  return C;
}

template <typename T>
bool SameBits(const arma::Mat<T>& a, const arma::Mat<T>& b) {
  if (a.n_rows != b.n_rows || a.n_cols != b.n_cols) return false;
  for (arma::uword k = 0; k < a.n_elem; ++k)
    if (std::memcmp(&a[k], &b[k], sizeof(T)) != 0) return false;
  return true;
}

template <typename T>
void CheckShapes() {
  arma::arma_rng::set_seed(7);
  // Rows around the 8-row block, columns around the 6-column block, depth around the 128-term pass.
  for (arma::uword m : {1u, 7u, 8u, 9u, 24u, 37u})
    for (arma::uword n : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 13u})
      for (arma::uword k : {1u, 5u, 127u, 128u, 129u, 300u}) {
        const arma::Mat<T> A = arma::randn<arma::Mat<T>>(m, k), B = arma::randn<arma::Mat<T>>(k, n);
        const arma::Mat<T> C = Mul(A, B);
        ASSERT_TRUE(SameBits(C, ReferenceMul(A, B))) << "m=" << m << " n=" << n << " k=" << k;
        const double tol = (sizeof(T) == 4 ? 1e-4 : 1e-12) * std::sqrt(static_cast<double>(k)) * 4;
        EXPECT_LE(arma::abs(arma::conv_to<arma::mat>::from(C - A * B)).max(), tol) << m << "x" << k << "x" << n;
      }
}

TEST(FixedOrderTest, MulMatchesTheReferenceBitForBitDouble) { CheckShapes<double>(); }
TEST(FixedOrderTest, MulMatchesTheReferenceBitForBitFloat) { CheckShapes<float>(); }

TEST(FixedOrderTest, MulIntoWorksOnSubmatricesWithLeadingDimensions) {
  arma::arma_rng::set_seed(3);
  const arma::mat A = arma::randn(20, 30), B = arma::randn(40, 12);
  arma::mat C(25, 12, arma::fill::value(99.0));
  // C(2..11, 1..5) = A(3..12, 4..20) · B(5..21, 0..4)
  MulInto(A.colptr(4) + 3, A.n_rows, B.memptr() + 5, B.n_rows, C.colptr(1) + 2, C.n_rows, 10, 17, 5);
  const arma::mat want = ReferenceMul<double>(A.submat(3, 4, 12, 20), B.submat(5, 0, 21, 4));
  EXPECT_TRUE(SameBits<double>(C.submat(2, 1, 11, 5), want));
  EXPECT_EQ(C(0, 0), 99.0);  // nothing outside the block is written
  EXPECT_EQ(C(12, 1), 99.0);
  EXPECT_EQ(C(2, 6), 99.0);
}

TEST(FixedOrderTest, DegenerateShapesAndMismatch) {
  EXPECT_TRUE(arma::all(arma::vectorise(Mul(arma::mat(3, 0), arma::mat(0, 2))) == 0));
  EXPECT_EQ(Mul(arma::mat(0, 4), arma::mat(4, 2)).n_elem, 0u);
  EXPECT_THROW(Mul(arma::mat(3, 4), arma::mat(5, 2)), Error);
}

TEST(FixedOrderTest, SumSquaresInIndexOrder) {
  const std::vector<double> x{3, 4, 1e-8, -2};
  double s = 0;
  for (double v : x) s = std::fma(v, v, s);
  EXPECT_EQ(SumSquares(x.data(), x.size()), s);
  EXPECT_EQ(Norm2(x.data(), 2), 5.0);
  const std::vector<float> f{3.0f, 4.0f};
  EXPECT_EQ(Norm2(f.data(), f.size()), 5.0);
  EXPECT_EQ(SumSquares<double>(nullptr, 0), 0.0);
}

}  // namespace
}  // namespace flbench::theory
