#pragma once
/// @file
/// @brief Module header: evaluation of generative models. Log-likelihood, MMD^2 (three kernels,
/// three estimators), KID, the MMD permutation test, Frechet distance, Inception Score,
/// precision/recall/density/coverage, and evaluate(), one report for any model.

#include "alea/core.hpp"
#include "alea/metrics/evaluate.hpp"
#include "alea/metrics/frechet.hpp"
#include "alea/metrics/inception_score.hpp"
#include "alea/metrics/log_likelihood.hpp"
#include "alea/metrics/mmd.hpp"
#include "alea/metrics/prdc.hpp"
