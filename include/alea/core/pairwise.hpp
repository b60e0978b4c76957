#pragma once
/// @file
/// @brief The pairwise engine: blocked squared Euclidean distances between two sets of rows,
/// with row-wise reductions (nearest neighbour, log-sum-exp of a kernel profile).
///
/// Squared distances come from one GEMM per tile, ||x||^2 + ||y||^2 - 2 x.y, on data centred
/// at the mean of Y: centring removes the common offset whose square would otherwise swamp the
/// differences (catastrophic cancellation), and the result is clamped at 0. Work goes tile by
/// tile (block_rows x block_cols), so memory is O(block) whatever n and m are; with OpenMP,
/// row blocks run on different threads and each row block's tiles are visited in order, so
/// results do not depend on the number of threads. KDE, MMD, k-means and the GMM E-step are
/// built on this.
///
/// Accuracy: the distance of two rows is exact to about eps * (||x - c||^2 + ||y - c||^2)
/// absolute, where c is the centre; rows very far from the centre relative to their distance
/// lose digits, most visibly in float.

#include <Eigen/Core>
#include <cmath>
#include <limits>
#include <string_view>

#include "alea/core/checks.hpp"
#include "alea/core/parallel.hpp"
#include "alea/core/types.hpp"

namespace alea {

/// Tile sizes of the pairwise engine. Defaults keep a tile (and the GEMM panels) within the
/// L2 cache for d up to a few hundred.
struct PairwiseSettings {
  Index block_rows = 256;   ///< rows of X per tile
  Index block_cols = 1024;  ///< rows of Y per tile
  /// false skips the scan of X and Y for NaN and Inf (shapes are still checked): for callers
  /// that checked their data once and then call the engine every iteration (k-means).
  bool check_finite = true;
};

namespace detail {

/// Y centred at its mean, with the squared norms of its centred rows: what every tile of
/// distances to Y needs. Construction checks X, Y and the settings.
template <class T>
struct CentredReference {
  RowVectorX<T> centre;  ///< mean of Y, 1 x d
  MatrixX<T> rows;       ///< Y - centre, m x d
  VectorX<T> norms;      ///< squared norms of the centred rows, m
  Index row_blocks;      ///< blocks of X rows
  bool threads;          ///< whether the row blocks are worth OpenMP threads

