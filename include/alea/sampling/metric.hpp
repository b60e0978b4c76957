#pragma once
/// @file
/// @brief The Euclidean metric of HMC and NUTS: the kinetic energy K(p) = p^T M^{-1} p / 2 with
/// a unit, diagonal or dense inverse metric M^{-1}, the velocity M^{-1} p and momentum draws
/// p ~ N(0, M).
///
/// As in Stan, the sampler stores and adapts the inverse metric M^{-1} (an estimate of the
/// posterior covariance), never M itself. A momentum draw needs a square root of M = (M^{-1})^{-1}:
/// with the Cholesky factor M^{-1} = L L^T, p = L^{-T} z for z ~ N(0, I) has covariance
/// L^{-T} L^{-1} = (L L^T)^{-1} = M (Stan's dense_e_metric::sample_p).

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>
#include <string>
#include <string_view>

#include "alea/core/checks.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/core/types.hpp"

namespace alea::sampling {

/// The form of the inverse metric M^{-1} (Stan's unit_e, diag_e and dense_e).
enum class Metric {
  unit,      ///< M^{-1} = I: no adaptation of the metric
  diagonal,  ///< M^{-1} = diag(m): adapted to the posterior variances (Stan's default)
  dense,     ///< M^{-1} a full d x d matrix: adapted to the posterior covariance
};

/// The name Stan gives the metric ("unit_e", "diag_e", "dense_e").
inline const char* metric_name(Metric metric) {
  switch (metric) {
    case Metric::unit:
      return "unit_e";
    case Metric::diagonal:
      return "diag_e";
    case Metric::dense:
      return "dense_e";
  }
  return "?";
}

/// A unit, diagonal or dense inverse metric M^{-1}, with what a momentum draw needs.
///
/// @code
/// auto metric = InverseMetric::diagonal(variances);       // d x 1, positive
/// metric.sample_momentum(rng, p);                         // p ~ N(0, diag(variances)^{-1})
/// metric.velocity(p, v);                                  // v = M^{-1} p
/// double kinetic = metric.kinetic_energy(p, v);           // p . v / 2
/// @endcode
class InverseMetric {
 public:
  InverseMetric() = default;

  /// M^{-1} = I in dimension d.
  static InverseMetric unit(Index dim) {
    InverseMetric out;
    out.kind_ = Metric::unit;
    out.dim_ = dim;
    return out;
  }

  /// M^{-1} = diag(diagonal).
  /// @throws InvalidArgument unless every entry is finite and positive.
  static InverseMetric diagonal(const VectorX<double>& diagonal,
                                std::string_view function = "alea::sampling::InverseMetric",
                                std::string_view name = "inverse_metric") {
    InverseMetric out;
    out.kind_ = Metric::diagonal;
    out.dim_ = diagonal.size();
    out.set_diagonal(diagonal, function, name);
    return out;
  }

  /// M^{-1} = matrix, d x d.
  /// @throws InvalidArgument unless it is symmetric positive definite.
  static InverseMetric dense(const MatrixX<double>& matrix,
                             std::string_view function = "alea::sampling::InverseMetric",
                             std::string_view name = "inverse_metric") {
    InverseMetric out;
    out.kind_ = Metric::dense;
    out.dim_ = matrix.rows();
    out.set_dense(matrix, function, name);
    return out;
  }

  /// The inverse metric a sampler starts from: `given` empty means the identity; otherwise it
  /// must be d x 1 (diagonal), d x d (dense), or empty (unit).
  /// @throws InvalidArgument naming `function` and `name` for a wrong shape, a non-finite or
  /// non-positive diagonal entry, or a matrix that is not symmetric positive definite.
  static InverseMetric from_settings(std::string_view function, std::string_view name, Metric kind,
                                     const MatrixX<double>& given, Index dim) {
    const bool empty = given.size() == 0;
    const std::string shape = std::to_string(given.rows()) + " x " + std::to_string(given.cols());
    const std::string d = std::to_string(dim);
    switch (kind) {
      case Metric::unit:
        if (!empty)
          throw_invalid(function, std::string(name) + " is " + shape +
                                      "; expected empty with the unit metric");
        return unit(dim);
      case Metric::diagonal:
        if (empty) return diagonal(VectorX<double>::Ones(dim), function, name);
        if (given.rows() != dim || given.cols() != 1)
          throw_invalid(function, std::string(name) + " is " + shape + "; expected " + d +
                                      " x 1 (the diagonal of the inverse metric; d = init's "
                                      "dimension)");
        return diagonal(given.col(0), function, name);
      case Metric::dense:
        if (empty) return dense(MatrixX<double>::Identity(dim, dim), function, name);
        if (given.rows() != dim || given.cols() != dim)
          throw_invalid(function, std::string(name) + " is " + shape + "; expected " + d + " x " +
                                      d + " (d = init's dimension)");
        return dense(given, function, name);
    }
    throw_invalid(function, "settings.metric is not a Metric value");
  }

