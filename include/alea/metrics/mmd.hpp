#pragma once
/// @file
/// @brief Maximum mean discrepancy: the squared MMD with three estimators (mmd2), the Kernel
/// Inception Distance (kid) and the kernel two-sample permutation test (mmd_test).
///
/// MMD^2(P, Q) = E k(x, x') + E k(y, y') - 2 E k(x, y) for x, x' ~ P and y, y' ~ Q (Gretton,
/// Borgwardt, Rasch, Schoelkopf and Smola, "A kernel two-sample test", JMLR 13, 2012, eq. 2);
/// with a characteristic kernel (Gaussian, Laplacian) it is 0 exactly when P = Q. Estimators
/// from X (n x d, rows are draws of P) and Y (m x d, of Q):
///
/// - biased: the V-statistic, all pairs including i = j (eq. 5, squared); >= 0, biased upward
///   by (E k(x, x) - E k(x, x')) / n + (E k(y, y) - E k(y, y')) / m;
/// - unbiased: the U-statistic, pairs i != j within each sample (eq. 3); can be negative;
/// - linear: the linear-time statistic of section 6 (Lemma 14), the mean of
///   h = k(x_{2i}, x_{2i+1}) + k(y_{2i}, y_{2i+1}) - k(x_{2i}, y_{2i+1}) - k(x_{2i+1}, y_{2i})
///   over floor(n / 2) disjoint pairs; unbiased, O(n d), with a variance far above the
///   U-statistic's.
///
/// Kernel sums are streamed tile by tile through the pairwise engine (core/pairwise.hpp):
/// memory O(block), never an n x m matrix; sums within a sample visit each pair once. Sums are
/// kept in double per row block and added in block order, so results do not depend on the
/// number of threads.
///
/// @code
/// double d2 = alea::metrics::mmd2(X, Y);  // unbiased, Gaussian, median heuristic
/// auto test = alea::metrics::mmd_test(X, Y, {.n_permutations = 500}, rng);
/// if (test.p_value < 0.05) { ... }  // the samples come from different distributions
/// @endcode

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alea/core/checks.hpp"
#include "alea/core/pairwise.hpp"
#include "alea/core/random.hpp"
#include "alea/core/types.hpp"
#include "alea/metrics/detail/checks.hpp"
#include "alea/metrics/detail/kernel_sums.hpp"
#include "alea/metrics/detail/pair_median.hpp"
#include "alea/metrics/detail/sampling.hpp"

