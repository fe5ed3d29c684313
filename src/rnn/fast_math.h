// Float tanh, exp and log1p without libm calls, so the loops that use them vectorise (a libm call per element
// costs ~10 ns and does not vectorise at -O2; perf showed tanh and log1p taking a third of a training step).
// Entry points: FastTanh, FastExp, FastLog1p. Tested by tests/rnn_model_test.cc (accuracy against libm).
#pragma once

#include <bit>
#include <cstdint>

namespace flbench {

// tanh as a rational function, odd degree 13 over even degree 6, on [−7.9, 7.9] (the form and coefficients
// Eigen uses); beyond that tanh rounds to ±1 in float. Max abs error < 1e-6.
inline float FastTanh(float x) {
  const float kClamp = 7.90531110763549805f;
  x = x < -kClamp ? -kClamp : (x > kClamp ? kClamp : x);
  const float x2 = x * x;
  float p = -2.76076847742355e-16f;  // numerator: x · p(x²)
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  float q = 1.19825839466702e-06f;  // denominator: q(x²)
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  return x * p / q;
}

// e^x for x ≤ 0 (inputs below −87 give e^−87 ≈ 1.6e-38): x = k·ln 2 + r with |r| ≤ ln 2 / 2, e^r by the Cephes
// expf polynomial, 2^k by writing the exponent bits. Relative error < 2e-7.
inline float FastExp(float x) {
  x = x < -87.0f ? -87.0f : x;
  const float kRound = 12582912.0f;  // 1.5 · 2^23: adding and subtracting it rounds to the nearest integer
  const float k = (x * 1.44269504088896341f + kRound) - kRound;
  const float r = x - k * 0.693359375f - k * -2.12194440e-4f;  // ln 2 in two parts, so r is exact
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float er = p * r * r + r + 1.0f;
  const float two_k = std::bit_cast<float>(static_cast<int32_t>((static_cast<int32_t>(k) + 127) << 23));
  return er * two_k;
}

// log(1 + e) for e ∈ [0, 1]: 2·atanh(s) with s = e / (2 + e) ∈ [0, 1/3], by its series 2s(1 + s²/3 + … + s¹²/13)
// (the first term left out is < 2e-8 relative). Relative error < 1e-7.
inline float FastLog1p(float e) {
  const float s = e / (2.0f + e);
  const float s2 = s * s;
  float p = 1.0f / 13;
  p = p * s2 + 1.0f / 11;
  p = p * s2 + 1.0f / 9;
  p = p * s2 + 1.0f / 7;
  p = p * s2 + 1.0f / 5;
  p = p * s2 + 1.0f / 3;
  p = p * s2 + 1.0f;
  return 2.0f * s * p;
}

}  // namespace flbench