  [[nodiscard]] Metric kind() const noexcept { return kind_; }
  [[nodiscard]] Index dim() const noexcept { return dim_; }

  /// The diagonal of M^{-1} (diagonal metric only).
  [[nodiscard]] const VectorX<double>& diagonal() const noexcept { return diagonal_; }
  /// M^{-1} (dense metric only).
  [[nodiscard]] const MatrixX<double>& dense() const noexcept { return dense_; }

  /// M^{-1} as ChainInfo reports it: d x 1 (unit: ones; diagonal) or d x d (dense).
  [[nodiscard]] MatrixX<double> matrix() const {
    switch (kind_) {
      case Metric::unit:
        return VectorX<double>::Ones(dim_);
      case Metric::diagonal:
        return diagonal_;
      case Metric::dense:
        return dense_;
    }
    return {};
  }

  /// Replaces the diagonal (an adapted variance estimate).
  void set_diagonal(const VectorX<double>& diagonal, std::string_view function,
                    std::string_view name) {
    check_finite(function, name, diagonal);
    for (Index i = 0; i < diagonal.size(); ++i) {
      if (!(diagonal(i) > 0))
        throw_invalid(function, std::string(name) + " has the entry " +
                                    alea::detail::number_text(diagonal(i)) + " at index " +
                                    std::to_string(i) +
                                    "; expected a positive-definite inverse metric (entries > 0)");
    }
    diagonal_ = diagonal;
    sqrt_metric_ = diagonal_.array().rsqrt();
  }

  /// Replaces the dense matrix (an adapted covariance estimate).
  void set_dense(const MatrixX<double>& matrix, std::string_view function, std::string_view name) {
    check_symmetric_positive_definite(function, name, matrix);
    dense_ = matrix;
    upper_ = Eigen::LLT<MatrixX<double>>(dense_).matrixU();
  }

  /// v = M^{-1} p (Stan's dtau_dp, "p sharp"). Both of length d; v preallocated.
  void velocity(const VectorX<double>& p, VectorX<double>& v) const {
    switch (kind_) {
      case Metric::unit:
        v = p;
        break;
      case Metric::diagonal:
        v.array() = diagonal_.array() * p.array();
        break;
      case Metric::dense:
        v.noalias() = dense_ * p;
        break;
    }
  }

  /// K = p^T M^{-1} p / 2, given v = M^{-1} p.
  [[nodiscard]] static double kinetic_energy(const VectorX<double>& p, const VectorX<double>& v) {
    return 0.5 * p.dot(v);
  }

  /// Draws p ~ N(0, M) into the preallocated p (length d), from d standard normals.
  template <RandomEngine G>
  void sample_momentum(G& rng, VectorX<double>& p) const {
    fill_standard_normal(rng, p);
    switch (kind_) {
      case Metric::unit:
        break;
      case Metric::diagonal:
        p.array() *= sqrt_metric_.array();  // sd of p_i is 1 / sqrt(M^{-1}_ii)
        break;
      case Metric::dense:
        upper_.triangularView<Eigen::Upper>().solveInPlace(p);  // p = L^{-T} z
        break;
    }
  }

 private:
  Metric kind_ = Metric::unit;
  Index dim_ = 0;
  VectorX<double> diagonal_;     // diagonal: M^{-1}_ii
  VectorX<double> sqrt_metric_;  // diagonal: 1 / sqrt(M^{-1}_ii), the momentum scale
  MatrixX<double> dense_;        // dense: M^{-1}
  MatrixX<double> upper_;        // dense: L^T with M^{-1} = L L^T
};

}  // namespace alea::sampling
