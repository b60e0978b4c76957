"""nuts100 / emcee: the peer of bench_nuts' nuts100 line (see emcee_common.py for the protocol).

    /usr/bin/python3 nuts100_emcee.py [nwalkers=32]

N(0, diag(sd^2)), sd = logspace(-1, 1, 100). Quality against the truth: max |mean_i| / sd_i and
the range of the sample sd_i / sd_i (with 32 walkers in d = 100 the walkers never leave a
31-dimensional plane: the sd ratios are wrong, and R-hat says so).
"""
import sys

from emcee_common import emit, run

import numpy as np  # noqa: E402  (after emcee_common: thread counts)

SD = np.logspace(-1, 1, 100)
INV_VAR = 1.0 / SD ** 2


def log_prob(x):
    return -0.5 * (x * x) @ INV_VAR


def main():
    walkers = int(sys.argv[1]) if len(sys.argv) > 1 else 32
    seconds, fields, draws = run(log_prob, len(SD), walkers)
    flat = draws.reshape(-1, len(SD))
    ratio = flat.std(axis=0, ddof=1) / SD
    emit("nuts100", f"emcee (stretch, {walkers} walkers)", [seconds], d=len(SD), **fields,
         max_abs_mean_over_sd=float(np.max(np.abs(flat.mean(axis=0)) / SD)),
         sd_ratio_min=float(ratio.min()), sd_ratio_max=float(ratio.max()))


if __name__ == "__main__":
    main()
