#!/usr/bin/env python3
"""Run alea's benchmarks beside their peers and rewrite the table in docs/performance.md.

    cmake --preset bench && cmake --build --preset bench && python3 tests/benchmarks/compare.py

Every row of ROWS pairs a workload of an alea benchmark executable (built by the `bench` preset
into build/bench) with the same workload of a peer script (tests/benchmarks/peers/, run with
/usr/bin/python3, Debian's numpy/SciPy with OpenBLAS, 2 threads). Each executable and each script
runs once, strictly one after another (never in parallel: the machine has 2 cores), and prints
one JSON line per workload: {"workload", "peer", "seconds" (best of several runs), ...}.
The table between the markers in docs/performance.md is rewritten; rows not selected with
--only keep their previous figures.

Adding a row: append a Row(...) to ROWS naming the workload, the alea executable (a target in
tests/benchmarks/CMakeLists.txt), the peer script, and the quality fields to show. "{build_dir}"
in a command's arguments becomes the build directory (where benchmarks exchange data files).
alea_workload / peer_workload pair a row with a differently named line of one side (several rows
against the same peer line: alea with 1 and 2 threads; two peers against one alea line).
prepare names a peer script (with arguments) run once before the alea executable, for workloads
whose data the peer side generates (kde: numpy's generator, as /work/shared/peers/data.py).
"""
import argparse
import dataclasses
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DOC = os.path.join(ROOT, "docs", "performance.md")
BEGIN, END = "<!-- benchmarks:begin -->", "<!-- benchmarks:end -->"
PEER_PYTHON = "/usr/bin/python3"


@dataclasses.dataclass
class Row:
    workload: str  # the "workload" field both sides print
    alea: str  # benchmark executable in the build directory, with its arguments
    peer: str  # peer script under tests/benchmarks/peers, with its arguments
    quality: tuple = ()  # JSON fields shown as "field alea / peer"
    note: str = ""  # what is measured, one line
    alea_workload: str = ""  # the alea line to use, if not named `workload`
    peer_workload: str = ""  # the peer line to use, if not named `workload`
    prepare: str = ""  # peer-python script run (once) before the alea executable: writes data


MOMENTS = ("var", "excess_kurtosis")
ROWS = [
    Row("rng_normal", "bench_rng", "rng_numpy.py", MOMENTS,
        "10^7 double N(0,1) into a preallocated array"),
    Row("rng_normal_f32", "bench_rng", "rng_numpy.py", MOMENTS,
        "10^7 float N(0,1) into a preallocated array"),
    Row("rng_uniform", "bench_rng", "rng_numpy.py", ("mean", "var"),
        "10^7 double U[0,1) into a preallocated array"),
    Row("gaussian_fit", "bench_gaussian {build_dir}", "gaussian_scipy.py {build_dir}",
        ("log_det", "max_abs_diff_mean", "max_abs_diff_cov"),
        "full-covariance MLE of 10^6 x 10 points (same data both sides); alea 2 threads, "
        "peer: SciPy 1.11's multivariate_normal.fit formula (SciPy 1.10 has no fit)"),
    Row("gaussian_fit_1thread", "bench_gaussian {build_dir}", "gaussian_scipy.py {build_dir}",
        ("log_det",), "the same, alea on 1 thread against the same 2-thread peer",
        peer_workload="gaussian_fit"),
    Row("gaussian_fit_npcov", "bench_gaussian {build_dir}", "gaussian_scipy.py {build_dir}",
        ("log_det", "max_abs_diff_cov"),
        "the same, alea 2 threads, peer: np.mean + np.cov(bias=True)",
        alea_workload="gaussian_fit"),
    Row("gaussian_logprob", "bench_gaussian {build_dir}", "gaussian_scipy.py {build_dir}",
        ("mean_log_prob", "max_abs_diff_log_prob"),
        "log densities of the same 10^6 x 10 points under the fit; alea 2 threads, peer: "
        "multivariate_normal(mean, cov).logpdf, freezing included"),
    Row("gaussian_logprob_1thread", "bench_gaussian {build_dir}", "gaussian_scipy.py {build_dir}",
        ("mean_log_prob",), "the same, alea on 1 thread against the same 2-thread peer",
        peer_workload="gaussian_logprob"),
]
KDE = dict(alea="bench_kde {build_dir}", peer="kde_peers.py {build_dir}",
           prepare="kde_peers.py {build_dir} --prepare")
