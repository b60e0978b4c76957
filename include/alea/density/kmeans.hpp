#pragma once
/// @file
/// @brief alea::KMeans: k-means clustering by Lloyd's algorithm, as scikit-learn 1.2's
/// KMeans(algorithm="lloyd"), and alea::kmeans_plusplus, its greedy k-means++ seeding.
///
/// k-means looks for k centres c_1..c_k that minimise the inertia sum_i w_i ||x_i - c_l(i)||^2,
/// l(i) the nearest centre of x_i. Lloyd's algorithm (Lloyd, "Least squares quantization in
/// PCM", IEEE Trans. Inf. Theory 28(2), 1982) alternates the two steps that each lower it:
/// assign every point to its nearest centre, then move every centre to the weighted mean of its
/// points. It reaches a local minimum, so the start matters: k-means++ seeding (Arthur and
/// Vassilvitskii, "k-means++: the advantages of careful seeding", SODA 2007) draws each new
/// centre with probability proportional to w D^2, D the distance to the nearest centre so far,
/// and with n_init > 1 the run of lowest inertia is kept.
///
/// What is scikit-learn's (sklearn/cluster/_kmeans.py, _k_means_lloyd.pyx, _k_means_common.pyx,
/// version 1.2), feature for feature:
/// - An iteration assigns the points to the centres and computes the new centres; it stops on
///   strict convergence (no label changed) or when the total squared shift of the centres,
///   sum_j ||c_j' - c_j||^2, is at most tol times the mean variance of the columns of X
///   (_tolerance; tol = 0 therefore stops only on strict convergence or at max_iter). Without
///   strict convergence a last assignment makes the labels match the final centres.
/// - A cluster left without weight takes the point farthest from its centre, which leaves its own
///   cluster (_relocate_empty_clusters): with e empty clusters, the e farthest points, farthest
///   first (scikit-learn takes them in np.argpartition's unspecified order).
/// - inertia is sum_i w_i ||x_i - c_l(i)||^2 with the final centres and labels, the squared
///   differences computed directly (not from the distance tiles).
/// - Ties between centres go to the lowest index.
/// - Of n_init runs, a later run replaces the best so far only when its inertia is lower and its
///   labels are not the same clustering up to a permutation (a lower inertia is then rounding).
/// - k-means++ tries 2 + floor(ln k) candidates per centre and keeps the one that lowers the
///   potential sum_i w_i D_i^2 most; weighted, the first centre and the candidates are drawn
///   with probability proportional to w and w D^2 (scikit-learn 1.3's weighted seeding).
///
/// Where alea differs, on purpose:
/// - n_init defaults to 1, scikit-learn 1.4's n_init="auto" for k-means++ (1.2's default is 10);
///   "auto" with random starts is 10 runs: set n_init = 10 for KMeansInit::random.
/// - Random starts draw k distinct rows with probability proportional to the weight (1.3's
///   rule; 1.2 ignores weights), and no start ever uses a row of weight 0.
/// - Relocation moves only points of positive weight and positive distance, and a cluster that
///   is still (or becomes) empty keeps its centre. scikit-learn 1.2 may move a zero-weight point
///   or a point already on its centre, and then leaves the empty cluster at the mean of X, where
///   it can steal points and empty another cluster at every iteration (so with more clusters than
///   distinct points it never converges).
/// - An iteration that relocated a cluster does not count as strict convergence, and the
///   relocated point counts as a member of its new cluster when the next iteration compares
///   labels; scikit-learn compares the labels before relocation. Both only matter when clusters
///   go empty.
/// - Explicit centres (centers_init) with n_init > 1 are an error, not a warning.
/// - The results do not depend on the number of threads (scikit-learn adds per-thread sums in
///   the order the threads finish).
///
/// Cost: one pass over X per iteration. The pass is fused: for each block of rows, the squared
/// distances to the k centres come from one GEMM tile of the pairwise engine (core/pairwise.hpp),
/// and the nearest centre, the distance and the weighted sums per cluster of that block are taken
/// from the tile while it is in cache. O(n k d) time and O(k d) memory per block of rows; blocks
/// run in parallel under OpenMP and their sums are added in block order. Sums are accumulated in
/// double, also for float data.
///
/// @code
/// alea::KMeans<> km({.n_clusters = 3, .seed = 7});
/// km.fit(X);                                        // X: n x d
/// const alea::MatrixX<double>& C = km.cluster_centers();  // 3 x d
/// auto labels = km.predict(Q);                      // nearest centre of each row of Q
/// @endcode

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "alea/core/checks.hpp"
#include "alea/core/concepts.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/json.hpp"
#include "alea/core/pairwise.hpp"
#include "alea/core/progress.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/core/types.hpp"

