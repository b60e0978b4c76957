#pragma once
/// @file
/// @brief Hamiltonian dynamics shared by HMC and NUTS: the settings both samplers take, the
/// phase-space point and one leapfrog step.
///
/// The Hamiltonian is H(q, p) = -log p(q) + p^T M^{-1} p / 2 (Neal 2011, "MCMC using
/// Hamiltonian dynamics", section 5.2; Stan's Euclidean metrics). A leapfrog step of size e
/// (negative: backwards in time) is Neal's equations (5.18)-(5.20): a half kick
/// p += e/2 grad log p(q), a drift q += e M^{-1} p, a half kick with the new gradient.

#include <Eigen/Core>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <string_view>

#include "alea/core/checks.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/types.hpp"
#include "alea/sampling/metric.hpp"
#include "alea/sampling/runner.hpp"

namespace alea::sampling {

/// What HMC and NUTS share, with Stan's defaults: the step size and its adaptation by dual
/// averaging (Hoffman and Gelman 2014), the metric and its windowed adaptation during warm-up.
/// NutsSettings and HmcSettings derive from it.
struct HamiltonianSettings : SampleSettings {
  /// Initial step size; with adaptation, the starting point of Stan's step-size search and of
  /// dual averaging (mu = log(10 step_size)); without, the step size used throughout.
  double step_size = 1;
  /// Each transition uses step_size * (1 + jitter * u), u ~ U(-1, 1); in [0, 1].
  double step_size_jitter = 0;
  Metric metric = Metric::diagonal;
  /// Initial inverse metric: empty = identity; d x 1 for the diagonal metric, d x d for the
  /// dense one (symmetric positive definite).
  MatrixX<double> inverse_metric;
  /// Adapt the step size and the metric during warm-up (Stan's adapt engaged).
  bool adapt_engaged = true;
  /// Average acceptance statistic dual averaging aims at (Stan's adapt delta); in (0, 1).
  double target_accept = 0.8;
  double adapt_gamma = 0.05;     ///< dual averaging: regularisation scale (> 0)
  double adapt_kappa = 0.75;     ///< dual averaging: relaxation exponent, in (0, 1]
  double adapt_t0 = 10;          ///< dual averaging: iteration offset (>= 0)
  Index adapt_init_buffer = 75;  ///< warm-up iterations before the first metric window
  Index adapt_term_buffer = 50;  ///< warm-up iterations after the last metric window
  Index adapt_window = 25;       ///< first metric window; each next one is twice as long
  /// A transition is divergent when H - H0 exceeds this (Stan's max_deltaH).
  double max_energy_error = 1000;
};

/// A point of phase space with what the dynamics needs there.
struct PhasePoint {
  VectorX<double> position;  ///< q, length d
  VectorX<double> momentum;  ///< p, length d
  VectorX<double> gradient;  ///< grad log p(q), length d
  VectorX<double> velocity;  ///< M^{-1} p (Stan's p_sharp), length d
  double log_prob = 0;       ///< log p(q); -inf where the target failed
  double kinetic = 0;        ///< p^T M^{-1} p / 2

  PhasePoint() = default;
  explicit PhasePoint(Index dim) : position(dim), momentum(dim), gradient(dim), velocity(dim) {}

  /// H = -log p(q) + K(p); +inf when not a number (Stan treats a NaN energy as infinite).
  [[nodiscard]] double hamiltonian() const {
    const double h = kinetic - log_prob;
    return std::isnan(h) ? std::numeric_limits<double>::infinity() : h;
  }
};

namespace detail {

/// velocity = M^{-1} momentum and the kinetic energy, for a metric of kind K.
template <Metric K>
inline void update_velocity(const InverseMetric& metric, PhasePoint& z) {
  if constexpr (K == Metric::unit) {
    z.kinetic = 0.5 * z.momentum.squaredNorm();
    z.velocity = z.momentum;
  } else if constexpr (K == Metric::diagonal) {
    z.velocity.array() = metric.diagonal().array() * z.momentum.array();
    z.kinetic = 0.5 * z.momentum.dot(z.velocity);
  } else {
    z.velocity.noalias() = metric.dense() * z.momentum;
    z.kinetic = 0.5 * z.momentum.dot(z.velocity);
  }
}

/// Draws a fresh momentum at z (p ~ N(0, M)) and updates velocity and kinetic energy.
template <Metric K, RandomEngine G>
inline void refresh_momentum(const InverseMetric& metric, G& rng, PhasePoint& z) {
  metric.sample_momentum(rng, z.momentum);
  update_velocity<K>(metric, z);
}

}  // namespace detail

/// One leapfrog step of size `step` (negative: backwards) for the metric kind K, in place.
/// `target` is a TargetEvaluator: a failed evaluation leaves log_prob = -inf (and the
/// Hamiltonian infinite), which the caller treats as a divergence. z.velocity and z.kinetic
/// are up to date on return. Allocates nothing.
template <Metric K, class Evaluator>
inline void leapfrog(Evaluator& target, const InverseMetric& metric, PhasePoint& z, double step) {
  const double half = 0.5 * step;
  z.momentum += half * z.gradient;
  if constexpr (K == Metric::unit) {
    z.position += step * z.momentum;
  } else if constexpr (K == Metric::diagonal) {
    z.position.array() += step * (metric.diagonal().array() * z.momentum.array());
  } else {
    z.velocity.noalias() = metric.dense() * z.momentum;
    z.position += step * z.velocity;
  }
  z.log_prob = target.log_prob_and_gradient(z.position, z.gradient);
  z.momentum += half * z.gradient;
  detail::update_velocity<K>(metric, z);
}

namespace detail {

/// The checks HMC and NUTS share; messages name `function` and the settings field.
inline void check_hamiltonian_settings(std::string_view function, const HamiltonianSettings& s) {
  check_sample_settings(function, s);
  check_positive(function, "settings.step_size", s.step_size);
  check_in_range(function, "settings.step_size_jitter", s.step_size_jitter, 0.0, 1.0);
  if (!(s.target_accept > 0 && s.target_accept < 1))
    throw_invalid(function, "settings.target_accept is " +
                                alea::detail::number_text(s.target_accept) +
                                "; expected 0 < target_accept < 1");
  check_positive(function, "settings.adapt_gamma", s.adapt_gamma);
  if (!(s.adapt_kappa > 0 && s.adapt_kappa <= 1))
    throw_invalid(function, "settings.adapt_kappa is " + alea::detail::number_text(s.adapt_kappa) +
                                "; expected 0 < adapt_kappa <= 1");
  check_nonnegative(function, "settings.adapt_t0", s.adapt_t0);
  check_nonnegative(function, "settings.adapt_init_buffer", s.adapt_init_buffer);
  check_nonnegative(function, "settings.adapt_term_buffer", s.adapt_term_buffer);
  check_positive(function, "settings.adapt_window", s.adapt_window);
  check_positive(function, "settings.max_energy_error", s.max_energy_error);
}

}  // namespace detail

}  // namespace alea::sampling
