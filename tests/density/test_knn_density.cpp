#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <vector>

#include "alea/core/random.hpp"
#include "alea/density/knn_density.hpp"
#include "alea/io/model_file.hpp"
#include "fixtures.hpp"

using alea::Index;
using alea::KnnDensity;
using alea::MatrixX;
using alea::VectorX;
namespace test = alea::test;
using alea::test::infinity;

namespace {

constexpr double pi = std::numbers::pi;

/// log V_d for d = 1, 2, 3, 5 in closed form: 2, pi, 4 pi / 3, 8 pi^2 / 15.
double log_ball(Index d) {
  switch (d) {
    case 1:
      return std::log(2.0);
    case 2:
      return std::log(pi);
    case 3:
      return std::log(4 * pi / 3);
    case 5:
      return std::log(8 * pi * pi / 15);
    default:
      FAIL("no closed form for d = " << d);
      return 0;
  }
}

/// 1-D data as an n x 1 matrix.
template <class T = double>
MatrixX<T> column(std::initializer_list<double> values) {
  MatrixX<T> out(static_cast<Index>(values.size()), 1);
  Index i = 0;
  for (double v : values)
    out(i++, 0) = static_cast<T>(v);
  return out;
}

/// Brute force: all n squared distances from q, sorted; the weighted version walks them in
/// order until the running weight reaches k sum w^2 / sum w. Returns the squared radius.
double brute_squared_radius(const MatrixX<double>& X, const VectorX<double>& q, Index k,
                            const VectorX<double>* w = nullptr) {
  const Index n = X.rows();
  std::vector<std::pair<double, Index>> d(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i)
    d[std::size_t(i)] = {(X.row(i).transpose() - q).squaredNorm(), i};
  std::sort(d.begin(), d.end());
  if (w == nullptr) return d[std::size_t(k - 1)].first;
  const double target = double(k) * w->squaredNorm() / w->sum();
  double running = 0;
  for (const auto& [squared, i] : d) {
    running += (*w)(i);
    if (running >= target * (1 - 1e-12)) return squared;
  }
  return d.back().first;
}

/// The k-NN log density from a squared radius: log(k / n_eff) - log V_d - (d/2) log r^2.
double brute_log_density(double squared, Index k, double n_eff, Index d) {
  return std::log(double(k) / n_eff) -
         (0.5 * double(d) * std::log(pi) - std::lgamma(0.5 * double(d) + 1)) -
         0.5 * double(d) * std::log(squared);
}

}  // namespace

TEMPLATE_TEST_CASE("KnnDensity: 1-D closed forms with k = 1 and k = 2", "[density][knn]", float,
                   double) {
  using T = TestType;
  // Data 0, 1, 3, 6, 10 (n = 5, V_1 = 2): p(x) = k / (5 * 2 * r_k(x)).
  const MatrixX<T> X = column<T>({0, 1, 3, 6, 10});
  const MatrixX<T> Q = column<T>({2, 4.5, -1, 0.25, 8});
  // Distances from 2: 2 1 1 4 8; from 4.5: 4.5 3.5 1.5 1.5 5.5; from -1: 1 2 4 7 11;
  // from 0.25: 0.25 0.75 2.75 ...; from 8: 8 7 5 2 2.
  const double tol = std::is_same_v<T, float> ? 1e-6 : 1e-15;
  KnnDensity<T> two({.k = 2});
  two.fit(X);
  const VectorX<double> r2 = two.kth_neighbor_distance(Q).template cast<double>();
  CHECK(test::max_relative_error(r2, VectorX<double>{{1, 1.5, 2, 0.75, 2}}) < tol);
  const VectorX<double> lp2 = two.log_prob(Q).template cast<double>();
  const VectorX<double> expected2{
      {std::log(0.2), std::log(2 / 15.0), std::log(0.1), std::log(2 / 7.5), std::log(0.1)}};
  CHECK(test::max_relative_error(lp2, expected2) < tol);

  KnnDensity<T> one({.k = 1});
  one.fit(X);
  const VectorX<double> lp1 = one.log_prob(Q).template cast<double>();
  const VectorX<double> expected1{
      {std::log(0.1), std::log(1 / 15.0), std::log(0.1), std::log(0.4), std::log(0.05)}};
  CHECK(test::max_relative_error(lp1, expected1) < tol);
  CHECK(double(one.score(Q)) == Approx(expected1.mean()).epsilon(tol));
  CHECK(one.k() == 1);
  CHECK(one.dim() == 1);
}

