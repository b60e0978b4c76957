#pragma once
/// @file
/// @brief Smoothing kernels for density estimation: alea::Kernel, their normalisation in d
/// dimensions, log profiles, moments and sampling.
///
/// A kernel is radially symmetric: K_h(x) = c_d h^{-d} k(||x|| / h), with profile k and
/// c_d = 1 / integral of k(||x||) over R^d = 1 / (S_{d-1} integral_0^inf k(r) r^{d-1} dr),
/// S_{d-1} = 2 pi^{d/2} / Gamma(d/2) the area of the unit sphere. The profiles are
/// scikit-learn's (`KernelDensity`); the normalisations agree with scikit-learn's for every
/// kernel but the cosine, whose d >= 2 constant in scikit-learn 1.2 does not integrate to 1
/// (d = 2: it returns log c = -1.386; the integral gives -0.374). alea's integrates to 1.
///
/// Profiles are written in terms of u = r^2 / h^2, the squared scaled distance the pairwise
/// engine delivers, so no square root is taken for the Gaussian, tophat and Epanechnikov
/// kernels.

#include <Eigen/Core>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>
#include <string_view>

#include "alea/core/checks.hpp"
#include "alea/core/random.hpp"
#include "alea/core/types.hpp"

namespace alea {

/// The kernels of scikit-learn's KernelDensity (profile k(r), r = distance / bandwidth).
enum class Kernel {
  gaussian,      ///< exp(-r^2 / 2)
  epanechnikov,  ///< 1 - r^2 for r < 1
  tophat,        ///< 1 for r < 1
  exponential,   ///< exp(-r)
  linear,        ///< 1 - r for r < 1
  cosine,        ///< cos(pi r / 2) for r < 1
};

/// Every Kernel, in declaration order (to loop over them, as in a bandwidth or kernel search).
inline constexpr Kernel all_kernels[] = {Kernel::gaussian,    Kernel::epanechnikov, Kernel::tophat,
                                         Kernel::exponential, Kernel::linear,       Kernel::cosine};

/// The kernel's name as scikit-learn spells it ("gaussian", ...).
inline std::string_view to_string(Kernel kernel) {
  switch (kernel) {
    case Kernel::gaussian:
      return "gaussian";
    case Kernel::epanechnikov:
      return "epanechnikov";
    case Kernel::tophat:
      return "tophat";
    case Kernel::exponential:
      return "exponential";
    case Kernel::linear:
      return "linear";
    case Kernel::cosine:
      return "cosine";
  }
  return "unknown";
}

/// Parses a name written by to_string(); empty when it is not a kernel's name.
inline std::optional<Kernel> kernel_from_string(std::string_view name) {
  for (auto k : all_kernels) {
    if (to_string(k) == name) return k;
  }
  return std::nullopt;
}

/// True when the kernel is zero beyond distance h (all but gaussian and exponential).
constexpr bool has_compact_support(Kernel kernel) {
  return kernel != Kernel::gaussian && kernel != Kernel::exponential;
}

namespace detail {

/// log of the volume of the unit ball in R^d, pi^{d/2} / Gamma(d/2 + 1).
inline double log_unit_ball_volume(Index d) {
  return 0.5 * double(d) * std::log(std::numbers::pi) - std::lgamma(0.5 * double(d) + 1.0);
}

/// integral_0^1 cos(pi r / 2) r^{m} dr by its power series sum_k (-1)^k a^{2k} / ((2k)! (2k+m+1)),
/// a = pi / 2: alternating with terms below 1.3, so no cancellation, unlike the
/// integration-by-parts recursion, which loses a digit a step for large m.
inline double cosine_moment(Index m) {
  const double a2 = std::numbers::pi * std::numbers::pi / 4.0;
  double term = 1.0;  // a^{2k} / (2k)!
  double sum = 0.0;
  for (int k = 0; k < 40; ++k) {
    sum += (k % 2 == 0 ? term : -term) / (2.0 * k + double(m) + 1.0);
    term *= a2 / ((2.0 * k + 1.0) * (2.0 * k + 2.0));
  }
  return sum;
}

}  // namespace detail

/// log c_d: the log normalising constant of the unit-bandwidth kernel in d dimensions, so that
/// log K_h(x) = kernel_log_norm(kernel, d) - d log h + log k(||x|| / h).
/// @throws alea::InvalidArgument for d < 1.
inline double kernel_log_norm(Kernel kernel, Index d) {
  check_positive("alea::kernel_log_norm", "d", d);
  const double dd = double(d);
  const double log_ball = detail::log_unit_ball_volume(d);
  const double log_sphere = std::log(dd) + log_ball;  // S_{d-1} = d V_d
  switch (kernel) {
    case Kernel::gaussian:
      return -0.5 * dd * std::log(2.0 * std::numbers::pi);
    case Kernel::tophat:
      return -log_ball;
    case Kernel::epanechnikov:
      return -(log_ball + std::log(2.0 / (dd + 2.0)));
    case Kernel::exponential:
      return -(log_sphere + std::lgamma(dd));
    case Kernel::linear:
      return -(log_ball - std::log(dd + 1.0));
    case Kernel::cosine:
      return -(log_sphere + std::log(detail::cosine_moment(d - 1)));
  }
  return 0;
}

/// log k as a function of u = r^2 (squared distance in bandwidth units), elementwise on an
/// Eigen array; -Inf outside a compact kernel's support (u >= 1, as scikit-learn's r < h).
template <class ArrayType>
auto kernel_log_profile(Kernel kernel, const ArrayType& u) {
  using T = typename ArrayType::Scalar;
  using Result = Eigen::Array<T, ArrayType::RowsAtCompileTime, ArrayType::ColsAtCompileTime>;
  constexpr T negative_infinity = -std::numeric_limits<T>::infinity();
  const auto inside = u < T(1);
  switch (kernel) {
    case Kernel::gaussian:
      return Result(T(-0.5) * u);
    case Kernel::tophat:
      return Result(inside.select(Result::Zero(u.rows(), u.cols()), negative_infinity));
    case Kernel::epanechnikov:
      return Result(inside.select((T(1) - u).log(), negative_infinity));
    case Kernel::exponential:
      return Result(-u.sqrt());
    case Kernel::linear:
      return Result(inside.select((T(1) - u.sqrt()).log(), negative_infinity));
    case Kernel::cosine:
      return Result(
          inside.select((T(std::numbers::pi / 2) * u.sqrt()).cos().log(), negative_infinity));
  }
  return Result(u);
}

/// Variance of one coordinate of the unit-bandwidth kernel in d dimensions, E[x_1^2]
/// (= E[r^2] / d): a KDE's covariance is the data's plus this times the bandwidth matrix.
inline double kernel_variance(Kernel kernel, Index d) {
  check_positive("alea::kernel_variance", "d", d);
  const double dd = double(d);
  switch (kernel) {
    case Kernel::gaussian:
      return 1.0;
    case Kernel::tophat:
      return 1.0 / (dd + 2.0);
    case Kernel::epanechnikov:
      return 1.0 / (dd + 4.0);
    case Kernel::exponential:
      return dd + 1.0;
    case Kernel::linear:
      return (dd + 1.0) / ((dd + 2.0) * (dd + 3.0));
    case Kernel::cosine:
      return detail::cosine_moment(d + 1) / detail::cosine_moment(d - 1) / dd;
  }
  return 0;
}

/// n draws from the unit-bandwidth kernel in d dimensions, n x d: a uniform direction times a
/// radius from the density proportional to k(r) r^{d-1}. Radii: Gaussian directly (normal
/// coordinates); tophat r = U^{1/d}; Epanechnikov r^2 ~ Beta(d/2, 2); linear r ~ Beta(d, 2);
/// exponential r ~ Gamma(d, 1); cosine by rejection from Beta(d, 2), accepting with
/// probability sin(pi (1 - r)/2) / (pi (1 - r)/2) >= 2/pi (as cos(pi r/2) <= pi (1 - r)/2).
template <class T = double, RandomEngine G>
MatrixX<T> sample_kernel(Kernel kernel, Index n, Index d, G& rng) {
  check_nonnegative("alea::sample_kernel", "n", n);
  check_positive("alea::sample_kernel", "d", d);
  MatrixX<T> z = standard_normal<T>(rng, n, d);
  if (kernel == Kernel::gaussian) return z;
  const auto beta = [&rng](double a, double b) {
    const double x = standard_gamma<double>(rng, a);
    return x / (x + standard_gamma<double>(rng, b));
  };
  const double dd = double(d);
  for (Index i = 0; i < n; ++i) {
    double r = 0;
    switch (kernel) {
      case Kernel::tophat:
        r = std::pow(uniform01<double>(rng), 1.0 / dd);
        break;
      case Kernel::epanechnikov:
        r = std::sqrt(beta(0.5 * dd, 2.0));
        break;
      case Kernel::linear:
        r = beta(dd, 2.0);
        break;
      case Kernel::exponential:
        r = standard_gamma<double>(rng, dd);
        break;
      case Kernel::cosine:
        while (true) {
          r = beta(dd, 2.0);
          const double x = 0.5 * std::numbers::pi * (1.0 - r);
          if (uniform01<double>(rng) * x <= std::sin(x)) break;
        }
        break;
      case Kernel::gaussian:
        break;
    }
    T norm = z.row(i).norm();
    while (norm == T(0)) {  // a direction needs a non-zero normal vector (probability ~2^-52 d)
      fill_standard_normal(rng, z.row(i));
      norm = z.row(i).norm();
    }
    z.row(i) *= T(r) / norm;
  }
  return z;
}

}  // namespace alea
