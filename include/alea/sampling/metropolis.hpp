#pragma once
/// @file
/// @brief Metropolis samplers: random-walk Metropolis with adaptive Metropolis in warm-up
/// (Haario, Saksman and Tamminen 2001), the independence sampler, and Metropolis-Hastings with
/// a user proposal and its Hastings correction.
///
/// All run on the shared runner (runner.hpp): chain k depends only on (seed, k), warm-up draws
/// are not kept, and the result is a Chains whose per-draw statistics use Stan's names:
/// `lp__` (log density of the draw), `accept_stat__` (the acceptance probability min(1, ratio)
/// of the transition that produced it) and, for the random walk, `stepsize__` (its proposal
/// scale lambda).
///
/// @code
/// auto target = [](const alea::VectorX<double>& x) { return -0.5 * x.squaredNorm(); };
/// alea::sampling::MetropolisSettings settings;
/// settings.num_samples = 2000;
/// auto chains = alea::sampling::metropolis(target, alea::sampling::InitialPoints::uniform(3),
///                                          settings);
/// @endcode

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <concepts>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "alea/core/checks.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/core/types.hpp"
#include "alea/sampling/adaptation.hpp"
#include "alea/sampling/chains.hpp"
#include "alea/sampling/proposal.hpp"
#include "alea/sampling/runner.hpp"
#include "alea/sampling/target.hpp"

