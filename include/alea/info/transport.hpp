#pragma once
/// @file
/// @brief Optimal-transport distances: the 1-D Wasserstein-1 and energy distances of (weighted)
/// samples as SciPy computes them, the 2-Wasserstein distance between normals in closed form,
/// and the sliced Wasserstein distance between samples in d dimensions.
///
/// @code
/// Eigen::Vector3d u{0, 1, 3}, v{5, 6, 8};
/// double w1 = alea::info::wasserstein_1d(u, v);       // 5, scipy.stats.wasserstein_distance
/// double e = alea::info::energy_distance_1d(u, v);    // scipy.stats.energy_distance
/// double w2 = alea::info::wasserstein2(p, q);         // alea::Gaussian p, q: the distance W2
/// alea::Rng rng{3};
/// double sw = alea::info::sliced_wasserstein(X, Y, 200, rng);  // X: n x d, Y: m x d
/// @endcode

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "alea/core/checks.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/core/types.hpp"
#include "alea/density/gaussian.hpp"
#include "alea/info/gaussian_info.hpp"

namespace alea::info {

namespace detail {

/// Throws unless x is a non-empty, finite vector (a row or a column): "u is 3 x 2, but must be a
/// vector".
template <class Derived>
void check_sample_vector(std::string_view function, std::string_view name,
                         const Eigen::MatrixBase<Derived>& x) {
  check_not_empty(function, name, x);
  if (x.rows() != 1 && x.cols() != 1) {
    throw_invalid(function, std::string(name) + " is " + std::to_string(x.rows()) + " x " +
                                std::to_string(x.cols()) + ", but must be a vector");
  }
  check_finite(function, name, x);
}

/// Throws unless `weights` is a vector of one finite, non-negative weight per value of the
/// sample `values_name` (n of them), with a positive, finite sum (scipy.stats'
/// _validate_distribution).
template <class Derived>
void check_sample_weights(std::string_view function, std::string_view name,
                          const Eigen::MatrixBase<Derived>& weights, std::string_view values_name,
                          Index n) {
  if (weights.rows() != 1 && weights.cols() != 1) {
    throw_invalid(function, std::string(name) + " is " + std::to_string(weights.rows()) + " x " +
                                std::to_string(weights.cols()) + ", but must be a vector");
  }
  if (weights.size() != n) {
    throw_invalid(function, std::string(name) + " has " + std::to_string(weights.size()) +
                                " entries, but " + std::string(values_name) + " has " +
                                std::to_string(n));
  }
  check_weights(function, name, weights, n);  // finite, non-negative, positive sum
  if (!std::isfinite(static_cast<double>(weights.sum()))) {
    throw_invalid(function, std::string(name) + " sums to an overflow; rescale the weights");
  }
}

/// A 1-D sample sorted in increasing order, with its cumulative weights: cumulative[k] is the
/// weight of the k smallest values (cumulative[0] = 0); empty for equal weights.
template <class W>
struct SortedSample {
  std::vector<W> values;
  std::vector<W> cumulative;

  /// The empirical CDF at a point with k sample values at or below it.
  [[nodiscard]] W cdf(std::size_t k) const {
    return cumulative.empty() ? W(k) / W(values.size()) : cumulative[k] / cumulative.back();
  }
};

/// Sorts the values (and the weights with them, when there are any).
template <class W, class V, class Weights>
SortedSample<W> sort_sample(const Eigen::MatrixBase<V>& values, const Weights* weights) {
  const auto n = static_cast<std::size_t>(values.size());
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return values(Index(a)) < values(Index(b)); });
  SortedSample<W> out;
  out.values.reserve(n);
  for (std::size_t i : order)
    out.values.push_back(static_cast<W>(values(Index(i))));
  if (weights != nullptr) {
    out.cumulative.assign(n + 1, W(0));
    for (std::size_t k = 0; k < n; ++k)  // np.cumsum: sequential
      out.cumulative[k + 1] = out.cumulative[k] + static_cast<W>((*weights)(Index(order[k])));
  }
  return out;
}

