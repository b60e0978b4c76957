#pragma once
/// @file
/// @brief The unadjusted Langevin algorithm (ULA): Euler-Maruyama steps of the Langevin
/// diffusion, without a Metropolis correction, so biased by O(step size).
///
/// With step size h and preconditioner M = L L^T (the "inverse metric"),
///   x' = x + h M grad log p(x) + sqrt(2 h) L z,   z ~ N(0, I),
/// the discretisation of dX = M grad log p(X) dt + sqrt(2) L dW, whose invariant law is p
/// (Roberts and Tweedie 1996). ULA keeps every step, so its draws follow the invariant law of
/// the discretised chain instead, which differs from p by O(h) for smooth, strongly log-concave
/// targets (Dalalyan 2017; Durmus and Moulines 2017). For p = N(0, sigma^2) and M = 1 the chain
/// is the AR(1) x' = (1 - h / sigma^2) x + sqrt(2 h) z, with stationary law
/// N(0, sigma^2 / (1 - h / (2 sigma^2))): the variance is inflated by 1 / (1 - h / (2 sigma^2))
/// (1 / (1 - h/2) for a standard normal), and the chain diverges once h >= 2 sigma^2. For a
/// Gaussian target with covariance Sigma the same holds along each eigenvector of L^-1 Sigma L^-T,
/// so the step must stay below twice its smallest eigenvalue. Use mala() for exact sampling; ULA is
/// the stochastic-gradient and energy-model workhorse where a small bias buys cheap steps.

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include "alea/core/checks.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/core/types.hpp"
#include "alea/sampling/chains.hpp"
#include "alea/sampling/metric.hpp"
#include "alea/sampling/metropolis.hpp"
#include "alea/sampling/runner.hpp"
#include "alea/sampling/target.hpp"

namespace alea::sampling {

/// Settings of langevin(). Nothing adapts: warm-up iterations are only discarded.
struct LangevinSettings : SampleSettings {
  /// h > 0, the time step of the diffusion (fixed; see the file comment for the bias).
  double step_size = 0.01;
  /// The preconditioner M (HMC's inverse metric): d x 1 (a diagonal, positive) or d x d
  /// (symmetric positive definite). Empty: identity.
  MatrixX<double> inverse_metric;
};

namespace detail {

/// The preconditioner M = L L^T of a Langevin step, from an InverseMetric (metric.hpp: M is
/// what HMC calls the inverse metric, an estimate of the target's covariance).
class LangevinPreconditioner {
 public:
  explicit LangevinPreconditioner(const InverseMetric& metric) : kind_(metric.kind()) {
    if (kind_ == Metric::diagonal) {
      diagonal_ = metric.diagonal();
      root_ = diagonal_.array().sqrt();
    } else if (kind_ == Metric::dense) {
      dense_ = metric.dense();
      factor_ = Eigen::LLT<MatrixX<double>>(dense_).matrixL();
    }
  }

  /// M g.
  [[nodiscard]] VectorX<double> apply(const VectorX<double>& g) const {
    if (kind_ == Metric::dense) return dense_ * g;
    if (kind_ == Metric::diagonal) return (diagonal_.array() * g.array()).matrix();
    return g;
  }

  /// L z, a draw from N(0, M) when z ~ N(0, I).
  [[nodiscard]] VectorX<double> apply_root(const VectorX<double>& z) const {
    if (kind_ == Metric::dense) return factor_.triangularView<Eigen::Lower>() * z;
    if (kind_ == Metric::diagonal) return (root_.array() * z.array()).matrix();
    return z;
  }

  /// v^T M^{-1} v.
  [[nodiscard]] double inverse_quadratic_form(const VectorX<double>& v) const {
    if (kind_ == Metric::dense)
      return factor_.triangularView<Eigen::Lower>().solve(v).squaredNorm();
    if (kind_ == Metric::diagonal) return (v.array().square() / diagonal_.array()).sum();
    return v.squaredNorm();
  }

 private:
  Metric kind_;
  VectorX<double> diagonal_;  // M's diagonal (diagonal)
  VectorX<double> root_;      // its square root
  MatrixX<double> dense_;     // M (dense)
  MatrixX<double> factor_;    // L, the lower Cholesky factor of M (dense)
};

/// The Metric a user's inverse metric has by its shape: empty unit, d x 1 diagonal, else dense.
inline Metric metric_of_shape(const MatrixX<double>& given, Index dim) {
  if (given.size() == 0) return Metric::unit;
  return given.cols() == 1 && dim > 1 ? Metric::diagonal : Metric::dense;
}

/// The mean of the Langevin proposal from x: x + h M grad.
inline VectorX<double> langevin_mean(const LangevinPreconditioner& m, const VectorX<double>& x,
                                     const VectorX<double>& grad, double step_size) {
  return x + step_size * m.apply(grad);
}

}  // namespace detail

/// The unadjusted Langevin algorithm (see the file comment): every step kept, no
/// accept/reject, so the draws are biased by O(step_size).
///
/// @param target a DifferentiableTarget (target.hpp): analytic `grad_log_prob` or a generic
///        lambda differentiated by AutoDiff. A step to a point where it throws, is NaN or has a
///        non-finite gradient is undone (the chain stays put) and counted in
///        ChainInfo::target_failures; this adds to the bias, so a run with failures is a sign
///        that the step size is too large.
/// @param init where chains start (d).
/// @return Chains with statistic lp__; ChainInfo holds the step size and M (inverse_metric).
/// @throws InvalidArgument for step_size <= 0, a bad inverse_metric, bad runner settings, a
///         wrong-sized init or one where the log density or its gradient is not finite.
template <DifferentiableTarget F>
Chains langevin(const F& target, const InitialPoints& init, const LangevinSettings& settings = {}) {
  constexpr std::string_view function = "alea::sampling::langevin";
  const Index dim = detail::checked_dim(function, init);
  check_positive(function, "settings.step_size", settings.step_size);
  const InverseMetric metric = InverseMetric::from_settings(
      function, "settings.inverse_metric", detail::metric_of_shape(settings.inverse_metric, dim),
      settings.inverse_metric, dim);
  const detail::LangevinPreconditioner preconditioner(metric);
  const double h = settings.step_size;
  const double noise_scale = std::sqrt(2 * h);

  auto run_chain = [&](Index, Rng& rng, const VectorX<double>& start, ChainRecorder& recorder) {
    TargetEvaluator<F> evaluator(target);
    VectorX<double> x = start, grad(dim), next(dim), next_grad(dim), z(dim);
    double lp = evaluator.initial_log_prob_and_gradient(function, x, grad);
    for (Index it = 0; it < recorder.num_iterations(); ++it) {
      fill_standard_normal(rng, z);
      next = detail::langevin_mean(preconditioner, x, grad, h) +
             noise_scale * preconditioner.apply_root(z);
      const double lp_next = evaluator.log_prob_and_gradient(next, next_grad);
      if (lp_next > -std::numeric_limits<double>::infinity()) {
        x.swap(next);
        grad.swap(next_grad);
        lp = lp_next;
      }
      const std::array<double, 1> stats{lp};
      if (!recorder.record(x, stats)) break;
    }
    ChainInfo info;
    info.step_size = h;
    info.inverse_metric = metric.matrix();
    detail::record_evaluations(info, evaluator);
    return info;
  };
  return run_chains(function, settings, init, {"lp__"}, run_chain);
}

}  // namespace alea::sampling
