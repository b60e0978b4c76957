// Tests of alea/density/kde_grid.hpp: the grid KDE against the exact KDE (brute force through
// alea::rowwise_log_sum_exp_kernel) at grid nodes and at interpolated points, for every kernel
// in 1-D and 2-D, with weights; the needs_exact mask; bad input.
//
// Error criterion: max |grid - exact| / exact over points where the exact density is at least
// 1e-2 of its maximum ("not negligibly small"); below that, where one or two kernels make up
// the density, the binning error scales with the kernel's curvature (or, for compact kernels,
// its slope at the support's edge) rather than with the density and is not controlled
// relatively. Every kernel gets the bandwidth giving it the Gaussian's standard deviation
// (h / sqrt(kernel_variance)), so all spread over the same number of cells.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "alea/core/pairwise.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/density/kde_grid.hpp"
#include "fixtures.hpp"

using alea::Index;
using alea::Kernel;
using alea::MatrixX;
using alea::VectorX;

namespace {

// Exact KDE with diagonal bandwidth h at the rows of Q.
template <class T>
VectorX<double> exact_kde(const MatrixX<T>& X, const VectorX<T>& w, Kernel kernel,
                          const VectorX<T>& h, const MatrixX<double>& Q) {
  MatrixX<double> Xs = X.template cast<double>(), Qs = Q;
  double log_norm = alea::kernel_log_norm(kernel, X.cols());
  for (Index j = 0; j < X.cols(); ++j) {
    Xs.col(j) /= double(h(j));
    Qs.col(j) /= double(h(j));
    log_norm -= std::log(double(h(j)));
  }
  const VectorX<double> wd = w.template cast<double>();
  const VectorX<double> log_w = (wd / wd.sum()).array().log();
  const VectorX<double> log_density = alea::rowwise_log_sum_exp_kernel<double>(
      Qs, Xs, [&](const auto& u) { return alea::kernel_log_profile(kernel, u); }, log_w);
  return (log_density.array() + log_norm).exp();
}

struct Errors {
  double nodes = 0;         // max relative error at grid nodes
  double interpolated = 0;  // max relative error at random points inside the grid
};

// Relative errors where exact >= 1e-3 max(exact at the nodes).
double max_relative_error_where_not_small(const VectorX<double>& approx,
                                          const VectorX<double>& exact, double peak,
                                          double threshold) {
  double worst = 0;
  for (Index i = 0; i < exact.size(); ++i)
    if (exact(i) >= threshold * peak)
      worst = std::max(worst, std::abs(approx(i) - exact(i)) / exact(i));
  return worst;
}

template <class T>
Errors grid_errors(const MatrixX<T>& X, const VectorX<T>& w, Kernel kernel, const VectorX<T>& h,
                   Index grid_size, Index node_step, double threshold, alea::Rng& rng) {
  const auto grid = alea::detail::kde_on_grid<T>(X, w, kernel, h, grid_size, T(3));
  const Index d = X.cols();
  // Every node_step-th node (in each dimension).
  std::vector<std::pair<Index, Index>> nodes;
  for (Index i = 0; i < grid_size; i += node_step)
    for (Index j = 0; j < (d == 2 ? grid_size : 1); j += node_step)
      nodes.emplace_back(i, j);
  MatrixX<double> Q(Index(nodes.size()), d);
  VectorX<double> on_grid(Q.rows());
  for (Index r = 0; r < Q.rows(); ++r) {
    const auto [i, j] = nodes[std::size_t(r)];
    Q(r, 0) = double(grid.axis0(i));
    if (d == 2) Q(r, 1) = double(grid.axis1(j));
    on_grid(r) = double(grid.density(i, j));
  }
  const VectorX<double> exact = exact_kde(X, w, kernel, h, Q);
  const double peak = exact.maxCoeff();
  Errors errors;
  errors.nodes = max_relative_error_where_not_small(on_grid, exact, peak, threshold);
  // Random points over the data's range.
  MatrixX<double> P = alea::uniform01<double>(rng, 2000, d);
  for (Index k = 0; k < d; ++k) {
    const double lo = double(X.col(k).minCoeff()), hi = double(X.col(k).maxCoeff());
    P.col(k) = (lo + (hi - lo) * P.col(k).array()).matrix();
  }
  std::vector<bool> needs_exact;
  const VectorX<double> interpolated =
      grid.interpolate(P.cast<T>(), &needs_exact).template cast<double>();
  VectorX<double> exact_p = exact_kde(X, w, kernel, h, P);
  VectorX<double> kept = interpolated;
  for (Index i = 0; i < P.rows(); ++i)
    if (needs_exact[std::size_t(i)]) kept(i) = exact_p(i);  // the caller's exact fallback
  errors.interpolated = max_relative_error_where_not_small(kept, exact_p, peak, threshold);
  return errors;
}

}  // namespace

