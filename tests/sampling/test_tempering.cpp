// Parallel tempering: a bimodal target that plain random-walk Metropolis cannot cross, the
// ladder and swap statistics, and input validation. Every run is seeded; tolerances are 4
// Monte Carlo standard errors, the MCSE from alea's own ESS (diagnostics.hpp). Seeds were
// varied privately to check the margins.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "alea/core/log_space.hpp"
#include "alea/sampling/diagnostics.hpp"
#include "alea/sampling/metropolis.hpp"
#include "alea/sampling/tempering.hpp"
#include "fixtures.hpp"
#include "mcmc_checks.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace as = alea::sampling;

using alea::test::mcmc::check_mean;
using alea::test::mcmc::standard_normal_log_density;

namespace {

/// 0.3 N(-5, 1) + 0.7 N(5, 1): the density between the modes is exp(-12.5) of theirs.
double bimodal_log_density(const VectorX<double>& x) {
  const Eigen::Vector2d terms(std::log(0.3) - 0.5 * (x(0) + 5) * (x(0) + 5),
                              std::log(0.7) - 0.5 * (x(0) - 5) * (x(0) - 5));
  return alea::log_sum_exp(terms);
}

as::TemperingSettings bimodal_settings() {
  as::TemperingSettings settings;
  settings.num_temperatures = 6;
  settings.max_temperature = 50;  // the barrier of 12.5 nats becomes 0.25
  settings.num_samples = 10000;
  settings.seed = 6;
  return settings;
}

/// The number of times chain k changes sides of 0 (from one mode to the other).
Index mode_switches(const as::Chains& chains, Index k) {
  const VectorX<double> x = chains.draws(k).col(0);
  Index switches = 0;
  for (Index i = 1; i < x.size(); ++i)
    switches += (x(i) < 0) != (x(i - 1) < 0);
  return switches;
}

/// The fewest switches of any chain.
Index fewest_mode_switches(const as::Chains& chains) {
  Index fewest = std::numeric_limits<Index>::max();
  for (Index k = 0; k < chains.num_chains(); ++k)
    fewest = std::min(fewest, mode_switches(chains, k));
  return fewest;
}

/// The most switches of any chain.
Index most_mode_switches(const as::Chains& chains) {
  Index most = 0;
  for (Index k = 0; k < chains.num_chains(); ++k)
    most = std::max(most, mode_switches(chains, k));
  return most;
}

}  // namespace

TEST_CASE("parallel tempering visits both modes of a bimodal target in the right proportions",
          "[tempering]") {
  const VectorX<double> start = VectorX<double>::Constant(1, 5.0);
  const auto result = as::parallel_tempering(bimodal_log_density, start, bimodal_settings());
  const as::Chains& chains = result.chains;
  const MatrixX<double> x = chains.parameter(0);
  const MatrixX<double> left = (x.array() < 0).cast<double>().matrix();
  check_mean(left, 0.3, "weight of the mode at -5");
  check_mean(x, 0.3 * -5 + 0.7 * 5, "mean");
  check_mean(x.array().square().matrix(), 26.0, "second moment");
  // Every chain crosses, hundreds of times.
  CHECK(fewest_mode_switches(chains) > 200);

  // The ladder and its statistics.
  REQUIRE(result.temperatures.size() == 6);
  CHECK(result.temperatures(0) == 1);
  CHECK(result.temperatures(5) == Approx(50).epsilon(1e-14));
  CHECK(result.temperatures(2) == Approx(std::pow(50, 0.4)).epsilon(1e-14));
  REQUIRE(result.swap_acceptance.rows() == 4);
  REQUIRE(result.swap_acceptance.cols() == 5);
  CHECK(result.swap_acceptance.minCoeff() > 0.2);
  CHECK(result.swap_acceptance.maxCoeff() < 1);
  REQUIRE(result.acceptance.cols() == 6);
  REQUIRE(result.proposal_scales.cols() == 6);
  // Robbins-Monro gives every replica its 0.44 acceptance (d = 1), and hotter replicas wider
  // proposals.
  CHECK((result.acceptance.array() - 0.44).abs().maxCoeff() < 0.1);
  CHECK(result.proposal_scales(0, 5) > result.proposal_scales(0, 0));
  CHECK(chains.info(0).step_size == result.proposal_scales(0, 0));
  CHECK(chains.info(0).log_prob_evaluations == 6 * (1000 + 10000) + 1);
  CHECK(chains.statistic_names() ==
        std::vector<std::string>{"lp__", "accept_stat__", "stepsize__"});
  const VectorX<double> lp = chains.statistic(2, "lp__");
  for (Index i = 0; i < 10; ++i)
    CHECK(lp(i) == bimodal_log_density(chains.draws(2).row(i).transpose()));
}

TEST_CASE("random-walk metropolis stays in one mode where tempering with the same moves crosses",
          "[tempering][metropolis]") {
  // A controlled contrast: random-walk proposals N(x, 1), suited to one mode and not adapted.
  // Alone they hardly ever cross (a crossing needs a 10-sd jump or a walk through density
  // exp(-12.5)); as the cold replica's moves in tempering (hotter replicas move with scale
  // sqrt(T)) they cross hundreds of times and find the right weights. (With adaptation, plain
  // Metropolis may cross during warm-up, learn the spread of both modes and then jump between
  // them with a wide proposal: luck, not design.)
  as::MetropolisSettings walk;
  walk.adapt = false;
  walk.proposal_scale = 1;
  walk.num_samples = 10000;
  walk.seed = 6;
  const VectorX<double> start = VectorX<double>::Constant(1, 5.0);
  // A crossing is rare, not impossible: over 20 seeds no chain of 11,000 iterations crossed
  // more than once (and two crossed once), against hundreds of switches with tempering.
  const auto alone = as::metropolis(bimodal_log_density, start, walk);
  CHECK(most_mode_switches(alone) <= 2);

  auto settings = bimodal_settings();
  settings.adapt = false;
  settings.proposal_scale = 1;
  const auto tempered = as::parallel_tempering(bimodal_log_density, start, settings);
  CHECK(fewest_mode_switches(tempered.chains) > 100);
  const MatrixX<double> x = tempered.chains.parameter(0);
  check_mean((x.array() < 0).cast<double>().matrix(), 0.3, "weight of the mode at -5");

  // Tempering without swaps is the plain random walk, once per temperature.
  settings.swap_every = 1000000;
  const auto no_swaps = as::parallel_tempering(bimodal_log_density, start, settings);
  CHECK(most_mode_switches(no_swaps.chains) <= 2);
  CHECK(no_swaps.swap_acceptance.array().isNaN().all());
}

