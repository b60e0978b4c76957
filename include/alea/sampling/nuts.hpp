#pragma once
/// @file
/// @brief The No-U-Turn Sampler as in Stan (base_nuts): multinomial sampling over the
/// trajectory, the generalised U-turn criterion with checks across subtree seams, Stan's
/// warm-up, Stan's per-draw statistics.
///
/// References: Hoffman and Gelman (2014), "The No-U-Turn Sampler", JMLR 15 (tree doubling);
/// Betancourt (2017), "A Conceptual Introduction to Hamiltonian Monte Carlo", arXiv:1701.02434,
/// appendix A (multinomial sampling; biased progressive sampling between the old trajectory
/// and each new subtree, uniform progressive sampling inside a subtree; the U-turn criterion
/// on rho, the sum of momenta, with M^{-1} p at the ends); the checks across the seam between
/// two merged subtrees are Stan's since 2019 (stan-dev/stan#2800, "robust no-U-turn").
///
/// A transition draws p ~ N(0, M) and doubles the trajectory, forwards or backwards at random,
/// until the criterion fails on the whole trajectory or inside the new subtree, a leapfrog step
/// diverges (H - H0 > max_energy_error, or the target failed there) or the tree reaches
/// max_depth doublings (2^max_depth - 1 leapfrog steps).
///
/// Implementation: a subtree of depth D is built leaf by leaf (iteratively, not by recursion).
/// After leaf i the subtrees of depth 1..ctz(i + 1) that end there are merged; a finished
/// subtree that is the first half of its parent waits in a per-depth slot. Every buffer is
/// allocated once per chain, so a transition allocates nothing.

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alea/core/checks.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/core/types.hpp"
#include "alea/sampling/adaptation.hpp"
#include "alea/sampling/chains.hpp"
#include "alea/sampling/hamiltonian.hpp"
#include "alea/sampling/metric.hpp"
#include "alea/sampling/runner.hpp"
#include "alea/sampling/target.hpp"

namespace alea::sampling {

/// NUTS settings with Stan's defaults (CmdStan's `sample algorithm=hmc engine=nuts`): the
/// fields of HamiltonianSettings (step size, metric, adaptation) and of SampleSettings, plus the
/// maximum tree depth.
///
/// @code
/// NutsSettings s;
/// s.num_samples = 2000;
/// s.target_accept = 0.9;
/// s.metric = Metric::dense;
/// @endcode
struct NutsSettings : HamiltonianSettings {
  /// Maximum number of trajectory doublings per transition (Stan's max_depth); 1 to 30.
  int max_depth = 10;
};

/// The per-draw statistics of nuts(), in this column order.
inline std::vector<std::string> nuts_statistic_names() {
  return {"lp__",         "accept_stat__", "stepsize__", "treedepth__",
          "n_leapfrog__", "divergent__",   "energy__"};
}

namespace detail {

/// What one NUTS transition reports: Stan's sampler parameters, in nuts_statistic_names()
/// order (lp__, accept_stat__, stepsize__, treedepth__, n_leapfrog__, divergent__, energy__).
struct NutsTransition {
  /// accept_stat__: mean of min(1, exp(H0 - H)) over the leapfrog steps, rejected subtrees
  /// included.
  double accept_stat = 0;
  bool divergent = false;
  std::array<double, 7> statistics{};
};

/// One NUTS chain's state and workspace for a metric of kind K; `Evaluator` is a
/// TargetEvaluator. See the file comment.
template <Metric K, class Evaluator>
class NutsKernel {
 public:
  NutsKernel(Evaluator& target, const InverseMetric& metric, int max_depth, Index dim,
             double max_energy_error)
      : target_(&target),
        metric_(&metric),
        max_depth_(max_depth),
        max_energy_error_(max_energy_error),
        forward_(dim),
        backward_(dim),
        sample_(dim),
        proposal_(dim),
        rho_(dim),
        proposal_rho_(dim),
        old_end_(dim),
        first_(static_cast<std::size_t>(max_depth) + 1, Ends(dim)),
        waiting_(static_cast<std::size_t>(max_depth), Subtree(dim)) {}

  /// Evaluates the target at x, which must give a finite log density and gradient.
  void start(std::string_view function, const VectorX<double>& x) {
    sample_.position = x;
    sample_.log_prob = target_->initial_log_prob_and_gradient(function, x, sample_.gradient);
  }

