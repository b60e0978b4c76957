#pragma once
/// @file
/// @brief Constrained parameters: transforms from unconstrained coordinates u onto bounded sets,
/// with their log-Jacobians, composed per coordinate; and a target on the unconstrained space
/// for samplers that move on R^d (Metropolis, MALA, HMC, NUTS).
///
/// The transforms and their conventions are Stan's (Stan Reference Manual, "Constraint
/// Transforms"). A Transform is a sequence of blocks, each mapping some coordinates of u to some
/// of x:
/// - real: x = u;
/// - lower bound a: x = a + exp(u), log|J| = u; upper bound b: x = b - exp(u), log|J| = u;
/// - interval (a, b): x = a + (b - a) s(u) with s the inverse logit,
///   log|J| = log(b - a) + log s(u) + log(1 - s(u));
/// - simplex of K entries from K - 1 coordinates, by stick-breaking: for k = 1..K-1,
///   z_k = s(u_k - log(K - k)), x_k = (1 - x_1 - ... - x_{k-1}) z_k, and x_K is what is left;
///   log|J| = sum_k log(z_k (1 - z_k) (1 - x_1 - ... - x_{k-1})). The offset log(K - k) maps
///   u = 0 to the centre of the simplex.
///
/// The density of u is p(x(u)) |J(u)|: constrained_target(target, transform) is that density, a
/// Target on u whose gradient, when the target has one, is the pullback
/// grad_u = J^T grad_x + grad_u log|J|.
///
///     using alea::sampling::Transform;
///     const Transform transform = Transform{}.real(2).positive().interval(0, 1, 3).simplex(4);
///     // transform.unconstrained_dim() == 9, transform.constrained_dim() == 10
///     const auto on_u = alea::sampling::constrained_target(target_on_x, transform);
///     // ... sample on_u, then read the draws on x:
///     const alea::sampling::Chains draws_of_x = transform.constrain(chains_of_u);

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alea/core/checks.hpp"
#include "alea/core/errors.hpp"
#include "alea/core/types.hpp"
#include "alea/sampling/chains.hpp"
#include "alea/sampling/target.hpp"

namespace alea::sampling {

namespace detail {

/// 1 / (1 + exp(-t)), for double and for AutoDiff scalars.
template <class T>
T inv_logit(const T& t) {
  using std::exp;
  return T(1) / (T(1) + exp(-t));
}

/// log(1 + exp(t)) without overflow.
inline double softplus(double t) {
  return std::max(t, 0.0) + std::log1p(std::exp(-std::abs(t)));
}

}  // namespace detail

/// Maps unconstrained coordinates u onto constrained values x block by block (see the file
/// comment); blocks are appended in order by the builder methods:
///
///     Transform{}.real(2).positive(1).interval(0, 1, 3).simplex(4)
///
/// is x = (u0, u1 | exp(u2) | three values in (0, 1) | a point of the 4-simplex from u6..u8).
class Transform {
 public:
  /// n unconstrained coordinates.
  Transform& real(Index n = 1) { return add("real", Kind::real, n, 0, 0); }
  /// n coordinates > 0.
  Transform& positive(Index n = 1) { return lower_bound(0.0, n); }
  /// n coordinates > lower: x = lower + exp(u).
  Transform& lower_bound(double lower, Index n = 1) {
    check_finite("alea::sampling::Transform::lower_bound", "lower", lower);
    return add("lower_bound", Kind::lower, n, lower, 0);
  }
  /// n coordinates < upper: x = upper - exp(u).
  Transform& upper_bound(double upper, Index n = 1) {
    check_finite("alea::sampling::Transform::upper_bound", "upper", upper);
    return add("upper_bound", Kind::upper, n, 0, upper);
  }
  /// n coordinates in (lower, upper): x = lower + (upper - lower) inverse_logit(u).
  Transform& interval(double lower, double upper, Index n = 1) {
    constexpr std::string_view function = "alea::sampling::Transform::interval";
    check_finite(function, "lower", lower);
    check_finite(function, "upper", upper);
    if (!(lower < upper))
      throw_invalid(function, "lower is " + alea::detail::number_text(lower) + " and upper is " +
                                  alea::detail::number_text(upper) + "; expected lower < upper");
    return add("interval", Kind::interval, n, lower, upper);
  }
  /// A point of the k-simplex (k >= 2 non-negative entries summing to 1) from k - 1 coordinates.
  Transform& simplex(Index k) {
    constexpr std::string_view function = "alea::sampling::Transform::simplex";
    if (k < 2) throw_invalid(function, "k is " + std::to_string(k) + "; expected at least 2");
    blocks_.push_back({Kind::simplex, k, 0, 0, unconstrained_dim_, constrained_dim_});
    unconstrained_dim_ += k - 1;
    constrained_dim_ += k;
    return *this;
  }