TEMPLATE_TEST_CASE("KnnDensity: the unit-ball volume in d = 1, 2, 3, 5", "[density][knn]", float,
                   double) {
  using T = TestType;
  // The 2d points +-e_j are all at distance 1 from the origin: with k = 2d, r_k = 1 and
  // log p(0) = log(2d / (2d V_d)) = -log V_d; with k = 1, log(1 / (2d V_d)).
  for (Index d : {1, 2, 3, 5}) {
    INFO("d = " << d);
    MatrixX<T> X = MatrixX<T>::Zero(2 * d, d);
    for (Index j = 0; j < d; ++j) {
      X(2 * j, j) = 1;
      X(2 * j + 1, j) = -1;
    }
    const MatrixX<T> origin = MatrixX<T>::Zero(1, d);
    KnnDensity<T> all({.k = 2 * d});
    all.fit(X);
    CHECK(double(all.log_prob(origin)(0)) == Approx(-log_ball(d)).epsilon(1e-6));
    KnnDensity<T> one({.k = 1});
    one.fit(X);
    CHECK(double(one.log_prob(origin)(0)) ==
          Approx(-std::log(2.0 * double(d)) - log_ball(d)).epsilon(1e-6));
  }
}

TEMPLATE_TEST_CASE("KnnDensity: k or more coincident training points give +infinity",
                   "[density][knn]", float, double) {
  using T = TestType;
  const MatrixX<T> X = column<T>({0, 0, 0, 1});
  const MatrixX<T> at_zero = column<T>({0});
  KnnDensity<T> three({.k = 3});
  three.fit(X);
  CHECK(three.log_prob(at_zero)(0) == std::numeric_limits<T>::infinity());
  CHECK(three.score(X) == std::numeric_limits<T>::infinity());
  // k = 4 reaches the point at 1: r = 1, p = 4 / (4 * 2 * 1).
  KnnDensity<T> four({.k = 4});
  four.fit(X);
  CHECK(double(four.log_prob(at_zero)(0)) == Approx(std::log(0.5)));
}

TEST_CASE("KnnDensity matches a brute-force k-NN in d = 1, 2, 5", "[density][knn]") {
  alea::Rng rng{2024};
  for (Index d : {1, 2, 5}) {
    const Index n = 400;
    const MatrixX<double> X = alea::standard_normal<double>(rng, n, d);
    MatrixX<double> Q(140, d);
    Q.topRows(120) = 1.5 * alea::standard_normal<double>(rng, 120, d);  // some in the tails
    Q.bottomRows(20) = X.topRows(20);  // training points: each is its own first neighbour
    for (Index k : {1, 3, 10, 57}) {
      INFO("d = " << d << ", k = " << k);
      KnnDensity<> knn({.k = k, .leaf_size = 5});
      knn.fit(X);
      const Index m = k == 1 ? 120 : Q.rows();  // k = 1 at a training point is +infinity
      VectorX<double> expected_r(m), expected_lp(m);
      for (Index i = 0; i < m; ++i) {
        const double r2 = brute_squared_radius(X, Q.row(i).transpose(), k);
        expected_r(i) = std::sqrt(r2);
        expected_lp(i) = brute_log_density(r2, k, double(n), d);
      }
      CHECK(test::max_relative_error(knn.kth_neighbor_distance(Q.topRows(m)), expected_r) < 1e-12);
      CHECK(test::max_relative_error(knn.log_prob(Q.topRows(m)), expected_lp) < 1e-12);
      // The leaf size is a tuning knob only; one query at a time (no threads) is the same.
      KnnDensity<> coarse({.k = k, .leaf_size = 64});
      coarse.fit(X);
      CHECK(test::same_bits(coarse.log_prob(Q.topRows(m)), knn.log_prob(Q.topRows(m))));
      const VectorX<double> all = knn.log_prob(Q.topRows(m));
      bool same = true;
      for (Index i = 0; i < m; ++i)
        same = same && test::same_bits(knn.log_prob(Q.row(i)), all.segment(i, 1));
      CHECK(same);
    }
  }
}

