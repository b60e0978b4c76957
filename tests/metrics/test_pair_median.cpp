// pair_squared_distance_order_statistic (metrics/detail/pair_median.hpp) on its own: the rank-th
// smallest of the N (N - 1) / 2 pairwise squared distances, against sorting all of them computed
// directly here as sum_j (z_ij - z_kj)^2.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "alea/core/pairwise.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/metrics/detail/pair_median.hpp"

using alea::Index;
using alea::MatrixX;
using alea::PairwiseSettings;
using alea::metrics::detail::pair_squared_distance_order_statistic;

namespace {

/// All pairwise squared distances i < j of the rows of Z, sorted, computed in double.
template <class T>
std::vector<double> sorted_pair_distances(const MatrixX<T>& Z) {
  std::vector<double> out;
  for (Index i = 0; i < Z.rows(); ++i) {
    for (Index j = i + 1; j < Z.rows(); ++j) {
      double sum = 0;
      for (Index c = 0; c < Z.cols(); ++c) {
        const double gap = double(Z(i, c)) - double(Z(j, c));
        sum += gap * gap;
      }
      out.push_back(sum);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// Ranks to test among P pairs: the first, the lower and upper medians, the last, and others.
std::vector<std::uint64_t> ranks_of(std::uint64_t pairs) {
  std::vector<std::uint64_t> out = {0,         (pairs - 1) / 2, pairs / 2,
                                    pairs - 1, pairs / 10,      pairs - 1 - pairs / 7};
  return out;
}

/// Integer-valued rows in +-pairs (rows 2i and 2i + 1 are h_i and -h_i), so that every suffix
/// from an even row has column means exactly 0: the engine centres each row block's suffix at
/// its mean, and with even block sizes every squared distance, whether computed directly or by
/// the engine's expansion |a|^2 + |b|^2 - 2 a.b, is then a small integer, exact in float and
/// double alike. The last `repeated` h_i repeat the first ones, so those rows appear twice.
template <class T>
MatrixX<T> symmetric_integers(alea::Rng& rng, Index half, Index d, Index repeated) {
  MatrixX<double> H = (2.5 * alea::standard_normal<double>(rng, half, d)).array().round();
  H.bottomRows(repeated) = H.topRows(repeated).eval();
  MatrixX<T> Z(2 * half, d);
  for (Index i = 0; i < half; ++i) {
    Z.row(2 * i) = H.row(i).cast<T>();
    Z.row(2 * i + 1) = -H.row(i).cast<T>();
  }
  return Z;
}

}  // namespace

TEMPLATE_TEST_CASE("the pair order statistic equals sorting all pairs on exact data",
                   "[metrics][pair_median]", float, double) {
  using T = TestType;
  alea::Rng rng{61};
  // Default tiles and small ones (several row blocks and column tiles per block); the default
  // capacity (one pass), and capacities that force several passes or keep nothing.
  const PairwiseSettings tiles[] = {{}, {.block_rows = 24, .block_cols = 37}};
  const std::size_t capacities[] = {std::size_t(1) << 22, 500, 1};
  SECTION("a small set with repeated rows") {
    const MatrixX<T> Z = symmetric_integers<T>(rng, 50, 3, 10);  // 100 rows, 20 repeated
    const std::vector<double> sorted = sorted_pair_distances(Z);
    const auto zeros = std::uint64_t(std::count(sorted.begin(), sorted.end(), 0.0));
    REQUIRE(zeros >= 20);
    std::vector<std::uint64_t> ranks = ranks_of(sorted.size());
    ranks.insert(ranks.end(), {zeros - 1, zeros});  // the last zero, the first positive value
    for (const auto& settings : tiles) {
      for (const std::size_t capacity : capacities) {
        for (const std::uint64_t rank : ranks) {
          INFO("block_rows " << settings.block_rows << " capacity " << capacity << " rank "
                             << rank);
          CHECK(double(pair_squared_distance_order_statistic<T>(Z, rank, settings, "test",
                                                                capacity)) == sorted[rank]);
        }
      }
    }
  }
  SECTION("more than 1024 rows: the pilot brackets the rank") {
    const MatrixX<T> Z = symmetric_integers<T>(rng, 540, 2, 20);  // 1,080 rows
    const std::vector<double> sorted = sorted_pair_distances(Z);
    for (const std::size_t capacity : {std::size_t(1) << 22, std::size_t(2000)}) {
      for (const std::uint64_t rank : ranks_of(sorted.size())) {
        INFO("capacity " << capacity << " rank " << rank);
        CHECK(double(pair_squared_distance_order_statistic<T>(Z, rank, tiles[1], "test",
                                                              capacity)) == sorted[rank]);
      }
    }
  }
}

TEMPLATE_TEST_CASE("the pair order statistic of Gaussian data is within rounding of sorting",
                   "[metrics][pair_median]", float, double) {
  using T = TestType;
  alea::Rng rng{62};
  const MatrixX<T> Z = (alea::standard_normal<double>(rng, 150, 4).array() + 3.0).cast<T>();
  const std::vector<double> sorted = sorted_pair_distances(Z);
  // The engine expands |a - b|^2 about the mean; each of its values is within about
  // 4 d eps max_i |z_i - mean|^2 of the exact one, and an order statistic moves by no more
  // than the largest change of any value: 16 d eps max |z_i - mean|^2 leaves a factor 4.
  const MatrixX<double> centred =
      Z.template cast<double>().rowwise() - Z.template cast<double>().colwise().mean();
  const double tolerance = 16.0 * double(Z.cols()) * double(std::numeric_limits<T>::epsilon()) *
                           centred.rowwise().squaredNorm().maxCoeff();
  for (const std::size_t capacity : {std::size_t(1) << 22, std::size_t(300)}) {
    for (const std::uint64_t rank : ranks_of(sorted.size())) {
      INFO("capacity " << capacity << " rank " << rank);
      const double value =
          double(pair_squared_distance_order_statistic<T>(Z, rank, {}, "test", capacity));
      CHECK(std::abs(value - sorted[rank]) <= tolerance);
    }
  }
}

TEMPLATE_TEST_CASE("the pair order statistic of two rows and of identical rows",
                   "[metrics][pair_median]", float, double) {
  using T = TestType;
  MatrixX<T> two(2, 3);
  two << 1, -2, 0.5, 4, 2, 0.5;
  CHECK(pair_squared_distance_order_statistic<T>(two, 0, {}, "test") == T(25));
  const MatrixX<T> same = MatrixX<T>::Constant(30, 2, T(1.75));
  const std::uint64_t pairs = 30 * 29 / 2;
  for (const std::uint64_t rank : ranks_of(pairs)) {
    INFO("rank " << rank);
    CHECK(pair_squared_distance_order_statistic<T>(same, rank, {}, "test", 4) == T(0));
  }
}
