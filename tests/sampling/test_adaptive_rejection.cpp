// Tests of alea::sampling::adaptive_rejection_sampling (adaptive_rejection.hpp).
//
// Tolerances: Kolmogorov-Smirnov statistics against the 1% critical value; means and variances
// within 4 standard errors (the variance's from the sample's fourth central moment,
// sqrt((m4 - s^4) / n)). Every test is seeded; the margins were checked on 20 other seeds.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "alea/core/rng.hpp"
#include "alea/sampling/adaptive_rejection.hpp"
#include "fixtures.hpp"
#include "independent_test_support.hpp"

using alea::Index;
using alea::VectorX;
using alea::test::independent::ks_critical_1_percent;
using alea::test::independent::ks_statistic;
using alea::test::independent::normal_cdf;
namespace sampling = alea::sampling;
using alea::test::infinity;

namespace {


/// Mean and variance of the draws within 4 standard errors of the closed forms.
void check_moments(const VectorX<double>& draws, double mean, double variance) {
  const double n = double(draws.size());
  const double m = draws.mean();
  const VectorX<double> c = (draws.array() - m).matrix();
  const double s2 = c.squaredNorm() / (n - 1);
  const double m4 = c.array().pow(4).mean();
  INFO("mean " << m << " (closed form " << mean << "), variance " << s2 << " (" << variance << ")");
  CHECK(std::abs(m - mean) <= 4.0 * std::sqrt(s2 / n));
  CHECK(std::abs(s2 - variance) <= 4.0 * std::sqrt((m4 - s2 * s2) / n));
}

/// The statistics every run must satisfy.
void check_run(const sampling::AdaptiveRejectionResult& r, Index n) {
  REQUIRE(r.draws.size() == n);
  CHECK(r.proposals >= n);
  CHECK(r.acceptance_rate == double(n) / double(r.proposals));
  CHECK(r.envelope_size == r.abscissae.size());
  CHECK(r.envelope_size <= 100);
  CHECK(std::is_sorted(r.abscissae.begin(), r.abscissae.end()));
  // Every proposal passed the squeeze or was evaluated (after the 3 initial evaluations: two
  // initial points and their midpoint).
  CHECK(r.squeeze_accepted + r.evaluations - 3 == r.proposals);
}

}  // namespace

TEST_CASE("adaptive rejection sampling of a standard normal", "[adaptive_rejection]") {
  alea::Rng rng{21};
  const auto log_density = [](double x) { return -0.5 * x * x; };
  const auto r = sampling::adaptive_rejection_sampling(log_density, {-1.0, 1.0}, 5000, rng);
  check_run(r, 5000);
  check_moments(r.draws, 0.0, 1.0);
  CHECK(ks_statistic(r.draws, normal_cdf) < ks_critical_1_percent(5000));
  // The hull tightens fast: most candidates pass the squeeze without an evaluation.
  INFO("evaluations " << r.evaluations << ", envelope " << r.envelope_size << ", acceptance "
                      << r.acceptance_rate);
  CHECK(r.evaluations < 200);
  CHECK(r.acceptance_rate > 0.95);
  CHECK(r.squeeze_accepted > 4500);
}

TEST_CASE("adaptive rejection sampling of a Gamma with shape 3 on the positive axis",
          "[adaptive_rejection]") {
  alea::Rng rng{22};
  const auto log_density = [](double x) { return 2.0 * std::log(x) - x; };
  const auto r = sampling::adaptive_rejection_sampling(log_density, {1.0, 5.0}, 5000, rng,
                                                       {.lower_bound = 0.0});
  check_run(r, 5000);
  CHECK((r.draws.array() > 0).all());
  check_moments(r.draws, 3.0, 3.0);
  const auto cdf = [](double x) { return 1.0 - std::exp(-x) * (1.0 + x + 0.5 * x * x); };
  CHECK(ks_statistic(r.draws, cdf) < ks_critical_1_percent(5000));
}

