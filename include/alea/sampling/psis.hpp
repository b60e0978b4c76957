#pragma once
/// @file
/// @brief Pareto smoothed importance sampling (PSIS) and its k-hat diagnostic.
///
/// Vehtari, Simpson, Gelman, Yao and Gabry (2024), "Pareto smoothed importance sampling",
/// JMLR 25(72), as the loo R package (psis(), through posterior::ps_tail) computes it:
///
/// 1. The tail length is M = ceil(min(S / 5, 3 sqrt(S))) for S draws (loo's n_pareto with
///    r_eff = 1: independent draws; the paper's appendix H).
/// 2. The M largest weights (after a shift that makes the largest 1) are fitted by a generalised
///    Pareto distribution (GPD) above the cutoff u, the next largest weight, with Zhang and
///    Stephens' (2009) empirical-Bayes estimate: a grid of 30 + floor(sqrt(M)) values of
///    theta = -k / sigma weighted by their profile likelihood. The shape is then pulled toward
///    0.5 by the weakly informative prior k <- (M k + 5) / (M + 10) (paper section 3.1;
///    posterior::gpdfit).
/// 3. The tail weights are replaced, in their order, by the GPD quantiles u + F^-1((i - 1/2) / M),
///    i = 1..M, and truncated at the largest raw weight.
/// 4. The fitted shape k-hat is the diagnostic: the self-normalised estimate is reliable when
///    k-hat <= min(1 - 1 / log10(S), 0.7) (paper section 3.2.4, eq. 13, and the 0.7 beyond which
///    the bias dominates whatever S is). k-hat > 1: the weights have no mean.
///
/// Conventions where the published code only warns: fewer than 5 tail draws (S < 21): no
/// smoothing and k-hat = +inf; a tail whose excesses over u have their first quartile at their
/// minimum (posterior::gpdfit's NA, "far from a GPD"): no smoothing, k-hat = +inf; a constant
/// tail (the M largest weights tied, as indicator-like weights give): nothing to smooth, the
/// weights are bounded, k-hat = -inf (loo reports +inf here; alea does not call bounded
/// weights unreliable). Each case is explained in PsisResult::note. Zero weights (log weight
/// -inf) are allowed.
///
/// @code
/// auto r = alea::sampling::psis(log_p - log_q);  // S log importance ratios
/// if (!r.good) std::cerr << "k-hat " << r.k_hat << ": " << r.note << "\n";
/// alea::VectorX<> w = (r.log_weights.array() - alea::log_sum_exp(r.log_weights)).exp();
/// @endcode

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alea/core/errors.hpp"
#include "alea/core/types.hpp"

