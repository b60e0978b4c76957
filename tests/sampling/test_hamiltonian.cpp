// The metric (metric.hpp) and the leapfrog step (hamiltonian.hpp): velocities, kinetic
// energies, momentum draws with covariance M, the leapfrog map of a harmonic oscillator in
// closed form, reversibility and second-order energy error.

#include <Eigen/Cholesky>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "alea/core/errors.hpp"
#include "alea/core/rng.hpp"
#include "alea/sampling/hamiltonian.hpp"
#include "alea/sampling/metric.hpp"
#include "alea/sampling/target.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace as = alea::sampling;

namespace {

/// N(0, Sigma) with precision P = Sigma^{-1}: log p = -x^T P x / 2.
struct Gaussian {
  MatrixX<double> precision;
  double log_prob(const VectorX<double>& x) const { return -0.5 * x.dot(precision * x); }
  double grad_log_prob(const VectorX<double>& x, VectorX<double>& grad) const {
    grad.noalias() = -precision * x;
    return 0.5 * x.dot(grad);
  }
};

MatrixX<double> spd3() {
  MatrixX<double> m(3, 3);
  m << 2.0, 0.6, -0.3,  //
      0.6, 1.0, 0.2,    //
      -0.3, 0.2, 0.5;
  return m;
}

}  // namespace

TEST_CASE("metric: velocity and kinetic energy of each kind", "[metric]") {
  VectorX<double> p(3), v(3);
  p << 1, -2, 0.5;
  const as::InverseMetric unit = as::InverseMetric::unit(3);
  unit.velocity(p, v);
  CHECK(v == p);
  CHECK(as::InverseMetric::kinetic_energy(p, v) == Approx(0.5 * 5.25));
  CHECK(unit.matrix() == MatrixX<double>(VectorX<double>::Ones(3)));

  VectorX<double> diagonal(3);
  diagonal << 2, 0.5, 4;
  const as::InverseMetric diag = as::InverseMetric::diagonal(diagonal);
  diag.velocity(p, v);
  CHECK(v.isApprox(VectorX<double>(diagonal.array() * p.array())));
  CHECK(diag.matrix() == MatrixX<double>(diagonal));

  const as::InverseMetric dense = as::InverseMetric::dense(spd3());
  dense.velocity(p, v);
  CHECK(v.isApprox(spd3() * p, 1e-15));
  CHECK(as::InverseMetric::kinetic_energy(p, v) == Approx(0.5 * p.dot(spd3() * p)));
  CHECK(dense.matrix() == spd3());
  CHECK(dense.kind() == as::Metric::dense);
  CHECK(std::string(as::metric_name(dense.kind())) == "dense_e");
}

TEST_CASE("metric: momentum draws have covariance M, the inverse of the inverse metric",
          "[metric]") {
  // 40,000 draws; each entry of the sample covariance is within 4 standard errors,
  // SE(C_ij) = sqrt((M_ii M_jj + M_ij^2) / n) for Gaussian draws.
  const Index n = 40000;
  const MatrixX<double> inverse_metric = spd3();
  const MatrixX<double> m = inverse_metric.llt().solve(MatrixX<double>::Identity(3, 3));
  VectorX<double> diagonal(3);
  diagonal << 2, 0.5, 4;
  for (const auto& metric :
       {as::InverseMetric::dense(inverse_metric), as::InverseMetric::diagonal(diagonal)}) {
    const MatrixX<double> expected = metric.kind() == as::Metric::dense
                                         ? m
                                         : MatrixX<double>(diagonal.cwiseInverse().asDiagonal());
    alea::Rng rng(5);
    MatrixX<double> draws(n, 3);
    VectorX<double> p(3);
    for (Index i = 0; i < n; ++i) {
      metric.sample_momentum(rng, p);
      draws.row(i) = p.transpose();
    }
    const MatrixX<double> c = draws.transpose() * draws / static_cast<double>(n);
    for (Index i = 0; i < 3; ++i)
      for (Index j = 0; j < 3; ++j) {
        const double se =
            std::sqrt((expected(i, i) * expected(j, j) + expected(i, j) * expected(i, j)) /
                      static_cast<double>(n));
        INFO(as::metric_name(metric.kind())
             << " entry " << i << ", " << j << ": " << c(i, j) << " vs " << expected(i, j));
        CHECK(std::abs(c(i, j) - expected(i, j)) < 4 * se);
      }
  }
}

TEST_CASE("metric: invalid inverse metrics are rejected", "[metric]") {
  const std::string f = "f";
  auto message = [&](as::Metric kind, const MatrixX<double>& given) {
    try {
      as::InverseMetric::from_settings(f, "m", kind, given, 2);
    } catch (const alea::InvalidArgument& error) {
      return std::string(error.what());
    }
    return std::string("no exception");
  };
  CHECK(message(as::Metric::diagonal, MatrixX<double>()) == "no exception");
  CHECK(message(as::Metric::dense, MatrixX<double>()) == "no exception");
  CHECK(message(as::Metric::diagonal, VectorX<double>::Zero(2)) ==
        "f: m has the entry 0 at index 0; expected a positive-definite inverse metric (entries "
        "> 0)");
  VectorX<double> nan(2);
  nan << 1, std::numeric_limits<double>::quiet_NaN();
  CHECK(message(as::Metric::diagonal, nan) == "f: m has a NaN at index 1");
  CHECK(message(as::Metric::diagonal, MatrixX<double>::Identity(2, 2)) ==
        "f: m is 2 x 2; expected 2 x 1 (the diagonal of the inverse metric; d = init's "
        "dimension)");
  MatrixX<double> asymmetric(2, 2);
  asymmetric << 1, 0.5, 0, 1;
  CHECK(message(as::Metric::dense, asymmetric) ==
        "f: m is not symmetric: entry (1, 0) is 0 but (0, 1) is 0.5");
  MatrixX<double> indefinite(2, 2);
  indefinite << 1, 2, 2, 1;
  CHECK(message(as::Metric::dense, indefinite) == "f: m is not positive definite");
  CHECK(message(as::Metric::unit, VectorX<double>::Ones(2)) ==
        "f: m is 2 x 1; expected empty with the unit metric");
}