KDE2_QUALITY = ("mean_logdens", "max_abs_logdens_err", "limit_seconds", "seconds_over_limit")
ROWS += [
    Row("kde2", quality=KDE2_QUALITY, peer_workload="kde2_sklearn", **KDE,
        note="Gaussian KDE, exact sums, h = 0.2: fit on 20,000 x 2 points of data.py's mixture "
             "and log densities of 20,000 queries (4e8 kernel terms); alea double, 2 threads; "
             "peer: scikit-learn KernelDensity(kd_tree, rtol=0); limit_seconds = terms / the "
             "measured rate of Eigen's vectorised exp on 2 threads"),
    Row("kde2_scipy", quality=KDE2_QUALITY[:2], alea_workload="kde2", **KDE,
        note="the same alea run against SciPy gaussian_kde (its own Scott bandwidth, a full "
             "matrix; the same 4e8 terms)"),
    Row("kde2_f32", quality=KDE2_QUALITY, peer_workload="kde2_sklearn", **KDE,
        note="kde2 in float (errors against the double brute force), against the double peer"),
    Row("kde2_tree", quality=KDE2_QUALITY[:2], peer_workload="kde2_tree_sklearn", **KDE,
        note="kde2 with the tree algorithm and rtol = 1e-4 on both sides (each query's density "
             "within 1e-4 relative of exact, guaranteed); alea double, 2 threads"),
    Row("kde1big", quality=("h", "max_rel_err_vs_exact_kde", "max_pointwise_rel_err",
                            "ise_vs_truth"), **KDE,
        note="1-D KDE of 10^6 points on 4,096 grid points: alea silverman_rule_of_thumb_1d + "
             "KernelDensity(grid, grid_size 4096) fit + log_prob on statsmodels' grid "
             "[min - 3h, max + 3h]; peer: statsmodels KDEUnivariate.fit(fft=True, "
             "bw='silverman'); errors at 256 grid points against brute-force sums"),
    Row("kde1big_scipy", quality=("ise_vs_truth",), alea_workload="kde1big", **KDE,
        note="the same alea run against SciPy gaussian_kde on the first 10^5 points only "
             "(exact sums; 1/10 of alea's data)"),
]

GMM = dict(alea="bench_gmm {build_dir}", peer="gmm_peers.py {build_dir}",
           prepare="gmm_peers.py {build_dir} --prepare")
KMEANS = dict(GMM, alea="bench_kmeans {build_dir}")
ROWS += [  # kmeans first: the peer script reads bench_kmeans' result to compare the centres
    Row("kmeans", quality=("n_iter", "ms_per_iter", "inertia", "max_abs_diff_centers",
                           "labels_differ"), **KMEANS,
        note="Lloyd k-means, k = 8, on the gmm workload's 100,000 x 10 points from its initial "
             "means, max_iter 100, tol 0 (both sides stop at strict convergence, after 3 "
             "iterations; ms_per_iter = time / n_iter); alea 2 threads; peer: scikit-learn "
             "KMeans(algorithm='lloyd'), 2 threads"),
    Row("kmeans_1thread", quality=("n_iter", "ms_per_iter"), peer_workload="kmeans", **KMEANS,
        note="the same, alea on 1 thread against the same 2-thread peer"),
    Row("gmm", quality=("mean_loglik", "n_iter", "ms_per_iter"), **GMM,
        note="GaussianMixture, 8 full-covariance components, 100 EM iterations (tol 0) on "
             "data.py's 100,000 x 10 mixture from the shared start (weights 1/8, the init "
             "means, identity precisions); alea 2 threads, peer: scikit-learn with OpenBLAS on "
             "2 threads"),
    Row("gmm_1thread", quality=("mean_loglik", "ms_per_iter"), peer_workload="gmm", **GMM,
        note="the same, alea on 1 thread against the same 2-thread peer"),
    Row("gmmsample", quality=("max_abs_mean_err", "max_abs_cov_err"), **GMM,
        note="10^7 draws from the true 8-component mixture (d = 10); errors of the sample mean "
             "and covariance against the mixture's"),
]

