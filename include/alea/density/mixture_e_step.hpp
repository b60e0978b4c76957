#pragma once
/// @file
/// @brief The E-step of a Gaussian mixture as one blocked, threaded pass over the data that
/// returns mergeable sufficient statistics (alea::MixtureStatistics), and the blocked
/// per-component log densities that predict() and friends need.
///
/// Each row block (B rows) is processed while it is in cache: the k component log densities
/// (one GEMM per component, GaussianComponents::log_densities), plus a per-component offset
/// (log weights for EM; the expectations of the variational bound for a Bayesian mixture), a
/// row-wise log-sum-exp that gives log p(x_i) and the responsibilities r_ik, then the moments
/// sum_i w_i r_ik (x_i - c_k) and (x_i - c_k)(x_i - c_k)^T with GEMMs. So EM reads the data
/// once per iteration and never holds an n x k matrix.
///
/// Threads: the rows are cut into a fixed number of contiguous chunks that depends on n, k and
/// d only; each chunk's statistics are accumulated block by block in order and the chunks are
/// summed in order. The result is therefore the same, bit for bit, for any number of threads.

#include <Eigen/Core>
#include <algorithm>
#include <limits>
#include <vector>

#include "alea/core/parallel.hpp"
#include "alea/core/types.hpp"
#include "alea/density/gaussian_components.hpp"
#include "alea/density/mixture_statistics.hpp"

namespace alea::detail {

/// Rows per block of the mixture passes: a block's data, differences and log densities stay in
/// L2 for d and k up to a few dozen.
inline constexpr Index mixture_block_rows = 256;

/// What one E-step pass returns: the statistics and the row explained worst (the lowest log
/// p(x_i)), where an emptied component is re-seeded.
template <class T>
struct EStepResult {
  MixtureStatistics<T> statistics;
  Index worst_row = 0;
  double worst_log_prob = std::numeric_limits<double>::infinity();
};

/// Adds the moments of row blocks to statistics. For full covariances, whose statistics share
/// one centre c (GaussianComponents::statistics_centres), the scatter of every component comes
/// from one GEMM: with the products z_i = (x_i - c)_a (x_i - c)_b for a <= b side by side
/// (B x d(d+1)/2), the packed scatter of all k components is Z^T W (d(d+1)/2 x k) for the
/// weighted responsibilities W; flush() unpacks it into the k matrices.
template <class T>
class MomentAccumulator {
 public:
  explicit MomentAccumulator(MixtureStatistics<T>& s) : s_(s) {
    if (s.covariance_type == CovarianceType::full) {
      const Index d = s.dim();
      packed_.setZero(d * (d + 1) / 2, s.components());
    }
  }
  MomentAccumulator(const MomentAccumulator&) = delete;
  MomentAccumulator& operator=(const MomentAccumulator&) = delete;
  ~MomentAccumulator() { flush(); }

  /// Adds a block: X_block (B x d) with weighted responsibilities w_r (B x k).
  void add(const MatrixRef<T>& X_block, const MatrixX<T>& w_r) {
    MixtureStatistics<T>& s = s_;
    const Index k = s.components();
    const Index d = s.dim();
    s.counts += w_r.colwise().sum().transpose();
    switch (s.covariance_type) {
      case CovarianceType::full:
        diff_ = X_block.rowwise() - s.centres.row(0);
        s.first.noalias() += w_r.transpose() * diff_;
        products_.resize(X_block.rows(), packed_.rows());
        for (Index a = 0, column = 0; a < d; ++a) {
          for (Index b = a; b < d; ++b)
            products_.col(column++) = diff_.col(a).cwiseProduct(diff_.col(b));
        }
        packed_.noalias() += products_.transpose() * w_r;
        break;
      case CovarianceType::tied:
        // sum_k S_k = (X - c)^T diag(w) (X - c), since sum_k r_ik = 1.
        diff_ = X_block.rowwise() - s.centres.row(0);
        s.first.noalias() += w_r.transpose() * diff_;
        weighted_ = diff_.array().colwise() * w_r.rowwise().sum().array();
        s.scatter[0].noalias() += weighted_.transpose() * diff_;
        break;
      case CovarianceType::diag:
      case CovarianceType::spherical:
        for (Index j = 0; j < k; ++j) {
          diff_ = X_block.rowwise() - s.centres.row(j);
          weighted_ = diff_.array().colwise() * w_r.col(j).array();
          s.first.row(j) += weighted_.colwise().sum();
          s.squares.row(j) += (weighted_.array() * diff_.array()).colwise().sum().matrix();
        }
        break;
    }
  }