  /// Length of u.
  [[nodiscard]] Index unconstrained_dim() const noexcept { return unconstrained_dim_; }
  /// Length of x (a simplex block has one entry more than its coordinates).
  [[nodiscard]] Index constrained_dim() const noexcept { return constrained_dim_; }

  /// x(u), for double or for AutoDiff scalars (to differentiate through the transform).
  /// @param u unconstrained_dim() coordinates
  template <class T>
  [[nodiscard]] VectorX<T> constrain(const VectorX<T>& u) const {
    check_size("constrain", "u", u.size(), unconstrained_dim_, "unconstrained");
    using std::exp;
    VectorX<T> x(constrained_dim_);
    for (const Block& b : blocks_) {
      if (b.kind == Kind::simplex) {
        T stick(1);  // what is left of the unit stick
        for (Index i = 0; i + 1 < b.size; ++i) {
          const T t = u(b.u_offset + i) - simplex_offset(b, i);
          x(b.x_offset + i) = stick * detail::inv_logit(t);
          stick = stick * detail::inv_logit(T(-t));
        }
        x(b.x_offset + b.size - 1) = stick;
        continue;
      }
      for (Index i = 0; i < b.size; ++i) {
        const T& v = u(b.u_offset + i);
        T& out = x(b.x_offset + i);
        switch (b.kind) {
          case Kind::real:
            out = v;
            break;
          case Kind::lower:
            out = b.lower + exp(v);
            break;
          case Kind::upper:
            out = b.upper - exp(v);
            break;
          case Kind::interval:
            out = b.lower + (b.upper - b.lower) * detail::inv_logit(v);
            break;
          case Kind::simplex:
            break;
        }
      }
    }
    return x;
  }

  /// x(u), with log|J(u)| written to `log_jacobian`.
  [[nodiscard]] VectorX<double> constrain(const VectorX<double>& u, double& log_jacobian) const {
    log_jacobian = log_abs_det_jacobian(u);
    return constrain(u);
  }

  /// u(x), the inverse of constrain.
  /// @param x constrained_dim() values inside the support (open bounds; a simplex block's
  ///          entries positive and summing to 1 within 1e-8)
  /// @throws InvalidArgument naming the first entry outside the support
  [[nodiscard]] VectorX<double> unconstrain(const VectorX<double>& x) const {
    constexpr std::string_view function = "alea::sampling::Transform::unconstrain";
    check_size("unconstrain", "x", x.size(), constrained_dim_, "constrained");
    check_finite(function, "x", x);
    VectorX<double> u(unconstrained_dim_);
    for (const Block& b : blocks_) {
      if (b.kind == Kind::simplex) {
        unconstrain_simplex(b, x, u);
        continue;
      }
      for (Index i = 0; i < b.size; ++i) {
        const Index at = b.x_offset + i;
        const double v = x(at);
        auto outside = [&](const std::string& support) {
          throw_invalid(function, "x(" + std::to_string(at) + ") is " +
                                      alea::detail::number_text(v) + ", but must be " + support);
        };
        const std::string lower = alea::detail::number_text(b.lower);
        const std::string upper = alea::detail::number_text(b.upper);
        switch (b.kind) {
          case Kind::real:
            u(b.u_offset + i) = v;
            break;
          case Kind::lower:
            if (!(v > b.lower)) outside("> " + lower);
            u(b.u_offset + i) = std::log(v - b.lower);
            break;
          case Kind::upper:
            if (!(v < b.upper)) outside("< " + upper);
            u(b.u_offset + i) = std::log(b.upper - v);
            break;
          case Kind::interval: {
            if (!(v > b.lower && v < b.upper)) outside("in (" + lower + ", " + upper + ")");
            const double p = (v - b.lower) / (b.upper - b.lower);
            u(b.u_offset + i) = std::log(p) - std::log1p(-p);
            break;
          }
          case Kind::simplex:
            break;
        }
      }
    }
    return u;
  }

  /// log |det J(u)|, J the Jacobian of x(u) (for a simplex block, of its first K - 1 entries).
  [[nodiscard]] double log_abs_det_jacobian(const VectorX<double>& u) const {
    check_size("log_abs_det_jacobian", "u", u.size(), unconstrained_dim_, "unconstrained");
    double total = 0;
    for (const Block& b : blocks_) {
      if (b.kind == Kind::simplex) {
        double log_stick = 0;  // log of what is left of the stick before piece i
        for (Index i = 0; i + 1 < b.size; ++i) {
          const double t = u(b.u_offset + i) - simplex_offset(b, i);
          // log z + log(1 - z) + log stick, with log s(t) = -softplus(-t)
          total += -detail::softplus(-t) - detail::softplus(t) + log_stick;
          log_stick -= detail::softplus(t);
        }
        continue;
      }
      for (Index i = 0; i < b.size; ++i) {
        const double v = u(b.u_offset + i);
        switch (b.kind) {
          case Kind::real:
            break;
          case Kind::lower:
          case Kind::upper:
            total += v;
            break;
          case Kind::interval:
            total += std::log(b.upper - b.lower) - detail::softplus(-v) - detail::softplus(v);
            break;
          case Kind::simplex:
            break;
        }
      }
    }
    return total;
  }

