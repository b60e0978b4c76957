// MALA and the unadjusted Langevin algorithm. Every run is seeded. Tolerances are 4 Monte Carlo
// standard errors, the MCSE from alea's own ESS (diagnostics.hpp); seeds were varied privately
// to make sure the margins are honest.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "alea/sampling/diagnostics.hpp"
#include "alea/sampling/langevin.hpp"
#include "alea/sampling/mala.hpp"
#include "fixtures.hpp"
#include "mcmc_checks.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace as = alea::sampling;

using alea::test::mcmc::pooled_quantile;
using alea::test::mcmc::check_mean;
using alea::test::mcmc::check_quantile;
using alea::test::mcmc::mean_statistic;
using alea::test::mcmc::z95;

namespace {

/// The standard normal in any dimension, with its analytic gradient.
struct StandardNormal {
  double log_prob(const VectorX<double>& x) const { return -0.5 * x.squaredNorm(); }
  double grad_log_prob(const VectorX<double>& x, VectorX<double>& grad) const {
    grad = -x;
    return log_prob(x);
  }
};

/// The mean over coordinates of x_j^2 at every draw: num_samples x num_chains.
MatrixX<double> mean_square(const as::Chains& chains) {
  MatrixX<double> out(chains.num_samples(), chains.num_chains());
  for (Index k = 0; k < chains.num_chains(); ++k)
    out.col(k) = chains.draws(k).array().square().rowwise().mean().matrix();
  return out;
}

}  // namespace

TEST_CASE("mala recovers a standard normal in 1 and 10 dimensions", "[mala]") {
  as::MalaSettings settings;
  settings.num_samples = 4000;
  settings.seed = 21;
  SECTION("1 dimension, analytic gradient") {
    const auto chains = as::mala(StandardNormal{}, as::InitialPoints::uniform(1), settings);
    const MatrixX<double> x = chains.parameter(0);
    check_mean(x, 0.0, "mean");
    check_mean(x.array().square().matrix(), 1.0, "variance");
    check_quantile(x, 0.05, -z95, "x");
    check_quantile(x, 0.95, z95, "x");
    CHECK(chains.info(0).gradient_evaluations == settings.num_warmup + settings.num_samples + 1);
    CHECK(chains.info(0).log_prob_evaluations == 0);
  }
  SECTION("10 dimensions, automatic differentiation") {
    const auto target = [](const auto& x) -> as::scalar_of<decltype(x)> {
      return -0.5 * x.squaredNorm();
    };
    const auto chains = as::mala(target, as::InitialPoints::uniform(10), settings);
    for (Index j = 0; j < 10; ++j) {
      const MatrixX<double> x = chains.parameter(j);
      check_mean(x, 0.0, "mean " + std::to_string(j));
      check_mean(x.array().square().matrix(), 1.0, "variance " + std::to_string(j));
    }
    check_quantile(chains.parameter(0), 0.05, -z95, "x0");
    check_quantile(chains.parameter(1), 0.95, z95, "x1");
    // Dual averaging reaches the 0.574 target, ending a little above it (see mala.hpp): over
    // seeds 1..20 the 4-chain mean acceptance of the kept draws ranged over [0.575, 0.646].
    CHECK(mean_statistic(chains, "accept_stat__") > 0.574 - 0.04);
    CHECK(mean_statistic(chains, "accept_stat__") < 0.574 + 0.1);
    // The diagonal metric is adapted to the unit variances.
    for (Index k = 0; k < chains.num_chains(); ++k) {
      const MatrixX<double>& metric = chains.info(k).inverse_metric;
      REQUIRE(metric.cols() == 1);
      CHECK(metric.minCoeff() > 0.5);
      CHECK(metric.maxCoeff() < 2.0);
    }
  }
}