  /// Moves the packed full scatter into the statistics' matrices.
  void flush() {
    if (packed_.size() == 0) return;
    const Index d = s_.dim();
    for (Index j = 0; j < s_.components(); ++j) {
      MatrixX<T>& S = s_.scatter[j];
      for (Index a = 0, column = 0; a < d; ++a) {
        for (Index b = a; b < d; ++b, ++column) {
          S(a, b) += packed_(column, j);
          if (b != a) S(b, a) += packed_(column, j);
        }
      }
    }
    packed_.setZero();
  }

 private:
  MixtureStatistics<T>& s_;
  MatrixX<T> packed_, products_, diff_, weighted_;
};

/// The number of chunks of a pass: at most 32, at most one per block, and few enough that the
/// chunks' statistics fit in 64 MB. Depends on n, k and d only (not on the thread count).
template <class T>
Index mixture_chunks(Index n, const MixtureStatistics<T>& zero) {
  const Index blocks = (n + mixture_block_rows - 1) / mixture_block_rows;
  Index entries = zero.counts.size() + 2 * zero.first.size() + zero.squares.size();
  for (const auto& S : zero.scatter)
    entries += S.size();
  const Index budget = std::max<Index>(1, (Index(64) << 20) / (entries * Index(sizeof(T))));
  return std::max<Index>(1, std::min({blocks, Index(32), budget}));
}

/// One E-step pass: statistics of X (n x d, finite, checked by the caller) under `components`
/// with per-component additive log offsets (k), about components.statistics_centres().
/// @param weights n observation weights, or nullptr for unit weights.
template <class T>
EStepResult<T> mixture_e_step(const MatrixRef<T>& X, const VectorX<T>* weights,
                              const GaussianComponents<T>& components,
                              const VectorX<T>& log_offsets) {
  const Index n = X.rows();
  const auto zero =
      MixtureStatistics<T>::zero(components.covariance_type(), components.statistics_centres());
  const Index chunks = mixture_chunks(n, zero);
  const Index blocks = (n + mixture_block_rows - 1) / mixture_block_rows;
  std::vector<EStepResult<T>> partial(chunks, EStepResult<T>{zero});
  const double d = double(X.cols());
  [[maybe_unused]] const bool threads =
      chunks > 1 && worth_threads(double(n) * double(zero.components()) * d * (d + 2));

#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic, 1) if (threads)
#endif
  for (Index c = 0; c < chunks; ++c) {
    EStepResult<T>& out = partial[c];
    MixtureStatistics<T>& s = out.statistics;
    typename GaussianComponents<T>::Workspace work;
    MomentAccumulator<T> moments(s);
    MatrixX<T> log_r, w_r;
    VectorX<T> w, row_max, row_sum, log_row_sum, log_p;
    for (Index b = c * blocks / chunks; b < (c + 1) * blocks / chunks; ++b) {
      const Index i0 = b * mixture_block_rows;
      const Index rows = std::min(mixture_block_rows, n - i0);
      const auto X_block = X.middleRows(i0, rows);
      components.log_densities(X_block, log_r, work);
      log_r.rowwise() += log_offsets.transpose();
      // Log-sum-exp over components with one (vectorised) exponential per entry: the shifted
      // exponentials give both log p(x_i) and, divided by their row sums, the responsibilities.
      // (Row-wise reductions as loops over contiguous columns, which vectorise.)
      row_max = log_r.col(0);
      for (Index j = 1; j < log_r.cols(); ++j)
        row_max = row_max.cwiseMax(log_r.col(j));
      log_r.colwise() -= row_max;
      w_r = log_r.array().exp();
      row_sum = w_r.col(0);
      for (Index j = 1; j < w_r.cols(); ++j)
        row_sum += w_r.col(j);
      log_row_sum = row_sum.array().log();
      log_p = row_max + log_row_sum;
      log_r.colwise() -= log_row_sum;  // log responsibilities
      w = weights ? VectorX<T>(weights->segment(i0, rows)) : VectorX<T>::Ones(rows);
      w_r = w_r.array().colwise() * (w.array() / row_sum.array());
      // r log r -> 0 as r -> 0: entries whose responsibility underflowed contribute nothing.
      s.responsibility_log_sum +=
          double((w_r.array() > T(0)).select(w_r.array() * log_r.array(), T(0)).sum());
      s.log_likelihood += w.template cast<double>().dot(log_p.template cast<double>());
      s.total_weight += double(w.sum());
      s.observations += rows;
      Index worst;
      const T lowest = log_p.minCoeff(&worst);
      if (double(lowest) < out.worst_log_prob) {
        out.worst_log_prob = double(lowest);
        out.worst_row = i0 + worst;
      }
      moments.add(X_block, w_r);
    }
    moments.flush();
  }

  EStepResult<T> result = std::move(partial[0]);
  for (Index c = 1; c < chunks; ++c) {
    result.statistics += partial[c].statistics;
    if (partial[c].worst_log_prob < result.worst_log_prob) {
      result.worst_log_prob = partial[c].worst_log_prob;
      result.worst_row = partial[c].worst_row;
    }
  }
  return result;
}

/// Statistics of X for given responsibilities (n x k, rows summing to 1): the M-step input of
/// an initialisation. The centres are those an E-step would use: the responsibility-weighted
/// means (diag, spherical) or the data mean (full, tied). Single-threaded: it runs once a fit.
template <class T>
MixtureStatistics<T> statistics_from_responsibilities(const MatrixRef<T>& X,
                                                      const VectorX<T>* weights,
                                                      const MatrixX<T>& responsibilities,
                                                      CovarianceType type) {
  const MatrixX<T> weighted =
      weights ? MatrixX<T>(responsibilities.array().colwise() * weights->array())
              : responsibilities;
  const VectorX<T> nk =
      weighted.colwise().sum().transpose().array() + T(10) * Eigen::NumTraits<T>::epsilon();
  MatrixX<T> centres = (weighted.transpose() * X).array().colwise() / nk.array();
  if (type == CovarianceType::full || type == CovarianceType::tied) {
    centres = (nk.transpose() * centres / nk.sum()).replicate(nk.size(), 1).eval();
  }
  auto s = MixtureStatistics<T>::zero(type, centres);
  {
    MomentAccumulator<T> moments(s);
    for (Index i0 = 0; i0 < X.rows(); i0 += mixture_block_rows) {
      const Index rows = std::min(mixture_block_rows, X.rows() - i0);
      moments.add(X.middleRows(i0, rows), weighted.middleRows(i0, rows));
    }
  }
  s.total_weight = double(weights ? weights->sum() : T(X.rows()));
  s.observations = X.rows();
  return s;
}

/// log N(x_i | mu_k, Sigma_k) + log_offsets_k for every row and component (n x k), in blocks,
/// threaded over blocks (rows are independent).
template <class T>
MatrixX<T> mixture_log_densities(const MatrixRef<T>& X, const GaussianComponents<T>& components,
                                 const VectorX<T>& log_offsets) {
  const Index n = X.rows();
  const Index blocks = (n + mixture_block_rows - 1) / mixture_block_rows;
  MatrixX<T> out(n, components.components());
  const double d = double(X.cols());
  [[maybe_unused]] const bool threads =
      blocks > 1 && worth_threads(double(n) * double(components.components()) * d * (d + 2));
#if defined(_OPENMP)
#pragma omp parallel for schedule(static) if (threads)
#endif
  for (Index b = 0; b < blocks; ++b) {
    const Index i0 = b * mixture_block_rows;
    const Index rows = std::min(mixture_block_rows, n - i0);
    typename GaussianComponents<T>::Workspace work;
    MatrixX<T> block;
    components.log_densities(X.middleRows(i0, rows), block, work);
    out.middleRows(i0, rows) = block.rowwise() + log_offsets.transpose();
  }
  return out;
}

}  // namespace alea::detail
