// Gibbs sampling: the exact Gaussian blocks, a discrete joint left invariant, scans, blocks
// and their validation. Every run is seeded; tolerances are 4 Monte Carlo standard errors, the
// MCSE from alea's own ESS (diagnostics.hpp). Seeds were varied privately to check the margins.

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "alea/density/gaussian.hpp"
#include "alea/sampling/diagnostics.hpp"
#include "alea/sampling/gibbs.hpp"
#include "fixtures.hpp"
#include "mcmc_checks.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace as = alea::sampling;

using alea::test::mcmc::check_mean;

namespace {

/// Means and every covariance entry of the chains within 4 MCSE of N(mean, covariance).
void check_gaussian(const as::Chains& chains, const VectorX<double>& mean,
                    const MatrixX<double>& covariance) {
  for (Index i = 0; i < mean.size(); ++i) {
    check_mean(chains.parameter(i), mean(i), "mean " + std::to_string(i));
    for (Index j = i; j < mean.size(); ++j) {
      const MatrixX<double> product =
          ((chains.parameter(i).array() - mean(i)) * (chains.parameter(j).array() - mean(j)))
              .matrix();
      check_mean(product, covariance(i, j),
                 "covariance (" + std::to_string(i) + ", " + std::to_string(j) + ")");
    }
  }
}

VectorX<double> test_mean() {
  VectorX<double> mean(3);
  mean << 1, -2, 0.5;
  return mean;
}

MatrixX<double> test_covariance() {
  MatrixX<double> covariance(3, 3);
  covariance << 2, 0.8, 0.3, 0.8, 1, 0.4, 0.3, 0.4, 0.5;
  return covariance;
}

/// A joint law of x1 in {0, 1, 2} (rows) and x2 in {0, 1} (columns).
MatrixX<double> discrete_joint() {
  MatrixX<double> p(3, 2);
  p << 0.10, 0.25, 0.20, 0.05, 0.15, 0.25;
  return p;
}

/// Draws an index with probabilities proportional to `weights`.
double draw_categorical(const VectorX<double>& weights, alea::Rng& rng) {
  double u = alea::uniform01(rng) * weights.sum();
  for (Index i = 0; i + 1 < weights.size(); ++i) {
    if (u < weights(i)) return static_cast<double>(i);
    u -= weights(i);
  }
  return static_cast<double>(weights.size() - 1);
}

/// The exact conditionals of discrete_joint(): x1 | x2 is column x2, x2 | x1 is row x1.
std::vector<as::GibbsBlock> discrete_blocks() {
  const MatrixX<double> p = discrete_joint();
  return {{{0},
           [p](const VectorX<double>& x, alea::Rng& rng) {
             return VectorX<double>::Constant(
                 1, draw_categorical(p.col(static_cast<Index>(x(1))), rng));
           }},
          {{1}, [p](const VectorX<double>& x, alea::Rng& rng) {
             return VectorX<double>::Constant(
                 1, draw_categorical(p.row(static_cast<Index>(x(0))).transpose(), rng));
           }}};
}

/// Each cell's frequency within 4 MCSE of its probability.
void check_discrete_frequencies(const as::Chains& chains) {
  const MatrixX<double> p = discrete_joint();
  const MatrixX<double> x1 = chains.parameter(0), x2 = chains.parameter(1);
  for (Index a = 0; a < 3; ++a) {
    for (Index b = 0; b < 2; ++b) {
      const MatrixX<double> cell =
          ((x1.array() == static_cast<double>(a)) && (x2.array() == static_cast<double>(b)))
              .cast<double>()
              .matrix();
      check_mean(cell, p(a, b), "cell (" + std::to_string(a) + ", " + std::to_string(b) + ")");
    }
  }
}

}  // namespace

