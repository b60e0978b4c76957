// Random-walk Metropolis (adaptive), the independence sampler and Metropolis-Hastings with user
// proposals. Every run is seeded. Tolerances are 4 Monte Carlo standard errors, the MCSE from
// alea's own ESS (diagnostics.hpp): a correct sampler fails a single check with probability
// about 6e-5. Seeds were varied privately (1..10) to make sure the margins are honest.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "alea/density/gaussian.hpp"
#include "alea/sampling/diagnostics.hpp"
#include "alea/sampling/metropolis.hpp"
#include "fixtures.hpp"
#include "mcmc_checks.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace as = alea::sampling;

using alea::test::mcmc::Banana;
using alea::test::mcmc::banana_b;
using alea::test::mcmc::banana_x2_quantile;
using alea::test::mcmc::pooled_quantile;
using alea::test::mcmc::check_mean;
using alea::test::mcmc::check_quantile;
using alea::test::mcmc::mean_statistic;
using alea::test::mcmc::standard_normal_log_density;
using alea::test::mcmc::z95;

namespace {

/// Mean 0 and variance 1 (mean of x^2) of every coordinate, and the 5% / 95% quantiles of the
/// first `with_quantiles` (fewer checks, fewer chances of a 4-MCSE excursion).
void check_standard_normal(const as::Chains& chains, Index with_quantiles) {
  for (Index j = 0; j < chains.dim(); ++j) {
    const MatrixX<double> x = chains.parameter(j);
    const std::string name = "coordinate " + std::to_string(j);
    check_mean(x, 0.0, name + " mean");
    check_mean(x.array().square().matrix(), 1.0, name + " variance");
    if (j >= with_quantiles) continue;
    check_quantile(x, 0.05, -z95, name);
    check_quantile(x, 0.95, z95, name);
  }
}

const Banana banana;

/// A lopsided walk on the 5-cycle {0, ..., 4}: +1 with probability 0.7, -1 with 0.3.
struct LopsidedCycleWalk {
  VectorX<double> propose(const VectorX<double>& x, alea::Rng& rng) const {
    const double step = alea::uniform01(rng) < 0.7 ? 1.0 : -1.0;
    return VectorX<double>::Constant(1, std::fmod(x(0) + step + 5, 5));
  }
  double log_proposal_density(const VectorX<double>& to, const VectorX<double>& from) const {
    return std::fmod(to(0) - from(0) + 5, 5) == 1 ? std::log(0.7) : std::log(0.3);
  }
};

/// The same walk, wrongly declared symmetric: the Hastings correction is skipped.
struct LopsidedWalkClaimedSymmetric {
  static constexpr bool symmetric = true;
  VectorX<double> propose(const VectorX<double>& x, alea::Rng& rng) const {
    return LopsidedCycleWalk{}.propose(x, rng);
  }
};

/// A proposal of the wrong size.
struct TooLongProposal {
  static constexpr bool symmetric = true;
  VectorX<double> propose(const VectorX<double>& x, alea::Rng&) const {
    return VectorX<double>::Zero(x.size() + 1);
  }
};

/// Target on {0, ..., 4}: probabilities 1/15, 2/15, ..., 5/15.
double five_state_log_density(const VectorX<double>& x) {
  return std::log((x(0) + 1) / 15);
}

/// Frequencies of the five states in the chains, with their 4-MCSE bands checked against the
/// target; returns the largest |error| / MCSE.
double five_state_max_z(const as::Chains& chains) {
  const MatrixX<double> x = chains.parameter(0);
  double max_z = 0;
  for (int s = 0; s < 5; ++s) {
    const MatrixX<double> indicator = (x.array() == s).cast<double>().matrix();
    const double z = std::abs(indicator.mean() - (s + 1) / 15.0) / as::mcse_mean(indicator);
    max_z = std::max(max_z, z);
  }
  return max_z;
}

}  // namespace

TEST_CASE("metropolis recovers a standard normal in 1 and 10 dimensions", "[metropolis]") {
  as::MetropolisSettings settings;
  settings.num_samples = 5000;
  settings.seed = 11;
  SECTION("1 dimension") {
    const auto chains =
        as::metropolis(standard_normal_log_density, as::InitialPoints::uniform(1), settings);
    check_standard_normal(chains, 1);
    CHECK(std::abs(mean_statistic(chains, "accept_stat__") - 0.44) < 0.05);
  }
  SECTION("10 dimensions") {
    const auto chains =
        as::metropolis(standard_normal_log_density, as::InitialPoints::uniform(10), settings);
    check_standard_normal(chains, 2);
    // Robbins-Monro reaches the 0.234 target up to the noise of the frozen scale: over seeds
    // 1..40 the 4-chain mean acceptance ranged over [0.214, 0.249].
    CHECK(std::abs(mean_statistic(chains, "accept_stat__") - 0.234) < 0.05);
  }
}

