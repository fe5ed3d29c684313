// InitParams (rnn/init.h) for every scheme: the exact draw order against a hand-rolled loop over the same Rng
// stream, shapes (which blocks are drawn, zero or identity), sample moments with bounds that hold for the fixed
// seed (and are a few standard errors wide, so a wrong scale fails), orthogonality against a plain-loop
// Gram–Schmidt reference, float = double rounded, and determinism per seed.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "rnn/elman.h"
#include "rnn/init.h"
#include "util/error.h"

namespace flbench {
namespace {

const std::vector<Init> kAllInits = {Init::kUniform, Init::kGaussian, Init::kIdentity, Init::kOrthogonal};

ElmanShape Shape(int m, int d, int o) {
  ElmanShape s;
  s.m = m;
  s.d = d;
  s.o = o;
  return s;
}

// Offsets of the blocks of the flat vector [W | U | b | b_hh | V | c], each column-major (elman.h); "b" covers
// both hidden biases (b_hh only with two biases).
struct Blocks {
  size_t W, U, b, V, c, end;
  explicit Blocks(const ElmanShape& s)
      : W(0),
        U(size_t(s.m) * s.m),
        b(U + size_t(s.m) * s.d),
        V(b + s.m * (s.two_biases ? 2 : 1)),
        c(V + size_t(s.o) * s.m),
        end(c + s.o) {}
};

template <typename Real>
std::vector<Real> Draw(const ElmanShape& s, Init init, uint64_t seed) {
  std::vector<Real> theta(s.size(), Real(-99));
  Rng rng(seed);
  InitParams(s, init, rng, theta.data());
  return theta;
}

// The reference: the documented schemes written as one loop over the flat vector, drawing from the same stream
// in the documented order (W, U, b, b_hh, V, c). Orthogonal W is Gram–Schmidt in plain loops (below).
std::vector<double> GramSchmidtReference(int m, Rng& rng);

std::vector<double> Reference(const ElmanShape& s, Init init, uint64_t seed) {
  const Blocks k(s);
  const double bound = 1 / std::sqrt(double(s.m)), sd = std::sqrt(2.0 / s.m);
  Rng rng(seed);
  std::vector<double> theta(s.size());
  if (init == Init::kOrthogonal) {
    const std::vector<double> Q = GramSchmidtReference(s.m, rng);
    std::copy(Q.begin(), Q.end(), theta.begin());
  }
  for (size_t i = 0; i < k.end; ++i) {
    const bool in_W = i < k.U, in_U = i >= k.U && i < k.b, in_b = i >= k.b && i < k.V;
    const size_t row = i % s.m, col = i / s.m;  // inside W
    switch (init) {
      case Init::kUniform:
        theta[i] = rng.Uniform(-bound, bound);
        break;
      case Init::kGaussian:
        theta[i] = in_W || in_U ? sd * rng.Normal() : in_b ? 0.0 : rng.Uniform(-bound, bound);
        break;
      case Init::kIdentity:
        theta[i] = in_W ? (row == col ? 1.0 : 0.0) : in_b ? 0.0 : rng.Uniform(-bound, bound);
        break;
      case Init::kOrthogonal:
        if (!in_W) theta[i] = in_b ? 0.0 : rng.Uniform(-bound, bound);
        break;
    }
  }
  return theta;
}

// Classical Gram–Schmidt, each projection pass run twice, on an m×m matrix of normals filled column by column.
std::vector<double> GramSchmidtReference(int m, Rng& rng) {
  std::vector<std::vector<double>> col(m, std::vector<double>(m));
  for (int j = 0; j < m; ++j)
    for (int i = 0; i < m; ++i) col[j][i] = rng.Normal();
  for (int j = 0; j < m; ++j) {
    for (int pass = 0; pass < 2; ++pass)
      for (int k = 0; k < j; ++k) {
        double dot = 0;
        for (int i = 0; i < m; ++i) dot += col[k][i] * col[j][i];
        for (int i = 0; i < m; ++i) col[j][i] -= dot * col[k][i];
      }
    double norm = 0;
    for (int i = 0; i < m; ++i) norm += col[j][i] * col[j][i];
    norm = std::sqrt(norm);
    for (int i = 0; i < m; ++i) col[j][i] /= norm;
  }
  std::vector<double> flat;
  for (int j = 0; j < m; ++j) flat.insert(flat.end(), col[j].begin(), col[j].end());
  return flat;
}

TEST(InitParams, FollowsTheDocumentedDrawOrderForEveryScheme) {
  ElmanShape one_bias = Shape(16, 3, 4);
  one_bias.two_biases = false;
  for (const ElmanShape& s : {Shape(5, 2, 1), Shape(16, 3, 4), Shape(1, 1, 1), Shape(40, 2, 3), one_bias}) {
    for (Init init : kAllInits) {
      const std::vector<double> got = Draw<double>(s, init, 17), want = Reference(s, init, 17);
      ASSERT_EQ(got.size(), want.size());
      // Every scheme draws the same doubles in the same order and sums in the same order: exact.
      const double tol = 0.0;
      for (size_t i = 0; i < got.size(); ++i)
        EXPECT_NEAR(got[i], want[i], tol) << InitName(init) << " m=" << s.m << " index " << i;
    }
  }
}

TEST(InitParams, FillsEveryParameterAndNothingElse) {
  const ElmanShape s = Shape(7, 3, 4);
  for (Init init : kAllInits) {
    std::vector<double> theta(s.size() + 2, -99.0);  // one guard value after the vector
    Rng rng(5);
    InitParams(s, init, rng, theta.data());
    for (size_t i = 0; i < s.size(); ++i) EXPECT_NE(theta[i], -99.0) << InitName(init) << " index " << i;
    EXPECT_EQ(theta[s.size()], -99.0) << InitName(init) << " wrote past the end";
  }
}

TEST(InitParams, UniformBoundAndMoments) {
  // m = 64: bound 1/8. All 64·64 + 64·3 + 64 + 4·64 + 4 = 4612 values lie in [−1/8, 1/8); their mean and variance
  // (b²/3 = 1/192 for a uniform) are within bounds that hold for seed 3 and are ~3 standard errors wide.
  const ElmanShape s = Shape(64, 3, 4);
  const std::vector<double> theta = Draw<double>(s, Init::kUniform, 3);
  const double bound = 0.125;
  double sum = 0, sq = 0, lo = 1, hi = -1;
  for (double v : theta) {
    ASSERT_GE(v, -bound);
    ASSERT_LT(v, bound);
    sum += v;
    sq += v * v;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  const double n = theta.size(), mean = sum / n, var = sq / n - mean * mean;
  EXPECT_LT(std::fabs(mean), 3 * std::sqrt(bound * bound / 3 / n));  // 3 standard errors: 0.0032
  EXPECT_NEAR(var / (bound * bound / 3), 1.0, 0.04);                  // sd of var/(b²/3) is √(0.8/n) = 0.013
  EXPECT_LT(lo, -0.124);  // the range is used (4612 draws leave a gap of ~b/2300 at each end)
  EXPECT_GT(hi, 0.124);
}

TEST(InitParams, GaussianScaleAndMoments) {
  // W, U ~ N(0, 2/m): for m = 128 and d = 4, 128·128 + 128·4 = 16896 draws. The sample variance / (2/m) has
  // standard error √(2/n) = 0.011; bounds at 0.035 (3 se) hold for seed 3 and fail for a scale off by 4%.
  // Kurtosis near 3 (a Gaussian, not a uniform at 1.8). b = 0; V, c uniform in ±1/√m.
  const ElmanShape s = Shape(128, 4, 2);
  const Blocks k(s);
  const std::vector<double> theta = Draw<double>(s, Init::kGaussian, 3);
  const double n = double(k.b - k.W);
  double sum = 0, sq = 0, q = 0;
  for (size_t i = k.W; i < k.b; ++i) sum += theta[i];
  const double mean = sum / n;
  for (size_t i = k.W; i < k.b; ++i) {
    const double d = theta[i] - mean;
    sq += d * d;
    q += d * d * d * d;
  }
  const double var = sq / n, kurtosis = q / n / (var * var);
  EXPECT_LT(std::fabs(mean), 3 * std::sqrt(2.0 / 128 / n));
  EXPECT_NEAR(var / (2.0 / 128), 1.0, 0.035);
  EXPECT_NEAR(kurtosis, 3.0, 0.15);
  for (size_t i = k.b; i < k.V; ++i) EXPECT_EQ(theta[i], 0.0);
  for (size_t i = k.V; i < k.end; ++i) EXPECT_LE(std::fabs(theta[i]), 1 / std::sqrt(128.0));
}

TEST(InitParams, IdentityWAndZeroBias) {
  const ElmanShape s = Shape(9, 2, 3);
  const Blocks k(s);
  for (uint64_t seed : {1, 2}) {
    std::vector<double> theta = Draw<double>(s, Init::kIdentity, seed);
    ParamViews<double> p(s, theta.data());
    for (int i = 0; i < 9; ++i)
      for (int j = 0; j < 9; ++j) EXPECT_EQ(p.W(i, j), i == j ? 1.0 : 0.0);
    for (size_t i = k.b; i < k.V; ++i) EXPECT_EQ(theta[i], 0.0);
    for (size_t i = k.U; i < k.b; ++i) EXPECT_LE(std::fabs(theta[i]), 1 / 3.0);
  }
}

TEST(InitParams, OrthogonalWIsOrthogonalAndNotTheIdentity) {
  for (int m : {1, 2, 8, 64}) {
    const ElmanShape s = Shape(m, 2, 1);
    const Blocks k(s);
    std::vector<double> theta = Draw<double>(s, Init::kOrthogonal, 4);
    ParamViews<double> p(s, theta.data());
    double worst = 0;  // max |WᵀW − I| and |WWᵀ − I| entries, by plain loops
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < m; ++j) {
        double wtw = 0, wwt = 0;
        for (int r = 0; r < m; ++r) {
          wtw += p.W(r, i) * p.W(r, j);
          wwt += p.W(i, r) * p.W(j, r);
        }
        worst = std::max({worst, std::fabs(wtw - (i == j)), std::fabs(wwt - (i == j))});
      }
    EXPECT_LT(worst, 1e-13) << "m = " << m;
    for (size_t i = k.b; i < k.V; ++i) EXPECT_EQ(theta[i], 0.0);
    if (m >= 8) {
      double off_diagonal = 0;
      for (int i = 0; i < m; ++i)
        for (int j = 0; j < m; ++j)
          if (i != j) off_diagonal = std::max(off_diagonal, std::fabs(p.W(i, j)));
      EXPECT_GT(off_diagonal, 0.1) << "a random rotation, not a signed permutation";
    }
  }
  // m = 1: the only orthogonal 1×1 matrices are ±1.
  std::vector<double> one = Draw<double>(Shape(1, 1, 1), Init::kOrthogonal, 9);
  EXPECT_EQ(std::fabs(one[0]), 1.0);
}

TEST(InitParams, FloatIsTheDoubleDrawRounded) {
  // Drawn in double, then rounded: a float and a double net from one seed agree exactly up to that rounding.
  const ElmanShape s = Shape(12, 3, 4);
  for (Init init : kAllInits) {
    const std::vector<double> d = Draw<double>(s, init, 23);
    const std::vector<float> f = Draw<float>(s, init, 23);
    for (size_t i = 0; i < d.size(); ++i) EXPECT_EQ(f[i], static_cast<float>(d[i])) << InitName(init) << " " << i;
  }
}

TEST(InitParams, SameSeedSameThetaOtherSeedOtherTheta) {
  const ElmanShape s = Shape(10, 2, 1);
  for (Init init : kAllInits) {
    EXPECT_EQ(Draw<double>(s, init, 31), Draw<double>(s, init, 31)) << InitName(init);
    EXPECT_NE(Draw<double>(s, init, 31), Draw<double>(s, init, 32)) << InitName(init);
  }
  // The rng advances: two draws from one Rng differ (no hidden reseeding), and a second call continues the stream.
  Rng rng(31);
  std::vector<double> a(s.size()), b(s.size());
  InitParams(s, Init::kUniform, rng, a.data());
  InitParams(s, Init::kUniform, rng, b.data());
  EXPECT_NE(a, b);
  EXPECT_EQ(a, Draw<double>(s, Init::kUniform, 31));
}

TEST(InitNames, ParseAndNameRoundTrip) {
  EXPECT_EQ(InitNames(), (std::vector<std::string>{"uniform", "gaussian", "identity", "orthogonal"}));
  for (Init init : kAllInits) EXPECT_EQ(ParseInit(InitName(init)), init);
  try {
    ParseInit("xavier");
    FAIL() << "xavier accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "unknown init 'xavier' (valid: uniform, gaussian, identity, orthogonal)");
  }
}

}  // namespace
}  // namespace flbench
