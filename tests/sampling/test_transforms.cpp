// Tests of include/alea/sampling/transforms.hpp: constraint transforms (Stan's conventions),
// their log-Jacobians and gradient pullbacks, and sampling through ConstrainedTarget.

#include <Eigen/LU>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "alea/core/errors.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/density/gaussian.hpp"
#include "alea/sampling/chains.hpp"
#include "alea/sampling/diagnostics.hpp"
#include "alea/sampling/runner.hpp"
#include "alea/sampling/target.hpp"
#include "alea/sampling/transforms.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace sampling = alea::sampling;
using Catch::Matchers::Equals;
using sampling::Transform;

namespace {

/// One block of every kind: x = (real 2 | positive | > -3 | < 2 (2) | in (-1, 4) (2) |
/// 4-simplex): 11 coordinates of u, 12 entries of x.
Transform every_kind() {
  return Transform{}
      .real(2)
      .positive()
      .lower_bound(-3)
      .upper_bound(2, 2)
      .interval(-1, 4, 2)
      .simplex(4);
}

/// Rows of x whose Jacobian is square: all but each simplex's last entry (here x(11)).
constexpr Index square_rows = 11;

/// The Jacobian dx/du by AutoDiff through Transform::constrain.
MatrixX<double> autodiff_jacobian(const Transform& transform, const VectorX<double>& u) {
  const Index n = u.size();
  VectorX<sampling::AutoDiffScalar> active(n);
  for (Index i = 0; i < n; ++i)
    active(i) = sampling::AutoDiffScalar(u(i), n, i);
  const VectorX<sampling::AutoDiffScalar> x = transform.constrain(active);
  MatrixX<double> jacobian = MatrixX<double>::Zero(x.size(), n);
  for (Index r = 0; r < x.size(); ++r) {
    if (x(r).derivatives().size() == n) jacobian.row(r) = x(r).derivatives().transpose();
  }
  return jacobian;
}

/// A smooth log density of x for gradient checks: -1/2 sum w_i x_i^2 + sum c_i x_i.
const auto quadratic = [](const auto& x) -> sampling::scalar_of<decltype(x)> {
  using T = sampling::scalar_of<decltype(x)>;
  T total(0);
  for (Index i = 0; i < x.size(); ++i) {
    const double w = 0.5 + 0.1 * static_cast<double>(i), c = 0.3 - 0.05 * static_cast<double>(i);
    total += -0.5 * w * x(i) * x(i) + c * x(i);
  }
  return total;
};

/// The same with an analytic gradient.
struct QuadraticTarget {
  double log_prob(const VectorX<double>& x) const { return quadratic(x); }
  double grad_log_prob(const VectorX<double>& x, VectorX<double>& grad) const {
    grad.resize(x.size());
    for (Index i = 0; i < x.size(); ++i)
      grad(i) = -(0.5 + 0.1 * static_cast<double>(i)) * x(i) + 0.3 - 0.05 * static_cast<double>(i);
    return log_prob(x);
  }
};

}  // namespace

static_assert(sampling::DifferentiableTarget<sampling::ConstrainedTarget<decltype(quadratic)>>);
static_assert(sampling::DifferentiableTarget<sampling::ConstrainedTarget<QuadraticTarget>>);
static_assert(sampling::Target<sampling::ConstrainedTarget<alea::Gaussian<double>>>);
static_assert(!sampling::DifferentiableTarget<sampling::ConstrainedTarget<alea::Gaussian<double>>>);