TEST_CASE("gibbs with the exact Gaussian conditionals recovers the mean and covariance",
          "[gibbs]") {
  const VectorX<double> mean = test_mean();
  const MatrixX<double> covariance = test_covariance();
  as::GibbsSettings settings;
  settings.num_samples = 4000;
  settings.seed = 3;
  SECTION("one block per coordinate, systematic scan") {
    const auto chains = as::gibbs(as::gaussian_gibbs_blocks(mean, covariance),
                                  as::InitialPoints::uniform(3), settings);
    check_gaussian(chains, mean, covariance);
    CHECK(chains.statistic_names().empty());
  }
  SECTION("blocks {0, 2} and {1}, random scan") {
    settings.scan = as::GibbsScan::random;
    const auto chains = as::gibbs(as::gaussian_gibbs_blocks(mean, covariance, {{2, 0}, {1}}),
                                  as::InitialPoints::uniform(3), settings);
    check_gaussian(chains, mean, covariance);
  }
  SECTION("one block of everything draws independent exact draws") {
    const auto chains = as::gibbs(as::gaussian_gibbs_blocks(mean, covariance, {{0, 1, 2}}),
                                  as::InitialPoints::uniform(3), settings);
    check_gaussian(chains, mean, covariance);
    // Independent draws: the ESS is about the number of draws (16,000 here).
    CHECK(as::ess_bulk(chains).minCoeff() > 12000);
  }
}

TEST_CASE("gibbs leaves a discrete joint law invariant", "[gibbs][exactness]") {
  as::GibbsSettings settings;
  settings.num_warmup = 100;
  settings.num_samples = 25000;
  settings.seed = 8;
  VectorX<double> init(2);
  init << 0, 0;
  SECTION("systematic scan") {
    check_discrete_frequencies(as::gibbs(discrete_blocks(), init, settings));
  }
  SECTION("random scan") {
    settings.scan = as::GibbsScan::random;
    check_discrete_frequencies(as::gibbs(discrete_blocks(), init, settings));
  }
}

TEST_CASE("gibbs with a target records its log density as lp__", "[gibbs]") {
  const VectorX<double> mean = test_mean();
  const MatrixX<double> covariance = test_covariance();
  const alea::Gaussian<double> target(mean, covariance);
  as::GibbsSettings settings;
  settings.num_warmup = 20;
  settings.num_samples = 50;
  const auto chains = as::gibbs(as::gaussian_gibbs_blocks(mean, covariance), target,
                                as::InitialPoints::uniform(3), settings);
  REQUIRE(chains.statistic_names() == std::vector<std::string>{"lp__"});
  const VectorX<double> lp = chains.statistic(1, "lp__");
  const VectorX<double> expected = target.log_prob(chains.draws(1));
  CHECK(alea::test::max_relative_error(lp, expected) < 1e-12);
  CHECK(chains.info(1).log_prob_evaluations == 20 + 50 + 1);
  // The same draws as without a target: the target only reports.
  const auto plain = as::gibbs(as::gaussian_gibbs_blocks(mean, covariance),
                               as::InitialPoints::uniform(3), settings);
  CHECK(alea::test::same_bits(plain.draws(1), chains.draws(1)));
}

TEST_CASE("gibbs draws depend on the seed and chain only, not on the threads",
          "[gibbs][reproducible]") {
  as::GibbsSettings settings;
  settings.scan = as::GibbsScan::random;
  settings.num_warmup = 10;
  settings.num_samples = 200;
  settings.seed = 12;
  settings.num_threads = 1;
  const auto blocks = as::gaussian_gibbs_blocks(test_mean(), test_covariance());
  const auto serial = as::gibbs(blocks, as::InitialPoints::uniform(3), settings);
  settings.num_threads = 4;
  const auto parallel = as::gibbs(blocks, as::InitialPoints::uniform(3), settings);
  for (Index k = 0; k < 4; ++k)
    CHECK(alea::test::same_bits(serial.draws(k), parallel.draws(k)));
  CHECK_FALSE(alea::test::same_bits(serial.draws(0), serial.draws(1)));
}

