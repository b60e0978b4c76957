#pragma once
/// @file
/// @brief What GaussianMixture and BayesianGaussianMixture share besides the E-step: the
/// checks of their common settings and inputs, the status note of a fit that did not converge,
/// labels from log scores, and the model-file form of type-shaped covariances.

#include <Eigen/Core>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "alea/core/checks.hpp"
#include "alea/core/json.hpp"
#include "alea/core/progress.hpp"
#include "alea/core/types.hpp"
#include "alea/density/gaussian_components.hpp"

namespace alea::detail {

/// Checks n_components, tol, reg_covar, max_iter and n_init of a mixture's settings.
template <class Settings>
void check_mixture_settings(std::string_view function, const Settings& s) {
  check_positive(function, "n_components", s.n_components);
  check_finite(function, "tol", s.tol);
  check_nonnegative(function, "tol", s.tol);
  check_finite(function, "reg_covar", s.reg_covar);
  check_nonnegative(function, "reg_covar", s.reg_covar);
  check_positive(function, "max_iter", s.max_iter);
  check_positive(function, "n_init", s.n_init);
}

/// Checks the data of a fit: not empty, finite, at least one row per component.
template <class T>
void check_mixture_data(std::string_view function, const MatrixRef<T>& X, Index components) {
  check_data(function, "X", X);
  if (components > X.rows()) {
    throw_invalid(function, "n_components is " + std::to_string(components) + ", but X has only " +
                                std::to_string(X.rows()) +
                                " rows; at least one row per component is needed");
  }
}

/// Checks the query of a fitted mixture of dimension `dim`.
template <class T>
void check_mixture_query(std::string_view function, bool fitted, Index dim, const MatrixRef<T>& X) {
  check_fitted(function, fitted);
  check_cols(function, "X", X, dim);
  check_data(function, "X", X);
}

/// Records that no initialisation converged (when the fit was neither stopped nor run with
/// tol = 0, which asks for exactly max_iter iterations).
template <class Settings>
void note_if_not_converged(FitStatus& status, const Settings& s) {
  if (status.converged || status.stopped_early || s.tol == 0) return;
  status.notes.push_back("no initialisation converged in max_iter = " + std::to_string(s.max_iter) +
                         " iterations; increase max_iter or tol, or check the data");
}

/// The column of the largest entry of each row (ties: the lowest index).
template <class T>
Eigen::Matrix<Index, Eigen::Dynamic, 1> row_argmax(const MatrixX<T>& scores) {
  Eigen::Matrix<Index, Eigen::Dynamic, 1> labels(scores.rows());
  for (Index i = 0; i < scores.rows(); ++i)
    scores.row(i).maxCoeff(&labels(i));
  return labels;
}

/// Covariances in the type's shape as a JSON array of matrices.
template <class T>
nlohmann::json encode_covariances(const GaussianComponents<T>& components) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& C : components.covariances_in_type_shape())
    out.push_back(json::encode_matrix(C));
  return out;
}

/// Components from a model file's "means" and "covariances", with their shapes checked.
/// @throws alea::FormatError for a wrong count or shape; alea::NumericalError for a covariance
///         that is not positive definite.
template <class T>
GaussianComponents<T> decode_components(const nlohmann::json& j, CovarianceType type) {
  MatrixX<T> means = json::read_matrix<T>(j, "means");
  const auto& list = json::member(j, "covariances");
  if (!list.is_array()) json::format_error("field 'covariances' is not an array");
  std::vector<MatrixX<T>> covariances;
  for (const auto& entry : list)
    covariances.push_back(json::decode_matrix<T>(entry, "covariances"));
  const Index k = means.rows();
  const Index d = means.cols();
  if (k == 0 || d == 0) json::format_error("field 'means' is empty");
  const std::size_t expected = type == CovarianceType::full ? std::size_t(k) : 1;
  if (covariances.size() != expected) {
    json::format_error("field 'covariances' has " + std::to_string(covariances.size()) +
                       " entries, but " + std::to_string(expected) + " are expected");
  }
  for (const auto& C : covariances) {
    const bool matrix = type == CovarianceType::full || type == CovarianceType::tied;
    const bool ok = matrix ? C.rows() == d && C.cols() == d
                           : C.rows() == k && C.cols() == (type == CovarianceType::diag ? d : 1);
    if (!ok) json::format_error("field 'covariances' has an entry of the wrong shape");
  }
  return GaussianComponents<T>(type, std::move(means), std::move(covariances), "alea::load");
}

}  // namespace alea::detail
