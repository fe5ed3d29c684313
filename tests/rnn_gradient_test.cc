// Checks ElmanRnn (src/rnn/elman.cc) against a slow scalar reference forward written here, and its analytic
// gradient against central finite differences of that reference, for every activation × task × init, on random
// small nets and strings of mixed lengths (double precision, relative error < 1e-5). Also float vs double.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "rnn/elman.h"
#include "rnn/init.h"
#include "util/rng.h"

namespace flbench {
namespace {

// Strings of lengths 1, 2, 5 and 7 (three of each) over d symbols, random labels and random next-symbol masks:
// the gradient does not care whether the targets come from a language.
std::vector<std::vector<Example>> RandomGroups(int d, int o, uint64_t seed) {
  Rng rng(seed);
  std::vector<std::vector<Example>> groups;
  for (int len : {1, 2, 5, 7}) {
    std::vector<Example> g(3);
    for (Example& e : g) {
      for (int t = 0; t < len; ++t) e.x.push_back(static_cast<uint8_t>(rng.Below(d)));
      e.label = static_cast<uint8_t>(rng.Below(2));
      for (int t = 0; t < len; ++t) e.next.push_back(static_cast<uint32_t>(rng.Below(1u << o)));
    }
    groups.push_back(std::move(g));
  }
  return groups;
}

double Act(Activation a, double z) {
  switch (a) {
    case Activation::kRelu: return z > 0 ? z : 0;
    case Activation::kTanh: return std::tanh(z);
    case Activation::kSigmoid: return 1 / (1 + std::exp(-z));
    case Activation::kCos: return std::cos(z);
    case Activation::kIdentity: return z;
  }
  return 0;
}

// −log σ(y) = softplus(−y) for target 1, −log(1 − σ(y)) = softplus(y) for target 0.
double Softplus(double v) { return v > 0 ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v)); }
double Bce(double y, int target) { return target ? Softplus(-y) : Softplus(y); }

// The reference: one string at a time, scalar loops straight from the definition. Returns Σ BCE over all groups;
// *min_abs_z = the smallest |pre-activation| seen (relu's kink).
double ReferenceLoss(const ElmanShape& s, const std::vector<double>& theta,
                     const std::vector<std::vector<Example>>& groups, double* min_abs_z = nullptr) {
  const int m = s.m, d = s.d, o = s.o;
  const double* W = theta.data();           // m×m
  const double* U = W + m * m;              // m×d
  const double* b = U + m * d;              // m
  const double* b_hh = b + m;               // m (two biases only)
  const double* V = b_hh + (s.two_biases ? m : 0);  // o×m
  const double* c = V + o * m;              // o
  double loss = 0, min_z = 1e300;
  for (const auto& g : groups) {
    for (const Example& e : g) {
      std::vector<double> h(m, 0.0), next(m);
      for (size_t t = 0; t < e.x.size(); ++t) {
        for (int i = 0; i < m; ++i) {
          double z = U[e.x[t] * m + i] + b[i] + (s.two_biases ? b_hh[i] : 0.0);
          for (int k = 0; k < m; ++k) z += W[k * m + i] * h[k];
          min_z = std::min(min_z, std::fabs(z));
          next[i] = Act(s.act, z);
        }
        h = next;
        const bool read = s.task == Task::kNextSymbol || t + 1 == e.x.size();
        for (int a = 0; read && a < o; ++a) {
          double y = c[a];
          for (int k = 0; k < m; ++k) y += V[k * o + a] * h[k];
          const int target = s.task == Task::kNextSymbol ? (e.next[t] >> a) & 1 : e.label;
          loss += Bce(y, target);
        }
      }
    }
  }
  if (min_abs_z) *min_abs_z = min_z;
  return loss;
}

template <typename Real>
double ModelLossAndGradient(const ElmanShape& s, const std::vector<Real>& theta,
                            const std::vector<std::vector<Example>>& groups, std::vector<Real>* grad) {
  ElmanRnn<Real> net(s);
  grad->assign(theta.size(), Real(0));
  double loss = 0;
  for (const auto& g : groups) {
    std::vector<const Example*> ptrs;
    for (const Example& e : g) ptrs.push_back(&e);
    loss += net.Evaluate(theta.data(), ptrs, Real(1), grad->data()).loss_sum;
  }
  return loss;
}

