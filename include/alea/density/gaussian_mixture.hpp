#pragma once
/// @file
/// @brief alea::GaussianMixture: a mixture of Gaussians fitted by expectation-maximisation,
/// scikit-learn's GaussianMixture with sample weights, the iteration history, re-seeding of
/// emptied components and a one-pass, threaded E-step.
///
/// The model is p(x) = sum_k pi_k N(x | mu_k, Sigma_k) with the covariances parametrised by
/// CovarianceType (full, tied, diag, spherical). EM (Dempster, Laird and Rubin 1977; Bishop,
/// PRML section 9.2) alternates
///
///   E-step: r_ik = pi_k N(x_i | mu_k, Sigma_k) / p(x_i), and the statistics
///           N_k = sum_i w_i r_ik, sum_i w_i r_ik x_i, sum_i w_i r_ik x_i x_i^T;
///   M-step: pi_k = N_k / W, mu_k = sum w r x / N_k, Sigma_k = sum w r (x - mu_k)(..)^T / N_k
///           + reg_covar I,
///
/// and never decreases the (weighted mean) log-likelihood L = sum_i w_i log p(x_i) / W, the
/// "lower bound" of scikit-learn. Iteration t records L under the parameters before its M-step,
/// exactly as scikit-learn's lower_bound_, and stops when |L_t - L_{t-1}| < tol (tol = 0: run
/// max_iter iterations). The E-step is one pass (mixture_e_step.hpp) whose statistics add
/// across shards (MixtureStatistics): fit_statistics() runs the M-step on statistics gathered
/// elsewhere.
///
/// Sample weights are frequency weights: integer weights give the fit of the data with rows
/// repeated (scikit-learn has no sample_weight here, issue #15647).
///
/// A component whose responsibility mass falls below a thousandth of an average observation
/// has lost its points: it is re-seeded at the observation the model explains worst (lowest
/// log p(x_i)), with the covariance of the heaviest component and the mass of one observation,
/// and the event is recorded in status().notes. (scikit-learn keeps such components, with the
/// covariance reg_covar I.) A re-seeding may lower L once; otherwise L never decreases.

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "alea/core/checks.hpp"
#include "alea/core/json.hpp"
#include "alea/core/log_space.hpp"
#include "alea/core/progress.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/core/types.hpp"
#include "alea/density/covariance_type.hpp"
#include "alea/density/gaussian.hpp"
#include "alea/density/gaussian_components.hpp"
#include "alea/density/mixture_common.hpp"
#include "alea/density/mixture_e_step.hpp"
#include "alea/density/mixture_init.hpp"
#include "alea/density/mixture_sampling.hpp"
#include "alea/density/mixture_statistics.hpp"

namespace alea {

/// Settings of GaussianMixture; defaults are scikit-learn's.
struct GaussianMixtureSettings {
  Index n_components = 1;
  CovarianceType covariance_type = CovarianceType::full;
  double tol = 1e-3;        ///< stop when the lower bound changes by less (0: run max_iter)
  double reg_covar = 1e-6;  ///< added to the diagonal of every covariance
  Index max_iter = 100;     ///< EM iterations per initialisation
  Index n_init = 1;         ///< initialisations; the one with the best lower bound is kept
  MixtureInit init_params = MixtureInit::kmeans;
  std::uint64_t seed = 0;  ///< initialisation j draws from Rng{seed}.stream(j)
  std::optional<VectorX<double>> weights_init = {};       ///< k mixture weights
  std::optional<MatrixX<double>> means_init = {};         ///< k x d
  std::optional<MixturePrecisions> precisions_init = {};  ///< scikit-learn's shapes, see the type
  bool warm_start = false;  ///< a refit starts from the current parameters (one initialisation)
  ProgressCallback progress = {};  ///< per EM iteration: (iteration, lower bound); false stops
};

/// A Gaussian mixture fitted by EM; see the file comment. GenerativeModel, WeightedEstimator.
template <class T = double>
class GaussianMixture {
 public:
  using Scalar = T;
  using Labels = Eigen::Matrix<Index, Eigen::Dynamic, 1>;

  explicit GaussianMixture(GaussianMixtureSettings settings = {}) : settings_(std::move(settings)) {
    validate_settings();
  }

