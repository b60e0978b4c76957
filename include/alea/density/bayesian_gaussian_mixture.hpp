#pragma once
/// @file
/// @brief alea::BayesianGaussianMixture: a Gaussian mixture with priors on all its parameters,
/// fitted by coordinate-ascent variational inference (scikit-learn's BayesianGaussianMixture)
/// or, for data too large for full passes, by stochastic variational inference.
///
/// Model (Bishop, PRML section 10.2; Blei and Jordan 2006 for the process prior):
///
///   weights  pi ~ Dirichlet(alpha0 / k, ...)                   (dirichlet_distribution)
///            or pi_k = v_k prod_{j<k} (1 - v_j), v_k ~ Beta(1, alpha0)   (dirichlet_process,
///            truncated at k components: stick-breaking)
///   components  Lambda_k ~ Wishart(nu0, W0), mu_k | Lambda_k ~ N(m0, (beta0 Lambda_k)^-1)
///   data     z_i ~ Categorical(pi), x_i | z_i = k ~ N(mu_k, Lambda_k^-1).
///
/// The variational posterior q(z) q(pi) q(mu, Lambda) keeps these forms; CAVI alternates the
/// responsibilities (an E-step whose log densities carry the expectations E[log pi_k] and
/// E[log det Lambda_k], see mixture_offsets()) and the closed-form updates of q(pi) and
/// q(mu, Lambda) from the responsibility-weighted statistics N_k, x_k, S_k (MixtureStatistics,
/// the same as EM's). Every update raises the evidence lower bound (ELBO); the bound recorded
/// per iteration is scikit-learn's, which drops the constant terms (so it can be positive).
/// Defaults and parametrisation (W0^-1 given as `covariance_prior`, covariances() returning
/// W_k^-1 / nu_k) are scikit-learn's, and started from the same responsibilities alea follows
/// its trajectory to rounding.
///
/// Components the data do not need keep weights near their prior share and fall out: read
/// weights(), or status().notes, which names the components whose weight ended below 1e-3.
///
/// **Stochastic VI** (Hoffman, Blei, Wang and Paisley, "Stochastic variational inference",
/// JMLR 14, 2013): with batch_size > 0 each step runs the E-step on a minibatch of rows, scales
/// its statistics to the whole data (by W / W_batch), and moves the running statistics a step
/// rho_t = (t + tau)^-kappa towards them, then updates q(pi), q(mu, Lambda) from the running
/// statistics. q's natural parameters are affine in (N_k, sum x, sum x x^T), so this is the
/// natural-gradient step of the paper. An iteration is then one pass over the data in shuffled
/// minibatches; the bound reported uses the responsibilities seen during that pass.
///
/// **Densities.** log_prob() and sample() are those of the mixture with the posterior-mean
/// weights and the components N(m_k, W_k^-1 / nu_k) (scikit-learn samples the same mixture), a
/// normalised density. predict_proba() and predict() use the variational responsibilities, and
/// variational_log_prob() is scikit-learn's score_samples: log sum_k exp(E_q[log pi_k
/// N(x | mu_k, Lambda_k)]), a lower bound on the log posterior predictive density, not itself
/// normalised.

#include <Eigen/Core>
#include <algorithm>
#include <boost/math/special_functions/digamma.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
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
#include "alea/density/gaussian_components.hpp"
#include "alea/density/mixture_common.hpp"
#include "alea/density/mixture_e_step.hpp"
#include "alea/density/mixture_init.hpp"
#include "alea/density/mixture_sampling.hpp"
#include "alea/density/mixture_statistics.hpp"

