#pragma once
/// @file
/// @brief Eigenvalues of a symmetric matrix by a two-stage reduction to tridiagonal form (dense
/// to band by blocked Householder transformations, band to tridiagonal by bulge chasing), then
/// Eigen's tridiagonal QR iteration.
///
/// A one-stage Householder tridiagonalisation (LAPACK's dsytrd, Eigen's SelfAdjointEigenSolver)
/// spends half of its 4 d^3 / 3 flops in symmetric matrix-vector products with the whole
/// trailing matrix, one per column: memory-bound, and too short to thread (a parallel region
/// per column stalls whenever the machine's other work deschedules one of its threads).
/// Reducing first to a band of half-bandwidth b moves all of those flops into matrix-matrix
/// products (Bischof, Lang and Sun, "A framework for symmetric band reduction", ACM TOMS 26,
/// 2000), which run near the machine's GEMM rate and are threaded over fixed column panels, one
/// parallel region per b columns. The band then reaches tridiagonal form by Householder bulge
/// chasing on a compact copy that stays in cache (Lang, "A parallel algorithm for reducing
/// symmetric banded matrices to tridiagonal form", SIAM J. Sci. Comput. 14, 1993; the order of
/// LAPACK's dsytrd_sb2st): 6 b d^2 flops, under a tenth of the first stage's at b = 32. At
/// d = 2,048 on one core: 0.44 s for stage one and 0.08 s for stage two, against 0.8 s for the
/// blocked one-stage reduction (dlatrd's) this replaces. Both stages are orthogonal similarity
/// transformations, so the eigenvalues are backward stable; without eigenvectors, no
/// transformation is ever accumulated. Same arithmetic on any number of threads.

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/Householder>
#include <algorithm>
#include <utility>

#include "alea/core/parallel.hpp"
#include "alea/core/types.hpp"

namespace alea::metrics::detail {

/// Columns of the trailing matrix handled by one task of a threaded pass.
inline constexpr Index eigen_panel = 128;

/// The QR factorisation of the panel P (m x b) in place, unblocked (2 m b^2 flops): R in its
/// upper triangle, and Q = H_1 ... H_k = I - V F V^T (k = min(b, m - 1) reflectors) in compact WY
/// form (Schreiber and Van Loan, "A storage-efficient WY representation for products of
/// Householder transformations", SIAM J. Sci. Stat. Comput. 10, 1989; F upper triangular, as
/// LAPACK's dlarft builds it). Returns V (m x k, unit lower trapezoidal) and F (k x k).
template <class Panel, class Scalar>
void factor_panel(Panel&& P, MatrixX<Scalar>& V, MatrixX<Scalar>& F) {
  const Index m = P.rows(), b = P.cols(), k = std::min(b, m - 1);
  VectorX<Scalar> tau(k), workspace(b);
  for (Index c = 0; c < k; ++c) {
    Scalar beta;
    P.col(c).tail(m - c).makeHouseholderInPlace(tau(c), beta);
    P(c, c) = beta;
    P.block(c, c + 1, m - c, b - c - 1)
        .applyHouseholderOnTheLeft(P.col(c).tail(m - c - 1), tau(c), workspace.data());
  }
  V = P.leftCols(k).template triangularView<Eigen::UnitLower>();
  // F column by column: F(:c, c) = -tau_c F(:c, :c) V(:, :c)^T v_c, F(c, c) = tau_c.
  F.setZero(k, k);
  for (Index c = 0; c < k; ++c) {
    F.col(c).head(c).noalias() = -tau(c) * (V.leftCols(c).transpose() * V.col(c));
    F.col(c).head(c) = F.topLeftCorner(c, c).template triangularView<Eigen::Upper>() * F.col(c).head(c);
    F(c, c) = tau(c);
  }
}

/// One parallel pass over the symmetric T (m x m, lower triangle) by fixed column panels on
/// OpenMP threads: T -= V W^T + W V^T (skipped when V has no columns; the strictly upper part
/// of each panel's diagonal block is touched too, and never read), then X = T Y with the
/// updated T while each panel is in cache. Column panel [j, j + w) gives rows [j, j + w) of X
/// (its diagonal block, and the transpose of its block below) and a contribution of that
/// block below to the rows after j + w, kept apart and summed in panel order afterwards: the
/// same sums on any number of threads.
template <class Scalar>
void update_and_multiply(Eigen::Ref<MatrixX<Scalar>> T, const MatrixRef<Scalar>& V,
                                const MatrixRef<Scalar>& W, const MatrixRef<Scalar>& Y,
                                MatrixX<Scalar>& X, MatrixX<Scalar>& below_parts) {
  const Index m = T.rows(), k = Y.cols();
  const Index panels = (m + eigen_panel - 1) / eigen_panel;
  X.resize(m, k);
  if (below_parts.rows() < m || below_parts.cols() < panels * k) below_parts.resize(m, panels * k);
  [[maybe_unused]] const bool threads =
      panels > 1 && alea::detail::worth_threads(2.0 * double(m) * double(m) * double(V.cols() + k));
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic) if (threads)
#endif
  for (Index p = 0; p < panels; ++p) {
    const Index j = p * eigen_panel;
    const Index w = std::min(eigen_panel, m - j), below = m - j - w;
    auto block = T.block(j, j, m - j, w);
    if (V.cols() > 0) {
      block.noalias() -= V.bottomRows(m - j) * W.middleRows(j, w).transpose();
      block.noalias() -= W.bottomRows(m - j) * V.middleRows(j, w).transpose();
    }
    auto rows = X.middleRows(j, w);
    rows.noalias() = T.block(j, j, w, w).template selfadjointView<Eigen::Lower>() * Y.middleRows(j, w);
    if (below == 0) continue;
    const auto B = T.block(j + w, j, below, w);
    rows.noalias() += B.transpose() * Y.bottomRows(below);
    below_parts.block(j + w, p * k, below, k).noalias() = B * Y.middleRows(j, w);
  }
  for (Index p = 0; p + 1 < panels; ++p) {
    const Index below = m - (p + 1) * eigen_panel;
    X.bottomRows(below) += below_parts.block(m - below, p * k, below, k);
  }
}

