#pragma once
/// @file
/// @brief Stan's warm-up for HMC and NUTS: step size by dual averaging, the metric from
/// Welford variance/covariance estimates over doubling windows, the step-size search that
/// starts the warm-up and follows every metric update; and the chain loop both samplers share.
///
/// - Dual averaging: Hoffman and Gelman (2014), "The No-U-Turn Sampler", JMLR 15, section 3.2,
///   Algorithm 5 (Nesterov 2009), with Stan's defaults gamma = 0.05, kappa = 0.75, t0 = 10,
///   delta = 0.8 and mu = log(10 epsilon_0).
/// - Windows: Stan's windowed_adaptation. Warm-up iterations [0, init_buffer) adapt only the
///   step size; then metric windows of window, 2 window, 4 window, ... iterations follow (the
///   last stretched to end where the terminal buffer starts); the last term_buffer iterations
///   adapt only the step size again. When init_buffer + window + term_buffer > num_warmup the
///   three stages become 15% / 75% / 10% of num_warmup; below 20 warm-up iterations the metric
///   is not adapted.
/// - At the end of each window the inverse metric becomes the windows' sample (co)variance,
///   regularised towards 1e-3 I: (n / (n + 5)) Sigma + 1e-3 (5 / (n + 5)) I (Stan's
///   var_adaptation / covar_adaptation); the step size is searched again and dual averaging
///   restarts at mu = log(10 epsilon).

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "alea/core/errors.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/core/types.hpp"
#include "alea/sampling/chains.hpp"
#include "alea/sampling/hamiltonian.hpp"
#include "alea/sampling/metric.hpp"
#include "alea/sampling/runner.hpp"

namespace alea::sampling {

/// Dual averaging of log(step size) towards a target acceptance statistic (Hoffman and Gelman
/// 2014, Algorithm 5; Stan's stepsize_adaptation).
class StepSizeAdaptation {
 public:
  StepSizeAdaptation(double target_accept = 0.8, double gamma = 0.05, double kappa = 0.75,
                     double t0 = 10)
      : delta_(target_accept), gamma_(gamma), kappa_(kappa), t0_(t0) {}

  /// Starts over around mu = log(10 step_size): counter, averaged gradient and iterate to 0.
  void restart(double step_size) {
    mu_ = std::log(10 * step_size);
    counter_ = 0;
    s_bar_ = 0;
    x_bar_ = 0;
  }

  /// One update from a transition's acceptance statistic (clipped at 1); returns the step size
  /// to use next, exp(x_t).
  double learn(double accept_stat) {
    ++counter_;
    accept_stat = std::min(accept_stat, 1.0);
    const double t = static_cast<double>(counter_);
    // H-bar_t = (1 - 1/(t + t0)) H-bar_{t-1} + (delta - alpha_t) / (t + t0)
    const double eta = 1.0 / (t + t0_);
    s_bar_ = (1.0 - eta) * s_bar_ + eta * (delta_ - accept_stat);
    // x_t = mu - sqrt(t) / gamma H-bar_t; x-bar_t = t^-kappa x_t + (1 - t^-kappa) x-bar_{t-1}
    const double x = mu_ - s_bar_ * std::sqrt(t) / gamma_;
    const double weight = std::pow(t, -kappa_);
    x_bar_ = (1.0 - weight) * x_bar_ + weight * x;
    return std::exp(x);
  }

  /// The step size after warm-up: exp(x-bar).
  [[nodiscard]] double final_step_size() const { return std::exp(x_bar_); }
  [[nodiscard]] Index iterations() const noexcept { return counter_; }

 private:
  double delta_, gamma_, kappa_, t0_;
  double mu_ = std::log(10.0);
  Index counter_ = 0;
  double s_bar_ = 0;
  double x_bar_ = 0;
};

/// Welford's running mean and variance of vectors, per coordinate (Stan's
/// welford_var_estimator).
class WelfordVariance {
 public:
  explicit WelfordVariance(Index dim = 0)
      : mean_(VectorX<double>::Zero(dim)), m2_(VectorX<double>::Zero(dim)), delta_(dim) {}

  void restart() {
    count_ = 0;
    mean_.setZero();
    m2_.setZero();
  }

  void add(const VectorX<double>& x) {
    ++count_;
    delta_ = x - mean_;
    mean_ += delta_ / static_cast<double>(count_);
    m2_.array() += (x - mean_).array() * delta_.array();
  }

  [[nodiscard]] Index count() const noexcept { return count_; }
  [[nodiscard]] const VectorX<double>& mean() const noexcept { return mean_; }
  /// The sample variance (divisor n - 1); needs count() >= 2.
  [[nodiscard]] VectorX<double> variance() const { return m2_ / static_cast<double>(count_ - 1); }

