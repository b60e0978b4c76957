// The tour's density stops: Gaussian estimators, conjugate Bayes, categorical, histogram, KDE.
#include <alea/density.hpp>
#include <iomanip>
#include <iostream>
#include <vector>

#include "tour.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;

namespace tour {

namespace {

using RowVectorX3 = Eigen::RowVector3d;

}  // namespace

// Data from a two-component 1-D mixture: 0.6 N(-2, 0.6^2) + 0.4 N(1.5, 1).
MatrixX<> bimodal(Index n, alea::Rng& rng) {
  MatrixX<> x = alea::standard_normal(rng, n, 1);
  for (Index i = 0; i < n; ++i)
    x(i, 0) = alea::uniform01(rng) < 0.6 ? -2.0 + 0.6 * x(i, 0) : 1.5 + x(i, 0);
  return x;
}

// Held-out log-likelihood of MLE and shrinkage estimators as the sample grows, d = 10.
MatrixX<> shrinkage_stop() {
  heading("density: Gaussian MLE and shrinkage when n is small");
  const Index d = 10;
  alea::Rng rng{7};
  MatrixX<> A = alea::standard_normal(rng, d, d);
  const MatrixX<> truth_covariance = A * A.transpose() / double(d) + MatrixX<>::Identity(d, d);
  const alea::Gaussian<> truth(VectorX<>::Zero(d), truth_covariance);
  const MatrixX<> test = truth.sample(20'000, rng);
  std::vector<Index> sizes{12, 15, 20, 30, 50, 100, 200, 500};
  MatrixX<> table(Index(sizes.size()), 4);
  std::cout << "  n    MLE        Ledoit-Wolf  OAS        (mean held-out log-likelihood over "
               "20 training sets; truth "
            << truth.score(test) << ")\n";
  const int replicates = 20;  // average over training sets: one draw is too noisy to read
  for (std::size_t r = 0; r < sizes.size(); ++r) {
    table.row(Index(r)) << double(sizes[r]), 0, 0, 0;
    for (int k = 0; k < replicates; ++k) {
      const MatrixX<> train = truth.sample(sizes[r], rng);
      alea::Gaussian<> mle, lw({.shrinkage = alea::Shrinkage::ledoit_wolf}),
          oas({.shrinkage = alea::Shrinkage::oas});
      table.row(Index(r)).tail(3) +=
          RowVectorX3{mle.fit(train).score(test), lw.fit(train).score(test),
                      oas.fit(train).score(test)} /
          replicates;
    }
    std::cout << std::setw(5) << sizes[r] << "  " << std::setw(9) << table(Index(r), 1) << "  "
              << std::setw(11) << table(Index(r), 2) << "  " << std::setw(9) << table(Index(r), 3)
              << "\n";
  }
  return table;
}

void bayes_stop() {
  heading("density: conjugate Bayesian Gaussian on five observations");
  alea::Rng rng{3};
  const alea::Gaussian<> truth(VectorX<>::Constant(2, 1.0), MatrixX<>::Identity(2, 2));
  const MatrixX<> train = truth.sample(5, rng), test = truth.sample(10'000, rng);
  alea::NormalInverseWishart<> bayes({.mean = VectorX<>::Zero(2),
                                      .kappa = 1.0,
                                      .degrees_of_freedom = 4.0,
                                      .scale = MatrixX<>::Identity(2, 2) * 2.0});
  bayes.fit(train);
  alea::Gaussian<> plug_in;
  plug_in.fit(train);
  std::cout << "held-out mean log-likelihood: plug-in MLE " << plug_in.score(test)
            << ", Student-t posterior predictive " << bayes.score(test) << "\n";
  std::cout << "MAP covariance:\n" << bayes.map().covariance() << "\n";
}

void categorical_stop() {
  heading("density: categorical estimates from sparse counts");
  VectorX<> counts(5);
  counts << 7, 2, 1, 0, 0;
  alea::Categorical<> mle, smoothed({.estimator = alea::CategoricalEstimator::posterior_mean});
  mle.fit_counts(counts);
  smoothed.fit_counts(counts);
  std::cout << "maximum likelihood " << mle.probabilities().transpose()
            << "\nposterior mean (alpha = 1) " << smoothed.probabilities().transpose()
            << "\nentropies " << mle.entropy() << " and " << smoothed.entropy() << " nats\n";
}

// Histogram (numpy's 'auto' rule) and a single Gaussian on bimodal data, on a grid.
MatrixX<> histogram_stop(MatrixX<>& data) {
  heading("density: histogram versus a single Gaussian on bimodal data");
  alea::Rng rng{11};
  data = bimodal(2000, rng);
  const MatrixX<> test = bimodal(20'000, rng);
  alea::Histogram<> histogram;
  alea::Gaussian<> gaussian;
  histogram.fit(data);
  gaussian.fit(data);
  // A histogram's density is 0 outside its bins: score it on the test points inside.
  const VectorX<> histogram_log_density = histogram.log_prob(test);
  const auto inside = histogram_log_density.array().isFinite();
  std::cout << histogram.bin_counts()[0]
            << " bins by numpy's 'auto' rule; held-out mean "
               "log-likelihood: Gaussian "
            << gaussian.score(test) << ", histogram "
            << inside.select(histogram_log_density, 0).sum() / double(inside.count()) << " (on the "
            << inside.count() << " of " << test.rows() << " test points inside its bins)\n";
  const Index m = 600;
  MatrixX<> grid(m, 3);
  grid.col(0) = VectorX<>::LinSpaced(m, -5, 5);
  grid.col(1) = histogram.log_prob(grid.col(0)).array().exp();
  grid.col(2) = gaussian.log_prob(grid.col(0)).array().exp();
  return grid;
}

void kde_stop(const MatrixX<>& data) {
  heading("density: kernel density estimation");
  alea::KernelDensity<> kde({.bandwidth = alea::BandwidthRule::likelihood_cv});
  kde.fit(data);
  alea::Rng rng{13};
  const MatrixX<> test = bimodal(20'000, rng);
  std::cout << "likelihood cross-validation chose h = " << kde.bandwidth()
            << "; held-out mean log-likelihood " << kde.score(test) << "\n";
  std::cout << "log density 40 units from the data: "
            << kde.log_prob(MatrixX<>::Constant(1, 1, 45.0))(0) << " (exact, not -inf)\n";
}

}  // namespace tour
