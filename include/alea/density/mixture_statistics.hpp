#pragma once
/// @file
/// @brief alea::MixtureStatistics: the sufficient statistics an E-step produces for a mixture of
/// Gaussians, as a value that adds across shards of data.
///
/// For responsibilities r_ik (how much component k owns observation i) and observation weights
/// w_i, the M-step of EM, the variational update of a Bayesian mixture and the natural-gradient
/// step of stochastic VI need only, per component k,
///
///     N_k = sum_i w_i r_ik,   s_k = sum_i w_i r_ik (x_i - c_k),
///     S_k = sum_i w_i r_ik (x_i - c_k)(x_i - c_k)^T      (or its diagonal, or the sum over k),
///
/// where c_k is a reference point ("centre"). Moments are taken about a centre rather than 0
/// because S_k / N_k - (s_k / N_k)(s_k / N_k)^T then loses no digits to cancellation when c_k is
/// near the component's mean: EM uses the means of the E-step's parameters, which the new means
/// are close to. Statistics of disjoint shards computed about the same centres add entry by
/// entry; about different centres, shift one set first (shifted_to, exact algebra). So a data
/// set split over files, threads or machines gives, summed, the statistics of the whole: the
/// basis of minibatch, streaming and distributed EM.
///
/// The second moments kept depend on the covariance type:
/// - full: k matrices S_k;
/// - tied: one matrix, sum_k S_k (with one centre shared by all components it is X^T W X, one
///   GEMM however many components there are);
/// - diag and spherical: a k x d matrix of the diagonals of S_k.
///
/// The pass that produces them also adds up sum_i w_i log p(x_i) (the log-likelihood, EM's
/// lower bound) and sum_i w_i sum_k r_ik log r_ik (the responsibilities' negative entropy, which
/// the variational bound needs).

#include <Eigen/Core>
#include <string>
#include <vector>

#include "alea/core/errors.hpp"
#include "alea/core/types.hpp"
#include "alea/density/covariance_type.hpp"

namespace alea {

/// Sufficient statistics of a Gaussian mixture's E-step; see the file comment.
template <class T = double>
struct MixtureStatistics {
  CovarianceType covariance_type = CovarianceType::full;
  VectorX<T> counts;                  ///< k: N_k = sum_i w_i r_ik
  MatrixX<T> centres;                 ///< k x d: the points c_k the moments are taken about
  MatrixX<T> first;                   ///< k x d: row k is s_k = sum_i w_i r_ik (x_i - c_k)
  std::vector<MatrixX<T>> scatter;    ///< full: k matrices S_k; tied: one, sum_k S_k; else empty
  MatrixX<T> squares;                 ///< diag, spherical: k x d, row k the diagonal of S_k
  double total_weight = 0;            ///< sum_i w_i
  double log_likelihood = 0;          ///< sum_i w_i log p(x_i) under the E-step's parameters
  double responsibility_log_sum = 0;  ///< sum_i w_i sum_k r_ik log r_ik (<= 0)
  Index observations = 0;             ///< rows seen

  /// Zero statistics for k components in d dimensions about the given centres (k x d).
  static MixtureStatistics zero(CovarianceType type, const MatrixX<T>& centres) {
    MixtureStatistics s;
    const Index k = centres.rows();
    const Index d = centres.cols();
    s.covariance_type = type;
    s.counts.setZero(k);
    s.centres = centres;
    s.first.setZero(k, d);
    if (type == CovarianceType::full) s.scatter.assign(k, MatrixX<T>::Zero(d, d));
    if (type == CovarianceType::tied) s.scatter.assign(1, MatrixX<T>::Zero(d, d));
    if (type == CovarianceType::diag || type == CovarianceType::spherical) s.squares.setZero(k, d);
    return s;
  }

  [[nodiscard]] Index components() const { return counts.size(); }
  [[nodiscard]] Index dim() const { return centres.cols(); }

  /// The same statistics about other centres (k x d), by exact algebra:
  /// S'_k = S_k + s_k e^T + e s_k^T + N_k e e^T and s'_k = s_k + N_k e, with e = c_k - c'_k.
  [[nodiscard]] MixtureStatistics shifted_to(const MatrixX<T>& new_centres) const {
    constexpr std::string_view function = "alea::MixtureStatistics::shifted_to";
    if (new_centres.rows() != components() || new_centres.cols() != dim()) {
      throw_invalid(function, "new_centres is " + std::to_string(new_centres.rows()) + " x " +
                                  std::to_string(new_centres.cols()) + ", but the statistics are " +
                                  std::to_string(components()) + " x " + std::to_string(dim()));
    }
    MixtureStatistics out = *this;
    out.centres = new_centres;
    for (Index k = 0; k < components(); ++k) {
      const VectorX<T> e = (centres.row(k) - new_centres.row(k)).transpose();
      const VectorX<T> s = first.row(k).transpose();
      if (covariance_type == CovarianceType::full || covariance_type == CovarianceType::tied) {
        MatrixX<T>& S = out.scatter[covariance_type == CovarianceType::full ? k : 0];
        S += s * e.transpose() + e * s.transpose() + counts(k) * e * e.transpose();
      } else {
        out.squares.row(k) +=
            (T(2) * s.array() * e.array() + counts(k) * e.array().square()).matrix().transpose();
      }
      out.first.row(k) += counts(k) * e.transpose();
    }
    return out;
  }

  /// Adds the statistics of another shard. When its centres differ from ours it is shifted to
  /// ours first.
  /// @throws alea::InvalidArgument when the covariance type, k or d differ.
  MixtureStatistics& operator+=(const MixtureStatistics& other) {
    constexpr std::string_view function = "alea::MixtureStatistics::operator+=";
    if (other.covariance_type != covariance_type) {
      throw_invalid(function, "the statistics have covariance types " +
                                  std::string(to_string(covariance_type)) + " and " +
                                  std::string(to_string(other.covariance_type)));
    }
    if (other.components() != components() || other.dim() != dim()) {
      throw_invalid(function, "the statistics are for " + std::to_string(components()) + " x " +
                                  std::to_string(dim()) + " and " +
                                  std::to_string(other.components()) + " x " +
                                  std::to_string(other.dim()) + " (components x dimension)");
    }
    if (other.centres != centres) return *this += other.shifted_to(centres);
    counts += other.counts;
    first += other.first;
    for (std::size_t j = 0; j < scatter.size(); ++j)
      scatter[j] += other.scatter[j];
    if (squares.size() > 0) squares += other.squares;
    total_weight += other.total_weight;
    log_likelihood += other.log_likelihood;
    responsibility_log_sum += other.responsibility_log_sum;
    observations += other.observations;
    return *this;
  }

  /// Multiplies every sum by `factor` (the centres stay): a minibatch of b rows scaled by n / b
  /// estimates the statistics of all n rows (stochastic VI).
  MixtureStatistics& operator*=(T factor) {
    counts *= factor;
    first *= factor;
    for (auto& S : scatter)
      S *= factor;
    squares *= factor;
    total_weight *= double(factor);
    log_likelihood *= double(factor);
    responsibility_log_sum *= double(factor);
    return *this;
  }

  friend MixtureStatistics operator+(MixtureStatistics a, const MixtureStatistics& b) {
    return a += b;
  }
};

}  // namespace alea