namespace alea {

/// How KMeans chooses its starting centres when KMeansSettings::centers_init is not given.
enum class KMeansInit {
  kmeans_plusplus,  ///< greedy k-means++ seeding (kmeans_plusplus), scikit-learn's default
  random,           ///< k distinct rows, drawn with probability proportional to their weight
};

/// "kmeans_plusplus" or "random".
inline std::string_view to_string(KMeansInit init) {
  return init == KMeansInit::random ? "random" : "kmeans_plusplus";
}

/// Settings of alea::KMeans (aggregate; fill with designated initialisers), with
/// scikit-learn's defaults except n_init.
struct KMeansSettings {
  /// Number of clusters k, 1 <= k <= n (and at most the number of rows of positive weight when
  /// the start is drawn).
  Index n_clusters = 8;
  /// How to draw the starting centres; ignored when centers_init is given.
  KMeansInit init = KMeansInit::kmeans_plusplus;
  /// Starting centres, k x d, finite. When given they are the start, and n_init must be 1.
  std::optional<MatrixX<double>> centers_init = {};
  /// Number of runs from different starts; the run of lowest inertia is kept. 1 is scikit-learn
  /// 1.4's n_init="auto" for k-means++; "auto" for random starts is 10.
  Index n_init = 1;
  /// Largest number of Lloyd iterations per run, >= 1.
  Index max_iter = 300;
  /// Relative tolerance, >= 0: a run stops when the total squared shift of the centres is at
  /// most tol times the mean variance of the columns of X (scikit-learn's _tolerance).
  double tol = 1e-4;
  /// Seed of the starts: run r draws from Rng{seed}.stream(r).
  std::uint64_t seed = 0;
  /// Called once per Lloyd iteration with (iteration, inertia of the points with respect to the
  /// centres that iteration assigned them to); returning false stops the run.
  ProgressCallback progress = {};
};

namespace detail {

/// The index i with cumulative[i - 1] <= u * total < cumulative[i] for a uniform u in [0, 1):
/// a draw with probability mass_i / total from the running sums of non-negative masses with a
/// positive total. An entry of mass 0 is never drawn.
template <RandomEngine G>
Index draw_from_cumulative(const std::vector<double>& cumulative, G& rng) {
  const double total = cumulative.back();
  const double target = uniform01<double>(rng) * total;
  auto it = std::upper_bound(cumulative.begin(), cumulative.end(), target);
  // u * total can round up to total: take the last entry of positive mass.
  if (it == cumulative.end()) it = std::lower_bound(cumulative.begin(), cumulative.end(), total);
  return Index(it - cumulative.begin());
}

/// Running sums of `mass`, n.
inline std::vector<double> running_sums(const VectorX<double>& mass) {
  std::vector<double> out(static_cast<std::size_t>(mass.size()));
  std::partial_sum(mass.begin(), mass.end(), out.begin());
  return out;
}

/// Throws unless k rows have positive weight: "n_clusters is 5, but only 3 rows of X have
/// positive weight".
inline void check_seed_rows(std::string_view function, std::string_view name, Index k,
                            const VectorX<double>& weights) {
  const Index positive = (weights.array() > 0).count();
  if (k > positive) {
    throw_invalid(function, std::string(name) + " is " + std::to_string(k) + ", but only " +
                                std::to_string(positive) + " rows of X have positive weight");
  }
}

/// k-means++ on checked input: X n x d, weights n (non-negative, >= k of them positive).
template <class T, RandomEngine G>
std::vector<Index> kmeans_plusplus_seeds(const MatrixRef<T>& X, const VectorX<double>& weights,
                                         Index k, G& rng) {
  const Index trials = 2 + static_cast<Index>(std::log(double(k)));
  std::vector<Index> seeds{draw_from_cumulative(running_sums(weights), rng)};
  VectorX<double> closest =
      pairwise_squared_distances<T>(X, X.row(seeds[0])).col(0).template cast<double>();
  // A seed is at distance 0 from itself; the GEMM distance may be a rounding error above 0.
  closest(seeds[0]) = 0;
  while (Index(seeds.size()) < k) {
    VectorX<double> mass = weights.cwiseProduct(closest);
    if (!(mass.sum() > 0)) {
      // Every row of positive weight coincides with a seed: draw the rest by weight alone,
      // among the rows not taken yet (they duplicate seeds, as the data do).
      mass = weights;
      for (const Index s : seeds)
        mass(s) = 0;
    }
    const std::vector<double> cumulative = running_sums(mass);
    std::vector<Index> candidates(static_cast<std::size_t>(trials));
    for (Index& c : candidates)
      c = draw_from_cumulative(cumulative, rng);
    const MatrixX<T> candidate_rows = X(candidates, Eigen::all);
    const MatrixX<T> distances = pairwise_squared_distances<T>(X, candidate_rows);
    // The candidate that lowers the potential sum_i w_i min(D_i^2, d_i^2) most (first on ties).
    Index best = 0;
    double best_potential = 0;
    for (Index t = 0; t < trials; ++t) {
      const double potential =
          weights.dot(closest.cwiseMin(distances.col(t).template cast<double>()));
      if (t == 0 || potential < best_potential) {
        best = t;
        best_potential = potential;
      }
    }
    const Index seed = candidates[std::size_t(best)];
    closest = closest.cwiseMin(distances.col(best).template cast<double>());
    closest(seed) = 0;
    seeds.push_back(seed);
  }
  return seeds;
}

/// k distinct rows drawn one after another with probability proportional to the weight of the
/// rows not drawn yet (numpy's choice(n, k, replace=False, p=w / sum w)).
template <RandomEngine G>
std::vector<Index> random_rows(const VectorX<double>& weights, Index k, G& rng) {
  VectorX<double> mass = weights;
  std::vector<Index> rows;
  while (Index(rows.size()) < k) {
    rows.push_back(draw_from_cumulative(running_sums(mass), rng));
    mass(rows.back()) = 0;
  }
  return rows;
}

/// One pass of Lloyd's algorithm over X (see the file comment): the nearest centre of each row,
/// its squared distance, and optionally the weight and the weighted sum of each cluster.
/// Members are kept between iterations so that their memory is reused.
template <class T>
struct LloydPass {
  Eigen::Matrix<Index, Eigen::Dynamic, 1> labels;  ///< n: nearest centre (ties: lowest index)
  VectorX<T> squared_distance;                     ///< n: squared distance to it
  VectorX<double> weight;                          ///< k: total weight of each cluster
  MatrixX<double> sums;                            ///< k x d: weighted sum of each cluster's rows
  double inertia = 0;                              ///< sum_i w_i squared_distance_i
  /// One column per block of rows: its inertia, then (accumulating) its k weights and its sums,
  /// d x k (column c: cluster c).
  MatrixX<double> partial;

