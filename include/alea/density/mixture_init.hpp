#pragma once
/// @file
/// @brief How a Gaussian mixture's EM (or variational) iterations start: initial
/// responsibilities by k-means, k-means++, random points or random numbers, and user-given
/// precisions in scikit-learn's shapes.

#include <Eigen/Core>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "alea/core/checks.hpp"
#include "alea/core/pairwise.hpp"
#include "alea/core/random.hpp"
#include "alea/core/types.hpp"
#include "alea/density/covariance_type.hpp"
#include "alea/density/kmeans.hpp"

namespace alea {

/// Where the first responsibilities come from (scikit-learn's `init_params`).
enum class MixtureInit {
  kmeans,            ///< labels of one k-means run (k-means++ seeding, Lloyd to convergence)
  kmeans_plusplus,   ///< k-means++ seeds, each point assigned to its nearest seed
  random,            ///< uniform random responsibilities, normalised per row
  random_from_data,  ///< k distinct random rows as seeds, each point assigned to its nearest
};

/// "kmeans", "k-means++", "random" or "random_from_data" (scikit-learn's spelling).
inline std::string_view to_string(MixtureInit init) {
  switch (init) {
    case MixtureInit::kmeans:
      return "kmeans";
    case MixtureInit::kmeans_plusplus:
      return "k-means++";
    case MixtureInit::random:
      return "random";
    case MixtureInit::random_from_data:
      return "random_from_data";
  }
  return "unknown";
}

/// User-given precisions (inverse covariances) in scikit-learn's shapes: for full covariances
/// k matrices (d x d); tied, one d x d matrix; diag, a k x d matrix; spherical, k numbers.
using MixturePrecisions =
    std::variant<std::vector<MatrixX<double>>, MatrixX<double>, VectorX<double>>;

namespace detail {

/// One-hot n x k responsibilities from labels in [0, k).
template <class T, class Labels>
MatrixX<T> one_hot(const Labels& labels, Index k) {
  MatrixX<T> R = MatrixX<T>::Zero(Index(labels.size()), k);
  for (Index i = 0; i < R.rows(); ++i)
    R(i, Index(labels[i])) = T(1);
  return R;
}

/// Initial responsibilities (n x k) of X for `init`, drawing from rng.
template <class T>
MatrixX<T> initial_responsibilities(const MatrixRef<T>& X, const VectorX<T>* weights, Index k,
                                    MixtureInit init, Rng& rng) {
  const Index n = X.rows();
  const auto nearest_to_rows = [&](const std::vector<Index>& seeds) {
    MatrixX<T> centres(Index(seeds.size()), X.cols());
    for (std::size_t j = 0; j < seeds.size(); ++j)
      centres.row(Index(j)) = X.row(seeds[j]);
    return one_hot<T>(nearest_neighbor<T>(X, centres).index, k);
  };
  switch (init) {
    case MixtureInit::kmeans: {
      KMeans<T> kmeans(KMeansSettings{.n_clusters = k, .n_init = 1, .seed = rng()});
      if (weights) {
        kmeans.fit(X, *weights);
      } else {
        kmeans.fit(X);
      }
      return one_hot<T>(kmeans.labels(), k);
    }
    case MixtureInit::kmeans_plusplus:
      return nearest_to_rows(weights ? kmeans_plusplus<T>(X, *weights, k, rng)
                                     : kmeans_plusplus<T>(X, k, rng));
    case MixtureInit::random_from_data: {
      // k distinct rows among those with positive weight (partial Fisher-Yates shuffle).
      std::vector<Index> candidates;
      for (Index i = 0; i < n; ++i) {
        if (!weights || (*weights)(i) > T(0)) candidates.push_back(i);
      }
      if (Index(candidates.size()) < k) {
        throw_invalid("alea::GaussianMixture::fit",
                      "n_components is " + std::to_string(k) + ", but only " +
                          std::to_string(candidates.size()) + " rows have positive weight");
      }
      for (Index j = 0; j < k; ++j) {
        std::swap(candidates[j], candidates[j + uniform_index(rng, Index(candidates.size()) - j)]);
      }
      candidates.resize(k);
      return nearest_to_rows(candidates);
    }
    case MixtureInit::random: {
      MatrixX<T> R = uniform01<T>(rng, n, k);
      return R.array().colwise() / R.rowwise().sum().array();
    }
  }
  return {};
}

/// Covariances in the type's shape (see GaussianComponents) from user precisions.
/// @throws alea::InvalidArgument naming `function` and precisions_init for a wrong shape, a
///         non-finite entry, or a precision that is not positive definite.
template <class T>
std::vector<MatrixX<T>> covariances_from_precisions(const MixturePrecisions& precisions,
                                                    CovarianceType type, Index k, Index d,
                                                    std::string_view function) {
  const std::string name = "precisions_init";
  const auto wrong_shape = [&](const std::string& expected) {
    throw_invalid(function, name + " must be " + expected + " for covariance_type " +
                                std::string(to_string(type)));
  };
  const auto invert_spd = [&](const MatrixX<double>& P, const std::string& what) {
    if (P.rows() != d || P.cols() != d)
      wrong_shape("d x d matrices (d = " + std::to_string(d) + ")");
    check_symmetric_positive_definite(function, what, P);
    return MatrixX<T>(P.llt().solve(MatrixX<double>::Identity(d, d)).template cast<T>());
  };
  const auto positive_entries = [&](const auto& values) {
    check_finite(function, name, values);
    if (!(values.array() > 0).all()) {
      throw_invalid(function, name + " has an entry <= 0; precisions must be positive");
    }
  };
  switch (type) {
    case CovarianceType::full: {
      const auto* matrices = std::get_if<std::vector<MatrixX<double>>>(&precisions);
      if (!matrices || Index(matrices->size()) != k) {
        wrong_shape("a std::vector of k = " + std::to_string(k) + " matrices");
      }
      std::vector<MatrixX<T>> out;
      for (Index j = 0; j < k; ++j) {
        out.push_back(invert_spd((*matrices)[j], name + "[" + std::to_string(j) + "]"));
      }
      return out;
    }
    case CovarianceType::tied: {
      const auto* matrix = std::get_if<MatrixX<double>>(&precisions);
      if (!matrix) wrong_shape("one d x d matrix");
      return {invert_spd(*matrix, name)};
    }
    case CovarianceType::diag: {
      const auto* matrix = std::get_if<MatrixX<double>>(&precisions);
      if (!matrix || matrix->rows() != k || matrix->cols() != d) {
        wrong_shape("a k x d matrix (" + std::to_string(k) + " x " + std::to_string(d) + ")");
      }
      positive_entries(*matrix);
      return {matrix->cwiseInverse().template cast<T>()};
    }
    case CovarianceType::spherical: {
      const auto* vector = std::get_if<VectorX<double>>(&precisions);
      if (!vector || vector->size() != k) {
        wrong_shape("a vector of k = " + std::to_string(k) + " numbers");
      }
      positive_entries(*vector);
      return {MatrixX<T>(vector->cwiseInverse().template cast<T>())};
    }
  }
  return {};
}

}  // namespace detail
}  // namespace alea