struct Case {
  Activation act;
  Task task;
  Init init;
  bool two_biases;
};

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string name = std::string(ActivationName(info.param.act)) + "_" +
                     (info.param.task == Task::kMembership ? "membership" : "next") + "_" + InitName(info.param.init) + (info.param.two_biases ? "" : "_onebias");
  return name;
}

class GradientCheck : public ::testing::TestWithParam<Case> {};

TEST_P(GradientCheck, AnalyticMatchesFiniteDifferences) {
  const Case k = GetParam();
  ElmanShape s{4, 3, k.task == Task::kMembership ? 1 : 4, k.act, k.task, k.two_biases};
  // Pick the first seed whose nets keep every pre-activation ≥ 1e-4 away from relu's kink (any seed otherwise).
  std::vector<double> theta(s.size());
  std::vector<std::vector<Example>> groups;
  double min_z = 0;
  uint64_t seed = 1;
  for (;; ++seed) {
    ASSERT_LT(seed, 200u) << "no seed keeps the relu pre-activations off the kink";
    Rng rng(seed);
    InitParams(s, k.init, rng, theta.data());
    for (size_t i = 2 * s.m * s.m; i < theta.size(); ++i) theta[i] += 0.3 * rng.Normal();  // biases, V, c not all 0
    groups = RandomGroups(s.d, s.o, seed);
    ReferenceLoss(s, theta, groups, &min_z);
    if (k.act != Activation::kRelu || min_z > 1e-4) break;
  }

  std::vector<double> grad;
  const double loss = ModelLossAndGradient(s, theta, groups, &grad);
  EXPECT_NEAR(loss, ReferenceLoss(s, theta, groups), 1e-12 * std::fabs(loss)) << "forward disagrees with reference";

  const double h = 1e-5;
  double worst = 0;
  size_t worst_i = 0;
  for (size_t i = 0; i < theta.size(); ++i) {
    std::vector<double> plus = theta, minus = theta;
    plus[i] += h;
    minus[i] -= h;
    const double numeric = (ReferenceLoss(s, plus, groups) - ReferenceLoss(s, minus, groups)) / (2 * h);
    const double rel = std::fabs(grad[i] - numeric) / std::max({std::fabs(grad[i]), std::fabs(numeric), 1e-4});
    if (rel > worst) {
      worst = rel;
      worst_i = i;
    }
  }
  EXPECT_LT(worst, 1e-5) << "worst coordinate " << worst_i << " of " << theta.size() << " (seed " << seed << ")";
}

std::vector<Case> AllCases() {
  std::vector<Case> cases;
  for (Activation a : {Activation::kRelu, Activation::kTanh, Activation::kSigmoid, Activation::kCos, Activation::kIdentity})
    for (Task t : {Task::kMembership, Task::kNextSymbol})
      for (Init i : {Init::kUniform, Init::kGaussian, Init::kIdentity, Init::kOrthogonal})
        for (bool two : {true, false})
          if (two || i == Init::kUniform) cases.push_back({a, t, i, two});  // one bias: the layout, once per act × task
  return cases;
}

INSTANTIATE_TEST_SUITE_P(AllActivationsTasksInits, GradientCheck, ::testing::ValuesIn(AllCases()), CaseName);

// The float net (fast tanh, the AVX2 products) computes the same loss and gradient as the double one, to float accuracy.
TEST(ElmanFloat, AgreesWithDouble) {
  for (Activation a : {Activation::kTanh, Activation::kSigmoid, Activation::kRelu, Activation::kCos}) {
    ElmanShape s{16, 3, 4, a, Task::kNextSymbol};
    Rng rng(7);
    std::vector<double> theta(s.size());
    InitParams(s, Init::kUniform, rng, theta.data());
    const auto groups = RandomGroups(s.d, s.o, 7);
    std::vector<float> theta_f(theta.begin(), theta.end());
    std::vector<double> grad;
    std::vector<float> grad_f;
    const double loss = ModelLossAndGradient(s, theta, groups, &grad);
    const double loss_f = ModelLossAndGradient(s, theta_f, groups, &grad_f);
    EXPECT_NEAR(loss_f, loss, 1e-5 * loss) << ActivationName(a);
    double max_g = 0, max_diff = 0;
    for (size_t i = 0; i < grad.size(); ++i) {
      max_g = std::max(max_g, std::fabs(grad[i]));
      max_diff = std::max(max_diff, std::fabs(grad[i] - grad_f[i]));
    }
    EXPECT_LT(max_diff, 1e-4 * max_g) << ActivationName(a);
  }
}

}  // namespace
}  // namespace flbench
