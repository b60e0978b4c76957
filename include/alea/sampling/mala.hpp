#pragma once
/// @file
/// @brief The Metropolis-adjusted Langevin algorithm (MALA; Roberts and Tweedie 1996), with a
/// diagonal or dense preconditioner and a step size adapted in warm-up.
///
/// The proposal is one Langevin step (langevin.hpp) with step size h and preconditioner
/// M = L L^T (HMC's inverse metric): y = x + h M grad log p(x) + sqrt(2 h) L z, that is
/// y ~ q(. | x) = N(x + h M grad log p(x), 2 h M), accepted with probability
/// min(1, p(y) q(x | y) / (p(x) q(y | x))), so the chain leaves p exactly invariant. (Roberts
/// and Tweedie write the step as sigma^2 / 2 = h; MALA is also HMC with a single leapfrog step
/// of size sqrt(2 h).) For Gaussian-like targets in high dimension the optimal acceptance rate
/// is 0.574 (Roberts and Rosenthal 1998).
///
/// Warm-up (`adapt`) is Stan's, with MALA's acceptance probability in place of HMC's
/// (adaptation.hpp):
/// - the step size follows dual averaging toward `target_accept` (Hoffman and Gelman 2014,
///   Algorithm 5: gamma = 0.05, kappa = 0.75, t0 = 10, mu = log(10 h)), and the kept draws use
///   its averaged iterate;
/// - M (`metric` diagonal or dense) is the regularised (co)variance of the draws in Stan's
///   windows (75-iteration initial buffer, windows of 25, 50, 100, ... iterations; 15% / 75% /
///   10% for warm-ups under 250; no metric adaptation under 20 iterations), with a terminal buffer
///   of 150 iterations instead of Stan's 50: after each window dual averaging restarts from the
///   current step size (Stan first searches a new step size with leapfrog steps), and the last
///   restart needs the longer buffer to settle (measured on a 10-D normal: the acceptance rate
///   of the kept draws spread over [0.57, 0.70] across seeds with 50 iterations, [0.575, 0.65]
///   with 150). As with Stan, the kept draws' acceptance ends a little above the target:
///   averaging log h over its fluctuations gives a smaller h than the one whose mean
///   acceptance is the target.

#include <Eigen/Core>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>

#include "alea/core/checks.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/core/types.hpp"
#include "alea/sampling/adaptation.hpp"
#include "alea/sampling/chains.hpp"
#include "alea/sampling/langevin.hpp"
#include "alea/sampling/metric.hpp"
#include "alea/sampling/metropolis.hpp"
#include "alea/sampling/runner.hpp"
#include "alea/sampling/target.hpp"

