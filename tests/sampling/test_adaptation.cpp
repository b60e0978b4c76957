// Stan's warm-up pieces (adaptation.hpp): the metric windows, dual averaging, the Welford
// estimators, the regularised metric update and the step-size search. Deterministic checks
// against hand-computed values from Stan's definitions (windowed_adaptation.hpp,
// stepsize_adaptation.hpp, var_adaptation.hpp, covar_adaptation.hpp, base_hmc.hpp).

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "alea/core/errors.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/sampling/adaptation.hpp"
#include "alea/sampling/target.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace as = alea::sampling;

namespace {

/// The warm-up iterations after which the metric is updated, and those feeding the estimator.
struct Schedule {
  std::vector<Index> ends;
  Index first_in = -1, last_in = -1, count_in = 0;
};

Schedule schedule(as::AdaptationWindows windows, Index num_warmup) {
  Schedule out;
  for (Index it = 0; it < num_warmup; ++it) {
    if (windows.in_window()) {
      if (out.first_in < 0) out.first_in = it;
      out.last_in = it;
      ++out.count_in;
    }
    if (windows.window_ends()) {
      out.ends.push_back(it);
      windows.next_window();
    }
    windows.advance();
  }
  return out;
}

}  // namespace

TEST_CASE("adaptation: Stan's default windows for 1000 warm-up iterations", "[adaptation]") {
  // init_buffer 75, windows 25, 50, 100, 200 and a last one stretched to iteration 949, then the
  // terminal buffer of 50: Stan's metric updates after iterations 100, 150, 250, 450, 950
  // (1-based).
  const Schedule s = schedule(as::AdaptationWindows(1000, 75, 50, 25), 1000);
  CHECK(s.ends == std::vector<Index>{99, 149, 249, 449, 949});
  CHECK(s.first_in == 75);
  CHECK(s.last_in == 949);
  CHECK(s.count_in == 875);
}

TEST_CASE("adaptation: windows double and the last one stretches", "[adaptation]") {
  // init 10, window 5, term 10 in 100: windows end at 14, 24 (10 long), 44 (20); a 40-long one
  // would end at 84 but the one after could not fit, so it stretches to 89 = 100 - 10 - 1.
  const Schedule s = schedule(as::AdaptationWindows(100, 10, 10, 5), 100);
  CHECK(s.ends == std::vector<Index>{14, 24, 44, 89});
  CHECK(s.first_in == 10);
  CHECK(s.last_in == 89);
}

TEST_CASE("adaptation: a short warm-up falls back to 15% 75% 10% as Stan", "[adaptation]") {
  std::string note;
  const Schedule s100 = schedule(as::AdaptationWindows(100, 75, 50, 25, &note), 100);
  CHECK(s100.ends == std::vector<Index>{89});  // init 15, one window of 75, term 10
  CHECK(s100.first_in == 15);
  CHECK(s100.count_in == 75);
  CHECK(note ==
        "num_warmup = 100 is shorter than adapt_init_buffer + adapt_window + adapt_term_buffer "
        "= 150; using 15%/75%/10%: init_buffer = 15, window = 75, term_buffer = 10");
  // 149: 0.15 * 149 = 22.35 and 0.1 * 149 = 14.9 truncate to 22 and 14 (Stan's unsigned ints).
  const Schedule s149 = schedule(as::AdaptationWindows(149, 75, 50, 25), 149);
  CHECK(s149.ends == std::vector<Index>{134});
  CHECK(s149.first_in == 22);
  // 150 fits the three stages exactly: no fallback.
  note.clear();
  const Schedule s150 = schedule(as::AdaptationWindows(150, 75, 50, 25, &note), 150);
  CHECK(s150.ends == std::vector<Index>{99});
  CHECK(note.empty());
  // Below 20 iterations the metric is not adapted at all.
  const Schedule s19 = schedule(as::AdaptationWindows(19, 75, 50, 25, &note), 19);
  CHECK(s19.ends.empty());
  CHECK(s19.count_in == 0);
  CHECK(note == "num_warmup = 19 < 20: the metric is not adapted (only the step size)");
}

