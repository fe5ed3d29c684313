// Activate and MultiplyByDerivative (rnn/activation.h) for every activation, float and double, against libm in
// long double and against central finite differences of libm; edge values (0, ±tiny, large |z|), array lengths that
// are not a multiple of the 16-wide blocks, cos's aux (sin z), and the names.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "rnn/activation.h"
#include "util/error.h"

namespace flbench {
namespace {

const std::vector<Activation> kAll = {Activation::kRelu, Activation::kTanh, Activation::kSigmoid, Activation::kCos,
                                      Activation::kIdentity};

// The obviously-correct definitions, in long double from libm.
long double Reference(Activation a, long double z) {
  switch (a) {
    case Activation::kRelu: return z > 0 ? z : 0;
    case Activation::kTanh: return std::tanh(z);
    case Activation::kSigmoid: return 1 / (1 + std::exp(-z));
    case Activation::kCos: return std::cos(z);
    case Activation::kIdentity: return z;
  }
  return NAN;
}

// Central difference of the reference in long double (step 1e-6: truncation error ~ f''' h² / 6 < 1e-12).
long double ReferenceSlope(Activation a, long double z) {
  const long double h = 1e-6L;
  return (Reference(a, z + h) - Reference(a, z - h)) / (2 * h);
}

// Values including 0, tiny, moderate and large |z| (where tanh and sigmoid saturate), in an odd count (37 > 2·16)
// so that both the 16-wide blocks and the scalar tail of ForEachIndex run.
std::vector<double> Inputs() {
  std::vector<double> z = {0.0,   1e-30, -1e-30, 1e-7, -1e-7, 0.1,   -0.1,  0.5,  -0.5,   1.0,  -1.0,  2.0,   -2.0,
                           3.0,   -3.0,  5.0,    -5.0, 7.9,   -7.9,  8.0,   -8.0, 10.0,   -10.0, 15.0, -15.0, 20.0,
                           -20.0, 40.0,  -40.0,  88.0, -88.0, 100.0, -100.0, 1e4, -1e4,   0.75, -2.25};
  return z;
}

template <typename T>
struct Tolerance;
template <>
struct Tolerance<double> {
  static constexpr double value = 4e-16;  // libm double, and σ via tanh(z/2): a couple of ulps of 1
};
template <>
struct Tolerance<float> {
  static constexpr double value = 1.2e-6;  // FastTanh (< 1e-6) plus float rounding of the result
};

template <typename T>
class ActivationTest : public ::testing::Test {};
using Reals = ::testing::Types<float, double>;
TYPED_TEST_SUITE(ActivationTest, Reals);

TYPED_TEST(ActivationTest, ValuesMatchLibm) {
  using T = TypeParam;
  const std::vector<double> zs = Inputs();
  for (Activation a : kAll) {
    std::vector<T> z(zs.begin(), zs.end()), aux(zs.size(), T(-7));
    Activate<T>(a, z.data(), aux.data(), z.size());
    for (size_t i = 0; i < zs.size(); ++i) {
      const long double zi = static_cast<T>(zs[i]);  // the input as the net holds it
      const long double want = Reference(a, zi);
      // cos of a large argument: absolute error relative to |z| ulp is what libm guarantees; compare in T.
      EXPECT_NEAR(static_cast<double>(z[i]), static_cast<double>(want), Tolerance<T>::value)
          << ActivationName(a) << " at z = " << zs[i];
      if (a == Activation::kCos) {
        EXPECT_NEAR(static_cast<double>(aux[i]), static_cast<double>(std::sin(zi)), Tolerance<T>::value)
            << "aux must hold sin z, at z = " << zs[i];
      }
    }
  }
}

TYPED_TEST(ActivationTest, ExactWhereExactnessIsPromised) {
  using T = TypeParam;
  const std::vector<double> zs = Inputs();
  std::vector<T> relu(zs.begin(), zs.end()), id(zs.begin(), zs.end());
  Activate<T>(Activation::kRelu, relu.data(), nullptr, relu.size());  // aux unused: may be null
  Activate<T>(Activation::kIdentity, id.data(), nullptr, id.size());
  for (size_t i = 0; i < zs.size(); ++i) {
    const T z = static_cast<T>(zs[i]);
    EXPECT_EQ(relu[i], z > 0 ? z : T(0));
    EXPECT_EQ(id[i], z);
  }
  // tanh(0) = 0, σ(0) = 1/2, cos 0 = 1 with sin 0 = 0, exactly.
  T t = 0, s = 0, c = 0, aux = 1;
  Activate<T>(Activation::kTanh, &t, nullptr, 1);
  Activate<T>(Activation::kSigmoid, &s, nullptr, 1);
  Activate<T>(Activation::kCos, &c, &aux, 1);
  EXPECT_EQ(t, T(0));
  EXPECT_EQ(s, T(0.5));
  EXPECT_EQ(c, T(1));
  EXPECT_EQ(aux, T(0));
}

TYPED_TEST(ActivationTest, OutputsStayInRangeAtLargeInputs) {
  // 1 − h² and h(1 − h) must never go negative, so h must stay within [−1, 1] (tanh) and [0, 1] (σ), and saturate.
  using T = TypeParam;
  const std::vector<double> zs = Inputs();
  std::vector<T> th(zs.begin(), zs.end()), sg(zs.begin(), zs.end());
  Activate<T>(Activation::kTanh, th.data(), nullptr, th.size());
  Activate<T>(Activation::kSigmoid, sg.data(), nullptr, sg.size());
  for (size_t i = 0; i < zs.size(); ++i) {
    EXPECT_LE(std::fabs(th[i]), T(1)) << zs[i];
    EXPECT_GE(sg[i], T(0)) << zs[i];
    EXPECT_LE(sg[i], T(1)) << zs[i];
    EXPECT_EQ(std::signbit(th[i]), std::signbit(static_cast<T>(zs[i]))) << zs[i];  // odd, sign kept (±0 too)
    // 1 − tanh 20 = 8e-18 and σ(−40) = 4e-18: saturated to within the tolerance from there on.
    if (std::fabs(zs[i]) >= 20) {
      EXPECT_NEAR(std::fabs(static_cast<double>(th[i])), 1.0, Tolerance<T>::value) << zs[i];
    }
    if (std::fabs(zs[i]) >= 40) {
      EXPECT_NEAR(static_cast<double>(sg[i]), zs[i] > 0 ? 1.0 : 0.0, Tolerance<T>::value) << zs[i];
    }
  }
}

TYPED_TEST(ActivationTest, DerivativeFromOutputsMatchesFiniteDifferences) {
  using T = TypeParam;
  const std::vector<double> zs = Inputs();
  // Arbitrary incoming gradients of both signs: the derivative multiplies g, it does not overwrite it.
  std::vector<double> g0(zs.size());
  for (size_t i = 0; i < g0.size(); ++i) g0[i] = (i % 3 == 0 ? -1.5 : 0.25) + 0.01 * i;
  for (Activation a : kAll) {
    std::vector<T> h(zs.begin(), zs.end()), aux(zs.size()), g(g0.begin(), g0.end());
    Activate<T>(a, h.data(), aux.data(), h.size());
    MultiplyByDerivative<T>(a, h.data(), aux.data(), g.data(), g.size());
    for (size_t i = 0; i < zs.size(); ++i) {
      const long double z = static_cast<T>(zs[i]);
      if (a == Activation::kRelu && z == 0) {
        EXPECT_EQ(g[i], T(0)) << "relu'(0) is taken as 0 (h = 0 is not > 0)";
        continue;
      }
      if (a == Activation::kRelu && std::fabs(z) < 1e-6L) continue;  // the kink lies inside the difference step
      const long double slope = ReferenceSlope(a, z);
      const double want = static_cast<double>(static_cast<long double>(static_cast<T>(g0[i])) * slope);
      // float: the derivative is read from a float h, so 1 − h² carries h's error (≤ 2·1.2e-6) times |g| ≤ 1.9.
      const double tol = std::is_same_v<T, float> ? 5e-6 : 1e-9;
      EXPECT_NEAR(static_cast<double>(g[i]), want, tol) << ActivationName(a) << " at z = " << zs[i];
    }
  }
}

TYPED_TEST(ActivationTest, DerivativeSignsAndSaturation) {
  using T = TypeParam;
  const std::vector<double> zs = Inputs();
  for (Activation a : {Activation::kTanh, Activation::kSigmoid}) {
    std::vector<T> h(zs.begin(), zs.end()), g(zs.size(), T(1));
    Activate<T>(a, h.data(), nullptr, h.size());
    MultiplyByDerivative<T>(a, h.data(), nullptr, g.data(), g.size());
    for (size_t i = 0; i < zs.size(); ++i) {
      EXPECT_GE(g[i], T(0)) << ActivationName(a) << " at " << zs[i];  // monotone: never a negative slope
      EXPECT_LE(g[i], a == Activation::kTanh ? T(1) : T(0.25)) << ActivationName(a) << " at " << zs[i];
      if (std::fabs(zs[i]) >= 40) {
        EXPECT_LT(g[i], T(1e-6)) << ActivationName(a) << " at " << zs[i];
      }
    }
  }
  // relu: g passes where z > 0, is zeroed elsewhere; identity: g unchanged. Exactly.
  std::vector<T> h(zs.begin(), zs.end()), g(zs.size(), T(-2.5)), gi(zs.size(), T(-2.5));
  Activate<T>(Activation::kRelu, h.data(), nullptr, h.size());
  MultiplyByDerivative<T>(Activation::kRelu, h.data(), nullptr, g.data(), g.size());
  MultiplyByDerivative<T>(Activation::kIdentity, h.data(), nullptr, gi.data(), gi.size());
  for (size_t i = 0; i < zs.size(); ++i) {
    EXPECT_EQ(g[i], static_cast<T>(zs[i]) > 0 ? T(-2.5) : T(0)) << zs[i];
    EXPECT_EQ(gi[i], T(-2.5));
  }
}

TYPED_TEST(ActivationTest, CosDerivativeComesFromAuxNotFromTheOutput) {
  // cos(π − 0.3) = cos(π + 0.3) but the slopes −sin z are opposite: only aux can tell them apart.
  using T = TypeParam;
  const double pi = 3.14159265358979323846;
  std::vector<T> h = {static_cast<T>(pi - 0.3), static_cast<T>(pi + 0.3)}, aux(2), g = {T(1), T(1)};
  Activate<T>(Activation::kCos, h.data(), aux.data(), 2);
  EXPECT_NEAR(static_cast<double>(h[0]), static_cast<double>(h[1]), 1e-6);
  MultiplyByDerivative<T>(Activation::kCos, h.data(), aux.data(), g.data(), 2);
  EXPECT_NEAR(static_cast<double>(g[0]), -std::sin(pi - 0.3), 1e-6);
  EXPECT_NEAR(static_cast<double>(g[1]), -std::sin(pi + 0.3), 1e-6);
  EXPECT_LT(g[0], T(0));
  EXPECT_GT(g[1], T(0));
  // The derivative reads aux only: the same aux with a different h gives the same result.
  std::vector<T> other_h = {T(0.123), T(-0.9)}, g2 = {T(2), T(-3)};
  MultiplyByDerivative<T>(Activation::kCos, other_h.data(), aux.data(), g2.data(), 2);
  EXPECT_EQ(g2[0], T(2) * -aux[0]);
  EXPECT_EQ(g2[1], T(-3) * -aux[1]);
}

TYPED_TEST(ActivationTest, EmptyInputTouchesNothing) {
  using T = TypeParam;
  T z = T(3), aux = T(4), g = T(5);
  for (Activation a : kAll) {
    Activate<T>(a, &z, &aux, 0);
    MultiplyByDerivative<T>(a, &z, &aux, &g, 0);
  }
  EXPECT_EQ(z, T(3));
  EXPECT_EQ(aux, T(4));
  EXPECT_EQ(g, T(5));
}

TEST(ActivationNames, ParseAndNameRoundTrip) {
  ASSERT_EQ(ActivationNames().size(), kAll.size());
  for (Activation a : kAll) EXPECT_EQ(ParseActivation(ActivationName(a)), a);
  EXPECT_EQ(ActivationNames(), (std::vector<std::string>{"relu", "tanh", "sigmoid", "cos", "identity"}));
}

TEST(ActivationNames, UnknownNameListsTheValidOnes) {
  try {
    ParseActivation("gelu");
    FAIL() << "gelu accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "unknown activation 'gelu' (valid: relu, tanh, sigmoid, cos, identity)");
  }
  EXPECT_THROW(ParseActivation("Tanh"), Error);  // names are case-sensitive
  EXPECT_THROW(ParseActivation(""), Error);
}

}  // namespace
}  // namespace flbench