/// integral |F_u(x) - F_v(x)|^power dx for power 1 or 2, exactly as scipy.stats' _cdf_distance
/// (SciPy 1.10): the CDFs are step functions that change only at the pooled sample values
/// x_(0) <= ... <= x_(N-1), so the integral is sum_k |F_u(x_(k)) - F_v(x_(k))|^power
/// (x_(k+1) - x_(k)). One merge after the sorts: O((n + m) log(n + m)) in all.
template <class W>
W cdf_distance_integral(int power, const SortedSample<W>& u, const SortedSample<W>& v) {
  std::vector<W> pooled(u.values.size() + v.values.size());
  std::merge(u.values.begin(), u.values.end(), v.values.begin(), v.values.end(), pooled.begin());
  std::size_t below_u = 0;  // number of u values <= the current point (searchsorted 'right')
  std::size_t below_v = 0;
  W total = 0;
  for (std::size_t k = 0; k + 1 < pooled.size(); ++k) {
    const W x = pooled[k];
    while (below_u < u.values.size() && u.values[below_u] <= x)
      ++below_u;
    while (below_v < v.values.size() && v.values[below_v] <= x)
      ++below_v;
    const W gap = std::abs(u.cdf(below_u) - v.cdf(below_v));
    const W width = pooled[k + 1] - x;
    total += (power == 1 ? gap : gap * gap) * width;
  }
  return total;
}

/// W_p(x, y)^p = integral_0^1 |F_x^-1(t) - F_y^-1(t)|^p dt for sorted samples of equal weights:
/// the quantile functions are steps at t = i / n and j / m, so the integral is a sum over the
/// merged steps, tracked in integer units of 1 / (n m) so that coinciding steps are found exactly.
/// For n = m it is the mean of |x_(i) - y_(i)|^p.
template <class W>
W wasserstein_power_sorted(const std::vector<W>& x, const std::vector<W>& y, W p) {
  const auto power = [p](W gap) {
    return p == W(1) ? std::abs(gap) : (p == W(2) ? gap * gap : std::pow(std::abs(gap), p));
  };
  const auto n = static_cast<std::int64_t>(x.size());
  const auto m = static_cast<std::int64_t>(y.size());
  W total = 0;
  if (n == m) {
    for (std::size_t i = 0; i < x.size(); ++i)
      total += power(x[i] - y[i]);
    return total / W(n);
  }
  std::int64_t position = 0;  // t = position / (n m)
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < x.size() && j < y.size()) {
    const std::int64_t end_x = (static_cast<std::int64_t>(i) + 1) * m;  // x's step (i + 1) / n
    const std::int64_t end_y = (static_cast<std::int64_t>(j) + 1) * n;  // y's step (j + 1) / m
    const std::int64_t end = std::min(end_x, end_y);
    total += W(end - position) * power(x[i] - y[j]);
    position = end;
    if (end_x == end) ++i;
    if (end_y == end) ++j;
  }
  return total / (W(n) * W(m));
}

/// Throws unless the eigenvalues of the covariance `name` (of scalar T, computed in W) are
/// non-negative up to rounding: down to -c eps max|lambda|, with c = 10^6 in double and 10^3 in
/// float, as SciPy's _eigvalsh_to_eps (scipy.stats.multivariate_normal) accepts them.
template <class T, class W>
void check_positive_semidefinite(std::string_view function, std::string_view name,
                                 const VectorX<W>& eigenvalues) {
  const W factor = std::is_same_v<T, float> ? W(1e3) : W(1e6);
  const W tolerance =
      factor * W(Eigen::NumTraits<T>::epsilon()) * eigenvalues.cwiseAbs().maxCoeff();
  if (eigenvalues.minCoeff() < -tolerance) {
    throw_invalid(function, std::string(name) +
                                " is not positive semi-definite: its smallest eigenvalue is " +
                                alea::detail::number_text(eigenvalues.minCoeff()));
  }
}

