#include <Eigen/LU>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <string>

#include "alea/core/random.hpp"
#include "alea/density/gaussian.hpp"
#include "alea/info/transport.hpp"
#include "fixtures.hpp"

using alea::Gaussian;
using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace info = alea::info;
namespace test = alea::test;

// test::close_to's 1e-12 relative: SciPy and alea form the same CDF differences and products;
// only the order of summation of non-negative terms differs (numpy pairwise, alea sequential),
// so on <= 1700 terms they agree far below 1e-12 relative.

TEST_CASE("info: SciPy's docstring examples of wasserstein_distance and energy_distance",
          "[info][transport]") {
  // Printed in the docstrings of scipy.stats.wasserstein_distance and energy_distance (SciPy
  // 1.10); tests/fixtures/info_scipy.py recomputes them.
  const VectorX<double> u = test::vec({0, 1, 3});
  const VectorX<double> v = test::vec({5, 6, 8});
  CHECK(info::wasserstein_1d(u, v) == 5.0);
  CHECK(info::wasserstein_1d(test::vec({0, 1}), test::vec({0, 1}), test::vec({3, 1}), test::vec({2, 2})) == 0.25);
  CHECK(info::wasserstein_1d(test::vec({3.4, 3.9, 7.5, 7.8}), test::vec({4.5, 1.4}), test::vec({1.4, 0.9, 3.1, 7.2}),
                             test::vec({3.2, 3.5})) == Approx(4.0781331438047861).epsilon(1e-15));
  CHECK(info::energy_distance_1d(VectorX<double>::Constant(1, 0.0),
                                 VectorX<double>::Constant(1, 2.0)) == Approx(2.0).epsilon(1e-15));
  CHECK(info::energy_distance_1d(test::vec({0, 8}), test::vec({0, 8}), test::vec({3, 1}), test::vec({2, 2})) ==
        Approx(1.0).epsilon(1e-15));
  CHECK(info::energy_distance_1d(test::vec({0.7, 7.4, 2.4, 6.8}), test::vec({1.4, 8.0}),
                                 test::vec({2.1, 4.2, 7.4, 8.0}),
                                 test::vec({7.6, 8.8})) == Approx(0.88003340976158217).epsilon(1e-15));

  const auto& doc = test::fixture("info_scipy.json")["docstrings"];
  for (const auto& c : doc["wasserstein"]) {
    const VectorX<double> a = test::vector(c["u"]);
    const VectorX<double> b = test::vector(c["v"]);
    const double value =
        c.contains("u_weights")
            ? info::wasserstein_1d(a, b, test::vector(c["u_weights"]), test::vector(c["v_weights"]))
            : info::wasserstein_1d(a, b);
    CHECK(test::close_to(value, c["value"].get<double>()));
  }
  for (const auto& c : doc["energy"]) {
    const VectorX<double> a = test::vector(c["u"]);
    const VectorX<double> b = test::vector(c["v"]);
    const double value = c.contains("u_weights")
                             ? info::energy_distance_1d(a, b, test::vector(c["u_weights"]),
                                                        test::vector(c["v_weights"]))
                             : info::energy_distance_1d(a, b);
    CHECK(test::close_to(value, c["value"].get<double>()));
  }
}

TEST_CASE("info: 1-D Wasserstein and energy distances match SciPy on random samples",
          "[info][transport]") {
  for (const auto& c : test::fixture("info_scipy.json")["transport"]) {
    const VectorX<double> u = test::vector(c["u"]);
    const VectorX<double> v = test::vector(c["v"]);
    const VectorX<double> uw = test::vector(c["u_weights"]);
    const VectorX<double> vw = test::vector(c["v_weights"]);
    CAPTURE(u.size(), v.size());
    CHECK(test::close_to(info::wasserstein_1d(u, v), c["wasserstein"].get<double>()));
    CHECK(test::close_to(info::energy_distance_1d(u, v), c["energy"].get<double>()));
    CHECK(test::close_to(info::wasserstein_1d(u, v, uw, vw), c["wasserstein_weighted"].get<double>()));
    CHECK(test::close_to(info::energy_distance_1d(u, v, uw, vw), c["energy_weighted"].get<double>()));
    // float data: the values round to float (6e-8 relative), the sums run in double.
    const VectorX<float> uf = u.cast<float>();
    const VectorX<float> vf = v.cast<float>();
    CHECK(test::close_to(info::wasserstein_1d(uf, vf), c["wasserstein"].get<double>(), 1e-5));
  }
}

