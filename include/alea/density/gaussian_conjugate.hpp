#pragma once
/// @file
/// @brief Conjugate Bayesian estimation of a Gaussian: alea::NormalKnownCovariance (Normal
/// prior on the mean, covariance known) and alea::NormalInverseWishart (joint prior on mean
/// and covariance), with posteriors, MAP estimates and posterior predictives.
///
/// Both are Estimators whose fit(X) turns the prior into the posterior, and GenerativeModels
/// whose log_prob and sample are those of the posterior predictive p(x_new | X); before any
/// fit they describe the prior predictive. partial_fit(X) adds data to what was seen already
/// (sequential Bayesian updating; the result equals one fit on all the data).
/// Formulas: K. P. Murphy, "Conjugate Bayesian analysis of the Gaussian distribution" (2007),
/// sections 4 (known covariance) and 9 (Normal-Inverse-Wishart); Gelman et al., "Bayesian Data
/// Analysis", 3rd ed., section 3.6.

#include <cmath>
#include <utility>

#include "alea/core/checks.hpp"
#include "alea/core/cholesky.hpp"
#include "alea/core/concepts.hpp"
#include "alea/core/json.hpp"
#include "alea/core/random.hpp"
#include "alea/core/types.hpp"
#include "alea/density/gaussian.hpp"
#include "alea/density/gaussian_statistics.hpp"
#include "alea/density/student_t.hpp"

namespace alea {

namespace detail {

/// What the two conjugate estimators share: the data seen so far as sufficient statistics,
/// fit / partial_fit that update them and then the posterior, and the GenerativeModel interface
/// of the posterior predictive. Derived provides dim(), predictive(), update_posterior() and a
/// static `name` ("alea::NormalInverseWishart").
template <class Derived, class T>
class ConjugateGaussian {
 public:
  using Scalar = T;

  /// Posterior from the prior and the rows of X (n x d), forgetting earlier data.
  Derived& fit(const MatrixRef<T>& X) { return refit(X, nullptr); }
  /// Weighted fit: weights act as observation counts. @param sample_weight n, non-negative.
  Derived& fit(const MatrixRef<T>& X, const VectorRef<T>& sample_weight) {
    return refit(X, &sample_weight);
  }
  /// Adds the rows of X (n x d) to the data seen so far (sequential updating).
  Derived& partial_fit(const MatrixRef<T>& X) {
    seen_ += statistics(X, nullptr, "::partial_fit");
    return self().update_posterior();
  }

  /// Posterior predictive log density of each row of X (n x d).
  VectorX<T> log_prob(const MatrixRef<T>& X) const { return self().predictive().log_prob(X); }
  /// Mean posterior predictive log-likelihood of the rows of X.
  T score(const MatrixRef<T>& X) const { return self().predictive().score(X); }
  /// n draws from the posterior predictive, n x d.
  template <RandomEngine G>
  MatrixX<T> sample(Index n, G& rng) const {
    return self().predictive().sample(n, rng);
  }
  /// Total weight of the data seen (n unweighted).
  [[nodiscard]] T n_observations() const { return this->seen().weight(); }

 protected:
  explicit ConjugateGaussian(Index d) : seen_(d) {}
  [[nodiscard]] const GaussianStatistics<T>& seen() const { return seen_; }
  /// Replaces the data seen (model files), then updates the posterior.
  Derived& restore(const GaussianStatistics<T>& seen) {
    if (seen.weight() > 0 && seen.dim() != self().dim())
      json::format_error("field 'seen' has dimension " + std::to_string(seen.dim()) +
                         ", but the prior has " + std::to_string(self().dim()));
    seen_ = seen;
    return self().update_posterior();
  }

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
  const Derived& self() const { return static_cast<const Derived&>(*this); }

  GaussianStatistics<T> statistics(const MatrixRef<T>& X, const VectorRef<T>* weights,
                                   std::string_view method) const {
    const std::string function = std::string(Derived::name) + std::string(method);
    check_data(function, "X", X);
    check_cols(function, "X", X, self().dim());
    return weights ? GaussianStatistics<T>::from_data(X, *weights, function)
                   : GaussianStatistics<T>::from_data(X, function);
  }

  Derived& refit(const MatrixRef<T>& X, const VectorRef<T>* weights) {
    seen_ = statistics(X, weights, "::fit");
    return self().update_posterior();
  }