/// Throws unless S is a finite symmetric d x d matrix (d entries in the mean `mean_name`);
/// symmetric to 100 ulps of its largest entry, as check_symmetric_positive_definite.
template <class Derived>
void check_symmetric(std::string_view function, std::string_view name,
                     const Eigen::MatrixBase<Derived>& S, Index d, std::string_view mean_name) {
  using T = typename Derived::Scalar;
  check_square(function, name, S);
  if (S.rows() != d) {
    throw_invalid(function, std::string(name) + " is " + std::to_string(S.rows()) + " x " +
                                std::to_string(S.cols()) + ", but " + std::string(mean_name) +
                                " has " + std::to_string(d) + " entries");
  }
  check_finite(function, name, S);
  const T tolerance = T(100) * Eigen::NumTraits<T>::epsilon() * S.cwiseAbs().maxCoeff();
  for (Index j = 0; j < d; ++j) {
    for (Index i = j + 1; i < d; ++i) {
      if (std::abs(S(i, j) - S(j, i)) > tolerance) {
        throw_invalid(function, std::string(name) + " is not symmetric: entry (" +
                                    std::to_string(i) + ", " + std::to_string(j) + ") is " +
                                    alea::detail::number_text(S(i, j)) + " but (" +
                                    std::to_string(j) + ", " + std::to_string(i) + ") is " +
                                    alea::detail::number_text(S(j, i)));
      }
    }
  }
}

/// W2 between N(mean_p, cov_p) and N(mean_q, cov_q), cov_q given with its eigendecomposition;
/// see wasserstein2.
template <class W>
W bures_wasserstein(const VectorX<W>& mean_p, const MatrixX<W>& cov_p, const VectorX<W>& mean_q,
                    const MatrixX<W>& cov_q,
                    const Eigen::SelfAdjointEigenSolver<MatrixX<W>>& eigen_q) {
  const VectorX<W> roots = eigen_q.eigenvalues().cwiseMax(W(0)).cwiseSqrt();
  const MatrixX<W> root_q =
      eigen_q.eigenvectors() * roots.asDiagonal() * eigen_q.eigenvectors().transpose();
  const MatrixX<W> middle = root_q * cov_p * root_q;
  // Symmetric in exact arithmetic; averaging with the transpose removes rounding asymmetry.
  const MatrixX<W> symmetric = W(0.5) * (middle + middle.transpose());
  const Eigen::SelfAdjointEigenSolver<MatrixX<W>> eigen_middle(symmetric, Eigen::EigenvaluesOnly);
  const W cross = eigen_middle.eigenvalues().cwiseMax(W(0)).cwiseSqrt().sum();
  const W squared = (mean_p - mean_q).squaredNorm() + cov_p.trace() + cov_q.trace() - W(2) * cross;
  return std::sqrt(std::max(squared, W(0)));
}

}  // namespace detail

/// 1-Wasserstein (earth mover's) distance between the empirical distributions of two 1-D
/// samples, integral |F_u(x) - F_v(x)| dx; scipy.stats.wasserstein_distance(u, v).
/// @param u n values, v m values (vectors, same floating scalar, finite, n, m >= 1).
/// @return W_1 >= 0, in the units of the data. Computed in double for float data.
/// @throws alea::InvalidArgument when u or v is empty, not a vector, or has a NaN or Inf.
template <class U, class V>
requires std::floating_point<typename U::Scalar> &&
    std::same_as<typename U::Scalar, typename V::Scalar>
typename U::Scalar wasserstein_1d(const Eigen::MatrixBase<U>& u, const Eigen::MatrixBase<V>& v) {
  using T = typename U::Scalar;
  using W = std::common_type_t<T, double>;
  constexpr std::string_view function = "alea::info::wasserstein_1d";
  detail::check_sample_vector(function, "u", u);
  detail::check_sample_vector(function, "v", v);
  const VectorX<T>* none = nullptr;
  return static_cast<T>(detail::cdf_distance_integral(1, detail::sort_sample<W>(u, none),
                                                      detail::sort_sample<W>(v, none)));
}

/// Weighted 1-Wasserstein distance: the samples carry weights (normalised to sum 1), as
/// scipy.stats.wasserstein_distance(u, v, u_weights, v_weights).
/// @param u n values, v m values; u_weights n and v_weights m weights (vectors, finite,
///        non-negative, each with a positive sum; zero weights are allowed).
/// @throws alea::InvalidArgument as wasserstein_1d(u, v), and for weights of the wrong length, a
///         NaN, Inf or negative weight, or weights summing to 0.
template <class U, class V, class UW, class VW>
requires std::floating_point<typename U::Scalar> &&
    std::same_as<typename U::Scalar, typename V::Scalar> &&
    std::same_as<typename U::Scalar, typename UW::Scalar> &&
    std::same_as<typename U::Scalar, typename VW::Scalar>