TEST_CASE("parallel tempering recovers a correlated Gaussian", "[tempering]") {
  MatrixX<double> covariance(2, 2);
  covariance << 1, 0.5, 0.5, 2;
  const Eigen::LLT<MatrixX<double>> llt(covariance);
  const auto target = [&](const VectorX<double>& x) {
    return -0.5 * llt.matrixL().solve(x).squaredNorm();
  };
  as::TemperingSettings settings;
  settings.num_temperatures = 3;
  settings.max_temperature = 4;
  settings.swap_every = 2;
  settings.proposal_covariance = covariance;
  settings.num_samples = 5000;
  settings.seed = 9;
  const auto result = as::parallel_tempering(target, as::InitialPoints::uniform(2), settings);
  const as::Chains& chains = result.chains;
  for (Index i = 0; i < 2; ++i) {
    check_mean(chains.parameter(i), 0.0, "mean " + std::to_string(i));
    for (Index j = i; j < 2; ++j)
      check_mean((chains.parameter(i).array() * chains.parameter(j).array()).matrix(),
                 covariance(i, j), "covariance " + std::to_string(i) + std::to_string(j));
  }
  CHECK((result.acceptance.array() - 0.234).abs().maxCoeff() < 0.1);
  const double scale = chains.info(0).step_size;
  CHECK(alea::test::max_relative_error(chains.info(0).inverse_metric, scale * scale * covariance) <
        1e-12);
}

TEST_CASE("parallel tempering depends on the seed and chain only, not on the threads",
          "[tempering][reproducible]") {
  auto settings = bimodal_settings();
  settings.num_warmup = 100;
  settings.num_samples = 300;
  settings.num_threads = 1;
  const auto serial =
      as::parallel_tempering(bimodal_log_density, as::InitialPoints::uniform(1), settings);
  settings.num_threads = 3;
  const auto parallel =
      as::parallel_tempering(bimodal_log_density, as::InitialPoints::uniform(1), settings);
  for (Index k = 0; k < 4; ++k) {
    CHECK(alea::test::same_bits(serial.chains.draws(k), parallel.chains.draws(k)));
    CHECK(alea::test::same_bits(serial.chains.statistics(k), parallel.chains.statistics(k)));
  }
  CHECK(alea::test::same_bits(serial.swap_acceptance, parallel.swap_acceptance));
  CHECK(alea::test::same_bits(serial.acceptance, parallel.acceptance));
  CHECK(alea::test::same_bits(serial.proposal_scales, parallel.proposal_scales));
}

TEST_CASE("parallel tempering rejects bad input", "[tempering][errors]") {
  const VectorX<double> init = VectorX<double>::Zero(2);
  const auto target = standard_normal_log_density;
  as::TemperingSettings s;
  s.num_warmup = 10;
  s.num_samples = 10;
  constexpr auto function = "alea::sampling::parallel_tempering: ";

  auto bad = s;
  bad.num_temperatures = 1;
  CHECK_THROWS_WITH(
      as::parallel_tempering(target, init, bad),
      std::string(function) + "settings.num_temperatures is 1, but must be at least 2");
  bad = s;
  bad.max_temperature = 1;
  CHECK_THROWS_WITH(
      as::parallel_tempering(target, init, bad),
      std::string(function) + "settings.max_temperature is 1, but must be greater than 1");
  bad.max_temperature = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(as::parallel_tempering(target, init, bad), alea::InvalidArgument);
  bad = s;
  bad.swap_every = 0;
  CHECK_THROWS_WITH(as::parallel_tempering(target, init, bad),
                    std::string(function) + "settings.swap_every is 0, but must be positive");
  bad = s;
  bad.proposal_covariance = MatrixX<double>::Identity(3, 3);
  CHECK_THROWS_WITH(
      as::parallel_tempering(target, init, bad),
      std::string(function) + "settings.proposal_covariance is 3 x 3, but init has dimension 2");
  bad = s;
  bad.proposal_scale = -1;
  CHECK_THROWS_AS(as::parallel_tempering(target, init, bad), alea::InvalidArgument);
  bad = s;
  bad.target_accept = 0;
  CHECK_THROWS_AS(as::parallel_tempering(target, init, bad), alea::InvalidArgument);
  bad = s;
  bad.num_samples = 0;
  CHECK_THROWS_WITH(as::parallel_tempering(target, init, bad),
                    std::string(function) + "settings.num_samples is 0, but must be positive");
  CHECK_THROWS_AS(as::parallel_tempering(target, MatrixX<double>::Zero(3, 2), s),
                  alea::InvalidArgument);
  const auto nowhere = [](const VectorX<double>&) {
    return std::numeric_limits<double>::quiet_NaN();
  };
  CHECK_THROWS_WITH(
      as::parallel_tempering(nowhere, init, s),
      std::string(function) + "init is not a valid starting point: the log density is NaN");
}