TEST_CASE("adaptation: dual averaging follows Hoffman and Gelman's recursion", "[adaptation]") {
  // delta 0.8, gamma 0.05, kappa 0.75, t0 10, mu = log(10 * 1).
  as::StepSizeAdaptation dual(0.8, 0.05, 0.75, 10);
  dual.restart(1.0);
  const double mu = std::log(10.0);
  // t = 1, accept 0.5: H1 = (0.8 - 0.5) / 11, x1 = mu - sqrt(1) H1 / 0.05, x-bar1 = x1.
  const double h1 = 0.3 / 11;
  const double x1 = mu - h1 / 0.05;
  CHECK(dual.learn(0.5) == Approx(std::exp(x1)).epsilon(1e-14));
  CHECK(dual.final_step_size() == Approx(std::exp(x1)).epsilon(1e-14));
  // t = 2, accept 1.3 (clipped to 1): H2 = (1 - 1/12) H1 + (0.8 - 1) / 12.
  const double h2 = (11.0 / 12) * h1 - 0.2 / 12;
  const double x2 = mu - std::sqrt(2.0) * h2 / 0.05;
  const double w = std::pow(2.0, -0.75);
  CHECK(dual.learn(1.3) == Approx(std::exp(x2)).epsilon(1e-14));
  CHECK(dual.final_step_size() == Approx(std::exp((1 - w) * x1 + w * x2)).epsilon(1e-14));
  CHECK(dual.iterations() == 2);
  // Accepting exactly delta keeps x at mu: step 10 x the restart value.
  dual.restart(0.5);
  CHECK(dual.iterations() == 0);
  for (int i = 0; i < 5; ++i)
    CHECK(dual.learn(0.8) == Approx(5.0).epsilon(1e-14));
  CHECK(dual.final_step_size() == Approx(5.0).epsilon(1e-14));
}

TEST_CASE("adaptation: Welford estimators equal two-pass ones", "[adaptation]") {
  MatrixX<double> x(6, 3);
  x << 1, 2, 0.5,   //
      3, -1, 0.25,  //
      2, 0, 1,      //
      5, 4, -2,     //
      -1, 1, 0,     //
      0.5, 2, 3;
  as::WelfordVariance variance(3);
  as::WelfordCovariance covariance(3);
  for (Index i = 0; i < x.rows(); ++i) {
    variance.add(x.row(i).transpose());
    covariance.add(x.row(i).transpose());
  }
  const VectorX<double> mean = x.colwise().mean().transpose();
  const MatrixX<double> centred = x.rowwise() - mean.transpose();
  const MatrixX<double> expected = centred.transpose() * centred / 5.0;
  CHECK(variance.count() == 6);
  CHECK(variance.mean().isApprox(mean, 1e-14));
  CHECK(variance.variance().isApprox(VectorX<double>(expected.diagonal()), 1e-14));
  CHECK(covariance.covariance().isApprox(expected, 1e-14));
  variance.restart();
  covariance.restart();
  CHECK(variance.count() == 0);
  CHECK(covariance.count() == 0);
}

