// BayesianGaussianMixture: scikit-learn 1.2's trajectories (tests/fixtures/bgm_sklearn.py, from
// the same starting responsibilities), stochastic VI, fallen components, persistence, bad input.
//
// Tolerances. The bound is a sum over rows of terms of size ~1-10 with digamma/lgamma terms;
// alea centres its moments (sklearn's tied/diag updates use raw second moments) and takes
// digamma from Boost instead of SciPy, both agreeing to ~1e-15 relative per term. The issue asks
// for the bound trajectory to 1e-6 relative; seen: below 1e-9 (printed on failure).

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "alea/core/concepts.hpp"
#include "alea/density/bayesian_gaussian_mixture.hpp"
#include "alea/density/gaussian.hpp"
#include "alea/io/model_file.hpp"
#include "fixtures.hpp"
#include "sklearn_mixture.hpp"

using alea::BayesianGaussianMixture;
using alea::BayesianGaussianMixtureSettings;
using alea::CovarianceType;
using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace test = alea::test;

static_assert(alea::GenerativeModel<BayesianGaussianMixture<double>>);
static_assert(alea::WeightedEstimator<BayesianGaussianMixture<double>>);
static_assert(alea::Persistable<BayesianGaussianMixture<double>>);

namespace {

MatrixX<double> dataset(const nlohmann::json& c) {
  return test::matrix(
      test::fixture("bgm_sklearn.json")["datasets"][c["dataset"].get<std::string>()]);
}

/// The settings of a fixture case: its start, its priors if given, sklearn's defaults otherwise.
BayesianGaussianMixtureSettings case_settings(const nlohmann::json& c) {
  const Index k = c["n_components"];
  const auto& labels = c["labels_init"];
  MatrixX<double> R = MatrixX<double>::Zero(Index(labels.size()), k);
  for (Index i = 0; i < R.rows(); ++i)
    R(i, labels[i].get<Index>()) = 1;
  BayesianGaussianMixtureSettings s{
      .n_components = k,
      .covariance_type =
          *alea::covariance_type_from_string(c["covariance_type"].get<std::string>()),
      .tol = c["tol"],
      .reg_covar = c["reg_covar"],
      .max_iter = c["max_iter"],
      .weight_concentration_prior_type = c["weight_concentration_prior_type"] == "dirichlet_process"
                                             ? alea::WeightPrior::dirichlet_process
                                             : alea::WeightPrior::dirichlet_distribution,
      .responsibilities_init = R};
  if (!c["priors_given"].is_null()) {
    const auto& p = c["priors_given"];
    s.weight_concentration_prior = p["weight_concentration_prior"].get<double>();
    s.mean_precision_prior = p["mean_precision_prior"].get<double>();
    s.degrees_of_freedom_prior = p["degrees_of_freedom_prior"].get<double>();
    s.covariance_prior = test::matrix(p["covariance_prior"]);
    s.mean_prior = test::vector(p["mean_prior"]);
  }
  return s;
}

}  // namespace

TEST_CASE("BayesianGaussianMixture follows scikit-learn's variational trajectory",
          "[density][bayesian_gaussian_mixture][fixture]") {
  for (const auto& c : test::fixture("bgm_sklearn.json")["cases"]) {
    INFO("case " << c["name"].get<std::string>());
    const MatrixX<double> X = dataset(c);
    const auto settings = case_settings(c);
    BayesianGaussianMixture<double> bgm(settings);
    bgm.fit(X);

    // Priors in effect (sklearn's defaults from the data, or the given ones).
    const auto& p = bgm.priors();
    CHECK(p.weight_concentration == Approx(c["weight_concentration_prior"].get<double>()));
    CHECK(p.degrees_of_freedom == Approx(c["degrees_of_freedom_prior"].get<double>()));
    CHECK(test::max_relative_error(p.mean, test::vector(c["mean_prior"])) < 1e-12);

    // tol = 1e-10 on bounds of size 50-1300 stops where successive bounds differ by 1e-12
    // relative, the size of rounding differences: the stopping iteration may differ by one.
    const VectorX<double> expected = test::vector(c["lower_bounds"]);
    const auto& history = bgm.status().history;
    CHECK(std::abs(Index(history.size()) - expected.size()) <= 1);
    const Index common = std::min(Index(history.size()), expected.size());
    const VectorX<double> got = Eigen::Map<const VectorX<double>>(history.data(), common);
    const double worst =
        ((got - expected.head(common)).array().abs() / expected.head(common).array().abs())
            .maxCoeff();
    INFO("largest relative bound difference " << worst);
    CHECK(worst < 1e-6);
    CHECK(bgm.converged() == c["converged"].get<bool>());
    const Index k = settings.n_components;
    const Index d = X.cols();
    CHECK(test::max_relative_error(bgm.weights(), test::vector(c["weights"])) < 1e-6);
    CHECK(test::matrix_error(bgm.means(), test::matrix(c["means"])) < 1e-6);
    CHECK(test::max_relative_error(bgm.mean_precision(), test::vector(c["mean_precision"])) < 1e-6);
    const auto covariances = bgm.covariances();
    for (Index j = 0; j < k; ++j) {
      CHECK(test::matrix_error(
                covariances[j],
                test::sklearn_covariance(settings.covariance_type, c["covariances"], j, d)) < 1e-6);
    }
    const MatrixX<double> head = X.topRows(10);
    CHECK(test::max_relative_error(bgm.variational_log_prob(head),
                                   test::vector(c["score_samples_head"])) < 1e-6);
    CHECK((bgm.predict_proba(head) - test::matrix(c["predict_proba_head"])).cwiseAbs().maxCoeff() <
          1e-6);
    const auto labels = bgm.predict(X);
    Index disagreements = 0;
    for (Index i = 0; i < X.rows(); ++i)
      disagreements += labels(i) != c["predict"][i].get<Index>();
    CHECK(disagreements == 0);
  }
}