  GaussianStatistics<T> seen_;
};

}  // namespace detail

/// Posterior of a Gaussian's mean mu under the prior N(prior_mean, prior_covariance) when the
/// covariance Sigma of the data is known.
///
/// With n observations (total weight W) of mean xbar, the posterior is N(mu_n, Sigma_n):
///   Sigma_n = (Sigma_0^{-1} + W Sigma^{-1})^{-1} = Sigma_0 - Sigma_0 (Sigma_0 + Sigma/W)^{-1}
///   Sigma_0, mu_n = mu_0 + Sigma_0 (Sigma_0 + Sigma/W)^{-1} (xbar - mu_0),
/// computed in the second form (one Cholesky factorisation, no inverse). The MAP estimate of
/// the mean is mu_n; the posterior predictive is N(mu_n, Sigma + Sigma_n).
template <class T = double>
class NormalKnownCovariance : public detail::ConjugateGaussian<NormalKnownCovariance<T>, T> {
  using Base = detail::ConjugateGaussian<NormalKnownCovariance<T>, T>;
  friend Base;

 public:
  static constexpr std::string_view name = "alea::NormalKnownCovariance";

  /// @param prior_mean d. @param prior_covariance d x d SPD. @param covariance d x d SPD, the
  /// known covariance of the data.
  NormalKnownCovariance(const VectorRef<T>& prior_mean, const MatrixRef<T>& prior_covariance,
                        const MatrixRef<T>& covariance)
      : Base(prior_mean.size()),
        prior_(checked_prior(prior_mean, prior_covariance, covariance)),
        likelihood_(VectorX<T>::Zero(prior_mean.size()), covariance) {
    update_posterior();
  }

  [[nodiscard]] Index dim() const { return prior_.dim(); }
  /// The posterior of the mean, N(mu_n, Sigma_n).
  [[nodiscard]] const Gaussian<T>& posterior() const { return posterior_; }
  /// The posterior predictive, N(mu_n, Sigma + Sigma_n).
  [[nodiscard]] const Gaussian<T>& predictive() const { return predictive_; }
  /// MAP (= posterior mean) estimate of the mean, d.
  [[nodiscard]] const VectorX<T>& map_mean() const { return posterior_.mean(); }

  static std::string model_name() { return model_type_name<T>(name); }
  static int model_version() { return 1; }
  /// The prior, the known covariance and the statistics of the data seen.
  nlohmann::json to_json() const {
    return {{"prior_mean", json::encode_matrix(prior_.mean())},
            {"prior_covariance", json::encode_matrix(prior_.covariance())},
            {"covariance", json::encode_matrix(likelihood_.covariance())},
            {"seen", this->seen().to_json()}};
  }
  static NormalKnownCovariance from_json(const nlohmann::json& j) {
    NormalKnownCovariance model(json::read_vector<T>(j, "prior_mean"),
                                json::read_matrix<T>(j, "prior_covariance"),
                                json::read_matrix<T>(j, "covariance"));
    model.restore(GaussianStatistics<T>::from_json(json::member(j, "seen")));
    return model;
  }

 private:
  static Gaussian<T> checked_prior(const VectorRef<T>& prior_mean,
                                   const MatrixRef<T>& prior_covariance,
                                   const MatrixRef<T>& covariance) {
    constexpr std::string_view function = "alea::NormalKnownCovariance::NormalKnownCovariance";
    for (const auto& [argument, matrix] :
         {std::pair{"prior_covariance", &prior_covariance}, std::pair{"covariance", &covariance}}) {
      if (matrix->rows() != prior_mean.size() || matrix->cols() != prior_mean.size())
        throw_invalid(function, std::string(argument) + " is " + std::to_string(matrix->rows()) +
                                    " x " + std::to_string(matrix->cols()) +
                                    ", but prior_mean has " + std::to_string(prior_mean.size()) +
                                    " entries");
    }
    return Gaussian<T>(prior_mean, prior_covariance);
  }

  NormalKnownCovariance& update_posterior() {
    const MatrixX<T>& prior_covariance = prior_.covariance();
    if (this->seen().weight() == 0) {
      posterior_ = prior_;
    } else {
      // Sigma_0 (Sigma_0 + Sigma / W)^{-1} by one Cholesky solve (the matrix is SPD).
      const MatrixX<T> combined =
          prior_covariance + likelihood_.covariance() / this->seen().weight();
      const auto factor = cholesky(combined, "alea::NormalKnownCovariance::fit");
      const MatrixX<T> gain = factor.llt.solve(prior_covariance).transpose();
      const VectorX<T> mean = prior_.mean() + gain * (this->seen().mean() - prior_.mean());
      MatrixX<T> covariance = prior_covariance - gain * prior_covariance;
      covariance = (covariance + covariance.transpose()) / T(2);  // symmetric to rounding
      posterior_ = Gaussian<T>(mean, covariance);
    }
    predictive_ =
        Gaussian<T>(posterior_.mean(), likelihood_.covariance() + posterior_.covariance());
    return *this;
  }