namespace alea::metrics {

/// Estimators of MMD^2; see the file comment.
enum class MmdEstimator { biased, unbiased, linear };

/// Settings of mmd2 and of the test's statistic.
struct MmdSettings {
  MmdKernel kernel = MmdKernel::gaussian;
  MmdEstimator estimator = MmdEstimator::unbiased;
  /// sigma of the Gaussian and Laplacian kernels; 0 (default): the median heuristic,
  /// median_heuristic_bandwidth(X, Y).
  double bandwidth = 0;
  int degree = 3;    ///< polynomial kernel: integer >= 1
  double gamma = 0;  ///< polynomial kernel: > 0; 0 (default): 1 / d, scikit-learn's gamma=None
  double coef0 = 1;  ///< polynomial kernel: >= 0 (so that the kernel is positive definite)
  PairwiseSettings pairwise = {};  ///< tiles of the kernel sums
};

/// The median heuristic: the median Euclidean distance between distinct rows of the pooled
/// sample [X; Y], computed exactly (detail/pair_median.hpp: a pilot on 1,024 rows, then one
/// streamed pass over the N (N - 1) / 2 pairs, N = n + m, two when the pilot's bracket misses
/// or N is above ~14,000; O(N^2 d) time, at most 32 MB). Of the two middle values of an even
/// count, the lower one, as torch.median (the peer) picks it; squared distances are selected,
/// whose square roots order the same way.
/// @param X n x d. @param Y m x d.
/// @throws alea::InvalidArgument for empty or non-finite data or mismatched columns.
template <class DerivedX, class DerivedY>
double median_heuristic_bandwidth(const Eigen::MatrixBase<DerivedX>& X,
                                  const Eigen::MatrixBase<DerivedY>& Y,
                                  const PairwiseSettings& pairwise = {}) {
  using T = detail::SampleScalar<DerivedX, DerivedY>;
  constexpr std::string_view function = "alea::metrics::median_heuristic_bandwidth";
  const MatrixRef<T> x(X.derived());
  const MatrixRef<T> y(Y.derived());
  detail::check_samples<T>(function, x, y);
  MatrixX<T> pooled(x.rows() + y.rows(), x.cols());
  pooled << x, y;
  PairwiseSettings checked = pairwise;
  checked.check_finite = false;
  const std::uint64_t N = std::uint64_t(pooled.rows());
  const std::uint64_t pairs = N * (N - 1) / 2;
  return std::sqrt(double(detail::pair_squared_distance_order_statistic<T>(pooled, (pairs - 1) / 2,
                                                                           checked, function)));
}

namespace detail {

/// The settings' kernel with its parameters checked and resolved (median heuristic, gamma 1/d).
template <class T>
KernelFunction<T> resolve_kernel(std::string_view function, const MatrixRef<T>& X,
                                 const MatrixRef<T>& Y, const MmdSettings& settings) {
  KernelFunction<T> kernel{.kind = settings.kernel};
  if (settings.kernel == MmdKernel::polynomial) {
    check_positive(function, "degree", settings.degree);
    check_nonnegative(function, "gamma", settings.gamma);
    check_nonnegative(function, "coef0", settings.coef0);
    kernel.degree = settings.degree;
    kernel.gamma = settings.gamma > 0 ? settings.gamma : 1.0 / double(X.cols());
    kernel.coef0 = settings.coef0;
    return kernel;
  }
  check_nonnegative(function, "bandwidth", settings.bandwidth);
  kernel.bandwidth = settings.bandwidth;
  if (kernel.bandwidth == 0) {
    kernel.bandwidth = median_heuristic_bandwidth(X, Y, settings.pairwise);
    if (!(kernel.bandwidth > 0)) {
      throw_invalid(function,
                    "the median heuristic gives bandwidth 0 (at least half of the pairs of "
                    "pooled rows coincide); set a positive bandwidth");
    }
  }
  return kernel;
}

/// Linear-time MMD^2 (Gretton et al. 2012, section 6): X and Y both n x d, n >= 2.
template <class T>
double linear_mmd2(const MatrixRef<T>& X, const MatrixRef<T>& Y, const KernelFunction<T>& kernel) {
  const Index pairs = X.rows() / 2;
  const auto first = Eigen::seqN(0, pairs, 2);
  const auto second = Eigen::seqN(1, pairs, 2);
  const MatrixX<T> x1 = X(first, Eigen::all), x2 = X(second, Eigen::all);
  const MatrixX<T> y1 = Y(first, Eigen::all), y2 = Y(second, Eigen::all);
  // Columns: k(x1, x2), k(y1, y2), k(x1, y2), k(x2, y1), from distances or inner products.
  MatrixX<T> values(pairs, 4);
  const auto combine = [&](const MatrixX<T>& a, const MatrixX<T>& b) -> VectorX<T> {
    if (kernel.on_distances()) return (a - b).rowwise().squaredNorm();
    return (a.array() * b.array()).rowwise().sum();
  };
  values << combine(x1, x2), combine(y1, y2), combine(x1, y2), combine(x2, y1);
  kernel.apply(values);
  const MatrixX<double> k = values.template cast<double>();
  return (k.col(0) + k.col(1) - k.col(2) - k.col(3)).mean();
}

}  // namespace detail

/// Squared maximum mean discrepancy between the samples X and Y; see the file comment.
/// @param X n x d, rows are draws from P. @param Y m x d, rows are draws from Q.
/// @return the estimate, in double whatever the scalar (float data: kernel values in float, sums
///         in double).
/// @throws alea::InvalidArgument for empty or non-finite data, mismatched columns, bad kernel
///         parameters, n or m < 2 (unbiased, linear), n != m (linear), or a median heuristic of 0.
template <class DerivedX, class DerivedY>
double mmd2(const Eigen::MatrixBase<DerivedX>& X, const Eigen::MatrixBase<DerivedY>& Y,
            const MmdSettings& settings = {}) {
  using T = detail::SampleScalar<DerivedX, DerivedY>;
  constexpr std::string_view function = "alea::metrics::mmd2";
  const MatrixRef<T> x(X.derived());
  const MatrixRef<T> y(Y.derived());
  detail::check_samples<T>(function, x, y);
  if (settings.estimator != MmdEstimator::biased) {
    const char* why = settings.estimator == MmdEstimator::unbiased ? "the unbiased estimator"
                                                                   : "the linear estimator";
    detail::check_min_rows(function, "X", x, 2, why);
    detail::check_min_rows(function, "Y", y, 2, why);
  }
  if (settings.estimator == MmdEstimator::linear && x.rows() != y.rows()) {
    throw_invalid(function, "Y has " + std::to_string(y.rows()) + " rows, but X has " +
                                std::to_string(x.rows()) +
                                "; the linear estimator pairs the rows of equal-sized samples");
  }
  const detail::KernelFunction<T> kernel = detail::resolve_kernel<T>(function, x, y, settings);
  if (settings.estimator == MmdEstimator::linear) return detail::linear_mmd2<T>(x, y, kernel);
  const detail::KernelSums sums = detail::kernel_sums<T>(x, y, kernel, settings.pairwise, function);
  return settings.estimator == MmdEstimator::unbiased
             ? detail::unbiased_mmd2(sums, x.rows(), y.rows())
             : detail::biased_mmd2(sums, x.rows(), y.rows());
}

// ---------------------------------------------------------------------------------------------
// Kernel Inception Distance
// ---------------------------------------------------------------------------------------------

/// Settings of kid; defaults are torchmetrics' KernelInceptionDistance.
struct KidSettings {
  Index n_subsets = 100;     ///< torchmetrics' `subsets`
  Index subset_size = 1000;  ///< rows per subset, drawn without replacement; <= n and <= m
  int degree = 3;
  double gamma = 0;  ///< 0: 1 / d
  double coef0 = 1;
  PairwiseSettings pairwise = {};
};

/// KID over the subsets: their mean and standard deviation.
struct KidResult {
  double mean = 0;
  double std = 0;  ///< population standard deviation (ddof 0), as torchmetrics' std(unbiased=False)
  VectorX<double> values;  ///< the unbiased polynomial MMD^2 of each subset
};

/// Row indices, one subset per row.
using IndexMatrix = Eigen::Matrix<Index, Eigen::Dynamic, Eigen::Dynamic>;

/// KID on given subsets: for subset r, the unbiased MMD^2 with the polynomial kernel between
/// X.rows(real_subsets.row(r)) and Y.rows(fake_subsets.row(r)). The randomised kid() calls this;
/// tests feed the subsets numpy drew. Of the settings only the kernel's and the tiles' are read.
/// @param X n x d features of real data. @param Y m x d features of generated data.
/// @param real_subsets n_subsets x s row indices of X. @param fake_subsets likewise for Y.
/// @throws alea::InvalidArgument for bad data, subsets of different shapes or with s < 2,
///         indices out of range, or bad kernel parameters.
template <class DerivedX, class DerivedY>
KidResult kid(const Eigen::MatrixBase<DerivedX>& X, const Eigen::MatrixBase<DerivedY>& Y,
              const IndexMatrix& real_subsets, const IndexMatrix& fake_subsets,
              const KidSettings& settings = {}) {
  using T = detail::SampleScalar<DerivedX, DerivedY>;
  constexpr std::string_view function = "alea::metrics::kid";
  const MatrixRef<T> x(X.derived());
  const MatrixRef<T> y(Y.derived());
  detail::check_samples<T>(function, x, y);
  check_not_empty(function, "real_subsets", real_subsets);
  if (fake_subsets.rows() != real_subsets.rows() || fake_subsets.cols() != real_subsets.cols()) {
    throw_invalid(function, "fake_subsets is " + std::to_string(fake_subsets.rows()) + " x " +
                                std::to_string(fake_subsets.cols()) + ", but real_subsets is " +
                                std::to_string(real_subsets.rows()) + " x " +
                                std::to_string(real_subsets.cols()));
  }
  const Index size = real_subsets.cols();
  if (size < 2) {
    throw_invalid(function, "subset_size is " + std::to_string(size) +
                                ", but the unbiased estimator needs at least 2");
  }
  const auto check_indices = [&](std::string_view name, const IndexMatrix& indices, Index rows) {
    if ((indices.array() < 0).any() || (indices.array() >= rows).any()) {
      throw_invalid(function,
                    std::string(name) + " has an index outside [0, " + std::to_string(rows) + ")");
    }
  };
  check_indices("real_subsets", real_subsets, x.rows());
  check_indices("fake_subsets", fake_subsets, y.rows());
  const MmdSettings mmd{.kernel = MmdKernel::polynomial,
                        .degree = settings.degree,
                        .gamma = settings.gamma,
                        .coef0 = settings.coef0,
                        .pairwise = settings.pairwise};
  const detail::KernelFunction<T> kernel = detail::resolve_kernel<T>(function, x, y, mmd);
  KidResult out;
  out.values.resize(real_subsets.rows());
  for (Index r = 0; r < real_subsets.rows(); ++r) {
    const MatrixX<T> xs = detail::gather_rows<T>(x, real_subsets.row(r), size);
    const MatrixX<T> ys = detail::gather_rows<T>(y, fake_subsets.row(r), size);
    out.values(r) = detail::unbiased_mmd2(
        detail::kernel_sums<T>(xs, ys, kernel, settings.pairwise, function), size, size);
  }
  out.mean = out.values.mean();
  out.std = std::sqrt((out.values.array() - out.mean).square().mean());
  return out;
}

/// Kernel Inception Distance (Binkowski, Sutherland, Arbel and Gretton, "Demystifying MMD
/// GANs", ICLR 2018) as torchmetrics' KernelInceptionDistance computes it from features: for
/// each of n_subsets subsets, subset_size rows of X and of Y drawn without replacement (a
/// partial Fisher-Yates shuffle; torchmetrics: randperm(n)[:subset_size]), the unbiased MMD^2
/// with the kernel (gamma x.y + coef0)^degree; the mean and population std over subsets.
/// Unbiased for the population MMD^2 at any subset size, unlike FD (docs/metrics.md).
/// @param X n x d real features. @param Y m x d generated features.
/// @throws alea::InvalidArgument for bad data or kernel parameters, n_subsets < 1,
///         subset_size < 2, or subset_size > n or > m.
template <class DerivedX, class DerivedY, RandomEngine G>
KidResult kid(const Eigen::MatrixBase<DerivedX>& X, const Eigen::MatrixBase<DerivedY>& Y,
              const KidSettings& settings, G& rng) {
  constexpr std::string_view function = "alea::metrics::kid";
  check_positive(function, "n_subsets", settings.n_subsets);
  check_positive(function, "subset_size", settings.subset_size);
  for (const auto& [name, rows] : {std::pair{"X", X.rows()}, std::pair{"Y", Y.rows()}}) {
    if (settings.subset_size > rows) {
      throw_invalid(function, "subset_size is " + std::to_string(settings.subset_size) + ", but " +
                                  name + " has only " + std::to_string(rows) + " rows");
    }
  }
  IndexMatrix real(settings.n_subsets, settings.subset_size);
  IndexMatrix fake(settings.n_subsets, settings.subset_size);
  std::vector<Index> real_rows = detail::identity_indices(X.rows());
  std::vector<Index> fake_rows = detail::identity_indices(Y.rows());
  for (Index r = 0; r < settings.n_subsets; ++r) {
    detail::shuffle_front(real_rows, settings.subset_size, rng);
    detail::shuffle_front(fake_rows, settings.subset_size, rng);
    for (Index i = 0; i < settings.subset_size; ++i) {
      real(r, i) = real_rows[std::size_t(i)];
      fake(r, i) = fake_rows[std::size_t(i)];
    }
  }
  return kid(X, Y, real, fake, settings);
}

// ---------------------------------------------------------------------------------------------
// The kernel two-sample test
// ---------------------------------------------------------------------------------------------

/// Settings of mmd_test.
struct MmdTestSettings {
  MmdSettings mmd = {};  ///< the statistic: kernel and estimator (biased or unbiased)
  Index n_permutations = 1000;
  /// Bytes for the permutations in flight: (n + m) x batch labels and partial sums. Fewer
  /// bytes mean more batches, each recomputing the kernel tiles once (see mmd_test).
  std::size_t memory_budget = std::size_t(256) << 20;
};

/// Result of mmd_test.
struct MmdTestResult {
  double mmd2 = 0;     ///< the statistic on the samples as given (mmd2() to rounding)
  double p_value = 1;  ///< (b + 1) / (B + 1), b permuted statistics >= the observed one
  Index n_permutations = 0;
  double bandwidth = 0;  ///< sigma used (Gaussian, Laplacian; 0 for the polynomial kernel)
};

/// Permutation two-sample test of H0: P = Q with an MMD^2 statistic: the labels X / Y of the
/// pooled rows are permuted B = n_permutations times, and the p-value is (b + 1) / (B + 1)
/// with b the permuted statistics >= the observed one. Counting the observed labelling as one
/// of the permutations makes the test exact, P(p <= alpha) <= alpha under H0 (Phipson and
/// Smyth, "Permutation p-values should never be zero", 2010).
///
/// The permutations cost GEMMs, never a kernel matrix: with K0 the pooled kernel matrix with a
/// zero diagonal and a the 0/1 indicator of the rows labelled X, the statistic needs only
/// q = a^T K0 a and s = a^T K0 1 (sum within X: q; within Y: 1^T K0 1 - 2 s + q; between:
/// s - q). A batch of labellings is the columns of an N x b matrix A (N = n + m); K0 A is
/// accumulated tile by tile while the kernel tiles stream through the pairwise engine, so a
/// batch costs one pass of kernel tiles (N^2 d flops) and a GEMM (2 N^2 b flops) in O(N b)
/// memory. The batch is as large as memory_budget allows: N = 10,000 double rows and 1,000
/// permutations fit one batch of 160 MB. The observed labelling goes through the same
/// arithmetic as the permuted ones, so that ties compare exactly. Permutations are drawn in
/// order from `rng` on the calling thread, and the result does not depend on the number of
/// threads. The bandwidth of the Gaussian and Laplacian kernels (the median heuristic by
/// default) comes from the pooled sample, which every permutation shares.
/// @param X n x d. @param Y m x d.
/// @throws alea::InvalidArgument as mmd2, for n_permutations < 1, the linear estimator, or a
///         memory_budget too small for one labelling.
template <class DerivedX, class DerivedY, RandomEngine G>
MmdTestResult mmd_test(const Eigen::MatrixBase<DerivedX>& X, const Eigen::MatrixBase<DerivedY>& Y,
                       const MmdTestSettings& settings, G& rng) {
  using T = detail::SampleScalar<DerivedX, DerivedY>;
  constexpr std::string_view function = "alea::metrics::mmd_test";
  const MatrixRef<T> x(X.derived());
  const MatrixRef<T> y(Y.derived());
  detail::check_samples<T>(function, x, y);
  check_positive(function, "n_permutations", settings.n_permutations);
  const MmdEstimator estimator = settings.mmd.estimator;
  if (estimator == MmdEstimator::linear) {
    throw_invalid(function,
                  "estimator is linear, but the permutation test takes the biased or "
                  "the unbiased estimator");
  }
  if (estimator == MmdEstimator::unbiased) {
    detail::check_min_rows(function, "X", x, 2, "the unbiased estimator");
    detail::check_min_rows(function, "Y", y, 2, "the unbiased estimator");
  }
  const detail::KernelFunction<T> kernel = detail::resolve_kernel<T>(function, x, y, settings.mmd);
  const Index n = x.rows(), m = y.rows(), N = n + m;
  MatrixX<T> pooled(N, x.cols());
  pooled << x, y;
  const VectorX<double> diagonal = kernel.diagonal(pooled);

  // Columns: 0 all ones (gives r = K0 1), 1 the observed labelling, then the permutations.
  const Index columns = settings.n_permutations + 2;
  const std::size_t per_column = std::size_t(N) * (sizeof(T) + sizeof(double));
  const Index batch = std::min<Index>(columns, Index(settings.memory_budget / per_column));
  if (batch < 2) {
    throw_invalid(function, "memory_budget is " + std::to_string(settings.memory_budget) +
                                " bytes, but two labellings of " + std::to_string(N) +
                                " rows need " + std::to_string(2 * per_column));
  }
  PairwiseSettings pairwise = settings.mmd.pairwise;
  pairwise.check_finite = false;
  std::vector<Index> labels = detail::identity_indices(N);
  VectorX<double> r;
  double total = 0;
  std::vector<double> statistics;
  statistics.reserve(std::size_t(columns - 1));
  const double dn = double(n), dm = double(m);
  for (Index c0 = 0; c0 < columns; c0 += batch) {
    const Index b = std::min(batch, columns - c0);
    MatrixX<T> A = MatrixX<T>::Zero(N, b);
    for (Index c = 0; c < b; ++c) {
      const Index column = c0 + c;
      if (column == 0) {
        A.col(c).setOnes();
      } else if (column == 1) {
        A.col(c).head(n).setOnes();
      } else {
        detail::shuffle_front(labels, n, rng);
        for (Index i = 0; i < n; ++i)
          A(labels[std::size_t(i)], c) = T(1);
      }
    }
    MatrixX<double> P = MatrixX<double>::Zero(N, b);
    const auto accumulate = [&](Index i0, Index j0, const MatrixX<T>& values) {
      MatrixX<T> K = values;
      kernel.apply(K);
      // K0: zero the diagonal entries i == j that fall in this tile.
      for (Index a = 0; a < K.rows(); ++a) {
        const Index b_diag = i0 + a - j0;
        if (b_diag >= 0 && b_diag < K.cols()) K(a, b_diag) = T(0);
      }
      const MatrixX<T> product = K * A.middleRows(j0, K.cols());
      P.middleRows(i0, K.rows()) += product.template cast<double>();
    };
    if (kernel.on_distances()) {
      for_each_distance_tile<T>(pooled, pooled, accumulate, pairwise, function);
    } else {
      detail::for_each_product_tile<T>(
          pooled, pooled, false,
          [&](Index, Index i0, Index j0, const MatrixX<T>& products) {
            accumulate(i0, j0, products);
          },
          pairwise);
    }
    for (Index c = 0; c < b; ++c) {
      const Index column = c0 + c;
      const VectorX<double> a = A.col(c).template cast<double>();
      if (column == 0) {
        r = P.col(c);
        total = r.sum();
        continue;
      }
      const double q = a.dot(P.col(c));
      const double s = a.dot(r);
      const double within_y = total - 2 * s + q;
      const double between = s - q;
      double statistic;
      if (estimator == MmdEstimator::unbiased) {
        statistic = q / (dn * (dn - 1)) + within_y / (dm * (dm - 1)) - 2 * between / (dn * dm);
      } else {
        const double diagonal_x = a.dot(diagonal);
        const double diagonal_y = diagonal.sum() - diagonal_x;
        statistic = (q + diagonal_x) / (dn * dn) + (within_y + diagonal_y) / (dm * dm) -
                    2 * between / (dn * dm);
      }
      statistics.push_back(statistic);
    }
  }
  MmdTestResult out;
  out.mmd2 = statistics.front();
  out.n_permutations = settings.n_permutations;
  out.bandwidth = kernel.on_distances() ? kernel.bandwidth : 0.0;
  const auto as_extreme = std::count_if(statistics.begin() + 1, statistics.end(),
                                        [&](double s) { return s >= out.mmd2; });
  out.p_value = double(as_extreme + 1) / double(settings.n_permutations + 1);
  return out;
}

}  // namespace alea::metrics
