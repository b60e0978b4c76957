"""kde2 and kde1big / scikit-learn, SciPy, statsmodels: the peers of bench_kde.

    /usr/bin/python3 kde_peers.py DIR --prepare   # write the data to DIR (before bench_kde)
    /usr/bin/python3 kde_peers.py DIR             # time the peers (after bench_kde)

--prepare draws the datasets of the reference workloads exactly as /work/shared/peers/data.py
does (workload_data.py copies its generation code: same SEED = 12345, same offsets, same
mixtures, same order of draws) and writes them to DIR as raw little-endian float64, row-major:
kde2_train.f64 (20,000 x 2), kde2_query.f64 (20,000 x 2), kde1big_x.f64 (1,000,000). bench_kde
reads them, so both sides use the same numbers. compare.py runs --prepare, then bench_kde, then
this script.

Workloads (timing rule as bench.hpp, but at least 3 runs for the calls over a second):
  kde2_sklearn     KernelDensity(kernel='gaussian', bandwidth=0.2, algorithm='kd_tree', rtol=0,
                   atol=0).fit(train).score_samples(query): exact sums, as shared kde2_sklearn.py.
  kde2_scipy       gaussian_kde(train.T) (its own Scott bandwidth, a full covariance) then
                   evaluate(query.T): the same 20,000 x 20,000 kernel sums, as kde2_scipy.py.
  kde1big          statsmodels KDEUnivariate(x).fit(kernel='gau', bw='silverman', fft=True,
                   gridsize=4096, cut=3): densities on linspace(min - 3h, max + 3h, 4096).
  kde1big_scipy    gaussian_kde on the first 100,000 points with the statsmodels Silverman h,
                   evaluated on that grid, as kde1big_scipy.py (1/10 of the data: exact sums on
                   all 10^6 points would take ~30 s per run).

Quality fields, computed outside the timing:
  kde2: mean_logdens (mean log density of the 20,000 queries) and max_abs_logdens_err, the
        largest |log density - exact| over queries 0, 10, 20, ... (2,000) with the exact value
        from a brute-force float64 sum at the same bandwidth.
  kde1big: h, ise_vs_truth (trapezoid ISE against the true mixture density on the grid),
        max_rel_err_vs_exact_kde = max |f - exact| / max exact and max_pointwise_rel_err =
        max |f - exact| / exact over grid points 0, 16, ..., 4080 (256 points), the exact KDE
        (same data, same h) summed in float64.
"""
import os
import sys

from peer_timing import emit, timed  # noqa: E402  (before numpy: thread counts)

import numpy as np  # noqa: E402

from workload_data import MIX1D, kde1big, kde2  # noqa: E402


def mix1d_pdf(x):
    w, m, s = MIX1D["weights"], MIX1D["means"], MIX1D["sds"]
    x = np.asarray(x)[..., None]
    return np.sum(w * np.exp(-0.5 * ((x - m) / s) ** 2) / (s * np.sqrt(2 * np.pi)), axis=-1)


def silverman_bw(x):
    """statsmodels' bw_silverman: 0.9 min(sd_ddof1, IQR / 1.349) n^(-1/5)."""
    sd = np.std(x, ddof=1)
    q75, q25 = np.percentile(x, [75, 25])
    return 0.9 * min(sd, (q75 - q25) / 1.349) * len(x) ** (-0.2)


H2 = 0.2
REF_QUERIES = np.arange(0, 20_000, 10)  # 2,000 queries for the kde2 error
REF_GRID = np.arange(0, 4096, 16)  # 256 grid points for the kde1big error


def e1(x):
    """Small error figures as text with two significant digits (the table prints numbers as
    %.5f)."""
    return f"{float(x):.2g}" if abs(float(x)) >= 1e-3 else f"{float(x):.1e}"


def prepare(directory):
    train, query = kde2()
    train.astype("<f8").tofile(os.path.join(directory, "kde2_train.f64"))
    query.astype("<f8").tofile(os.path.join(directory, "kde2_query.f64"))
    kde1big().astype("<f8").tofile(os.path.join(directory, "kde1big_x.f64"))


def exact_log_density(q, x, cholesky):
    """log of the Gaussian KDE with bandwidth matrix L L^T at the rows of q, brute force."""
    zx = np.linalg.solve(cholesky, x.T).T
    zq = np.linalg.solve(cholesky, q.T).T
    out = np.empty(len(q))
    for s in range(0, len(q), 250):
        d2 = ((zq[s:s + 250, None, :] - zx[None, :, :]) ** 2).sum(-1)
        out[s:s + 250] = np.log(np.exp(-0.5 * d2).sum(1))
    d = x.shape[1]
    return out - np.log(len(x) * (2 * np.pi) ** (d / 2) * np.prod(np.diag(cholesky)))


