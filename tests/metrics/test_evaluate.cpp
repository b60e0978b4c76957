#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>
#include <string>

#include "alea/core/concepts.hpp"
#include "alea/core/log_space.hpp"
#include "alea/core/random.hpp"
#include "alea/density/gaussian.hpp"
#include "alea/metrics/evaluate.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace metrics = alea::metrics;

namespace {

// Two well-separated clusters in 2-D: N((-3, 0), I) and N((3, 0), I), alternating rows.
MatrixX<double> two_clusters(alea::Rng& rng, Index n) {
  MatrixX<double> X = alea::standard_normal(rng, n, 2);
  for (Index i = 0; i < n; ++i)
    X(i, 0) += i % 2 == 0 ? -3.0 : 3.0;
  return X;
}

// The true model of two_clusters: 0.5 N((-3, 0), I) + 0.5 N((3, 0), I). (Written out rather
// than fitted with GaussianMixture, which would double this file's compile time.)
struct TwoClusters {
  using Scalar = double;
  [[nodiscard]] Index dim() const { return 2; }
  [[nodiscard]] VectorX<double> log_prob(const MatrixX<double>& X) const {
    MatrixX<double> terms(X.rows(), 2);
    for (const int k : {0, 1}) {
      const double centre = k == 0 ? -3.0 : 3.0;
      terms.col(k) = -0.5 * ((X.col(0).array() - centre).square() + X.col(1).array().square()) -
                     std::log(4 * M_PI);  // log(0.5 / (2 pi))
    }
    return alea::rowwise_log_sum_exp(terms);
  }
  template <class G>
  [[nodiscard]] MatrixX<double> sample(Index n, G& rng) const {
    return two_clusters(rng, n);
  }
};
static_assert(alea::GenerativeModel<TwoClusters>);

// A model that only draws (as a GAN): N(0, I_2).
struct Sampler {
  using Scalar = double;
  [[nodiscard]] Index dim() const { return 2; }
  template <class G>
  [[nodiscard]] MatrixX<double> sample(Index n, G& rng) const {
    return alea::standard_normal(rng, n, 2);
  }
};
static_assert(alea::Sampleable<Sampler> && !alea::Density<Sampler>);

// A model that only evaluates: the standard normal density in 2-D.
struct DensityOnly {
  using Scalar = double;
  [[nodiscard]] Index dim() const { return 2; }
  [[nodiscard]] VectorX<double> log_prob(const MatrixX<double>& X) const {
    return (-0.5 * X.rowwise().squaredNorm()).array() - std::log(2 * M_PI);
  }
};
static_assert(alea::Density<DensityOnly> && !alea::Sampleable<DensityOnly>);

}  // namespace

TEST_CASE("evaluate ranks the right model above the wrong one on every metric",
          "[metrics][evaluate]") {
  alea::Rng data{10};
  const MatrixX<double> train = two_clusters(data, 2000);
  const MatrixX<double> test = two_clusters(data, 600);
  alea::Gaussian<> one;  // one Gaussian over both clusters: mass in the empty middle
  one.fit(train);
  const TwoClusters two;
  alea::Rng rng{11};
  const auto wrong = metrics::evaluate(one, test, rng);
  const auto right = metrics::evaluate(two, test, rng);
  for (const auto* report : {&wrong, &right}) {
    CHECK(report->n_test == 600);
    CHECK(report->n_samples == 600);
    CHECK(report->dim == 2);
    CHECK(report->k == 5);
    REQUIRE(report->log_likelihood);
    REQUIRE(report->mmd2);
    REQUIRE(report->frechet_distance);
    REQUIRE(report->prdc);
  }
  // The single Gaussian puts mass in the empty middle. Expected log-likelihood gap: the KL
  // divergence of the mixture from its moment-matched Gaussian, 0.49 nats here; 600 test rows
  // give it a standard error of ~0.03. Its samples in the middle cost it precision (0.93 against
  // 0.985, standard errors ~0.01) and coverage (0.83 against 0.95, ~0.015).
  CHECK(right.log_likelihood->mean > wrong.log_likelihood->mean + 0.3);
  CHECK(*right.mmd2 < *wrong.mmd2 / 5);
  CHECK(right.prdc->precision > wrong.prdc->precision + 0.02);
  CHECK(right.prdc->coverage > wrong.prdc->coverage + 0.05);
  // Both match the first two moments (the single Gaussian by construction), so FD is small for
  // both, and it cannot tell them apart as clearly.
  CHECK(*right.frechet_distance < 0.1);
  CHECK(*wrong.frechet_distance < 0.3);
  // The log-likelihood is the model's mean log density on the test rows.
  CHECK(right.log_likelihood->mean == Approx(two.log_prob(test).mean()).epsilon(1e-12));
  CHECK(wrong.log_likelihood->mean == Approx(one.score(test)).epsilon(1e-12));
}

