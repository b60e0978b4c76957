#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "alea/density/kde_bandwidth_spec.hpp"
#include "alea/density/kernel_density.hpp"
#include "alea/io/model_file.hpp"
#include "fixtures.hpp"

using alea::Bandwidth;
using alea::BandwidthRule;
using alea::Index;
using alea::Kernel;
using alea::KernelDensity;
using alea::MatrixX;
using alea::VectorX;
namespace test = alea::test;

namespace {

VectorX<double> with_infinities(const nlohmann::json& values) {
  VectorX<double> out(Index(values.size()));
  for (Index i = 0; i < out.size(); ++i)
    out(i) =
        values[i].is_null() ? -std::numeric_limits<double>::infinity() : values[i].get<double>();
  return out;
}

}  // namespace

TEST_CASE("KernelDensity equals exact log-space sums for every kernel and bandwidth",
          "[density][kde]") {
  const auto& ref = test::fixture("kde_exact.json");
  int compared = 0;
  for (const auto& c : ref["cases"]) {
    const auto& data = ref["data_" + std::to_string(c["d"].get<int>())];
    const MatrixX<double> X = test::matrix(data["X"]);
    const MatrixX<double> Q = test::matrix(data["Q"]);
    const Kernel kernel = *alea::kernel_from_string(c["kernel"].get<std::string>());
    KernelDensity<> kde({.kernel = kernel, .bandwidth = c["bandwidth"].get<double>()});
    if (c["weighted"].get<bool>())
      kde.fit(X, test::vector(data["weights"]));
    else
      kde.fit(X);
    const VectorX<double> expected = with_infinities(c["log_density"]);
    const VectorX<double> actual = kde.log_prob(Q);
    INFO(c["kernel"].get<std::string>() << " d = " << c["d"] << " h = " << c["bandwidth"]);
    for (Index i = 0; i < Q.rows(); ++i) {
      if (std::isinf(expected(i))) {
        CHECK(actual(i) == expected(i));  // exactly zero density: exactly -inf
      } else {
        CHECK(std::abs(actual(i) - expected(i)) <= 1e-10 * std::abs(expected(i)) + 1e-12);
      }
    }
    ++compared;
  }
  CHECK(compared == 6 * 3 * 3 * 2);
}

TEST_CASE("KernelDensity reproduces scikit-learn's doctest", "[density][kde]") {
  const auto& t = test::fixture("kde_exact.json")["sklearn_doctest"];
  KernelDensity<> kde({.bandwidth = 0.5});
  kde.fit(test::matrix(t["X"]));
  const VectorX<double> lp = kde.log_prob(test::matrix(t["X"]).topRows(3));
  const VectorX<double> expected = test::vector(t["expected"]);
  for (Index i = 0; i < 3; ++i)
    CHECK(lp(i) == Approx(expected(i)).margin(5e-9));  // 8 decimals
}

TEST_CASE("KernelDensity is exact in the tails where scikit-learn 1.2 is not", "[density][kde]") {
  // scikit-learn's score_samples is off by 12 to 50 nats at these points (fixture); alea must
  // equal the exact log-sum-exp.
  const auto& t = test::fixture("kde_exact.json")["sklearn_tail"];
  KernelDensity<> kde({.bandwidth = t["bandwidth"].get<double>()});
  kde.fit(test::matrix(t["X"]));
  const VectorX<double> exact = test::vector(t["exact"]);
  const VectorX<double> sklearn = test::vector(t["sklearn"]);
  const VectorX<double> ours = kde.log_prob(test::matrix(t["Q"]));
  REQUIRE(exact.size() == 10);
  CHECK((sklearn - exact).cwiseAbs().minCoeff() > 1.0);  // the fixture shows the peer's error
  CHECK(test::max_relative_error(ours, exact) < 1e-10);
}

