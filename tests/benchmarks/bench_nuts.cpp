// NUTS: the nuts100 and logreg workloads of /work/shared/peers/WORKLOADS.md beside Stan 2.32.2
// (figures recorded on this machine's kind, from issue 6) and peers/nuts100_emcee.py /
// peers/logreg_emcee.py (emcee, 32 walkers).
//
//   nuts100      N(0, diag(sd^2)), sd = logspace(-1, 1, 100), d = 100
//   logreg       Bayesian logistic regression on sklearn's breast_cancer, standardised (ddof 0),
//                intercept + 30 weights, N(0, 10^2) priors; analytic gradient
//                X^T (y - sigmoid(X b)) - b / 100 in one blocked pass over X
//
// Both as Stan ran them: NUTS, diagonal metric, Stan's defaults (adapt delta 0.8, max depth 10,
// windowed warm-up), 4 chains x (1,000 warm-up + 1,000 draws), inits uniform(-2, 2). `nuts100`
// and `logreg` run the 4 chains one after another on one thread (Stan's figures are of that
// kind: compare per thread); `*_2threads` run them on 2 threads (this machine's cores). Each
// run repeats with the same seed (the same draws) and the fastest is reported.
//
// Fields: seconds (all 4 chains, warm-up included), warmup_seconds and sampling_seconds (summed
// over chains), gradients (all evaluations, warm-up and step-size searches included),
// min_ess_bulk, min_ess_tail, max_rhat (alea's diagnostics.hpp: rank-normalised split, as
// ArviZ and Stan), ess_per_gradient (min bulk-ESS / gradients), ess_per_sampling_second (min
// bulk-ESS / summed sampling seconds, Stan's "per second of sampling"), ess_per_second (over
// the total seconds), mean tree depth, step sizes, divergences, the first 4 posterior means.
// The 1-thread lines split the time per leapfrog step of the sampling phase into the
// gradient's (timed apart, through the sampler's TargetEvaluator, on the run's draws) and the
// sampler's own: ns_per_leapfrog, ns_per_gradient, ns_overhead_per_leapfrog.
//
// Usage: bench_nuts DIR, where DIR holds what `peers/logreg_emcee.py DIR --prepare` wrote
// (logreg_X.f64, 569 x 31, and logreg_y.f64).
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "alea/sampling/diagnostics.hpp"
#include "alea/sampling/nuts.hpp"
#include "bench.hpp"

namespace {

using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace as = alea::sampling;

/// N(0, diag(sd^2)): log p = -sum (x_i / sd_i)^2 / 2.
struct Nuts100 {
  VectorX<double> precision;  // 1 / sd^2
  double log_prob(const VectorX<double>& x) const {
    return -0.5 * (x.array().square() * precision.array()).sum();
  }
  double grad_log_prob(const VectorX<double>& x, VectorX<double>& grad) const {
    grad.array() = -x.array() * precision.array();
    return 0.5 * x.dot(grad);
  }
};

/// Bernoulli-logit likelihood of y given X b, with N(0, prior_sd^2) priors on every b_j.
///
/// The gradient makes one pass over X: blocks of 64 rows (31 columns of 64 contiguous doubles,
/// 16 KB, in L1) give eta = X b for the block and at once their share of X^T sigmoid(eta), so X
/// (141 KB, in L2) is read once per gradient instead of twice as by two GEMVs (measured 20%
/// faster than `X * b` then `X.transpose() * e`). X is padded to whole blocks with zero rows,
/// whose contribution is known exactly and taken out (eta = 0 there: log(1 + e^0) = log 2 each,
/// and a zero row adds nothing to the gradient).
struct LogisticRegression {
  static constexpr Index block = 64;
  using Block = Eigen::Array<double, block, 1>;
  using Panel = Eigen::Array<double, 8, block / 8>;  // a block as 8 lanes of block / 8 values

  MatrixX<double> X;    // padded to whole blocks: rows x p, the first column ones
  VectorX<double> Xty;  // X^T y, y in {0, 1}
  Index rows = 0;       // real rows (the rest is padding)
  double prior_precision = 1.0 / 100;

