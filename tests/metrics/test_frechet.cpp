#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "alea/core/random.hpp"
#include "alea/metrics/frechet.hpp"
#include "fixtures.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace metrics = alea::metrics;
namespace test = alea::test;

TEST_CASE("Frechet distance equals pytorch-fid's sqrtm formula on well-conditioned features",
          "[metrics][frechet]") {
  for (const auto& c : test::fixture("metrics_reference.json")["fid"]) {
    if (c["reference"] != "sqrtm") continue;
    const MatrixX<double> X = test::matrix(c["X"]), Y = test::matrix(c["Y"]);
    const double expected = c["value"];
    INFO("n " << X.rows() << ", " << Y.rows() << ", d " << X.cols());
    // scipy's Schur-based sqrtm and the symmetric eigenvalue route agree to ~1e-13 relative
    // here; 1e-8 is the contract (pytorch-fid's own result varies by more across BLAS builds).
    CHECK(std::abs(metrics::frechet_distance(X, Y) - expected) < 1e-8 * expected);
    CHECK(std::abs(metrics::frechet_distance(test::vector(c["mean1"]), test::matrix(c["cov1"]),
                                             test::vector(c["mean2"]), test::matrix(c["cov2"])) -
                   expected) < 1e-8 * expected);
    // Float features: converted to double before any arithmetic, so the same value.
    const MatrixX<float> Xf = X.cast<float>(), Yf = Y.cast<float>();
    CHECK(metrics::frechet_distance(Xf, Yf) ==
          metrics::frechet_distance(MatrixX<double>(Xf.cast<double>()),
                                    MatrixX<double>(Yf.cast<double>())));
  }
}

TEST_CASE("Frechet distance is finite and exact with fewer samples than features",
          "[metrics][frechet]") {
  for (const auto& c : test::fixture("metrics_reference.json")["fid"]) {
    if (c["reference"] != "eigh") continue;
    const MatrixX<double> X = test::matrix(c["X"]), Y = test::matrix(c["Y"]);
    const double expected = c["value"];
    INFO("n " << X.rows() << ", " << Y.rows() << ", d " << X.cols());
    // The reference takes square roots of the eigenvalues of S1^1/2 S2 S1^1/2, of which d - n
    // are 0 in exact arithmetic and +-1e-15 ||S||^2 in floating point: each contributes up to
    // sqrt(1e-15) ||S|| ~ 3e-8 ||S|| (||S|| ~ 3 here), 20 of them at most, so the reference is
    // good to ~2e-6; alea's data route has no such term. Tolerance 1e-5 relative.
    const double value = metrics::frechet_distance(X, Y);
    CHECK(std::isfinite(value));
    CHECK(std::abs(value - expected) < 1e-5 * expected);
    // From the covariances: where both are singular the Cholesky factorisations fail and the
    // pivoted LDL^T factor takes over, with the same sqrt(epsilon) sensitivity as the reference.
    const double from_covariances =
        metrics::frechet_distance(test::vector(c["mean1"]), test::matrix(c["cov1"]),
                                  test::vector(c["mean2"]), test::matrix(c["cov2"]));
    CHECK(std::abs(from_covariances - expected) < 1e-5 * expected);
  }
}

TEST_CASE("Frechet distance of a feature set with itself is 0 to rounding", "[metrics][frechet]") {
  alea::Rng rng{31};
  for (const auto& [n, d] : {std::pair<Index, Index>{300, 6}, std::pair<Index, Index>{500, 64},
                             std::pair<Index, Index>{12, 40}, std::pair<Index, Index>{40, 40}}) {
    INFO("n " << n << ", d " << d);
    const MatrixX<double> mixing = alea::standard_normal(rng, d, d);
    const MatrixX<double> X = (alea::standard_normal(rng, n, d) * mixing).array() + 3.0;
    const VectorX<double> mean = X.colwise().mean();
    const MatrixX<double> centred = X.rowwise() - mean.transpose();
    const double trace = centred.squaredNorm() / double(n - 1);
    // The trace term recovers tr S to d ~ 1e-16 relative per eigenvalue (the eigenvalues of
    // (L^T L)^2, or the singular values of A A^T when n <= d): 1e-12 tr S allows for d = 64.
    const double self = metrics::frechet_distance(X, X);
    CHECK(self >= 0);
    CHECK(self <= 1e-12 * trace);
    if (n > d) {
      const MatrixX<double> S = centred.transpose() * centred / double(n - 1);
      CHECK(metrics::frechet_distance(mean, S, mean, S) <= 1e-12 * trace);
    }
  }
  // pytorch-fid issue #117: identical singular covariances. The covariance route cannot avoid
  // square roots of eigenvalues that are 0 only up to rounding (sqrt(1e-16) ~ 1e-8 relative
  // each); the value stays finite, non-negative and small.
  const MatrixX<double> X = alea::standard_normal(rng, 10, 30);
  const VectorX<double> mean = X.colwise().mean();
  const MatrixX<double> centred = X.rowwise() - mean.transpose();
  const MatrixX<double> S = centred.transpose() * centred / 9.0;
  const double singular = metrics::frechet_distance(mean, S, mean, S);
  CHECK(std::isfinite(singular));
  CHECK(singular >= 0);
  CHECK(singular < 1e-5 * S.trace());
}