namespace alea::sampling {

/// What psis() returns.
struct PsisResult {
  /// S smoothed and truncated log weights, on the scale of the input (not normalised): the
  /// weights outside the tail are unchanged.
  VectorX<double> log_weights;
  /// The fitted generalised Pareto shape k-hat (+inf or -inf in the cases of the file comment).
  double k_hat = std::numeric_limits<double>::quiet_NaN();
  /// min(1 - 1 / log10(S), 0.7): the largest k-hat for which the estimate is reliable.
  double k_threshold = 0.7;
  /// M = ceil(min(S / 5, 3 sqrt(S))), the number of weights the GPD was fitted to.
  Index tail_length = 0;
  /// Whether the tail was replaced by GPD quantiles.
  bool smoothed = false;
  /// k_hat <= k_threshold.
  bool good = false;
  /// Why the tail was not smoothed, or what a large k-hat means ("" when good and smoothed).
  std::string note;
};

namespace detail {

/// M = ceil(min(S / 5, 3 sqrt(S))) (loo's n_pareto with r_eff = 1).
inline Index psis_tail_length(Index draws) {
  const double s = static_cast<double>(draws);
  return static_cast<Index>(std::ceil(std::min(s / 5.0, 3.0 * std::sqrt(s))));
}

/// min(1 - 1 / log10(S), 0.7), Vehtari et al. (2024) eq. 13 capped at 0.7.
inline double psis_k_threshold(Index draws) {
  return std::min(1.0 - 1.0 / std::log10(static_cast<double>(draws)), 0.7);
}

struct GeneralizedParetoFit {
  double k;      ///< shape (the PSIS paper's sign: k > 0 is a heavy tail)
  double sigma;  ///< scale
};

/// Zhang and Stephens (2009, section 4) estimate of the GPD with location 0 fitted to the sorted
/// (ascending) non-negative sample x, with the weakly informative prior on k of Vehtari et al.
/// (2024): nullopt when the first quartile equals the minimum or the estimate is not finite.
inline std::optional<GeneralizedParetoFit> fit_generalized_pareto(const std::vector<double>& x) {
  const Index n = static_cast<Index>(x.size());
  const double prior = 3.0;
  const Index grid = 30 + static_cast<Index>(std::floor(std::sqrt(static_cast<double>(n))));
  const double x_star = x[static_cast<std::size_t>(std::floor(double(n) / 4.0 + 0.5)) - 1];
  if (!(x_star > x.front())) return std::nullopt;
  const auto mean_log1p = [&](double theta) {
    double sum = 0;
    for (const double value : x)
      sum += std::log1p(-theta * value);
    return sum / static_cast<double>(n);
  };
  // theta_j = 1 / x_(n) + (1 - sqrt(m / (j - 1/2))) / (prior x*), and the profile
  // log-likelihood l(theta) = n (log(-theta / k(theta)) - k(theta) - 1), k(theta) the mean of
  // log(1 - theta x) (Zhang and Stephens' eq. 4 with their b = -theta).
  std::vector<double> theta(static_cast<std::size_t>(grid));
  std::vector<double> profile(theta.size());
  for (Index j = 1; j <= grid; ++j) {
    const auto i = static_cast<std::size_t>(j - 1);
    theta[i] =
        1.0 / x.back() + (1.0 - std::sqrt(double(grid) / (double(j) - 0.5))) / prior / x_star;
    const double k = mean_log1p(theta[i]);
    profile[i] = double(n) * (std::log(-theta[i] / k) - k - 1.0);
    if (std::isnan(profile[i])) return std::nullopt;
  }
  const double top = *std::max_element(profile.begin(), profile.end());
  double total = 0;
  double weighted = 0;
  for (std::size_t i = 0; i < theta.size(); ++i) {
    const double w = std::exp(profile[i] - top);
    total += w;
    weighted += theta[i] * w;
  }
  const double theta_hat = weighted / total;
  double k = mean_log1p(theta_hat);
  const double sigma = -k / theta_hat;
  k = (k * double(n) + 0.5 * 10.0) / (double(n) + 10.0);  // prior N(0.5, .) worth 10 draws
  if (!std::isfinite(k) || !std::isfinite(sigma)) return std::nullopt;
  return GeneralizedParetoFit{k, sigma};
}

/// The p-quantile of the GPD with location 0: sigma ((1 - p)^-k - 1) / k (k = 0: exponential).
inline double generalized_pareto_quantile(double p, double k, double sigma) {
  if (k == 0) return -sigma * std::log1p(-p);
  return sigma * std::expm1(-k * std::log1p(-p)) / k;
}

}  // namespace detail

/// Pareto smoothed importance sampling of S log importance ratios (see the file comment).
/// @param log_weights S log weights log p(x_s) - log q(x_s), up to a constant; -inf (weight 0)
///        is allowed, NaN and +inf are not.
/// @return the smoothed log weights, k-hat and its verdict.
/// @throws alea::InvalidArgument for an empty vector, a NaN or +inf entry, or all entries -inf.
inline PsisResult psis(const VectorRef<double>& log_weights) {
  constexpr std::string_view function = "alea::sampling::psis";
  const Index draws = log_weights.size();
  if (draws == 0) throw_invalid(function, "log_weights is empty; at least one weight is needed");
  for (Index i = 0; i < draws; ++i) {
    const double value = log_weights(i);
    if (std::isnan(value) || value == std::numeric_limits<double>::infinity()) {
      throw_invalid(function, std::string("log_weights has ") +
                                  (std::isnan(value) ? "a NaN" : "+Inf") + " at index " +
                                  std::to_string(i) +
                                  "; log weights must be finite or -Inf (weight 0)");
    }
  }
  const double shift = log_weights.maxCoeff();
  if (shift == -std::numeric_limits<double>::infinity())
    throw_invalid(function, "log_weights is -Inf everywhere; at least one weight must be positive");

  PsisResult result;
  result.log_weights = log_weights;
  result.tail_length = detail::psis_tail_length(draws);
  result.k_threshold = detail::psis_k_threshold(draws);
  const Index tail = result.tail_length;
  const auto finish = [&](double k_hat, std::string note) {  // sets the verdict
    result.k_hat = k_hat;
    result.good = k_hat <= result.k_threshold;
    result.note = std::move(note);
    if (result.note.empty() && !result.good) {
      result.note = k_hat > 1 ? "k-hat > 1: the weights have no finite mean; the estimate is "
                                "not reliable, use a proposal with heavier tails"
                    : k_hat > 0.7
                        ? "k-hat > 0.7: the bias of the smoothed estimate dominates; use a "
                          "proposal closer to the target with heavier tails"
                        : "k-hat exceeds min(1 - 1 / log10(S), 0.7): S = " + std::to_string(draws) +
                              " draws are too few for this k-hat";
    }
  };
  if (tail < 5) {
    finish(std::numeric_limits<double>::infinity(),
           "the tail has " + std::to_string(tail) +
               " draws, fewer than the 5 a generalized Pareto fit needs (S >= 21)");
    return result;
  }

  // Ascending order, ties in input order (numpy's stable argsort, R's radix sort).
  std::vector<Index> order(static_cast<std::size_t>(draws));
  std::iota(order.begin(), order.end(), Index(0));
  std::stable_sort(order.begin(), order.end(),
                   [&](Index a, Index b) { return log_weights(a) < log_weights(b); });
  const auto sorted = [&](Index rank) {
    return log_weights(order[static_cast<std::size_t>(rank)]) - shift;
  };
  const Index first = draws - tail;  // rank of the smallest tail weight
  if (sorted(first) == sorted(draws - 1)) {
    finish(-std::numeric_limits<double>::infinity(),
           "the " + std::to_string(tail) +
               " largest weights are tied: the weights are bounded and need no smoothing");
    return result;
  }
  const double cutoff = std::exp(sorted(first - 1));
  std::vector<double> excess(static_cast<std::size_t>(tail));
  for (Index r = 0; r < tail; ++r)
    excess[static_cast<std::size_t>(r)] = std::exp(sorted(first + r)) - cutoff;
  const auto fit = detail::fit_generalized_pareto(excess);
  if (!fit) {
    finish(std::numeric_limits<double>::infinity(),
           "the tail is far from a generalized Pareto shape (the first quartile of its "
           "excesses equals their minimum); no smoothing was done");
    return result;
  }
  const double largest = sorted(draws - 1);  // 0: the truncation point
  for (Index r = 0; r < tail; ++r) {
    const double p = (double(r + 1) - 0.5) / double(tail);
    const double smoothed =
        std::log(cutoff + detail::generalized_pareto_quantile(p, fit->k, fit->sigma));
    result.log_weights(order[static_cast<std::size_t>(first + r)]) =
        std::min(smoothed, largest) + shift;
  }
  result.smoothed = true;
  finish(fit->k, "");
  return result;
}

}  // namespace alea::sampling
