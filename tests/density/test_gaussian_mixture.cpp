// GaussianMixture: recovery of known parameters, weights as repeated rows, mergeable
// statistics, thread independence, sampling moments, initialisations, re-seeding, status,
// persistence and bad input. The scikit-learn comparison is in test_gaussian_mixture_sklearn.cpp.

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "alea/core/concepts.hpp"
#include "alea/core/json.hpp"
#include "alea/density/gaussian_components.hpp"
#include "alea/density/gaussian_mixture.hpp"
#include "alea/density/mixture_init.hpp"
#include "alea/density/mixture_statistics.hpp"
#include "alea/io/model_file.hpp"
#include "fixtures.hpp"

using alea::CovarianceType;
using alea::GaussianComponents;
using alea::GaussianMixture;
using alea::GaussianMixtureSettings;
using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace test = alea::test;

static_assert(alea::GenerativeModel<GaussianMixture<double>>);
static_assert(alea::WeightedEstimator<GaussianMixture<double>>);
static_assert(alea::Persistable<GaussianMixture<double>>);

namespace {

/// A well-separated 3-component mixture in 2-D with full covariances.
GaussianMixture<double> truth() {
  MatrixX<double> means(3, 2);
  means << -4, 0, 3, 3, 3, -3;
  std::vector<MatrixX<double>> covariances(3, MatrixX<double>(2, 2));
  covariances[0] << 1.0, 0.3, 0.3, 0.5;
  covariances[1] << 0.6, -0.2, -0.2, 0.8;
  covariances[2] << 0.4, 0.0, 0.0, 1.2;
  VectorX<double> weights(3);
  weights << 0.5, 0.3, 0.2;
  return GaussianMixture<double>(
      weights, GaussianComponents<double>(CovarianceType::full, means, covariances, "test"));
}

MatrixX<double> draws(Index n, std::uint64_t seed) {
  alea::Rng rng{seed};
  return truth().sample(n, rng);
}

/// Components ordered as the truth's by nearest mean.
std::vector<Index> match_components(const MatrixX<double>& fitted, const MatrixX<double>& target) {
  std::vector<Index> order;
  for (Index j = 0; j < target.rows(); ++j) {
    Index best;
    (fitted.rowwise() - target.row(j)).rowwise().squaredNorm().minCoeff(&best);
    order.push_back(best);
  }
  return order;
}

/// Precisions equal to the identity in the type's shape.
alea::MixturePrecisions identity_precisions(CovarianceType type, Index k, Index d) {
  switch (type) {
    case CovarianceType::full:
      return std::vector<MatrixX<double>>(k, MatrixX<double>::Identity(d, d));
    case CovarianceType::tied:
      return MatrixX<double>(MatrixX<double>::Identity(d, d));
    case CovarianceType::diag:
      return MatrixX<double>(MatrixX<double>::Ones(k, d));
    case CovarianceType::spherical:
      return VectorX<double>(VectorX<double>::Ones(k));
  }
  return {};
}

/// Settings starting from uniform weights, the truth's means shifted by 0.5 and identity
/// precisions: a start that needs no random draw.
GaussianMixtureSettings given_start(CovarianceType type, Index max_iter, double tol = 0) {
  return {.n_components = 3,
          .covariance_type = type,
          .tol = tol,
          .max_iter = max_iter,
          .weights_init = VectorX<double>::Constant(3, 1.0 / 3),
          .means_init = MatrixX<double>(truth().means().array() + 0.5),
          .precisions_init = identity_precisions(type, 3, 2)};
}

}  // namespace

TEST_CASE("GaussianMixture recovers known parameters within sampling error",
          "[density][gaussian_mixture]") {
  const Index n = 20000;
  const MatrixX<double> X = draws(n, 1);
  const auto reference = truth();
  GaussianMixture<double> gm({.n_components = 3, .tol = 1e-8, .max_iter = 500, .seed = 3});
  gm.fit(X);
  CHECK(gm.converged());
  const auto order = match_components(gm.means(), reference.means());
  const auto covariances = gm.covariances();
  for (Index j = 0; j < 3; ++j) {
    const Index f = order[j];
    INFO("component " << j);
    // Standard errors: weight sqrt(w (1 - w) / n) <= 0.0036; a mean coordinate
    // sqrt(Sigma_ii / (n w)) <= 0.018; a covariance entry about Sigma_ii sqrt(2 / (n w)) <= 0.03.
    // Overlap between components is negligible at these separations. Bound: 4 standard errors.
    CHECK(std::abs(gm.weights()(f) - reference.weights()(j)) < 4 * 0.0036);
    CHECK((gm.means().row(f) - reference.means().row(j)).cwiseAbs().maxCoeff() < 4 * 0.018);
    CHECK((covariances[f] - reference.covariances()[j]).cwiseAbs().maxCoeff() < 4 * 0.03);
  }
  // The fitted model explains the data at least as well as the truth (it maximises L).
  CHECK(gm.score(X) >= reference.score(X));
}

