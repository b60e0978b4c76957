// The tour's information stop: entropy, divergences and mutual information.
#include <alea/density.hpp>
#include <alea/info.hpp>
#include <iostream>

#include "tour.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;

namespace tour {

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

}  // namespace tour
