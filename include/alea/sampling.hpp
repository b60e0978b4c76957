#pragma once
/// @file
/// @brief Module header: Monte Carlo sampling. MCMC (NUTS, HMC, MALA, unadjusted Langevin,
/// random-walk / adaptive / independence Metropolis, Metropolis-Hastings, Gibbs, parallel
/// tempering) on a shared multi-chain runner, with Stan's warm-up, diagnostics (R-hat, bulk-
/// and tail-ESS, MCSE, summary) and constraint transforms; importance sampling with Pareto
/// smoothing, adaptive importance sampling, rejection and adaptive rejection sampling.

#include "alea/core.hpp"
#include "alea/sampling/adaptation.hpp"
#include "alea/sampling/adaptive_importance.hpp"
#include "alea/sampling/adaptive_rejection.hpp"
#include "alea/sampling/chains.hpp"
#include "alea/sampling/diagnostics.hpp"
#include "alea/sampling/gibbs.hpp"
#include "alea/sampling/hamiltonian.hpp"
#include "alea/sampling/hmc.hpp"
#include "alea/sampling/importance.hpp"
#include "alea/sampling/langevin.hpp"
#include "alea/sampling/mala.hpp"
#include "alea/sampling/metric.hpp"
#include "alea/sampling/metropolis.hpp"
#include "alea/sampling/nuts.hpp"
#include "alea/sampling/proposal.hpp"
#include "alea/sampling/psis.hpp"
#include "alea/sampling/rejection.hpp"
#include "alea/sampling/runner.hpp"
#include "alea/sampling/target.hpp"
#include "alea/sampling/tempering.hpp"
#include "alea/sampling/transforms.hpp"