  /// A mixture with given parameters (no fit): weights (k, summing to 1), means (k x d) and
  /// covariances in the type's shape (see GaussianComponents).
  GaussianMixture(const VectorRef<T>& weights, GaussianComponents<T> components)
      : weights_(weights), components_(std::move(components)) {
    check_probability_vector("alea::GaussianMixture::GaussianMixture", "weights", weights_);
    if (weights_.size() != components_.components()) {
      throw_invalid("alea::GaussianMixture::GaussianMixture",
                    "weights has " + std::to_string(weights_.size()) + " entries, but there are " +
                        std::to_string(components_.components()) + " components");
    }
    settings_.n_components = weights_.size();
    settings_.covariance_type = components_.covariance_type();
    status_.converged = true;
  }

  GaussianMixture& fit(const MatrixRef<T>& X) { return fit_impl(X, nullptr); }

  /// Fit with frequency weights (n, non-negative, not all zero).
  GaussianMixture& fit(const MatrixRef<T>& X, const VectorRef<T>& sample_weight) {
    check_weights("alea::GaussianMixture::fit", "sample_weight", sample_weight, X.rows());
    const VectorX<T> w = sample_weight;
    return fit_impl(X, &w);
  }

  /// The M-step alone: parameters from statistics gathered elsewhere (shards summed with +=).
  GaussianMixture& fit_statistics(const MixtureStatistics<T>& statistics) {
    constexpr std::string_view function = "alea::GaussianMixture::fit_statistics";
    if (statistics.components() != settings_.n_components ||
        statistics.covariance_type != settings_.covariance_type) {
      throw_invalid(function, "the statistics are for " + std::to_string(statistics.components()) +
                                  " " + std::string(to_string(statistics.covariance_type)) +
                                  " components, but the settings ask for " +
                                  std::to_string(settings_.n_components) + " " +
                                  std::string(to_string(settings_.covariance_type)));
    }
    if (!(statistics.total_weight > 0)) throw_invalid(function, "the statistics have no weight");
    m_step(statistics, function);
    return *this;
  }

  /// The E-step alone: statistics of X (or a shard of it) under the current parameters.
  [[nodiscard]] MixtureStatistics<T> statistics(const MatrixRef<T>& X) const {
    check_query("alea::GaussianMixture::statistics", X);
    return detail::mixture_e_step<T>(X, nullptr, components_, log_weights()).statistics;
  }

  /// Log density of each row of X (scikit-learn's score_samples).
  [[nodiscard]] VectorX<T> log_prob(const MatrixRef<T>& X) const {
    return rowwise_log_sum_exp(weighted_log_densities("alea::GaussianMixture::log_prob", X));
  }

  /// Mean log density of the rows of X.
  [[nodiscard]] T score(const MatrixRef<T>& X) const { return log_prob(X).mean(); }

  /// n x k posterior probabilities of the components.
  [[nodiscard]] MatrixX<T> predict_proba(const MatrixRef<T>& X) const {
    return rowwise_log_softmax(weighted_log_densities("alea::GaussianMixture::predict_proba", X))
        .array()
        .exp();
  }

  /// The most probable component of each row (ties: the lowest index).
  [[nodiscard]] Labels predict(const MatrixRef<T>& X) const {
    return detail::row_argmax(weighted_log_densities("alea::GaussianMixture::predict", X));
  }

  /// Bayesian information criterion on X: -2 n score(X) + p log n (lower is better).
  [[nodiscard]] T bic(const MatrixRef<T>& X) const {
    return T(-2) * score(X) * T(X.rows()) + T(parameters()) * std::log(T(X.rows()));
  }
  /// Akaike information criterion on X: -2 n score(X) + 2 p.
  [[nodiscard]] T aic(const MatrixRef<T>& X) const {
    return T(-2) * score(X) * T(X.rows()) + T(2 * parameters());
  }
  /// Free parameters: k - 1 weights, k d means and the covariances' (scikit-learn's count).
  [[nodiscard]] Index parameters() const {
    require_fitted("alea::GaussianMixture::parameters");
    return components_.components() - 1 + components_.components() * dim() +
           components_.covariance_parameters();
  }

