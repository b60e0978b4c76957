// The neighbour searches of knn_tree.hpp on their own: NeighborTree's nearest_to_stored(),
// nearest() and count_within() in both norms, and SortedLine's radius counts, against an O(n^2)
// scan written plainly here. The header promises agreement tie for tie (distances are computed
// the same way, so every comparison is exact: no tolerance anywhere in this file).

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/info/knn_tree.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;
using alea::info::Norm;
using alea::info::detail::knn::Neighbors;
using alea::info::detail::knn::NeighborTree;
using alea::info::detail::knn::RowPoints;
using alea::info::detail::knn::SortedLine;

namespace {

/// The distance the estimators define: max_j |a_j - b_j|, or sum_j (a_j - b_j)^2 in coordinate
/// order (squared Euclidean).
template <Norm norm, class T>
T plain_distance(const T* a, const T* b, Index d) {
  T out = 0;
  for (Index j = 0; j < d; ++j) {
    const T gap = a[j] - b[j];
    if constexpr (norm == Norm::max) {
      out = std::max(out, std::abs(gap));
    } else {
      out += gap * gap;
    }
  }
  return out;
}

/// Counts disagreements and remembers the first, so that a loop of thousands of comparisons
/// makes one Catch assertion.
struct Disagreements {
  Index count = 0;
  std::string first;
  template <class Describe>
  void expect(bool ok, Describe describe) {
    if (ok) return;
    if (count++ == 0) first = describe();
  }
};

/// Checks every search of a tree over the rows of X (n x d, stored as they are) against
/// brute force, for the neighbour orders `ks` (those < n) and `queries` other points.
template <Norm norm, class T>
void check_tree(const RowPoints<T>& X, Index leaf_size, const std::vector<Index>& ks,
                const RowPoints<T>& queries, Index query_stride = 1) {
  const Index n = X.rows();
  const Index d = X.cols();
  const NeighborTree<T> tree(X, leaf_size);
  Disagreements bad;
  // Storage: a permutation of the rows, kept with their values.
  std::vector<Index> seen(static_cast<std::size_t>(n), 0);
  for (Index p = 0; p < n; ++p) {
    const Index i = tree.row(p);
    ++seen[std::size_t(i)];
    bad.expect(tree.position(i) == p,
               [&] { return "position(row(p)) != p at " + std::to_string(p); });
    bad.expect(tree.points().row(p) == X.row(i), [&] { return "stored row " + std::to_string(p); });
  }
  bad.expect(std::all_of(seen.begin(), seen.end(), [](Index c) { return c == 1; }),
             [] { return std::string("the stored rows are not a permutation"); });
  // k nearest: the found points' distances, nearest first, are the k smallest of the scan.
  const auto check_found = [&](const Neighbors<T>& found, const T* query,
                               const std::vector<T>& sorted, Index k, Index exclude,
                               const std::string& what) {
    bad.expect(found.worst() == sorted[std::size_t(k - 1)], [&] { return what + ": worst()"; });
    std::vector<Index> positions = found.positions();
    for (Index t = 0; t < k; ++t) {
      const Index q = positions[std::size_t(t)];
      const bool valid = q >= 0 && q < n && q != exclude;
      bad.expect(valid, [&] { return what + ": position " + std::to_string(q); });
      if (!valid) continue;
      bad.expect(plain_distance<norm>(query, tree.point(q), d) == sorted[std::size_t(t)],
                 [&] { return what + ": neighbour " + std::to_string(t); });
    }
    std::sort(positions.begin(), positions.end());
    bad.expect(std::adjacent_find(positions.begin(), positions.end()) == positions.end(),
               [&] { return what + ": a point found twice"; });
  };
  std::vector<T> distances(static_cast<std::size_t>(n));
  for (Index p = 0; p < n; p += query_stride) {
    const Index i = tree.row(p);
    const T* query = X.row(i).data();
    for (Index j = 0; j < n; ++j)
      distances[std::size_t(j)] = plain_distance<norm>(query, X.row(j).data(), d);
    std::vector<T> others;  // all but the point itself
    for (Index j = 0; j < n; ++j)
      if (j != i) others.push_back(distances[std::size_t(j)]);
    std::sort(others.begin(), others.end());
    const std::string at = "row " + std::to_string(i);
    std::vector<T> radii = {T(0), std::numeric_limits<T>::infinity()};
    if (!others.empty()) radii.push_back(others.back());
    for (const Index k : ks) {
      if (k >= n) continue;
      Neighbors<T> found;
      found.reset(k);
      tree.template nearest_to_stored<norm>(p, found);
      check_found(found, query, others, k, p, at + " k " + std::to_string(k));
      // Radii at a neighbour's distance exactly (ties on the boundary) and just inside it.
      radii.push_back(others[std::size_t(k - 1)]);
      radii.push_back(std::nextafter(others[std::size_t(k - 1)], T(0)));
    }
    for (const T r : radii) {
      const auto expected = Index(
          std::count_if(distances.begin(), distances.end(), [r](T value) { return value <= r; }));
      const Index counted = tree.template count_within<norm>(tree.point(p), r);
      bad.expect(counted == expected, [&] {
        std::ostringstream out;
        out << at << " radius " << r << ": counted " << counted << ", expected " << expected;
        return out.str();
      });
    }
  }
  // nearest() from points that are not stored (k up to n: every point may be wanted).
  for (Index q = 0; q < queries.rows(); ++q) {
    const T* query = queries.row(q).data();
    std::vector<T> sorted(static_cast<std::size_t>(n));
    for (Index j = 0; j < n; ++j)
      sorted[std::size_t(j)] = plain_distance<norm>(query, X.row(j).data(), d);
    std::sort(sorted.begin(), sorted.end());
    for (Index k : ks) {
      k = std::min(k, n);
      Neighbors<T> found;
      found.reset(k);
      tree.template nearest<norm>(query, found);
      check_found(found, query, sorted, k, -1, "query " + std::to_string(q));
      const T r = sorted[std::size_t(k - 1)];
      const auto expected =
          Index(std::count_if(sorted.begin(), sorted.end(), [r](T value) { return value <= r; }));
      bad.expect(tree.template count_within<norm>(query, r) == expected,
                 [&] { return "query " + std::to_string(q) + ": count_within"; });
    }
  }
  INFO("n " << n << " d " << d << " leaf size " << leaf_size << " norm "
            << (norm == Norm::max ? "max" : "euclidean") << "; first disagreement: " << bad.first);
  CHECK(bad.count == 0);
}

template <class T>
void check_both_norms(const RowPoints<T>& X, const std::vector<Index>& leaf_sizes,
                      const std::vector<Index>& ks, const RowPoints<T>& queries,
                      Index query_stride = 1) {
  for (const Index leaf : leaf_sizes) {
    check_tree<Norm::euclidean>(X, leaf, ks, queries, query_stride);
    check_tree<Norm::max>(X, leaf, ks, queries, query_stride);
  }
}

template <class T>
RowPoints<T> normals(alea::Rng& rng, Index n, Index d, double scale = 1.0) {
  return (scale * alea::standard_normal<double>(rng, n, d)).cast<T>();
}

/// Integer-valued coordinates in a small range: distances tie everywhere, rows repeat.
template <class T>
RowPoints<T> integers(alea::Rng& rng, Index n, Index d) {
  return (1.5 * alea::standard_normal<double>(rng, n, d)).array().round().cast<T>().matrix();
}

}  // namespace

