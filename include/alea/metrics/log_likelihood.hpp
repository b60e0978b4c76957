#pragma once
/// @file
/// @brief Held-out log-likelihood of any Density: total, mean per observation, and bits per
/// dimension.
///
/// bits/dim = -mean / (d log 2): the negative mean log density per coordinate in bits, the
/// figure image models report (Theis, van den Oord and Bethge, "A note on the evaluation of
/// generative models", ICLR 2016). It is only comparable between models of the same data in the
/// same units: a continuous density depends on the scale of the data (for images, on the
/// dequantisation and the scaling of the pixel values).
///
/// @code
/// auto ll = alea::metrics::log_likelihood(gmm, X_test);
/// std::cout << ll.mean << " nats per observation, " << ll.bits_per_dim << " bits/dim\n";
/// @endcode

#include <Eigen/Core>
#include <cmath>
#include <numbers>
#include <string>
#include <string_view>
#include <type_traits>

#include "alea/core/checks.hpp"
#include "alea/core/concepts.hpp"
#include "alea/core/types.hpp"

namespace alea::metrics {

/// Result of log_likelihood; every figure in nats except bits_per_dim.
struct LogLikelihood {
  double total = 0;         ///< sum over rows of log p(x_i)
  double mean = 0;          ///< total / n: scikit-learn's score(X)
  double bits_per_dim = 0;  ///< -mean / (d log 2)
  Index n = 0;              ///< rows
  Index dim = 0;            ///< d
};

/// Log-likelihood of the rows of X under `model`. A row outside the model's support (log
/// density -Inf, as a tophat KDE gives far from its data) makes total and mean -Inf and
/// bits_per_dim +Inf: the model gives the data probability 0, which is reported, not hidden.
/// @param model any alea::Density of dimension d. @param X n x d, rows are observations.
/// @throws alea::InvalidArgument for empty or non-finite X or X with other than d columns;
///         alea::NumericalError if the model returns NaN.
template <Density M, class Derived>
LogLikelihood log_likelihood(const M& model, const Eigen::MatrixBase<Derived>& X) {
  static_assert(std::is_same_v<typename Derived::Scalar, typename M::Scalar>,
                "alea::metrics::log_likelihood: X must have the model's scalar type");
  constexpr std::string_view function = "alea::metrics::log_likelihood";
  check_data(function, "X", X);
  check_cols(function, "X", X, model.dim());
  const auto& data = X.derived().eval();  // no copy for a matrix, evaluated for an expression
  const VectorX<double> log_density = model.log_prob(data).template cast<double>();
  for (Index i = 0; i < log_density.size(); ++i) {
    if (std::isnan(log_density(i))) {
      throw_numerical(function, "the model's log density is NaN at row " + std::to_string(i));
    }
  }
  LogLikelihood out;
  out.n = X.rows();
  out.dim = model.dim();
  out.total = log_density.sum();
  out.mean = out.total / double(out.n);
  out.bits_per_dim = -out.mean / (double(out.dim) * std::numbers::ln2);
  return out;
}

}  // namespace alea::metrics
