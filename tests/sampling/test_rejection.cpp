// Tests of alea::sampling::rejection_sampling (rejection.hpp).
//
// Tolerances: Kolmogorov-Smirnov statistics against the 1% critical value; counts and rates
// within 4 binomial standard deviations; means within 4 standard errors. Every test is seeded;
// the margins were checked on 20 other seeds.

#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

#include "alea/core/rng.hpp"
#include "alea/density/gaussian.hpp"
#include "alea/density/student_t.hpp"
#include "alea/sampling/rejection.hpp"
#include "independent_test_support.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;
using alea::test::independent::check_within_4_se;
using alea::test::independent::ks_critical_1_percent;
using alea::test::independent::ks_statistic;
using alea::test::independent::normal_cdf;
using alea::test::independent::vec;
namespace sampling = alea::sampling;

namespace {

const alea::Gaussian<double> standard_normal(vec({0.0}), MatrixX<double>::Identity(1, 1));

/// N(0, 1.5^2): p / q <= 1.5 for p = N(0, 1), with equality at 0.
const alea::Gaussian<double> wide_normal(vec({0.0}), MatrixX<double>::Constant(1, 1, 2.25));

}  // namespace

// p = N(0, 1) and q = N(0, 1.5^2), both normalised, M = 2 >= max p / q = 1.5: exact draws, and
// the acceptance probability is exactly 1 / M.
TEST_CASE("rejection sampling draws exactly from the target at rate 1 / M", "[rejection]") {
  alea::Rng rng{11};
  const auto r =
      sampling::rejection_sampling(standard_normal, wide_normal, std::log(2.0), 2000, rng);
  REQUIRE(r.completed);
  REQUIRE(r.draws.rows() == 2000);
  REQUIRE(r.draws.cols() == 1);
  CHECK(r.accepted == 2000);
  CHECK(r.envelope_violations == 0);
  CHECK(r.notes.empty());
  CHECK(r.target_evaluations == r.proposals);
  CHECK(r.max_log_ratio <= std::log(1.5) + 1e-12);
  const double D = ks_statistic(r.draws.col(0), normal_cdf);
  INFO("KS statistic " << D << ", 1% critical value " << ks_critical_1_percent(2000));
  CHECK(D < ks_critical_1_percent(2000));
  // Binomial: sd of the rate from N proposals is sqrt(p (1 - p) / N).
  const double sd = std::sqrt(0.25 / double(r.proposals));
  CHECK(std::abs(r.acceptance_rate - 0.5) <= 4.0 * sd);
  CHECK(r.acceptance_rate == double(r.accepted) / double(r.proposals));
}

// An unnormalised 2-D target exp(-|x - mu|^2 / 2), Z = 2 pi, with a Student t proposal:
// p~ / q is bounded (the t has heavier tails); log M = 3.2 exceeds its maximum, 2.930 (found
// numerically by scipy.optimize, at x = (1.13, -1.13), for loc 0, shape 2 I, 5 degrees of
// freedom).
TEST_CASE("rejection sampling of an unnormalised 2-D target with a Student t proposal",
          "[rejection]") {
  const VectorX<double> mu = vec({0.5, -0.5});
  const auto target = [&](const VectorX<double>& x) { return -0.5 * (x - mu).squaredNorm(); };
  const alea::StudentT<double> proposal(vec({0.0, 0.0}), 2.0 * MatrixX<double>::Identity(2, 2),
                                        5.0);
  alea::Rng rng{12};
  const auto r = sampling::rejection_sampling(target, proposal, 3.2, 3000, rng);
  REQUIRE(r.completed);
  CHECK(r.envelope_violations == 0);
  CHECK(r.max_log_ratio < 3.2);
  // Acceptance rate Z / M = 2 pi e^-3.2.
  const double p = 2.0 * std::numbers::pi * std::exp(-3.2);
  CHECK(std::abs(r.acceptance_rate - p) <= 4.0 * std::sqrt(p * (1 - p) / double(r.proposals)));
  // Mean within 4 standard errors (unit variances: se = 1 / sqrt(n)); both margins N(0, 1).
  const VectorX<double> mean = r.draws.colwise().mean().transpose();
  check_within_4_se(mean, VectorX<double>::Constant(2, 1.0 / std::sqrt(3000.0)), mu);
  for (Index j = 0; j < 2; ++j) {
    const VectorX<double> z = (r.draws.col(j).array() - mu(j)).matrix();
    CHECK(ks_statistic(z, normal_cdf) < ks_critical_1_percent(3000));
  }
}

