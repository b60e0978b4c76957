#pragma once
/// @file
/// @brief The Frechet distance between Gaussians fitted to two feature sets: FID when the
/// features are Inception-v3's (Heusel, Ramsauer, Unterthiner, Nessler and Hochreiter, "GANs
/// trained by a two time-scale update rule converge to a local Nash equilibrium", NeurIPS 2017).
///
/// FD = ||mu1 - mu2||^2 + tr S1 + tr S2 - 2 tr (S1^{1/2} S2 S1^{1/2})^{1/2}, the squared
/// 2-Wasserstein distance between N(mu1, S1) and N(mu2, S2) (Dowson and Landau 1982). pytorch-fid
/// evaluates the last term as tr sqrtm(S1 S2) with scipy.linalg.sqrtm, a Schur decomposition of
/// a non-symmetric product that can return complex values and NaN for singular covariances, and
/// a small positive value for identical inputs (pytorch-fid issue #117, piq issue #283). Here the
/// term is the sum of the square roots of the eigenvalues of the symmetric positive semidefinite
/// B^T S2 B for a factor S1 = B B^T (detail/covariance.hpp), clamped at 0: real, finite, and
/// FD(X, X) = 0 to rounding. All of it runs in double, whatever the features' scalar.
///
/// From features, the covariances have ddof 1 (np.cov, as pytorch-fid). When a set has no more
/// rows than columns its covariance is singular, and its centred rows A (n x d) are an exact
/// factor, S = A^T A / (n - 1): no factorisation is needed and the eigenvalue problem shrinks to
/// n x n (both sets: the singular values of A1 A2^T, so that FD(X, X) is 0 to rounding there too).
///
/// Cost for n rows of d features each: two covariances (n d^2 flops each, symmetric rank-k
/// updates by a packed micro-kernel, detail/gram.hpp, the two on two threads at once), one Cholesky
/// factorisation (d^3 / 3), the congruence L^T S2 L (4 d^3 / 3, threaded triangular products) and
/// one symmetric eigenvalue problem without eigenvectors (4 d^3 / 3: a two-stage tridiagonal
/// reduction whose matrix products are threaded).
///
/// @code
/// double fid = alea::metrics::frechet_distance(real_features, fake_features);  // n x 2048 each
/// @endcode

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

#include "alea/core/checks.hpp"
#include "alea/core/parallel.hpp"
#include "alea/core/types.hpp"
#include "alea/metrics/detail/checks.hpp"
#include "alea/metrics/detail/covariance.hpp"