TEST_CASE("KernelDensity rules match scipy.stats.gaussian_kde, weights included",
          "[density][kde]") {
  const auto& ref = test::fixture("kde_exact.json");
  const MatrixX<double> X = test::matrix(ref["data_2"]["X"]);
  const VectorX<double> w = test::vector(ref["data_2"]["weights"]);
  const MatrixX<double> Q = test::matrix(ref["data_2"]["Q"]);
  for (const auto& c : ref["scipy_gaussian_kde"]) {
    Bandwidth b =
        c["bw_method"].is_string()
            ? Bandwidth(c["bw_method"] == "scott" ? BandwidthRule::scott : BandwidthRule::silverman)
            : Bandwidth::covariance_factor(c["bw_method"].get<double>());
    KernelDensity<> kde({.bandwidth = b});
    kde.fit(X, w);
    CHECK(test::max_relative_error(kde.bandwidth_matrix(), test::matrix(c["covariance"])) < 1e-12);
    CHECK(test::max_relative_error(kde.log_prob(Q), test::vector(c["logpdf"])) < 1e-10);
  }
}

TEST_CASE("KernelDensity with a full bandwidth matrix integrates to 1 in 2-D", "[density][kde]") {
  alea::Rng rng{8};
  const MatrixX<double> X = alea::standard_normal(rng, 40, 2);
  MatrixX<double> H(2, 2);
  H << 0.3, 0.1, 0.1, 0.2;
  for (Kernel k : {Kernel::gaussian, Kernel::epanechnikov, Kernel::cosine}) {
    INFO(alea::to_string(k));
    KernelDensity<> kde({.kernel = k, .bandwidth = Bandwidth::matrix(H)});
    kde.fit(X);
    const int g = 300;
    const double lo = -7, step = 14.0 / g;
    MatrixX<double> grid(g * g, 2);
    for (int i = 0; i < g; ++i)
      for (int j = 0; j < g; ++j)
        grid.row(i * g + j) << lo + (i + 0.5) * step, lo + (j + 0.5) * step;
    // Midpoint rule on a 300^2 grid: ~1e-3 for the kinked compact kernels.
    CHECK(kde.log_prob(grid).array().exp().sum() * step * step == Approx(1.0).epsilon(3e-3));
  }
}

TEST_CASE("KernelDensity samples have the data's mean and covariance plus the kernel's",
          "[density][kde]") {
  alea::Rng rng{99};
  const MatrixX<double> X = alea::standard_normal(rng, 50, 2) * 2.0;
  const Index n = 200000;
  for (Kernel k : {Kernel::gaussian, Kernel::tophat, Kernel::exponential, Kernel::linear}) {
    INFO(alea::to_string(k));
    KernelDensity<> kde({.kernel = k, .bandwidth = 0.8});
    kde.fit(X);
    const MatrixX<double> draws = kde.sample(n, rng);
    const VectorX<double> data_mean = X.colwise().mean();
    const MatrixX<double> centred = X.rowwise() - data_mean.transpose();
    const MatrixX<double> expected =
        centred.transpose() * centred / 50.0 +
        MatrixX<double>::Identity(2, 2) * 0.64 * alea::kernel_variance(k, 2);
    const VectorX<double> mean = draws.colwise().mean();
    const MatrixX<double> dc = draws.rowwise() - mean.transpose();
    const MatrixX<double> covariance = dc.transpose() * dc / double(n);
    for (Index j = 0; j < 2; ++j) {
      CHECK(std::abs(mean(j) - data_mean(j)) < 4 * std::sqrt(expected(j, j) / double(n)));
      // SE of a variance, bounded with a kurtosis allowance of 3 (mixtures of these kernels).
      CHECK(std::abs(covariance(j, j) - expected(j, j)) <
            4 * expected(j, j) * std::sqrt(3.0 / double(n)));
    }
  }
}

