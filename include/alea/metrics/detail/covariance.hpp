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
#include "alea/metrics/detail/gram.hpp"
#include "alea/metrics/detail/symmetric_eigenvalues.hpp"

namespace alea::metrics::detail {

/// Width of the column panels that threaded products split their result into.
inline constexpr Index product_panel = 128;

/// Column means of X (n x d) in double.
template <class T>
VectorX<double> column_means(const MatrixRef<T>& X) {
  return X.template cast<double>().colwise().mean().transpose();
}

/// Sample covariance of X's rows (n x d, n >= 2) about `mean`, ddof 1 (numpy's np.cov, as
/// pytorch-fid uses it), in double, on the calling thread: the lower triangle of the centred
/// Gram matrix (gram.hpp: n d^2 flops, rows centred and converted as they are packed, O(d^2)
/// extra memory), mirrored. Callers run the two covariances of the Frechet distance on two
/// threads at once (frechet.hpp).
template <class T>
MatrixX<double> sample_covariance(const MatrixRef<T>& X, const VectorX<double>& mean) {
  const Index d = X.cols();
  MatrixX<double> S = MatrixX<double>::Zero(d, d);
  centred_gram_lower_add<T>(X, mean, S);
  S /= double(X.rows() - 1);
  S.template triangularView<Eigen::StrictlyUpper>() = S.transpose();
  return S;
}

/// L^T S L for L lower triangular and S symmetric (both d x d), lower triangle only (the upper
/// one is left unset). U = L^T S by column panels (d^3 flops), then panel [j, j + w) of the
/// result is the upper triangular (L^T)[j:, j:] times (U^T)[j:, panel] (d^3 / 3 flops in all):
/// rows above j would need only the upper triangle. Panels run on OpenMP threads (Eigen's
/// triangular products run on one), fixed, so the arithmetic does not depend on the threads.
template <class Scalar>
MatrixX<Scalar> congruence_lower(const MatrixX<Scalar>& L, const MatrixX<Scalar>& S) {
  const Index d = L.rows();
  const Index panels = (d + product_panel - 1) / product_panel;
  [[maybe_unused]] const bool threads =
      panels > 1 && alea::detail::worth_threads(double(d) * double(d) * double(d));
  MatrixX<Scalar> U(d, d), M(d, d);
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic) if (threads)
#endif
  for (Index p = 0; p < panels; ++p) {
    const Index j = p * product_panel;
    const Index w = std::min(product_panel, d - j);
    U.middleCols(j, w).noalias() =
        L.transpose().template triangularView<Eigen::Upper>() * S.middleCols(j, w);
  }
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic) if (threads)
#endif
  for (Index p = 0; p < panels; ++p) {
    const Index j = p * product_panel;
    const Index w = std::min(product_panel, d - j);
    M.block(j, j, d - j, w).noalias() =
        L.bottomRightCorner(d - j, d - j).transpose().template triangularView<Eigen::Upper>() *
        U.block(j, j, w, d - j).transpose();
  }
  return M;
}

/// Width of the diagonal blocks of cholesky_lower_in_place().
inline constexpr Index cholesky_block = 256;

/// The Cholesky factor L of the symmetric S (lower triangle read), written over that lower
/// triangle; false if a pivot is not positive (S is not numerically positive definite), S then
/// left partly factorised. Right-looking and blocked, in the order of LAPACK's dpotrf: factor
/// a diagonal block (Eigen's LLT), solve the panel below it (L21 = A21 L11^{-T}), update the
/// trailing lower triangle (A22 -= L21 L21^T). The solve and the update, all but w^2 d / 3 of
/// the d^3 / 3 flops, run on OpenMP threads over fixed row and column panels: Eigen's LLT does
/// its updates on one thread. Same arithmetic on any number of threads.
template <class Scalar>
bool cholesky_lower_in_place(MatrixX<Scalar>& S) {
  const Index d = S.rows();
  for (Index k = 0; k < d; k += cholesky_block) {
    const Index w = std::min(cholesky_block, d - k);
    const Index next = k + w;
    const Index rest = d - next;
    auto diagonal = S.block(k, k, w, w);
    const Eigen::LLT<Eigen::Ref<MatrixX<Scalar>>> llt(diagonal);
    if (llt.info() != Eigen::Success || !(diagonal.diagonal().array() > 0).all()) return false;
    if (rest == 0) break;
    const Index panels = (rest + product_panel - 1) / product_panel;
    [[maybe_unused]] const bool threads =
        panels > 1 && alea::detail::worth_threads(double(rest) * double(w) * double(rest + w));
    const auto L11 = diagonal.template triangularView<Eigen::Lower>();
#if defined(_OPENMP)
#pragma omp parallel if (threads)
#endif
    {
#if defined(_OPENMP)
#pragma omp for schedule(dynamic)
#endif
      for (Index p = 0; p < panels; ++p) {
        const Index i = next + p * product_panel;
        auto rows = S.block(i, k, std::min(product_panel, d - i), w);
        L11.transpose().template solveInPlace<Eigen::OnTheRight>(rows);
      }
      // Column panel [j, j + h) of the trailing matrix, rows j on (its diagonal block whole:
      // the part above the diagonal is written and never read).
#if defined(_OPENMP)
#pragma omp for schedule(dynamic)
#endif
      for (Index p = 0; p < panels; ++p) {
        const Index j = next + p * product_panel;
        const Index h = std::min(product_panel, d - j);
        S.block(j, j, d - j, h).noalias() -=
            S.block(j, k, d - j, w) * S.block(j, k, h, w).transpose();
      }
    }
  }
  return true;
}

