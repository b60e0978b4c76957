#include <catch2/catch.hpp>
#include <cmath>

#include "alea/density/kernel.hpp"
#include "fixtures.hpp"

using alea::Index;
using alea::Kernel;
using alea::MatrixX;
namespace test = alea::test;

TEST_CASE("kernel normalisations equal the quadrature of the fixture script", "[density][kernel]") {
  const auto& ref = test::fixture("kde_exact.json")["log_norms"];
  const Index dims[] = {1, 2, 3, 5};
  for (Kernel k : alea::all_kernels) {
    for (int i = 0; i < 4; ++i) {
      INFO(alea::to_string(k) << " d = " << dims[i]);
      // quad's relative tolerance is 1e-13 on the radial integral.
      CHECK(alea::kernel_log_norm(k, dims[i]) ==
            Approx(ref[std::string(alea::to_string(k))][i].get<double>())
                .epsilon(1e-12)
                .margin(1e-12));
    }
  }
}

TEST_CASE("kernels integrate to 1 in 1-D and 2-D", "[density][kernel]") {
  for (Kernel k : alea::all_kernels) {
    INFO(alea::to_string(k));
    const double radius = alea::has_compact_support(k) ? 1.0 : 40.0;
    // Midpoint rule; the kinks of compact kernels at r = 1 limit the 2-D grid's accuracy to
    // about h^2 relative with 800 cells a side, so 1e-4 there; smooth 1-D sums to 1e-7.
    const int m = 200000;
    const double step = 2 * radius / m;
    Eigen::ArrayXd u(m);
    for (int i = 0; i < m; ++i)
      u(i) = std::pow(-radius + (i + 0.5) * step, 2);
    const double one_d =
        alea::kernel_log_profile(k, u).exp().sum() * step * std::exp(alea::kernel_log_norm(k, 1));
    CHECK(one_d == Approx(1.0).epsilon(1e-7));
    const int g = 800;
    const double s2 = 2 * radius / g;
    Eigen::ArrayXXd u2(g, g);
    for (int i = 0; i < g; ++i)
      for (int j = 0; j < g; ++j)
        u2(i, j) = std::pow(-radius + (i + 0.5) * s2, 2) + std::pow(-radius + (j + 0.5) * s2, 2);
    const double two_d = alea::kernel_log_profile(k, u2).exp().sum() * s2 * s2 *
                         std::exp(alea::kernel_log_norm(k, 2));
    CHECK(two_d == Approx(1.0).epsilon(1e-4));
  }
}

TEST_CASE("kernel draws have the kernel's radius law and variance", "[density][kernel]") {
  alea::Rng rng{2024};
  const Index n = 200000;
  for (Kernel k : alea::all_kernels) {
    for (Index d : {1, 3}) {
      INFO(alea::to_string(k) << " d = " << d);
      const MatrixX<double> z = alea::sample_kernel(k, n, d, rng);
      if (alea::has_compact_support(k)) CHECK(z.rowwise().norm().maxCoeff() <= 1.0);
      const double variance = alea::kernel_variance(k, d);
      const Eigen::ArrayXd x2 = z.col(0).array().square();
      // 4 Monte Carlo standard errors of the mean of x_1^2.
      const double se = std::sqrt((x2 - x2.mean()).square().mean() / double(n));
      CHECK(std::abs(x2.mean() - variance) < 4 * se);
      CHECK(std::abs(z.col(0).mean()) < 4 * std::sqrt(variance / double(n)));
    }
  }
}

TEST_CASE("kernel names round-trip and bad dimensions are rejected", "[density][kernel]") {
  for (Kernel k : alea::all_kernels)
    CHECK(alea::kernel_from_string(alea::to_string(k)) == k);
  CHECK_FALSE(alea::kernel_from_string("triweight").has_value());
  REQUIRE_THROWS_WITH(alea::kernel_log_norm(Kernel::gaussian, 0),
                      "alea::kernel_log_norm: d is 0, but must be positive");
}