TEST_CASE("KernelDensity cross-validation picks a sensible factor and reports its search",
          "[density][kde]") {
  alea::Rng rng{5};
  const MatrixX<double> X = alea::standard_normal(rng, 400, 1);
  int calls = 0;
  KernelDensity<> cv({.bandwidth = BandwidthRule::likelihood_cv,
                      .progress = [&](Index, double) { return ++calls < 100; }});
  cv.fit(X);
  CHECK(calls == 25);
  CHECK(cv.status().history.size() == 25);
  CHECK(cv.status().converged);
  // For Gaussian data the likelihood-optimal bandwidth is near the normal-reference one
  // (Scott: 400^-0.2 = 0.30); cross-validation is noisy, so a factor-of-two window.
  CHECK(cv.bandwidth() > 0.15);
  CHECK(cv.bandwidth() < 0.6);
  KernelDensity<> lscv({.bandwidth = BandwidthRule::least_squares_cv});
  lscv.fit(X);
  CHECK(lscv.bandwidth() > 0.15);
  CHECK(lscv.bandwidth() < 0.6);
  KernelDensity<> stopped({.bandwidth = BandwidthRule::likelihood_cv,
                           .progress = [](Index i, double) { return i < 3; }});
  stopped.fit(X);
  CHECK(stopped.status().stopped_early);
  CHECK(stopped.status().history.size() == 3);
}

TEST_CASE("KernelDensity reflection keeps the mass on a half-line and an interval",
          "[density][kde]") {
  alea::Rng rng{6};
  const MatrixX<double> X = alea::standard_normal(rng, 300, 1).cwiseAbs();  // on [0, inf)
  for (auto [lower, upper] :
       {std::pair{0.0, std::numeric_limits<double>::infinity()}, std::pair{0.0, 3.5}}) {
    MatrixX<double> inside = X.array().min(upper).matrix();
    KernelDensity<> kde({.kernel = Kernel::epanechnikov,
                         .bandwidth = 0.4,
                         .lower_bound = lower,
                         .upper_bound = upper});
    kde.fit(inside);
    const int m = 200000;
    const double hi = std::isfinite(upper) ? upper : 8.0, step = (hi - lower) / m;
    MatrixX<double> grid(m, 1);
    for (int i = 0; i < m; ++i)
      grid(i, 0) = lower + (i + 0.5) * step;
    CHECK(kde.log_prob(grid).array().exp().sum() * step == Approx(1.0).epsilon(1e-6));
    CHECK(kde.log_prob(MatrixX<double>::Constant(1, 1, -0.1))(0) ==
          -std::numeric_limits<double>::infinity());
    CHECK(kde.cdf(MatrixX<double>::Constant(1, 1, hi))(0) == Approx(1.0).epsilon(1e-12));
    // Draws stay inside and follow the CDF: mean of F(draws) is 1/2 (uniform), 4 SEs.
    const MatrixX<double> draws = kde.sample(20000, rng);
    CHECK(draws.minCoeff() >= lower);
    CHECK(draws.maxCoeff() <= hi);
    const double mean_u = kde.cdf(draws).mean();
    CHECK(std::abs(mean_u - 0.5) < 4 * std::sqrt(1.0 / 12.0 / 20000));
  }
}

TEST_CASE("KernelDensity cdf is the integral of the density (1-D)", "[density][kde]") {
  alea::Rng rng{4};
  const MatrixX<double> X = alea::standard_normal(rng, 60, 1);
  for (Kernel k : {Kernel::gaussian, Kernel::epanechnikov, Kernel::exponential, Kernel::linear,
                   Kernel::cosine, Kernel::tophat}) {
    INFO(alea::to_string(k));
    KernelDensity<> kde({.kernel = k, .bandwidth = 0.5});
    kde.fit(X);
    const int m = 100000;
    const double lo = -12, x = 0.3, step = (x - lo) / m;
    MatrixX<double> grid(m, 1);
    for (int i = 0; i < m; ++i)
      grid(i, 0) = lo + (i + 0.5) * step;
    const double integral = kde.log_prob(grid).array().exp().sum() * step;
    // Midpoint rule: ~1e-9 for continuous kernels; the tophat's 120 jumps cost up to half a
    // step (1.2e-4) times the jump height (1/60) each, so 2e-5 for it.
    const double tolerance = k == Kernel::tophat ? 2e-5 : 1e-6;
    CHECK(kde.cdf(MatrixX<double>::Constant(1, 1, x))(0) == Approx(integral).epsilon(tolerance));
  }
}

