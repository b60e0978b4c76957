#pragma once
// The stops of the tour (examples/tour/main.cpp runs them in order). Each module's stops live in
// a file of their own, so that they compile in parallel: as one file the tour took 3 minutes.

#include <alea/core/rng.hpp>
#include <alea/core/types.hpp>
#include <string>

namespace tour {

/// Prints a stop's title.
void heading(const std::string& title);

/// 0.6 N(-2, 0.6^2) + 0.4 N(1.5, 1): n rows of 1-D bimodal data.
alea::MatrixX<> bimodal(alea::Index n, alea::Rng& rng);

void core_stop();
/// Held-out log-likelihoods of the MLE and shrinkage estimators against n (the figure's data).
alea::MatrixX<> shrinkage_stop();
void bayes_stop();
void categorical_stop();
/// Histogram and Gaussian densities on a grid (the figure's data); `data` gets the sample.
alea::MatrixX<> histogram_stop(alea::MatrixX<>& data);
void kde_stop(const alea::MatrixX<>& data);
void mixture_stop();
void information_stop();
void metrics_stop();
void sampling_stop();

}  // namespace tour