  /// The current point.
  [[nodiscard]] const VectorX<double>& position() const noexcept { return sample_.position; }
  [[nodiscard]] const VectorX<double>& gradient() const noexcept { return sample_.gradient; }
  [[nodiscard]] double log_prob() const noexcept { return sample_.log_prob; }

  /// One transition with step size `step` from the current point (the nominal step size, before
  /// jitter, is not used).
  template <RandomEngine G>
  NutsTransition transition(double /*nominal_step*/, double step, G& rng) {
    PhasePoint& z = forward_;
    z.position = sample_.position;
    z.gradient = sample_.gradient;
    z.log_prob = sample_.log_prob;
    refresh_momentum<K>(*metric_, rng, z);
    const double h0 = z.hamiltonian();
    sample_.kinetic = z.kinetic;
    backward_ = forward_;
    rho_ = z.momentum;

    double log_sum_weight = 0;  // log of the summed weights exp(H0 - H), offset by H0
    n_leapfrog_ = 0;
    sum_metropolis_ = 0;
    divergent_ = false;
    int depth = 0;
    while (depth < max_depth_) {
      const bool forwards = uniform01<double>(rng) > 0.5;
      PhasePoint& end = forwards ? forward_ : backward_;
      const PhasePoint& other = forwards ? backward_ : forward_;
      old_end_.momentum = end.momentum;
      old_end_.velocity = end.velocity;
      if (!build_subtree(depth, end, forwards ? step : -step, h0, rng)) break;
      ++depth;

      // Biased progressive sampling: the new subtree's proposal replaces the sample with
      // probability min(1, w_subtree / w_old) (Betancourt 2017, appendix A.3.2).
      const double difference = proposal_log_weight_ - log_sum_weight;
      const double ratio = std::exp(-std::abs(difference));
      if (difference > 0 || uniform01<double>(rng) < ratio) sample_.swap(proposal_);
      log_sum_weight = std::max(log_sum_weight, proposal_log_weight_) + std::log1p(ratio);

      // U-turn criterion across the seam between the old trajectory and the new subtree (each
      // extended by the other's neighbouring point), then over the whole trajectory.
      const VectorX<double>& first_momentum =
          depth == 1 ? end.momentum : first_[static_cast<std::size_t>(depth - 1)].momentum;
      const VectorX<double>& first_velocity =
          depth == 1 ? end.velocity : first_[static_cast<std::size_t>(depth - 1)].velocity;
      bool persist = no_u_turn(other.velocity, first_velocity, rho_ + first_momentum) &&
                     no_u_turn(old_end_.velocity, end.velocity, proposal_rho_ + old_end_.momentum);
      rho_ += proposal_rho_;
      persist = persist && no_u_turn(other.velocity, end.velocity, rho_);
      if (!persist) break;
    }
    NutsTransition out;
    out.accept_stat = sum_metropolis_ / static_cast<double>(n_leapfrog_);
    out.divergent = divergent_;
    out.statistics = {sample_.log_prob,
                      out.accept_stat,
                      step,
                      static_cast<double>(depth),
                      static_cast<double>(n_leapfrog_),
                      divergent_ ? 1.0 : 0.0,
                      sample_.kinetic - sample_.log_prob};  // energy__: H at the selected point
    return out;
  }

 private:
  // A candidate point: what the chain keeps of a phase-space point.
  struct Point {
    VectorX<double> position, gradient;
    double log_prob = 0;
    double kinetic = 0;
    explicit Point(Index dim) : position(dim), gradient(dim) {}
    void swap(Point& other) noexcept {
      position.swap(other.position);
      gradient.swap(other.gradient);
      std::swap(log_prob, other.log_prob);
      std::swap(kinetic, other.kinetic);
    }
    void assign(const PhasePoint& z) {
      position = z.position;
      gradient = z.gradient;
      log_prob = z.log_prob;
      kinetic = z.kinetic;
    }
  };
  // Momentum and velocity at one end of a subtree.
  struct Ends {
    VectorX<double> momentum, velocity;
    explicit Ends(Index dim) : momentum(dim), velocity(dim) {}
  };
  // A finished subtree waiting for its sibling: proposal, log weight, sum of momenta, and the
  // momentum and velocity at its last point.
  struct Subtree {
    Point proposal;
    double log_weight = 0;
    VectorX<double> rho;
    Ends last;
    explicit Subtree(Index dim) : proposal(dim), rho(dim), last(dim) {}
  };