TEST_CASE("mala with a dense metric learns a Gaussian with correlation 0.99", "[mala]") {
  MatrixX<double> covariance(2, 2);
  covariance << 1, 0.99, 0.99, 1;
  const Eigen::LLT<MatrixX<double>> llt(covariance);
  const MatrixX<double> precision = llt.solve(MatrixX<double>::Identity(2, 2));
  struct Correlated {
    MatrixX<double> precision;
    double log_prob(const VectorX<double>& x) const { return -0.5 * x.dot(precision * x); }
    double grad_log_prob(const VectorX<double>& x, VectorX<double>& grad) const {
      grad = -precision * x;
      return log_prob(x);
    }
  };
  as::MalaSettings settings;
  settings.metric = as::Metric::dense;
  settings.num_samples = 4000;
  settings.seed = 7;
  const auto chains = as::mala(Correlated{precision}, as::InitialPoints::uniform(2), settings);
  for (Index j = 0; j < 2; ++j) {
    const MatrixX<double> x = chains.parameter(j);
    check_mean(x, 0.0, "mean " + std::to_string(j));
    check_mean(x.array().square().matrix(), 1.0, "variance " + std::to_string(j));
    check_quantile(x, 0.95, z95, "x" + std::to_string(j));
  }
  check_mean((chains.parameter(0).array() * chains.parameter(1).array()).matrix(), 0.99,
             "covariance");
  CHECK(mean_statistic(chains, "accept_stat__") > 0.574 - 0.04);
  CHECK(mean_statistic(chains, "accept_stat__") < 0.574 + 0.1);
  for (Index k = 0; k < chains.num_chains(); ++k) {
    // The adapted metric is the target's covariance, estimated from the last warm-up window.
    const MatrixX<double>& metric = chains.info(k).inverse_metric;
    REQUIRE(metric.rows() == 2);
    REQUIRE(metric.cols() == 2);
    CHECK(metric(0, 1) / std::sqrt(metric(0, 0) * metric(1, 1)) > 0.98);
    CHECK(metric(0, 0) > 0.5);
    CHECK(metric(0, 0) < 2.0);
    CHECK(chains.info(k).step_size == chains.statistic(k, "stepsize__")(0));
  }
}

TEST_CASE("mala recovers the moments and quantiles of a banana", "[mala]") {
  // x1 ~ N(0, 1), x2 | x1 ~ N(b (x1^2 - 1), 1): E x2 = 0, Var x2 = 1 + 2 b^2; the quantiles of
  // x1 are the normal ones. The log density has a -b^2 x1^4 / 2 term, tails lighter than
  // Gaussian, where MALA is not geometrically ergodic (Roberts and Tweedie 1996) and visits the
  // tails too rarely for the MCSE of x2^2 to be trusted: with b = 0.5 the z-scores of the x2
  // variance over 40 seeds had mean -0.65 and sd 1.3, with b = 0.3 mean -0.23 and sd 0.85.
  static constexpr double b = 0.3;
  const auto banana = [](const auto& x) -> as::scalar_of<decltype(x)> {
    const auto r = x(1) - b * (x(0) * x(0) - 1);
    return -0.5 * x(0) * x(0) - 0.5 * r * r;
  };
  as::MalaSettings settings;
  settings.num_samples = 5000;
  settings.seed = 13;
  const auto chains = as::mala(banana, as::InitialPoints::uniform(2), settings);
  const MatrixX<double> x1 = chains.parameter(0), x2 = chains.parameter(1);
  check_mean(x1, 0.0, "x1 mean");
  check_mean(x1.array().square().matrix(), 1.0, "x1 variance");
  check_mean(x2, 0.0, "x2 mean");
  check_mean(x2.array().square().matrix(), 1 + 2 * b * b, "x2 variance");
  check_quantile(x1, 0.05, -z95, "x1");
  check_quantile(x1, 0.95, z95, "x1");
}

TEST_CASE("mala rejects proposals where the target fails and counts them", "[mala]") {
  // N(0, 1) truncated to x <= 1 by a target that throws beyond: mean -phi(1) / Phi(1).
  struct Truncated {
    double log_prob(const VectorX<double>& x) const {
      if (x(0) > 1) throw std::domain_error("outside the support");
      return -0.5 * x(0) * x(0);
    }
    double grad_log_prob(const VectorX<double>& x, VectorX<double>& grad) const {
      grad = -x;
      return log_prob(x);
    }
  };
  as::MalaSettings settings;
  settings.num_samples = 4000;
  settings.seed = 4;
  const auto chains = as::mala(Truncated{}, VectorX<double>::Zero(1), settings);
  const MatrixX<double> x = chains.parameter(0);
  CHECK(x.maxCoeff() <= 1);
  const double phi1 = std::exp(-0.5) / std::sqrt(2 * std::numbers::pi);
  const double cdf1 = 0.5 * std::erfc(-1 / std::numbers::sqrt2);
  check_mean(x, -phi1 / cdf1, "truncated mean");
  for (Index k = 0; k < chains.num_chains(); ++k) {
    CHECK(chains.info(k).target_failures > 0);
    CHECK(chains.info(k).notes.back().find("outside the support") != std::string::npos);
  }
}