TEST_CASE("transforms map onto their supports and round-trip", "[transforms]") {
  const Transform transform = every_kind();
  REQUIRE(transform.unconstrained_dim() == 11);
  REQUIRE(transform.constrained_dim() == 12);
  alea::Rng rng{1};
  for (int trial = 0; trial < 20; ++trial) {
    const VectorX<double> u = 2.0 * alea::standard_normal<double>(rng, 11, 1);
    const VectorX<double> x = transform.constrain(u);
    CHECK(x.head(2) == u.head(2));
    CHECK(x(2) > 0);
    CHECK(x(3) > -3);
    CHECK((x.segment(4, 2).array() < 2).all());
    CHECK((x.segment(6, 2).array() > -1).all());
    CHECK((x.segment(6, 2).array() < 4).all());
    CHECK((x.tail(4).array() > 0).all());
    CHECK(std::abs(x.tail(4).sum() - 1) < 1e-15);
    const VectorX<double> back = transform.unconstrain(x);
    CHECK((back - u).cwiseAbs().maxCoeff() < 1e-12);
    CHECK(transform.constrain(back).isApprox(x, 1e-14));
  }
  // Closed forms of single blocks.
  VectorX<double> u(1);
  u << std::log(2.0);
  CHECK(Transform{}.positive().constrain(u)(0) == Approx(2.0).epsilon(1e-15));
  CHECK(Transform{}.lower_bound(1.5).constrain(u)(0) == Approx(3.5).epsilon(1e-15));
  CHECK(Transform{}.upper_bound(1.5).constrain(u)(0) == Approx(-0.5).epsilon(1e-15));
  u << 0;
  CHECK(Transform{}.interval(-1, 3).constrain(u)(0) == 1);  // the middle
  // Stan's offset log(1 / (K - k)) puts u = 0 at the centre of the simplex.
  const VectorX<double> centre = Transform{}.simplex(5).constrain(VectorX<double>::Zero(4).eval());
  CHECK((centre.array() - 0.2).abs().maxCoeff() < 1e-15);
}

TEST_CASE("the log-Jacobian is the log-determinant of the AutoDiff Jacobian", "[transforms]") {
  const Transform transform = every_kind();
  alea::Rng rng{2};
  for (int trial = 0; trial < 10; ++trial) {
    const VectorX<double> u = 1.5 * alea::standard_normal<double>(rng, 11, 1);
    const MatrixX<double> jacobian = autodiff_jacobian(transform, u);
    // AutoDiff agrees with central finite differences (step 1e-6: error about 1e-10 * x''').
    const double h = 1e-6;
    for (Index j = 0; j < u.size(); ++j) {
      VectorX<double> up = u, down = u;
      up(j) += h;
      down(j) -= h;
      const VectorX<double> column =
          (transform.constrain(up) - transform.constrain(down)) / (2 * h);
      CHECK((column - jacobian.col(j)).cwiseAbs().maxCoeff() < 1e-7 * (1 + column.norm()));
    }
    const double log_det =
        std::log(std::abs(jacobian.topRows(square_rows).partialPivLu().determinant()));
    CHECK(transform.log_abs_det_jacobian(u) == Approx(log_det).epsilon(1e-10));
    double log_jacobian = 0;
    CHECK(transform.constrain(u, log_jacobian) == transform.constrain(u));
    CHECK(log_jacobian == transform.log_abs_det_jacobian(u));
  }
  // Far in the tails the log-Jacobian stays finite (softplus, not log(s (1 - s))).
  VectorX<double> far(11);
  far.setConstant(-40);
  CHECK(std::isfinite(transform.log_abs_det_jacobian(far)));
  far.setConstant(40);
  CHECK(std::isfinite(transform.log_abs_det_jacobian(far)));
}

TEST_CASE("the gradient pullback equals finite differences", "[transforms]") {
  const Transform transform = every_kind();
  const auto with_autodiff = sampling::constrained_target(quadratic, transform);
  const auto with_gradient = sampling::constrained_target(QuadraticTarget{}, transform);
  CHECK(with_autodiff.dim() == 11);
  alea::Rng rng{3};
  for (int trial = 0; trial < 10; ++trial) {
    const VectorX<double> u = alea::standard_normal<double>(rng, 11, 1);
    VectorX<double> grad, analytic;
    const double value = sampling::log_prob_and_gradient(with_autodiff, u, grad);
    CHECK(sampling::log_prob_and_gradient(with_gradient, u, analytic) == Approx(value));
    CHECK((grad - analytic).cwiseAbs().maxCoeff() < 1e-12 * (1 + grad.norm()));
    CHECK(value == Approx(quadratic(transform.constrain(u)) + transform.log_abs_det_jacobian(u))
                       .epsilon(1e-14));
    CHECK(with_autodiff.log_prob(u) == Approx(value).epsilon(1e-14));
    // Central differences of log p(x(u)) + log|J(u)|, step 1e-5: truncation error ~1e-10.
    const double h = 1e-5;
    for (Index j = 0; j < u.size(); ++j) {
      VectorX<double> up = u, down = u;
      up(j) += h;
      down(j) -= h;
      const double numeric = (with_autodiff.log_prob(up) - with_autodiff.log_prob(down)) / (2 * h);
      INFO("coordinate " << j);
      CHECK(grad(j) == Approx(numeric).epsilon(1e-6).margin(1e-7));
    }
  }
}

