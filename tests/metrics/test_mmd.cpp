#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "alea/core/random.hpp"
#include "alea/metrics/mmd.hpp"
#include "fixtures.hpp"

using alea::Index;
using alea::MatrixX;
using alea::metrics::MmdEstimator;
using alea::metrics::MmdKernel;
using alea::metrics::MmdSettings;
namespace metrics = alea::metrics;
namespace test = alea::test;

namespace {

MmdSettings settings_of(const nlohmann::json& c, MmdEstimator estimator, bool median) {
  MmdSettings s{.estimator = estimator};
  const std::string kernel = c["kernel"];
  const auto& p = c["params"];
  if (kernel == "polynomial") {
    s.kernel = MmdKernel::polynomial;
    s.degree = p["degree"].get<int>();
    s.gamma = p["gamma"].is_null() ? 0.0 : p["gamma"].get<double>();
    s.coef0 = p["coef0"].get<double>();
  } else {
    s.kernel = kernel == "gaussian" ? MmdKernel::gaussian : MmdKernel::laplacian;
    // 0 asks for the median heuristic, which the fixture computed with scipy's pdist.
    s.bandwidth = median ? 0.0 : p["bandwidth"].get<double>();
  }
  return s;
}

// Tolerances against numpy's full-matrix formulas. Double: the kernel values differ by the
// rounding of the distances (~1e-15 relative) and the sums of <= 2,209 terms of size <= ~50 by
// ~1e-13 relative, so 1e-11 (relative above 1, absolute below). Float: kernel values carry ~1e-6
// relative error (float distances and exp), the sums are in double, so 2e-5.
template <class T>
double tolerance() {
  return std::is_same_v<T, float> ? 2e-5 : 1e-11;
}

// The rank-th smallest of the same squared distances the selection sees (the walker's: GEMM on
// centred rows, which differ from direct differences by rounding), by sorting them all.
double brute_force_order_statistic(const MatrixX<double>& Z, std::size_t rank,
                                   const alea::PairwiseSettings& settings) {
  std::vector<double> values;
  alea::metrics::detail::for_each_upper_distance_tile<double>(
      Z,
      [&](Index, Index i0, Index j0, const MatrixX<double>& D) {
        alea::metrics::detail::for_each_upper_column(i0, j0, D.rows(), D.cols(),
                                                     [&](Index b, Index above) {
                                                       for (Index a = 0; a < above; ++a)
                                                         values.push_back(D(a, b));
                                                     });
      },
      settings, "test");
  std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(rank), values.end());
  return values[rank];
}

}  // namespace

TEMPLATE_TEST_CASE("mmd2 equals the O(n^2) formulas for every kernel, estimator and tiling",
                   "[metrics][mmd]", float, double) {
  using T = TestType;
  const auto& ref = test::fixture("metrics_reference.json")["mmd"];
  const MatrixX<T> X = test::matrix<T>(ref["X"]), Y = test::matrix<T>(ref["Y"]);
  const MatrixX<T> X_lin = test::matrix<T>(ref["X_lin"]), Y_lin = test::matrix<T>(ref["Y_lin"]);
  // Default tiles (one tile), and tiles smaller than the samples and narrower than tall, so that
  // the upper-triangle walk straddles the diagonal in several tiles.
  for (const alea::PairwiseSettings tiles :
       {alea::PairwiseSettings{}, alea::PairwiseSettings{7, 5}, alea::PairwiseSettings{3, 11}}) {
    for (const auto& c : ref["cases"]) {
      const bool median = c["label"] == "median";
      INFO(c["kernel"].get<std::string>() << " " << c["label"].get<std::string>() << " tiles "
                                          << tiles.block_rows << " x " << tiles.block_cols);
      for (const auto& [name, estimator] : {std::pair{"biased", MmdEstimator::biased},
                                            std::pair{"unbiased", MmdEstimator::unbiased},
                                            std::pair{"linear", MmdEstimator::linear}}) {
        INFO(name);
        MmdSettings s = settings_of(c, estimator, median);
        s.pairwise = tiles;
        const bool linear = estimator == MmdEstimator::linear;
        const double value = linear ? metrics::mmd2(X_lin, Y_lin, s) : metrics::mmd2(X, Y, s);
        const double expected = c[name].template get<double>();
        CHECK(std::abs(value - expected) <= tolerance<T>() * std::max(1.0, std::abs(expected)));
      }
    }
  }
}

