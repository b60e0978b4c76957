#pragma once
/// @file
/// @brief evaluate(): one report with every metric that applies to a model, on held-out data.
///
/// A Density gets its held-out log-likelihood (log_likelihood.hpp). A Sampleable model draws
/// n_samples rows (default: as many as the test set has), which are compared with the test set
/// by the unbiased MMD^2 with the Gaussian kernel at the median-heuristic bandwidth (mmd.hpp),
/// the Frechet distance (frechet.hpp) and precision, recall, density and coverage (prdc.hpp).
/// A GenerativeModel gets both. The report prints as an aligned table; comparison_table() sets
/// the reports of several models side by side.
///
/// @code
/// alea::GaussianMixture<> one({.n_components = 1}), three({.n_components = 3});
/// one.fit(X_train);
/// three.fit(X_train);
/// alea::Rng rng{7};
/// std::cout << alea::metrics::comparison_table({{"1 component", evaluate(one, X_test, rng)},
///                                               {"3 components", evaluate(three, X_test, rng)}});
/// @endcode

#include <Eigen/Core>
#include <cstdio>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alea/core/checks.hpp"
#include "alea/core/concepts.hpp"
#include "alea/core/pairwise.hpp"
#include "alea/core/random.hpp"
#include "alea/core/types.hpp"
#include "alea/metrics/detail/checks.hpp"
#include "alea/metrics/frechet.hpp"
#include "alea/metrics/log_likelihood.hpp"
#include "alea/metrics/mmd.hpp"
#include "alea/metrics/prdc.hpp"

namespace alea::metrics {

/// Settings of evaluate.
struct EvaluateSettings {
  Index n_samples = 0;             ///< rows drawn from a Sampleable model; 0: as many as X_test has
  Index k = 5;                     ///< the neighbour of precision, recall, density and coverage
  PairwiseSettings pairwise = {};  ///< tiles of MMD and PRDC
};

/// What evaluate() measured; a metric that does not apply to the model is empty.
struct EvaluationReport {
  Index n_test = 0;     ///< rows of the test set
  Index n_samples = 0;  ///< rows drawn from the model (0 if it is not Sampleable)
  Index dim = 0;        ///< d
  Index k = 0;          ///< PRDC's neighbour
  std::optional<LogLikelihood> log_likelihood;  ///< Density
  std::optional<double> mmd2;                   ///< Sampleable: unbiased, Gaussian kernel
  std::optional<double> mmd_bandwidth;          ///< its sigma, the median heuristic
  std::optional<double> frechet_distance;       ///< Sampleable
  std::optional<Prdc> prdc;                     ///< Sampleable

  /// The report as an aligned two-column text table.
  [[nodiscard]] std::string to_table() const;
};

/// The reports side by side, one column per (name, report), one row per metric that any of
/// them has ("-" where a report lacks it). Numbers with 6 significant digits.
inline std::string comparison_table(
    const std::vector<std::pair<std::string, EvaluationReport>>& reports) {
  using Field = std::optional<double> (*)(const EvaluationReport&);
  struct Row {
    const char* label;
    Field field;
  };
  static const Row rows[] = {
      {"log-likelihood, mean (nats)",
       [](const EvaluationReport& r) -> std::optional<double> {
         return r.log_likelihood ? std::optional(r.log_likelihood->mean) : std::nullopt;
       }},
      {"log-likelihood (bits/dim)",
       [](const EvaluationReport& r) -> std::optional<double> {
         return r.log_likelihood ? std::optional(r.log_likelihood->bits_per_dim) : std::nullopt;
       }},
      {"MMD^2 (unbiased, Gaussian)", [](const EvaluationReport& r) { return r.mmd2; }},
      {"  bandwidth (median)", [](const EvaluationReport& r) { return r.mmd_bandwidth; }},
      {"Frechet distance", [](const EvaluationReport& r) { return r.frechet_distance; }},
      {"precision",
       [](const EvaluationReport& r) -> std::optional<double> {
         return r.prdc ? std::optional(r.prdc->precision) : std::nullopt;
       }},
      {"recall",
       [](const EvaluationReport& r) -> std::optional<double> {
         return r.prdc ? std::optional(r.prdc->recall) : std::nullopt;
       }},
      {"density",
       [](const EvaluationReport& r) -> std::optional<double> {
         return r.prdc ? std::optional(r.prdc->density) : std::nullopt;
       }},
      {"coverage",
       [](const EvaluationReport& r) -> std::optional<double> {
         return r.prdc ? std::optional(r.prdc->coverage) : std::nullopt;
       }},
  };
  const auto number = [](double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", value);
    return std::string(buffer);
  };
  // Cells: a header row, then one row per metric that some report has.
  std::vector<std::vector<std::string>> cells;
  cells.push_back({"metric"});
  for (const auto& [name, report] : reports)
    cells.front().push_back(name);
  const auto add_row = [&](const std::string& label, const auto& value_of) {
    std::vector<std::string> row{label};
    bool any = false;
    for (const auto& entry : reports) {
      const std::optional<std::string> text = value_of(entry.second);
      any = any || text.has_value();
      row.push_back(text.value_or("-"));
    }
    if (any) cells.push_back(std::move(row));
  };
  add_row("test rows / dimension", [&](const EvaluationReport& r) -> std::optional<std::string> {
    return std::to_string(r.n_test) + " / " + std::to_string(r.dim);
  });
  add_row("samples drawn", [&](const EvaluationReport& r) -> std::optional<std::string> {
    if (r.n_samples == 0) return std::nullopt;
    return std::to_string(r.n_samples) + " (PRDC k = " + std::to_string(r.k) + ")";
  });
  for (const Row& row : rows) {
    add_row(row.label, [&](const EvaluationReport& r) -> std::optional<std::string> {
      const std::optional<double> value = row.field(r);
      return value ? std::optional(number(*value)) : std::nullopt;
    });
  }
  std::vector<std::size_t> width(cells.front().size(), 0);
  for (const auto& row : cells)
    for (std::size_t c = 0; c < row.size(); ++c)
      width[c] = std::max(width[c], row[c].size());
  std::string out;
  for (const auto& row : cells) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      // The label column left-aligned, the value columns right-aligned, two spaces apart.
      const std::string padding(width[c] - row[c].size(), ' ');
      out += c == 0 ? row[c] + padding : "  " + padding + row[c];
    }
    out += "\n";
  }
  return out;
}

