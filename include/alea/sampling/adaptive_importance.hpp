#pragma once
/// @file
/// @brief Adaptive importance sampling: population Monte Carlo with a Gaussian or Gaussian
/// mixture proposal refitted to its own weighted draws.
///
/// Population Monte Carlo (Cappe, Guillin, Marin and Robert 2004; for mixture proposals Cappe,
/// Douc, Guillin, Marin and Robert 2008, "Adaptive importance sampling in general mixture
/// classes"): at iteration t = 1..T, draw N points from the proposal q_t, weigh them by the
/// target, and let q_{t+1} be the weighted maximum-likelihood fit of the proposal family to
/// them, which moves q toward the target in Kullback-Leibler divergence KL(p || q). The
/// weights of the refit are Pareto smoothed (settings.pareto_smoothing), which keeps a few
/// huge weights of an early, poor proposal from collapsing the refitted covariance.
///
/// The final estimates come from a fresh importance sample of settings.final_samples draws from
/// the final proposal q_{T+1}, independent of the draws the adaptation used, so its estimates,
/// standard errors and k-hat are those of plain importance sampling with a fixed proposal.
/// (AMIS, Cornuet et al. 2012, would recycle every iteration's draws with deterministic-mixture
/// weights; that is not done here.) The iterations' ESS, log evidence and k-hat are recorded to
/// show the adaptation's progress.
///
/// Refits: a proposal of any type with `fit(X, sample_weight)` is copied and refitted (a
/// Gaussian keeps its covariance type and settings). A GaussianMixture is refitted by EM
/// started from its current parameters (its settings otherwise: tol, max_iter, reg_covar). A
/// refit that fails numerically (a singular covariance) keeps the previous proposal and says
/// so in the notes.
///
/// @code
/// alea::Gaussian<> q0(alea::VectorX<double>::Zero(2), 9.0 * alea::MatrixX<double>::Identity(2,
/// 2)); auto r = alea::sampling::adaptive_importance_sampling(
///     target, q0, {.iterations = 8, .samples_per_iteration = 1000}, rng);
/// // r.proposal: fitted Gaussian; r.sample.mean(), r.sample.log_evidence; r.ess per iteration
/// @endcode

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "alea/core/checks.hpp"
#include "alea/core/concepts.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/progress.hpp"
#include "alea/core/rng.hpp"
#include "alea/core/types.hpp"
#include "alea/density/gaussian_mixture.hpp"
#include "alea/sampling/importance.hpp"
#include "alea/sampling/proposal.hpp"
#include "alea/sampling/target.hpp"

