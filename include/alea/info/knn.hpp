#pragma once
/// @file
/// @brief k-nearest-neighbour estimators of entropy, mutual information, conditional mutual
/// information and Kullback-Leibler divergence from samples (nats).
///
/// Every estimator reads samples only, one observation per row, and measures how far each
/// point's k-th nearest neighbour is: where the density is high, neighbours are close.
///
/// - entropy_knn: Kozachenko and Leonenko ("Sample estimate of the entropy of a random vector",
///   Probl. Inf. Transm. 23, 1987), in the form of Kraskov, Stoegbauer and Grassberger
///   ("Estimating mutual information", Phys. Rev. E 69, 066138, 2004), eq. 20:
///       H = psi(n) - psi(k) + log V_d + (d/n) sum_i log r_i,
///   r_i the distance from x_i to its k-th nearest other point and V_d the volume of the unit
///   ball of the norm: pi^{d/2} / Gamma(d/2 + 1) (Euclidean) or 2^d (maximum norm). Kraskov's
///   eq. 20 writes the same with eps_i = 2 r_i and c_d = V_d / 2^d, the volume of the ball of
///   unit diameter (c_d = 1 for the maximum norm).
/// - mutual_information_ksg: the two estimators of Kraskov et al. (eqs. 8 and 9), maximum norm
///   in the joint space (X, Y), with eps_i the distance from (x_i, y_i) to its k-th neighbour:
///       first:  I = psi(k) + psi(n) - < psi(n_x + 1) + psi(n_y + 1) >,
///               n_x = #{j != i : ||x_j - x_i|| < eps_i}  (likewise n_y);
///       second: I = psi(k) - 1/k + psi(n) - < psi(n_x) + psi(n_y) >,
///               n_x = #{j != i : ||x_j - x_i|| <= eps_x(i)}, eps_x(i) the largest x-distance
///               among the k neighbours (likewise n_y).
///   The strict count of the first estimator follows scikit-learn's `_compute_mi_cc` exactly:
///   a point counts when its distance is <= nextafter(eps_i, 0), which is "< eps_i" for
///   eps_i > 0 and, when k + 1 points coincide (eps_i = 0), counts the coincident ones. With that
///   convention and the same inputs the estimate equals scikit-learn's to rounding (tested
///   against tests/fixtures/ksg_sklearn.json). scikit-learn's `mutual_info_regression` also
///   rescales x and y to unit variance, adds 1e-10 noise and clips the result at 0; this
///   function does none of that (see jitter()), and its estimate can be slightly negative.
/// - conditional_mutual_information_knn: Frenzel and Pompe ("Partial mutual information for
///   coupling analysis of multivariate time series", Phys. Rev. Lett. 99, 204101, 2007):
///       I(X;Y|Z) = psi(k) - < psi(n_xz + 1) + psi(n_yz + 1) - psi(n_z + 1) >,
///   eps_i in the joint (X, Y, Z) space, maximum norm, counts strict as the first KSG estimator.
/// - kl_divergence_knn: Wang, Kulkarni and Verdu ("Divergence estimation for multidimensional
///   densities via k-nearest-neighbor distances", IEEE Trans. Inf. Theory 55(5), 2009):
///       D(P || Q) = (d/n) sum_i log(nu_k(i) / rho_k(i)) + log(m / (n - 1)),
///   rho_k(i) the Euclidean distance from x_i to its k-th nearest other row of X (n rows, from
///   P), nu_k(i) to its k-th nearest row of Y (m rows, from Q).
///
/// **Assumptions.** Continuous densities (ties have probability 0). Duplicated rows make the
/// counts ill-defined and can make a distance 0: entropy_knn and kl_divergence_knn then throw,
/// since log 0 would make the estimate infinite. Data with repeated values (rounded, discrete)
/// can be broken apart with jitter(), the small noise scikit-learn adds; each estimator has an
/// overload that takes the engine and does it. Nothing here draws random numbers otherwise: the
/// estimates are deterministic, and independent of the number of OpenMP threads.
///
/// **Scale.** Entropy and KL divergence use distances as they are, so each variable's unit
/// matters (entropy changes by log|det A| under x -> A x, as it should). Mutual information is
/// invariant under rescaling each variable, but the KSG estimate is not: the maximum norm of the
/// joint space compares the variables' distances directly. Standardise variables of very
/// different spread (scikit-learn divides each by its standard deviation).
///
/// **Complexity.** A k-d tree over the points (knn_tree.hpp): O(n log n) to build, about
/// O(k + log n) per query in low dimension, degrading towards O(n) per query beyond ~15
/// dimensions. KSG and Frenzel-Pompe count one-dimensional marginals by galloping search in a
/// sorted copy (O(log count) per point) and others by tree range counts. Queries run in
/// parallel under OpenMP.
///
/// @code
/// alea::Rng rng{1};
/// const alea::MatrixX<double> X = alea::standard_normal<double>(rng, 10000, 1);
/// alea::MatrixX<double> Y = 0.6 * X + 0.8 * alea::standard_normal<double>(rng, 10000, 1);
/// double mi = alea::info::mutual_information_ksg(X, Y, 3);  // ~ -log(1 - 0.36) / 2 = 0.223
/// double h = alea::info::entropy_knn(X, 3);                  // ~ log(2 pi e) / 2 = 1.419
/// @endcode

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <boost/math/special_functions/digamma.hpp>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "alea/core/checks.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/parallel.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/core/types.hpp"
#include "alea/density/kernel.hpp"  // detail::log_unit_ball_volume
#include "alea/info/knn_tree.hpp"