def run_kde2(train, query):
    from sklearn import __version__ as sklearn_version
    from sklearn.neighbors import KernelDensity
    import scipy
    from scipy.stats import gaussian_kde

    fields = {"n_train": len(train), "n_query": len(query)}

    def sklearn_run():
        kde = KernelDensity(kernel="gaussian", bandwidth=H2, algorithm="kd_tree", rtol=0.0,
                            atol=0.0)
        kde.fit(train)
        return kde.score_samples(query)

    times, lp = timed(sklearn_run, min_reps=3)
    ref = exact_log_density(query[REF_QUERIES], train, H2 * np.eye(2))
    emit("kde2_sklearn", f"scikit-learn {sklearn_version} KernelDensity(kd_tree, rtol=0)", times,
         h=H2, mean_logdens=float(np.mean(lp)),
         max_abs_logdens_err=e1(np.max(np.abs(lp[REF_QUERIES] - ref))), **fields)

    def sklearn_tree_run():
        kde = KernelDensity(kernel="gaussian", bandwidth=H2, algorithm="kd_tree", rtol=1e-4,
                            atol=0.0)
        kde.fit(train)
        return kde.score_samples(query)

    times, lp = timed(sklearn_tree_run, min_reps=3)
    emit("kde2_tree_sklearn", f"scikit-learn {sklearn_version} KernelDensity(kd_tree, rtol=1e-4)",
         times, h=H2, mean_logdens=float(np.mean(lp)),
         max_abs_logdens_err=e1(np.max(np.abs(lp[REF_QUERIES] - ref))), **fields)

    def scipy_run():
        kde = gaussian_kde(train.T)
        return kde, kde.evaluate(query.T)

    times, (kde, dens) = timed(scipy_run, min_reps=3)
    lp = np.log(dens)
    ref = exact_log_density(query[REF_QUERIES], train, np.linalg.cholesky(kde.covariance))
    emit("kde2_scipy", f"SciPy {scipy.__version__} gaussian_kde (Scott)", times,
         scott_factor=float(kde.factor), mean_logdens=float(np.mean(lp)),
         max_abs_logdens_err=e1(np.max(np.abs(lp[REF_QUERIES] - ref))), **fields)


def kde1big_errors(grid, dens, x, h):
    g = grid[REF_GRID]
    exact = np.empty(len(g))
    for j in range(len(g)):
        exact[j] = np.exp(-0.5 * ((g[j] - x) / h) ** 2).sum()
    exact /= len(x) * h * np.sqrt(2 * np.pi)
    err = np.abs(dens[REF_GRID] - exact)
    return {"max_rel_err_vs_exact_kde": e1(err.max() / exact.max()),
            "max_pointwise_rel_err": e1(np.max(err / exact))}


def run_kde1big(x):
    import statsmodels
    from statsmodels.nonparametric.kde import KDEUnivariate
    import scipy
    from scipy.stats import gaussian_kde

    def statsmodels_run():
        kde = KDEUnivariate(x)
        kde.fit(kernel="gau", bw="silverman", fft=True, gridsize=4096, cut=3)
        return kde

    times, kde = timed(statsmodels_run)
    grid, dens, h = kde.support, kde.density, float(kde.bw)
    emit("kde1big", f"statsmodels {statsmodels.__version__} KDEUnivariate(fft=True)", times,
         n=len(x), gridsize=len(grid), h=h, grid_min=float(grid[0]), grid_max=float(grid[-1]),
         ise_vs_truth=e1(np.trapz((dens - mix1d_pdf(grid)) ** 2, grid)),
         **kde1big_errors(grid, dens, x, h))

    x_small = x[:100_000]

    def scipy_run():
        h_small = silverman_bw(x_small)
        return gaussian_kde(x_small, bw_method=h_small / np.std(x_small, ddof=1))(grid)

    times, dens = timed(scipy_run, min_reps=3)
    emit("kde1big_scipy", f"SciPy {scipy.__version__} gaussian_kde, first 1e5 points", times,
         n=len(x_small), gridsize=len(grid), h=float(silverman_bw(x_small)),
         seconds_scaled_to_1e6=round(10 * min(times), 6),
         ise_vs_truth=e1(np.trapz((dens - mix1d_pdf(grid)) ** 2, grid)))


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "."
    if "--prepare" in sys.argv[2:]:
        prepare(directory)
        return
    train = np.fromfile(os.path.join(directory, "kde2_train.f64"), dtype="<f8").reshape(-1, 2)
    query = np.fromfile(os.path.join(directory, "kde2_query.f64"), dtype="<f8").reshape(-1, 2)
    x = np.fromfile(os.path.join(directory, "kde1big_x.f64"), dtype="<f8")
    only = [a for a in sys.argv[2:] if not a.startswith("-")]
    if not only or "kde2" in only:
        run_kde2(train, query)
    if not only or "kde1big" in only:
        run_kde1big(x)


if __name__ == "__main__":
    main()
