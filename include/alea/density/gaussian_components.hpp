#pragma once
/// @file
/// @brief alea::GaussianComponents: the k Gaussian components of a mixture in one covariance
/// parametrisation, with the blocked log-density kernel of the E-step and the M-step from
/// sufficient statistics. Shared by GaussianMixture and BayesianGaussianMixture.
///
/// Storage follows scikit-learn's: means (k x d); covariances as k matrices (full), one matrix
/// (tied), a k x d matrix of variances (diag) or k variances (spherical, kept as k x 1); and the
/// Cholesky factor of each precision, the upper-triangular P with P P^T = Sigma^{-1}
/// (P = L^{-T} for Sigma = L L^T). The E-step needs no inverse and no determinant beyond P:
///
///     log N(x | mu, Sigma) = -(d/2) log(2 pi) - ||(x - mu)^T P||^2 / 2 + sum_j log P_jj,
///
/// scikit-learn's _estimate_log_gaussian_prob, done here as one GEMM per row block for all
/// components together (the factors side by side).

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "alea/core/errors.hpp"
#include "alea/core/types.hpp"
#include "alea/density/covariance_type.hpp"
#include "alea/density/mixture_statistics.hpp"

namespace alea {

/// k Gaussian components sharing one covariance type; see the file comment.
template <class T = double>
class GaussianComponents {
 public:
  GaussianComponents() = default;

  /// Components from means (k x d) and covariances in the type's shape: full, k d x d matrices;
  /// tied, one d x d matrix; diag, one k x d matrix of variances; spherical, one k x 1 matrix.
  /// @throws alea::NumericalError (naming `function`) when a covariance is not positive
  ///         definite; the message says what to change.
  GaussianComponents(CovarianceType type, MatrixX<T> means, std::vector<MatrixX<T>> covariances,
                     std::string_view function, T reg_covar_used = T(0))
      : type_(type), means_(std::move(means)), covariances_(std::move(covariances)) {
    factorise(function, reg_covar_used);
  }

  /// What an M-step estimates from E-step statistics, before any factorisation: N_k (plus 10
  /// epsilon, as scikit-learn's _estimate_gaussian_parameters, so that a component without
  /// points still gives finite numbers), the means, and the covariances in the type's shape
  /// with reg_covar added to their diagonals.
  struct Moments {
    VectorX<T> counts;
    MatrixX<T> means;
    std::vector<MatrixX<T>> covariances;
  };

  static Moments moments(const MixtureStatistics<T>& s, T reg_covar) {
    const Index k = s.components();
    Moments m;
    m.counts = s.counts.array() + T(10) * Eigen::NumTraits<T>::epsilon();
    const MatrixX<T> shift = s.first.array().colwise() / m.counts.array();  // mean - centre
    m.means = s.centres + shift;
    switch (s.covariance_type) {
      case CovarianceType::full:
        for (Index j = 0; j < k; ++j) {
          MatrixX<T> C = s.scatter[j] / m.counts(j) - shift.row(j).transpose() * shift.row(j);
          C.diagonal().array() += reg_covar;
          m.covariances.push_back(std::move(C));
        }
        break;
      case CovarianceType::tied: {
        // sum_k sum_i w r (x - mu_k)(x - mu_k)^T = sum_k [S_k - N_k e_k e_k^T], e_k = mu_k - c_k.
        MatrixX<T> C = s.scatter[0];
        for (Index j = 0; j < k; ++j)
          C -= m.counts(j) * shift.row(j).transpose() * shift.row(j);
        C /= m.counts.sum();
        C.diagonal().array() += reg_covar;
        m.covariances.push_back(std::move(C));
        break;
      }
      case CovarianceType::diag:
      case CovarianceType::spherical: {
        MatrixX<T> V =
            (s.squares.array().colwise() / m.counts.array() - shift.array().square()).matrix();
        if (s.covariance_type == CovarianceType::spherical) V = V.rowwise().mean().eval();
        V.array() += reg_covar;
        m.covariances.push_back(std::move(V));
        break;
      }
    }
    return m;
  }

  /// The M-step of EM: components with the moments of the statistics (see moments()).
  static GaussianComponents from_statistics(const MixtureStatistics<T>& s, T reg_covar,
                                            std::string_view function) {
    Moments m = moments(s, reg_covar);
    return GaussianComponents(s.covariance_type, std::move(m.means), std::move(m.covariances),
                              function, reg_covar);
  }

