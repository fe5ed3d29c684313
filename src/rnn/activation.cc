// Activations and their derivatives from stored outputs; see activation.h. Each function switches once on the
// activation and then runs a plain loop over the values, which the compiler vectorises (float tanh/sigmoid via
// FastTanh; double uses libm, as gradient checks want the exact functions).
#include "rnn/activation.h"

#include <cmath>

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

inline float TanhApprox(float x) {
  const float kClamp = 7.90531110763549805f;  // beyond this tanh rounds to ±1 in float
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

inline float Tanh(float x) { return TanhApprox(x); }
inline double Tanh(double x) { return std::tanh(x); }
}  // namespace

float FastTanh(float x) { return TanhApprox(x); }

template <typename T>
void Activate(Activation a, T* z, T* aux, size_t n) {
  switch (a) {
    case Activation::kRelu:
      for (size_t i = 0; i < n; ++i) z[i] = z[i] > T(0) ? z[i] : T(0);
      break;
    case Activation::kTanh:
      for (size_t i = 0; i < n; ++i) z[i] = Tanh(z[i]);
      break;
    case Activation::kSigmoid:  // σ(z) = (1 + tanh(z/2)) / 2
      for (size_t i = 0; i < n; ++i) z[i] = T(0.5) + T(0.5) * Tanh(T(0.5) * z[i]);
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
void MultiplyByDerivative(Activation a, const T* h, const T* aux, T* g, size_t n) {
  switch (a) {
    case Activation::kRelu:
      for (size_t i = 0; i < n; ++i) g[i] = h[i] > T(0) ? g[i] : T(0);
      break;
    case Activation::kTanh:
      for (size_t i = 0; i < n; ++i) g[i] *= T(1) - h[i] * h[i];
      break;
    case Activation::kSigmoid:
      for (size_t i = 0; i < n; ++i) g[i] *= h[i] * (T(1) - h[i]);
      break;
    case Activation::kCos:
      for (size_t i = 0; i < n; ++i) g[i] *= -aux[i];
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
