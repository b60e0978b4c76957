#pragma once
/// @file
/// @brief Argument checks shared by the metrics: two samples of the same dimension, enough rows.

#include <Eigen/Core>
#include <string>
#include <string_view>
#include <type_traits>

#include "alea/core/checks.hpp"
#include "alea/core/types.hpp"

namespace alea::metrics::detail {

/// The scalar of a metric's data: float or double, the same for both samples.
template <class DerivedX, class DerivedY>
using SampleScalar =
    std::enable_if_t<std::is_same_v<typename DerivedX::Scalar, typename DerivedY::Scalar> &&
                         (std::is_same_v<typename DerivedX::Scalar, float> ||
                          std::is_same_v<typename DerivedX::Scalar, double>),
                     typename DerivedX::Scalar>;

/// Throws unless X (n x d) and Y (m x d) are non-empty, finite and have the same columns:
/// "Y has 2 columns, but X has 3".
template <class T>
void check_samples(std::string_view function, const MatrixRef<T>& X, const MatrixRef<T>& Y,
                   std::string_view x_name = "X", std::string_view y_name = "Y") {
  check_data(function, x_name, X);
  check_data(function, y_name, Y);
  check_cols(function, y_name, Y, X.cols(), std::string(x_name) + " has");
}

/// Throws unless `data` has at least `minimum` rows: "X has 1 row, but the unbiased estimator
/// needs at least 2".
template <class Derived>
void check_min_rows(std::string_view function, std::string_view name,
                    const Eigen::DenseBase<Derived>& data, Index minimum, std::string_view why) {
  if (data.rows() < minimum) {
    throw_invalid(function, std::string(name) + " has " + std::to_string(data.rows()) +
                                (data.rows() == 1 ? " row" : " rows") + ", but " +
                                std::string(why) + " needs at least " + std::to_string(minimum));
  }
}

}  // namespace alea::metrics::detail