namespace alea::info {

/// Which of the two KSG estimators (Kraskov et al. 2004) mutual_information_ksg computes.
enum class KsgEstimator {
  first,   ///< eq. 8: one radius eps_i for both marginals, strict counts (scikit-learn's)
  second,  ///< eq. 9: separate radii eps_x(i), eps_y(i), inclusive counts
};

namespace detail::knn {

/// Leaf size of the trees. For k = 3 queries on 10^5 points in 5-D (the klent workload, one
/// thread), 48 to 80 were fastest: 114-117 ms against 124-128 ms for 32 and 135 ms for 16 (a
/// leaf scans in whole vectors, so fewer, larger leaves mean fewer nodes to bound); the KSG
/// estimate in 2-D (mi) took the same time with 32, 48 or 64.
inline constexpr Index leaf_size = 48;

/// The rows of the given matrices side by side (all with n rows, one scalar type), row-major.
template <class T, class... Parts>
RowPoints<T> side_by_side(const Parts&... parts) {
  static_assert((std::is_same_v<typename Parts::Scalar, T> && ...),
                "alea::info: the samples must share one scalar type");
  const Index n = (parts.rows(), ...);
  RowPoints<T> out(n, (parts.cols() + ...));
  Index column = 0;
  ((out.middleCols(column, parts.cols()) = parts, column += parts.cols()), ...);
  return out;
}

/// X is a valid sample: not empty, finite.
template <class Derived>
void check_sample(std::string_view function, std::string_view name,
                  const Eigen::MatrixBase<Derived>& X) {
  using T = typename Derived::Scalar;
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "alea::info: the samples must be float or double matrices");
  check_data(function, name, X);
}

/// 1 <= k < n, where n is the number of rows of `name`.
inline void check_neighbor_count(std::string_view function, Index k, Index n,
                                 std::string_view name) {
  check_positive(function, "k", k);
  if (k >= n) {
    throw_invalid(function, "k is " + std::to_string(k) +
                                ", but must be less than the number of rows of " +
                                std::string(name) + " (" + std::to_string(n) + ")");
  }
}

/// `name` has as many rows as `reference`: "Y has 99 rows, but X has 100".
inline void check_same_rows(std::string_view function, std::string_view name, Index rows,
                            std::string_view reference, Index reference_rows) {
  if (rows != reference_rows) {
    throw_invalid(function, std::string(name) + " has " + std::to_string(rows) + " rows, but " +
                                std::string(reference) + " has " + std::to_string(reference_rows));
  }
}

/// Throws for a k-th neighbour distance of 0 at `row`: log 0 would make the estimate infinite.
[[noreturn]] inline void throw_zero_distance(std::string_view function, std::string_view name,
                                             Index row, Index k, std::string_view among) {
  throw_invalid(function, std::string(name) + " row " + std::to_string(row) +
                              " is at distance 0 from its k-th nearest neighbour in " +
                              std::string(among) + " (k = " + std::to_string(k) +
                              "): repeated points make log 0 and an infinite estimate; k-NN "
                              "estimators need continuous data (remove the duplicates, raise "
                              "k, or add noise with alea::info::jitter)");
}

/// Runs body(p, neighbors) for the stored positions p = 0 .. n - 1 of a tree, in that order
/// (consecutive queries share their search paths, which stay in cache), in parallel under
/// OpenMP when the work is worth it, each thread with its own search buffer. body must write
/// only to position p's outputs, so the results do not depend on the threads.
/// @param dim, k the tree's dimension and the neighbour order, for the threading decision.
template <class T, class Body>
void for_each_query(Index n, Index dim, Index k, Body body) {
  // Rough flops of one query (a few leaves scanned).
  [[maybe_unused]] const bool threads =
      alea::detail::worth_threads(double(n) * 64.0 * double(dim) * double(k + 8));
#if defined(_OPENMP)
#pragma omp parallel if (threads)
#endif
  {
    Neighbors<T> neighbors;
#if defined(_OPENMP)
#pragma omp for schedule(dynamic, 256)
#endif
    for (Index p = 0; p < n; ++p)
      body(p, neighbors);
  }
}

/// sum_i psi(counts_i + shift) through the histogram of the counts: one digamma per distinct
/// count, summed in a fixed order (so exact integer multiplicities, and no dependence on the
/// threads).
inline double digamma_sum(const std::vector<Index>& counts, Index shift) {
  const Index largest = *std::max_element(counts.begin(), counts.end());
  std::vector<Index> histogram(std::size_t(largest + 1), 0);
  for (const Index c : counts)
    ++histogram[std::size_t(c)];
  double sum = 0;
  for (Index c = 0; c <= largest; ++c) {
    if (histogram[std::size_t(c)] > 0) {
      sum += double(histogram[std::size_t(c)]) * boost::math::digamma(double(c + shift));
    }
  }
  return sum;
}

/// Counts of points within a maximum-norm radius in a marginal: the columns [first, first +
/// cols) of a joint tree's points. Everything is indexed by the joint tree's positions, which
/// the estimators visit in order: the counts then read their structures almost sequentially
/// (consecutive positions are neighbours in space), where original row numbers would jump
/// around memory. One column: a sorted copy; several: a tree of its own over them.
template <class T>
class MarginalCounter {
 public:
  MarginalCounter(const NeighborTree<T>& joint, Index first, Index cols)
      : joint_(joint), first_(first) {
    RowPoints<T> points = joint.points().middleCols(first, cols);
    if (cols == 1) {
      line_.emplace(points.col(0));
    } else {
      tree_.emplace(std::move(points), leaf_size);
    }
  }
  /// #{q : ||p_q - p_position||_max <= radius} in the marginal, the point itself included.
  [[nodiscard]] Index count_within(Index position, T radius) const {
    if (line_) return line_->count_within(position, radius);
    return tree_->template count_within<Norm::max>(joint_.point(position) + first_, radius);
  }

