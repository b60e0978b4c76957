#include <Eigen/LU>
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <string>

#include "alea/core/random.hpp"
#include "alea/density/gaussian.hpp"
#include "alea/info/gaussian_info.hpp"

using alea::Gaussian;
using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace info = alea::info;

namespace {

Gaussian<> bivariate(double rho, double sx = 1, double sy = 1) {
  MatrixX<double> S(2, 2);
  S << sx * sx, rho * sx * sy, rho * sx * sy, sy * sy;
  return Gaussian<>(VectorX<double>::Zero(2), S);
}

// -log(1 - rho^2) / 2, accurate for rho near 0 (log1p of the small -rho^2) and near 1 (where
// 1 - rho^2 = (1 - rho)(1 + rho) and 1 - rho is exact).
double bivariate_mi(double rho) {
  return std::abs(rho) < 0.5 ? -0.5 * std::log1p(-rho * rho)
                             : -0.5 * (std::log1p(-std::abs(rho)) + std::log1p(std::abs(rho)));
}

}  // namespace

TEMPLATE_TEST_CASE("info: Gaussian entropy is the closed form", "[info][gaussian]", float, double) {
  using T = TestType;
  // float: log det and the constant each carry a few float ulps (~1e-7) relative.
  const double tolerance = std::is_same_v<T, float> ? 1e-6 : 1e-14;
  MatrixX<T> S(2, 2);
  S << 2.0, 0.6, 0.6, 0.5;
  const Gaussian<T> g(VectorX<T>::Constant(2, 3), S);
  // (d (1 + log 2 pi) + log det S) / 2 with det S = 2 * 0.5 - 0.36.
  const double expected = 0.5 * (2 * (1 + std::log(2 * std::numbers::pi)) + std::log(0.64));
  CHECK(info::entropy(g) == Approx(expected).epsilon(tolerance));
  CHECK(info::entropy(g) == g.entropy());
  const auto diagonal = Gaussian<T>::from_diagonal(VectorX<T>::Zero(3), VectorX<T>::Constant(3, 4));
  CHECK(
      info::entropy(diagonal) ==
      Approx(1.5 * (1 + std::log(2 * std::numbers::pi)) + 1.5 * std::log(4.0)).epsilon(tolerance));
}

TEST_CASE("info: Gaussian KL matches the closed forms", "[info][gaussian]") {
  SECTION("1-D: log(s_q / s_p) + (s_p^2 + (m_p - m_q)^2) / (2 s_q^2) - 1/2") {
    const Gaussian<> p(VectorX<double>::Constant(1, 0.7), MatrixX<double>::Constant(1, 1, 2.25));
    const Gaussian<> q(VectorX<double>::Constant(1, -0.3), MatrixX<double>::Constant(1, 1, 0.64));
    const double expected = std::log(0.8 / 1.5) + (2.25 + 1.0) / (2 * 0.64) - 0.5;
    CHECK(info::kl_divergence(p, q) == Approx(expected).epsilon(1e-14));
  }
  SECTION("d = 4: against the textbook formula with an explicit inverse and determinants") {
    // The reference uses Eigen's inverse() and determinant() (LU), an independent route; on
    // matrices of condition ~10 both agree to ~1e-14 relative.
    alea::Rng rng{314};
    for (int trial = 0; trial < 10; ++trial) {
      const MatrixX<double> Sp = test::random_covariance(rng, 4);
      const MatrixX<double> Sq = test::random_covariance(rng, 4);
      const VectorX<double> mp = alea::standard_normal(rng, 4, 1);
      const VectorX<double> mq = alea::standard_normal(rng, 4, 1);
      const MatrixX<double> inverse_q = Sq.inverse();
      const double expected =
          0.5 * ((inverse_q * Sp).trace() + (mq - mp).dot(inverse_q * (mq - mp)) - 4 +
                 std::log(Sq.determinant() / Sp.determinant()));
      const double kl = info::kl_divergence(Gaussian<>(mp, Sp), Gaussian<>(mq, Sq));
      CHECK(kl == Approx(expected).epsilon(1e-12));
      CHECK(kl > 0);
    }
  }
  SECTION("KL(P || P) = 0; diag and full covariances of equal value agree") {
    alea::Rng rng{2};
    const MatrixX<double> S = test::random_covariance(rng, 5);
    const Gaussian<> p(VectorX<double>::Constant(5, 1.5), S);
    CHECK(info::kl_divergence(p, p) == Approx(0.0).margin(1e-14));  // rounding of tr(I) - d
    VectorX<double> variances(3);
    variances << 0.5, 2.0, 3.0;
    const VectorX<double> mean = VectorX<double>::LinSpaced(3, -1, 1);
    const auto diagonal = Gaussian<>::from_diagonal(mean, variances);
    const Gaussian<> full(mean, variances.asDiagonal().toDenseMatrix());
    const Gaussian<> q(VectorX<double>::Zero(3), MatrixX<double>::Identity(3, 3));
    CHECK(info::kl_divergence(diagonal, q) == Approx(info::kl_divergence(full, q)).epsilon(1e-15));
    CHECK(info::kl_divergence(q, diagonal) == Approx(info::kl_divergence(q, full)).epsilon(1e-15));
  }
  SECTION("Gaussian<float> agrees with double") {
    MatrixX<float> S(2, 2);
    S << 1.0f, 0.3f, 0.3f, 2.0f;
    const Gaussian<float> p(VectorX<float>::Zero(2), S);
    const Gaussian<float> q(VectorX<float>::Ones(2), MatrixX<float>::Identity(2, 2));
    const double reference =
        info::kl_divergence(Gaussian<>(VectorX<double>::Zero(2), S.cast<double>()),
                            Gaussian<>(VectorX<double>::Ones(2), MatrixX<double>::Identity(2, 2)));
    // The float model's factors carry ~1e-7 relative error; the KL (~1) inherits it.
    CHECK(info::kl_divergence(p, q) == Approx(reference).epsilon(1e-6));
  }
}