  // Stan's compute_criterion: no U-turn while both ends still move along rho.
  template <class Rho>
  static bool no_u_turn(const VectorX<double>& velocity_minus, const VectorX<double>& velocity_plus,
                        const Eigen::MatrixBase<Rho>& rho) {
    return velocity_plus.dot(rho) > 0 && velocity_minus.dot(rho) > 0;
  }

  // Builds a subtree of `depth` doublings (2^depth leapfrog steps of size `step`) from `end`,
  // which moves to the subtree's last point. On success the subtree's proposal, log weight and
  // sum of momenta are in proposal_, proposal_log_weight_ and proposal_rho_, and (for depth
  // >= 1) its first point's momentum and velocity in first_[depth]. Returns false when a step
  // diverged or the criterion failed inside the subtree.
  template <RandomEngine G>
  bool build_subtree(int depth, PhasePoint& end, double step, double h0, G& rng) {
    const Index leaves = Index{1} << depth;
    for (Index i = 0; i < leaves; ++i) {
      leapfrog<K>(*target_, *metric_, end, step);
      ++n_leapfrog_;
      const double log_weight = h0 - end.hamiltonian();  // the leaf's weight is exp(H0 - H)
      if (-log_weight > max_energy_error_) divergent_ = true;
      sum_metropolis_ += log_weight > 0 ? 1.0 : std::exp(log_weight);
      if (divergent_) return false;

      if (depth == 0) {  // a single leaf: its own proposal, rho = p
        proposal_.assign(end);
        proposal_log_weight_ = log_weight;
        proposal_rho_ = end.momentum;
        return true;
      }
      if (i % 2 == 0) {  // the left half of a depth-1 subtree (its rho is its momentum)
        Subtree& slot = waiting_[0];
        slot.proposal.assign(end);
        slot.log_weight = log_weight;
        slot.last.momentum = end.momentum;
        slot.last.velocity = end.velocity;
        continue;
      }
      // Merge leaves i - 1 and i into a depth-1 subtree. With one point per half, the checks
      // across the seam coincide with the check over the subtree.
      Subtree& pair = waiting_[0];
      proposal_rho_ = pair.last.momentum + end.momentum;
      if (!no_u_turn(pair.last.velocity, end.velocity, proposal_rho_)) return false;
      if (take_right(pair.log_weight, log_weight, proposal_log_weight_, rng)) {
        proposal_.assign(end);
      } else {
        proposal_.swap(pair.proposal);
      }
      // Leaf i - 1 is the first point of the subtrees of depth 1..ctz(i - 1) (of all of them
      // for leaf 0): one slot, ctz(i - 1), serves them all, as no later leaf of those subtrees
      // has as many trailing zeros.
      Ends& first_slot = first_[i == 1 ? static_cast<std::size_t>(depth) : trailing_zeros(i - 1)];
      first_slot.momentum.swap(pair.last.momentum);
      first_slot.velocity.swap(pair.last.velocity);

      // Merge the subtrees of depth 2..ctz(i + 1) that end at leaf i.
      const std::size_t merges = trailing_zeros(i + 1);
      for (std::size_t m = 2; m <= merges; ++m) {
        Subtree& left = waiting_[m - 1];
        // First points of the merged subtree (leaf i + 1 - 2^m) and of its right half.
        const Index begin = i + 1 - (Index{1} << m);
        const Ends& first =
            first_[begin == 0 ? static_cast<std::size_t>(depth) : trailing_zeros(begin)];
        const Ends& right_first = first_[m - 1];
        // Across the seam, each half extended by the other's neighbouring point; then over the
        // merged subtree.
        bool persist =
            no_u_turn(first.velocity, right_first.velocity, left.rho + right_first.momentum) &&
            no_u_turn(left.last.velocity, end.velocity, proposal_rho_ + left.last.momentum);
        proposal_rho_ += left.rho;
        persist = persist && no_u_turn(first.velocity, end.velocity, proposal_rho_);
        if (!persist) return false;
        if (!take_right(left.log_weight, proposal_log_weight_, proposal_log_weight_, rng))
          proposal_.swap(left.proposal);
      }
      // A finished subtree that is the left half of a larger one waits for its sibling.
      if (i + 1 < leaves) {
        Subtree& slot = waiting_[merges];
        slot.proposal.swap(proposal_);
        slot.log_weight = proposal_log_weight_;
        slot.rho.swap(proposal_rho_);
        slot.last.momentum = end.momentum;
        slot.last.velocity = end.velocity;
      }
    }
    return true;
  }

