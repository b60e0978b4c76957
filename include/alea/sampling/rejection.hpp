#pragma once
/// @file
/// @brief Rejection sampling with an envelope constant M, and the evidence that M was too small.
///
/// Draw x ~ q and accept it with probability p~(x) / (M q(x)) (von Neumann 1951): when
/// p~ <= M q everywhere, the accepted draws are exact, independent draws from p = p~ / Z and the
/// acceptance probability is Z / M (1 / M for a normalised target). When p~(x) > M q(x) somewhere,
/// x is accepted with probability 1 there and the draws under-represent that region: every such
/// proposal is counted as an envelope violation, the largest log p~(x) - log q(x) seen is
/// reported, and a note says how large log M should be. (Rejection sampling cannot repair an
/// envelope after the fact; a violation means the draws are biased.)
///
/// Proposals are drawn in batches (sized from the acceptance rate so far) and the target is
/// evaluated at each proposal in order, until n are accepted or settings.max_proposals were
/// made. Running out of proposals is a status, not an error: `completed` is false, the draws
/// accepted so far are returned, and a note says so. A target that throws or returns NaN at a
/// proposal rejects it, counted in target_failures (TargetEvaluator).
///
/// @code
/// alea::Gaussian<> q(alea::VectorX<double>::Zero(1), alea::MatrixX<double>::Constant(1, 1, 4.0));
/// auto r = alea::sampling::rejection_sampling(target, q, std::log(2.5), 1000, rng);
/// if (r.envelope_violations > 0) { /* raise log_M to at least r.max_log_ratio */ }
/// @endcode

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "alea/core/checks.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/core/types.hpp"
#include "alea/sampling/proposal.hpp"
#include "alea/sampling/target.hpp"

namespace alea::sampling {

/// Settings of rejection_sampling.
struct RejectionSettings {
  /// Proposals to make at most before giving up (completed = false); 0 means 1000 n.
  Index max_proposals = 0;
};

/// What rejection_sampling returns.
struct RejectionResult {
  /// accepted x d accepted draws, one per row, in the order they were accepted (n of them when
  /// completed).
  MatrixX<double> draws;
  Index accepted = 0;             ///< rows of `draws`
  Index proposals = 0;            ///< proposals examined
  double acceptance_rate = 0;     ///< accepted / proposals (Z / M when the envelope holds)
  Index envelope_violations = 0;  ///< proposals with p~(x) > M q(x)
  /// The largest log p~(x) - log q(x) over the proposals: log_M should be at least this.
  double max_log_ratio = -std::numeric_limits<double>::infinity();
  Index target_evaluations = 0;    ///< calls of the target
  Index target_failures = 0;       ///< proposals where the target threw or returned NaN
  bool completed = false;          ///< n draws were accepted within max_proposals
  std::vector<std::string> notes;  ///< envelope violations, failures, running out of proposals
};

/// Rejection sampling of n draws from `target` with proposal q and envelope M q; see the file
/// comment.
/// @param target log density up to a constant on R^d (a Target).
/// @param proposal a GenerativeModel over double of dimension d (its log_prob normalised).
/// @param log_M log of the envelope constant: p~(x) <= exp(log_M) q(x) should hold everywhere.
/// @param n draws wanted, at least 1.
/// @param rng the engine for the proposals and the uniforms.
/// @return the accepted draws and the statistics of the run.
/// @throws alea::InvalidArgument for n < 1, a non-finite log_M, a negative max_proposals, an
///         unfitted proposal, or a target whose dim() differs from the proposal's.
template <Target F, class Q, RandomEngine G>
requires ProposalFor<Q, G> RejectionResult
rejection_sampling(const F& target, const Q& proposal, double log_M, Index n, G& rng,
                   const RejectionSettings& settings = {}) {
  constexpr std::string_view function = "alea::sampling::rejection_sampling";
  check_positive(function, "n", n);
  check_finite(function, "log_M", log_M);
  check_nonnegative(function, "settings.max_proposals", settings.max_proposals);
  detail::check_proposal_ready(function, proposal);
  detail::check_proposal_dimension(function, target, proposal);
  const Index d = proposal.dim();
  const Index max_proposals = settings.max_proposals > 0 ? settings.max_proposals : 1000 * n;

  RejectionResult r;
  r.draws.resize(n, d);
  TargetEvaluator<F> evaluator(target);
  VectorX<double> x(d);
  while (r.accepted < n && r.proposals < max_proposals) {
    // Enough proposals for the draws still wanted at the rate seen so far (at first 1 / M,
    // the rate for a normalised target), with 10% to spare, at most 65536 at a time.
    const double rate = r.accepted > 0 ? double(r.accepted) / double(r.proposals)
                                       : std::clamp(std::exp(-log_M), 1e-3, 1.0);
    const double wanted = 1.1 * double(n - r.accepted) / rate + 8.0;
    const Index batch =
        static_cast<Index>(std::min({wanted, double(max_proposals - r.proposals), 65536.0}));
    const MatrixX<double> candidates = proposal.sample(batch, rng);
    const VectorX<double> log_q = proposal.log_prob(candidates);
    for (Index i = 0; i < batch && r.accepted < n; ++i) {
      ++r.proposals;
      x = candidates.row(i).transpose();
      const double log_ratio = evaluator.log_prob(x) - log_q(i);
      if (log_ratio == -std::numeric_limits<double>::infinity()) continue;
      r.max_log_ratio = std::max(r.max_log_ratio, log_ratio);
      if (log_ratio > log_M) ++r.envelope_violations;
      // Accept with probability min(1, p~ / (M q)): log u < log p~ - log q - log M.
      if (std::log(uniform01<double>(rng)) < log_ratio - log_M) {
        r.draws.row(r.accepted) = candidates.row(i);
        ++r.accepted;
      }
    }
  }
  r.draws.conservativeResize(r.accepted, d);
  r.acceptance_rate = double(r.accepted) / double(r.proposals);
  r.target_evaluations = evaluator.evaluations();
  r.target_failures = evaluator.failures();
  r.completed = r.accepted == n;

  using alea::detail::number_text;
  if (r.envelope_violations > 0) {
    r.notes.push_back("p~(x) > M q(x) at " + std::to_string(r.envelope_violations) + " of " +
                      std::to_string(r.proposals) +
                      " proposals: the envelope does not hold and the draws are biased; use "
                      "log_M >= " +
                      number_text(r.max_log_ratio) + " (the largest log ratio seen; log_M is " +
                      number_text(log_M) + "), with a margin for regions not yet seen");
  }
  if (r.target_failures > 0) {
    r.notes.push_back(std::to_string(r.target_failures) +
                      " proposals were rejected because the target failed (last: " +
                      evaluator.last_failure() + ")");
  }
  if (!r.completed) {
    r.notes.push_back("stopped after max_proposals = " + std::to_string(max_proposals) +
                      " proposals with " + std::to_string(r.accepted) + " of " + std::to_string(n) +
                      " draws accepted (acceptance rate " + number_text(r.acceptance_rate) +
                      "); raise settings.max_proposals or use a proposal closer to the target");
  }
  return r;
}

}  // namespace alea::sampling
