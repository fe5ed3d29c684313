// Float tanh, exp and log1p without libm calls, so the loops that use them vectorise (a libm call per element
// costs ~10 ns and does not vectorise at -O2; perf showed tanh and log1p taking a third of a training step).
// Entry points: FastTanh, FastExp, FastLog1p, their 8-lane AVX2 forms FastTanh8, FastExp8, FastLog1p8, and the
// 16-lane AVX-512 forms FastExp16, FastLog1p16 (the same operations in the same order, one IEEE rounding each: the
// same bits as the scalar forms, lane by lane; GCC does not vectorise the scalar forms for AVX2 by itself; the vector
// forms are written once, in fast_math_vector.inc, which the lanes kernels include too). Tested by
// tests/rnn_model_test.cc (accuracy against libm, vector = scalar bit for bit).
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <iterator>

#include "rnn/simd.h"

namespace flbench {

// tanh as a rational function, odd degree 13 over even degree 6, on [−7.9, 7.9] (the form and coefficients
// Eigen uses); beyond that tanh rounds to ±1 in float. Max abs error < 1e-6.
inline constexpr float kFastTanhClamp = 7.90531110763549805f;
inline constexpr float kFastTanhP[] = {-2.76076847742355e-16f, 2.00018790482477e-13f, -8.60467152213735e-11f,
                                       5.12229709037114e-08f,  1.48572235717979e-05f, 6.37261928875436e-04f,
                                       4.89352455891786e-03f};  // numerator x · p(x²), highest power first
inline constexpr float kFastTanhQ[] = {1.19825839466702e-06f, 1.18534705686654e-04f, 2.26843463243900e-03f,
                                       4.89352518554385e-03f};  // denominator q(x²), highest power first

[[gnu::always_inline]] inline float FastTanh(float x) {
  // max then min: x < −k ? −k : (x > k ? k : x), NaN kept.
  x = std::min(std::max(x, -kFastTanhClamp), kFastTanhClamp);
  const float x2 = x * x;
  float p = kFastTanhP[0];
#pragma GCC unroll 8
  for (size_t c = 1; c < std::size(kFastTanhP); ++c) p = p * x2 + kFastTanhP[c];
  float q = kFastTanhQ[0];
#pragma GCC unroll 8
  for (size_t c = 1; c < std::size(kFastTanhQ); ++c) q = q * x2 + kFastTanhQ[c];
  return x * p / q;
}

// e^x for x ≤ 0 (inputs below −87 give e^−87 ≈ 1.6e-38): x = k·ln 2 + r with |r| ≤ ln 2 / 2, e^r by the Cephes
// expf polynomial, 2^k by writing the exponent bits. Relative error < 2e-7.
inline constexpr float kFastExpP[] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                                      4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};  // highest power first

[[gnu::always_inline]] inline float FastExp(float x) {
  x = std::max(x, -87.0f);  // x < −87 ? −87 : x
  const float kRound = 12582912.0f;  // 1.5 · 2^23: adding and subtracting it rounds to the nearest integer
  const float k = (x * 1.44269504088896341f + kRound) - kRound;
  const float r = x - k * 0.693359375f - k * -2.12194440e-4f;  // ln 2 in two parts, so r is exact
  float p = kFastExpP[0];
#pragma GCC unroll 8
  for (size_t c = 1; c < std::size(kFastExpP); ++c) p = p * r + kFastExpP[c];
  const float er = p * r * r + r + 1.0f;
  const float two_k = std::bit_cast<float>(static_cast<int32_t>((static_cast<int32_t>(k) + 127) << 23));
  return er * two_k;
}

// log(1 + e) for e ∈ [0, 1]: 2·atanh(s) with s = e / (2 + e) ∈ [0, 1/3], by its series 2s(1 + s²/3 + … + s¹²/13)
// (the first term left out is < 2e-8 relative). Relative error < 1e-7.
inline constexpr float kFastLog1pP[] = {1.0f / 13, 1.0f / 11, 1.0f / 9, 1.0f / 7, 1.0f / 5, 1.0f / 3, 1.0f};

[[gnu::always_inline]] inline float FastLog1p(float e) {
  const float s = e / (2.0f + e);
  const float s2 = s * s;
  float p = kFastLog1pP[0];
#pragma GCC unroll 8
  for (size_t c = 1; c < std::size(kFastLog1pP); ++c) p = p * s2 + kFastLog1pP[c];
  return 2.0f * s * p;
}

#if defined(__AVX2__) && defined(__FMA__)
// The scalar functions above, 8 lanes at a time (AVX2) and 16 (AVX-512, for code that runs where the CPU has it: the
// caller checks), written once in fast_math_vector.inc over rnn/simd.h's traits: the same operations in the same
// order, so the same bits as the scalar forms, lane by lane.
namespace fast_math_avx2 {
using Isa = simd::Avx2;
using V = Isa::V;
#include "rnn/fast_math_vector.inc"
}  // namespace fast_math_avx2

inline __m256 FastTanh8(__m256 x) { return fast_math_avx2::Tanh(x); }
inline __m256 FastExp8(__m256 x) { return fast_math_avx2::Exp(x); }
inline __m256 FastLog1p8(__m256 e) { return fast_math_avx2::Log1p(e); }

#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512bw,avx512dq")
namespace fast_math_avx512 {
using Isa = simd::Avx512;
using V = Isa::V;
#include "rnn/fast_math_vector.inc"
}  // namespace fast_math_avx512

inline __m512 FastExp16(__m512 x) { return fast_math_avx512::Exp(x); }
inline __m512 FastLog1p16(__m512 e) { return fast_math_avx512::Log1p(e); }
#pragma GCC pop_options
#endif

}  // namespace flbench