TEST_CASE("adaptive metropolis learns a Gaussian with correlation 0.99", "[metropolis]") {
  MatrixX<double> covariance(2, 2);
  covariance << 1, 0.99, 0.99, 1;
  const Eigen::LLT<MatrixX<double>> llt(covariance);
  const auto target = [&](const VectorX<double>& x) {
    return -0.5 * llt.matrixL().solve(x).squaredNorm();
  };
  as::MetropolisSettings settings;
  settings.num_samples = 5000;
  settings.seed = 3;
  auto check_moments = [](const as::Chains& chains) {
    for (Index j = 0; j < 2; ++j) {
      const MatrixX<double> x = chains.parameter(j);
      check_mean(x, 0.0, "mean " + std::to_string(j));
      check_mean(x.array().square().matrix(), 1.0, "variance " + std::to_string(j));
      check_quantile(x, 0.05, -1.6448536269514722, "x" + std::to_string(j));
    }
    const MatrixX<double> product =
        (chains.parameter(0).array() * chains.parameter(1).array()).matrix();
    check_mean(product, 0.99, "covariance");
  };
  SECTION("with shrinkage (the default)") {
    check_moments(as::metropolis(target, as::InitialPoints::uniform(2), settings));
  }
  SECTION("Haario's plain estimate") {
    settings.covariance_shrinkage = false;
    const auto chains = as::metropolis(target, as::InitialPoints::uniform(2), settings);
    check_moments(chains);
    // Over seeds 1..40 the 4-chain mean acceptance ranged over [0.208, 0.250].
    CHECK(std::abs(mean_statistic(chains, "accept_stat__") - 0.234) < 0.05);
    for (Index k = 0; k < chains.num_chains(); ++k) {
      // The adapted proposal has the target's shape: correlation near 0.99 and variances of the
      // order of the optimal 2.38^2 / d = 2.8 (up to the Robbins-Monro correction).
      const MatrixX<double>& proposal = chains.info(k).inverse_metric;
      REQUIRE(proposal.rows() == 2);
      CHECK(proposal(0, 1) / std::sqrt(proposal(0, 0) * proposal(1, 1)) > 0.98);
      CHECK(proposal(0, 0) > 1.0);
      CHECK(proposal(0, 0) < 10.0);
      CHECK(chains.info(k).step_size == chains.statistic(k, "stepsize__")(0));
    }
    // 4 x 5000 draws: Haario's proposal mixes like a random walk on a round target.
    CHECK(as::ess_bulk(chains).minCoeff() > 1500);
  }
}

TEST_CASE("metropolis recovers the moments and quantiles of a banana", "[metropolis]") {
  as::MetropolisSettings settings;
  settings.num_samples = 10000;
  settings.seed = 5;
  const auto chains = as::metropolis(banana, as::InitialPoints::uniform(2), settings);
  const MatrixX<double> x1 = chains.parameter(0), x2 = chains.parameter(1);
  check_mean(x1, 0.0, "x1 mean");
  check_mean(x1.array().square().matrix(), 1.0, "x1 variance");
  check_mean(x2, 0.0, "x2 mean");
  check_mean(x2.array().square().matrix(), 1 + 2 * banana_b * banana_b, "x2 variance");
  for (const double p : {0.05, 0.5, 0.95})
    check_quantile(x2, p, banana_x2_quantile(p, banana_b), "x2");
  check_quantile(x1, 0.95, 1.6448536269514722, "x1");
}

TEST_CASE("metropolis hastings with a user proposal leaves a 5-state target invariant",
          "[metropolis][exactness]") {
  as::MetropolisHastingsSettings settings;
  settings.num_warmup = 100;
  settings.num_samples = 50000;
  settings.seed = 2;
  const auto chains = as::metropolis_hastings(five_state_log_density, LopsidedCycleWalk{},
                                              VectorX<double>::Zero(1), settings);
  CHECK(five_state_max_z(chains) <= 4);
  CHECK(chains.statistic_names() == std::vector<std::string>{"lp__", "accept_stat__"});
  // Without the Hastings correction the same chain converges elsewhere, far outside the bands:
  // the test can tell a correct sampler from a wrong one.
  const auto wrong = as::metropolis_hastings(five_state_log_density, LopsidedWalkClaimedSymmetric{},
                                             VectorX<double>::Zero(1), settings);
  CHECK(five_state_max_z(wrong) > 20);
}