typename U::Scalar wasserstein_1d(const Eigen::MatrixBase<U>& u, const Eigen::MatrixBase<V>& v,
                                  const Eigen::MatrixBase<UW>& u_weights,
                                  const Eigen::MatrixBase<VW>& v_weights) {
  using T = typename U::Scalar;
  using W = std::common_type_t<T, double>;
  constexpr std::string_view function = "alea::info::wasserstein_1d";
  detail::check_sample_vector(function, "u", u);
  detail::check_sample_vector(function, "v", v);
  detail::check_sample_weights(function, "u_weights", u_weights, "u", u.size());
  detail::check_sample_weights(function, "v_weights", v_weights, "v", v.size());
  return static_cast<T>(detail::cdf_distance_integral(1, detail::sort_sample<W>(u, &u_weights),
                                                      detail::sort_sample<W>(v, &v_weights)));
}

/// Energy distance between the empirical distributions of two 1-D samples,
/// sqrt(2 integral (F_u(x) - F_v(x))^2 dx) = sqrt(2 E|X - Y| - E|X - X'| - E|Y - Y'|) (Szekely
/// and Rizzo; the first form is computed); scipy.stats.energy_distance(u, v).
/// @param u n values, v m values (vectors, same floating scalar, finite, n, m >= 1).
/// @throws alea::InvalidArgument as wasserstein_1d(u, v).
template <class U, class V>
requires std::floating_point<typename U::Scalar> &&
    std::same_as<typename U::Scalar, typename V::Scalar>
typename U::Scalar energy_distance_1d(const Eigen::MatrixBase<U>& u,
                                      const Eigen::MatrixBase<V>& v) {
  using T = typename U::Scalar;
  using W = std::common_type_t<T, double>;
  constexpr std::string_view function = "alea::info::energy_distance_1d";
  detail::check_sample_vector(function, "u", u);
  detail::check_sample_vector(function, "v", v);
  const VectorX<T>* none = nullptr;
  const W integral = detail::cdf_distance_integral(2, detail::sort_sample<W>(u, none),
                                                   detail::sort_sample<W>(v, none));
  return static_cast<T>(std::sqrt(W(2)) * std::sqrt(integral));
}

/// Weighted energy distance, as scipy.stats.energy_distance(u, v, u_weights, v_weights).
/// @throws alea::InvalidArgument as the weighted wasserstein_1d().
template <class U, class V, class UW, class VW>
requires std::floating_point<typename U::Scalar> &&
    std::same_as<typename U::Scalar, typename V::Scalar> &&
    std::same_as<typename U::Scalar, typename UW::Scalar> &&
    std::same_as<typename U::Scalar, typename VW::Scalar>
typename U::Scalar energy_distance_1d(const Eigen::MatrixBase<U>& u, const Eigen::MatrixBase<V>& v,
                                      const Eigen::MatrixBase<UW>& u_weights,
                                      const Eigen::MatrixBase<VW>& v_weights) {
  using T = typename U::Scalar;
  using W = std::common_type_t<T, double>;
  constexpr std::string_view function = "alea::info::energy_distance_1d";
  detail::check_sample_vector(function, "u", u);
  detail::check_sample_vector(function, "v", v);
  detail::check_sample_weights(function, "u_weights", u_weights, "u", u.size());
  detail::check_sample_weights(function, "v_weights", v_weights, "v", v.size());
  const W integral = detail::cdf_distance_integral(2, detail::sort_sample<W>(u, &u_weights),
                                                   detail::sort_sample<W>(v, &v_weights));
  return static_cast<T>(std::sqrt(W(2)) * std::sqrt(integral));
}