  [[nodiscard]] CovarianceType covariance_type() const { return type_; }
  [[nodiscard]] Index components() const { return means_.rows(); }
  [[nodiscard]] Index dim() const { return means_.cols(); }
  [[nodiscard]] const MatrixX<T>& means() const { return means_; }
  /// Covariances in the type's shape (see the constructor).
  [[nodiscard]] const std::vector<MatrixX<T>>& covariances_in_type_shape() const {
    return covariances_;
  }
  [[nodiscard]] bool is_matrix_type() const {
    return type_ == CovarianceType::full || type_ == CovarianceType::tied;
  }

  /// Component j's covariance as a full d x d matrix, whatever the type.
  [[nodiscard]] MatrixX<T> covariance(Index j) const {
    switch (type_) {
      case CovarianceType::full:
        return covariances_[j];
      case CovarianceType::tied:
        return covariances_[0];
      case CovarianceType::diag:
        return covariances_[0].row(j).transpose().asDiagonal();
      case CovarianceType::spherical:
        return MatrixX<T>::Identity(dim(), dim()) * covariances_[0](j, 0);
    }
    return {};
  }

  /// Component j's precision Cholesky factor P (upper triangular, P P^T = Sigma^{-1}), d x d.
  [[nodiscard]] MatrixX<T> precision_cholesky(Index j) const {
    if (is_matrix_type()) return factors_[type_ == CovarianceType::full ? j : 0];
    if (type_ == CovarianceType::diag) return scales_.row(j).transpose().asDiagonal();
    return MatrixX<T>::Identity(dim(), dim()) * scales_(j, 0);
  }

  /// Component j's covariance Cholesky factor L (lower, L L^T = Sigma), for sampling.
  [[nodiscard]] MatrixX<T> covariance_cholesky(Index j) const {
    if (is_matrix_type()) return covariance_factors_[type_ == CovarianceType::full ? j : 0];
    if (type_ == CovarianceType::diag)
      return scales_.row(j).cwiseInverse().transpose().asDiagonal();
    return MatrixX<T>::Identity(dim(), dim()) / scales_(j, 0);
  }

  /// sum_j log P_jj of component j: minus half the log-determinant of its covariance.
  [[nodiscard]] T log_det_precision_cholesky(Index j) const { return log_det_(j); }

  /// Free parameters of the covariances (scikit-learn's _n_parameters, covariance part).
  [[nodiscard]] Index covariance_parameters() const {
    const Index k = components();
    const Index d = dim();
    switch (type_) {
      case CovarianceType::full:
        return k * d * (d + 1) / 2;
      case CovarianceType::tied:
        return d * (d + 1) / 2;
      case CovarianceType::diag:
        return k * d;
      case CovarianceType::spherical:
        return k;
    }
    return 0;
  }

  /// Centres for the statistics of an E-step under these components. Full and tied: one
  /// centre shared by all components (the mean of the means), so that the moments of all
  /// components come from one GEMM per row block (mixture_e_step.hpp); the M-step then shifts
  /// them to each new mean, which costs about log10(|mu_k - c|^2 / sigma_k^2) digits when the
  /// components lie far apart relative to their widths (two digits at 10 sigma). Diag and
  /// spherical: the means themselves (their moments are cheap per component).
  [[nodiscard]] MatrixX<T> statistics_centres() const {
    if (!is_matrix_type()) return means_;
    return centre_.replicate(components(), 1);
  }

  /// Scratch space for the block kernels, reused across blocks to avoid allocation.
  struct Workspace {
    MatrixX<T> diff;       ///< B x d
    MatrixX<T> projected;  ///< B x d (tied) or B x k d (full)
  };

  /// out (B x k) = log N(x_i | mu_k, Sigma_k) for the B rows of X_block.
  void log_densities(const MatrixRef<T>& X_block, MatrixX<T>& out, Workspace& work) const {
    const Index k = components();
    const Index d = dim();
    const T constant = T(-0.5) * T(d) * log_two_pi;
    out.resize(X_block.rows(), k);
    switch (type_) {
      case CovarianceType::full:
      case CovarianceType::tied:
        // (x - mu_k)^T P_k = (x - c)^T P_k - (mu_k - c)^T P_k for the shared centre c: one GEMM
        // with all the factors side by side (d x k d; tied: the one factor).
        work.diff = X_block.rowwise() - centre_;
        work.projected.noalias() = work.diff * stacked_factors_;
        if (type_ == CovarianceType::full) {
          // Sum of each component's d squared columns, column by column (contiguous, vectorised).
          for (Index j = 0; j < k; ++j) {
            out.col(j) = (work.projected.col(j * d).array() - projected_means_(j, 0)).square();
            for (Index c = 1; c < d; ++c) {
              out.col(j).array() +=
                  (work.projected.col(j * d + c).array() - projected_means_(j, c)).square();
            }
          }
        } else {
          for (Index j = 0; j < k; ++j) {
            out.col(j) =
                (work.projected.rowwise() - projected_means_.row(j)).rowwise().squaredNorm();
          }
        }
        break;
      case CovarianceType::diag:
      case CovarianceType::spherical:
        for (Index j = 0; j < k; ++j) {
          work.diff = X_block.rowwise() - means_.row(j);
          if (type_ == CovarianceType::diag) {
            out.col(j) =
                (work.diff.array().rowwise() * scales_.row(j).array()).square().rowwise().sum();
          } else {
            out.col(j) = work.diff.rowwise().squaredNorm() * (scales_(j, 0) * scales_(j, 0));
          }
        }
        break;
    }
    out = ((T(-0.5) * out.array()).rowwise() + (log_det_.array() + constant).transpose()).matrix();
  }

