"""The workloads' data, generated exactly as /work/shared/peers/data.py does (this code is
copied from it; numpy 1.24.2 default_rng, SEED = 12345 with one offset per workload), so that
the peer scripts here run without the shared folder and give byte-identical arrays:
kde2 (+1), kde1big (+2), gmm (+3 for the true mixture and the data, +4 for the initial means).
"""
import numpy as np

SEED = 12345
MIX2D = {
    "weights": np.array([0.5, 0.3, 0.2]),
    "means": np.array([[-1.0, 0.0], [2.0, 1.0], [0.0, 3.0]]),
    "covs": np.array([
        [[1.0, 0.6], [0.6, 1.0]],
        [[0.3, 0.0], [0.0, 0.3]],
        [[0.5, -0.2], [-0.2, 0.25]],
    ]),
}
MIX1D = {
    "weights": np.array([0.7, 0.3]),
    "means": np.array([0.0, 4.0]),
    "sds": np.array([1.0, 0.5]),
}


def sample_mixture(rng, n, weights, means, covs):
    k, d = means.shape
    labels = rng.choice(k, size=n, p=weights)
    z = rng.standard_normal((n, d))
    chol = np.linalg.cholesky(covs)
    x = means[labels] + np.einsum("nij,nj->ni", chol[labels], z)
    return x, labels


def kde2():
    rng = np.random.default_rng(SEED + 1)
    train, _ = sample_mixture(rng, 20_000, **MIX2D)
    query, _ = sample_mixture(rng, 20_000, **MIX2D)
    return train, query


def kde1big():
    rng = np.random.default_rng(SEED + 2)
    n = 1_000_000
    labels = rng.choice(2, size=n, p=MIX1D["weights"])
    return MIX1D["means"][labels] + MIX1D["sds"][labels] * rng.standard_normal(n)


def gmm_params():
    rng = np.random.default_rng(SEED + 3)
    k, d = 8, 10
    weights = rng.dirichlet(np.full(k, 5.0))
    means = rng.normal(0.0, 5.0, size=(k, d))
    covs = np.empty((k, d, d))
    for j in range(k):
        a = rng.standard_normal((d, d))
        covs[j] = a @ a.T / d + 0.5 * np.eye(d)
    return {"weights": weights, "means": means, "covs": covs}, rng


def gmm():
    params, rng = gmm_params()
    X, _ = sample_mixture(rng, 100_000, params["weights"], params["means"], params["covs"])
    k, d = params["means"].shape
    rng_init = np.random.default_rng(SEED + 4)
    init_means = params["means"] + rng_init.normal(0.0, 1.0, size=(k, d))
    return X, params, init_means