TEST_CASE("KernelDensity: bad input raises the documented exceptions", "[density][kde][errors]") {
  MatrixX<double> X = MatrixX<double>::Ones(5, 2);
  X(3, 0) = 2;
  REQUIRE_THROWS_WITH(KernelDensity<>({.bandwidth = -1.0}),
                      "alea::KernelDensity::KernelDensity: bandwidth is -1, but must be positive");
  REQUIRE_THROWS_WITH(KernelDensity<>({.bandwidth = std::nan("")}),
                      "alea::KernelDensity::KernelDensity: bandwidth is nan, but must be finite");
  REQUIRE_THROWS_AS(KernelDensity<>({.bandwidth = 0.0}), alea::InvalidArgument);
  REQUIRE_THROWS_WITH(
      KernelDensity<>({.kernel = Kernel::tophat, .bandwidth = BandwidthRule::least_squares_cv}),
      Catch::StartsWith("alea::KernelDensity::KernelDensity: least_squares_cv needs the gaussian "
                        "kernel"));
  KernelDensity<> kde({.bandwidth = 0.5});
  REQUIRE_THROWS_AS(kde.log_prob(X), alea::NotFittedError);
  MatrixX<double> bad = X;
  bad(2, 1) = std::numeric_limits<double>::quiet_NaN();
  REQUIRE_THROWS_WITH(kde.fit(bad), "alea::KernelDensity::fit: X has a NaN at row 2, column 1");
  REQUIRE_THROWS_WITH(kde.fit(MatrixX<double>(0, 2)),
                      "alea::KernelDensity::fit: X is empty (0 x 2); at least one row and one "
                      "column are needed");
  VectorX<double> w = VectorX<double>::Ones(5);
  w(1) = -2;
  REQUIRE_THROWS_WITH(kde.fit(X, w),
                      "alea::KernelDensity::fit: sample_weight has a negative entry "
                      "-2 at index 1; weights must be non-negative");
  REQUIRE_THROWS_AS(kde.fit(X, VectorX<double>::Zero(5)), alea::InvalidArgument);
  kde.fit(X);
  REQUIRE_THROWS_WITH(
      kde.log_prob(MatrixX<double>::Zero(1, 3)),
      "alea::KernelDensity::log_prob: X has 3 columns, but the model has dimension 2");
  REQUIRE_THROWS_WITH(kde.cdf(X),
                      "alea::KernelDensity::cdf: the CDF is defined for 1-D data only, "
                      "but d is 2");
  KernelDensity<> scott({.bandwidth = BandwidthRule::scott});
  REQUIRE_THROWS_AS(scott.fit(MatrixX<double>::Ones(1, 1)), alea::InvalidArgument);
  REQUIRE_THROWS_AS(scott.fit(MatrixX<double>::Ones(4, 2)), alea::NumericalError);  // Cov = 0
  KernelDensity<> bounded({.bandwidth = 0.5, .lower_bound = 0});
  REQUIRE_THROWS_WITH(bounded.fit(MatrixX<double>::Constant(2, 1, -1.0)),
                      "alea::KernelDensity::fit: X has -1 at row 0, outside the bounds [0, inf]");
  REQUIRE_THROWS_WITH(bounded.fit(X),
                      "alea::KernelDensity::fit: reflection bounds apply to 1-D "
                      "data, but X has 2 columns");
  REQUIRE_THROWS_AS(KernelDensity<>({.lower_bound = 1, .upper_bound = 0}), alea::InvalidArgument);
}