TEST_CASE("grid KDE in 1-D matches the exact KDE for every kernel", "[density][kde_grid]") {
  // A normal sample of 20000 points with Silverman's bandwidth on 4096 nodes: dx / h ~ 0.03,
  // as in the 10^6-point workload (where dx / h = 0.04 and the Gaussian's error is 4e-5).
  alea::Rng rng{7};
  const Index n = 20000;
  const MatrixX<double> X = alea::standard_normal<double>(rng, n, 1);
  VectorX<double> w = alea::uniform01<double>(rng, n, 1).col(0);  // weighted
  const double sd = std::sqrt((X.array() - X.mean()).square().sum() / double(n - 1));
  VectorX<double> h(1);
  h << 0.9 * sd * std::pow(double(n), -0.2);
  // Measured maxima (nodes, interpolated): gaussian 1.2e-5, 3.0e-5; epanechnikov 1.5e-4,
  // 1.8e-4; exponential 5.3e-5, 4.5e-4; linear 8.0e-5, 1.6e-4; cosine 7.4e-5, 1.6e-4; tophat
  // (first order: a jump at r = 1) 4.3e-2, 3.4e-2.
  for (Kernel kernel : alea::all_kernels) {
    const VectorX<double> hk = h / std::sqrt(alea::kernel_variance(kernel, 1));
    const Errors e = grid_errors<double>(X, w, kernel, hk, 4096, 4, 1e-2, rng);
    INFO(alea::to_string(kernel) << ": nodes " << e.nodes << ", interpolated " << e.interpolated);
    const double tolerance =
        kernel == Kernel::gaussian ? 1e-4 : (kernel == Kernel::tophat ? 0.1 : 1e-3);
    CHECK(e.nodes < tolerance);
    CHECK(e.interpolated < tolerance);
  }
}

TEST_CASE("grid KDE in 2-D matches the exact KDE for every kernel", "[density][kde_grid]") {
  alea::Rng rng{8};
  const Index n = 2000;
  MatrixX<double> X = alea::standard_normal<double>(rng, n, 2);
  X.col(1) = 0.5 * X.col(1) + 0.3 * X.col(0);
  const VectorX<double> w = alea::uniform01<double>(rng, n, 1).col(0);
  VectorX<double> h(2);
  for (Index k = 0; k < 2; ++k) {
    const double sd =
        std::sqrt((X.col(k).array() - X.col(k).mean()).square().sum() / double(n - 1));
    h(k) = sd * std::pow(double(n), -1.0 / 6.0);  // Scott
  }
  // 256 x 256 nodes with Scott's bandwidth for n = 2000 is coarse (dx / h ~ 0.14), and few
  // points make up the density away from the centre. Measured maxima (nodes, interpolated):
  // gaussian 3.9e-3, 8.0e-3; exponential 2.1e-2, 4.7e-2; epanechnikov 2.3e-2, 3.8e-2; linear
  // 1.6e-2, 3.2e-2; cosine 1.8e-2, 3.4e-2; tophat 0.35, 0.33 (a jump at r = 1: first order).
  for (Kernel kernel : alea::all_kernels) {
    const VectorX<double> hk = h / std::sqrt(alea::kernel_variance(kernel, 2));
    const Errors e = grid_errors<double>(X, w, kernel, hk, 256, 4, 1e-2, rng);
    INFO(alea::to_string(kernel) << ": nodes " << e.nodes << ", interpolated " << e.interpolated);
    const double tolerance =
        kernel == Kernel::gaussian ? 2e-2 : (kernel == Kernel::tophat ? 0.6 : 0.1);
    CHECK(e.nodes < tolerance);
    CHECK(e.interpolated < tolerance);
  }
}

