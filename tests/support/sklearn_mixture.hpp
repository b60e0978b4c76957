#pragma once
/// @file
/// @brief Reading scikit-learn's mixture attributes from the fixtures of
/// tests/fixtures/gmm_sklearn.py and bgm_sklearn.py.

#include <nlohmann/json.hpp>

#include "alea/density/covariance_type.hpp"
#include "fixtures.hpp"

namespace alea::test {

/// Component j's covariance as a full d x d matrix, from scikit-learn's covariances_ in the
/// type's shape (full: k x d x d; tied: d x d; diag: k x d; spherical: k).
inline MatrixX<double> sklearn_covariance(CovarianceType type, const nlohmann::json& value, Index j,
                                          Index d) {
  switch (type) {
    case CovarianceType::full:
      return matrix(value[j]);
    case CovarianceType::tied:
      return matrix(value);
    case CovarianceType::diag:
      return vector(value[j]).asDiagonal();
    case CovarianceType::spherical:
      return MatrixX<double>::Identity(d, d) * value[j].get<double>();
  }
  return {};
}

/// Largest |a - b| relative to the largest |b| (for matrices whose small entries are rounding).
inline double matrix_error(const MatrixX<double>& a, const MatrixX<double>& b) {
  return (a - b).cwiseAbs().maxCoeff() / b.cwiseAbs().maxCoeff();
}

}  // namespace alea::test