TEMPLATE_TEST_CASE("NeighborTree equals brute force on Gaussian data in 1 2 and 7 dimensions",
                   "[info][knn_tree]", float, double) {
  using T = TestType;
  alea::Rng rng{101};
  const std::vector<Index> ks = {1, 2, 3, 7};
  // Leaf size 1 and 4 make trees many levels deep from a few hundred points; 48 is the
  // estimators' (knn.hpp).
  for (const Index d : {Index(1), Index(2), Index(7)}) {
    INFO("d " << d);
    check_both_norms<T>(normals<T>(rng, 300, d), {1, 4, 48}, ks, normals<T>(rng, 6, d, 2.0));
  }
}

TEMPLATE_TEST_CASE("NeighborTree equals brute force with ties and duplicated rows",
                   "[info][knn_tree]", float, double) {
  using T = TestType;
  alea::Rng rng{102};
  const std::vector<Index> ks = {1, 3, 8, 40};
  // Leaf size 3 is the smallest the build supports with repeated rows (see the last case).
  SECTION("integer-valued coordinates") {
    check_both_norms<T>(integers<T>(rng, 400, 3), {3, 4, 32}, ks, integers<T>(rng, 5, 3));
  }
  SECTION("many identical rows among others") {
    RowPoints<T> X = normals<T>(rng, 150, 2);
    X.topRows(100) = X.row(120).replicate(100, 1);  // 101 equal rows: the k-th distance is often 0
    RowPoints<T> queries = normals<T>(rng, 3, 2);
    queries.row(0) = X.row(0);
    check_both_norms<T>(X, {3, 4, 32}, ks, queries);
  }
  SECTION("all rows identical") {
    const RowPoints<T> X = RowPoints<T>::Constant(70, 3, T(0.25));
    check_both_norms<T>(X, {3, 32}, ks, normals<T>(rng, 2, 3));
  }
}