TEST_CASE("grid KDE for float data and the needs_exact mask", "[density][kde_grid]") {
  alea::Rng rng{9};
  const MatrixX<float> X = alea::standard_normal<float>(rng, 5000, 1);
  const VectorX<float> w = VectorX<float>::Ones(5000);
  VectorX<float> h(1);
  h << 0.2f;
  const auto grid = alea::detail::kde_on_grid<float>(X, w, Kernel::gaussian, h, 1024, 3.0f);
  REQUIRE(grid.dim() == 1);
  REQUIRE(grid.density.rows() == 1024);
  REQUIRE(grid.density.cols() == 1);
  CHECK(double(grid.axis0(0)) == Approx(double(X.minCoeff()) - 0.6).epsilon(1e-6));
  // The density integrates to ~1 over the grid (trapezoid rule).
  const double dx = double(grid.axis0(1) - grid.axis0(0));
  const double integral =
      dx * (grid.density.sum() - 0.5 * (grid.density(0, 0) + grid.density(1023, 0)));
  CHECK(integral == Approx(1.0).epsilon(1e-3));
  MatrixX<float> Q(4, 1);
  Q << 0.0f, grid.axis0(1023), grid.axis0(1023) + 1e-3f, -1e6f;
  std::vector<bool> needs_exact;
  const VectorX<float> p = grid.interpolate(Q, &needs_exact);
  CHECK(needs_exact == std::vector<bool>{false, false, true, true});
  CHECK(p(2) == 0.0f);
  CHECK(p(3) == 0.0f);
  const VectorX<double> exact =
      exact_kde<float>(X, w, Kernel::gaussian, h, Q.topRows(2).cast<double>());
  CHECK(double(p(0)) == Approx(exact(0)).epsilon(1e-4));
  CHECK(double(p(1)) == Approx(exact(1)).epsilon(1e-3));
  // Compact kernels: exact zeros between far-apart clusters are flagged (floor 0, direct sum).
  MatrixX<double> two(2, 2);
  two << 0.0, 0.0, 10.0, 10.0;
  VectorX<double> h2(2);
  h2 << 1.0, 1.0;
  const auto grid2 = alea::detail::kde_on_grid<double>(two, VectorX<double>::Ones(2),
                                                       Kernel::epanechnikov, h2, 64, 1.0);
  REQUIRE(grid2.dim() == 2);
  MatrixX<double> Q2(2, 2);
  Q2 << 5.0, 5.0, 0.1, -0.1;
  const VectorX<double> p2 = grid2.interpolate(Q2, &needs_exact);
  CHECK(needs_exact == std::vector<bool>{true, false});
  CHECK(p2(1) == Approx(exact_kde<double>(two, VectorX<double>::Ones(2), Kernel::epanechnikov, h2,
                                          Q2.bottomRows(1))(0))
                     .epsilon(0.05));
}

TEST_CASE("kde_on_grid rejects bad input with exact messages", "[density][kde_grid]") {
  const auto grid = [](const MatrixX<double>& X, const VectorX<double>& w, const VectorX<double>& h,
                       Index m) {
    return alea::detail::kde_on_grid<double>(X, w, Kernel::gaussian, h, m, 3.0);
  };
  const VectorX<double> h1 = VectorX<double>::Ones(1);
  REQUIRE_THROWS_AS(grid(MatrixX<double>(0, 1), VectorX<double>(0), h1, 16), alea::InvalidArgument);
  REQUIRE_THROWS_WITH(grid(MatrixX<double>(0, 1), VectorX<double>(0), h1, 16),
                      "alea::detail::kde_on_grid: points is empty (0 x 1); at least one row and "
                      "one column are needed");
  MatrixX<double> X = MatrixX<double>::Zero(4, 1);
  X(2, 0) = std::numeric_limits<double>::quiet_NaN();
  REQUIRE_THROWS_WITH(grid(X, VectorX<double>::Ones(4), h1, 16),
                      "alea::detail::kde_on_grid: points has a NaN at row 2, column 0");
  REQUIRE_THROWS_WITH(grid(MatrixX<double>::Zero(4, 3), VectorX<double>::Ones(4), h1, 16),
                      "alea::detail::kde_on_grid: points has 3 columns, but the grid algorithm "
                      "needs 1 or 2");
  X.setZero();
  REQUIRE_THROWS_WITH(grid(X, VectorX<double>::Ones(3), h1, 16),
                      "alea::detail::kde_on_grid: weights has 3 entries, but X has 4 rows");
  REQUIRE_THROWS_WITH(grid(X, VectorX<double>::Ones(4), VectorX<double>::Ones(2), 16),
                      "alea::detail::kde_on_grid: bandwidth has 2 entries, but points has 1 "
                      "columns");
  REQUIRE_THROWS_WITH(grid(X, VectorX<double>::Ones(4), -h1, 16),
                      "alea::detail::kde_on_grid: bandwidth[0] is -1, but must be positive");
  REQUIRE_THROWS_WITH(grid(X, VectorX<double>::Ones(4), h1, 1),
                      "alea::detail::kde_on_grid: grid_size is 1, but must be at least 2");
  REQUIRE_THROWS_WITH(
      alea::detail::kde_on_grid<double>(X, VectorX<double>::Ones(4), Kernel::tophat, h1, 16, -1.0),
      "alea::detail::kde_on_grid: cut is -1, but must be non-negative");
  // One distinct value and cut = 0 still gives a usable grid (one bandwidth wide).
  const auto g =
      alea::detail::kde_on_grid<double>(X, VectorX<double>::Ones(4), Kernel::gaussian, h1, 2, 0.0);
  CHECK(g.axis0(0) == -0.5);
  CHECK(g.axis0(1) == 0.5);
  MatrixX<double> Q = MatrixX<double>::Zero(1, 2);
  REQUIRE_THROWS_WITH(g.interpolate(Q),
                      "alea::detail::GridDensity::interpolate: X has 2 columns, but the grid has "
                      "dimension 1");
}
