// Gaussian mixtures: the gmm and gmmsample workloads of /work/shared/peers/WORKLOADS.md beside
// peers/gmm_peers.py (scikit-learn), plus how the time per EM iteration grows with n, d and k.
//
//   gmm          GaussianMixture(k = 8, full, max_iter = 100, tol = 0, weights 1/8, the shared
//                initial means, identity precisions, reg_covar 1e-6).fit(X), X 100,000 x 10;
//                on OpenMP's threads (2) and on one (gmm_1thread)
//   gmmsample    10,000,000 draws from the true mixture (parameters set, no fit)
//   gmm_scaling  time per EM iteration for n, d, k around the workload (one line each), with
//                the floating-point rate reached, against the GEMM rate of this machine
//
// Usage: bench_gmm DIR, where DIR holds what `peers/gmm_peers.py DIR --prepare` wrote.
//
// Flops of one EM iteration (full covariances), counted as the kernels do them: E-step,
// per component, (x - mu) P with P triangular (n d^2 multiply-adds, half of a dense GEMM's
// 2 n d^2 flops since the product skips the zero half: counted as n d^2); M-step, per
// component, the weighted scatter (x - mu)^T W (x - mu) (2 n d^2). About 3 n k d^2 in all, plus
// O(n k d) for differences, exponentials and sums.
#include <Eigen/Core>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "alea/core/random.hpp"
#include "alea/density/gaussian_mixture.hpp"
#include "bench.hpp"

namespace {

using alea::Index;
using alea::MatrixX;
using alea::VectorX;

constexpr Index k = 8;
constexpr Index d = 10;

alea::GaussianMixtureSettings workload_settings(const MatrixX<double>& init_means, Index max_iter) {
  const Index components = init_means.rows();
  const Index dim = init_means.cols();
  return {.n_components = components,
          .tol = 0,
          .reg_covar = 1e-6,
          .max_iter = max_iter,
          .weights_init = VectorX<double>::Constant(components, 1.0 / double(components)),
          .means_init = init_means,
          .precisions_init =
              std::vector<MatrixX<double>>(components, MatrixX<double>::Identity(dim, dim))};
}

/// GFLOP/s of a 2000 x 2000 x 2000 double GEMM on the current thread count, best of 3.
double gemm_rate() {
  const Index m = 2000;
  alea::Rng rng{3};
  const MatrixX<double> a = alea::standard_normal<double>(rng, m, m);
  const MatrixX<double> b = alea::standard_normal<double>(rng, m, m);
  MatrixX<double> c(m, m);
  const auto timing = alea::bench::time_best_of([&] { c.noalias() = a * b; }, 3, 0.0);
  return 2.0 * double(m) * double(m) * double(m) / timing.best() / 1e9;
}

/// Random data of a well-separated mixture with `components` components in `dim` dimensions.
std::pair<MatrixX<double>, MatrixX<double>> scaling_data(Index n, Index dim, Index components) {
  alea::Rng rng{11};
  const MatrixX<double> centres = 5.0 * alea::standard_normal<double>(rng, components, dim);
  MatrixX<double> X = alea::standard_normal<double>(rng, n, dim);
  for (Index i = 0; i < n; ++i)
    X.row(i) += centres.row(i % components);
  const MatrixX<double> init = centres + alea::standard_normal<double>(rng, components, dim);
  return {X, init};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_gmm DIR (after peers/gmm_peers.py DIR --prepare)\n");
    return 2;
  }
  const std::string dir = argv[1];
  const MatrixX<double> X = alea::bench::read_f64(dir + "/gmm_X.f64", d, "bench_gmm");
  const MatrixX<double> init_means =
      alea::bench::read_f64(dir + "/gmm_init_means.f64", d, "bench_gmm");
  const int threads = alea::bench::thread_count();

