// k-means (Lloyd): the kmeans workload beside peers/gmm_peers.py (scikit-learn).
//
//   kmeans          KMeans<double>({.n_clusters = 8, .centers_init = the gmm workload's initial
//                   means, .max_iter = 100, .tol = 0}).fit(X), X the gmm workload's
//                   100,000 x 10 points; on OpenMP's threads (2)
//   kmeans_1thread  the same on one thread
//
// tol = 0 on both sides: a run stops at strict convergence (no label changed) or after 100
// iterations, so both report n_iter and ms_per_iter (best time / n_iter); alea reproduces
// scikit-learn's iterations (tests/density/test_kmeans.cpp), so the counts should agree.
//
// Usage: bench_kmeans DIR, where DIR holds gmm_X.f64 and gmm_init_means.f64 as written by
// `peers/gmm_peers.py DIR --prepare`. After timing it writes DIR/kmeans_alea.f64 (the 8 x 10
// centres row-major, then the labels, float64) for the peer to report its differences from
// alea's result.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "alea/density/kmeans.hpp"
#include "bench.hpp"

namespace {

/// Times the workload on the current thread count and prints its line; returns the model.
alea::KMeans<> run(const std::string& name, const alea::MatrixX<>& X, const alea::MatrixX<>& init) {
  alea::KMeans<> km({.n_clusters = init.rows(), .centers_init = init, .max_iter = 100, .tol = 0});
  const auto timing = alea::bench::time_best_of([&] { km.fit(X); });
  alea::bench::emit(name, timing,
                    {{"n", X.rows()},
                     {"d", X.cols()},
                     {"k", init.rows()},
                     {"threads", alea::bench::thread_count()},
                     {"n_iter", km.n_iter()},
                     {"converged", km.converged()},
                     {"inertia", double(km.inertia())},
                     {"ms_per_iter", 1000 * timing.best() / double(km.n_iter())}});
  return km;
}

void write_result(const std::filesystem::path& path, const alea::KMeans<>& km) {
  std::vector<double> values;
  const auto& centers = km.cluster_centers();
  for (alea::Index i = 0; i < centers.rows(); ++i)
    for (alea::Index j = 0; j < centers.cols(); ++j)
      values.push_back(centers(i, j));
  for (const alea::Index label : km.labels())
    values.push_back(double(label));
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(values.data()),
            std::streamsize(values.size() * sizeof(double)));
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path dir = argc > 1 ? argv[1] : ".";
  const alea::MatrixX<> X = alea::bench::read_f64(dir / "gmm_X.f64", 10, "bench_kmeans");
  const alea::MatrixX<> init = alea::bench::read_f64(dir / "gmm_init_means.f64", 10, "bench_kmeans");
  const alea::KMeans<> km = run("kmeans", X, init);
  const int threads = alea::bench::thread_count();
  alea::bench::set_thread_count(1);
  run("kmeans_1thread", X, init);
  alea::bench::set_thread_count(threads);
  write_result(dir / "kmeans_alea.f64", km);
}
