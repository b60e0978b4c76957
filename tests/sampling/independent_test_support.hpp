#pragma once
// Targets and checks shared by the tests of the independent-sample methods: importance,
// adaptive importance, rejection and adaptive rejection sampling.

#include <Eigen/Dense>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <initializer_list>
#include <utility>
#include <vector>

#include "alea/core/types.hpp"
#include "alea/density/gaussian_mixture.hpp"

namespace alea::test::independent {

using alea::Index;
using alea::MatrixX;
using alea::VectorX;

inline constexpr double log_two_pi = 1.8378770664093454835606594728112353;

/// exp(-(x - mu)^T Sigma^-1 (x - mu) / 2), unnormalised: Z = (2 pi)^(d/2) |Sigma|^(1/2).
struct UnnormalisedGaussian {
  VectorX<double> mu;
  MatrixX<double> sigma;
  double log_prob(const VectorX<double>& x) const {
    const VectorX<double> r = x - mu;
    return -0.5 * r.dot(sigma.llt().solve(r));
  }
  double log_normaliser() const {
    return 0.5 * double(mu.size()) * log_two_pi + 0.5 * std::log(sigma.determinant());
  }
};

inline VectorX<double> vec(std::initializer_list<double> values) {
  VectorX<double> v(Index(values.size()));
  Index i = 0;
  for (double value : values)
    v(i++) = value;
  return v;
}

inline MatrixX<double> mat2(double a, double b, double c, double d) {
  MatrixX<double> m(2, 2);
  m << a, b, c, d;
  return m;
}

/// |estimate - truth| <= 4 standard errors, entrywise.
inline void check_within_4_se(const VectorX<double>& estimate, const VectorX<double>& se,
                              const VectorX<double>& truth) {
  for (Index j = 0; j < truth.size(); ++j) {
    INFO("component " << j << ": estimate " << estimate(j) << ", truth " << truth(j) << ", se "
                      << se(j));
    CHECK(std::abs(estimate(j) - truth(j)) <= 4.0 * se(j));
  }
}

inline alea::GaussianMixture<double> mixture(const VectorX<double>& weights,
                                             const MatrixX<double>& means,
                                             std::vector<MatrixX<double>> covariances) {
  return alea::GaussianMixture<double>(
      weights, alea::GaussianComponents<double>(alea::CovarianceType::full, means,
                                                std::move(covariances), "test"));
}

/// 0.3 N((-3, 0), I) + 0.7 N((3, 1), [[1, 0.5], [0.5, 1]]), times e^2.5 (log Z = 2.5).
struct MixtureTarget {
  alea::GaussianMixture<double> model = mixture(
      vec({0.3, 0.7}), mat2(-3, 0, 3, 1), {MatrixX<double>::Identity(2, 2), mat2(1, 0.5, 0.5, 1)});
  double log_prob(const VectorX<double>& x) const {
    return model.log_prob(MatrixX<double>(x.transpose()))(0) + 2.5;
  }
  static VectorX<double> mean() { return vec({0.3 * -3 + 0.7 * 3, 0.7 * 1}); }
};

/// Kolmogorov-Smirnov statistic sup |F_n - F| of a sample against a cdf.
template <class Cdf>
double ks_statistic(VectorX<double> sample, const Cdf& cdf) {
  std::sort(sample.begin(), sample.end());
  const double n = double(sample.size());
  double d = 0;
  for (Index i = 0; i < sample.size(); ++i) {
    const double f = cdf(sample(i));
    d = std::max({d, double(i + 1) / n - f, f - double(i) / n});
  }
  return d;
}

/// The asymptotic 1% critical value of the KS statistic, 1.6276 / sqrt(n) (Kolmogorov's
/// distribution; slightly above the exact finite-n value, so the test is a little conservative).
inline double ks_critical_1_percent(Index n) { return 1.62762 / std::sqrt(double(n)); }

/// The standard normal cdf.
inline double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

}  // namespace alea::test::independent