  // gmm: 100 EM iterations from the shared start.
  for (const int t : {threads, 1}) {
    alea::bench::set_thread_count(t);
    alea::GaussianMixture<double> gm(workload_settings(init_means, 100));
    const auto timing = alea::bench::time_best_of([&] { gm.fit(X); }, 3, 0.0);
    const double flops = 3.0 * double(X.rows()) * double(k) * double(d * d) * double(gm.n_iter());
    alea::bench::emit(t == threads ? "gmm" : "gmm_1thread", timing,
                      {{"n", X.rows()},
                       {"d", d},
                       {"k", k},
                       {"threads", t},
                       {"n_iter", gm.n_iter()},
                       {"mean_loglik", gm.score(X)},
                       {"lower_bound", gm.lower_bound()},
                       {"ms_per_iter", 1000 * timing.best() / double(gm.n_iter())},
                       {"gflops", flops / timing.best() / 1e9}});
  }
  alea::bench::set_thread_count(threads);

  // gmmsample: 10^7 draws from the true mixture.
  {
    const VectorX<double> weights =
        alea::bench::read_f64(dir + "/gmm_true_weights.f64", 1, "bench_gmm").col(0);
    const MatrixX<double> means =
        alea::bench::read_f64(dir + "/gmm_true_means.f64", d, "bench_gmm");
    const MatrixX<double> stacked =
        alea::bench::read_f64(dir + "/gmm_true_covs.f64", d, "bench_gmm");
    std::vector<MatrixX<double>> covariances;
    for (Index j = 0; j < k; ++j)
      covariances.push_back(stacked.middleRows(j * d, d));
    const alea::GaussianMixture<double> model(
        weights, alea::GaussianComponents<double>(alea::CovarianceType::full, means, covariances,
                                                  "bench_gmm"));
    const Index n = 10000000;
    alea::Rng rng{12345};
    MatrixX<double> draws;
    const auto timing = alea::bench::time_best_of([&] { draws = model.sample(n, rng); }, 3, 0.0);
    const VectorX<double> mix_mean = means.transpose() * weights;
    MatrixX<double> mix_cov = MatrixX<double>::Zero(d, d);
    for (Index j = 0; j < k; ++j) {
      const VectorX<double> offset = means.row(j).transpose() - mix_mean;
      mix_cov += weights(j) * (covariances[j] + offset * offset.transpose());
    }
    const VectorX<double> sample_mean = draws.colwise().mean();
    const MatrixX<double> centred = draws.rowwise() - sample_mean.transpose();
    const MatrixX<double> sample_cov = centred.transpose() * centred / double(n - 1);
    alea::bench::emit("gmmsample", timing,
                      {{"n", n},
                       {"d", d},
                       {"k", k},
                       {"threads", threads},
                       {"max_abs_mean_err", (sample_mean - mix_mean).cwiseAbs().maxCoeff()},
                       {"max_abs_cov_err", (sample_cov - mix_cov).cwiseAbs().maxCoeff()}});
  }

  // gmm_scaling: ms per iteration and GFLOP/s as n, d and k vary around (10^5, 10, 8).
  const double gemm = gemm_rate();
  struct Shape {
    Index n, d, k;
  };
  for (const Shape s :
       {Shape{25000, 10, 8}, Shape{100000, 10, 8}, Shape{400000, 10, 8}, Shape{100000, 5, 8},
        Shape{100000, 20, 8}, Shape{100000, 40, 8}, Shape{100000, 10, 2}, Shape{100000, 10, 32}}) {
    const auto [data, init] = scaling_data(s.n, s.d, s.k);
    alea::GaussianMixture<double> gm(workload_settings(init, 10));
    const auto timing = alea::bench::time_best_of([&] { gm.fit(data); }, 3, 0.0);
    const double per_iter = timing.best() / double(gm.n_iter());
    const double flops = 3.0 * double(s.n) * double(s.k) * double(s.d * s.d);
    alea::bench::emit("gmm_scaling", timing,
                      {{"n", s.n},
                       {"d", s.d},
                       {"k", s.k},
                       {"threads", threads},
                       {"ms_per_iter", 1000 * per_iter},
                       {"gflops", flops / per_iter / 1e9},
                       {"gemm_gflops", gemm}});
  }
  return 0;
}
