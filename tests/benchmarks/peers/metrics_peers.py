"""mmd and fid: the peers of bench_metrics.

    /usr/bin/python3 metrics_peers.py DIR --prepare   # write the data to DIR (before bench_metrics)
    /usr/bin/python3 metrics_peers.py DIR             # time the peers (after bench_metrics)

--prepare draws the mmd and fid workloads exactly as /work/shared/peers/data.py does (the
generation code below is copied from its mmd() and fid(): SEED = 12345, stream SEED + 7 for mmd,
SEED + 10 for fid) and writes raw little-endian float64, row-major, to DIR: mmd_X.f64 and
mmd_Y.f64 (5,000 x 64 each), fid_f1.f64 and fid_f2.f64 (10,000 x 2,048 each; 160 MB each).
bench_metrics reads them.

Workloads (timing rule as bench.hpp, fewer runs for the long one):
  mmd   unbiased MMD^2, Gaussian kernel exp(-|a-b|^2 / (2 sigma^2)), sigma = the lower median of
        the pairwise distances of the pooled sample (i != j), n = m = 5,000, d = 64: the shared
        peer /work/shared/peers/mmd_torch.py (Debian's python3-torch 1.13, float64, 2 threads):
        torch.cdist of the pooled sample, median of its off-diagonal entries, exp in place,
        three block sums.
  mmd_numpy  the same algorithm in numpy (written before torch was installed here, kept as a
        second peer): one pooled squared-distance matrix by the GEMM formula |a|^2 + |b|^2 -
        2 a.b, clamped at 0, the lower median of its off-diagonal entries (np.partition where
        torch calls median), exp in place, three block sums; OpenBLAS on 2 threads.
  fid   Frechet distance of given features the pytorch-fid way, as /work/shared/peers/fid_scipy.py:
        mean and np.cov of each set, scipy.linalg.sqrtm(S1 @ S2) (eps * I retry if not finite,
        real part), |mu1 - mu2|^2 + tr S1 + tr S2 - 2 tr covmean.
Quality fields: mmd: sigma, estimate, population_value (data.py's closed form at this sigma),
error; fid: estimate, population_value (data.py's FID_TRUTH; the sample value is biased upward
by ~d^2/n), and the split of the time between the statistics and sqrtm.
"""
import math
import os
import sys
import time

from peer_timing import emit, timed  # noqa: E402  (before numpy: thread counts)

import numpy as np  # noqa: E402

# --- copied from /work/shared/peers/data.py (mmd, mmd2_population, FID_*, fid) ---------------
SEED = 12345
MMD_SHIFT = 0.1


def mmd():
    """X ~ N(0, I_64), Y ~ N(0.1 * 1, I_64), 5,000 each (X drawn first)."""
    rng = np.random.default_rng(SEED + 7)
    x = rng.standard_normal((5000, 64))
    y = rng.standard_normal((5000, 64)) + MMD_SHIFT
    return x, y


def mmd2_population(sigma, d=64, shift=MMD_SHIFT):
    """Population MMD^2 between N(0,I) and N(shift*1,I) for k(a,b)=exp(-|a-b|^2/(2 sigma^2))."""
    s2 = sigma * sigma
    delta2 = d * shift * shift
    return 2.0 * (1.0 + 2.0 / s2) ** (-d / 2) * (1.0 - math.exp(-delta2 / (2.0 * (s2 + 2.0))))


FID_D = 2048
FID_SHIFT = 0.05
FID_SCALES = np.linspace(0.5, 1.5, FID_D)
FID_TRUTH = FID_D * FID_SHIFT ** 2 + float(np.sum((1.0 - FID_SCALES) ** 2))


def fid():
    """features1 ~ N(0, I_2048); features2 ~ N(0.05 * 1, diag(linspace(0.5, 1.5, 2048))^2);
    10,000 rows each, features1 drawn first.  Population Frechet distance = FID_TRUTH."""
    rng = np.random.default_rng(SEED + 10)
    f1 = rng.standard_normal((10_000, FID_D))
    f2 = rng.standard_normal((10_000, FID_D)) * FID_SCALES + FID_SHIFT
    return f1, f2
# --- end of the copy ---------------------------------------------------------------------------


def prepare(directory):
    x, y = mmd()
    f1, f2 = fid()
    for name, array in (("mmd_X", x), ("mmd_Y", y), ("fid_f1", f1), ("fid_f2", f2)):
        np.ascontiguousarray(array).astype("<f8").tofile(os.path.join(directory, f"{name}.f64"))