TEST_CASE("GaussianMixture with integer weights equals the fit on repeated rows",
          "[density][gaussian_mixture]") {
  const MatrixX<double> X = draws(300, 2);
  alea::Rng rng{4};
  VectorX<double> w(X.rows());
  for (Index i = 0; i < w.size(); ++i)
    w(i) = double(alea::uniform_index(rng, 4));  // 0..3
  MatrixX<double> repeated(Index(w.sum()), 2);
  for (Index i = 0, r = 0; i < X.rows(); ++i)
    for (int c = 0; c < int(w(i)); ++c)
      repeated.row(r++) = X.row(i);
  for (const auto type : alea::all_covariance_types) {
    INFO("covariance_type " << alea::to_string(type));
    const auto settings = given_start(type, 30);
    GaussianMixture<double> weighted(settings), plain(settings);
    weighted.fit(X, w);
    plain.fit(repeated);
    // The same sums in another order: agreement to rounding, which 30 iterations of a
    // contracting map do not amplify beyond ~1e-13.
    const auto& a = weighted.status().history;
    const auto& b = plain.status().history;
    REQUIRE(a.size() == b.size());
    for (std::size_t t = 0; t < a.size(); ++t)
      CHECK(a[t] == Approx(b[t]).epsilon(1e-11));
    CHECK(test::max_relative_error(weighted.weights(), plain.weights()) < 1e-10);
    CHECK(test::max_relative_error(weighted.means(), plain.means()) < 1e-10);
    for (Index j = 0; j < 3; ++j)
      CHECK(test::max_relative_error(weighted.covariances()[j], plain.covariances()[j]) < 1e-10);
  }
}

TEST_CASE("MixtureStatistics of shards add up to the statistics of the whole",
          "[density][gaussian_mixture][statistics]") {
  const MatrixX<double> X = draws(3000, 5);
  for (const auto type : alea::all_covariance_types) {
    INFO("covariance_type " << alea::to_string(type));
    GaussianMixture<double> gm(given_start(type, 3));
    gm.fit(X);
    const auto whole = gm.statistics(X);
    auto shards = gm.statistics(X.topRows(1000));
    shards += gm.statistics(X.middleRows(1000, 1500));
    shards += gm.statistics(X.bottomRows(500));
    CHECK(test::max_relative_error(shards.counts, whole.counts) < 1e-12);
    CHECK(test::max_relative_error(shards.first, whole.first) < 1e-10);
    CHECK(shards.log_likelihood == Approx(whole.log_likelihood).epsilon(1e-12));
    CHECK(shards.observations == 3000);
    // The M-step on the summed shards is the fit's next iteration.
    GaussianMixture<double> from_shards(given_start(type, 1));
    from_shards.fit_statistics(shards);
    GaussianMixture<double> one_more = gm;
    auto s = given_start(type, 1);
    s.warm_start = true;
    one_more = GaussianMixture<double>(s);
    one_more.fit_statistics(whole);
    CHECK(test::max_relative_error(from_shards.means(), one_more.means()) < 1e-10);
    for (Index j = 0; j < 3; ++j)
      CHECK(test::max_relative_error(from_shards.covariances()[j], one_more.covariances()[j]) <
            1e-10);
    // Shifting the centres is exact algebra: the M-step does not change.
    auto shifted = whole.shifted_to(MatrixX<double>::Constant(3, 2, 7.0));
    GaussianMixture<double> from_shifted(given_start(type, 1));
    from_shifted.fit_statistics(shifted);
    CHECK(test::max_relative_error(from_shifted.means(), one_more.means()) < 1e-10);
    for (Index j = 0; j < 3; ++j)
      CHECK(test::max_relative_error(from_shifted.covariances()[j], one_more.covariances()[j]) <
            1e-9);
  }
}

