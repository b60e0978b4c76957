// Evaluation metrics: the mmd and fid workloads of /work/shared/peers/WORKLOADS.md beside
// peers/metrics_peers.py, with the parts of each.
//
//   mmd          unbiased MMD^2, Gaussian kernel, sigma by the median heuristic (exact), X, Y
//                5,000 x 64 each (data.py's mmd()); on OpenMP's threads (2) and on one
//                (mmd_1thread); mmd_parts: the median alone and the MMD at a given sigma
//   fid          frechet_distance(f1, f2) from 10,000 x 2,048 features each (data.py's fid());
//                fid_parts: the two covariances, and the trace term from them (Cholesky,
//                triangular products, eigenvalues)
//
// Usage: bench_metrics DIR [mmd|fid], where DIR holds what `peers/metrics_peers.py DIR --prepare`
// wrote; a second argument runs one workload family only.
#include <Eigen/Core>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "alea/metrics/frechet.hpp"
#include "alea/metrics/mmd.hpp"
#include "bench.hpp"

namespace {

using alea::Index;
using alea::MatrixX;
using alea::VectorX;

/// data.py's mmd2_population: MMD^2 between N(0, I) and N(shift 1, I) at bandwidth sigma.
double mmd2_population(double sigma, double d = 64, double shift = 0.1) {
  const double s2 = sigma * sigma;
  const double delta2 = d * shift * shift;
  return 2.0 * std::pow(1.0 + 2.0 / s2, -d / 2) * (1.0 - std::exp(-delta2 / (2.0 * (s2 + 2.0))));
}

/// data.py's FID_TRUTH: d shift^2 + sum (1 - scale_k)^2, scales linspace(0.5, 1.5, d).
double fid_population(Index d = 2048, double shift = 0.05) {
  double sum = double(d) * shift * shift;
  for (Index k = 0; k < d; ++k) {
    const double scale = 0.5 + double(k) / double(d - 1);
    sum += (1 - scale) * (1 - scale);
  }
  return sum;
}

template <class Work>
double seconds_of(Work&& work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_metrics DIR (after peers/metrics_peers.py DIR --prepare)\n");
    return 2;
  }
  const std::string dir = argv[1];
  const std::string only = argc > 2 ? argv[2] : "";
  const int threads = alea::bench::thread_count();
  namespace metrics = alea::metrics;

  if (only.empty() || only == "mmd") {
    const MatrixX<double> X = alea::bench::read_f64(dir + "/mmd_X.f64", 64, "bench_metrics");
    const MatrixX<double> Y = alea::bench::read_f64(dir + "/mmd_Y.f64", 64, "bench_metrics");
    for (const int t : {threads, 1}) {
      alea::bench::set_thread_count(t);
      double estimate = 0;
      const auto timing = alea::bench::time_best_of([&] { estimate = metrics::mmd2(X, Y); });
      const double sigma = metrics::median_heuristic_bandwidth(X, Y);
      const double population = mmd2_population(sigma);
      alea::bench::emit(t == threads ? "mmd" : "mmd_1thread", timing,
                        {{"n", X.rows()},
                         {"m", Y.rows()},
                         {"d", X.cols()},
                         {"threads", t},
                         {"sigma", sigma},
                         {"estimate", estimate},
                         {"population_value", population},
                         {"error", estimate - population}});
    }
    alea::bench::set_thread_count(threads);
    double sigma = 0;
    const auto median = alea::bench::time_best_of(
        [&] { sigma = metrics::median_heuristic_bandwidth(X, Y); }, 5, 1.0);
    const auto fixed =
        alea::bench::time_best_of([&] { metrics::mmd2(X, Y, {.bandwidth = sigma}); }, 5, 1.0);
    alea::bench::emit("mmd_parts", median,
                      {{"threads", threads},
                       {"seconds_median_heuristic", median.best()},
                       {"seconds_mmd_at_sigma", fixed.best()}});
  }

  if (only.empty() || only == "fid") {
    const MatrixX<double> f1 = alea::bench::read_f64(dir + "/fid_f1.f64", 2048, "bench_metrics");
    const MatrixX<double> f2 = alea::bench::read_f64(dir + "/fid_f2.f64", 2048, "bench_metrics");
    double value = 0;
    const auto timing =
        alea::bench::time_best_of([&] { value = metrics::frechet_distance(f1, f2); }, 3, 0.0);
    // The parts, once each: covariances, then the trace term's stages.
    MatrixX<double> S1, S2;
    VectorX<double> mu1, mu2;
    const double stats = seconds_of([&] {  // as frechet_distance: one covariance per thread
      mu1 = metrics::detail::column_means<double>(f1);
      mu2 = metrics::detail::column_means<double>(f2);
#pragma omp parallel sections num_threads(2)
      {
#pragma omp section
        S1 = metrics::detail::sample_covariance<double>(f1, mu1);
#pragma omp section
        S2 = metrics::detail::sample_covariance<double>(f2, mu2);
      }
    });
    MatrixX<double> L, M;
    const double cholesky = seconds_of([&] {
      L = S1;
      metrics::detail::cholesky_lower_in_place(L);
    });
    const double products = seconds_of([&] { M = metrics::detail::congruence_lower(L, S2); });
    double trace_sqrt = 0;
    const double eigenvalues = seconds_of([&] { trace_sqrt = metrics::detail::trace_sqrt_psd(M); });
    alea::bench::emit("fid", timing,
                      {{"n", f1.rows()},
                       {"d", f1.cols()},
                       {"threads", threads},
                       {"estimate", value},
                       {"population_value", fid_population()},
                       {"seconds_stats", stats},
                       {"seconds_cholesky", cholesky},
                       {"seconds_products", products},
                       {"seconds_eigenvalues", eigenvalues}});
  }
  return 0;
}