 private:
  const NeighborTree<T>& joint_;
  Index first_;
  std::optional<SortedLine<T>> line_;    // one column
  std::optional<NeighborTree<T>> tree_;  // several
};

/// The counters of the marginals {first column, columns} of `joint`, built concurrently (each
/// sorts or builds a tree of its own; on 10^5 points a few milliseconds apiece).
template <class T, std::size_t count>
std::array<std::optional<MarginalCounter<T>>, count> marginal_counters(
    const NeighborTree<T>& joint, const std::array<std::pair<Index, Index>, count>& marginals) {
  std::array<std::optional<MarginalCounter<T>>, count> out;
  [[maybe_unused]] const bool threads = alea::detail::worth_threads(
      double(joint.size()) * double(joint.dim()) * std::log2(double(joint.size()) + 1));
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic, 1) if (threads)
#endif
  for (std::size_t m = 0; m < count; ++m)
    out[m].emplace(joint, marginals[m].first, marginals[m].second);
  return out;
}

/// log r_i (r_i the distance to the k-th nearest other row) for every row of the tree's data.
template <Norm norm, class T>
std::vector<double> log_kth_distances(std::string_view function, const NeighborTree<T>& tree,
                                      Index k) {
  std::vector<double> out(static_cast<std::size_t>(tree.size()));
  for_each_query<T>(tree.size(), tree.dim(), k, [&](Index p, Neighbors<T>& neighbors) {
    neighbors.reset(k);
    tree.template nearest_to_stored<norm>(p, neighbors);
    const double r = double(neighbors.worst());
    out[std::size_t(tree.row(p))] = norm == Norm::max ? std::log(r) : 0.5 * std::log(r);
  });
  for (Index i = 0; i < tree.size(); ++i) {
    if (std::isinf(out[std::size_t(i)])) throw_zero_distance(function, "X", i, k, "X");
  }
  return out;
}

}  // namespace detail::knn

