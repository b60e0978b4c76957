#pragma once
/// @file
/// @brief Information measures of discrete distributions: entropy, cross-entropy, Kullback-Leibler
/// and Jensen-Shannon divergences, Renyi entropy of probability vectors; mutual information from
/// a contingency table, from paired labels, and from two continuous samples binned on a grid.
///
/// Conventions (those of SciPy and scikit-learn, which the tests match to 1e-12):
/// - Logarithms are natural unless `base` is given (2: bits, 10: digits); any base > 0 and != 1.
///   A value in base b is the value in nats divided by log b.
/// - A probability vector must be finite, non-negative and sum to 1 within sqrt(epsilon) times
///   its length (check_probability_vector). It is then divided by its sum, as
///   scipy.stats.entropy does, so the rounding of the input does not leak into the result.
/// - 0 log 0 = 0 (its limit): categories of probability 0 in p contribute nothing. Where
///   q_i = 0 < p_i, KL(p || q) and the cross-entropy are +infinity (scipy.special.rel_entr's
///   convention): q cannot encode an outcome it deems impossible.
/// - Divergences that are non-negative in exact arithmetic (Jensen-Shannon, mutual information)
///   are clamped at 0, so rounding never yields a tiny negative value or a NaN square root.
///
/// @code
/// Eigen::Vector2d p{0.5, 0.5}, q{0.9, 0.1};
/// double h = alea::info::entropy(q, 2.0);           // 0.46899559358928117 bits
/// double d = alea::info::kl_divergence(p, q, 2.0);  // 0.7369655941662062 bits
/// double js = alea::info::js_distance(p, q);        // SciPy's jensenshannon
/// std::vector<alea::Index> a{0, 0, 1, 1}, b{0, 0, 1, 2};
/// double mi = alea::info::mutual_information(a, b);  // sklearn's mutual_info_score
/// @endcode

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <numbers>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "alea/core/checks.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/log_space.hpp"
#include "alea/core/types.hpp"
#include "alea/density/histogram.hpp"