TEMPLATE_TEST_CASE("KernelDensity: save and load, and a damaged file", "[density][kde][io]", float,
                   double) {
  using T = TestType;
  alea::Rng rng{3};
  const MatrixX<T> X = alea::standard_normal<T>(rng, 30, 2);
  KernelDensity<T> kde({.kernel = Kernel::linear, .bandwidth = BandwidthRule::silverman});
  kde.fit(X);
  const auto folder =
      test::temporary_folder(std::string("kde-") + (std::is_same_v<T, float> ? "f" : "d"));
  alea::save(kde, folder / "kde.json");
  const auto back = alea::load<KernelDensity<T>>(folder / "kde.json");
  CHECK(back.log_prob(X) == kde.log_prob(X));
  auto document = alea::to_document(kde);
  document["data"]["kernel"] = "triweight";
  REQUIRE_THROWS_WITH(alea::from_document<KernelDensity<T>>(document),
                      "alea::load: field 'kernel' is not a kernel: 'triweight'");
}

TEST_CASE("KernelDensity in float agrees with double", "[density][kde]") {
  alea::Rng rng{12};
  const MatrixX<double> X = alea::standard_normal(rng, 500, 3);
  const MatrixX<double> Q = alea::standard_normal(rng, 50, 3) * 2.0;
  KernelDensity<double> d64({.bandwidth = 0.4});
  KernelDensity<float> d32({.bandwidth = 0.4});
  d64.fit(X);
  d32.fit(X.cast<float>());
  // float: distances to ~1e-6 relative of ||x||^2 ~ 10, over h^2 = 0.16: ~1e-4 in log density.
  CHECK((d32.log_prob(Q.cast<float>()).cast<double>() - d64.log_prob(Q)).cwiseAbs().maxCoeff() <
        2e-3);
}

TEST_CASE("KernelDensity grid algorithm agrees with exact sums; the tails stay exact",
          "[density][kde][grid]") {
  alea::Rng rng{77};
  for (Index d : {1, 2}) {
    for (Kernel k : {Kernel::gaussian, Kernel::epanechnikov}) {
      INFO("d = " << d << " " << alea::to_string(k));
      const MatrixX<double> X = alea::standard_normal(rng, 5000, d);
      KernelDensity<> grid(
          {.kernel = k, .bandwidth = BandwidthRule::scott, .algorithm = alea::KdeAlgorithm::grid});
      KernelDensity<> exact(
          {.kernel = k, .bandwidth = BandwidthRule::scott, .algorithm = alea::KdeAlgorithm::exact});
      grid.fit(X);
      exact.fit(X);
      CHECK(grid.algorithm() == alea::KdeAlgorithm::grid);
      MatrixX<double> Q = alea::standard_normal(rng, 2000, d);
      Q.row(0).setConstant(25.0);  // outside the grid: summed exactly
      const VectorX<double> g = grid.log_prob(Q), e = exact.log_prob(Q);
      // Where the density is at least 1e-2 of its peak, the grid's relative error is below
      // 1e-3 in 1-D (4096 nodes) and 5e-2 in 2-D (512^2 nodes) for these kernels, as measured
      // in test_kde_grid; far out the value is the exact one.
      const double peak = e.maxCoeff();
      double worst = 0;
      for (Index i = 1; i < Q.rows(); ++i)
        if (e(i) > peak + std::log(1e-2))
          worst = std::max(worst, std::abs(std::expm1(g(i) - e(i))));
      CHECK(worst < (d == 1 ? 1e-3 : 5e-2));
      CHECK(g(0) == Approx(e(0)).epsilon(1e-12));
    }
  }
}

