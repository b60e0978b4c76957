#pragma once
/// @file
/// @brief What importance and rejection sampling accept as a proposal, and the checks they share.
///
/// A proposal is any alea GenerativeModel over double that can draw with the caller's engine:
/// `q.sample(n, rng)` (n x d) and `q.log_prob(X)` (normalised, one value per row). Gaussian,
/// StudentT, GaussianMixture, KernelDensity and a fitted Flow all qualify.

#include <concepts>
#include <string>
#include <string_view>

#include "alea/core/concepts.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/types.hpp"

namespace alea::sampling {

/// A GenerativeModel over double that draws with an engine of type G.
template <class Q, class G>
concept ProposalFor = GenerativeModel<Q> && std::same_as<typename Q::Scalar, double> &&
    requires(const Q& q, Index n, G& rng) {
  { q.sample(n, rng) } -> std::convertible_to<MatrixX<double>>;
};

namespace detail {

/// A target that states its dimension (a Density model, or any object with dim()).
template <class F>
concept HasDimensionMember = requires(const F& f) {
  { f.dim() } -> std::convertible_to<Index>;
};

/// Throws when a target that knows its dimension disagrees with the proposal: "target has
/// dimension 3, but proposal has dimension 2". (A plain callable cannot be checked.)
template <class F, class Q>
void check_proposal_dimension(std::string_view function, const F& target, const Q& proposal) {
  if constexpr (HasDimensionMember<F>) {
    const Index d = static_cast<Index>(target.dim());
    if (d != proposal.dim()) {
      throw_invalid(function, "target has dimension " + std::to_string(d) +
                                  ", but proposal has dimension " + std::to_string(proposal.dim()));
    }
  }
}

/// Throws unless the proposal has a dimension (a default-constructed Gaussian has none).
template <class Q>
void check_proposal_ready(std::string_view function, const Q& proposal) {
  if (proposal.dim() < 1) {
    throw_invalid(function, "proposal has dimension " + std::to_string(proposal.dim()) +
                                "; fit or construct it first");
  }
}

}  // namespace detail

}  // namespace alea::sampling
