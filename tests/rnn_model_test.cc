// Hand-checkable tests of the Elman model's pieces: a net with hand-set weights that recognises parity exactly
// through the real forward pass and threshold (both tasks, float and double), the activations and their
// derivatives, the fast float tanh, and the initialisation schemes. Tests src/rnn/{elman,activation,init}.cc.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <vector>

#include "rnn/activation.h"
#include "rnn/elman.h"
#include "rnn/fast_math.h"
#include "rnn/init.h"
#include "util/error.h"
#include "util/rng.h"

namespace flbench {
namespace {

// Every string over {0, 1} of length len, with membership label "even number of 1s" and next-symbol targets
// (both symbols can always continue; end-of-string iff the prefix has an even number of 1s).
std::vector<Example> AllParityStrings(int len) {
  std::vector<Example> out;
  for (uint32_t bits = 0; bits < (1u << len); ++bits) {
    Example e;
    int ones = 0;
    for (int t = 0; t < len; ++t) {
      const int a = (bits >> t) & 1;
      e.x.push_back(static_cast<uint8_t>(a));
      ones += a;
      e.next.push_back(0b011u | (ones % 2 == 0 ? 0b100u : 0u));
    }
    e.label = ones % 2 == 0;
    out.push_back(e);
  }
  return out;
}

// Two relu units carry the parity p of the 1s read so far as p = u1 − 2·u2, where
// u1 = relu(p + x) and u2 = relu(p + x − 1) (so u2 = p AND x, and p' = p + x − 2·(p AND x) = p XOR x).
// Readout: y_end = 0.5 − p (> 0 iff p = 0); for next-symbol, y_0 = y_1 = 1 (always allowed).
template <typename Real>
std::vector<Real> ParityNet(const ElmanShape& s) {
  std::vector<Real> theta(s.size(), Real(0));
  ParamViews<Real> p(s, theta.data());
  p.W = {{1, -2}, {1, -2}};  // row i: u_i's weights on (u1, u2)
  p.U = {{0, 1}, {0, 1}};    // symbol 0 adds nothing, symbol 1 adds 1 to both
  p.b = {0, -1};
  const int end = s.o - 1;
  p.V(end, 0) = -1;
  p.V(end, 1) = 2;
  p.c(end) = 0.5;
  for (int a = 0; a < end; ++a) p.c(a) = 1;
  return theta;
}

template <typename Real>
void ExpectParityExact(Task task) {
  const ElmanShape s{2, 2, task == Task::kMembership ? 1 : 3, Activation::kRelu, task};
  const std::vector<Real> theta = ParityNet<Real>(s);
  ElmanRnn<Real> net(s);
  for (int len = 1; len <= 12; ++len) {
    const std::vector<Example> strings = AllParityStrings(len);
    std::vector<const Example*> ptrs;
    for (const Example& e : strings) ptrs.push_back(&e);
    EXPECT_EQ(net.Evaluate(theta.data(), ptrs, Real(1), nullptr).correct, static_cast<int>(strings.size()))
        << "length " << len;
  }
  // Flipping the readout's sign makes every membership string wrong: the threshold really is read.
  if (task == Task::kMembership) {
    std::vector<Real> flipped = theta;
    ParamViews<Real> p(s, flipped.data());
    p.V *= Real(-1);
    p.c *= Real(-1);
    const std::vector<Example> strings = AllParityStrings(6);
    std::vector<const Example*> ptrs;
    for (const Example& e : strings) ptrs.push_back(&e);
    EXPECT_EQ(net.Evaluate(flipped.data(), ptrs, Real(1), nullptr).correct, 0);
  }
}

TEST(HandSetNet, RecognisesParityMembership) {
  ExpectParityExact<double>(Task::kMembership);
  ExpectParityExact<float>(Task::kMembership);
}

TEST(HandSetNet, PredictsParityNextSymbol) {
  ExpectParityExact<double>(Task::kNextSymbol);
  ExpectParityExact<float>(Task::kNextSymbol);
}

// One string "1": loss is BCE of y = c + V·relu(b + U[:,1]) computed by hand.
TEST(HandSetNet, LossOfOneStep) {
  const ElmanShape s{2, 2, 1, Activation::kRelu, Task::kMembership};
  std::vector<double> theta = ParityNet<double>(s);  // h_1 = relu((1, 0)) = (1, 0); y = 0.5 − 1 = −0.5
  Example e;
  e.x = {1};
  e.label = 0;
  const Example* ptr = &e;
  ElmanRnn<double> net(s);
  const ShardResult r = net.Evaluate(theta.data(), std::span<const Example* const>(&ptr, 1), 1.0, nullptr);
  EXPECT_NEAR(r.loss_sum, std::log1p(std::exp(-0.5)), 1e-15);  // −log(1 − σ(−0.5))
  EXPECT_EQ(r.correct, 1);
}

TEST(Activations, ValuesAndDerivativesFromOutputs) {
  const std::vector<double> zs = {-2.5, -0.7, -0.1, 0.3, 1.2, 3.0};
  for (const std::string& name : ActivationNames()) {
    const Activation a = ParseActivation(name);
    for (double z0 : zs) {
      double z = z0, aux = 0, g = 1;
      Activate<double>(a, &z, &aux, 1);
      MultiplyByDerivative<double>(a, &z, &aux, &g, 1);
      double zp = z0 + 1e-6, zm = z0 - 1e-6, aux2 = 0;
      Activate<double>(a, &zp, &aux2, 1);
      Activate<double>(a, &zm, &aux2, 1);
      EXPECT_NEAR(g, (zp - zm) / 2e-6, 1e-8) << name << " at " << z0;
    }
  }
  double z = 0.5, aux = 0;
  Activate<double>(Activation::kSigmoid, &z, &aux, 1);
  EXPECT_NEAR(z, 1 / (1 + std::exp(-0.5)), 1e-15);
  EXPECT_THROW(ParseActivation("gelu"), Error);
  EXPECT_STREQ(ActivationName(Activation::kCos), "cos");
}

TEST(FastMath, TanhWithinOneMillionth) {
  double worst = 0;
  for (double x = -20; x <= 20; x += 1e-3) worst = std::max(worst, std::fabs(FastTanh(float(x)) - std::tanh(x)));
  EXPECT_LT(worst, 1e-6);
  EXPECT_EQ(FastTanh(0.0f), 0.0f);
  EXPECT_EQ(FastTanh(100.0f), -FastTanh(-100.0f));
}

TEST(FastMath, ExpAndLog1pRelativeError) {
  double worst_exp = 0, worst_log = 0;
  for (double x = -87; x <= 0; x += 1e-3) {
    const float xf = float(x);
    worst_exp = std::max(worst_exp, std::fabs(FastExp(xf) / std::exp(double(xf)) - 1));
  }
  for (double e = 1e-30; e <= 1; e *= 1.001) {
    const float ef = float(e);
    worst_log = std::max(worst_log, std::fabs(FastLog1p(ef) / std::log1p(double(ef)) - 1));
  }
  EXPECT_LT(worst_exp, 3e-7);
  EXPECT_LT(worst_log, 3e-7);
  EXPECT_EQ(FastExp(0.0f), 1.0f);
  EXPECT_GT(FastExp(-1000.0f), 0.0f);  // clamped, never 0 or denormal garbage
  EXPECT_EQ(FastLog1p(0.0f), 0.0f);
}

TEST(Init, Schemes) {
  const ElmanShape s{64, 3, 4, Activation::kTanh, Task::kNextSymbol};
  std::vector<double> theta(s.size());
  const double bound = 1 / std::sqrt(64.0);

  Rng rng(3);
  InitParams(s, Init::kUniform, rng, theta.data());
  for (double v : theta) EXPECT_LE(std::fabs(v), bound);

  InitParams(s, Init::kIdentity, rng, theta.data());
  ParamViews<double> p(s, theta.data());
  EXPECT_TRUE(arma::approx_equal(p.W, arma::eye(64, 64), "absdiff", 0.0));
  EXPECT_TRUE(p.b.is_zero());

  InitParams(s, Init::kOrthogonal, rng, theta.data());
  EXPECT_LT(arma::abs(p.W.t() * p.W - arma::eye(64, 64)).max(), 1e-12);

  InitParams(s, Init::kGaussian, rng, theta.data());
  const double var = arma::accu(arma::square(p.W)) / (64.0 * 64.0);
  EXPECT_NEAR(var, 2.0 / 64, 0.1 * 2.0 / 64);  // 4096 draws: the sample variance is within 10% (seeded)

  // The same seed gives the same parameters.
  std::vector<double> again(s.size());
  Rng a(11), b(11);
  InitParams(s, Init::kGaussian, a, theta.data());
  InitParams(s, Init::kGaussian, b, again.data());
  EXPECT_EQ(theta, again);
  EXPECT_THROW(ParseInit("xavier"), Error);
}

}  // namespace
}  // namespace flbench