TEMPLATE_TEST_CASE("the median heuristic is the lower median of the pooled pairwise distances",
                   "[metrics][mmd]", float, double) {
  using T = TestType;
  // Float distances carry ~1e-7 relative rounding; the order statistic is one of them.
  const double tol = std::is_same_v<T, float> ? 1e-6 : 1e-14;
  const auto& small = test::fixture("metrics_reference.json")["mmd"];
  CHECK(std::abs(metrics::median_heuristic_bandwidth(test::matrix<T>(small["X"]),
                                                     test::matrix<T>(small["Y"])) -
                 small["median_bandwidth"].get<double>()) < tol * 3);
  // 1,100 pooled rows: beyond the 1,024-row pilot, so the streamed selection runs; 50 repeated
  // rows put ties (distance 0) among the pairs.
  const auto& large = test::fixture("metrics_reference.json")["median_large"];
  for (const alea::PairwiseSettings tiles :
       {alea::PairwiseSettings{}, alea::PairwiseSettings{100, 37}}) {
    CHECK(std::abs(metrics::median_heuristic_bandwidth(test::matrix<T>(large["X"]),
                                                       test::matrix<T>(large["Y"]), tiles) -
                   large["bandwidth"].get<double>()) < tol * 3);
  }
}

TEST_CASE("the streamed order statistic is exact at every rank, with ties, for any capacity",
          "[metrics][mmd]") {
  alea::Rng rng{41};
  MatrixX<double> Z = alea::standard_normal(rng, 1200, 2);
  Z.bottomRows(300) = Z.topRows(300);             // 300 zero distances and repeated values
  Z.col(0) = (Z.col(0) * 4).array().round() / 4;  // a coarse grid: many equal distances
  const std::uint64_t pairs = 1200ull * 1199 / 2;
  // One thread: the brute force collects from the walker's callbacks without a lock.
  const alea::PairwiseSettings settings{.block_rows = 1200, .check_finite = false};
  for (const std::size_t capacity : {std::size_t(1) << 20, std::size_t(5000), std::size_t(3)}) {
    for (const std::uint64_t rank : {std::uint64_t(0), std::uint64_t(299), std::uint64_t(300),
                                     std::uint64_t(12345), (pairs - 1) / 2, pairs - 1}) {
      INFO("capacity " << capacity << " rank " << rank);
      const double value = alea::metrics::detail::pair_squared_distance_order_statistic<double>(
          Z, rank, settings, "test", capacity);
      CHECK(value == brute_force_order_statistic(Z, std::size_t(rank), settings));
    }
  }
}

TEST_CASE("mmd2 basic properties: biased MMD of a sample with itself is 0; shifts increase it",
          "[metrics][mmd]") {
  alea::Rng rng{5};
  const MatrixX<double> X = alea::standard_normal(rng, 200, 3);
  const MatrixX<double> Y = alea::standard_normal(rng, 200, 3);
  const MatrixX<double> shifted = Y.array() + 1.0;
  // Biased, X with X: the three sums are equal; what remains is rounding of ~1 per term.
  CHECK(std::abs(metrics::mmd2(X, X, {.estimator = MmdEstimator::biased, .bandwidth = 1.0})) <
        1e-14);
  CHECK(metrics::mmd2(X, shifted) > 10 * std::abs(metrics::mmd2(X, Y)));
  // The unbiased estimate is unbiased: here it sits within a few of its standard errors
  // (~0.003 at n = 200, by the variance of a U-statistic) of the true value 0.
  CHECK(std::abs(metrics::mmd2(X, Y)) < 0.01);
}