TEST_CASE("info: 1-D distance identities", "[info][transport]") {
  alea::Rng rng{12};
  const VectorX<double> u = alea::standard_normal(rng, 40, 1);
  const VectorX<double> v = alea::standard_normal(rng, 25, 1).array() * 2.0 + 0.3;
  // A shift moves every quantile by c: W1 = |c|.
  const VectorX<double> shifted = u.array() + 1.75;
  CHECK(info::wasserstein_1d(u, shifted) == Approx(1.75).epsilon(1e-14));
  // Symmetric, zero on equal samples, invariant to the order of the observations.
  CHECK(info::wasserstein_1d(u, v) == Approx(info::wasserstein_1d(v, u)).epsilon(1e-15));
  CHECK(info::wasserstein_1d(u, u) == 0.0);
  CHECK(info::energy_distance_1d(v, v) == 0.0);
  const VectorX<double> reversed = u.reverse();
  CHECK(info::wasserstein_1d(reversed, v) == Approx(info::wasserstein_1d(u, v)).epsilon(1e-15));
  // Equal weights are the unweighted distance; integer weights repeat observations.
  CHECK(info::wasserstein_1d(u, v, VectorX<double>::Constant(40, 2.5), VectorX<double>::Ones(25)) ==
        Approx(info::wasserstein_1d(u, v)).epsilon(1e-14));
  VectorX<double> counts(3);
  counts << 1, 3, 2;
  const VectorX<double> values = test::vec({-1.0, 0.5, 2.0});
  VectorX<double> repeated(6);
  repeated << -1.0, 0.5, 0.5, 0.5, 2.0, 2.0;
  CHECK(info::wasserstein_1d(values, v, counts, VectorX<double>::Ones(25)) ==
        Approx(info::wasserstein_1d(repeated, v)).epsilon(1e-14));
  CHECK(info::energy_distance_1d(values, v, counts, VectorX<double>::Ones(25)) ==
        Approx(info::energy_distance_1d(repeated, v)).epsilon(1e-14));
  // Energy distance^2 = 2 E|X - Y| - E|X - X'| - E|Y - Y'| (Szekely and Rizzo), by brute force.
  const auto mean_distance = [](const VectorX<double>& a, const VectorX<double>& b) {
    return (a.replicate(1, b.size()).rowwise() - b.transpose()).cwiseAbs().mean();
  };
  const double e2 = 2 * mean_distance(u, v) - mean_distance(u, u) - mean_distance(v, v);
  CHECK(info::energy_distance_1d(u, v) == Approx(std::sqrt(e2)).epsilon(1e-13));
}

