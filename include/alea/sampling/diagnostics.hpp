#pragma once
/// @file
/// @brief MCMC convergence diagnostics: rank-normalised split R-hat, bulk- and tail-ESS, Monte
/// Carlo standard errors, and a summary table printed like Stan's `stansummary`.
///
/// After Vehtari, Gelman, Simpson, Carpenter and Buerkner (2021), "Rank-normalization, folding,
/// and localization: an improved R-hat for assessing convergence of MCMC", Bayesian Analysis
/// 16(2), with the conventions of ArviZ, posterior and Stan:
/// - chains are split in halves; an odd length drops the middle draw;
/// - rank normalisation: average ranks r over all split draws, z = Phi^-1((r - 3/8) / (S + 1/4));
/// - autocovariances by FFT; Geyer's initial positive then initial monotone sequence; the
///   estimate tau of the integrated autocorrelation time is kept >= 1 / log10(S), so an
///   antithetic chain reports at most S log10 S;
/// - R-hat is the larger of the split R-hat of the rank-normalised draws (bulk) and of the
///   rank-normalised folded draws |x - median| (tail);
/// - tail-ESS is the smaller of the ESS of the indicators I(x <= q_0.05) and I(x <= q_0.95).
///
/// Every function reads one parameter's draws as a num_samples x num_chains matrix (the layout of
/// Chains::parameter(j)), or a whole Chains and then returns one value per parameter.
///
/// Degenerate input follows posterior and Stan rather than ArviZ: a quantity that would be
/// computed from constant values (constant draws, an indicator that is always 1) is NaN, never
/// an exception, and so is an ESS when the split chains have fewer than 5 draws (Geyer's
/// sequence needs lags to pair). Fewer than 4 draws per chain, or non-finite draws, are an
/// InvalidArgument.
///
/// Checked to 1e-8 against tests/fixtures/diagnostics_reference.py, which also cross-checks an
/// independent implementation (ArviZ's algorithm).

#include <Eigen/Core>
#include <algorithm>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <complex>
#include <cstddef>
#include <iomanip>
#include <limits>
#include <numbers>
#include <numeric>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <unsupported/Eigen/FFT>
#include <utility>
#include <vector>

#include "alea/core/checks.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/types.hpp"
#include "alea/sampling/chains.hpp"

