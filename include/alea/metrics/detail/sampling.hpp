#pragma once
/// @file
/// @brief Random subsets and permutations of row indices for the metrics' resampling: KID's
/// subsets, the Inception Score's shuffle, the permutations of the kernel two-sample test.

#include <numeric>
#include <utility>
#include <vector>

#include "alea/core/random.hpp"
#include "alea/core/types.hpp"

namespace alea::metrics::detail {

/// Moves a uniformly random k-subset of `indices`, in uniformly random order, to its front: the
/// first k steps of a Fisher-Yates shuffle (Knuth, TAOCP vol. 2, Algorithm 3.4.2P), one
/// uniform_index draw each. Whatever the order `indices` starts in, the front is uniform, so a
/// caller may reuse the vector from one subset to the next.
template <RandomEngine G>
void shuffle_front(std::vector<Index>& indices, Index k, G& rng) {
  const auto n = Index(indices.size());
  for (Index i = 0; i < k; ++i) {
    const Index j = i + uniform_index(rng, n - i);
    std::swap(indices[std::size_t(i)], indices[std::size_t(j)]);
  }
}

/// 0, 1, ..., n - 1.
inline std::vector<Index> identity_indices(Index n) {
  std::vector<Index> out(static_cast<std::size_t>(n));
  std::iota(out.begin(), out.end(), Index(0));
  return out;
}

/// The rows of X (n x d) listed in `rows`, in that order.
template <class T, class Rows>
MatrixX<T> gather_rows(const MatrixRef<T>& X, const Rows& rows, Index count) {
  MatrixX<T> out(count, X.cols());
  for (Index i = 0; i < count; ++i)
    out.row(i) = X.row(Index(rows[std::size_t(i)]));
  return out;
}

}  // namespace alea::metrics::detail
