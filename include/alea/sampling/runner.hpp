#pragma once
/// @file
/// @brief The multi-chain runner every MCMC sampler shares: settings common to all samplers,
/// initial points, parallel chains, and the per-chain recorder of draws and statistics.
///
/// Chain k draws only from `Rng{seed}.stream(k)`, so its draws depend on (seed, k) alone: a run
/// on 4 threads equals the same run on 1 thread bit for bit (Stan tests exactly this), and
/// chain k of a 4-chain run equals chain k of an 8-chain run.

#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "alea/core/checks.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/progress.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/core/types.hpp"
#include "alea/sampling/chains.hpp"

namespace alea::sampling {

/// Settings every MCMC sampler takes; each sampler's settings type derives from it, so
/// `NutsSettings s; s.num_samples = 2000; s.max_depth = 12;` reads as Stan's arguments do.
struct SampleSettings {
  Index num_warmup = 1000;   ///< iterations of warm-up (adaptation), not kept
  Index num_samples = 1000;  ///< draws kept per chain (after thinning)
  Index num_chains = 4;
  Index thin = 1;          ///< keep every thin-th iteration after warm-up
  std::uint64_t seed = 1;  ///< chain k draws from Rng{seed}.stream(k)
  Index num_threads = 0;   ///< 0: one thread per chain, at most the machine's hardware threads
  /// Called every `progress_every` iterations of each chain (under a lock, from the chain's
  /// thread) with the iterations done over all chains and the fraction of the run done;
  /// returning false stops the run, whose result keeps the draws made so far (run_chains).
  ProgressCallback progress;
  Index progress_every = 100;
};

namespace detail {

inline void check_sample_settings(std::string_view function, const SampleSettings& s) {
  check_nonnegative(function, "settings.num_warmup", s.num_warmup);
  check_positive(function, "settings.num_samples", s.num_samples);
  check_positive(function, "settings.num_chains", s.num_chains);
  check_positive(function, "settings.thin", s.thin);
  check_nonnegative(function, "settings.num_threads", s.num_threads);
  check_positive(function, "settings.progress_every", s.progress_every);
}

}  // namespace detail

/// Where chains start: one point for all chains, one row per chain, or Stan's default of
/// uniform(-radius, radius) in every coordinate, drawn per chain from the chain's own stream.
class InitialPoints {
 public:
  /// A vector: every chain starts there. A matrix: row k is chain k's start.
  template <class Derived>
  InitialPoints(const Eigen::MatrixBase<Derived>& points)  // NOLINT: implicit by design
      : points_(Derived::ColsAtCompileTime == 1 ? MatrixX<double>(points.transpose())
                                                : MatrixX<double>(points)),
        shared_(Derived::ColsAtCompileTime == 1) {}

  /// Stan's default: each coordinate uniform on (-radius, radius), independently per chain.
  static InitialPoints uniform(Index dim, double radius = 2.0) {
    check_positive("alea::sampling::InitialPoints::uniform", "dim", dim);
    check_positive("alea::sampling::InitialPoints::uniform", "radius", radius);
    InitialPoints out(VectorX<double>::Zero(dim));
    out.radius_ = radius;
    return out;
  }

  [[nodiscard]] Index dim() const noexcept { return points_.cols(); }

  /// Chain k's initial point; `chain_rng` is chain k's engine (used only for random inits,
  /// through a stream of its own so the chain's transitions are unaffected).
  [[nodiscard]] VectorX<double> point(std::string_view function, Index chain, Index num_chains,
                                      const Rng& chain_rng) const {
    if (radius_ > 0) {
      Rng init_rng = chain_rng.stream(0x1417);
      VectorX<double> x(dim());
      for (Index j = 0; j < dim(); ++j)
        x(j) = radius_ * (2 * uniform01<double>(init_rng) - 1);
      return x;
    }
    if (!shared_ && points_.rows() != num_chains)
      throw_invalid(function, "init has " + std::to_string(points_.rows()) +
                                  " rows; expected one per chain (" + std::to_string(num_chains) +
                                  ") or a single vector");
    const VectorX<double> x = points_.row(shared_ ? 0 : chain).transpose();
    check_finite(function, "init", x);
    return x;
  }