  /// n independent draws (rows in random order, as the draws came).
  template <RandomEngine G>
  [[nodiscard]] MatrixX<T> sample(Index n, G& rng) const {
    return sample_with_labels(n, rng).first;
  }

  /// n draws and the component each came from.
  template <RandomEngine G>
  [[nodiscard]] std::pair<MatrixX<T>, Labels> sample_with_labels(Index n, G& rng) const {
    require_fitted("alea::GaussianMixture::sample");
    check_nonnegative("alea::GaussianMixture::sample", "n", n);
    return detail::sample_mixture(weights_, components_, n, rng);
  }

  [[nodiscard]] Index dim() const { return components_.dim(); }
  [[nodiscard]] Index n_components() const { return settings_.n_components; }
  [[nodiscard]] bool fitted() const { return components_.components() > 0; }
  [[nodiscard]] const GaussianMixtureSettings& settings() const { return settings_; }

  [[nodiscard]] const VectorX<T>& weights() const {
    return require_fitted("alea::GaussianMixture::weights"), weights_;
  }
  [[nodiscard]] const MatrixX<T>& means() const {
    return require_fitted("alea::GaussianMixture::means"), components_.means();
  }
  /// The k covariances as d x d matrices, whatever the covariance type (tied: k copies).
  [[nodiscard]] std::vector<MatrixX<T>> covariances() const {
    require_fitted("alea::GaussianMixture::covariances");
    std::vector<MatrixX<T>> out;
    for (Index j = 0; j < n_components(); ++j)
      out.push_back(components_.covariance(j));
    return out;
  }
  /// The k precision Cholesky factors P_k (upper triangular, P P^T = Sigma^{-1}), d x d each.
  [[nodiscard]] std::vector<MatrixX<T>> precisions_cholesky() const {
    require_fitted("alea::GaussianMixture::precisions_cholesky");
    std::vector<MatrixX<T>> out;
    for (Index j = 0; j < n_components(); ++j)
      out.push_back(components_.precision_cholesky(j));
    return out;
  }
  /// The components with their covariances in the type's (scikit-learn's) shape.
  [[nodiscard]] const GaussianComponents<T>& components() const {
    return require_fitted("alea::GaussianMixture::components"), components_;
  }
  /// Component j as a Gaussian.
  [[nodiscard]] Gaussian<T> component(Index j) const {
    require_fitted("alea::GaussianMixture::component");
    check_in_range("alea::GaussianMixture::component", "j", j, Index(0), n_components() - 1);
    return Gaussian<T>(components_.means().row(j).transpose(), components_.covariance(j));
  }

  [[nodiscard]] bool converged() const { return status_.converged; }
  [[nodiscard]] Index n_iter() const { return status_.iterations; }
  /// The lower bound (mean log-likelihood) of the kept initialisation's last iteration.
  [[nodiscard]] double lower_bound() const { return lower_bound_; }
  /// Iterations, convergence, the lower bound per iteration, re-seedings.
  [[nodiscard]] const FitStatus& status() const { return status_; }

  static std::string model_name() { return model_type_name<T>("alea::GaussianMixture"); }
  static int model_version() { return 1; }

  [[nodiscard]] nlohmann::json to_json() const {
    require_fitted("alea::save");
    return {{"covariance_type", to_string(components_.covariance_type())},
            {"weights", json::encode_matrix(weights_)},
            {"means", json::encode_matrix(components_.means())},
            {"covariances", detail::encode_covariances(components_)},
            {"converged", status_.converged},
            {"n_iter", status_.iterations},
            {"lower_bound", json::encode(lower_bound_)}};
  }

  static GaussianMixture from_json(const nlohmann::json& j) {
    const auto type = covariance_type_from_string(json::read_string(j, "covariance_type"));
    if (!type) json::format_error("field 'covariance_type' is not a covariance type");
    const VectorX<T> weights = json::read_vector<T>(j, "weights");
    auto components = detail::decode_components<T>(j, *type);
    if (weights.size() != components.components()) {
      json::format_error("field 'weights' has " + std::to_string(weights.size()) +
                         " entries, but there are " + std::to_string(components.components()) +
                         " components");
    }
    GaussianMixture model(weights, std::move(components));
    model.status_.converged = j.at("converged").get<bool>();
    model.status_.iterations = Index(json::read_integer(j, "n_iter"));
    model.lower_bound_ = json::read_scalar<double>(j, "lower_bound");
    return model;
  }