namespace alea {

/// The prior on the mixture weights (scikit-learn's weight_concentration_prior_type).
enum class WeightPrior {
  dirichlet_process,       ///< stick-breaking, truncated at n_components
  dirichlet_distribution,  ///< symmetric Dirichlet
};

/// "dirichlet_process" or "dirichlet_distribution".
inline std::string_view to_string(WeightPrior prior) {
  return prior == WeightPrior::dirichlet_process ? "dirichlet_process" : "dirichlet_distribution";
}

/// Settings of BayesianGaussianMixture; defaults are scikit-learn's. Unset priors take
/// scikit-learn's data-dependent defaults at fit().
struct BayesianGaussianMixtureSettings {
  Index n_components = 1;
  CovarianceType covariance_type = CovarianceType::full;
  double tol = 1e-3;        ///< stop when the bound changes by less (0: run max_iter)
  double reg_covar = 1e-6;  ///< added to the diagonal of every component's scatter S_k
  Index max_iter = 100;     ///< iterations (SVI: passes over the data) per initialisation
  Index n_init = 1;         ///< initialisations; the one with the best bound is kept
  MixtureInit init_params = MixtureInit::kmeans;
  std::uint64_t seed = 0;  ///< initialisation j draws from Rng{seed}.stream(j)
  WeightPrior weight_concentration_prior_type = WeightPrior::dirichlet_process;
  std::optional<double> weight_concentration_prior = {};  ///< alpha0 > 0; default 1 / n_components
  std::optional<double> mean_precision_prior = {};        ///< beta0 > 0; default 1
  std::optional<VectorX<double>> mean_prior = {};         ///< m0 (d); default the data mean
  std::optional<double> degrees_of_freedom_prior = {};    ///< nu0 > d - 1; default d
  /// W0^-1 in the type's shape: d x d (full, tied), 1 x d (diag), 1 x 1 (spherical); default
  /// the data's covariance (ddof 1) in that shape.
  std::optional<MatrixX<double>> covariance_prior = {};
  /// n x k starting responsibilities (rows are normalised); replaces init_params.
  std::optional<MatrixX<double>> responsibilities_init = {};
  bool warm_start = false;  ///< a refit starts from the current posterior (one initialisation)
  Index batch_size = 0;     ///< 0: CAVI with full passes; > 0: stochastic VI on minibatches
  double learning_rate_delay = 1.0;  ///< SVI: tau >= 0 in rho_t = (t + tau)^-kappa
  double learning_rate_decay = 0.7;  ///< SVI: kappa in (0.5, 1]
  ProgressCallback progress = {};    ///< per iteration: (iteration, lower bound); false stops
};

/// A variational Bayesian Gaussian mixture; see the file comment. GenerativeModel,
/// WeightedEstimator.
template <class T = double>
class BayesianGaussianMixture {
 public:
  using Scalar = T;
  using Labels = Eigen::Matrix<Index, Eigen::Dynamic, 1>;

  /// The priors in effect (after defaults are filled in from the data).
  struct Priors {
    T weight_concentration{};  ///< alpha0
    T mean_precision{};        ///< beta0
    VectorX<T> mean;           ///< m0
    T degrees_of_freedom{};    ///< nu0
    MatrixX<T> covariance;     ///< W0^-1 in the type's shape (see the settings)
  };

  explicit BayesianGaussianMixture(BayesianGaussianMixtureSettings settings = {})
      : settings_(std::move(settings)) {
    validate_settings();
  }

  BayesianGaussianMixture& fit(const MatrixRef<T>& X) { return fit_impl(X, nullptr); }

  /// Fit with frequency weights (n, non-negative, not all zero).
  BayesianGaussianMixture& fit(const MatrixRef<T>& X, const VectorRef<T>& sample_weight) {
    check_weights("alea::BayesianGaussianMixture::fit", "sample_weight", sample_weight, X.rows());
    const VectorX<T> w = sample_weight;
    return fit_impl(X, &w);
  }

  /// Log density of each row under the posterior-mean mixture (see the file comment).
  [[nodiscard]] VectorX<T> log_prob(const MatrixRef<T>& X) const {
    check_query("alea::BayesianGaussianMixture::log_prob", X);
    const VectorX<T> log_weights = weights_.array().log();
    return rowwise_log_sum_exp(detail::mixture_log_densities<T>(X, components_, log_weights));
  }

  /// Mean of log_prob over the rows of X.
  [[nodiscard]] T score(const MatrixRef<T>& X) const { return log_prob(X).mean(); }

  /// scikit-learn's score_samples: log sum_k exp(E_q[log pi_k + log N(x | mu_k, Lambda_k)]).
  [[nodiscard]] VectorX<T> variational_log_prob(const MatrixRef<T>& X) const {
    return rowwise_log_sum_exp(
        expected_log_joint("alea::BayesianGaussianMixture::variational_log_prob", X));
  }

  /// n x k variational responsibilities.
  [[nodiscard]] MatrixX<T> predict_proba(const MatrixRef<T>& X) const {
    return rowwise_log_softmax(
               expected_log_joint("alea::BayesianGaussianMixture::predict_proba", X))
        .array()
        .exp();
  }

  /// The most responsible component of each row (ties: the lowest index).
  [[nodiscard]] Labels predict(const MatrixRef<T>& X) const {
    return detail::row_argmax(expected_log_joint("alea::BayesianGaussianMixture::predict", X));
  }

  /// n draws from the posterior-mean mixture.
  template <RandomEngine G>
  [[nodiscard]] MatrixX<T> sample(Index n, G& rng) const {
    require_fitted("alea::BayesianGaussianMixture::sample");
    check_nonnegative("alea::BayesianGaussianMixture::sample", "n", n);
    return detail::sample_mixture(weights_, components_, n, rng).first;
  }