TEST_CASE("KnnDensity<float> matches the brute force to float precision", "[density][knn]") {
  // Squared distances in float carry a relative error of ~d * 2^-24; (d/2) log r^2 turns it into
  // an absolute error below 1e-6 for d = 5, so 1e-5 leaves room for near-ties.
  alea::Rng rng{99};
  const Index n = 300, d = 5, k = 7;
  const MatrixX<float> X = alea::standard_normal<float>(rng, n, d);
  const MatrixX<float> Q = alea::standard_normal<float>(rng, 50, d);
  KnnDensity<float> knn({.k = k});
  knn.fit(X);
  const MatrixX<double> Xd = X.cast<double>();
  VectorX<double> expected(Q.rows());
  for (Index i = 0; i < Q.rows(); ++i)
    expected(i) = brute_log_density(
        brute_squared_radius(Xd, Q.row(i).transpose().cast<double>(), k), k, double(n), d);
  CHECK(test::max_relative_error(knn.log_prob(Q), expected) < 1e-5);
}

TEST_CASE("KnnDensity weighted fit matches a brute-force weighted k-NN", "[density][knn]") {
  alea::Rng rng{5};
  const Index n = 300, d = 2;
  const MatrixX<double> X = alea::standard_normal<double>(rng, n, d);
  const MatrixX<double> Q = alea::standard_normal<double>(rng, 80, d);
  VectorX<double> w = 2 * alea::uniform01<double>(rng, n, 1);
  for (Index i = 0; i < n; i += 7)
    w(i) = 0;  // dropped rows
  const double n_eff = w.sum() * w.sum() / w.squaredNorm();
  for (Index k : {1, 4, 20}) {
    INFO("k = " << k);
    KnnDensity<> knn({.k = k});
    knn.fit(X, w);
    CHECK(knn.effective_size() == Approx(n_eff).epsilon(1e-14));
    CHECK(knn.data().rows() == n - (n + 6) / 7);
    VectorX<double> expected(Q.rows());
    for (Index i = 0; i < Q.rows(); ++i)
      expected(i) =
          brute_log_density(brute_squared_radius(X, Q.row(i).transpose(), k, &w), k, n_eff, d);
    CHECK(test::max_relative_error(knn.log_prob(Q), expected) < 1e-12);
  }
}

TEST_CASE("KnnDensity: equal weights give the unweighted estimate, whatever their scale",
          "[density][knn]") {
  alea::Rng rng{17};
  const MatrixX<double> X = alea::standard_normal<double>(rng, 500, 3);
  const MatrixX<double> Q = alea::standard_normal<double>(rng, 100, 3);
  KnnDensity<> plain({.k = 8});
  plain.fit(X);
  const VectorX<double> expected = plain.log_prob(Q);
  for (double scale : {1.0, 0.1, 2.5, 1e6}) {
    INFO("scale = " << scale);
    KnnDensity<> weighted({.k = 8});
    weighted.fit(X, VectorX<double>::Constant(X.rows(), scale));
    CHECK(test::max_relative_error(weighted.log_prob(Q), expected) < 1e-12);
  }
  // k = n with equal weights: every weight is needed, and rounding must not make it unreachable.
  KnnDensity<> all({.k = 500});
  all.fit(X, VectorX<double>::Constant(X.rows(), 0.1));
  KnnDensity<> all_plain({.k = 500});
  all_plain.fit(X);
  CHECK(test::max_relative_error(all.log_prob(Q), all_plain.log_prob(Q)) < 1e-12);
}

