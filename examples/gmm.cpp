// Gaussian mixtures on Fisher's iris flowers, as with scikit-learn's GaussianMixture and
// BayesianGaussianMixture: the number of components and the covariance type chosen by BIC, the
// fitted mixture against the species, sample weights, the EM history, and a Dirichlet-process
// mixture that switches off the components it does not need.
//
// Writes gmm_iris_points.csv, gmm_iris_ellipses.csv, bgm_iris_ellipses.csv and
// gmm_iris_components.csv into the working folder; docs/figures/gmm_iris.gp plots them.
#include <Eigen/Eigenvalues>
#include <alea/alea.hpp>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <numbers>
#include <vector>

using alea::CovarianceType;
using alea::GaussianMixture;
using alea::Index;
using alea::MatrixX;
using alea::VectorX;

namespace {

// BIC for k = 1..6 and the four covariance types (3 initialisations each); returns the lowest.
alea::GaussianMixtureSettings choose_by_bic(const MatrixX<>& X) {
  std::cout << " k        full        tied        diag   spherical\n";
  alea::GaussianMixtureSettings best;
  double best_bic = INFINITY;
  for (Index k = 1; k <= 6; ++k) {
    std::cout << std::setw(2) << k;
    for (CovarianceType type : {CovarianceType::full, CovarianceType::tied, CovarianceType::diag,
                                CovarianceType::spherical}) {
      const alea::GaussianMixtureSettings settings{
          .n_components = k, .covariance_type = type, .n_init = 3, .seed = 1};
      const double bic = GaussianMixture<>(settings).fit(X).bic(X);
      std::cout << std::setw(12) << bic;
      if (bic < best_bic) best_bic = bic, best = settings;
    }
    std::cout << "\n";
  }
  std::cout << "lowest BIC: " << best.n_components << " components, "
            << alea::to_string(best.covariance_type) << " covariances\n";
  return best;
}

// Rows: components (those predicted for some flower); columns: species; entries: flowers.
template <class Mixture>
void confusion(const Mixture& mixture, const MatrixX<>& X, const VectorX<>& species) {
  const auto predicted = mixture.predict(X);
  MatrixX<int> table = MatrixX<int>::Zero(mixture.n_components(), 3);
  for (Index i = 0; i < X.rows(); ++i)
    ++table(predicted(i), Index(species(i)));
  std::cout << "component  setosa  versicolor  virginica\n";
  for (Index j = 0; j < table.rows(); ++j) {
    if (table.row(j).sum() == 0) continue;
    std::cout << std::setw(9) << j << std::setw(8) << table(j, 0) << std::setw(12) << table(j, 1)
              << std::setw(11) << table(j, 2) << "\n";
  }
}

// The 1- and 2-sigma ellipses (Mahalanobis distance 1 and 2) of 2-D Gaussian components, as
// closed polylines of 100 points, each followed by a NaN row so that plotted lines break there.
// Columns: component, weight, sigma, x, y. With Sigma = V diag(lambda) V^T, the ellipse is
// mu + s V diag(sqrt(lambda)) (cos t, sin t).
MatrixX<> ellipses(const VectorX<>& weights, const MatrixX<>& means,
                   const std::vector<MatrixX<>>& covariances) {
  const Index points = 100;
  const VectorX<> t = VectorX<>::LinSpaced(points, 0, 2 * std::numbers::pi);
  MatrixX<> unit_circle(2, points);
  unit_circle << t.array().cos().transpose(), t.array().sin().transpose();
  MatrixX<> out(2 * weights.size() * (points + 1), 5);
  Index row = 0;
  for (Index j = 0; j < weights.size(); ++j) {
    const Eigen::SelfAdjointEigenSolver<MatrixX<>> eigen(covariances[std::size_t(j)]);
    const MatrixX<> axes = eigen.eigenvectors() * eigen.eigenvalues().cwiseSqrt().asDiagonal();
    for (double sigma : {1.0, 2.0}) {
      const MatrixX<> outline =
          ((sigma * axes * unit_circle).colwise() + means.row(j).transpose()).transpose();
      out.middleRows(row, points + 1).leftCols(3).rowwise() =
          Eigen::RowVector3d(double(j), weights(j), sigma);
      out.middleRows(row, points).rightCols(2) = outline;
      out.row(row + points).rightCols(2).setConstant(NAN);
      row += points + 1;
    }
  }
  return out;
}

}  // namespace