  [[nodiscard]] Index dim() const { return components_.dim(); }
  [[nodiscard]] Index n_components() const { return settings_.n_components; }
  [[nodiscard]] bool fitted() const { return components_.components() > 0; }
  [[nodiscard]] const BayesianGaussianMixtureSettings& settings() const { return settings_; }

  /// Posterior-mean weights E_q[pi].
  [[nodiscard]] const VectorX<T>& weights() const { return checked(weights_, "weights"); }
  /// Posterior means m_k of the component means.
  [[nodiscard]] const MatrixX<T>& means() const { return checked(components_, "means").means(); }
  /// W_k^-1 / nu_k as d x d matrices (tied: k copies), scikit-learn's covariances_.
  [[nodiscard]] std::vector<MatrixX<T>> covariances() const {
    checked(components_, "covariances");
    std::vector<MatrixX<T>> out;
    for (Index j = 0; j < n_components(); ++j)
      out.push_back(components_.covariance(j));
    return out;
  }
  /// The components N(m_k, W_k^-1 / nu_k) with covariances in the type's shape.
  [[nodiscard]] const GaussianComponents<T>& components() const {
    return checked(components_, "components");
  }
  /// q(pi)'s parameters: Beta (a_k, b_k) per stick (dirichlet_process; b has k entries), or
  /// the Dirichlet's alpha_k (dirichlet_distribution; b is empty).
  [[nodiscard]] std::pair<VectorX<T>, VectorX<T>> weight_concentration() const {
    checked(components_, "weight_concentration");
    return {concentration_a_, concentration_b_};
  }
  /// beta_k of q(mu_k | Lambda_k).
  [[nodiscard]] const VectorX<T>& mean_precision() const {
    return checked(mean_precision_, "mean_precision");
  }
  /// nu_k of q(Lambda_k) (tied: k equal values).
  [[nodiscard]] const VectorX<T>& degrees_of_freedom() const {
    return checked(degrees_of_freedom_, "degrees_of_freedom");
  }
  [[nodiscard]] const Priors& priors() const { return checked(priors_, "priors"); }

  /// The components whose posterior-mean weight is at least min_weight (the ones the data use;
  /// the others have fallen out), in increasing order.
  [[nodiscard]] std::vector<Index> active_components(double min_weight = 0.01) const {
    checked(weights_, "active_components");
    std::vector<Index> out;
    for (Index j = 0; j < weights_.size(); ++j) {
      if (double(weights_(j)) >= min_weight) out.push_back(j);
    }
    return out;
  }

  [[nodiscard]] bool converged() const { return status_.converged; }
  [[nodiscard]] Index n_iter() const { return status_.iterations; }
  /// The bound of the kept initialisation's last iteration (scikit-learn's lower_bound_): a sum
  /// over the observations (GaussianMixture's is a mean), so tol is stricter here.
  [[nodiscard]] double lower_bound() const { return lower_bound_; }
  [[nodiscard]] const FitStatus& status() const { return status_; }

  static std::string model_name() { return model_type_name<T>("alea::BayesianGaussianMixture"); }
  static int model_version() { return 1; }

  [[nodiscard]] nlohmann::json to_json() const {
    require_fitted("alea::save");
    return {
        {"covariance_type", to_string(settings_.covariance_type)},
        {"weight_concentration_prior_type", to_string(settings_.weight_concentration_prior_type)},
        {"priors",
         {{"weight_concentration", json::encode(priors_.weight_concentration)},
          {"mean_precision", json::encode(priors_.mean_precision)},
          {"mean", json::encode_matrix(priors_.mean)},
          {"degrees_of_freedom", json::encode(priors_.degrees_of_freedom)},
          {"covariance", json::encode_matrix(priors_.covariance)}}},
        {"concentration_a", json::encode_matrix(concentration_a_)},
        {"concentration_b", json::encode_matrix(concentration_b_)},
        {"mean_precision", json::encode_matrix(mean_precision_)},
        {"degrees_of_freedom", json::encode_matrix(degrees_of_freedom_)},
        {"means", json::encode_matrix(components_.means())},
        {"covariances", detail::encode_covariances(components_)},
        {"converged", status_.converged},
        {"n_iter", status_.iterations},
        {"lower_bound", json::encode(lower_bound_)}};
  }

