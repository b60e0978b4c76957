#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "alea/core/random.hpp"
#include "alea/metrics/inception_score.hpp"
#include "fixtures.hpp"

using alea::Index;
using alea::MatrixX;
namespace metrics = alea::metrics;
namespace test = alea::test;

TEMPLATE_TEST_CASE("Inception Score equals the original formula with torchmetrics' std",
                   "[metrics][inception_score]", float, double) {
  using T = TestType;
  const auto& ref = test::fixture("metrics_reference.json")["inception"];
  const MatrixX<T> P = test::matrix<T>(ref["probabilities"]);
  // Double: sums of 100 logs agree to ~1e-15. Float: the probabilities themselves are rounded
  // to ~6e-8 relative (the rows then sum to 1 within 1e-6), which moves the score by ~1e-6.
  const double tol = std::is_same_v<T, float> ? 1e-5 : 1e-12;
  for (const auto& [splits, expected] : ref["splits"].items()) {
    INFO("splits " << splits);
    const auto score = metrics::inception_score(P, Index(std::stoi(splits)));
    CHECK(std::abs(score.mean - expected["mean"].template get<double>()) < tol);
    CHECK(std::abs(score.std - expected["std"].template get<double>()) < tol);
  }
}

TEST_CASE("Inception Score is 1 for identical predictions and C for confident balanced ones",
          "[metrics][inception_score]") {
  MatrixX<double> same(60, 4);
  same.rowwise() = Eigen::RowVector4d(0.1, 0.2, 0.3, 0.4);
  for (const Index splits : {1, 3, 60}) {
    const auto score = metrics::inception_score(same, splits);
    // Each split's marginal is the common row up to the rounding of a mean: KL ~ 1e-16.
    CHECK(std::abs(score.mean - 1) < 1e-14);
    CHECK(score.std < 1e-14);
  }
  // One-hot rows cycling through C = 10 classes: every split of 10 consecutive rows is balanced.
  MatrixX<double> confident = MatrixX<double>::Zero(100, 10);
  for (Index i = 0; i < 100; ++i)
    confident(i, i % 10) = 1;
  for (const Index splits : {1, 10}) {
    const auto score = metrics::inception_score(confident, splits);
    CHECK(std::abs(score.mean - 10) < 1e-12);
    CHECK(score.std < 1e-12);
  }
  // Shuffled (torchmetrics): one split is the whole set, so the order does not matter.
  alea::Rng rng{4};
  CHECK(std::abs(metrics::inception_score(confident, 1, rng).mean - 10) < 1e-12);
}

TEST_CASE("Inception Score with shuffling is reproducible and uses every row once",
          "[metrics][inception_score]") {
  const MatrixX<double> P = test::matrix(test::fixture("metrics_reference.json")["inception"]["probabilities"]);
  alea::Rng a{8}, b{8};
  const auto first = metrics::inception_score(P, 4, a);
  const auto second = metrics::inception_score(P, 4, b);
  CHECK(first.mean == second.mean);
  CHECK(first.std == second.std);
  // A shuffle differs from the given order, so do the splits' scores.
  CHECK(first.mean != metrics::inception_score(P, 4).mean);
  // One split's score does not depend on the order of the rows, but would change if a faulty
  // shuffle repeated or dropped one.
  CHECK(std::abs(metrics::inception_score(P, 1, a).mean - metrics::inception_score(P, 1).mean) <
        1e-13);
}

TEST_CASE("Inception Score rejects rows that are not probability vectors and bad splits",
          "[metrics][inception_score]") {
  MatrixX<double> P = MatrixX<double>::Constant(5, 2, 0.5);
  const std::string prefix = "alea::metrics::inception_score: ";
  CHECK_THROWS_MATCHES(metrics::inception_score(P, 0), alea::InvalidArgument,
                       Catch::Message(prefix + "splits is 0, but must be positive"));
  CHECK_THROWS_MATCHES(
      metrics::inception_score(P, 6), alea::InvalidArgument,
      Catch::Message(prefix + "splits is 6, but class_probabilities has only 5 rows"));
  P(3, 0) = 0.7;
  CHECK_THROWS_MATCHES(
      metrics::inception_score(P, 1), alea::InvalidArgument,
      Catch::Message(prefix + "class_probabilities row 3 sums to 1.2, but must sum to 1"));
  P(3, 0) = 1.5;
  P(3, 1) = -0.5;
  CHECK_THROWS_MATCHES(
      metrics::inception_score(P, 1), alea::InvalidArgument,
      Catch::Message(prefix + "class_probabilities row 3 has a negative entry -0.5 at "
                              "index 1; probabilities must be non-negative"));
  P(3, 1) = std::nan("");
  alea::Rng rng{1};
  CHECK_THROWS_MATCHES(metrics::inception_score(P, 1, rng), alea::InvalidArgument,
                       Catch::Message(prefix + "class_probabilities has a NaN at row 3, column 1"));
}
