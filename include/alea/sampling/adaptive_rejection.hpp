#pragma once
/// @file
/// @brief Adaptive rejection sampling (ARS) for log-concave densities in one dimension, in the
/// derivative-free (secant) form.
///
/// Gilks and Wild (1992), "Adaptive rejection sampling for Gibbs sampling", Applied Statistics
/// 41, sample a log-concave density through a piecewise-linear upper hull of h = log p~ that
/// tightens at every point where h is evaluated. Their tangent form needs h'(x); the form used
/// here is Gilks (1992), "Derivative-free adaptive rejection sampling for Gibbs sampling"
/// (Bayesian Statistics 4), the one BUGS and JAGS use: it needs h alone, so any
/// `double(double)` log density works. For abscissae x_1 < ... < x_k with h_i = h(x_i), let
/// L_i be the chord through (x_i, h_i) and (x_{i+1}, h_{i+1}). Concavity puts h below every
/// chord's extension outside its own interval and above it inside, so
/// - the upper hull is L_1 left of x_1, L_2 on [x_1, x_2], min(L_{i-1}, L_{i+1}) on
///   [x_i, x_{i+1}], L_{k-2} on [x_{k-1}, x_k] and L_{k-1} right of x_k;
/// - the lower hull (squeeze) is L_i on [x_i, x_{i+1}], -inf outside [x_1, x_k].
/// A candidate x is drawn from exp(upper hull) (piecewise exponential, exactly) with u ~ U(0, 1):
/// it is accepted without evaluating h when log u <= lower(x) - upper(x) (the squeeze test),
/// otherwise h(x) is evaluated, x is accepted when log u <= h(x) - upper(x), and x joins the
/// abscissae (up to settings.max_points), so the hull tightens where the mass is.
///
/// The secant hull needs three abscissae: with two initial points their midpoint is added. On
/// an unbounded side the hull must fall: the log density must rise between the two smallest
/// points when the domain is unbounded below (and fall between the two largest when unbounded
/// above), that is the initial points must bracket the mode. A log density that is not concave
/// is detected when a chord lies above h at an evaluated point, h lies above the hull, or the
/// chord slopes of the abscissae increase: a clear InvalidArgument, never silently wrong draws.
/// (Only evaluated points are checked: a density that is not log-concave where h is never
/// evaluated can go unnoticed.) A log density of -inf at a candidate rejects it (outside the
/// support); NaN or +inf there is an error.
///
/// @code
/// auto log_gamma3 = [](double x) { return 2.0 * std::log(x) - x; };  // Gamma(3, 1), x > 0
/// auto r = alea::sampling::adaptive_rejection_sampling(log_gamma3, {1.0, 5.0}, 1000, rng,
///                                                      {.lower_bound = 0.0});
/// // r.draws: 1000 draws; r.evaluations, r.envelope_size
/// @endcode

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <concepts>
#include <limits>
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

namespace alea::sampling {

/// Settings of adaptive_rejection_sampling.
struct AdaptiveRejectionSettings {
  double lower_bound = -std::numeric_limits<double>::infinity();  ///< the domain's lower end
  double upper_bound = std::numeric_limits<double>::infinity();   ///< the domain's upper end
  /// Abscissae of the hull at most: evaluated points stop being added beyond (at least 3).
  Index max_points = 100;
};

/// What adaptive_rejection_sampling returns.
struct AdaptiveRejectionResult {
  VectorX<double> draws;       ///< n independent draws from the normalised density
  Index proposals = 0;         ///< candidates drawn from the hull
  Index evaluations = 0;       ///< calls of the log density, the initial points included
  Index squeeze_accepted = 0;  ///< candidates accepted by the squeeze, without an evaluation
  Index envelope_size = 0;     ///< abscissae of the final hull
  double acceptance_rate = 0;  ///< n / proposals
  VectorX<double> abscissae;   ///< the final hull's abscissae, ascending
};

namespace detail {

/// The secant hulls of Gilks (1992) over abscissae x (ascending) with values h.
class SecantHull {
 public:
  SecantHull(std::string_view function, double lower, double upper)
      : function_(function), lower_(lower), upper_(upper) {}