  static BayesianGaussianMixture from_json(const nlohmann::json& j) {
    const auto type = covariance_type_from_string(json::read_string(j, "covariance_type"));
    if (!type) json::format_error("field 'covariance_type' is not a covariance type");
    const std::string prior_type = json::read_string(j, "weight_concentration_prior_type");
    if (prior_type != "dirichlet_process" && prior_type != "dirichlet_distribution") {
      json::format_error("field 'weight_concentration_prior_type' is not a weight prior");
    }
    BayesianGaussianMixture m;
    m.settings_.covariance_type = *type;
    m.settings_.weight_concentration_prior_type = prior_type == "dirichlet_process"
                                                      ? WeightPrior::dirichlet_process
                                                      : WeightPrior::dirichlet_distribution;
    const auto& p = json::member(j, "priors");
    m.priors_ = {json::read_scalar<T>(p, "weight_concentration"),
                 json::read_scalar<T>(p, "mean_precision"), json::read_vector<T>(p, "mean"),
                 json::read_scalar<T>(p, "degrees_of_freedom"),
                 json::read_matrix<T>(p, "covariance")};
    m.concentration_a_ = json::read_vector<T>(j, "concentration_a");
    m.concentration_b_ = json::read_vector<T>(j, "concentration_b");
    m.mean_precision_ = json::read_vector<T>(j, "mean_precision");
    m.degrees_of_freedom_ = json::read_vector<T>(j, "degrees_of_freedom");
    m.components_ = detail::decode_components<T>(j, *type);
    const Index k = m.components_.components();
    const bool process =
        m.settings_.weight_concentration_prior_type == WeightPrior::dirichlet_process;
    if (m.concentration_a_.size() != k || m.mean_precision_.size() != k ||
        m.degrees_of_freedom_.size() != k || m.concentration_b_.size() != (process ? k : 0) ||
        m.priors_.mean.size() != m.components_.dim()) {
      json::format_error("the posterior's parameters have inconsistent sizes");
    }
    m.settings_.n_components = k;
    m.weights_ = m.expected_weights();
    m.status_.converged = j.at("converged").get<bool>();
    m.status_.iterations = Index(json::read_integer(j, "n_iter"));
    m.lower_bound_ = json::read_scalar<double>(j, "lower_bound");
    return m;
  }

 private:
  /// The variational posterior and what a run recorded.
  struct State {
    VectorX<T> concentration_a, concentration_b, mean_precision, degrees_of_freedom;
    GaussianComponents<T> components;
    FitStatus status;
    double lower_bound = -std::numeric_limits<double>::infinity();
  };

  static constexpr std::string_view fit_name = "alea::BayesianGaussianMixture::fit";

  void validate_settings() const {
    constexpr std::string_view function = "alea::BayesianGaussianMixture::BayesianGaussianMixture";
    const auto& s = settings_;
    detail::check_mixture_settings(function, s);
    check_nonnegative(function, "batch_size", s.batch_size);
    check_finite(function, "learning_rate_delay", s.learning_rate_delay);
    check_nonnegative(function, "learning_rate_delay", s.learning_rate_delay);
    if (!(s.learning_rate_decay > 0.5 && s.learning_rate_decay <= 1.0)) {
      throw_invalid(function, "learning_rate_decay is " +
                                  detail::number_text(s.learning_rate_decay) +
                                  ", but must be in (0.5, 1] (Robbins-Monro conditions)");
    }
    if (s.weight_concentration_prior) {
      check_positive(function, "weight_concentration_prior", *s.weight_concentration_prior);
    }
    if (s.mean_precision_prior)
      check_positive(function, "mean_precision_prior", *s.mean_precision_prior);
    if (s.mean_prior) check_finite(function, "mean_prior", *s.mean_prior);
    if (s.degrees_of_freedom_prior) {
      check_finite(function, "degrees_of_freedom_prior", *s.degrees_of_freedom_prior);
    }
    if (s.covariance_prior) check_finite(function, "covariance_prior", *s.covariance_prior);
  }

  BayesianGaussianMixture& fit_impl(const MatrixRef<T>& X, const VectorX<T>* w) {
    detail::check_mixture_data(fit_name, X, settings_.n_components);
    if (settings_.warm_start && fitted()) {
      check_cols(fit_name, "X", X, dim());
      State state{concentration_a_,
                  concentration_b_,
                  mean_precision_,
                  degrees_of_freedom_,
                  components_,
                  {},
                  -std::numeric_limits<double>::infinity()};
      Rng rng = Rng{settings_.seed}.stream(std::uint64_t(status_.iterations));
      adopt(run(X, w, make_statistics_start(X, w, state), std::move(state), rng));
      return *this;
    }
    priors_ = resolve_priors(X, w);
    std::optional<State> best;
    for (Index init = 0; init < settings_.n_init; ++init) {
      Rng rng = Rng{settings_.seed}.stream(std::uint64_t(init));
      const MatrixX<T> R = initial_responsibilities(X, w, rng);
      auto statistics =
          detail::statistics_from_responsibilities<T>(X, w, R, settings_.covariance_type);
      State state = update_posterior(statistics);
      State result = run(X, w, std::move(statistics), std::move(state), rng);
      if (!best || result.lower_bound > best->lower_bound) best = std::move(result);
    }
    adopt(std::move(*best));
    detail::note_if_not_converged(status_, settings_);
    note_fallen_components();
    return *this;
  }

