#pragma once
/// @file
/// @brief Timing and output for alea's benchmarks, in the format of the peer scripts
/// (/work/shared/peers/bench.py): run a callable best-of-R, print one JSON line per workload.
///
/// @code
/// std::vector<double> out(n);
/// const auto timing = alea::bench::time_best_of([&] { fill(out); });
/// alea::bench::emit("rng_normal", timing, {{"n", n}, {"mean", mean(out)}});
/// @endcode

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "alea/core/types.hpp"

namespace alea::bench {

/// Wall-clock times of the repetitions, in seconds.
struct Timing {
  std::vector<double> times;
  [[nodiscard]] double best() const { return *std::min_element(times.begin(), times.end()); }
  [[nodiscard]] double median() const {
    std::vector<double> sorted = times;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t n = sorted.size();
    return n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  }
};

/// Runs `work()` at least `min_reps` times and keeps repeating while the total stays below
/// `min_total_seconds` (at most `max_reps` runs). The peers use the same rule with the same
/// defaults, so both sides report a best of comparably many runs.
template <class Work>
Timing time_best_of(Work&& work, int min_reps = 5, double min_total_seconds = 2.0,
                    int max_reps = 50) {
  Timing timing;
  double total = 0;
  while (static_cast<int>(timing.times.size()) < max_reps &&
         (static_cast<int>(timing.times.size()) < min_reps || total < min_total_seconds)) {
    const auto start = std::chrono::steady_clock::now();
    work();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    timing.times.push_back(elapsed.count());
    total += elapsed.count();
  }
  return timing;
}

/// Rounded to microseconds, as bench.py rounds.
inline double round6(double x) {
  return std::round(x * 1e6) / 1e6;
}

/// Prints {"workload", "peer": "alea", "seconds" (best), "seconds_median", "reps", "times",
/// <fields>} on one line, as bench.py's emit does.
inline void emit(const std::string& workload, const Timing& timing,
                 const nlohmann::json& fields = nlohmann::json::object()) {
  nlohmann::json record;
  record["workload"] = workload;
  record["peer"] = "alea";
  record["seconds"] = round6(timing.best());
  record["seconds_median"] = round6(timing.median());
  record["reps"] = timing.times.size();
  nlohmann::json times = nlohmann::json::array();
  for (const double t : timing.times)
    times.push_back(round6(t));
  record["times"] = times;
  for (const auto& [key, value] : fields.items())
    record[key] = value;
  std::printf("%s\n", record.dump().c_str());
  std::fflush(stdout);
}

/// OpenMP's thread count for the next parallel region (1 without OpenMP).
inline int thread_count() {
#if defined(_OPENMP)
  return omp_get_max_threads();
#else
  return 1;
#endif
}

/// Sets the thread count of OpenMP regions (and of Eigen's products); no-op without OpenMP.
inline void set_thread_count(int threads) {
#if defined(_OPENMP)
  omp_set_num_threads(threads);
#endif
  Eigen::setNbThreads(threads);
}

/// A raw little-endian float64 row-major file (what the peer scripts' --prepare writes) as a
/// matrix with `cols` columns. Exits with a message naming `program` when it cannot be read.
inline MatrixX<double> read_f64(const std::string& path, Index cols, const char* program) {
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    std::fprintf(stderr, "%s: cannot read %s; run the peer script with DIR --prepare first\n",
                 program, path.c_str());
    std::exit(1);
  }
  const auto bytes = static_cast<std::size_t>(in.tellg());
  in.seekg(0);
  RowMajor m(Index(bytes / sizeof(double)) / cols, cols);
  in.read(reinterpret_cast<char*>(m.data()), std::streamsize(bytes));
  return m;
}

}  // namespace alea::bench
