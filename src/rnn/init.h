// Initial parameters of the Elman RNN, drawn from a seeded Rng (in double, then rounded to the net's scalar, so
// float and double nets from one seed agree up to rounding). Entry points: ParseInit, InitParams.
// Tested by tests/rnn_init_test.cc.
#pragma once

#include <string>
#include <vector>

#include "rnn/elman.h"
#include "util/rng.h"

namespace flbench {

// uniform:    every parameter ~ U(−1/√m, 1/√m) (PyTorch's nn.RNN and nn.Linear default).
// gaussian:   W, U ~ N(0, 2/m) (the theory papers' initialisation), b = 0; V, c uniform as above.
// identity:   W = I, b = 0 (IRNN, Le et al. 2015); U, V, c uniform as above.
// orthogonal: W a uniformly random orthogonal matrix (Gram–Schmidt of a Gaussian matrix), b = 0; U, V, c uniform.
enum class Init { kUniform, kGaussian, kIdentity, kOrthogonal };

Init ParseInit(const std::string& name);  // throws flbench::Error naming the valid inits
const char* InitName(Init i);
const std::vector<std::string>& InitNames();

// Fills theta[0 .. shape.size()) for `shape` with the given scheme, drawing from rng.
template <typename Real>
void InitParams(const ElmanShape& shape, Init init, Rng& rng, Real* theta);

}  // namespace flbench