namespace alea::sampling {

namespace detail {

inline constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

/// One parameter's draws: at least one chain, at least 4 draws per chain, all finite.
inline void check_parameter_draws(std::string_view function,
                                  const Eigen::Ref<const MatrixX<double>>& draws) {
  if (draws.cols() == 0) throw_invalid(function, "draws has no columns; expected one per chain");
  if (draws.rows() < 4)
    throw_invalid(function, "draws has " + std::to_string(draws.rows()) +
                                " rows; expected at least 4 draws per chain");
  check_finite(function, "draws", draws);
}

/// Every parameter of `chains`: at least 4 draws per chain, all finite.
inline void check_chains(std::string_view function, const Chains& chains) {
  if (chains.dim() > 0 && chains.num_samples() < 4)
    throw_invalid(function, "chains has " + std::to_string(chains.num_samples()) +
                                " draws per chain; expected at least 4");
  for (Index k = 0; k < chains.num_chains(); ++k) {
    const MatrixX<double>& draws = chains.draws(k);
    if (draws.allFinite()) continue;
    for (Index j = 0; j < draws.cols(); ++j) {
      for (Index i = 0; i < draws.rows(); ++i) {
        if (std::isfinite(draws(i, j))) continue;
        throw_invalid(function,
                      "chains has " + std::string(alea::detail::non_finite_name(draws(i, j))) +
                          " in parameter " + chains.parameter_names()[std::size_t(j)] +
                          " at draw " + std::to_string(i) + " of chain " + std::to_string(k));
      }
    }
  }
}

/// n x m -> (n / 2) x 2m: the first and the last half of every chain (an odd n drops the middle).
inline MatrixX<double> split_chains(const Eigen::Ref<const MatrixX<double>>& x) {
  const Index half = x.rows() / 2;
  MatrixX<double> out(half, 2 * x.cols());
  out << x.topRows(half), x.bottomRows(half);
  return out;
}

inline bool is_constant(const MatrixX<double>& x) {
  return x.maxCoeff() == x.minCoeff();
}

/// Normal scores of the average ranks over all entries (paper, eq. 14, with Blom's offset 3/8).
inline MatrixX<double> rank_normalize(const MatrixX<double>& x) {
  const Index size = x.size();
  std::vector<std::pair<double, Index>> order(static_cast<std::size_t>(size));
  for (Index i = 0; i < size; ++i)
    order[std::size_t(i)] = {x(i), i};
  std::sort(order.begin(), order.end());
  // Phi^-1(p) = -sqrt(2) erfc^-1(2 p), in double precision (Boost would promote to long double).
  using Policy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;
  MatrixX<double> z(x.rows(), x.cols());
  for (std::size_t begin = 0; begin < order.size();) {
    std::size_t end = begin + 1;
    while (end < order.size() && order[end].first == order[begin].first)
      ++end;
    const double rank = 0.5 * static_cast<double>(begin + 1 + end);  // ties share their mean rank
    const double p = (rank - 0.375) / (static_cast<double>(size) + 0.25);
    const double score = -std::numbers::sqrt2 * boost::math::erfc_inv(2 * p, Policy());
    for (std::size_t i = begin; i < end; ++i)
      z(order[i].second) = score;
    begin = end;
  }
  return z;
}

/// Autocovariances at lags 0..n-1 (biased: divided by n), averaged over the columns of x; by
/// FFT of the centred chain zero-padded to a power of two >= 2n, so no circular wrap-around.
inline VectorX<double> mean_autocovariance(const MatrixX<double>& x) {
  const Index n = x.rows();
  Index size = 4;
  while (size < 2 * n)
    size *= 2;
  Eigen::FFT<double> fft;
  fft.SetFlag(Eigen::FFT<double>::HalfSpectrum);
  std::vector<double> signal(static_cast<std::size_t>(size), 0.0);
  std::vector<double> back(static_cast<std::size_t>(size));
  std::vector<std::complex<double>> spectrum(std::size_t(size / 2 + 1));
  VectorX<double> sum = VectorX<double>::Zero(n);
  for (Index c = 0; c < x.cols(); ++c) {
    const double mean = x.col(c).mean();
    for (Index i = 0; i < n; ++i)
      signal[std::size_t(i)] = x(i, c) - mean;
    fft.fwd(spectrum.data(), signal.data(), size);
    for (auto& value : spectrum)
      value = std::norm(value);
    fft.inv(back.data(), spectrum.data(), size);
    sum += Eigen::Map<const VectorX<double>>(back.data(), n);
  }
  return sum / static_cast<double>(n * x.cols());
}

/// Effective sample size of the columns of x taken as given (no split, no transform); NaN when
/// x is constant or has fewer than 5 rows.
inline double ess_of(const MatrixX<double>& x) {
  const Index n = x.rows();
  if (n < 5 || is_constant(x)) return not_a_number;
  const VectorX<double> acov = mean_autocovariance(x);
  const auto dn = static_cast<double>(n);
  const double within = acov(0) * dn / (dn - 1);  // W
  double var_plus = within * (dn - 1) / dn;       // var+ = W (n - 1) / n + B / n
  if (x.cols() > 1) {
    const VectorX<double> means = x.colwise().mean().transpose();
    var_plus += (means.array() - means.mean()).square().sum() / static_cast<double>(x.cols() - 1);
  }
  // Combined autocorrelation at lag t (paper, eq. 10).
  auto rho = [&](Index t) { return t == 0 ? 1.0 : 1 - (within - acov(t)) / var_plus; };

  // Geyer's initial positive sequence over the pairs (rho_2k, rho_2k+1), k = 1, 2, ..., the last
  // pair ending at lag n - 2 at most: a pair is kept when its sum is >= 0, and the first pair
  // whose sum is <= 0 ends the sequence.
  VectorX<double> kept = VectorX<double>::Zero(n);
  kept(0) = 1.0;
  kept(1) = rho(1);
  Index k = 0;
  double pair_sum = kept(0) + kept(1);
  while (2 * k + 3 <= n - 2 && pair_sum > 0) {
    ++k;
    const double even = rho(2 * k), odd = rho(2 * k + 1);
    pair_sum = even + odd;
    if (pair_sum >= 0) {
      kept(2 * k) = even;
      kept(2 * k + 1) = odd;
    }
  }
  // The last pair's even term, when positive, enters tau once: it lowers the variance of the
  // estimate for antithetic chains (Stan's and ArviZ's "improved estimate").
  const Index last = 2 * k;
  if (rho(last) > 0) kept(last) = rho(last);
  // Initial monotone sequence: the pair sums before the last pair made non-increasing.
  for (Index j = 1; j < k; ++j) {
    const double previous = kept(2 * j - 2) + kept(2 * j - 1);
    if (kept(2 * j) + kept(2 * j + 1) > previous) kept(2 * j) = kept(2 * j + 1) = previous / 2;
  }
  const double total = dn * static_cast<double>(x.cols());
  const double tau = std::max(-1 + 2 * kept.head(last).sum() + kept(last), 1 / std::log10(total));
  return total / tau;
}

/// The classic potential scale reduction of the columns of x; NaN when x is constant, +inf when
/// every column is constant but they differ.
inline double rhat_of(const MatrixX<double>& x) {
  if (is_constant(x)) return not_a_number;
  // Tested exactly: a mean of equal values need not round back to the value, which would leave
  // a within-chain variance of rounding size and a huge finite R-hat.
  if (((x.colwise().maxCoeff() - x.colwise().minCoeff()).array() == 0).all())
    return std::numeric_limits<double>::infinity();
  const auto n = static_cast<double>(x.rows());
  const VectorX<double> means = x.colwise().mean().transpose();
  const double between =
      n * (means.array() - means.mean()).square().sum() / static_cast<double>(x.cols() - 1);
  const double within = (x.rowwise() - means.transpose()).array().square().sum() / (n - 1) /
                        static_cast<double>(x.cols());
  return std::sqrt((between / within + n - 1) / n);
}

/// Quantile of sorted values by linear interpolation (R's type 7, numpy's default), computed as
/// numpy computes it.
inline double sorted_quantile(const std::vector<double>& sorted, double prob) {
  const double position = static_cast<double>(sorted.size() - 1) * prob;
  const double below = std::floor(position);
  const auto low = static_cast<std::size_t>(below);
  const std::size_t high = std::min(low + 1, sorted.size() - 1);
  const double weight = position - below, a = sorted[low], b = sorted[high];
  return weight >= 0.5 ? b - (b - a) * (1 - weight) : a + (b - a) * weight;
}

inline std::vector<double> sorted_values(const Eigen::Ref<const MatrixX<double>>& x) {
  std::vector<double> values(static_cast<std::size_t>(x.size()));
  Eigen::Map<MatrixX<double>>(values.data(), x.rows(), x.cols()) = x;
  std::sort(values.begin(), values.end());
  return values;
}

inline double sd_of(const Eigen::Ref<const MatrixX<double>>& x) {
  return std::sqrt((x.array() - x.mean()).square().sum() / static_cast<double>(x.size() - 1));
}

/// Median of all entries, numpy's (the mean of the two middle values for an even count).
inline double median_of(const MatrixX<double>& x) {
  std::vector<double> values(x.data(), x.data() + x.size());
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  if (values.size() % 2 == 1) return *middle;
  return (*std::max_element(values.begin(), middle) + *middle) / 2;
}

// The diagnostics on checked draws (num_samples x num_chains).

/// R-hat from non-constant split chains and their rank-normalised values `z`.
inline double rhat_of_split(const MatrixX<double>& split, const MatrixX<double>& z) {
  const double bulk = rhat_of(z);
  const double tail = rhat_of(rank_normalize((split.array() - median_of(split)).abs().matrix()));
  return std::isnan(bulk) || std::isnan(tail) ? not_a_number : std::max(bulk, tail);
}

inline double rhat_unchecked(const Eigen::Ref<const MatrixX<double>>& draws) {
  const MatrixX<double> split = split_chains(draws);
  return is_constant(split) ? not_a_number : rhat_of_split(split, rank_normalize(split));
}

inline double ess_bulk_unchecked(const Eigen::Ref<const MatrixX<double>>& draws) {
  const MatrixX<double> split = split_chains(draws);
  return is_constant(split) ? not_a_number : ess_of(rank_normalize(split));
}

/// ESS of the indicator I(x <= q_prob), q_prob the type-7 quantile of all draws (`sorted`).
inline double ess_quantile_unchecked(const Eigen::Ref<const MatrixX<double>>& draws,
                                     const std::vector<double>& sorted, double prob) {
  const double q = sorted_quantile(sorted, prob);
  const MatrixX<double> indicator = (draws.array() <= q).cast<double>();
  return ess_of(split_chains(indicator));
}

inline double ess_quantile_unchecked(const Eigen::Ref<const MatrixX<double>>& draws, double prob) {
  return ess_quantile_unchecked(draws, sorted_values(draws), prob);
}

/// Tail-ESS; `sorted`: all draws in increasing order.
inline double ess_tail_unchecked(const Eigen::Ref<const MatrixX<double>>& draws,
                                 const std::vector<double>& sorted) {
  const double lower = ess_quantile_unchecked(draws, sorted, 0.05);
  const double upper = ess_quantile_unchecked(draws, sorted, 0.95);
  return std::isnan(lower) || std::isnan(upper) ? not_a_number : std::min(lower, upper);
}

inline double ess_tail_unchecked(const Eigen::Ref<const MatrixX<double>>& draws) {
  return ess_tail_unchecked(draws, sorted_values(draws));
}

inline double ess_mean_unchecked(const Eigen::Ref<const MatrixX<double>>& draws) {
  return ess_of(split_chains(draws));
}

inline double mcse_mean_unchecked(const Eigen::Ref<const MatrixX<double>>& draws) {
  return sd_of(draws) / std::sqrt(ess_mean_unchecked(draws));
}

/// Delta method, as posterior >= 1.5: Var(sd) ~ Var(s^2) / (4 s^2) with
/// Var(s^2) = (E[c^4] - E[c^2]^2) / ESS(c^2), c = x - mean(x).
inline double mcse_sd_unchecked(const Eigen::Ref<const MatrixX<double>>& draws) {
  const MatrixX<double> squares = (draws.array() - draws.mean()).square().matrix();
  const double variance = squares.mean();
  const double variance_of_variance =
      (squares.array().square().mean() - variance * variance) / ess_mean_unchecked(squares);
  return std::sqrt(variance_of_variance / variance / 4);
}

/// The paper's appendix (posterior::mcse_quantile): the draws at the Beta(ESS p + 1,
/// ESS (1 - p) + 1) quantiles Phi(-1) and Phi(1) bracket the quantile; half their distance.
inline double mcse_quantile_unchecked(const Eigen::Ref<const MatrixX<double>>& draws, double prob) {
  const std::vector<double> sorted = sorted_values(draws);
  const double ess = ess_quantile_unchecked(draws, sorted, prob);
  if (std::isnan(ess)) return not_a_number;
  const double a = ess * prob + 1, b = ess * (1 - prob) + 1;
  // posterior's rounded values of pnorm(-1) and pnorm(1).
  const double lower = boost::math::ibeta_inv(a, b, 0.1586553);
  const double upper = boost::math::ibeta_inv(a, b, 0.8413447);
  const auto size = static_cast<double>(sorted.size());
  const auto first = static_cast<std::size_t>(std::max(std::floor(lower * size), 1.0)) - 1;
  const auto second = static_cast<std::size_t>(std::min(std::ceil(upper * size), size)) - 1;
  return (sorted[second] - sorted[first]) / 2;
}

inline void check_probability(std::string_view function, double prob) {
  if (!(prob > 0 && prob < 1))
    throw_invalid(function,
                  "prob is " + alea::detail::number_text(prob) + ", but must be in (0, 1)");
}

/// `diagnostic(parameter j's draws)` for every parameter of checked chains.
template <class Diagnostic>
VectorX<double> per_parameter(std::string_view function, const Chains& chains,
                              Diagnostic&& diagnostic) {
  check_chains(function, chains);
  VectorX<double> out(chains.dim());
  for (Index j = 0; j < chains.dim(); ++j)
    out(j) = diagnostic(chains.parameter(j));
  return out;
}

}  // namespace detail

/// Rank-normalised split R-hat: the larger of the bulk and the folded (tail) split R-hat.
/// Near 1 when the chains agree; above 1.01 asks for longer runs (Vehtari et al. 2021).
/// @param draws one parameter, num_samples x num_chains, num_samples >= 4
/// @return R-hat, NaN for constant draws
/// @throws InvalidArgument for fewer than 4 draws per chain or non-finite draws
inline double rhat(const Eigen::Ref<const MatrixX<double>>& draws) {
  detail::check_parameter_draws("alea::sampling::rhat", draws);
  return detail::rhat_unchecked(draws);
}

/// Bulk effective sample size: the ESS of the rank-normalised split chains, for the centre of
/// the distribution (mean, median).
/// @param draws one parameter, num_samples x num_chains
/// @return ESS, NaN for constant draws or chains shorter than 10
inline double ess_bulk(const Eigen::Ref<const MatrixX<double>>& draws) {
  detail::check_parameter_draws("alea::sampling::ess_bulk", draws);
  return detail::ess_bulk_unchecked(draws);
}

/// ESS of the split indicator I(x <= q_prob): how well the chains estimate the prob-quantile.
/// @param draws one parameter, num_samples x num_chains
/// @param prob in (0, 1)
/// @return ESS, NaN when the indicator is constant or the chains are shorter than 10
inline double ess_quantile(const Eigen::Ref<const MatrixX<double>>& draws, double prob) {
  detail::check_probability("alea::sampling::ess_quantile", prob);
  detail::check_parameter_draws("alea::sampling::ess_quantile", draws);
  return detail::ess_quantile_unchecked(draws, prob);
}

/// Tail effective sample size: the smaller ESS of the 5% and the 95% quantile indicators.
/// @param draws one parameter, num_samples x num_chains
/// @return ESS, NaN for constant draws or when either indicator is constant
inline double ess_tail(const Eigen::Ref<const MatrixX<double>>& draws) {
  detail::check_parameter_draws("alea::sampling::ess_tail", draws);
  return detail::ess_tail_unchecked(draws);
}

/// ESS for the mean: of the split chains as they are (no rank normalisation); needs a finite
/// variance, unlike ess_bulk.
/// @param draws one parameter, num_samples x num_chains
inline double ess_mean(const Eigen::Ref<const MatrixX<double>>& draws) {
  detail::check_parameter_draws("alea::sampling::ess_mean", draws);
  return detail::ess_mean_unchecked(draws);
}

/// Monte Carlo standard error of the mean: sd / sqrt(ess_mean).
/// @param draws one parameter, num_samples x num_chains
inline double mcse_mean(const Eigen::Ref<const MatrixX<double>>& draws) {
  detail::check_parameter_draws("alea::sampling::mcse_mean", draws);
  return detail::mcse_mean_unchecked(draws);
}

/// Monte Carlo standard error of the standard deviation, by the delta method (posterior).
/// @param draws one parameter, num_samples x num_chains
inline double mcse_sd(const Eigen::Ref<const MatrixX<double>>& draws) {
  detail::check_parameter_draws("alea::sampling::mcse_sd", draws);
  return detail::mcse_sd_unchecked(draws);
}

/// Monte Carlo standard error of the prob-quantile (Vehtari et al. 2021, appendix; posterior's
/// mcse_quantile): half the distance between the draws that bracket it at +-1 sd.
/// @param draws one parameter, num_samples x num_chains
/// @param prob in (0, 1)
inline double mcse_quantile(const Eigen::Ref<const MatrixX<double>>& draws, double prob) {
  detail::check_probability("alea::sampling::mcse_quantile", prob);
  detail::check_parameter_draws("alea::sampling::mcse_quantile", draws);
  return detail::mcse_quantile_unchecked(draws, prob);
}

/// rhat of every parameter of `chains`.
inline VectorX<double> rhat(const Chains& chains) {
  return detail::per_parameter("alea::sampling::rhat", chains, detail::rhat_unchecked);
}
/// ess_bulk of every parameter of `chains`.
inline VectorX<double> ess_bulk(const Chains& chains) {
  return detail::per_parameter("alea::sampling::ess_bulk", chains, detail::ess_bulk_unchecked);
}
/// ess_tail of every parameter of `chains`.
inline VectorX<double> ess_tail(const Chains& chains) {
  return detail::per_parameter("alea::sampling::ess_tail", chains, [](const MatrixX<double>& x) {
    return detail::ess_tail_unchecked(x);
  });
}
/// ess_mean of every parameter of `chains`.
inline VectorX<double> ess_mean(const Chains& chains) {
  return detail::per_parameter("alea::sampling::ess_mean", chains, detail::ess_mean_unchecked);
}
/// mcse_mean of every parameter of `chains`.
inline VectorX<double> mcse_mean(const Chains& chains) {
  return detail::per_parameter("alea::sampling::mcse_mean", chains, detail::mcse_mean_unchecked);
}
/// mcse_sd of every parameter of `chains`.
inline VectorX<double> mcse_sd(const Chains& chains) {
  return detail::per_parameter("alea::sampling::mcse_sd", chains, detail::mcse_sd_unchecked);
}
/// ess_quantile of every parameter of `chains`.
inline VectorX<double> ess_quantile(const Chains& chains, double prob) {
  detail::check_probability("alea::sampling::ess_quantile", prob);
  return detail::per_parameter("alea::sampling::ess_quantile", chains, [prob](const auto& x) {
    return detail::ess_quantile_unchecked(x, prob);
  });
}
/// mcse_quantile of every parameter of `chains`.
inline VectorX<double> mcse_quantile(const Chains& chains, double prob) {
  detail::check_probability("alea::sampling::mcse_quantile", prob);
  return detail::per_parameter("alea::sampling::mcse_quantile", chains, [prob](const auto& x) {
    return detail::mcse_quantile_unchecked(x, prob);
  });
}

/// One block of a summary table: row i of every member belongs to names[i].
struct SummaryRows {
  std::vector<std::string> names;
  VectorX<double> mean;
  VectorX<double> sd;         ///< standard deviation over all draws (n - 1 denominator)
  VectorX<double> mcse_mean;  ///< Monte Carlo standard error of the mean
  VectorX<double> mcse_sd;    ///< Monte Carlo standard error of the sd
  MatrixX<double> quantiles;  ///< rows x quantile levels (Summary::quantile_probs), type 7
  VectorX<double> ess_bulk;
  VectorX<double> ess_tail;
  VectorX<double> rhat;
};

/// What `summary(chains)` reports: the parameters' rows (the members inherited from
/// SummaryRows), the sampler's statistics (lp__, accept_stat__, ...) in `sampler`, and the run's
/// shape and timing. Printed with `<<` or to_string() as Stan's `stansummary` prints.
struct Summary : SummaryRows {
  std::vector<double> quantile_probs;  ///< levels of the quantile columns
  SummaryRows sampler;                 ///< every recorded statistic, in Chains' order
  Index num_chains = 0;
  Index num_samples = 0;                 ///< draws per chain
  std::vector<double> warmup_seconds;    ///< per chain
  std::vector<double> sampling_seconds;  ///< per chain
  Index num_divergent = 0;               ///< divergent transitions after warm-up, all chains

