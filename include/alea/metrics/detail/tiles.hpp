#pragma once
/// @file
/// @brief Tile walkers of the metrics module on top of the pairwise engine: the upper triangle of
/// a set's distances to itself, and blocked inner products.
///
/// The pairwise engine (core/pairwise.hpp) visits every tile of an n x m distance matrix. Sums
/// over the pairs of one set (MMD's K_xx, the median heuristic) need each pair once: the upper
/// triangle walker calls the engine once per row block, against the rows from that block on, so
/// it does half the work. Row blocks run on OpenMP threads; every tile gets the index of its row
/// block, so that callers can keep one partial result per block and add them in block order:
/// the results then do not depend on the number of threads.
///
/// The polynomial kernel needs inner products x.y rather than distances; the product walker
/// computes them tile by tile with one GEMM each, with the same blocking and threading.

#include <Eigen/Core>
#include <algorithm>
#include <string_view>

#include "alea/core/checks.hpp"
#include "alea/core/pairwise.hpp"
#include "alea/core/parallel.hpp"
#include "alea/core/types.hpp"

namespace alea::metrics::detail {

/// Row blocks of n rows under `settings`.
inline Index row_block_count(Index n, const PairwiseSettings& settings) {
  return (n + settings.block_rows - 1) / settings.block_rows;
}

/// Calls `tile(block, i0, j0, D)` for the tiles of squared distances between rows of X (n x d)
/// that cover every pair i < j at least once: row block `block` (rows i0..) against rows i0..n-1.
/// D(a, b) = ||X.row(i0 + a) - X.row(j0 + b)||^2; entries with j0 + b <= i0 + a (the diagonal
/// and below) also appear in the tiles that straddle the diagonal, and the caller skips them
/// (see for_each_upper_entry). Tiles of one block come in increasing j0; blocks run concurrently.
/// @throws alea::InvalidArgument for empty or non-finite X (when settings.check_finite).
template <class T, class Tile>
void for_each_upper_distance_tile(const MatrixRef<T>& X, Tile&& tile,
                                  const PairwiseSettings& settings, std::string_view function) {
  check_positive(function, "block_rows", settings.block_rows);
  check_positive(function, "block_cols", settings.block_cols);
  if (settings.check_finite) {
    check_data(function, "X", X);
  } else {
    check_not_empty(function, "X", X);
  }
  const Index n = X.rows();
  const Index blocks = row_block_count(n, settings);
  PairwiseSettings inner = settings;
  inner.check_finite = false;  // checked once above, not once per block
  [[maybe_unused]] const bool threads =
      blocks > 1 && alea::detail::worth_threads(0.5 * double(n) * double(n) * double(X.cols() + 2));
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic) if (threads)
#endif
  for (Index block = 0; block < blocks; ++block) {
    const Index i0 = block * settings.block_rows;
    const Index rows = std::min(settings.block_rows, n - i0);
    // One row block: the engine runs it on this thread, against the suffix centred at its mean.
    for_each_distance_tile<T>(
        X.middleRows(i0, rows), X.bottomRows(n - i0),
        [&](Index, Index j0, const MatrixX<T>& D) { tile(block, i0, i0 + j0, D); }, inner,
        function);
  }
}

/// Calls `visit(column, first_rows)` for each column b of a tile at (i0, j0) of
/// for_each_upper_distance_tile, where the rows a < first_rows of that column are the pairs
/// i0 + a < j0 + b (the strict upper triangle).
template <class Visit>
void for_each_upper_column(Index i0, Index j0, Index rows, Index cols, Visit&& visit) {
  for (Index b = 0; b < cols; ++b) {
    const Index above = std::clamp<Index>(j0 + b - i0, 0, rows);
    if (above > 0) visit(b, above);
  }
}

/// Calls `tile(block, i0, j0, G)` with G(a, b) = X.row(i0 + a) . Y.row(j0 + b), over all tiles
/// (upper = false) or, for X with itself (pass Y = X), over the tiles with j0 + cols > i0 that
/// cover the pairs i < j (upper = true). Same blocking, ordering and threading as above. The
/// caller checks the data.
template <class T, class Tile>
void for_each_product_tile(const MatrixRef<T>& X, const MatrixRef<T>& Y, bool upper, Tile&& tile,
                           const PairwiseSettings& settings) {
  const Index n = X.rows();
  const Index m = Y.rows();
  const Index blocks = row_block_count(n, settings);
  const double pairs = upper ? 0.5 * double(n) * double(m) : double(n) * double(m);
  [[maybe_unused]] const bool threads =
      blocks > 1 && alea::detail::worth_threads(pairs * double(X.cols()));
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic) if (threads)
#endif
  for (Index block = 0; block < blocks; ++block) {
    const Index i0 = block * settings.block_rows;
    const Index rows = std::min(settings.block_rows, n - i0);
    MatrixX<T> G;
    for (Index j0 = upper ? i0 : 0; j0 < m; j0 += settings.block_cols) {
      const Index cols = std::min(settings.block_cols, m - j0);
      G.noalias() = X.middleRows(i0, rows) * Y.middleRows(j0, cols).transpose();
      tile(block, i0, j0, static_cast<const MatrixX<T>&>(G));
    }
  }
}

}  // namespace alea::metrics::detail
