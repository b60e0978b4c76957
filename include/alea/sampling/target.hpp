#pragma once
/// @file
/// @brief What a sampler accepts as a target, and how it evaluates one safely.
///
/// A target is a log density up to a constant on R^d, given as any of
/// - a callable `double(const VectorX<double>&)`;
/// - an object with `double log_prob(const VectorX<double>&) const`;
/// - any alea `Density` model (its `log_prob(X)` on a 1 x d matrix), so a KernelDensity or a
///   GaussianMixture can be sampled.
///
/// Gradient-based samplers (HMC, NUTS, MALA, ULA) also need the gradient. They use
/// `double grad_log_prob(const VectorX<double>& x, VectorX<double>& grad) const` (returns the
/// log density, writes the gradient) when the target has it; otherwise a target written as a
/// generic lambda over the scalar type, with its return type declared as
/// `-> scalar_of<decltype(x)>`, is differentiated by Eigen's AutoDiff module (forward mode, one
/// pass per evaluation: fine for tens of parameters, slow for thousands). A target with
/// neither fails to compile with a message that says what is missing.
///
/// Inside a sampler a target that throws or returns NaN (or a non-finite gradient) is a
/// rejected proposal, counted in ChainInfo::target_failures, as Stan does; at the initial
/// point the same is a clear InvalidArgument.

#include <Eigen/Core>
#include <cmath>
#include <concepts>
#include <exception>
#include <limits>
#include <string>
#include <string_view>
#include <unsupported/Eigen/AutoDiff>

#include "alea/core/concepts.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/types.hpp"

namespace alea::sampling {

/// Forward-mode automatic differentiation scalar used for targets without `grad_log_prob`.
using AutoDiffScalar = Eigen::AutoDiffScalar<VectorX<double>>;

/// A callable `double(const VectorX<double>&)`.
template <class F>
concept LogDensityFunction = requires(const F& f, const VectorX<double>& x) {
  { f(x) } -> std::convertible_to<double>;
};

/// An object with `double log_prob(const VectorX<double>&) const`.
template <class F>
concept HasPointLogProb = requires(const F& f, const VectorX<double>& x) {
  { f.log_prob(x) } -> std::convertible_to<double>;
};

/// An alea Density model over double (its log_prob takes a matrix of rows).
template <class F>
concept DensityModelTarget = Density<F> && std::same_as<typename F::Scalar, double>;

/// Anything a sampler can evaluate: see the file comment.
template <class F>
concept Target = LogDensityFunction<F> || HasPointLogProb<F> || DensityModelTarget<F>;

/// A target with an analytic gradient: `double grad_log_prob(x, grad) const`.
template <class F>
concept HasGradLogProb = requires(const F& f, const VectorX<double>& x, VectorX<double>& grad) {
  { f.grad_log_prob(x, grad) } -> std::convertible_to<double>;
};

/// The scalar type of an Eigen vector, for a generic target's return type:
/// `[](const auto& x) -> scalar_of<decltype(x)> { return -0.5 * x.squaredNorm(); }`.
template <class V>
using scalar_of = typename std::remove_cvref_t<V>::Scalar;

/// Callable on a vector of AutoDiff scalars at all (whatever it returns).
template <class F>
concept CallableOnAutoDiff = requires(const F& f, const VectorX<AutoDiffScalar>& x) {
  f(x);
};

/// A target callable on a vector of AutoDiff scalars that returns that scalar type itself.
/// Eigen's AutoDiff operators return expression types that refer to temporaries, so a lambda
/// with a deduced return type would hand back a dangling expression: the return type must be
/// declared (see scalar_of).
template <class F>
concept AutoDiffTarget = requires(const F& f, const VectorX<AutoDiffScalar>& x) {
  { f(x) } -> std::same_as<AutoDiffScalar>;
};

/// A target gradient-based samplers can use.
template <class F>
concept DifferentiableTarget = Target<F> &&(HasGradLogProb<F> || AutoDiffTarget<F>);

/// The log density of `target` at x (may throw or return NaN: see TargetEvaluator).
template <Target F>
double log_prob(const F& target, const VectorX<double>& x) {
  if constexpr (HasPointLogProb<F>) {
    return static_cast<double>(target.log_prob(x));
  } else if constexpr (LogDensityFunction<F>) {
    return static_cast<double>(target(x));
  } else {
    const MatrixX<double> row = x.transpose();
    return static_cast<double>(target.log_prob(row)(0));
  }
}

/// The log density at x, with its gradient written to `grad` (resized to x.size()).
template <Target F>
double log_prob_and_gradient(const F& target, const VectorX<double>& x, VectorX<double>& grad) {
  static_assert(HasGradLogProb<F> || AutoDiffTarget<F> || !CallableOnAutoDiff<F>,
                "alea::sampling: the target is a generic lambda whose return type is deduced. "
                "Eigen's AutoDiff returns expressions that refer to temporaries, so declare the "
                "return type: `[](const auto& x) -> alea::sampling::scalar_of<decltype(x)> "
                "{ ... }`.");
  static_assert(
      DifferentiableTarget<F> || CallableOnAutoDiff<F>,
      "alea::sampling: this sampler needs the gradient of the target. Give the target a "
      "member `double grad_log_prob(const VectorX<double>& x, VectorX<double>& grad) "
      "const`, or write it as a generic lambda `[](const auto& x) { ... }` whose body "
      "works for any scalar type, declaring its return type as scalar_of<decltype(x)>, so that "
      "Eigen's AutoDiff can differentiate it.");
  if constexpr (HasGradLogProb<F>) {
    grad.resize(x.size());
    return static_cast<double>(target.grad_log_prob(x, grad));
  } else if constexpr (AutoDiffTarget<F>) {
    const Index d = x.size();
    VectorX<AutoDiffScalar> active(d);
    for (Index i = 0; i < d; ++i)
      active(i) = AutoDiffScalar(x(i), d, i);
    const AutoDiffScalar value = target(active);
    // A result that does not depend on x carries an empty derivative vector.
    if (value.derivatives().size() == d) {
      grad = value.derivatives();
    } else {
      grad.setZero(d);
    }
    return value.value();
  }
}

/// Evaluates a target for a sampler: counts evaluations, and turns a throw, a NaN or a
/// non-finite gradient into a rejected point (-inf), counted as a failure. Stan's behaviour.
template <Target F>
class TargetEvaluator {
 public:
  explicit TargetEvaluator(const F& target) : target_(&target) {}

