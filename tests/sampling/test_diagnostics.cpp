// Tests of include/alea/sampling/diagnostics.hpp: R-hat, ESS, MCSE and the summary table.
// Reference values: tests/fixtures/diagnostics_reference.py (numpy/scipy, following Vehtari et
// al. 2021, cross-checked there against an independent implementation of ArviZ's algorithm).

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "alea/core/errors.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/sampling/chains.hpp"
#include "alea/sampling/diagnostics.hpp"
#include "fixtures.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace sampling = alea::sampling;
using alea::test::not_a_number;

namespace {


/// Equal to a relative 1e-8, or both NaN (the reference writes NaN as null).
bool close(double actual, double expected, double relative = 1e-8) {
  if (std::isnan(expected)) return std::isnan(actual);
  if (std::isinf(expected)) return actual == expected;
  return std::abs(actual - expected) <= relative * std::abs(expected);
}

double json_number(const nlohmann::json& value) {
  return value.is_null() ? not_a_number : value.get<double>();
}

/// Chains with no statistics from num_chains matrices num_samples x d.
sampling::Chains make_chains(std::vector<MatrixX<double>> draws) {
  return sampling::Chains(std::move(draws), {}, {});
}

/// Gaussian AR(1) chains started in stationarity: x_t = phi x_{t-1} + sqrt(1 - phi^2) e_t.
MatrixX<double> ar1(alea::Rng& rng, double phi, Index num_samples, Index num_chains) {
  MatrixX<double> x = alea::standard_normal<double>(rng, num_samples, num_chains);
  const double scale = std::sqrt(1 - phi * phi);
  for (Index i = 1; i < num_samples; ++i)
    x.row(i) = phi * x.row(i - 1) + scale * x.row(i);
  return x;
}

}  // namespace

TEST_CASE("diagnostics equal the numpy reference on committed draws", "[diagnostics]") {
  const auto& reference = alea::test::fixture("diagnostics_reference.json");
  const std::vector<double> probs = reference["quantiles"].get<std::vector<double>>();
  REQUIRE(reference["sets"].size() >= 10);
  for (const auto& set : reference["sets"]) {
    const std::string name = set["name"].get<std::string>();
    INFO("set " << name);
    std::vector<MatrixX<double>> draws;
    for (const auto& chain : set["draws"])
      draws.push_back(alea::test::matrix(chain));
    const sampling::Chains chains = make_chains(draws);
    const VectorX<double> rhat = sampling::rhat(chains), ess_bulk = sampling::ess_bulk(chains),
                          ess_tail = sampling::ess_tail(chains),
                          ess_mean = sampling::ess_mean(chains),
                          mcse_mean = sampling::mcse_mean(chains),
                          mcse_sd = sampling::mcse_sd(chains);
    const sampling::Summary summary = sampling::summary(chains, probs);
    REQUIRE(rhat.size() == static_cast<Index>(set["parameters"].size()));
    CHECK_NOTHROW(summary.to_string());
    for (Index j = 0; j < chains.dim(); ++j) {
      INFO("parameter " << j);
      const auto& expected = set["parameters"][std::size_t(j)];
      const MatrixX<double> x = chains.parameter(j);
      CHECK(close(rhat(j), json_number(expected["rhat"])));
      CHECK(close(ess_bulk(j), json_number(expected["ess_bulk"])));
      CHECK(close(ess_tail(j), json_number(expected["ess_tail"])));
      CHECK(close(ess_mean(j), json_number(expected["ess_mean"])));
      CHECK(close(mcse_mean(j), json_number(expected["mcse_mean"])));
      CHECK(close(mcse_sd(j), json_number(expected["mcse_sd"])));
      // The one-parameter overloads give the same numbers.
      CHECK(close(sampling::rhat(x), json_number(expected["rhat"])));
      CHECK(close(sampling::ess_bulk(x), json_number(expected["ess_bulk"])));
      CHECK(close(sampling::ess_tail(x), json_number(expected["ess_tail"])));
      CHECK(close(sampling::ess_mean(x), json_number(expected["ess_mean"])));
      CHECK(close(sampling::mcse_mean(x), json_number(expected["mcse_mean"])));
      CHECK(close(sampling::mcse_sd(x), json_number(expected["mcse_sd"])));
      for (std::size_t q = 0; q < probs.size(); ++q) {
        INFO("quantile " << probs[q]);
        CHECK(
            close(sampling::mcse_quantile(x, probs[q]), json_number(expected["mcse_quantile"][q])));
        CHECK(close(sampling::mcse_quantile(chains, probs[q])(j),
                    json_number(expected["mcse_quantile"][q])));
        CHECK(close(summary.quantiles(j, Index(q)), json_number(expected["quantiles"][q])));
      }
      CHECK(close(summary.mean(j), json_number(expected["mean"])));
      CHECK(close(summary.sd(j), json_number(expected["sd"])));
      CHECK(close(summary.mcse_mean(j), json_number(expected["mcse_mean"])));
      CHECK(close(summary.mcse_sd(j), json_number(expected["mcse_sd"])));
      CHECK(close(summary.ess_bulk(j), json_number(expected["ess_bulk"])));
      CHECK(close(summary.ess_tail(j), json_number(expected["ess_tail"])));
      CHECK(close(summary.rhat(j), json_number(expected["rhat"])));
    }
  }
}

