#pragma once
/// @file
/// @brief The kernels of the MMD family and their blocked sums over the pairs of one or two sets,
/// never holding a kernel matrix: what mmd2, kid and the kernel two-sample test are built on.

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

#include "alea/core/pairwise.hpp"
#include "alea/core/types.hpp"
#include "alea/metrics/detail/tiles.hpp"

namespace alea::metrics {

/// Kernels of mmd2, mmd_test and kid (public; declared here for the machinery below).
enum class MmdKernel {
  gaussian,   ///< exp(-||x - y||^2 / (2 sigma^2))
  laplacian,  ///< exp(-||x - y|| / sigma), Euclidean norm (scikit-learn's laplacian_kernel uses L1)
  polynomial  ///< (gamma x.y + coef0)^degree, scikit-learn's polynomial_kernel
};

namespace detail {

/// A kernel with its parameters resolved (bandwidth chosen, gamma defaulted), applied in place
/// to tiles of squared distances (gaussian, laplacian) or inner products (polynomial).
template <class T>
struct KernelFunction {
  MmdKernel kind = MmdKernel::gaussian;
  double bandwidth = 1;  ///< sigma (gaussian, laplacian)
  int degree = 3;        ///< polynomial
  double gamma = 1;      ///< polynomial
  double coef0 = 1;      ///< polynomial

  [[nodiscard]] bool on_distances() const { return kind != MmdKernel::polynomial; }

  /// Replaces the tile (squared distances or inner products) by kernel values, vectorised.
  void apply(MatrixX<T>& tile) const {
    auto values = tile.array();
    switch (kind) {
      case MmdKernel::gaussian:
        values = (values * T(-0.5 / (bandwidth * bandwidth))).exp();
        break;
      case MmdKernel::laplacian:
        values = (values.sqrt() * T(-1.0 / bandwidth)).exp();
        break;
      case MmdKernel::polynomial: {
        values = values * T(gamma) + T(coef0);
        // Integer power by squaring on the whole tile (std::pow is neither exact for small
        // integer exponents nor vectorised).
        Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic> base = values;
        int e = degree - 1;
        while (e > 0) {
          if (e & 1) values *= base;
          e >>= 1;
          if (e > 0) base *= base;
        }
        break;
      }
    }
  }

  /// k(x, x) for each row of X: 1 for the distance kernels, (gamma ||x||^2 + coef0)^degree.
  [[nodiscard]] VectorX<double> diagonal(const MatrixRef<T>& X) const {
    if (on_distances()) return VectorX<double>::Ones(X.rows());
    MatrixX<T> norms = X.rowwise().squaredNorm();
    apply(norms);
    return norms.template cast<double>();
  }
};

/// Sums of kernel values of a set with itself or with another, in double.
struct KernelSums {
  double within_x = 0;    ///< sum over pairs i < j of k(x_i, x_j)
  double within_y = 0;    ///< sum over pairs i < j of k(y_i, y_j)
  double between = 0;     ///< sum over all i, j of k(x_i, y_j)
  double diagonal_x = 0;  ///< sum over i of k(x_i, x_i)
  double diagonal_y = 0;  ///< sum over i of k(y_i, y_i)
};

/// Sum over the pairs i < j of k(x_i, x_j), X n x d, in O(block) memory. Per row block partial
/// sums in double, added in block order: the same result on any number of threads.
template <class T>
double kernel_sum_within(const MatrixRef<T>& X, const KernelFunction<T>& kernel,
                         const PairwiseSettings& settings, std::string_view function) {
  std::vector<double> partial(std::size_t(row_block_count(X.rows(), settings)), 0.0);
  const auto reduce = [&](Index block, Index i0, Index j0, const MatrixX<T>& values) {
    MatrixX<T> K = values;
    kernel.apply(K);
    double sum = 0;
    if (j0 >= i0 + K.rows()) {
      sum = K.template cast<double>().sum();
    } else {
      for_each_upper_column(i0, j0, K.rows(), K.cols(), [&](Index b, Index above) {
        sum += K.col(b).head(above).template cast<double>().sum();
      });
    }
    partial[std::size_t(block)] += sum;
  };
  if (kernel.on_distances()) {
    for_each_upper_distance_tile<T>(X, reduce, settings, function);
  } else {
    for_each_product_tile<T>(X, X, true, reduce, settings);
  }
  double total = 0;
  for (const double p : partial)
    total += p;
  return total;
}

/// Sum over all i, j of k(x_i, y_j), X n x d, Y m x d, in O(block) memory; thread-independent
/// as kernel_sum_within.
template <class T>
double kernel_sum_between(const MatrixRef<T>& X, const MatrixRef<T>& Y,
                          const KernelFunction<T>& kernel, const PairwiseSettings& settings,
                          std::string_view function) {
  std::vector<double> partial(std::size_t(row_block_count(X.rows(), settings)), 0.0);
  if (kernel.on_distances()) {
    for_each_distance_tile<T>(
        X, Y,
        [&](Index i0, Index, const MatrixX<T>& D) {
          MatrixX<T> K = D;
          kernel.apply(K);
          partial[std::size_t(i0 / settings.block_rows)] += K.template cast<double>().sum();
        },
        settings, function);
  } else {
    for_each_product_tile<T>(
        X, Y, false,
        [&](Index block, Index, Index, const MatrixX<T>& G) {
          MatrixX<T> K = G;
          kernel.apply(K);
          partial[std::size_t(block)] += K.template cast<double>().sum();
        },
        settings);
  }
  double total = 0;
  for (const double p : partial)
    total += p;
  return total;
}

/// All the sums an MMD estimate needs. The caller has checked X and Y.
template <class T>
KernelSums kernel_sums(const MatrixRef<T>& X, const MatrixRef<T>& Y,
                       const KernelFunction<T>& kernel, const PairwiseSettings& settings,
                       std::string_view function) {
  PairwiseSettings checked = settings;
  checked.check_finite = false;
  KernelSums sums;
  sums.within_x = X.rows() > 1 ? kernel_sum_within<T>(X, kernel, checked, function) : 0.0;
  sums.within_y = Y.rows() > 1 ? kernel_sum_within<T>(Y, kernel, checked, function) : 0.0;
  sums.between = kernel_sum_between<T>(X, Y, kernel, checked, function);
  sums.diagonal_x = kernel.diagonal(X).sum();
  sums.diagonal_y = kernel.diagonal(Y).sum();
  return sums;
}

/// Unbiased MMD^2 (Gretton et al. 2012, eq. 3) from the sums: the U-statistic
/// sum_{i != j} k(x_i, x_j) / (n (n - 1)) + sum_{i != j} k(y_i, y_j) / (m (m - 1))
/// - 2 sum_{i, j} k(x_i, y_j) / (n m). Needs n, m >= 2.
inline double unbiased_mmd2(const KernelSums& s, Index n, Index m) {
  const double dn = double(n), dm = double(m);
  return 2 * s.within_x / (dn * (dn - 1)) + 2 * s.within_y / (dm * (dm - 1)) -
         2 * s.between / (dn * dm);
}

/// Biased MMD^2 (Gretton et al. 2012, eq. 5): the V-statistic, diagonals included.
inline double biased_mmd2(const KernelSums& s, Index n, Index m) {
  const double dn = double(n), dm = double(m);
  return (2 * s.within_x + s.diagonal_x) / (dn * dn) + (2 * s.within_y + s.diagonal_y) / (dm * dm) -
         2 * s.between / (dn * dm);
}

}  // namespace detail
}  // namespace alea::metrics