  /// Assigns the rows of X (n x d) to `centers` (k x d), with weights w (n); with `accumulate`,
  /// also the clusters' weights and sums.
  void run(const MatrixRef<T>& X, const VectorX<T>& w, const MatrixRef<T>& centers,
           bool accumulate) {
    const PairwiseSettings tiles{.check_finite = false};  // fit() checked X once
    const Index n = X.rows();
    const Index d = X.cols();
    const Index k = centers.rows();
    labels.resize(n);
    squared_distance.resize(n);
    partial.resize(accumulate ? 1 + k + k * d : 1, (n + tiles.block_rows - 1) / tiles.block_rows);
    for_each_distance_tile<T>(
        X, centers,
        [&](Index i0, Index j0, const MatrixX<T>& D) {
          const Index rows = D.rows();
          auto best = squared_distance.segment(i0, rows);
          auto label = labels.segment(i0, rows);
          Index first = 0;
          if (j0 == 0) {  // the block's first tile
            best = D.col(0);
            label.setZero();
            first = 1;
          }
          // Column by column on contiguous memory, without branches (a data-dependent branch
          // here is mispredicted often enough to dominate the pass), so the compiler vectorises
          // it; strict < keeps the lowest index on ties, as scikit-learn.
          for (Index b = first; b < D.cols(); ++b) {
            const T* column = D.col(b).data();
            for (Index a = 0; a < rows; ++a) {
              const bool closer = column[a] < best(a);
              best(a) = closer ? column[a] : best(a);
              label(a) = closer ? j0 + b : label(a);
            }
          }
          if (j0 + D.cols() < k) return;  // more tiles of centres to come for these rows
          auto out = partial.col(i0 / tiles.block_rows);
          out.setZero();
          out(0) = w.segment(i0, rows).template cast<double>().dot(best.template cast<double>());
          if (!accumulate) return;
          // Each row is added to its cluster's column of a d x k buffer: one vector addition per
          // row (at these shapes twice as fast as a GEMM with a one-hot weight matrix, and
          // without the stalls of scalar additions into a k x d layout).
          auto cluster_weight = out.segment(1, k);
          Eigen::Map<MatrixX<double>> cluster_sums(out.data() + 1 + k, d, k);
          for (Index a = 0; a < rows; ++a) {
            const double weight_a = double(w(i0 + a));
            cluster_weight(label(a)) += weight_a;
            cluster_sums.col(label(a)) +=
                weight_a * X.row(i0 + a).transpose().template cast<double>();
          }
        },
        tiles, "alea::KMeans::fit");
    // Blocks in order: the same sums whatever thread computed each block.
    VectorX<double> total = VectorX<double>::Zero(partial.rows());
    for (Index b = 0; b < partial.cols(); ++b)
      total += partial.col(b);
    inertia = total(0);
    if (accumulate) {
      weight = total.segment(1, k);
      sums = Eigen::Map<const MatrixX<double>>(total.data() + 1 + k, d, k).transpose();
    }
  }