TEST_CASE("R-hat is near 1 for iid draws and flags chains that have not mixed", "[diagnostics]") {
  alea::Rng rng{11};
  const MatrixX<double> iid = alea::standard_normal<double>(rng, 500, 4);
  // Over 300 numpy seeds of 4 x 500 iid normals the reference gave R-hat in [0.9985, 1.0043]
  // (sd 0.0011): 1.01 is 9 sd away.
  CHECK(std::abs(sampling::rhat(iid) - 1) < 0.01);

  MatrixX<double> shifted = iid;
  shifted.col(0).array() += 2.0;  // one chain stuck 2 sd away
  CHECK(sampling::rhat(shifted) > 1.1);

  // Over 400 seeds the smallest R-hat was 1.27 for the shifted chain, 1.10 for the wide one
  // and 1.09 for the drifting ones: flagged above 1.1, and above 1.05 for the subtler two.
  MatrixX<double> wide = iid;
  wide.col(0) *= 3.0;  // same centre, 3 times the spread: only the folded (tail) part sees it
  CHECK(sampling::rhat(wide) > 1.05);

  MatrixX<double> drifting = iid;
  drifting.bottomRows(250).array() += 1.0;  // every chain moves half-way: only splitting sees it
  CHECK(sampling::rhat(drifting) > 1.05);
}

TEST_CASE("ESS of iid draws is close to the number of draws", "[diagnostics]") {
  // Over 300 numpy seeds of 4 x 500 iid normals the reference's ESS / S had mean 0.986 and sd
  // 0.064 (bulk and mean) and mean 0.945, sd 0.053 (tail): each seed within 4 sd, and the average
  // of 8 seeds within 4 sd / sqrt(8) of those means.
  double bulk_total = 0, tail_total = 0;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    alea::Rng rng{seed};
    const MatrixX<double> x = alea::standard_normal<double>(rng, 500, 4);
    const double bulk = sampling::ess_bulk(x) / 2000, tail = sampling::ess_tail(x) / 2000,
                 mean = sampling::ess_mean(x) / 2000;
    INFO("seed " << seed << ": bulk " << bulk << ", tail " << tail << ", mean " << mean);
    CHECK(std::abs(bulk - 0.986) < 4 * 0.064);
    CHECK(std::abs(mean - 0.986) < 4 * 0.064);
    CHECK(std::abs(tail - 0.945) < 4 * 0.053);
    bulk_total += bulk;
    tail_total += tail;
  }
  CHECK(std::abs(bulk_total / 8 - 0.986) < 4 * 0.064 / std::sqrt(8.0));
  CHECK(std::abs(tail_total / 8 - 0.945) < 4 * 0.053 / std::sqrt(8.0));
}