/// Kozachenko-Leonenko estimate of the differential entropy of the distribution of the rows of
/// X, in nats: psi(n) - psi(k) + log V_d + (d/n) sum_i log r_i (see the file comment for the
/// convention, and docs/info-knn.md for bias and the choice of k).
/// @param X n x d sample, one observation per row, finite.
/// @param k neighbour order, 1 <= k < n (k = 3 is the common choice: bias grows with k, variance
///        falls).
/// @param norm the norm of r_i and V_d; the estimate is the same in the limit, not at finite n.
/// @return the estimate (nats); it can be any real number, as differential entropy can.
/// @throws alea::InvalidArgument for empty or non-finite X, k outside [1, n), or a row at
///         distance 0 from its k-th neighbour (k + 1 equal rows).
template <class Derived>
double entropy_knn(const Eigen::MatrixBase<Derived>& X, Index k, Norm norm = Norm::euclidean) {
  using T = typename Derived::Scalar;
  constexpr std::string_view function = "alea::info::entropy_knn";
  detail::knn::check_sample(function, "X", X);
  const Index n = X.rows();
  const Index d = X.cols();
  detail::knn::check_neighbor_count(function, k, n, "X");
  const detail::knn::NeighborTree<T> tree(detail::knn::RowPoints<T>(X), detail::knn::leaf_size);
  const std::vector<double> log_r =
      norm == Norm::max ? detail::knn::log_kth_distances<Norm::max>(function, tree, k)
                        : detail::knn::log_kth_distances<Norm::euclidean>(function, tree, k);
  double sum = 0;
  for (const double value : log_r)
    sum += value;
  const double log_volume =
      norm == Norm::max ? double(d) * std::log(2.0) : alea::detail::log_unit_ball_volume(d);
  return boost::math::digamma(double(n)) - boost::math::digamma(double(k)) + log_volume +
         double(d) * sum / double(n);
}