namespace alea::info {

namespace detail {

/// Throws unless base is finite, positive and not 1 (log 1 = 0 would divide by zero).
inline void check_base(std::string_view function, double base) {
  check_positive(function, "base", base);
  if (base == 1.0) throw_invalid(function, "base is 1, but must be positive and not 1");
}

/// Throws unless x has one row or one column: "p is 3 x 2, but must be a vector".
template <class Derived>
void check_vector(std::string_view function, std::string_view name,
                  const Eigen::EigenBase<Derived>& x) {
  if (x.rows() != 1 && x.cols() != 1) {
    throw_invalid(function, std::string(name) + " is " + std::to_string(x.rows()) + " x " +
                                std::to_string(x.cols()) + ", but must be a vector");
  }
}

/// Throws unless `name` has as many entries as `reference_name`: "q has 4 entries, but p has 3".
inline void check_same_size(std::string_view function, std::string_view name, Index size,
                            std::string_view reference_name, Index reference_size) {
  if (size != reference_size) {
    throw_invalid(function, std::string(name) + " has " + std::to_string(size) + " entries, but " +
                                std::string(reference_name) + " has " +
                                std::to_string(reference_size));
  }
}

/// The validated probability vector p divided by its sum (scipy.stats.entropy's normalisation),
/// as a column.
template <class Derived>
VectorX<typename Derived::Scalar> normalised_probabilities(std::string_view function,
                                                           std::string_view name,
                                                           const Eigen::MatrixBase<Derived>& p) {
  check_not_empty(function, name, p);
  check_vector(function, name, p);
  check_probability_vector(function, name, p);
  VectorX<typename Derived::Scalar> out = p.reshaped();
  out /= out.sum();
  return out;
}

/// The checks every measure of two distributions starts with: the base, both probability
/// vectors (normalised as scipy.stats.entropy does), and equal lengths.
template <class P, class Q>
std::pair<VectorX<typename P::Scalar>, VectorX<typename P::Scalar>> probability_pair(
    std::string_view function, const Eigen::MatrixBase<P>& p, const Eigen::MatrixBase<Q>& q,
    double base) {
  check_base(function, base);
  auto pn = normalised_probabilities(function, "p", p);
  auto qn = normalised_probabilities(function, "q", q);
  check_same_size(function, "q", qn.size(), "p", pn.size());
  return {std::move(pn), std::move(qn)};
}

/// sum_i -p_i log p_i with 0 log 0 = 0 (scipy.special.entr).
template <class T>
T entropy_nats(const VectorX<T>& p) {
  return (p.array() > T(0)).select(-p.array() * p.array().log(), T(0)).sum();
}

/// sum_i rel_entr(p_i, q_i), scipy.special.rel_entr: p log(p / q) for p, q > 0; 0 for p = 0;
/// +infinity for p > 0 = q.
template <class T>
T relative_entropy_nats(const VectorX<T>& p, const VectorX<T>& q) {
  T total = 0;
  for (Index i = 0; i < p.size(); ++i) {
    if (p(i) == T(0)) continue;
    if (q(i) == T(0)) return std::numeric_limits<T>::infinity();
    total += p(i) * std::log(p(i) / q(i));
  }
  return total;
}

/// Jensen-Shannon divergence in nats of normalised p and q: (KL(p || m) + KL(q || m)) / 2 with
/// m = (p + q) / 2, as scipy.spatial.distance.jensenshannon sums it; clamped at 0, since rounding
/// may leave -1e-17 for p close to q.
template <class T>
T jensen_shannon_nats(const VectorX<T>& p, const VectorX<T>& q) {
  const VectorX<T> m = (p + q) / T(2);
  return std::max((relative_entropy_nats(p, m) + relative_entropy_nats(q, m)) / T(2), T(0));
}

/// The result type of mutual information from counts of scalar S: S when it is floating, double
/// for integer counts (the sums run in double either way).
template <class S>
using CountReal = std::conditional_t<std::is_floating_point_v<S>, S, double>;

/// A contingency table: an Eigen matrix of integer or floating counts.
template <class C>
concept CountTable =
    std::is_base_of_v<Eigen::MatrixBase<C>, C> && std::is_arithmetic_v<typename C::Scalar>;

/// One non-empty cell of a contingency table: its row, its column and its count.
struct Cell {
  Index row;
  Index col;
  double count;
};

/// Plug-in mutual information in nats of the table with the given non-empty cells, row and
/// column sums and total N: sum_ij (n_ij / N) log(n_ij N / (a_i b_j)), the form of
/// sklearn.metrics.mutual_info_score. A table with one non-empty row or column gives exactly 0
/// (MI <= min(H(X), H(Y)) = 0); rounding below 0 is clamped.
inline double contingency_mutual_information(const std::vector<Cell>& cells,
                                             const std::vector<double>& row_sums,
                                             const std::vector<double>& col_sums, double total) {
  const auto non_empty = [](const std::vector<double>& sums) {
    return std::count_if(sums.begin(), sums.end(), [](double s) { return s > 0; });
  };
  if (non_empty(row_sums) <= 1 || non_empty(col_sums) <= 1) return 0.0;
  const double log_total = std::log(total);
  double mi = 0.0;
  for (const Cell& c : cells) {
    const auto row = static_cast<std::size_t>(c.row);
    const auto col = static_cast<std::size_t>(c.col);
    mi += c.count / total *
          (std::log(c.count) + log_total - std::log(row_sums[row]) - std::log(col_sums[col]));
  }
  return std::max(mi, 0.0);
}

/// Labels in an Eigen dense object with an integer scalar (a vector at run time).
template <class L>
concept EigenLabels =
    std::is_base_of_v<Eigen::MatrixBase<L>, L> && std::is_integral_v<typename L::Scalar>;

/// Labels in a sized range of integers that is not an Eigen object: std::vector<Index>,
/// std::span<const int>, std::array<long, n>.
template <class L>
concept RangeLabels = !std::is_base_of_v<Eigen::EigenBase<L>, L> && std::ranges::sized_range<L> &&
                      std::is_integral_v<std::ranges::range_value_t<L>>;

/// Cluster labels as mutual_information accepts them.
template <class L>
concept Labels = EigenLabels<L> || RangeLabels<L>;

/// The labels as 64-bit integers, after checking they form a non-empty vector.
template <Labels L>
std::vector<std::int64_t> label_values(std::string_view function, std::string_view name,
                                       const L& labels) {
  std::vector<std::int64_t> out;
  if constexpr (EigenLabels<L>) {
    check_vector(function, name, labels);
    out.reserve(static_cast<std::size_t>(labels.size()));
    for (Index i = 0; i < labels.size(); ++i)
      out.push_back(static_cast<std::int64_t>(labels(i)));
  } else {
    out.reserve(static_cast<std::size_t>(std::ranges::size(labels)));
    for (const auto& label : labels)
      out.push_back(static_cast<std::int64_t>(label));
  }
  if (out.empty()) throw_invalid(function, std::string(name) + " is empty; labels are needed");
  return out;
}

/// Codes 0, ..., K - 1 of the labels in increasing order of label (np.unique's inverse), and K.
inline std::pair<std::vector<Index>, Index> label_codes(const std::vector<std::int64_t>& labels) {
  std::vector<std::int64_t> unique = labels;
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  std::vector<Index> codes(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i)
    codes[i] = std::lower_bound(unique.begin(), unique.end(), labels[i]) - unique.begin();
  return {std::move(codes), static_cast<Index>(unique.size())};
}

}  // namespace detail

/// Shannon entropy H(p) = -sum_i p_i log p_i, with 0 log 0 = 0; scipy.stats.entropy(p, base=base).
///
/// Bounds: 0 <= H(p) <= log n (n entries), 0 for a point mass, log n for the uniform vector.
/// @param p probability vector (n entries, row or column).
/// @param base logarithm base: e (nats, the default, as SciPy), 2 (bits), 10, ...
/// @return H(p) in units of log base.
/// @throws alea::InvalidArgument when p is empty, not a vector, or not a probability vector, or
///         when base <= 0, base = 1 or base is not finite.
template <class P>
requires std::floating_point<typename P::Scalar>
typename P::Scalar entropy(const Eigen::MatrixBase<P>& p, double base = std::numbers::e) {
  using T = typename P::Scalar;
  constexpr std::string_view function = "alea::info::entropy";
  detail::check_base(function, base);
  const VectorX<T> pn = detail::normalised_probabilities(function, "p", p);
  return detail::entropy_nats(pn) / static_cast<T>(std::log(base));
}

/// Cross-entropy H(p, q) = -sum_i p_i log q_i = H(p) + KL(p || q) (scipy.stats.entropy's
/// docstring); terms with p_i = 0 are 0, and the result is +infinity when q_i = 0 < p_i.
/// @param p, q probability vectors of the same length.
/// @param base logarithm base (e by default).
/// @throws alea::InvalidArgument as entropy(), and when p and q differ in length.
template <class P, class Q>
requires std::floating_point<typename P::Scalar> &&
    std::same_as<typename P::Scalar, typename Q::Scalar>
typename P::Scalar cross_entropy(const Eigen::MatrixBase<P>& p, const Eigen::MatrixBase<Q>& q,
                                 double base = std::numbers::e) {
  using T = typename P::Scalar;
  constexpr std::string_view function = "alea::info::cross_entropy";
  const auto [pn, qn] = detail::probability_pair(function, p, q, base);
  T total = 0;
  for (Index i = 0; i < pn.size(); ++i) {
    if (pn(i) > T(0)) total -= pn(i) * std::log(qn(i));  // log 0 = -inf gives +inf
  }
  return total / static_cast<T>(std::log(base));
}

/// Kullback-Leibler divergence KL(p || q) = sum_i p_i log(p_i / q_i) (relative entropy);
/// scipy.stats.entropy(p, q, base=base), the sum of scipy.special.rel_entr.
///
/// KL >= 0, with equality iff p = q; it is not symmetric. It is +infinity when some q_i = 0 < p_i
/// (absolute continuity fails); terms with p_i = 0 contribute 0.
/// @param p, q probability vectors of the same length.
/// @param base logarithm base (e by default).
/// @throws alea::InvalidArgument as cross_entropy().
template <class P, class Q>
requires std::floating_point<typename P::Scalar> &&
    std::same_as<typename P::Scalar, typename Q::Scalar>
typename P::Scalar kl_divergence(const Eigen::MatrixBase<P>& p, const Eigen::MatrixBase<Q>& q,
                                 double base = std::numbers::e) {
  using T = typename P::Scalar;
  constexpr std::string_view function = "alea::info::kl_divergence";
  const auto [pn, qn] = detail::probability_pair(function, p, q, base);
  return detail::relative_entropy_nats(pn, qn) / static_cast<T>(std::log(base));
}

/// Jensen-Shannon divergence JS(p, q) = (KL(p || m) + KL(q || m)) / 2 with m = (p + q) / 2.
///
/// Symmetric, finite (even where p or q is 0), 0 <= JS <= log 2 (1 bit). Its square root is a
/// metric, js_distance().
/// @param p, q probability vectors of the same length.
/// @param base logarithm base (e by default).
/// @throws alea::InvalidArgument as cross_entropy().
template <class P, class Q>
requires std::floating_point<typename P::Scalar> &&
    std::same_as<typename P::Scalar, typename Q::Scalar>
typename P::Scalar js_divergence(const Eigen::MatrixBase<P>& p, const Eigen::MatrixBase<Q>& q,
                                 double base = std::numbers::e) {
  using T = typename P::Scalar;
  constexpr std::string_view function = "alea::info::js_divergence";
  const auto [pn, qn] = detail::probability_pair(function, p, q, base);
  return detail::jensen_shannon_nats(pn, qn) / static_cast<T>(std::log(base));
}

/// Jensen-Shannon distance sqrt(JS(p, q)), a metric on probability vectors;
/// scipy.spatial.distance.jensenshannon(p, q, base).
/// @param p, q probability vectors of the same length.
/// @param base logarithm base (e by default); in base 2 the distance lies in [0, 1].
/// @throws alea::InvalidArgument as cross_entropy(), naming alea::info::js_distance.
template <class P, class Q>
requires std::floating_point<typename P::Scalar> &&
    std::same_as<typename P::Scalar, typename Q::Scalar>
typename P::Scalar js_distance(const Eigen::MatrixBase<P>& p, const Eigen::MatrixBase<Q>& q,
                               double base = std::numbers::e) {
  using T = typename P::Scalar;
  constexpr std::string_view function = "alea::info::js_distance";
  const auto [pn, qn] = detail::probability_pair(function, p, q, base);
  return std::sqrt(detail::jensen_shannon_nats(pn, qn) / static_cast<T>(std::log(base)));
}

/// Renyi entropy of order alpha, H_alpha(p) = log(sum_i p_i^alpha) / (1 - alpha) (Renyi 1961),
/// extended by continuity: alpha = 0 gives log |support| (Hartley), alpha = 1 the Shannon
/// entropy, alpha = +infinity the min-entropy -log max_i p_i.
///
/// H_alpha is non-increasing in alpha, and log n >= H_0 >= H_1 >= H_2 >= H_inf >= 0.
/// Numerics: for |alpha - 1| <= 1/2 the sum is written sum_i p_i^alpha = 1 + s with
/// s = sum_i p_i expm1((alpha - 1) log p_i), and log1p(s) / (1 - alpha) keeps full relative
/// accuracy as alpha -> 1, where the direct formula divides a rounding error by 1 - alpha.
/// Elsewhere log sum_i p_i^alpha is a log-sum-exp of alpha log p_i, which neither under- nor
/// overflows for large alpha or many tiny p_i.
/// @param p probability vector.
/// @param alpha order, >= 0 (may be +infinity).
/// @param base logarithm base (e by default).
/// @throws alea::InvalidArgument as entropy(), and when alpha is negative or NaN.
template <class P>
requires std::floating_point<typename P::Scalar>
typename P::Scalar renyi_entropy(const Eigen::MatrixBase<P>& p, double alpha,
                                 double base = std::numbers::e) {
  using T = typename P::Scalar;
  constexpr std::string_view function = "alea::info::renyi_entropy";
  detail::check_base(function, base);
  if (!(alpha >= 0)) {
    throw_invalid(function,
                  "alpha is " + alea::detail::number_text(alpha) + ", but must be non-negative");
  }
  const VectorX<T> pn = detail::normalised_probabilities(function, "p", p);
  const T log_base = static_cast<T>(std::log(base));
  if (alpha == 1) return detail::entropy_nats(pn) / log_base;
  if (std::isinf(alpha)) return -std::log(pn.maxCoeff()) / log_base;
  std::vector<T> log_support;  // log p_i over p_i > 0 (0^alpha = 0 for alpha > 0)
  for (Index i = 0; i < pn.size(); ++i) {
    if (pn(i) > T(0)) log_support.push_back(std::log(pn(i)));
  }
  const auto logs =
      Eigen::Map<const VectorX<T>>(log_support.data(), static_cast<Index>(log_support.size()));
  if (alpha == 0) return std::log(static_cast<T>(logs.size())) / log_base;
  const T a = static_cast<T>(alpha);
  T log_sum;
  if (std::abs(alpha - 1) <= 0.5) {
    T s = 0;
    for (Index i = 0; i < logs.size(); ++i)
      s += std::exp(logs(i)) * std::expm1((a - T(1)) * logs(i));
    log_sum = std::log1p(s);
  } else {
    log_sum = log_sum_exp(a * logs.array());
  }
  return log_sum / (T(1) - a) / log_base;
}

/// Plug-in mutual information I(X; Y) = sum_ij (n_ij / N) log(n_ij N / (n_i. n_.j)) of the
/// variables whose joint counts form the contingency table; sklearn.metrics.mutual_info_score
/// with contingency=... (and a base).
///
/// Estimated from counts, I is biased upward: for independent variables with K x L non-empty
/// cells its expectation is about (K - 1)(L - 1) / (2N) (Miller 1955); see docs/info.md. A table
/// with a single non-empty row or column gives exactly 0.
/// @param contingency counts, any shape (rows: values of X; columns: values of Y), finite and
///        non-negative with a positive sum; integer or floating (non-integer counts are weights).
/// @param base logarithm base (e by default).
/// @return I(X; Y) >= 0, in the contingency's floating scalar (double for integer counts).
/// @throws alea::InvalidArgument when the table is empty, has a NaN, Inf or negative entry or
///         sums to 0, or for a bad base.
template <detail::CountTable C>
detail::CountReal<typename C::Scalar> mutual_information(const Eigen::MatrixBase<C>& contingency,
                                                         double base = std::numbers::e) {
  constexpr std::string_view function = "alea::info::mutual_information";
  detail::check_base(function, base);
  check_not_empty(function, "contingency", contingency);
  if constexpr (std::is_floating_point_v<typename C::Scalar>) {
    check_finite(function, "contingency", contingency);
  }
  std::vector<double> row_sums(static_cast<std::size_t>(contingency.rows()), 0.0);
  std::vector<double> col_sums(static_cast<std::size_t>(contingency.cols()), 0.0);
  std::vector<detail::Cell> cells;
  double total = 0;
  for (Index j = 0; j < contingency.cols(); ++j) {
    for (Index i = 0; i < contingency.rows(); ++i) {
      const auto count = static_cast<double>(contingency(i, j));
      if (count < 0) {
        throw_invalid(function, "contingency has a negative entry " +
                                    alea::detail::number_text(contingency(i, j)) + " at row " +
                                    std::to_string(i) + ", column " + std::to_string(j) +
                                    "; counts must be non-negative");
      }
      if (count == 0) continue;
      cells.push_back({i, j, count});
      row_sums[static_cast<std::size_t>(i)] += count;
      col_sums[static_cast<std::size_t>(j)] += count;
      total += count;
    }
  }
  if (!(total > 0)) {
    throw_invalid(function, "contingency sums to 0; at least one count must be positive");
  }
  using R = detail::CountReal<typename C::Scalar>;
  return static_cast<R>(detail::contingency_mutual_information(cells, row_sums, col_sums, total) /
                        std::log(base));
}

/// Mutual information of two labellings of the same n objects: the plug-in estimate from their
/// contingency table, sklearn.metrics.mutual_info_score(labels_a, labels_b) (and a base).
///
/// Only equality of labels matters (any integers, not necessarily 0, ..., K - 1); I(a; a) = H(a),
/// the entropy of the label frequencies. Cost O(n log n), memory O(n): the table is built
/// sparsely, so many distinct labels are cheap.
/// @param labels_a, labels_b integer labels of equal, non-zero length: Eigen integer vectors
///        (Eigen::VectorXi, a row or column) or sized ranges of integers (std::vector<Index>).
/// @param base logarithm base (e by default).
/// @throws alea::InvalidArgument when a labelling is empty or not a vector, when the lengths
///         differ, or for a bad base.
template <class A, class B>
requires detail::Labels<A> && detail::Labels<B>
double mutual_information(const A& labels_a, const B& labels_b, double base = std::numbers::e) {
  constexpr std::string_view function = "alea::info::mutual_information";
  detail::check_base(function, base);
  const std::vector<std::int64_t> a = detail::label_values(function, "labels_a", labels_a);
  const std::vector<std::int64_t> b = detail::label_values(function, "labels_b", labels_b);
  detail::check_same_size(function, "labels_b", static_cast<Index>(b.size()), "labels_a",
                          static_cast<Index>(a.size()));
  const auto [codes_a, k_a] = detail::label_codes(a);
  const auto [codes_b, k_b] = detail::label_codes(b);
  std::vector<double> row_sums(static_cast<std::size_t>(k_a), 0.0);
  std::vector<double> col_sums(static_cast<std::size_t>(k_b), 0.0);
  // Cells as keys a k_b + b (< n^2, which fits in 64 bits for any n that fits in memory),
  // sorted so that equal pairs are adjacent.
  std::vector<Index> keys(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    keys[i] = codes_a[i] * k_b + codes_b[i];
    row_sums[static_cast<std::size_t>(codes_a[i])] += 1;
    col_sums[static_cast<std::size_t>(codes_b[i])] += 1;
  }
  std::sort(keys.begin(), keys.end());
  std::vector<detail::Cell> cells;
  for (std::size_t start = 0; start < keys.size();) {
    std::size_t end = start;
    while (end < keys.size() && keys[end] == keys[start])
      ++end;
    cells.push_back({keys[start] / k_b, keys[start] % k_b, static_cast<double>(end - start)});
    start = end;
  }
  return detail::contingency_mutual_information(cells, row_sums, col_sums,
                                                static_cast<double>(a.size())) /
         std::log(base);
}

/// Settings of mutual_information_binned.
struct BinnedMutualInformationSettings {
  /// Bins of each variable: a count (the same for x and y) or one of numpy's rules, applied to
  /// each sample separately (alea::Histogram's rules, np.histogram_bin_edges). Default: Sturges,
  /// log2(n) + 1 bins. The rules that suit a 1-D density ('auto', 'fd', 'sqrt') give so many
  /// cells in 2-D that the upward bias dominates: for a bivariate normal with rho = 0.5
  /// (I = 0.144 nats) and n = 10^4, 'auto' averages 0.246 and Sturges 0.144 (docs/info.md).
  HistogramBins bins = BinRule::sturges;
  /// Add the Miller-Madow correction (m - 1) / (2n) to each of the three entropies, m the number
  /// of non-empty cells (Miller 1955): it removes the first-order bias of the plug-in estimate.
  bool miller_madow = false;
  /// Logarithm base (e: nats).
  double base = std::numbers::e;
};

/// Mutual information of two continuous 1-D samples, estimated by binning: the pairs (x_i, y_i)
/// are counted on the product of the bins of x and of y (np.histogram2d with each variable's
/// np.histogram_bin_edges), and the plug-in mutual information of that table is returned,
/// optionally with the Miller-Madow correction.
///
/// Bias (docs/info.md): this estimates the MI of the discretised variables, which is below the
/// continuous MI (data processing inequality) and approaches it only as bins shrink; the plug-in
/// estimate of the discrete MI is biased upward by about (m_xy - m_x - m_y + 1) / (2n), which
/// grows with the number of cells. Miller-Madow subtracts that first-order term; the corrected
/// value is not clamped and can be slightly negative for independent samples.
/// @param x, y samples of equal length n >= 1 (vectors, same floating scalar), finite.
/// @param settings bins, correction and base (BinnedMutualInformationSettings).
/// @return the estimate in units of log base.
/// @throws alea::InvalidArgument when a sample is empty, not a vector or not finite, when the
///         lengths differ, for a bin count < 1, a bad base, or a grid too large for
///         alea::Histogram (more than 10^7 cells).
template <class X, class Y>
requires std::floating_point<typename X::Scalar> &&
    std::same_as<typename X::Scalar, typename Y::Scalar>
typename X::Scalar mutual_information_binned(const Eigen::MatrixBase<X>& x,
                                             const Eigen::MatrixBase<Y>& y,
                                             const BinnedMutualInformationSettings& settings = {}) {
  using T = typename X::Scalar;
  constexpr std::string_view function = "alea::info::mutual_information_binned";
  detail::check_base(function, settings.base);
  if (!settings.bins.is_rule()) check_positive(function, "bins", settings.bins.count());
  check_not_empty(function, "x", x);
  check_not_empty(function, "y", y);
  detail::check_vector(function, "x", x);
  detail::check_vector(function, "y", y);
  detail::check_same_size(function, "y", y.size(), "x", x.size());
  check_finite(function, "x", x);
  check_finite(function, "y", y);
  const Index n = x.size();
  MatrixX<T> pairs(n, 2);
  pairs.col(0) = x.reshaped();
  pairs.col(1) = y.reshaped();
  Histogram<T> grid({.bins = settings.bins});
  try {
    grid.fit(pairs);
  } catch (const InvalidArgument& error) {  // the grid exceeds max_cells
    throw_invalid(function, std::string("binning failed: ") + error.what());
  }
  const Index bins_x = grid.bin_counts()[0];
  const Index bins_y = grid.bin_counts()[1];
  // counts() is row-major over (x bin, y bin): cell (i, j) is entry i bins_y + j.
  const auto table =
      Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          grid.counts().data(), bins_x, bins_y);
  T mi = mutual_information(table, settings.base);
  if (settings.miller_madow) {
    const auto cells = static_cast<double>((table.array() > T(0)).count());
    const auto rows = static_cast<double>((table.rowwise().sum().array() > T(0)).count());
    const auto cols = static_cast<double>((table.colwise().sum().array() > T(0)).count());
    // H_x + H_y - H_xy, each with + (m - 1) / (2n).
    const double correction = (rows + cols - cells - 1.0) / (2.0 * static_cast<double>(n));
    mi += static_cast<T>(correction / std::log(settings.base));
  }
  return mi;
}

}  // namespace alea::info