TEST_CASE("adaptive rejection sampling of a Beta with shapes 2 and 5 on the unit interval",
          "[adaptive_rejection]") {
  alea::Rng rng{23};
  const auto log_density = [](double x) { return std::log(x) + 4.0 * std::log1p(-x); };
  const auto r = sampling::adaptive_rejection_sampling(log_density, {0.1, 0.5}, 5000, rng,
                                                       {.lower_bound = 0.0, .upper_bound = 1.0});
  check_run(r, 5000);
  CHECK((r.draws.array() > 0 && r.draws.array() < 1).all());
  // Mean a / (a + b) = 2/7, variance a b / ((a + b)^2 (a + b + 1)) = 10 / 392.
  check_moments(r.draws, 2.0 / 7.0, 10.0 / 392.0);
  // I_x(2, 5) = sum_{j=2}^{6} C(6, j) x^j (1 - x)^(6 - j).
  const auto cdf = [](double x) {
    const double binomial[] = {1, 6, 15, 20, 15, 6, 1};
    double sum = 0;
    for (int j = 2; j <= 6; ++j)
      sum += binomial[j] * std::pow(x, j) * std::pow(1.0 - x, 6 - j);
    return sum;
  };
  CHECK(ks_statistic(r.draws, cdf) < ks_critical_1_percent(5000));
}

// log p = -x is linear: every chord has the same slope, log-concave at the boundary of the
// definition, and the hull is exact.
TEST_CASE("adaptive rejection sampling of an exponential whose log density is linear",
          "[adaptive_rejection]") {
  alea::Rng rng{24};
  const auto r = sampling::adaptive_rejection_sampling([](double x) { return -x; }, {0.5, 2.0},
                                                       3000, rng, {.lower_bound = 0.0});
  check_run(r, 3000);
  check_moments(r.draws, 1.0, 1.0);
  CHECK(ks_statistic(r.draws, [](double x) { return -std::expm1(-x); }) <
        ks_critical_1_percent(3000));
}

TEST_CASE("adaptive rejection sampling is reproducible from the seed", "[adaptive_rejection]") {
  const auto log_density = [](double x) { return -0.5 * x * x; };
  alea::Rng a{25};
  alea::Rng b{25};
  const auto ra = sampling::adaptive_rejection_sampling(log_density, {-1.0, 1.0}, 200, a);
  const auto rb = sampling::adaptive_rejection_sampling(log_density, {-1.0, 1.0}, 200, b);
  CHECK(alea::test::same_bits(ra.draws, rb.draws));
}

// A two-component mixture 0.5 N(-3, 1) + 0.5 N(3, 1): log-convex between the modes.
TEST_CASE("adaptive rejection sampling detects a density that is not log-concave",
          "[adaptive_rejection][errors]") {
  const auto bimodal = [](double x) {
    const double a = -0.5 * (x + 3) * (x + 3);
    const double b = -0.5 * (x - 3) * (x - 3);
    return std::max(a, b) + std::log1p(std::exp(-std::abs(a - b)));
  };
  alea::Rng rng{26};
  // The initial points already show it: chord slopes -0.83 then +0.83.
  CHECK_THROWS_WITH(
      sampling::adaptive_rejection_sampling(bimodal, {-4.0, 0.0, 4.0}, 100, rng,
                                            {.lower_bound = -10.0, .upper_bound = 10.0}),
      Catch::Matchers::StartsWith("alea::sampling::adaptive_rejection_sampling: log_density is "
                                  "not log-concave: the chord slopes at x = -4, 0, 4 increase"));
  // Points that look concave (-4, -3, 4): the valley is found by an evaluated candidate lying
  // below the chord from -3 to 4.
  CHECK_THROWS_WITH(sampling::adaptive_rejection_sampling(bimodal, {-4.0, -3.0, 4.0}, 2000, rng),
                    Catch::Matchers::StartsWith("alea::sampling::adaptive_rejection_sampling: "
                                                "log_density is not log-concave"));
  // Student t(5): log-convex tails beyond |x| = sqrt(5), found in the tails of the hull.
  const auto student = [](double x) { return -3.0 * std::log1p(x * x / 5.0); };
  CHECK_THROWS_WITH(sampling::adaptive_rejection_sampling(student, {-1.0, 1.0}, 5000, rng),
                    Catch::Matchers::StartsWith("alea::sampling::adaptive_rejection_sampling: "
                                                "log_density is not log-concave"));
}