TEST_CASE("ESS of AR(1) chains matches their autocorrelation time", "[diagnostics]") {
  // ESS of the mean of a Gaussian AR(1) is S (1 - phi) / (1 + phi); over 200 numpy seeds of
  // 4 x 2000 draws with phi = 0.9 the reference's ratio to it had mean 1.006 and sd 0.14, so a
  // 40% band (about 3 sd) around 1. Rank normalisation barely changes a Gaussian: bulk-ESS has
  // the same target.
  alea::Rng rng{2021};
  const MatrixX<double> x = ar1(rng, 0.9, 2000, 4);
  const double expected = 8000 * 0.1 / 1.9;
  CHECK(std::abs(sampling::ess_mean(x) / expected - 1) < 0.4);
  CHECK(std::abs(sampling::ess_bulk(x) / expected - 1) < 0.4);
  // Antithetic chains (phi < 0) are more efficient than iid ones, up to the cap S log10 S.
  const MatrixX<double> anti = ar1(rng, -0.6, 1000, 2);
  CHECK(sampling::ess_mean(anti) > 2000);
  CHECK(sampling::ess_mean(anti) <= 2000 * std::log10(2000.0) * (1 + 1e-12));
}

TEST_CASE("odd chain lengths drop the middle draw when splitting", "[diagnostics]") {
  alea::Rng rng{5};
  MatrixX<double> x = ar1(rng, 0.5, 101, 3);
  const double rhat = sampling::rhat(x), bulk = sampling::ess_bulk(x), mean = sampling::ess_mean(x);
  x.row(50).setConstant(1e6);  // the middle draw of every chain: not in the split chains
  CHECK(sampling::rhat(x) == rhat);
  CHECK(sampling::ess_bulk(x) == bulk);
  CHECK(sampling::ess_mean(x) == mean);
  x.row(49).setConstant(1e6);  // a draw that is in them
  CHECK(sampling::ess_mean(x) != mean);
}

TEST_CASE("constant and very short draws give NaN and never throw", "[diagnostics]") {
  const MatrixX<double> constant = MatrixX<double>::Constant(40, 3, 0.25);
  CHECK(std::isnan(sampling::rhat(constant)));
  CHECK(std::isnan(sampling::ess_bulk(constant)));
  CHECK(std::isnan(sampling::ess_tail(constant)));
  CHECK(std::isnan(sampling::ess_mean(constant)));
  CHECK(std::isnan(sampling::mcse_mean(constant)));
  CHECK(std::isnan(sampling::mcse_sd(constant)));
  CHECK(std::isnan(sampling::mcse_quantile(constant, 0.5)));

  // Every chain constant, at different values: nothing mixes, R-hat is infinite (or, when the
  // rounding of a chain mean leaves a within-chain variance of 1e-32, about 1e16).
  MatrixX<double> stuck(40, 3);
  stuck.col(0).setConstant(1.0);
  stuck.col(1).setConstant(2.0);
  stuck.col(2).setConstant(4.0);
  CHECK(sampling::rhat(stuck) > 1e6);
  // With two such chains the folded draws |x - median| are constant: R-hat is NaN (posterior).
  CHECK(std::isnan(sampling::rhat(MatrixX<double>(stuck.leftCols(2)))));

  // A 0/1 parameter: its 95% quantile is 1, so that indicator is constant: tail-ESS is NaN,
  // bulk-ESS is not.
  alea::Rng rng{9};
  MatrixX<double> binary(60, 2);
  for (Index i = 0; i < binary.size(); ++i)
    binary(i) = alea::uniform01<double>(rng) < 0.3 ? 1.0 : 0.0;
  CHECK(std::isfinite(sampling::ess_bulk(binary)));
  CHECK(std::isnan(sampling::ess_tail(binary)));
  CHECK(std::isfinite(sampling::ess_quantile(binary, 0.05)));

  // 4 to 9 draws per chain: R-hat is defined, ESS is not (split chains shorter than 5).
  const MatrixX<double> short_draws = alea::standard_normal<double>(rng, 9, 2);
  CHECK(std::isfinite(sampling::rhat(short_draws)));
  CHECK(std::isnan(sampling::ess_bulk(short_draws)));
  CHECK(std::isfinite(sampling::ess_bulk(alea::standard_normal<double>(rng, 10, 2))));

  // A default Chains has no parameters: empty results.
  CHECK(sampling::rhat(sampling::Chains{}).size() == 0);
}

