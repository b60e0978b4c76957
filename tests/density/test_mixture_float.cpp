// GaussianMixture<float> and BayesianGaussianMixture<float> against their double versions, on
// the scikit-learn fixture starts (kept apart so that the float instantiations compile in a
// translation unit of their own).

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "alea/core/concepts.hpp"
#include "alea/density/bayesian_gaussian_mixture.hpp"
#include "alea/density/gaussian_mixture.hpp"
#include "fixtures.hpp"

using alea::CovarianceType;
using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace test = alea::test;

static_assert(alea::GenerativeModel<alea::GaussianMixture<float>>);
static_assert(alea::GenerativeModel<alea::BayesianGaussianMixture<float>>);

TEST_CASE("GaussianMixture in float agrees with double", "[density][gaussian_mixture]") {
  const auto& json = test::fixture("gmm_sklearn.json");
  for (const auto& c : json["cases"]) {
    if (c["dataset"] != "synthetic" || !c["sample_weight"].is_null()) continue;
    INFO("case " << c["name"].get<std::string>());
    const MatrixX<double> X = test::matrix(json["datasets"]["synthetic"]);
    const auto type = *alea::covariance_type_from_string(c["covariance_type"].get<std::string>());
    alea::MixturePrecisions precisions;
    if (type == CovarianceType::full) {
      precisions = test::matrices(c["precisions_init"]);
    } else if (type == CovarianceType::spherical) {
      precisions = test::vector(c["precisions_init"]);
    } else {
      precisions = test::matrix(c["precisions_init"]);
    }
    const alea::GaussianMixtureSettings s{.n_components = c["n_components"],
                                          .covariance_type = type,
                                          .tol = 0,
                                          .max_iter = 20,
                                          .weights_init = test::vector(c["weights_init"]),
                                          .means_init = test::matrix(c["means_init"]),
                                          .precisions_init = precisions};
    alea::GaussianMixture<double> d(s);
    alea::GaussianMixture<float> f(s);
    d.fit(X);
    f.fit(X.cast<float>());
    // Float rounding (6e-8) grows through 20 iterations of sums over 600 rows; 1e-4 relative
    // is about a thousand float ulps.
    CHECK(f.lower_bound() == Approx(d.lower_bound()).epsilon(1e-4));
    CHECK(test::max_relative_error(f.means(), d.means()) < 1e-4);
    CHECK(test::max_relative_error(f.log_prob(X.topRows(50).cast<float>()),
                                   d.log_prob(X.topRows(50))) < 1e-4);
    alea::Rng rng{1};
    CHECK(f.sample(10, rng).allFinite());
  }
}

TEST_CASE("BayesianGaussianMixture in float agrees with double",
          "[density][bayesian_gaussian_mixture]") {
  const auto& json = test::fixture("bgm_sklearn.json");
  const auto& c = json["cases"][0];
  const MatrixX<double> X = test::matrix(json["datasets"][c["dataset"].get<std::string>()]);
  const Index k = c["n_components"];
  MatrixX<double> R = MatrixX<double>::Zero(X.rows(), k);
  for (Index i = 0; i < X.rows(); ++i)
    R(i, c["labels_init"][i].get<Index>()) = 1;
  const alea::BayesianGaussianMixtureSettings s{
      .n_components = k, .tol = 0, .max_iter = 30, .responsibilities_init = R};
  alea::BayesianGaussianMixture<double> d(s);
  alea::BayesianGaussianMixture<float> f(s);
  d.fit(X);
  f.fit(X.cast<float>());
  // 30 iterations of float sums over 150 rows: agreement to ~1e-5 relative seen.
  CHECK(f.lower_bound() == Approx(d.lower_bound()).epsilon(1e-4));
  CHECK(test::max_relative_error(f.means(), d.means()) < 1e-4);
}
