#pragma once
/// @file
/// @brief The centred Gram matrix (X - 1 m^T)^T (X - 1 m^T), lower triangle, in double: the
/// symmetric rank-k update (BLAS dsyrk) behind the Frechet distance's covariances.
///
/// Goto and van de Geijn's GEMM layering ("Anatomy of high-performance matrix
/// multiplication", ACM TOMS 34(3), 2008; the loop names follow BLIS): the rows of X come kc at
/// a time; for each such slice every column is centred, converted to double and packed once
/// into nr-wide slivers (the B panel), and mc columns at a time into mr-wide slivers (the A
/// block); a register-blocked micro-kernel then adds an mr x nr tile of the product, for the
/// tiles that meet the lower triangle only. The micro-kernel keeps 3 x nr packets of
/// accumulators in registers: 24 with AVX-512 (mr = 24, nr = 8), 12 with AVX (mr = 12, nr = 4).
/// Eigen 3.4's rank update (rankUpdate) ran at 30-35 GFLOP/s on one core of the benchmark
/// machine; this kernel's figure is in docs/performance.md (fid row).

#include <Eigen/Core>
#include <algorithm>
#include <vector>

#include "alea/core/types.hpp"

namespace alea::metrics::detail {

/// Register and cache blocking of centred_gram_lower_add.
struct GramBlocking {
  using Packet = typename Eigen::internal::packet_traits<double>::type;
  static constexpr int packet = Eigen::internal::packet_traits<double>::size;
  static constexpr int mr = 3 * packet;           ///< rows of a micro-tile: 3 packets
  static constexpr int nr = packet >= 8 ? 8 : 4;  ///< columns of a micro-tile
  static constexpr Index kc = 256;                ///< data rows per slice: nr x kc in L1
  static constexpr Index mc = 10 * mr;            ///< columns per A block: mc x kc in L2
};

/// C[0:rows, 0:cols] (column-major, leading dimension ldc) += A^T B, where A holds kc steps of
/// mr values and B kc steps of nr values (packed slivers). A full tile is added straight
/// from the accumulators; an edge tile (rows < mr or cols < nr) through a buffer.
inline void gram_micro_kernel(Index kc, const double* A, const double* B, double* C, Index ldc,
                              Index rows, Index cols) {
  namespace ei = Eigen::internal;
  using G = GramBlocking;
  using Packet = G::Packet;
  constexpr int P = G::packet;
  Packet acc0[G::nr], acc1[G::nr], acc2[G::nr];
  for (int j = 0; j < G::nr; ++j)
    acc0[j] = acc1[j] = acc2[j] = ei::pset1<Packet>(0.0);
  for (Index k = 0; k < kc; ++k, A += G::mr, B += G::nr) {
    const Packet a0 = ei::pload<Packet>(A);
    const Packet a1 = ei::pload<Packet>(A + P);
    const Packet a2 = ei::pload<Packet>(A + 2 * P);
#pragma GCC unroll 8
    for (int j = 0; j < G::nr; ++j) {
      const Packet b = ei::pset1<Packet>(B[j]);
      acc0[j] = ei::pmadd(a0, b, acc0[j]);
      acc1[j] = ei::pmadd(a1, b, acc1[j]);
      acc2[j] = ei::pmadd(a2, b, acc2[j]);
    }
  }
  if (rows == G::mr && cols == G::nr) {
    for (int j = 0; j < G::nr; ++j) {
      double* c = C + j * ldc;
      ei::pstoreu(c, ei::padd(ei::ploadu<Packet>(c), acc0[j]));
      ei::pstoreu(c + P, ei::padd(ei::ploadu<Packet>(c + P), acc1[j]));
      ei::pstoreu(c + 2 * P, ei::padd(ei::ploadu<Packet>(c + 2 * P), acc2[j]));
    }
    return;
  }
  alignas(64) double tile[G::mr * G::nr];
  for (int j = 0; j < G::nr; ++j) {
    ei::pstore(tile + j * G::mr, acc0[j]);
    ei::pstore(tile + j * G::mr + P, acc1[j]);
    ei::pstore(tile + j * G::mr + 2 * P, acc2[j]);
  }
  for (Index j = 0; j < cols; ++j)
    for (Index i = 0; i < rows; ++i)
      C[i + j * ldc] += tile[i + j * G::mr];
}

/// Packs rows [r0, r0 + kc) of columns [c0, c0 + w) of X, minus the columns' means, in double,
/// as slivers of `width` columns: sliver s is kc steps of `width` values, zero past column w.
template <class T>
void pack_centred_slivers(const MatrixRef<T>& X, const VectorX<double>& mean, Index r0, Index kc,
                          Index c0, Index w, int width, double* out) {
  for (Index s = 0; s < w; s += width, out += width * kc) {
    const Index used = std::min<Index>(width, w - s);
    for (Index c = 0; c < used; ++c) {
      const double m = mean(c0 + s + c);
      const auto column = X.col(c0 + s + c).segment(r0, kc);
      for (Index k = 0; k < kc; ++k)
        out[k * width + c] = static_cast<double>(column(k)) - m;
    }
    for (Index c = used; c < width; ++c)
      for (Index k = 0; k < kc; ++k)
        out[k * width + c] = 0;
  }
}

/// Adds (X - 1 mean^T)^T (X - 1 mean^T) to C's lower triangle (X n x d, C d x d). Entries
/// above the diagonal in tiles that cross it are written too; callers mirror the lower
/// triangle afterwards. Single-threaded, O((kc + mc) d) doubles of packing space.
template <class T>
void centred_gram_lower_add(const MatrixRef<T>& X, const VectorX<double>& mean,
                            MatrixX<double>& C) {
  using G = GramBlocking;
  const Index n = X.rows(), d = X.cols();
  const Index panel_width = (d + G::nr - 1) / G::nr * G::nr;
  using Buffer = std::vector<double, Eigen::aligned_allocator<double>>;
  Buffer b_panel(static_cast<std::size_t>(G::kc * panel_width));
  Buffer a_block(static_cast<std::size_t>(G::kc * G::mc));
  for (Index r0 = 0; r0 < n; r0 += G::kc) {
    const Index kc = std::min(G::kc, n - r0);
    pack_centred_slivers<T>(X, mean, r0, kc, 0, d, G::nr, b_panel.data());
    for (Index i0 = 0; i0 < d; i0 += G::mc) {
      const Index mc = std::min(G::mc, d - i0);
      pack_centred_slivers<T>(X, mean, r0, kc, i0, mc, G::mr, a_block.data());
      // Columns j < i0 + mc meet this block's rows on or below the diagonal.
      for (Index j0 = 0; j0 < i0 + mc; j0 += G::nr) {
        const Index cols = std::min<Index>(G::nr, d - j0);
        for (Index ii = 0; ii < mc; ii += G::mr) {
          if (i0 + ii + G::mr <= j0) continue;  // the tile lies above the diagonal
          gram_micro_kernel(kc, a_block.data() + ii * kc, b_panel.data() + j0 * kc,
                            C.data() + (i0 + ii) + j0 * d, d, std::min<Index>(G::mr, mc - ii),
                            cols);
        }
      }
    }
  }
}

}  // namespace alea::metrics::detail