#if defined(_OPENMP)
TEST_CASE("GaussianMixture gives the same bits on one thread and on several",
          "[density][gaussian_mixture]") {
  const MatrixX<double> X = draws(40000, 6);  // enough rows for many chunks
  const int threads = omp_get_max_threads();
  for (const auto type : alea::all_covariance_types) {
    INFO("covariance_type " << alea::to_string(type));
    omp_set_num_threads(1);
    GaussianMixture<double> one(given_start(type, 5));
    one.fit(X);
    alea::Rng r1{9};
    const MatrixX<double> s1 = one.sample(20000, r1);
    omp_set_num_threads(std::max(2, threads));
    GaussianMixture<double> many(given_start(type, 5));
    many.fit(X);
    alea::Rng r2{9};
    const MatrixX<double> s2 = many.sample(20000, r2);
    omp_set_num_threads(threads);
    CHECK(test::same_bits(one.means(), many.means()));
    CHECK(test::same_bits(one.covariances()[2], many.covariances()[2]));
    CHECK(one.lower_bound() == many.lower_bound());
    CHECK(test::same_bits(s1, s2));
  }
}
#endif

TEST_CASE("GaussianMixture samples have the mixture's moments and weights",
          "[density][gaussian_mixture]") {
  const auto model = truth();
  alea::Rng rng{11};
  const Index n = 200000;
  const auto [X, labels] = model.sample_with_labels(n, rng);
  // Mixture mean and covariance: sum w mu, sum w (Sigma + mu mu^T) - mean mean^T.
  VectorX<double> mean = model.means().transpose() * model.weights();
  MatrixX<double> second = MatrixX<double>::Zero(2, 2);
  for (Index j = 0; j < 3; ++j) {
    second += model.weights()(j) *
              (model.covariances()[j] + model.means().row(j).transpose() * model.means().row(j));
  }
  const MatrixX<double> covariance = second - mean * mean.transpose();
  const VectorX<double> sample_mean = X.colwise().mean();
  const MatrixX<double> centred = X.rowwise() - sample_mean.transpose();
  const MatrixX<double> sample_covariance = centred.transpose() * centred / double(n - 1);
  for (Index a = 0; a < 2; ++a) {
    // Monte Carlo standard error of a mean: sqrt(var / n); of a covariance entry: about
    // sqrt((var_a var_b + cov_ab^2) / n) (a Gaussian approximation; the mixture's fourth
    // moments are close to it at this separation, and 5 SE leave room).
    CHECK(std::abs(sample_mean(a) - mean(a)) < 4 * std::sqrt(covariance(a, a) / double(n)));
    for (Index b = 0; b < 2; ++b) {
      const double se = std::sqrt(
          (covariance(a, a) * covariance(b, b) + covariance(a, b) * covariance(a, b)) / double(n));
      CHECK(std::abs(sample_covariance(a, b) - covariance(a, b)) < 5 * se);
    }
  }
  for (Index j = 0; j < 3; ++j) {
    const double fraction = double((labels.array() == j).count()) / double(n);
    const double w = model.weights()(j);
    CHECK(std::abs(fraction - w) < 4 * std::sqrt(w * (1 - w) / double(n)));
  }
  // Draws come in random order: the first 1% already holds every component.
  for (Index j = 0; j < 3; ++j)
    CHECK((labels.head(n / 100).array() == j).count() > 0);
}

TEST_CASE("GaussianMixture's log density integrates to 1", "[density][gaussian_mixture]") {
  const auto model = truth();
  // Midpoint rule on [-12, 12] x [-10, 10] with step 0.05: the mixture's mass outside is below
  // 1e-12 and the rule's error for these smooth densities about 1e-10.
  const double step = 0.05;
  MatrixX<double> grid(480 * 400, 2);
  for (Index i = 0; i < 480; ++i)
    for (Index j = 0; j < 400; ++j)
      grid.row(i * 400 + j) << -12 + (i + 0.5) * step, -10 + (j + 0.5) * step;
  CHECK(model.log_prob(grid).array().exp().sum() * step * step == Approx(1.0).epsilon(1e-8));
}

