#pragma once
/// @file
/// @brief Eigenvalues of a symmetric matrix through a blocked Householder tridiagonalisation:
/// LAPACK's dsytrd/dlatrd (lower) on Eigen's kernels, then Eigen's tridiagonal QR iteration.
///
/// Eigen's SelfAdjointEigenSolver reduces to tridiagonal form one column at a time, each step a
/// symmetric matrix-vector product and a rank-2 update of the whole trailing matrix: three
/// sweeps over memory per column, ~1.0 s on one core at d = 2,048. The blocked reduction
/// (Dongarra, Hammarling and Sorensen, "Block reduction of matrices to condensed forms for
/// eigenvalue computations", J. Comput. Appl. Math. 27, 1989) defers the rank-2 updates of a
/// panel of `panel` columns, applying them to the panel's own columns as needed and to the
/// trailing matrix at the end as one rank-2k update, which runs as threaded GEMMs over fixed
/// column panels. Half of the flops remain in the matrix-vector products, one sweep per column
/// (~0.75 s in all at d = 2,048). Same arithmetic on any number of threads.

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/Householder>
#include <algorithm>

#include "alea/core/parallel.hpp"
#include "alea/core/types.hpp"

namespace alea::metrics::detail {

/// T -= V W^T + W V^T on the lower triangle of T (m x m), V and W m x b, by fixed column panels
/// on OpenMP threads (the strictly upper part of each panel's diagonal block is touched too, and
/// never read).
inline void symmetric_rank_2k_update(Eigen::Ref<MatrixX<double>> T, const MatrixRef<double>& V,
                                     const MatrixRef<double>& W) {
  constexpr Index width = 128;
  const Index m = T.rows();
  const Index panels = (m + width - 1) / width;
  [[maybe_unused]] const bool threads =
      panels > 1 && alea::detail::worth_threads(2.0 * double(m) * double(m) * double(V.cols()));
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic) if (threads)
#endif
  for (Index p = 0; p < panels; ++p) {
    const Index j = p * width;
    const Index w = std::min(width, m - j);
    auto block = T.block(j, j, m - j, w);
    block.noalias() -= V.bottomRows(m - j) * W.middleRows(j, w).transpose();
    block.noalias() -= W.bottomRows(m - j) * V.middleRows(j, w).transpose();
  }
}

/// y = T v for the symmetric T (r x r, lower triangle read), in column panels of 256: each
/// panel's diagonal block as a symmetric product and the block below it twice, as B v and
/// B^T v. On a matrix that does not fit in cache these general matrix-vector kernels stream
/// faster than Eigen's symmetric one (0.65 against 1.1 ms at r = 2,048), the block being still
/// in cache for its second use. One thread: the reduction calls this once per column, and a
/// parallel region per call stalls for a whole time slice whenever the machine's other work
/// deschedules one of its threads (measured: 10x to 17x slower on a busy 2-core machine).
template <class Block>
void symmetric_matrix_vector(const Block& T, const VectorX<double>& v, VectorX<double>& y) {
  constexpr Index width = 256;
  const Index r = T.rows();
  y.setZero(r);
  for (Index j = 0; j < r; j += width) {
    const Index b = std::min(width, r - j), below = r - j - b;
    y.segment(j, b).noalias() +=
        T.block(j, j, b, b).template selfadjointView<Eigen::Lower>() * v.segment(j, b);
    if (below == 0) continue;
    const auto B = T.block(j + b, j, below, b);
    y.tail(below).noalias() += B * v.segment(j, b);
    y.segment(j, b).noalias() += B.transpose() * v.tail(below);
  }
}

/// The eigenvalues of the symmetric matrix A (d x d; only its lower triangle is read), in
/// increasing order. A is taken by value and overwritten.
/// @param panel columns reduced per deferred update (LAPACK's default block size is 32).
inline VectorX<double> symmetric_eigenvalues(MatrixX<double> A, Index panel = 32) {
  const Index n = A.rows();
  if (n == 0) return VectorX<double>();
  // Scaled to a largest entry of 1 against over- and underflow, as SelfAdjointEigenSolver does.
  double scale = 0;
  for (Index j = 0; j < n; ++j)
    scale = std::max(scale, A.col(j).tail(n - j).cwiseAbs().maxCoeff());
  if (scale == 0) return VectorX<double>::Zero(n);
  A.triangularView<Eigen::Lower>() = A / scale;
  VectorX<double> diagonal(n), subdiagonal(std::max<Index>(n - 1, 0));
  MatrixX<double> V, W;
  VectorX<double> v, w;
  for (Index j0 = 0; j0 < n - 1; j0 += panel) {
    const Index b = std::min(panel, n - 1 - j0);  // reflectors in this panel
    const Index m = n - j0;                       // size of the trailing matrix T
    auto T = A.bottomRightCorner(m, m);
    V.setZero(m, b);
    W.setZero(m, b);
    for (Index i = 0; i < b; ++i) {
      // Column i of T under the panel's deferred updates: T -= V W^T + W V^T.
      if (i > 0) {
        T.col(i).tail(m - i).noalias() -= V.block(i, 0, m - i, i) * W.row(i).head(i).transpose() +
                                          W.block(i, 0, m - i, i) * V.row(i).head(i).transpose();
      }
      diagonal(j0 + i) = T(i, i);
      // The reflector H = I - tau v v^T with H T(i+1:, i) = (beta, 0, ..., 0).
      const Index r = m - i - 1;
      double tau, beta;
      T.col(i).tail(r).makeHouseholderInPlace(tau, beta);
      subdiagonal(j0 + i) = beta;
      v.resize(r);
      v(0) = 1;
      v.tail(r - 1) = T.col(i).tail(r - 1);
      V.col(i).tail(r) = v;
      // w = tau (T v - V (W^T v) - W (V^T v)), then w += alpha v with alpha = -tau (w.v) / 2:
      // T v on the trailing matrix as it was when the panel began (dlatrd).
      symmetric_matrix_vector(T.bottomRightCorner(r, r), v, w);
      if (i > 0) {
        const VectorX<double> Wv = W.block(i + 1, 0, r, i).transpose() * v;
        const VectorX<double> Vv = V.block(i + 1, 0, r, i).transpose() * v;
        w.noalias() -= V.block(i + 1, 0, r, i) * Wv;
        w.noalias() -= W.block(i + 1, 0, r, i) * Vv;
      }
      w *= tau;
      w += (-0.5 * tau * w.dot(v)) * v;
      W.col(i).tail(r) = w;
    }
    // The deferred updates of the rest of the trailing matrix, as one rank-2b update.
    if (m > b)
      symmetric_rank_2k_update(T.bottomRightCorner(m - b, m - b), V.bottomRows(m - b),
                               W.bottomRows(m - b));
  }
  diagonal(n - 1) = A(n - 1, n - 1);
  Eigen::SelfAdjointEigenSolver<MatrixX<double>> solver;
  solver.computeFromTridiagonal(diagonal, subdiagonal, Eigen::EigenvaluesOnly);
  return solver.eigenvalues() * scale;
}

}  // namespace alea::metrics::detail
