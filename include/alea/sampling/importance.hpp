#pragma once
/// @file
/// @brief Importance sampling: self-normalised estimates with their Monte Carlo standard errors,
/// Kish's effective sample size, the log evidence with its standard error, and Pareto smoothing
/// with the k-hat diagnostic.
///
/// Draws x_1..x_n from a proposal q weigh w_i = p~(x_i) / q(x_i) for a target p~ known up to its
/// normaliser Z = int p~. Then
/// - Z-hat = mean(w) is unbiased for Z; the log evidence is log Z-hat = log_sum_exp(log w) -
///   log n, with the delta-method standard error sd(w) / (sqrt(n) mean(w)) (raw weights);
/// - E_p[f] is estimated by the self-normalised sum_i w~_i f(x_i), w~ = w / sum w, with the
///   delta-method (ratio estimator) standard error sqrt(sum_i w~_i^2 (f(x_i) - estimate)^2)
///   (Owen 2013, "Monte Carlo theory, methods and examples", section 9.2; the same variance
///   the loo R package's E_loo() reports for Pareto smoothed weights);
/// - Kish's effective sample size is (sum w)^2 / sum w^2 = 1 / sum w~^2.
/// With settings.pareto_smoothing (the default) the estimates use PSIS-smoothed weights
/// (psis.hpp), which lowers their variance at a small bias; k-hat is computed either way and
/// says whether any of the estimates can be trusted (k-hat <= 0.7, see PsisResult). The log
/// evidence always uses the raw weights, whose mean is unbiased.
///
/// A target that throws or returns NaN at a draw gives that draw weight 0, counted in
/// target_failures (TargetEvaluator); a target that is -inf there is simply outside its support.
///
/// @code
/// alea::Rng rng{1};
/// auto target = [](const alea::VectorX<double>& x) { return -0.5 * x.squaredNorm(); };
/// alea::Gaussian<> q(alea::VectorX<double>::Zero(2), 4.0 * alea::MatrixX<double>::Identity(2, 2));
/// auto r = alea::sampling::importance_sampling(target, q, 4000, rng);
/// auto m = r.mean();  // m.value ~ (0, 0), m.mcse its standard errors
/// // r.log_evidence ~ log(2 pi), r.ess, r.psis.k_hat
/// @endcode

#include <Eigen/Core>
#include <cmath>
#include <concepts>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "alea/core/checks.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/log_space.hpp"
#include "alea/core/rng.hpp"
#include "alea/core/types.hpp"
#include "alea/sampling/proposal.hpp"
#include "alea/sampling/psis.hpp"
#include "alea/sampling/target.hpp"

namespace alea::sampling {

/// Settings of importance_sampling.
struct ImportanceSettings {
  /// Estimates (weights, ess, expectation) use Pareto smoothed weights; k-hat is computed
  /// whatever this says.
  bool pareto_smoothing = true;
};

/// A self-normalised estimate and its Monte Carlo standard error, one entry per component.
struct ImportanceEstimate {
  VectorX<double> value;  ///< m estimates
  VectorX<double> mcse;   ///< m Monte Carlo standard errors
};

/// What importance_sampling returns.
struct ImportanceResult {
  MatrixX<double> draws;  ///< n x d draws from the proposal, one per row
  /// n raw log weights log p~(x_i) - log q(x_i); -inf where the target is -inf or failed.
  VectorX<double> log_weights;
  /// n normalised weights (summing to 1) used by the estimates: Pareto smoothed when
  /// ImportanceSettings::pareto_smoothing, raw otherwise.
  VectorX<double> weights;
  double ess = 0;           ///< Kish's effective sample size of `weights`, 1 / sum w~^2, in [1, n]
  double log_evidence = 0;  ///< log Z-hat = log_sum_exp(log_weights) - log n
  double log_evidence_se = 0;  ///< sd(w) / (sqrt(n) mean(w)) of the raw weights (delta method)
  /// PSIS of log_weights: k_hat, its threshold and verdict (good), the smoothed log weights.
  PsisResult psis;
  Index target_evaluations = 0;    ///< calls of the target
  Index target_failures = 0;       ///< draws where the target threw or returned NaN (weight 0)
  std::vector<std::string> notes;  ///< what went wrong, if anything (failures, a large k-hat)

