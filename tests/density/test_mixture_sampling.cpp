// sample_mixture (density/mixture_sampling.hpp) on its own: label frequencies against the
// weights, per-label sample moments against each component's mean and covariance, rows that
// stay with their labels, and determinism per seed and thread count.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "alea/core/rng.hpp"
#include "alea/density/gaussian_components.hpp"
#include "alea/density/mixture_sampling.hpp"
#include "fixtures.hpp"

using alea::CovarianceType;
using alea::GaussianComponents;
using alea::Index;
using alea::MatrixX;
using alea::VectorX;
using alea::detail::sample_mixture;
namespace test = alea::test;

namespace {

/// Three components in three dimensions, their means `separation` apart along the diagonal.
template <class T>
GaussianComponents<T> components_3d(CovarianceType type, double separation = 1.0) {
  MatrixX<T> means(3, 3);
  means << 0, 0, 0, 1, -1, 0.5, -1, 2, 1;
  means *= T(separation);
  std::vector<MatrixX<T>> covariances;
  MatrixX<T> A(3, 3);
  switch (type) {
    case CovarianceType::full:
      for (int j = 0; j < 3; ++j) {
        A << 1, T(0.4 * j), 0, -0.5, 1, 0.3, T(0.2 * j), 0.6, 1;
        covariances.push_back(A * A.transpose() + T(0.1) * MatrixX<T>::Identity(3, 3));
      }
      break;
    case CovarianceType::tied:
      A << 1, 0.3, 0, -0.4, 1, 0.2, 0.1, 0.5, 1;
      covariances.push_back(A * A.transpose());
      break;
    case CovarianceType::diag:
      covariances.push_back(MatrixX<T>(3, 3));
      covariances[0] << 1, 0.5, 2, 0.8, 1.5, 0.6, 2.5, 1, 0.7;
      break;
    case CovarianceType::spherical:
      covariances.push_back(MatrixX<T>(3, 1));
      covariances[0] << 1, 0.6, 1.8;
      break;
  }
  return GaussianComponents<T>(type, means, covariances, "test");
}

/// How many times each label 0 .. k - 1 occurs (checking that there are no others).
std::vector<Index> label_counts(const Eigen::Matrix<Index, Eigen::Dynamic, 1>& labels, Index k) {
  std::vector<Index> out(static_cast<std::size_t>(k), 0);
  Index invalid = 0;
  for (const Index label : labels) {
    if (label < 0 || label >= k) {
      ++invalid;
    } else {
      ++out[std::size_t(label)];
    }
  }
  CHECK(invalid == 0);
  return out;
}

/// |count / n - p| within `z` binomial standard errors sqrt(p (1 - p) / n); exact for p = 0.
void check_frequencies(const std::vector<Index>& counts, const VectorX<double>& p, Index n,
                       double z) {
  for (Index j = 0; j < p.size(); ++j) {
    INFO("label " << j << " count " << counts[std::size_t(j)] << " p " << p(j));
    const double error = std::abs(double(counts[std::size_t(j)]) / double(n) - p(j));
    CHECK(error <= z * std::sqrt(p(j) * (1 - p(j)) / double(n)));
  }
}

}  // namespace

TEMPLATE_TEST_CASE("sample_mixture draws each component with its weight's frequency",
                   "[density][mixture_sampling]", float, double) {
  using T = TestType;
  // Unnormalised weights, one of them 0; four components.
  MatrixX<T> means = MatrixX<T>::Zero(4, 2);
  const GaussianComponents<T> c(CovarianceType::spherical, means, {MatrixX<T>::Ones(4, 1)}, "test");
  VectorX<T> weights(4);
  weights << 2, 0, 1.2, 0.8;
  const Index n = 40000;  // ten blocks of 4,096 draws
  alea::Rng rng{201};
  const auto [X, labels] = sample_mixture<T>(weights, c, n, rng);
  CHECK(X.rows() == n);
  CHECK(X.cols() == 2);
  REQUIRE(labels.size() == n);
  const std::vector<Index> counts = label_counts(labels, 4);
  CHECK(counts[1] == 0);  // a zero weight is never drawn
  // 4 standard errors: a false alarm has probability ~6e-5 per label.
  check_frequencies(counts, weights.template cast<double>() / 4.0, n, 4.0);
}

TEST_CASE("sample_mixture with more than 64 components draws by binary search",
          "[density][mixture_sampling]") {
  // 70 components on a line, 10 apart with standard deviation 0.01, weights 1 .. 70 with
  // component 5 at 0: each draw must sit at its label's mean, and labels follow the weights.
  const Index k = 70;
  MatrixX<double> means(k, 1);
  VectorX<double> weights(k);
  for (Index j = 0; j < k; ++j) {
    means(j, 0) = 10.0 * double(j);
    weights(j) = double(j + 1);
  }
  weights(5) = 0;
  const GaussianComponents<double> c(CovarianceType::spherical, means,
                                     {MatrixX<double>::Constant(k, 1, 1e-4)}, "test");
  const Index n = 30000;
  alea::Rng rng{202};
  const auto [X, labels] = sample_mixture<double>(weights, c, n, rng);
  const std::vector<Index> counts = label_counts(labels, k);
  CHECK(counts[5] == 0);
  // 4.5 standard errors over 70 labels: a false alarm has probability ~5e-4 in all.
  check_frequencies(counts, weights / weights.sum(), n, 4.5);
  // 0.5 is 50 standard deviations: a draw farther from its label's mean is on another label.
  Index strays = 0;
  for (Index i = 0; i < n; ++i)
    strays += std::abs(X(i, 0) - 10.0 * double(labels(i))) > 0.5;
  CHECK(strays == 0);
}