TEST_CASE("the blocked tridiagonal reduction gives Eigen's eigenvalues", "[metrics][frechet]") {
  alea::Rng rng{12};
  for (const Index d : {1, 2, 3, 40, 129}) {
    const MatrixX<double> G = alea::standard_normal(rng, d, d);
    MatrixX<double> A = G + G.transpose();
    A(0, 0) += 1e3;  // a spread of magnitudes
    const VectorX<double> expected =
        Eigen::SelfAdjointEigenSolver<MatrixX<double>>(A, Eigen::EigenvaluesOnly).eigenvalues();
    MatrixX<double> lower = A;
    lower.triangularView<Eigen::StrictlyUpper>().setConstant(std::nan(""));  // never read
    // Both are backward stable: eigenvalues within ~d epsilon ||A||; 1e-13 ||A|| for d <= 129.
    for (const Index panel : {1, 4, 32}) {
      INFO("d " << d << ", panel " << panel);
      const VectorX<double> values = metrics::detail::symmetric_eigenvalues(lower, panel);
      CHECK((values - expected).cwiseAbs().maxCoeff() <= 1e-13 * expected.cwiseAbs().maxCoeff());
    }
    // L^T S L, lower triangle, against the dense product.
    const MatrixX<double> L = MatrixX<double>(G.triangularView<Eigen::Lower>());
    const MatrixX<double> dense = L.transpose() * A * L;
    const MatrixX<double> congruence = metrics::detail::congruence_lower(L, A);
    CHECK((MatrixX<double>(congruence.triangularView<Eigen::Lower>()) -
           MatrixX<double>(dense.triangularView<Eigen::Lower>()))
              .cwiseAbs()
              .maxCoeff() <= 1e-12 * dense.cwiseAbs().maxCoeff());
  }
}

TEST_CASE("the blocked threaded Cholesky factor equals Eigen's", "[metrics][frechet]") {
  alea::Rng rng{13};
  // 600 = two 256-wide blocks and a partial one: panel solves and trailing updates both run.
  for (const Index d : {1, 5, 256, 600}) {
    INFO("d " << d);
    const MatrixX<double> G = alea::standard_normal(rng, 2 * d + 2, d);
    const MatrixX<double> S = G.transpose() * G / double(2 * d + 2);
    MatrixX<double> L = S;
    L.triangularView<Eigen::StrictlyUpper>().setConstant(std::nan(""));  // never read
    REQUIRE(metrics::detail::cholesky_lower_in_place(L));
    const MatrixX<double> expected = Eigen::LLT<MatrixX<double>>(S).matrixL();
    // Both backward stable: the factors differ by ~d epsilon sqrt(cond S) relative, and cond S
    // stays below ((1 + sqrt(1/2)) / (1 - sqrt(1/2)))^2 = 34 (Marchenko-Pastur, 2d rows):
    // 600 x 2.2e-16 x 6 = 8e-13.
    CHECK((MatrixX<double>(L.triangularView<Eigen::Lower>()) - expected).cwiseAbs().maxCoeff() <=
          1e-11 * expected.cwiseAbs().maxCoeff());
#if defined(_OPENMP)
    // The same bits on one thread as on several (fixed panels).
    const int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    MatrixX<double> serial = S;
    serial.triangularView<Eigen::StrictlyUpper>().setConstant(std::nan(""));
    REQUIRE(metrics::detail::cholesky_lower_in_place(serial));
    omp_set_num_threads(threads);
    CHECK(test::same_bits(MatrixX<double>(serial.triangularView<Eigen::Lower>()),
                          MatrixX<double>(L.triangularView<Eigen::Lower>())));
#endif
  }
  // Not positive definite (an eigenvalue -1, met in the third block): false.
  MatrixX<double> indefinite = MatrixX<double>::Identity(600, 600);
  indefinite(400, 400) = -1;
  CHECK_FALSE(metrics::detail::cholesky_lower_in_place(indefinite));
}

