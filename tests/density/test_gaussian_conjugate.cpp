#include <Eigen/LU>
#include <catch2/catch.hpp>
#include <cmath>

#include "alea/core/log_space.hpp"
#include "alea/density/gaussian_conjugate.hpp"
#include "alea/io/model_file.hpp"
#include "fixtures.hpp"

using alea::Index;
using alea::MatrixX;
using alea::NormalInverseWishart;
using alea::NormalKnownCovariance;
using alea::VectorX;
namespace test = alea::test;

namespace {

MatrixX<double> data() {
  return test::matrix(test::fixture("gaussian_scipy.json")["X"]);
}

MatrixX<double> spd3() {
  MatrixX<double> S(3, 3);
  S << 2.0, 0.3, 0.1, 0.3, 1.5, -0.2, 0.1, -0.2, 1.0;
  return S;
}

}  // namespace

TEST_CASE("NormalKnownCovariance: 1-D posterior equals the textbook formula",
          "[density][conjugate]") {
  // Prior N(m0, s0^2), known variance s^2: precision 1/s0^2 + n/s^2 (Murphy 2007, eq. 20-24).
  const double m0 = 1.0, s0 = 2.0, s = 0.5;
  MatrixX<double> X(5, 1);
  X << 0.2, 0.9, -0.4, 1.3, 0.6;
  NormalKnownCovariance<> model(VectorX<double>::Constant(1, m0),
                                MatrixX<double>::Constant(1, 1, s0 * s0),
                                MatrixX<double>::Constant(1, 1, s * s));
  model.fit(X);
  const double precision = 1 / (s0 * s0) + 5 / (s * s);
  const double mean = (m0 / (s0 * s0) + X.sum() / (s * s)) / precision;
  CHECK(model.map_mean()(0) == Approx(mean).epsilon(1e-14));
  CHECK(model.posterior().covariance()(0, 0) == Approx(1 / precision).epsilon(1e-13));
  CHECK(model.predictive().covariance()(0, 0) == Approx(s * s + 1 / precision).epsilon(1e-13));
}

TEST_CASE("NormalKnownCovariance: d-D posterior equals the information form",
          "[density][conjugate]") {
  const MatrixX<double> X = data();
  const MatrixX<double> S0 = spd3(), S = spd3() * 0.5;
  VectorX<double> m0(3);
  m0 << 0, 1, -1;
  NormalKnownCovariance<> model(m0, S0, S);
  model.fit(X);
  // Information form with explicit inverses (fine for a well-conditioned 3 x 3 test).
  const double n = double(X.rows());
  const MatrixX<double> precision = S0.inverse() + n * S.inverse();
  const MatrixX<double> covariance = precision.inverse();
  const VectorX<double> mean =
      covariance * (S0.inverse() * m0 + n * S.inverse() * X.colwise().mean().transpose());
  CHECK(test::max_relative_error(model.map_mean(), mean) < 1e-12);
  CHECK(test::max_relative_error(model.posterior().covariance(), covariance) < 1e-12);
  // Sequential updating equals one batch fit.
  NormalKnownCovariance<> sequential(m0, S0, S);
  sequential.partial_fit(X.topRows(15)).partial_fit(X.bottomRows(25));
  CHECK(test::max_relative_error(sequential.map_mean(), mean) < 1e-12);
  CHECK(sequential.n_observations() == 40);
  // Before any data the model is the prior predictive.
  NormalKnownCovariance<> prior_only(m0, S0, S);
  CHECK(test::max_relative_error(prior_only.predictive().covariance(), S0 + S) < 1e-15);
}