 private:
  /// One EM run from given parameters.
  struct Run {
    VectorX<T> weights;
    GaussianComponents<T> components;
    FitStatus status;
    double lower_bound = -std::numeric_limits<double>::infinity();
  };

  void validate_settings() const {
    constexpr std::string_view function = "alea::GaussianMixture::GaussianMixture";
    const auto& s = settings_;
    detail::check_mixture_settings(function, s);
    if (s.weights_init) {
      if (s.weights_init->size() != s.n_components) {
        throw_invalid(function, "weights_init has " + std::to_string(s.weights_init->size()) +
                                    " entries, but n_components is " +
                                    std::to_string(s.n_components));
      }
      check_probability_vector(function, "weights_init", *s.weights_init);
    }
    if (s.means_init) {
      if (s.means_init->rows() != s.n_components) {
        throw_invalid(function, "means_init has " + std::to_string(s.means_init->rows()) +
                                    " rows, but n_components is " + std::to_string(s.n_components));
      }
      check_not_empty(function, "means_init", *s.means_init);
      check_finite(function, "means_init", *s.means_init);
    }
  }

  GaussianMixture& fit_impl(const MatrixRef<T>& X, const VectorX<T>* w) {
    constexpr std::string_view function = "alea::GaussianMixture::fit";
    detail::check_mixture_data(function, X, settings_.n_components);
    if (settings_.means_init)
      check_cols(function, "X", X, settings_.means_init->cols(), "means_init has");
    if (settings_.warm_start && fitted()) {
      check_cols(function, "X", X, dim());
      adopt(run_em(X, w, weights_, components_));
      return *this;
    }
    std::optional<Run> best;
    for (Index init = 0; init < settings_.n_init; ++init) {
      Rng rng = Rng{settings_.seed}.stream(std::uint64_t(init));
      auto [weights, components] = initial_parameters(X, w, rng);
      Run run = run_em(X, w, std::move(weights), std::move(components));
      if (!best || run.lower_bound > best->lower_bound) best = std::move(run);
    }
    adopt(std::move(*best));
    detail::note_if_not_converged(status_, settings_);
    return *this;
  }

  void adopt(Run run) {
    weights_ = std::move(run.weights);
    components_ = std::move(run.components);
    status_ = std::move(run.status);
    lower_bound_ = run.lower_bound;
  }

  /// Weights and components to start EM from: responsibilities by settings_.init_params (only
  /// when some parameter is not given), then the user's weights, means, precisions on top.
  std::pair<VectorX<T>, GaussianComponents<T>> initial_parameters(const MatrixRef<T>& X,
                                                                  const VectorX<T>* w,
                                                                  Rng& rng) const {
    constexpr std::string_view function = "alea::GaussianMixture::fit";
    const Index k = settings_.n_components;
    const Index d = X.cols();
    const auto& s = settings_;
    VectorX<T> weights;
    MatrixX<T> means;
    std::vector<MatrixX<T>> covariances;
    if (!(s.weights_init && s.means_init && s.precisions_init)) {
      const MatrixX<T> R = detail::initial_responsibilities<T>(X, w, k, s.init_params, rng);
      const auto statistics =
          detail::statistics_from_responsibilities<T>(X, w, R, s.covariance_type);
      auto moments = GaussianComponents<T>::moments(statistics, T(s.reg_covar));
      weights = moments.counts / moments.counts.sum();
      means = std::move(moments.means);
      covariances = std::move(moments.covariances);
    }
    if (s.weights_init) weights = s.weights_init->template cast<T>();
    if (s.means_init) means = s.means_init->template cast<T>();
    if (s.precisions_init) {
      covariances = detail::covariances_from_precisions<T>(*s.precisions_init, s.covariance_type, k,
                                                           d, function);
    }
    return {std::move(weights),
            GaussianComponents<T>(s.covariance_type, std::move(means), std::move(covariances),
                                  function, T(s.reg_covar))};
  }