TEST_CASE("BayesianGaussianMixture's bound never decreases and unneeded components fall out",
          "[density][bayesian_gaussian_mixture]") {
  // Three clusters, ten components: the Dirichlet process prior empties the spare ones.
  alea::Rng rng{3};
  const Index n = 3000;
  MatrixX<double> X = alea::standard_normal<double>(rng, n, 2);
  for (Index i = 0; i < n; ++i)
    X.row(i) += (i % 3 == 0 ? 0.0 : i % 3 == 1 ? 6.0 : -6.0) * VectorX<double>::Ones(2).transpose();
  BayesianGaussianMixture<double> bgm(
      {.n_components = 10, .tol = 1e-8, .max_iter = 1000, .seed = 1});
  bgm.fit(X);
  const auto& h = bgm.status().history;
  for (std::size_t t = 1; t < h.size(); ++t) {
    // CAVI raises the bound; reg_covar makes the update a slightly regularised maximiser
    // (sklearn's own iris trajectories dip by ~1e-11 relative), hence 1e-9.
    CHECK(h[t] >= h[t - 1] - 1e-9 * std::abs(h[t - 1]));
  }
  CHECK(bgm.active_components(0.05).size() == 3);
  REQUIRE(!bgm.status().notes.empty());
  CHECK(bgm.status().notes.back().find("fallen out") != std::string::npos);
  // The posterior-mean mixture is a normalised density: its log densities match a direct sum.
  VectorX<double> direct = VectorX<double>::Zero(50);
  for (Index j = 0; j < 10; ++j) {
    const alea::Gaussian<double> g(bgm.means().row(j).transpose(), bgm.covariances()[j]);
    direct += bgm.weights()(j) * g.log_prob(X.topRows(50)).array().exp().matrix();
  }
  CHECK(test::max_relative_error(bgm.log_prob(X.topRows(50)),
                                 VectorX<double>(direct.array().log())) < 1e-12);
}

TEST_CASE("BayesianGaussianMixture by stochastic VI reaches the CAVI posterior",
          "[density][bayesian_gaussian_mixture]") {
  alea::Rng rng{5};
  const Index n = 20000;
  MatrixX<double> X = alea::standard_normal<double>(rng, n, 2);
  for (Index i = 0; i < n; ++i)
    X(i, 0) += (i % 2 == 0 ? -4.0 : 4.0);
  BayesianGaussianMixtureSettings s{.n_components = 2, .tol = 1e-9, .max_iter = 500, .seed = 2};
  BayesianGaussianMixture<double> cavi(s);
  cavi.fit(X);
  s.batch_size = 500;
  s.max_iter = 20;  // passes over the data: 800 minibatch steps
  BayesianGaussianMixture<double> svi(s);
  svi.fit(X);
  // The step sizes decay as t^-0.7, so SVI ends within a few standard errors of the CAVI
  // posterior: mean standard errors are ~1/sqrt(n/2) = 0.01; allow 0.05.
  const auto order_of = [&](const MatrixX<double>& means, Index j) {
    Index best;
    (means.rowwise() - cavi.means().row(j)).rowwise().squaredNorm().minCoeff(&best);
    return best;
  };
  for (Index j = 0; j < 2; ++j) {
    const Index f = order_of(svi.means(), j);
    CHECK((svi.means().row(f) - cavi.means().row(j)).cwiseAbs().maxCoeff() < 0.05);
    CHECK(std::abs(svi.weights()(f) - cavi.weights()(j)) < 0.02);
    CHECK((svi.covariances()[f] - cavi.covariances()[j]).cwiseAbs().maxCoeff() < 0.05);
  }
  CHECK(svi.score(X) == Approx(cavi.score(X)).epsilon(1e-3));
}