  Gaussian<T> prior_;       // over the mean
  Gaussian<T> likelihood_;  // N(0, Sigma): holds the known covariance, validated
  Gaussian<T> posterior_;
  Gaussian<T> predictive_;
};

/// Parameters of a Normal-Inverse-Wishart distribution over (mu, Sigma):
/// Sigma ~ IW(scale, degrees_of_freedom), mu | Sigma ~ N(mean, Sigma / kappa).
template <class T = double>
struct NormalInverseWishartParameters {
  VectorX<T> mean;       ///< d
  T kappa = 1;           ///< > 0: prior pseudo-observations for the mean
  T degrees_of_freedom;  ///< > d - 1
  MatrixX<T> scale;      ///< d x d, symmetric positive definite (Psi)
};

/// Joint conjugate posterior of a Gaussian's mean and covariance under a Normal-Inverse-Wishart
/// prior NIW(mu_0, kappa_0, nu_0, Psi_0).
///
/// With n observations (weight W), mean xbar and scatter S = sum (x - xbar)(x - xbar)^T:
///   kappa_n = kappa_0 + W, nu_n = nu_0 + W, mu_n = (kappa_0 mu_0 + W xbar) / kappa_n,
///   Psi_n = Psi_0 + S + (kappa_0 W / kappa_n)(xbar - mu_0)(xbar - mu_0)^T   (Murphy eq. 250-254).
/// Posterior predictive: t_{nu_n - d + 1}(mu_n, Psi_n (kappa_n + 1) / (kappa_n (nu_n - d + 1)))
/// (Murphy eq. 258). MAP of (mu, Sigma): (mu_n, Psi_n / (nu_n + d + 2)) (the joint mode);
/// posterior means E[mu] = mu_n, E[Sigma] = Psi_n / (nu_n - d - 1) for nu_n > d + 1.
template <class T = double>
class NormalInverseWishart : public detail::ConjugateGaussian<NormalInverseWishart<T>, T> {
  using Base = detail::ConjugateGaussian<NormalInverseWishart<T>, T>;
  friend Base;

 public:
  static constexpr std::string_view name = "alea::NormalInverseWishart";
  using Parameters = NormalInverseWishartParameters<T>;

  /// @throws alea::InvalidArgument when the prior is invalid (kappa <= 0, degrees_of_freedom
  ///         <= d - 1, scale not SPD, sizes that disagree).
  explicit NormalInverseWishart(const Parameters& prior) : Base(prior.mean.size()), prior_(prior) {
    validate(prior_, "alea::NormalInverseWishart::NormalInverseWishart");
    update_posterior();
  }

  /// A weakly informative prior centred on the data, scikit-learn BayesianGaussianMixture's
  /// defaults: mean = mean of X, kappa = 1, degrees_of_freedom = d, scale = covariance of X.
  static Parameters default_prior(const MatrixRef<T>& X) {
    const auto s = GaussianStatistics<T>::from_data(X, "alea::NormalInverseWishart::default_prior");
    return {
        .mean = s.mean(), .kappa = T(1), .degrees_of_freedom = T(s.dim()), .scale = s.covariance()};
  }

  /// One draw (mu, Sigma) from the posterior: Sigma ~ IW(Psi_n, nu_n) by the Bartlett
  /// decomposition, then mu ~ N(mu_n, Sigma / kappa_n).
  template <RandomEngine G>
  std::pair<VectorX<T>, MatrixX<T>> sample_parameters(G& rng) const {
    const Index d = dim();
    // Bartlett: if Psi^{-1} = C^{-T} C^{-1} (Psi = C C^T) and A is lower triangular with
    // A_ii = sqrt(chi^2_{nu - i}), A_ij ~ N(0, 1) below the diagonal, then
    // W = C^{-T} A A^T C^{-1} ~ Wishart(Psi^{-1}, nu) and Sigma = W^{-1} = B B^T, B = C A^{-T}.
    MatrixX<T> A = MatrixX<T>::Zero(d, d);
    for (Index i = 0; i < d; ++i) {
      A(i, i) = std::sqrt(chi_squared<T>(rng, posterior_.degrees_of_freedom - T(i)));
      for (Index j = 0; j < i; ++j)
        A(i, j) = standard_normal<T>(rng);
    }
    const MatrixX<T> C = cholesky(posterior_.scale, "alea::NormalInverseWishart").llt.matrixL();
    // B = C A^{-T}: solve B A^T = C on the right.
    const MatrixX<T> B =
        A.transpose().template triangularView<Eigen::Upper>().template solve<Eigen::OnTheRight>(C);
    MatrixX<T> covariance = B * B.transpose();
    const MatrixX<T> L = cholesky(covariance, "alea::NormalInverseWishart").llt.matrixL();
    VectorX<T> mean =
        posterior_.mean + L * standard_normal<T>(rng, d, 1) / std::sqrt(posterior_.kappa);
    return {std::move(mean), std::move(covariance)};
  }