  [[nodiscard]] Index size() const { return static_cast<Index>(x_.size()); }
  [[nodiscard]] const std::vector<double>& abscissae() const { return x_; }

  /// Adds (x, h) and rebuilds the hull; checks concavity of the chord slopes.
  void insert(double x, double h) {
    const auto at = std::lower_bound(x_.begin(), x_.end(), x);
    const auto i = at - x_.begin();
    x_.insert(at, x);
    h_.insert(h_.begin() + i, h);
    if (x_.size() >= 3) rebuild();
  }

  /// Whether x is too close to an abscissa to add (the chord slope would be mostly rounding).
  [[nodiscard]] bool too_close(double x) const {
    const auto at = std::lower_bound(x_.begin(), x_.end(), x);
    const double gap = 1e-10 * std::max(1.0, std::abs(x));
    return (at != x_.end() && *at - x <= gap) || (at != x_.begin() && x - *(at - 1) <= gap);
  }

  /// A draw from exp(upper hull) / its integral, and the upper hull there.
  template <class G>
  std::pair<double, double> sample(G& rng) const {
    const double v = uniform01<double>(rng) * cumulative_.back();
    const auto k = static_cast<std::size_t>(
        std::upper_bound(cumulative_.begin(), cumulative_.end() - 1, v) - cumulative_.begin());
    const Piece& p = pieces_[k];
    const double length = p.b - p.a;
    const double u = uniform01<double>(rng);
    const double t = std::abs(p.slope);
    double x;
    if (t == 0 || length == 0) {
      x = p.a + u * length;
    } else {
      // Inverse cdf of the density proportional to exp(-t y), y in [0, length], y measured from
      // the end where the line is highest.
      const double y = -std::log1p(-u * -std::expm1(-t * length)) / t;
      x = p.slope < 0 ? p.a + y : p.b - y;
    }
    x = std::clamp(x, p.a, p.b);
    return {x, p.value + p.slope * (x - p.anchor)};
  }

  /// The squeeze (lower hull) at x: the chord of its interval, -inf outside [x_1, x_k].
  [[nodiscard]] double lower(double x) const {
    if (x < x_.front() || x > x_.back()) return -std::numeric_limits<double>::infinity();
    auto i = static_cast<std::size_t>(std::upper_bound(x_.begin(), x_.end(), x) - x_.begin());
    i = std::min(i, x_.size() - 1) - 1;
    return h_[i] + slope(i) * (x - x_[i]);
  }

 private:
  /// A piece of the upper hull: the line value + slope (x - anchor) on [a, b].
  struct Piece {
    double a, b, anchor, value, slope;
  };

  [[nodiscard]] double slope(std::size_t i) const {
    return (h_[i + 1] - h_[i]) / (x_[i + 1] - x_[i]);
  }