TEST_CASE("unadjusted langevin has the closed-form variance 1 / (1 - h/2) on a normal",
          "[langevin]") {
  // On N(0, I) a ULA step is x' = (1 - h) x + sqrt(2 h) z, an AR(1) chain whose stationary
  // variance v solves v = (1 - h)^2 v + 2 h: v = 1 / (1 - h/2). The bias shrinks with h.
  auto run = [](double h, Index num_samples) {
    as::LangevinSettings settings;
    settings.step_size = h;
    settings.num_warmup = 200;
    settings.num_samples = num_samples;
    settings.seed = 31;
    return as::langevin(StandardNormal{}, as::InitialPoints::uniform(10), settings);
  };
  const auto coarse = run(0.5, 5000);
  const auto fine = run(0.1, 20000);
  const MatrixX<double> coarse_square = mean_square(coarse), fine_square = mean_square(fine);
  check_mean(coarse_square, 1 / (1 - 0.25), "variance with h = 0.5");
  check_mean(fine_square, 1 / (1 - 0.05), "variance with h = 0.1");
  // The bias is real (h = 0.5 is far from 1, h = 0.1 still 5 MCSE from it) and shrinks with h.
  CHECK(coarse_square.mean() - 1 > 10 * as::mcse_mean(coarse_square));
  CHECK(fine_square.mean() - 1 > 4 * as::mcse_mean(fine_square));
  CHECK(fine_square.mean() < coarse_square.mean());
  check_mean(coarse.parameter(0), 0.0, "mean with h = 0.5");
  CHECK(coarse.statistic_names() == std::vector<std::string>{"lp__"});
  CHECK(coarse.info(0).step_size == 0.5);
}

TEST_CASE("unadjusted langevin with a dense preconditioner", "[langevin]") {
  // Preconditioned by the target's covariance S, the step on N(0, S) is x' = (1 - h) x +
  // sqrt(2 h) L z with L L^T = S: the stationary covariance is S / (1 - h/2).
  MatrixX<double> covariance(2, 2);
  covariance << 4, 1.8, 1.8, 1;
  const MatrixX<double> precision =
      Eigen::LLT<MatrixX<double>>(covariance).solve(MatrixX<double>::Identity(2, 2));
  const auto target = [&](const auto& x) -> as::scalar_of<decltype(x)> {
    return -0.5 * x.dot(precision.cast<as::scalar_of<decltype(x)>>() * x);
  };
  as::LangevinSettings settings;
  settings.step_size = 0.4;
  settings.inverse_metric = covariance;
  settings.num_samples = 10000;
  settings.seed = 17;
  const auto chains = as::langevin(target, as::InitialPoints::uniform(2), settings);
  const double inflation = 1 / (1 - 0.2);
  for (Index i = 0; i < 2; ++i) {
    for (Index j = i; j < 2; ++j) {
      check_mean((chains.parameter(i).array() * chains.parameter(j).array()).matrix(),
                 covariance(i, j) * inflation,
                 "covariance (" + std::to_string(i) + ", " + std::to_string(j) + ")");
    }
  }
  CHECK(alea::test::same_bits(chains.info(0).inverse_metric, covariance));
}

TEST_CASE("unadjusted langevin stays put where the target fails and counts it", "[langevin]") {
  const auto target = [](const auto& x) -> as::scalar_of<decltype(x)> {
    if (x(0) > 1.5) throw std::domain_error("outside the support");
    return -0.5 * x.squaredNorm();
  };
  as::LangevinSettings settings;
  settings.step_size = 0.1;
  settings.num_warmup = 100;
  settings.num_samples = 2000;
  const auto chains = as::langevin(target, VectorX<double>::Zero(1), settings);
  CHECK(chains.parameter(0).maxCoeff() <= 1.5);
  CHECK(chains.info(0).target_failures > 0);
  CHECK(chains.info(0).gradient_evaluations == 100 + 2000 + 1);
}

TEST_CASE("mala and langevin depend on the seed and chain only, not on the threads",
          "[mala][langevin][reproducible]") {
  const auto target = [](const auto& x) -> as::scalar_of<decltype(x)> {
    return -0.5 * x.squaredNorm() - 0.25 * x(0) * x(0) * x(0) * x(0);
  };
  as::MalaSettings settings;
  settings.metric = as::Metric::dense;
  settings.num_warmup = 150;
  settings.num_samples = 200;
  settings.seed = 5;
  settings.num_threads = 1;
  const auto serial = as::mala(target, as::InitialPoints::uniform(3), settings);
  settings.num_threads = 4;
  const auto parallel = as::mala(target, as::InitialPoints::uniform(3), settings);
  as::LangevinSettings ula;
  ula.num_warmup = 10;
  ula.num_samples = 100;
  ula.num_threads = 1;
  const auto ula_serial = as::langevin(target, as::InitialPoints::uniform(3), ula);
  ula.num_threads = 2;
  const auto ula_parallel = as::langevin(target, as::InitialPoints::uniform(3), ula);
  for (Index k = 0; k < 4; ++k) {
    CHECK(alea::test::same_bits(serial.draws(k), parallel.draws(k)));
    CHECK(alea::test::same_bits(serial.statistics(k), parallel.statistics(k)));
    CHECK(alea::test::same_bits(serial.info(k).inverse_metric, parallel.info(k).inverse_metric));
    CHECK(alea::test::same_bits(ula_serial.draws(k), ula_parallel.draws(k)));
  }
  CHECK_FALSE(alea::test::same_bits(serial.draws(0), serial.draws(1)));
}

