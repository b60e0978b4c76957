// Bayesian logistic regression on the Wisconsin breast cancer data with NUTS, the way one would
// write it in Stan:
//
//   y_i ~ Bernoulli(logit^-1(alpha + x_i . beta)),   alpha, beta_j ~ N(0, 10^2),
//
// with the 30 features standardised (mean 0, sd 1). The target gives its gradient by hand
// (one matrix-vector product each way), NUTS runs 4 chains in parallel with Stan's defaults,
// and the result is printed as Stan's stansummary would print it.
#include <alea/alea.hpp>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace sampling = alea::sampling;
using alea::Index;
using alea::MatrixX;
using alea::VectorX;

namespace {

// log p(theta | X, y) up to a constant, theta = (alpha, beta), X with a leading column of ones.
struct LogisticPosterior {
  MatrixX<> X;  // n x (1 + p)
  VectorX<> y;  // n, in {0, 1}
  double prior_sd = 10;

  // sum_i [y_i eta_i - log(1 + e^eta_i)] - |theta|^2 / (2 prior_sd^2), eta = X theta.
  double log_prob(const VectorX<>& theta) const {
    const VectorX<> eta = X * theta;
    const double likelihood =
        (y.array() * eta.array() - eta.array().max(0.0) - (-eta.array().abs()).exp().log1p()).sum();
    return likelihood - 0.5 * theta.squaredNorm() / (prior_sd * prior_sd);
  }

  // The gradient X^T (y - sigmoid(eta)) - theta / prior_sd^2, with the log density.
  double grad_log_prob(const VectorX<>& theta, VectorX<>& grad) const {
    const VectorX<> eta = X * theta;
    const VectorX<> residual = y.array() - (1.0 + (-eta.array()).exp()).inverse();
    grad.noalias() = X.transpose() * residual;
    grad -= theta / (prior_sd * prior_sd);
    const double likelihood =
        (y.array() * eta.array() - eta.array().max(0.0) - (-eta.array().abs()).exp().log1p()).sum();
    return likelihood - 0.5 * theta.squaredNorm() / (prior_sd * prior_sd);
  }
};

}  // namespace

int main() {
  // scikit-learn's copy of the data: a metadata line, then 30 features and the class
  // (0 malignant, 1 benign) per row.
  const MatrixX<> data = alea::read_csv<double>(
      fs::path(ALEA_EXAMPLES_DIR) / "data/breast_cancer.csv", {.skip_rows = 1});
  const Index n = data.rows(), p = data.cols() - 1;
  MatrixX<> features = data.leftCols(p);
  const VectorX<> mean = features.colwise().mean();
  features.rowwise() -= mean.transpose();
  const VectorX<> sd = (features.colwise().squaredNorm() / double(n)).cwiseSqrt();
  features = features * sd.cwiseInverse().asDiagonal();

  LogisticPosterior posterior;
  posterior.X.resize(n, p + 1);
  posterior.X << VectorX<>::Ones(n), features;
  posterior.y = data.col(p);

  sampling::NutsSettings settings;  // 4 chains x (1,000 warm-up + 1,000 draws), seed 1
  const sampling::Chains chains =
      sampling::nuts(posterior, sampling::InitialPoints::uniform(p + 1), settings);

  std::vector<std::string> names{"alpha"};
  for (Index j = 1; j <= p; ++j)
    names.push_back("beta." + std::to_string(j));
  sampling::Chains named = chains;
  named.set_parameter_names(names);
  std::cout << sampling::summary(named);

  double sampling_seconds = 0;
  Index gradients = 0;
  for (Index k = 0; k < chains.num_chains(); ++k) {
    sampling_seconds = std::max(sampling_seconds, chains.info(k).sampling_seconds);
    gradients += chains.info(k).gradient_evaluations;
  }
  const double min_ess = sampling::ess_bulk(chains).minCoeff();
  std::cout << std::setprecision(3) << "\nmin bulk-ESS " << min_ess << " from " << gradients
            << " gradients (" << min_ess / double(gradients) << " per gradient); "
            << chains.num_divergent() << " divergent transitions; the slowest chain sampled for "
            << sampling_seconds << " s\n";
}