  void rebuild() {
    const std::size_t k = x_.size();
    std::vector<double> s(k - 1);
    for (std::size_t i = 0; i + 1 < k; ++i)
      s[i] = slope(i);
    for (std::size_t i = 0; i + 2 < k; ++i) {
      if (s[i + 1] > s[i] + 1e-9 * (1.0 + std::abs(s[i]) + std::abs(s[i + 1]))) {
        using alea::detail::number_text;
        throw_invalid(function_, "log_density is not log-concave: the chord slopes at x = " +
                                     number_text(x_[i]) + ", " + number_text(x_[i + 1]) + ", " +
                                     number_text(x_[i + 2]) + " increase (" + number_text(s[i]) +
                                     " then " + number_text(s[i + 1]) +
                                     "); adaptive rejection sampling needs a log-concave density");
      }
    }
    pieces_.clear();
    const auto line = [&](double a, double b, std::size_t anchor, std::size_t chord) {
      pieces_.push_back({a, b, x_[anchor], h_[anchor], s[chord]});
    };
    line(lower_, x_[0], 0, 0);  // L_1 to the left of x_1
    line(x_[0], x_[1], 1, 1);   // L_2 on [x_1, x_2]
    for (std::size_t i = 1; i + 2 < k; ++i) {
      // min(L_{i-1}, L_{i+1}) on [x_i, x_{i+1}]: L_{i-1} up to the lines' crossing, L_{i+1} after.
      double z = x_[i + 1];
      if (s[i - 1] > s[i + 1]) {
        z = x_[i] + (h_[i + 1] - h_[i] - s[i + 1] * (x_[i + 1] - x_[i])) / (s[i - 1] - s[i + 1]);
        z = std::clamp(z, x_[i], x_[i + 1]);
      }
      line(x_[i], z, i, i - 1);
      line(z, x_[i + 1], i + 1, i + 1);
    }
    line(x_[k - 2], x_[k - 1], k - 2, k - 3);  // L_{k-2} on [x_{k-1}, x_k]
    line(x_[k - 1], upper_, k - 1, k - 2);     // L_{k-1} to the right of x_k
    // log of each piece's integral of exp(line): highest value + log((1 - exp(-t L)) / t).
    std::vector<double> log_mass(pieces_.size());
    for (std::size_t j = 0; j < pieces_.size(); ++j) {
      const Piece& p = pieces_[j];
      const double length = p.b - p.a;
      const double high = p.value + p.slope * ((p.slope > 0 ? p.b : p.a) - p.anchor);
      const double t = std::abs(p.slope);
      if (length == 0) {
        log_mass[j] = -std::numeric_limits<double>::infinity();
      } else if (t == 0) {
        log_mass[j] = high + std::log(length);  // +inf for a flat unbounded piece (checked)
      } else {
        log_mass[j] = high + std::log(-std::expm1(-t * length)) - std::log(t);
      }
    }
    const double top = *std::max_element(log_mass.begin(), log_mass.end());
    cumulative_.assign(pieces_.size(), 0.0);
    double total = 0;
    for (std::size_t j = 0; j < pieces_.size(); ++j) {
      total += std::exp(log_mass[j] - top);
      cumulative_[j] = total;
    }
  }