TEST_CASE("info: Gaussian W2 matches the closed forms", "[info][transport]") {
  SECTION("commuting (diagonal) covariances: ||m_p - m_q||^2 + sum (sqrt a_i - sqrt b_i)^2") {
    VectorX<double> a(3), b(3), mp(3), mq(3);
    a << 1.0, 4.0, 0.25;
    b << 9.0, 1.0, 0.25;
    mp << 0, 1, 2;
    mq << 1, 1, -1;
    const double expected = std::sqrt(1 + 9 + (1 - 3) * (1 - 3) + (2 - 1) * (2 - 1));
    const auto p = Gaussian<>::from_diagonal(mp, a);
    const auto q = Gaussian<>::from_diagonal(mq, b);
    CHECK(info::wasserstein2(p, q) == Approx(expected).epsilon(1e-14));
    // Rotating both by the same orthogonal matrix keeps them commuting and W2 unchanged.
    const Eigen::Matrix3d R =
        Eigen::AngleAxisd(0.7, Eigen::Vector3d(1, 2, 3).normalized()).toRotationMatrix();
    const Gaussian<> pr(R * mp, R * a.asDiagonal() * R.transpose());
    const Gaussian<> qr(R * mq, R * b.asDiagonal() * R.transpose());
    CHECK(info::wasserstein2(pr, qr) == Approx(expected).epsilon(1e-13));
  }
  SECTION("2 x 2: tr (S_q^1/2 S_p S_q^1/2)^1/2 = sqrt(tr(S_p S_q) + 2 sqrt(det S_p det S_q))") {
    // For a 2 x 2 positive semi-definite M, tr M^1/2 = sqrt(tr M + 2 sqrt(det M)).
    alea::Rng rng{21};
    for (int trial = 0; trial < 10; ++trial) {
      const MatrixX<double> Sp = test::random_covariance(rng, 2);
      const MatrixX<double> Sq = test::random_covariance(rng, 2);
      const VectorX<double> mp = alea::standard_normal(rng, 2, 1);
      const VectorX<double> mq = alea::standard_normal(rng, 2, 1);
      const double cross =
          std::sqrt((Sp * Sq).trace() + 2 * std::sqrt(Sp.determinant() * Sq.determinant()));
      const double expected =
          std::sqrt((mp - mq).squaredNorm() + Sp.trace() + Sq.trace() - 2 * cross);
      const Gaussian<> p(mp, Sp);
      const Gaussian<> q(mq, Sq);
      // The squared distance is a difference of O(1) traces: 1e-15 absolute on W2^2 ~ 1.
      CHECK(info::wasserstein2(p, q) == Approx(expected).epsilon(1e-13));
      CHECK(info::wasserstein2(q, p) == Approx(expected).epsilon(1e-13));
      CHECK(info::wasserstein2(mp, Sp, mq, Sq) == info::wasserstein2(p, q));
    }
  }
  SECTION("W2(P, P) is 0 up to rounding; the triangle inequality holds") {
    alea::Rng rng{4};
    const MatrixX<double> S = test::random_covariance(rng, 6);
    const Gaussian<> p(VectorX<double>::Zero(6), S);
    // W2^2 = tr S + tr S - 2 tr S cancels to ~eps tr S: W2 <= sqrt(1e3 eps tr S), ~1e-6 here.
    const double w = info::wasserstein2(p, p);
    CHECK(w * w <= 1e3 * std::numeric_limits<double>::epsilon() * 2 * S.trace());
    const Gaussian<> q(VectorX<double>::Constant(6, 0.5), test::random_covariance(rng, 6));
    const Gaussian<> r(VectorX<double>::Constant(6, -0.5), test::random_covariance(rng, 6));
    CHECK(info::wasserstein2(p, r) <= info::wasserstein2(p, q) + info::wasserstein2(q, r));
  }
  SECTION("rank-deficient covariances give finite, exact results") {
    // Degenerate normals on the lines spanned by a and b: S_p = a a^T, S_q = b b^T. Then
    // S_q^1/2 = b b^T / |b| and tr (S_q^1/2 S_p S_q^1/2)^1/2 = |a . b|, so
    // W2^2 = |a|^2 + |b|^2 - 2 |a . b| (plus the means).
    const VectorX<double> a = test::vec({1.0, 2.0, 0.0});
    const VectorX<double> b = test::vec({0.5, -1.0, 3.0});
    const MatrixX<double> Sp = a * a.transpose();
    const MatrixX<double> Sq = b * b.transpose();
    const VectorX<double> m = test::vec({0.0, 0.0, 1.0});
    const double expected =
        std::sqrt(m.squaredNorm() + a.squaredNorm() + b.squaredNorm() - 2 * std::abs(a.dot(b)));
    // Eigenvalues of rank-1 matrices come out as +-1e-16; clamped, they cost ~1e-8 relative
    // on each square root of a vanishing eigenvalue, summed into W2^2 ~ 15.
    CHECK(info::wasserstein2(VectorX<double>::Zero(3), Sp, m, Sq) ==
          Approx(expected).epsilon(1e-7));
    const MatrixX<double> zero = MatrixX<double>::Zero(3, 3);
    CHECK(info::wasserstein2(VectorX<double>::Zero(3), zero, m, zero) ==
          Approx(1.0).epsilon(1e-15));
    CHECK(std::isfinite(info::wasserstein2(VectorX<double>::Zero(3), Sp, m, zero)));
  }
  SECTION("Gaussian<float>") {
    MatrixX<float> S(2, 2);
    S << 2.0f, 0.3f, 0.3f, 1.0f;
    const Gaussian<float> p(VectorX<float>::Zero(2), S);
    const Gaussian<float> q(VectorX<float>::Ones(2), MatrixX<float>::Identity(2, 2));
    const double reference =
        info::wasserstein2(Gaussian<>(VectorX<double>::Zero(2), S.cast<double>()),
                           Gaussian<>(VectorX<double>::Ones(2), MatrixX<double>::Identity(2, 2)));
    CHECK(info::wasserstein2(p, q) == Approx(reference).epsilon(1e-6));  // computed in double
  }
}

