#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "alea/core/random.hpp"
#include "alea/metrics/mmd.hpp"
#include "fixtures.hpp"

using alea::Index;
using alea::MatrixX;
using alea::metrics::MmdEstimator;
using alea::metrics::MmdKernel;
using alea::metrics::MmdTestSettings;
namespace metrics = alea::metrics;
namespace test = alea::test;

TEST_CASE("the permutation test's p-values are uniform under the null", "[metrics][mmd_test]") {
  // 200 replicas of X, Y ~ N(0, I_2), 20 rows each, 99 permutations: under H0 the labelling is
  // exchangeable, so p = (b + 1) / 100 is uniform on {0.01, ..., 1} and each decile bin holds
  // a replica with probability 0.1 exactly. Pearson's chi-square over the 10 bins has 9 degrees
  // of freedom; 27.88 is its 0.999 quantile, so a correct test fails this check with
  // probability 0.001 (and the seed fixes the outcome).
  for (const auto& [kernel, estimator] : {std::pair{MmdKernel::gaussian, MmdEstimator::unbiased},
                                          std::pair{MmdKernel::polynomial, MmdEstimator::biased}}) {
    alea::Rng rng{2024};
    const int replicas = 200;
    std::vector<int> bins(10, 0);
    int rejected = 0;
    for (int r = 0; r < replicas; ++r) {
      const MatrixX<double> X = alea::standard_normal(rng, 20, 2);
      const MatrixX<double> Y = alea::standard_normal(rng, 20, 2);
      const MmdTestSettings settings{.mmd = {.kernel = kernel, .estimator = estimator},
                                     .n_permutations = 99};
      const auto result = metrics::mmd_test(X, Y, settings, rng);
      const int index = int(std::lround(result.p_value * 100)) - 1;  // 0..99
      ++bins[std::size_t(index / 10)];
      rejected += result.p_value <= 0.05;
    }
    double chi_square = 0;
    for (const int count : bins)
      chi_square += (count - 20.0) * (count - 20.0) / 20.0;
    INFO("chi-square " << chi_square);
    CHECK(chi_square < 27.88);
    // P(p <= 0.05) = 0.05 exactly: 10 expected rejections, standard deviation 3.1; 4 SDs.
    CHECK(rejected <= 22);
  }
}

TEST_CASE("the permutation test rejects a shifted alternative", "[metrics][mmd_test]") {
  alea::Rng rng{77};
  const MatrixX<double> X = alea::standard_normal(rng, 50, 2);
  const MatrixX<double> Y = alea::standard_normal(rng, 50, 2).array() + 1.0;
  const auto result = metrics::mmd_test(X, Y, {.n_permutations = 199}, rng);
  // A shift of one standard deviation in every coordinate at n = 50 is detected with
  // overwhelming power: no permutation reaches the observed statistic, p = 1 / 200.
  CHECK(result.p_value == 1.0 / 200);
  CHECK(result.n_permutations == 199);
  // The statistic is mmd2() on the same samples, up to the order of the sums.
  CHECK(std::abs(result.mmd2 - metrics::mmd2(X, Y)) < 1e-12);
  CHECK(result.bandwidth == metrics::median_heuristic_bandwidth(X, Y));
}

TEST_CASE("the permutation test gives the same answer for any batch size and thread count",
          "[metrics][mmd_test]") {
  alea::Rng data{5};
  const MatrixX<double> X = alea::standard_normal(data, 300, 3);
  const MatrixX<double> Y = alea::standard_normal(data, 250, 3).array() + 0.15;
  const auto run = [&](std::size_t budget) {
    alea::Rng rng{6};
    return metrics::mmd_test(X, Y, {.n_permutations = 300, .memory_budget = budget}, rng);
  };
  const auto one_batch = run(std::size_t(64) << 20);
  // A labelling of 550 rows takes 550 * 16 bytes (labels and partial sums in double): a budget
  // of 5 labellings runs the 302 columns in 61 batches.
  const auto many_batches = run(5 * 550 * 16);
  CHECK(many_batches.p_value == one_batch.p_value);
  CHECK(std::abs(many_batches.mmd2 - one_batch.mmd2) < 1e-14);
#if defined(_OPENMP)
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto serial = run(std::size_t(64) << 20);
  omp_set_num_threads(std::max(2, threads));
  const auto parallel = run(std::size_t(64) << 20);
  omp_set_num_threads(threads);
  CHECK(serial.p_value == parallel.p_value);
  CHECK(serial.mmd2 == parallel.mmd2);
#endif
}

TEST_CASE("the permutation test rejects bad settings", "[metrics][mmd_test]") {
  const MatrixX<double> X = MatrixX<double>::Random(6, 2), Y = MatrixX<double>::Random(5, 2);
  alea::Rng rng{1};
  CHECK_THROWS_MATCHES(
      metrics::mmd_test(X, Y, {.n_permutations = 0}, rng), alea::InvalidArgument,
      Catch::Message("alea::metrics::mmd_test: n_permutations is 0, but must be positive"));
  CHECK_THROWS_MATCHES(
      metrics::mmd_test(X, Y, {.mmd = {.estimator = MmdEstimator::linear}}, rng),
      alea::InvalidArgument,
      Catch::Message("alea::metrics::mmd_test: estimator is linear, but the permutation test "
                     "takes the biased or the unbiased estimator"));
  CHECK_THROWS_MATCHES(
      metrics::mmd_test(X, Y, {.memory_budget = 100}, rng), alea::InvalidArgument,
      Catch::Message("alea::metrics::mmd_test: memory_budget is 100 bytes, but two labellings "
                     "of 11 rows need 352"));
  CHECK_THROWS_MATCHES(metrics::mmd_test(X, Y.leftCols(1), {}, rng), alea::InvalidArgument,
                       Catch::Message("alea::metrics::mmd_test: Y has 1 columns, but X has 2"));
}