TEST_CASE("GaussianMixture initialisations all find well-separated components",
          "[density][gaussian_mixture]") {
  const MatrixX<double> X = draws(3000, 12);
  const auto reference = truth();
  for (const auto init : {alea::MixtureInit::kmeans, alea::MixtureInit::kmeans_plusplus,
                          alea::MixtureInit::random, alea::MixtureInit::random_from_data}) {
    INFO("init_params " << alea::to_string(init));
    GaussianMixture<double> gm({.n_components = 3,
                                .tol = 1e-6,
                                .max_iter = 300,
                                .n_init = 3,
                                .init_params = init,
                                .seed = 5});
    gm.fit(X);
    const auto order = match_components(gm.means(), reference.means());
    for (Index j = 0; j < 3; ++j) {
      // 3000 draws: mean standard errors below 0.05; 0.2 means the right component was found.
      CHECK((gm.means().row(order[j]) - reference.means().row(j)).cwiseAbs().maxCoeff() < 0.2);
    }
    // Reproducible for a seed.
    GaussianMixture<double> again(gm.settings());
    again.fit(X);
    CHECK(test::same_bits(again.means(), gm.means()));
  }
}

TEST_CASE("GaussianMixture keeps the initialisation with the best lower bound",
          "[density][gaussian_mixture]") {
  const MatrixX<double> X = draws(2000, 13);
  GaussianMixtureSettings s{.n_components = 5,
                            .tol = 1e-6,
                            .max_iter = 300,
                            .n_init = 4,
                            .init_params = alea::MixtureInit::random,
                            .seed = 21};
  GaussianMixture<double> best(s);
  best.fit(X);
  // Initialisation 0 of the four is the single run with the same seed (stream 0).
  s.n_init = 1;
  GaussianMixture<double> first(s);
  first.fit(X);
  CHECK(best.lower_bound() >= first.lower_bound());
  CHECK(best.lower_bound() == best.status().history.back());
}

TEST_CASE("GaussianMixture re-seeds a component that loses all its points",
          "[density][gaussian_mixture]") {
  const MatrixX<double> X = draws(1000, 14);
  // Component 2 starts 1000 standard deviations away: its responsibilities underflow to 0.
  MatrixX<double> means = truth().means();
  means.row(2) << 1000, 1000;
  GaussianMixture<double> gm({.n_components = 3,
                              .tol = 1e-8,
                              .max_iter = 500,
                              .weights_init = VectorX<double>::Constant(3, 1.0 / 3),
                              .means_init = means,
                              .precisions_init = identity_precisions(CovarianceType::full, 3, 2)});
  gm.fit(X);
  REQUIRE(!gm.status().notes.empty());
  CHECK(gm.status().notes.front().find("re-seeded") != std::string::npos);
  // After re-seeding it finds a real cluster: every component holds a tenth of the data or more.
  CHECK(gm.weights().minCoeff() > 0.1);
  CHECK(gm.means().cwiseAbs().maxCoeff() < 10);
}

TEST_CASE("GaussianMixture explains an ill-defined covariance instead of failing silently",
          "[density][gaussian_mixture][errors]") {
  // Four distinct points in 3-D repeated: a component on them has a singular covariance.
  MatrixX<double> X(40, 3);
  for (Index i = 0; i < 40; ++i)
    X.row(i) << i % 4, (i % 4) * 2.0, 1.0;
  GaussianMixture<double> gm({.n_components = 1, .reg_covar = 0});
  try {
    gm.fit(X);
    FAIL("expected alea::NumericalError");
  } catch (const alea::NumericalError& e) {
    const std::string message = e.what();
    CHECK(message.find("alea::GaussianMixture::fit") != std::string::npos);
    CHECK(message.find("reg_covar") != std::string::npos);
  }
  // With the default reg_covar the same data fit.
  GaussianMixture<double> regularised({.n_components = 1});
  CHECK_NOTHROW(regularised.fit(X));
}