TEST_CASE("info: Gaussian KL agrees with a Monte Carlo average of the log density ratio",
          "[info][gaussian]") {
  // KL(p || q) = E_p[log p(X) - log q(X)]: the sample mean over n = 200000 draws has standard
  // error sd / sqrt(n); 4 standard errors fail by chance with probability 6e-5.
  alea::Rng rng{8};
  const MatrixX<double> Sp = test::random_covariance(rng, 3);
  const MatrixX<double> Sq = test::random_covariance(rng, 3);
  const Gaussian<> p(VectorX<double>::Constant(3, 0.5), Sp);
  const Gaussian<> q(VectorX<double>::Constant(3, -0.2), Sq);
  const MatrixX<double> draws = p.sample(200000, rng);
  const VectorX<double> ratio = p.log_prob(draws) - q.log_prob(draws);
  const double mean = ratio.mean();
  const double se =
      std::sqrt((ratio.array() - mean).square().sum() / (ratio.size() - 1) / double(ratio.size()));
  CHECK(std::abs(info::kl_divergence(p, q) - mean) < 4 * se);
}

TEST_CASE("info: Gaussian mutual information matches the closed forms", "[info][gaussian]") {
  SECTION("bivariate: -log(1 - rho^2) / 2, from weak to strong dependence") {
    // Canonical correlations keep full relative accuracy at both ends: rho = 1e-6 gives
    // MI = 5e-13, which a difference of log-determinants would return with ~1e-16 absolute,
    // i.e. 1e-4 relative, error.
    for (double rho : {1e-6, 0.3, -0.8, 0.999999}) {
      CAPTURE(rho);
      CHECK(info::mutual_information(bivariate(rho), 1) ==
            Approx(bivariate_mi(rho)).epsilon(1e-12));
      // Invariant under rescaling either variable. The scaled covariance is rounded, which moves
      // rho by ~eps; MI's condition number |rho| / ((1 - rho^2) MI) is 8e4 at rho = 0.999999, so
      // agreement is to ~1e-11 there.
      CHECK(info::mutual_information(bivariate(rho, 30.0, 0.02), 1) ==
            Approx(bivariate_mi(rho)).epsilon(1e-10));
    }
    CHECK(info::mutual_information(bivariate(0.0), 1) == 0.0);
  }
  SECTION("d = 5: against log-determinants, KL to the product of marginals, and symmetry") {
    alea::Rng rng{77};
    for (int trial = 0; trial < 5; ++trial) {
      const MatrixX<double> S = test::random_covariance(rng, 5);
      const Gaussian<> joint(VectorX<double>::Zero(5), S);
      for (Index split = 1; split < 5; ++split) {
        CAPTURE(trial, split);
        const Index rest = 5 - split;
        const MatrixX<double> Sxx = S.topLeftCorner(split, split);
        const MatrixX<double> Syy = S.bottomRightCorner(rest, rest);
        // Determinants by LU (an independent route); all are ~1, so 1e-13 absolute suffices.
        const double expected =
            0.5 * std::log(Sxx.determinant() * Syy.determinant() / S.determinant());
        const double mi = info::mutual_information(joint, split);
        CHECK(mi == Approx(expected).epsilon(1e-12).margin(1e-13));
        CHECK(mi > 0);
        // I(x; y) = KL(p(x, y) || p(x) p(y)).
        MatrixX<double> product = MatrixX<double>::Zero(5, 5);
        product.topLeftCorner(split, split) = Sxx;
        product.bottomRightCorner(rest, rest) = Syy;
        CHECK(mi ==
              Approx(info::kl_divergence(joint, Gaussian<>(VectorX<double>::Zero(5), product)))
                  .epsilon(1e-12)
                  .margin(1e-13));
        // I(x; y) = I(y; x): move the last `rest` coordinates to the front.
        Eigen::PermutationMatrix<Eigen::Dynamic> swap(5);
        for (Index i = 0; i < 5; ++i)
          swap.indices()(i) = (i + rest) % 5;
        const MatrixX<double> swapped = swap * S * swap.transpose();
        CHECK(info::mutual_information(Gaussian<>(VectorX<double>::Zero(5), swapped), rest) ==
              Approx(mi).epsilon(1e-12).margin(1e-13));
      }
    }
  }
  SECTION("independent blocks and diagonal covariances give exactly 0") {
    VectorX<double> variances(4);
    variances << 1, 2, 3, 4;
    const auto g = Gaussian<>::from_diagonal(VectorX<double>::Zero(4), variances);
    CHECK(info::mutual_information(g, 2) == 0.0);
  }
  SECTION("Gaussian<float>") {
    MatrixX<float> S(2, 2);
    S << 1.0f, 0.5f, 0.5f, 1.0f;
    const Gaussian<float> g(VectorX<float>::Zero(2), S);
    CHECK(info::mutual_information(g, 1) == Approx(bivariate_mi(0.5)).epsilon(1e-6));
  }
}