TEST_CASE("leapfrog: one step on a harmonic oscillator is the closed-form map", "[leapfrog]") {
  // H = q^2 / 2 + p^2 / 2 (unit metric): p' = p - e q / 2 - e q' / 2, q' = q + e (p - e q / 2).
  const Gaussian target{MatrixX<double>::Identity(1, 1)};
  as::TargetEvaluator<Gaussian> evaluator(target);
  const as::InverseMetric metric = as::InverseMetric::unit(1);
  as::PhasePoint z(1);
  z.position << 0.7;
  z.momentum << -1.1;
  z.log_prob = evaluator.log_prob_and_gradient(z.position, z.gradient);
  const double e = 0.3, q = 0.7, p = -1.1;
  as::leapfrog<as::Metric::unit>(evaluator, metric, z, e);
  const double q1 = q + e * (p - 0.5 * e * q);
  const double p1 = p - 0.5 * e * q - 0.5 * e * q1;
  CHECK(z.position(0) == Approx(q1).epsilon(1e-15));
  CHECK(z.momentum(0) == Approx(p1).epsilon(1e-15));
  CHECK(z.velocity(0) == Approx(p1).epsilon(1e-15));
  CHECK(z.kinetic == Approx(0.5 * p1 * p1).epsilon(1e-15));
  CHECK(z.log_prob == Approx(-0.5 * q1 * q1).epsilon(1e-15));
  CHECK(evaluator.gradient_evaluations() == 2);
}

TEST_CASE("leapfrog: reversible and second order for every metric", "[leapfrog]") {
  MatrixX<double> precision(3, 3);
  precision << 3, 1, 0,  //
      1, 2, 0.5,         //
      0, 0.5, 1;
  const Gaussian target{precision};
  VectorX<double> diagonal(3);
  diagonal << 0.4, 0.7, 1.5;
  for (const auto& metric : {as::InverseMetric::unit(3), as::InverseMetric::diagonal(diagonal),
                             as::InverseMetric::dense(spd3())}) {
    INFO(as::metric_name(metric.kind()));
    auto step = [&](as::TargetEvaluator<Gaussian>& evaluator, as::PhasePoint& z, double e) {
      switch (metric.kind()) {
        case as::Metric::unit:
          return as::leapfrog<as::Metric::unit>(evaluator, metric, z, e);
        case as::Metric::diagonal:
          return as::leapfrog<as::Metric::diagonal>(evaluator, metric, z, e);
        case as::Metric::dense:
          return as::leapfrog<as::Metric::dense>(evaluator, metric, z, e);
      }
    };
    as::TargetEvaluator<Gaussian> evaluator(target);
    as::PhasePoint start(3);
    start.position << 0.5, -1, 2;
    start.momentum << 1, 0.3, -0.7;
    start.log_prob = evaluator.log_prob_and_gradient(start.position, start.gradient);
    metric.velocity(start.momentum, start.velocity);
    start.kinetic = as::InverseMetric::kinetic_energy(start.momentum, start.velocity);
    // 20 steps forwards, 20 backwards: back at the start.
    as::PhasePoint z = start;
    for (int i = 0; i < 20; ++i)
      step(evaluator, z, 0.1);
    CHECK((z.position - start.position).norm() > 0.1);
    for (int i = 0; i < 20; ++i)
      step(evaluator, z, -0.1);
    CHECK((z.position - start.position).norm() < 1e-12);
    CHECK((z.momentum - start.momentum).norm() < 1e-12);
    // The energy error over a fixed time shrinks as e^2: halving e divides it by about 4.
    auto energy_error = [&](double e, int steps) {
      as::PhasePoint w = start;
      double worst = 0;
      for (int i = 0; i < steps; ++i) {
        step(evaluator, w, e);
        worst = std::max(worst, std::abs(w.hamiltonian() - start.hamiltonian()));
      }
      return worst;
    };
    const double coarse = energy_error(0.04, 25), fine = energy_error(0.02, 50);
    INFO("energy errors " << coarse << ", " << fine);
    CHECK(coarse / fine > 3.5);
    CHECK(coarse / fine < 4.5);
  }
}

TEST_CASE("leapfrog: a failed evaluation makes the Hamiltonian infinite", "[leapfrog]") {
  struct Cliff {
    double log_prob(const VectorX<double>& x) const {
      return x(0) > 1 ? std::numeric_limits<double>::quiet_NaN() : -0.5 * x.squaredNorm();
    }
    double grad_log_prob(const VectorX<double>& x, VectorX<double>& grad) const {
      grad = -x;
      return log_prob(x);
    }
  };
  const Cliff target;
  as::TargetEvaluator<Cliff> evaluator(target);
  const as::InverseMetric metric = as::InverseMetric::unit(1);
  as::PhasePoint z(1);
  z.position << 0.9;
  z.momentum << 5;
  z.log_prob = evaluator.log_prob_and_gradient(z.position, z.gradient);
  as::leapfrog<as::Metric::unit>(evaluator, metric, z, 0.5);
  CHECK(z.log_prob == -std::numeric_limits<double>::infinity());
  CHECK(z.hamiltonian() == std::numeric_limits<double>::infinity());
  CHECK(evaluator.failures() == 1);
}