 private:
  Index count_ = 0;
  VectorX<double> mean_, m2_, delta_;
};

/// Welford's running mean and covariance matrix of vectors (Stan's welford_covar_estimator).
class WelfordCovariance {
 public:
  explicit WelfordCovariance(Index dim = 0)
      : mean_(VectorX<double>::Zero(dim)), m2_(MatrixX<double>::Zero(dim, dim)), delta_(dim) {}

  void restart() {
    count_ = 0;
    mean_.setZero();
    m2_.setZero();
  }

  void add(const VectorX<double>& x) {
    ++count_;
    delta_ = x - mean_;
    mean_ += delta_ / static_cast<double>(count_);
    m2_.noalias() += (x - mean_) * delta_.transpose();
  }

  [[nodiscard]] Index count() const noexcept { return count_; }
  [[nodiscard]] const VectorX<double>& mean() const noexcept { return mean_; }
  /// The sample covariance (divisor n - 1), symmetrised; needs count() >= 2.
  [[nodiscard]] MatrixX<double> covariance() const {
    const MatrixX<double> c = m2_ / static_cast<double>(count_ - 1);
    return 0.5 * (c + c.transpose());
  }

 private:
  Index count_ = 0;
  VectorX<double> mean_;
  MatrixX<double> m2_;
  VectorX<double> delta_;
};

/// Stan's warm-up schedule for the metric (windowed_adaptation): which warm-up iterations feed
/// the estimator and after which ones the metric is updated. See the file comment.
class AdaptationWindows {
 public:
  AdaptationWindows() = default;

  /// The schedule for `num_warmup` iterations; `note` receives a message when the schedule
  /// differs from the one asked for (short warm-up).
  AdaptationWindows(Index num_warmup, Index init_buffer, Index term_buffer, Index base_window,
                    std::string* note = nullptr) {
    if (num_warmup < 20) {
      if (note)
        *note = "num_warmup = " + std::to_string(num_warmup) +
                " < 20: the metric is not adapted (only the step size)";
      return;  // num_warmup_ = 0: no window ever opens
    }
    num_warmup_ = num_warmup;
    if (init_buffer + base_window + term_buffer > num_warmup) {
      // Stan's fallback: 15% / 75% / 10%, truncated to whole iterations as Stan's unsigned ints.
      init_buffer_ = static_cast<Index>(0.15 * static_cast<double>(num_warmup));
      term_buffer_ = static_cast<Index>(0.10 * static_cast<double>(num_warmup));
      base_window_ = num_warmup - (init_buffer_ + term_buffer_);
      if (note)
        *note = "num_warmup = " + std::to_string(num_warmup) +
                " is shorter than adapt_init_buffer"
                " + adapt_window + adapt_term_buffer = " +
                std::to_string(init_buffer + base_window + term_buffer) +
                "; using 15%/75%/10%: init_buffer = " + std::to_string(init_buffer_) +
                ", window = " + std::to_string(base_window_) +
                ", term_buffer = " + std::to_string(term_buffer_);
    } else {
      init_buffer_ = init_buffer;
      term_buffer_ = term_buffer;
      base_window_ = base_window;
    }
    window_size_ = base_window_;
    next_window_end_ = init_buffer_ + window_size_ - 1;
  }

  /// Warm-up iteration `counter()` feeds the estimator.
  [[nodiscard]] bool in_window() const noexcept {
    return counter_ >= init_buffer_ && counter_ < num_warmup_ - term_buffer_ &&
           counter_ != num_warmup_;
  }
  /// Warm-up iteration `counter()` closes a window: the metric is updated after it.
  [[nodiscard]] bool window_ends() const noexcept {
    return counter_ == next_window_end_ && counter_ != num_warmup_;
  }

  /// After a window closed: the next window is twice as long, stretched to the terminal
  /// buffer when the one after it would not fit.
  void next_window() {
    const Index last = num_warmup_ - term_buffer_ - 1;
    if (next_window_end_ == last) return;
    window_size_ *= 2;
    next_window_end_ = counter_ + window_size_;
    if (next_window_end_ == last) return;
    if (next_window_end_ + 2 * window_size_ >= num_warmup_ - term_buffer_) next_window_end_ = last;
  }

  /// Moves to the next warm-up iteration.
  void advance() noexcept { ++counter_; }
  [[nodiscard]] Index counter() const noexcept { return counter_; }

