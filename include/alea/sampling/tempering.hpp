#pragma once
/// @file
/// @brief Parallel tempering (replica exchange; Swendsen and Wang 1986, Geyer 1991): replicas
/// of the chain at a geometric ladder of temperatures, random-walk Metropolis within each, and
/// swaps of states between adjacent temperatures, so the cold chain crosses between modes
/// through the hot ones.
///
/// Replica k targets p(x)^(1 / T_k), T_k = max_temperature^(k / (K - 1)), k = 0..K-1 (T_0 = 1
/// is the target itself; the whole log density is tempered). Each iteration every replica makes
/// one random-walk Metropolis step N(x, lambda_k^2 Sigma); every `swap_every` iterations comes
/// a round of swaps. Rounds alternate between the even pairs (0,1), (2,3), ... and the odd
/// pairs (1,2), (3,4), ... (the deterministic even-odd scheme of Okabe et al. 2001, which Syed
/// et al. 2021 show is non-reversible and makes states travel the ladder in O(K) rounds rather
/// than O(K^2)). A swap of pair (k, k+1) is accepted with probability
/// min(1, exp((1/T_k - 1/T_{k+1}) (log p(x_{k+1}) - log p(x_k)))), which leaves the product of
/// the tempered laws invariant. Only the cold replica's states are returned.
///
/// A good ladder has swap acceptance rates of roughly 0.2 to 0.4 for every pair: read them in
/// TemperingResult::swap_acceptance and add temperatures where they are low.

#include <Eigen/Core>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alea/core/checks.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/core/types.hpp"
#include "alea/sampling/chains.hpp"
#include "alea/sampling/metropolis.hpp"
#include "alea/sampling/runner.hpp"
#include "alea/sampling/target.hpp"