namespace alea::sampling {

/// Settings of adaptive_importance_sampling.
struct AdaptiveImportanceSettings {
  Index iterations = 10;               ///< refits of the proposal, at least 1
  Index samples_per_iteration = 1000;  ///< draws per iteration, at least 2
  Index final_samples = 4000;          ///< draws of the final importance sample, at least 2
  /// Pareto smoothed weights for the refits and the final estimates (ImportanceSettings).
  bool pareto_smoothing = true;
  /// Called after each iteration with (iteration, that iteration's ESS); false stops the
  /// adaptation (the final sample is still drawn).
  ProgressCallback progress = {};
};

/// What adaptive_importance_sampling returns.
template <class Proposal>
struct AdaptiveImportanceResult {
  Proposal proposal;                    ///< the final proposal, fitted at the last iteration
  ImportanceResult sample;              ///< final_samples fresh draws from `proposal`, weighed
  std::vector<double> ess;              ///< per iteration: Kish ESS of its draws under its proposal
  std::vector<double> log_evidence;     ///< per iteration: log Z-hat from its draws
  std::vector<double> log_evidence_se;  ///< per iteration: its standard error
  std::vector<double> pareto_k;         ///< per iteration: PSIS k-hat of its weights
  Index iterations = 0;                 ///< iterations run
  bool stopped_early = false;           ///< the progress callback asked to stop
  std::vector<std::string> notes;       ///< refits that failed, and the final sample's notes
};

namespace detail {

/// The current precisions of a mixture in GaussianMixtureSettings::precisions_init's shapes.
/// (A template, as the next function, only so that a program that includes this header without
/// calling them does not compile GaussianMixture<double>'s members: T is double.)
template <class T>
MixturePrecisions mixture_precisions(const GaussianMixture<T>& mixture) {
  const auto covariances = mixture.covariances();
  const Index k = mixture.n_components();
  const Index d = mixture.dim();
  const auto inverse = [d](const MatrixX<double>& covariance) {
    MatrixX<double> precision = covariance.llt().solve(MatrixX<double>::Identity(d, d));
    return MatrixX<double>((precision + precision.transpose()) / 2.0);
  };
  switch (mixture.components().covariance_type()) {
    case CovarianceType::full: {
      std::vector<MatrixX<double>> out;
      for (const auto& c : covariances)
        out.push_back(inverse(c));
      return out;
    }
    case CovarianceType::tied:
      return inverse(covariances.front());
    case CovarianceType::diag: {
      MatrixX<double> out(k, d);
      for (Index j = 0; j < k; ++j)
        out.row(j) = covariances[static_cast<std::size_t>(j)].diagonal().cwiseInverse().transpose();
      return out;
    }
    case CovarianceType::spherical: {
      VectorX<double> out(k);
      for (Index j = 0; j < k; ++j)
        out(j) = 1.0 / covariances[static_cast<std::size_t>(j)](0, 0);
      return out;
    }
  }
  return {};
}

/// Weighted refit of a proposal: a copy fitted to (X, w).
template <class Proposal>
Proposal refit_proposal(const Proposal& current, const MatrixX<double>& X,
                        const VectorX<double>& w) {
  Proposal next = current;
  next.fit(X, w);
  return next;
}

/// A mixture is refitted by EM started at its current parameters (Cappe et al. 2008 run one
/// such EM step per iteration; alea's EM runs to its own tolerance).
template <class T>
GaussianMixture<T> refit_proposal(const GaussianMixture<T>& current, const MatrixX<double>& X,
                                  const VectorX<double>& w) {
  GaussianMixtureSettings settings = current.settings();
  settings.n_init = 1;
  settings.warm_start = false;
  settings.weights_init = current.weights();
  settings.means_init = current.means();
  settings.precisions_init = mixture_precisions(current);
  GaussianMixture<T> next(std::move(settings));
  next.fit(X, w);
  return next;
}

}  // namespace detail

/// Adaptive importance sampling (population Monte Carlo); see the file comment.
/// @param target log density up to a constant on R^d (a Target).
/// @param initial_proposal the first proposal: a Gaussian, a GaussianMixture, or any
///        GenerativeModel over double with `fit(X, sample_weight)`; it should be wide enough to
///        cover the target.
/// @param settings iterations, draws per iteration, size of the final sample, smoothing.
/// @param rng the engine all draws come from.
/// @return the final proposal, the final importance sample, the per-iteration history.
/// @throws alea::InvalidArgument for settings out of range or a dimension mismatch;
///         alea::NumericalError when every draw of an iteration has weight 0.
template <Target F, class Proposal, RandomEngine G>
requires ProposalFor<Proposal, G> && WeightedEstimator<Proposal> AdaptiveImportanceResult<Proposal>
adaptive_importance_sampling(const F& target, const Proposal& initial_proposal,
                             const AdaptiveImportanceSettings& settings, G& rng) {
  constexpr std::string_view function = "alea::sampling::adaptive_importance_sampling";
  if (settings.iterations < 1) {
    throw_invalid(function, "settings.iterations is " + std::to_string(settings.iterations) +
                                ", but must be at least 1");
  }
  detail::check_importance_size(function, "settings.samples_per_iteration",
                                settings.samples_per_iteration);
  detail::check_importance_size(function, "settings.final_samples", settings.final_samples);
  detail::check_proposal_ready(function, initial_proposal);
  detail::check_proposal_dimension(function, target, initial_proposal);

  AdaptiveImportanceResult<Proposal> result{initial_proposal, {}, {}, {}, {}, {}, 0, false, {}};
  for (Index t = 1; t <= settings.iterations; ++t) {
    MatrixX<double> draws = result.proposal.sample(settings.samples_per_iteration, rng);
    ImportanceResult step = detail::weigh_draws(function, target, result.proposal, std::move(draws),
                                                settings.pareto_smoothing);
    result.ess.push_back(step.ess);
    result.log_evidence.push_back(step.log_evidence);
    result.log_evidence_se.push_back(step.log_evidence_se);
    result.pareto_k.push_back(step.psis.k_hat);
    result.iterations = t;
    // Frequency weights with mean 1, so that the estimators' small-count guards stay negligible.
    const VectorX<double> w = step.weights * static_cast<double>(step.weights.size());
    try {
      result.proposal = detail::refit_proposal(result.proposal, step.draws, w);
    } catch (const NumericalError& error) {
      result.notes.push_back("iteration " + std::to_string(t) +
                             ": the refit failed, the proposal was kept (" + error.what() + ")");
    }
    if (!report_progress(settings.progress, t, step.ess)) {
      result.stopped_early = true;
      break;
    }
  }
  MatrixX<double> final_draws = result.proposal.sample(settings.final_samples, rng);
  result.sample = detail::weigh_draws(function, target, result.proposal, std::move(final_draws),
                                      settings.pareto_smoothing);
  for (const auto& note : result.sample.notes)
    result.notes.push_back("final sample: " + note);
  return result;
}

}  // namespace alea::sampling
