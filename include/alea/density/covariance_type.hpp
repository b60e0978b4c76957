#pragma once
/// @file
/// @brief alea::CovarianceType: how a Gaussian's (or mixture component's) covariance is
/// parametrised, with scikit-learn's names.

#include <optional>
#include <string>
#include <string_view>

namespace alea {

/// Covariance parametrisation, as scikit-learn's `covariance_type`.
enum class CovarianceType {
  full,       ///< any symmetric positive definite d x d matrix
  tied,       ///< mixtures: one full matrix shared by all components (a single Gaussian: = full)
  diag,       ///< diagonal: independent coordinates with their own variances
  spherical,  ///< sigma^2 I: one variance for every coordinate
};

/// Every CovarianceType, in declaration order (to loop over them, as in a model selection).
inline constexpr CovarianceType all_covariance_types[] = {
    CovarianceType::full, CovarianceType::tied, CovarianceType::diag, CovarianceType::spherical};

/// "full", "tied", "diag" or "spherical".
inline std::string_view to_string(CovarianceType type) {
  switch (type) {
    case CovarianceType::full:
      return "full";
    case CovarianceType::tied:
      return "tied";
    case CovarianceType::diag:
      return "diag";
    case CovarianceType::spherical:
      return "spherical";
  }
  return "unknown";
}

/// Parses a name written by to_string(); empty when the name is not one of them.
inline std::optional<CovarianceType> covariance_type_from_string(std::string_view name) {
  for (auto type : all_covariance_types) {
    if (to_string(type) == name) return type;
  }
  return std::nullopt;
}

}  // namespace alea
