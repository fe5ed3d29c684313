// MakeOptimizer and ClipGradNorm (see optimizer.h).
#include "optim/optimizer.h"

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

double ClipGradNorm(arma::fvec& grad, double max_norm) {
  double sq = 0;
  for (float g : grad) sq += double(g) * g;
  const double norm = std::sqrt(sq);
  if (max_norm > 0 && norm > max_norm && std::isfinite(norm)) grad *= float(max_norm / norm);
  return norm;
}

}  // namespace flbench
