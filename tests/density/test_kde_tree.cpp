#include "alea/density/kde_tree.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "alea/core/pairwise.hpp"
#include "alea/core/random.hpp"
#include "alea/density/kernel.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif

using alea::Index;
using alea::Kernel;
using alea::MatrixX;
using alea::VectorX;
using alea::detail::KdeTree;

namespace {

constexpr double negative_infinity = -std::numeric_limits<double>::infinity();

// Reference: log sum_j w_j k(||q - x_j||) by brute force in double (the pairwise engine's
// streamed log-sum-exp over every pair), from the same (possibly float) data.
template <class T>
VectorX<double> exact_log_sum(const MatrixX<T>& X, const VectorX<T>& w, const MatrixX<T>& Q,
                              Kernel kernel) {
  const MatrixX<double> Xd = X.template cast<double>();
  const MatrixX<double> Qd = Q.template cast<double>();
  const VectorX<double> log_w = w.template cast<double>().array().log().matrix();
  return alea::rowwise_log_sum_exp_kernel<double>(
      Qd, Xd, [kernel](const auto& d2) { return alea::kernel_log_profile(kernel, d2); }, log_w);
}

// Random positive weights summing to 1.
template <class T>
VectorX<T> random_weights(alea::Rng& rng, Index n) {
  VectorX<double> w = alea::uniform01<double>(rng, n, 1).array() + 0.05;
  w /= w.sum();
  return w.template cast<T>();
}

// Queries: rows like the data, the last fifth pushed out `far` times further.
template <class T>
MatrixX<T> random_queries(alea::Rng& rng, Index m, Index d, double scale, double far) {
  MatrixX<double> Q = scale * alea::standard_normal(rng, m, d);
  Q.bottomRows(m / 5) *= far;
  return Q.template cast<T>();
}

// Largest |S_hat - S| - absolute over the rows, relative to S (so tiny S far from the data is
// measured without underflow); rows where both are 0 (log -Inf) agree. `absolute` covers the
// rounding of distances near a compact kernel's edge, where S ~ w (1 - u) is ill-conditioned.
double worst_error(const VectorX<double>& estimate, const VectorX<double>& exact,
                   double absolute = 0) {
  double worst = 0;
  for (Index i = 0; i < exact.size(); ++i) {
    if (std::isnan(estimate(i))) return std::numeric_limits<double>::infinity();
    if (exact(i) == negative_infinity) {
      if (std::exp(estimate(i)) > absolute) worst = std::numeric_limits<double>::infinity();
      continue;
    }
    const double relative = std::abs(std::expm1(estimate(i) - exact(i)));
    worst = std::max(worst, relative - absolute * std::exp(-exact(i)));
  }
  return worst;
}

// Worst violation of |S_hat - S| <= atol + rtol S over the rows, relative to S (so that tiny S
// far from the data is measured without underflow); for S = 0, how far S_hat exceeds atol.
double worst_violation(const VectorX<double>& estimate, const VectorX<double>& exact, double rtol,
                       double atol) {
  double worst = -std::numeric_limits<double>::infinity();
  for (Index i = 0; i < exact.size(); ++i) {
    if (std::isnan(estimate(i))) return std::numeric_limits<double>::infinity();
    double violation;
    if (exact(i) == negative_infinity) {
      violation = std::exp(estimate(i)) - atol;
    } else {
      violation = std::abs(std::expm1(estimate(i) - exact(i))) -
                  (atol > 0 ? std::exp(std::log(atol) - exact(i)) : 0.0) - rtol;
    }
    worst = std::max(worst, violation);
  }
  return worst;
}

}  // namespace

