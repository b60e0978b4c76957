#pragma once
/// @file
/// @brief Gibbs sampling over user-supplied conditional samplers (blocks of coordinates
/// allowed), systematic or random scan, and the exact Gibbs blocks of a multivariate Gaussian.
///
/// Each block names some coordinates and draws them from their conditional distribution given
/// the current values of all the others. Every such update leaves the joint law invariant, so
/// any sequence of them does (Geman and Geman 1984; Gelfand and Smith 1990); blocks may share
/// coordinates.
///
/// @code
/// // x1, x2 standard normals with correlation rho: x1 | x2 ~ N(rho x2, 1 - rho^2), and back.
/// const double rho = 0.5, sd = std::sqrt(1 - rho * rho);
/// std::vector<alea::sampling::GibbsBlock> blocks{
///     {{0}, [=](const alea::VectorX<double>& x, alea::Rng& rng) {
///        return alea::VectorX<double>::Constant(1, rho * x(1) + sd * alea::standard_normal(rng));
///      }},
///     {{1}, [=](const alea::VectorX<double>& x, alea::Rng& rng) {
///        return alea::VectorX<double>::Constant(1, rho * x(0) + sd * alea::standard_normal(rng));
///      }}};
/// auto chains = alea::sampling::gibbs(blocks, alea::VectorX<double>::Zero(2));
/// // or, ready-made: gibbs(gaussian_gibbs_blocks(mean, covariance), init)
/// @endcode

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <array>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "alea/core/checks.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/core/types.hpp"
#include "alea/sampling/chains.hpp"
#include "alea/sampling/metropolis.hpp"
#include "alea/sampling/runner.hpp"
#include "alea/sampling/target.hpp"

namespace alea::sampling {

/// One Gibbs update: `draw(x, rng)` returns new values for the coordinates `indices` (in that
/// order), drawn from their conditional law given the full current state x (whose entries at
/// `indices` it should ignore). Chains run in parallel, so `draw` must be safe to call
/// concurrently and draw only from the engine it is given.
struct GibbsBlock {
  std::vector<Index> indices;
  std::function<VectorX<double>(const VectorX<double>& x, Rng& rng)> draw;
};

/// The order of the block updates within one iteration.
enum class GibbsScan {
  systematic,  ///< every block once, in the given order
  random,      ///< as many updates as there are blocks, each block picked uniformly at random
};

/// Settings of gibbs(). One iteration (one kept draw) is one sweep: as many block updates as
/// there are blocks, whatever the scan.
struct GibbsSettings : SampleSettings {
  GibbsScan scan = GibbsScan::systematic;
};

namespace detail {

/// Checks that every block has a draw and valid, distinct indices, and that the blocks
/// together cover every coordinate of a d-dimensional state.
inline void check_gibbs_blocks(std::string_view function, const std::vector<GibbsBlock>& blocks,
                               Index dim) {
  if (blocks.empty()) throw_invalid(function, "blocks is empty; expected at least one block");
  std::vector<bool> covered(static_cast<std::size_t>(dim), false);
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    const std::string name = "blocks[" + std::to_string(b) + "]";
    if (blocks[b].indices.empty()) throw_invalid(function, name + ".indices is empty");
    if (!blocks[b].draw) throw_invalid(function, name + ".draw is empty");
    std::vector<bool> seen(static_cast<std::size_t>(dim), false);
    for (const Index i : blocks[b].indices) {
      if (i < 0 || i >= dim)
        throw_invalid(function, name + ".indices has " + std::to_string(i) +
                                    ", but init has dimension " + std::to_string(dim));
      if (seen[static_cast<std::size_t>(i)])
        throw_invalid(function, name + ".indices has " + std::to_string(i) + " twice");
      seen[static_cast<std::size_t>(i)] = true;
      covered[static_cast<std::size_t>(i)] = true;
    }
  }
  for (Index i = 0; i < dim; ++i) {
    if (!covered[static_cast<std::size_t>(i)])
      throw_invalid(function, "blocks do not cover coordinate " + std::to_string(i) +
                                  "; every coordinate needs a block");
  }
}

/// Runs gibbs(); with a target (F not void), records its log density as lp__ after each
/// sweep.
template <class F>
Chains run_gibbs(std::string_view function, const std::vector<GibbsBlock>& blocks,
                 const InitialPoints& init, const GibbsSettings& settings, const F* target) {
  constexpr bool has_target = !std::is_void_v<F>;
  const Index dim = checked_dim(function, init);
  check_gibbs_blocks(function, blocks, dim);
  const auto num_blocks = static_cast<Index>(blocks.size());

  auto run_chain = [&](Index, Rng& rng, const VectorX<double>& start, ChainRecorder& recorder) {
    VectorX<double> x = start;
    auto sweep = [&] {
      for (Index step = 0; step < num_blocks; ++step) {
        const Index b =
            settings.scan == GibbsScan::systematic ? step : uniform_index(rng, num_blocks);
        const GibbsBlock& block = blocks[static_cast<std::size_t>(b)];
        const VectorX<double> values = block.draw(x, rng);
        const auto size = static_cast<Index>(block.indices.size());
        if (values.size() != size || !values.allFinite()) {
          const std::string name = "blocks[" + std::to_string(b) + "].draw";
          if (values.size() != size)
            throw_invalid(function, name + " returned " + std::to_string(values.size()) +
                                        " values; expected " + std::to_string(size));
          check_finite(function, name + "'s result", values);
        }
        for (Index j = 0; j < size; ++j)
          x(block.indices[static_cast<std::size_t>(j)]) = values(j);
      }
    };
    ChainInfo info;
    if constexpr (has_target) {
      TargetEvaluator<F> evaluator(*target);
      std::array<double, 1> stats{evaluator.initial_log_prob(function, x)};
      for (Index it = 0; it < recorder.num_iterations(); ++it) {
        sweep();
        stats[0] = evaluator.log_prob(x);
        if (!recorder.record(x, stats)) break;
      }
      record_evaluations(info, evaluator);
    } else {
      const std::array<double, 0> stats{};
      for (Index it = 0; it < recorder.num_iterations(); ++it) {
        sweep();
        if (!recorder.record(x, stats)) break;
      }
    }
    return info;
  };
  std::vector<std::string> names;
  if constexpr (has_target) names.emplace_back("lp__");
  return run_chains(function, settings, init, std::move(names), run_chain);
}

}  // namespace detail