TEST_CASE("diagnostics reject short or non-finite draws and bad levels", "[diagnostics]") {
  using Catch::Matchers::Equals;
  alea::Rng rng{3};
  MatrixX<double> x = alea::standard_normal<double>(rng, 20, 2);
  CHECK_THROWS_WITH(sampling::rhat(MatrixX<double>(x.topRows(3))),
                    Equals("alea::sampling::rhat: draws has 3 rows; expected at least 4 draws per "
                           "chain"));
  CHECK_THROWS_WITH(sampling::ess_bulk(MatrixX<double>(20, 0)),
                    Equals("alea::sampling::ess_bulk: draws has no columns; expected one per "
                           "chain"));
  x(7, 1) = not_a_number;
  CHECK_THROWS_WITH(sampling::ess_tail(x),
                    Equals("alea::sampling::ess_tail: draws has a NaN at row 7, column 1"));
  x(7, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(sampling::mcse_mean(x), alea::InvalidArgument);
  x(7, 1) = 0.5;
  for (double prob : {0.0, 1.0, -0.5, not_a_number})
    CHECK_THROWS_AS(sampling::mcse_quantile(x, prob), alea::InvalidArgument);
  CHECK_THROWS_WITH(sampling::ess_quantile(x, 1.5),
                    Equals("alea::sampling::ess_quantile: prob is 1.5, but must be in (0, 1)"));

  MatrixX<double> chain0 = alea::standard_normal<double>(rng, 10, 2), chain1 = chain0;
  chain1(3, 1) = -std::numeric_limits<double>::infinity();
  const sampling::Chains bad = make_chains({chain0, chain1});
  CHECK_THROWS_WITH(sampling::ess_bulk(bad),
                    Equals("alea::sampling::ess_bulk: chains has -Inf in parameter theta.2 at "
                           "draw 3 of chain 1"));
  CHECK_THROWS_AS(sampling::summary(bad), alea::InvalidArgument);
  const sampling::Chains short_chains = make_chains({MatrixX<double>(chain0.topRows(3))});
  CHECK_THROWS_WITH(sampling::rhat(short_chains),
                    Equals("alea::sampling::rhat: chains has 3 draws per chain; expected at "
                           "least 4"));
  CHECK_THROWS_WITH(sampling::summary(make_chains({chain0}), {0.5, 1.5}),
                    Equals("alea::sampling::summary: quantiles has 1.5 at index 1, but must be "
                           "in [0, 1]"));
}

namespace {

/// The numbers on the line of `name` in a printed summary (after the name).
std::vector<double> table_row(const std::string& table, const std::string& name) {
  std::istringstream lines(table);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (first != name) continue;
    std::vector<double> values;
    for (std::string word; words >> word;)
      values.push_back(std::stod(word));  // "nan" reads as NaN
    return values;
  }
  FAIL("no row " << name << " in\n" << table);
  return {};
}

}  // namespace

