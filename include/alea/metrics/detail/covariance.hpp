#pragma once
/// @file
/// @brief The linear algebra of the Frechet distance: threaded sample covariances in double and
/// tr (S1^{1/2} S2 S1^{1/2})^{1/2} through one Cholesky factor and one symmetric eigenvalue
/// problem (eigenvalues only, blocked reduction).

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <utility>

#include "alea/core/parallel.hpp"
#include "alea/core/types.hpp"
#include "alea/metrics/detail/symmetric_eigenvalues.hpp"

namespace alea::metrics::detail {

/// Width of the column panels that threaded products split their result into.
inline constexpr Index product_panel = 128;
/// Rows of data centred and converted to double at a time.
inline constexpr Index covariance_chunk = 2048;

/// Column means of X (n x d) in double.
template <class T>
VectorX<double> column_means(const MatrixRef<T>& X) {
  return X.template cast<double>().colwise().mean().transpose();
}

/// Sample covariance of X's rows (n x d, n >= 2) about `mean`, ddof 1 (numpy's np.cov, as
/// pytorch-fid uses it), in double, on the calling thread: Eigen's symmetric rank-k update
/// (n d^2 flops, the symmetric half only), ~40 GFLOP/s on one AVX-512 core, as fast per core
/// as a GEMM and half its flops. Rows are centred and converted in chunks, so the extra memory
/// is O(chunk d + d^2) whatever n. Callers run the two covariances of the Frechet distance on
/// two threads at once (frechet.hpp).
template <class T>
MatrixX<double> sample_covariance(const MatrixRef<T>& X, const VectorX<double>& mean) {
  const Index n = X.rows(), d = X.cols();
  MatrixX<double> S = MatrixX<double>::Zero(d, d);
  MatrixX<double> chunk;
  for (Index i0 = 0; i0 < n; i0 += covariance_chunk) {
    const Index rows = std::min(covariance_chunk, n - i0);
    chunk = X.middleRows(i0, rows).template cast<double>().rowwise() - mean.transpose();
    S.selfadjointView<Eigen::Lower>().rankUpdate(chunk.transpose());
  }
  S /= double(n - 1);
  S.triangularView<Eigen::StrictlyUpper>() = S.transpose();
  return S;
}

/// L^T S L for L lower triangular and S symmetric (both d x d), lower triangle only (the upper
/// one is left unset). U = L^T S by column panels (d^3 flops), then panel [j, j + w) of the
/// result is the upper triangular (L^T)[j:, j:] times (U^T)[j:, panel] (d^3 / 3 flops in all):
/// rows above j would need only the upper triangle. Panels run on OpenMP threads (Eigen's
/// triangular products run on one), fixed, so the arithmetic does not depend on the threads.
inline MatrixX<double> congruence_lower(const MatrixX<double>& L, const MatrixX<double>& S) {
  const Index d = L.rows();
  const Index panels = (d + product_panel - 1) / product_panel;
  [[maybe_unused]] const bool threads =
      panels > 1 && alea::detail::worth_threads(double(d) * double(d) * double(d));
  MatrixX<double> U(d, d), M(d, d);
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic) if (threads)
#endif
  for (Index p = 0; p < panels; ++p) {
    const Index j = p * product_panel;
    const Index w = std::min(product_panel, d - j);
    U.middleCols(j, w).noalias() =
        L.transpose().triangularView<Eigen::Upper>() * S.middleCols(j, w);
  }
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic) if (threads)
#endif
  for (Index p = 0; p < panels; ++p) {
    const Index j = p * product_panel;
    const Index w = std::min(product_panel, d - j);
    M.block(j, j, d - j, w).noalias() =
        L.bottomRightCorner(d - j, d - j).transpose().triangularView<Eigen::Upper>() *
        U.block(j, j, w, d - j).transpose();
  }
  return M;
}

/// Sum of the square roots of the eigenvalues of a symmetric positive semidefinite M (only its
/// lower triangle is read), clamped at 0: tr M^{1/2}. Eigenvalues only, no eigenvectors
/// (symmetric_eigenvalues.hpp).
inline double trace_sqrt_psd(MatrixX<double> M) {
  return symmetric_eigenvalues(std::move(M)).cwiseMax(0.0).cwiseSqrt().sum();
}

/// tr (S1^{1/2} S2 S1^{1/2})^{1/2} for symmetric positive semidefinite S1, S2 (d x d).
///
/// The eigenvalues of S1^{1/2} S2 S1^{1/2} are those of S1 S2 and of B^T S2 B for any factor
/// S1 = B B^T. B is the Cholesky factor when S1 is numerically positive definite (one d^3 / 3
/// factorisation; B^T S2 B in 4 d^3 / 3 flops of threaded triangular products). If it is not,
/// S2 is tried as the factor (the expression is symmetric in S1 and S2); if both are singular,
/// B = P^T L D^{1/2} from the pivoted LDL^T factorisation of S1 (diagonal pivoting, stable for
/// semidefinite matrices; Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed.,
/// section 10.3), its pivots clamped at 0. The result is real and finite by construction: no
/// complex square root, no NaN.
inline double trace_sqrt_product(const MatrixX<double>& S1, const MatrixX<double>& S2) {
  for (const auto& [factor, other] : {std::pair{&S1, &S2}, std::pair{&S2, &S1}}) {
    MatrixX<double> L = *factor;  // factorised in place; its upper triangle is never read
    const Eigen::LLT<Eigen::Ref<MatrixX<double>>> llt(L);
    if (llt.info() != Eigen::Success || !(L.diagonal().array() > 0).all()) continue;
    return trace_sqrt_psd(congruence_lower(L, *other));
  }
  const Eigen::LDLT<MatrixX<double>> ldlt(S1);
  const MatrixX<double> B =
      ldlt.transpositionsP().transpose() *
      (MatrixX<double>(ldlt.matrixL()) * ldlt.vectorD().cwiseMax(0.0).cwiseSqrt().asDiagonal());
  return trace_sqrt_psd(B.transpose() * S2 * B);
}

/// Sum of the singular values of C (n1 x n2), accurate to epsilon ||C|| absolute even for the
/// zero ones: the eigenvalues of the symmetric [[0, C], [C^T, 0]] are +-sigma_i and n1 + n2 -
/// 2 rank(C) zeros (Golub and Van Loan, "Matrix Computations", 4th ed., section 8.6.1), so the
/// sum is half the sum of their absolute values. Squaring C first (C C^T) would turn rounding
/// of eps ||C||^2 in a zero eigenvalue into sqrt(eps) ||C|| in its square root.
inline double nuclear_norm(const MatrixX<double>& C) {
  const Index n1 = C.rows(), n2 = C.cols();
  MatrixX<double> J = MatrixX<double>::Zero(n1 + n2, n1 + n2);
  J.bottomLeftCorner(n2, n1) = C.transpose();  // the lower triangle is all that is read
  return 0.5 * symmetric_eigenvalues(J).cwiseAbs().sum();
}

}  // namespace alea::metrics::detail