TEST_CASE("info: sliced Wasserstein of a translation matches its expectation",
          "[info][transport]") {
  // Y = X + c: every projection is shifted by theta . c, so W_2^2(theta) = (theta . c)^2 exactly,
  // with mean |c|^2 / d over the sphere and standard deviation |c|^2 sqrt(2 (d - 1) / (d + 2)) / d.
  // The estimate of SW_2^2 from L directions is within 4 standard errors (sd / sqrt(L)).
  alea::Rng rng{31};
  const Index d = 5;
  const Index L = 400;
  const MatrixX<double> X = alea::standard_normal(rng, 300, d);
  const VectorX<double> c = VectorX<double>::LinSpaced(d, -1.0, 2.0);
  const MatrixX<double> Y = X.rowwise() + c.transpose();
  const double c2 = c.squaredNorm();
  const double sd = c2 * std::sqrt(2.0 * (d - 1) / (d + 2)) / d;
  const double sw = info::sliced_wasserstein(X, Y, L, rng);
  CHECK(std::abs(sw * sw - c2 / d) < 4 * sd / std::sqrt(double(L)));
  // p = 1: E|theta . c| over the sphere is no simple closed form in d = 5, but the same
  // directions give W_1(theta) = |theta . c| <= |c|, and SW_1 <= SW_2 (Jensen).
  alea::Rng same{99};
  alea::Rng again{99};
  const double sw1 = info::sliced_wasserstein(X, Y, L, same, 1.0);
  CHECK(sw1 <= info::sliced_wasserstein(X, Y, L, again, 2.0));
  CHECK(sw1 <= std::sqrt(c2));
}