TEMPLATE_TEST_CASE("KdeTree with rtol = atol = 0 gives the exact kernel sum", "[density][kde_tree]",
                   float, double) {
  using T = TestType;
  // double: the brute force's own rounding is ~1e-14 relative; float: ~1e-7 times u / 2. Near a
  // compact kernel's edge the sum is ill-conditioned: a rounding of u by eps * |u|-scale moves it
  // by that much times the weight, hence an absolute part.
  const bool is_float = std::is_same_v<T, float>;
  const double tolerance = is_float ? 2e-5 : 1e-12;
  alea::Rng rng{101};
  for (Index d = 1; d <= 3; ++d) {
    const Index n = 600;
    const MatrixX<T> X = (alea::standard_normal(rng, n, d) / 0.4).template cast<T>();
    const VectorX<T> w = random_weights<T>(rng, n);
    const MatrixX<T> Q = random_queries<T>(rng, 200, d, 2.5, 2.0);
    for (Kernel kernel : alea::all_kernels) {
      const VectorX<double> exact = exact_log_sum<T>(X, w, Q, kernel);
      for (Index leaf_size : {Index{1}, Index{7}, Index{40}, Index{1000}}) {
        INFO("kernel " << alea::to_string(kernel) << ", d " << d << ", leaf_size " << leaf_size);
        const KdeTree<T> tree(X, w, kernel, leaf_size);
        const VectorX<double> estimate = tree.log_profile_sum(Q, 0.0, 0.0).template cast<double>();
        const double absolute = alea::has_compact_support(kernel) ? (is_float ? 1e-6 : 1e-14) : 0;
        CHECK(worst_error(estimate, exact, absolute) <= tolerance);
        if (alea::has_compact_support(kernel)) {
          CHECK((exact.array() == negative_infinity).any());  // the table covers S = 0 too
        }
      }
    }
  }
}

TEMPLATE_TEST_CASE("KdeTree keeps |S_hat - S| <= atol + rtol S for every query",
                   "[density][kde_tree]", float, double) {
  using T = TestType;
  // Rounding slack, relative to S: double's evaluation error, or float's (u up to ~100 here).
  const double slack = std::is_same_v<T, float> ? 2e-5 : 1e-12;
  alea::Rng rng{202};
  for (Index d = 1; d <= 3; ++d) {
    const Index n = 2000;
    const MatrixX<T> X = (alea::standard_normal(rng, n, d) / 0.3).template cast<T>();
    const VectorX<T> w = random_weights<T>(rng, n);
    const MatrixX<T> Q = random_queries<T>(rng, 1000, d, 3.5, 3.0);
    for (Kernel kernel : alea::all_kernels) {
      const VectorX<double> exact = exact_log_sum<T>(X, w, Q, kernel);
      for (Index leaf_size : {Index{1}, Index{12}, Index{5000}}) {
        const KdeTree<T> tree(X, w, kernel, leaf_size);
        for (double rtol : {1e-4, 1e-2}) {
          for (double atol : {0.0, 1e-6}) {
            INFO("kernel " << alea::to_string(kernel) << ", d " << d << ", leaf_size " << leaf_size
                           << ", rtol " << rtol << ", atol " << atol);
            const VectorX<double> estimate =
                tree.log_profile_sum(Q, rtol, atol).template cast<double>();
            CHECK(worst_violation(estimate, exact, rtol, atol) <= slack);
          }
        }
      }
    }
  }
}

TEST_CASE("KdeTree approximations do prune: the error is used, not wasted", "[density][kde_tree]") {
  // With rtol = 1e-2 the Gaussian sums are not all exact, but the worst error stays within rtol.
  alea::Rng rng{303};
  const MatrixX<double> X = alea::standard_normal(rng, 5000, 2) / 0.2;
  const VectorX<double> w = VectorX<double>::Constant(5000, 1.0 / 5000);
  const MatrixX<double> Q = alea::standard_normal(rng, 300, 2) / 0.2;
  const VectorX<double> exact = exact_log_sum<double>(X, w, Q, Kernel::gaussian);
  const KdeTree<double> tree(X, w, Kernel::gaussian);
  const double worst = worst_error(tree.log_profile_sum(Q, 1e-2, 0.0), exact);
  CHECK(worst > 1e-10);
  CHECK(worst < 1e-2);
}