  /// The table: Mean, MCSE (of the mean), StdDev, the quantiles, ESS_bulk, ESS_tail, R_hat;
  /// statistics first, then parameters. Values have `significant_digits` significant digits,
  /// ESS are rounded to integers, R-hat has 3 decimals; "nan" where undefined.
  [[nodiscard]] std::string to_string(int significant_digits = 3) const;
};

namespace detail {

/// Summary rows for `columns[i]` (num_samples x num_chains each, at least 4 draws), named
/// `names[i]`. A column with NaN or Inf (a sampler statistic) gets a row of NaN.
inline SummaryRows summary_rows(std::vector<std::string> names,
                                const std::vector<MatrixX<double>>& columns,
                                const std::vector<double>& probs) {
  const auto rows = static_cast<Index>(columns.size());
  const auto num_probs = static_cast<Index>(probs.size());
  SummaryRows out;
  out.names = std::move(names);
  for (VectorX<double>* v :
       {&out.mean, &out.sd, &out.mcse_mean, &out.mcse_sd, &out.ess_bulk, &out.ess_tail, &out.rhat})
    v->setConstant(rows, not_a_number);
  out.quantiles.setConstant(rows, num_probs, not_a_number);
  for (Index i = 0; i < rows; ++i) {
    const MatrixX<double>& x = columns[std::size_t(i)];
    if (!x.allFinite()) continue;  // a statistic that was not finite: an undefined row
    out.mean(i) = x.mean();
    out.sd(i) = sd_of(x);
    out.mcse_mean(i) = mcse_mean_unchecked(x);
    out.mcse_sd(i) = mcse_sd_unchecked(x);
    const std::vector<double> sorted = sorted_values(x);
    for (Index q = 0; q < num_probs; ++q)
      out.quantiles(i, q) = sorted_quantile(sorted, probs[std::size_t(q)]);
    out.ess_tail(i) = ess_tail_unchecked(x, sorted);
    // ess_bulk and rhat share the rank-normalised split chains.
    const MatrixX<double> split = split_chains(x);
    if (is_constant(split)) continue;
    const MatrixX<double> z = rank_normalize(split);
    out.ess_bulk(i) = ess_of(z);
    out.rhat(i) = rhat_of_split(split, z);
  }
  return out;
}

/// `digits` significant digits, but whole numbers up to a million in full ("1000", not
/// "1e+03"): 12.345 -> "12.3", 1234.5 -> "1234", 0.012345 -> "0.0123", 1.2e-5 -> "1.2e-05".
inline std::string significant(double value, int digits) {
  if (std::isnan(value)) return "nan";
  std::ostringstream out;
  const double magnitude = std::abs(value);
  if (magnitude >= 1 && magnitude < 1e6) {
    const int integer_digits = static_cast<int>(std::floor(std::log10(magnitude))) + 1;
    out << std::fixed << std::setprecision(std::max(0, digits - integer_digits)) << value;
  } else {
    out << std::setprecision(digits) << value;
  }
  return out.str();
}

inline std::string fixed(double value, int decimals) {
  if (std::isnan(value)) return "nan";
  std::ostringstream out;
  out << std::fixed << std::setprecision(decimals) << value;
  return out.str();
}

/// "(0.12, 0.11) seconds, 0.23 seconds total", Stan's timing line.
inline std::string seconds_line(const std::vector<double>& seconds) {
  std::string out = "(";
  double total = 0;
  for (std::size_t k = 0; k < seconds.size(); ++k) {
    out += (k == 0 ? "" : ", ") + significant(seconds[k], 2);
    total += seconds[k];
  }
  return out + ") seconds, " + significant(total, 2) + " seconds total";
}

}  // namespace detail

inline std::string Summary::to_string(int significant_digits) const {
  std::vector<std::string> header = {"", "Mean", "MCSE", "StdDev"};
  for (double p : quantile_probs) {
    std::ostringstream label;
    label << std::setprecision(6) << 100 * p << '%';
    header.push_back(label.str());
  }
  for (const char* name : {"ESS_bulk", "ESS_tail", "R_hat"})
    header.emplace_back(name);

  // Cells of both blocks, then column widths over all of them.
  auto cells = [&](const SummaryRows& block) {
    std::vector<std::vector<std::string>> out;
    for (std::size_t i = 0; i < block.names.size(); ++i) {
      const auto r = static_cast<Index>(i);
      std::vector<std::string> row = {block.names[i],
                                      detail::significant(block.mean(r), significant_digits),
                                      detail::significant(block.mcse_mean(r), significant_digits),
                                      detail::significant(block.sd(r), significant_digits)};
      for (Index q = 0; q < block.quantiles.cols(); ++q)
        row.push_back(detail::significant(block.quantiles(r, q), significant_digits));
      row.push_back(detail::fixed(block.ess_bulk(r), 0));
      row.push_back(detail::fixed(block.ess_tail(r), 0));
      row.push_back(detail::fixed(block.rhat(r), 3));
      out.push_back(std::move(row));
    }
    return out;
  };
  const auto statistic_cells = cells(sampler), parameter_cells = cells(*this);
  std::vector<std::size_t> width(header.size());
  for (const auto* block : {&statistic_cells, &parameter_cells})
    for (const auto& row : *block)
      for (std::size_t c = 0; c < row.size(); ++c)
        width[c] = std::max(width[c], row[c].size());
  for (std::size_t c = 0; c < header.size(); ++c)
    width[c] = std::max(width[c], header[c].size());

  std::ostringstream out;
  auto print_row = [&](const std::vector<std::string>& row) {
    out << std::left << std::setw(int(width[0])) << row[0] << std::right;
    for (std::size_t c = 1; c < row.size(); ++c)
      out << "  " << std::setw(int(width[c])) << row[c];
    out << '\n';
  };
  out << num_chains << " chains, each with " << num_samples << " draws ("
      << num_chains * num_samples << " in total)\n";
  double seconds = 0;
  for (std::size_t k = 0; k < warmup_seconds.size(); ++k)
    seconds += warmup_seconds[k] + sampling_seconds[k];
  if (seconds > 0) {
    out << "Warm-up took " << detail::seconds_line(warmup_seconds) << '\n';
    out << "Sampling took " << detail::seconds_line(sampling_seconds) << '\n';
  }
  out << '\n';
  print_row(header);
  out << '\n';
  for (const auto& row : statistic_cells)
    print_row(row);
  if (!statistic_cells.empty()) out << '\n';
  for (const auto& row : parameter_cells)
    print_row(row);
  out << '\n';
  if (num_divergent > 0)
    out << num_divergent << " of " << num_chains * num_samples << " draws ("
        << detail::significant(100.0 * double(num_divergent) / double(num_chains * num_samples), 2)
        << "%) ended with a divergence.\n";
  out << "MCSE is the Monte Carlo standard error of the mean. ESS_bulk and ESS_tail are the\n"
         "effective sample sizes of the bulk and of the 5% and 95% tails; R_hat is the\n"
         "rank-normalised split potential scale reduction, close to 1 at convergence\n"
         "(Vehtari et al. 2021).\n";
  return out.str();
}

/// Prints `summary.to_string()`.
inline std::ostream& operator<<(std::ostream& out, const Summary& summary) {
  return out << summary.to_string();
}

/// Stan's summary of a run: for every parameter and every recorded sampler statistic, mean,
/// MCSE of the mean and of the sd, sd, quantiles, bulk- and tail-ESS and R-hat.
/// @param chains at least 4 finite draws per chain
/// @param quantiles levels in [0, 1] of the quantile columns
/// @throws InvalidArgument for short or non-finite draws or a level outside [0, 1]
///
///     std::cout << alea::sampling::summary(chains);
inline Summary summary(const Chains& chains, std::vector<double> quantiles = {0.05, 0.5, 0.95}) {
  constexpr std::string_view function = "alea::sampling::summary";
  for (std::size_t q = 0; q < quantiles.size(); ++q) {
    if (!(quantiles[q] >= 0 && quantiles[q] <= 1))
      throw_invalid(function, "quantiles has " + alea::detail::number_text(quantiles[q]) +
                                  " at index " + std::to_string(q) + ", but must be in [0, 1]");
  }
  detail::check_chains(function, chains);
  Summary out;
  out.num_chains = chains.num_chains();
  out.num_samples = chains.num_samples();
  std::vector<MatrixX<double>> parameters;
  for (Index j = 0; j < chains.dim(); ++j)
    parameters.push_back(chains.parameter(j));
  static_cast<SummaryRows&>(out) =
      detail::summary_rows(chains.parameter_names(), parameters, quantiles);

  std::vector<MatrixX<double>> statistics;
  for (std::size_t s = 0; s < chains.statistic_names().size(); ++s) {
    MatrixX<double> column(chains.num_samples(), chains.num_chains());
    for (Index k = 0; k < chains.num_chains(); ++k)
      column.col(k) = chains.statistics(k).col(static_cast<Index>(s));
    statistics.push_back(std::move(column));
  }
  out.sampler = detail::summary_rows(chains.statistic_names(), statistics, quantiles);
  out.quantile_probs = std::move(quantiles);

  for (Index k = 0; k < chains.num_chains(); ++k) {
    out.warmup_seconds.push_back(chains.info(k).warmup_seconds);
    out.sampling_seconds.push_back(chains.info(k).sampling_seconds);
  }
  out.num_divergent = chains.num_divergent();
  return out;
}

}  // namespace alea::sampling