namespace alea::sampling {

/// Settings of metropolis(), the random-walk sampler. The proposal from x is
/// N(x, lambda^2 Sigma): Sigma is `proposal_covariance` (identity when empty) and lambda is
/// `proposal_scale` (2.38 / sqrt(d) when unset, the optimal scale for a Gaussian target whose
/// covariance is Sigma: Roberts, Gelman and Gilks 1997). So passing an estimate of the target's
/// covariance as `proposal_covariance` gives the optimal random walk; set `proposal_scale = 1`
/// to use `proposal_covariance` as the proposal covariance itself.
///
/// Adaptation (`adapt`, during warm-up): the first fifth of warm-up (the chain is still finding
/// the typical set) adapts lambda only. From then on the chain's covariance S is accumulated,
/// and once it holds max(20, 2 d) draws the proposal becomes Haario et al.'s adaptive
/// Metropolis, Sigma = S + epsilon I (epsilon = `covariance_regularization` times the mean of
/// diag S), refreshed every iteration, with lambda restarted at 2.38 / sqrt(d). The last tenth
/// of warm-up keeps Sigma fixed, so that lambda settles for the final shape (Stan's terminal
/// buffer). Throughout, log lambda follows a Robbins-Monro recursion toward the acceptance rate
/// `target_accept` (Andrieu and Thoms 2008, Algorithm 4), log lambda += t^-0.6 (alpha_t -
/// target), and the value kept after warm-up is a weighted average of the last iterates. The
/// kept draws use this frozen proposal, so they form a proper Markov chain, unless
/// `adapt_during_sampling` continues both recursions (Haario et al.'s original algorithm,
/// ergodic because adaptation diminishes, but not a Markov chain).
///
/// Shrinkage (`covariance_shrinkage`, on by default): a random walk in d dimensions makes about
/// 0.3 / d effective draws per iteration, so a default warm-up in 10 dimensions holds some 25
/// effective draws to estimate 55 covariance entries. Used as it is, such an estimate has
/// eigenvalues spread over a factor of 20; directions it underestimates get shorter proposals,
/// move less, and stay underestimated (measured: ESS 10 instead of 600 from 4 x 5000 draws of
/// a 10-D standard normal). So S is shrunk toward (tr S / d) I by the oracle approximating
/// shrinkage of Chen, Wiesel, Eldar and Hero (2010), for n_eff = n / tau draws, tau estimated
/// per coordinate from the mean squared jump as for an AR(1) chain. The price: the shrinkage
/// is linear, so it also flattens strong, well-determined correlations (a 2-D Gaussian with
/// correlation 0.99 gets a proposal correlation near 0.93 and half the ESS of the plain
/// estimate). Turn it off for strongly correlated targets in a few dimensions, or pass a
/// pilot run's covariance as `proposal_covariance`.
struct MetropolisSettings : SampleSettings {
  /// Sigma, the proposal's shape: d x d, symmetric positive definite. Empty: identity. With
  /// `adapt` it is the starting shape, replaced by the chain's covariance during warm-up.
  MatrixX<double> proposal_covariance;
  /// lambda, > 0. Unset: 2.38 / sqrt(d). With `adapt` the starting value.
  std::optional<double> proposal_scale;
  /// Adapt lambda and Sigma during warm-up (see the struct comment).
  bool adapt = true;
  /// Acceptance rate the scale adaptation aims at, in (0, 1). Unset: 0.234 for d > 1 and 0.44
  /// for d = 1, the optimal rates for Gaussian-like targets (Roberts and Rosenthal 2001).
  std::optional<double> target_accept;
  /// Keep adapting while sampling (Haario et al. 2001's continuing adaptation); the kept draws
  /// are then not a Markov chain, though their averages converge.
  bool adapt_during_sampling = false;
  /// epsilon relative to the mean variance of the chain, >= 0: keeps the adapted covariance
  /// positive definite (Haario et al.'s epsilon I).
  double covariance_regularization = 1e-6;
  /// Shrink the chain's covariance toward a multiple of the identity as far as its effective
  /// number of draws calls for (see the struct comment); false: Haario et al.'s plain S.
  bool covariance_shrinkage = true;
};

/// Settings of independence_metropolis() and metropolis_hastings(): the runner's alone, since
/// the proposal carries its own parameters.
struct MetropolisHastingsSettings : SampleSettings {};

/// A user proposal for metropolis_hastings(): `propose(x, rng)` draws y ~ q(. | x), and
/// `log_proposal_density(to, from)` is log q(to | from) up to a constant that does not depend on
/// to or from (the Hastings correction). A symmetric proposal (q(y | x) = q(x | y)) may declare
/// `static constexpr bool symmetric = true;` and omit the density.
template <class P>
concept MetropolisProposal = requires(const P& p, const VectorX<double>& x, Rng& rng) {
  { p.propose(x, rng) } -> std::convertible_to<VectorX<double>>;
};

/// A MetropolisProposal declared symmetric: `static constexpr bool symmetric = true`.
template <class P>
concept SymmetricProposal = MetropolisProposal<P> && requires {
  requires static_cast<bool>(P::symmetric);
};

/// A MetropolisProposal with `double log_proposal_density(to, from) const`.
template <class P>
concept HasProposalDensity = MetropolisProposal<P> &&
    requires(const P& p, const VectorX<double>& to, const VectorX<double>& from) {
  { p.log_proposal_density(to, from) } -> std::convertible_to<double>;
};

namespace detail {

/// 2.38 / sqrt(d): Roberts, Gelman and Gilks (1997)'s optimal random-walk scale.
inline double optimal_random_walk_scale(Index dim) {
  return 2.38 / std::sqrt(static_cast<double>(dim));
}

/// 0.44 for d = 1, 0.234 otherwise (Roberts and Rosenthal 2001).
inline double optimal_random_walk_accept(Index dim) {
  return dim == 1 ? 0.44 : 0.234;
}

/// init.dim(), which must be positive (the runner's message).
inline Index checked_dim(std::string_view function, const InitialPoints& init) {
  if (init.dim() == 0) throw_invalid(function, "init is empty; expected the starting point");
  return init.dim();
}

/// Throws unless 0 < value < 1.
inline void check_probability_open(std::string_view function, std::string_view name, double value) {
  if (!(value > 0 && value < 1))
    throw_invalid(function, std::string(name) + " is " + alea::detail::number_text(value) +
                                ", but must be in (0, 1)");
}

/// The lower Cholesky factor of a d x d symmetric positive definite matrix given by the user.
inline MatrixX<double> checked_factor(std::string_view function, std::string_view name,
                                      const MatrixX<double>& matrix, Index dim) {
  if (matrix.rows() != dim || matrix.cols() != dim)
    throw_invalid(function, std::string(name) + " is " + std::to_string(matrix.rows()) + " x " +
                                std::to_string(matrix.cols()) + ", but init has dimension " +
                                std::to_string(dim));
  check_symmetric_positive_definite(function, name, matrix);
  return Eigen::LLT<MatrixX<double>>(matrix).matrixL();
}

/// min(1, exp(log_ratio)), 0 for NaN or -inf (a failed proposal).
inline double acceptance_probability(double log_ratio) {
  if (!(log_ratio > -std::numeric_limits<double>::infinity())) return 0;
  return log_ratio >= 0 ? 1.0 : std::exp(log_ratio);
}

/// The Metropolis decision: true with probability `accept` (one uniform draw).
template <RandomEngine G>
bool metropolis_accept(G& rng, double accept) {
  return uniform01<double>(rng) < accept;
}

/// Copies the evaluator's counts into `info`, with a note on failures.
template <class F>
void record_evaluations(ChainInfo& info, const TargetEvaluator<F>& evaluator) {
  info.log_prob_evaluations = evaluator.evaluations();
  info.gradient_evaluations = evaluator.gradient_evaluations();
  info.target_failures = evaluator.failures();
  if (evaluator.failures() > 0)
    info.notes.push_back(
        "the target failed at " + std::to_string(evaluator.failures()) +
        " points, each treated as a zero density; the last: " + evaluator.last_failure());
}

/// Robbins-Monro adaptation of a proposal scale toward an acceptance rate (Andrieu and Thoms
/// 2008, Algorithm 4): log lambda_{t+1} = log lambda_t + t^-0.6 (alpha_t - target). The
/// exponent 0.6 is in (1/2, 1], so the steps diminish yet sum to infinity. The iterates keep
/// some noise, so the scale frozen after warm-up is their average with weights t^-0.75, the
/// averaging of Hoffman and Gelman's dual averaging (2014, Algorithm 5), which spans the last
/// few hundred iterations of a default warm-up.
class ScaleAdaptation {
 public:
  ScaleAdaptation(double scale, double target) : target_(target) { restart(scale); }

