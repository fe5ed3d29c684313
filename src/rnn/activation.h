// The elementwise activations of the Elman RNN (relu, tanh, sigmoid, cos, identity) and their derivatives,
// computed from the stored outputs h = act(z). Entry points: ParseActivation, Activate, MultiplyByDerivative.
// Tested by tests/rnn_activation_test.cc (and through the gradient checks in tests/rnn_gradient_test.cc).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace flbench {

enum class Activation { kRelu, kTanh, kSigmoid, kCos, kIdentity };

// Throws flbench::Error naming the valid activations.
Activation ParseActivation(const std::string& name);
const char* ActivationName(Activation a);
const std::vector<std::string>& ActivationNames();

// In place over n values: z ← act(z). cos is the one activation whose derivative cannot be read back from its
// output (cos z does not determine the sign of sin z), so for cos Activate also writes sin z to aux[0..n);
// aux is unused (may be null) for the others.
template <typename T>
void Activate(Activation a, T* z, T* aux, size_t n);

// In place over n values: g ← g ⊙ act'(z), with act' read from h = act(z):
// relu: [h > 0], tanh: 1 − h², sigmoid: h(1 − h), cos: −sin z (from aux), identity: 1.
template <typename T>
void MultiplyByDerivative(Activation a, const T* h, const T* aux, T* g, size_t n);

}  // namespace flbench
