// Gemm (src/rnn/gemm.h): the vector path equals the scalar reference bit for bit over shapes that exercise every
// block and tail (rows 1…40, columns 1…13, K 0…70), every stride form the trainer uses, overwrite and accumulate;
// and the reference equals a literal fma chain computed here.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "rnn/gemm.h"
#include "util/rng.h"

namespace flbench {
namespace {

std::vector<float> Random(size_t n, Rng& rng) {
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(rng.Normal());
  return v;
}

bool SameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// B as K×N column-major (bk = 1, bj = K) or as the transpose of an N×K column-major matrix (bk = N, bj = 1).
void CheckShape(int M, int N, int K, bool transposed_b, bool accumulate, Rng& rng) {
  const int lda = M + 3;  // a leading dimension larger than M, as for a view into a bigger matrix
  const auto A = Random(size_t(lda) * std::max(K, 1), rng);
  const auto B = Random(size_t(std::max(K, 1)) * N, rng);
  const ptrdiff_t bk = transposed_b ? N : 1, bj = transposed_b ? 1 : K;
  const auto C0 = Random(size_t(M + 2) * N, rng);
  std::vector<float> fast = C0, ref = C0;
  ForceScalarGemm(false);
  Gemm<float>(M, N, K, A.data(), lda, B.data(), bk, bj, fast.data(), M + 2, accumulate);
  GemmReference<float>(M, N, K, A.data(), lda, B.data(), bk, bj, ref.data(), M + 2, accumulate);
  ASSERT_TRUE(SameBits(fast, ref)) << "M=" << M << " N=" << N << " K=" << K << " transposed=" << transposed_b
                                   << " accumulate=" << accumulate << " path=" << GemmPath();
}

TEST(Gemm, VectorPathEqualsReferenceBitForBit) {
  Rng rng(11);
  for (int M : {1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 40})
    for (int N : {1, 2, 5, 6, 7, 12, 13})
      for (int K : {0, 1, 3, 8, 17, 70})
        for (bool t : {false, true})
          for (bool acc : {false, true}) CheckShape(M, N, K, t, acc, rng);
}

TEST(Gemm, WideProductsEqualReference) {
  Rng rng(12);
  CheckShape(128, 16, 128, false, true, rng);
  CheckShape(128, 128, 400, true, true, rng);
  CheckShape(3, 400, 64, false, false, rng);
}

TEST(Gemm, ReferenceIsTheFmaChainInOrder) {
  // One element by hand: acc = fma(a2, b2, fma(a1, b1, fma(a0, b0, 0))), then C + acc.
  const float A[3] = {1.0f / 3, 1e8f, -1e8f};  // column-major 1×3
  const float B[3] = {3.0f, 1.0f, 1.0f};
  float C = 0.25f;
  GemmReference<float>(1, 1, 3, A, 1, B, 1, 3, &C, 1, true);
  const float expected = 0.25f + std::fma(-1e8f, 1.0f, std::fma(1e8f, 1.0f, std::fma(1.0f / 3, 3.0f, 0.0f)));
  EXPECT_EQ(C, expected);
  // A different order would give another answer here: (1e8 − 1e8) + 1 = 1 vs 1e8 + 1 − 1e8 = 0 in float.
  EXPECT_NE(std::fma(1.0f / 3, 3.0f, 0.0f) + 1e8f - 1e8f, std::fma(1.0f / 3, 3.0f, 0.0f));
}

TEST(Gemm, ScalarPathCanBeForcedAndGivesTheSameBits) {
  Rng rng(13);
  const auto A = Random(32 * 32, rng), B = Random(32 * 16, rng);
  std::vector<float> c1(32 * 16), c2(32 * 16);
  ForceScalarGemm(true);
  EXPECT_STREQ(GemmPath(), "scalar");
  Gemm<float>(32, 16, 32, A.data(), 32, B.data(), 1, 32, c1.data(), 32, false);
  ForceScalarGemm(false);
  Gemm<float>(32, 16, 32, A.data(), 32, B.data(), 1, 32, c2.data(), 32, false);
  EXPECT_TRUE(SameBits(c1, c2)) << GemmPath();
}

}  // namespace
}  // namespace flbench