TEST_CASE("KnnDensity is consistent for a 2-D standard normal", "[density][knn][statistical]") {
  // At the origin of N(0, I_2) the mass of the ball of radius r is F(r) = 1 - exp(-r^2 / 2), so
  // U = F(r_k(0)) is the k-th order statistic of n uniforms, exactly Beta(k, n - k + 1): a test
  // with no approximation and no bias. Tolerance: 4 standard deviations of that Beta.
  const Index n = 20000, k = 50;
  const MatrixX<double> origin = MatrixX<double>::Zero(1, 2);
  const double p0 = 1 / (2 * pi);
  {
    alea::Rng rng{12345};
    KnnDensity<> knn({.k = k});
    knn.fit(alea::standard_normal<double>(rng, n, 2));
    const double r = knn.kth_neighbor_distance(origin)(0);
    const double u = -std::expm1(-0.5 * r * r);
    const double mean = double(k) / double(n + 1);
    const double sd =
        std::sqrt(double(k) * double(n - k + 1) / (double(n + 1) * double(n + 1) * double(n + 2)));
    CHECK(std::abs(u - mean) < 4 * sd);
    // The estimate itself is k / (n pi r^2).
    CHECK(knn.log_prob(origin)(0) == Approx(std::log(double(k) / (double(n) * pi * r * r))));
  }
  // Within 10% of the true density 1 / (2 pi). One estimate has relative error ~1/sqrt(k) = 14%
  // (n pi r_k^2 p0 ~ Gamma(k, 1), so p_hat / p0 ~ k / Gamma(k, 1): mean k / (k - 1) = 1.020,
  // standard deviation 1 / sqrt(k - 2) = 0.144), so a single 10% check would fail about half the
  // time. The mean over 64 independent data sets has SE 0.144 / 8 = 0.018: bias 0.020 plus 4 SE
  // (0.072) plus the ball's curvature bias (mass k/n = 0.25%: < 0.2%) stays below 10%.
  const int replicates = 64;
  alea::Rng rng{777};
  double sum = 0;
  for (int rep = 0; rep < replicates; ++rep) {
    alea::Rng stream = rng.stream(std::uint64_t(rep));
    KnnDensity<> knn({.k = k});
    knn.fit(alea::standard_normal<double>(stream, n, 2));
    sum += std::exp(knn.log_prob(origin)(0)) / p0;
  }
  const double ratio = sum / replicates;
  CHECK(std::abs(ratio - 1) < 0.10);
  CHECK(std::abs(ratio - double(k) / double(k - 1)) < 4 * 0.144 / std::sqrt(double(replicates)));
}

TEST_CASE("KnnDensity samples the variable-kernel estimate: 1-D closed form",
          "[density][knn][statistical]") {
  // Data 0, 1, 3 with k = 1: h_i = distance to the nearest other point = 1, 1, 2, so the draws
  // follow (U[-1, 1] + U[0, 2] + U[1, 5]) / 3. Bin probabilities: P(x < 0) = 1/6,
  // P(0 <= x < 1) = 1/3, P(1 <= x < 2) = 1/4, P(x >= 2) = 1/4; mean 4/3. Tolerance: 4 binomial
  // standard errors sqrt(p (1 - p) / m).
  KnnDensity<> knn({.k = 1});
  knn.fit(column({0, 1, 3}));
  alea::Rng rng{3};
  const Index m = 200000;
  const MatrixX<double> draws = knn.sample(m, rng);
  REQUIRE(draws.rows() == m);
  REQUIRE(draws.cols() == 1);
  const auto x = draws.col(0).array();
  const double edges[] = {-infinity, 0, 1, 2, infinity};
  const double probability[] = {1 / 6.0, 1 / 3.0, 1 / 4.0, 1 / 4.0};
  for (int b = 0; b < 4; ++b) {
    const double share = double(((x >= edges[b]) && (x < edges[b + 1])).count()) / double(m);
    CHECK(std::abs(share - probability[b]) <
          4 * std::sqrt(probability[b] * (1 - probability[b]) / double(m)));
  }
  CHECK(x.minCoeff() >= -1);
  CHECK(x.maxCoeff() <= 5);
  // Variance of the mixture: E[var] + var of the centres = (1/3 + 1/3 + 4/3) / 3 + 14/9.
  const double variance = (2.0 / 3) + 14.0 / 9;
  CHECK(std::abs(x.mean() - 4.0 / 3) < 4 * std::sqrt(variance / double(m)));
}

TEST_CASE("KnnDensity samples uniformly in balls: second moment in 3-D",
          "[density][knn][statistical]") {
  // Two points at distance 1, k = 1: both balls have radius 1. A uniform point of the unit ball
  // in R^3 has E|x - c|^2 = 3/5, so around the midpoint E|x - m|^2 = 3/5 + 1/4 = 0.85; the mean
  // is the midpoint. Tolerances: 4 SE from the sample's own standard deviation.
  MatrixX<double> X = MatrixX<double>::Zero(2, 3);
  X(1, 0) = 1;
  KnnDensity<> knn({.k = 1});
  knn.fit(X);
  alea::Rng rng{8};
  const Index m = 100000;
  const MatrixX<double> draws = knn.sample(m, rng);
  MatrixX<double> centred = draws;
  centred.col(0).array() -= 0.5;
  const VectorX<double> s = centred.rowwise().squaredNorm();
  const double sd = std::sqrt((s.array() - s.mean()).square().mean());
  CHECK(std::abs(s.mean() - 0.85) < 4 * sd / std::sqrt(double(m)));
  CHECK(draws.col(1).cwiseAbs().maxCoeff() <= 1);
  CHECK(std::abs(draws.col(1).mean()) <
        4 * std::sqrt(0.2 / double(m)));  // var of a coordinate: 1/5
}