  /// scikit-learn's _relocate_empty_clusters on the pass's sums: each cluster of weight 0 takes
  /// the point farthest from its centre (farthest first, ties to the lower row), which leaves its
  /// own cluster; only points of positive weight and positive distance move. The moved points are
  /// relabelled. Returns the number of clusters relocated.
  Index relocate_empty_clusters(const MatrixRef<T>& X, const VectorX<T>& w) {
    std::vector<Index> empty;
    for (Index c = 0; c < weight.size(); ++c)
      if (!(weight(c) > 0)) empty.push_back(c);
    if (empty.empty()) return 0;
    std::vector<Index> far;
    for (Index i = 0; i < X.rows(); ++i)
      if (w(i) > T(0) && squared_distance(i) > T(0)) far.push_back(i);
    const auto count = std::min(empty.size(), far.size());
    std::partial_sort(far.begin(), far.begin() + std::ptrdiff_t(count), far.end(),
                      [&](Index a, Index b) {
                        return squared_distance(a) > squared_distance(b) ||
                               (squared_distance(a) == squared_distance(b) && a < b);
                      });
    for (std::size_t e = 0; e < count; ++e) {
      const Index i = far[e];
      const Index to = empty[e];
      const Index from = labels(i);
      const double wi = double(w(i));
      const RowVectorX<double> mass = X.row(i).template cast<double>() * wi;
      sums.row(from) -= mass;
      sums.row(to) = mass;
      weight(from) -= wi;
      weight(to) = wi;
      labels(i) = to;
    }
    return Index(count);
  }
};

/// sum_i w_i ||x_i - c_label(i)||^2 from the differences themselves (scikit-learn's
/// _inertia_dense), block by block: in parallel, the blocks' sums added in block order.
template <class T>
double kmeans_inertia(const MatrixRef<T>& X, const VectorX<T>& w, const MatrixX<T>& centers,
                      const Eigen::Matrix<Index, Eigen::Dynamic, 1>& labels) {
  constexpr Index block = 4096;
  const Index blocks = (X.rows() + block - 1) / block;
  std::vector<double> partial(static_cast<std::size_t>(blocks));
#if defined(_OPENMP)
#pragma omp parallel for schedule(static) if (blocks > 1)
#endif
  for (Index b = 0; b < blocks; ++b) {
    const Index i0 = b * block;
    const Index rows = std::min(block, X.rows() - i0);
    const VectorX<T> squared =
        (X.middleRows(i0, rows) - centers(labels.segment(i0, rows), Eigen::all))
            .rowwise()
            .squaredNorm();
    partial[std::size_t(b)] =
        squared.template cast<double>().dot(w.segment(i0, rows).template cast<double>());
  }
  return std::accumulate(partial.begin(), partial.end(), 0.0);
}

/// scikit-learn's _is_same_clustering: whether `a` maps onto `b` by a relabelling.
inline bool same_clustering(const Eigen::Matrix<Index, Eigen::Dynamic, 1>& a,
                            const Eigen::Matrix<Index, Eigen::Dynamic, 1>& b, Index k) {
  std::vector<Index> mapping(static_cast<std::size_t>(k), -1);
  for (Index i = 0; i < a.size(); ++i) {
    Index& image = mapping[std::size_t(a(i))];
    if (image == -1) image = b(i);
    if (image != b(i)) return false;
  }
  return true;
}

}  // namespace detail

/// Greedy k-means++ seeding (Arthur and Vassilvitskii 2007, with scikit-learn's 2 + floor(ln k)
/// local trials per centre): the first seed is a uniform row; each next one is the best of the
/// candidates drawn with probability proportional to D^2 (the squared distance to the nearest
/// seed so far), the one that lowers sum D^2 most. Rows already chosen have D = 0 and are never
/// drawn again, so the seeds are distinct rows (when every row coincides with a seed, the rest
/// are drawn uniformly among the rows not chosen).
/// @param X n x d data, finite. @param k number of seeds, 1 <= k <= n. @param rng the engine.
/// @return the k row indices of the seeds, in the order chosen.
/// @throws alea::InvalidArgument for empty or non-finite X, or k outside [1, n].
template <class T, RandomEngine G>
std::vector<Index> kmeans_plusplus(const MatrixRef<T>& X, Index k, G& rng) {
  constexpr std::string_view function = "alea::kmeans_plusplus";
  check_data(function, "X", X);
  check_positive(function, "k", k);
  const VectorX<double> weights = VectorX<double>::Ones(X.rows());
  detail::check_seed_rows(function, "k", k, weights);
  return detail::kmeans_plusplus_seeds<T>(X, weights, k, rng);
}

/// Weighted k-means++: the first seed with probability proportional to w, the candidates to
/// w D^2. Rows of weight 0 are never chosen.
/// @param sample_weight n weights, finite, non-negative, at least k of them positive.
/// @throws as the unweighted version, and for bad weights or fewer than k positive ones.
template <class T, RandomEngine G>
std::vector<Index> kmeans_plusplus(const MatrixRef<T>& X, const VectorRef<T>& sample_weight,
                                   Index k, G& rng) {
  constexpr std::string_view function = "alea::kmeans_plusplus";
  check_data(function, "X", X);
  check_positive(function, "k", k);
  check_weights(function, "sample_weight", sample_weight, X.rows());
  const VectorX<double> weights = sample_weight.template cast<double>();
  detail::check_seed_rows(function, "k", k, weights);
  return detail::kmeans_plusplus_seeds<T>(X, weights, k, rng);
}

/// @brief k-means clustering by Lloyd's algorithm, as scikit-learn 1.2's KMeans (see the file
/// comment for what matches and what differs).
///
/// Satisfies WeightedEstimator and Persistable. Default-constructed it is unfitted (dim() == 0);
/// predict, transform, score and the fitted attributes then throw alea::NotFittedError.
///
/// @tparam T float or double: the type of the data, centres and distances (sums are in double).
template <class T = double>
class KMeans {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "alea::KMeans: T must be float or double");