TEST_CASE("GaussianMixture reports status, history and a callback's stop",
          "[density][gaussian_mixture]") {
  const MatrixX<double> X = draws(500, 15);
  // tol = 0: run max_iter iterations and report not converged.
  GaussianMixture<double> fixed(given_start(CovarianceType::full, 7));
  fixed.fit(X);
  CHECK(fixed.n_iter() == 7);
  CHECK_FALSE(fixed.converged());
  CHECK(fixed.status().history.size() == 7);
  CHECK(fixed.lower_bound() == fixed.status().history.back());
  // A callback that returns false at iteration 3.
  auto s = given_start(CovarianceType::full, 100, 1e-12);
  std::vector<double> seen;
  s.progress = [&](Index iteration, double bound) {
    seen.push_back(bound);
    return iteration < 3;
  };
  GaussianMixture<double> stopped(s);
  stopped.fit(X);
  CHECK(stopped.status().stopped_early);
  CHECK(stopped.n_iter() == 3);
  CHECK(seen == stopped.status().history);
  // Not converged within max_iter with tol > 0: the best parameters are set and a note says so.
  GaussianMixture<double> short_run(given_start(CovarianceType::full, 2, 1e-12));
  short_run.fit(X);
  CHECK_FALSE(short_run.converged());
  CHECK(short_run.fitted());
  REQUIRE(!short_run.status().notes.empty());
  CHECK(short_run.status().notes.back().find("max_iter") != std::string::npos);
  // Warm start continues where the last fit stopped: 7 + 7 iterations equal 14.
  auto warm = given_start(CovarianceType::full, 7);
  warm.warm_start = true;
  GaussianMixture<double> twice(warm);
  twice.fit(X).fit(X);
  GaussianMixture<double> fourteen(given_start(CovarianceType::full, 14));
  fourteen.fit(X);
  CHECK(test::max_relative_error(twice.means(), fourteen.means()) < 1e-12);
  CHECK(twice.lower_bound() == Approx(fourteen.lower_bound()).epsilon(1e-14));
}

TEST_CASE("GaussianMixture predict, predict_proba, log_prob and criteria are consistent",
          "[density][gaussian_mixture]") {
  const MatrixX<double> X = draws(800, 17);
  for (const auto type : alea::all_covariance_types) {
    INFO("covariance_type " << alea::to_string(type));
    GaussianMixture<double> gm(given_start(type, 50, 1e-9));
    gm.fit(X);
    const MatrixX<double> P = gm.predict_proba(X);
    CHECK((P.rowwise().sum().array() - 1).abs().maxCoeff() < 1e-12);
    const auto labels = gm.predict(X);
    for (Index i = 0; i < X.rows(); ++i) {
      Index best;
      P.row(i).maxCoeff(&best);
      CHECK(labels(i) == best);
    }
    // log p(x) = log sum_k pi_k N(x | mu_k, Sigma_k) via the components as Gaussians.
    VectorX<double> direct = VectorX<double>::Zero(X.rows());
    for (Index j = 0; j < 3; ++j)
      direct += gm.weights()(j) * gm.component(j).log_prob(X).array().exp().matrix();
    CHECK(test::max_relative_error(gm.log_prob(X), VectorX<double>(direct.array().log())) < 1e-12);
    const double n = double(X.rows());
    const Index covariance_parameters = type == CovarianceType::full   ? 9
                                        : type == CovarianceType::tied ? 3
                                        : type == CovarianceType::diag ? 6
                                                                       : 3;
    CHECK(gm.parameters() == 2 + 6 + covariance_parameters);
    CHECK(gm.bic(X) == Approx(-2 * gm.score(X) * n + gm.parameters() * std::log(n)));
    CHECK(gm.aic(X) == Approx(-2 * gm.score(X) * n + 2 * gm.parameters()));
  }
}

TEST_CASE("GaussianMixture saves and loads", "[density][gaussian_mixture][io]") {
  const MatrixX<double> X = draws(600, 18);
  const auto folder = test::temporary_folder("gaussian_mixture");
  for (const auto type : alea::all_covariance_types) {
    INFO("covariance_type " << alea::to_string(type));
    GaussianMixture<double> gm(given_start(type, 20));
    gm.fit(X);
    const auto path = folder / (std::string(alea::to_string(type)) + ".json");
    alea::save(gm, path);
    const auto loaded = alea::load<GaussianMixture<double>>(path);
    CHECK(loaded.components().covariance_type() == type);
    CHECK(test::max_relative_error(loaded.log_prob(X), gm.log_prob(X)) < 1e-14);
    CHECK(loaded.n_iter() == gm.n_iter());
    CHECK(loaded.lower_bound() == gm.lower_bound());
  }
  GaussianMixture<double> unfitted;
  CHECK_THROWS_AS(alea::save(unfitted, folder / "x.json"), alea::NotFittedError);
}