TEST_CASE("KdeTree is finite and accurate far from the data", "[density][kde_tree]") {
  alea::Rng rng{404};
  const Index n = 500;
  const MatrixX<double> X = alea::standard_normal(rng, n, 2);  // within ~4 bandwidths of 0
  const VectorX<double> w = random_weights<double>(rng, n);
  MatrixX<double> Q(3, 2);
  Q << 44, 0,            // >= 40 bandwidths from every point: the Gaussian's sum is ~exp(-800)
      -30, 31, 0, 1000;  // exp(-1000) for the exponential kernel
  REQUIRE(std::sqrt(X.rowwise().squaredNorm().maxCoeff()) < 4);

  SECTION("Gaussian and exponential: a finite log value, exact to 1e-10 relative") {
    for (Kernel kernel : {Kernel::gaussian, Kernel::exponential}) {
      INFO("kernel " << alea::to_string(kernel));
      const VectorX<double> exact = exact_log_sum<double>(X, w, Q, kernel);
      const KdeTree<double> tree(X, w, kernel);
      const VectorX<double> log_sum = tree.log_profile_sum(Q, 0.0, 0.0);
      REQUIRE(log_sum.allFinite());
      CHECK(((log_sum - exact).array().abs() <= 1e-10 * exact.array().abs()).all());
      if (kernel == Kernel::gaussian) CHECK(log_sum(0) < -700);  // would underflow unshifted
      // With a tolerance the relative bound holds there too (atol = 0: nothing to hide behind).
      const VectorX<double> approximate = tree.log_profile_sum(Q, 1e-4, 0.0);
      REQUIRE(approximate.allFinite());
      CHECK(worst_violation(approximate, exact, 1e-4, 0.0) <= 1e-12);
    }
  }

  SECTION("float: finite far beyond float's exp range") {
    const KdeTree<float> tree(X.cast<float>(), w.cast<float>(), Kernel::gaussian);
    MatrixX<float> q(1, 2);
    q << 20, 0;  // exp(-~128) underflows in float
    const VectorX<double> exact =
        exact_log_sum<float>(X.cast<float>(), w.cast<float>(), q, Kernel::gaussian);
    const VectorX<float> log_sum = tree.log_profile_sum(q, 1e-4, 0.0);
    REQUIRE(log_sum.allFinite());
    CHECK(std::abs(double(log_sum(0)) - exact(0)) <= 1e-4);
  }

  SECTION("compact kernels: exactly -Inf beyond the support, whatever the tolerance") {
    MatrixX<double> near(1, 2);
    near << 5.0, 0;  // 1+ bandwidths beyond the farthest point
    for (Kernel kernel : alea::all_kernels) {
      if (!alea::has_compact_support(kernel)) continue;
      INFO("kernel " << alea::to_string(kernel));
      const KdeTree<double> tree(X, w, kernel, 1);
      for (double tolerance : {0.0, 1e-3}) {
        const VectorX<double> log_sum = tree.log_profile_sum(Q, tolerance, tolerance);
        CHECK((log_sum.array() == negative_infinity).all());
        CHECK(tree.log_profile_sum(near, tolerance, tolerance)(0) == negative_infinity);
      }
    }
  }
}

