// Static HMC (hmc.hpp): known moments and quantiles, adaptation, target conservation,
// reproducibility, failing targets, bad input. Every run is seeded; tolerances are 4 Monte
// Carlo standard errors with the MCSE from alea's own ESS (diagnostics.hpp). Sixteen seed
// offsets were tried privately for every stochastic test, so the margins are honest.
//
// Stan's default integration time, 2 pi, is a full period of a unit-scale Gaussian: once the
// metric has adapted, every coordinate of a Gaussian returns to where it started and the chain
// barely moves (Stan does the same). The Gaussian tests therefore use T = 2 with a 20% step-size
// jitter; the banana, whose curvature varies, runs with the defaults.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/sampling/diagnostics.hpp"
#include "alea/sampling/hmc.hpp"
#include "mcmc_checks.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace as = alea::sampling;

using alea::test::mcmc::Banana;
using alea::test::mcmc::banana_b;
using alea::test::mcmc::check_centred_normal;
using alea::test::mcmc::check_mean;
using alea::test::mcmc::check_quantile;
using alea::test::mcmc::CorrelatedGaussian;
using alea::test::mcmc::DiagonalGaussian;
using alea::test::mcmc::mean_statistic;
using alea::test::mcmc::pooled_quantile;
using alea::test::mcmc::z95;

namespace {

as::HmcSettings gaussian_settings(std::uint64_t seed) {
  as::HmcSettings s;
  s.seed = seed;
  s.integration_time = 2;
  s.step_size_jitter = 0.2;
  return s;
}

}  // namespace

TEST_CASE("hmc: standard normal in 1 10 and 100 dimensions", "[hmc]") {
  for (const Index d : {Index{1}, Index{10}, Index{100}}) {
    INFO("d = " << d);
    const as::Chains chains = as::hmc(DiagonalGaussian(VectorX<double>::Ones(d)),
                                      as::InitialPoints::uniform(d), gaussian_settings(31));
    // Every coordinate's mean; the full checks on 10 coordinates; the mean over coordinates of
    // x_j^2 as one series (as test_nuts.cpp, to keep the number of 4-MCSE checks moderate).
    MatrixX<double> squares = MatrixX<double>::Zero(chains.num_samples(), 4);
    for (Index j = 0; j < d; ++j) {
      check_mean(chains.parameter(j), 0.0, "coordinate " + std::to_string(j) + " mean");
      squares += chains.parameter(j).array().square().matrix() / static_cast<double>(d);
    }
    for (Index j = 0; j < d; j += std::max<Index>(1, d / 10))
      check_centred_normal(chains, j, 1.0);
    check_mean(squares, 1.0, "mean over coordinates of x_j^2");
    CHECK(as::rhat(chains).maxCoeff() < 1.01);
    CHECK(chains.num_divergent() == 0);
  }
}

TEST_CASE("hmc: 2-D Gaussian with correlation 0.99 under the dense metric", "[hmc]") {
  as::HmcSettings s = gaussian_settings(32);
  s.metric = as::Metric::dense;
  const as::Chains chains = as::hmc(CorrelatedGaussian{0.99}, as::InitialPoints::uniform(2), s);
  check_centred_normal(chains, 0, 1.0);
  check_centred_normal(chains, 1, 1.0);
  check_mean((chains.parameter(0).array() * chains.parameter(1).array()).matrix(), 0.99, "E x1 x2");
  const MatrixX<double>& m = chains.info(0).inverse_metric;
  REQUIRE(m.rows() == 2);
  REQUIRE(m.cols() == 2);
  CHECK(m(0, 1) / std::sqrt(m(0, 0) * m(1, 1)) > 0.97);
}

TEST_CASE("hmc: banana target with Stan's defaults", "[hmc]") {
  as::HmcSettings s;
  s.seed = 33;
  s.num_samples = 2000;
  const as::Chains chains = as::hmc(Banana{}, as::InitialPoints::uniform(2), s);
  check_centred_normal(chains, 0, 1.0);
  const MatrixX<double> x2 = chains.parameter(1);
  check_mean(x2, 0.0, "x2 mean");
  check_mean(x2.array().square().matrix(), 1 + 2 * banana_b * banana_b, "x2 variance");
  CHECK(as::rhat(chains).maxCoeff() < 1.01);
}