  /// CAVI (batch_size 0) or SVI iterations from a posterior and the statistics it came from.
  State run(const MatrixRef<T>& X, const VectorX<T>* w, MixtureStatistics<T> statistics,
            State state, Rng& rng) const {
    for (Index iteration = 1; iteration <= settings_.max_iter; ++iteration) {
      const double previous = state.lower_bound;
      double responsibility_log_sum;
      if (settings_.batch_size == 0 || settings_.batch_size >= X.rows()) {
        auto e = detail::mixture_e_step<T>(X, w, state.components, mixture_offsets(state));
        responsibility_log_sum = e.statistics.responsibility_log_sum;
        state = update_posterior(e.statistics, std::move(state.status));
      } else {
        responsibility_log_sum = svi_pass(X, w, statistics, state, rng, iteration);
      }
      state.lower_bound = lower_bound(state, responsibility_log_sum);
      state.status.history.push_back(state.lower_bound);
      state.status.iterations = iteration;
      if (!report_progress(settings_.progress, iteration, state.lower_bound)) {
        state.status.stopped_early = true;
        break;
      }
      if (std::abs(state.lower_bound - previous) < settings_.tol) {
        state.status.converged = true;
        break;
      }
    }
    return state;
  }

  /// One pass of stochastic VI over the rows in shuffled minibatches; returns the sum of
  /// w r log r seen during the pass. `running` holds the running statistics.
  double svi_pass(const MatrixRef<T>& X, const VectorX<T>* w, MixtureStatistics<T>& running,
                  State& state, Rng& rng, Index pass) const {
    const Index n = X.rows();
    const Index b = settings_.batch_size;
    std::vector<Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Index(0));
    for (Index i = n - 1; i > 0; --i)
      std::swap(order[i], order[uniform_index(rng, i + 1)]);
    const double total = w ? double(w->sum()) : double(n);
    const Index steps_per_pass = (n + b - 1) / b;
    double responsibility_log_sum = 0;
    for (Index start = 0, step = 0; start < n; start += b, ++step) {
      const Index rows = std::min(b, n - start);
      const std::vector<Index> index(order.begin() + start, order.begin() + start + rows);
      const MatrixX<T> batch = X(index, Eigen::all);
      const VectorX<T> batch_weights = w ? VectorX<T>((*w)(index)) : VectorX<T>();
      auto e = detail::mixture_e_step<T>(batch, w ? &batch_weights : nullptr, state.components,
                                         mixture_offsets(state));
      responsibility_log_sum += e.statistics.responsibility_log_sum;
      if (!(e.statistics.total_weight > 0)) continue;  // a batch of zero-weight rows
      const double t = double((pass - 1) * steps_per_pass + step);
      const T rho = T(std::pow(t + settings_.learning_rate_delay, -settings_.learning_rate_decay));
      e.statistics *= T(total / e.statistics.total_weight) * rho;
      running *= T(1) - rho;
      running += e.statistics;
      state = update_posterior(running, std::move(state.status));
    }
    return responsibility_log_sum;
  }

  void adopt(State state) {
    concentration_a_ = std::move(state.concentration_a);
    concentration_b_ = std::move(state.concentration_b);
    mean_precision_ = std::move(state.mean_precision);
    degrees_of_freedom_ = std::move(state.degrees_of_freedom);
    components_ = std::move(state.components);
    status_ = std::move(state.status);
    lower_bound_ = state.lower_bound;
    weights_ = expected_weights();
  }

  /// Statistics consistent with a posterior, for SVI's running estimate on a warm start: the
  /// E-step of all the data under it.
  MixtureStatistics<T> make_statistics_start(const MatrixRef<T>& X, const VectorX<T>* w,
                                             const State& state) const {
    return detail::mixture_e_step<T>(X, w, state.components, mixture_offsets(state)).statistics;
  }