  /// Starts again from `scale` with full-size steps.
  void restart(double scale) {
    log_scale_ = log_average_ = std::log(scale);
    steps_ = 0;
  }

  /// One step after a transition whose acceptance probability was `accept`.
  void update(double accept) {
    ++steps_;
    const auto t = static_cast<double>(steps_);
    log_scale_ += std::pow(t, -0.6) * (accept - target_);
    const double weight = std::pow(t, -0.75);
    log_average_ = weight * log_scale_ + (1 - weight) * log_average_;
  }

  /// Ends adaptation: the scale becomes the averaged iterate.
  void freeze() { log_scale_ = log_average_; }

  [[nodiscard]] double scale() const { return std::exp(log_scale_); }

 private:
  double target_;
  double log_scale_ = 0;
  double log_average_ = 0;
  Index steps_ = 0;
};

/// Oracle approximating shrinkage (Chen, Wiesel, Eldar and Hero 2010, eq. 23) of a d x d sample
/// covariance S from n Gaussian draws toward (tr S / d) I:
/// (1 - rho) S + rho (tr S / d) I with
/// rho = min(1, ((1 - 2/d) tr S^2 + (tr S)^2) / ((n + 1 - 2/d) (tr S^2 - (tr S)^2 / d))).
inline MatrixX<double> oracle_shrinkage(const MatrixX<double>& covariance, double n) {
  const auto d = static_cast<double>(covariance.rows());
  const double trace = covariance.trace(), trace_of_square = covariance.squaredNorm();
  const double denominator = (n + 1 - 2 / d) * (trace_of_square - trace * trace / d);
  const double numerator = (1 - 2 / d) * trace_of_square + trace * trace;
  const double rho = denominator > 0 ? std::min(1.0, numerator / denominator) : 1.0;
  MatrixX<double> out = (1 - rho) * covariance;
  out.diagonal().array() += rho * trace / d;
  return out;
}

/// metropolis()'s proposal N(x, lambda^2 L L^T) and its adaptation (MetropolisSettings).
class AdaptiveRandomWalk {
 public:
  /// Sigma adapts during warm-up iterations [num_warmup / 5, num_warmup - num_warmup / 10), or
  /// from num_warmup / 5 on when `adapt_during_sampling`.
  AdaptiveRandomWalk(MatrixX<double> factor, double scale, double target_accept, Index num_warmup,
                     bool during_sampling, double regularization, bool shrinkage)
      : factor_(std::move(factor)),
        adaptation_(scale, target_accept),
        covariance_(factor_.rows()),
        previous_(factor_.rows()),
        squared_jumps_(VectorX<double>::Zero(factor_.rows())),
        covariance_start_(num_warmup / 5),
        covariance_end_(during_sampling ? std::numeric_limits<Index>::max()
                                        : num_warmup - num_warmup / 10),
        min_count_(std::max<Index>(20, 2 * factor_.rows())),
        regularization_(regularization),
        shrinkage_(shrinkage) {}