TEST_CASE("KernelDensity picks its algorithm and the ISJ rule", "[density][kde][grid]") {
  alea::Rng rng{78};
  const MatrixX<double> big1 = alea::standard_normal(rng, 3000, 1);
  const MatrixX<double> big3 = alea::standard_normal(rng, 3000, 3);
  KernelDensity<> automatic({.bandwidth = 0.3});
  CHECK(automatic.fit(big1).algorithm() == alea::KdeAlgorithm::exact);
  KernelDensity<> tolerant({.bandwidth = 0.3, .rtol = 1e-4});
  CHECK(tolerant.fit(big1).algorithm() == alea::KdeAlgorithm::tree);
  CHECK(tolerant.fit(alea::standard_normal(rng, 600, 6)).algorithm() == alea::KdeAlgorithm::exact);
  CHECK(tolerant.fit(big1.topRows(100)).algorithm() == alea::KdeAlgorithm::exact);
  KernelDensity<> bounded({.bandwidth = 0.3, .rtol = 1e-4, .lower_bound = -10.0});
  CHECK(bounded.fit(big1).algorithm() == alea::KdeAlgorithm::exact);
  KernelDensity<> isj({.bandwidth = BandwidthRule::isj});
  isj.fit(big1);
  CHECK(isj.bandwidth() == Approx(alea::isj_bandwidth<double>(big1.col(0))).epsilon(1e-12));
  REQUIRE_THROWS_WITH(isj.fit(big3),
                      "alea::KernelDensity::fit: the isj rule is for 1-D data, but "
                      "X has 3 columns");
  KernelDensity<> grid3({.bandwidth = 0.3, .algorithm = alea::KdeAlgorithm::grid});
  REQUIRE_THROWS_WITH(grid3.fit(big3),
                      "alea::KernelDensity::fit: the grid algorithm is for d <= 2, "
                      "but X has 3 columns");
  REQUIRE_THROWS_WITH(KernelDensity<>({.algorithm = alea::KdeAlgorithm::grid, .lower_bound = 0.0}),
                      "alea::KernelDensity::KernelDensity: the grid algorithm does not reflect at "
                      "bounds; use exact");
  // A grid model saves and loads as a grid model.
  const auto folder = test::temporary_folder("kde-grid");
  KernelDensity<> gridded({.bandwidth = 0.3, .algorithm = alea::KdeAlgorithm::grid});
  alea::save(gridded.fit(big1), folder / "grid.json");
  const auto back = alea::load<KernelDensity<>>(folder / "grid.json");
  CHECK(back.algorithm() == alea::KdeAlgorithm::grid);
  CHECK(back.log_prob(big1.topRows(10)) == gridded.log_prob(big1.topRows(10)));
}

TEST_CASE("KernelDensity tree algorithm keeps scikit-learn's bound on every query",
          "[density][kde][tree]") {
  alea::Rng rng{79};
  const MatrixX<double> X = alea::standard_normal(rng, 3000, 2);
  MatrixX<double> Q = alea::standard_normal(rng, 1000, 2) * 1.5;
  Q.row(0).setConstant(30.0);
  for (Kernel k : {Kernel::gaussian, Kernel::exponential, Kernel::epanechnikov}) {
    for (auto [rtol, atol] : {std::pair{0.0, 0.0}, std::pair{1e-4, 0.0}, std::pair{1e-2, 1e-6}}) {
      INFO(alea::to_string(k) << " rtol " << rtol << " atol " << atol);
      KernelDensity<> tree({.kernel = k,
                            .bandwidth = 0.25,
                            .algorithm = alea::KdeAlgorithm::tree,
                            .rtol = rtol,
                            .atol = atol});
      KernelDensity<> exact(
          {.kernel = k, .bandwidth = 0.25, .algorithm = alea::KdeAlgorithm::exact});
      tree.fit(X);
      exact.fit(X);
      const VectorX<double> t = tree.log_prob(Q), e = exact.log_prob(Q);
      // The worst query, not the mean: |K - K_hat| <= atol + rtol K (+ rounding, 1e-12 K).
      double worst = -1;
      for (Index i = 0; i < Q.rows(); ++i) {
        if (std::isinf(e(i))) {
          CHECK(t(i) == e(i));
          continue;
        }
        const double K = std::exp(e(i)), K_hat = std::exp(t(i));
        // Slack: 1e-12 K for rounding, and 1e-15 absolute because near a compact kernel's edge
        // (u = r^2/h^2 near 1) the exact reference's 1 - u itself carries rounding of order
        // eps relative to 1, not to the tiny profile value.
        worst = std::max(worst, std::abs(K_hat - K) - (atol + rtol * K + 1e-12 * K + 1e-15));
      }
      INFO("worst excess " << worst);
      CHECK(worst <= 0);
      // Far out the density is ~e^-12000: with atol = 0 the tree must keep its log exact (the
      // relative bound); with atol > 0 any value below atol is allowed.
      if (k == Kernel::gaussian && atol == 0)
        CHECK(std::abs(t(0) - e(0)) <= std::log1p(rtol) + 1e-10 * std::abs(e(0)));
    }
  }
}