TEST_CASE("KnnDensity: weighted draws have the weighted mean; coincident points are atoms",
          "[density][knn][statistical]") {
  alea::Rng rng{21};
  const MatrixX<double> X = alea::standard_normal<double>(rng, 200, 2);
  const VectorX<double> w = alea::uniform01<double>(rng, 200, 1).array() + 0.1;
  KnnDensity<> knn({.k = 5});
  knn.fit(X, w);
  const Index m = 100000;
  const MatrixX<double> draws = knn.sample(m, rng);
  // Each ball is centred on its point, so the mixture's mean is the weighted mean of the data.
  const VectorX<double> mean = (X.transpose() * w) / w.sum();
  for (Index j = 0; j < 2; ++j) {
    const auto c = draws.col(j).array();
    const double sd = std::sqrt((c - c.mean()).square().mean());
    CHECK(std::abs(c.mean() - mean(j)) < 4 * sd / std::sqrt(double(m)));
  }

  // Data 0, 0, 0, 0, 1 with k = 3: each 0 has 3 other zeros, h = 0, so 4/5 of the draws are
  // exactly 0; the point 1 has h = 1 (draws uniform on [0, 2]).
  KnnDensity<> atoms({.k = 3});
  atoms.fit(column({0, 0, 0, 0, 1}));
  const MatrixX<double> a = atoms.sample(m, rng);
  const double zeros = double((a.col(0).array() == 0).count()) / double(m);
  CHECK(std::abs(zeros - 0.8) < 4 * std::sqrt(0.8 * 0.2 / double(m)));
  CHECK(a.minCoeff() >= 0);
  CHECK(a.maxCoeff() <= 2);
}

TEMPLATE_TEST_CASE("KnnDensity: sampling is reproducible and has the documented shape",
                   "[density][knn]", float, double) {
  using T = TestType;
  alea::Rng data_rng{1};
  const MatrixX<T> X = alea::standard_normal<T>(data_rng, 100, 3);
  KnnDensity<T> knn;
  knn.fit(X);
  alea::Rng a{42}, b{42};
  const MatrixX<T> first = knn.sample(500, a);
  CHECK(first.rows() == 500);
  CHECK(first.cols() == 3);
  CHECK(first.allFinite());
  CHECK(test::same_bits(first, knn.sample(500, b)));
  CHECK(knn.sample(0, a).rows() == 0);
  // A single training point with k = 1: h = 0, every draw is that point.
  KnnDensity<T> single({.k = 1});
  single.fit(X.topRows(1));
  const MatrixX<T> same = single.sample(10, a);
  CHECK((same.rowwise() - X.row(0)).cwiseAbs().maxCoeff() == T(0));
}