  MatrixX<T> initial_responsibilities(const MatrixRef<T>& X, const VectorX<T>* w, Rng& rng) const {
    const Index k = settings_.n_components;
    if (!settings_.responsibilities_init) {
      return detail::initial_responsibilities<T>(X, w, k, settings_.init_params, rng);
    }
    const MatrixX<double>& R = *settings_.responsibilities_init;
    if (R.rows() != X.rows() || R.cols() != k) {
      throw_invalid(fit_name, "responsibilities_init is " + std::to_string(R.rows()) + " x " +
                                  std::to_string(R.cols()) + ", but must be n x k = " +
                                  std::to_string(X.rows()) + " x " + std::to_string(k));
    }
    check_finite(fit_name, "responsibilities_init", R);
    if ((R.array() < 0).any() || !(R.rowwise().sum().array() > 0).all()) {
      throw_invalid(fit_name,
                    "responsibilities_init must be non-negative with a positive sum in every row");
    }
    return (R.array().colwise() / R.rowwise().sum().array()).template cast<T>();
  }

  /// The priors, with scikit-learn's defaults from the data where unset, checked against X.
  Priors resolve_priors(const MatrixRef<T>& X, const VectorX<T>* w) const {
    const auto& s = settings_;
    const Index d = X.cols();
    const auto type = s.covariance_type;
    const VectorX<T> weights = w ? *w : VectorX<T>::Ones(X.rows());
    const T total = weights.sum();
    const VectorX<T> data_mean = (X.transpose() * weights) / total;
    Priors p;
    p.weight_concentration = T(s.weight_concentration_prior.value_or(1.0 / double(s.n_components)));
    p.mean_precision = T(s.mean_precision_prior.value_or(1.0));
    p.mean = s.mean_prior ? VectorX<T>(s.mean_prior->template cast<T>()) : data_mean;
    if (p.mean.size() != d) {
      throw_invalid(fit_name, "mean_prior has " + std::to_string(p.mean.size()) +
                                  " entries, but X has " + std::to_string(d) + " columns");
    }
    p.degrees_of_freedom = T(s.degrees_of_freedom_prior.value_or(double(d)));
    if (!(p.degrees_of_freedom > T(d - 1))) {
      throw_invalid(fit_name, "degrees_of_freedom_prior is " +
                                  detail::number_text(p.degrees_of_freedom) +
                                  ", but must be greater than d - 1 = " + std::to_string(d - 1));
    }
    if (s.covariance_prior) {
      p.covariance = s.covariance_prior->template cast<T>();
      check_covariance_prior(p.covariance, type, d);
    } else {
      // The data covariance with ddof 1 (frequency weights: divided by W - 1), as np.cov.
      const MatrixX<T> centred = X.rowwise() - data_mean.transpose();
      const T denominator = std::max(total - T(1), Eigen::NumTraits<T>::epsilon());
      const MatrixX<T> C = centred.transpose() *
                           (centred.array().colwise() * weights.array()).matrix() / denominator;
      switch (type) {
        case CovarianceType::full:
        case CovarianceType::tied:
          p.covariance = C;
          break;
        case CovarianceType::diag:
          p.covariance = C.diagonal().transpose();
          break;
        case CovarianceType::spherical:
          p.covariance = MatrixX<T>::Constant(1, 1, C.diagonal().mean());
          break;
      }
      // Constant columns leave the default prior singular: there is nothing to fit there.
      check_covariance_prior(p.covariance, type, d);
    }
    return p;
  }

  static void check_covariance_prior(const MatrixX<T>& C, CovarianceType type, Index d) {
    const bool matrix = type == CovarianceType::full || type == CovarianceType::tied;
    const Index rows = matrix ? d : 1;
    const Index cols = type == CovarianceType::spherical ? 1 : d;
    if (C.rows() != rows || C.cols() != cols) {
      throw_invalid(fit_name, "covariance_prior is " + std::to_string(C.rows()) + " x " +
                                  std::to_string(C.cols()) + ", but must be " +
                                  std::to_string(rows) + " x " + std::to_string(cols) +
                                  " for covariance_type " + std::string(to_string(type)));
    }
    if (matrix) {
      check_symmetric_positive_definite(fit_name, "covariance_prior", C);
    } else if (!(C.array() > T(0)).all()) {
      throw_invalid(fit_name, "covariance_prior has an entry <= 0 (a constant column of X?)");
    }
  }

