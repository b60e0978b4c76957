#pragma once
/// @file
/// @brief Precision, recall, density and coverage of generated samples against real ones, from
/// k-nearest-neighbour balls, as the prdc package computes them.
///
/// Each real point r_i gets the ball of radius rho_i, its distance to its k-th nearest other real
/// point, and each fake point f_j likewise among the fakes (Kynkaanniemi, Karras, Laine,
/// Lehtinen and Aila, "Improved precision and recall metric for assessing generative models",
/// NeurIPS 2019; Naeem, Oh, Uh, Choi and Yoo, "Reliable fidelity and diversity metrics for
/// generative models", ICML 2020, eqs. 1-4):
///
///   precision = (1/M) sum_j 1[f_j lies in some real ball]
///   recall    = (1/N) sum_i 1[r_i lies in some fake ball]
///   density   = (1/(k M)) sum_j #{i : f_j lies in the ball of r_i}
///   coverage  = (1/N) sum_i 1[the ball of r_i holds some f_j]
///
/// Ties. The prdc package takes the radius as the (k+1)-th smallest distance of a row of the
/// real-real distance matrix, the point itself (distance 0) being the first, and tests
/// "inside" with a strict <. Its issue #7 reports that identical real and fake sets then get
/// density and coverage 0 when the points coincide (every radius is 0 and nothing is < 0). Here
/// a point's radius is the k-th smallest distance to the other points of its set (the point
/// itself excluded by index, duplicates counted as neighbours at distance 0), and a point on a
/// ball's boundary counts as inside (<=). On data without ties (continuous features) this is
/// the prdc package's result; for identical sets precision = recall = coverage = 1, and density
/// = (k + 1) / k when no two points coincide (each fake point lies in its twin's ball and in the
/// balls of the k real points it is a neighbour of).
///
/// Distances come from the pairwise engine (blocked GEMM, the features' scalar; squared
/// distances are compared, so no square roots): three passes, real-real and fake-fake for the
/// radii and real-fake for the four counts, in O(block + N + M) memory. Cost O((N^2 + M^2 + N M)
/// d); d = 2,048 features (Inception-v3) is the common case.
///
/// @code
/// auto prdc = alea::metrics::precision_recall_density_coverage(real, fake, 5);
/// std::cout << prdc.precision << " " << prdc.coverage << "\n";
/// @endcode

#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "alea/core/checks.hpp"
#include "alea/core/pairwise.hpp"
#include "alea/core/types.hpp"
#include "alea/metrics/detail/checks.hpp"

namespace alea::metrics {

/// Result of precision_recall_density_coverage.
struct Prdc {
  double precision = 0;  ///< fraction of fake points inside the real manifold
  double recall = 0;     ///< fraction of real points inside the fake manifold
  double density = 0;    ///< mean number of real balls holding a fake point, over k (may be > 1)
  double coverage = 0;   ///< fraction of real balls holding a fake point
};

namespace detail {

/// Squared distance of each row of X (n x d, n > k) to its k-th nearest other row, the row
/// itself excluded by index. One pass over X x X; each row keeps its k smallest so far in a
/// sorted array (k is small: 3 to 10 in practice).
template <class T>
VectorX<T> kth_neighbor_squared_radius(const MatrixRef<T>& X, Index k,
                                       const PairwiseSettings& settings,
                                       std::string_view function) {
  const Index n = X.rows();
  MatrixX<T> nearest = MatrixX<T>::Constant(k, n, std::numeric_limits<T>::infinity());
  for_each_distance_tile<T>(
      X, X,
      [&](Index i0, Index j0, const MatrixX<T>& D) {
        for (Index b = 0; b < D.cols(); ++b) {
          for (Index a = 0; a < D.rows(); ++a) {
            const T value = D(a, b);
            auto best = nearest.col(i0 + a);
            if (value >= best(k - 1) || i0 + a == j0 + b) continue;
            Index slot = k - 1;  // insertion into the sorted k smallest
            while (slot > 0 && best(slot - 1) > value) {
              best(slot) = best(slot - 1);
              --slot;
            }
            best(slot) = value;
          }
        }
      },
      settings, function);
  return nearest.row(k - 1).transpose();
}

}  // namespace detail

/// Precision, recall, density and coverage of `fake` against `real`; see the file comment.
/// @param real N x d, rows are real samples (or their features). @param fake M x d, generated.
/// @param k the neighbour that sets each ball's radius (prdc's nearest_k; Naeem et al. use 5).
/// @throws alea::InvalidArgument for empty or non-finite data, mismatched columns, k < 1, or
///         k >= N or k >= M (a radius needs k other points).
template <class DerivedR, class DerivedF>
Prdc precision_recall_density_coverage(const Eigen::MatrixBase<DerivedR>& real,
                                       const Eigen::MatrixBase<DerivedF>& fake, Index k = 5,
                                       const PairwiseSettings& pairwise = {}) {
  using T = detail::SampleScalar<DerivedR, DerivedF>;
  constexpr std::string_view function = "alea::metrics::precision_recall_density_coverage";
  const MatrixRef<T> r(real.derived());
  const MatrixRef<T> f(fake.derived());
  detail::check_samples<T>(function, r, f, "real", "fake");
  check_positive(function, "k", k);
  for (const auto& [name, rows] : {std::pair{"real", r.rows()}, std::pair{"fake", f.rows()}}) {
    if (k >= rows) {
      throw_invalid(function, "k is " + std::to_string(k) + ", but " + name + " has " +
                                  std::to_string(rows) + " rows; k must be below the row count");
    }
  }
  PairwiseSettings checked = pairwise;
  checked.check_finite = false;
  const VectorX<T> real_radius = detail::kth_neighbor_squared_radius<T>(r, k, checked, function);
  const VectorX<T> fake_radius = detail::kth_neighbor_squared_radius<T>(f, k, checked, function);

  const Index N = r.rows(), M = f.rows();
  std::vector<std::atomic<Index>> in_real_balls(static_cast<std::size_t>(M));
  for (auto& count : in_real_balls)
    count.store(0, std::memory_order_relaxed);
  Eigen::Array<bool, Eigen::Dynamic, 1> covered = Eigen::Array<bool, Eigen::Dynamic, 1>::Zero(N);
  Eigen::Array<bool, Eigen::Dynamic, 1> recalled = Eigen::Array<bool, Eigen::Dynamic, 1>::Zero(N);
  for_each_distance_tile<T>(
      r, f,
      [&](Index i0, Index j0, const MatrixX<T>& D) {
        const auto radius = real_radius.segment(i0, D.rows()).array();
        for (Index b = 0; b < D.cols(); ++b) {
          const auto column = D.col(b).array();
          const auto inside_real = (column <= radius).eval();
          covered.segment(i0, D.rows()) = covered.segment(i0, D.rows()) || inside_real;
          recalled.segment(i0, D.rows()) =
              recalled.segment(i0, D.rows()) || (column <= fake_radius(j0 + b));
          // Integer counts: the order in which threads add them does not change the sum.
          in_real_balls[std::size_t(j0 + b)].fetch_add(Index(inside_real.count()),
                                                       std::memory_order_relaxed);
        }
      },
      checked, function);

  Prdc out;
  Index with_ball = 0, balls = 0;
  for (const auto& count : in_real_balls) {
    const Index c = count.load(std::memory_order_relaxed);
    with_ball += c > 0;
    balls += c;
  }
  out.precision = double(with_ball) / double(M);
  out.density = double(balls) / (double(k) * double(M));
  out.recall = double(recalled.count()) / double(N);
  out.coverage = double(covered.count()) / double(N);
  return out;
}

}  // namespace alea::metrics
