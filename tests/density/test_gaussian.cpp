#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "alea/density/gaussian.hpp"
#include "alea/io/model_file.hpp"
#include "fixtures.hpp"

using alea::CovarianceType;
using alea::Gaussian;
using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace test = alea::test;

namespace {

// Tolerance for comparing with SciPy: both sides do O(d^3) dense algebra on well-conditioned
// 3 x 3 matrices; double agrees to ~1e-13 relative, float to a few float ulps times the
// condition number (~1e2), so 2e-4.
template <class T>
double tolerance() {
  return std::is_same_v<T, float> ? 2e-4 : 1e-11;
}

}  // namespace

TEMPLATE_TEST_CASE("Gaussian MLE equals the sample mean and the biased covariance",
                   "[density][gaussian]", float, double) {
  using T = TestType;
  const auto& ref = test::fixture("gaussian_scipy.json");
  const MatrixX<T> X = test::matrix<T>(ref["X"]);
  const MatrixX<T> Q = test::matrix<T>(ref["Q"]);
  for (const auto& [name, type] :
       {std::pair{"full", CovarianceType::full}, std::pair{"diag", CovarianceType::diag},
        std::pair{"spherical", CovarianceType::spherical}}) {
    INFO(name);
    Gaussian<T> g({.covariance_type = type});
    g.fit(X);
    const auto& expected = ref[name];
    CHECK(test::max_relative_error(g.mean(), test::vector(expected["mean"])) < tolerance<T>());
    CHECK(test::max_relative_error(g.covariance(), test::matrix(expected["covariance"])) <
          tolerance<T>());
    // Q[0] is 30 units from the data: its log density (~ -1055) must be exact, not -inf.
    CHECK(test::max_relative_error(g.log_prob(Q), test::vector(expected["logpdf"])) <
          tolerance<T>());
    CHECK(std::abs(g.entropy() - double(expected["entropy"])) < tolerance<T>());
    CHECK(g.status().converged);
  }
}

TEMPLATE_TEST_CASE("Gaussian weighted fit and reg_covar match NumPy and SciPy",
                   "[density][gaussian]", float, double) {
  using T = TestType;
  const auto& ref = test::fixture("gaussian_scipy.json");
  const MatrixX<T> X = test::matrix<T>(ref["X"]);
  const MatrixX<T> Q = test::matrix<T>(ref["Q"]);
  Gaussian<T> g;
  g.fit(X, test::vector<T>(ref["weights"]));
  CHECK(test::max_relative_error(g.covariance(), test::matrix(ref["weighted"]["covariance"])) <
        tolerance<T>());
  CHECK(test::max_relative_error(g.log_prob(Q), test::vector(ref["weighted"]["logpdf"])) <
        tolerance<T>());

  Gaussian<T> r({.reg_covar = 0.25});
  r.fit(X);
  CHECK(test::max_relative_error(r.log_prob(Q), test::vector(ref["reg_covar"]["logpdf"])) <
        tolerance<T>());
}

TEST_CASE("Gaussian: integer weights equal repeated rows", "[density][gaussian]") {
  const MatrixX<double> X = test::matrix(test::fixture("gaussian_scipy.json")["X"]).topRows(10);
  VectorX<double> w(10);
  w << 1, 2, 0, 3, 1, 1, 2, 1, 4, 1;
  MatrixX<double> repeated(static_cast<Index>(w.sum()), X.cols());
  Index row = 0;
  for (Index i = 0; i < 10; ++i)
    for (int k = 0; k < w(i); ++k)
      repeated.row(row++) = X.row(i);
  Gaussian<> weighted, plain;
  weighted.fit(X, w);
  plain.fit(repeated);
  CHECK(test::max_relative_error(weighted.mean(), plain.mean()) < 1e-13);
  CHECK(test::max_relative_error(weighted.covariance(), plain.covariance()) < 1e-13);
}