INFO = dict(alea="bench_info {build_dir}", peer="info_peers.py {build_dir}",
            prepare="info_peers.py {build_dir} --prepare")
ROWS += [
    Row("mi", quality=("estimate", "error"), **INFO,
        note="KSG mutual information (estimator 1, k = 3), data.py's bivariate Gaussian rho = 0.6, "
             "100,000 pairs, x and y scaled to unit variance as mutual_info_regression does; "
             "truth 0.22314; alea 2 threads, peer: scikit-learn mutual_info_regression"),
    Row("mi_1thread", quality=("estimate",), peer_workload="mi", **INFO,
        note="the same, alea on 1 thread against the same peer"),
    Row("mi_10k", quality=("estimate", "error"), **INFO,
        note="the same on the first 10,000 pairs"),
    Row("klent", quality=("estimate", "error"), **INFO,
        note="Kozachenko-Leonenko entropy (k = 3, Euclidean) of data.py's 100,000 x 5 "
             "N(0, diag(1..5)^2); truth 11.88218; alea 2 threads, peer: cKDTree(workers=2) + numpy"),
    Row("klent_1thread", quality=("estimate",), peer_workload="klent", **INFO,
        note="the same, alea on 1 thread against the same 2-worker peer"),
]

METRICS = dict(alea="bench_metrics {build_dir}", peer="metrics_peers.py {build_dir}",
               prepare="metrics_peers.py {build_dir} --prepare")
ROWS += [
    Row("mmd", quality=("sigma", "estimate", "error"), **METRICS,
        note="unbiased MMD^2, Gaussian kernel, sigma = exact median heuristic, X ~ N(0, I_64), "
             "Y ~ N(0.1, I_64), 5,000 each (data.py); alea 2 threads; peer: the shared "
             "mmd_torch.py (torch.cdist + median + exp, float64, 2 threads)"),
    Row("mmd_1thread", quality=("sigma", "estimate"), peer_workload="mmd", **METRICS,
        note="the same, alea on 1 thread against the same 2-thread peer"),
    Row("mmd_numpy", quality=("sigma", "estimate"), alea_workload="mmd", **METRICS,
        note="the same, alea 2 threads, against a numpy transcription of mmd_torch.py "
             "(GEMM cdist + median + exp, OpenBLAS 2 threads)"),
    Row("fid", quality=("estimate", "population_value", "seconds_stats"), **METRICS,
        note="Frechet distance from 10,000 x 2,048 features each (data.py's fid()); alea 2 "
             "threads; peer: pytorch-fid's np.cov + scipy.linalg.sqrtm, OpenBLAS 2 threads"),
]

# Figures recorded elsewhere, shown as a peer without a live run: a Row whose peer is
# "recorded:<key>" takes its peer lines from RECORDED[<key>].
RECORDED = {
    "stan": [  # issue 6: CmdStan 2.32.2 on this machine's kind, NUTS with Stan's defaults
        # (diagonal metric), 4 chains x (1,000 warm-up + 1,000 draws) one after another on one
        # thread; seconds = all 4 chains, warm-up included; ESS per gradient counts the
        # warm-up's gradients; ESS per sampling second is over the 4 chains' sampling time.
        {"workload": "nuts100", "peer": "Stan 2.32.2 NUTS (recorded, issue 6)", "seconds": 0.54,
         "min_ess_bulk": 3868, "ess_per_gradient": 0.0194, "ess_per_sampling_second": 31000},
        {"workload": "logreg", "peer": "Stan 2.32.2 NUTS (recorded, issue 6)", "seconds": 13.9,
         "min_ess_bulk": 2253, "ess_per_gradient": 0.00204, "ess_per_sampling_second": 353},
    ],
}