TEST_CASE("gibbs rejects bad blocks and input", "[gibbs][errors]") {
  const VectorX<double> init = VectorX<double>::Zero(2);
  as::GibbsSettings s;
  s.num_warmup = 5;
  s.num_samples = 5;
  const auto zero = [](const VectorX<double>&, alea::Rng&) { return VectorX<double>::Zero(1); };
  const std::vector<as::GibbsBlock> good{{{0}, zero}, {{1}, zero}};

  SECTION("blocks") {
    CHECK_THROWS_WITH(as::gibbs({}, init, s),
                      "alea::sampling::gibbs: blocks is empty; expected at least one block");
    CHECK_THROWS_WITH(as::gibbs({{{0}, zero}, {{}, zero}}, init, s),
                      "alea::sampling::gibbs: blocks[1].indices is empty");
    CHECK_THROWS_WITH(as::gibbs({{{0}, zero}, {{1}, nullptr}}, init, s),
                      "alea::sampling::gibbs: blocks[1].draw is empty");
    CHECK_THROWS_WITH(as::gibbs({{{0}, zero}, {{2}, zero}}, init, s),
                      "alea::sampling::gibbs: blocks[1].indices has 2, but init has dimension 2");
    CHECK_THROWS_WITH(as::gibbs({{{0}, zero}, {{-1}, zero}}, init, s),
                      "alea::sampling::gibbs: blocks[1].indices has -1, but init has dimension 2");
    CHECK_THROWS_WITH(as::gibbs({{{0, 0}, zero}, {{1}, zero}}, init, s),
                      "alea::sampling::gibbs: blocks[0].indices has 0 twice");
    CHECK_THROWS_WITH(as::gibbs({{{1}, zero}}, init, s),
                      "alea::sampling::gibbs: blocks do not cover coordinate 0; every coordinate "
                      "needs a block");
    // A wrong-sized init shows up as a block index out of range or an uncovered coordinate.
    CHECK_THROWS_WITH(as::gibbs(good, VectorX<double>::Zero(3), s),
                      "alea::sampling::gibbs: blocks do not cover coordinate 2; every coordinate "
                      "needs a block");
  }
  SECTION("what the draws return") {
    const auto pair = [](const VectorX<double>&, alea::Rng&) { return VectorX<double>::Zero(2); };
    CHECK_THROWS_WITH(as::gibbs({{{0}, zero}, {{1}, pair}}, init, s),
                      "alea::sampling::gibbs: blocks[1].draw returned 2 values; expected 1");
    const auto nan = [](const VectorX<double>&, alea::Rng&) {
      return VectorX<double>::Constant(1, std::numeric_limits<double>::quiet_NaN());
    };
    CHECK_THROWS_WITH(as::gibbs({{{0}, nan}, {{1}, zero}}, init, s),
                      "alea::sampling::gibbs: blocks[0].draw's result has a NaN at index 0");
  }
  SECTION("settings, init and target") {
    auto bad = s;
    bad.num_samples = 0;
    CHECK_THROWS_WITH(as::gibbs(good, init, bad),
                      "alea::sampling::gibbs: settings.num_samples is 0, but must be positive");
    CHECK_THROWS_WITH(as::gibbs(good, VectorX<double>(), s),
                      "alea::sampling::gibbs: init is empty; expected the starting point");
    const auto nowhere = [](const VectorX<double>&) {
      return -std::numeric_limits<double>::infinity();
    };
    CHECK_THROWS_WITH(as::gibbs(good, nowhere, init, s),
                      "alea::sampling::gibbs: init is not a valid starting point: the log density "
                      "is -inf");
  }
  SECTION("the Gaussian blocks") {
    constexpr auto function = "alea::sampling::gaussian_gibbs_blocks: ";
    MatrixX<double> not_positive(2, 2);
    not_positive << 1, 2, 2, 1;
    CHECK_THROWS_WITH(as::gaussian_gibbs_blocks(VectorX<double>::Zero(2), not_positive),
                      std::string(function) + "covariance is not positive definite");
    CHECK_THROWS_WITH(
        as::gaussian_gibbs_blocks(VectorX<double>::Zero(3), MatrixX<double>::Identity(2, 2)),
        std::string(function) + "covariance is 2 x 2, but mean has 3 entries");
    CHECK_THROWS_WITH(as::gaussian_gibbs_blocks(VectorX<double>::Zero(2),
                                                MatrixX<double>::Identity(2, 2), {{0}, {2}}),
                      std::string(function) + "partition[1] has 2, but mean has 2 entries");
    VectorX<double> bad_mean = VectorX<double>::Zero(2);
    bad_mean(1) = std::numeric_limits<double>::infinity();
    CHECK_THROWS_WITH(as::gaussian_gibbs_blocks(bad_mean, MatrixX<double>::Identity(2, 2)),
                      std::string(function) + "mean has +Inf at index 1");
  }
}