 public:
  using Scalar = T;
  using Labels = Eigen::Matrix<Index, Eigen::Dynamic, 1>;

  /// An unfitted model with the given settings.
  /// @throws alea::InvalidArgument unless n_clusters, n_init and max_iter are >= 1, tol is
  ///         finite and >= 0, and centers_init (if given) is finite with n_clusters rows and
  ///         n_init is 1 ("alea::KMeans::KMeans: max_iter is 0, but must be positive").
  explicit KMeans(const KMeansSettings& settings = {}) : settings_(settings) {
    constexpr std::string_view function = "alea::KMeans::KMeans";
    check_positive(function, "n_clusters", settings_.n_clusters);
    check_positive(function, "n_init", settings_.n_init);
    check_positive(function, "max_iter", settings_.max_iter);
    check_nonnegative(function, "tol", settings_.tol);
    if (settings_.centers_init) {
      const MatrixX<double>& centers = *settings_.centers_init;
      check_data(function, "centers_init", centers);
      if (centers.rows() != settings_.n_clusters)
        throw_invalid(function, "centers_init has " + std::to_string(centers.rows()) +
                                    " rows, but n_clusters is " +
                                    std::to_string(settings_.n_clusters));
      if (settings_.n_init != 1)
        throw_invalid(function, "n_init is " + std::to_string(settings_.n_init) +
                                    ", but must be 1 when centers_init is given");
    }
  }