TEST_CASE("KdeTree drops zero weights and handles degenerate trees", "[density][kde_tree]") {
  alea::Rng rng{505};
  const MatrixX<double> X = alea::standard_normal(rng, 50, 2);
  VectorX<double> w = random_weights<double>(rng, 50);
  w.head(10).setZero();
  const MatrixX<double> Q = alea::standard_normal(rng, 20, 2);
  const KdeTree<double> tree(X, w, Kernel::gaussian, 3);
  CHECK(tree.size() == 40);
  CHECK(tree.dim() == 2);
  CHECK(worst_error(tree.log_profile_sum(Q, 0.0, 0.0),
                    exact_log_sum<double>(X.bottomRows(40), VectorX<double>(w.tail(40)), Q,
                                          Kernel::gaussian)) <= 1e-12);

  // One point, and many copies of one point (boxes of zero extent at every level).
  const MatrixX<double> one = MatrixX<double>::Constant(1, 2, 0.5);
  const KdeTree<double> single(one, VectorX<double>::Ones(1), Kernel::epanechnikov);
  MatrixX<double> q(1, 2);
  q << 0.5, 1.0;
  CHECK(single.log_profile_sum(q, 0.0, 0.0)(0) == Approx(std::log(0.75)).epsilon(1e-14));
  const MatrixX<double> copies = MatrixX<double>::Constant(64, 2, 0.5);
  const KdeTree<double> repeated(copies, VectorX<double>::Constant(64, 1.0 / 64), Kernel::gaussian,
                                 1);
  CHECK(repeated.log_profile_sum(q, 1e-4, 0.0)(0) == Approx(-0.125).epsilon(1e-4));
  CHECK(repeated.log_profile_sum(q, 0.0, 0.0)(0) == Approx(-0.125).epsilon(1e-13));
}

TEST_CASE("KdeTree results do not depend on the number of threads", "[density][kde_tree]") {
  alea::Rng rng{606};
  const MatrixX<double> X = alea::standard_normal(rng, 3000, 2) / 0.2;
  const VectorX<double> w = random_weights<double>(rng, 3000);
  const MatrixX<double> Q = alea::standard_normal(rng, 500, 2) / 0.2;
  const KdeTree<double> tree(X, w, Kernel::gaussian);
  const VectorX<double> first = tree.log_profile_sum(Q, 1e-4, 0.0);
#if defined(_OPENMP)
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const VectorX<double> serial = tree.log_profile_sum(Q, 1e-4, 0.0);
  omp_set_num_threads(std::max(threads, 3));
  const VectorX<double> parallel = tree.log_profile_sum(Q, 1e-4, 0.0);
  omp_set_num_threads(threads);
  CHECK(serial == first);
  CHECK(parallel == first);
#endif
  CHECK(tree.log_profile_sum(Q, 1e-4, 0.0) == first);
}

TEST_CASE("KdeTree rejects bad arguments with a message naming them", "[density][kde_tree]") {
  const MatrixX<double> X = MatrixX<double>::Zero(4, 2);
  VectorX<double> w = VectorX<double>::Constant(4, 0.25);
  const std::string tree_name = "alea::detail::KdeTree: ";
  CHECK_THROWS_AS(KdeTree<double>(MatrixX<double>(0, 2), VectorX<double>(0), Kernel::gaussian),
                  alea::InvalidArgument);
  CHECK_THROWS_WITH(KdeTree<double>(X, w, Kernel::gaussian, 0),
                    tree_name + "leaf_size is 0, but must be positive");
  w(2) = -1;
  CHECK_THROWS_WITH(KdeTree<double>(X, w, Kernel::gaussian),
                    tree_name +
                        "weights has a negative entry -1 at index 2; weights must be "
                        "non-negative");
  CHECK_THROWS_WITH(KdeTree<double>(X, VectorX<double>::Zero(4), Kernel::gaussian),
                    tree_name + "weights sums to 0; at least one weight must be positive");
  const KdeTree<double> tree(X, VectorX<double>::Constant(4, 0.25), Kernel::gaussian);
  const std::string query_name = "alea::detail::KdeTree::log_profile_sum: ";
  CHECK_THROWS_WITH(tree.log_profile_sum(MatrixX<double>::Zero(3, 3), 0.0, 0.0),
                    query_name + "queries has 3 columns, but the tree has dimension 2");
  CHECK_THROWS_WITH(tree.log_profile_sum(MatrixX<double>::Zero(3, 2), -1.0, 0.0),
                    query_name + "rtol is -1, but must be non-negative");
  MatrixX<double> bad = MatrixX<double>::Zero(3, 2);
  bad(1, 0) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(tree.log_profile_sum(bad, 0.0, 0.0),
                    query_name + "queries has a NaN at row 1, column 0");
}
