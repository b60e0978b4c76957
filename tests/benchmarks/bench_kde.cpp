// Kernel density estimation: the kde2 and kde1big reference workloads, peers in
// peers/kde_peers.py (scikit-learn, SciPy, statsmodels).
//
//   kde2      KernelDensity<double>({.bandwidth = 0.2, .algorithm = exact}): fit on 20,000 x 2
//             points, log_prob of 20,000 queries (4 x 10^8 Gaussian kernel terms, streamed
//             log-sum-exp over GEMM distance tiles, OpenMP over row blocks)
//   kde2_f32  the same in float (data rounded to float outside the timing)
//   kde1big   silverman_rule_of_thumb_1d(x) (statsmodels' bw_silverman), KernelDensity<double>(
//             {.bandwidth = h, .algorithm = grid, .grid_size = 4096}) fit on 1,000,000 points,
//             log_prob on statsmodels' grid linspace(min - 3h, max + 3h, 4096); all three steps
//             are timed, as statsmodels' time includes its bandwidth selection
//
// Data: `kde_peers.py DIR --prepare` draws them as /work/shared/peers/data.py does and writes
// DIR/kde2_train.f64, kde2_query.f64 (20,000 x 2 each) and kde1big_x.f64 (1,000,000), raw
// little-endian float64, row-major; compare.py runs it first and passes the build directory.
//
// Quality fields (outside the timing):
//   kde2: mean_logdens over the queries; max_abs_logdens_err over queries 0, 10, ..., 19,990
//         against a brute-force double sum (as the peers compute theirs).
//   kde1big: ise_vs_truth on the grid (trapezoid rule, true mixture density);
//         max_rel_err_vs_exact_kde = max |f - exact| / max exact and max_pointwise_rel_err =
//         max |f - exact| / exact over grid points 0, 16, ..., 4080, exact by brute force.
//
// The machine's limit for kde2: every kernel term needs one exp, so n m / (exp rate) is a
// floor on the time. The exp rate is measured here with Eigen's vectorised Array::exp over an
// L1-resident array on every OpenMP thread (the same exp the engine uses); kde2 reports
// limit_seconds = n m / rate and seconds_over_limit = best time / limit_seconds.
//
// `bench_kde DIR --memory N` (not run by compare.py): exact log densities of N standard-normal
// 2-D queries against N points, one run, printing the time and the peak resident set size
// (getrusage ru_maxrss) before and after, to show that memory is O(n + m + tile), not O(n m).
#include <sys/resource.h>

#include <Eigen/Core>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <string>
#include <vector>

#include "alea/core/random.hpp"
#include "alea/density/bandwidth.hpp"
#include "alea/density/kernel_density.hpp"
#include "bench.hpp"

namespace {

constexpr double h2 = 0.2;
constexpr alea::Index grid_points = 4096;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Exps per second of Eigen's vectorised Array<T>::exp on all OpenMP threads, each on its own
/// 4,096-entry array (L1-resident), arguments in [-20, 0], summed as the kernel sums are (a
/// reduction, no store); best of 5.
template <class T>
double exp_rate() {
  using Array = Eigen::Array<T, Eigen::Dynamic, 1>;
  constexpr alea::Index size = 4096;
  constexpr int reps = 20000;
  double best = 0;
  for (int trial = 0; trial < 5; ++trial) {
    double checksum = 0;
    const auto start = std::chrono::steady_clock::now();
#if defined(_OPENMP)
#pragma omp parallel reduction(+ : checksum)
#endif
    {
      const Array in = Array::LinSpaced(size, T(-20), T(0));
      for (int r = 0; r < reps; ++r) {
        // exp then sum, as the kernel sums do; a changing scale keeps the compiler from
        // hoisting the exp out of the loop.
        checksum += double((in * T(1 + 1e-7 * r)).exp().sum());
      }
    }
    const double elapsed = seconds_since(start);
    if (checksum == 0) std::printf("#");  // never: every sum is above 1
    best = std::max(best, double(alea::bench::thread_count()) * double(size) * reps / elapsed);
  }
  return best;
}

/// log of the Gaussian KDE (bandwidth h I) at queries 0, step, 2 step, ... of Q, brute force.
std::vector<double> exact_log_density_2d(const alea::MatrixX<>& X, const alea::MatrixX<>& Q,
                                         double h, alea::Index step) {
  const alea::Index count = (Q.rows() + step - 1) / step;
  std::vector<double> out(static_cast<std::size_t>(count));
  const double scale = -0.5 / (h * h);
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic)
#endif
  for (alea::Index k = 0; k < count; ++k) {
    const double q0 = Q(k * step, 0), q1 = Q(k * step, 1);
    double sum = 0;
    for (alea::Index j = 0; j < X.rows(); ++j) {
      const double a = q0 - X(j, 0), b = q1 - X(j, 1);
      sum += std::exp(scale * (a * a + b * b));
    }
    out[std::size_t(k)] = std::log(sum) - std::log(double(X.rows()) * 2 * std::numbers::pi * h * h);
  }
  return out;
}

