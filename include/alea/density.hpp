#pragma once
/// @file
/// @brief Module header: density estimators. Parametric: Gaussian (maximum likelihood,
/// weighted, shrinkage), StudentT, the conjugate posteriors NormalKnownCovariance and
/// NormalInverseWishart, Categorical; non-parametric: Histogram, KernelDensity, KnnDensity;
/// mixtures: KMeans, GaussianMixture, BayesianGaussianMixture.

#include "alea/core.hpp"
#include "alea/density/bandwidth.hpp"
#include "alea/density/bayesian_gaussian_mixture.hpp"
#include "alea/density/categorical.hpp"
#include "alea/density/covariance_type.hpp"
#include "alea/density/gaussian.hpp"
#include "alea/density/gaussian_components.hpp"
#include "alea/density/gaussian_conjugate.hpp"
#include "alea/density/gaussian_mixture.hpp"
#include "alea/density/gaussian_statistics.hpp"
#include "alea/density/histogram.hpp"
#include "alea/density/kde_bandwidth_spec.hpp"
#include "alea/density/kde_grid.hpp"
#include "alea/density/kernel.hpp"
#include "alea/density/kernel_density.hpp"
#include "alea/density/kmeans.hpp"
#include "alea/density/knn_density.hpp"
#include "alea/density/mixture_common.hpp"
#include "alea/density/mixture_e_step.hpp"
#include "alea/density/mixture_init.hpp"
#include "alea/density/mixture_sampling.hpp"
#include "alea/density/mixture_statistics.hpp"
#include "alea/density/student_t.hpp"