def mmd_numpy(X, Y):
    """mmd_torch.py's run() with numpy in place of torch (see the module comment)."""
    parts = {}
    t0 = time.perf_counter()
    n, m = X.shape[0], Y.shape[0]
    Z = np.concatenate([X, Y])
    norms = np.einsum("ij,ij->i", Z, Z)
    D2 = Z @ Z.T
    D2 *= -2
    D2 += norms[:, None]
    D2 += norms[None, :]
    np.maximum(D2, 0, out=D2)
    t1 = time.perf_counter()
    N = n + m
    offdiag = D2.reshape(-1)[1:].reshape(N - 1, N + 1)[:, :-1].reshape(-1)  # drops the diagonal
    k = (offdiag.size - 1) // 2  # torch.median: the lower of the two middle values
    sigma2 = float(np.partition(offdiag, k)[k])
    t2 = time.perf_counter()
    np.multiply(D2, -0.5 / sigma2, out=D2)
    np.exp(D2, out=D2)
    kxx = (D2[:n, :n].sum() - n) / (n * (n - 1))  # the diagonal is exp(0) = 1 exactly
    kyy = (D2[n:, n:].sum() - m) / (m * (m - 1))
    kxy = D2[:n, n:].mean()
    estimate = float(kxx + kyy - 2 * kxy)
    t3 = time.perf_counter()
    parts.update(cdist=t1 - t0, median=t2 - t1, kernel_sums=t3 - t2)
    return estimate, math.sqrt(sigma2), parts


def mmd_torch(X, Y):
    """/work/shared/peers/mmd_torch.py's run(), on the same arrays."""
    import torch
    torch.set_num_threads(2)
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    t0 = time.perf_counter()
    n, m = Xt.shape[0], Yt.shape[0]
    Z = torch.cat([Xt, Yt], 0)
    D2 = torch.cdist(Z, Z).pow_(2)
    t1 = time.perf_counter()
    N = n + m
    offdiag = D2.view(-1)[1:].view(N - 1, N + 1)[:, :-1]  # drops the diagonal
    sigma2 = offdiag.reshape(-1).median().item()
    t2 = time.perf_counter()
    K = D2.mul_(-0.5 / sigma2).exp_()
    kxx = (K[:n, :n].sum() - n) / (n * (n - 1))  # the diagonal is exp(0) = 1 exactly
    kyy = (K[n:, n:].sum() - m) / (m * (m - 1))
    kxy = K[:n, n:].mean()
    estimate = float(kxx + kyy - 2 * kxy)
    t3 = time.perf_counter()
    return estimate, math.sqrt(sigma2), {"cdist": t1 - t0, "median": t2 - t1,
                                         "kernel_sums": t3 - t2}


def frechet(mu1, s1, mu2, s2, eps=1e-6):
    """fid_scipy.py's frechet (pytorch-fid's calculate_frechet_distance)."""
    from scipy import linalg
    diff = mu1 - mu2
    covmean, _ = linalg.sqrtm(s1.dot(s2), disp=False)
    if not np.isfinite(covmean).all():
        off = np.eye(s1.shape[0]) * eps
        covmean = linalg.sqrtm((s1 + off).dot(s2 + off))
    imag = float(np.abs(np.imag(covmean)).max()) if np.iscomplexobj(covmean) else 0.0
    covmean = np.real(covmean)
    return float(diff @ diff + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean)), imag


def main():
    directory = sys.argv[1]
    if "--prepare" in sys.argv[2:]:
        prepare(directory)
        return

    X, Y = mmd()
    for workload, peer, run_mmd in (("mmd", "torch 1.13(cdist+median+exp,float64)", mmd_torch),
                                    ("mmd_numpy", "numpy(GEMM cdist+median+exp,float64)",
                                     mmd_numpy)):
        times, (estimate, sigma, parts) = timed(lambda: run_mmd(X, Y), min_reps=3,
                                                min_total=0.0)
        population = mmd2_population(sigma)
        emit(workload, peer, times, n=X.shape[0], m=Y.shape[0], d=X.shape[1], sigma=sigma,
             estimate=estimate, population_value=population, error=estimate - population,
             last_run_breakdown_s=parts)

    f1, f2 = fid()

    def run():
        t0 = time.perf_counter()
        mu1, s1 = f1.mean(0), np.cov(f1, rowvar=False)
        mu2, s2 = f2.mean(0), np.cov(f2, rowvar=False)
        t1 = time.perf_counter()
        value, imag = frechet(mu1, s1, mu2, s2)
        t2 = time.perf_counter()
        return value, imag, {"stats": t1 - t0, "sqrtm": t2 - t1}

    times, (value, imag, parts) = timed(run, min_reps=3, min_total=0.0)
    emit("fid", "scipy.linalg.sqrtm(pytorch-fid)", times, n=f1.shape[0], d=f1.shape[1],
         estimate=value, population_value=FID_TRUTH, seconds_stats=parts["stats"],
         seconds_sqrtm=parts["sqrtm"], max_abs_imag_covmean=imag)


if __name__ == "__main__":
    main()