TEST_CASE("Gaussian shrinkage matches scikit-learn's ShrunkCovariance and LedoitWolf and OAS",
          "[density][gaussian]") {
  const auto& ref = test::fixture("gaussian_scipy.json");
  const MatrixX<double> X = test::matrix(ref["X"]);
  Gaussian<> fixed({.shrinkage = alea::Shrinkage::fixed, .shrinkage_coefficient = 0.3});
  fixed.fit(X);
  CHECK(test::max_relative_error(fixed.covariance(),
                                 test::matrix(ref["shrunk_0.3"]["covariance"])) < 1e-12);
  Gaussian<> lw({.shrinkage = alea::Shrinkage::ledoit_wolf});
  lw.fit(X);
  CHECK(lw.shrinkage() == Approx(ref["ledoit_wolf"]["shrinkage"].get<double>()).epsilon(1e-12));
  CHECK(test::max_relative_error(lw.covariance(), test::matrix(ref["ledoit_wolf"]["covariance"])) <
        1e-12);
  Gaussian<> oas({.shrinkage = alea::Shrinkage::oas});
  oas.fit(X);
  CHECK(oas.shrinkage() == Approx(ref["oas"]["shrinkage"].get<double>()).epsilon(1e-12));
  CHECK(test::max_relative_error(oas.covariance(), test::matrix(ref["oas"]["covariance"])) < 1e-12);
}

TEST_CASE("Gaussian constructed from parameters matches SciPy", "[density][gaussian]") {
  const auto& ref = test::fixture("gaussian_scipy.json");
  Gaussian<> g(test::vector(ref["full"]["mean"]), test::matrix(ref["full"]["covariance"]));
  CHECK(test::max_relative_error(g.log_prob(test::matrix(ref["Q"])),
                                 test::vector(ref["full"]["logpdf"])) < 1e-12);
  auto diag = Gaussian<>::from_diagonal(test::vector(ref["diag"]["mean"]),
                                        test::matrix(ref["diag"]["covariance"]).diagonal());
  CHECK(test::max_relative_error(diag.log_prob(test::matrix(ref["Q"])),
                                 test::vector(ref["diag"]["logpdf"])) < 1e-12);
}

TEST_CASE("Gaussian density integrates to 1 in 1-D and 2-D", "[density][gaussian]") {
  // Midpoint rule over +-10 standard deviations; the integrand is smooth, so the error is far
  // below 1e-8 with these grids, and the mass outside is < 1e-22.
  Gaussian<> g1(VectorX<double>::Constant(1, 0.7), MatrixX<double>::Constant(1, 1, 2.25));
  const int m = 4000;
  const double a = 0.7 - 15.0, h = 30.0 / m;
  MatrixX<double> grid(m, 1);
  for (int i = 0; i < m; ++i)
    grid(i, 0) = a + (i + 0.5) * h;
  CHECK(g1.log_prob(grid).array().exp().sum() * h == Approx(1.0).epsilon(1e-10));

  MatrixX<double> S(2, 2);
  S << 1.0, 0.6, 0.6, 2.0;
  Gaussian<> g2(VectorX<double>::Zero(2), S);
  const int k = 400;
  const double lo = -15, step = 30.0 / k;
  MatrixX<double> points(k * k, 2);
  for (int i = 0; i < k; ++i)
    for (int j = 0; j < k; ++j)
      points.row(i * k + j) << lo + (i + 0.5) * step, lo + (j + 0.5) * step;
  CHECK(g2.log_prob(points).array().exp().sum() * step * step == Approx(1.0).epsilon(1e-8));
}

TEMPLATE_TEST_CASE("Gaussian samples recover mean and covariance within 4 Monte Carlo SEs",
                   "[density][gaussian]", float, double) {
  using T = TestType;
  MatrixX<T> S(3, 3);
  S << 2.0, 0.5, -0.3, 0.5, 1.0, 0.2, -0.3, 0.2, 0.5;
  VectorX<T> mu(3);
  mu << 1, -2, 3;
  Gaussian<T> g(mu, S);
  alea::Rng rng{7};
  const Index n = 200000;
  const MatrixX<T> draws = g.sample(n, rng);
  REQUIRE(draws.rows() == n);
  REQUIRE(draws.cols() == 3);
  const MatrixX<double> D = draws.template cast<double>();
  const VectorX<double> mean = D.colwise().mean();
  const MatrixX<double> centred = D.rowwise() - mean.transpose();
  const MatrixX<double> cov = centred.transpose() * centred / double(n);
  for (Index j = 0; j < 3; ++j) {
    // SE of a mean: sqrt(S_jj / n).
    CHECK(std::abs(mean(j) - mu(j)) < 4 * std::sqrt(double(S(j, j)) / n));
    for (Index k = 0; k < 3; ++k) {
      // SE of a Gaussian sample covariance: sqrt((S_jk^2 + S_jj S_kk) / n).
      const double se = std::sqrt((double(S(j, k)) * S(j, k) + double(S(j, j)) * S(k, k)) / n);
      CHECK(std::abs(cov(j, k) - S(j, k)) < 4 * se);
    }
  }
}

