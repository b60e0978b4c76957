#pragma once
/// @file
/// @brief Monte Carlo estimates of information measures between models: KL divergence,
/// cross-entropy and entropy, each an average over draws from p with its standard error.
///
/// For models whose densities can be evaluated but whose information measures have no closed
/// form (mixtures, kernel density estimates, flows), the expectations are estimated from n
/// draws x_1..x_n of p:
///
///     D(p || q) = E_p[log p(x) - log q(x)],   H(p, q) = -E_p[log q(x)],   H(p) = -E_p[log p(x)],
///
/// value = the sample mean of the terms, standard_error = s / sqrt(n) with s the sample standard
/// deviation (denominator n - 1): by the central limit theorem the error of the value is about
/// N(0, standard_error^2) when the terms have finite variance. The variance of the KL terms
/// shrinks as q approaches p (they are all 0 when q = p), so a KL estimate is far more precise
/// than the difference of two separately estimated cross-entropies.
///
/// Draws are taken in batches (their memory is O(batch x d), whatever n), one after another
/// from the caller's engine, so the result is a deterministic function of the engine's state.
/// Models of different scalar types mix: q evaluates p's draws converted to its scalar.
///
/// **Non-finite terms.** If q has zero density at a draw of p (log q = -infinity), the KL
/// divergence and the cross-entropy are +infinity: the estimate is {+inf, +inf} (an infinite
/// density of p at a draw makes its entropy {-inf, +inf}). A NaN term, or terms of both infinite
/// signs, throws alea::NumericalError naming the draw.
///
/// These functions take the sample size and an engine, so they never compete in overload
/// resolution with closed forms of the same name (two Gaussians, two probability vectors).
///
/// @code
/// alea::Rng rng{7};
/// alea::Gaussian<> p(mean_p, cov_p), q(mean_q, cov_q);
/// alea::info::Estimate kl = alea::info::kl_divergence(p, q, 100000, rng);
/// // kl.value +- 2 kl.standard_error covers the closed form about 95% of the time
/// @endcode

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include "alea/core/checks.hpp"
#include "alea/core/concepts.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/rng.hpp"
#include "alea/core/types.hpp"