NUTS = dict(alea="bench_nuts {build_dir}", prepare="logreg_emcee.py {build_dir} --prepare")
NUTS_QUALITY = ("min_ess_bulk", "ess_per_gradient", "ess_per_sampling_second")
EMCEE_QUALITY = ("min_ess_bulk", "max_rhat", "ess_per_second")
ROWS += [
    Row("nuts100", peer="recorded:stan", quality=NUTS_QUALITY + ("ns_overhead_per_leapfrog",),
        **NUTS,
        note="NUTS on N(0, diag(logspace(-1, 1, 100))^2), Stan's defaults (diagonal metric), 4 "
             "chains x (1,000 warm-up + 1,000 draws) one after another on 1 thread, inits "
             "uniform(-2, 2); peer: Stan 2.32.2's figures recorded in issue 6 (same protocol, "
             "not re-run here); seconds include warm-up; ns_overhead_per_leapfrog = sampling "
             "time per leapfrog step - the gradient's time"),
    Row("nuts100_2threads", peer="recorded:stan", quality=NUTS_QUALITY, peer_workload="nuts100",
        **NUTS, note="the same, alea's 4 chains on 2 threads, against Stan's 1-thread figures"),
    Row("nuts100_emcee", peer="nuts100_emcee.py", quality=EMCEE_QUALITY, alea_workload="nuts100",
        peer_workload="nuts100", **NUTS,
        note="the same alea run against emcee 3 (stretch move, 32 walkers, 1,000 + 1,000 steps, "
             "each walker a chain): 32 walkers never leave a 31-dimensional plane in d = 100, "
             "so emcee's R-hat is far above 1 and its ESS is not meaningful"),
    Row("logreg", peer="recorded:stan", quality=NUTS_QUALITY, **NUTS,
        note="NUTS on the Bayesian logistic regression of breast_cancer (569 x 31, standardised, "
             "N(0, 10^2) priors), analytic gradient by two Eigen GEMVs, protocol and peer as "
             "nuts100"),
    Row("logreg_2threads", peer="recorded:stan", quality=NUTS_QUALITY, peer_workload="logreg",
        **NUTS, note="the same, alea's 4 chains on 2 threads, against Stan's 1-thread figures"),
    Row("logreg_emcee", peer="logreg_emcee.py {build_dir}", quality=EMCEE_QUALITY,
        alea_workload="logreg", peer_workload="logreg", **NUTS,
        note="the same alea run against emcee 3 (32 walkers, as nuts100_emcee)"),
]


def run(command, env=None):
    """Runs one command, returns its JSON lines keyed by workload."""
    print("$ " + " ".join(command), file=sys.stderr, flush=True)
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"compare.py: {' '.join(command)} failed (exit {proc.returncode}):\n{proc.stderr}")
    records = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            records[record["workload"]] = record
    return records


def number(x):
    if isinstance(x, float):
        return f"{x:.5f}" if abs(x) < 100 else f"{x:.5g}"
    return str(x)


def table_line(row, mine, theirs):
    ratio = theirs["seconds"] / mine["seconds"]

    def shown(f):  # "f alea / peer", or one value for a field only one side reports
        if f not in mine or f not in theirs:
            return f"{f} {number(mine.get(f, theirs.get(f)))}"
        return f"{f} {number(mine[f])} / {number(theirs[f])}"

    quality = ", ".join(shown(f) for f in row.quality)
    return (f"| {row.workload} | {mine['seconds']:.4f} | {theirs['peer']} | "
            f"{theirs['seconds']:.4f} | {ratio:.2f} | {quality} |")