TEST_CASE("Gaussian: a diag model samples with independent coordinates", "[density][gaussian]") {
  VectorX<double> mu(2), var(2);
  mu << 0, 5;
  var << 4, 0.25;
  auto g = Gaussian<>::from_diagonal(mu, var);
  alea::Rng rng{11};
  const MatrixX<double> D = g.sample(100000, rng);
  const double n = 100000;
  CHECK(std::abs(D.col(1).mean() - 5) < 4 * std::sqrt(0.25 / n));
  const double var0 = (D.col(0).array() - D.col(0).mean()).square().mean();
  CHECK(std::abs(var0 - 4) < 4 * 4 * std::sqrt(2 / n));  // SE of a variance: sigma^2 sqrt(2/n)
}

TEST_CASE("Gaussian: bad input raises the documented exceptions", "[density][gaussian][errors]") {
  const MatrixX<double> X = test::matrix(test::fixture("gaussian_scipy.json")["X"]);
  Gaussian<> g;
  SECTION("not fitted") {
    REQUIRE_THROWS_AS(g.log_prob(X), alea::NotFittedError);
    REQUIRE_THROWS_WITH(g.log_prob(X),
                        "alea::Gaussian::log_prob: the model is not fitted; call fit() first");
    REQUIRE_THROWS_AS(g.mean(), alea::NotFittedError);
    alea::Rng rng{1};
    REQUIRE_THROWS_AS(g.sample(3, rng), alea::NotFittedError);
  }
  SECTION("NaN and Inf in X") {
    MatrixX<double> bad = X;
    bad(17, 2) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_THROWS_WITH(g.fit(bad), "alea::Gaussian::fit: X has a NaN at row 17, column 2");
    bad(17, 2) = std::numeric_limits<double>::infinity();
    REQUIRE_THROWS_AS(g.fit(bad), alea::InvalidArgument);
    g.fit(X);
    REQUIRE_THROWS_WITH(g.log_prob(bad),
                        "alea::Gaussian::log_prob: X has +Inf at row 17, column 2");
  }
  SECTION("empty X") {
    REQUIRE_THROWS_WITH(g.fit(MatrixX<double>(0, 3)),
                        "alea::Gaussian::fit: X is empty (0 x 3); at least one row and one "
                        "column are needed");
  }
  SECTION("dimension mismatch") {
    g.fit(X);
    REQUIRE_THROWS_WITH(g.log_prob(MatrixX<double>::Zero(2, 2)),
                        "alea::Gaussian::log_prob: X has 2 columns, but the model has dimension 3");
  }
  SECTION("weights") {
    VectorX<double> w = VectorX<double>::Ones(X.rows());
    w(4) = -1;
    REQUIRE_THROWS_WITH(g.fit(X, w),
                        "alea::Gaussian::fit: sample_weight has a negative entry -1 "
                        "at index 4; weights must be non-negative");
    REQUIRE_THROWS_WITH(g.fit(X, VectorX<double>::Zero(X.rows())),
                        "alea::Gaussian::fit: sample_weight sums to 0; at least one weight must "
                        "be positive");
    REQUIRE_THROWS_WITH(g.fit(X, VectorX<double>::Ones(3)),
                        "alea::Gaussian::fit: sample_weight has 3 entries, but X has 40 rows");
  }
  SECTION("singular covariance: fewer points than dimensions, or a constant column") {
    REQUIRE_THROWS_AS(g.fit(X.topRows(3)), alea::NumericalError);
    REQUIRE_THROWS_WITH(g.fit(X.topRows(3)),
                        Catch::Contains("the estimated covariance is singular") &&
                            Catch::Contains("set reg_covar > 0"));
    MatrixX<double> constant = X;
    constant.col(1).setConstant(2.0);
    REQUIRE_THROWS_AS(g.fit(constant), alea::NumericalError);
    Gaussian<> diag({.covariance_type = CovarianceType::diag});
    REQUIRE_THROWS_AS(diag.fit(constant), alea::NumericalError);
    // The documented remedy works.
    Gaussian<> regularised({.reg_covar = 1e-6});
    REQUIRE_NOTHROW(regularised.fit(constant));
    Gaussian<> shrunk({.shrinkage = alea::Shrinkage::ledoit_wolf});
    REQUIRE_NOTHROW(shrunk.fit(X.topRows(3)));
  }
  SECTION("invalid parameters") {
    MatrixX<double> S(2, 2);
    S << 1, 2, 2, 1;
    REQUIRE_THROWS_WITH(Gaussian<>(VectorX<double>::Zero(2), S),
                        "alea::Gaussian::Gaussian: covariance is not positive definite");
    REQUIRE_THROWS_WITH(Gaussian<>(VectorX<double>::Zero(3), MatrixX<double>::Identity(2, 2)),
                        "alea::Gaussian::Gaussian: covariance is 2 x 2, but mean has 3 entries");
    REQUIRE_THROWS_WITH(Gaussian<>({.shrinkage_coefficient = 1.5}),
                        "alea::Gaussian::Gaussian: shrinkage_coefficient is 1.5, but must be in "
                        "[0, 1]");
    REQUIRE_THROWS_WITH(Gaussian<>({.reg_covar = -1}),
                        "alea::Gaussian::Gaussian: reg_covar is -1, but must be non-negative");
    REQUIRE_THROWS_WITH(
        Gaussian<>({.covariance_type = CovarianceType::diag, .shrinkage = alea::Shrinkage::oas}),
        "alea::Gaussian::Gaussian: shrinkage applies to full covariances only, but "
        "covariance_type is diag");
    VectorX<double> var(2);
    var << 1, 0;
    REQUIRE_THROWS_WITH(Gaussian<>::from_diagonal(VectorX<double>::Zero(2), var),
                        "alea::Gaussian::from_diagonal: variances has 0 at index 1, but must be "
                        "positive");
  }
  SECTION("weighted data cannot use Ledoit-Wolf") {
    Gaussian<> lw({.shrinkage = alea::Shrinkage::ledoit_wolf});
    REQUIRE_THROWS_AS(lw.fit(X, VectorX<double>::Ones(X.rows())), alea::InvalidArgument);
  }
}

