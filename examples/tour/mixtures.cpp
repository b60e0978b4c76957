// The tour's mixture stop: EM and a Dirichlet-process mixture on the iris flowers.
#include <alea/density.hpp>
#include <alea/io.hpp>
#include <filesystem>
#include <iostream>

#include "tour.hpp"

namespace fs = std::filesystem;
using alea::Index;
using alea::MatrixX;
using alea::VectorX;

namespace tour {

void mixture_stop() {
  heading("density: Gaussian mixtures on the iris flowers");
  const MatrixX<> iris =
      alea::read_csv<double>(fs::path(ALEA_EXAMPLES_DIR) / "data/iris.csv", {.skip_rows = 1});
  const MatrixX<> X = iris.leftCols(4);
  alea::GaussianMixture<> gmm({.n_components = 3, .n_init = 3, .seed = 1});
  gmm.fit(X);
  std::cout << "3 full components by EM: weights " << gmm.weights().transpose() << ", BIC "
            << gmm.bic(X) << ", converged " << (gmm.converged() ? "yes" : "no") << " after "
            << gmm.n_iter() << " iterations\n";
  alea::Rng rng{5};
  std::cout << "five synthetic flowers:\n" << gmm.sample(5, rng) << "\n";
  // A Dirichlet-process prior switches off the components the data do not need.
  alea::BayesianGaussianMixture<> bgm({.n_components = 6, .n_init = 3, .seed = 1});
  bgm.fit(X);
  std::cout << "Bayesian mixture truncated at 6 components: " << bgm.active_components(0.01).size()
            << " with weight above 0.01 (" << bgm.weights().transpose() << ")\n";
}

}  // namespace tour
