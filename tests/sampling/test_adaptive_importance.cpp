// Tests of alea::sampling::adaptive_importance_sampling (adaptive_importance.hpp).
//
// Tolerances: the final estimates are checked within 4 of their own reported standard errors
// (their calibration is tested in test_importance.cpp); the fitted proposals' moments within 4
// standard deviations of a weighted fit from the observed effective sample size. Every test is
// seeded; the margins were checked on 20 other seeds.

#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "alea/core/rng.hpp"
#include "alea/density/gaussian.hpp"
#include "alea/density/gaussian_mixture.hpp"
#include "alea/sampling/adaptive_importance.hpp"
#include "independent_test_support.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;
using alea::test::independent::check_within_4_se;
using alea::test::independent::mat2;
using alea::test::independent::mixture;
using alea::test::independent::MixtureTarget;
using alea::test::independent::UnnormalisedGaussian;
using alea::test::independent::vec;
namespace sampling = alea::sampling;

TEST_CASE("adaptive importance sampling moves a Gaussian proposal onto an offset target",
          "[importance][adaptive]") {
  const UnnormalisedGaussian target{vec({3.0, -2.0}), mat2(1.0, 0.6, 0.6, 2.0)};
  const alea::Gaussian<double> initial(vec({0.0, 0.0}), 16.0 * MatrixX<double>::Identity(2, 2));
  alea::Rng rng{1001};
  const auto r = sampling::adaptive_importance_sampling(
      target, initial, {.iterations = 6, .samples_per_iteration = 1000, .final_samples = 4000},
      rng);
  REQUIRE(r.iterations == 6);
  REQUIRE(r.ess.size() == 6);
  INFO("ESS per iteration: " << r.ess.front() << " ... " << r.ess.back());
  // The wide start keeps a fifth of its draws at best; the fitted proposal nearly all.
  CHECK(r.ess.front() < 300);
  CHECK(r.ess.back() > 800);
  CHECK(r.sample.ess > 3200);
  // The fitted proposal has the target's moments: fitted from ESS > 800 draws, its mean's sd is
  // below sqrt(2 / 800) = 0.05 and its variances' below 2 sqrt(2 / 800) = 0.1; 4 sd bands.
  CHECK((r.proposal.mean() - target.mu).cwiseAbs().maxCoeff() < 0.2);
  CHECK((r.proposal.covariance() - target.sigma).cwiseAbs().maxCoeff() < 0.4);
  // The final sample: fresh draws, estimates within 4 standard errors.
  CHECK(r.sample.draws.rows() == 4000);
  CHECK(std::abs(r.sample.log_evidence - target.log_normaliser()) <=
        4.0 * r.sample.log_evidence_se);
  const auto m = r.sample.mean();
  check_within_4_se(m.value, m.mcse, target.mu);
  CHECK(r.sample.psis.good);
  CHECK_FALSE(r.stopped_early);
}

TEST_CASE("adaptive importance sampling refits a mixture proposal to a mixture target",
          "[importance][adaptive]") {
  const MixtureTarget target;
  const auto initial =
      mixture(vec({0.5, 0.5}), mat2(-1, 0, 1, 0),
              {9.0 * MatrixX<double>::Identity(2, 2), 9.0 * MatrixX<double>::Identity(2, 2)});
  alea::Rng rng{1002};
  const auto r = sampling::adaptive_importance_sampling(
      target, initial, {.iterations = 8, .samples_per_iteration = 1500, .final_samples = 4000},
      rng);
  INFO("ESS per iteration: " << r.ess.front() << " ... " << r.ess.back());
  CHECK(r.ess.back() > 2.0 * r.ess.front());
  CHECK(r.sample.ess > 2400);
  // The components found the modes; the lighter one carries 0.3 of the mass. Both are fitted
  // from hundreds of effective draws: 0.1 on the weights is over 4 sd.
  const VectorX<double> w = r.proposal.weights();
  const Index light = r.proposal.means()(0, 0) < 0 ? 0 : 1;
  CHECK(std::abs(w(light) - 0.3) < 0.1);
  CHECK((r.proposal.means().row(light) - vec({-3, 0}).transpose()).norm() < 0.3);
  CHECK((r.proposal.means().row(1 - light) - vec({3, 1}).transpose()).norm() < 0.3);
  CHECK(std::abs(r.sample.log_evidence - 2.5) <= 4.0 * r.sample.log_evidence_se);
  const auto m = r.sample.mean();
  check_within_4_se(m.value, m.mcse, MixtureTarget::mean());
}

TEST_CASE("adaptive importance sampling stops when the callback says so",
          "[importance][adaptive]") {
  const UnnormalisedGaussian target{vec({1.0}), MatrixX<double>::Identity(1, 1)};
  const alea::Gaussian<double> initial(vec({0.0}), MatrixX<double>::Constant(1, 1, 4.0));
  alea::Rng rng{1003};
  std::vector<double> seen;
  const auto r = sampling::adaptive_importance_sampling(target, initial,
                                                        {.iterations = 10,
                                                         .samples_per_iteration = 200,
                                                         .final_samples = 300,
                                                         .progress =
                                                             [&](Index iteration, double ess) {
                                                               seen.push_back(ess);
                                                               return iteration < 3;
                                                             }},
                                                        rng);
  CHECK(r.stopped_early);
  CHECK(r.iterations == 3);
  CHECK(seen == r.ess);
  CHECK(r.sample.draws.rows() == 300);
}

TEST_CASE("adaptive importance sampling rejects bad settings", "[importance][adaptive][errors]") {
  using Catch::Matchers::Message;
  const UnnormalisedGaussian target{vec({1.0}), MatrixX<double>::Identity(1, 1)};
  const alea::Gaussian<double> initial(vec({0.0}), MatrixX<double>::Constant(1, 1, 4.0));
  alea::Rng rng{1004};
  CHECK_THROWS_MATCHES(
      sampling::adaptive_importance_sampling(target, initial, {.iterations = 0}, rng),
      alea::InvalidArgument,
      Message("alea::sampling::adaptive_importance_sampling: settings.iterations is 0, but must "
              "be at least 1"));
  CHECK_THROWS_MATCHES(
      sampling::adaptive_importance_sampling(target, initial, {.samples_per_iteration = 1}, rng),
      alea::InvalidArgument,
      Message("alea::sampling::adaptive_importance_sampling: settings.samples_per_iteration is "
              "1, but must be at least 2 (standard errors need two draws)"));
  CHECK_THROWS_MATCHES(
      sampling::adaptive_importance_sampling(target, initial, {.final_samples = 0}, rng),
      alea::InvalidArgument,
      Message("alea::sampling::adaptive_importance_sampling: settings.final_samples is 0, but "
              "must be at least 2 (standard errors need two draws)"));
  const alea::Gaussian<double> target2(VectorX<double>::Zero(2), MatrixX<double>::Identity(2, 2));
  CHECK_THROWS_MATCHES(sampling::adaptive_importance_sampling(target2, initial, {}, rng),
                       alea::InvalidArgument,
                       Message("alea::sampling::adaptive_importance_sampling: target has "
                               "dimension 2, but proposal has dimension 1"));
}