TEST_CASE("info: Gaussian closed forms reject bad input", "[info][gaussian][errors]") {
  const Gaussian<> unfitted;
  const Gaussian<> g2(VectorX<double>::Zero(2), MatrixX<double>::Identity(2, 2));
  const Gaussian<> g3(VectorX<double>::Zero(3), MatrixX<double>::Identity(3, 3));
  REQUIRE_THROWS_AS(info::entropy(unfitted), alea::NotFittedError);
  REQUIRE_THROWS_WITH(info::entropy(unfitted),
                      "alea::info::entropy: g is not fitted; fit it or construct it from "
                      "parameters");
  REQUIRE_THROWS_AS(info::kl_divergence(g2, unfitted), alea::NotFittedError);
  REQUIRE_THROWS_WITH(info::kl_divergence(g2, unfitted),
                      "alea::info::kl_divergence: q is not fitted; fit it or construct it from "
                      "parameters");
  REQUIRE_THROWS_AS(info::kl_divergence(g2, g3), alea::InvalidArgument);
  REQUIRE_THROWS_WITH(info::kl_divergence(g2, g3),
                      "alea::info::kl_divergence: q has dimension 3, but p has dimension 2");
  REQUIRE_THROWS_WITH(info::mutual_information(unfitted, 1),
                      "alea::info::mutual_information: joint is not fitted; fit it or construct "
                      "it from parameters");
  for (Index split : {0, 3, -1}) {
    REQUIRE_THROWS_WITH(info::mutual_information(g3, split),
                        "alea::info::mutual_information: split is " + std::to_string(split) +
                            ", but must be between 1 and d - 1 for a joint of dimension d = 3");
  }
  const Gaussian<> g1(VectorX<double>::Zero(1), MatrixX<double>::Identity(1, 1));
  REQUIRE_THROWS_WITH(info::mutual_information(g1, 1),
                      "alea::info::mutual_information: split is 1, but must be between 1 and d - "
                      "1 for a joint of dimension d = 1");
}
