#pragma once
/// @file
/// @brief Chains: the result of an MCMC run. Draws as num_chains x (num_samples x d), one row
/// per draw; per-draw statistics with Stan's column names; what each chain adapted and counted.
///
/// write_csv writes one chain in Stan's CSV layout (the sampler statistics first, lp__,
/// accept_stat__, ..., then the parameters), so Stan's and ArviZ's readers take it.

#include <Eigen/Core>
#include <fstream>
#include <iomanip>
#include <limits>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alea/core/errors.hpp"
#include "alea/core/types.hpp"

namespace alea::sampling {

/// What one chain adapted, counted and noticed.
struct ChainInfo {
  double step_size = std::numeric_limits<double>::quiet_NaN();  ///< after warm-up (HMC family)
  /// Inverse metric after warm-up: d x 1 (diagonal), d x d (dense), or empty (none); for
  /// random-walk samplers the proposal covariance.
  MatrixX<double> inverse_metric;
  Index log_prob_evaluations = 0;  ///< evaluations of the log density alone
  Index gradient_evaluations = 0;  ///< evaluations of the log density with its gradient
  Index target_failures = 0;       ///< throws / NaN from the target: rejected proposals
  Index divergences = 0;           ///< divergent transitions after warm-up (HMC family)
  double warmup_seconds = 0;
  double sampling_seconds = 0;
  bool stopped_early = false;      ///< the progress callback asked to stop
  std::vector<std::string> notes;  ///< events worth reading (first target failure, ...)
};

class Chains {
 public:
  Chains() = default;

  /// `draws[k]` is chain k's num_samples x d matrix; `statistics[k]` its num_samples x s
  /// matrix with columns named by `statistic_names`. All chains must have equal shapes.
  Chains(std::vector<MatrixX<double>> draws, std::vector<std::string> statistic_names,
         std::vector<MatrixX<double>> statistics, std::vector<ChainInfo> info = {})
      : draws_(std::move(draws)),
        statistic_names_(std::move(statistic_names)),
        statistics_(std::move(statistics)),
        info_(std::move(info)) {
    constexpr std::string_view function = "alea::sampling::Chains";
    if (draws_.empty()) throw_invalid(function, "draws is empty; expected one matrix per chain");
    for (const auto& chain : draws_) {
      if (chain.rows() != draws_[0].rows() || chain.cols() != draws_[0].cols())
        throw_invalid(function, "draws has chains of different shapes");
    }
    if (statistics_.empty()) statistics_.assign(draws_.size(), MatrixX<double>(num_samples(), 0));
    if (statistics_.size() != draws_.size())
      throw_invalid(function, "statistics has " + std::to_string(statistics_.size()) +
                                  " chains; expected " + std::to_string(draws_.size()));
    for (const auto& stats : statistics_) {
      if (stats.rows() != num_samples() ||
          stats.cols() != static_cast<Index>(statistic_names_.size()))
        throw_invalid(function, "statistics has a chain of the wrong shape");
    }
    if (info_.empty()) info_.resize(draws_.size());
    if (info_.size() != draws_.size()) throw_invalid(function, "info has the wrong length");
    for (Index j = 0; j < dim(); ++j)
      parameter_names_.push_back("theta." + std::to_string(j + 1));
  }

  [[nodiscard]] Index num_chains() const noexcept { return static_cast<Index>(draws_.size()); }
  [[nodiscard]] Index num_samples() const noexcept { return draws_.empty() ? 0 : draws_[0].rows(); }
  [[nodiscard]] Index dim() const noexcept { return draws_.empty() ? 0 : draws_[0].cols(); }

  /// Chain k's draws, num_samples x d.
  [[nodiscard]] const MatrixX<double>& draws(Index chain) const {
    return draws_[checked_chain("draws", chain)];
  }

  /// Parameter j across chains: num_samples x num_chains (the layout diagnostics use).
  [[nodiscard]] MatrixX<double> parameter(Index j) const {
    if (j < 0 || j >= dim())
      throw_invalid("alea::sampling::Chains::parameter",
                    "j is " + std::to_string(j) + "; expected 0 <= j < " + std::to_string(dim()));
    MatrixX<double> out(num_samples(), num_chains());
    for (Index k = 0; k < num_chains(); ++k)
      out.col(k) = draws_[static_cast<std::size_t>(k)].col(j);
    return out;
  }