/// Small error figures as text, two significant digits (compare.py prints numbers as %.5f).
std::string e1(double x) {
  char text[32];
  std::snprintf(text, sizeof text, std::abs(x) >= 1e-3 ? "%.2g" : "%.1e", x);
  return text;
}

/// kde2 with the tree algorithm at rtol = 1e-4 (scikit-learn's guarantee), double.
void run_kde2_tree(const alea::MatrixX<>& train, const alea::MatrixX<>& query,
                   const std::vector<double>& reference) {
  alea::VectorX<> lp;
  const auto timing = alea::bench::time_best_of([&] {
    alea::KernelDensity<> kde(
        {.bandwidth = h2, .algorithm = alea::KdeAlgorithm::tree, .rtol = 1e-4});
    kde.fit(train);
    lp = kde.log_prob(query);
  });
  double err = 0;
  for (std::size_t k = 0; k < reference.size(); ++k)
    err = std::max(err, std::abs(lp(alea::Index(k) * 10) - reference[k]));
  alea::bench::emit("kde2_tree", timing,
                    {{"h", h2},
                     {"threads", alea::bench::thread_count()},
                     {"mean_logdens", lp.mean()},
                     {"max_abs_logdens_err", e1(err)}});
}

template <class T>
void run_kde2(const std::string& name, const alea::MatrixX<>& train64,
              const alea::MatrixX<>& query64, const std::vector<double>& reference, double rate) {
  const alea::MatrixX<T> train = train64.cast<T>();
  const alea::MatrixX<T> query = query64.cast<T>();
  alea::VectorX<T> lp;
  const auto timing = alea::bench::time_best_of([&] {
    alea::KernelDensity<T> kde({.bandwidth = h2, .algorithm = alea::KdeAlgorithm::exact});
    kde.fit(train);
    lp = kde.log_prob(query);
  });
  double err = 0;
  for (std::size_t k = 0; k < reference.size(); ++k)
    err = std::max(err, std::abs(double(lp(alea::Index(k) * 10)) - reference[k]));
  const double terms = double(train.rows()) * double(query.rows());
  const double limit = terms / rate;
  alea::bench::emit(name, timing,
                    {{"h", h2},
                     {"n_train", train.rows()},
                     {"n_query", query.rows()},
                     {"threads", alea::bench::thread_count()},
                     {"mean_logdens", double(lp.template cast<double>().mean())},
                     {"max_abs_logdens_err", e1(err)},
                     {"exp_per_second", rate},
                     {"limit_seconds", alea::bench::round6(limit)},
                     {"seconds_over_limit", std::round(timing.best() / limit * 100) / 100},
                     {"terms_per_second", terms / timing.best()}});
}

double mix1d_pdf(double x) {
  const double w[2] = {0.7, 0.3}, m[2] = {0.0, 4.0}, s[2] = {1.0, 0.5};
  double f = 0;
  for (int k = 0; k < 2; ++k) {
    const double z = (x - m[k]) / s[k];
    f += w[k] * std::exp(-0.5 * z * z) / (s[k] * std::sqrt(2 * std::numbers::pi));
  }
  return f;
}