  /// The closed-form updates of q(pi) and q(mu, Lambda) from E-step statistics
  /// (scikit-learn's _estimate_weights, _estimate_means and _estimate_wishart_*).
  State update_posterior(const MixtureStatistics<T>& statistics, FitStatus status = {}) const {
    const auto m = GaussianComponents<T>::moments(statistics, T(settings_.reg_covar));
    const Index k = m.counts.size();
    const Priors& p = priors_;
    State state;
    state.status = std::move(status);
    if (settings_.weight_concentration_prior_type == WeightPrior::dirichlet_process) {
      // Stick v_k ~ Beta(1 + N_k, alpha0 + sum_{j > k} N_j).
      state.concentration_a = m.counts.array() + T(1);
      state.concentration_b.resize(k);
      T tail = 0;
      for (Index j = k - 1; j >= 0; --j) {
        state.concentration_b(j) = p.weight_concentration + tail;
        tail += m.counts(j);
      }
    } else {
      state.concentration_a = m.counts.array() + p.weight_concentration;
    }
    state.mean_precision = m.counts.array() + p.mean_precision;
    MatrixX<T> means = ((p.mean_precision * p.mean.transpose()).replicate(k, 1) +
                        (m.means.array().colwise() * m.counts.array()).matrix());
    means.array().colwise() /= state.mean_precision.array();
    const MatrixX<T> offset = m.means.rowwise() - p.mean.transpose();
    // N_k beta0 / beta_k: the weight of the prior-mean offset in each scatter.
    const VectorX<T> pull = m.counts.array() * p.mean_precision / state.mean_precision.array();
    std::vector<MatrixX<T>> covariances;
    switch (settings_.covariance_type) {
      case CovarianceType::full:
        state.degrees_of_freedom = m.counts.array() + p.degrees_of_freedom;
        for (Index j = 0; j < k; ++j) {
          covariances.push_back((p.covariance + m.counts(j) * m.covariances[j] +
                                 pull(j) * offset.row(j).transpose() * offset.row(j)) /
                                state.degrees_of_freedom(j));
        }
        break;
      case CovarianceType::tied: {
        const T share = m.counts.sum() / T(k);
        state.degrees_of_freedom = VectorX<T>::Constant(k, p.degrees_of_freedom + share);
        MatrixX<T> C =
            p.covariance + share * m.covariances[0] +
            offset.transpose() * (offset.array().colwise() * pull.array()).matrix() / T(k);
        covariances.push_back(C / state.degrees_of_freedom(0));
        break;
      }
      case CovarianceType::diag:
      case CovarianceType::spherical: {
        state.degrees_of_freedom = m.counts.array() + p.degrees_of_freedom;
        MatrixX<T> squared = offset.array().square();
        if (settings_.covariance_type == CovarianceType::spherical) {
          squared = squared.rowwise().mean().eval();
        }
        MatrixX<T> V =
            ((m.covariances[0].array() +
              squared.array().colwise() * (p.mean_precision / state.mean_precision.array()))
                 .colwise() *
             m.counts.array())
                .matrix();
        V.rowwise() += p.covariance.row(0);
        V.array().colwise() /= state.degrees_of_freedom.array();
        covariances.push_back(std::move(V));
        break;
      }
    }
    state.components =
        GaussianComponents<T>(settings_.covariance_type, std::move(means), std::move(covariances),
                              fit_name, T(settings_.reg_covar));
    return state;
  }

  /// Per-component additive terms of the E-step's log densities: E_q[log pi_k] +
  /// (E_q[log det Lambda_k] - d log nu_k - d / beta_k) / 2, the components being
  /// N(m_k, W_k^-1 / nu_k) (scikit-learn's _estimate_log_weights + _estimate_log_prob).
  VectorX<T> mixture_offsets(const State& s) const {
    const Index k = s.mean_precision.size();
    const Index d = s.components.dim();
    VectorX<T> offsets(k);
    const VectorX<T> log_weights = expected_log_weights(s.concentration_a, s.concentration_b);
    for (Index j = 0; j < k; ++j) {
      const T nu = s.degrees_of_freedom(j);
      T log_lambda = T(d) * T(std::log(2.0));
      for (Index i = 0; i < d; ++i)
        log_lambda += T(boost::math::digamma(0.5 * double(nu - T(i))));
      offsets(j) = log_weights(j) - T(0.5) * T(d) * std::log(nu) +
                   T(0.5) * (log_lambda - T(d) / s.mean_precision(j));
    }
    return offsets;
  }