  /// The self-normalised estimate of E_p[f(x)] and its standard error (see the file comment).
  /// @param f callable on a draw (`const VectorX<double>&`, length d) returning a double or an
  ///        Eigen vector of a fixed length m; it is not called at draws of weight 0.
  /// @throws alea::InvalidArgument when f returns vectors of different lengths, or a value that
  ///         is not finite at a draw of positive weight.
  template <class Function>
  [[nodiscard]] ImportanceEstimate expectation(const Function& f) const {
    constexpr std::string_view function = "alea::sampling::ImportanceResult::expectation";
    const Index n = draws.rows();
    MatrixX<double> values;  // n x m, rows of weight-0 draws left at 0
    for (Index i = 0; i < n; ++i) {
      if (!(weights(i) > 0)) continue;
      const VectorX<double> x = draws.row(i).transpose();
      VectorX<double> fx;
      if constexpr (std::is_arithmetic_v<
                        std::invoke_result_t<const Function&, const VectorX<double>&>>) {
        fx = VectorX<double>::Constant(1, static_cast<double>(f(x)));
      } else {
        fx = f(x);
      }
      if (values.size() == 0) values = MatrixX<double>::Zero(n, fx.size());
      if (fx.size() != values.cols()) {
        throw_invalid(function, "f returned " + std::to_string(values.cols()) +
                                    " values at an earlier draw but " + std::to_string(fx.size()) +
                                    " at draw " + std::to_string(i));
      }
      if (!fx.allFinite()) {
        throw_invalid(function, "f is not finite at draw " + std::to_string(i) +
                                    ", which has positive weight");
      }
      values.row(i) = fx.transpose();
    }
    ImportanceEstimate out;
    out.value = values.transpose() * weights;
    const MatrixX<double> centred = values.rowwise() - out.value.transpose();
    // Rows of weight 0 contribute nothing: their weight is 0 in both sums.
    out.mcse = (centred.array().square().colwise() * weights.array().square())
                   .colwise()
                   .sum()
                   .sqrt()
                   .transpose();
    return out;
  }

  /// The estimate of E_p[x] (d entries) and its standard errors.
  [[nodiscard]] ImportanceEstimate mean() const {
    return expectation([](const VectorX<double>& x) -> VectorX<double> { return x; });
  }

