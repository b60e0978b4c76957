"""emcee on the NUTS workloads (nuts100_emcee.py, logreg_emcee.py): the run protocol and the
diagnostics, computed as bench_nuts computes them with alea's diagnostics.hpp.

Protocol (as /work/shared/peers/emcee_common.py): emcee.EnsembleSampler with the default
StretchMove (a = 2) and a vectorised log density, 1,000 warm-up + 1,000 kept steps, walkers
started uniform(-2, 2) in every coordinate (Stan's default init) from default_rng(12345 + 100);
emcee draws from numpy's global RandomState, seeded 12345. emcee refuses fewer than 2 d walkers
unless StretchMove(live_dangerously=True) and skip_initial_state_check=True, which are passed
when needed so that 32 walkers run at all. The stretch move keeps every walker in the affine
hull of the initial walkers: with 32 walkers in d = 100 the chains cannot leave a 31-dimensional
plane, so their variances stay wrong however long they run (the sd_ratio fields show it).
Time = run_mcmc (warm-up and sampling together). Each walker is taken as a chain (ArviZ's
convention for emcee output); emcee's own autocorrelation-time ESS is reported beside.

Diagnostics (Vehtari, Gelman, Simpson, Carpenter and Buerkner 2021, as alea, ArviZ and Stan):
chains split in halves; rank normalisation z = Phi^-1((r - 3/8) / (S + 1/4)) with average ranks
over all draws; autocovariances by FFT; Geyer's initial positive then monotone sequence; ESS at
most S log10 S; bulk-ESS of the normal scores; tail-ESS the smaller ESS of the indicators of the
5% and 95% quantiles; R-hat the larger split R-hat of the normal scores of x and of |x - median|.
"""
import logging
import math
import time

from peer_timing import emit  # noqa: F401  (first: sets the thread counts before numpy)

import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

SEED = 12345
WARMUP, DRAWS = 1000, 1000


def split_chains(x):
    """(m, n) -> (2m, n // 2): the two halves of every chain (an odd n drops the middle draw)."""
    half = x.shape[1] // 2
    return np.concatenate([x[:, :half], x[:, x.shape[1] - half:]], axis=0)


def normal_scores(x):
    ranks = stats.rankdata(x, method="average").reshape(x.shape)
    return stats.norm.ppf((ranks - 0.375) / (x.size + 0.25))


def ess_of(x):
    """ESS of the (m, n) chains as given; Geyer's initial monotone sequence estimator."""
    m, n = x.shape
    if np.ptp(x) == 0:
        return float("nan")
    centred = x - x.mean(axis=1, keepdims=True)
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(centred, n=size, axis=1)
    acov = np.fft.irfft(spectrum * np.conj(spectrum), n=size, axis=1)[:, :n] / n
    within = acov[:, 0].mean() * n / (n - 1)
    var_plus = within * (n - 1) / n + (np.var(x.mean(axis=1), ddof=1) if m > 1 else 0.0)
    rho = 1 - (within - acov.mean(axis=0)) / var_plus
    kept = np.zeros(n)
    kept[0], kept[1] = 1.0, rho[1]
    even, odd = 1.0, rho[1]
    t = 1
    while t < n - 3 and even + odd > 0:  # initial positive sequence of pair sums
        even, odd = rho[t + 1], rho[t + 2]
        if even + odd >= 0:
            kept[t + 1], kept[t + 2] = even, odd
        t += 2
    last = t - 2
    if even > 0:
        kept[last + 1] = even
    for t in range(1, last - 1, 2):  # initial monotone sequence
        if kept[t + 1] + kept[t + 2] > kept[t - 1] + kept[t]:
            kept[t + 1] = kept[t + 2] = 0.5 * (kept[t - 1] + kept[t])
    tau = -1 + 2 * kept[:last + 1].sum() + kept[last + 1]
    total = m * n
    return float(total / max(tau, 1 / math.log10(total)))


def ess_bulk(x):
    return ess_of(normal_scores(split_chains(x)))


def ess_tail(x):
    return min(ess_of(split_chains((x <= np.quantile(x, p)).astype(float))) for p in (0.05, 0.95))


def split_rhat(x):
    m, n = x.shape
    between = n * np.var(x.mean(axis=1), ddof=1)
    within = np.var(x, axis=1, ddof=1).mean()
    return float(np.sqrt((between / within + n - 1) / n))


def rhat(x):
    s = split_chains(x)
    return max(split_rhat(normal_scores(s)), split_rhat(normal_scores(np.abs(s - np.median(s)))))


def run(log_prob_vec, ndim, nwalkers):
    """Runs emcee; returns (seconds, fields, draws (walkers, draws, ndim))."""
    import emcee

    rng = np.random.default_rng(SEED + 100)
    p0 = rng.uniform(-2.0, 2.0, size=(nwalkers, ndim))
    unsafe = nwalkers < 2 * ndim
    move = emcee.moves.StretchMove(live_dangerously=unsafe)
    np.random.seed(SEED)
    sampler = emcee.EnsembleSampler(nwalkers, ndim, log_prob_vec, moves=[move], vectorize=True)
    start = time.perf_counter()
    sampler.run_mcmc(p0, WARMUP + DRAWS, progress=False, skip_initial_state_check=unsafe)
    seconds = time.perf_counter() - start
    draws = np.transpose(sampler.get_chain(discard=WARMUP), (1, 0, 2))
    bulk = min(ess_bulk(draws[:, :, j]) for j in range(ndim))
    tail = min(ess_tail(draws[:, :, j]) for j in range(ndim))
    worst_rhat = max(rhat(draws[:, :, j]) for j in range(ndim))
    logging.disable(logging.WARNING)  # quiet=True still logs "chain is shorter than 50 tau"
    tau = sampler.get_autocorr_time(discard=WARMUP, quiet=True)
    logging.disable(logging.NOTSET)
    evaluations = nwalkers * (WARMUP + DRAWS)
    fields = {"walkers": nwalkers, "warmup": WARMUP, "draws": DRAWS, "live_dangerously": unsafe,
              "acceptance": float(np.mean(sampler.acceptance_fraction)),
              "log_prob_evaluations": evaluations, "min_ess_bulk": bulk, "min_ess_tail": tail,
              "max_rhat": worst_rhat, "ess_per_second": bulk / seconds,
              "ess_per_log_prob_evaluation": bulk / evaluations,
              "emcee_min_ess_autocorr": float(nwalkers * DRAWS / np.max(tau))}
    return seconds, fields, draws