/// Stage one: A (n x n, lower triangle) to half-bandwidth b by an orthogonal similarity, in
/// place (entries more than b below the diagonal are left undefined). For each panel of b
/// columns, a Householder QR of the part below the band, P = Q R (factor_panel), leaves R in
/// the band, and the trailing matrix T becomes Q^T T Q. With Q = I - V F V^T and X = T V F,
/// Q^T T Q = T - V W^T - W V^T for W = X + V Z, Z = -F^T V^T X / 2 (the symmetric F^T V^T T V F
/// split between the two terms, as in LAPACK's dsytrd_sy2sb). The update needs X, and the next
/// panel's X needs the updated T; with look-ahead (the next panel's b columns updated and
/// factored first, on one thread) each panel's update and the next panel's product share one
/// threaded pass over T (update_and_multiply), so each panel costs one parallel region. The
/// products on one thread are all triangular (V is unit lower trapezoidal, F upper
/// triangular): Eigen threads its general matrix products itself, with spin-waits between its
/// threads that cost far more than these small products on a busy machine, but never its
/// triangular ones.
template <class Scalar>
void reduce_to_band(MatrixX<Scalar>& A, Index b) {
  const Index n = A.rows();
  if (n - b <= 1) return;
  MatrixX<Scalar> V, F, X, Z, W, next_V, next_F, below_parts;
  factor_panel(A.block(b, 0, n - b, b), V, F);
  update_and_multiply<Scalar>(A.bottomRightCorner(n - b, n - b), MatrixX<Scalar>(n - b, 0),
                      MatrixX<Scalar>(n - b, 0), V * F.template triangularView<Eigen::Upper>(), X,
                      below_parts);
  for (Index j0 = 0;; j0 += b) {
    const Index m = n - j0 - b, rest = m - b;  // order of T; of the next trailing matrix
    auto T = A.bottomRightCorner(m, m);
    const auto unit_lower = V.template triangularView<Eigen::UnitLower>();
    Z.noalias() = V.transpose().template triangularView<Eigen::UnitUpper>() * X;
    Z = (Scalar(-0.5) * F.transpose()).template triangularView<Eigen::Lower>() * Z;
    W = X;
    W.noalias() += unit_lower * Z;
    // T's first b columns: the band's next diagonal block and the next panel.
    const Index first = std::min(b, m);
    T.leftCols(first).noalias() -= unit_lower * W.topRows(first).transpose();
    T.leftCols(first).noalias() -=
        W * V.topRows(first).template triangularView<Eigen::UnitLower>().transpose();
    if (rest <= 0) break;
    if (rest == 1) {
      T(b, b) -= 2 * V.row(b).dot(W.row(b));
      break;
    }
    factor_panel(T.block(b, 0, rest, b), next_V, next_F);
    update_and_multiply<Scalar>(T.bottomRightCorner(rest, rest), V.bottomRows(rest), W.bottomRows(rest),
                        next_V * next_F.template triangularView<Eigen::Upper>(), X, below_parts);
    V.swap(next_V);
    F.swap(next_F);
  }
}

/// The reflector H = I - tau v v^T (v(0) = 1) with H x = (beta, 0, ..., 0), x overwritten by
/// H x; v is written to the head of `v`.
template <class Segment, class Scalar>
void clear_column(Segment&& x, VectorX<Scalar>& v, Scalar& tau) {
  const Index length = x.size();
  Scalar beta;
  x.makeHouseholderInPlace(tau, beta);
  v(0) = 1;
  v.segment(1, length - 1) = x.tail(length - 1);
  x(0) = beta;
  x.tail(length - 1).setZero();
}