  /// All chains' draws stacked: (num_chains * num_samples) x d.
  [[nodiscard]] MatrixX<double> pooled() const {
    MatrixX<double> out(num_chains() * num_samples(), dim());
    for (Index k = 0; k < num_chains(); ++k)
      out.middleRows(k * num_samples(), num_samples()) = draws_[static_cast<std::size_t>(k)];
    return out;
  }

  [[nodiscard]] const std::vector<std::string>& statistic_names() const noexcept {
    return statistic_names_;
  }
  /// Chain k's per-draw statistics, num_samples x statistic_names().size().
  [[nodiscard]] const MatrixX<double>& statistics(Index chain) const {
    return statistics_[checked_chain("statistics", chain)];
  }
  /// One named statistic (e.g. "stepsize__") of chain k, or an error naming the known ones.
  [[nodiscard]] VectorX<double> statistic(Index chain, std::string_view name) const {
    for (std::size_t s = 0; s < statistic_names_.size(); ++s) {
      if (statistic_names_[s] == name) return statistics(chain).col(static_cast<Index>(s));
    }
    std::string known;
    for (const auto& n : statistic_names_)
      known += (known.empty() ? "" : ", ") + n;
    throw_invalid("alea::sampling::Chains::statistic",
                  "name '" + std::string(name) + "' is not recorded; recorded: " + known);
  }
  [[nodiscard]] bool has_statistic(std::string_view name) const {
    for (const auto& n : statistic_names_)
      if (n == name) return true;
    return false;
  }

  [[nodiscard]] const ChainInfo& info(Index chain) const {
    return info_[checked_chain("info", chain)];
  }
  /// Divergent transitions after warm-up, summed over chains.
  [[nodiscard]] Index num_divergent() const {
    Index total = 0;
    for (const auto& i : info_)
      total += i.divergences;
    return total;
  }

  [[nodiscard]] const std::vector<std::string>& parameter_names() const noexcept {
    return parameter_names_;
  }
  /// Names for the parameters (default theta.1 ... theta.d, Stan's style).
  Chains& set_parameter_names(std::vector<std::string> names) {
    if (static_cast<Index>(names.size()) != dim())
      throw_invalid("alea::sampling::Chains::set_parameter_names",
                    "names has " + std::to_string(names.size()) +
                        " entries; expected dim() = " + std::to_string(dim()));
    parameter_names_ = std::move(names);
    return *this;
  }

  /// Chain k in Stan's CSV layout: a header line of the statistics then the parameters, one
  /// row per draw, 17 significant digits (reads back exactly).
  void write_csv(std::ostream& out, Index chain) const {
    const Index k = static_cast<Index>(checked_chain("write_csv", chain));
    const auto& stats = statistics_[static_cast<std::size_t>(k)];
    const auto& draws = draws_[static_cast<std::size_t>(k)];
    bool first = true;
    for (const auto& n : statistic_names_) {
      out << (first ? "" : ",") << n;
      first = false;
    }
    for (const auto& n : parameter_names_) {
      out << (first ? "" : ",") << n;
      first = false;
    }
    out << '\n' << std::setprecision(17);
    for (Index i = 0; i < num_samples(); ++i) {
      first = true;
      for (Index s = 0; s < stats.cols(); ++s) {
        out << (first ? "" : ",") << stats(i, s);
        first = false;
      }
      for (Index j = 0; j < dim(); ++j) {
        out << (first ? "" : ",") << draws(i, j);
        first = false;
      }
      out << '\n';
    }
  }

  /// write_csv to a file; IoError when it cannot be written.
  void write_csv(const std::string& path, Index chain) const {
    std::ofstream file(path);
    if (!file) throw IoError("alea::sampling::Chains::write_csv: cannot open " + path);
    write_csv(file, chain);
    if (!file) throw IoError("alea::sampling::Chains::write_csv: cannot write " + path);
  }

 private:
  std::size_t checked_chain(std::string_view method, Index chain) const {
    if (chain < 0 || chain >= num_chains())
      throw_invalid("alea::sampling::Chains::" + std::string(method),
                    "chain is " + std::to_string(chain) + "; expected 0 <= chain < " +
                        std::to_string(num_chains()));
    return static_cast<std::size_t>(chain);
  }

  std::vector<MatrixX<double>> draws_;
  std::vector<std::string> statistic_names_;
  std::vector<MatrixX<double>> statistics_;
  std::vector<ChainInfo> info_;
  std::vector<std::string> parameter_names_;
};

}  // namespace alea::sampling