TEST_CASE("KnnDensity: bad input raises the documented exceptions", "[density][knn][errors]") {
  alea::Rng rng{4};
  const MatrixX<double> X = alea::standard_normal<double>(rng, 10, 2);
  KnnDensity<> knn;
  SECTION("settings") {
    REQUIRE_THROWS_AS(KnnDensity<>({.k = 0}), alea::InvalidArgument);
    REQUIRE_THROWS_WITH(KnnDensity<>({.k = 0}),
                        "alea::KnnDensity::KnnDensity: k is 0, but must be positive");
    REQUIRE_THROWS_WITH(KnnDensity<>({.k = -3}),
                        "alea::KnnDensity::KnnDensity: k is -3, but must be positive");
    REQUIRE_THROWS_WITH(KnnDensity<>({.leaf_size = 0}),
                        "alea::KnnDensity::KnnDensity: leaf_size is 0, but must be positive");
  }
  SECTION("k larger than n") {
    KnnDensity<> eleven({.k = 11});
    REQUIRE_THROWS_AS(eleven.fit(X), alea::InvalidArgument);
    REQUIRE_THROWS_WITH(eleven.fit(X), "alea::KnnDensity::fit: k is 11, but X has only 10 rows");
    REQUIRE_THROWS_WITH(KnnDensity<>({.k = 2}).fit(X.topRows(1)),
                        "alea::KnnDensity::fit: k is 2, but X has only 1 row");
    REQUIRE_FALSE(eleven.is_fitted());  // a failed fit leaves the model as it was
    REQUIRE_NOTHROW(KnnDensity<>({.k = 10}).fit(X));
  }
  SECTION("NaN, Inf and empty X") {
    MatrixX<double> bad = X;
    bad(3, 1) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_THROWS_WITH(knn.fit(bad), "alea::KnnDensity::fit: X has a NaN at row 3, column 1");
    bad(3, 1) = -infinity;
    REQUIRE_THROWS_WITH(knn.fit(bad), "alea::KnnDensity::fit: X has -Inf at row 3, column 1");
    REQUIRE_THROWS_WITH(knn.fit(MatrixX<double>(0, 2)),
                        "alea::KnnDensity::fit: X is empty (0 x 2); at least one row and one "
                        "column are needed");
    knn.fit(X);
    MatrixX<double> query = MatrixX<double>::Zero(2, 2);
    query(1, 0) = infinity;
    REQUIRE_THROWS_WITH(knn.log_prob(query),
                        "alea::KnnDensity::log_prob: X has +Inf at row 1, column 0");
    REQUIRE_THROWS_WITH(knn.log_prob(MatrixX<double>(0, 2)),
                        "alea::KnnDensity::log_prob: X is empty (0 x 2); at least one row and one "
                        "column are needed");
  }
  SECTION("dimension mismatch") {
    knn.fit(X);
    REQUIRE_THROWS_WITH(knn.log_prob(MatrixX<double>::Zero(4, 3)),
                        "alea::KnnDensity::log_prob: X has 3 columns, but the model has "
                        "dimension 2");
    REQUIRE_THROWS_WITH(knn.kth_neighbor_distance(MatrixX<double>::Zero(4, 1)),
                        "alea::KnnDensity::kth_neighbor_distance: X has 1 columns, but the model "
                        "has dimension 2");
  }
  SECTION("not fitted") {
    REQUIRE_THROWS_AS(knn.log_prob(X), alea::NotFittedError);
    REQUIRE_THROWS_WITH(knn.log_prob(X),
                        "alea::KnnDensity::log_prob: the model is not fitted; call fit() first");
    REQUIRE_THROWS_AS(knn.score(X), alea::NotFittedError);
    REQUIRE_THROWS_WITH(knn.sample(3, rng),
                        "alea::KnnDensity::sample: the model is not fitted; call fit() first");
    REQUIRE_THROWS_AS(knn.data(), alea::NotFittedError);
    REQUIRE_THROWS_WITH(alea::save(knn, test::temporary_folder("knn-unfitted") / "m.json"),
                        "alea::save: the model is not fitted; call fit() first");
    CHECK(knn.dim() == 0);
  }
  SECTION("sample size") {
    knn.fit(X);
    REQUIRE_THROWS_WITH(knn.sample(-1, rng),
                        "alea::KnnDensity::sample: n is -1, but must be non-negative");
  }
  SECTION("weights") {
    REQUIRE_THROWS_WITH(knn.fit(X, VectorX<double>::Ones(3)),
                        "alea::KnnDensity::fit: sample_weight has 3 entries, but X has 10 rows");
    VectorX<double> w = VectorX<double>::Ones(10);
    w(4) = -1;
    REQUIRE_THROWS_WITH(knn.fit(X, w),
                        "alea::KnnDensity::fit: sample_weight has a negative entry -1 at index 4; "
                        "weights must be non-negative");
    REQUIRE_THROWS_WITH(knn.fit(X, VectorX<double>::Zero(10)),
                        "alea::KnnDensity::fit: sample_weight sums to 0; at least one weight must "
                        "be positive");
    // Weights 1, 1, 1, 3: (sum w)^2 / sum w^2 = 36 / 12 = 3 < k = 4, although n = 4.
    KnnDensity<> four({.k = 4});
    REQUIRE_THROWS_WITH(four.fit(X.topRows(4), VectorX<double>{{1, 1, 1, 3}}),
                        "alea::KnnDensity::fit: k is 4, but sample_weight gives an effective "
                        "sample size (sum w)^2 / sum w^2 of only 3");
    REQUIRE_NOTHROW(KnnDensity<>({.k = 3}).fit(X.topRows(4), VectorX<double>{{1, 1, 1, 3}}));
  }
}