#if defined(_OPENMP)
TEST_CASE("mmd2 and the median heuristic do not depend on the number of threads",
          "[metrics][mmd]") {
  alea::Rng rng{8};
  // 1,500 rows each: enough work for threads (the engine runs small work on one thread).
  const MatrixX<double> X = alea::standard_normal(rng, 1500, 6);
  const MatrixX<double> Y = alea::standard_normal(rng, 1500, 6).array() + 0.1;
  const int threads = omp_get_max_threads();
  std::vector<double> values[2];
  for (const int t : {1, std::max(2, threads)}) {
    omp_set_num_threads(t);
    auto& v = values[t == 1 ? 0 : 1];
    v.push_back(metrics::median_heuristic_bandwidth(X, Y));
    for (const auto kernel : {MmdKernel::gaussian, MmdKernel::laplacian, MmdKernel::polynomial})
      v.push_back(metrics::mmd2(X, Y, {.kernel = kernel, .bandwidth = 2.0}));
  }
  omp_set_num_threads(threads);
  CHECK(values[0] == values[1]);
}
#endif

TEST_CASE("mmd2 rejects bad input with messages naming the argument", "[metrics][mmd]") {
  const MatrixX<double> X = MatrixX<double>::Random(5, 2), Y = MatrixX<double>::Random(4, 2);
  MatrixX<double> nan = X;
  nan(3, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_MATCHES(metrics::mmd2(X, MatrixX<double>::Random(4, 3)), alea::InvalidArgument,
                       Catch::Message("alea::metrics::mmd2: Y has 3 columns, but X has 2"));
  CHECK_THROWS_MATCHES(metrics::mmd2(nan, Y), alea::InvalidArgument,
                       Catch::Message("alea::metrics::mmd2: X has a NaN at row 3, column 1"));
  CHECK_THROWS_MATCHES(
      metrics::mmd2(X, MatrixX<double>(0, 2)), alea::InvalidArgument,
      Catch::Message("alea::metrics::mmd2: Y is empty (0 x 2); at least one row and one column "
                     "are needed"));
  CHECK_THROWS_MATCHES(
      metrics::mmd2(X.topRows(1), Y), alea::InvalidArgument,
      Catch::Message("alea::metrics::mmd2: X has 1 row, but the unbiased estimator needs at "
                     "least 2"));
  CHECK_NOTHROW(metrics::mmd2(X.topRows(1), Y, {.estimator = MmdEstimator::biased}));
  CHECK_THROWS_MATCHES(
      metrics::mmd2(X, Y, {.estimator = MmdEstimator::linear}), alea::InvalidArgument,
      Catch::Message("alea::metrics::mmd2: Y has 4 rows, but X has 5; the linear estimator "
                     "pairs the rows of equal-sized samples"));
  CHECK_THROWS_MATCHES(
      metrics::mmd2(X, Y, {.bandwidth = -1}), alea::InvalidArgument,
      Catch::Message("alea::metrics::mmd2: bandwidth is -1, but must be non-negative"));
  CHECK_THROWS_MATCHES(metrics::mmd2(X, Y, {.bandwidth = std::numeric_limits<double>::quiet_NaN()}),
                       alea::InvalidArgument,
                       Catch::Message("alea::metrics::mmd2: bandwidth is nan, but must be finite"));
  const auto polynomial = [](int degree, double gamma, double coef0) {
    return MmdSettings{
        .kernel = MmdKernel::polynomial, .degree = degree, .gamma = gamma, .coef0 = coef0};
  };
  CHECK_THROWS_MATCHES(metrics::mmd2(X, Y, polynomial(0, 0, 1)), alea::InvalidArgument,
                       Catch::Message("alea::metrics::mmd2: degree is 0, but must be positive"));
  CHECK_THROWS_MATCHES(
      metrics::mmd2(X, Y, polynomial(3, -0.5, 1)), alea::InvalidArgument,
      Catch::Message("alea::metrics::mmd2: gamma is -0.5, but must be non-negative"));
  CHECK_THROWS_MATCHES(
      metrics::mmd2(X, Y, polynomial(3, 0, -1)), alea::InvalidArgument,
      Catch::Message("alea::metrics::mmd2: coef0 is -1, but must be non-negative"));
  // More than half of the pooled pairs coincide: the median distance is 0.
  CHECK_THROWS_MATCHES(
      metrics::mmd2(MatrixX<double>::Ones(6, 2), MatrixX<double>::Ones(5, 2)),
      alea::InvalidArgument,
      Catch::Message("alea::metrics::mmd2: the median heuristic gives bandwidth 0 (at least half "
                     "of the pairs of pooled rows coincide); set a positive bandwidth"));
}
