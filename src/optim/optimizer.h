// Optimisers on a flat parameter vector: SGD (+ momentum), RMSProp, Adam, and gradient-norm clipping. They see
// only θ and its gradient, never the model. Entry points: Optimizer, MakeOptimizer, ClipGradNorm.
// Tested by tests/optim_update_test.cc.
#pragma once

#include <armadillo>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "util/error.h"
#include "util/strings.h"

namespace flbench {

struct OptimizerConfig {
  std::string name = "rmsprop";  // sgd, rmsprop, adam
  double lr = 0.01;
  double momentum = 0.0;  // sgd
  double alpha = 0.99;    // rmsprop: decay of the running mean of g²
  double beta1 = 0.9, beta2 = 0.999;  // adam
  double eps = 1e-8;      // rmsprop, adam
};

// One update rule, with its state (sized on the first Step). Update formulas follow PyTorch's torch.optim.
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual void Step(arma::fvec& theta, const arma::fvec& grad) = 0;
};

// v ← μ v + g;  θ ← θ − lr · v   (plain SGD when μ = 0).
class Sgd : public Optimizer {
 public:
  Sgd(double lr, double momentum) : lr_(float(lr)), momentum_(float(momentum)) {}
  void Step(arma::fvec& theta, const arma::fvec& grad) override {
    if (momentum_ == 0.0f) {
      theta -= lr_ * grad;
      return;
    }
    if (velocity_.n_elem != grad.n_elem) velocity_.zeros(grad.n_elem);
    velocity_ = momentum_ * velocity_ + grad;
    theta -= lr_ * velocity_;
  }

 private:
  float lr_, momentum_;
  arma::fvec velocity_;  // v, same length as θ
};

// s ← α s + (1 − α) g²;  θ ← θ − lr · g / (√s + ε).
class RmsProp : public Optimizer {
 public:
  RmsProp(double lr, double alpha, double eps) : lr_(float(lr)), alpha_(float(alpha)), eps_(float(eps)) {}
  // Element by element, in float: s = α·s + (1 − α)·(g·g), then θ = θ − (lr·g) / (√s + ε) (optimizer.cc: 8 lanes at a
  // time, each lane these IEEE operations in this order).
  void Step(arma::fvec& theta, const arma::fvec& grad) override;

 private:
  float lr_, alpha_, eps_;
  arma::fvec square_avg_;  // s, same length as θ
};

// m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;  θ ← θ − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε).
class Adam : public Optimizer {
 public:
  Adam(double lr, double beta1, double beta2, double eps) : lr_(lr), beta1_(beta1), beta2_(beta2), eps_(eps) {}
  void Step(arma::fvec& theta, const arma::fvec& grad) override {
    if (m_.n_elem != grad.n_elem) {
      m_.zeros(grad.n_elem);
      v_.zeros(grad.n_elem);
    }
    ++t_;
    const float b1 = float(beta1_), b2 = float(beta2_);
    m_ = b1 * m_ + (1.0f - b1) * grad;
    v_ = b2 * v_ + (1.0f - b2) * arma::square(grad);
    const float step = float(lr_ / (1.0 - std::pow(beta1_, t_)));           // lr / (1 − β₁ᵗ)
    const float root_correction = float(std::sqrt(1.0 - std::pow(beta2_, t_)));  // √(1 − β₂ᵗ)
    theta -= step * m_ / (arma::sqrt(v_) / root_correction + float(eps_));
  }

 private:
  double lr_, beta1_, beta2_, eps_;
  long t_ = 0;
  arma::fvec m_, v_;  // first and second moment estimates, same length as θ
};

// The optimiser names MakeOptimizer knows: sgd, rmsprop, adam.
const std::vector<std::string>& OptimizerNames();

// Throws flbench::Error for an unknown name or out-of-range hyper-parameters.
std::unique_ptr<Optimizer> MakeOptimizer(const OptimizerConfig& c);

// The gradient's 2-norm (accumulated in double). If max_norm > 0 and the norm exceeds it, scales grad to norm
// max_norm (torch.nn.utils.clip_grad_norm_). Returns the norm before clipping (NaN/Inf if grad is not finite).
double ClipGradNorm(arma::fvec& grad, double max_norm);

}  // namespace flbench