/// 2-Wasserstein distance between N(m_p, S_p) and N(m_q, S_q), in closed form (Dowson and
/// Landau 1982; Givens and Shortt 1984):
///
///     W2^2 = ||m_p - m_q||^2 + tr(S_p + S_q - 2 (S_q^1/2 S_p S_q^1/2)^1/2),
///
/// the trace term being the squared Bures distance of the covariances. Returns W2, the
/// distance itself (its square is the Frechet distance of FID).
///
/// Computed with two symmetric eigendecompositions, never in complex arithmetic: S_q = V L V^T
/// gives S_q^1/2 = V L^1/2 V^T, and tr (S_q^1/2 S_p S_q^1/2)^1/2 is the sum of the square roots
/// of the eigenvalues of that symmetric positive semi-definite matrix (rounding below 0 is
/// clamped). The squared distance is a difference of traces, so its absolute error is about
/// eps (tr S_p + tr S_q); W2 of two equal Gaussians is 0 up to the square root of that.
/// @throws alea::NotFittedError when p or q is not fitted; alea::InvalidArgument when their
///         dimensions differ.
template <class T>
T wasserstein2(const Gaussian<T>& p, const Gaussian<T>& q) {
  using W = std::common_type_t<T, double>;
  constexpr std::string_view function = "alea::info::wasserstein2";
  detail::check_fitted_gaussian(function, "p", p);
  detail::check_fitted_gaussian(function, "q", q);
  detail::check_same_dimension(function, p.dim(), q.dim());
  const MatrixX<W> cov_q = q.covariance().template cast<W>();
  return static_cast<T>(detail::bures_wasserstein<W>(
      p.mean().template cast<W>(), p.covariance().template cast<W>(), q.mean().template cast<W>(),
      cov_q, Eigen::SelfAdjointEigenSolver<MatrixX<W>>(cov_q)));
}

/// 2-Wasserstein distance between N(mean_p, cov_p) and N(mean_q, cov_q) given by their
/// parameters, as wasserstein2(p, q), for covariances that need only be positive
/// semi-definite: rank-deficient covariances (degenerate normals, sample covariances of fewer
/// points than dimensions, as in FID) give finite, correct distances.
/// @param mean_p, mean_q d entries each; cov_p, cov_q d x d, symmetric positive semi-definite
///        (eigenvalues down to -10^6 eps max|lambda| are taken as 0).
/// @throws alea::InvalidArgument for empty or non-finite input, sizes that disagree, or a
///         covariance that is not symmetric or has a negative eigenvalue.
template <class MP, class SP, class MQ, class SQ>
requires std::floating_point<typename MP::Scalar> &&
    std::same_as<typename MP::Scalar, typename SP::Scalar> &&
    std::same_as<typename MP::Scalar, typename MQ::Scalar> &&
    std::same_as<typename MP::Scalar, typename SQ::Scalar>
typename MP::Scalar wasserstein2(const Eigen::MatrixBase<MP>& mean_p,
                                 const Eigen::MatrixBase<SP>& cov_p,
                                 const Eigen::MatrixBase<MQ>& mean_q,
                                 const Eigen::MatrixBase<SQ>& cov_q) {
  using T = typename MP::Scalar;
  using W = std::common_type_t<T, double>;
  constexpr std::string_view function = "alea::info::wasserstein2";
  detail::check_sample_vector(function, "mean_p", mean_p);
  detail::check_sample_vector(function, "mean_q", mean_q);
  if (mean_q.size() != mean_p.size()) {
    throw_invalid(function, "mean_q has " + std::to_string(mean_q.size()) +
                                " entries, but mean_p has " + std::to_string(mean_p.size()));
  }
  const Index d = mean_p.size();
  detail::check_symmetric(function, "cov_p", cov_p, d, "mean_p");
  detail::check_symmetric(function, "cov_q", cov_q, d, "mean_q");
  const MatrixX<W> sigma_p = cov_p.template cast<W>();
  const MatrixX<W> sigma_q = cov_q.template cast<W>();
  const Eigen::SelfAdjointEigenSolver<MatrixX<W>> eigen_q(sigma_q);
  const Eigen::SelfAdjointEigenSolver<MatrixX<W>> eigen_p(sigma_p, Eigen::EigenvaluesOnly);
  detail::check_positive_semidefinite<T>(function, "cov_p", VectorX<W>(eigen_p.eigenvalues()));
  detail::check_positive_semidefinite<T>(function, "cov_q", VectorX<W>(eigen_q.eigenvalues()));
  return static_cast<T>(detail::bures_wasserstein<W>(mean_p.reshaped().template cast<W>(), sigma_p,
                                                     mean_q.reshaped().template cast<W>(), sigma_q,
                                                     eigen_q));
}