  /// Ends adaptation: lambda becomes the averaged Robbins-Monro iterate.
  void freeze() { adaptation_.freeze(); }

  /// Lower Cholesky factor L of the proposal's shape Sigma.
  [[nodiscard]] const MatrixX<double>& factor() const { return factor_; }
  [[nodiscard]] double scale() const { return adaptation_.scale(); }
  /// lambda^2 L L^T, d x d.
  [[nodiscard]] MatrixX<double> covariance() const {
    return scale() * scale() * factor_ * factor_.transpose();
  }

  /// After the transition of iteration `iteration` ended at x with acceptance probability
  /// `accept`.
  void update(Index iteration, const VectorX<double>& x, double accept) {
    adaptation_.update(accept);
    if (iteration < covariance_start_ || iteration >= covariance_end_) return;
    if (covariance_.count() > 0) squared_jumps_.array() += (x - previous_).array().square();
    previous_ = x;
    covariance_.add(x);
    const Index n = covariance_.count();
    if (n < min_count_) return;
    MatrixX<double> sigma = covariance_.covariance();
    if (shrinkage_) sigma = oracle_shrinkage(sigma, effective_draws(sigma, n));
    sigma.diagonal().array() += regularization_ * sigma.diagonal().mean();
    const Eigen::LLT<MatrixX<double>> llt(sigma);
    // A chain that has not moved yet has a singular covariance: keep the current shape.
    if (llt.info() != Eigen::Success || !(llt.matrixLLT().diagonal().array() > 0).all()) return;
    factor_ = llt.matrixL();
    if (!empirical_) {
      empirical_ = true;
      adaptation_.restart(optimal_random_walk_scale(factor_.rows()));
    }
  }

 private:
  /// n / tau, tau the mean over coordinates of the integrated autocorrelation time of an AR(1)
  /// chain with the observed lag-1 autocorrelation 1 - (mean squared jump) / (2 variance)
  /// (a random walk's diffusion limit is an Ornstein-Uhlenbeck process, whose autocorrelation
  /// is exponential): tau_j = 4 S_jj / (mean squared jump)_j - 1, at least 1.
  [[nodiscard]] double effective_draws(const MatrixX<double>& sample, Index n) const {
    const VectorX<double> mean_jump = squared_jumps_ / static_cast<double>(n - 1);
    double tau = 0;
    for (Index j = 0; j < mean_jump.size(); ++j)
      tau += mean_jump(j) > 0 ? std::max(1.0, 4 * sample(j, j) / mean_jump(j) - 1)
                              : std::numeric_limits<double>::infinity();
    return static_cast<double>(n) * static_cast<double>(mean_jump.size()) / tau;
  }

