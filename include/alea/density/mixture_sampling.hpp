#pragma once
/// @file
/// @brief Draws from a mixture of Gaussians in blocks: the component of each draw by inverse
/// CDF on the cumulative weights, then per component one GEMM x = mu + L z on that block's
/// standard normals (grouped by component), gathered back to the draws' random order.
/// (scikit-learn returns draws grouped by component, so its first rows all come from
/// component 0.)
///
/// Blocks are independent streams keyed by two words drawn from the caller's engine, so the
/// result depends on the engine's state only, not on the number of threads.

#include <Eigen/Core>
#include <algorithm>
#include <utility>
#include <vector>

#include "alea/core/parallel.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/core/types.hpp"
#include "alea/density/gaussian_components.hpp"

namespace alea::detail {

template <class T, RandomEngine G>
std::pair<MatrixX<T>, Eigen::Matrix<Index, Eigen::Dynamic, 1>> sample_mixture(
    const VectorX<T>& weights, const GaussianComponents<T>& components, Index n, G& rng) {
  constexpr Index block_rows = 4096;
  const Index k = components.components();
  const Index d = components.dim();
  std::vector<MatrixX<T>> factors;  // L_j^T, so that a row block Z maps to Z L_j^T
  for (Index j = 0; j < k; ++j)
    factors.push_back(components.covariance_cholesky(j).transpose());
  VectorX<double> cumulative(k);
  double total = 0;
  for (Index j = 0; j < k; ++j)
    cumulative(j) = total += double(weights(j));
  cumulative /= total;
  const std::uint64_t key = rng();
  const Rng blocks_rng = Rng{key}.stream(rng());

  MatrixX<T> out(n, d);
  Eigen::Matrix<Index, Eigen::Dynamic, 1> labels(n);
  const Index blocks = (n + block_rows - 1) / block_rows;
#if defined(_OPENMP)
#pragma omp parallel for schedule( \
    dynamic) if (blocks > 1 && worth_threads(double(n) * double(d) * double(d + 4)))
#endif
  for (Index b = 0; b < blocks; ++b) {
    Rng block_rng = blocks_rng.stream(std::uint64_t(b));
    const Index i0 = b * block_rows;
    const Index rows = std::min(block_rows, n - i0);
    // Components: the number of cumulative weights at or below u (a vectorised count for small
    // k, binary search otherwise).
    Eigen::ArrayXd u(rows);
    fill_uniform01(block_rng, u);
    auto block_labels = labels.segment(i0, rows).array();
    if (k <= 64) {
      block_labels.setZero();
      for (Index j = 0; j + 1 < k; ++j)
        block_labels += (u >= cumulative(j)).template cast<Index>();
    } else {
      for (Index i = 0; i < rows; ++i) {
        block_labels(i) = std::min<Index>(
            k - 1,
            std::upper_bound(cumulative.data(), cumulative.data() + k, u(i)) - cumulative.data());
      }
    }
    // Rows of the block grouped by component (counting sort): component j owns rows
    // [start_j, start_j + count_j) of y, and draw i sits at position(i).
    std::vector<Index> start(std::size_t(k) + 1, 0);
    for (Index i = 0; i < rows; ++i)
      ++start[std::size_t(block_labels(i)) + 1];
    for (Index j = 0; j < k; ++j)
      start[std::size_t(j) + 1] += start[std::size_t(j)];
    std::vector<Index> next(start.begin(), start.end() - 1);
    Eigen::Matrix<Index, Eigen::Dynamic, 1> position(rows);
    for (Index i = 0; i < rows; ++i)
      position(i) = next[std::size_t(block_labels(i))]++;
    MatrixX<T> z(rows, d), y(rows, d);
    fill_standard_normal(block_rng, z);
    for (Index j = 0; j < k; ++j) {
      const Index first = start[std::size_t(j)];
      const Index m = start[std::size_t(j) + 1] - first;
      if (m == 0) continue;
      y.middleRows(first, m).noalias() = z.middleRows(first, m) * factors[j];
      y.middleRows(first, m).rowwise() += components.means().row(j);
    }
    for (Index c = 0; c < d; ++c)
      out.col(c).segment(i0, rows) = y.col(c)(position);
  }
  return {std::move(out), std::move(labels)};
}

}  // namespace alea::detail
