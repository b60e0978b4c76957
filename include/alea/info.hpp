#pragma once
/// @file
/// @brief Module header: information measures. Discrete distributions (entropy, cross-entropy,
/// KL and Jensen-Shannon divergences, Renyi entropy, mutual information from tables, labels or
/// binned samples), closed forms for Gaussians, and transport distances (1-D Wasserstein and
/// energy distances, Wasserstein-2 between Gaussians, sliced Wasserstein), k-nearest-neighbour
/// estimators from samples (Kozachenko-Leonenko entropy, KSG and Frenzel-Pompe mutual
/// information, Wang-Kulkarni-Verdu divergence), and Monte Carlo measures between models.

#include "alea/core.hpp"
#include "alea/info/discrete.hpp"
#include "alea/info/gaussian_info.hpp"
#include "alea/info/knn.hpp"
#include "alea/info/monte_carlo.hpp"
#include "alea/info/transport.hpp"