int main() {
  // 150 rows: four measurements (cm) and the species label 0, 1 or 2 (examples/data/README.md).
  const MatrixX<> iris = alea::read_csv<double>(
      std::filesystem::path(ALEA_EXAMPLES_DIR) / "data/iris.csv", {.skip_rows = 1});
  const MatrixX<> X4 = iris.leftCols(4), X2 = iris.leftCols(2);
  const VectorX<> species = iris.col(4);
  std::cout << std::fixed << std::setprecision(1);

  std::cout << "BIC on sepal length and width (lower is better):\n";
  choose_by_bic(X2);
  std::cout << "\nBIC on all four measurements:\n";
  const alea::GaussianMixtureSettings chosen = choose_by_bic(X4);

  GaussianMixture<> gmm(chosen);
  gmm.fit(X4);
  std::cout << std::setprecision(3) << "\nthe chosen mixture on four measurements: weights "
            << gmm.weights().transpose() << "\nmeans (one row per component):\n"
            << gmm.means() << "\nconverged " << std::boolalpha << gmm.converged() << " after "
            << gmm.n_iter() << " iterations, lower bound (mean log-likelihood) "
            << gmm.lower_bound() << "\n";
  confusion(gmm, X4, species);

  // means_init: component j starts at the mean of species j, so that the components keep the
  // species' order. Sample weights are frequency weights: weight 2 counts a flower twice.
  MatrixX<> species_means(3, 4);
  for (Index k = 0; k < 3; ++k)
    species_means.row(k) = X4.middleRows(50 * k, 50).colwise().mean();
  GaussianMixture<> three({.n_components = 3, .means_init = species_means});
  std::cout << "\n3 full components started at the species means: weights "
            << three.fit(X4).weights().transpose() << "\n";
  confusion(three, X4, species);
  const VectorX<> twice_virginica = (species.array() == 2).select(VectorX<>::Constant(150, 2), 1);
  const MatrixX<> means = three.fit(X4, twice_virginica).means();
  std::cout << "virginica counted twice (sample weight 2): weights " << three.weights().transpose();
  MatrixX<> repeated(200, 4);
  repeated << X4, X4.bottomRows(50);
  std::cout << "\n  as repeating the virginica rows: means differ by at most " << std::scientific
            << (means - three.fit(repeated).means()).cwiseAbs().maxCoeff() << std::fixed << "\n";

  // EM from random responsibilities starts with every component near the data mean, where the
  // bound barely moves: the default tol = 1e-3 stops it there. status().history holds the
  // bound of each iteration.
  GaussianMixture<> early({.n_components = 3, .init_params = alea::MixtureInit::random});
  GaussianMixture<> patient(
      {.n_components = 3, .tol = 1e-6, .init_params = alea::MixtureInit::random});
  early.fit(X2);
  patient.fit(X2);
  std::cout << "\nEM from random responsibilities, sepal measurements: tol = 1e-3 stops after "
            << early.n_iter() << " iterations at " << early.lower_bound() << ", tol = 1e-6 after "
            << patient.n_iter() << ":\niteration  lower bound\n";
  const std::vector<double>& history = patient.status().history;
  for (std::size_t i = 0; i < history.size(); ++i) {
    if (i < 3 || (i + 1) % 10 == 0 || i + 1 == history.size())
      std::cout << std::setw(9) << i + 1 << std::setw(13) << history[i] << "\n";
  }

  // The figure's mixture: 3 full components on the sepal measurements, started at the species'
  // sepal means so that component j is drawn in species j's colour (BIC prefers 2).
  GaussianMixture<> figure({.n_components = 3, .means_init = species_means.leftCols(2)});
  figure.fit(X2);

  // A Dirichlet-process mixture truncated at 6 components keeps only those the data need.
  alea::BayesianGaussianMixture<> bgm(
      {.n_components = 6,
       .max_iter = 500,
       .n_init = 3,
       .seed = 1,
       .weight_concentration_prior_type = alea::WeightPrior::dirichlet_process});
  bgm.fit(X2);
  std::cout << "\nBayesianGaussianMixture, 6 components, Dirichlet process, sepal measurements:\n"
            << "weights " << std::setprecision(4) << bgm.weights().transpose()
            << std::setprecision(3) << "\nconverged " << bgm.converged() << " after "
            << bgm.n_iter() << " iterations\n";
  for (const std::string& note : bgm.status().notes)
    std::cout << "note: " << note << "\n";
  confusion(bgm, X2, species);

  // The figure's data: the points, both mixtures' ellipses, and their weights and means.
  MatrixX<> components(9, 5);  // model (0 EM, 1 variational), component, weight, mean
  for (Index j = 0; j < 3; ++j)
    components.row(j) << 0, double(j), figure.weights()(j), figure.means().row(j);
  for (Index j = 0; j < 6; ++j)
    components.row(3 + j) << 1, double(j), bgm.weights()(j), bgm.means().row(j);
  MatrixX<> points(150, 3);
  points << X2, species;
  alea::write_csv("gmm_iris_points.csv", points, {"sepal_length", "sepal_width", "species"});
  alea::write_csv("gmm_iris_ellipses.csv",
                  ellipses(figure.weights(), figure.means(), figure.covariances()),
                  {"component", "weight", "sigma", "x", "y"});
  alea::write_csv("bgm_iris_ellipses.csv", ellipses(bgm.weights(), bgm.means(), bgm.covariances()),
                  {"component", "weight", "sigma", "x", "y"});
  alea::write_csv("gmm_iris_components.csv", components,
                  {"model", "component", "weight", "mean_x", "mean_y"});
  std::cout << "\nwrote gmm_iris_points.csv, gmm_iris_ellipses.csv, bgm_iris_ellipses.csv, "
               "gmm_iris_components.csv\n";
}