TEST_CASE("hmc: adaptation reaches the target acceptance", "[hmc]") {
  // As for NUTS (see test_nuts.cpp), with a long terminal buffer so that dual averaging's
  // x-bar converges; the number of steps, floor(T / step size), jumps as the step size moves,
  // which makes static HMC's acceptance a jagged function of the step size: 100-D, where it is
  // steep, and T = 2 pi, Stan's default.
  as::HmcSettings s;
  s.seed = 34;
  s.num_warmup = 3000;
  s.adapt_term_buffer = 2000;
  s.num_samples = 500;
  const as::Chains chains =
      as::hmc(DiagonalGaussian(VectorX<double>::Ones(100)), as::InitialPoints::uniform(100), s);
  CHECK(std::abs(mean_statistic(chains, "accept_stat__") - 0.8) < 0.05);
}

TEST_CASE("hmc: one transition from exact draws leaves the Gaussian invariant", "[hmc]") {
  // TensorFlow Probability's conservation test, as in test_nuts.cpp: 10,000 chains from exact
  // draws of N(0, diag(0.5, 1, 2)^2), one transition of 7 steps of 0.45 (T = 3.15) under the
  // unit metric, two-sample KS at level 0.001 on 5 projections (critical value 0.0276).
  const Index n = 10000;
  VectorX<double> sd(3);
  sd << 0.5, 1, 2;
  alea::Rng rng(2025);
  const MatrixX<double> start = alea::standard_normal<double>(rng, n, 3) * sd.asDiagonal();
  const MatrixX<double> fresh = alea::standard_normal<double>(rng, n, 3) * sd.asDiagonal();
  as::HmcSettings s;
  s.seed = 35;
  s.num_chains = n;
  s.num_warmup = 0;
  s.num_samples = 1;
  s.adapt_engaged = false;
  s.metric = as::Metric::unit;
  s.step_size = 0.45;
  s.integration_time = 3.15;
  const as::Chains chains = as::hmc(DiagonalGaussian(sd), as::InitialPoints(start), s);
  MatrixX<double> end(n, 3);
  Index accepted = 0;
  for (Index k = 0; k < n; ++k) {
    end.row(k) = chains.draws(k).row(0);
    accepted += (end.row(k) != start.row(k)) ? 1 : 0;
  }
  // Some proposals are rejected (energy errors), most accepted.
  CHECK(accepted > n / 2);
  CHECK(accepted < n);
  alea::test::mcmc::check_same_law_along_projections(end, fresh);
}

TEST_CASE("hmc: a parallel run equals a sequential run bit for bit", "[hmc]") {
  as::HmcSettings s;
  s.seed = 36;
  s.num_warmup = 300;
  s.num_samples = 200;
  s.step_size_jitter = 0.1;
  s.num_threads = 1;
  const as::Chains one = as::hmc(Banana{}, as::InitialPoints::uniform(2), s);
  s.num_threads = 4;
  const as::Chains four = as::hmc(Banana{}, as::InitialPoints::uniform(2), s);
  for (Index k = 0; k < 4; ++k) {
    CHECK(one.draws(k) == four.draws(k));
    CHECK(one.statistics(k) == four.statistics(k));
    CHECK(one.info(k).step_size == four.info(k).step_size);
    CHECK(one.info(k).inverse_metric == four.info(k).inverse_metric);
  }
}

TEST_CASE("hmc: a target that throws or returns NaN is rejected and counted", "[hmc]") {
  // The truncated normal of test_nuts.cpp: N(0, 1) on [-1.5, 1] in x0, N(0, 1) in x1. A
  // trajectory that leaves it ends there, divergent, and is rejected.
  struct Truncated {
    double log_prob(const VectorX<double>& x) const {
      if (x(0) > 1) throw std::domain_error("x0 above 1");
      if (x(0) < -1.5) return std::numeric_limits<double>::quiet_NaN();
      return -0.5 * x.squaredNorm();
    }
    double grad_log_prob(const VectorX<double>& x, VectorX<double>& grad) const {
      grad = -x;
      return log_prob(x);
    }
  };
  // Fixed step size: static HMC's trajectories have the same length whatever the step size, so
  // the ones that reach the boundary are rejected however small the step, and dual averaging
  // (as Stan's) would shrink the step size towards 0 and the number of steps without bound.
  as::HmcSettings s;
  s.seed = 37;
  s.num_samples = 4000;
  s.adapt_engaged = false;
  s.step_size = 0.25;
  s.integration_time = 1;
  const as::Chains chains = as::hmc(Truncated{}, VectorX<double>::Zero(2), s);
  Index failures = 0;
  for (Index k = 0; k < chains.num_chains(); ++k) {
    failures += chains.info(k).target_failures;
    CHECK(chains.draws(k).col(0).maxCoeff() <= 1);
    CHECK(chains.draws(k).col(0).minCoeff() >= -1.5);
  }
  CHECK(failures > 100);
  CHECK(chains.num_divergent() > 100);
  auto phi = [](double x) { return std::exp(-0.5 * x * x) / std::sqrt(2 * std::numbers::pi); };
  auto Phi = [](double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); };
  const double a = -1.5, b = 1, z = Phi(b) - Phi(a);
  check_mean(chains.parameter(0), (phi(a) - phi(b)) / z, "truncated mean");
  check_mean(chains.parameter(0).array().square().matrix(), 1 + (a * phi(a) - b * phi(b)) / z,
             "truncated E x^2");
}