  /// log p(x), or -inf (counted) when the target throws or returns NaN.
  double log_prob(const VectorX<double>& x) {
    ++evaluations_;
    try {
      const double value = sampling::log_prob(*target_, x);
      if (std::isnan(value) || value == std::numeric_limits<double>::infinity())
        return fail("the log density is " + std::string(std::isnan(value) ? "NaN" : "+inf"));
      return value;
    } catch (const std::exception& error) {
      return fail(std::string("the target threw: ") + error.what());
    }
  }

  /// log p(x) and its gradient, or -inf (counted) when either is not finite or the target threw.
  double log_prob_and_gradient(const VectorX<double>& x, VectorX<double>& grad) {
    ++gradient_evaluations_;
    try {
      const double value = sampling::log_prob_and_gradient(*target_, x, grad);
      if (std::isnan(value) || value == std::numeric_limits<double>::infinity())
        return fail("the log density is " + std::string(std::isnan(value) ? "NaN" : "+inf"));
      if (value > -std::numeric_limits<double>::infinity() && !grad.allFinite())
        return fail("the gradient is not finite");
      return value;
    } catch (const std::exception& error) {
      return fail(std::string("the target threw: ") + error.what());
    }
  }

  /// log p(init), which must be finite: a clear error naming `function` otherwise.
  double initial_log_prob(std::string_view function, const VectorX<double>& init) {
    const double value = log_prob(init);
    check_initial(function, value);
    return value;
  }

  /// log p(init) and its gradient, both of which must be finite.
  double initial_log_prob_and_gradient(std::string_view function, const VectorX<double>& init,
                                       VectorX<double>& grad) {
    const double value = log_prob_and_gradient(init, grad);
    check_initial(function, value);
    return value;
  }

  [[nodiscard]] Index evaluations() const noexcept { return evaluations_; }
  [[nodiscard]] Index gradient_evaluations() const noexcept { return gradient_evaluations_; }
  [[nodiscard]] Index failures() const noexcept { return failures_; }
  /// What went wrong at the last failure ("" if none).
  [[nodiscard]] const std::string& last_failure() const noexcept { return last_failure_; }

 private:
  double fail(std::string why) {
    ++failures_;
    last_failure_ = std::move(why);
    return -std::numeric_limits<double>::infinity();
  }

  void check_initial(std::string_view function, double value) const {
    if (value > -std::numeric_limits<double>::infinity()) return;
    throw_invalid(function, "init is not a valid starting point: " +
                                (last_failure_.empty() ? std::string("the log density is -inf")
                                                       : last_failure_));
  }

  const F* target_;
  Index evaluations_ = 0;
  Index gradient_evaluations_ = 0;
  Index failures_ = 0;
  std::string last_failure_;
};

}  // namespace alea::sampling