 private:
  Index num_warmup_ = 0;
  Index init_buffer_ = 0;
  Index term_buffer_ = 0;
  Index base_window_ = 0;
  Index counter_ = 0;
  Index window_size_ = 0;
  Index next_window_end_ = -1;
};

/// The metric half of Stan's warm-up: collects draws in the windows and, at the end of each,
/// replaces the inverse metric with the regularised sample (co)variance.
class MetricAdaptation {
 public:
  MetricAdaptation() = default;
  MetricAdaptation(Metric kind, Index dim, AdaptationWindows windows)
      : kind_(kind), windows_(windows) {
    if (kind == Metric::diagonal) variance_ = WelfordVariance(dim);
    if (kind == Metric::dense) covariance_ = WelfordCovariance(dim);
  }

  /// Feeds the warm-up draw x; returns true when `metric` was just updated.
  /// @throws NumericalError when the estimate is not finite or not positive definite.
  bool learn(const VectorX<double>& x, InverseMetric& metric, std::string_view function) {
    if (kind_ == Metric::unit) return false;
    if (windows_.in_window()) {
      if (kind_ == Metric::diagonal) variance_.add(x);
      if (kind_ == Metric::dense) covariance_.add(x);
    }
    bool updated = false;
    if (windows_.window_ends()) {
      windows_.next_window();
      update(metric, function);
      updated = true;
    }
    windows_.advance();
    return updated;
  }

 private:
  void update(InverseMetric& metric, std::string_view function) {
    const Index n = kind_ == Metric::diagonal ? variance_.count() : covariance_.count();
    const double nd = static_cast<double>(n);
    const double shrink = nd / (nd + 5.0), ridge = 1e-3 * 5.0 / (nd + 5.0);
    const std::string overflow =
        "the metric estimated during warm-up is not finite (the chain reached extreme values: "
        "is the posterior improper or too wide?)";
    if (kind_ == Metric::diagonal) {
      if (n >= 2) {  // Stan keeps the previous metric for fewer than 2 draws
        VectorX<double> m = shrink * variance_.variance();
        m.array() += ridge;
        if (!m.allFinite() || !(m.array() > 0).all()) throw_numerical(function, overflow);
        metric.set_diagonal(m, function, "the adapted inverse metric");
      }
      variance_.restart();
    } else {
      if (n >= 2) {
        MatrixX<double> m = shrink * covariance_.covariance();
        m.diagonal().array() += ridge;
        if (!m.allFinite()) throw_numerical(function, overflow);
        try {
          metric.set_dense(m, function, "the adapted inverse metric");
        } catch (const InvalidArgument& error) {
          throw_numerical(function, error.what());
        }
      }
      covariance_.restart();
    }
  }

  Metric kind_ = Metric::unit;
  AdaptationWindows windows_;
  WelfordVariance variance_;
  WelfordCovariance covariance_;
};

/// Stan's step-size search (base_hmc::init_stepsize): from `step_size`, double (or halve) it
/// while one leapfrog step from the point (position, gradient, log_prob) with a fresh momentum
/// has acceptance exp(H0 - H) above (below) 0.8; returns the first step size on the other side.
/// `scratch` (dimension d) is overwritten.
/// @throws NumericalError when the step size passes 1e7 (improper posterior) or reaches 0.
template <Metric K, class Evaluator, RandomEngine G>
double init_step_size(Evaluator& target, const InverseMetric& metric,
                      const VectorX<double>& position, const VectorX<double>& gradient,
                      double log_prob, double step_size, G& rng, PhasePoint& scratch,
                      std::string_view function) {
  if (!(step_size > 0) || step_size > 1e7) return step_size;  // Stan skips extreme values
  const double log_08 = std::log(0.8);
  auto energy_change = [&] {  // H0 - H after one step: log of the acceptance probability
    scratch.position = position;
    scratch.gradient = gradient;
    scratch.log_prob = log_prob;
    detail::refresh_momentum<K>(metric, rng, scratch);
    const double h0 = scratch.hamiltonian();
    leapfrog<K>(target, metric, scratch, step_size);
    return h0 - scratch.hamiltonian();
  };
  const int direction = energy_change() > log_08 ? 1 : -1;
  while (true) {
    const double delta = energy_change();
    if (direction == 1 && !(delta > log_08)) break;
    if (direction == -1 && !(delta < log_08)) break;
    step_size = direction == 1 ? 2 * step_size : 0.5 * step_size;
    if (step_size > 1e7)
      throw_numerical(function,
                      "the step-size search passed 1e7 with acceptance still above 0.8: the "
                      "posterior looks improper");
    if (step_size == 0)
      throw_numerical(function,
                      "the step-size search reached 0 without acceptance 0.8: is the log "
                      "density continuous?");
  }
  return step_size;
}

namespace detail {

/// Stan's warm-up for one HMC or NUTS chain: after each warm-up transition, learn() updates
/// the step size (dual averaging) and the metric (windows); when the metric changes it searches
/// the step size again (the `search` callable, returning the new step size from the current
/// one) and restarts dual averaging. Off (learn() never called) when adaptation is disengaged
/// or num_warmup = 0.
class HamiltonianWarmup {
 public:
  HamiltonianWarmup(const HamiltonianSettings& s, Index dim, std::vector<std::string>& notes)
      : engaged_(s.adapt_engaged && s.num_warmup > 0),
        num_warmup_(s.num_warmup),
        step_(s.target_accept, s.adapt_gamma, s.adapt_kappa, s.adapt_t0) {
    if (!engaged_) return;
    std::string note;
    metric_ = MetricAdaptation(s.metric, dim,
                               AdaptationWindows(s.num_warmup, s.adapt_init_buffer,
                                                 s.adapt_term_buffer, s.adapt_window, &note));
    if (!note.empty() && s.metric != Metric::unit) notes.push_back(note);
    // Stan's services set mu from the user's step size, before the first search.
    step_.restart(s.step_size);
  }