namespace {

/// Random-walk Metropolis on the unconstrained space, on the runner.
template <sampling::Target F>
sampling::Chains random_walk(const F& target, const sampling::SampleSettings& settings, Index dim,
                             double scale) {
  return sampling::run_chains(
      "test::random_walk", settings, sampling::InitialPoints::uniform(dim), {"lp__"},
      [&](Index, alea::Rng& rng, const VectorX<double>& start, sampling::ChainRecorder& recorder) {
        sampling::TargetEvaluator<F> evaluator(target);
        VectorX<double> u = start;
        double lp = evaluator.initial_log_prob("test::random_walk", u);
        for (Index it = 0; it < recorder.num_iterations(); ++it) {
          const VectorX<double> proposal = u + scale * alea::standard_normal<double>(rng, dim, 1);
          const double lp_proposal = evaluator.log_prob(proposal);
          if (std::log(alea::uniform01<double>(rng)) < lp_proposal - lp) {
            u = proposal;
            lp = lp_proposal;
          }
          const std::array<double, 1> statistics{lp};
          if (!recorder.record(u, statistics)) break;
        }
        return sampling::ChainInfo{};
      });
}

/// Unnormalised Gamma(3, rate 2) x Beta(2, 5) x Dirichlet(2, 3, 5) on x = (g, b, d1, d2, d3).
double product_log_density(const VectorX<double>& x) {
  return 2 * std::log(x(0)) - 2 * x(0) + std::log(x(1)) + 4 * std::log1p(-x(1)) + std::log(x(2)) +
         2 * std::log(x(3)) + 4 * std::log(x(4));
}

}  // namespace

TEST_CASE("sampling through the transform recovers Gamma Beta and Dirichlet means",
          "[transforms]") {
  // A change-of-variables check: a random walk on u, whose density includes log|J|, gives draws
  // of x with the known means 3/2, 2/7 and (0.2, 0.3, 0.5), within 4 Monte Carlo standard
  // errors (from alea's ESS; 4 chains x 4000 draws, bulk-ESS 700 to 1700 per coordinate; over 40
  // seeds the largest error was 3.0 MCSE, and 24 MCSE for the run without the Jacobian).
  const Transform transform = Transform{}.positive().interval(0, 1).simplex(3);
  const auto target = sampling::constrained_target(product_log_density, transform);
  sampling::SampleSettings settings;
  settings.num_warmup = 500;
  settings.num_samples = 4000;
  settings.seed = 2024;
  const sampling::Chains on_u = random_walk(target, settings, 4, 0.9);
  const sampling::Chains on_x = transform.constrain(on_u);
  REQUIRE(on_x.dim() == 5);
  REQUIRE(on_x.num_samples() == 4000);
  CHECK(on_x.statistic_names() == on_u.statistic_names());
  CHECK(on_x.statistics(2) == on_u.statistics(2));
  const std::array<double, 5> expected = {1.5, 2.0 / 7.0, 0.2, 0.3, 0.5};
  const VectorX<double> mean = on_x.pooled().colwise().mean().transpose();
  const VectorX<double> mcse = sampling::mcse_mean(on_x);
  for (Index j = 0; j < 5; ++j) {
    INFO("x(" << j << "): " << mean(j) << " +- " << mcse(j));
    CHECK(std::abs(mean(j) - expected[std::size_t(j)]) < 4 * mcse(j));
  }

  // Without the Jacobian the positive coordinate would follow p(x) / x, a Gamma(2, 2) with
  // mean 1: far outside these error bars.
  const auto no_jacobian = [&](const VectorX<double>& u) {
    return product_log_density(transform.constrain(u));
  };
  const sampling::Chains wrong = transform.constrain(random_walk(no_jacobian, settings, 4, 0.9));
  const double wrong_mean = wrong.pooled().col(0).mean();
  CHECK(std::abs(wrong_mean - 1.5) > 10 * sampling::mcse_mean(wrong)(0));
}