TEMPLATE_TEST_CASE("KnnDensity: save and load reproduce the estimator exactly",
                   "[density][knn][io]", float, double) {
  using T = TestType;
  alea::Rng rng{31};
  const MatrixX<T> X = alea::standard_normal<T>(rng, 60, 3);
  const MatrixX<T> Q = alea::standard_normal<T>(rng, 20, 3);
  const auto folder = test::temporary_folder(std::string("knn-") + alea::scalar_name<T>());
  KnnDensity<T> plain({.k = 4, .leaf_size = 3});
  plain.fit(X);
  alea::save(plain, folder / "plain.json");
  const auto back = alea::load<KnnDensity<T>>(folder / "plain.json");
  CHECK(back.k() == 4);
  CHECK(back.settings().leaf_size == 3);
  CHECK(test::same_bits(back.log_prob(Q), plain.log_prob(Q)));  // JSON keeps 17 digits
  alea::Rng a{9}, b{9};
  CHECK(test::same_bits(back.sample(50, a), plain.sample(50, b)));

  VectorX<T> w = alea::uniform01<T>(rng, 60, 1);
  w(0) = 0;
  KnnDensity<T> weighted({.k = 4});
  weighted.fit(X, w);
  alea::save(weighted, folder / "weighted.json");
  const auto wback = alea::load<KnnDensity<T>>(folder / "weighted.json");
  CHECK(wback.weights().size() == 59);
  CHECK(test::same_bits(wback.log_prob(Q), weighted.log_prob(Q)));

  // The model name records the scalar: a file of the other type is refused.
  using Other = KnnDensity<std::conditional_t<std::is_same_v<T, float>, double, float>>;
  REQUIRE_THROWS_AS(alea::load<Other>(folder / "plain.json"), alea::FormatError);
}

TEST_CASE("KnnDensity: a damaged model file raises FormatError", "[density][knn][io]") {
  const auto folder = test::temporary_folder("knn-damaged");
  KnnDensity<> knn({.k = 3});
  knn.fit(column({0, 1, 2, 3}));
  nlohmann::json document = alea::to_document(knn);
  SECTION("k larger than the stored data") {
    document["data"]["k"] = 9;
    test::write_text(folder / "m.json", document.dump());
    REQUIRE_THROWS_AS(alea::load<KnnDensity<>>(folder / "m.json"), alea::FormatError);
    REQUIRE_THROWS_WITH(alea::load<KnnDensity<>>(folder / "m.json"),
                        Catch::Contains("k is 9, but X has only 4 rows"));
  }
  SECTION("missing field") {
    document["data"].erase("leaf_size");
    test::write_text(folder / "m.json", document.dump());
    REQUIRE_THROWS_WITH(alea::load<KnnDensity<>>(folder / "m.json"),
                        Catch::Contains("field 'leaf_size' is missing"));
  }
  SECTION("non-finite data") {
    document["data"]["data"]["data"][2] = "NaN";
    test::write_text(folder / "m.json", document.dump());
    REQUIRE_THROWS_AS(alea::load<KnnDensity<>>(folder / "m.json"), alea::FormatError);
  }
  SECTION("weights of the wrong length") {
    document["data"]["weights"] = alea::json::encode_matrix(VectorX<double>::Ones(3));
    test::write_text(folder / "m.json", document.dump());
    REQUIRE_THROWS_WITH(alea::load<KnnDensity<>>(folder / "m.json"),
                        Catch::Contains("sample_weight has 3 entries, but X has 4 rows"));
  }
}

TEST_CASE("KnnDensity satisfies the concepts it claims", "[density][knn]") {
  STATIC_REQUIRE(alea::GenerativeModel<KnnDensity<>>);
  STATIC_REQUIRE(alea::WeightedEstimator<KnnDensity<float>>);
  STATIC_REQUIRE(alea::Persistable<KnnDensity<>>);
  // Copies share the immutable tree; refitting a copy leaves the original alone.
  KnnDensity<> a({.k = 1});
  a.fit(column({0, 1}));
  KnnDensity<> b = a;
  b.fit(column({0, 10}));
  CHECK(a.log_prob(column({0.5}))(0) == Approx(std::log(1 / (2 * 2 * 0.5))));
  CHECK(b.log_prob(column({0.5}))(0) == Approx(std::log(1 / (2 * 2 * 0.5))));
  CHECK(b.log_prob(column({6}))(0) == Approx(std::log(1 / (2 * 2 * 4.0))));
  CHECK(a.log_prob(column({6}))(0) == Approx(std::log(1 / (2 * 2 * 5.0))));
}
