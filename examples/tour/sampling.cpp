// The tour's sampling stop: NUTS, its summary, and importance sampling.
#include <alea/density.hpp>
#include <alea/sampling.hpp>
#include <cmath>
#include <iostream>
#include <numbers>

#include "tour.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;

namespace tour {

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

}  // namespace tour