TEMPLATE_TEST_CASE("NeighborTree equals brute force for tiny n", "[info][knn_tree]", float,
                   double) {
  using T = TestType;
  alea::Rng rng{103};
  const std::vector<Index> ks = {1, 2, 4, 9};
  for (const Index n : {Index(1), Index(2), Index(3), Index(9), Index(31)}) {
    for (const Index d : {Index(1), Index(7)}) {
      INFO("n " << n << " d " << d);
      check_both_norms<T>(normals<T>(rng, n, d), {1, 32}, ks, normals<T>(rng, 3, d));
    }
  }
}

TEMPLATE_TEST_CASE("NeighborTree equals brute force on skewed and large data", "[info][knn_tree]",
                   float, double) {
  using T = TestType;
  alea::Rng rng{104};
  SECTION("median splits of more than 512 rows with tied keys") {
    // One far outlier puts the box's middle beyond everything else, so splits slide to a
    // sample quantile or fall back to the median, which the tree selects by sampling above 512
    // rows; integer keys tie there.
    RowPoints<T> X = integers<T>(rng, 1400, 2);
    X(0, 0) = T(1000);
    check_both_norms<T>(X, {32, 48}, {1, 3, 10}, integers<T>(rng, 3, 2), 7);
  }
  SECTION("a widest coordinate where most keys tie") {
    // 80% of the rows share coordinate 0, the widest: the middle, and then the sample's
    // quantiles (both that shared value), leave too few rows below, and the median split
    // sends the tied keys left in position order.
    RowPoints<T> X = normals<T>(rng, 2000, 2);
    X.col(0) *= T(100);
    X.col(0).head(1600).setZero();
    check_both_norms<T>(X, {48}, {1, 3, 10}, normals<T>(rng, 3, 2), 11);
  }
  SECTION("subtrees built apart and appended") {
    // Above about 5,000 points the top of the tree is split first and subtrees of at most
    // 4,096 points are built afterwards (in parallel under OpenMP) and appended.
    check_both_norms<T>(normals<T>(rng, 9000, 3), {32}, {1, 3}, normals<T>(rng, 3, 3), 97);
  }
}