TEST_CASE("BayesianGaussianMixture saves and loads", "[density][bayesian_gaussian_mixture][io]") {
  const auto& c = test::fixture("bgm_sklearn.json")["cases"][0];
  const MatrixX<double> X = dataset(c);
  const auto folder = test::temporary_folder("bayesian_gaussian_mixture");
  for (const auto type : {CovarianceType::full, CovarianceType::tied, CovarianceType::diag,
                          CovarianceType::spherical}) {
    for (const auto prior :
         {alea::WeightPrior::dirichlet_process, alea::WeightPrior::dirichlet_distribution}) {
      auto s = case_settings(c);
      s.covariance_type = type;
      s.weight_concentration_prior_type = prior;
      BayesianGaussianMixture<double> bgm(s);
      bgm.fit(X);
      const auto path = folder / "model.json";
      alea::save(bgm, path);
      const auto loaded = alea::load<BayesianGaussianMixture<double>>(path);
      CHECK(test::max_relative_error(loaded.log_prob(X), bgm.log_prob(X)) < 1e-13);
      CHECK(test::max_relative_error(loaded.predict_proba(X), bgm.predict_proba(X)) < 1e-12);
      CHECK(loaded.lower_bound() == bgm.lower_bound());
    }
  }
}

TEST_CASE("BayesianGaussianMixture rejects bad input with clear messages",
          "[density][bayesian_gaussian_mixture][errors]") {
  using Catch::Matchers::Contains;
  const MatrixX<double> X = dataset(test::fixture("bgm_sklearn.json")["cases"][0]);
  const auto invalid = [](auto&& f, const std::string& fragment) {
    CHECK_THROWS_WITH(f(), Contains(fragment));
    CHECK_THROWS_AS(f(), alea::InvalidArgument);
  };
  invalid([] { BayesianGaussianMixture<double>({.n_components = 0}); }, "n_components");
  invalid([] { BayesianGaussianMixture<double>({.tol = -1}); }, "tol");
  invalid([] { BayesianGaussianMixture<double>({.max_iter = 0}); }, "max_iter");
  invalid([] { BayesianGaussianMixture<double>({.weight_concentration_prior = 0.0}); },
          "weight_concentration_prior");
  invalid([] { BayesianGaussianMixture<double>({.mean_precision_prior = -1.0}); },
          "mean_precision_prior");
  invalid([] { BayesianGaussianMixture<double>({.learning_rate_decay = 0.5}); },
          "learning_rate_decay");
  invalid([] { BayesianGaussianMixture<double>({.batch_size = -1}); }, "batch_size");
  invalid([&] { BayesianGaussianMixture<double>({.n_components = 151}).fit(X); },
          "n_components is 151");
  invalid([&] { BayesianGaussianMixture<double>({.degrees_of_freedom_prior = 2.5}).fit(X); },
          "greater than d - 1 = 3");
  invalid([&] { BayesianGaussianMixture<double>({.mean_prior = VectorX<double>::Zero(3)}).fit(X); },
          "mean_prior has 3 entries");
  invalid(
      [&] {
        BayesianGaussianMixture<double>({.covariance_type = CovarianceType::diag,
                                         .covariance_prior = MatrixX<double>::Ones(4, 4)})
            .fit(X);
      },
      "must be 1 x 4");
  invalid(
      [&] {
        BayesianGaussianMixture<double>({.covariance_prior = MatrixX<double>::Ones(4, 4)}).fit(X);
      },
      "not positive definite");
  invalid(
      [&] {
        BayesianGaussianMixture<double>(
            {.n_components = 2, .responsibilities_init = MatrixX<double>::Ones(150, 3)})
            .fit(X);
      },
      "responsibilities_init is 150 x 3");
  MatrixX<double> constant = X;
  constant.col(2).setConstant(1.0);
  invalid(
      [&] {
        BayesianGaussianMixture<double>({.covariance_type = CovarianceType::diag}).fit(constant);
      },
      "constant column");
  MatrixX<double> bad = X;
  bad(4, 0) = NAN;
  invalid([&] { BayesianGaussianMixture<double>().fit(bad); }, "X has a NaN at row 4");
  BayesianGaussianMixture<double> unfitted;
  CHECK_THROWS_AS(unfitted.log_prob(X), alea::NotFittedError);
  CHECK_THROWS_AS(unfitted.weights(), alea::NotFittedError);
  BayesianGaussianMixture<double> bgm({.n_components = 2});
  bgm.fit(X);
  invalid([&] { (void)bgm.predict(MatrixX<double>::Zero(2, 3)); }, "X has 3 columns");
}
