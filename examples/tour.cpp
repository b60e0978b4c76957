// The tour of alea: one short stop per module, each printing what it shows. It grows with
// every module. Figures: the tour writes its data as CSV into ./alea-tour/ and, when gnuplot is
// installed, renders the plots of docs/figures/ there and says where.
#include <alea/alea.hpp>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

namespace fs = std::filesystem;
using alea::Index;
using alea::MatrixX;
using alea::VectorX;
using RowVectorX3 = Eigen::RowVector3d;

namespace {

void heading(const std::string& title) {
  std::cout << "\n== " << title << " ==\n";
}

// Data from a two-component 1-D mixture: 0.6 N(-2, 0.6^2) + 0.4 N(1.5, 1).
MatrixX<> bimodal(Index n, alea::Rng& rng) {
  MatrixX<> x = alea::standard_normal(rng, n, 1);
  for (Index i = 0; i < n; ++i)
    x(i, 0) = alea::uniform01(rng) < 0.6 ? -2.0 + 0.6 * x(i, 0) : 1.5 + x(i, 0);
  return x;
}

void core_stop() {
  heading("core: random numbers and log-space arithmetic");
  alea::Rng rng{42};
  const MatrixX<> z = alea::standard_normal(rng, 1'000'000, 1);
  std::cout << "10^6 normals: mean " << z.mean() << ", variance "
            << (z.array() - z.mean()).square().mean() << "\n";
  alea::Rng chain_a = rng.stream(0), chain_b = rng.stream(1);
  std::cout << "independent streams for parallel chains: " << alea::uniform01(chain_a) << " vs "
            << alea::uniform01(chain_b) << "\n";
  VectorX<> tiny(3);
  tiny << -1000, -1001, -1002;
  std::cout << "log(e^-1000 + e^-1001 + e^-1002) = " << alea::log_sum_exp(tiny)
            << " (the naive sum underflows to log 0 = -inf)\n";
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

// Entropy, divergence and mutual information: closed forms beside their sample estimates.
void information_stop() {
  heading("info: entropy, divergences and mutual information");
  Eigen::Vector2d p(0.9, 0.1), q(0.5, 0.5);
  std::cout << "H([0.9, 0.1]) = " << alea::info::entropy(p, 2.0)
            << " bits; KL(p || uniform) = " << alea::info::kl_divergence(p, q, 2.0)
            << " bits; JS distance " << alea::info::js_distance(p, q, 2.0) << "\n";
  // A correlated Gaussian pair: I(X; Y) = -log(1 - rho^2) / 2 in closed form and by k-NN.
  const double rho = 0.8;
  Eigen::Matrix2d cov;
  cov << 1, rho, rho, 1;
  const alea::Gaussian<> joint(Eigen::Vector2d::Zero(), cov);
  alea::Rng rng{17};
  const MatrixX<> xy = joint.sample(20'000, rng);
  std::cout << "I(X; Y) for rho = 0.8: closed form " << alea::info::mutual_information(joint, 1)
            << " nats, KSG estimate from 20,000 pairs "
            << alea::info::mutual_information_ksg(xy.col(0), xy.col(1), 3) << "\n";
  const alea::Gaussian<> wide(Eigen::Vector2d::Zero(), Eigen::Matrix2d::Identity() * 2.0);
  const alea::info::Estimate kl = alea::info::kl_divergence(joint, wide, 100'000, rng);
  std::cout << "KL(joint || N(0, 2I)): closed form " << alea::info::kl_divergence(joint, wide)
            << ", Monte Carlo " << kl.value << " +- " << kl.standard_error << "\n";
}

// Judging a generative model by its samples: MMD with its permutation test, Frechet distance.
void metrics_stop() {
  heading("metrics: two-sample comparisons of generated and real data");
  alea::Rng rng{23};
  const MatrixX<> real = alea::standard_normal(rng, 1'000, 8);
  const MatrixX<> good = alea::standard_normal(rng, 1'000, 8);
  const MatrixX<> shifted = (alea::standard_normal(rng, 1'000, 8).array() + 0.15).matrix();
  for (const auto& [name, fake] :
       {std::pair{"same law", &good}, std::pair{"shifted 0.15", &shifted}}) {
    const auto test = alea::metrics::mmd_test(real, *fake, {}, rng);
    std::cout << name << ": MMD^2 " << test.mmd2 << " (permutation p-value " << test.p_value
              << "), Frechet distance " << alea::metrics::frechet_distance(real, *fake) << "\n";
  }
}

// MCMC: NUTS on a curved 2-D target, its Stan-like summary, and an importance-sampling check.
void sampling_stop() {
  heading("sampling: NUTS with Stan's warm-up, diagnostics, importance sampling");
  // x1 ~ N(0, 1), x2 | x1 ~ N((x1^2 - 1) / 2, 1): written once for any scalar type, so that
  // NUTS differentiates it with Eigen's AutoDiff.
  const auto banana = [](const auto& x) -> alea::sampling::scalar_of<decltype(x)> {
    const auto ridge = x(1) - 0.5 * (x(0) * x(0) - 1.0);
    return -0.5 * (x(0) * x(0) + ridge * ridge);
  };
  const alea::sampling::Chains chains =
      alea::sampling::nuts(banana, alea::sampling::InitialPoints::uniform(2));
  std::cout << alea::sampling::summary(chains)
            << "(truth: means 0 and 0, sd 1 and sqrt 1.5 = 1.225)\n";
  alea::Rng rng{29};
  const alea::StudentT<> proposal(Eigen::Vector2d(0, 1),
                                  Eigen::Matrix2d(Eigen::Vector2d(2, 6).asDiagonal()), 3.0);
  const auto importance = alea::sampling::importance_sampling(banana, proposal, 20'000, rng);
  std::cout << "importance sampling from a Student t: log Z = " << importance.log_evidence << " +- "
            << importance.log_evidence_se << " (truth log 2 pi = " << std::log(2 * std::numbers::pi)
            << "), Pareto k-hat " << importance.psis.k_hat << "\n";
}

void render(const fs::path& folder, const std::string& figure) {
  const fs::path script = fs::path(ALEA_SOURCE_DIR) / "docs/figures" / (figure + ".gp");
  const std::string command = "gnuplot -e \"data_dir='" + folder.string() + "'; out='" +
                              (folder / (figure + ".png")).string() + "'\" \"" + script.string() +
                              "\"";
  if (std::system(command.c_str()) == 0)
    std::cout << "  figure: " << (folder / (figure + ".png")).string() << "\n";
}

}  // namespace

int main() {
  std::cout << std::setprecision(4) << "alea " << alea::version_string << ": a tour\n";
  core_stop();
  const MatrixX<> shrinkage = shrinkage_stop();
  bayes_stop();
  categorical_stop();
  MatrixX<> data;
  const MatrixX<> densities = histogram_stop(data);
  kde_stop(data);
  mixture_stop();
  information_stop();
  metrics_stop();
  sampling_stop();

  heading("figures");
  const fs::path folder = fs::current_path() / "alea-tour";
  fs::create_directories(folder);
  alea::write_csv(folder / "shrinkage.csv", shrinkage, {"n", "mle", "ledoit_wolf", "oas"});
  alea::write_csv(folder / "density_1d.csv", densities, {"x", "histogram", "gaussian"});
  alea::write_csv(folder / "density_1d_data.csv", data, {"x"});
  std::cout << "data written as CSV into " << folder.string() << "\n";
  if (std::system("command -v gnuplot > /dev/null 2>&1") == 0) {
    render(folder, "shrinkage");
    render(folder, "density_1d");
  } else {
    std::cout << "gnuplot is not installed: no figures rendered (apt-get install gnuplot-nox)\n";
  }
}