TEST_CASE("adaptation: the metric update is the regularised window variance", "[adaptation]") {
  // 40 warm-up iterations: the 15/75/10 fallback gives init 6, one window 6..35 (n = 30 draws),
  // term 4. At the window's end the inverse metric becomes (n / (n + 5)) var + 1e-3 (5 / (n + 5)).
  alea::Rng rng(7);
  const MatrixX<double> draws = alea::standard_normal<double>(rng, 40, 2) * 3.0;
  for (const as::Metric kind : {as::Metric::diagonal, as::Metric::dense}) {
    INFO(as::metric_name(kind));
    as::MetricAdaptation adaptation(kind, 2, as::AdaptationWindows(40, 75, 50, 25));
    as::InverseMetric metric = kind == as::Metric::diagonal
                                   ? as::InverseMetric::diagonal(VectorX<double>::Ones(2))
                                   : as::InverseMetric::dense(MatrixX<double>::Identity(2, 2));
    std::vector<Index> updates;
    for (Index it = 0; it < 40; ++it)
      if (adaptation.learn(draws.row(it).transpose(), metric, "test")) updates.push_back(it);
    CHECK(updates == std::vector<Index>{35});
    const MatrixX<double> window = draws.middleRows(6, 30);
    const MatrixX<double> centred = window.rowwise() - window.colwise().mean();
    MatrixX<double> expected = (30.0 / 35.0) * centred.transpose() * centred / 29.0;
    expected.diagonal().array() += 1e-3 * 5.0 / 35.0;
    if (kind == as::Metric::diagonal) {
      CHECK(metric.diagonal().isApprox(VectorX<double>(expected.diagonal()), 1e-13));
    } else {
      CHECK(metric.dense().isApprox(expected, 1e-13));
    }
  }
  // The unit metric is never adapted.
  as::MetricAdaptation unit(as::Metric::unit, 2, as::AdaptationWindows(40, 75, 50, 25));
  as::InverseMetric metric = as::InverseMetric::unit(2);
  for (Index it = 0; it < 40; ++it)
    CHECK_FALSE(unit.learn(draws.row(it).transpose(), metric, "test"));
}

TEST_CASE("adaptation: the step-size search brackets acceptance 0.8", "[adaptation]") {
  // A standard normal in 10 dimensions: from far too large (1000) or too small (0.001) a start,
  // the search halves or doubles until one step's acceptance crosses 0.8, landing within a
  // factor of a few of 1.
  struct Normal {
    double log_prob(const VectorX<double>& x) const { return -0.5 * x.squaredNorm(); }
    double grad_log_prob(const VectorX<double>& x, VectorX<double>& grad) const {
      grad = -x;
      return log_prob(x);
    }
  };
  const Normal target;
  as::TargetEvaluator<Normal> evaluator(target);
  const as::InverseMetric metric = as::InverseMetric::diagonal(VectorX<double>::Ones(10));
  const VectorX<double> x = VectorX<double>::Constant(10, 0.3);
  const VectorX<double> grad = -x;
  as::PhasePoint scratch(10);
  alea::Rng rng(11);
  for (const double start : {1000.0, 0.001}) {
    const double found = as::init_step_size<as::Metric::diagonal>(
        evaluator, metric, x, grad, target.log_prob(x), start, rng, scratch, "test");
    INFO("from " << start << ": " << found);
    CHECK(found > 0.1);
    CHECK(found < 4);
    // A power-of-two multiple of the start.
    const double k = std::log2(found / start);
    CHECK(k == Approx(std::round(k)).margin(1e-9));
  }
  // Extreme starts are left alone, as Stan does.
  CHECK(as::init_step_size<as::Metric::diagonal>(evaluator, metric, x, grad, target.log_prob(x),
                                                 1e8, rng, scratch, "test") == 1e8);
  // A flat target accepts every step: the step size passes 1e7 and the search gives up.
  struct Flat {
    double log_prob(const VectorX<double>&) const { return 0; }
    double grad_log_prob(const VectorX<double>& x, VectorX<double>& grad) const {
      grad.setZero(x.size());
      return 0;
    }
  };
  const Flat flat;
  as::TargetEvaluator<Flat> flat_evaluator(flat);
  CHECK_THROWS_AS(
      as::init_step_size<as::Metric::diagonal>(flat_evaluator, metric, x, VectorX<double>::Zero(10),
                                               0.0, 1.0, rng, scratch, "test"),
      alea::NumericalError);
  CHECK_THROWS_WITH(
      as::init_step_size<as::Metric::diagonal>(flat_evaluator, metric, x, VectorX<double>::Zero(10),
                                               0.0, 1.0, rng, scratch, "test"),
      "test: the step-size search passed 1e7 with acceptance still above 0.8: the posterior "
      "looks improper");
}
