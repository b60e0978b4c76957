#pragma once
// Checks shared by the MCMC tests: an estimate from the draws within 4 Monte Carlo standard
// errors of the truth, with the MCSE from alea's own diagnostics (the criterion). Over
// k independent checks, each misses by chance with probability ~6e-5 (normal tails), so a file
// with a hundred checks fails by chance about once in 160 seeds; every test's seed is fixed.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <string>
#include <vector>

#include "alea/core/types.hpp"
#include "alea/sampling/chains.hpp"
#include "alea/sampling/diagnostics.hpp"

namespace alea::test::mcmc {

/// TensorFlow Probability's conservation check: `end` (one transition from exact draws, n x 3)
/// and `fresh` (n independent exact draws) have the same law along five fixed directions. The
/// two-sample Kolmogorov-Smirnov statistic of each projection is below its asymptotic critical
/// value at level 0.001, 1.949 sqrt(2 / n) (0.5% over the five looks).
inline void check_same_law_along_projections(const MatrixX<double>& end,
                                             const MatrixX<double>& fresh) {
  const Index n = end.rows();
  MatrixX<double> directions(3, 5);
  directions << 1, 0, 0, 1, 0.3,  //
      0, 1, 0, -1, 0.5,           //
      0, 0, 1, 0.5, -0.8;
  for (Index p = 0; p < directions.cols(); ++p) {
    VectorX<double> a = end * directions.col(p), b = fresh * directions.col(p);
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    // Two-sample KS statistic: sup |F_a - F_b| over the merged sample.
    double statistic = 0;
    Index i = 0, j = 0;
    while (i < n && j < n) {
      if (a(i) <= b(j))
        ++i;
      else
        ++j;
      statistic =
          std::max(statistic, std::abs(static_cast<double>(i - j)) / static_cast<double>(n));
    }
    INFO("projection " << p << ": KS statistic " << statistic);
    CHECK(statistic < 1.949 * std::sqrt(2.0 / static_cast<double>(n)));
  }
}

/// Quantile of all the draws (R's type 7, as Summary's quantiles).
inline double pooled_quantile(const MatrixX<double>& draws, double p) {
  std::vector<double> v(draws.data(), draws.data() + draws.size());
  std::sort(v.begin(), v.end());
  const double h = static_cast<double>(v.size() - 1) * p;
  const auto low = static_cast<std::size_t>(std::floor(h));
  const std::size_t high = std::min(low + 1, v.size() - 1);
  return v[low] + (h - std::floor(h)) * (v[high] - v[low]);
}

/// The mean of `values` (num_samples x num_chains) is within 4 MCSE of `expected`.
inline void check_mean(const MatrixX<double>& values, double expected, const std::string& what) {
  const double mcse = sampling::mcse_mean(values);
  INFO(what << ": estimate " << values.mean() << ", expected " << expected << ", MCSE " << mcse);
  CHECK(std::abs(values.mean() - expected) <= 4 * mcse);
}

/// The p-quantile of `values` is within 4 MCSE (of the quantile) of `expected`.
inline void check_quantile(const MatrixX<double>& values, double p, double expected,
                           const std::string& what) {
  const double estimate = pooled_quantile(values, p);
  const double mcse = sampling::mcse_quantile(values, p);
  INFO(what << " quantile " << p << ": estimate " << estimate << ", expected " << expected
            << ", MCSE " << mcse);
  CHECK(std::abs(estimate - expected) <= 4 * mcse);
}

/// Phi^-1(0.95).
inline constexpr double z95 = 1.6448536269514722;

/// Mean 0, variance sd^2 (the mean of x^2), median 0 and the 5% / 95% quantiles of
/// coordinate j of a centred Gaussian with standard deviation sd.
inline void check_centred_normal(const sampling::Chains& chains, Index j, double sd) {
  const MatrixX<double> x = chains.parameter(j);
  const std::string name = "coordinate " + std::to_string(j);
  check_mean(x, 0.0, name + " mean");
  check_mean(x.array().square().matrix(), sd * sd, name + " variance");
  check_quantile(x, 0.05, -z95 * sd, name);
  check_quantile(x, 0.5, 0.0, name);
  check_quantile(x, 0.95, z95 * sd, name);
}

/// Mean of a per-draw statistic over every chain's kept draws.
inline double mean_statistic(const sampling::Chains& chains, const std::string& name) {
  double total = 0;
  for (Index k = 0; k < chains.num_chains(); ++k)
    total += chains.statistic(k, name).mean();
  return total / static_cast<double>(chains.num_chains());
}

/// N(0, diag(sd^2)) with its analytic gradient.
struct DiagonalGaussian {
  VectorX<double> precision;  // 1 / sd^2
  explicit DiagonalGaussian(const VectorX<double>& sd) : precision(sd.array().square().inverse()) {}
  double log_prob(const VectorX<double>& x) const {
    return -0.5 * (x.array().square() * precision.array()).sum();
  }
  double grad_log_prob(const VectorX<double>& x, VectorX<double>& grad) const {
    grad.array() = -x.array() * precision.array();
    return log_prob(x);
  }
};

/// Bivariate standard normal with correlation rho.
struct CorrelatedGaussian {
  double rho;
  double log_prob(const VectorX<double>& x) const {
    return -0.5 * (x(0) * x(0) - 2 * rho * x(0) * x(1) + x(1) * x(1)) / (1 - rho * rho);
  }
  double grad_log_prob(const VectorX<double>& x, VectorX<double>& grad) const {
    grad(0) = -(x(0) - rho * x(1)) / (1 - rho * rho);
    grad(1) = -(x(1) - rho * x(0)) / (1 - rho * rho);
    return log_prob(x);
  }
};

/// log N(x; 0, I) up to its constant.
inline double standard_normal_log_density(const VectorX<double>& x) { return -0.5 * x.squaredNorm(); }

/// The b of the banana the tests sample (E x2 = 0, Var x2 = 1.5).
inline constexpr double banana_b = 0.5;

/// Banana: x1 ~ N(0, 1), x2 | x1 ~ N(b (x1^2 - 1), 1); E x2 = 0, Var x2 = 1 + 2 b^2.
struct Banana {
  double b = banana_b;
  double log_prob(const VectorX<double>& x) const {
    const double r = x(1) - b * (x(0) * x(0) - 1);
    return -0.5 * x(0) * x(0) - 0.5 * r * r;
  }
  double grad_log_prob(const VectorX<double>& x, VectorX<double>& grad) const {
    const double r = x(1) - b * (x(0) * x(0) - 1);
    grad(0) = -x(0) + 2 * b * x(0) * r;
    grad(1) = -r;
    return log_prob(x);
  }
};

/// P(x2 <= q) under the banana of parameter b: the integral of phi(t) Phi(q - b (t^2 - 1)) dt
/// by Simpson's rule on [-12, 12] (the integrand is smooth and negligible outside: error far
/// below 1e-10).
inline double banana_x2_cdf(double q, double b) {
  const int n = 4000;
  const double a = -12, h = 24.0 / n;
  double total = 0;
  for (int i = 0; i <= n; ++i) {
    const double t = a + i * h;
    const double f = std::exp(-0.5 * t * t) / std::sqrt(2 * std::numbers::pi) * 0.5 *
                     std::erfc(-(q - b * (t * t - 1)) / std::numbers::sqrt2);
    total += f * (i == 0 || i == n ? 1 : (i % 2 == 1 ? 4 : 2));
  }
  return total * h / 3;
}

/// The p-quantile of the banana's x2, by bisection on banana_x2_cdf.
inline double banana_x2_quantile(double p, double b) {
  double low = -20, high = 40;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (low + high);
    (banana_x2_cdf(mid, b) < p ? low : high) = mid;
  }
  return 0.5 * (low + high);
}

}  // namespace alea::test::mcmc