TEST_CASE("adaptive rejection sampling rejects bad input", "[adaptive_rejection][errors]") {
  using Catch::Matchers::Message;
  const auto normal = [](double x) { return -0.5 * x * x; };
  alea::Rng rng{27};
  const std::string f = "alea::sampling::adaptive_rejection_sampling: ";
  CHECK_THROWS_MATCHES(sampling::adaptive_rejection_sampling(normal, {-1.0, 1.0}, 0, rng),
                       alea::InvalidArgument, Message(f + "n is 0, but must be positive"));
  CHECK_THROWS_MATCHES(sampling::adaptive_rejection_sampling(normal, {0.5}, 10, rng),
                       alea::InvalidArgument,
                       Message(f + "initial_points has 1 points, but at least 2 are needed"));
  CHECK_THROWS_MATCHES(sampling::adaptive_rejection_sampling(normal, {1.0, -1.0, 1.0}, 10, rng),
                       alea::InvalidArgument,
                       Message(f + "initial_points has 1 twice; points must differ"));
  CHECK_THROWS_MATCHES(sampling::adaptive_rejection_sampling(
                           normal, {-1.0, 2.0}, 10, rng, {.lower_bound = -2.0, .upper_bound = 2.0}),
                       alea::InvalidArgument,
                       Message(f + "initial_points has 2, outside the open domain (-2, 2)"));
  CHECK_THROWS_MATCHES(
      sampling::adaptive_rejection_sampling(normal, {-1.0, 1.0}, 10, rng,
                                            {.lower_bound = 1.0, .upper_bound = 1.0}),
      alea::InvalidArgument,
      Message(f + "settings.lower_bound is 1 and settings.upper_bound is 1; the domain must be "
                  "a non-empty interval"));
  CHECK_THROWS_MATCHES(
      sampling::adaptive_rejection_sampling(normal, {-1.0, 1.0}, 10, rng, {.max_points = 2}),
      alea::InvalidArgument, Message(f + "settings.max_points is 2, but must be at least 3"));
  // Both points right of the mode on an unbounded domain: the left tail of the hull would rise.
  CHECK_THROWS_MATCHES(
      sampling::adaptive_rejection_sampling(normal, {1.0, 2.0}, 10, rng), alea::InvalidArgument,
      Message(f + "the initial points do not bracket the mode: the domain is unbounded below, "
                  "so log_density must increase between the two smallest points (it goes from "
                  "-0.5 at 1 to -1.125 at 1.5); add a point left of the mode"));
  CHECK_THROWS_MATCHES(
      sampling::adaptive_rejection_sampling(normal, {-2.0, -1.0}, 10, rng), alea::InvalidArgument,
      Message(f + "the initial points do not bracket the mode: the domain is unbounded above, "
                  "so log_density must decrease between the two largest points (it goes from "
                  "-1.125 at -1.5 to -0.5 at -1); add a point right of the mode"));
  const auto half = [](double x) { return x < 0 ? -infinity : -x; };
  CHECK_THROWS_MATCHES(
      sampling::adaptive_rejection_sampling(half, {-1.0, 1.0}, 10, rng), alea::InvalidArgument,
      Message(f + "log_density is -inf at the initial point -1; initial points must have "
                  "positive density"));
  const auto broken = [](double x) { return x > 0.5 ? std::nan("") : -0.5 * x * x; };
  CHECK_THROWS_MATCHES(sampling::adaptive_rejection_sampling(broken, {-1.0, 1.0}, 10, rng),
                       alea::InvalidArgument,
                       Message(f + "log_density is nan at x = 1; it must be finite or -inf"));
}