  static std::size_t trailing_zeros(Index i) {
    return static_cast<std::size_t>(std::countr_zero(static_cast<std::uint64_t>(i)));
  }

  // Uniform progressive sampling between two adjacent subtrees with log weights `left` and
  // `right`: true (keep the right one's proposal) with probability w_right / (w_left +
  // w_right). `sum` receives log(w_left + w_right).
  template <RandomEngine G>
  static bool take_right(double left, double right, double& sum, G& rng) {
    const double difference = right - left;
    const double ratio = std::exp(-std::abs(difference));  // w_small / w_large
    sum = std::max(left, right) + std::log1p(ratio);
    const double p_right = difference >= 0 ? 1 / (1 + ratio) : ratio / (1 + ratio);
    return uniform01<double>(rng) < p_right;
  }

  Evaluator* target_;
  const InverseMetric* metric_;
  int max_depth_;
  double max_energy_error_;

  PhasePoint forward_, backward_;  // the trajectory's two ends
  Point sample_;                   // the current point / the transition's selected point
  Point proposal_;                 // the proposal of the subtree being built
  double proposal_log_weight_ = 0;
  VectorX<double> rho_;           // sum of momenta over the trajectory
  VectorX<double> proposal_rho_;  // sum of momenta over the subtree being built
  Ends old_end_;                  // the extended end before the new subtree
  std::vector<Ends> first_;       // first points of open subtrees, by ctz of their first leaf
  std::vector<Subtree> waiting_;  // finished left halves, by depth

  Index n_leapfrog_ = 0;
  double sum_metropolis_ = 0;
  bool divergent_ = false;
};

}  // namespace detail

/// Draws from `target` with NUTS as Stan does (see the file comment and NutsSettings).
///
/// @param target a log density up to a constant with a gradient: an object with
///   `double grad_log_prob(const VectorX<double>& x, VectorX<double>& grad) const` (and
///   `log_prob`), or a generic lambda `[](const auto& x) -> scalar_of<decltype(x)> {...}`
///   differentiated by AutoDiff (see target.hpp).
/// @param init where chains start (InitialPoints::uniform(d) is Stan's default).
/// @return Chains with statistics lp__, accept_stat__, stepsize__, treedepth__, n_leapfrog__,
///   divergent__, energy__ (Stan's names and order); ChainInfo holds the adapted step size and
///   inverse metric (d x 1 or d x d), gradient evaluations (leapfrog steps, the step-size
///   searches and the initial point), target failures, divergences after warm-up and notes.
/// @throws InvalidArgument for bad settings, an init or inverse_metric of the wrong size, a
///   metric that is not positive definite, or an init where the log density or its gradient
///   is not finite; NumericalError when warm-up breaks down (improper posterior).
///
/// @code
/// struct Target {
///   double log_prob(const VectorX<double>& x) const { return -0.5 * x.squaredNorm(); }
///   double grad_log_prob(const VectorX<double>& x, VectorX<double>& g) const {
///     g = -x;
///     return log_prob(x);
///   }
/// };
/// Chains chains = nuts(Target{}, InitialPoints::uniform(10));
/// @endcode
template <Target F>
Chains nuts(const F& target, const InitialPoints& init, const NutsSettings& settings = {}) {
  constexpr std::string_view function = "alea::sampling::nuts";
  detail::check_hamiltonian_settings(function, settings);
  if (settings.max_depth < 1 || settings.max_depth > 30)
    throw_invalid(function, "settings.max_depth is " + std::to_string(settings.max_depth) +
                                "; expected 1 <= max_depth <= 30");
  const Index dim = init.dim();
  if (dim == 0) throw_invalid(function, "init is empty; expected the starting point");
  const InverseMetric initial_metric = InverseMetric::from_settings(
      function, "settings.inverse_metric", settings.metric, settings.inverse_metric, dim);

  return run_chains(function, settings, init, nuts_statistic_names(),
                    [&](Index, Rng& rng, const VectorX<double>& start, ChainRecorder& recorder) {
                      return detail::with_metric_kind(initial_metric.kind(), [&]<Metric K>() {
                        TargetEvaluator<F> evaluator(target);
                        InverseMetric metric = initial_metric;
                        detail::NutsKernel<K, TargetEvaluator<F>> kernel(
                            evaluator, metric, settings.max_depth, dim, settings.max_energy_error);
                        return detail::run_hamiltonian_chain<K>(
                            function, settings, evaluator, metric, kernel, rng, start, recorder);
                      });
                    });
}

}  // namespace alea::sampling