HEADER = ("| workload | alea s | peer | peer s | ratio (peer/alea, >1: alea faster) | "
          "quality (alea / peer) |\n|---|---:|---|---:|---:|---|")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build", "bench"),
                        help="the bench preset's build directory (default build/bench)")
    parser.add_argument("--only", nargs="*", help="workloads to run (default: every row)")
    parser.add_argument("--dry-run", action="store_true", help="print the table, leave the doc")
    args = parser.parse_args()

    rows = [r for r in ROWS if not args.only or r.workload in args.only]
    with open("/proc/loadavg") as f:
        load_at_start = " ".join(f.read().split()[:3])
    env = dict(os.environ, OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="2", MKL_NUM_THREADS="2")
    alea_out, peer_out, prepared = {}, {}, set()
    for row in rows:  # one run per distinct command, in table order, one after another
        if row.prepare and row.prepare not in prepared:
            script, *rest = [a.format(build_dir=args.build_dir) for a in row.prepare.split()]
            run([PEER_PYTHON, os.path.join(HERE, "peers", script), *rest], env)
            prepared.add(row.prepare)
        if row.alea not in alea_out:
            exe, *rest = [a.format(build_dir=args.build_dir) for a in row.alea.split()]
            path = os.path.join(args.build_dir, "tests", "benchmarks", exe)
            if not os.path.exists(path):
                sys.exit(f"compare.py: {path} not found; build it: cmake --preset bench && "
                         f"cmake --build --preset bench")
            alea_out[row.alea] = run([path, *rest], env)
        if row.peer.startswith("recorded:"):
            peer_out.setdefault(row.peer, {r["workload"]: r for r in RECORDED[row.peer[9:]]})
        if row.peer not in peer_out:
            script, *rest = [a.format(build_dir=args.build_dir) for a in row.peer.split()]
            peer_out[row.peer] = run([PEER_PYTHON, os.path.join(HERE, "peers", script), *rest], env)

    with open(DOC) as f:
        doc = f.read()
    start, stop = doc.index(BEGIN), doc.index(END)
    old = {}
    for line in doc[start:stop].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells[0] not in ("workload",):
            old[cells[0]] = line
    lines = []
    for row in ROWS:
        if row in rows:
            mine = alea_out[row.alea].get(row.alea_workload or row.workload)
            theirs = peer_out[row.peer].get(row.peer_workload or row.workload)
            if mine is None or theirs is None:
                sys.exit(f"compare.py: no '{row.workload}' line from "
                         f"{row.alea if mine is None else row.peer}")
            lines.append(table_line(row, mine, theirs))
        elif row.workload in old:
            lines.append(old[row.workload])
    legend = "\n".join(f"- {row.workload}: {row.note}" for row in ROWS if row.note)
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    # One "Measured" line per run. With --only, the lines of earlier runs stay unless this run
    # re-measured every workload they name ("Measured <date> (<workloads>); ..."); a line
    # without a list is from a full run and describes the rows not re-run.
    names = [row.workload for row in rows]
    measured = []
    if args.only:
        for line in doc[start:stop].splitlines():
            listed = re.match(r"Measured \S+ \(([^)]*)\)", line)
            if line.startswith("Measured ") and not (
                    listed and set(listed.group(1).split(", ")) <= set(names)):
                measured.append(line)
    which = f" ({', '.join(names)})" if args.only else ""
    measured.append(f"Measured {time.strftime('%Y-%m-%d')}{which}; load average (1, 5, 15 min) "
                    f"at the start of the run: {load_at_start}, at the end: {load}.")
    legend += "\n\n" + "\n\n".join(measured)
    table = HEADER + "\n" + "\n".join(lines) + "\n\n" + legend
    print(table)
    if not args.dry_run:
        doc = doc[:start] + BEGIN + "\n" + table + "\n" + doc[stop:]
        with open(DOC, "w") as f:
            f.write(doc)
        print(f"updated {os.path.relpath(DOC, ROOT)}", file=sys.stderr)
    print("reproduce: cmake --preset bench && cmake --build --preset bench && "
          "python3 tests/benchmarks/compare.py", file=sys.stderr)


if __name__ == "__main__":
    main()