TEST_CASE("independence metropolis with a wide Gaussian proposal", "[metropolis]") {
  VectorX<double> mean(2), variances(2);
  mean << 1, -1;
  variances << 0.25, 4;
  // The target is itself an alea Density (a Gaussian model), the proposal a wider Gaussian: the
  // weights p / q are bounded, so the sampler is uniformly ergodic.
  const auto target = alea::Gaussian<double>::from_diagonal(mean, variances);
  const alea::Gaussian<double> proposal(VectorX<double>::Zero(2),
                                        MatrixX<double>::Identity(2, 2) * 9.0);
  as::MetropolisHastingsSettings settings;
  settings.num_samples = 4000;
  settings.seed = 8;
  const auto chains =
      as::independence_metropolis(target, proposal, as::InitialPoints::uniform(2), settings);
  for (Index j = 0; j < 2; ++j) {
    const MatrixX<double> x = chains.parameter(j);
    check_mean(x, mean(j), "mean " + std::to_string(j));
    check_mean((x.array() - mean(j)).square().matrix(), variances(j),
               "variance " + std::to_string(j));
  }
  CHECK(chains.info(0).log_prob_evaluations == settings.num_warmup + settings.num_samples + 1);
}

TEST_CASE("metropolis rejects proposals where the target fails and counts them", "[metropolis]") {
  // N(0, 1) truncated to x <= 1 by a target that throws beyond: mean -phi(1) / Phi(1).
  const auto target = [](const VectorX<double>& x) {
    if (x(0) > 1) throw std::domain_error("outside the support");
    return -0.5 * x(0) * x(0);
  };
  as::MetropolisSettings settings;
  settings.num_samples = 5000;
  settings.seed = 4;
  const auto chains = as::metropolis(target, VectorX<double>::Zero(1), settings);
  const MatrixX<double> x = chains.parameter(0);
  CHECK(x.maxCoeff() <= 1);
  const double phi1 = std::exp(-0.5) / std::sqrt(2 * std::numbers::pi);
  const double cdf1 = 0.5 * std::erfc(-1 / std::numbers::sqrt2);
  check_mean(x, -phi1 / cdf1, "truncated mean");
  for (Index k = 0; k < chains.num_chains(); ++k) {
    CHECK(chains.info(k).target_failures > 0);
    REQUIRE(chains.info(k).notes.size() == 1);
    CHECK(chains.info(k).notes[0].find("outside the support") != std::string::npos);
  }
}

TEST_CASE("metropolis without adaptation keeps the proposal it was given", "[metropolis]") {
  MatrixX<double> shape(2, 2);
  shape << 2, 0.5, 0.5, 1;
  as::MetropolisSettings settings;
  settings.adapt = false;
  settings.proposal_covariance = shape;
  settings.num_warmup = 50;
  settings.num_samples = 100;
  const auto chains =
      as::metropolis(standard_normal_log_density, as::InitialPoints::uniform(2), settings);
  const double scale = 2.38 / std::sqrt(2.0);
  CHECK((chains.statistic(0, "stepsize__").array() == scale).all());
  CHECK(alea::test::max_relative_error(chains.info(0).inverse_metric, scale * scale * shape) <
        1e-14);

  settings.adapt = true;
  settings.adapt_during_sampling = true;
  const auto adapting =
      as::metropolis(standard_normal_log_density, as::InitialPoints::uniform(2), settings);
  const VectorX<double> scales = adapting.statistic(0, "stepsize__");
  CHECK(scales.maxCoeff() > scales.minCoeff());
}

TEST_CASE("metropolis draws depend on the seed and chain only, not on the threads",
          "[metropolis][reproducible]") {
  as::MetropolisSettings settings;
  settings.num_warmup = 200;
  settings.num_samples = 300;
  settings.seed = 99;
  settings.num_threads = 1;
  const auto serial = as::metropolis(banana, as::InitialPoints::uniform(2), settings);
  settings.num_threads = 3;
  const auto parallel = as::metropolis(banana, as::InitialPoints::uniform(2), settings);
  settings.num_chains = 2;
  const auto fewer = as::metropolis(banana, as::InitialPoints::uniform(2), settings);
  for (Index k = 0; k < 4; ++k) {
    CHECK(alea::test::same_bits(serial.draws(k), parallel.draws(k)));
    CHECK(alea::test::same_bits(serial.statistics(k), parallel.statistics(k)));
    if (k < 2) CHECK(alea::test::same_bits(serial.draws(k), fewer.draws(k)));
  }
  CHECK_FALSE(alea::test::same_bits(serial.draws(0), serial.draws(1)));
  settings.seed = 100;
  const auto other = as::metropolis(banana, as::InitialPoints::uniform(2), settings);
  CHECK_FALSE(alea::test::same_bits(serial.draws(0), other.draws(0)));
}