  /// E_q[log pi_k]: Dirichlet, psi(alpha_k) - psi(sum alpha); stick-breaking, E[log v_k] +
  /// sum_{j<k} E[log (1 - v_j)].
  VectorX<T> expected_log_weights(const VectorX<T>& a, const VectorX<T>& b) const {
    const Index k = a.size();
    VectorX<T> out(k);
    const auto digamma = [](T x) { return T(boost::math::digamma(double(x))); };
    if (settings_.weight_concentration_prior_type == WeightPrior::dirichlet_process) {
      T previous_sticks = 0;
      for (Index j = 0; j < k; ++j) {
        const T total = digamma(a(j) + b(j));
        out(j) = digamma(a(j)) - total + previous_sticks;
        previous_sticks += digamma(b(j)) - total;
      }
    } else {
      const T total = digamma(a.sum());
      for (Index j = 0; j < k; ++j)
        out(j) = digamma(a(j)) - total;
    }
    return out;
  }

  /// scikit-learn's _compute_lower_bound: -sum w r log r - sum log Wishart normalisers -
  /// log normaliser of q(pi) - (d / 2) sum log beta_k (constant terms dropped).
  double lower_bound(const State& s, double responsibility_log_sum) const {
    const Index k = s.mean_precision.size();
    const Index d = s.components.dim();
    const auto log_wishart_norm = [&](double nu, double log_det_factor) {
      double value = nu * log_det_factor + nu * double(d) * 0.5 * std::log(2.0);
      for (Index i = 0; i < d; ++i)
        value += std::lgamma(0.5 * (nu - double(i)));
      return -value;
    };
    double log_wishart = 0;
    const bool tied = settings_.covariance_type == CovarianceType::tied;
    for (Index j = 0; j < (tied ? 1 : k); ++j) {
      const double nu = double(s.degrees_of_freedom(j));
      const double log_det =
          double(s.components.log_det_precision_cholesky(j)) - 0.5 * double(d) * std::log(nu);
      log_wishart += log_wishart_norm(nu, log_det);
    }
    if (tied) log_wishart *= double(k);
    double log_norm_weight = 0;
    if (settings_.weight_concentration_prior_type == WeightPrior::dirichlet_process) {
      for (Index j = 0; j < k; ++j) {
        const double a = double(s.concentration_a(j));
        const double b = double(s.concentration_b(j));
        log_norm_weight -= std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
      }
    } else {
      log_norm_weight = std::lgamma(double(s.concentration_a.sum()));
      for (Index j = 0; j < k; ++j)
        log_norm_weight -= std::lgamma(double(s.concentration_a(j)));
    }
    return -responsibility_log_sum - log_wishart - log_norm_weight -
           0.5 * double(d) * s.mean_precision.template cast<double>().array().log().sum();
  }

  /// E_q[pi]: a_k / (a_k + b_k) prod_{j<k} b_j / (a_j + b_j) (stick-breaking, renormalised as
  /// scikit-learn does), or alpha_k / sum alpha.
  VectorX<T> expected_weights() const {
    const Index k = concentration_a_.size();
    VectorX<T> out(k);
    if (settings_.weight_concentration_prior_type == WeightPrior::dirichlet_process) {
      T remaining = 1;
      for (Index j = 0; j < k; ++j) {
        const T total = concentration_a_(j) + concentration_b_(j);
        out(j) = remaining * concentration_a_(j) / total;
        remaining *= concentration_b_(j) / total;
      }
    } else {
      out = concentration_a_;
    }
    return out / out.sum();
  }

  void note_fallen_components() {
    std::string fallen;
    for (Index j = 0; j < weights_.size(); ++j) {
      if (weights_(j) < T(1e-3)) fallen += (fallen.empty() ? "" : ", ") + std::to_string(j);
    }
    if (!fallen.empty()) {
      status_.notes.push_back("components with weight below 0.001 (fallen out): " + fallen);
    }
  }

  MatrixX<T> expected_log_joint(std::string_view function, const MatrixRef<T>& X) const {
    check_query(function, X);
    const State view{concentration_a_,
                     concentration_b_,
                     mean_precision_,
                     degrees_of_freedom_,
                     components_,
                     {},
                     0};
    return detail::mixture_log_densities<T>(X, components_, mixture_offsets(view));
  }

  void require_fitted(std::string_view function) const { check_fitted(function, fitted()); }

  template <class V>
  const V& checked(const V& value, const char* what) const {
    if (!fitted()) check_fitted(std::string("alea::BayesianGaussianMixture::") + what, false);
    return value;
  }

  void check_query(std::string_view function, const MatrixRef<T>& X) const {
    detail::check_mixture_query(function, fitted(), dim(), X);
  }

  BayesianGaussianMixtureSettings settings_;
  Priors priors_;
  VectorX<T> concentration_a_, concentration_b_, mean_precision_, degrees_of_freedom_, weights_;
  GaussianComponents<T> components_;
  FitStatus status_;
  double lower_bound_ = -std::numeric_limits<double>::infinity();
};

}  // namespace alea
