#pragma once
/// @file
/// @brief Static Hamiltonian Monte Carlo as in Stan (base_static_hmc): a fixed integration time
/// T, L = max(1, floor(T / step size)) leapfrog steps per transition, a Metropolis accept/reject
/// of the end point (Neal 2011, "MCMC using Hamiltonian dynamics", section 5.3.2), Stan's
/// warm-up (step size by dual averaging, windowed metric adaptation).
///
/// Statistics per draw are Stan's for static HMC: lp__, accept_stat__ (min(1, exp(H0 - H))),
/// stepsize__, int_time__, energy__. Unlike Stan, a trajectory whose energy error exceeds
/// max_energy_error (or whose target evaluation fails) stops there and is rejected; it is
/// counted in ChainInfo::divergences (after warm-up). Stan would integrate on to the end and
/// reject it all the same (its acceptance probability is below exp(-1000)). After warm-up the
/// number of steps follows the final step size (Stan keeps the one of the last warm-up
/// iteration, computed before dual averaging's final average).

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
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

/// Static HMC settings with Stan's defaults (CmdStan's `sample algorithm=hmc engine=static`):
/// the fields of HamiltonianSettings and SampleSettings plus the integration time.
struct HmcSettings : HamiltonianSettings {
  /// Integration time T = step size x number of leapfrog steps (Stan's int_time, 2 pi).
  double integration_time = 2 * std::numbers::pi;
};

/// The per-draw statistics of hmc(), in this column order.
inline std::vector<std::string> hmc_statistic_names() {
  return {"lp__", "accept_stat__", "stepsize__", "int_time__", "energy__"};
}

namespace detail {

/// Stan's number of leapfrog steps: max(1, floor(T / step size)) (at most 10^9, so that it
/// fits an Index whatever the step size).
inline Index leapfrog_steps(double integration_time, double step_size) {
  const double steps = std::floor(integration_time / step_size);
  if (!(steps >= 1)) return 1;
  return steps > 1e9 ? Index{1000000000} : static_cast<Index>(steps);
}

/// What one static HMC transition reports, with the statistics in hmc_statistic_names() order.
struct HmcTransition {
  double accept_stat = 0;  ///< min(1, exp(H0 - H))
  bool divergent = false;
  std::array<double, 5> statistics{};
};

/// One static HMC chain's state for a metric of kind K.
template <Metric K, class Evaluator>
class HmcKernel {
 public:
  HmcKernel(Evaluator& target, const InverseMetric& metric, Index dim, double integration_time,
            double max_energy_error)
      : target_(&target),
        metric_(&metric),
        integration_time_(integration_time),
        max_energy_error_(max_energy_error),
        current_(dim),
        trajectory_(dim) {}

  void start(std::string_view function, const VectorX<double>& x) {
    current_.position = x;
    current_.log_prob = target_->initial_log_prob_and_gradient(function, x, current_.gradient);
  }

  /// The current point.
  [[nodiscard]] const VectorX<double>& position() const noexcept { return current_.position; }
  [[nodiscard]] const VectorX<double>& gradient() const noexcept { return current_.gradient; }
  [[nodiscard]] double log_prob() const noexcept { return current_.log_prob; }

  /// One transition: leapfrog_steps(T, nominal_step) steps of size `step` (Stan: the number of
  /// steps follows the nominal step size, the jitter only changes the step), then accept or
  /// reject the end point.
  template <RandomEngine G>
  HmcTransition transition(double nominal_step, double step, G& rng) {
    const Index steps = leapfrog_steps(integration_time_, nominal_step);
    refresh_momentum<K>(*metric_, rng, current_);
    const double h0 = current_.hamiltonian();
    trajectory_ = current_;
    HmcTransition out;
    for (Index l = 0; l < steps; ++l) {
      leapfrog<K>(*target_, *metric_, trajectory_, step);
      if (trajectory_.hamiltonian() - h0 > max_energy_error_) {
        out.divergent = true;
        break;
      }
    }
    const double accept = out.divergent ? 0.0 : std::exp(h0 - trajectory_.hamiltonian());
    if (accept >= 1 || uniform01<double>(rng) < accept) std::swap(current_, trajectory_);
    out.accept_stat = std::min(accept, 1.0);
    out.statistics = {current_.log_prob, out.accept_stat, step, integration_time_,
                      current_.hamiltonian()};
    return out;
  }

 private:
  Evaluator* target_;
  const InverseMetric* metric_;
  double integration_time_;
  double max_energy_error_;
  PhasePoint current_, trajectory_;
};

}  // namespace detail

/// Draws from `target` with static HMC as Stan does (see the file comment and HmcSettings).
///
/// @param target a differentiable target (see nuts() and target.hpp).
/// @param init where chains start (InitialPoints::uniform(d) is Stan's default).
/// @return Chains with statistics lp__, accept_stat__, stepsize__, int_time__, energy__;
///   ChainInfo as for nuts().
/// @throws InvalidArgument for bad settings (integration_time <= 0 among them), a wrongly
///   sized init or inverse_metric, a metric that is not positive definite, or a non-finite log
///   density or gradient at init; NumericalError when warm-up breaks down.
template <Target F>
Chains hmc(const F& target, const InitialPoints& init, const HmcSettings& settings = {}) {
  constexpr std::string_view function = "alea::sampling::hmc";
  detail::check_hamiltonian_settings(function, settings);
  check_positive(function, "settings.integration_time", settings.integration_time);
  const Index dim = init.dim();
  if (dim == 0) throw_invalid(function, "init is empty; expected the starting point");
  const InverseMetric initial_metric = InverseMetric::from_settings(
      function, "settings.inverse_metric", settings.metric, settings.inverse_metric, dim);

  return run_chains(function, settings, init, hmc_statistic_names(),
                    [&](Index, Rng& rng, const VectorX<double>& start, ChainRecorder& recorder) {
                      return detail::with_metric_kind(initial_metric.kind(), [&]<Metric K>() {
                        TargetEvaluator<F> evaluator(target);
                        InverseMetric metric = initial_metric;
                        detail::HmcKernel<K, TargetEvaluator<F>> kernel(evaluator, metric, dim,
                                                                        settings.integration_time,
                                                                        settings.max_energy_error);
                        return detail::run_hamiltonian_chain<K>(
                            function, settings, evaluator, metric, kernel, rng, start, recorder);
                      });
                    });
}

}  // namespace alea::sampling