  MatrixX<double> factor_;
  ScaleAdaptation adaptation_;
  WelfordCovariance covariance_;
  VectorX<double> previous_;       // the last draw added
  VectorX<double> squared_jumps_;  // sum of squared jumps between draws added, per coordinate
  Index covariance_start_, covariance_end_;
  Index min_count_;
  double regularization_;
  bool empirical_ = false;
  bool shrinkage_;
};

/// A random-walk proposal N(x, lambda^2 L L^T) as settings give it: the factor L of
/// settings.proposal_covariance (identity when empty), lambda (settings.proposal_scale, else
/// 2.38 / sqrt(d)) and the acceptance rate its adaptation aims at (settings.target_accept, else
/// the optimal rate). Shared by metropolis() and parallel_tempering().
struct RandomWalkProposal {
  MatrixX<double> factor;
  double scale;
  double target_accept;
};

template <class Settings>
RandomWalkProposal random_walk_proposal(std::string_view function, const Settings& settings,
                                        Index dim) {
  RandomWalkProposal out;
  out.factor = settings.proposal_covariance.size() == 0
                   ? MatrixX<double>::Identity(dim, dim)
                   : checked_factor(function, "settings.proposal_covariance",
                                    settings.proposal_covariance, dim);
  out.scale = settings.proposal_scale.value_or(optimal_random_walk_scale(dim));
  check_positive(function, "settings.proposal_scale", out.scale);
  out.target_accept = settings.target_accept.value_or(optimal_random_walk_accept(dim));
  check_probability_open(function, "settings.target_accept", out.target_accept);
  return out;
}

}  // namespace detail

/// Random-walk Metropolis, adaptive in warm-up (see MetropolisSettings).
///
/// @param target a Target (target.hpp): a log density up to a constant. A proposal where it
///        throws or is NaN is rejected and counted in ChainInfo::target_failures.
/// @param init where chains start (d).
/// @return Chains with statistics lp__, accept_stat__, stepsize__ (lambda); ChainInfo holds
///         the final proposal covariance lambda^2 Sigma (d x d) in inverse_metric and lambda in
///         step_size.
/// @throws InvalidArgument for bad settings, a proposal covariance of the wrong shape or not
///         positive definite, a wrong-sized init or one where the log density is not finite.
template <Target F>
Chains metropolis(const F& target, const InitialPoints& init,
                  const MetropolisSettings& settings = {}) {
  constexpr std::string_view function = "alea::sampling::metropolis";
  const Index dim = detail::checked_dim(function, init);
  const auto random_walk = detail::random_walk_proposal(function, settings, dim);
  check_nonnegative(function, "settings.covariance_regularization",
                    settings.covariance_regularization);

  auto run_chain = [&](Index, Rng& rng, const VectorX<double>& start, ChainRecorder& recorder) {
    TargetEvaluator<F> evaluator(target);
    VectorX<double> x = start;
    double lp = evaluator.initial_log_prob(function, x);
    detail::AdaptiveRandomWalk walk(
        random_walk.factor, random_walk.scale, random_walk.target_accept, settings.num_warmup,
        settings.adapt_during_sampling, settings.covariance_regularization,
        settings.covariance_shrinkage);
    VectorX<double> z(dim), proposal(dim);
    for (Index it = 0; it < recorder.num_iterations(); ++it) {
      const double lambda = walk.scale();
      fill_standard_normal(rng, z);
      proposal.noalias() = walk.factor().triangularView<Eigen::Lower>() * z;
      proposal = x + lambda * proposal;
      const double lp_proposal = evaluator.log_prob(proposal);
      const double accept = detail::acceptance_probability(lp_proposal - lp);
      if (detail::metropolis_accept(rng, accept)) {
        x.swap(proposal);
        lp = lp_proposal;
      }
      if (settings.adapt && (recorder.warming_up() || settings.adapt_during_sampling)) {
        walk.update(it, x, accept);
        if (it + 1 == settings.num_warmup && !settings.adapt_during_sampling) walk.freeze();
      }
      const std::array<double, 3> stats{lp, accept, lambda};
      if (!recorder.record(x, stats)) break;
    }
    ChainInfo info;
    info.step_size = walk.scale();
    info.inverse_metric = walk.covariance();
    detail::record_evaluations(info, evaluator);
    return info;
  };
  return run_chains(function, settings, init, {"lp__", "accept_stat__", "stepsize__"}, run_chain);
}

/// The independence sampler: proposals drawn from a fixed model q whatever the current state,
/// accepted with probability min(1, [p(y) q(x)] / [p(x) q(y)]) (Hastings 1970; Tierney 1994).
/// It mixes well when q covers the target with heavier tails (the weights p/q are bounded).
///
/// @param target a Target, see metropolis().
/// @param proposal a GenerativeModel over double of dimension d (for example
///        alea::Gaussian<double>, or a fitted GaussianMixture); it must be safe to call
///        `sample` and `log_prob` concurrently (chains run in parallel).
/// @param init where chains start (d); the proposal density there must be positive.
/// @return Chains with statistics lp__, accept_stat__.
/// @throws InvalidArgument for bad settings, a proposal of another dimension, a wrong-sized
///         init or one where the target or the proposal has a zero density.
template <Target F, ProposalFor<Rng> Q>
Chains independence_metropolis(const F& target, const Q& proposal, const InitialPoints& init,
                               const MetropolisHastingsSettings& settings = {}) {
  constexpr std::string_view function = "alea::sampling::independence_metropolis";
  const Index dim = detail::checked_dim(function, init);
  detail::check_proposal_ready(function, proposal);
  if (proposal.dim() != dim)
    throw_invalid(function, "proposal has dimension " + std::to_string(proposal.dim()) +
                                ", but init has dimension " + std::to_string(dim));
  auto proposal_log_prob = [&](const VectorX<double>& x) {
    const MatrixX<double> row = x.transpose();
    return static_cast<double>(proposal.log_prob(row)(0));
  };

  auto run_chain = [&](Index, Rng& rng, const VectorX<double>& start, ChainRecorder& recorder) {
    TargetEvaluator<F> evaluator(target);
    VectorX<double> x = start;
    double lp = evaluator.initial_log_prob(function, x);
    // The importance weight log p(x) - log q(x) of the current state.
    double log_weight = lp - proposal_log_prob(x);
    if (!std::isfinite(log_weight))
      throw_invalid(function,
                    "init is not a valid starting point: the proposal's log density there is " +
                        alea::detail::number_text(lp - log_weight));
    for (Index it = 0; it < recorder.num_iterations(); ++it) {
      VectorX<double> y = proposal.sample(1, rng).row(0).transpose();
      const double lp_y = evaluator.log_prob(y);
      const double log_weight_y = lp_y - proposal_log_prob(y);
      const double accept = detail::acceptance_probability(log_weight_y - log_weight);
      if (detail::metropolis_accept(rng, accept)) {
        x.swap(y);
        lp = lp_y;
        log_weight = log_weight_y;
      }
      const std::array<double, 2> stats{lp, accept};
      if (!recorder.record(x, stats)) break;
    }
    ChainInfo info;
    detail::record_evaluations(info, evaluator);
    return info;
  };
  return run_chains(function, settings, init, {"lp__", "accept_stat__"}, run_chain);
}

/// Metropolis-Hastings with a user proposal (MetropolisProposal): y ~ q(. | x), accepted with
/// probability min(1, [p(y) q(x | y)] / [p(x) q(y | x)]); the q terms are skipped for a
/// proposal that declares itself symmetric.
///
/// @code
/// struct Step {  // a symmetric random walk on the integers
///   static constexpr bool symmetric = true;
///   alea::VectorX<double> propose(const alea::VectorX<double>& x, alea::Rng& rng) const {
///     return (x.array() + (alea::uniform01(rng) < 0.5 ? -1.0 : 1.0)).matrix();
///   }
/// };
/// auto chains = metropolis_hastings(target, Step{}, alea::VectorX<double>::Zero(1));
/// @endcode
///
/// @param target a Target, see metropolis().
/// @param proposal the proposal kernel; it must be safe to call concurrently (chains run in
///        parallel) and draw only from the engine it is given.
/// @param init where chains start (d).
/// @return Chains with statistics lp__, accept_stat__.
/// @throws InvalidArgument for bad settings, a wrong-sized init or one where the log density
///         is not finite, and (from the chain) a proposal of the wrong size.
template <Target F, MetropolisProposal P>
Chains metropolis_hastings(const F& target, const P& proposal, const InitialPoints& init,
                           const MetropolisHastingsSettings& settings = {}) {
  static_assert(SymmetricProposal<P> || HasProposalDensity<P>,
                "alea::sampling::metropolis_hastings: the proposal needs the Hastings "
                "correction: give it `double log_proposal_density(const VectorX<double>& to, "
                "const VectorX<double>& from) const` (log q(to | from)), or declare it symmetric "
                "with `static constexpr bool symmetric = true;`");
  constexpr std::string_view function = "alea::sampling::metropolis_hastings";
  const Index dim = detail::checked_dim(function, init);

  auto run_chain = [&](Index, Rng& rng, const VectorX<double>& start, ChainRecorder& recorder) {
    TargetEvaluator<F> evaluator(target);
    VectorX<double> x = start;
    double lp = evaluator.initial_log_prob(function, x);
    for (Index it = 0; it < recorder.num_iterations(); ++it) {
      VectorX<double> y = proposal.propose(x, rng);
      if (y.size() != dim)
        throw_invalid(function, "proposal.propose returned " + std::to_string(y.size()) +
                                    " values; expected " + std::to_string(dim));
      const double lp_y = evaluator.log_prob(y);
      double log_ratio = lp_y - lp;
      if constexpr (!SymmetricProposal<P>) {
        if (log_ratio > -std::numeric_limits<double>::infinity())
          log_ratio += static_cast<double>(proposal.log_proposal_density(x, y)) -
                       static_cast<double>(proposal.log_proposal_density(y, x));
      }
      const double accept = detail::acceptance_probability(log_ratio);
      if (detail::metropolis_accept(rng, accept)) {
        x.swap(y);
        lp = lp_y;
      }
      const std::array<double, 2> stats{lp, accept};
      if (!recorder.record(x, stats)) break;
    }
    ChainInfo info;
    detail::record_evaluations(info, evaluator);
    return info;
  };
  return run_chains(function, settings, init, {"lp__", "accept_stat__"}, run_chain);
}

}  // namespace alea::sampling