TEST_CASE("hmc: statistics follow Stan's names for static HMC", "[hmc]") {
  as::HmcSettings s;
  s.seed = 38;
  s.num_warmup = 200;
  s.num_samples = 200;
  s.integration_time = 1.5;
  s.step_size_jitter = 0.5;
  const as::Chains chains = as::hmc(Banana{}, as::InitialPoints::uniform(2), s);
  CHECK(chains.statistic_names() ==
        std::vector<std::string>{"lp__", "accept_stat__", "stepsize__", "int_time__", "energy__"});
  for (Index k = 0; k < chains.num_chains(); ++k) {
    CHECK((chains.statistic(k, "int_time__").array() == 1.5).all());
    const VectorX<double> step = chains.statistic(k, "stepsize__");
    CHECK(((step / chains.info(k).step_size).array() - 1).abs().maxCoeff() <= 0.5);
    CHECK(step.maxCoeff() > step.minCoeff());
    const VectorX<double> accept = chains.statistic(k, "accept_stat__");
    CHECK(accept.minCoeff() >= 0);
    CHECK(accept.maxCoeff() <= 1);
    const VectorX<double> lp = chains.statistic(k, "lp__");
    for (Index i = 0; i < chains.num_samples(); ++i) {
      const VectorX<double> x = chains.draws(k).row(i).transpose();
      CHECK(lp(i) == Approx(Banana{}.log_prob(x)).epsilon(1e-12));
    }
    CHECK((chains.statistic(k, "energy__") + lp).minCoeff() >= 0);
    CHECK(chains.info(k).gradient_evaluations > 0);
  }
}

TEST_CASE("hmc: bad input is rejected with clear messages", "[hmc]") {
  const DiagonalGaussian target(VectorX<double>::Ones(2));
  const auto init = as::InitialPoints::uniform(2);
  as::HmcSettings s;
  s.integration_time = 0;
  CHECK_THROWS_WITH(as::hmc(target, init, s),
                    "alea::sampling::hmc: settings.integration_time is 0, but must be positive");
  s = {};
  s.step_size = -0.5;
  CHECK_THROWS_WITH(as::hmc(target, init, s),
                    "alea::sampling::hmc: settings.step_size is -0.5, but must be positive");
  s = {};
  s.num_samples = 0;
  CHECK_THROWS_WITH(as::hmc(target, init, s),
                    "alea::sampling::hmc: settings.num_samples is 0, but must be positive");
  s = {};
  s.metric = as::Metric::dense;
  s.inverse_metric = MatrixX<double>::Zero(2, 2);
  CHECK_THROWS_WITH(as::hmc(target, init, s),
                    "alea::sampling::hmc: settings.inverse_metric is not positive definite");
  s = {};
  s.adapt_window = 0;
  CHECK_THROWS_WITH(as::hmc(target, init, s),
                    "alea::sampling::hmc: settings.adapt_window is 0, but must be positive");
  s = {};
  VectorX<double> far(2);
  far << std::numeric_limits<double>::infinity(), 0;
  CHECK_THROWS_WITH(as::hmc(target, far, s), "alea::sampling::hmc: init has +Inf at index 0");
  CHECK_THROWS_AS(as::hmc(target, as::InitialPoints(VectorX<double>()), s), alea::InvalidArgument);
}