inline std::string EvaluationReport::to_table() const {
  return comparison_table({{"value", *this}});
}

/// Prints report.to_table().
inline std::ostream& operator<<(std::ostream& out, const EvaluationReport& report) {
  return out << report.to_table();
}

/// Evaluates `model` on held-out rows X_test with every metric that applies; see the file
/// comment.
/// @param model a Density, a Sampleable model, or both (GenerativeModel), of dimension d.
/// @param X_test n x d held-out observations (not used to fit the model).
/// @param rng draws the model's samples (unused for a model that is only a Density).
/// @throws alea::InvalidArgument for empty or non-finite X_test, X_test with other than d
///         columns, or, for a Sampleable model, n < 2, n_samples < 2 or k >= n or >= n_samples;
///         alea::NumericalError if the model's log density is NaN or its samples are not finite.
template <class M, class Derived, RandomEngine G>
requires(Density<M> || Sampleable<M>) EvaluationReport
    evaluate(const M& model, const Eigen::MatrixBase<Derived>& X_test, G& rng,
             const EvaluateSettings& settings = {}) {
  using T = typename M::Scalar;
  static_assert(std::is_same_v<typename Derived::Scalar, T>,
                "alea::metrics::evaluate: X_test must have the model's scalar type");
  constexpr std::string_view function = "alea::metrics::evaluate";
  check_data(function, "X_test", X_test);
  check_cols(function, "X_test", X_test, model.dim());
  const MatrixRef<T> test(X_test.derived());
  EvaluationReport report;
  report.n_test = test.rows();
  report.dim = test.cols();
  if constexpr (Density<M>) report.log_likelihood = log_likelihood(model, X_test);
  if constexpr (Sampleable<M>) {
    check_nonnegative(function, "n_samples", settings.n_samples);
    check_positive(function, "k", settings.k);
    const Index n_samples = settings.n_samples > 0 ? settings.n_samples : test.rows();
    detail::check_min_rows(function, "X_test", test, std::max<Index>(2, settings.k + 1),
                           "k = " + std::to_string(settings.k) + " (and a covariance)");
    if (n_samples < std::max<Index>(2, settings.k + 1)) {
      throw_invalid(function, "n_samples is " + std::to_string(n_samples) +
                                  ", but k = " + std::to_string(settings.k) +
                                  " (and a covariance) needs at least " +
                                  std::to_string(std::max<Index>(2, settings.k + 1)));
    }
    const MatrixX<T> samples = model.sample(n_samples, rng);
    if (!samples.allFinite()) throw_numerical(function, "the model's samples are not all finite");
    report.n_samples = n_samples;
    report.k = settings.k;
    const double bandwidth = median_heuristic_bandwidth(test, samples, settings.pairwise);
    report.mmd_bandwidth = bandwidth;
    report.mmd2 = mmd2(test, samples, {.bandwidth = bandwidth, .pairwise = settings.pairwise});
    report.frechet_distance = frechet_distance(test, samples);
    report.prdc = precision_recall_density_coverage(test, samples, settings.k, settings.pairwise);
  }
  return report;
}

}  // namespace alea::metrics