 private:
  static constexpr T log_two_pi = T(1.8378770664093454835606594728112353);  // log(2 pi)

  /// Cholesky factors of the covariances, precision factors and log-determinants.
  void factorise(std::string_view function, T reg_covar_used) {
    const Index k = components();
    const Index d = dim();
    log_det_.resize(k);
    factors_.clear();
    covariance_factors_.clear();
    const auto fail = [&](Index j) {
      throw_numerical(
          function,
          "the covariance of " +
              (type_ == CovarianceType::tied ? std::string("the components")
                                             : "component " + std::to_string(j)) +
              " is not positive definite (an ill-defined empirical covariance: a component "
              "collapsed onto fewer than d + 1 distinct points, duplicated rows, or columns on "
              "very different scales). Decrease n_components, increase reg_covar (now " +
              detail::number_text(reg_covar_used) + "), or standardise the data");
    };
    if (is_matrix_type()) {
      for (std::size_t c = 0; c < covariances_.size(); ++c) {
        const Eigen::LLT<MatrixX<T>> llt(covariances_[c]);
        const MatrixX<T> L = llt.matrixL();
        if (llt.info() != Eigen::Success || !(L.diagonal().array() > T(0)).all() ||
            !L.allFinite()) {
          fail(Index(c));
        }
        // P = L^{-T}: solve L Z = I, then transpose.
        MatrixX<T> inverse = MatrixX<T>::Identity(d, d);
        L.template triangularView<Eigen::Lower>().solveInPlace(inverse);
        factors_.push_back(inverse.transpose());
        covariance_factors_.push_back(L);
        const T log_det = -L.diagonal().array().log().sum();
        if (type_ == CovarianceType::tied) {
          log_det_.setConstant(log_det);
        } else {
          log_det_(Index(c)) = log_det;
        }
      }
      centre_ = means_.colwise().mean();
      stacked_factors_.resize(d, d * Index(factors_.size()));
      projected_means_.resize(k, d);
      for (std::size_t c = 0; c < factors_.size(); ++c) {
        stacked_factors_.middleCols(Index(c) * d, d) = factors_[c];
      }
      for (Index j = 0; j < k; ++j) {
        const MatrixX<T>& P = factors_[type_ == CovarianceType::full ? j : 0];
        projected_means_.row(j) = (means_.row(j) - centre_) * P;
      }

      return;
    }
    const MatrixX<T>& variances = covariances_[0];
    for (Index j = 0; j < k; ++j) {
      if (!((variances.row(j).array() > T(0)).all() && variances.row(j).allFinite())) fail(j);
    }
    scales_ = variances.cwiseSqrt().cwiseInverse();
    log_det_ = scales_.array().log().rowwise().sum();
    if (type_ == CovarianceType::spherical) log_det_ *= T(d);
  }

  CovarianceType type_ = CovarianceType::full;
  MatrixX<T> means_;
  std::vector<MatrixX<T>> covariances_;
  std::vector<MatrixX<T>> factors_;             ///< full, tied: precision factors P
  std::vector<MatrixX<T>> covariance_factors_;  ///< full, tied: covariance factors L
  RowVectorX<T> centre_;                        ///< full, tied: the shared centre c
  MatrixX<T> stacked_factors_;                  ///< full: [P_1 ... P_k], d x k d; tied: P
  MatrixX<T> projected_means_;                  ///< full, tied: row k is (mu_k - c)^T P_k
  MatrixX<T> scales_;                           ///< diag (k x d), spherical (k x 1): 1 / sd
  VectorX<T> log_det_;                          ///< k: sum_j log P_jj
};

}  // namespace alea