TEST_CASE("evaluate reports only the metrics a model's concepts allow", "[metrics][evaluate]") {
  alea::Rng rng{3};
  const MatrixX<double> test = alea::standard_normal(rng, 200, 2);
  const auto sampled = metrics::evaluate(Sampler{}, test, rng, {.n_samples = 300, .k = 3});
  CHECK(!sampled.log_likelihood);
  CHECK(sampled.mmd2);
  CHECK(sampled.n_samples == 300);
  CHECK(sampled.k == 3);
  const auto density = metrics::evaluate(DensityOnly{}, test, rng);
  CHECK(density.log_likelihood);
  CHECK(!density.mmd2);
  CHECK(!density.frechet_distance);
  CHECK(!density.prdc);
  CHECK(density.n_samples == 0);
}

TEST_CASE("evaluation reports print as aligned tables", "[metrics][evaluate]") {
  metrics::EvaluationReport a;
  a.n_test = 100;
  a.dim = 2;
  a.log_likelihood = metrics::LogLikelihood{
      .total = -250, .mean = -2.5, .bits_per_dim = 1.8034, .n = 100, .dim = 2};
  metrics::EvaluationReport b = a;
  b.log_likelihood.reset();
  b.n_samples = 100;
  b.k = 5;
  b.mmd2 = 0.00123;
  b.mmd_bandwidth = 1.5;
  b.frechet_distance = 0.25;
  b.prdc = metrics::Prdc{.precision = 0.9, .recall = 0.8, .density = 1.05, .coverage = 0.85};
  const std::string table = metrics::comparison_table({{"model A", a}, {"B", b}});
  const std::string expected =
      "metric                       model A                 B\n"
      "test rows / dimension        100 / 2           100 / 2\n"
      "samples drawn                      -  100 (PRDC k = 5)\n"
      "log-likelihood, mean (nats)     -2.5                 -\n"
      "log-likelihood (bits/dim)     1.8034                 -\n"
      "MMD^2 (unbiased, Gaussian)         -           0.00123\n"
      "  bandwidth (median)               -               1.5\n"
      "Frechet distance                   -              0.25\n"
      "precision                          -               0.9\n"
      "recall                             -               0.8\n"
      "density                            -              1.05\n"
      "coverage                           -              0.85\n";
  CHECK(table == expected);
  std::ostringstream out;
  out << a;
  CHECK(out.str() == a.to_table());
  CHECK(a.to_table() ==
        "metric                         value\n"
        "test rows / dimension        100 / 2\n"
        "log-likelihood, mean (nats)     -2.5\n"
        "log-likelihood (bits/dim)     1.8034\n");
}

TEST_CASE("evaluate rejects bad input", "[metrics][evaluate]") {
  alea::Rng rng{1};
  const MatrixX<double> test = alea::standard_normal(rng, 5, 2);
  CHECK_THROWS_MATCHES(
      metrics::evaluate(Sampler{}, test, rng), alea::InvalidArgument,
      Catch::Message("alea::metrics::evaluate: X_test has 5 rows, but k = 5 (and a covariance) "
                     "needs at least 6"));
  CHECK_THROWS_MATCHES(
      metrics::evaluate(Sampler{}, test, rng, {.n_samples = 2, .k = 2}), alea::InvalidArgument,
      Catch::Message("alea::metrics::evaluate: n_samples is 2, but k = 2 (and a covariance) "
                     "needs at least 3"));
  CHECK_THROWS_MATCHES(
      metrics::evaluate(DensityOnly{}, MatrixX<double>::Zero(5, 3), rng), alea::InvalidArgument,
      Catch::Message("alea::metrics::evaluate: X_test has 3 columns, but the model has "
                     "dimension 2"));
}