/// Gibbs sampling over `blocks` (see GibbsBlock, GibbsSettings).
///
/// @param blocks the conditional samplers; together they must cover every coordinate.
/// @param init where chains start (d).
/// @return Chains without per-draw statistics (there is no target to report lp__ from: use
///         the overload with a target for lp__).
/// @throws InvalidArgument for no blocks, a block without indices or draw, an index out of
///         range or repeated within a block, a coordinate no block covers, bad runner settings,
///         a wrong-sized init; and from the chain, a draw that returns the wrong number of
///         values or a NaN/Inf.
inline Chains gibbs(const std::vector<GibbsBlock>& blocks, const InitialPoints& init,
                    const GibbsSettings& settings = {}) {
  return detail::run_gibbs<void>("alea::sampling::gibbs", blocks, init, settings, nullptr);
}

/// Gibbs sampling over `blocks`, recording the target's log density after each sweep as lp__
/// (the target only reports: it does not steer the sampler, so it must be the joint law the
/// blocks' conditionals come from). A failure of the target at a draw gives lp__ = -inf and is
/// counted in ChainInfo::target_failures.
/// @throws InvalidArgument as gibbs(blocks, init, settings), and when the log density at init
///         is not finite.
template <Target F>
Chains gibbs(const std::vector<GibbsBlock>& blocks, const F& target, const InitialPoints& init,
             const GibbsSettings& settings = {}) {
  return detail::run_gibbs<F>("alea::sampling::gibbs", blocks, init, settings, &target);
}

/// The exact Gibbs blocks of N(mean, covariance): the conditional of the coordinates B given
/// the rest is N(mu_B - Q_BB^-1 Q_B,-B (x_-B - mu_-B), Q_BB^-1) with Q = covariance^-1
/// (e.g. Rue and Held 2005, Theorem 2.5).
/// @param mean d. @param covariance d x d, symmetric positive definite.
/// @param partition the blocks' coordinates; empty: one block per coordinate.
/// @throws InvalidArgument for empty or non-finite input, mismatched sizes, a covariance that
///         is not symmetric positive definite; bad partitions are reported by gibbs().
inline std::vector<GibbsBlock> gaussian_gibbs_blocks(
    const VectorX<double>& mean, const MatrixX<double>& covariance,
    std::vector<std::vector<Index>> partition = {}) {
  constexpr std::string_view function = "alea::sampling::gaussian_gibbs_blocks";
  check_data(function, "mean", mean);
  check_symmetric_positive_definite(function, "covariance", covariance);
  const Index dim = mean.size();
  if (covariance.rows() != dim)
    throw_invalid(function, "covariance is " + std::to_string(covariance.rows()) + " x " +
                                std::to_string(covariance.cols()) + ", but mean has " +
                                std::to_string(dim) + " entries");
  if (partition.empty()) {
    for (Index i = 0; i < dim; ++i)
      partition.push_back({i});
  }
  const MatrixX<double> precision =
      Eigen::LLT<MatrixX<double>>(covariance).solve(MatrixX<double>::Identity(dim, dim));
  std::vector<GibbsBlock> blocks;
  for (std::size_t b = 0; b < partition.size(); ++b) {
    const std::vector<Index>& indices = partition[b];
    for (const Index i : indices) {
      if (i < 0 || i >= dim)
        throw_invalid(function, "partition[" + std::to_string(b) + "] has " + std::to_string(i) +
                                    ", but mean has " + std::to_string(dim) + " entries");
    }
    const auto size = static_cast<Index>(indices.size());
    // Q_BB and the rows Q_B,: with the block's own columns zeroed (they must not count).
    MatrixX<double> q_bb(size, size), q_b(size, dim);
    for (Index r = 0; r < size; ++r) {
      q_b.row(r) = precision.row(indices[static_cast<std::size_t>(r)]);
      for (Index c = 0; c < size; ++c)
        q_bb(r, c) =
            precision(indices[static_cast<std::size_t>(r)], indices[static_cast<std::size_t>(c)]);
    }
    for (const Index i : indices)
      q_b.col(i).setZero();
    const Eigen::LLT<MatrixX<double>> q_bb_llt(q_bb);
    // Conditional mean mu_B - K (x - mu) with K = Q_BB^-1 Q_B,-B; a draw adds R^-T z where
    // Q_BB = R R^T, whose covariance is Q_BB^-1.
    const MatrixX<double> gain = q_bb_llt.solve(q_b);
    const MatrixX<double> factor = q_bb_llt.matrixL();
    VectorX<double> block_mean(size);
    for (Index r = 0; r < size; ++r)
      block_mean(r) = mean(indices[static_cast<std::size_t>(r)]);
    blocks.push_back({indices, [=](const VectorX<double>& x, Rng& rng) {
                        VectorX<double> z = standard_normal<double>(rng, size, 1);
                        factor.transpose().triangularView<Eigen::Upper>().solveInPlace(z);
                        return VectorX<double>(block_mean - gain * (x - mean) + z);
                      }});
  }
  return blocks;
}

}  // namespace alea::sampling