TEST_CASE("KernelDensity returns the grid density in data units", "[density][kde][grid]") {
  alea::Rng rng{80};
  const MatrixX<double> X = (alea::standard_normal(rng, 4000, 1) * 3.0).array() + 1.0;
  KernelDensity<> kde({.bandwidth = 0.4, .algorithm = alea::KdeAlgorithm::grid, .grid_size = 2048});
  kde.fit(X);
  const auto grid = kde.density_on_grid();
  REQUIRE(grid.axis0.size() == 2048);
  REQUIRE(grid.density.cols() == 1);
  // The nodes carry the model's own log density, and the trapezoid rule integrates it to 1
  // (the grid reaches 4 bandwidths past the data: the mass outside is below 1e-4 of a point's).
  const VectorX<double> at_nodes = kde.log_prob(grid.axis0).array().exp();
  // Interpolating exactly at a node returns its value; nodes below the FFT's rounding floor
  // (the far edges) are summed exactly instead, differing by that rounding, ~1e-10 absolute.
  CHECK((at_nodes - grid.density.col(0)).cwiseAbs().maxCoeff() < 1e-9);
  const double step = grid.axis0(1) - grid.axis0(0);
  const double mass = step * (grid.density.sum() - 0.5 * (grid.density(0) + grid.density(2047)));
  CHECK(mass == Approx(1.0).epsilon(1e-4));
  KernelDensity<> exact({.bandwidth = 0.4, .algorithm = alea::KdeAlgorithm::exact});
  exact.fit(X);
  REQUIRE_THROWS_WITH(exact.density_on_grid(),
                      "alea::KernelDensity::density_on_grid: the model "
                      "was not fitted with the grid algorithm");
  MatrixX<double> H(2, 2);
  H << 0.3, 0.1, 0.1, 0.2;
  KernelDensity<> full(
      {.bandwidth = alea::Bandwidth::matrix(H), .algorithm = alea::KdeAlgorithm::grid});
  full.fit(alea::standard_normal(rng, 100, 2));
  REQUIRE_THROWS_AS(full.density_on_grid(), alea::InvalidArgument);
}

TEST_CASE("Bandwidth states its kind and rule names read as scikit-learn and SciPy spell them",
          "[density][kde]") {
  CHECK(Bandwidth(0.5).kind() == Bandwidth::Kind::isotropic);
  CHECK(Bandwidth(0.5).value() == 0.5);
  CHECK(Bandwidth(BandwidthRule::isj).kind() == Bandwidth::Kind::rule);
  CHECK(Bandwidth::covariance_factor(0.3).kind() == Bandwidth::Kind::covariance_factor);
  CHECK(Bandwidth::diagonal(VectorX<double>::Ones(2)).diagonal_values().size() == 2);
  CHECK(Bandwidth::matrix(MatrixX<double>::Identity(2, 2)).kind() == Bandwidth::Kind::matrix);
  CHECK(alea::to_string(BandwidthRule::scott) == "scott");
  CHECK(alea::to_string(BandwidthRule::silverman) == "silverman");
  CHECK(alea::to_string(BandwidthRule::isj) == "isj");
  CHECK(alea::to_string(BandwidthRule::likelihood_cv) == "likelihood_cv");
  CHECK(alea::to_string(BandwidthRule::least_squares_cv) == "least_squares_cv");
  CHECK(alea::to_string(alea::KdeAlgorithm::tree) == "tree");
}