  /// Clusters the rows of X, each with weight 1.
  /// @param X n x d data, finite, n >= n_clusters.
  /// @return *this.
  /// @throws alea::InvalidArgument for empty or non-finite X, n_clusters > n, or centers_init
  ///         without d columns ("alea::KMeans::fit: X has a NaN at row 17, column 2").
  KMeans& fit(const MatrixRef<T>& X) { return fit_impl(X, nullptr); }

  /// Weighted clustering: centres are weighted means and the inertia a weighted sum, so integer
  /// weights give the fit of the data with rows repeated.
  /// @param sample_weight n weights, finite, non-negative, not all 0 (and at least n_clusters
  ///        positive when the start is drawn).
  /// @throws as fit(X), and for bad weights.
  KMeans& fit(const MatrixRef<T>& X, const VectorRef<T>& sample_weight) {
    return fit_impl(X, &sample_weight);
  }

  /// The nearest centre of each row of X (ties: the lowest index).
  /// @param X m x d, finite. @return m labels in [0, k).
  /// @throws alea::NotFittedError before fit(); alea::InvalidArgument for empty or non-finite X
  ///         or X without d columns.
  Labels predict(const MatrixRef<T>& X) const {
    check_query(X, "alea::KMeans::predict");
    return nearest_neighbor<T>(X, centers_).index;
  }

  /// Euclidean distances of the rows of X to the centres (scikit-learn's transform).
  /// @param X m x d, finite. @return m x k.
  /// @throws as predict.
  MatrixX<T> transform(const MatrixRef<T>& X) const {
    check_query(X, "alea::KMeans::transform");
    return pairwise_squared_distances<T>(X, centers_).cwiseSqrt();
  }

  /// Minus the inertia of X: -sum_i ||x_i - c_l(i)||^2 over its rows, l(i) the nearest centre
  /// (scikit-learn's score, unweighted). score(X) of the training data is -inertia() for an
  /// unweighted fit whose labels match its centres.
  /// @throws as predict.
  T score(const MatrixRef<T>& X) const {
    check_query(X, "alea::KMeans::score");
    return T(-detail::kmeans_inertia<T>(X, VectorX<T>::Ones(X.rows()), centers_,
                                        nearest_neighbor<T>(X, centers_).index));
  }

  /// The centres, k x d.
  [[nodiscard]] const MatrixX<T>& cluster_centers() const {
    return checked(centers_, "cluster_centers");
  }
  /// The label of each training row, n (for the final centres, but see status()).
  [[nodiscard]] const Labels& labels() const { return checked(labels_, "labels"); }
  /// sum_i w_i ||x_i - c_l(i)||^2 over the training data, with the final centres and labels.
  [[nodiscard]] T inertia() const { return checked(inertia_, "inertia"); }
  /// Lloyd iterations of the kept run (0 before fitting).
  [[nodiscard]] Index n_iter() const { return status_.iterations; }
  /// Whether the kept run met a stopping criterion (strict or tol) before max_iter.
  [[nodiscard]] bool converged() const { return status_.converged; }
  /// The kept run: iterations, converged, stopped_early (the progress callback), history (the
  /// inertia each iteration's assignment reached) and notes (relocated clusters).
  [[nodiscard]] const FitStatus& status() const { return status_; }
  /// Dimension d (0 before fitting).
  [[nodiscard]] Index dim() const { return centers_.cols(); }
  [[nodiscard]] Index n_clusters() const { return settings_.n_clusters; }
  [[nodiscard]] bool fitted() const { return centers_.size() > 0; }
  [[nodiscard]] const KMeansSettings& settings() const { return settings_; }

  static std::string model_name() { return model_type_name<T>("alea::KMeans"); }
  static int model_version() { return 1; }

  /// The settings (without the callback), centres, labels, inertia, n_iter and converged;
  /// status().history and notes are not saved.
  nlohmann::json to_json() const {
    check_fitted("alea::save", fitted());
    return {{"n_clusters", settings_.n_clusters},
            {"init", to_string(settings_.init)},
            {"centers_init", settings_.centers_init ? json::encode_matrix(*settings_.centers_init)
                                                    : nlohmann::json(nullptr)},
            {"n_init", settings_.n_init},
            {"max_iter", settings_.max_iter},
            {"tol", json::encode(settings_.tol)},
            {"seed", settings_.seed},
            {"cluster_centers", json::encode_matrix(centers_)},
            {"labels", std::vector<Index>(labels_.begin(), labels_.end())},
            {"inertia", json::encode(inertia_)},
            {"n_iter", status_.iterations},
            {"converged", status_.converged},
            {"stopped_early", status_.stopped_early}};
  }