TEST_CASE("NormalInverseWishart posterior parameters follow Murphy's update",
          "[density][conjugate]") {
  const MatrixX<double> X = data();
  const Index d = 3;
  VectorX<double> m0(3);
  m0 << 0.5, -1, 0;
  NormalInverseWishart<> niw(
      {.mean = m0, .kappa = 2.0, .degrees_of_freedom = 5.0, .scale = spd3()});
  niw.fit(X);
  const double n = double(X.rows());
  const VectorX<double> xbar = X.colwise().mean();
  MatrixX<double> scatter = MatrixX<double>::Zero(d, d);
  for (Index i = 0; i < X.rows(); ++i) {
    const VectorX<double> c = X.row(i).transpose() - xbar;
    scatter += c * c.transpose();
  }
  const auto& post = niw.posterior();
  CHECK(post.kappa == 42.0);
  CHECK(post.degrees_of_freedom == 45.0);
  CHECK(test::max_relative_error(post.mean, (2.0 * m0 + n * xbar) / 42.0) < 1e-14);
  const MatrixX<double> scale =
      spd3() + scatter + (2.0 * n / 42.0) * (xbar - m0) * (xbar - m0).transpose();
  CHECK(test::max_relative_error(post.scale, scale) < 1e-12);
  // MAP: the joint mode (mu_n, Psi_n / (nu_n + d + 2)); posterior mean Psi_n / (nu_n - d - 1).
  CHECK(test::max_relative_error(niw.map().covariance(), scale / (45.0 + 3 + 2)) < 1e-12);
  CHECK(test::max_relative_error(niw.posterior_mean_covariance(), scale / (45.0 - 3 - 1)) < 1e-12);
  // Predictive: t with nu_n - d + 1 degrees of freedom.
  CHECK(niw.predictive().degrees_of_freedom() == 43.0);
  CHECK(test::max_relative_error(niw.predictive().shape(), scale * (43.0 / (42.0 * 43.0))) < 1e-12);
  // Weighted fit with unit weights and sequential fit agree with the batch fit.
  NormalInverseWishart<> weighted(niw.prior()), sequential(niw.prior());
  weighted.fit(X, VectorX<double>::Ones(X.rows()));
  sequential.partial_fit(X.topRows(7)).partial_fit(X.bottomRows(33));
  CHECK(test::max_relative_error(weighted.posterior().scale, scale) < 1e-12);
  CHECK(test::max_relative_error(sequential.posterior().scale, scale) < 1e-12);
}

TEST_CASE("NormalInverseWishart predictive equals the posterior average of Gaussian densities",
          "[density][conjugate]") {
  // p(x | X) = E_{(mu, Sigma) ~ posterior} N(x | mu, Sigma). Draw the parameters with
  // sample_parameters and average: checks the predictive formula and the Bartlett sampler
  // against each other. Few observations keep the posterior wide, so the check has teeth.
  const MatrixX<double> X = data().topRows(6);
  NormalInverseWishart<> niw(
      {.mean = VectorX<double>::Zero(3), .kappa = 1.0, .degrees_of_freedom = 4.0, .scale = spd3()});
  niw.fit(X);
  MatrixX<double> query(3, 3);
  query << 0, 0, 0, 1, -2, 0.5, 2, 1, -1;
  alea::Rng rng{17};
  const int draws = 40000;
  MatrixX<double> log_densities(query.rows(), draws);
  for (int k = 0; k < draws; ++k) {
    const auto [mu, Sigma] = niw.sample_parameters(rng);
    log_densities.col(k) = alea::Gaussian<>(mu, Sigma).log_prob(query);
  }
  const VectorX<double> expected = niw.log_prob(query);
  for (Index i = 0; i < query.rows(); ++i) {
    const VectorX<double> p = (log_densities.row(i).array() - expected(i)).exp();
    // p holds density ratios with mean 1 if the formula is right; 4 standard errors.
    const double se = std::sqrt((p.array() - p.mean()).square().mean() / draws);
    CHECK(std::abs(p.mean() - 1.0) < 4 * se);
  }
}

TEST_CASE("NormalInverseWishart posterior draws of Sigma average to Psi_n / (nu_n - d - 1)",
          "[density][conjugate]") {
  NormalInverseWishart<> niw(
      {.mean = VectorX<double>::Zero(3), .kappa = 1.0, .degrees_of_freedom = 9.0, .scale = spd3()});
  alea::Rng rng{23};
  const int draws = 50000;
  MatrixX<double> sum = MatrixX<double>::Zero(3, 3), sum_sq = MatrixX<double>::Zero(3, 3);
  for (int k = 0; k < draws; ++k) {
    const MatrixX<double> Sigma = niw.sample_parameters(rng).second;
    sum += Sigma;
    sum_sq += Sigma.cwiseProduct(Sigma);
  }
  const MatrixX<double> mean = sum / draws;
  const MatrixX<double> variance = sum_sq / draws - mean.cwiseProduct(mean);
  const MatrixX<double> expected = niw.posterior_mean_covariance();
  for (Index j = 0; j < 3; ++j)
    for (Index k = 0; k < 3; ++k)
      CHECK(std::abs(mean(j, k) - expected(j, k)) < 4 * std::sqrt(variance(j, k) / draws));
}