TEST_CASE("info: sliced Wasserstein identities", "[info][transport]") {
  alea::Rng rng{5};
  const MatrixX<double> X = alea::standard_normal(rng, 60, 3);
  const MatrixX<double> Z = alea::standard_normal(rng, 45, 3);
  SECTION("directions are one stream of the engine, whatever the 64-projection blocking") {
    // SW_2^2 is a mean over directions: 100 directions (blocks of 64 and 36) give the weighted
    // mean of a run of 64 and a run of the next 36 from the same engine. Only the order of the
    // additions differs, hence 1e-14.
    alea::Rng a{7};
    const double first = info::sliced_wasserstein(X, Z, 64, a);
    const double next = info::sliced_wasserstein(X, Z, 36, a);
    alea::Rng b{7};
    const double all = info::sliced_wasserstein(X, Z, 100, b);
    CHECK(all * all == Approx((64 * first * first + 36 * next * next) / 100).epsilon(1e-14));
    alea::Rng c{7};
    CHECK(info::sliced_wasserstein(X, Z, 100, c) == all);
  }
  SECTION("a sample and its duplicate have distance 0, whatever the sizes") {
    MatrixX<double> doubled(120, 3);
    doubled << X, X;
    alea::Rng r{1};
    CHECK(info::sliced_wasserstein(X, doubled, 50, r) == Approx(0.0).margin(1e-15));
  }
  SECTION("in 1-D, every direction is +-1: SW_p is the 1-D W_p") {
    const MatrixX<double> x = X.col(0);
    const MatrixX<double> z = Z.col(0);
    alea::Rng r{2};
    CHECK(info::sliced_wasserstein(x, z, 3, r, 1.0) ==
          Approx(info::wasserstein_1d(VectorX<double>(x), VectorX<double>(z))).epsilon(1e-13));
    // Equal sizes, p = 2: sqrt(mean (x_(i) - y_(i))^2) of the sorted samples.
    VectorX<double> xs = X.col(1).head(45);
    VectorX<double> zs = Z.col(1);
    std::sort(xs.begin(), xs.end());
    std::sort(zs.begin(), zs.end());
    const MatrixX<double> x2 = X.col(1).head(45);
    const MatrixX<double> z2 = Z.col(1);
    CHECK(info::sliced_wasserstein(x2, z2, 2, r) ==
          Approx(std::sqrt((xs - zs).squaredNorm() / 45)).epsilon(1e-14));
    CHECK(info::sliced_wasserstein(x2, z2, 2, r, 3.0) ==
          Approx(std::cbrt((xs - zs).array().abs().cube().mean())).epsilon(1e-14));
  }
  SECTION("float samples: the translation expectation holds too") {
    // As in the translation test: W_2^2(theta) = (theta . c)^2 up to float rounding (~1e-6
    // relative), far inside 4 Monte Carlo standard errors (~20% here).
    alea::Rng r{3};
    const Index d = 3;
    const Index L = 200;
    const MatrixX<float> Xf = X.cast<float>();
    const Eigen::RowVector3f c{0.5f, -1.0f, 2.0f};
    const MatrixX<float> Yf = Xf.rowwise() + c;
    const double c2 = c.squaredNorm();
    const double sd = c2 * std::sqrt(2.0 * (d - 1) / (d + 2)) / d;
    const float sw = info::sliced_wasserstein(Xf, Yf, L, r);
    CHECK(std::abs(double(sw) * sw - c2 / d) < 4 * sd / std::sqrt(double(L)));
  }
}