/// Sliced p-Wasserstein distance between the empirical distributions of X and Y in d
/// dimensions (Rabin et al. 2011; Bonneel et al. 2015), estimated by Monte Carlo as POT's
/// ot.sliced_wasserstein_distance does:
///
///     SW_p(X, Y) = ( mean_{l = 1..L} W_p(X theta_l, Y theta_l)^p )^(1/p),
///
/// with L directions theta_l drawn uniformly on the unit sphere (normalised standard normal
/// vectors from alea::standard_normal) and W_p the 1-D Wasserstein-p distance of the projected
/// samples, computed from the sorted projections (for n = m, mean_i |x_(i) - y_(i)|^p; otherwise
/// the integral of the quantile functions' difference over their merged steps).
///
/// Monte Carlo error: the inner mean estimates SW_p^p with standard error s / sqrt(L), s the
/// standard deviation of W_p^p(theta) over directions; the p-th root carries about
/// s / (p sqrt(L) SW_p^(p-1)). For a pure translation by c (p = 2), W_2^2(theta) = (theta . c)^2
/// has mean |c|^2 / d and s = |c|^2 sqrt(2 (d - 1) / (d + 2)) / d, a relative error of about
/// sqrt(2 / L) for SW_2^2. This is the error of the slicing only; X and Y are themselves
/// samples, whose sampling error comes on top. Directions are consecutive draws from the engine,
/// generated in blocks of 64 (memory O((n + m) 64)): L directions from one call are the same as
/// L1 and then L2 = L - L1 from two calls on the same engine.
/// @param X n x d and Y m x d samples, one observation per row (finite, n, m >= 1).
/// @param n_projections number of directions L >= 1.
/// @param rng any alea::RandomEngine; d L normal draws are taken from it.
/// @param p order, >= 1 (default 2).
/// @return the estimate of SW_p, in the units of the data.
/// @throws alea::InvalidArgument when X or Y is empty or not finite, their columns differ,
///         n_projections < 1, or p is below 1 or not finite.
template <class DX, class DY, RandomEngine G>
requires std::floating_point<typename DX::Scalar> &&
    std::same_as<typename DX::Scalar, typename DY::Scalar>
typename DX::Scalar sliced_wasserstein(const Eigen::MatrixBase<DX>& X,
                                       const Eigen::MatrixBase<DY>& Y, Index n_projections, G& rng,
                                       double p = 2) {
  using T = typename DX::Scalar;
  using W = std::common_type_t<T, double>;
  constexpr std::string_view function = "alea::info::sliced_wasserstein";
  check_data(function, "X", X);
  check_data(function, "Y", Y);
  check_cols(function, "Y", Y, X.cols(), "X has");
  check_positive(function, "n_projections", n_projections);
  check_finite(function, "p", p);
  if (!(p >= 1)) {
    throw_invalid(function, "p is " + alea::detail::number_text(p) + ", but must be at least 1");
  }
  constexpr Index block = 64;
  const Index d = X.cols();
  std::vector<W> x(static_cast<std::size_t>(X.rows()));
  std::vector<W> y(static_cast<std::size_t>(Y.rows()));
  W total = 0;
  for (Index start = 0; start < n_projections; start += block) {
    const Index count = std::min(block, n_projections - start);
    MatrixX<T> directions = standard_normal<T>(rng, d, count);
    for (Index l = 0; l < count; ++l) {
      // A zero vector has no direction; draw it again. The ziggurat returns exactly 0 for a zero
      // abscissa: probability 2^-52 per coordinate in double but 2^-23 in float, so in float
      // with d = 1 this happens about once in 8 million directions.
      while (directions.col(l).squaredNorm() == T(0))
        fill_standard_normal(rng, directions.col(l));
      directions.col(l).normalize();
    }
    const MatrixX<T> projected_x = X * directions;
    const MatrixX<T> projected_y = Y * directions;
    for (Index l = 0; l < count; ++l) {
      for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<W>(projected_x(Index(i), l));
      for (std::size_t i = 0; i < y.size(); ++i)
        y[i] = static_cast<W>(projected_y(Index(i), l));
      std::sort(x.begin(), x.end());
      std::sort(y.begin(), y.end());
      total += detail::wasserstein_power_sorted(x, y, W(p));
    }
  }
  return static_cast<T>(std::pow(total / W(n_projections), W(1) / W(p)));
}

}  // namespace alea::info
