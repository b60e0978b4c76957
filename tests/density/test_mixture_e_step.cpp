// The E-step kernels of density/mixture_e_step.hpp on their own: mixture_log_densities,
// mixture_e_step, statistics_from_responsibilities and MomentAccumulator, against the Gaussian
// log density, the softmax and the weighted sums written plainly here (in double, from the same
// parameters), for every covariance type, with and without sample weights.

#include <Eigen/Cholesky>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <type_traits>
#include <vector>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/density/gaussian_components.hpp"
#include "alea/density/mixture_e_step.hpp"
#include "alea/density/mixture_statistics.hpp"
#include "fixtures.hpp"

using alea::CovarianceType;
using alea::GaussianComponents;
using alea::Index;
using alea::MatrixX;
using alea::MixtureStatistics;
using alea::VectorX;
namespace test = alea::test;

namespace {

/// Three overlapping components in three dimensions: their means and type-shaped covariances.
template <class T>
struct Parameters {
  CovarianceType type;
  MatrixX<T> means;
  std::vector<MatrixX<T>> covariances;

  explicit Parameters(CovarianceType t) : type(t), means(3, 3) {
    means << 0, 0, 0, 1.5, -1, 0.5, -1, 2, 1;
    MatrixX<T> A(3, 3);
    switch (type) {
      case CovarianceType::full:
        for (int j = 0; j < 3; ++j) {
          A << 1, T(0.3 * j), 0, -0.4, 1, T(0.2), T(0.1 * j), 0.5, 1;
          covariances.push_back(A * A.transpose() + T(0.25 * (j + 1)) * MatrixX<T>::Identity(3, 3));
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
  }
  [[nodiscard]] GaussianComponents<T> components() const {
    return GaussianComponents<T>(type, means, covariances, "test");
  }
  /// Component j's covariance as a full matrix, in double.
  [[nodiscard]] MatrixX<double> covariance(Index j) const {
    switch (type) {
      case CovarianceType::full:
        return covariances[std::size_t(j)].template cast<double>();
      case CovarianceType::tied:
        return covariances[0].template cast<double>();
      case CovarianceType::diag:
        return covariances[0].row(j).template cast<double>().asDiagonal();
      case CovarianceType::spherical:
        return double(covariances[0](j, 0)) * MatrixX<double>::Identity(3, 3);
    }
    return {};
  }
};

/// log N(x | mu, Sigma) = -(d log(2 pi) + log det Sigma + (x - mu)^T Sigma^{-1} (x - mu)) / 2,
/// with Sigma = L L^T: log det Sigma = 2 sum_j log L_jj and the quadratic form |L^{-1} (x - mu)|^2.
double gaussian_log_pdf(const VectorX<double>& x, const VectorX<double>& mu,
                        const MatrixX<double>& sigma) {
  const MatrixX<double> L = Eigen::LLT<MatrixX<double>>(sigma).matrixL();
  const VectorX<double> z = L.triangularView<Eigen::Lower>().solve(x - mu);
  return -0.5 * (double(x.size()) * std::log(2 * std::numbers::pi) +
                 2 * L.diagonal().array().log().sum() + z.squaredNorm());
}

/// n x k: log N(x_i | mu_k, Sigma_k) + offsets_k.
template <class T>
MatrixX<double> direct_log_densities(const MatrixX<T>& X, const Parameters<T>& p,
                                     const VectorX<T>& offsets) {
  MatrixX<double> out(X.rows(), p.means.rows());
  for (Index i = 0; i < X.rows(); ++i) {
    for (Index j = 0; j < out.cols(); ++j) {
      out(i, j) =
          gaussian_log_pdf(X.row(i).template cast<double>().transpose(),
                           p.means.row(j).template cast<double>().transpose(), p.covariance(j)) +
          double(offsets(j));
    }
  }
  return out;
}

/// Row-wise softmax, and log sum_k exp of each row into log_p.
MatrixX<double> softmax(const MatrixX<double>& scores, VectorX<double>& log_p) {
  MatrixX<double> out(scores.rows(), scores.cols());
  log_p.resize(scores.rows());
  for (Index i = 0; i < scores.rows(); ++i) {
    const double top = scores.row(i).maxCoeff();
    double sum = 0;
    for (Index j = 0; j < scores.cols(); ++j)
      sum += std::exp(scores(i, j) - top);
    log_p(i) = top + std::log(sum);
    for (Index j = 0; j < scores.cols(); ++j)
      out(i, j) = std::exp(scores(i, j) - log_p(i));
  }
  return out;
}

/// The moments of MixtureStatistics summed one term at a time: N_k = sum_i w_i r_ik,
/// s_k = sum_i w_i r_ik (x_i - c_k) and the scatter (or its diagonal) of the type.
MixtureStatistics<double> direct_moments(const MatrixX<double>& X, const VectorX<double>& w,
                                         const MatrixX<double>& R, CovarianceType type,
                                         const MatrixX<double>& centres) {
  auto s = MixtureStatistics<double>::zero(type, centres);
  for (Index i = 0; i < X.rows(); ++i) {
    for (Index j = 0; j < R.cols(); ++j) {
      const double a = w(i) * R(i, j);
      const VectorX<double> diff = (X.row(i) - centres.row(j)).transpose();
      s.counts(j) += a;
      s.first.row(j) += a * diff.transpose();
      if (type == CovarianceType::full) s.scatter[std::size_t(j)] += a * diff * diff.transpose();
      if (type == CovarianceType::tied) s.scatter[0] += a * diff * diff.transpose();
      if (type == CovarianceType::diag || type == CovarianceType::spherical)
        s.squares.row(j) += a * diff.array().square().matrix().transpose();
    }
  }
  return s;
}

/// Counts, first moments and scatter within `tolerance` (relative above 1, absolute below).
template <class T>
void check_moments(const MixtureStatistics<T>& s, const MixtureStatistics<double>& expected,
                   double tolerance) {
  CHECK(s.covariance_type == expected.covariance_type);
  CHECK(test::max_relative_error(s.counts, expected.counts) < tolerance);
  CHECK(test::max_relative_error(s.first, expected.first) < tolerance);
  REQUIRE(s.scatter.size() == expected.scatter.size());
  for (std::size_t j = 0; j < s.scatter.size(); ++j)
    CHECK(test::max_relative_error(s.scatter[j], expected.scatter[j]) < tolerance);
  REQUIRE(s.squares.rows() == expected.squares.rows());
  if (s.squares.size() > 0)
    CHECK(test::max_relative_error(s.squares, expected.squares) < tolerance);
}

/// Overlapping draws around the means, and one row far from every component (row 400), whose
/// responsibilities underflow but for one.
template <class T>
MatrixX<T> data(Index n, std::uint64_t seed) {
  alea::Rng rng{seed};
  MatrixX<double> X = 1.5 * alea::standard_normal<double>(rng, n, 3);
  X.col(1).array() += 0.5;
  if (n > 400) X.row(400) << 12, -10, 11;
  return X.cast<T>();
}

/// Sample weights in [0.2, 2).
template <class T>
VectorX<T> sample_weights(Index n, std::uint64_t seed) {
  alea::Rng rng{seed};
  return (0.2 + 1.8 * alea::uniform01<double>(rng, n, 1).array()).matrix().cast<T>();
}

/// Tolerances against the double reference (relative above 1, absolute below). Log densities
/// carry a few ulps of the largest term of the quadratic form (~1e3 at the far row): 1e-12 in
/// double, 1e-5 in float (3e-7 seen). Sums of 700 weighted terms, whose responsibilities carry
/// the log densities' error, lose ~sqrt(700) ulps more: 1e-11 in double (6e-14 seen), 1e-4 in
/// float (2e-6 seen).
template <class T>
double log_density_tolerance() {
  return std::is_same_v<T, float> ? 1e-5 : 1e-12;
}
template <class T>
double sum_tolerance() {
  return std::is_same_v<T, float> ? 1e-4 : 1e-11;
}

}  // namespace

TEMPLATE_TEST_CASE("mixture_log_densities equals the Gaussian log pdf plus the offsets",
                   "[density][mixture_e_step]", float, double) {
  using T = TestType;
  const MatrixX<T> X = data<T>(700, 81);  // three row blocks of 256
  VectorX<T> offsets(3);
  offsets << T(std::log(0.5)), T(std::log(0.3)), T(-7.25);
  for (const auto type : alea::all_covariance_types) {
    INFO("type " << alea::to_string(type));
    const Parameters<T> p(type);
    const MatrixX<T> log_densities =
        alea::detail::mixture_log_densities<T>(X, p.components(), offsets);
    const MatrixX<double> expected = direct_log_densities(X, p, offsets);
    CHECK(test::max_relative_error(log_densities, expected) < log_density_tolerance<T>());
  }
}

TEMPLATE_TEST_CASE("mixture_e_step sums the softmax responsibilities as written",
                   "[density][mixture_e_step]", float, double) {
  using T = TestType;
  const Index n = 700;
  const MatrixX<T> X = data<T>(n, 82);
  const VectorX<T> weights = sample_weights<T>(n, 83);
  VectorX<T> log_weights(3);
  log_weights << T(std::log(0.5)), T(std::log(0.3)), T(std::log(0.2));
  for (const auto type : alea::all_covariance_types) {
    for (const bool weighted : {false, true}) {
      INFO("type " << alea::to_string(type) << (weighted ? " weighted" : " unweighted"));
      const Parameters<T> p(type);
      const GaussianComponents<T> components = p.components();
      const auto result = alea::detail::mixture_e_step<T>(X, weighted ? &weights : nullptr,
                                                          components, log_weights);
      const MixtureStatistics<T>& s = result.statistics;
      // The reference: softmax of log weights + log densities, then the sums term by term.
      VectorX<double> log_p;
      const MatrixX<double> R = softmax(direct_log_densities(X, p, log_weights), log_p);
      const VectorX<double> w =
          weighted ? VectorX<double>(weights.template cast<double>()) : VectorX<double>::Ones(n);
      // Full and tied: one centre for all, the mean of the means; diag, spherical: the means.
      MatrixX<double> centres = p.means.template cast<double>();
      if (type == CovarianceType::full || type == CovarianceType::tied)
        centres = centres.colwise().mean().replicate(3, 1).eval();
      CHECK(test::max_relative_error(s.centres, centres) < 1e-6);
      // The moments about the centres used (in T), so that they are checked on their own.
      check_moments(
          s,
          direct_moments(X.template cast<double>(), w, R, type, s.centres.template cast<double>()),
          sum_tolerance<T>());
      // Responsibilities sum to 1 in every row, so the counts add up to the total weight.
      CHECK(s.total_weight == Approx(w.sum()).epsilon(sum_tolerance<T>()));
      CHECK(s.counts.template cast<double>().sum() == Approx(w.sum()).epsilon(sum_tolerance<T>()));
      CHECK(s.observations == n);
      CHECK(s.log_likelihood == Approx(w.dot(log_p)).epsilon(sum_tolerance<T>()));
      double entropy_sum = 0;
      for (Index i = 0; i < n; ++i)
        for (Index j = 0; j < 3; ++j)
          if (R(i, j) > 0) entropy_sum += w(i) * R(i, j) * std::log(R(i, j));
      CHECK(s.responsibility_log_sum == Approx(entropy_sum).epsilon(sum_tolerance<T>()));
      // The row explained worst is the far one.
      Index worst = 0;
      log_p.minCoeff(&worst);
      CHECK(worst == 400);
      CHECK(result.worst_row == 400);
      CHECK(result.worst_log_prob == Approx(log_p(400)).epsilon(log_density_tolerance<T>()));
    }
  }
}

TEST_CASE("mixture_e_step of one row gives that row's responsibilities",
          "[density][mixture_e_step]") {
  using T = double;
  const MatrixX<T> X = data<T>(401, 84);
  VectorX<T> log_weights(3);
  log_weights << T(std::log(0.2)), T(std::log(0.5)), T(std::log(0.3));
  for (const auto type : alea::all_covariance_types) {
    INFO("type " << alea::to_string(type));
    const Parameters<T> p(type);
    const GaussianComponents<T> components = p.components();
    VectorX<double> log_p;
    const MatrixX<double> R = softmax(direct_log_densities(X, p, log_weights), log_p);
    for (const Index i : {Index(0), Index(1), Index(2), Index(3), Index(77), Index(400)}) {
      INFO("row " << i);
      const MatrixX<T> row = X.row(i);
      const auto one = alea::detail::mixture_e_step<T>(row, nullptr, components, log_weights);
      // With unit weight the counts are the responsibilities themselves.
      const VectorX<T>& r = one.statistics.counts;
      CHECK((r.array() >= T(0)).all());
      CHECK(std::abs(double(r.sum()) - 1) < 8 * double(std::numeric_limits<T>::epsilon()));
      CHECK(test::max_relative_error(r, R.row(i).transpose()) < sum_tolerance<T>() / 10);
      CHECK(one.worst_row == 0);
      CHECK(one.worst_log_prob == Approx(log_p(i)).epsilon(log_density_tolerance<T>()));
    }
  }
}

TEST_CASE("mixture_e_step statistics of two shards add up to those of the whole",
          "[density][mixture_e_step]") {
  using T = double;
  const MatrixX<T> X = data<T>(700, 85);
  const VectorX<T> weights = sample_weights<T>(700, 86);
  const VectorX<T> log_weights = VectorX<T>::Constant(3, T(-std::log(3.0)));
  for (const auto type : alea::all_covariance_types) {
    INFO("type " << alea::to_string(type));
    const GaussianComponents<T> components = Parameters<T>(type).components();
    const auto whole = alea::detail::mixture_e_step<T>(X, &weights, components, log_weights);
    const VectorX<T> w_top = weights.head(300), w_bottom = weights.tail(400);
    const auto top =
        alea::detail::mixture_e_step<T>(X.topRows(300), &w_top, components, log_weights);
    const auto bottom =
        alea::detail::mixture_e_step<T>(X.bottomRows(400), &w_bottom, components, log_weights);
    const MixtureStatistics<T> sum = top.statistics + bottom.statistics;
    // The same terms summed in another grouping: rounding only.
    CHECK(test::max_relative_error(sum.counts, whole.statistics.counts) < sum_tolerance<T>());
    CHECK(test::max_relative_error(sum.first, whole.statistics.first) < sum_tolerance<T>());
    for (std::size_t j = 0; j < sum.scatter.size(); ++j) {
      CHECK(test::max_relative_error(sum.scatter[j], whole.statistics.scatter[j]) <
            sum_tolerance<T>());
    }
    CHECK(sum.log_likelihood ==
          Approx(whole.statistics.log_likelihood).epsilon(sum_tolerance<T>()));
    CHECK(sum.observations == 700);
    CHECK(bottom.worst_row == 100);  // the far row 400, counted within its shard
  }
}

TEST_CASE("statistics_from_responsibilities sums given responsibilities as written",
          "[density][mixture_e_step]") {
  using T = double;
  const Index n = 700;
  const MatrixX<T> X = data<T>(n, 87);
  const VectorX<T> weights = sample_weights<T>(n, 88);
  alea::Rng rng{89};
  MatrixX<T> R = (0.05 + alea::uniform01<double>(rng, n, 3).array()).matrix().cast<T>();
  R = (R.array().colwise() / R.rowwise().sum().array()).matrix().eval();
  for (const auto type : alea::all_covariance_types) {
    for (const bool weighted : {false, true}) {
      INFO("type " << alea::to_string(type) << (weighted ? " weighted" : " unweighted"));
      const auto s = alea::detail::statistics_from_responsibilities<T>(
          X, weighted ? &weights : nullptr, R, type);
      const MatrixX<double> Xd = X.template cast<double>();
      const MatrixX<double> Rd = R.template cast<double>();
      const VectorX<double> w =
          weighted ? VectorX<double>(weights.template cast<double>()) : VectorX<double>::Ones(n);
      // Centres: each component's weighted mean (diag, spherical), or the weighted mean of
      // all the data (full, tied).
      MatrixX<double> centres(3, 3);
      for (Index j = 0; j < 3; ++j) {
        VectorX<double> a = w.cwiseProduct(Rd.col(j));
        if (type == CovarianceType::full || type == CovarianceType::tied) a = w;
        centres.row(j) = a.transpose() * Xd / a.sum();
      }
      CHECK(test::max_relative_error(s.centres, centres) < sum_tolerance<T>());
      check_moments(s, direct_moments(Xd, w, Rd, type, s.centres.template cast<double>()),
                    sum_tolerance<T>());
      CHECK(s.total_weight == Approx(w.sum()).epsilon(sum_tolerance<T>()));
      CHECK(s.observations == n);
    }
  }
}

TEST_CASE("MomentAccumulator adds blocks once whether flushed early or at destruction",
          "[density][mixture_e_step]") {
  const MatrixX<double> X = data<double>(300, 90);
  alea::Rng rng{91};
  MatrixX<double> R = alea::uniform01<double>(rng, 300, 3);
  R = (R.array().colwise() / R.rowwise().sum().array()).matrix().eval();
  const VectorX<double> w = VectorX<double>::Ones(300);
  for (const auto type : alea::all_covariance_types) {
    INFO("type " << alea::to_string(type));
    MatrixX<double> centres(3, 3);
    centres << 0.5, 0, -0.5, 1, 1, 1, -2, 0.25, 0;  // diag, spherical: one centre each
    if (type == CovarianceType::full || type == CovarianceType::tied)
      centres = centres.row(0).replicate(3, 1).eval();
    auto s = MixtureStatistics<double>::zero(type, centres);
    {
      alea::detail::MomentAccumulator<double> moments(s);
      moments.add(X.topRows(100), R.topRows(100));
      moments.flush();
      moments.flush();  // nothing left to move: no double counting
      moments.add(X.bottomRows(200), R.bottomRows(200));
    }  // the destructor flushes the rest
    check_moments(s, direct_moments(X, w, R, type, centres), 1e-10);
  }
}

#if defined(_OPENMP)
TEST_CASE("mixture_e_step and mixture_log_densities give the same bits on any thread count",
          "[density][mixture_e_step]") {
  // 6,000 rows: enough work for threads, and 24 blocks cut into 24 chunks.
  const MatrixX<double> X = data<double>(6000, 92);
  const VectorX<double> weights = sample_weights<double>(6000, 93);
  const VectorX<double> log_weights = VectorX<double>::Constant(3, -std::log(3.0));
  const int threads = omp_get_max_threads();
  for (const auto type : alea::all_covariance_types) {
    INFO("type " << alea::to_string(type));
    const GaussianComponents<double> components = Parameters<double>(type).components();
    omp_set_num_threads(1);
    const auto one = alea::detail::mixture_e_step<double>(X, &weights, components, log_weights);
    const MatrixX<double> densities_one =
        alea::detail::mixture_log_densities<double>(X, components, log_weights);
    omp_set_num_threads(std::max(2, threads));
    const auto many = alea::detail::mixture_e_step<double>(X, &weights, components, log_weights);
    const MatrixX<double> densities_many =
        alea::detail::mixture_log_densities<double>(X, components, log_weights);
    omp_set_num_threads(threads);
    CHECK(test::same_bits(one.statistics.counts, many.statistics.counts));
    CHECK(test::same_bits(one.statistics.first, many.statistics.first));
    for (std::size_t j = 0; j < one.statistics.scatter.size(); ++j)
      CHECK(test::same_bits(one.statistics.scatter[j], many.statistics.scatter[j]));
    CHECK(test::same_bits(one.statistics.squares, many.statistics.squares));
    CHECK(one.statistics.log_likelihood == many.statistics.log_likelihood);
    CHECK(one.statistics.responsibility_log_sum == many.statistics.responsibility_log_sum);
    CHECK(one.worst_row == many.worst_row);
    CHECK(test::same_bits(densities_one, densities_many));
  }
}
#endif