  /// The gradient of log p(x(u)) + log|J(u)| with respect to u, from grad_x = the gradient of
  /// log p at x(u): J^T grad_x + grad_u log|J|.
  /// @param u unconstrained_dim() coordinates
  /// @param grad_x constrained_dim() entries
  [[nodiscard]] VectorX<double> pullback(const VectorX<double>& u,
                                         const VectorX<double>& grad_x) const {
    check_size("pullback", "u", u.size(), unconstrained_dim_, "unconstrained");
    check_size("pullback", "grad_x", grad_x.size(), constrained_dim_, "constrained");
    VectorX<double> grad_u(unconstrained_dim_);
    for (const Block& b : blocks_) {
      if (b.kind == Kind::simplex) {
        pullback_simplex(b, u, grad_x, grad_u);
        continue;
      }
      for (Index i = 0; i < b.size; ++i) {
        const double v = u(b.u_offset + i), g = grad_x(b.x_offset + i);
        double& out = grad_u(b.u_offset + i);
        switch (b.kind) {
          case Kind::real:
            out = g;
            break;
          case Kind::lower:
            out = g * std::exp(v) + 1;
            break;
          case Kind::upper:
            out = -g * std::exp(v) + 1;
            break;
          case Kind::interval: {
            const double s = detail::inv_logit(v), one_minus_s = detail::inv_logit(-v);
            out = g * (b.upper - b.lower) * s * one_minus_s + (one_minus_s - s);
            break;
          }
          case Kind::simplex:
            break;
        }
      }
    }
    return grad_u;
  }

  /// Draws of u (chains.dim() == unconstrained_dim()) as draws of x, with the same statistics
  /// and chain information; the parameters get Chains' default names.
  [[nodiscard]] Chains constrain(const Chains& chains) const {
    check_size("constrain", "chains", chains.dim(), unconstrained_dim_, "unconstrained");
    std::vector<MatrixX<double>> draws, statistics;
    std::vector<ChainInfo> info;
    for (Index k = 0; k < chains.num_chains(); ++k) {
      const MatrixX<double>& on_u = chains.draws(k);
      MatrixX<double> on_x(on_u.rows(), constrained_dim_);
      for (Index i = 0; i < on_u.rows(); ++i)
        on_x.row(i) = constrain(VectorX<double>(on_u.row(i).transpose())).transpose();
      draws.push_back(std::move(on_x));
      statistics.push_back(chains.statistics(k));
      info.push_back(chains.info(k));
    }
    return Chains(std::move(draws), chains.statistic_names(), std::move(statistics),
                  std::move(info));
  }

 private:
  enum class Kind { real, lower, upper, interval, simplex };

  struct Block {
    Kind kind;
    Index size;  ///< entries of x (a simplex's K)
    double lower, upper;
    Index u_offset, x_offset;
  };

  Transform& add(std::string_view method, Kind kind, Index n, double lower, double upper) {
    check_positive("alea::sampling::Transform::" + std::string(method), "n", n);
    blocks_.push_back({kind, n, lower, upper, unconstrained_dim_, constrained_dim_});
    unconstrained_dim_ += n;
    constrained_dim_ += n;
    return *this;
  }

  /// log(K - 1 - i): Stan's offset, so that u = 0 is the centre of the simplex.
  static double simplex_offset(const Block& b, Index i) {
    return std::log(static_cast<double>(b.size - 1 - i));
  }

  static void check_size(std::string_view method, std::string_view name, Index size, Index expected,
                         std::string_view space) {
    if (size != expected)
      throw_invalid("alea::sampling::Transform::" + std::string(method),
                    std::string(name) + " has " + std::to_string(size) + " entries, but the " +
                        "transform has " + std::to_string(expected) + " " + std::string(space) +
                        " coordinates");
  }

