// MakeOptimizer and ClipGradNorm (see optimizer.h).
#include "optim/optimizer.h"

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace flbench {

const std::vector<std::string>& OptimizerNames() {
  static const std::vector<std::string> names = {"sgd", "rmsprop", "adam"};
  return names;
}

std::unique_ptr<Optimizer> MakeOptimizer(const OptimizerConfig& c) {
  if (!(c.lr > 0) || !std::isfinite(c.lr)) throw Error("learning rate must be > 0 (got " + ShowNumber(c.lr) + ")");
  if (!(c.eps > 0)) throw Error("eps must be > 0 (got " + ShowNumber(c.eps) + ")");
  if (c.name == "sgd") {
    if (!(c.momentum >= 0 && c.momentum < 1))
      throw Error("momentum must be in [0, 1) (got " + ShowNumber(c.momentum) + ")");
    return std::make_unique<Sgd>(c.lr, c.momentum);
  }
  if (c.name == "rmsprop") {
    if (!(c.alpha >= 0 && c.alpha < 1)) throw Error("alpha must be in [0, 1) (got " + ShowNumber(c.alpha) + ")");
    return std::make_unique<RmsProp>(c.lr, c.alpha, c.eps);
  }
  if (c.name == "adam") {
    if (!(c.beta1 >= 0 && c.beta1 < 1) || !(c.beta2 >= 0 && c.beta2 < 1))
      throw Error("adam betas must be in [0, 1) (got " + ShowNumber(c.beta1) + ", " + ShowNumber(c.beta2) + ")");
    return std::make_unique<Adam>(c.lr, c.beta1, c.beta2, c.eps);
  }
  throw Error("unknown optimizer '" + c.name + "' (valid: " + Join(OptimizerNames()) + ")");
}

// The update is a few operations per parameter, done once per batch: as an Armadillo expression (std::sqrt's errno
// check keeps it scalar) it cost 2.6% of a width-8 ensemble's time in perf. sqrt and division are correctly rounded
// in both forms, so the vector loop gives the expression's bits (tests/optim_update_test.cc compares them).
void RmsProp::Step(arma::fvec& theta, const arma::fvec& grad) {
  const size_t n = grad.n_elem;
  if (square_avg_.n_elem != n) square_avg_.zeros(n);
  float* __restrict s = square_avg_.memptr();
  float* __restrict th = theta.memptr();
  const float* __restrict g = grad.memptr();
  const float a = alpha_, b = 1.0f - alpha_;
  size_t i = 0;
#if defined(__AVX2__)
  const __m256 va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b), lr = _mm256_set1_ps(lr_), eps = _mm256_set1_ps(eps_);
  for (; i + 8 <= n; i += 8) {
    const __m256 gv = _mm256_loadu_ps(g + i);
    const __m256 sv = _mm256_add_ps(_mm256_mul_ps(va, _mm256_loadu_ps(s + i)), _mm256_mul_ps(vb, _mm256_mul_ps(gv, gv)));
    _mm256_storeu_ps(s + i, sv);
    const __m256 step = _mm256_div_ps(_mm256_mul_ps(lr, gv), _mm256_add_ps(_mm256_sqrt_ps(sv), eps));
    _mm256_storeu_ps(th + i, _mm256_sub_ps(_mm256_loadu_ps(th + i), step));
  }
#endif
  for (; i < n; ++i) {
    s[i] = a * s[i] + b * (g[i] * g[i]);
    th[i] = th[i] - (lr_ * g[i]) / (std::sqrt(s[i]) + eps_);
  }
}

double ClipGradNorm(arma::fvec& grad, double max_norm) {
  double sq = 0;
  for (float g : grad) sq += double(g) * g;
  const double norm = std::sqrt(sq);
  if (max_norm > 0 && norm > max_norm && std::isfinite(norm)) grad *= float(max_norm / norm);
  return norm;
}

}  // namespace flbench