TEMPLATE_TEST_CASE("sample_mixture draws have each component's mean and covariance",
                   "[density][mixture_sampling]", float, double) {
  using T = TestType;
  VectorX<T> weights(3);
  weights << 0.5, 0.3, 0.2;
  const Index n = 30000;
  for (const auto type : alea::all_covariance_types) {
    INFO("type " << alea::to_string(type));
    const GaussianComponents<T> c = components_3d<T>(type);
    alea::Rng rng{203};
    const auto [X, labels] = sample_mixture<T>(weights, c, n, rng);
    const MatrixX<double> Xd = X.template cast<double>();
    for (Index j = 0; j < 3; ++j) {
      INFO("component " << j);
      std::vector<Index> rows;
      for (Index i = 0; i < n; ++i)
        if (labels(i) == j) rows.push_back(i);
      const auto m = double(rows.size());
      const MatrixX<double> Y = Xd(rows, Eigen::all);
      const VectorX<double> mu = c.means().row(j).template cast<double>().transpose();
      const MatrixX<double> sigma = c.covariance(j).template cast<double>();
      const VectorX<double> mean = Y.colwise().mean().transpose();
      const MatrixX<double> centred = Y.rowwise() - mu.transpose();
      const MatrixX<double> S = centred.transpose() * centred / m;  // about the true mean
      for (Index a = 0; a < 3; ++a) {
        // Means within 4 Monte Carlo standard errors sqrt(Sigma_aa / m).
        CHECK(std::abs(mean(a) - mu(a)) <= 4 * std::sqrt(sigma(a, a) / m));
        for (Index b = 0; b <= a; ++b) {
          // Second moments about the true mean within 5 standard errors: a Gaussian's
          // (x_a - mu_a)(x_b - mu_b) has variance Sigma_aa Sigma_bb + Sigma_ab^2.
          const double se = std::sqrt((sigma(a, a) * sigma(b, b) + sigma(a, b) * sigma(a, b)) / m);
          INFO("entry " << a << ", " << b);
          CHECK(std::abs(S(a, b) - sigma(a, b)) <= 5 * se);
        }
      }
    }
  }
}

TEST_CASE("sample_mixture returns draws in random order each with its own label",
          "[density][mixture_sampling]") {
  VectorX<double> weights(3);
  weights << 0.5, 0.3, 0.2;
  const Index n = 10000;
  for (const auto type : alea::all_covariance_types) {
    INFO("type " << alea::to_string(type));
    // Means 40 apart, standard deviations below 2: each draw is nearest its own mean.
    const GaussianComponents<double> c = components_3d<double>(type, 40.0);
    alea::Rng rng{204};
    const auto [X, labels] = sample_mixture<double>(weights, c, n, rng);
    Index mislabelled = 0;
    Index changes = 0;
    for (Index i = 0; i < n; ++i) {
      Index nearest;
      (c.means().rowwise() - X.row(i)).rowwise().squaredNorm().minCoeff(&nearest);
      mislabelled += nearest != labels(i);
      changes += i > 0 && labels(i) != labels(i - 1);
    }
    CHECK(mislabelled == 0);
    // Independent labels change between neighbours with probability 1 - sum p^2 = 0.62
    // (6,200 of 10,000, standard deviation ~50); grouped by component they would change twice.
    CHECK(changes > 5800);
  }
}

TEMPLATE_TEST_CASE("sample_mixture is determined by the engine's state",
                   "[density][mixture_sampling]", float, double) {
  using T = TestType;
  VectorX<T> weights(3);
  weights << 0.5, 0.3, 0.2;
  const GaussianComponents<T> c = components_3d<T>(CovarianceType::full);
  alea::Rng a{205}, b{205}, other{206};
  const auto first = sample_mixture<T>(weights, c, 9000, a);
  const auto again = sample_mixture<T>(weights, c, 9000, b);
  const auto different = sample_mixture<T>(weights, c, 9000, other);
  CHECK(test::same_bits(first.first, again.first));
  CHECK(first.second == again.second);
  CHECK(!test::same_bits(first.first, different.first));
  // The blocks' streams are keyed by two draws from the caller's engine, and nothing more.
  alea::Rng expected{205};
  expected();
  expected();
  CHECK(a == expected);
  // No draws: empty results, and the engine moves on all the same.
  const auto none = sample_mixture<T>(weights, c, 0, a);
  CHECK(none.first.rows() == 0);
  CHECK(none.second.size() == 0);
}

#if defined(_OPENMP)
TEST_CASE("sample_mixture gives the same draws on one thread and on several",
          "[density][mixture_sampling]") {
  VectorX<double> weights(3);
  weights << 0.5, 0.3, 0.2;
  const GaussianComponents<double> c = components_3d<double>(CovarianceType::full);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  alea::Rng one_rng{207};
  const auto one = sample_mixture<double>(weights, c, 20000, one_rng);  // 5 blocks, threaded
  omp_set_num_threads(std::max(2, threads));
  alea::Rng many_rng{207};
  const auto many = sample_mixture<double>(weights, c, 20000, many_rng);
  omp_set_num_threads(threads);
  CHECK(test::same_bits(one.first, many.first));
  CHECK(one.second == many.second);
}
#endif