TEST_CASE("mala and langevin reject bad input", "[mala][langevin][errors]") {
  const VectorX<double> init = VectorX<double>::Zero(2);
  as::MalaSettings m;
  m.num_warmup = 10;
  m.num_samples = 10;
  as::LangevinSettings l;
  l.num_warmup = 10;
  l.num_samples = 10;

  SECTION("step size, acceptance target, runner settings") {
    auto bad = m;
    bad.step_size = 0;
    CHECK_THROWS_WITH(as::mala(StandardNormal{}, init, bad),
                      "alea::sampling::mala: settings.step_size is 0, but must be positive");
    bad.step_size = -1;
    CHECK_THROWS_AS(as::mala(StandardNormal{}, init, bad), alea::InvalidArgument);
    bad = m;
    bad.target_accept = 1.5;
    CHECK_THROWS_WITH(as::mala(StandardNormal{}, init, bad),
                      "alea::sampling::mala: settings.target_accept is 1.5, but must be in (0, 1)");
    bad = m;
    bad.num_samples = 0;
    CHECK_THROWS_WITH(as::mala(StandardNormal{}, init, bad),
                      "alea::sampling::mala: settings.num_samples is 0, but must be positive");
    auto bad_ula = l;
    bad_ula.step_size = -0.5;
    CHECK_THROWS_WITH(as::langevin(StandardNormal{}, init, bad_ula),
                      "alea::sampling::langevin: settings.step_size is -0.5, but must be positive");
    bad_ula = l;
    bad_ula.step_size = NAN;
    CHECK_THROWS_AS(as::langevin(StandardNormal{}, init, bad_ula), alea::InvalidArgument);
  }
  SECTION("inverse metric") {
    auto bad = m;
    bad.inverse_metric = VectorX<double>::Ones(3);
    CHECK_THROWS_WITH(as::mala(StandardNormal{}, init, bad),
                      "alea::sampling::mala: settings.inverse_metric is 3 x 1; expected 2 x 1 (the "
                      "diagonal of the inverse metric; d = init's dimension)");
    bad.inverse_metric = VectorX<double>::Ones(2);
    bad.inverse_metric(1) = -1;
    CHECK_THROWS_AS(as::mala(StandardNormal{}, init, bad), alea::InvalidArgument);
    bad.metric = as::Metric::dense;
    bad.inverse_metric = MatrixX<double>::Identity(2, 2);
    bad.inverse_metric(1, 1) = -1;
    CHECK_THROWS_AS(as::mala(StandardNormal{}, init, bad), alea::InvalidArgument);
    auto bad_ula = l;
    bad_ula.inverse_metric = MatrixX<double>::Identity(3, 3);
    CHECK_THROWS_WITH(as::langevin(StandardNormal{}, init, bad_ula),
                      "alea::sampling::langevin: settings.inverse_metric is 3 x 3; expected 2 x 2 "
                      "(d = init's dimension)");
    bad_ula.inverse_metric = MatrixX<double>::Identity(2, 2);
    bad_ula.inverse_metric(0, 1) = 2;
    bad_ula.inverse_metric(1, 0) = 2;
    CHECK_THROWS_WITH(as::langevin(StandardNormal{}, init, bad_ula),
                      "alea::sampling::langevin: settings.inverse_metric is not positive definite");
  }
  SECTION("initial point") {
    CHECK_THROWS_WITH(as::mala(StandardNormal{}, VectorX<double>(), m),
                      "alea::sampling::mala: init is empty; expected the starting point");
    CHECK_THROWS_AS(as::mala(StandardNormal{}, MatrixX<double>::Zero(2, 2), m),
                    alea::InvalidArgument);
    const auto nan = [](const auto& x) -> as::scalar_of<decltype(x)> {
      return x(0) * std::numeric_limits<double>::quiet_NaN();
    };
    CHECK_THROWS_WITH(as::mala(nan, init, m),
                      "alea::sampling::mala: init is not a valid starting point: the log density "
                      "is NaN");
    CHECK_THROWS_WITH(as::langevin(nan, init, l),
                      "alea::sampling::langevin: init is not a valid starting point: the log "
                      "density is NaN");
    struct InfiniteGradient {
      double log_prob(const VectorX<double>&) const { return 0; }
      double grad_log_prob(const VectorX<double>& x, VectorX<double>& grad) const {
        grad = VectorX<double>::Constant(x.size(), INFINITY);
        return 0;
      }
    };
    CHECK_THROWS_WITH(as::mala(InfiniteGradient{}, init, m),
                      "alea::sampling::mala: init is not a valid starting point: the gradient is "
                      "not finite");
  }
}