namespace alea::sampling {

/// Settings of mala(); see the file comment for the adaptation.
struct MalaSettings : SampleSettings {
  /// h > 0: the starting step size when adapting, else the step size used throughout.
  double step_size = 0.1;
  /// Acceptance rate the step size adaptation aims at, in (0, 1).
  double target_accept = 0.574;
  /// Adapt the step size, and M unless the metric is unit, during warm-up.
  bool adapt = true;
  /// The form of M: unit (identity, never adapted), diagonal or dense.
  Metric metric = Metric::diagonal;
  /// The starting M: d x 1 for a diagonal metric, d x d for a dense one. Empty: identity.
  MatrixX<double> inverse_metric;
};

/// MALA (see the file comment).
///
/// @code
/// auto target = [](const auto& x) -> alea::sampling::scalar_of<decltype(x)> {
///   return -0.5 * x.squaredNorm();
/// };
/// alea::sampling::MalaSettings settings;
/// settings.metric = alea::sampling::Metric::dense;
/// auto chains = alea::sampling::mala(target, alea::sampling::InitialPoints::uniform(5),
///                                    settings);
/// @endcode
///
/// @param target a DifferentiableTarget (target.hpp). A proposal where it throws, is NaN or
///        has a non-finite gradient is rejected and counted in ChainInfo::target_failures.
/// @param init where chains start (d).
/// @return Chains with statistics lp__, accept_stat__, stepsize__ (h); ChainInfo holds the
///         final h (step_size) and M (inverse_metric: d x 1, or d x d when dense).
/// @throws InvalidArgument for step_size <= 0, target_accept outside (0, 1), an inverse_metric
///         of the wrong shape or not positive definite, bad runner settings, a wrong-sized init
///         or one where the log density or its gradient is not finite; NumericalError when the
///         warm-up estimate of M is not finite (an improper target).
template <DifferentiableTarget F>
Chains mala(const F& target, const InitialPoints& init, const MalaSettings& settings = {}) {
  constexpr std::string_view function = "alea::sampling::mala";
  const Index dim = detail::checked_dim(function, init);
  check_positive(function, "settings.step_size", settings.step_size);
  detail::check_probability_open(function, "settings.target_accept", settings.target_accept);
  const InverseMetric initial_metric = InverseMetric::from_settings(
      function, "settings.inverse_metric", settings.metric, settings.inverse_metric, dim);
  const bool adapt = settings.adapt && settings.num_warmup > 0;

  auto run_chain = [&](Index, Rng& rng, const VectorX<double>& start, ChainRecorder& recorder) {
    TargetEvaluator<F> evaluator(target);
    InverseMetric metric = initial_metric;
    detail::LangevinPreconditioner preconditioner(metric);
    std::string note;
    MetricAdaptation metric_adaptation(settings.metric, dim,
                                       AdaptationWindows(settings.num_warmup, 75, 150, 25, &note));
    StepSizeAdaptation step_adaptation(settings.target_accept);
    step_adaptation.restart(settings.step_size);
    double h = settings.step_size;

    VectorX<double> x = start, grad(dim), y(dim), grad_y(dim), z(dim);
    double lp = evaluator.initial_log_prob_and_gradient(function, x, grad);
    for (Index it = 0; it < recorder.num_iterations(); ++it) {
      const bool warming_up = recorder.warming_up();
      fill_standard_normal(rng, z);
      y = detail::langevin_mean(preconditioner, x, grad, h) +
          std::sqrt(2 * h) * preconditioner.apply_root(z);
      const double lp_y = evaluator.log_prob_and_gradient(y, grad_y);
      double accept = 0;
      if (lp_y > -std::numeric_limits<double>::infinity()) {
        // log q(y | x) = -|z|^2 / 2 and log q(x | y) = -(x - m(y))^T M^-1 (x - m(y)) / (4 h),
        // up to the same constant, m(y) being the proposal mean from y.
        const VectorX<double> back = x - detail::langevin_mean(preconditioner, y, grad_y, h);
        const double log_ratio = lp_y - lp - preconditioner.inverse_quadratic_form(back) / (4 * h) +
                                 0.5 * z.squaredNorm();
        accept = detail::acceptance_probability(log_ratio);
      }
      if (detail::metropolis_accept(rng, accept)) {
        x.swap(y);
        grad.swap(grad_y);
        lp = lp_y;
      }
      const std::array<double, 3> stats{lp, accept, h};
      if (warming_up && adapt) {
        h = step_adaptation.learn(accept);
        if (metric_adaptation.learn(x, metric, function)) {
          preconditioner = detail::LangevinPreconditioner(metric);
          step_adaptation.restart(h);
        }
        if (it + 1 == settings.num_warmup) h = step_adaptation.final_step_size();
      }
      if (!recorder.record(x, stats)) break;
    }
    ChainInfo info;
    info.step_size = h;
    info.inverse_metric = metric.matrix();
    if (adapt && !note.empty() && settings.metric != Metric::unit) info.notes.push_back(note);
    detail::record_evaluations(info, evaluator);
    return info;
  };
  return run_chains(function, settings, init, {"lp__", "accept_stat__", "stepsize__"}, run_chain);
}

}  // namespace alea::sampling