namespace alea::sampling {

/// Settings of parallel_tempering() (see the file comment).
struct TemperingSettings : SampleSettings {
  /// K >= 2 replicas, temperatures max_temperature^(k / (K - 1)).
  Index num_temperatures = 8;
  /// The hottest temperature, > 1: hot enough that p^(1 / T) crosses the barriers easily.
  double max_temperature = 100;
  /// Iterations between swap rounds, >= 1.
  Index swap_every = 1;
  /// Sigma, the random-walk proposal's shape for every replica: d x d, symmetric positive
  /// definite. Empty: identity.
  MatrixX<double> proposal_covariance;
  /// The cold replica's starting lambda, > 0; replica k starts at lambda sqrt(T_k). Unset:
  /// 2.38 / sqrt(d).
  std::optional<double> proposal_scale;
  /// Adapt each replica's lambda during warm-up toward `target_accept` (Robbins-Monro, frozen
  /// at its averaged iterate after warm-up, as metropolis() does); Sigma is not adapted.
  bool adapt = true;
  /// In (0, 1). Unset: 0.234 for d > 1, 0.44 for d = 1.
  std::optional<double> target_accept;
};

/// What parallel_tempering() returns: the cold chain, and how the ladder worked.
struct TemperingResult {
  /// The cold (T = 1) replica's draws, with statistics lp__, accept_stat__ and stepsize__ (its
  /// lambda); ChainInfo counts the evaluations of all replicas and holds the cold replica's
  /// proposal covariance lambda_0^2 Sigma (inverse_metric) and lambda_0 (step_size).
  Chains chains;
  /// The ladder T_0 = 1 < T_1 < ... < T_{K-1} = max_temperature (K).
  VectorX<double> temperatures;
  /// num_chains x (K - 1): entry (c, k) is the mean acceptance probability of the swaps of
  /// temperatures k and k + 1 attempted after warm-up by chain c (NaN if none was attempted).
  MatrixX<double> swap_acceptance;
  /// num_chains x K: the mean random-walk acceptance probability of each replica after warm-up.
  MatrixX<double> acceptance;
  /// num_chains x K: each replica's lambda after warm-up.
  MatrixX<double> proposal_scales;
};

/// Parallel tempering (see the file comment).
///
/// @code
/// // Two well separated modes: plain random-walk Metropolis stays in the first one it finds.
/// auto target = [](const alea::VectorX<double>& x) {
///   const Eigen::Vector2d terms(-0.5 * std::pow(x(0) + 5, 2), -0.5 * std::pow(x(0) - 5, 2));
///   return alea::log_sum_exp(terms);  // alea/core/log_space.hpp
/// };
/// alea::sampling::TemperingSettings settings;
/// settings.num_temperatures = 6;
/// settings.max_temperature = 50;
/// auto result = alea::sampling::parallel_tempering(target, alea::VectorX<double>::Zero(1),
///                                                  settings);
/// @endcode
///
/// @param target a Target (target.hpp); a proposal where it throws or is NaN is rejected and
///        counted in ChainInfo::target_failures.
/// @param init where chains start (d); every replica of a chain starts there.
/// @throws InvalidArgument for num_temperatures < 2, max_temperature <= 1, swap_every < 1, a bad
///         proposal covariance, scale or target_accept, bad runner settings, a wrong-sized init
///         or one where the log density is not finite.
template <Target F>
TemperingResult parallel_tempering(const F& target, const InitialPoints& init,
                                   const TemperingSettings& settings = {}) {
  constexpr std::string_view function = "alea::sampling::parallel_tempering";
  detail::check_sample_settings(function, settings);
  const Index dim = detail::checked_dim(function, init);
  const Index num_temperatures = settings.num_temperatures;
  if (num_temperatures < 2)
    throw_invalid(function, "settings.num_temperatures is " + std::to_string(num_temperatures) +
                                ", but must be at least 2");
  check_finite(function, "settings.max_temperature", settings.max_temperature);
  if (!(settings.max_temperature > 1))
    throw_invalid(function, "settings.max_temperature is " +
                                alea::detail::number_text(settings.max_temperature) +
                                ", but must be greater than 1");
  check_positive(function, "settings.swap_every", settings.swap_every);
  const auto random_walk = detail::random_walk_proposal(function, settings, dim);

  TemperingResult result;
  result.temperatures.resize(num_temperatures);
  VectorX<double> inverse_temperatures(num_temperatures);
  for (Index k = 0; k < num_temperatures; ++k) {
    result.temperatures(k) =
        std::pow(settings.max_temperature,
                 static_cast<double>(k) / static_cast<double>(num_temperatures - 1));
    inverse_temperatures(k) = 1 / result.temperatures(k);
  }
  result.temperatures(0) = 1;
  inverse_temperatures(0) = 1;
  const Index num_chains = settings.num_chains;
  result.swap_acceptance.setConstant(num_chains, num_temperatures - 1,
                                     std::numeric_limits<double>::quiet_NaN());
  result.acceptance.setConstant(num_chains, num_temperatures,
                                std::numeric_limits<double>::quiet_NaN());
  result.proposal_scales.setConstant(num_chains, num_temperatures,
                                     std::numeric_limits<double>::quiet_NaN());

  auto run_chain = [&](Index chain, Rng& rng, const VectorX<double>& start,
                       ChainRecorder& recorder) {
    TargetEvaluator<F> evaluator(target);
    const double lp_start = evaluator.initial_log_prob(function, start);
    std::vector<VectorX<double>> states(static_cast<std::size_t>(num_temperatures), start);
    VectorX<double> log_probs = VectorX<double>::Constant(num_temperatures, lp_start);
    std::vector<detail::ScaleAdaptation> scales;
    for (Index k = 0; k < num_temperatures; ++k)
      scales.emplace_back(random_walk.scale * std::sqrt(result.temperatures(k)),
                          random_walk.target_accept);
    // Sums of acceptance probabilities after warm-up, and how many terms each has.
    VectorX<double> accept_sum = VectorX<double>::Zero(num_temperatures);
    VectorX<double> swap_sum = VectorX<double>::Zero(num_temperatures - 1);
    VectorX<double> swap_count = VectorX<double>::Zero(num_temperatures - 1);
    Index sampling_iterations = 0, round = 0;
    VectorX<double> z(dim), proposal(dim);
    std::array<double, 3> stats{};

    for (Index it = 0; it < recorder.num_iterations(); ++it) {
      const bool warming_up = recorder.warming_up();
      for (Index k = 0; k < num_temperatures; ++k) {
        auto& x = states[static_cast<std::size_t>(k)];
        const double lambda = scales[static_cast<std::size_t>(k)].scale();
        fill_standard_normal(rng, z);
        proposal.noalias() = random_walk.factor.triangularView<Eigen::Lower>() * z;
        proposal = x + lambda * proposal;
        const double lp_proposal = evaluator.log_prob(proposal);
        const double accept =
            detail::acceptance_probability(inverse_temperatures(k) * (lp_proposal - log_probs(k)));
        if (detail::metropolis_accept(rng, accept)) {
          x.swap(proposal);
          log_probs(k) = lp_proposal;
        }
        if (warming_up && settings.adapt) scales[static_cast<std::size_t>(k)].update(accept);
        if (!warming_up) accept_sum(k) += accept;
        if (k == 0) stats = {0, accept, lambda};
      }
      if ((it + 1) % settings.swap_every == 0) {
        for (Index k = round % 2; k + 1 < num_temperatures; k += 2) {
          const double accept = detail::acceptance_probability(
              (inverse_temperatures(k) - inverse_temperatures(k + 1)) *
              (log_probs(k + 1) - log_probs(k)));
          if (detail::metropolis_accept(rng, accept)) {
            states[static_cast<std::size_t>(k)].swap(states[static_cast<std::size_t>(k + 1)]);
            std::swap(log_probs(k), log_probs(k + 1));
          }
          if (!warming_up) {
            swap_sum(k) += accept;
            swap_count(k) += 1;
          }
        }
        ++round;
      }
      if (warming_up && settings.adapt && it + 1 == settings.num_warmup) {
        for (auto& adaptation : scales)
          adaptation.freeze();
      }
      if (!warming_up) ++sampling_iterations;
      stats[0] = log_probs(0);
      if (!recorder.record(states[0], stats)) break;
    }

    for (Index k = 0; k < num_temperatures; ++k) {
      result.proposal_scales(chain, k) = scales[static_cast<std::size_t>(k)].scale();
      if (sampling_iterations > 0)
        result.acceptance(chain, k) = accept_sum(k) / static_cast<double>(sampling_iterations);
      if (k + 1 < num_temperatures && swap_count(k) > 0)
        result.swap_acceptance(chain, k) = swap_sum(k) / swap_count(k);
    }
    ChainInfo info;
    info.step_size = scales[0].scale();
    info.inverse_metric =
        info.step_size * info.step_size * random_walk.factor * random_walk.factor.transpose();
    detail::record_evaluations(info, evaluator);
    return info;
  };
  result.chains =
      run_chains(function, settings, init, {"lp__", "accept_stat__", "stepsize__"}, run_chain);
  return result;
}

}  // namespace alea::sampling
