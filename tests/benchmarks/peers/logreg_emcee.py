"""logreg / emcee: the peer of bench_nuts' logreg line (see emcee_common.py for the protocol).

    /usr/bin/python3 logreg_emcee.py DIR --prepare   # write the data to DIR (before bench_nuts)
    /usr/bin/python3 logreg_emcee.py [DIR] [nwalkers=32]

Bayesian logistic regression on scikit-learn's breast_cancer: X = [1, (x - mean) / std] with the
ddof = 0 standard deviation (StandardScaler's), 569 x 31; y in {0, 1}; N(0, 10^2) priors on the
intercept and the 30 weights (as /work/shared/peers/data.py's logreg()). --prepare writes
logreg_X.f64 (569 x 31, row-major) and logreg_y.f64 (569) as raw little-endian float64.
Quality: posterior means and sds of the intercept and the first 3 weights (no closed form:
compare across samplers) and max R-hat.
"""
import os
import sys

from emcee_common import emit, run

import numpy as np  # noqa: E402  (after emcee_common: thread counts)

PRIOR_SD = 10.0


def data():
    from sklearn.datasets import load_breast_cancer

    cancer = load_breast_cancer()
    x = cancer.data.astype(np.float64)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return np.hstack([np.ones((x.shape[0], 1)), x]), cancer.target.astype(np.float64)


def main():
    args = [a for a in sys.argv[1:] if a != "--prepare"]
    if "--prepare" in sys.argv[1:]:
        X, y = data()
        X.astype("<f8").tofile(os.path.join(args[0], "logreg_X.f64"))
        y.astype("<f8").tofile(os.path.join(args[0], "logreg_y.f64"))
        return
    walkers = int(args[-1]) if args and args[-1].isdigit() else 32
    X, y = data()

    def log_prob(theta):
        eta = theta @ X.T
        return (y * eta - np.logaddexp(0.0, eta)).sum(axis=1) - 0.5 * (theta * theta).sum(axis=1) \
            / PRIOR_SD ** 2

    seconds, fields, draws = run(log_prob, X.shape[1], walkers)
    flat = draws.reshape(-1, X.shape[1])
    emit("logreg", f"emcee (stretch, {walkers} walkers)", [seconds], d=X.shape[1], **fields,
         post_mean_first4=[float(v) for v in flat.mean(axis=0)[:4]],
         post_sd_first4=[float(v) for v in flat.std(axis=0, ddof=1)[:4]])


if __name__ == "__main__":
    main()