  std::string_view function_;
  double lower_, upper_;
  std::vector<double> x_, h_;
  std::vector<Piece> pieces_;
  std::vector<double> cumulative_;  // running sums of the pieces' masses (scaled)
};

}  // namespace detail

/// Adaptive rejection sampling of n draws from a log-concave density on an interval of R;
/// see the file comment.
/// @param log_density `double(double)`: log p~(x) up to a constant; concave in x.
/// @param initial_points at least 2 distinct points strictly inside the domain where log_density
///        is finite; on an unbounded side they must bracket the mode (see the file comment).
///        Points spread around the mode (quantiles near 0.1, 0.5 and 0.9) make the first hull
///        tight.
/// @param n draws wanted, at least 1.
/// @param rng the engine.
/// @param settings the domain [lower_bound, upper_bound] (default R) and the hull's size limit.
/// @return the draws and the run's statistics.
/// @throws alea::InvalidArgument for n < 1, fewer than 2 initial points, points outside the
///         domain or repeated, a log density that is not finite at them, initial points that
///         do not bracket the mode on an unbounded domain, a log density that is NaN or +inf
///         at a candidate, or one that is detected not to be log-concave.
template <class F, RandomEngine G>
requires std::invocable<const F&, double> &&
    std::convertible_to < std::invoke_result_t<const F&, double>,
double > AdaptiveRejectionResult adaptive_rejection_sampling(
             const F& log_density, const std::vector<double>& initial_points, Index n, G& rng,
             const AdaptiveRejectionSettings& settings = {}) {
  constexpr std::string_view function = "alea::sampling::adaptive_rejection_sampling";
  using alea::detail::number_text;
  check_positive(function, "n", n);
  const double lower = settings.lower_bound;
  const double upper = settings.upper_bound;
  if (std::isnan(lower) || std::isnan(upper) || !(lower < upper)) {
    throw_invalid(function, "settings.lower_bound is " + number_text(lower) +
                                " and settings.upper_bound is " + number_text(upper) +
                                "; the domain must be a non-empty interval");
  }
  if (settings.max_points < 3) {
    throw_invalid(function, "settings.max_points is " + std::to_string(settings.max_points) +
                                ", but must be at least 3");
  }
  if (initial_points.size() < 2) {
    throw_invalid(function, "initial_points has " + std::to_string(initial_points.size()) +
                                " points, but at least 2 are needed");
  }
  std::vector<double> points = initial_points;
  std::sort(points.begin(), points.end());
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!(points[i] > lower && points[i] < upper)) {
      throw_invalid(function, "initial_points has " + number_text(points[i]) +
                                  ", outside the open domain (" + number_text(lower) + ", " +
                                  number_text(upper) + ")");
    }
    if (i > 0 && points[i] == points[i - 1]) {
      throw_invalid(function,
                    "initial_points has " + number_text(points[i]) + " twice; points must differ");
    }
  }
  if (points.size() == 2) points = {points[0], 0.5 * (points[0] + points[1]), points[1]};

  AdaptiveRejectionResult result;
  const auto evaluate = [&](double x) {
    ++result.evaluations;
    const double h = static_cast<double>(log_density(x));
    if (std::isnan(h) || h == std::numeric_limits<double>::infinity()) {
      throw_invalid(function, "log_density is " + number_text(h) + " at x = " + number_text(x) +
                                  "; it must be finite or -inf");
    }
    return h;
  };
  detail::SecantHull hull(function, lower, upper);
  std::vector<double> values;
  for (const double x : points) {
    const double h = evaluate(x);
    if (!std::isfinite(h)) {
      throw_invalid(function, "log_density is " + number_text(h) + " at the initial point " +
                                  number_text(x) + "; initial points must have positive density");
    }
    values.push_back(h);
  }
  // On an unbounded side the hull must fall, or exp(hull) has no finite integral.
  const std::size_t k = points.size();
  if (lower == -std::numeric_limits<double>::infinity() && !(values[1] > values[0])) {
    throw_invalid(function,
                  "the initial points do not bracket the mode: the domain is unbounded below, so "
                  "log_density must increase between the two smallest points (it goes from " +
                      number_text(values[0]) + " at " + number_text(points[0]) + " to " +
                      number_text(values[1]) + " at " + number_text(points[1]) +
                      "); add a point left of the mode");
  }
  if (upper == std::numeric_limits<double>::infinity() && !(values[k - 1] < values[k - 2])) {
    throw_invalid(function,
                  "the initial points do not bracket the mode: the domain is unbounded above, so "
                  "log_density must decrease between the two largest points (it goes from " +
                      number_text(values[k - 2]) + " at " + number_text(points[k - 2]) + " to " +
                      number_text(values[k - 1]) + " at " + number_text(points[k - 1]) +
                      "); add a point right of the mode");
  }
  for (std::size_t i = 0; i < k; ++i)
    hull.insert(points[i], values[i]);

  result.draws.resize(n);
  Index accepted = 0;
  while (accepted < n) {
    ++result.proposals;
    const auto [x, upper_value] = hull.sample(rng);
    const double log_u = std::log(uniform01<double>(rng));
    const double lower_value = hull.lower(x);
    if (log_u <= lower_value - upper_value) {
      ++result.squeeze_accepted;
      result.draws(accepted++) = x;
      continue;
    }
    const double h = evaluate(x);
    if (h == -std::numeric_limits<double>::infinity()) continue;  // outside the support
    const double tolerance = 1e-9 * (1.0 + std::abs(h));
    if (h > upper_value + tolerance) {
      throw_invalid(function, "log_density is not log-concave: at x = " + number_text(x) +
                                  " it is " + number_text(h) + ", above the hull of its chords (" +
                                  number_text(upper_value) + ")");
    }
    if (h < lower_value - tolerance) {
      throw_invalid(function, "log_density is not log-concave: at x = " + number_text(x) +
                                  " it is " + number_text(h) +
                                  ", below the chord through its "
                                  "neighbouring points (" +
                                  number_text(lower_value) + ")");
    }
    if (log_u <= h - upper_value) result.draws(accepted++) = x;
    if (hull.size() < settings.max_points && !hull.too_close(x)) hull.insert(x, h);
  }
  result.envelope_size = hull.size();
  result.acceptance_rate = double(n) / double(result.proposals);
  result.abscissae = Eigen::Map<const VectorX<double>>(hull.abscissae().data(), hull.size());
  return result;
}

}  // namespace alea::sampling
