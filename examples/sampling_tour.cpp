// Every sampler of alea::sampling on one target, a 2-D "banana": x1 ~ N(0, 1) and
// x2 | x1 ~ N(b (x1^2 - 1), 1) with b = 0.5, so E x = (0, 0), var x1 = 1 and var x2 = 1 + 2 b^2
// = 1.5, a curved ridge that a random walk finds awkward and gradients follow. (With b = 1 the
// ridge bends so sharply in the tails that NUTS at Stan's defaults diverges there and MALA mixes
// slowly: try it, and read the divergences and R-hat.)
//
// Each sampler prints its estimates beside the truth and writes its draws as CSV into
// ./sampling-tour/ (one file per sampler, columns x1, x2) for a scatter plot.
#include <alea/alea.hpp>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <numbers>
#include <sstream>
#include <string>

namespace fs = std::filesystem;
namespace sampling = alea::sampling;
using alea::Index;
using alea::MatrixX;
using alea::VectorX;

namespace {

constexpr double b = 0.5;

// The log density up to a constant, written once for any scalar type: NUTS, HMC, MALA and ULA
// differentiate it with Eigen's AutoDiff, the others evaluate it in double.
auto banana = [](const auto& x) -> sampling::scalar_of<decltype(x)> {
  const auto ridge = x(1) - b * (x(0) * x(0) - 1.0);
  return -0.5 * (x(0) * x(0) + ridge * ridge);
};

void report(const std::string& name, const MatrixX<>& draws, const std::string& extra) {
  const VectorX<> mean = draws.colwise().mean();
  const double var2 = (draws.col(1).array() - mean(1)).square().sum() / double(draws.rows() - 1);
  std::cout << std::left << std::setw(26) << name << std::right << std::fixed
            << std::setprecision(3) << std::setw(8) << mean(0) << std::setw(8) << mean(1)
            << std::setw(8) << var2 << "   " << extra << "\n";
  const fs::path folder = fs::current_path() / "sampling-tour";
  fs::create_directories(folder);
  alea::write_csv(folder / (name.substr(0, name.find(' ')) + ".csv"), draws, {"x1", "x2"});
}

// What an MCMC run says about itself: the worst R-hat and bulk-ESS over the two coordinates.
std::string diagnostics(const sampling::Chains& chains) {
  std::ostringstream out;
  out << std::setprecision(3) << "R-hat " << sampling::rhat(chains).maxCoeff() << ", bulk-ESS "
      << std::setprecision(0) << std::fixed << sampling::ess_bulk(chains).minCoeff();
  return out.str();
}

}  // namespace

int main() {
  std::cout << std::left << std::setw(26) << "sampler" << std::right << std::setw(8) << "E x1"
            << std::setw(8) << "E x2" << std::setw(8) << "var x2"
            << "   diagnostics\n";
  std::cout << std::left << std::setw(26) << "truth" << std::right << std::setw(8) << "0.000"
            << std::setw(8) << "0.000" << std::setw(8) << std::fixed << std::setprecision(3)
            << 1 + 2 * b * b << "\n";
  const auto init = sampling::InitialPoints::uniform(2);  // Stan's default: U(-2, 2) per chain

  // Gradient-based MCMC: 4 chains x (1,000 warm-up + 1,000 draws), Stan's defaults.
  const sampling::Chains nuts = sampling::nuts(banana, init);
  report("nuts", nuts.pooled(), diagnostics(nuts));
  const sampling::Chains hmc = sampling::hmc(banana, init);
  report("hmc", hmc.pooled(), diagnostics(hmc));
  const sampling::Chains mala = sampling::mala(banana, init);
  report("mala", mala.pooled(), diagnostics(mala));
  sampling::LangevinSettings ula;
  ula.step_size = 0.02;
  ula.num_samples = 5000;
  const sampling::Chains langevin = sampling::langevin(banana, init, ula);
  report("langevin (ULA, biased)", langevin.pooled(), diagnostics(langevin));

  // Gradient-free MCMC.
  sampling::MetropolisSettings rw;
  rw.num_samples = 5000;
  const sampling::Chains metropolis = sampling::metropolis(banana, init, rw);
  report("metropolis (adaptive)", metropolis.pooled(), diagnostics(metropolis));
  sampling::TemperingSettings tempering;
  tempering.num_temperatures = 4;
  tempering.max_temperature = 8;
  const sampling::TemperingResult tempered = sampling::parallel_tempering(banana, init, tempering);
  report("parallel_tempering", tempered.chains.pooled(), diagnostics(tempered.chains));

  // Gibbs: x2 | x1 is normal and drawn exactly; x1 | x2 is not a standard law, so its block is
  // one random-walk Metropolis step on x1 (Metropolis-within-Gibbs: any update that leaves the
  // conditional invariant will do).
  const std::vector<sampling::GibbsBlock> blocks{
      {{0},
       [](const VectorX<>& x, alea::Rng& rng) {
         VectorX<> y = x;
         y(0) += 1.5 * alea::standard_normal(rng);
         const bool accept = std::log(alea::uniform01(rng)) < banana(y) - banana(x);
         return VectorX<>::Constant(1, accept ? y(0) : x(0));
       }},
      {{1}, [](const VectorX<>& x, alea::Rng& rng) {
         return VectorX<>::Constant(1, b * (x(0) * x(0) - 1) + alea::standard_normal(rng));
       }}};
  sampling::GibbsSettings gibbs_settings;
  gibbs_settings.num_samples = 5000;
  const sampling::Chains gibbs = sampling::gibbs(blocks, init, gibbs_settings);
  report("gibbs", gibbs.pooled(), diagnostics(gibbs));

  // Independent draws: importance and rejection sampling from a heavy-tailed Student-t
  // proposal whose tails cover the banana's.
  alea::Rng rng{2026};
  const VectorX<> centre = (VectorX<>(2) << 0.0, 1.0).finished();
  const MatrixX<> shape = (MatrixX<>(2, 2) << 2.0, 0.0, 0.0, 6.0).finished();
  const alea::StudentT<> proposal(centre, shape, 3.0);
  const sampling::ImportanceResult importance =
      sampling::importance_sampling(banana, proposal, 20'000, rng);
  const auto mean = importance.mean();
  std::ostringstream is_note;
  is_note << std::setprecision(3) << "Kish ESS " << std::fixed << std::setprecision(0)
          << importance.ess << ", k-hat " << std::setprecision(2) << importance.psis.k_hat
          << ", log Z " << std::setprecision(3) << importance.log_evidence << " (truth "
          << std::log(2 * std::numbers::pi) << ")";
  std::cout << std::left << std::setw(26) << "importance_sampling" << std::right << std::fixed
            << std::setprecision(3) << std::setw(8) << mean.value(0) << std::setw(8)
            << mean.value(1) << std::setw(8) << ""
            << "   " << is_note.str() << "\n";
  // The envelope p~ <= M q, with M from the largest weight of the importance sample plus a
  // margin; the result counts any point where it failed (and max_log_ratio says by how much).
  const double log_M = importance.log_weights.maxCoeff() + 0.5;
  const sampling::RejectionResult rejection =
      sampling::rejection_sampling(banana, proposal, log_M, 5'000, rng);
  std::ostringstream rs_note;
  rs_note << std::setprecision(3) << "acceptance " << rejection.acceptance_rate
          << ", envelope violations " << rejection.envelope_violations;
  report("rejection_sampling", rejection.draws, rs_note.str());
  std::cout << "draws written to " << (fs::current_path() / "sampling-tour").string() << "\n";
}