// M = 1 < max p / q = 1.5: p / (M q) > 1 wherever x^2 (1/2 - 1/4.5) < log 1.5, |x| < 1.20818,
// which q = N(0, 1.5^2) puts probability 2 Phi(1.20818 / 1.5) - 1 = 0.57946 on.
TEST_CASE("rejection sampling counts envelope violations when M is too small", "[rejection]") {
  alea::Rng rng{13};
  const auto r = sampling::rejection_sampling(standard_normal, wide_normal, 0.0, 2000, rng);
  REQUIRE(r.completed);
  const double c = std::sqrt(std::log(1.5) / (0.5 - 1.0 / 4.5));
  const double p = 2.0 * normal_cdf(c / 1.5) - 1.0;
  const double N = double(r.proposals);
  CHECK(std::abs(double(r.envelope_violations) - p * N) <= 4.0 * std::sqrt(N * p * (1 - p)));
  // The largest ratio seen is near the true maximum log 1.5 (at x = 0, approached within 0.01
  // by any draw with |x| < 0.2, of which there are hundreds).
  CHECK(r.max_log_ratio <= std::log(1.5) + 1e-12);
  CHECK(r.max_log_ratio > std::log(1.5) - 0.01);
  REQUIRE(r.notes.size() == 1);
  CHECK(r.notes[0].rfind("p~(x) > M q(x) at " + std::to_string(r.envelope_violations) + " of " +
                             std::to_string(r.proposals) +
                             " proposals: the envelope does not hold and the draws are biased; "
                             "use log_M >= ",
                         0) == 0);
}

TEST_CASE("rejection sampling stops at max_proposals with a status", "[rejection]") {
  alea::Rng rng{14};
  // M = e^5: acceptance 0.0067, so 100 proposals accept almost nothing.
  const auto r = sampling::rejection_sampling(standard_normal, wide_normal, 5.0, 500, rng,
                                              {.max_proposals = 100});
  CHECK_FALSE(r.completed);
  CHECK(r.proposals == 100);
  CHECK(r.accepted < 500);
  CHECK(r.draws.rows() == r.accepted);
  REQUIRE(r.notes.size() == 1);
  CHECK(r.notes[0].rfind("stopped after max_proposals = 100 proposals with " +
                             std::to_string(r.accepted) + " of 500 draws accepted",
                         0) == 0);
}

TEST_CASE("rejection sampling rejects proposals where the target fails", "[rejection]") {
  // N(0, 1) truncated to x > 0 by a target that throws elsewhere: exact half-normal draws.
  const auto half = [](const VectorX<double>& x) {
    if (x(0) <= 0) throw std::domain_error("negative");
    return -0.5 * x(0) * x(0);
  };
  alea::Rng rng{15};
  // p~ / q <= 1.5 sqrt(2 pi) = 3.76 on x > 0: log M = 1.4 > log 3.76 = 1.325.
  const auto r = sampling::rejection_sampling(half, wide_normal, 1.4, 1000, rng);
  REQUIRE(r.completed);
  CHECK(r.target_failures > 0);
  CHECK((r.draws.array() > 0).all());
  REQUIRE(r.notes.size() == 1);
  CHECK(r.notes[0] == std::to_string(r.target_failures) +
                          " proposals were rejected because the target failed (last: the target "
                          "threw: negative)");
  // Half-normal cdf 2 Phi(x) - 1.
  CHECK(ks_statistic(r.draws.col(0), [](double x) { return 2.0 * normal_cdf(x) - 1.0; }) <
        ks_critical_1_percent(1000));
}

TEST_CASE("rejection sampling rejects bad input", "[rejection][errors]") {
  using Catch::Matchers::Message;
  alea::Rng rng{16};
  CHECK_THROWS_MATCHES(sampling::rejection_sampling(standard_normal, wide_normal, 1.0, 0, rng),
                       alea::InvalidArgument,
                       Message("alea::sampling::rejection_sampling: n is 0, but must be positive"));
  CHECK_THROWS_MATCHES(
      sampling::rejection_sampling(standard_normal, wide_normal,
                                   std::numeric_limits<double>::infinity(), 10, rng),
      alea::InvalidArgument,
      Message("alea::sampling::rejection_sampling: log_M is inf, but must be finite"));
  CHECK_THROWS_MATCHES(
      sampling::rejection_sampling(standard_normal, wide_normal, std::nan(""), 10, rng),
      alea::InvalidArgument,
      Message("alea::sampling::rejection_sampling: log_M is nan, but must be finite"));
  CHECK_THROWS_MATCHES(
      sampling::rejection_sampling(standard_normal, wide_normal, 1.0, 10, rng,
                                   {.max_proposals = -1}),
      alea::InvalidArgument,
      Message("alea::sampling::rejection_sampling: settings.max_proposals is -1, but must be "
              "non-negative"));
  const alea::Gaussian<double> two_d(VectorX<double>::Zero(2), MatrixX<double>::Identity(2, 2));
  CHECK_THROWS_MATCHES(
      sampling::rejection_sampling(two_d, wide_normal, 1.0, 10, rng), alea::InvalidArgument,
      Message("alea::sampling::rejection_sampling: target has dimension 2, but proposal has "
              "dimension 1"));
  CHECK_THROWS_MATCHES(
      sampling::rejection_sampling(standard_normal, alea::Gaussian<double>(), 1.0, 10, rng),
      alea::InvalidArgument,
      Message("alea::sampling::rejection_sampling: proposal has dimension 0; fit or construct "
              "it first"));
}
