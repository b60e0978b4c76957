#include <Eigen/LU>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <numbers>
#include <type_traits>
#include <vector>

#include "alea/core/random.hpp"
#include "alea/density/gaussian.hpp"
#include "alea/info/monte_carlo.hpp"
#include "fixtures.hpp"

using alea::Gaussian;
using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace info = alea::info;
namespace test = alea::test;

namespace {

/// Closed forms for Gaussians (Cover and Thomas, Elements of Information Theory, 2nd ed.,
/// theorem 8.4.1; the KL divergence of multivariate normals), computed here in double so the
/// tests do not depend on another header.
double gaussian_entropy(const MatrixX<double>& S) {
  const double d = double(S.rows());
  return 0.5 * (d * (1 + std::log(2 * std::numbers::pi)) + std::log(S.determinant()));
}
double gaussian_kl(const VectorX<double>& m1, const MatrixX<double>& S1, const VectorX<double>& m2,
                   const MatrixX<double>& S2) {
  const MatrixX<double> inverse = S2.inverse();
  const VectorX<double> m = m2 - m1;
  return 0.5 * ((inverse * S1).trace() + m.dot(inverse * m) - double(S1.rows()) +
                std::log(S2.determinant() / S1.determinant()));
}

struct Pair {
  VectorX<double> m1{{0.0, 1.0, -0.5}};
  MatrixX<double> S1{{1.0, 0.3, 0.0}, {0.3, 2.0, -0.4}, {0.0, -0.4, 0.5}};
  VectorX<double> m2{{0.5, 0.5, 0.0}};
  MatrixX<double> S2{{1.5, 0.0, 0.2}, {0.0, 1.0, 0.0}, {0.2, 0.0, 0.8}};
};

/// A density of dimension 1 that vanishes for x > 0 (log 0 = -inf there) and is NaN at x = 0.5
/// when `poisoned`: a Density only, to probe the non-finite paths.
struct HalfLine {
  using Scalar = double;
  bool poisoned = false;
  [[nodiscard]] Index dim() const { return 1; }
  [[nodiscard]] VectorX<double> log_prob(const MatrixX<double>& X) const {
    VectorX<double> out(X.rows());
    for (Index i = 0; i < X.rows(); ++i)
      out(i) = X(i, 0) > 0 ? (poisoned ? std::numeric_limits<double>::quiet_NaN()
                                       : -std::numeric_limits<double>::infinity())
                           : std::log(2.0) - 0.5 * X(i, 0) * X(i, 0);
    return out;
  }
};

}  // namespace

TEST_CASE("Monte Carlo KL, cross-entropy and entropy of Gaussians agree with closed forms",
          "[info][monte_carlo]") {
  // Each estimate is the mean of n terms with finite variance: its error is about
  // N(0, standard_error^2), so |estimate - truth| < 4 standard errors fails with probability
  // 6e-5 (and the seeds are fixed).
  const Pair g;
  const Gaussian<double> p(g.m1, g.S1);
  const Gaussian<double> q(g.m2, g.S2);
  const double kl = gaussian_kl(g.m1, g.S1, g.m2, g.S2);
  const double h = gaussian_entropy(g.S1);
  alea::Rng rng{2026};
  const Index n = 20000;
  const info::Estimate d = info::kl_divergence(p, q, n, rng);
  const info::Estimate c = info::cross_entropy(p, q, n, rng);
  const info::Estimate e = info::entropy(p, n, rng);
  INFO("KL " << d.value << " +- " << d.standard_error << " (truth " << kl << ")");
  INFO("cross-entropy " << c.value << " +- " << c.standard_error << " (truth " << h + kl << ")");
  INFO("entropy " << e.value << " +- " << e.standard_error << " (truth " << h << ")");
  CHECK(std::abs(d.value - kl) < 4 * d.standard_error);
  CHECK(std::abs(c.value - (h + kl)) < 4 * c.standard_error);
  CHECK(std::abs(e.value - h) < 4 * e.standard_error);
  // The standard error of the mean of n terms of variance s^2 is s / sqrt(n): for the entropy
  // the terms are (d + chi^2_d) / 2 shifted, of variance d / 2, so s.e. = sqrt(3 / 2 / n);
  // its own relative sampling error at n = 20,000 is ~1%: 5% is 5 of those.
  CHECK(e.standard_error == Approx(std::sqrt(1.5 / double(n))).epsilon(0.05));
  // D(p || p) = 0 exactly: every term is 0.
  const info::Estimate zero = info::kl_divergence(p, p, 100, rng);
  CHECK(zero.value == 0);
  CHECK(zero.standard_error == 0);
}

TEST_CASE("Monte Carlo standard errors match the spread of the estimates over replicas",
          "[info][monte_carlo]") {
  // 400 replicas of n = 500 draws, each from its own stream. The sample standard deviation of
  // the 400 values estimates the true standard error with relative error ~1/sqrt(2 * 399) =
  // 3.5%; the reported standard errors (averaged) have less. A ratio within 15% of 1 is ~4 of
  // those relative errors.
  const Pair g;
  const Gaussian<double> p(g.m1, g.S1);
  const Gaussian<double> q(g.m2, g.S2);
  const alea::Rng root{77};
  const int replicas = 400;
  for (int measure = 0; measure < 3; ++measure) {
    std::vector<double> values;
    double mean_standard_error = 0;
    for (int r = 0; r < replicas; ++r) {
      alea::Rng stream = root.stream(std::uint64_t(r));
      const info::Estimate e = measure == 0   ? info::kl_divergence(p, q, 500, stream)
                               : measure == 1 ? info::cross_entropy(p, q, 500, stream)
                                              : info::entropy(p, 500, stream);
      values.push_back(e.value);
      mean_standard_error += e.standard_error / replicas;
    }
    double mean = 0;
    for (const double v : values)
      mean += v / replicas;
    double variance = 0;
    for (const double v : values)
      variance += (v - mean) * (v - mean) / (replicas - 1);
    INFO("measure " << measure << ": spread " << std::sqrt(variance) << ", mean s.e. "
                    << mean_standard_error);
    CHECK(std::sqrt(variance) / mean_standard_error == Approx(1).margin(0.15));
  }
}