  /// Rebuilds a model written by to_json(), validating it.
  /// @throws alea::FormatError (through alea::load) for missing or malformed fields;
  ///         alea::InvalidArgument for invalid settings or non-finite centres.
  static KMeans from_json(const nlohmann::json& j) {
    const std::string init = json::read_string(j, "init");
    if (init != "kmeans_plusplus" && init != "random")
      json::format_error("field 'init' is not a KMeansInit: '" + init + "'");
    const nlohmann::json& seed = json::member(j, "seed");
    if (!seed.is_number_unsigned()) json::format_error("field 'seed' is not an unsigned integer");
    KMeansSettings settings{
        .n_clusters = Index(json::read_integer(j, "n_clusters")),
        .init = init == "random" ? KMeansInit::random : KMeansInit::kmeans_plusplus,
        .n_init = Index(json::read_integer(j, "n_init")),
        .max_iter = Index(json::read_integer(j, "max_iter")),
        .tol = json::read_scalar<double>(j, "tol"),
        .seed = seed.get<std::uint64_t>()};
    if (const nlohmann::json& start = json::member(j, "centers_init"); !start.is_null())
      settings.centers_init = json::decode_matrix<double>(start, "centers_init");
    KMeans model(settings);
    constexpr std::string_view function = "alea::load";
    MatrixX<T> centers = json::read_matrix<T>(j, "cluster_centers");
    check_data(function, "cluster_centers", centers);
    if (centers.rows() != settings.n_clusters)
      json::format_error("field 'cluster_centers' has " + std::to_string(centers.rows()) +
                         " rows, but n_clusters is " + std::to_string(settings.n_clusters));
    const nlohmann::json& labels = json::member(j, "labels");
    if (!labels.is_array()) json::format_error("field 'labels' is not an array");
    Labels decoded(Index(labels.size()));
    for (Index i = 0; i < decoded.size(); ++i) {
      const nlohmann::json& label = labels[std::size_t(i)];
      if (!label.is_number_integer() || label.get<long long>() < 0 ||
          label.get<long long>() >= settings.n_clusters)
        json::format_error("field 'labels' has an entry that is not a cluster index at index " +
                           std::to_string(i));
      decoded(i) = Index(label.get<long long>());
    }
    const T inertia = json::read_scalar<T>(j, "inertia");
    check_nonnegative(function, "inertia", inertia);
    const long long iterations = json::read_integer(j, "n_iter");
    if (iterations < 1 || iterations > settings.max_iter)
      json::format_error("field 'n_iter' is " + std::to_string(iterations) +
                         ", outside [1, max_iter]");
    model.centers_ = std::move(centers);
    model.labels_ = std::move(decoded);
    model.inertia_ = inertia;
    model.status_.iterations = Index(iterations);
    model.status_.converged = read_flag(j, "converged");
    model.status_.stopped_early = read_flag(j, "stopped_early");
    return model;
  }

 private:
  /// One run of Lloyd's algorithm.
  struct Run {
    MatrixX<T> centers;
    Labels labels;
    double inertia = 0;
    FitStatus status;
  };

  static bool read_flag(const nlohmann::json& j, std::string_view field) {
    const nlohmann::json& value = json::member(j, field);
    if (!value.is_boolean()) json::format_error("field '" + std::string(field) + "' is not a bool");
    return value.get<bool>();
  }

  template <class V>
  const V& checked(const V& value, const char* what) const {
    if (!fitted()) check_fitted(std::string("alea::KMeans::") + what, false);
    return value;
  }

  void check_query(const MatrixRef<T>& X, std::string_view function) const {
    check_fitted(function, fitted());
    check_data(function, "X", X);
    check_cols(function, "X", X, dim());
  }

