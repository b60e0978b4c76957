"""mi and klent / scikit-learn, SciPy: the peers of bench_info.

    /usr/bin/python3 info_peers.py DIR --prepare   # write the data to DIR (before bench_info)
    /usr/bin/python3 info_peers.py DIR             # time the peers (after bench_info)

--prepare draws the mi and klent workloads exactly as /work/shared/peers/data.py does (mi() and
klent() below are copied from it: SEED = 12345, stream SEED + 5 for mi, SEED + 6 for klent) and
writes raw little-endian float64, row-major, to DIR: mi_x.f64 and mi_y.f64 (100,000 each),
klent_X.f64 (100,000 x 5). bench_info reads them.

Workloads (timing rule as bench.hpp):
  mi       sklearn.feature_selection.mutual_info_regression(x[:, None], y, n_neighbors=3,
           random_state=0) on all 100,000 pairs, as /work/shared/peers/mi_sklearn.py: KSG
           estimator 1 after scaling x and y to unit variance and adding 1e-10 noise.
  mi_10k   the same on the first 10,000 pairs.
  klent    Kozachenko-Leonenko entropy, k = 3, Euclidean, as /work/shared/peers/klent_ckdtree.py:
           cKDTree(X).query(X, k=4, workers=2), then psi(n) - psi(k) + log V_d + d mean log r.
Quality fields: estimate, truth (closed form), error = estimate - truth.
"""
import math
import os
import sys

from peer_timing import emit, timed  # noqa: E402  (before numpy: thread counts)

import numpy as np  # noqa: E402

# Copied from /work/shared/peers/data.py (numpy 1.24.2 default_rng), so that the data are
# byte-identical without the shared folder.
SEED = 12345
MI_RHO = 0.6
MI_TRUTH = -0.5 * math.log(1 - MI_RHO ** 2)
KLENT_SCALES = np.arange(1.0, 6.0)
KLENT_TRUTH = 0.5 * 5 * math.log(2 * math.pi * math.e) + float(np.sum(np.log(KLENT_SCALES)))


def mi():
    """x, y of length 100,000: z = rng.standard_normal((100000, 2)); x = z0;
    y = rho z0 + sqrt(1 - rho^2) z1.  The n=10,000 case is x[:10000], y[:10000]."""
    rng = np.random.default_rng(SEED + 5)
    z = rng.standard_normal((100_000, 2))
    x = z[:, 0].copy()
    y = MI_RHO * z[:, 0] + math.sqrt(1 - MI_RHO ** 2) * z[:, 1]
    return x, y


def klent():
    rng = np.random.default_rng(SEED + 6)
    return rng.standard_normal((100_000, 5)) * KLENT_SCALES


def prepare(directory):
    x, y = mi()
    x.astype("<f8").tofile(os.path.join(directory, "mi_x.f64"))
    y.astype("<f8").tofile(os.path.join(directory, "mi_y.f64"))
    klent().astype("<f8").tofile(os.path.join(directory, "klent_X.f64"))


def main():
    directory = sys.argv[1]
    if "--prepare" in sys.argv[2:]:
        prepare(directory)
        return
    from scipy.spatial import cKDTree
    from scipy.special import digamma, gammaln
    from sklearn.feature_selection import mutual_info_regression

    x_all, y_all = mi()
    k = 3
    for workload, n in (("mi", 100_000), ("mi_10k", 10_000)):
        x, y = x_all[:n], y_all[:n]
        times, estimate = timed(
            lambda: mutual_info_regression(x[:, None], y, n_neighbors=k, random_state=0)[0])
        emit(workload, "sklearn.mutual_info_regression", times, n=n, k=k,
             estimate=float(estimate), truth=MI_TRUTH, error=float(estimate - MI_TRUTH))

    X = klent()
    n, d = X.shape

    def kozachenko_leonenko():
        dist, _ = cKDTree(X).query(X, k=k + 1, workers=2)
        log_vd = 0.5 * d * math.log(math.pi) - gammaln(0.5 * d + 1)
        return digamma(n) - digamma(k) + log_vd + d * np.mean(np.log(dist[:, k]))

    times, h = timed(kozachenko_leonenko)
    emit("klent", "scipy.cKDTree(numpy KL)", times, n=n, d=d, k=k, estimate=float(h),
         truth=KLENT_TRUTH, error=float(h - KLENT_TRUTH))


if __name__ == "__main__":
    main()
