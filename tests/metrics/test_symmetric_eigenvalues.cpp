// The two-stage tridiagonal reduction of metrics/detail/symmetric_eigenvalues.hpp against Eigen's
// SelfAdjointEigenSolver, which reduces in one stage: both are backward stable, so their
// eigenvalues agree to a small multiple of d epsilon ||A||.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "alea/core/random.hpp"
#include "alea/metrics/detail/symmetric_eigenvalues.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace detail = alea::metrics::detail;

namespace {

VectorX<double> reference_eigenvalues(const MatrixX<double>& A) {
  return Eigen::SelfAdjointEigenSolver<MatrixX<double>>(A, Eigen::EigenvaluesOnly).eigenvalues();
}

// The lower triangle of A with NaN above it: the reduction must never read there.
MatrixX<double> lower_only(const MatrixX<double>& A) {
  MatrixX<double> lower = A;
  lower.triangularView<Eigen::StrictlyUpper>().setConstant(std::nan(""));
  return lower;
}

double max_error(const VectorX<double>& values, const VectorX<double>& expected) {
  return (values - expected).cwiseAbs().maxCoeff() / expected.cwiseAbs().maxCoeff();
}

// Q diag(spectrum) Q^T for a random orthogonal Q (Householder QR of a Gaussian matrix).
MatrixX<double> with_spectrum(alea::Rng& rng, const VectorX<double>& spectrum) {
  const Index d = spectrum.size();
  const MatrixX<double> G = alea::standard_normal(rng, d, d);
  const MatrixX<double> Q = Eigen::HouseholderQR<MatrixX<double>>(G).householderQ();
  MatrixX<double> A = Q * spectrum.asDiagonal() * Q.transpose();
  return 0.5 * (A + A.transpose());
}

}  // namespace

// 1e-12 of the largest eigenvalue: both reductions are backward stable to ~d epsilon ||A|| (a
// few 1e-14 at d = 300); a wrong reflector or a missed bulge gives errors of order ||A||.
TEST_CASE("two-stage reduction matches Eigen on random symmetric matrices",
          "[metrics][eigenvalues]") {
  alea::Rng rng{31};
  for (const Index d : {1, 2, 3, 4, 5, 8, 17, 32, 33, 34, 63, 64, 65, 66, 100, 129, 200, 300}) {
    const MatrixX<double> G = alea::standard_normal(rng, d, d);
    const MatrixX<double> A = G + G.transpose();
    const VectorX<double> expected = reference_eigenvalues(A);
    for (const Index band : {1, 2, 4, 16, 32, 64}) {
      INFO("d " << d << " band " << band);
      CHECK(max_error(detail::symmetric_eigenvalues(lower_only(A), band), expected) <= 1e-12);
    }
  }
}

TEST_CASE("two-stage reduction matches Eigen on covariance-like matrices",
          "[metrics][eigenvalues]") {
  // Positive semidefinite, eigenvalues from 1 down to 1e-12 geometrically (and exact zeros for
  // a rank-deficient one), as covariances of image features: the small eigenvalues are still
  // within 1e-12 of the largest in absolute terms.
  alea::Rng rng{32};
  for (const Index d : {2, 10, 40, 97, 160, 300}) {
    VectorX<double> spectrum(d);
    for (Index i = 0; i < d; ++i)
      spectrum(i) = std::pow(1e-12, double(i) / double(d - 1));
    const MatrixX<double> A = with_spectrum(rng, spectrum);
    VectorX<double> rank_deficient = spectrum;
    rank_deficient.tail(d / 2).setZero();
    const MatrixX<double> B = with_spectrum(rng, rank_deficient);
    for (const auto* M : {&A, &B}) {
      const VectorX<double> expected = reference_eigenvalues(*M);
      for (const Index band : {1, 32}) {
        INFO("d " << d << " band " << band);
        CHECK(max_error(detail::symmetric_eigenvalues(lower_only(*M), band), expected) <= 1e-12);
      }
    }
  }
}

TEST_CASE("two-stage reduction handles structured matrices", "[metrics][eigenvalues]") {
  // Already tridiagonal, already banded, diagonal, zero, and with huge and tiny scales.
  const Index d = 90;
  MatrixX<double> tridiagonal = MatrixX<double>::Zero(d, d);
  for (Index i = 0; i < d; ++i)
    tridiagonal(i, i) = 2;
  for (Index i = 0; i + 1 < d; ++i)
    tridiagonal(i + 1, i) = tridiagonal(i, i + 1) = -1;
  alea::Rng rng{33};
  const MatrixX<double> G = alea::standard_normal(rng, d, d);
  MatrixX<double> banded = G + G.transpose();
  for (Index j = 0; j < d; ++j)
    for (Index i = 0; i < d; ++i)
      if (std::abs(i - j) > 5) banded(i, j) = 0;
  const MatrixX<double> diagonal = VectorX<double>::LinSpaced(d, -3, 7).asDiagonal();
  for (const MatrixX<double>& A : {tridiagonal, banded, diagonal, MatrixX<double>(1e150 * banded),
                                   MatrixX<double>(1e-150 * banded)}) {
    const VectorX<double> expected = reference_eigenvalues(A);
    CHECK(max_error(detail::symmetric_eigenvalues(lower_only(A)), expected) <= 1e-12);
  }
  CHECK(detail::symmetric_eigenvalues(MatrixX<double>::Zero(d, d)).cwiseAbs().maxCoeff() == 0);
  CHECK(detail::symmetric_eigenvalues(MatrixX<double>(0, 0)).size() == 0);
}

TEST_CASE("two-stage reduction gives the same eigenvalues on any number of threads",
          "[metrics][eigenvalues]") {
  // Several column panels of the threaded passes (d > 128), bitwise equal.
  alea::Rng rng{34};
  const Index d = 400;
  const MatrixX<double> G = alea::standard_normal(rng, d, d);
  const MatrixX<double> A = G + G.transpose();
#if defined(_OPENMP)
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const VectorX<double> one = detail::symmetric_eigenvalues(A);
  omp_set_num_threads(std::max(2, threads));
  const VectorX<double> several = detail::symmetric_eigenvalues(A);
  omp_set_num_threads(threads);
  CHECK(one == several);
#endif
  CHECK(max_error(detail::symmetric_eigenvalues(A), reference_eigenvalues(A)) <= 1e-12);
}