TEST_CASE("GaussianMixture rejects bad input with clear messages",
          "[density][gaussian_mixture][errors]") {
  using Catch::Matchers::Contains;
  const MatrixX<double> X = draws(50, 19);
  const auto invalid = [](auto&& f, const std::string& fragment) {
    CHECK_THROWS_WITH(f(), Contains(fragment));
    CHECK_THROWS_AS(f(), alea::InvalidArgument);
  };
  invalid([] { GaussianMixture<double>({.n_components = 0}); }, "n_components");
  invalid([] { GaussianMixture<double>({.tol = -1}); }, "tol");
  invalid([] { GaussianMixture<double>({.tol = NAN}); }, "tol");
  invalid([] { GaussianMixture<double>({.reg_covar = -1e-6}); }, "reg_covar");
  invalid([] { GaussianMixture<double>({.max_iter = 0}); }, "max_iter");
  invalid([] { GaussianMixture<double>({.n_init = 0}); }, "n_init");
  invalid(
      [] {
        GaussianMixture<double>({.n_components = 2, .weights_init = VectorX<double>::Ones(3) / 3});
      },
      "weights_init has 3 entries");
  invalid(
      [] {
        GaussianMixture<double>({.n_components = 2, .weights_init = VectorX<double>::Ones(2)});
      },
      "weights_init sums to");
  invalid(
      [] {
        GaussianMixture<double>({.n_components = 2, .means_init = MatrixX<double>::Zero(3, 2)});
      },
      "means_init has 3 rows");
  invalid([&] { GaussianMixture<double>({.n_components = 51}).fit(X); }, "n_components is 51");
  MatrixX<double> bad = X;
  bad(7, 1) = NAN;
  invalid([&] { GaussianMixture<double>({.n_components = 2}).fit(bad); }, "X has a NaN at row 7");
  bad(7, 1) = INFINITY;
  invalid([&] { GaussianMixture<double>({.n_components = 2}).fit(bad); }, "X has +Inf");
  invalid([&] { GaussianMixture<double>({.n_components = 2}).fit(MatrixX<double>(0, 2)); },
          "X is empty");
  invalid([&] { GaussianMixture<double>({.n_components = 2}).fit(X, VectorX<double>::Ones(49)); },
          "sample_weight has 49 entries");
  VectorX<double> w = VectorX<double>::Ones(50);
  w(3) = -1;
  invalid([&] { GaussianMixture<double>({.n_components = 2}).fit(X, w); }, "negative");
  invalid([&] { GaussianMixture<double>({.n_components = 2}).fit(X, VectorX<double>::Zero(50)); },
          "sums to 0");
  invalid(
      [&] {
        GaussianMixture<double>({.n_components = 2, .means_init = MatrixX<double>::Zero(2, 3)})
            .fit(X);
      },
      "means_init has");
  // Precisions: wrong shape for the type, not positive definite.
  invalid(
      [&] {
        GaussianMixture<double>(
            {.n_components = 2,
             .covariance_type = CovarianceType::full,
             .precisions_init = MatrixX<double>(MatrixX<double>::Identity(2, 2))})
            .fit(X);
      },
      "precisions_init must be");
  invalid(
      [&] {
        MatrixX<double> P(2, 2);
        P << 1, 2, 2, 1;  // symmetric, eigenvalues 3 and -1
        GaussianMixture<double>(
            {.n_components = 2, .precisions_init = std::vector<MatrixX<double>>{P, P}})
            .fit(X);
      },
      "not positive definite");
  invalid(
      [&] {
        GaussianMixture<double>(
            {.n_components = 2,
             .covariance_type = CovarianceType::diag,
             .precisions_init = MatrixX<double>(MatrixX<double>::Constant(2, 2, -1))})
            .fit(X);
      },
      "precisions_init has an entry <= 0");
  invalid(
      [&] {
        GaussianMixture<double>({.n_components = 2,
                                 .covariance_type = CovarianceType::spherical,
                                 .precisions_init = VectorX<double>(VectorX<double>::Ones(3))})
            .fit(X);
      },
      "k = 2 numbers");
  // Use before fit, and a query of the wrong dimension.
  GaussianMixture<double> unfitted;
  CHECK_THROWS_AS(unfitted.log_prob(X), alea::NotFittedError);
  CHECK_THROWS_AS(unfitted.weights(), alea::NotFittedError);
  alea::Rng rng{1};
  CHECK_THROWS_AS(unfitted.sample(3, rng), alea::NotFittedError);
  GaussianMixture<double> gm({.n_components = 2});
  gm.fit(X);
  invalid([&] { (void)gm.predict(MatrixX<double>::Zero(3, 3)); }, "X has 3 columns");
  invalid([&] { (void)gm.log_prob(bad); }, "X has +Inf");
  invalid([&] { (void)gm.sample(-1, rng); }, "n");
  invalid([&] { (void)gm.component(2); }, "j is 2");
}
