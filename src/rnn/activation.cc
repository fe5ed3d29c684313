// Activations and their derivatives from stored outputs; see activation.h. Each function switches once on the
// activation and then runs a plain loop over the values (ForEachIndex, so GCC vectorises it; float tanh/sigmoid via
// FastTanh; double uses libm, as gradient checks want the exact functions).
#include "rnn/activation.h"

#include <cmath>
#include <type_traits>

#include "rnn/fast_math.h"
#include "rnn/simd_loop.h"
#include "util/error.h"

namespace flbench {

const std::vector<std::string>& ActivationNames() {
  static const std::vector<std::string> names = {"relu", "tanh", "sigmoid", "cos", "identity"};
  return names;
}

Activation ParseActivation(const std::string& name) {
  const auto& names = ActivationNames();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<Activation>(i);
  std::string valid;
  for (const auto& n : names) valid += (valid.empty() ? "" : ", ") + n;
  throw Error("unknown activation '" + name + "' (valid: " + valid + ")");
}

const char* ActivationName(Activation a) { return ActivationNames()[static_cast<int>(a)].c_str(); }

namespace {

inline float Tanh(float x) { return FastTanh(x); }
inline double Tanh(double x) { return std::tanh(x); }
}  // namespace

// tanh and sigmoid over floats, 8 lanes at a time (FastTanh8: the same bits as FastTanh), the tail scalar.
[[gnu::noinline]] void TanhFloats(float* __restrict z, size_t n, bool sigmoid) {
  size_t i = 0;
#if defined(__AVX2__)
  const __m256 half = _mm256_set1_ps(0.5f);
  for (; i + 8 <= n; i += 8) {
    const __m256 x = _mm256_loadu_ps(z + i);
    _mm256_storeu_ps(z + i, sigmoid ? _mm256_add_ps(half, _mm256_mul_ps(half, FastTanh8(_mm256_mul_ps(half, x))))
                                    : FastTanh8(x));
  }
#endif
  for (; i < n; ++i) z[i] = sigmoid ? 0.5f + 0.5f * FastTanh(0.5f * z[i]) : FastTanh(z[i]);
}

template <typename T>
void Activate(Activation a, T* __restrict z, T* __restrict aux, size_t n) {
  if constexpr (std::is_same_v<T, float>) {
    if (a == Activation::kTanh || a == Activation::kSigmoid) return TanhFloats(z, n, a == Activation::kSigmoid);
  }
  switch (a) {
    case Activation::kRelu:
      ForEachIndex(n, [&](size_t i) { z[i] = z[i] > T(0) ? z[i] : T(0); });
      break;
    case Activation::kTanh:
      ForEachIndex(n, [&](size_t i) { z[i] = Tanh(z[i]); });
      break;
    case Activation::kSigmoid:  // σ(z) = (1 + tanh(z/2)) / 2
      ForEachIndex(n, [&](size_t i) { z[i] = T(0.5) + T(0.5) * Tanh(T(0.5) * z[i]); });
      break;
    case Activation::kCos:
      for (size_t i = 0; i < n; ++i) {
        aux[i] = std::sin(z[i]);
        z[i] = std::cos(z[i]);
      }
      break;
    case Activation::kIdentity:
      break;
  }
}

template <typename T>
void MultiplyByDerivative(Activation a, const T* __restrict h, const T* __restrict aux, T* __restrict g, size_t n) {
  switch (a) {
    case Activation::kRelu:
      ForEachIndex(n, [&](size_t i) { g[i] = h[i] > T(0) ? g[i] : T(0); });
      break;
    case Activation::kTanh:
      ForEachIndex(n, [&](size_t i) { g[i] *= T(1) - h[i] * h[i]; });
      break;
    case Activation::kSigmoid:
      ForEachIndex(n, [&](size_t i) { g[i] *= h[i] * (T(1) - h[i]); });
      break;
    case Activation::kCos:
      ForEachIndex(n, [&](size_t i) { g[i] *= -aux[i]; });
      break;
    case Activation::kIdentity:
      break;
  }
}

template void Activate<float>(Activation, float*, float*, size_t);
template void Activate<double>(Activation, double*, double*, size_t);
template void MultiplyByDerivative<float>(Activation, const float*, const float*, float*, size_t);
template void MultiplyByDerivative<double>(Activation, const double*, const double*, double*, size_t);

}  // namespace flbench