/// Kraskov-Stoegbauer-Grassberger estimate of the mutual information I(X; Y), in nats (file
/// comment: both estimators, the counting convention, and the relation to scikit-learn).
/// @param X n x d_x sample of X, @param Y n x d_y sample of Y: row i of each is one joint draw.
///        Finite, one scalar type (float or double). Either may be multi-dimensional.
/// @param k neighbour order in the joint space, 1 <= k < n (Kraskov et al. suggest 2 to 4).
/// @param estimator KsgEstimator::first (eq. 8) or KsgEstimator::second (eq. 9).
/// @return the estimate (nats); near 0 for independent X and Y, and then possibly negative.
/// @throws alea::InvalidArgument for empty or non-finite X or Y, different row counts, or k
///         outside [1, n).
template <class DerivedX, class DerivedY>
double mutual_information_ksg(const Eigen::MatrixBase<DerivedX>& X,
                              const Eigen::MatrixBase<DerivedY>& Y, Index k,
                              KsgEstimator estimator = KsgEstimator::first) {
  using T = typename DerivedX::Scalar;
  constexpr std::string_view function = "alea::info::mutual_information_ksg";
  detail::knn::check_sample(function, "X", X);
  detail::knn::check_sample(function, "Y", Y);
  detail::knn::check_same_rows(function, "Y", Y.rows(), "X", X.rows());
  const Index n = X.rows();
  const Index dx = X.cols();
  const Index dy = Y.cols();
  detail::knn::check_neighbor_count(function, k, n, "X");
  const detail::knn::NeighborTree<T> joint(detail::knn::side_by_side<T>(X, Y),
                                           detail::knn::leaf_size);
  const auto counters = detail::knn::marginal_counters<T, 2>(joint, {{{0, dx}, {dx, dy}}});
  const detail::knn::MarginalCounter<T>& x_counter = *counters[0];
  const detail::knn::MarginalCounter<T>& y_counter = *counters[1];
  std::vector<Index> nx(static_cast<std::size_t>(n));
  std::vector<Index> ny(static_cast<std::size_t>(n));
  const bool first = estimator == KsgEstimator::first;
  detail::knn::for_each_query<T>(n, dx + dy, k, [&](Index p, detail::knn::Neighbors<T>& neighbors) {
    neighbors.reset(k);
    joint.template nearest_to_stored<Norm::max>(p, neighbors);
    T radius_x;
    T radius_y;
    if (first) {
      // Strictly inside eps_i, as scikit-learn: distance <= nextafter(eps_i, 0).
      radius_x = radius_y = std::nextafter(neighbors.worst(), T(0));
    } else {
      const T* centre = joint.point(p);
      radius_x = radius_y = 0;
      for (const Index q : neighbors.positions()) {
        const T* other = joint.point(q);
        radius_x = std::max(radius_x, detail::knn::point_distance<Norm::max>(centre, other, dx));
        radius_y =
            std::max(radius_y, detail::knn::point_distance<Norm::max>(centre + dx, other + dx, dy));
      }
    }
    // Counts by position: their sums do not depend on the order.
    nx[std::size_t(p)] = x_counter.count_within(p, radius_x) - 1;  // without p itself
    ny[std::size_t(p)] = y_counter.count_within(p, radius_y) - 1;
  });
  const double psi_n = boost::math::digamma(double(n));
  const double psi_k = boost::math::digamma(double(k));
  const Index shift = first ? 1 : 0;
  const double mean_x = detail::knn::digamma_sum(nx, shift) / double(n);
  const double mean_y = detail::knn::digamma_sum(ny, shift) / double(n);
  return first ? psi_n + psi_k - mean_x - mean_y
               : psi_n + psi_k - 1.0 / double(k) - mean_x - mean_y;
}

/// Frenzel-Pompe estimate of the conditional mutual information I(X; Y | Z), in nats:
/// psi(k) - < psi(n_xz + 1) + psi(n_yz + 1) - psi(n_z + 1) > (file comment).
/// @param X n x d_x, @param Y n x d_y, @param Z n x d_z: row i of each is one joint draw;
///        finite, one scalar type.
/// @param k neighbour order in the joint (X, Y, Z) space, 1 <= k < n.
/// @return the estimate (nats); near 0 when X and Y are independent given Z.
/// @throws alea::InvalidArgument for empty or non-finite X, Y or Z, different row counts, or k
///         outside [1, n).
template <class DerivedX, class DerivedY, class DerivedZ>
double conditional_mutual_information_knn(const Eigen::MatrixBase<DerivedX>& X,
                                          const Eigen::MatrixBase<DerivedY>& Y,
                                          const Eigen::MatrixBase<DerivedZ>& Z, Index k) {
  using T = typename DerivedX::Scalar;
  constexpr std::string_view function = "alea::info::conditional_mutual_information_knn";
  detail::knn::check_sample(function, "X", X);
  detail::knn::check_sample(function, "Y", Y);
  detail::knn::check_sample(function, "Z", Z);
  detail::knn::check_same_rows(function, "Y", Y.rows(), "X", X.rows());
  detail::knn::check_same_rows(function, "Z", Z.rows(), "X", X.rows());
  const Index n = X.rows();
  detail::knn::check_neighbor_count(function, k, n, "X");
  // Columns (X, Z, Y): the three marginals (X, Z), (Z, Y) and Z are each contiguous.
  const Index dx = X.cols();
  const Index dz = Z.cols();
  const detail::knn::NeighborTree<T> joint(detail::knn::side_by_side<T>(X, Z, Y),
                                           detail::knn::leaf_size);
  const auto counters =
      detail::knn::marginal_counters<T, 3>(joint, {{{0, dx + dz}, {dx, dz + Y.cols()}, {dx, dz}}});
  const detail::knn::MarginalCounter<T>& xz_counter = *counters[0];
  const detail::knn::MarginalCounter<T>& yz_counter = *counters[1];
  const detail::knn::MarginalCounter<T>& z_counter = *counters[2];
  std::vector<Index> nxz(static_cast<std::size_t>(n));
  std::vector<Index> nyz(static_cast<std::size_t>(n));
  std::vector<Index> nz(static_cast<std::size_t>(n));
  detail::knn::for_each_query<T>(
      n, joint.dim(), k, [&](Index p, detail::knn::Neighbors<T>& neighbors) {
        neighbors.reset(k);
        joint.template nearest_to_stored<Norm::max>(p, neighbors);
        const T radius = std::nextafter(neighbors.worst(), T(0));  // strict, as KSG's first
        nxz[std::size_t(p)] = xz_counter.count_within(p, radius) - 1;
        nyz[std::size_t(p)] = yz_counter.count_within(p, radius) - 1;
        nz[std::size_t(p)] = z_counter.count_within(p, radius) - 1;
      });
  return boost::math::digamma(double(k)) -
         (detail::knn::digamma_sum(nxz, 1) + detail::knn::digamma_sum(nyz, 1) -
          detail::knn::digamma_sum(nz, 1)) /
             double(n);
}