  static void unconstrain_simplex(const Block& b, const VectorX<double>& x, VectorX<double>& u) {
    constexpr std::string_view function = "alea::sampling::Transform::unconstrain";
    const auto piece = x.segment(b.x_offset, b.size);
    const std::string where =
        "x(" + std::to_string(b.x_offset) + ".." + std::to_string(b.x_offset + b.size - 1) + ")";
    for (Index i = 0; i < b.size; ++i) {
      if (!(piece(i) > 0))
        throw_invalid(function, "x(" + std::to_string(b.x_offset + i) + ") is " +
                                    alea::detail::number_text(piece(i)) +
                                    ", but must be > 0: it belongs to the simplex " + where);
    }
    if (std::abs(piece.sum() - 1) > 1e-8)
      throw_invalid(function, where + " sums to " + alea::detail::number_text(piece.sum()) +
                                  ", but a simplex sums to 1");
    double stick = 1;
    for (Index i = 0; i + 1 < b.size; ++i) {
      const double z = piece(i) / stick;
      u(b.u_offset + i) = std::log(z) - std::log1p(-z) + simplex_offset(b, i);
      stick -= piece(i);
    }
  }

  /// Reverse pass through the stick-breaking, with the log-Jacobian's gradient.
  static void pullback_simplex(const Block& b, const VectorX<double>& u,
                               const VectorX<double>& grad_x, VectorX<double>& grad_u) {
    const Index pieces = b.size - 1;
    VectorX<double> z(pieces), one_minus_z(pieces), stick(b.size);
    stick(0) = 1;
    for (Index i = 0; i < pieces; ++i) {
      const double t = u(b.u_offset + i) - simplex_offset(b, i);
      z(i) = detail::inv_logit(t);
      one_minus_z(i) = detail::inv_logit(-t);
      stick(i + 1) = stick(i) * one_minus_z(i);
    }
    // x_i = stick_i z_i, stick_{i+1} = stick_i (1 - z_i), x_K = stick_K;
    // log|J| = sum_i log z_i + log(1 - z_i) + log stick_i.
    double stick_adjoint = grad_x(b.x_offset + pieces);
    for (Index i = pieces - 1; i >= 0; --i) {
      const double g = grad_x(b.x_offset + i);
      const double z_adjoint = (g - stick_adjoint) * stick(i);
      grad_u(b.u_offset + i) = z_adjoint * z(i) * one_minus_z(i) + (one_minus_z(i) - z(i));
      stick_adjoint = g * z(i) + stick_adjoint * one_minus_z(i) + 1 / stick(i);
    }
  }

  std::vector<Block> blocks_;
  Index unconstrained_dim_ = 0;
  Index constrained_dim_ = 0;
};

/// The target on the unconstrained space: log p(x(u)) + log|J(u)|, with a gradient (the
/// pullback) when the target is differentiable, so gradient-based samplers can use it.
/// Holds a copy of the target: wrap a large model in a lambda that refers to it.
template <Target F>
class ConstrainedTarget {
 public:
  ConstrainedTarget(F target_on_x, Transform x_of_u)
      : target_(std::move(target_on_x)), transform_(std::move(x_of_u)) {}

  /// Length of u.
  [[nodiscard]] Index dim() const noexcept { return transform_.unconstrained_dim(); }
  [[nodiscard]] const Transform& transform() const noexcept { return transform_; }
  [[nodiscard]] const F& target() const noexcept { return target_; }

  /// log p(x(u)) + log|J(u)|.
  double log_prob(const VectorX<double>& u) const {
    double log_jacobian = 0;
    const VectorX<double> x = transform_.constrain(u, log_jacobian);
    return sampling::log_prob(target_, x) + log_jacobian;
  }

  /// log p(x(u)) + log|J(u)| and its gradient with respect to u.
  double grad_log_prob(const VectorX<double>& u,
                       VectorX<double>& grad) const requires DifferentiableTarget<F> {
    double log_jacobian = 0;
    const VectorX<double> x = transform_.constrain(u, log_jacobian);
    VectorX<double> grad_x;
    const double value = sampling::log_prob_and_gradient(target_, x, grad_x);
    grad = transform_.pullback(u, grad_x);
    return value + log_jacobian;
  }

 private:
  F target_;
  Transform transform_;
};

/// `target` (a log density of x) seen through `transform`: a Target on u.
/// @throws InvalidArgument when a Density model's dimension differs from the transform's
/// constrained_dim()
template <Target F>
ConstrainedTarget<F> constrained_target(F target, Transform transform) {
  if constexpr (DensityModelTarget<F>) {
    if (target.dim() != transform.constrained_dim())
      throw_invalid("alea::sampling::constrained_target",
                    "target has dimension " + std::to_string(target.dim()) +
                        ", but the transform has " + std::to_string(transform.constrained_dim()) +
                        " constrained coordinates");
  }
  return ConstrainedTarget<F>(std::move(target), std::move(transform));
}

}  // namespace alea::sampling