  KMeans& fit_impl(const MatrixRef<T>& X, const VectorRef<T>* sample_weight) {
    constexpr std::string_view function = "alea::KMeans::fit";
    check_data(function, "X", X);
    const Index n = X.rows();
    const Index k = settings_.n_clusters;
    VectorX<T> w = VectorX<T>::Ones(n);
    if (sample_weight != nullptr) {
      check_weights(function, "sample_weight", *sample_weight, n);
      w = *sample_weight;
    }
    if (k > n)
      throw_invalid(function, "n_clusters is " + std::to_string(k) + ", but X has only " +
                                  std::to_string(n) + " rows");
    if (settings_.centers_init) {
      check_cols(function, "centers_init", *settings_.centers_init, X.cols(), "X has");
    } else {
      detail::check_seed_rows(function, "n_clusters", k, w.template cast<double>());
    }
    const double tolerance = settings_.tol == 0 ? 0.0 : settings_.tol * mean_variance(X);
    const Rng rng{settings_.seed};
    std::optional<Run> best;
    for (Index r = 0; r < settings_.n_init; ++r) {
      Rng stream = rng.stream(std::uint64_t(r));
      Run run = lloyd(X, w, initial_centers(X, w, stream), tolerance);
      // scikit-learn's rule: a lower inertia with the same clustering is only rounding.
      if (!best ||
          (run.inertia < best->inertia && !detail::same_clustering(run.labels, best->labels, k)))
        best = std::move(run);
    }
    centers_ = std::move(best->centers);
    labels_ = std::move(best->labels);
    inertia_ = T(best->inertia);
    status_ = std::move(best->status);
    return *this;
  }

  /// The mean of the (unweighted, ddof 0) variances of the columns of X, which scikit-learn's
  /// _tolerance scales tol by.
  static double mean_variance(const MatrixRef<T>& X) {
    const RowVectorX<double> mean = X.template cast<double>().colwise().mean();
    return ((X.template cast<double>().rowwise() - mean).colwise().squaredNorm().array() /
            double(X.rows()))
        .mean();
  }

  template <RandomEngine G>
  MatrixX<T> initial_centers(const MatrixRef<T>& X, const VectorX<T>& w, G& rng) const {
    if (settings_.centers_init) return settings_.centers_init->template cast<T>();
    const VectorX<double> weights = w.template cast<double>();
    const std::vector<Index> rows =
        settings_.init == KMeansInit::kmeans_plusplus
            ? detail::kmeans_plusplus_seeds<T>(X, weights, settings_.n_clusters, rng)
            : detail::random_rows(weights, settings_.n_clusters, rng);
    return X(rows, Eigen::all);
  }

  /// Lloyd's iterations from `centers` (k x d) until strict convergence, a centre shift within
  /// `tolerance` (absolute), max_iter or the callback (scikit-learn's _kmeans_single_lloyd).
  Run lloyd(const MatrixRef<T>& X, const VectorX<T>& w, MatrixX<T> centers,
            double tolerance) const {
    detail::LloydPass<T> pass;
    Labels previous = Labels::Constant(X.rows(), -1);
    Run run;
    bool unchanged = false;
    for (Index iteration = 1; iteration <= settings_.max_iter; ++iteration) {
      pass.run(X, w, centers, true);
      const Index relocated = pass.relocate_empty_clusters(X, w);
      MatrixX<T> next = centers;  // a cluster still empty keeps its centre
      for (Index c = 0; c < centers.rows(); ++c)
        if (pass.weight(c) > 0)
          next.row(c) = (pass.sums.row(c) / pass.weight(c)).template cast<T>();
      const double shift = (next - centers).template cast<double>().squaredNorm();
      centers = std::move(next);
      run.status.iterations = iteration;
      run.status.history.push_back(pass.inertia);
      if (relocated > 0)
        run.status.notes.push_back("iteration " + std::to_string(iteration) + ": relocated " +
                                   std::to_string(relocated) +
                                   " empty cluster(s) to the points farthest from their centres");
      unchanged = relocated == 0 && pass.labels == previous;
      const bool go_on = report_progress(settings_.progress, iteration, pass.inertia);
      if (unchanged || shift <= tolerance) {
        run.status.converged = true;
        break;
      }
      if (!go_on) {
        run.status.stopped_early = true;
        break;
      }
      std::swap(previous, pass.labels);
    }
    // Strictly converged, the labels are those of the centres already; else assign once more.
    if (!unchanged) pass.run(X, w, centers, false);
    run.inertia = detail::kmeans_inertia<T>(X, w, centers, pass.labels);
    run.labels = std::move(pass.labels);
    run.centers = std::move(centers);
    return run;
  }

  KMeansSettings settings_{};
  MatrixX<T> centers_;  // k x d
  Labels labels_;       // n
  T inertia_ = 0;
  FitStatus status_{};
};

static_assert(WeightedEstimator<KMeans<double>> && WeightedEstimator<KMeans<float>>);
static_assert(Persistable<KMeans<double>> && Persistable<KMeans<float>>);

}  // namespace alea