/// Wang-Kulkarni-Verdu estimate of the Kullback-Leibler divergence D(P || Q), in nats, from a
/// sample X of P and a sample Y of Q: (d/n) sum_i log(nu_k(i) / rho_k(i)) + log(m / (n - 1)),
/// Euclidean distances (file comment).
/// @param X n x d sample of P, @param Y m x d sample of Q; finite, one scalar type.
/// @param k neighbour order, 1 <= k < n and k <= m.
/// @return the estimate (nats); it can be negative when P and Q are close.
/// @throws alea::InvalidArgument for empty or non-finite X or Y, different column counts, k out
///         of range, or a k-th neighbour distance of 0 (repeated rows).
template <class DerivedX, class DerivedY>
double kl_divergence_knn(const Eigen::MatrixBase<DerivedX>& X, const Eigen::MatrixBase<DerivedY>& Y,
                         Index k) {
  using T = typename DerivedX::Scalar;
  static_assert(std::is_same_v<typename DerivedY::Scalar, T>,
                "alea::info::kl_divergence_knn: X and Y must share one scalar type");
  constexpr std::string_view function = "alea::info::kl_divergence_knn";
  detail::knn::check_sample(function, "X", X);
  detail::knn::check_sample(function, "Y", Y);
  check_cols(function, "Y", Y, X.cols(), "X has");
  const Index n = X.rows();
  const Index m = Y.rows();
  const Index d = X.cols();
  detail::knn::check_neighbor_count(function, k, n, "X");
  if (k > m) {
    throw_invalid(function, "k is " + std::to_string(k) + ", but Y has only " + std::to_string(m) +
                                (m == 1 ? " row" : " rows"));
  }
  const detail::knn::NeighborTree<T> x_tree(detail::knn::RowPoints<T>(X), detail::knn::leaf_size);
  const detail::knn::NeighborTree<T> y_tree(detail::knn::RowPoints<T>(Y), detail::knn::leaf_size);
  std::vector<T> rho(static_cast<std::size_t>(n));  // squared distances
  std::vector<T> nu(static_cast<std::size_t>(n));
  detail::knn::for_each_query<T>(n, d, 2 * k, [&](Index p, detail::knn::Neighbors<T>& neighbors) {
    const Index i = x_tree.row(p);
    neighbors.reset(k);
    x_tree.template nearest_to_stored<Norm::euclidean>(p, neighbors);
    rho[std::size_t(i)] = neighbors.worst();
    neighbors.reset(k);
    y_tree.template nearest<Norm::euclidean>(x_tree.point(p), neighbors);
    nu[std::size_t(i)] = neighbors.worst();
  });
  double sum = 0;
  for (Index i = 0; i < n; ++i) {
    if (!(rho[std::size_t(i)] > 0)) detail::knn::throw_zero_distance(function, "X", i, k, "X");
    if (!(nu[std::size_t(i)] > 0)) detail::knn::throw_zero_distance(function, "X", i, k, "Y");
    sum += std::log(double(nu[std::size_t(i)])) - std::log(double(rho[std::size_t(i)]));
  }
  // sum holds log nu^2 - log rho^2: half of it is sum log(nu / rho).
  return double(d) * 0.5 * sum / double(n) + std::log(double(m) / double(n - 1));
}