namespace alea::metrics {

namespace detail {

/// A covariance argument: d x d, finite, symmetric to sqrt(epsilon) of its largest entry (a
/// covariance written by another program is symmetric only to its rounding).
template <class Derived>
void check_covariance(std::string_view function, std::string_view name,
                      const Eigen::MatrixBase<Derived>& S, Index d, std::string_view mean_name) {
  check_square(function, name, S);
  if (S.rows() != d) {
    throw_invalid(function, std::string(name) + " is " + std::to_string(S.rows()) + " x " +
                                std::to_string(S.cols()) + ", but " + std::string(mean_name) +
                                " has " + std::to_string(d) + " entries");
  }
  check_finite(function, name, S);
  const double scale = double(S.cwiseAbs().maxCoeff());
  const double tolerance = 1.5e-8 * scale;
  for (Index j = 0; j < d; ++j) {
    for (Index i = j + 1; i < d; ++i) {
      if (std::abs(double(S(i, j)) - double(S(j, i))) > tolerance) {
        throw_invalid(function, std::string(name) + " is not symmetric: entry (" +
                                    std::to_string(i) + ", " + std::to_string(j) + ") is " +
                                    alea::detail::number_text(S(i, j)) + " but (" +
                                    std::to_string(j) + ", " + std::to_string(i) + ") is " +
                                    alea::detail::number_text(S(j, i)));
      }
    }
  }
}

/// The value from its parts, clamped at 0: FD is a squared distance, and rounding can leave
/// -1e-13 where the exact value is 0.
inline double frechet_value(const VectorX<double>& mean1, const VectorX<double>& mean2,
                            double trace1, double trace2, double trace_sqrt) {
  return std::max(0.0, (mean1 - mean2).squaredNorm() + trace1 + trace2 - 2 * trace_sqrt);
}

}  // namespace detail

/// Frechet distance between N(mean1, cov1) and N(mean2, cov2); see the file comment.
/// @param mean1 d entries. @param cov1 d x d, symmetric positive semidefinite (negative
///        eigenvalues from rounding count as 0). @param mean2, cov2 likewise.
/// @return FD >= 0, computed in double.
/// @throws alea::InvalidArgument for empty or non-finite arguments, mismatched sizes, or a
///         covariance that is not square or not symmetric.
template <class DM1, class DC1, class DM2, class DC2>
double frechet_distance(const Eigen::MatrixBase<DM1>& mean1, const Eigen::MatrixBase<DC1>& cov1,
                        const Eigen::MatrixBase<DM2>& mean2, const Eigen::MatrixBase<DC2>& cov2) {
  constexpr std::string_view function = "alea::metrics::frechet_distance";
  check_not_empty(function, "mean1", mean1);
  check_finite(function, "mean1", mean1);
  check_not_empty(function, "mean2", mean2);
  check_finite(function, "mean2", mean2);
  const Index d = mean1.size();
  if (mean2.size() != d) {
    throw_invalid(function, "mean2 has " + std::to_string(mean2.size()) +
                                " entries, but mean1 has " + std::to_string(d));
  }
  detail::check_covariance(function, "cov1", cov1, d, "mean1");
  detail::check_covariance(function, "cov2", cov2, d, "mean2");
  const MatrixX<double> c1 = cov1.template cast<double>();
  const MatrixX<double> c2 = cov2.template cast<double>();
  const MatrixX<double> S1 = 0.5 * (c1 + c1.transpose());
  const MatrixX<double> S2 = 0.5 * (c2 + c2.transpose());
  return detail::frechet_value(mean1.template cast<double>().reshaped(),
                               mean2.template cast<double>().reshaped(), S1.trace(), S2.trace(),
                               detail::trace_sqrt_product(S1, S2));
}

/// Frechet distance between Gaussians fitted to two feature sets (means and ddof-1
/// covariances); see the file comment for the rank-deficient case n <= d.
/// @param X n x d, rows are the features of real data. @param Y m x d, of generated data.
/// @return FD >= 0, computed in double.
/// @throws alea::InvalidArgument for empty or non-finite data, mismatched columns, or fewer than
///         2 rows in a set (a covariance needs 2).
template <class DerivedX, class DerivedY>
double frechet_distance(const Eigen::MatrixBase<DerivedX>& X,
                        const Eigen::MatrixBase<DerivedY>& Y) {
  using T = detail::SampleScalar<DerivedX, DerivedY>;
  constexpr std::string_view function = "alea::metrics::frechet_distance";
  const MatrixRef<T> x(X.derived());
  const MatrixRef<T> y(Y.derived());
  detail::check_samples<T>(function, x, y);
  detail::check_min_rows(function, "X", x, 2, "a covariance");
  detail::check_min_rows(function, "Y", y, 2, "a covariance");
  const Index d = x.cols(), n1 = x.rows(), n2 = y.rows();
  if (n1 > d && n2 > d) {
    // The two means and covariances at once, one set per thread (each on one thread, so the
    // arithmetic does not depend on the thread count).
    VectorX<double> mean1, mean2;
    MatrixX<double> S1, S2;
    [[maybe_unused]] const bool threads =
        alea::detail::worth_threads(double(std::min(n1, n2)) * double(d) * double(d));
#if defined(_OPENMP)
#pragma omp parallel sections num_threads(2) if (threads)
#endif
    {
#if defined(_OPENMP)
#pragma omp section
#endif
      {
        mean1 = detail::column_means<T>(x);
        S1 = detail::sample_covariance<T>(x, mean1);
      }
#if defined(_OPENMP)
#pragma omp section
#endif
      {
        mean2 = detail::column_means<T>(y);
        S2 = detail::sample_covariance<T>(y, mean2);
      }
    }
    return detail::frechet_value(mean1, mean2, S1.trace(), S2.trace(),
                                 detail::trace_sqrt_product(S1, S2));
  }
  const VectorX<double> mean1 = detail::column_means<T>(x);
  const VectorX<double> mean2 = detail::column_means<T>(y);
  // A set with n <= d: its scaled centred rows B^T = A / sqrt(n - 1) are a factor of S.
  const auto scaled_rows = [](const MatrixRef<T>& data, const VectorX<double>& mean) {
    const double scale = 1.0 / std::sqrt(double(data.rows() - 1));
    return MatrixX<double>(scale * (data.template cast<double>().rowwise() - mean.transpose()));
  };
  if (n1 <= d && n2 <= d) {
    const MatrixX<double> A1 = scaled_rows(x, mean1);
    const MatrixX<double> A2 = scaled_rows(y, mean2);
    const MatrixX<double> C = A1 * A2.transpose();
    return detail::frechet_value(mean1, mean2, A1.squaredNorm(), A2.squaredNorm(),
                                 detail::nuclear_norm(C));
  }
  // One small set (rows A, n x d) and one large (covariance S): the eigenvalues of A S A^T.
  const bool first_small = n1 <= d;
  const MatrixX<double> A = first_small ? scaled_rows(x, mean1) : scaled_rows(y, mean2);
  const MatrixX<double> S =
      first_small ? detail::sample_covariance<T>(y, mean2) : detail::sample_covariance<T>(x, mean1);
  const MatrixX<double> M = A * S * A.transpose();
  return detail::frechet_value(mean1, mean2, first_small ? A.squaredNorm() : S.trace(),
                               first_small ? S.trace() : A.squaredNorm(),
                               detail::trace_sqrt_psd(M));
}

}  // namespace alea::metrics