  [[nodiscard]] Index dim() const { return prior_.mean.size(); }
  [[nodiscard]] const Parameters& prior() const { return prior_; }

  static std::string model_name() { return model_type_name<T>(name); }
  static int model_version() { return 1; }
  /// The prior and the statistics of the data seen.
  nlohmann::json to_json() const {
    return {{"prior",
             {{"mean", json::encode_matrix(prior_.mean)},
              {"kappa", json::encode(prior_.kappa)},
              {"degrees_of_freedom", json::encode(prior_.degrees_of_freedom)},
              {"scale", json::encode_matrix(prior_.scale)}}},
            {"seen", this->seen().to_json()}};
  }
  static NormalInverseWishart from_json(const nlohmann::json& j) {
    const auto& prior = json::member(j, "prior");
    NormalInverseWishart model(
        {.mean = json::read_vector<T>(prior, "mean"),
         .kappa = json::read_scalar<T>(prior, "kappa"),
         .degrees_of_freedom = json::read_scalar<T>(prior, "degrees_of_freedom"),
         .scale = json::read_matrix<T>(prior, "scale")});
    model.restore(GaussianStatistics<T>::from_json(json::member(j, "seen")));
    return model;
  }
  [[nodiscard]] const Parameters& posterior() const { return posterior_; }
  /// The posterior predictive distribution.
  [[nodiscard]] const StudentT<T>& predictive() const { return predictive_; }
  /// Joint MAP estimate (mu_n, Psi_n / (nu_n + d + 2)) as a Gaussian.
  [[nodiscard]] Gaussian<T> map() const {
    return Gaussian<T>(posterior_.mean,
                       posterior_.scale / (posterior_.degrees_of_freedom + T(dim()) + T(2)));
  }
  /// Posterior mean of Sigma, Psi_n / (nu_n - d - 1); throws when nu_n <= d + 1 (infinite).
  [[nodiscard]] MatrixX<T> posterior_mean_covariance() const {
    const T excess = posterior_.degrees_of_freedom - T(dim()) - T(1);
    if (!(excess > 0))
      throw_invalid("alea::NormalInverseWishart::posterior_mean_covariance",
                    "the posterior degrees_of_freedom " +
                        detail::number_text(posterior_.degrees_of_freedom) +
                        " must exceed d + 1 for the mean of the covariance to exist");
    return posterior_.scale / excess;
  }

 private:
  static void validate(const Parameters& p, std::string_view function) {
    check_data(function, "mean", p.mean);
    check_positive(function, "kappa", p.kappa);
    check_symmetric_positive_definite(function, "scale", p.scale);
    if (p.scale.rows() != p.mean.size())
      throw_invalid(function, "scale is " + std::to_string(p.scale.rows()) + " x " +
                                  std::to_string(p.scale.cols()) + ", but mean has " +
                                  std::to_string(p.mean.size()) + " entries");
    check_finite(function, "degrees_of_freedom", p.degrees_of_freedom);
    if (!(p.degrees_of_freedom > T(p.mean.size() - 1)))
      throw_invalid(function, "degrees_of_freedom is " + detail::number_text(p.degrees_of_freedom) +
                                  ", but must exceed d - 1 = " + std::to_string(p.mean.size() - 1));
  }

  NormalInverseWishart& update_posterior() {
    const T W = this->seen().weight();
    const Index d = dim();
    posterior_.kappa = prior_.kappa + W;
    posterior_.degrees_of_freedom = prior_.degrees_of_freedom + W;
    if (W == 0) {
      posterior_ = prior_;
    } else {
      const VectorX<T> offset = this->seen().mean() - prior_.mean;
      posterior_.mean = (prior_.kappa * prior_.mean + W * this->seen().mean()) / posterior_.kappa;
      posterior_.scale = prior_.scale + this->seen().scatter() +
                         (prior_.kappa * W / posterior_.kappa) * offset * offset.transpose();
    }
    const T nu = posterior_.degrees_of_freedom - T(d) + T(1);
    predictive_ =
        StudentT<T>(posterior_.mean,
                    posterior_.scale * ((posterior_.kappa + T(1)) / (posterior_.kappa * nu)), nu);
    return *this;
  }

  Parameters prior_;
  Parameters posterior_;
  StudentT<T> predictive_{VectorX<T>::Zero(1), MatrixX<T>::Identity(1, 1), T(1)};
};

static_assert(GenerativeModel<NormalKnownCovariance<double>> &&
              WeightedEstimator<NormalKnownCovariance<double>> &&
              Persistable<NormalKnownCovariance<double>>);
static_assert(GenerativeModel<NormalInverseWishart<double>> &&
              WeightedEstimator<NormalInverseWishart<double>> &&
              Persistable<NormalInverseWishart<double>>);

}  // namespace alea