  /// The self-normalised estimate of Cov_p[x], sum_i w~_i (x_i - m)(x_i - m)^T with m the
  /// estimated mean (d x d, no small-sample correction).
  [[nodiscard]] MatrixX<double> covariance() const {
    const RowVectorX<double> m = (draws.transpose() * weights).transpose();
    const MatrixX<double> centred = draws.rowwise() - m;
    return centred.transpose() * weights.asDiagonal() * centred;
  }
};

namespace detail {

/// exp(x) entrywise with exp(-inf) exactly 0 (Eigen's vectorised exp returns a denormal there).
inline VectorX<double> exp_weights(const VectorX<double>& log_weights) {
  return (log_weights.array() == -std::numeric_limits<double>::infinity())
      .select(0.0, log_weights.array().exp());
}

/// Weighs given draws (n x d) from `proposal` by `target`: the shared core of importance
/// sampling and of each iteration of adaptive importance sampling.
template <Target F, class Q>
ImportanceResult weigh_draws(std::string_view function, const F& target, const Q& proposal,
                             MatrixX<double> draws, bool pareto_smoothing) {
  const Index n = draws.rows();
  ImportanceResult r;
  const VectorX<double> log_q = proposal.log_prob(draws);
  TargetEvaluator<F> evaluator(target);
  r.log_weights.resize(n);
  for (Index i = 0; i < n; ++i) {
    if (!std::isfinite(log_q(i))) {
      throw_numerical(function, "the proposal's log density is " +
                                    alea::detail::number_text(log_q(i)) + " at draw " +
                                    std::to_string(i) + ", a point it generated");
    }
    const VectorX<double> x = draws.row(i).transpose();
    r.log_weights(i) = evaluator.log_prob(x) - log_q(i);
  }
  r.draws = std::move(draws);
  r.target_evaluations = evaluator.evaluations();
  r.target_failures = evaluator.failures();
  const double top = r.log_weights.maxCoeff();
  if (top == -std::numeric_limits<double>::infinity()) {
    throw_numerical(function, "every draw has weight 0: the target's log density is -inf at all " +
                                  std::to_string(n) + " draws" +
                                  (evaluator.failures() > 0
                                       ? " (" + std::to_string(evaluator.failures()) +
                                             " failed; last: " + evaluator.last_failure() + ")"
                                       : std::string()) +
                                  "; check that the target and the proposal overlap");
  }
  if (r.target_failures > 0) {
    r.notes.push_back(
        std::to_string(r.target_failures) + " of " + std::to_string(n) +
        " draws got weight 0 because the target failed (last: " + evaluator.last_failure() + ")");
  }

  // Evidence from the raw weights, scaled by exp(-top) for safety: mean and sd scale alike.
  const VectorX<double> w = exp_weights((r.log_weights.array() - top).matrix());
  const double mean = w.mean();
  const double variance = (w.array() - mean).square().sum() / static_cast<double>(n - 1);
  r.log_evidence = top + std::log(mean);
  r.log_evidence_se = std::sqrt(variance) / (std::sqrt(static_cast<double>(n)) * mean);

  r.psis = psis(r.log_weights);
  if (!r.psis.good)
    r.notes.push_back("Pareto k-hat is " + alea::detail::number_text(r.psis.k_hat) + ": " +
                      r.psis.note);
  const VectorX<double>& used = pareto_smoothing ? r.psis.log_weights : r.log_weights;
  r.weights = exp_weights((used.array() - log_sum_exp(used)).matrix());
  r.ess = 1.0 / r.weights.squaredNorm();
  return r;
}

/// n must be at least 2 (the standard errors need two draws).
inline void check_importance_size(std::string_view function, std::string_view name, Index n) {
  if (n < 2) {
    throw_invalid(function, std::string(name) + " is " + std::to_string(n) +
                                ", but must be at least 2 (standard errors need two draws)");
  }
}

}  // namespace detail

/// Importance sampling of `target` with n draws from `proposal`; see the file comment.
/// @param target log density up to a constant (Target: a callable, an object with log_prob(x),
///        or a Density model) on R^d.
/// @param proposal a GenerativeModel over double of dimension d (Gaussian, StudentT,
///        GaussianMixture, ...): its log_prob must be normalised only for the evidence.
/// @param n number of draws, at least 2.
/// @param rng the engine the proposal draws with.
/// @return draws (n x d), raw and normalised weights, ESS, log evidence, PSIS diagnostic.
/// @throws alea::InvalidArgument for n < 2, an unfitted proposal, or a target whose dim()
///         differs from the proposal's; alea::NumericalError when every draw has weight 0.
template <Target F, class Q, RandomEngine G>
requires ProposalFor<Q, G> ImportanceResult importance_sampling(
    const F& target, const Q& proposal, Index n, G& rng, const ImportanceSettings& settings = {}) {
  constexpr std::string_view function = "alea::sampling::importance_sampling";
  detail::check_importance_size(function, "n", n);
  detail::check_proposal_ready(function, proposal);
  detail::check_proposal_dimension(function, target, proposal);
  MatrixX<double> draws = proposal.sample(n, rng);
  return detail::weigh_draws(function, target, proposal, std::move(draws),
                             settings.pareto_smoothing);
}

}  // namespace alea::sampling