TEST_CASE("info: transport distances reject bad input with clear messages",
          "[info][transport][errors]") {
  const VectorX<double> u = test::vec({0, 1, 3});
  const VectorX<double> v = test::vec({5, 6});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  SECTION("samples and weights") {
    REQUIRE_THROWS_AS(info::wasserstein_1d(VectorX<double>(), v), alea::InvalidArgument);
    REQUIRE_THROWS_WITH(info::wasserstein_1d(VectorX<double>(), v),
                        "alea::info::wasserstein_1d: u is empty (0 x 1); at least one row and "
                        "one column are needed");
    REQUIRE_THROWS_WITH(info::energy_distance_1d(u, test::vec({1, nan})),
                        "alea::info::energy_distance_1d: v has a NaN at index 1");
    REQUIRE_THROWS_WITH(info::wasserstein_1d(MatrixX<double>::Zero(2, 2), v),
                        "alea::info::wasserstein_1d: u is 2 x 2, but must be a vector");
    REQUIRE_THROWS_WITH(info::wasserstein_1d(u, v, test::vec({1, 1}), test::vec({1, 1})),
                        "alea::info::wasserstein_1d: u_weights has 2 entries, but u has 3");
    REQUIRE_THROWS_WITH(
        info::wasserstein_1d(u, v, test::vec({1, -1, 1}), test::vec({1, 1})),
        "alea::info::wasserstein_1d: u_weights has a negative entry -1 at index 1; weights "
        "must be non-negative");
    REQUIRE_THROWS_WITH(
        info::energy_distance_1d(u, v, test::vec({1, 1, 1}), VectorX<double>::Zero(2)),
        "alea::info::energy_distance_1d: v_weights sums to 0; at least one weight must be "
        "positive");
    REQUIRE_THROWS_WITH(info::energy_distance_1d(u, v, test::vec({1, nan, 1}), test::vec({1, 1})),
                        "alea::info::energy_distance_1d: u_weights has a NaN at index 1");
    REQUIRE_THROWS_WITH(info::wasserstein_1d(u, v, test::vec({1e308, 1e308, 1e308}), test::vec({1, 1})),
                        "alea::info::wasserstein_1d: u_weights sums to an overflow; rescale the "
                        "weights");
  }
  SECTION("Gaussians and their parameters") {
    const Gaussian<> g2(VectorX<double>::Zero(2), MatrixX<double>::Identity(2, 2));
    const Gaussian<> g3(VectorX<double>::Zero(3), MatrixX<double>::Identity(3, 3));
    REQUIRE_THROWS_WITH(info::wasserstein2(g2, g3),
                        "alea::info::wasserstein2: q has dimension 3, but p has dimension 2");
    REQUIRE_THROWS_AS(info::wasserstein2(Gaussian<>(), g2), alea::NotFittedError);
    const MatrixX<double> I = MatrixX<double>::Identity(2, 2);
    const VectorX<double> m = VectorX<double>::Zero(2);
    REQUIRE_THROWS_WITH(info::wasserstein2(m, I, VectorX<double>::Zero(3), I),
                        "alea::info::wasserstein2: mean_q has 3 entries, but mean_p has 2");
    REQUIRE_THROWS_WITH(info::wasserstein2(m, MatrixX<double>::Identity(3, 3), m, I),
                        "alea::info::wasserstein2: cov_p is 3 x 3, but mean_p has 2 entries");
    REQUIRE_THROWS_WITH(info::wasserstein2(m, I, m, MatrixX<double>{{1, 0.2}, {0.5, 1}}),
                        "alea::info::wasserstein2: cov_q is not symmetric: entry (1, 0) is 0.5 "
                        "but (0, 1) is 0.2");
    REQUIRE_THROWS_WITH(info::wasserstein2(m, MatrixX<double>{{2, 0}, {0, -1}}, m, I),
                        "alea::info::wasserstein2: cov_p is not positive semi-definite: its "
                        "smallest eigenvalue is -1");
    REQUIRE_THROWS_WITH(info::wasserstein2(m, MatrixX<double>{{1, nan}, {nan, 1}}, m, I),
                        "alea::info::wasserstein2: cov_p has a NaN at row 1, column 0");
  }
  SECTION("sliced Wasserstein") {
    alea::Rng rng{1};
    const MatrixX<double> X = MatrixX<double>::Zero(4, 2);
    REQUIRE_THROWS_WITH(info::sliced_wasserstein(X, MatrixX<double>::Zero(4, 3), 10, rng),
                        "alea::info::sliced_wasserstein: Y has 3 columns, but X has 2");
    REQUIRE_THROWS_WITH(info::sliced_wasserstein(X, X, 0, rng),
                        "alea::info::sliced_wasserstein: n_projections is 0, but must be "
                        "positive");
    REQUIRE_THROWS_WITH(info::sliced_wasserstein(X, X, 10, rng, 0.5),
                        "alea::info::sliced_wasserstein: p is 0.5, but must be at least 1");
    REQUIRE_THROWS_WITH(info::sliced_wasserstein(MatrixX<double>(0, 2), X, 10, rng),
                        "alea::info::sliced_wasserstein: X is empty (0 x 2); at least one row "
                        "and one column are needed");
  }
}
