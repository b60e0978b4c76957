// k-NN information estimators: the mi and klent workloads of /work/shared/peers/WORKLOADS.md
// beside peers/info_peers.py (scikit-learn, SciPy).
//
//   mi            KSG mutual information (estimator 1, k = 3) of the bivariate Gaussian
//                 rho = 0.6, all 100,000 pairs; x and y are first divided by their standard
//                 deviations (ddof 0), inside the timing, as mutual_info_regression does, so the
//                 estimates are comparable to the last digits (scikit-learn's 1e-10 noise aside);
//                 on OpenMP's threads (2) and on one (mi_1thread)
//   mi_10k        the same on the first 10,000 pairs
//   klent         Kozachenko-Leonenko entropy (k = 3, Euclidean) of 100,000 points of
//                 N(0, diag(1..5)^2); on OpenMP's threads and on one (klent_1thread)
//
// Usage: bench_info DIR, where DIR holds what `peers/info_peers.py DIR --prepare` wrote.
// Quality fields: estimate, truth (closed form), error = estimate - truth.
#include <Eigen/Core>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>

#include "alea/info/knn.hpp"
#include "bench.hpp"

namespace {

using alea::Index;
using alea::MatrixX;

constexpr Index k = 3;

/// KSG estimator 1 on x / sd(x), y / sd(y), the standard deviations with ddof 0
/// (scikit-learn's scale(with_mean=False)).
double scaled_ksg(const MatrixX<double>& x, const MatrixX<double>& y) {
  const auto sd = [](const MatrixX<double>& v) {
    const double mean = v.mean();
    return std::sqrt((v.array() - mean).square().mean());
  };
  const MatrixX<double> xs = x / sd(x);
  const MatrixX<double> ys = y / sd(y);
  return alea::info::mutual_information_ksg(xs, ys, k);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_info DIR (after peers/info_peers.py DIR --prepare)\n");
    return 2;
  }
  const std::string dir = argv[1];
  const MatrixX<double> x = alea::bench::read_f64(dir + "/mi_x.f64", 1, "bench_info");
  const MatrixX<double> y = alea::bench::read_f64(dir + "/mi_y.f64", 1, "bench_info");
  const MatrixX<double> X = alea::bench::read_f64(dir + "/klent_X.f64", 5, "bench_info");
  const int threads = alea::bench::thread_count();
  const double mi_truth = -0.5 * std::log(1 - 0.6 * 0.6);
  const double klent_truth = 2.5 * std::log(2 * std::numbers::pi * std::numbers::e) +
                             std::log(120.0);  // log det diag(1..5) = log 5!

  for (const int t : {threads, 1}) {
    alea::bench::set_thread_count(t);
    double estimate = 0;
    const auto timing = alea::bench::time_best_of([&] { estimate = scaled_ksg(x, y); });
    alea::bench::emit(t == threads ? "mi" : "mi_1thread", timing,
                      {{"n", x.rows()},
                       {"k", k},
                       {"threads", t},
                       {"estimate", estimate},
                       {"truth", mi_truth},
                       {"error", estimate - mi_truth}});
  }
  alea::bench::set_thread_count(threads);
  {
    const MatrixX<double> x10 = x.topRows(10000);
    const MatrixX<double> y10 = y.topRows(10000);
    double estimate = 0;
    const auto timing = alea::bench::time_best_of([&] { estimate = scaled_ksg(x10, y10); });
    alea::bench::emit("mi_10k", timing,
                      {{"n", x10.rows()},
                       {"k", k},
                       {"threads", threads},
                       {"estimate", estimate},
                       {"truth", mi_truth},
                       {"error", estimate - mi_truth}});
  }

  for (const int t : {threads, 1}) {
    alea::bench::set_thread_count(t);
    double estimate = 0;
    const auto timing =
        alea::bench::time_best_of([&] { estimate = alea::info::entropy_knn(X, k); });
    alea::bench::emit(t == threads ? "klent" : "klent_1thread", timing,
                      {{"n", X.rows()},
                       {"d", X.cols()},
                       {"k", k},
                       {"threads", t},
                       {"estimate", estimate},
                       {"truth", klent_truth},
                       {"error", estimate - klent_truth}});
  }
  alea::bench::set_thread_count(threads);
  return 0;
}