 private:
  MatrixX<double> points_;
  bool shared_ = true;
  double radius_ = 0;
};

namespace detail {

/// Progress over all chains of one run, and the stop flag the callback may raise.
class ProgressHub {
 public:
  ProgressHub(const SampleSettings& s)
      : callback_(s.progress),
        every_(s.progress_every),
        total_(s.num_chains * (s.num_warmup + s.num_samples * s.thin)) {}

  /// Counts one iteration of one chain; false once any chain's callback asked to stop.
  bool tick(Index chain_iteration) {
    if (stop_.load(std::memory_order_relaxed)) return false;
    if (!callback_ || chain_iteration % every_ != 0) return true;
    std::lock_guard lock(mutex_);
    done_ += every_;
    if (!callback_(done_, static_cast<double>(done_) / static_cast<double>(total_)))
      stop_.store(true);
    return !stop_.load();
  }

  [[nodiscard]] bool stopped() const { return stop_.load(); }

 private:
  ProgressCallback callback_;
  Index every_;
  Index total_;
  Index done_ = 0;
  std::mutex mutex_;
  std::atomic<bool> stop_{false};
};

}  // namespace detail

/// One chain's log: the sampler calls record() once per iteration, warm-up included, with the
/// current state and its statistics; the recorder keeps what the settings ask for and times
/// warm-up and sampling.
class ChainRecorder {
 public:
  ChainRecorder(const SampleSettings& s, Index dim, Index num_statistics, detail::ProgressHub& hub)
      : settings_(&s),
        hub_(&hub),
        draws_(s.num_samples, dim),
        statistics_(s.num_samples, num_statistics),
        start_(Clock::now()) {}

  [[nodiscard]] Index num_warmup() const noexcept { return settings_->num_warmup; }
  /// Iterations the sampler must run: warm-up plus num_samples * thin.
  [[nodiscard]] Index num_iterations() const noexcept {
    return settings_->num_warmup + settings_->num_samples * settings_->thin;
  }
  /// True while the next record() is a warm-up iteration.
  [[nodiscard]] bool warming_up() const noexcept { return iteration_ < settings_->num_warmup; }
  [[nodiscard]] Index iteration() const noexcept { return iteration_; }

  /// Records iteration iteration() (x and its statistics); false when the run must stop.
  template <class Stats>
  bool record(const VectorX<double>& x, const Stats& statistics) {
    const Index after_warmup = iteration_ - settings_->num_warmup;
    if (after_warmup >= 0 && after_warmup % settings_->thin == 0 && kept_ < draws_.rows()) {
      draws_.row(kept_) = x.transpose();
      for (Index s = 0; s < statistics_.cols(); ++s)
        statistics_(kept_, s) = static_cast<double>(statistics[static_cast<std::size_t>(s)]);
      ++kept_;
    }
    ++iteration_;
    if (iteration_ == settings_->num_warmup) warmup_end_ = Clock::now();
    return hub_->tick(iteration_);
  }

  /// The kept draws and statistics (fewer rows if the run was stopped), with `info` timed.
  ChainInfo finish(ChainInfo info, MatrixX<double>& draws, MatrixX<double>& statistics) {
    const auto end = Clock::now();
    const auto warm_end = iteration_ >= settings_->num_warmup ? warmup_end_ : end;
    info.warmup_seconds = std::chrono::duration<double>(warm_end - start_).count();
    info.sampling_seconds = std::chrono::duration<double>(end - warm_end).count();
    info.stopped_early = kept_ < draws_.rows();
    draws = draws_.topRows(kept_);
    statistics = statistics_.topRows(kept_);
    return info;
  }