TEST_CASE("Gaussian: far from the data the log density stays finite and exact",
          "[density][gaussian]") {
  Gaussian<> g(VectorX<double>::Zero(2), MatrixX<double>::Identity(2, 2));
  MatrixX<double> far(1, 2);
  far << 1e3, 0;
  // Closed form: -log(2 pi) - 1e6 / 2.
  CHECK(g.log_prob(far)(0) == Approx(-std::log(2 * M_PI) - 5e5).epsilon(1e-15));
}

TEMPLATE_TEST_CASE("Gaussian: save and load reproduce the model exactly", "[density][gaussian][io]",
                   float, double) {
  using T = TestType;
  const MatrixX<T> X = test::matrix<T>(test::fixture("gaussian_scipy.json")["X"]);
  const auto folder = test::temporary_folder(std::string("gaussian-") +
                                             (std::is_same_v<T, float> ? "float" : "double"));
  for (auto type : {CovarianceType::full, CovarianceType::diag, CovarianceType::spherical}) {
    Gaussian<T> g({.covariance_type = type});
    g.fit(X);
    alea::save(g, folder / "g.json");
    const auto back = alea::load<Gaussian<T>>(folder / "g.json");
    CHECK(back.covariance_type() == type);
    CHECK(back.log_prob(X) == g.log_prob(X));  // bit for bit: JSON keeps 17 digits
  }
  REQUIRE_THROWS_AS(alea::load<Gaussian<double>>(folder / "missing.json"), alea::IoError);
}