  LogisticRegression(const MatrixX<double>& features, const VectorX<double>& y)
      : X(MatrixX<double>::Zero((features.rows() + block - 1) / block * block, features.cols())),
        Xty(features.transpose() * y),
        rows(features.rows()) {
    X.topRows(rows) = features;
  }

  double log_prob(const VectorX<double>& b) const {
    VectorX<double> grad(b.size());
    return grad_log_prob(b, grad);
  }

  // eta = X b; log p = sum_i [y_i eta_i - log(1 + exp(eta_i))] - b.b / 200
  //                  = (X^T y).b - sum_i [max(eta_i, 0) + log(1 + e_i)] - b.b / 200,
  // e = exp(-|eta|), and sum_i log(1 + e_i) = log prod_i (1 + e_i) per block (each factor in
  // [1, 2]: one logarithm per block instead of one per row);
  // grad = X^T (y - sigmoid(eta)) - b / 100, sigmoid(eta) = (eta >= 0 ? 1 : e) / (1 + e).
  double grad_log_prob(const VectorX<double>& b, VectorX<double>& grad) const {
    const Index p = X.cols();
    thread_local Eigen::Array<double, 8, Eigen::Dynamic> lanes;  // per thread: parallel chains
    lanes.setZero(8, p);
    double softplus = 0;
    for (Index i0 = 0; i0 < X.rows(); i0 += block) {
      Block eta = Block::Zero();
      for (Index j = 0; j < p; ++j)
        eta += Eigen::Map<const Block>(X.col(j).data() + i0) * b(j);
      const Block e = (-eta.abs()).exp();
      softplus += eta.max(0.0).sum() + std::log((1.0 + e).prod());
      const Block sigmoid = (eta >= 0).select(Block::Ones(), e) / (1.0 + e);
      const Eigen::Map<const Panel> s(sigmoid.data());
      for (Index j = 0; j < p; ++j)
        lanes.col(j) += (Eigen::Map<const Panel>(X.col(j).data() + i0) * s).rowwise().sum();
    }
    softplus -= static_cast<double>(X.rows() - rows) * std::log(2.0);  // the padding rows
    grad = Xty - prior_precision * b - lanes.colwise().sum().transpose().matrix();
    return Xty.dot(b) - softplus - 0.5 * prior_precision * b.squaredNorm();
  }
};

struct Run {
  as::Chains chains;
  double seconds = 0;
};

template <class F>
Run run_nuts(const F& target, Index dim, Index threads) {
  as::NutsSettings s;
  s.seed = 20240601;
  s.num_threads = threads;
  Run run;
  const auto start = std::chrono::steady_clock::now();
  run.chains = as::nuts(target, as::InitialPoints::uniform(dim), s);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

/// Runs `reps` times (same seed, same draws) and keeps the fastest run.
template <class F>
Run fastest(const F& target, Index dim, Index threads, int reps, alea::bench::Timing& timing) {
  Run best;
  for (int r = 0; r < reps; ++r) {
    Run run = run_nuts(target, dim, threads);
    timing.times.push_back(run.seconds);
    if (r == 0 || run.seconds < best.seconds) best = std::move(run);
  }
  return best;
}

/// The figures of a run, as JSON fields.
nlohmann::json figures(const Run& run, Index threads) {
  const as::Chains& c = run.chains;
  double warmup = 0, sampling = 0, depth = 0, leapfrogs = 0;
  Index gradients = 0, divergences = 0;
  std::vector<double> step_sizes;
  for (Index k = 0; k < c.num_chains(); ++k) {
    warmup += c.info(k).warmup_seconds;
    sampling += c.info(k).sampling_seconds;
    gradients += c.info(k).gradient_evaluations;
    divergences += c.info(k).divergences;
    step_sizes.push_back(c.info(k).step_size);
    depth += c.statistic(k, "treedepth__").mean() / static_cast<double>(c.num_chains());
    leapfrogs += c.statistic(k, "n_leapfrog__").sum();
  }
  const double ess_bulk = as::ess_bulk(c).minCoeff();
  const VectorX<double> mean = c.pooled().colwise().mean();
  const std::vector<double> mean_first4(mean.data(), mean.data() + std::min<Index>(4, c.dim()));
  return {{"d", c.dim()},
          {"threads", threads},
          {"chains", c.num_chains()},
          {"warmup", 1000},
          {"draws", c.num_samples()},
          {"warmup_seconds", alea::bench::round6(warmup)},
          {"sampling_seconds", alea::bench::round6(sampling)},
          {"gradients", gradients},
          {"sampling_leapfrogs", static_cast<Index>(leapfrogs)},
          {"min_ess_bulk", ess_bulk},
          {"min_ess_tail", as::ess_tail(c).minCoeff()},
          {"max_rhat", as::rhat(c).maxCoeff()},
          {"ess_per_gradient", ess_bulk / static_cast<double>(gradients)},
          {"ess_per_sampling_second", ess_bulk / sampling},
          {"ess_per_second", ess_bulk / run.seconds},
          {"mean_treedepth", depth},
          {"step_sizes", step_sizes},
          {"divergences", divergences},
          {"post_mean_first4", mean_first4}};
}

/// Seconds per gradient evaluation of `target` through the sampler's evaluator, on the draws
/// (copied out first, so that the timing reads contiguous vectors as the sampler does).
template <class F>
double gradient_seconds(const F& target, const as::Chains& chains) {
  as::TargetEvaluator<F> evaluator(target);
  std::vector<VectorX<double>> points;
  for (Index k = 0; k < chains.num_chains(); ++k)
    for (Index i = 0; i < chains.num_samples(); ++i)
      points.push_back(chains.draws(k).row(i).transpose());
  VectorX<double> grad(chains.dim());
  double sink = 0;
  const auto timing = alea::bench::time_best_of(
      [&] {
        for (const auto& x : points)
          sink += evaluator.log_prob_and_gradient(x, grad) + grad(0);
      },
      5, 0.5);
  if (sink == 0.123) std::printf("#\n");  // keeps the loop
  return timing.best() / static_cast<double>(points.size());
}

/// Runs `name` on 1 thread (line `name`, with the cost per leapfrog step split into the
/// gradient's and the sampler's) and on 2 threads (line `name`_2threads).
template <class F>
void workload(const std::string& name, const F& target, Index dim, int reps) {
  for (const Index threads : {1, 2}) {
    alea::bench::Timing timing;
    const Run best = fastest(target, dim, threads, reps, timing);
    nlohmann::json fields = figures(best, threads);
    if (threads == 1) {
      const double per_step =
          fields["sampling_seconds"].get<double>() / fields["sampling_leapfrogs"].get<double>();
      const double per_gradient = gradient_seconds(target, best.chains);
      fields["ns_per_leapfrog"] = per_step * 1e9;
      fields["ns_per_gradient"] = per_gradient * 1e9;
      fields["ns_overhead_per_leapfrog"] = (per_step - per_gradient) * 1e9;
    }
    alea::bench::emit(threads == 1 ? name : name + "_2threads", timing, fields);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_nuts DIR (after peers/logreg_emcee.py DIR --prepare)\n");
    return 2;
  }
  const std::string dir = argv[1];

  Nuts100 nuts100{VectorX<double>(100)};
  for (Index i = 0; i < 100; ++i) {
    const double sd = std::pow(10.0, -1 + 2.0 * static_cast<double>(i) / 99);
    nuts100.precision(i) = 1 / (sd * sd);
  }
  workload("nuts100", nuts100, 100, 7);

  MatrixX<double> X = alea::bench::read_f64(dir + "/logreg_X.f64", 31, "bench_nuts");
  const VectorX<double> y = alea::bench::read_f64(dir + "/logreg_y.f64", 1, "bench_nuts");
  if (X.rows() != y.size() || X.rows() == 0 || X.rows() >= 1000) {
    std::fprintf(stderr, "bench_nuts: %s/logreg_*.f64 have inconsistent sizes\n", dir.c_str());
    return 1;
  }
  const LogisticRegression logreg(X, y);
  workload("logreg", logreg, 31, 3);
  return 0;
}