TEST_CASE("Conjugate models reject invalid priors and data", "[density][conjugate][errors]") {
  REQUIRE_THROWS_WITH(NormalInverseWishart<>({.mean = VectorX<double>::Zero(3),
                                              .kappa = 0.0,
                                              .degrees_of_freedom = 5.0,
                                              .scale = spd3()}),
                      "alea::NormalInverseWishart::NormalInverseWishart: kappa is 0, but must be "
                      "positive");
  REQUIRE_THROWS_WITH(NormalInverseWishart<>({.mean = VectorX<double>::Zero(3),
                                              .kappa = 1.0,
                                              .degrees_of_freedom = 2.0,
                                              .scale = spd3()}),
                      "alea::NormalInverseWishart::NormalInverseWishart: degrees_of_freedom is 2, "
                      "but must exceed d - 1 = 2");
  NormalInverseWishart<> niw(
      {.mean = VectorX<double>::Zero(3), .kappa = 1.0, .degrees_of_freedom = 3.0, .scale = spd3()});
  REQUIRE_THROWS_WITH(niw.fit(MatrixX<double>::Zero(4, 2)),
                      "alea::NormalInverseWishart::fit: X has 2 columns, but the model has "
                      "dimension 3");
  REQUIRE_THROWS_AS(niw.posterior_mean_covariance(), alea::InvalidArgument);  // nu = 3 <= d + 1
  REQUIRE_THROWS_WITH(
      NormalKnownCovariance<>(VectorX<double>::Zero(3), spd3(), MatrixX<double>::Identity(2, 2)),
      "alea::NormalKnownCovariance::NormalKnownCovariance: covariance is 2 x 2, but prior_mean "
      "has 3 entries");
  MatrixX<double> indefinite = spd3();
  indefinite(0, 0) = -1;
  REQUIRE_THROWS_AS(NormalKnownCovariance<>(VectorX<double>::Zero(3), indefinite, spd3()),
                    alea::InvalidArgument);
}

TEST_CASE("NormalInverseWishart predictive equals scipy.stats.multivariate_t on Murphy's update",
          "[density][conjugate]") {
  // Fixture: tests/fixtures/gaussian_scipy.py computes the posterior in numpy and the predictive
  // density with SciPy, independently of alea.
  const auto& ref = test::fixture("gaussian_scipy.json");
  const auto& prior = ref["niw"]["prior"];
  NormalInverseWishart<> niw({.mean = test::vector(prior["mean"]),
                              .kappa = prior["kappa"].get<double>(),
                              .degrees_of_freedom = prior["degrees_of_freedom"].get<double>(),
                              .scale = test::matrix(prior["scale"])});
  niw.fit(data().topRows(ref["niw"]["n"].get<Index>()));
  CHECK(test::max_relative_error(niw.log_prob(test::matrix(ref["Q"])),
                                 test::vector(ref["niw"]["logpdf"])) < 1e-12);
}

TEST_CASE("Conjugate models save and load with their prior and data", "[density][conjugate][io]") {
  const MatrixX<double> X = data();
  const auto folder = test::temporary_folder("conjugate");
  NormalInverseWishart<> niw(
      {.mean = VectorX<double>::Zero(3), .kappa = 1.5, .degrees_of_freedom = 4.0, .scale = spd3()});
  niw.fit(X);
  alea::save(niw, folder / "niw.json");
  auto niw_back = alea::load<NormalInverseWishart<>>(folder / "niw.json");
  CHECK(niw_back.log_prob(X) == niw.log_prob(X));
  niw_back.partial_fit(X);  // the data seen were restored too: this doubles them
  CHECK(niw_back.n_observations() == 80);

  NormalKnownCovariance<> known(VectorX<double>::Zero(3), spd3(), spd3() * 0.5);
  known.fit(X.topRows(10));
  alea::save(known, folder / "known.json");
  const auto known_back = alea::load<NormalKnownCovariance<>>(folder / "known.json");
  CHECK(known_back.log_prob(X) == known.log_prob(X));
  CHECK(known_back.map_mean() == known.map_mean());

  auto document = alea::to_document(niw);
  document["data"]["seen"]["weight"] = -1.0;
  REQUIRE_THROWS_WITH(alea::from_document<NormalInverseWishart<>>(document),
                      "alea::load: statistics have a negative or non-finite weight");
}