namespace alea::info {

/// A Monte Carlo estimate and its standard error (the standard deviation of the terms over
/// sqrt(n)), in nats.
struct Estimate {
  double value;
  double standard_error;
};

namespace detail::monte_carlo {

/// Draws taken at once: big enough for vectorised log_prob, small enough for the cache.
inline constexpr Index batch_size = 4096;

/// n >= 2 draws: a sample variance needs two.
inline void check_draws(std::string_view function, Index n) {
  if (n < 2) {
    throw_invalid(function, "n is " + std::to_string(n) +
                                ", but must be at least 2 (the standard error needs a sample "
                                "variance)");
  }
}

/// q and p have one dimension: "q has dimension 1, but p has dimension 3".
inline void check_same_dimension(std::string_view function, Index q_dim, Index p_dim) {
  if (q_dim != p_dim) {
    throw_invalid(function, "q has dimension " + std::to_string(q_dim) + ", but p has dimension " +
                                std::to_string(p_dim));
  }
}

/// log q at the rows of `draws` (p's scalar), converted to q's scalar if it differs.
template <Density Q, class Draws>
VectorX<double> log_density(const Q& q, const Draws& draws) {
  using S = typename Q::Scalar;
  if constexpr (std::is_same_v<typename Draws::Scalar, S>) {
    return q.log_prob(draws).template cast<double>();
  } else {
    return q.log_prob(draws.template cast<S>().eval()).template cast<double>();
  }
}

/// Mean and standard error of terms(draws) over n draws of p, taken in batches. Each batch's
/// mean and sum of squared deviations are computed in two passes (no cancellation) and merged
/// with Chan, Golub and LeVeque's update ("Algorithms for computing the sample variance", The
/// American Statistician 37(3), 1983).
template <Sampleable P, RandomEngine G, class Terms>
Estimate average(std::string_view function, const P& p, Index n, G& rng, Terms terms) {
  check_draws(function, n);
  double mean = 0;
  double squares = 0;  // sum of squared deviations from the mean
  Index done = 0;
  bool positive_infinity = false;
  bool negative_infinity = false;
  while (done < n) {
    const Index batch = std::min(batch_size, n - done);
    const VectorX<double> values = terms(p.sample(batch, rng));
    for (Index i = 0; i < batch; ++i) {
      const double v = values(i);
      if (std::isnan(v) || (std::isinf(v) && (v > 0 ? negative_infinity : positive_infinity))) {
        throw_numerical(function, "the term at draw " + std::to_string(done + i) + " is " +
                                      alea::detail::number_text(v) +
                                      (std::isnan(v) ? "" : " and another is of opposite sign") +
                                      ": the expectation is undefined");
      }
      positive_infinity = positive_infinity || v == std::numeric_limits<double>::infinity();
      negative_infinity = negative_infinity || v == -std::numeric_limits<double>::infinity();
    }
    if (!positive_infinity && !negative_infinity) {
      const double batch_mean = values.mean();
      const double batch_squares = (values.array() - batch_mean).square().sum();
      const double total = double(done + batch);
      const double delta = batch_mean - mean;
      mean += delta * double(batch) / total;
      squares += batch_squares + delta * delta * double(done) * double(batch) / total;
    }
    done += batch;
  }
  constexpr double inf = std::numeric_limits<double>::infinity();
  if (positive_infinity) return {inf, inf};
  if (negative_infinity) return {-inf, inf};
  return {mean, std::sqrt(squares / double(n - 1) / double(n))};
}

}  // namespace detail::monte_carlo

/// Monte Carlo estimate of the Kullback-Leibler divergence D(p || q) = E_p[log p - log q], in
/// nats, from n draws of p.
/// @param p any GenerativeModel (drawn from and evaluated); @param q any Density of the same
///        dimension.
/// @param n number of draws, >= 2. @param rng the engine p draws from.
/// @return {mean of log p(x_i) - log q(x_i), its standard error}; {+inf, +inf} when q has zero
///         density at a draw.
/// @throws alea::InvalidArgument for n < 2 or different dimensions; alea::NumericalError for a
///         NaN term; whatever p.sample or the log_prob calls throw (an unfitted model).
template <GenerativeModel P, Density Q, RandomEngine G>
Estimate kl_divergence(const P& p, const Q& q, Index n, G& rng) {
  constexpr std::string_view function = "alea::info::kl_divergence";
  detail::monte_carlo::check_same_dimension(function, q.dim(), p.dim());
  return detail::monte_carlo::average(function, p, n, rng, [&](const auto& draws) {
    return VectorX<double>(detail::monte_carlo::log_density(p, draws) -
                           detail::monte_carlo::log_density(q, draws));
  });
}

/// Monte Carlo estimate of the cross-entropy H(p, q) = -E_p[log q], in nats, from n draws of p.
/// @param p any Sampleable model; @param q any Density of the same dimension.
/// @param n number of draws, >= 2. @param rng the engine p draws from.
/// @return {mean of -log q(x_i), its standard error}; {+inf, +inf} when q has zero density at a
///         draw.
/// @throws as kl_divergence.
template <Sampleable P, Density Q, RandomEngine G>
Estimate cross_entropy(const P& p, const Q& q, Index n, G& rng) {
  constexpr std::string_view function = "alea::info::cross_entropy";
  detail::monte_carlo::check_same_dimension(function, q.dim(), p.dim());
  return detail::monte_carlo::average(function, p, n, rng, [&](const auto& draws) {
    return VectorX<double>(-detail::monte_carlo::log_density(q, draws));
  });
}

/// Monte Carlo estimate of the (differential) entropy H(p) = -E_p[log p], in nats, from n draws.
/// @param p any GenerativeModel. @param n number of draws, >= 2. @param rng the engine.
/// @return {mean of -log p(x_i), its standard error}.
/// @throws alea::InvalidArgument for n < 2; alea::NumericalError for a NaN term.
template <GenerativeModel P, RandomEngine G>
Estimate entropy(const P& p, Index n, G& rng) {
  return detail::monte_carlo::average("alea::info::entropy", p, n, rng, [&](const auto& draws) {
    return VectorX<double>(-detail::monte_carlo::log_density(p, draws));
  });
}

}  // namespace alea::info