/// Sum of the square roots of the eigenvalues of a symmetric positive semidefinite M (only its
/// lower triangle is read), clamped at 0: tr M^{1/2}. Eigenvalues only, no eigenvectors
/// (symmetric_eigenvalues.hpp).
template <class Matrix>
typename Matrix::Scalar trace_sqrt_psd(Matrix M) {
  using Scalar = typename Matrix::Scalar;
  return symmetric_eigenvalues(std::move(M)).cwiseMax(Scalar(0)).cwiseSqrt().sum();
}

/// tr (S1^{1/2} S2 S1^{1/2})^{1/2} for symmetric positive semidefinite S1, S2 (d x d).
///
/// The eigenvalues of S1^{1/2} S2 S1^{1/2} are those of S1 S2 and of B^T S2 B for any factor
/// S1 = B B^T. B is the Cholesky factor when S1 is numerically positive definite (one d^3 / 3
/// threaded factorisation; B^T S2 B in 4 d^3 / 3 flops of threaded triangular products). If it is
/// not, S2 is tried as the factor (the expression is symmetric in S1 and S2); if both are singular,
/// B = P^T L D^{1/2} from the pivoted LDL^T factorisation of S1 (diagonal pivoting, stable for
/// semidefinite matrices; Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed.,
/// section 10.3), its pivots clamped at 0. The result is real and finite by construction: no
/// complex square root, no NaN.
template <class Scalar>
Scalar trace_sqrt_product(const MatrixX<Scalar>& S1, const MatrixX<Scalar>& S2) {
  for (const auto& [factor, other] : {std::pair{&S1, &S2}, std::pair{&S2, &S1}}) {
    MatrixX<Scalar> L = *factor;  // factorised in place; its upper triangle is never read
    if (!cholesky_lower_in_place(L)) continue;
    return trace_sqrt_psd(congruence_lower(L, *other));
  }
  const Eigen::LDLT<MatrixX<Scalar>> ldlt(S1);
  const MatrixX<Scalar> B = ldlt.transpositionsP().transpose() *
                            (MatrixX<Scalar>(ldlt.matrixL()) *
                             ldlt.vectorD().cwiseMax(Scalar(0)).cwiseSqrt().asDiagonal());
  return trace_sqrt_psd(B.transpose() * S2 * B);
}

/// Sum of the singular values of C (n1 x n2), accurate to epsilon ||C|| absolute even for the
/// zero ones: the eigenvalues of the symmetric [[0, C], [C^T, 0]] are +-sigma_i and n1 + n2 -
/// 2 rank(C) zeros (Golub and Van Loan, "Matrix Computations", 4th ed., section 8.6.1), so the
/// sum is half the sum of their absolute values. Squaring C first (C C^T) would turn rounding
/// of eps ||C||^2 in a zero eigenvalue into sqrt(eps) ||C|| in its square root.
template <class Scalar>
Scalar nuclear_norm(const MatrixX<Scalar>& C) {
  const Index n1 = C.rows(), n2 = C.cols();
  MatrixX<Scalar> J = MatrixX<Scalar>::Zero(n1 + n2, n1 + n2);
  J.bottomLeftCorner(n2, n1) = C.transpose();  // the lower triangle is all that is read
  return Scalar(0.5) * symmetric_eigenvalues(std::move(J)).cwiseAbs().sum();
}

}  // namespace alea::metrics::detail