TEMPLATE_TEST_CASE("SortedLine counts within a radius as brute force does", "[info][knn_tree]",
                   float, double) {
  using T = TestType;
  alea::Rng rng{105};
  const auto check_line = [](const VectorX<T>& values, const SortedLine<T>& line) {
    const Index n = values.size();
    Disagreements bad;
    for (Index i = 0; i < n; ++i) {
      // Every gap to another value is a radius (ties on the boundary), and just inside it.
      std::vector<T> radii = {T(0), std::numeric_limits<T>::infinity()};
      for (Index j = 0; j < n; j += 3) {
        const T gap = std::abs(values(j) - values(i));
        radii.push_back(gap);
        radii.push_back(std::nextafter(gap, T(0)));
      }
      for (const T r : radii) {
        Index expected = 0;
        for (Index j = 0; j < n; ++j)
          expected += std::abs(values(j) - values(i)) <= r;
        const Index counted = line.count_within(i, r);
        bad.expect(counted == expected, [&] {
          std::ostringstream out;
          out << "row " << i << " radius " << r << ": counted " << counted << ", expected "
              << expected;
          return out.str();
        });
      }
    }
    INFO("n " << n << "; first disagreement: " << bad.first);
    CHECK(bad.count == 0);
  };
  SECTION("continuous values") {
    const VectorX<T> x = (3.0 * alea::standard_normal<double>(rng, 300, 1)).cast<T>();
    check_line(x, SortedLine<T>(x));
  }
  SECTION("integer values with many ties and signed zeros") {
    VectorX<T> x = (2.0 * alea::standard_normal<double>(rng, 300, 1)).array().round().cast<T>();
    for (Index i = 0; i < x.size(); i += 5)
      if (x(i) == 0) x(i) = -T(0);  // -0 sorts below +0 but equals it
    check_line(x, SortedLine<T>(x));
  }
  SECTION("a column of row-major points as the estimators pass it") {
    const RowPoints<T> X = integers<T>(rng, 200, 3);
    check_line(X.col(1), SortedLine<T>(X.col(1)));
  }
  SECTION("one and two values") {
    VectorX<T> one(1), two(2);
    one << T(-4);
    two << T(1.5), T(-1.5);
    check_line(one, SortedLine<T>(one));
    check_line(two, SortedLine<T>(two));
  }
}

TEMPLATE_TEST_CASE("lanes_below and bounding_box agree with plain loops", "[info][knn_tree]", float,
                   double) {
  using T = TestType;
  using Lanes = alea::info::detail::knn::Lanes<T>;
  const T infinite = std::numeric_limits<T>::infinity();
  const T undefined = std::numeric_limits<T>::quiet_NaN();
  Lanes values;
  values << T(-1), T(0.5), T(0.25), infinite, -infinite, undefined,
      T(0.5) - std::numeric_limits<T>::epsilon(), T(2);
  for (const T bound : {T(0.5), T(0), -infinite, infinite, T(3)}) {
    unsigned expected = 0;
    for (int l = 0; l < 8; ++l)
      expected |= unsigned(values(l) < bound) << l;
    CHECK(alea::info::detail::knn::lanes_below(values, bound) == expected);
  }
  alea::Rng rng{105};
  for (const Index d : {Index(1), Index(2), Index(3), Index(5), Index(8), Index(9)}) {
    for (const Index n : {Index(1), Index(7), Index(8), Index(9), Index(17), Index(100)}) {
      INFO("d " << d << " n " << n);
      const RowPoints<T> X = normals<T>(rng, n, d);
      std::vector<T> low(static_cast<std::size_t>(d));
      std::vector<T> high(static_cast<std::size_t>(d));
      std::vector<T> scratch(static_cast<std::size_t>(16 * d));
      alea::info::detail::knn::bounding_box(X.data(), n, d, low.data(), high.data(),
                                            scratch.data());
      for (Index j = 0; j < d; ++j) {
        CHECK(low[std::size_t(j)] == X.col(j).minCoeff());
        CHECK(high[std::size_t(j)] == X.col(j).maxCoeff());
      }
    }
  }
}

// A regression test: with at most 3 points in a node (possible only for leaf sizes 1 and 2)
// the quarter rule once could not apply (count / 4 == 0), so a node whose rows all equal the
// box's low end on the split axis (identical rows) kept every row on one side and was split
// again forever, writing past the build's box buffer.
TEST_CASE("NeighborTree builds over repeated rows with leaf sizes 1 and 2", "[info][knn_tree]") {
  for (const Index leaf : {Index(1), Index(2)}) {
    INFO("leaf size " << leaf);
    const RowPoints<double> X = RowPoints<double>::Constant(3, 2, 0.5);
    const NeighborTree<double> tree(X, leaf);
    CHECK(tree.count_within<Norm::max>(X.row(0).data(), 0.0) == 3);
  }
}