/// X plus small Gaussian noise, scikit-learn's remedy for ties before KSG
/// (`mutual_info_regression` adds it after scaling to unit variance): column j gets
/// relative_scale * max(1, mean_i |X_ij|) * N(0, 1), drawn in column-major order. The default
/// 1e-10 is scikit-learn's: far below the spacing of distinct values in ordinary data, it
/// mostly just breaks ties.
/// @param X n x d, finite. @param rng the engine to draw from.
/// @param relative_scale the noise scale relative to max(1, mean |column|), >= 0.
/// @return n x d, the jittered copy.
/// @throws alea::InvalidArgument for empty or non-finite X or a negative or non-finite scale.
template <class Derived, RandomEngine G>
MatrixX<typename Derived::Scalar> jitter(const Eigen::MatrixBase<Derived>& X, G& rng,
                                         double relative_scale = 1e-10) {
  using T = typename Derived::Scalar;
  constexpr std::string_view function = "alea::info::jitter";
  detail::knn::check_sample(function, "X", X);
  check_nonnegative(function, "relative_scale", relative_scale);
  MatrixX<T> out = standard_normal<T>(rng, X.rows(), X.cols());
  for (Index j = 0; j < X.cols(); ++j) {
    const double mean_abs = X.col(j).template cast<double>().cwiseAbs().mean();
    out.col(j) *= T(relative_scale * std::max(1.0, mean_abs));
  }
  out += X;
  return out;
}

/// entropy_knn of jitter(X, rng) (for data with repeated values).
template <class Derived, RandomEngine G>
double entropy_knn(const Eigen::MatrixBase<Derived>& X, Index k, Norm norm, G& rng) {
  detail::knn::check_sample("alea::info::entropy_knn", "X", X);
  return entropy_knn(jitter(X, rng), k, norm);
}

/// mutual_information_ksg of jitter(X, rng) and jitter(Y, rng), drawn in that order (as
/// scikit-learn's `mutual_info_regression`, which also rescales first; see the file comment).
template <class DerivedX, class DerivedY, RandomEngine G>
double mutual_information_ksg(const Eigen::MatrixBase<DerivedX>& X,
                              const Eigen::MatrixBase<DerivedY>& Y, Index k, KsgEstimator estimator,
                              G& rng) {
  constexpr std::string_view function = "alea::info::mutual_information_ksg";
  detail::knn::check_sample(function, "X", X);
  detail::knn::check_sample(function, "Y", Y);
  const MatrixX<typename DerivedX::Scalar> x = jitter(X, rng);
  return mutual_information_ksg(x, jitter(Y, rng), k, estimator);
}

/// conditional_mutual_information_knn of jitter(X), jitter(Y), jitter(Z), drawn in that order.
template <class DerivedX, class DerivedY, class DerivedZ, RandomEngine G>
double conditional_mutual_information_knn(const Eigen::MatrixBase<DerivedX>& X,
                                          const Eigen::MatrixBase<DerivedY>& Y,
                                          const Eigen::MatrixBase<DerivedZ>& Z, Index k, G& rng) {
  constexpr std::string_view function = "alea::info::conditional_mutual_information_knn";
  detail::knn::check_sample(function, "X", X);
  detail::knn::check_sample(function, "Y", Y);
  detail::knn::check_sample(function, "Z", Z);
  const MatrixX<typename DerivedX::Scalar> x = jitter(X, rng);
  const MatrixX<typename DerivedY::Scalar> y = jitter(Y, rng);
  return conditional_mutual_information_knn(x, y, jitter(Z, rng), k);
}

/// kl_divergence_knn of jitter(X, rng) and jitter(Y, rng), drawn in that order.
template <class DerivedX, class DerivedY, RandomEngine G>
double kl_divergence_knn(const Eigen::MatrixBase<DerivedX>& X, const Eigen::MatrixBase<DerivedY>& Y,
                         Index k, G& rng) {
  constexpr std::string_view function = "alea::info::kl_divergence_knn";
  detail::knn::check_sample(function, "X", X);
  detail::knn::check_sample(function, "Y", Y);
  const MatrixX<typename DerivedX::Scalar> x = jitter(X, rng);
  return kl_divergence_knn(x, jitter(Y, rng), k);
}

}  // namespace alea::info