TEST_CASE("transforms reject bad bounds sizes and points outside the support", "[transforms]") {
  CHECK_THROWS_WITH(Transform{}.interval(1, 1),
                    Equals("alea::sampling::Transform::interval: lower is 1 and upper is 1; "
                           "expected lower < upper"));
  CHECK_THROWS_WITH(Transform{}.interval(2, -1),
                    Equals("alea::sampling::Transform::interval: lower is 2 and upper is -1; "
                           "expected lower < upper"));
  CHECK_THROWS_AS(Transform{}.interval(0, std::numeric_limits<double>::infinity()),
                  alea::InvalidArgument);
  CHECK_THROWS_AS(Transform{}.lower_bound(std::numeric_limits<double>::quiet_NaN()),
                  alea::InvalidArgument);
  CHECK_THROWS_WITH(Transform{}.real(0),
                    Equals("alea::sampling::Transform::real: n is 0, but must be positive"));
  CHECK_THROWS_AS(Transform{}.positive(-1), alea::InvalidArgument);
  CHECK_THROWS_WITH(Transform{}.simplex(1),
                    Equals("alea::sampling::Transform::simplex: k is 1; expected at least 2"));

  const Transform transform = Transform{}.positive().interval(0, 1).upper_bound(5).simplex(3);
  VectorX<double> x(6);
  x << 1, 0.5, 4, 0.2, 0.3, 0.5;
  CHECK_NOTHROW(transform.unconstrain(x));
  auto message_for = [&](Index i, double value) {
    VectorX<double> bad = x;
    bad(i) = value;
    try {
      (void)transform.unconstrain(bad);
    } catch (const alea::InvalidArgument& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  const std::string prefix = "alea::sampling::Transform::unconstrain: ";
  CHECK(message_for(0, -1) == prefix + "x(0) is -1, but must be > 0");
  CHECK(message_for(0, 0) == prefix + "x(0) is 0, but must be > 0");
  CHECK(message_for(1, 1) == prefix + "x(1) is 1, but must be in (0, 1)");
  CHECK(message_for(2, 5) == prefix + "x(2) is 5, but must be < 5");
  CHECK(message_for(3, 0.1) == prefix + "x(3..5) sums to 0.9, but a simplex sums to 1");
  CHECK(message_for(4, 0) ==
        prefix + "x(4) is 0, but must be > 0: it belongs to the simplex x(3..5)");
  CHECK(message_for(1, std::numeric_limits<double>::quiet_NaN()) ==
        prefix + "x has a NaN at index 1");

  CHECK_THROWS_WITH(transform.unconstrain(VectorX<double>::Zero(5)),
                    Equals(prefix + "x has 5 entries, but the transform has 6 constrained "
                                    "coordinates"));
  CHECK_THROWS_WITH(transform.constrain(VectorX<double>::Zero(6).eval()),
                    Equals("alea::sampling::Transform::constrain: u has 6 entries, but the "
                           "transform has 5 unconstrained coordinates"));
  CHECK_THROWS_AS(transform.log_abs_det_jacobian(VectorX<double>::Zero(4)), alea::InvalidArgument);
  CHECK_THROWS_AS(transform.pullback(VectorX<double>::Zero(5), VectorX<double>::Zero(5)),
                  alea::InvalidArgument);

  // A Density model target must have the transform's constrained dimension.
  const alea::Gaussian<double> gaussian(VectorX<double>::Zero(2), MatrixX<double>::Identity(2, 2));
  CHECK_THROWS_WITH(sampling::constrained_target(gaussian, transform),
                    Equals("alea::sampling::constrained_target: target has dimension 2, but the "
                           "transform has 6 constrained coordinates"));
  const auto on_u = sampling::constrained_target(gaussian, Transform{}.positive(2));
  VectorX<double> u(2);
  u << 0.1, -0.3;
  CHECK(on_u.log_prob(u) ==
        Approx(sampling::log_prob(gaussian, u.array().exp().matrix().eval()) + u.sum())
            .epsilon(1e-14));
}