/// Stage two: the symmetric band matrix B (half-bandwidth b, lower triangle) to tridiagonal form
/// by Householder bulge chasing, returning its diagonal and subdiagonal. Sweep s annihilates
/// column s below its subdiagonal with a reflector on rows [s + 1, s + 1 + b), applied on both
/// sides to the diagonal block of those rows; from the right it fills the b x b block below
/// (a bulge), whose first column a second reflector clears from the left, which in turn acts on
/// the next diagonal block and the next block below, and so on to the end of the matrix. The
/// fill left in the other columns of each block is cleared by sweep s + 1. Everything stays
/// within 2b of the diagonal, so the band is stored compactly: entry (i, j) at (i - j) +
/// (2b + 1) j, which is the dense layout with leading dimension 2b, and any block within the
/// band is an ordinary strided matrix (as in LAPACK's band routines).
template <class Scalar>
void band_to_tridiagonal(const MatrixX<Scalar>& A, Index b, VectorX<Scalar>& diagonal,
                                VectorX<Scalar>& subdiagonal) {
  const Index n = A.rows();
  VectorX<Scalar> storage = VectorX<Scalar>::Zero(n * (2 * b + 1));
  Eigen::Map<MatrixX<Scalar>, 0, Eigen::OuterStride<>> B(storage.data(), n, n,
                                                         Eigen::OuterStride<>(2 * b));
  for (Index j = 0; j < n; ++j) {
    const Index rows = std::min(b + 1, n - j);
    B.col(j).segment(j, rows) = A.col(j).segment(j, rows);
  }
  VectorX<Scalar> v(b), next(b), y(b);
  for (Index s = 0; b > 1 && s + 2 < n; ++s) {
    Index r = s + 1, length = std::min(b, n - r);  // the reflector acts on rows [r, r + length)
    Scalar tau;
    clear_column(B.col(s).segment(r, length), v, tau);
    while (true) {
      // Both sides of the diagonal block D: D - v w^T - w v^T for w = tau D v - (tau^2 / 2)
      // (v^T D v) v.
      auto D = B.block(r, r, length, length);
      auto u = v.head(length);
      y.head(length).noalias() = D.template selfadjointView<Eigen::Lower>() * u;
      y.head(length) *= tau;
      y.head(length) -= (Scalar(0.5) * tau * y.head(length).dot(u)) * u;
      D.template selfadjointView<Eigen::Lower>().rankUpdate(u, y.head(length), Scalar(-1));
      const Index below = r + length, rows = std::min(b, n - below);
      if (rows <= 0) break;
      // The block below, from the right: C - tau (C v) v^T.
      auto C = B.block(below, r, rows, length);
      y.head(rows).noalias() = C * u;
      C.noalias() -= (tau * y.head(rows)) * u.transpose();
      // Its first column cleared by the next reflector, applied to the rest from the left.
      Scalar next_tau;
      clear_column(C.col(0), next, next_tau);
      auto rest = C.rightCols(length - 1);
      y.head(length - 1).noalias() = rest.transpose() * next.head(rows);
      rest.noalias() -= (next_tau * next.head(rows)) * y.head(length - 1).transpose();
      v.swap(next);
      tau = next_tau;
      r = below;
      length = rows;
    }
  }
  diagonal.resize(n);
  subdiagonal.resize(std::max<Index>(n - 1, 0));
  for (Index j = 0; j < n; ++j)
    diagonal(j) = B(j, j);
  for (Index j = 0; j + 1 < n; ++j)
    subdiagonal(j) = B(j + 1, j);
}

/// The eigenvalues of the symmetric matrix A (d x d; only its lower triangle is read), in
/// increasing order. A is taken by value (an expression is evaluated, a matrix moved in) and
/// overwritten.
/// @param band half-bandwidth of the intermediate band matrix.
template <class Matrix>
VectorX<typename Matrix::Scalar> symmetric_eigenvalues(Matrix matrix, Index band = 32) {
  using Scalar = typename Matrix::Scalar;
  MatrixX<Scalar> A = std::move(matrix);
  const Index n = A.rows();
  if (n == 0) return VectorX<Scalar>();
  // Scaled to a largest entry of 1 against over- and underflow, as SelfAdjointEigenSolver does.
  Scalar scale = 0;
  for (Index j = 0; j < n; ++j)
    scale = std::max(scale, A.col(j).tail(n - j).cwiseAbs().maxCoeff());
  if (scale == 0) return VectorX<Scalar>::Zero(n);
  A.template triangularView<Eigen::Lower>() = A / scale;
  const Index b = std::clamp<Index>(band, 1, std::max<Index>(n - 1, 1));
  reduce_to_band(A, b);
  VectorX<Scalar> diagonal, subdiagonal;
  band_to_tridiagonal(A, b, diagonal, subdiagonal);
  Eigen::SelfAdjointEigenSolver<MatrixX<Scalar>> solver;
  solver.computeFromTridiagonal(diagonal, subdiagonal, Eigen::EigenvaluesOnly);
  return solver.eigenvalues() * scale;
}

}  // namespace alea::metrics::detail