TEST_CASE("summary prints a table of names and values like stansummary", "[diagnostics]") {
  alea::Rng rng{17};
  std::vector<MatrixX<double>> draws, statistics;
  std::vector<sampling::ChainInfo> info(4);
  MatrixX<double> lp(400, 4);
  for (Index k = 0; k < 4; ++k) {
    MatrixX<double> x(400, 2);
    x.col(0) = ar1(rng, 0.3, 400, 1);
    x.col(1) = (1000 + 0.01 * alea::standard_normal<double>(rng, 400, 1).array()).matrix();
    draws.push_back(x);
    MatrixX<double> stats(400, 4);
    stats.col(0) = -0.5 * x.rowwise().squaredNorm();  // lp__
    lp.col(k) = stats.col(0);
    stats.col(1) = alea::uniform01<double>(rng, 400, 1);            // accept_stat__
    stats.col(2).setConstant(0.7 + 0.01 * static_cast<double>(k));  // stepsize__: per chain
    stats.col(3).setZero();                                         // divergent__
    statistics.push_back(stats);
    info[std::size_t(k)].warmup_seconds = 0.5;
    info[std::size_t(k)].sampling_seconds = 0.25;
    info[std::size_t(k)].divergences = k == 2 ? 3 : 0;
  }
  sampling::Chains chains(draws, {"lp__", "accept_stat__", "stepsize__", "divergent__"}, statistics,
                          info);
  chains.set_parameter_names({"alpha", "beta_long_name"});
  const sampling::Summary s = sampling::summary(chains);

  REQUIRE(s.names == chains.parameter_names());
  REQUIRE(s.sampler.names == chains.statistic_names());
  CHECK(s.num_chains == 4);
  CHECK(s.num_samples == 400);
  CHECK(s.num_divergent == 3);
  CHECK(s.quantile_probs == std::vector<double>{0.05, 0.5, 0.95});
  CHECK(s.rhat(0) == sampling::rhat(chains)(0));
  CHECK(s.ess_bulk(1) == sampling::ess_bulk(chains)(1));
  CHECK(s.sampler.ess_tail(0) == sampling::ess_tail(lp));
  CHECK(s.sampler.mcse_mean(0) == sampling::mcse_mean(lp));
  // stepsize__ is constant within each chain but differs between chains: R-hat is huge and
  // the ESS about one draw per split chain (every autocorrelation is 1: S / (2 n) = 4).
  CHECK(s.sampler.rhat(2) > 1e6);
  CHECK(s.sampler.ess_bulk(2) < 8);
  // divergent__ is constant: MCSE, ESS and R-hat are undefined.
  CHECK(std::isnan(s.sampler.rhat(3)));
  CHECK(std::isnan(s.sampler.ess_bulk(3)));
  CHECK(std::isnan(s.sampler.mcse_mean(3)));
  CHECK(s.sampler.mean(3) == 0);

  const std::string table = s.to_string();
  std::ostringstream streamed;
  streamed << s;
  CHECK(streamed.str() == table);
  INFO(table);
  for (const char* header :
       {"Mean", "MCSE", "StdDev", "5%", "50%", "95%", "ESS_bulk", "ESS_tail", "R_hat",
        "Warm-up took", "4 chains, each with 400 draws", "3 of 1600 draws"})
    CHECK(table.find(header) != std::string::npos);
  // Statistics come before the parameters, as in stansummary.
  CHECK(table.find("lp__") < table.find("alpha"));

  // The printed numbers are the summary's, to the printed precision: 3 significant digits (or
  // the integer part), integer ESS, 3 decimals of R-hat.
  auto check_row = [&](const sampling::SummaryRows& rows, Index i) {
    INFO("row " << rows.names[std::size_t(i)]);
    const std::vector<double> printed = table_row(table, rows.names[std::size_t(i)]);
    REQUIRE(printed.size() == 9);
    const std::vector<double> expected = {
        rows.mean(i),         rows.mcse_mean(i),    rows.sd(i),
        rows.quantiles(i, 0), rows.quantiles(i, 1), rows.quantiles(i, 2),
        rows.ess_bulk(i),     rows.ess_tail(i),     rows.rhat(i)};
    for (std::size_t c = 0; c < 9; ++c) {
      INFO("column " << c);
      const double tolerance = c < 6 ? 5e-3 * std::abs(expected[c]) : (c < 8 ? 0.5 : 5e-4);
      if (std::isfinite(expected[c])) {
        CHECK(std::abs(printed[c] - expected[c]) <= tolerance);
      } else {
        CHECK((std::isnan(expected[c]) ? std::isnan(printed[c]) : printed[c] == expected[c]));
      }
    }
  };
  for (Index j = 0; j < 2; ++j)
    check_row(s, j);
  for (Index j = 0; j < 4; ++j)
    check_row(s.sampler, j);
  // beta has a mean of 1000 and an sd of 0.01: printed "1000", not "1e+03".
  CHECK(table.find("1e+03") == std::string::npos);
  CHECK(table_row(table, "beta_long_name")[0] == 1000);

  const sampling::Summary custom = sampling::summary(chains, {0.025, 0.975});
  CHECK(custom.quantiles.cols() == 2);
  CHECK(custom.to_string().find("97.5%") != std::string::npos);
  CHECK(table_row(custom.to_string(), "alpha").size() == 8);
}