 private:
  using Clock = std::chrono::steady_clock;
  const SampleSettings* settings_;
  detail::ProgressHub* hub_;
  MatrixX<double> draws_;
  MatrixX<double> statistics_;
  Index iteration_ = 0;
  Index kept_ = 0;
  Clock::time_point start_;
  Clock::time_point warmup_end_;
};

/// Runs `run_chain(k, rng, init, recorder) -> ChainInfo` for chains k = 0..num_chains-1 on
/// settings.num_threads threads; chain k gets Rng{seed}.stream(k) and init.point(k). The first
/// exception (lowest chain) is rethrown after every thread has finished. If the progress
/// callback stopped the run, no further chain starts, chains without a kept draw are left out
/// and the others are cut to the shortest, so the result stays rectangular.
template <class RunChain>
Chains run_chains(std::string_view function, const SampleSettings& settings,
                  const InitialPoints& init, std::vector<std::string> statistic_names,
                  RunChain&& run_chain) {
  detail::check_sample_settings(function, settings);
  const auto chains = static_cast<std::size_t>(settings.num_chains);
  const Index dim = init.dim();
  if (dim == 0) throw_invalid(function, "init is empty; expected the starting point");
  const auto num_statistics = static_cast<Index>(statistic_names.size());

  // Initial points first, in the caller's thread, so bad ones fail before any work starts.
  const Rng base{settings.seed};
  std::vector<VectorX<double>> starts;
  for (std::size_t k = 0; k < chains; ++k)
    starts.push_back(
        init.point(function, static_cast<Index>(k), settings.num_chains, base.stream(k)));

  detail::ProgressHub hub(settings);
  std::vector<MatrixX<double>> draws(chains), statistics(chains);
  std::vector<ChainInfo> info(chains);
  std::vector<std::exception_ptr> errors(chains);
  std::atomic<std::size_t> next{0};
  std::vector<char> started(chains, 0);
  auto worker = [&] {
    // Once the callback has stopped the run, no further chain starts.
    for (std::size_t k; !hub.stopped() && (k = next.fetch_add(1)) < chains;) {
      started[k] = 1;
      try {
        Rng rng = base.stream(k);
        ChainRecorder recorder(settings, dim, num_statistics, hub);
        ChainInfo chain_info = run_chain(static_cast<Index>(k), rng, starts[k], recorder);
        info[k] = recorder.finish(std::move(chain_info), draws[k], statistics[k]);
      } catch (...) {
        errors[k] = std::current_exception();
      }
    }
  };
  std::size_t threads = settings.num_threads > 0
                            ? static_cast<std::size_t>(settings.num_threads)
                            : std::max<std::size_t>(1, std::thread::hardware_concurrency());
  threads = std::min(threads, chains);
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::jthread> pool;
    for (std::size_t t = 0; t < threads; ++t)
      pool.emplace_back(worker);
  }
  for (const auto& error : errors)
    if (error) std::rethrow_exception(error);

  if (!hub.stopped())
    return Chains(std::move(draws), std::move(statistic_names), std::move(statistics),
                  std::move(info));
  // Stopped by the callback: chains without a kept draw (or never started) are left out, the
  // others cut to the shortest, and all marked stopped_early.
  std::vector<MatrixX<double>> kept_draws, kept_statistics;
  std::vector<ChainInfo> kept_info;
  Index kept = settings.num_samples;
  for (std::size_t k = 0; k < chains; ++k) {
    if (!started[k] || draws[k].rows() == 0) continue;
    kept = std::min(kept, draws[k].rows());
    kept_draws.push_back(std::move(draws[k]));
    kept_statistics.push_back(std::move(statistics[k]));
    kept_info.push_back(std::move(info[k]));
  }
  if (kept_draws.empty())
    throw_invalid(function, "settings.progress stopped the run before the first kept draw");
  for (std::size_t k = 0; k < kept_draws.size(); ++k) {
    kept_draws[k].conservativeResize(kept, Eigen::NoChange);
    kept_statistics[k].conservativeResize(kept, Eigen::NoChange);
    kept_info[k].stopped_early = true;
  }
  return Chains(std::move(kept_draws), std::move(statistic_names), std::move(kept_statistics),
                std::move(kept_info));
}

}  // namespace alea::sampling