  CentredReference(std::string_view function, const MatrixRef<T>& X, const MatrixRef<T>& Y,
                   const PairwiseSettings& settings) {
    check_positive(function, "block_rows", settings.block_rows);
    check_positive(function, "block_cols", settings.block_cols);
    if (settings.check_finite) {
      check_data(function, "X", X);
      check_data(function, "Y", Y);
    } else {
      check_not_empty(function, "X", X);
      check_not_empty(function, "Y", Y);
    }
    check_cols(function, "Y", Y, X.cols(), "X has");
    centre = Y.colwise().mean();
    rows = Y.rowwise() - centre;
    norms = rows.rowwise().squaredNorm();
    row_blocks = (X.rows() + settings.block_rows - 1) / settings.block_rows;
    threads =
        row_blocks > 1 && worth_threads(double(X.rows()) * double(Y.rows()) * double(X.cols() + 2));
  }
};

}  // namespace detail

/// Calls `tile(i0, j0, D)` for every tile of squared distances, where D (an Eigen matrix of
/// rows i0.. of X by rows j0.. of Y) holds ||X.row(i0 + a) - Y.row(j0 + b)||^2 at (a, b).
/// @param X n x d, rows are points. @param Y m x d.
/// @param tile callable `(Index i0, Index j0, const MatrixX<T>& D)`; with OpenMP it is called
///        concurrently for different row blocks, so it may write only to rows [i0, i0 + D.rows())
///        of shared outputs. Within a row block, tiles come in increasing j0.
/// @throws alea::InvalidArgument for empty or non-finite data or mismatched columns.
template <class T, class TileFunction>
void for_each_distance_tile(const MatrixRef<T>& X, const MatrixRef<T>& Y, TileFunction&& tile,
                            const PairwiseSettings& settings = {},
                            std::string_view function = "alea::for_each_distance_tile") {
  const detail::CentredReference<T> reference(function, X, Y, settings);
  const Index n = X.rows();
  const Index m = Y.rows();
  const RowVectorX<T>& centre = reference.centre;
  const MatrixX<T>& Yc = reference.rows;
  const VectorX<T>& y_norms = reference.norms;
  const Index row_blocks = reference.row_blocks;

#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic) if (reference.threads)
#endif
  for (Index block = 0; block < row_blocks; ++block) {
    const Index i0 = block * settings.block_rows;
    const Index rows = std::min(settings.block_rows, n - i0);
    const MatrixX<T> Xc = X.middleRows(i0, rows).rowwise() - centre;
    const VectorX<T> x_norms = Xc.rowwise().squaredNorm();
    MatrixX<T> D;
    for (Index j0 = 0; j0 < m; j0 += settings.block_cols) {
      const Index cols = std::min(settings.block_cols, m - j0);
      D.noalias() = T(-2) * Xc * Yc.middleRows(j0, cols).transpose();
      D.colwise() += x_norms;
      D.rowwise() += y_norms.segment(j0, cols).transpose();
      D = D.cwiseMax(T(0));
      tile(i0, j0, static_cast<const MatrixX<T>&>(D));
    }
  }
}

/// All squared distances, n x m. Memory O(n m): for large sets reduce tile by tile instead.
template <class T>
MatrixX<T> pairwise_squared_distances(const MatrixRef<T>& X, const MatrixRef<T>& Y,
                                      const PairwiseSettings& settings = {}) {
  MatrixX<T> out(X.rows(), Y.rows());
  for_each_distance_tile<T>(
      X, Y,
      [&](Index i0, Index j0, const MatrixX<T>& D) { out.block(i0, j0, D.rows(), D.cols()) = D; },
      settings, "alea::pairwise_squared_distances");
  return out;
}

/// Index and squared distance of each X row's nearest row of Y (ties: the lowest index).
template <class T>
struct NearestNeighbor {
  Eigen::Matrix<Index, Eigen::Dynamic, 1> index;  ///< n
  VectorX<T> squared_distance;                    ///< n
};

/// For each row of X (n x d), its nearest row of Y (m x d), in O(block) extra memory.
template <class T>
NearestNeighbor<T> nearest_neighbor(const MatrixRef<T>& X, const MatrixRef<T>& Y,
                                    const PairwiseSettings& settings = {}) {
  NearestNeighbor<T> out;
  out.index.setZero(X.rows());
  out.squared_distance.setConstant(X.rows(), std::numeric_limits<T>::infinity());
  for_each_distance_tile<T>(
      X, Y,
      [&](Index i0, Index j0, const MatrixX<T>& D) {
        for (Index a = 0; a < D.rows(); ++a) {
          Index b;
          const T best = D.row(a).minCoeff(&b);
          if (best < out.squared_distance(i0 + a)) {
            out.squared_distance(i0 + a) = best;
            out.index(i0 + a) = j0 + b;
          }
        }
      },
      settings, "alea::nearest_neighbor");
  return out;
}

/// Row-wise log sum_j exp(profile(D_ij) + log_weights_j) over all rows j of Y, streamed tile by
/// tile with a running maximum (the one-pass log-sum-exp), so that points far from Y keep a
/// finite, accurate value instead of underflowing to -Inf.
/// @param profile maps an array of squared distances to log kernel values, elementwise and
///        vectorisable, e.g. `[&](const auto& d2) { return -0.5 * d2 / (h * h); }`.
/// @param log_weights m log weights (for uniform weights pass -log(m) for each).
/// @return n values.
template <class T, class Profile>
VectorX<T> rowwise_log_sum_exp_kernel(const MatrixRef<T>& X, const MatrixRef<T>& Y,
                                      Profile&& profile, const VectorRef<T>& log_weights,
                                      const PairwiseSettings& settings = {}) {
  constexpr std::string_view function = "alea::rowwise_log_sum_exp_kernel";
  const detail::CentredReference<T> reference(function, X, Y, settings);
  check_entries_per_row(function, "log_weights", log_weights, Y.rows(), "Y");
  using Array = Eigen::Array<T, Eigen::Dynamic, 1>;
  constexpr T negative_infinity = -std::numeric_limits<T>::infinity();
  const Index n = X.rows();
  const Index m = Y.rows();
  const RowVectorX<T>& centre = reference.centre;
  const MatrixX<T>& Yc = reference.rows;
  const auto y_norms = reference.norms.array();
  const Index row_blocks = reference.row_blocks;
  VectorX<T> out(n);
  // Tiles are computed transposed (rows of Y by rows of X), so that each query's terms form one
  // contiguous column: max, exp and sum then run on contiguous memory with Eigen's vectorised
  // functions. Same distances as for_each_distance_tile (centred GEMM, clamped at 0).
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic) if (reference.threads)
#endif
  for (Index block = 0; block < row_blocks; ++block) {
    const Index i0 = block * settings.block_rows;
    const Index rows = std::min(settings.block_rows, n - i0);
    const MatrixX<T> Xc = X.middleRows(i0, rows).rowwise() - centre;
    const Array x_norms = Xc.rowwise().squaredNorm().array();
    Array running_max = Array::Constant(rows, negative_infinity);
    Array running_sum = Array::Zero(rows);
    MatrixX<T> tile;
    for (Index j0 = 0; j0 < m; j0 += settings.block_cols) {
      const Index cols = std::min(settings.block_cols, m - j0);
      tile.noalias() = T(-2) * Yc.middleRows(j0, cols) * Xc.transpose();
      const auto y = y_norms.segment(j0, cols);
      const auto w = log_weights.segment(j0, cols).array();
      for (Index a = 0; a < rows; ++a) {
        auto t = tile.col(a).array();
        t = (t + y + x_norms(a)).max(T(0));
        t = profile(t) + w;
        const T new_max = std::max(running_max(a), t.maxCoeff());
        if (new_max == negative_infinity) continue;  // every term so far is exp(-Inf) = 0
        const T rescale =
            running_max(a) == negative_infinity ? T(0) : std::exp(running_max(a) - new_max);
        running_sum(a) = running_sum(a) * rescale + (t - new_max).exp().sum();
        running_max(a) = new_max;
      }
    }
    out.segment(i0, rows) = (running_max + running_sum.log()).matrix();
  }
  return out;
}

}  // namespace alea