void run_kde1big(const alea::VectorX<>& x) {
  double h = 0;
  alea::VectorX<> grid, lp;
  const auto timing = alea::bench::time_best_of([&] {
    h = alea::silverman_rule_of_thumb_1d<double>(x);
    // statsmodels' support: np.linspace(min - 3h, max + 3h, 4096).
    const double lo = x.minCoeff() - 3 * h, hi = x.maxCoeff() + 3 * h;
    grid = alea::VectorX<>::LinSpaced(grid_points, lo, hi);
    alea::KernelDensity<double> kde(
        {.bandwidth = h, .algorithm = alea::KdeAlgorithm::grid, .grid_size = grid_points});
    kde.fit(x);
    lp = kde.log_prob(grid);
  });

  // Where the time goes (each part best-of on its own).
  const auto t_bandwidth =
      alea::bench::time_best_of([&] { h = alea::silverman_rule_of_thumb_1d<double>(x); });
  alea::KernelDensity<double> kde(
      {.bandwidth = h, .algorithm = alea::KdeAlgorithm::grid, .grid_size = grid_points});
  const auto t_fit = alea::bench::time_best_of([&] { kde.fit(x); });
  const auto t_log_prob = alea::bench::time_best_of([&] { lp = kde.log_prob(grid); });

  // Quality: the exact KDE at grid points 0, 16, ..., 4080 (256 x 10^6 terms, brute force).
  const alea::Index count = grid_points / 16;
  std::vector<double> exact(static_cast<std::size_t>(count));
  const double norm = 1.0 / (double(x.size()) * h * std::sqrt(2 * std::numbers::pi));
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic)
#endif
  for (alea::Index k = 0; k < count; ++k) {
    const double g = grid(k * 16);
    double sum = 0;
    for (alea::Index j = 0; j < x.size(); ++j) {
      const double z = (g - x(j)) / h;
      sum += std::exp(-0.5 * z * z);
    }
    exact[std::size_t(k)] = sum * norm;
  }
  double peak = 0, max_abs = 0, max_rel = 0;
  for (alea::Index k = 0; k < count; ++k) {
    const double e = exact[std::size_t(k)];
    const double err = std::abs(std::exp(lp(k * 16)) - e);
    peak = std::max(peak, e);
    max_abs = std::max(max_abs, err);
    max_rel = std::max(max_rel, err / e);
  }
  double ise = 0;
  for (alea::Index i = 0; i + 1 < grid_points; ++i) {
    const double a = std::exp(lp(i)) - mix1d_pdf(grid(i));
    const double b = std::exp(lp(i + 1)) - mix1d_pdf(grid(i + 1));
    ise += 0.5 * (grid(i + 1) - grid(i)) * (a * a + b * b);
  }
  alea::bench::emit("kde1big", timing,
                    {{"n", x.size()},
                     {"gridsize", grid_points},
                     {"h", h},
                     {"grid_min", grid(0)},
                     {"grid_max", grid(grid_points - 1)},
                     {"threads", alea::bench::thread_count()},
                     {"seconds_bandwidth", alea::bench::round6(t_bandwidth.best())},
                     {"seconds_fit", alea::bench::round6(t_fit.best())},
                     {"seconds_log_prob", alea::bench::round6(t_log_prob.best())},
                     {"ise_vs_truth", e1(ise)},
                     {"max_rel_err_vs_exact_kde", e1(max_abs / peak)},
                     {"max_pointwise_rel_err", e1(max_rel)}});
}

long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

void run_memory(alea::Index n) {
  alea::Rng rng{12345};
  const alea::MatrixX<> X = alea::standard_normal<double>(rng, n, 2);
  const alea::MatrixX<> Q = alea::standard_normal<double>(rng, n, 2);
  const long before = peak_rss_kb();
  const auto start = std::chrono::steady_clock::now();
  alea::KernelDensity<double> kde({.bandwidth = h2, .algorithm = alea::KdeAlgorithm::exact});
  kde.fit(X);
  const alea::VectorX<> lp = kde.log_prob(Q);
  const double elapsed = seconds_since(start);
  alea::bench::emit("kde2_memory", alea::bench::Timing{{elapsed}},
                    {{"n_train", n},
                     {"n_query", n},
                     {"threads", alea::bench::thread_count()},
                     {"terms_per_second", double(n) * double(n) / elapsed},
                     {"mean_logdens", lp.mean()},
                     {"data_mb", 2.0 * double(n) * 2 * 8 / 1e6},
                     {"peak_rss_mb_before", double(before) / 1024},
                     {"peak_rss_mb_after", double(peak_rss_kb()) / 1024}});
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : ".";
  if (argc > 3 && std::string(argv[2]) == "--memory") {
    run_memory(alea::Index(std::atoll(argv[3])));
    return 0;
  }
  const alea::MatrixX<> train = alea::bench::read_f64(dir + "/kde2_train.f64", 2, "bench_kde");
  const alea::MatrixX<> query = alea::bench::read_f64(dir + "/kde2_query.f64", 2, "bench_kde");
  const alea::VectorX<> x = alea::bench::read_f64(dir + "/kde1big_x.f64", 1, "bench_kde").col(0);

  const double rate64 = exp_rate<double>();
  const double rate32 = exp_rate<float>();
  const std::vector<double> reference = exact_log_density_2d(train, query, h2, 10);
  run_kde2<double>("kde2", train, query, reference, rate64);
  run_kde2<float>("kde2_f32", train, query, reference, rate32);
  run_kde2_tree(train, query, reference);
  run_kde1big(x);
}
