// Tests of the sampling contract: include/alea/sampling/chains.hpp (Chains), runner.hpp
// (SampleSettings, InitialPoints, run_chains) and target.hpp (target concepts, AutoDiff
// gradients, TargetEvaluator). The runner is driven by a tiny random-walk Metropolis sampler
// written here, so these tests do not depend on any of the library's samplers.

#include <Eigen/Cholesky>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numbers>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "alea/core/errors.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/density/gaussian.hpp"
#include "alea/sampling/chains.hpp"
#include "alea/sampling/diagnostics.hpp"
#include "alea/sampling/runner.hpp"
#include "alea/sampling/target.hpp"
#include "fixtures.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace sampling = alea::sampling;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using alea::test::infinity;
using alea::test::not_a_number;

namespace {

constexpr std::string_view random_walk_name = "test::random_walk";

/// Random-walk Metropolis on the runner: records lp__, accept_stat__ and the iteration number
/// (iteration__) of every iteration; `starts`, when given, receives each chain's initial point.
template <sampling::Target F>
sampling::Chains random_walk(const F& target, const sampling::SampleSettings& settings,
                             const sampling::InitialPoints& init, double scale = 1.0,
                             std::vector<VectorX<double>>* starts = nullptr) {
  if (starts != nullptr) starts->assign(static_cast<std::size_t>(settings.num_chains), {});
  return sampling::run_chains(
      random_walk_name, settings, init, {"lp__", "accept_stat__", "iteration__"},
      [&](Index chain, alea::Rng& rng, const VectorX<double>& start,
          sampling::ChainRecorder& recorder) {
        if (starts != nullptr) (*starts)[static_cast<std::size_t>(chain)] = start;
        sampling::TargetEvaluator<F> evaluator(target);
        VectorX<double> x = start;
        double lp = evaluator.initial_log_prob(random_walk_name, x);
        for (Index it = 0; it < recorder.num_iterations(); ++it) {
          const VectorX<double> y = x + scale * alea::standard_normal<double>(rng, x.size(), 1);
          const double lp_y = evaluator.log_prob(y);
          const double accept = std::min(1.0, std::exp(lp_y - lp));
          if (alea::uniform01<double>(rng) < accept) {
            x = y;
            lp = lp_y;
          }
          const std::array<double, 3> statistics{lp, accept, static_cast<double>(it)};
          if (!recorder.record(x, statistics)) break;
        }
        sampling::ChainInfo info;
        info.log_prob_evaluations = evaluator.evaluations();
        info.target_failures = evaluator.failures();
        return info;
      });
}

const auto standard_normal_target = [](const VectorX<double>& x) { return -0.5 * x.squaredNorm(); };

sampling::SampleSettings small_settings() {
  sampling::SampleSettings s;
  s.num_warmup = 20;
  s.num_samples = 50;
  s.num_chains = 4;
  s.seed = 42;
  return s;
}

bool same_draws(const sampling::Chains& a, const sampling::Chains& b) {
  if (a.num_chains() != b.num_chains()) return false;
  for (Index k = 0; k < a.num_chains(); ++k) {
    if (a.draws(k) != b.draws(k) || a.statistics(k) != b.statistics(k)) return false;
  }
  return true;
}

/// Chains of 3 draws x 2 parameters with one statistic, values that identify their place.
sampling::Chains numbered_chains() {
  std::vector<MatrixX<double>> draws, statistics;
  for (int k = 0; k < 2; ++k) {
    MatrixX<double> x(3, 2), s(3, 1);
    for (int i = 0; i < 3; ++i) {
      x(i, 0) = 100 * k + 10 * i + 1;
      x(i, 1) = 100 * k + 10 * i + 2;
      s(i, 0) = -(100 * k + i);
    }
    draws.push_back(x);
    statistics.push_back(s);
  }
  return sampling::Chains(draws, {"lp__"}, statistics);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Chains

TEST_CASE("Chains checks the shapes of draws and statistics", "[chains]") {
  const MatrixX<double> a = MatrixX<double>::Zero(5, 2), b = MatrixX<double>::Zero(4, 2);
  CHECK_THROWS_WITH(sampling::Chains({}, {}, {}),
                    Equals("alea::sampling::Chains: draws is empty; expected one matrix per "
                           "chain"));
  CHECK_THROWS_WITH(sampling::Chains({a, b}, {}, {}),
                    Equals("alea::sampling::Chains: draws has chains of different shapes"));
  CHECK_THROWS_WITH(sampling::Chains({a, a}, {"lp__"}, {MatrixX<double>::Zero(5, 1)}),
                    Equals("alea::sampling::Chains: statistics has 1 chains; expected 2"));
  CHECK_THROWS_WITH(sampling::Chains({a}, {"lp__"}, {MatrixX<double>::Zero(4, 1)}),
                    Equals("alea::sampling::Chains: statistics has a chain of the wrong shape"));
  CHECK_THROWS_WITH(sampling::Chains({a}, {"lp__", "x__"}, {MatrixX<double>::Zero(5, 1)}),
                    Equals("alea::sampling::Chains: statistics has a chain of the wrong shape"));
  CHECK_THROWS_WITH(sampling::Chains({a}, {}, {}, std::vector<sampling::ChainInfo>(2)),
                    Equals("alea::sampling::Chains: info has the wrong length"));

  const sampling::Chains chains({a, a, a}, {}, {});
  CHECK(chains.num_chains() == 3);
  CHECK(chains.num_samples() == 5);
  CHECK(chains.dim() == 2);
  CHECK(chains.statistics(2).rows() == 5);
  CHECK(chains.statistics(2).cols() == 0);
  CHECK(chains.parameter_names() == std::vector<std::string>{"theta.1", "theta.2"});
  CHECK(chains.num_divergent() == 0);
  const sampling::Chains empty;
  CHECK(empty.num_chains() == 0);
  CHECK(empty.num_samples() == 0);
  CHECK(empty.dim() == 0);
}

TEST_CASE("Chains gives draws by chain and by parameter", "[chains]") {
  const sampling::Chains chains = numbered_chains();
  CHECK(chains.draws(1)(2, 0) == 121);
  const MatrixX<double> theta2 = chains.parameter(1);  // num_samples x num_chains
  REQUIRE(theta2.rows() == 3);
  REQUIRE(theta2.cols() == 2);
  CHECK(theta2(2, 1) == 122);
  CHECK(theta2(0, 0) == 2);
  const MatrixX<double> pooled = chains.pooled();  // chain 0's draws, then chain 1's
  REQUIRE(pooled.rows() == 6);
  CHECK(pooled(0, 0) == 1);
  CHECK(pooled(3, 0) == 101);
  CHECK(pooled(5, 1) == 122);

  CHECK_THROWS_WITH(chains.draws(2),
                    Equals("alea::sampling::Chains::draws: chain is 2; expected 0 <= chain < 2"));
  CHECK_THROWS_WITH(chains.statistics(-1), Equals("alea::sampling::Chains::statistics: chain is "
                                                  "-1; expected 0 <= chain < 2"));
  CHECK_THROWS_WITH(chains.info(5), Contains("alea::sampling::Chains::info: chain is 5"));
  CHECK_THROWS_WITH(chains.parameter(2),
                    Equals("alea::sampling::Chains::parameter: j is 2; expected 0 <= j < 2"));
  CHECK_THROWS_AS(chains.parameter(-1), alea::InvalidArgument);
}

TEST_CASE("Chains gives statistics by name and rejects unknown names", "[chains]") {
  const sampling::Chains chains = numbered_chains();
  CHECK(chains.has_statistic("lp__"));
  CHECK_FALSE(chains.has_statistic("stepsize__"));
  const VectorX<double> lp = chains.statistic(1, "lp__");
  REQUIRE(lp.size() == 3);
  CHECK(lp(2) == -102);
  CHECK_THROWS_WITH(chains.statistic(0, "stepsize__"),
                    Equals("alea::sampling::Chains::statistic: name 'stepsize__' is not "
                           "recorded; recorded: lp__"));
  CHECK_THROWS_AS(chains.statistic(3, "lp__"), alea::InvalidArgument);
}

TEST_CASE("Chains renames parameters and checks the count", "[chains]") {
  sampling::Chains chains = numbered_chains();
  chains.set_parameter_names({"mu", "sigma"});
  CHECK(chains.parameter_names() == std::vector<std::string>{"mu", "sigma"});
  CHECK_THROWS_WITH(chains.set_parameter_names({"mu"}),
                    Equals("alea::sampling::Chains::set_parameter_names: names has 1 entries; "
                           "expected dim() = 2"));
}

namespace {

std::vector<std::string> split_line(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream stream(line);
  for (std::string cell; std::getline(stream, cell, ',');)
    out.push_back(cell);
  return out;
}

/// Checks that `csv` is chain k of `chains` in Stan's layout, every value read back exactly.
void check_csv(const std::string& csv, const sampling::Chains& chains, Index k) {
  std::istringstream in(csv);
  std::string line;
  REQUIRE(std::getline(in, line));
  std::vector<std::string> expected_header = chains.statistic_names();
  for (const auto& name : chains.parameter_names())
    expected_header.push_back(name);
  CHECK(split_line(line) == expected_header);
  const auto num_statistics = static_cast<Index>(chains.statistic_names().size());
  Index rows = 0;
  while (std::getline(in, line)) {
    const std::vector<std::string> cells = split_line(line);
    REQUIRE(static_cast<Index>(cells.size()) == num_statistics + chains.dim());
    for (Index s = 0; s < num_statistics; ++s)
      CHECK(std::stod(cells[std::size_t(s)]) == chains.statistics(k)(rows, s));
    for (Index j = 0; j < chains.dim(); ++j)
      CHECK(std::stod(cells[std::size_t(num_statistics + j)]) == chains.draws(k)(rows, j));
    ++rows;
  }
  CHECK(rows == chains.num_samples());
}

}  // namespace

TEST_CASE("write_csv writes Stan's layout that reads back exactly", "[chains]") {
  sampling::SampleSettings settings = small_settings();
  settings.num_chains = 2;
  sampling::Chains chains =
      random_walk(standard_normal_target, settings, sampling::InitialPoints::uniform(2));
  chains.set_parameter_names({"alpha", "beta"});
  for (Index k = 0; k < 2; ++k) {
    std::ostringstream out;
    chains.write_csv(out, k);
    check_csv(out.str(), chains, k);
  }
  CHECK_THROWS_AS(chains.write_csv(std::cout, 2), alea::InvalidArgument);

  const auto folder = alea::test::temporary_folder("sampling-chains-csv");
  const std::string path = (folder / "chain1.csv").string();
  chains.write_csv(path, 1);
  std::ifstream file(path);
  std::stringstream contents;
  contents << file.rdbuf();
  check_csv(contents.str(), chains, 1);
  CHECK_THROWS_AS(chains.write_csv((folder / "missing" / "x.csv").string(), 0), alea::IoError);
  std::filesystem::remove_all(folder);
}

// ---------------------------------------------------------------------------------------------
// run_chains

TEST_CASE("run_chains checks its settings", "[runner]") {
  const auto init = sampling::InitialPoints::uniform(2);
  auto run = [&](auto change) {
    sampling::SampleSettings s = small_settings();
    change(s);
    return random_walk(standard_normal_target, s, init);
  };
  CHECK_THROWS_WITH(run([](auto& s) { s.num_samples = 0; }),
                    Equals("test::random_walk: settings.num_samples is 0, but must be positive"));
  CHECK_THROWS_WITH(run([](auto& s) { s.num_warmup = -1; }),
                    Equals("test::random_walk: settings.num_warmup is -1, but must be "
                           "non-negative"));
  CHECK_THROWS_WITH(run([](auto& s) { s.num_chains = 0; }),
                    Equals("test::random_walk: settings.num_chains is 0, but must be positive"));
  CHECK_THROWS_WITH(run([](auto& s) { s.thin = 0; }),
                    Equals("test::random_walk: settings.thin is 0, but must be positive"));
  CHECK_THROWS_WITH(run([](auto& s) { s.num_threads = -2; }),
                    Contains("settings.num_threads is -2"));
  CHECK_THROWS_WITH(run([](auto& s) { s.progress_every = 0; }),
                    Contains("settings.progress_every is 0"));
  // No warm-up is allowed.
  const sampling::Chains chains = run([](auto& s) { s.num_warmup = 0; });
  CHECK(chains.num_samples() == 50);
  CHECK(chains.statistic(0, "iteration__")(0) == 0);
}

TEST_CASE("run_chains is deterministic and independent of the number of threads", "[runner]") {
  const auto init = sampling::InitialPoints::uniform(3);
  sampling::SampleSettings settings = small_settings();
  settings.num_threads = 1;
  const sampling::Chains sequential = random_walk(standard_normal_target, settings, init);
  REQUIRE(sequential.num_chains() == 4);
  REQUIRE(sequential.num_samples() == 50);
  REQUIRE(sequential.dim() == 3);
  CHECK(sequential.statistic_names() ==
        std::vector<std::string>{"lp__", "accept_stat__", "iteration__"});

  CHECK(same_draws(sequential, random_walk(standard_normal_target, settings, init)));
  settings.num_threads = 4;
  CHECK(same_draws(sequential, random_walk(standard_normal_target, settings, init)));
  settings.num_threads = 0;  // the machine's hardware threads
  CHECK(same_draws(sequential, random_walk(standard_normal_target, settings, init)));

  // Chains differ from each other, and from another seed's.
  CHECK(sequential.draws(0) != sequential.draws(1));
  settings.seed = 43;
  CHECK_FALSE(same_draws(sequential, random_walk(standard_normal_target, settings, init)));

  // Chain k depends on (seed, k) only: the first two chains of a 4-chain run are a 2-chain run.
  settings.seed = 42;
  settings.num_chains = 2;
  const sampling::Chains two = random_walk(standard_normal_target, settings, init);
  for (Index k = 0; k < 2; ++k) {
    CHECK(two.draws(k) == sequential.draws(k));
    CHECK(two.statistics(k) == sequential.statistics(k));
  }
}

TEST_CASE("thinning keeps every thin-th draw after warm-up", "[runner]") {
  const auto init = sampling::InitialPoints::uniform(2);
  sampling::SampleSettings settings = small_settings();
  settings.num_warmup = 5;
  settings.num_samples = 10;
  settings.thin = 3;
  const sampling::Chains thinned = random_walk(standard_normal_target, settings, init);
  settings.thin = 1;
  settings.num_samples = 30;  // the same 30 iterations after warm-up, all kept
  const sampling::Chains full = random_walk(standard_normal_target, settings, init);
  REQUIRE(thinned.num_samples() == 10);
  for (Index k = 0; k < thinned.num_chains(); ++k) {
    const VectorX<double> iteration = thinned.statistic(k, "iteration__");
    for (Index i = 0; i < 10; ++i) {
      CHECK(iteration(i) == static_cast<double>(5 + 3 * i));
      CHECK(thinned.draws(k).row(i) == full.draws(k).row(3 * i));
    }
  }
}

TEST_CASE("the progress callback sees the whole run", "[runner]") {
  sampling::SampleSettings settings = small_settings();
  settings.num_chains = 2;
  settings.num_threads = 2;
  settings.num_warmup = 50;
  settings.num_samples = 100;
  settings.progress_every = 10;
  std::vector<Index> done;
  std::vector<double> fraction;
  settings.progress = [&](Index iterations, double figure) {
    done.push_back(iterations);  // the runner calls under a lock
    fraction.push_back(figure);
    return true;
  };
  const sampling::Chains chains =
      random_walk(standard_normal_target, settings, sampling::InitialPoints::uniform(2));
  CHECK(chains.num_samples() == 100);
  // 2 chains x 150 iterations, one call every 10 iterations of a chain.
  REQUIRE(done.size() == 30);
  for (std::size_t i = 0; i < done.size(); ++i) {
    CHECK(done[i] == static_cast<Index>(10 * (i + 1)));
    if (i > 0) CHECK(fraction[i] >= fraction[i - 1]);
  }
  CHECK(fraction.back() == 1.0);
  CHECK_FALSE(chains.info(0).stopped_early);
  CHECK_FALSE(chains.info(1).stopped_early);
}

TEST_CASE("the progress callback can stop the run and chains are cut to the shortest", "[runner]") {
  // One thread: chain 0 runs its 110 iterations, then chain 1 is stopped at its 50th (160 in
  // all), having kept the draws of iterations 10..49: 40 draws. Chain 0 is cut to match.
  sampling::SampleSettings settings = small_settings();
  settings.num_chains = 2;
  settings.num_threads = 1;
  settings.num_warmup = 10;
  settings.num_samples = 100;
  settings.progress_every = 10;
  const auto init = sampling::InitialPoints::uniform(2);
  const sampling::Chains full = random_walk(standard_normal_target, settings, init);
  settings.progress = [](Index iterations, double) { return iterations < 160; };
  const sampling::Chains stopped = random_walk(standard_normal_target, settings, init);
  REQUIRE(stopped.num_chains() == 2);
  REQUIRE(stopped.num_samples() == 40);
  for (Index k = 0; k < 2; ++k) {
    CHECK(stopped.draws(k) == full.draws(k).topRows(40));
    CHECK(stopped.statistics(k) == full.statistics(k).topRows(40));
  }
  CHECK(stopped.info(1).stopped_early);

  // Stopped during warm-up of every chain: no draw to return.
  settings.num_threads = 2;
  settings.progress = [](Index, double) { return false; };
  CHECK_THROWS_WITH(random_walk(standard_normal_target, settings, init),
                    Equals("test::random_walk: settings.progress stopped the run before the first "
                           "kept draw"));
}

// A run stopped by the progress callback says so in every chain it cut, and a sequential run
// stopped during its first chain returns that chain's draws rather than throw.
TEST_CASE("a stopped run marks every chain it cut as stopped early", "[runner]") {
  sampling::SampleSettings settings = small_settings();
  settings.num_chains = 2;
  settings.num_threads = 1;
  settings.num_warmup = 10;
  settings.num_samples = 100;
  settings.progress_every = 10;
  settings.progress = [](Index iterations, double) { return iterations < 160; };
  const sampling::Chains stopped =
      random_walk(standard_normal_target, settings, sampling::InitialPoints::uniform(2));
  REQUIRE(stopped.num_samples() == 40);
  // Chain 0 ran to its end but lost 60 of its draws to the cut.
  CHECK(stopped.info(0).stopped_early);
}

TEST_CASE("stopping a sequential run during its first chain keeps that chain's draws", "[runner]") {
  // One thread: chain 0 is stopped at its 60th iteration (50 kept draws); chain 1 never starts
  // and is left out of the result.
  sampling::SampleSettings settings = small_settings();
  settings.num_chains = 2;
  settings.num_threads = 1;
  settings.num_warmup = 10;
  settings.num_samples = 100;
  settings.progress_every = 10;
  const auto init = sampling::InitialPoints::uniform(2);
  const sampling::Chains full = random_walk(standard_normal_target, settings, init);
  settings.progress = [](Index iterations, double) { return iterations < 60; };
  sampling::Chains stopped;
  REQUIRE_NOTHROW(stopped = random_walk(standard_normal_target, settings, init));
  REQUIRE(stopped.num_chains() == 1);
  REQUIRE(stopped.num_samples() == 50);
  CHECK(stopped.draws(0) == full.draws(0).topRows(50));
  CHECK(stopped.info(0).stopped_early);
}

TEST_CASE("an exception in a chain reaches the caller", "[runner]") {
  sampling::SampleSettings settings = small_settings();
  settings.num_threads = 4;
  CHECK_THROWS_WITH(
      sampling::run_chains("test::failing", settings, sampling::InitialPoints::uniform(1), {},
                           [](Index chain, alea::Rng&, const VectorX<double>&,
                              sampling::ChainRecorder&) -> sampling::ChainInfo {
                             if (chain >= 2)
                               throw std::runtime_error("chain " + std::to_string(chain));
                             return {};
                           }),
      Equals("chain 2"));  // the lowest failing chain's
}

// ---------------------------------------------------------------------------------------------
// InitialPoints

TEST_CASE("InitialPoints gives each chain its start", "[runner]") {
  sampling::SampleSettings settings = small_settings();
  settings.num_chains = 3;
  std::vector<VectorX<double>> starts;

  const VectorX<double> point = VectorX<double>::LinSpaced(2, 0.5, 1.5);
  random_walk(standard_normal_target, settings, point, 1.0, &starts);
  for (const auto& s : starts)
    CHECK(s == point);

  MatrixX<double> rows(3, 2);
  rows << 1, 2, 3, 4, 5, 6;
  random_walk(standard_normal_target, settings, rows, 1.0, &starts);
  for (Index k = 0; k < 3; ++k)
    CHECK(starts[std::size_t(k)] == rows.row(k).transpose());
  CHECK_THROWS_WITH(random_walk(standard_normal_target, settings, MatrixX<double>(rows.topRows(2))),
                    Equals("test::random_walk: init has 2 rows; expected one per chain (3) or a "
                           "single vector"));

  // Stan's default: uniform(-2, 2) per coordinate, different per chain, the same for chain k
  // whatever the number of chains.
  random_walk(standard_normal_target, settings, sampling::InitialPoints::uniform(4), 1.0, &starts);
  const std::vector<VectorX<double>> three = starts;
  for (const auto& s : three) {
    REQUIRE(s.size() == 4);
    CHECK((s.array().abs() < 2).all());
  }
  CHECK(three[0] != three[1]);
  settings.num_chains = 5;
  random_walk(standard_normal_target, settings, sampling::InitialPoints::uniform(4, 0.1), 1.0,
              &starts);
  for (const auto& s : starts)
    CHECK((s.array().abs() < 0.1).all());
  random_walk(standard_normal_target, settings, sampling::InitialPoints::uniform(4), 1.0, &starts);
  for (std::size_t k = 0; k < 3; ++k)
    CHECK(starts[k] == three[k]);

  // Over many chains the uniform starts fill (-2, 2): mean near 0, variance near 16/12.
  settings.num_chains = 200;
  settings.num_samples = 1;
  settings.num_warmup = 0;
  random_walk(standard_normal_target, settings, sampling::InitialPoints::uniform(1), 1.0, &starts);
  double sum = 0, sum_squares = 0;
  for (const auto& s : starts) {
    sum += s(0);
    sum_squares += s(0) * s(0);
  }
  // sd of the mean of 200 uniforms on (-2, 2): sqrt(4/3 / 200) = 0.082; 4 sd = 0.33.
  CHECK(std::abs(sum / 200) < 0.33);
  // sd of the mean of squares: sqrt((16/5 - 16/9) / 200) = 0.084; 4 sd = 0.34.
  CHECK(std::abs(sum_squares / 200 - 4.0 / 3.0) < 0.34);
}

TEST_CASE("InitialPoints rejects bad starts", "[runner]") {
  sampling::SampleSettings settings = small_settings();
  VectorX<double> point(2);
  point << 0.5, not_a_number;
  CHECK_THROWS_WITH(random_walk(standard_normal_target, settings, point),
                    Equals("test::random_walk: init has a NaN at index 1"));
  CHECK_THROWS_WITH(random_walk(standard_normal_target, settings, VectorX<double>(0)),
                    Equals("test::random_walk: init is empty; expected the starting point"));
  CHECK_THROWS_WITH(sampling::InitialPoints::uniform(0),
                    Equals("alea::sampling::InitialPoints::uniform: dim is 0, but must be "
                           "positive"));
  CHECK_THROWS_WITH(sampling::InitialPoints::uniform(2, -1.0),
                    Equals("alea::sampling::InitialPoints::uniform: radius is -1, but must be "
                           "positive"));
  // A finite start where the target is not: a clear error naming init.
  const auto bounded = [](const VectorX<double>& x) {
    return x(0) > 0 ? -x.squaredNorm() : -infinity;
  };
  point << -1, 0;
  CHECK_THROWS_WITH(random_walk(bounded, settings, point),
                    Equals("test::random_walk: init is not a valid starting point: the log "
                           "density is -inf"));
  const auto nan_target = [](const VectorX<double>&) { return not_a_number; };
  CHECK_THROWS_WITH(random_walk(nan_target, settings, point),
                    Equals("test::random_walk: init is not a valid starting point: the log "
                           "density is NaN"));
}

// ---------------------------------------------------------------------------------------------
// Targets

namespace {

/// An object target with an analytic gradient (a Gaussian with precision 2).
struct AnalyticTarget {
  double log_prob(const VectorX<double>& x) const { return -x.squaredNorm(); }
  double grad_log_prob(const VectorX<double>& x, VectorX<double>& grad) const {
    grad = -2 * x;
    return log_prob(x);
  }
};

struct ObjectTarget {
  double log_prob(const VectorX<double>& x) const { return -x.squaredNorm(); }
};

const auto generic_target = [](const auto& x) -> sampling::scalar_of<decltype(x)> {
  return -0.5 * x.squaredNorm();
};

}  // namespace

static_assert(sampling::Target<decltype(standard_normal_target)>);
static_assert(!sampling::DifferentiableTarget<decltype(standard_normal_target)>);
static_assert(sampling::Target<ObjectTarget>);
static_assert(!sampling::DifferentiableTarget<ObjectTarget>);
static_assert(sampling::DifferentiableTarget<AnalyticTarget>);
static_assert(sampling::HasGradLogProb<AnalyticTarget>);
static_assert(sampling::DifferentiableTarget<decltype(generic_target)>);
static_assert(sampling::Target<alea::Gaussian<double>>);
static_assert(!sampling::DifferentiableTarget<alea::Gaussian<double>>);
static_assert(!sampling::Target<int>);
static_assert(!sampling::Target<alea::Gaussian<float>>);

TEST_CASE("AutoDiff gradients equal analytic gradients", "[target]") {
  alea::Rng rng{7};
  const auto log_sum_exp = [](const auto& x) -> sampling::scalar_of<decltype(x)> {
    using std::exp;
    using std::log;
    using T = sampling::scalar_of<decltype(x)>;
    T total(0);
    for (Index i = 0; i < x.size(); ++i)
      total += exp(x(i));
    return log(total);
  };
  // Logistic regression log-likelihood: sum_i y_i eta_i - log(1 + exp(eta_i)), eta = X beta.
  const MatrixX<double> X = alea::standard_normal<double>(rng, 30, 4);
  VectorX<double> y(30);
  for (Index i = 0; i < 30; ++i)
    y(i) = alea::uniform01<double>(rng) < 0.4 ? 1.0 : 0.0;
  const auto logistic = [&X, &y](const auto& beta) -> sampling::scalar_of<decltype(beta)> {
    using std::exp;
    using std::log;
    using T = sampling::scalar_of<decltype(beta)>;
    T total(0);
    for (Index i = 0; i < X.rows(); ++i) {
      T eta(0);
      for (Index j = 0; j < X.cols(); ++j)
        eta += X(i, j) * beta(j);
      total += y(i) * eta - log(1 + exp(eta));
    }
    return total;
  };
  for (int trial = 0; trial < 5; ++trial) {
    VectorX<double> x = alea::standard_normal<double>(rng, 4, 1), grad;
    // log-sum-exp: the gradient is the softmax.
    const double value = sampling::log_prob_and_gradient(log_sum_exp, x, grad);
    const VectorX<double> softmax = x.array().exp() / x.array().exp().sum();
    CHECK(value == Approx(std::log(x.array().exp().sum())).epsilon(1e-14));
    REQUIRE(grad.size() == 4);
    CHECK((grad - softmax).cwiseAbs().maxCoeff() < 1e-14);
    CHECK(sampling::log_prob(log_sum_exp, x) == value);

    const double ll = sampling::log_prob_and_gradient(logistic, x, grad);
    const VectorX<double> eta = X * x;
    const VectorX<double> p = (1 + (-eta.array()).exp()).inverse();
    const VectorX<double> analytic = X.transpose() * (y - p);
    CHECK(ll ==
          Approx((y.array() * eta.array() - (1 + eta.array().exp()).log()).sum()).epsilon(1e-13));
    CHECK((grad - analytic).cwiseAbs().maxCoeff() < 1e-12 * (1 + analytic.cwiseAbs().maxCoeff()));
  }

  // An analytic grad_log_prob is used as given; a target that ignores x has a zero gradient.
  VectorX<double> x(3), grad;
  x << 1, -2, 0.5;
  CHECK(sampling::log_prob_and_gradient(AnalyticTarget{}, x, grad) == -5.25);
  CHECK(grad == -2 * x);
  const auto flat = [](const auto& z) -> sampling::scalar_of<decltype(z)> {
    return sampling::scalar_of<decltype(z)>(1.5);
  };
  CHECK(sampling::log_prob_and_gradient(flat, x, grad) == 1.5);
  CHECK(grad == VectorX<double>::Zero(3));
}

TEST_CASE("TargetEvaluator turns throws and NaN into counted rejections", "[target]") {
  const auto fragile = [](const VectorX<double>& x) -> double {
    if (x(0) > 1) throw std::runtime_error("outside the support");
    if (x(0) < -1) return not_a_number;
    if (x(0) == 0.5) return infinity;
    return -0.5 * x.squaredNorm();
  };
  sampling::TargetEvaluator evaluator(fragile);
  VectorX<double> x(1);
  x << 0.25;
  CHECK(evaluator.log_prob(x) == -0.03125);
  CHECK(evaluator.failures() == 0);
  CHECK(evaluator.last_failure().empty());
  x << 2;
  CHECK(evaluator.log_prob(x) == -infinity);
  CHECK(evaluator.failures() == 1);
  CHECK(evaluator.last_failure() == "the target threw: outside the support");
  x << -2;
  CHECK(evaluator.log_prob(x) == -infinity);
  CHECK(evaluator.last_failure() == "the log density is NaN");
  x << 0.5;
  CHECK(evaluator.log_prob(x) == -infinity);
  CHECK(evaluator.last_failure() == "the log density is +inf");
  CHECK(evaluator.failures() == 3);
  CHECK(evaluator.evaluations() == 4);
  CHECK(evaluator.gradient_evaluations() == 0);

  x << -2;
  sampling::TargetEvaluator fresh(fragile);
  CHECK_THROWS_WITH(fresh.initial_log_prob("test::sampler", x),
                    Equals("test::sampler: init is not a valid starting point: the log density "
                           "is NaN"));
  x << 3;
  CHECK_THROWS_WITH(fresh.initial_log_prob("test::sampler", x),
                    Equals("test::sampler: init is not a valid starting point: the target threw: "
                           "outside the support"));

  // Gradients: a non-finite gradient is a failure too.
  const auto steep = [](const auto& z) -> sampling::scalar_of<decltype(z)> {
    using std::sqrt;
    return -sqrt(z(0) * z(0));  // the gradient at 0 is NaN
  };
  sampling::TargetEvaluator gradients(steep);
  VectorX<double> grad;
  x << 0;
  CHECK(gradients.log_prob_and_gradient(x, grad) == -infinity);
  CHECK(gradients.last_failure() == "the gradient is not finite");
  CHECK_THROWS_WITH(gradients.initial_log_prob_and_gradient("test::hmc", x, grad),
                    Equals("test::hmc: init is not a valid starting point: the gradient is not "
                           "finite"));
  x << -3;
  CHECK(gradients.initial_log_prob_and_gradient("test::hmc", x, grad) == -3);
  CHECK(grad(0) == 1);
  CHECK(gradients.gradient_evaluations() == 3);
}

TEST_CASE("a sampler rejects proposals where the target fails and counts them", "[target]") {
  // log density of N(0, 1) restricted to x < 1, which throws beyond.
  const auto truncated = [](const VectorX<double>& x) -> double {
    if (x(0) >= 1) throw std::domain_error("x >= 1");
    return -0.5 * x(0) * x(0);
  };
  sampling::SampleSettings settings = small_settings();
  settings.num_samples = 500;
  VectorX<double> start(1);
  start << 0;
  const sampling::Chains chains = random_walk(truncated, settings, start);
  for (Index k = 0; k < chains.num_chains(); ++k) {
    CHECK(chains.draws(k).maxCoeff() < 1);
    CHECK(chains.info(k).target_failures > 0);
    CHECK(chains.info(k).target_failures < chains.info(k).log_prob_evaluations);
    CHECK(chains.info(k).log_prob_evaluations == 1 + 520);  // the start, then one per iteration
  }
}

TEST_CASE("a Density model is a target", "[target]") {
  VectorX<double> mean(2);
  mean << 1, -1;
  MatrixX<double> covariance(2, 2);
  covariance << 1, 0.5, 0.5, 2;
  const alea::Gaussian<double> gaussian(mean, covariance);
  VectorX<double> x(2);
  x << 0.3, 0.7;
  const MatrixX<double> row = x.transpose();
  CHECK(sampling::log_prob(gaussian, x) == gaussian.log_prob(row)(0));
  const VectorX<double> centred = x - mean;
  const double closed_form = -std::log(2 * std::numbers::pi) - 0.5 * std::log(1.75) -
                             0.5 * centred.dot(covariance.ldlt().solve(centred));
  CHECK(sampling::log_prob(gaussian, x) == Approx(closed_form).epsilon(1e-13));

  // Random-walk Metropolis on it recovers the mean within 4 Monte Carlo standard errors
  // (MCSE from alea's ESS; 4 chains x 2000 draws, bulk-ESS 500 to 700; over 200 seeds the
  // largest error was 3.2 MCSE).
  sampling::SampleSettings settings = small_settings();
  settings.num_warmup = 200;
  settings.num_samples = 2000;
  settings.seed = 5;
  const sampling::Chains chains =
      random_walk(gaussian, settings, sampling::InitialPoints::uniform(2), 1.2);
  const VectorX<double> estimate = chains.pooled().colwise().mean().transpose();
  const VectorX<double> mcse = sampling::mcse_mean(chains);
  for (Index j = 0; j < 2; ++j) {
    INFO("coordinate " << j << ": " << estimate(j) << " +- " << mcse(j));
    CHECK(std::abs(estimate(j) - mean(j)) < 4 * mcse(j));
  }
  // Over 200 seeds the largest R-hat of this run was 1.019.
  CHECK((sampling::rhat(chains).array() < 1.03).all());
}