TEST_CASE("metropolis samplers reject bad input", "[metropolis][errors]") {
  const VectorX<double> init = VectorX<double>::Zero(2);
  const auto target = standard_normal_log_density;
  as::MetropolisSettings s;
  s.num_warmup = 10;
  s.num_samples = 10;

  SECTION("runner settings and init") {
    auto bad = s;
    bad.num_samples = 0;
    CHECK_THROWS_WITH(as::metropolis(target, init, bad),
                      "alea::sampling::metropolis: settings.num_samples is 0, but must be "
                      "positive");
    CHECK_THROWS_AS(as::metropolis(target, MatrixX<double>::Zero(3, 2), s), alea::InvalidArgument);
    CHECK_THROWS_WITH(as::metropolis(target, VectorX<double>(), s),
                      "alea::sampling::metropolis: init is empty; expected the starting point");
    const auto nowhere = [](const VectorX<double>&) { return -INFINITY; };
    CHECK_THROWS_WITH(as::metropolis(nowhere, init, s),
                      "alea::sampling::metropolis: init is not a valid starting point: the log "
                      "density is -inf");
    const auto nan = [](const VectorX<double>&) { return NAN; };
    CHECK_THROWS_WITH(as::metropolis(nan, init, s),
                      "alea::sampling::metropolis: init is not a valid starting point: the log "
                      "density is NaN");
  }
  SECTION("proposal settings") {
    auto bad = s;
    bad.proposal_covariance = MatrixX<double>::Identity(3, 3);
    CHECK_THROWS_WITH(as::metropolis(target, init, bad),
                      "alea::sampling::metropolis: settings.proposal_covariance is 3 x 3, but "
                      "init has dimension 2");
    bad.proposal_covariance = MatrixX<double>::Identity(2, 2);
    bad.proposal_covariance(1, 1) = -1;
    CHECK_THROWS_WITH(as::metropolis(target, init, bad),
                      "alea::sampling::metropolis: settings.proposal_covariance is not positive "
                      "definite");
    bad.proposal_covariance(1, 1) = 1;
    bad.proposal_covariance(0, 1) = 0.5;
    CHECK_THROWS_AS(as::metropolis(target, init, bad), alea::InvalidArgument);  // not symmetric
    bad = s;
    bad.proposal_scale = 0;
    CHECK_THROWS_WITH(as::metropolis(target, init, bad),
                      "alea::sampling::metropolis: settings.proposal_scale is 0, but must be "
                      "positive");
    bad.proposal_scale = -1;
    CHECK_THROWS_AS(as::metropolis(target, init, bad), alea::InvalidArgument);
    bad = s;
    bad.target_accept = 1;
    CHECK_THROWS_WITH(as::metropolis(target, init, bad),
                      "alea::sampling::metropolis: settings.target_accept is 1, but must be in "
                      "(0, 1)");
    bad = s;
    bad.covariance_regularization = -1;
    CHECK_THROWS_AS(as::metropolis(target, init, bad), alea::InvalidArgument);
  }
  SECTION("user and independence proposals") {
    as::MetropolisHastingsSettings mh;
    mh.num_warmup = 10;
    mh.num_samples = 10;
    CHECK_THROWS_WITH(as::metropolis_hastings(target, TooLongProposal{}, init, mh),
                      "alea::sampling::metropolis_hastings: proposal.propose returned 3 values; "
                      "expected 2");
    const alea::Gaussian<double> wrong_dim(VectorX<double>::Zero(3),
                                           MatrixX<double>::Identity(3, 3));
    CHECK_THROWS_WITH(as::independence_metropolis(target, wrong_dim, init, mh),
                      "alea::sampling::independence_metropolis: proposal has dimension 3, but "
                      "init has dimension 2");
    CHECK_THROWS_AS(as::independence_metropolis(target, alea::Gaussian<double>(), init, mh),
                    alea::InvalidArgument);
  }
}

// The proposal concepts: a symmetric declaration or a density is required (the static_assert in
// metropolis_hastings says so at compile time).
static_assert(as::HasProposalDensity<LopsidedCycleWalk>);
static_assert(!as::SymmetricProposal<LopsidedCycleWalk>);
static_assert(as::SymmetricProposal<LopsidedWalkClaimedSymmetric>);
static_assert(!as::HasProposalDensity<LopsidedWalkClaimedSymmetric>);
static_assert(!as::MetropolisProposal<int>);