TEST_CASE("Monte Carlo estimates are deterministic and batch-independent in meaning",
          "[info][monte_carlo]") {
  const Pair g;
  const Gaussian<double> p(g.m1, g.S1);
  const Gaussian<double> q(g.m2, g.S2);
  // Same engine state, same value; n crossing several batches (4096 draws each) works.
  alea::Rng a{3};
  alea::Rng b{3};
  const info::Estimate x = info::kl_divergence(p, q, 10000, a);
  const info::Estimate y = info::kl_divergence(p, q, 10000, b);
  CHECK(x.value == y.value);
  CHECK(x.standard_error == y.standard_error);
  CHECK(a == b);  // the engines advanced alike
  // The merged batch statistics equal a direct computation over the same draws.
  alea::Rng c{3};
  const MatrixX<double> draws = [&] {
    MatrixX<double> out(10000, 3);
    out.topRows(4096) = p.sample(4096, c);
    out.middleRows(4096, 4096) = p.sample(4096, c);
    out.bottomRows(10000 - 8192) = p.sample(10000 - 8192, c);
    return out;
  }();
  const VectorX<double> terms = p.log_prob(draws) - q.log_prob(draws);
  const double mean = terms.mean();
  const double sd = std::sqrt((terms.array() - mean).square().sum() / (10000 - 1));
  CHECK(x.value == Approx(mean).epsilon(1e-12));
  CHECK(x.standard_error == Approx(sd / std::sqrt(10000.0)).epsilon(1e-10));
}

TEST_CASE("Monte Carlo measures mix scalar types", "[info][monte_carlo]") {
  // p in float, q in double: q evaluates p's float draws converted to double.
  const Pair g;
  const Gaussian<float> p(g.m1.cast<float>(), g.S1.cast<float>());
  const Gaussian<double> q(g.m2, g.S2);
  alea::Rng rng{8};
  const info::Estimate d = info::kl_divergence(p, q, 20000, rng);
  // 4 standard errors as above, plus float rounding of log p (~1e-6).
  CHECK(std::abs(d.value - gaussian_kl(g.m1, g.S1, g.m2, g.S2)) < 4 * d.standard_error + 1e-5);
}

TEST_CASE("Monte Carlo measures: infinite and undefined terms", "[info][monte_carlo]") {
  // p = N(0, 1) puts half its draws where q = HalfLine has zero density: D(p || q) = +inf.
  const Gaussian<double> p(VectorX<double>{{0.0}}, MatrixX<double>{{1.0}});
  alea::Rng rng{9};
  const info::Estimate d = info::kl_divergence(p, HalfLine{}, 100, rng);
  CHECK(d.value == std::numeric_limits<double>::infinity());
  CHECK(d.standard_error == std::numeric_limits<double>::infinity());
  const info::Estimate c = info::cross_entropy(p, HalfLine{}, 100, rng);
  CHECK(c.value == std::numeric_limits<double>::infinity());
  CHECK_THROWS_AS(info::kl_divergence(p, HalfLine{true}, 100, rng), alea::NumericalError);
}

TEST_CASE("Monte Carlo measures reject bad arguments", "[info][monte_carlo]") {
  const Pair g;
  const Gaussian<double> p(g.m1, g.S1);
  const Gaussian<double> line(VectorX<double>{{0.0}}, MatrixX<double>{{1.0}});
  alea::Rng rng{10};
  CHECK_THROWS_WITH(info::kl_divergence(p, p, 1, rng),
                    "alea::info::kl_divergence: n is 1, but must be at least 2 (the standard "
                    "error needs a sample variance)");
  CHECK_THROWS_WITH(info::entropy(p, 0, rng),
                    "alea::info::entropy: n is 0, but must be at least 2 (the standard error "
                    "needs a sample variance)");
  CHECK_THROWS_WITH(info::cross_entropy(p, line, 100, rng),
                    "alea::info::cross_entropy: q has dimension 1, but p has dimension 3");
  CHECK_THROWS_AS(info::kl_divergence(p, line, 100, rng), alea::InvalidArgument);
  CHECK_THROWS_AS(info::entropy(Gaussian<double>{}, 100, rng), alea::NotFittedError);
}

// The templates take (p, q, n, rng): they never compete with closed forms of the same names
// taking two models or probability vectors, and the concepts admit only models that can do
// the work (entropy needs draws and densities of p).
template <class M>
concept HasMonteCarloEntropy = requires(const M& m, alea::Rng& rng) {
  info::entropy(m, Index{10}, rng);
};
static_assert(HasMonteCarloEntropy<Gaussian<double>>);
static_assert(!HasMonteCarloEntropy<HalfLine>);  // a Density without sample()