#if defined(__AVX2__)
namespace flbench {
namespace {

// The 8-lane forms give the scalar forms' bits on every input tried: a dense sweep, both signs, the clamps, tiny and
// huge values, ±0, ±inf and NaN (NaN must stay NaN where the scalar form keeps it).
TEST(FastMath, VectorFormsEqualScalarFormsBitForBit) {
  std::vector<float> xs = {0.0f, -0.0f, 1e-30f, -1e-30f, 7.9053111f, -7.9053111f, 8.0f, -8.0f, 87.0f, -87.0f, -88.0f,
                           -1e30f, 1e30f, std::numeric_limits<float>::infinity(),
                           -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()};
  for (float x = -100.0f; x <= 100.0f; x += 0.0137f) xs.push_back(x);
  while (xs.size() % 8) xs.push_back(0.5f);
  auto bits = [](float v) { return std::bit_cast<uint32_t>(v); };
  for (size_t i = 0; i < xs.size(); i += 8) {
    float tanh8[8], exp8[8], log8[8], ein[8], lin[8];
    const __m256 x = _mm256_loadu_ps(&xs[i]);
    _mm256_storeu_ps(tanh8, FastTanh8(x));
    const __m256 xe = _mm256_min_ps(_mm256_setzero_ps(), x);  // FastExp is for x ≤ 0
    const __m256 xl = _mm256_min_ps(_mm256_set1_ps(1.0f), _mm256_max_ps(_mm256_setzero_ps(), x));  // log1p: [0, 1]
    _mm256_storeu_ps(ein, xe);
    _mm256_storeu_ps(lin, xl);
    _mm256_storeu_ps(exp8, FastExp8(xe));
    _mm256_storeu_ps(log8, FastLog1p8(xl));
    for (int k = 0; k < 8; ++k) {
      const float v = xs[i + k];
      const float ve = ein[k], vl = lin[k];
      EXPECT_EQ(bits(tanh8[k]), bits(FastTanh(v))) << "tanh " << v;
      if (!std::isnan(v)) {
        EXPECT_EQ(bits(exp8[k]), bits(FastExp(ve))) << "exp " << ve;
        EXPECT_EQ(bits(log8[k]), bits(FastLog1p(vl))) << "log1p " << vl;
      }
    }
  }
}

// The 16-lane AVX-512 forms of exp and log1p give the 8-lane (and so the scalar) forms' bits, on CPUs that have them.
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512bw,avx512dq")
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
void Apply16(const float* xe, const float* xl, float* exp16, float* log16) {
  _mm512_storeu_ps(exp16, FastExp16(_mm512_loadu_ps(xe)));
  _mm512_storeu_ps(log16, FastLog1p16(_mm512_loadu_ps(xl)));
}
#pragma GCC diagnostic pop
#pragma GCC pop_options

TEST(FastMath, Avx512FormsEqualAvx2FormsBitForBit) {
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512dq"))
    GTEST_SKIP() << "no AVX-512 on this CPU";
  std::vector<float> xs = {0.0f, -0.0f, 1e-30f, -1e-30f, -87.0f, -88.0f, -1e30f, 1.0f,
                           -std::numeric_limits<float>::infinity(), 0.5f};
  for (float x = -100.0f; x <= 1.0f; x += 0.0071f) xs.push_back(x);
  while (xs.size() % 16) xs.push_back(-0.25f);
  auto bits = [](float v) { return std::bit_cast<uint32_t>(v); };
  for (size_t i = 0; i < xs.size(); i += 16) {
    float xe[16], xl[16], exp16[16], log16[16], exp8[16], log8[16];
    for (int k = 0; k < 16; ++k) {
      xe[k] = std::min(0.0f, xs[i + k]);
      xl[k] = std::min(1.0f, std::max(0.0f, -xs[i + k]));
    }
    Apply16(xe, xl, exp16, log16);
    for (int h = 0; h < 2; ++h) {
      _mm256_storeu_ps(exp8 + 8 * h, FastExp8(_mm256_loadu_ps(xe + 8 * h)));
      _mm256_storeu_ps(log8 + 8 * h, FastLog1p8(_mm256_loadu_ps(xl + 8 * h)));
    }
    for (int k = 0; k < 16; ++k) {
      EXPECT_EQ(bits(exp16[k]), bits(exp8[k])) << "exp " << xe[k];
      EXPECT_EQ(bits(log16[k]), bits(log8[k])) << "log1p " << xl[k];
    }
  }
}

}  // namespace
}  // namespace flbench
#endif