TEMPLATE_TEST_CASE("the packed centred Gram kernel equals the direct product", "[metrics][frechet]",
                   float, double) {
  using T = TestType;
  using G = metrics::detail::GramBlocking;
  alea::Rng rng{17};
  // Sizes around the blocking: rows past one kc slice, columns past one mc block, edge tiles
  // narrower than mr and nr, and the 1 x 1 case.
  for (const Index n : {Index{1}, Index{7}, G::kc + 3}) {
    for (const Index d : {Index{1}, Index{G::nr + 1}, Index{G::mr}, G::mc + G::mr + 5}) {
      INFO("n " << n << ", d " << d);
      const MatrixX<T> X = (alea::standard_normal(rng, n, d).array() + 3).matrix().cast<T>();
      const VectorX<double> mean = X.template cast<double>().colwise().mean().transpose();
      MatrixX<double> C = MatrixX<double>::Constant(d, d, 2.0);  // the kernel adds to C
      metrics::detail::centred_gram_lower_add<T>(X, mean, C);
      const MatrixX<double> centred = X.template cast<double>().rowwise() - mean.transpose();
      const MatrixX<double> expected = (centred.transpose() * centred).array() + 2.0;
      // Sums of n products in another order: a few n epsilon of the largest entry.
      const MatrixX<double> error = (C - expected).template triangularView<Eigen::Lower>();
      CHECK(error.cwiseAbs().maxCoeff() <= 1e-13 * double(n) * expected.cwiseAbs().maxCoeff());
    }
  }
}

TEST_CASE("Frechet distance between known Gaussians", "[metrics][frechet]") {
  // Commuting covariances: FD = |m1 - m2|^2 + sum (sqrt(a_k) - sqrt(b_k))^2 in closed form.
  VectorX<double> a(3), b(3), m1(3), m2(3);
  a << 1.0, 4.0, 0.0;  // singular
  b << 9.0, 1.0, 2.0;
  m1 << 0.0, 1.0, 2.0;
  m2 << 1.0, 1.0, 0.0;
  const double expected = (m1 - m2).squaredNorm() + (a.cwiseSqrt() - b.cwiseSqrt()).squaredNorm();
  const double value = metrics::frechet_distance(m1, MatrixX<double>(a.asDiagonal()), m2,
                                                 MatrixX<double>(b.asDiagonal()));
  // The first covariance is singular: its Cholesky factorisation fails and the second one's
  // serves as the factor. Exact up to rounding.
  CHECK(std::abs(value - expected) < 1e-12 * expected);
}

#if defined(_OPENMP)
TEST_CASE("Frechet distance does not depend on the number of threads", "[metrics][frechet]") {
  alea::Rng rng{4};
  // d = 300, n = 600: enough work for the threaded covariance panels and products.
  const MatrixX<double> X = alea::standard_normal(rng, 600, 300);
  const MatrixX<double> Y = alea::standard_normal(rng, 700, 300).array() * 1.1 + 0.2;
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const double serial = metrics::frechet_distance(X, Y);
  omp_set_num_threads(std::max(2, threads));
  const double parallel = metrics::frechet_distance(X, Y);
  omp_set_num_threads(threads);
  CHECK(serial == parallel);
}
#endif

TEST_CASE("Frechet distance rejects bad input", "[metrics][frechet]") {
  const MatrixX<double> X = MatrixX<double>::Random(5, 3), Y = MatrixX<double>::Random(4, 3);
  const char* prefix = "alea::metrics::frechet_distance: ";
  CHECK_THROWS_MATCHES(metrics::frechet_distance(X, Y.leftCols(2)), alea::InvalidArgument,
                       Catch::Message(std::string(prefix) + "Y has 2 columns, but X has 3"));
  CHECK_THROWS_MATCHES(
      metrics::frechet_distance(X.topRows(1), Y), alea::InvalidArgument,
      Catch::Message(std::string(prefix) + "X has 1 row, but a covariance needs at least 2"));
  MatrixX<double> inf = Y;
  inf(2, 0) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_MATCHES(metrics::frechet_distance(X, inf), alea::InvalidArgument,
                       Catch::Message(std::string(prefix) + "Y has +Inf at row 2, column 0"));
  const VectorX<double> m = VectorX<double>::Zero(3);
  const MatrixX<double> S = MatrixX<double>::Identity(3, 3);
  MatrixX<double> asymmetric = S;
  asymmetric(2, 0) = 0.5;
  CHECK_THROWS_MATCHES(
      metrics::frechet_distance(m, S, m, asymmetric), alea::InvalidArgument,
      Catch::Message(std::string(prefix) +
                     "cov2 is not symmetric: entry (2, 0) is 0.5 but (0, 2) is 0"));
  CHECK_THROWS_MATCHES(metrics::frechet_distance(m, MatrixX<double>::Identity(3, 2), m, S),
                       alea::InvalidArgument,
                       Catch::Message(std::string(prefix) + "cov1 is 3 x 2, but must be square"));
  CHECK_THROWS_MATCHES(
      metrics::frechet_distance(m, MatrixX<double>::Identity(2, 2), m, S), alea::InvalidArgument,
      Catch::Message(std::string(prefix) + "cov1 is 2 x 2, but mean1 has 3 entries"));
  CHECK_THROWS_MATCHES(
      metrics::frechet_distance(m, S, VectorX<double>::Zero(2), S), alea::InvalidArgument,
      Catch::Message(std::string(prefix) + "mean2 has 2 entries, but mean1 has 3"));
}
