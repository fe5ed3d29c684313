// Initialisation schemes; see init.h. Draws in a fixed order (W, U, b, b_hh, V, c, column-major) so a seed gives the
// same parameters everywhere.
#include "rnn/init.h"

#include <cmath>

#include "util/error.h"

namespace flbench {

const std::vector<std::string>& InitNames() {
  static const std::vector<std::string> names = {"uniform", "gaussian", "identity", "orthogonal"};
  return names;
}

Init ParseInit(const std::string& name) {
  const auto& names = InitNames();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<Init>(i);
  std::string valid;
  for (const auto& n : names) valid += (valid.empty() ? "" : ", ") + n;
  throw Error("unknown init '" + name + "' (valid: " + valid + ")");
}

const char* InitName(Init i) { return InitNames()[static_cast<int>(i)].c_str(); }

namespace {

// A uniformly random m×m orthogonal matrix: Gram–Schmidt (run twice per column, "twice is enough") on a
// Gaussian matrix. Plain loops, every sum in index order, rather than LAPACK's QR or BLAS dot/norm, so the result
// does not depend on the LAPACK or BLAS build (or the BLAS kernel the CPU selects).
arma::mat RandomOrthogonal(int m, Rng& rng) {
  arma::mat Q(m, m);  // m×m
  for (double& v : Q) v = rng.Normal();
  for (int j = 0; j < m; ++j) {
    double* qj = Q.colptr(j);
    for (int pass = 0; pass < 2; ++pass) {
      for (int k = 0; k < j; ++k) {
        const double* qk = Q.colptr(k);
        double dot = 0;
        for (int i = 0; i < m; ++i) dot += qk[i] * qj[i];
        for (int i = 0; i < m; ++i) qj[i] -= dot * qk[i];
      }
    }
    double norm = 0;
    for (int i = 0; i < m; ++i) norm += qj[i] * qj[i];
    norm = std::sqrt(norm);
    for (int i = 0; i < m; ++i) qj[i] /= norm;
  }
  return Q;
}

}  // namespace

template <typename Real>
void InitParams(const ElmanShape& shape, Init init, Rng& rng, Real* theta) {
  const int m = shape.m;
  const double bound = 1.0 / std::sqrt(static_cast<double>(m));
  auto uniform = [&](arma::Mat<Real>& M) {
    for (Real& v : M) v = static_cast<Real>(rng.Uniform(-bound, bound));
  };
  auto gaussian = [&](arma::Mat<Real>& M) {
    const double sd = std::sqrt(2.0 / m);
    for (Real& v : M) v = static_cast<Real>(sd * rng.Normal());
  };
  ParamViews<Real> p(shape, theta);
  switch (init) {
    case Init::kUniform:  // PyTorch's nn.RNN + nn.Linear defaults: every tensor U(−1/√m, 1/√m)
      uniform(p.W);
      uniform(p.U);
      uniform(p.b);
      uniform(p.b_hh);
      break;
    case Init::kGaussian:
      gaussian(p.W);
      gaussian(p.U);
      p.b.zeros();
      p.b_hh.zeros();
      break;
    case Init::kIdentity:
      p.W.eye();
      uniform(p.U);
      p.b.zeros();
      p.b_hh.zeros();
      break;
    case Init::kOrthogonal:
      p.W = arma::conv_to<arma::Mat<Real>>::from(RandomOrthogonal(m, rng));
      uniform(p.U);
      p.b.zeros();
      p.b_hh.zeros();
      break;
  }
  uniform(p.V);
  uniform(p.c);
}

template void InitParams<float>(const ElmanShape&, Init, Rng&, float*);
template void InitParams<double>(const ElmanShape&, Init, Rng&, double*);

}  // namespace flbench