  Run run_em(const MatrixRef<T>& X, const VectorX<T>* w, VectorX<T> weights,
             GaussianComponents<T> components) const {
    constexpr std::string_view function = "alea::GaussianMixture::fit";
    Run run{
        std::move(weights), std::move(components), {}, -std::numeric_limits<double>::infinity()};
    for (Index iteration = 1; iteration <= settings_.max_iter; ++iteration) {
      const double previous = run.lower_bound;
      auto e = detail::mixture_e_step<T>(X, w, run.components, log_weights(run.weights));
      run.lower_bound = e.statistics.log_likelihood / e.statistics.total_weight;
      run.status.history.push_back(run.lower_bound);
      run.status.iterations = iteration;
      reseed_empty_component(X, e, run, iteration);
      run.components =
          GaussianComponents<T>::from_statistics(e.statistics, T(settings_.reg_covar), function);
      run.weights = mixture_weights(e.statistics);
      if (!report_progress(settings_.progress, iteration, run.lower_bound)) {
        run.status.stopped_early = true;
        break;
      }
      if (std::abs(run.lower_bound - previous) < settings_.tol) {
        run.status.converged = true;
        break;
      }
    }
    return run;
  }

  /// See the file comment: one emptied component per iteration is moved to the worst-explained
  /// row by rewriting its statistics as those of one observation there with the heaviest
  /// component's covariance, so that the M-step produces exactly that component.
  void reseed_empty_component(const MatrixRef<T>& X, detail::EStepResult<T>& e, Run& run,
                              Index iteration) const {
    auto& s = e.statistics;
    const T mass = T(s.total_weight / double(s.observations));
    Index empty = -1;
    for (Index j = 0; j < s.components() && empty < 0; ++j) {
      if (s.counts(j) < T(1e-3) * mass) empty = j;
    }
    if (empty < 0 || s.components() == 1) return;
    Index heaviest;
    s.counts.maxCoeff(&heaviest);
    const MatrixX<T> covariance = run.components.covariance(heaviest);
    const RowVectorX<T> offset = X.row(e.worst_row) - s.centres.row(empty);
    run.status.notes.push_back("iteration " + std::to_string(iteration) + ": component " +
                               std::to_string(empty) + " had responsibility mass " +
                               detail::number_text(s.counts(empty)) + " and was re-seeded at row " +
                               std::to_string(e.worst_row));
    s.counts(empty) = mass;
    s.first.row(empty) = mass * offset;
    const MatrixX<T> second = mass * (covariance + offset.transpose() * offset);
    switch (s.covariance_type) {
      case CovarianceType::full:
        s.scatter[empty] = second;
        break;
      case CovarianceType::tied:  // the shared covariance is left as it is
        s.scatter[0] += mass * offset.transpose() * offset;
        break;
      case CovarianceType::diag:
      case CovarianceType::spherical:
        s.squares.row(empty) = second.diagonal().transpose();
        break;
    }
  }

  void m_step(const MixtureStatistics<T>& statistics, std::string_view function) {
    components_ =
        GaussianComponents<T>::from_statistics(statistics, T(settings_.reg_covar), function);
    weights_ = mixture_weights(statistics);
  }

  /// pi_k = (N_k + 10 eps) / sum_j (N_j + 10 eps), as scikit-learn.
  static VectorX<T> mixture_weights(const MixtureStatistics<T>& s) {
    const VectorX<T> nk = s.counts.array() + T(10) * Eigen::NumTraits<T>::epsilon();
    return nk / nk.sum();
  }

  static VectorX<T> log_weights(const VectorX<T>& weights) { return weights.array().log(); }
  [[nodiscard]] VectorX<T> log_weights() const { return log_weights(weights_); }

  void require_fitted(std::string_view function) const { check_fitted(function, fitted()); }

  void check_query(std::string_view function, const MatrixRef<T>& X) const {
    detail::check_mixture_query(function, fitted(), dim(), X);
  }

  MatrixX<T> weighted_log_densities(std::string_view function, const MatrixRef<T>& X) const {
    check_query(function, X);
    return detail::mixture_log_densities<T>(X, components_, log_weights());
  }

  GaussianMixtureSettings settings_;
  VectorX<T> weights_;
  GaussianComponents<T> components_;
  FitStatus status_;
  double lower_bound_ = -std::numeric_limits<double>::infinity();
};

}  // namespace alea
