#pragma once
/// @file
/// @brief The Inception Score of class probabilities p(y | x) of generated samples (Salimans,
/// Goodfellow, Zaremba, Cheung, Radford and Chen, "Improved techniques for training GANs",
/// NeurIPS 2016): IS = exp(E_x KL(p(y | x) || p(y))), over splits of the samples.
///
/// For each split s of the rows, p_s(y) is the mean of its rows, and the split's score is
/// exp(mean over its rows of sum_c p(c | x) log(p(c | x) / p_s(c))) (0 log 0 = 0). The result is
/// the mean of the split scores and their sample standard deviation (ddof 1), as torchmetrics'
/// InceptionScore returns them (`kl.std()`); the original code (openai/improved-gan) returns the
/// population standard deviation, std * sqrt((splits - 1) / splits). With an engine the rows are
/// shuffled first (torchmetrics: torch.randperm); without, they are split in the given order
/// (the original). Split s holds rows [s n / splits, (s + 1) n / splits) (integer division), as
/// the original; torchmetrics' torch.chunk makes chunks of ceil(n / splits) rows instead, which
/// is the same split when splits divides n.
///
/// IS lies in [1, C] for C classes: 1 when every row is the same distribution, C when each row
/// is certain of its class and the classes are balanced within each split.
///
/// @code
/// auto score = alea::metrics::inception_score(probabilities, 10, rng);  // n x C, rows sum to 1
/// @endcode

#include <Eigen/Core>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "alea/core/checks.hpp"
#include "alea/core/random.hpp"
#include "alea/core/types.hpp"
#include "alea/metrics/detail/sampling.hpp"

namespace alea::metrics {

/// Result of inception_score.
struct InceptionScore {
  double mean = 1;  ///< mean of the split scores
  double std = 0;   ///< their sample standard deviation (ddof 1; 0 for one split)
};

namespace detail {

/// The score of the rows `order[begin..end)` of P (probabilities, in double).
inline double split_inception_score(const MatrixX<double>& P, const std::vector<Index>& order,
                                    Index begin, Index end) {
  const Index rows = end - begin;
  RowVectorX<double> marginal = RowVectorX<double>::Zero(P.cols());
  for (Index i = begin; i < end; ++i)
    marginal += P.row(order[std::size_t(i)]);
  marginal /= double(rows);
  double kl = 0;
  for (Index i = begin; i < end; ++i) {
    const auto p = P.row(order[std::size_t(i)]).array();
    // 0 log 0 = 0: zero probabilities contribute nothing (and their marginal may be 0 too).
    kl += (p > 0).select(p * (p / marginal.array()).log(), 0.0).sum();
  }
  return std::exp(kl / double(rows));
}

template <class T>
InceptionScore inception_score_in_order(const MatrixRef<T>& probabilities, Index splits,
                                        const std::vector<Index>& order) {
  const MatrixX<double> P = probabilities.template cast<double>();
  const Index n = P.rows();
  VectorX<double> scores(splits);
  for (Index s = 0; s < splits; ++s)
    scores(s) = split_inception_score(P, order, s * n / splits, (s + 1) * n / splits);
  InceptionScore out;
  out.mean = scores.mean();
  out.std =
      splits > 1 ? std::sqrt((scores.array() - out.mean).square().sum() / double(splits - 1)) : 0.0;
  return out;
}

template <class T>
void check_class_probabilities(std::string_view function, const MatrixRef<T>& probabilities,
                               Index splits) {
  check_data(function, "class_probabilities", probabilities);
  for (Index i = 0; i < probabilities.rows(); ++i) {
    check_probability_vector(function, "class_probabilities row " + std::to_string(i),
                             probabilities.row(i).transpose());
  }
  check_positive(function, "splits", splits);
  if (splits > probabilities.rows()) {
    throw_invalid(function, "splits is " + std::to_string(splits) +
                                ", but class_probabilities has only " +
                                std::to_string(probabilities.rows()) + " rows");
  }
}

}  // namespace detail

/// Inception Score with the rows split in the given order (the original code's); see the file
/// comment.
/// @param class_probabilities n x C, row i is p(y | x_i): non-negative, summing to 1 (to
///        sqrt(epsilon) C). @param splits number of splits, 1 <= splits <= n.
/// @throws alea::InvalidArgument for empty or non-finite input, a row that is not a probability
///         vector, or splits outside [1, n].
template <class Derived>
InceptionScore inception_score(const Eigen::MatrixBase<Derived>& class_probabilities,
                               Index splits) {
  using T = typename Derived::Scalar;
  const MatrixRef<T> P(class_probabilities.derived());
  detail::check_class_probabilities<T>("alea::metrics::inception_score", P, splits);
  return detail::inception_score_in_order<T>(P, splits, detail::identity_indices(P.rows()));
}

/// Inception Score with the rows shuffled first (torchmetrics'); see the file comment.
/// @param rng draws the shuffle (n - 1 uniform indices).
template <class Derived, RandomEngine G>
InceptionScore inception_score(const Eigen::MatrixBase<Derived>& class_probabilities, Index splits,
                               G& rng) {
  using T = typename Derived::Scalar;
  const MatrixRef<T> P(class_probabilities.derived());
  detail::check_class_probabilities<T>("alea::metrics::inception_score", P, splits);
  std::vector<Index> order = detail::identity_indices(P.rows());
  detail::shuffle_front(order, P.rows() - 1, rng);
  return detail::inception_score_in_order<T>(P, splits, order);
}

}  // namespace alea::metrics