  [[nodiscard]] bool engaged() const noexcept { return engaged_; }

  /// After warm-up iteration `iteration` (0-based) whose transition had `accept_stat`, ending
  /// at x; returns the nominal step size for the next transition.
  template <class Search>
  double learn(Index iteration, double accept_stat, const VectorX<double>& x, InverseMetric& metric,
               Search&& search, std::string_view function) {
    double step_size = step_.learn(accept_stat);
    if (metric_.learn(x, metric, function)) {
      step_size = search(step_size);
      step_.restart(step_size);
    }
    if (iteration + 1 == num_warmup_) step_size = step_.final_step_size();
    return step_size;
  }

 private:
  bool engaged_;
  Index num_warmup_;
  StepSizeAdaptation step_;
  MetricAdaptation metric_;
};

/// Calls `f.template operator()<K>()` with K the metric kind, a compile-time constant (the
/// leapfrog step is specialised per kind).
template <class Function>
decltype(auto) with_metric_kind(Metric kind, Function&& f) {
  switch (kind) {
    case Metric::unit:
      return f.template operator()<Metric::unit>();
    case Metric::diagonal:
      return f.template operator()<Metric::diagonal>();
    case Metric::dense:
      break;
  }
  return f.template operator()<Metric::dense>();
}

/// One HMC or NUTS chain: the step-size search, the transitions with Stan's warm-up, and the
/// record. `kernel` offers start(function, x), position(), gradient(), log_prob() and
/// transition(nominal_step, step, rng) returning {accept_stat, divergent, statistics}, the
/// statistics in the sampler's column order; it reads the inverse metric from `metric`, which
/// warm-up adapts in place.
template <Metric K, class Evaluator, class Kernel>
ChainInfo run_hamiltonian_chain(std::string_view function, const HamiltonianSettings& settings,
                                Evaluator& evaluator, InverseMetric& metric, Kernel& kernel,
                                Rng& rng, const VectorX<double>& start, ChainRecorder& recorder) {
  kernel.start(function, start);
  ChainInfo info;
  HamiltonianWarmup warmup(settings, start.size(), info.notes);
  PhasePoint scratch(start.size());
  auto search = [&](double from) {
    return init_step_size<K>(evaluator, metric, kernel.position(), kernel.gradient(),
                             kernel.log_prob(), from, rng, scratch, function);
  };
  double step_size = settings.step_size;  // the nominal step size
  if (warmup.engaged()) step_size = search(step_size);

  for (Index it = 0; it < recorder.num_iterations(); ++it) {
    const bool warming_up = recorder.warming_up();
    double step = step_size;
    if (settings.step_size_jitter > 0)
      step *= 1 + settings.step_size_jitter * (2 * uniform01<double>(rng) - 1);
    const auto transition = kernel.transition(step_size, step, rng);
    if (!warming_up && transition.divergent) ++info.divergences;
    if (warming_up && warmup.engaged())
      step_size =
          warmup.learn(it, transition.accept_stat, kernel.position(), metric, search, function);
    if (!recorder.record(kernel.position(), transition.statistics)) break;
  }
  info.step_size = step_size;
  info.inverse_metric = metric.matrix();
  info.log_prob_evaluations = evaluator.evaluations();
  info.gradient_evaluations = evaluator.gradient_evaluations();
  info.target_failures = evaluator.failures();
  if (evaluator.failures() > 0)
    info.notes.push_back(std::to_string(evaluator.failures()) +
                         " target evaluations failed and were rejected (divergent); the last: " +
                         evaluator.last_failure());
  return info;
}

}  // namespace detail

}  // namespace alea::sampling
