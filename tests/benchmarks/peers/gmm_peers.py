"""gmm and gmmsample / scikit-learn: the peers of bench_gmm.

    /usr/bin/python3 gmm_peers.py DIR --prepare   # write the data to DIR (before bench_gmm)
    /usr/bin/python3 gmm_peers.py DIR             # time the peers (after bench_gmm)

--prepare draws the gmm workload exactly as /work/shared/peers/data.py does (the generation code
in workload_data.py is copied from it: SEED = 12345, stream SEED + 3 for the true mixture and the data,
SEED + 4 for the initial means) and writes raw little-endian float64, row-major, to DIR:
gmm_X.f64 (100,000 x 10), gmm_init_means.f64 (8 x 10), gmm_true_weights.f64 (8),
gmm_true_means.f64 (8 x 10), gmm_true_covs.f64 (8 x 10 x 10). bench_gmm reads them.

Workloads (timing rule as bench.hpp, fewer runs for the long ones):
  gmm         GaussianMixture(8, covariance_type='full', max_iter=100, tol=0, n_init=1,
              weights_init=1/8, means_init=init means, precisions_init=I, reg_covar=1e-6)
              .fit(X), as /work/shared/peers/gmm_sklearn.py (its throw-away initial
              responsibilities and final E-step are included in the time, as there).
  kmeans      KMeans(8, init=init means, n_init=1, max_iter=100, tol=0, algorithm='lloyd')
              .fit(X): the same data and initial centres (both sides stop at strict
              convergence, after 3 iterations here).
  gmmsample   GaussianMixture.sample(10,000,000) with the parameters set to the true ones, as
              /work/shared/peers/gmmsample_sklearn.py.
Quality fields: gmm: mean_loglik (score(X) after the fit), lower_bound, n_iter; kmeans: inertia,
n_iter, and the differences from bench_kmeans' centres and labels (DIR/kmeans_alea.f64);
gmmsample: max_abs_mean_err and max_abs_cov_err against the mixture's moments.
"""
import os
import sys
import warnings

from peer_timing import emit, timed  # noqa: E402  (before numpy: thread counts)

import numpy as np  # noqa: E402

from workload_data import SEED, gmm  # noqa: E402



def prepare(directory):
    X, params, init_means = gmm()
    for name, array in (("X", X), ("init_means", init_means), ("true_weights", params["weights"]),
                        ("true_means", params["means"]), ("true_covs", params["covs"])):
        array.astype("<f8").tofile(os.path.join(directory, f"gmm_{name}.f64"))


def main():
    directory = sys.argv[1]
    if "--prepare" in sys.argv[2:]:
        prepare(directory)
        return
    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import GaussianMixture

    X, params, init_means = gmm()
    k, d = init_means.shape

    def fit():
        gm = GaussianMixture(n_components=k, covariance_type="full", max_iter=100, tol=0.0,
                             n_init=1, init_params="random", weights_init=np.full(k, 1.0 / k),
                             means_init=init_means, precisions_init=np.tile(np.eye(d), (k, 1, 1)),
                             reg_covar=1e-6, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return gm.fit(X)

    times, gm = timed(fit, min_reps=2, min_total=0.0)
    emit("gmm", "sklearn.GaussianMixture", times, n=X.shape[0], d=d, k=k, n_iter=int(gm.n_iter_),
         mean_loglik=float(gm.score(X)), lower_bound=float(gm.lower_bound_),
         ms_per_iter=1000 * min(times) / gm.n_iter_)

    def kmeans():
        return KMeans(n_clusters=k, init=init_means, n_init=1, max_iter=100, tol=0.0,
                      algorithm="lloyd").fit(X)

    times, km = timed(kmeans)
    fields = dict(n=X.shape[0], d=d, k=k, n_iter=int(km.n_iter_), inertia=float(km.inertia_),
                  ms_per_iter=1000 * min(times) / km.n_iter_)
    alea_path = os.path.join(directory, "kmeans_alea.f64")  # bench_kmeans' centres and labels
    if os.path.exists(alea_path):
        alea = np.fromfile(alea_path, dtype="<f8")
        centers, labels = alea[:k * d].reshape(k, d), alea[k * d:]
        fields["max_abs_diff_centers"] = f"{np.max(np.abs(km.cluster_centers_ - centers)):.1e}"
        fields["labels_differ"] = int(np.sum(km.labels_ != labels))
    emit("kmeans", "sklearn.KMeans(lloyd)", times, **fields)

    true = params
    sampler = GaussianMixture(n_components=k, covariance_type="full", random_state=SEED)
    sampler.weights_, sampler.means_, sampler.covariances_ = (true["weights"], true["means"],
                                                              true["covs"])
    sampler.precisions_cholesky_ = np.array(
        [np.linalg.cholesky(np.linalg.inv(c)) for c in true["covs"]])
    n_draws = 10_000_000
    times, (draws, _) = timed(lambda: sampler.sample(n_draws), min_reps=3, min_total=0.0)
    w, mu, cov = true["weights"], true["means"], true["covs"]
    mix_mean = w @ mu
    mix_cov = (np.einsum("k,kij->ij", w, cov)
               + np.einsum("k,ki,kj->ij", w, mu - mix_mean, mu - mix_mean))
    emit("gmmsample", "sklearn.GaussianMixture.sample", times, n=n_draws, d=d, k=k,
         max_abs_mean_err=float(np.abs(draws.mean(0) - mix_mean).max()),
         max_abs_cov_err=float(np.abs(np.cov(draws, rowvar=False) - mix_cov).max()))


if __name__ == "__main__":
    main()
