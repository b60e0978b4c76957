#pragma once
/// @file
/// @brief Closed-form information measures of multivariate normals: differential entropy,
/// Kullback-Leibler divergence, and the mutual information between two blocks of coordinates.
///
/// All work from alea::Gaussian objects (full, diag or spherical covariances alike, through
/// their Cholesky factors), return nats, and never form an explicit inverse. Computations run in
/// double for Gaussian<float> (std::common_type_t<T, double>) and return T.
///
/// @code
/// alea::Gaussian<> p(mean_p, cov_p), q(mean_q, cov_q);
/// double h = alea::info::entropy(p);             // nats
/// double kl = alea::info::kl_divergence(p, q);   // KL(p || q), nats
/// double mi = alea::info::mutual_information(p, 2);  // I(x_0, x_1 ; x_2, ..., x_{d-1})
/// @endcode

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <type_traits>

#include "alea/core/checks.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/types.hpp"
#include "alea/density/gaussian.hpp"

namespace alea::info {

namespace detail {

/// Throws NotFittedError unless the Gaussian `name` is fitted (has parameters).
template <class T>
void check_fitted_gaussian(std::string_view function, std::string_view name, const Gaussian<T>& g) {
  if (!g.is_fitted()) {
    throw NotFittedError(alea::detail::message(
        function, std::string(name) + " is not fitted; fit it or construct it from parameters"));
  }
}

/// Throws unless p and q have the same dimension: "q has dimension 3, but p has dimension 2".
inline void check_same_dimension(std::string_view function, Index p_dim, Index q_dim) {
  if (p_dim != q_dim) {
    throw_invalid(function, "q has dimension " + std::to_string(q_dim) + ", but p has dimension " +
                                std::to_string(p_dim));
  }
}

}  // namespace detail

/// Differential entropy of N(mu, Sigma) in nats: (d (1 + log 2 pi) + log det Sigma) / 2 (Cover and
/// Thomas, Elements of Information Theory, 2nd ed., theorem 8.4.1); Gaussian::entropy().
/// Negative when det Sigma is small: differential entropy has no lower bound.
/// @throws alea::NotFittedError when g is not fitted.
template <class T>
T entropy(const Gaussian<T>& g) {
  detail::check_fitted_gaussian("alea::info::entropy", "g", g);
  return g.entropy();
}

/// Kullback-Leibler divergence KL(p || q) of two d-dimensional normals, in nats:
///
///     KL = (tr(S_q^-1 S_p) + (m_q - m_p)^T S_q^-1 (m_q - m_p) - d
///           + log det S_q - log det S_p) / 2
///
/// (Rasmussen and Williams, Gaussian Processes for Machine Learning, eq. A.23). With
/// S_p = L_p L_p^T and S_q = L_q L_q^T, the trace is ||L_q^-1 L_p||_F^2 and the quadratic form
/// ||L_q^-1 (m_q - m_p)||^2: two triangular solves, log-determinants from the factors' diagonals.
/// The result is clamped at 0 (rounding can leave -1e-16 when p = q).
/// @throws alea::NotFittedError when p or q is not fitted; alea::InvalidArgument when their
///         dimensions differ.
template <class T>
T kl_divergence(const Gaussian<T>& p, const Gaussian<T>& q) {
  using W = std::common_type_t<T, double>;
  constexpr std::string_view function = "alea::info::kl_divergence";
  detail::check_fitted_gaussian(function, "p", p);
  detail::check_fitted_gaussian(function, "q", q);
  detail::check_same_dimension(function, p.dim(), q.dim());
  const MatrixX<W> factor_p = p.cholesky_lower().template cast<W>();
  const MatrixX<W> factor_q = q.cholesky_lower().template cast<W>();
  const auto lower_q = factor_q.template triangularView<Eigen::Lower>();
  const W trace = lower_q.solve(factor_p).squaredNorm();
  const W quadratic = lower_q.solve((q.mean() - p.mean()).template cast<W>()).squaredNorm();
  const W log_det_ratio = W(q.log_determinant()) - W(p.log_determinant());
  const W kl = W(0.5) * (trace + quadratic - W(p.dim()) + log_det_ratio);
  return static_cast<T>(std::max(kl, W(0)));
}

/// Mutual information between the first `split` coordinates x and the remaining ones y of a
/// joint normal, in nats:
///
///     I(x; y) = (log det S_xx + log det S_yy - log det S) / 2 = -1/2 sum_i log(1 - rho_i^2),
///
/// with rho_i the canonical correlations, the singular values of L_x^-1 S_xy L_y^-T (Gelfand and
/// Yaglom 1957; for d = 2, -log(1 - rho^2) / 2 as in Cover and Thomas, section 8.5). The second
/// form is the one computed: log1p keeps full relative accuracy for weak dependence, where the
/// difference of log-determinants would cancel, and 1 - rho^2 = (1 - rho)(1 + rho) is exact for
/// strong dependence.
/// @param joint the joint normal of (x, y), dimension d >= 2.
/// @param split number of coordinates in x, 1 <= split <= d - 1.
/// @throws alea::NotFittedError when joint is not fitted; alea::InvalidArgument when split is out
///         of range; alea::NumericalError if a canonical correlation rounds to 1 (a covariance
///         singular to working precision, which alea::Gaussian does not accept).
template <class T>
T mutual_information(const Gaussian<T>& joint, Index split) {
  using W = std::common_type_t<T, double>;
  constexpr std::string_view function = "alea::info::mutual_information";
  detail::check_fitted_gaussian(function, "joint", joint);
  const Index d = joint.dim();
  if (split < 1 || split > d - 1) {
    throw_invalid(function, "split is " + std::to_string(split) +
                                ", but must be between 1 and d - 1 for a joint of dimension d = " +
                                std::to_string(d));
  }
  const MatrixX<W> covariance = joint.covariance().template cast<W>();
  const Index rest = d - split;
  // Principal blocks of a positive definite matrix are positive definite.
  const Eigen::LLT<MatrixX<W>> llt_x(covariance.topLeftCorner(split, split));
  const Eigen::LLT<MatrixX<W>> llt_y(covariance.bottomRightCorner(rest, rest));
  const MatrixX<W> half = llt_x.matrixL().solve(covariance.topRightCorner(split, rest));
  const MatrixX<W> whitened = llt_y.matrixL().solve(half.transpose()).transpose();
  const VectorX<W> rho = Eigen::JacobiSVD<MatrixX<W>>(whitened).singularValues();
  W mi = 0;
  for (Index i = 0; i < rho.size(); ++i) {
    const W r = rho(i);
    if (!(r < W(1))) {
      throw_numerical(function, "a canonical correlation is " + alea::detail::number_text(r) +
                                    "; the covariance is singular to working precision");
    }
    mi -= W(0.5) * (r < W(0.5) ? std::log1p(-r * r) : std::log1p(-r) + std::log1p(r));
  }
  return static_cast<T>(mi);
}

}  // namespace alea::info
