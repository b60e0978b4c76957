// Histogram against numpy (reference values: tests/fixtures/histogram_numpy.py, numpy 1.24.2,
// Debian 12), its invariants and its file format.

#include "alea/density/histogram.hpp"
#include "fixtures.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "alea/io/model_file.hpp"

using alea::BinRule;
using alea::Histogram;
using alea::HistogramSettings;
using alea::Index;
using alea::MatrixX;
using alea::VectorX;

namespace {

template <class T>
MatrixX<T> column_of(const nlohmann::json& values) {
  MatrixX<T> X(static_cast<Index>(values.size()), 1);
  for (Index i = 0; i < X.rows(); ++i)
    X(i, 0) = static_cast<T>(values[static_cast<std::size_t>(i)].get<double>());
  return X;
}

template <class T>
MatrixX<T> rows_of(const nlohmann::json& values, Index cols) {
  const auto rows = static_cast<Index>(values.size()) / cols;
  MatrixX<T> X(rows, cols);
  for (Index i = 0; i < rows; ++i)
    for (Index j = 0; j < cols; ++j)
      X(i, j) = static_cast<T>(values[static_cast<std::size_t>(i * cols + j)].get<double>());
  return X;
}

std::vector<double> doubles(const nlohmann::json& values) {
  return values.get<std::vector<double>>();
}

BinRule rule_named(const std::string& name) {
  for (BinRule rule : {BinRule::sturges, BinRule::scott, BinRule::freedman_diaconis,
                       BinRule::automatic, BinRule::sqrt, BinRule::rice}) {
    if (alea::bin_rule_name(rule) == name) return rule;
  }
  FAIL("unknown rule " << name);
  return BinRule::automatic;
}

alea::HistogramBins bins_named(const std::string& name) {
  if (std::isdigit(static_cast<unsigned char>(name[0]))) return Index{std::stoi(name)};
  return rule_named(name);
}

// Edges equal to `tolerance` relative to the scale of the grid (max |edge|), so that an edge near
// 0 is not held to a relative error of its own tiny magnitude.
template <class T>
void require_edges(const VectorX<T>& actual, const std::vector<double>& expected,
                   double tolerance) {
  REQUIRE(actual.size() == static_cast<Index>(expected.size()));
  double scale = 0;
  for (double e : expected)
    scale = std::max(scale, std::abs(e));
  for (Index k = 0; k < actual.size(); ++k) {
    INFO("edge " << k);
    REQUIRE(std::abs(static_cast<double>(actual(k)) - expected[static_cast<std::size_t>(k)]) <=
            tolerance * scale);
  }
}

// Centres of the bins of a 1-D histogram, as a column.
template <class T>
MatrixX<T> centres(const VectorX<T>& e) {
  MatrixX<T> c(e.size() - 1, 1);
  for (Index k = 0; k + 1 < e.size(); ++k)
    c(k, 0) = e(k) / 2 + e(k + 1) / 2;
  return c;
}

void require_densities(const VectorX<double>& log_prob, const std::vector<double>& expected) {
  REQUIRE(log_prob.size() == static_cast<Index>(expected.size()));
  for (Index k = 0; k < log_prob.size(); ++k) {
    INFO("cell " << k);
    const double want = expected[static_cast<std::size_t>(k)];
    if (want == 0) {
      REQUIRE(log_prob(k) == -std::numeric_limits<double>::infinity());
    } else {
      REQUIRE(std::abs(std::exp(log_prob(k)) - want) <= 1e-12 * want);
    }
  }
}

// Sum over the cells of exp(log_prob(centre)) * volume, for 1-D or 2-D histograms.
template <class T>
double integral(const Histogram<T>& hist) {
  const Index d = hist.dim();
  REQUIRE(d <= 2);
  const VectorX<T>& e0 = hist.edges(0);
  const VectorX<T> e1 = d == 2 ? hist.edges(1) : VectorX<T>::Zero(2);
  double total = 0;
  for (Index a = 0; a + 1 < e0.size(); ++a) {
    for (Index b = 0; b + 1 < e1.size(); ++b) {
      MatrixX<T> x(1, d);
      x(0, 0) = e0(a) / 2 + e0(a + 1) / 2;
      double volume = static_cast<double>(e0(a + 1)) - static_cast<double>(e0(a));
      if (d == 2) {
        x(0, 1) = e1(b) / 2 + e1(b + 1) / 2;
        volume *= static_cast<double>(e1(b + 1)) - static_cast<double>(e1(b));
      }
      total += std::exp(static_cast<double>(hist.log_prob(x)(0))) * volume;
    }
  }
  return total;
}

template <class T>
constexpr double integral_tolerance() {
  return std::is_same_v<T, double> ? 1e-12 : 1e-5;
}

}  // namespace

TEST_CASE("Histogram reproduces np.histogram_bin_edges for every rule in 1-D",
          "[density][histogram]") {
  for (const auto& c : alea::test::fixture("histogram_numpy.json")["cases_1d"]) {
    const MatrixX<double> X = column_of<double>(c["data"]);
    for (const auto& [rule, expected] : c["edges"].items()) {
      INFO(c["name"].get<std::string>() << ", bins = " << rule);
      Histogram<> hist(HistogramSettings{.bins = bins_named(rule)});
      hist.fit(X);
      require_edges(hist.edges(0), doubles(expected), 1e-12);
      REQUIRE(hist.bin_counts() == std::vector<Index>{static_cast<Index>(expected.size()) - 1});
    }
  }
}

TEST_CASE("Histogram densities equal np.histogram(density=True) in 1-D", "[density][histogram]") {
  for (const auto& c : alea::test::fixture("histogram_numpy.json")["cases_1d"]) {
    INFO(c["name"].get<std::string>());
    const MatrixX<double> X = column_of<double>(c["data"]);
    Histogram<> hist;  // default: numpy's bins='auto'
    hist.fit(X);
    require_edges(hist.edges(0), doubles(c["auto_density_edges"]), 1e-12);
    require_densities(hist.log_prob(centres(hist.edges(0))), doubles(c["auto_density"]));
  }
}

TEST_CASE("Histogram with a range matches numpy's range argument", "[density][histogram]") {
  const auto& ranged = alea::test::fixture("histogram_numpy.json")["ranged"];
  const MatrixX<double> X = column_of<double>(ranged["data"]);
  MatrixX<double> range(1, 2);
  range << ranged["range"][0].get<double>(), ranged["range"][1].get<double>();
  for (const auto& [rule, expected] : ranged["edges"].items()) {
    INFO("bins = " << rule);
    Histogram<> hist(HistogramSettings{.bins = bins_named(rule), .range = range});
    hist.fit(X);
    require_edges(hist.edges(0), doubles(expected), 1e-12);
    require_densities(hist.log_prob(centres(hist.edges(0))), doubles(ranged["density"][rule]));
    // Observations outside the range are not counted, and have density zero.
    REQUIRE(static_cast<Index>(hist.total_weight()) ==
            (X.array() >= -1.0 && X.array() <= 2.5).count());
    MatrixX<double> outside(2, 1);
    outside << -1.0001, 2.5001;
    REQUIRE((hist.log_prob(outside).array() == -std::numeric_limits<double>::infinity()).all());
  }
}

TEST_CASE("Weighted Histogram matches np.histogram with weights and density",
          "[density][histogram]") {
  const auto& weighted = alea::test::fixture("histogram_numpy.json")["weighted"];
  const MatrixX<double> X = column_of<double>(weighted["data"]);
  const VectorX<double> w = column_of<double>(weighted["weights"]).col(0);

  // Rules ignore the weights: the edges are numpy's for the unweighted data.
  Histogram<> automatic;
  automatic.fit(X, w);
  require_edges(automatic.edges(0), doubles(weighted["auto_edges"]), 1e-12);
  require_densities(automatic.log_prob(centres(automatic.edges(0))),
                    doubles(weighted["auto_density"]));
  REQUIRE(automatic.total_weight() == Approx(w.sum()).epsilon(1e-14));

  Histogram<> twelve(HistogramSettings{.bins = 12});
  twelve.fit(X, w);
  require_edges(twelve.edges(0), doubles(weighted["edges_12"]), 1e-12);
  require_densities(twelve.log_prob(centres(twelve.edges(0))), doubles(weighted["density_12"]));
}

TEST_CASE("Histogram in 2-D matches np.histogramdd(density=True)", "[density][histogram]") {
  for (const auto& c : alea::test::fixture("histogram_numpy.json")["cases_2d"]) {
    INFO(c["name"].get<std::string>());
    const MatrixX<double> X = rows_of<double>(c["data"], 2);
    for (const std::string which : {"4", "auto"}) {
      INFO("bins = " << which);
      Histogram<> hist(HistogramSettings{.bins = bins_named(which)});
      hist.fit(X);
      REQUIRE(hist.dim() == 2);
      const auto& edges = c["edges_" + which];
      require_edges(hist.edges(0), doubles(edges[0]), 1e-12);
      require_edges(hist.edges(1), doubles(edges[1]), 1e-12);
      // np.histogramdd's H[a, b] in C order is our row-major cell layout.
      const VectorX<double>& e0 = hist.edges(0);
      const VectorX<double>& e1 = hist.edges(1);
      MatrixX<double> cells((e0.size() - 1) * (e1.size() - 1), 2);
      for (Index a = 0; a + 1 < e0.size(); ++a)
        for (Index b = 0; b + 1 < e1.size(); ++b)
          cells.row(a * (e1.size() - 1) + b) << e0(a) / 2 + e0(a + 1) / 2,
              e1(b) / 2 + e1(b + 1) / 2;
      require_densities(hist.log_prob(cells), doubles(c["density_" + which]));
      REQUIRE(hist.counts().sum() == static_cast<double>(X.rows()));
    }
  }
}

TEMPLATE_TEST_CASE("Histogram density integrates to 1 in 1-D and 2-D", "[density][histogram]",
                   float, double) {
  using T = TestType;
  alea::Rng rng{101};
  const MatrixX<T> X1 = alea::standard_normal<T>(rng, 500, 1);
  for (const BinRule rule : {BinRule::sturges, BinRule::scott, BinRule::freedman_diaconis,
                             BinRule::automatic, BinRule::sqrt, BinRule::rice}) {
    Histogram<T> hist(HistogramSettings{.bins = rule});
    hist.fit(X1);
    REQUIRE(integral(hist) == Approx(1.0).margin(integral_tolerance<T>()).epsilon(0));
  }
  MatrixX<T> X2 = alea::standard_normal<T>(rng, 400, 2);
  X2.col(1) = X2.col(1) * T(3) + X2.col(0);
  Histogram<T> hist2;
  hist2.fit(X2);
  REQUIRE(hist2.dim() == 2);
  REQUIRE(integral(hist2) == Approx(1.0).margin(integral_tolerance<T>()).epsilon(0));
  Histogram<T> fixed(HistogramSettings{.bins = 9});
  fixed.fit(X2);
  REQUIRE(fixed.bin_counts() == std::vector<Index>{9, 9});
  REQUIRE(integral(fixed) == Approx(1.0).margin(integral_tolerance<T>()).epsilon(0));
}

TEMPLATE_TEST_CASE("Histogram bins are half-open except the last; outside is -infinity",
                   "[density][histogram]", float, double) {
  using T = TestType;
  // Data 0, 1, 2, 3, 4 with 4 bins: edges 0, 1, 2, 3, 4; bins hold {0}, {1}, {2}, {3, 4}.
  MatrixX<T> X(5, 1);
  X << 0, 1, 2, 3, 4;
  Histogram<T> hist(HistogramSettings{.bins = 4});
  hist.fit(X);
  REQUIRE(hist.counts().template cast<double>() == Eigen::Vector4d(1, 1, 1, 2));
  const T inf = std::numeric_limits<T>::infinity();
  MatrixX<T> points(5, 1);
  points << T(4), T(2), T(-0.001), T(4.001), T(3.5);
  const VectorX<T> lp = hist.log_prob(points);
  REQUIRE(lp(0) == Approx(std::log(2.0 / 5.0)));  // the right-most edge: last bin
  REQUIRE(lp(1) == Approx(std::log(1.0 / 5.0)));  // an inner edge: the bin to its right
  REQUIRE(lp(2) == -inf);
  REQUIRE(lp(3) == -inf);
  REQUIRE(lp(4) == Approx(std::log(2.0 / 5.0)));

  // An empty bin has density zero.
  MatrixX<T> gap(4, 1);
  gap << 0, 0.5, 3.5, 4;
  Histogram<T> with_gap(HistogramSettings{.bins = 4});
  with_gap.fit(gap);
  MatrixX<T> middle(1, 1);
  middle << T(2);
  REQUIRE(with_gap.log_prob(middle)(0) == -inf);
  REQUIRE(with_gap.score(middle) == -inf);
  REQUIRE(with_gap.log_prob(MatrixX<T>(0, 1)).size() == 0);
}

TEMPLATE_TEST_CASE("Histogram of constant data widens the range by 0.5 as numpy does",
                   "[density][histogram]", float, double) {
  using T = TestType;
  MatrixX<T> X = MatrixX<T>::Constant(6, 2, T(2));
  X.col(1).setLinSpaced(6, T(0), T(5));
  Histogram<T> hist;
  hist.fit(X);
  REQUIRE(hist.bin_counts()[0] == 1);
  REQUIRE(hist.edges(0)(0) == T(1.5));
  REQUIRE(hist.edges(0)(1) == T(2.5));
  REQUIRE(hist.edges(1)(0) == T(0));
  REQUIRE(hist.edges(1)(hist.bin_counts()[1]) == T(5));
  REQUIRE(integral(hist) == Approx(1.0).margin(integral_tolerance<T>()).epsilon(0));
}

TEMPLATE_TEST_CASE("Histogram samples stay in the grid with the bin probabilities",
                   "[density][histogram]", float, double) {
  using T = TestType;
  // 11 bins on [0, 11) with weights 1..11, except bin 4 which is empty.
  MatrixX<T> X(11, 1);
  VectorX<T> w(11);
  for (Index k = 0; k < 11; ++k) {
    X(k, 0) = T(k) + T(0.5);
    w(k) = k == 4 ? T(0) : T(k + 1);
  }
  MatrixX<double> range(1, 2);
  range << 0, 11;
  Histogram<T> hist(HistogramSettings{.bins = 11, .range = range});
  hist.fit(X, w);
  const double total = static_cast<double>(w.sum());

  alea::Rng rng{2024};
  const Index n = 50000;
  const MatrixX<T> draws = hist.sample(n, rng);
  REQUIRE(draws.rows() == n);
  REQUIRE(draws.cols() == 1);
  REQUIRE((draws.array() >= T(0)).all());
  REQUIRE((draws.array() < T(11)).all());
  std::vector<double> observed(11, 0.0);
  for (Index i = 0; i < n; ++i) {
    ++observed[static_cast<std::size_t>(std::floor(draws(i, 0)))];  // edges: integers 0..11
  }
  REQUIRE(observed[4] == 0);  // never in an empty bin
  // Pearson's statistic over the 10 bins of positive probability has 9 degrees of freedom; its
  // quantile 1 - 1e-6 is 44.81 (scipy.stats.chi2.ppf(1 - 1e-6, 9)), so a correct sampler fails
  // this seeded test with probability 1e-6.
  double chi_square = 0;
  for (Index k = 0; k < 11; ++k) {
    if (k == 4) continue;
    const double expected = static_cast<double>(n) * static_cast<double>(k + 1) / total;
    const double difference = observed[static_cast<std::size_t>(k)] - expected;
    chi_square += difference * difference / expected;
  }
  REQUIRE(chi_square < 44.81);

  // 2-D: every draw lies in a cell of positive weight.
  const MatrixX<T> Y = alea::standard_normal<T>(rng, 300, 2);
  Histogram<T> hist2;
  hist2.fit(Y);
  const MatrixX<T> draws2 = hist2.sample(2000, rng);
  REQUIRE(draws2.cols() == 2);
  REQUIRE(hist2.log_prob(draws2).allFinite());
  REQUIRE(hist2.sample(0, rng).rows() == 0);
}

TEMPLATE_TEST_CASE("Histogram with integer weights equals repeating the rows",
                   "[density][histogram]", float, double) {
  using T = TestType;
  alea::Rng rng{55};
  const MatrixX<T> X = alea::standard_normal<T>(rng, 60, 2);
  VectorX<T> w(60);
  std::vector<Index> repeats;
  for (Index i = 0; i < 60; ++i) {
    const Index r = 1 + alea::uniform_index(rng, 3);
    w(i) = static_cast<T>(r);
    for (Index k = 0; k < r; ++k)
      repeats.push_back(i);
  }
  MatrixX<T> repeated(static_cast<Index>(repeats.size()), 2);
  for (std::size_t k = 0; k < repeats.size(); ++k)
    repeated.row(static_cast<Index>(k)) = X.row(repeats[k]);

  Histogram<T> weighted(HistogramSettings{.bins = 6});
  weighted.fit(X, w);
  Histogram<T> plain(HistogramSettings{.bins = 6});
  plain.fit(repeated);
  REQUIRE(weighted.edges(0) == plain.edges(0));
  REQUIRE(weighted.edges(1) == plain.edges(1));
  REQUIRE(weighted.counts() == plain.counts());
  const MatrixX<T> points = alea::standard_normal<T>(rng, 100, 2);
  REQUIRE(weighted.log_prob(points) == plain.log_prob(points));
  REQUIRE(weighted.score(X) == plain.score(X));
}

TEMPLATE_TEST_CASE("Histogram rejects bad input with exact messages", "[density][histogram]", float,
                   double) {
  using T = TestType;
  const T nan = std::numeric_limits<T>::quiet_NaN();
  MatrixX<T> X = MatrixX<T>::Zero(5, 1);
  X << 0, 1, 2, 3, 4;

  SECTION("NaN and Inf in X") {
    MatrixX<T> bad = MatrixX<T>::Zero(5, 2);
    bad(3, 0) = nan;
    Histogram<T> hist;
    REQUIRE_THROWS_AS(hist.fit(bad), alea::InvalidArgument);
    REQUIRE_THROWS_WITH(hist.fit(bad), "alea::Histogram::fit: X has a NaN at row 3, column 0");
    bad(3, 0) = std::numeric_limits<T>::infinity();
    REQUIRE_THROWS_WITH(hist.fit(bad), "alea::Histogram::fit: X has +Inf at row 3, column 0");
  }
  SECTION("empty X") {
    Histogram<T> hist;
    REQUIRE_THROWS_AS(hist.fit(MatrixX<T>(0, 1)), alea::InvalidArgument);
    REQUIRE_THROWS_WITH(
        hist.fit(MatrixX<T>(0, 1)),
        "alea::Histogram::fit: X is empty (0 x 1); at least one row and one column are needed");
  }
  SECTION("non-positive bin count and max_cells") {
    Histogram<T> zero(HistogramSettings{.bins = 0});
    REQUIRE_THROWS_AS(zero.fit(X), alea::InvalidArgument);
    REQUIRE_THROWS_WITH(zero.fit(X), "alea::Histogram::fit: bins is 0, but must be positive");
    Histogram<T> negative(HistogramSettings{.bins = -3});
    REQUIRE_THROWS_WITH(negative.fit(X), "alea::Histogram::fit: bins is -3, but must be positive");
    Histogram<T> no_cells(HistogramSettings{.max_cells = 0});
    REQUIRE_THROWS_WITH(no_cells.fit(X),
                        "alea::Histogram::fit: max_cells is 0, but must be positive");
  }
  SECTION("too many cells") {
    Histogram<T> big(HistogramSettings{.bins = 300, .max_cells = 50000});
    const MatrixX<T> X2 = MatrixX<T>::Random(10, 2);
    REQUIRE_THROWS_AS(big.fit(X2), alea::InvalidArgument);
    REQUIRE_THROWS_WITH(big.fit(X2),
                        "alea::Histogram::fit: the grid would have 300 x 300 bins, more than "
                        "max_cells = 50000 cells; use fewer bins or a larger max_cells");
    // A rule can ask for an enormous count too: fd with a tiny IQR and one far outlier.
    MatrixX<T> spiky = MatrixX<T>::Zero(1000, 1);
    for (Index i = 0; i < 1000; ++i)
      spiky(i, 0) = T(1e-6) * static_cast<T>(i % 7);
    spiky(0, 0) = T(1e6);
    Histogram<T> fd(HistogramSettings{.bins = BinRule::freedman_diaconis});
    REQUIRE_THROWS_AS(fd.fit(spiky), alea::InvalidArgument);
    REQUIRE_THROWS_WITH(fd.fit(spiky),
                        Catch::StartsWith("alea::Histogram::fit: the grid would have 1") &&
                            Catch::EndsWith(" bins, more than max_cells = 10000000 cells; use "
                                            "fewer bins or a larger max_cells"));
  }
  SECTION("weights") {
    Histogram<T> hist;
    VectorX<T> w = VectorX<T>::Ones(5);
    w(2) = T(-0.5);
    REQUIRE_THROWS_AS(hist.fit(X, w), alea::InvalidArgument);
    REQUIRE_THROWS_WITH(hist.fit(X, w),
                        "alea::Histogram::fit: sample_weight has a negative entry -0.5 at index "
                        "2; weights must be non-negative");
    w.setZero();
    REQUIRE_THROWS_WITH(
        hist.fit(X, w),
        "alea::Histogram::fit: sample_weight sums to 0; at least one weight must be positive");
    REQUIRE_THROWS_WITH(hist.fit(X, VectorX<T>::Ones(4)),
                        "alea::Histogram::fit: sample_weight has 4 entries, but X has 5 rows");
    // Positive weight only outside the range: nothing left to estimate from.
    MatrixX<double> range(1, 2);
    range << 2.5, 10;
    Histogram<T> ranged(HistogramSettings{.bins = 3, .range = range});
    w << 1, 1, 0, 0, 0;
    REQUIRE_THROWS_WITH(ranged.fit(X, w),
                        "alea::Histogram::fit: no observation of positive weight lies inside "
                        "range; the histogram would be empty");
  }
  SECTION("invalid range") {
    MatrixX<double> range(1, 2);
    range << 1, 1;
    Histogram<T> equal(HistogramSettings{.range = range});
    REQUIRE_THROWS_AS(equal.fit(X), alea::InvalidArgument);
    REQUIRE_THROWS_WITH(equal.fit(X),
                        "alea::Histogram::fit: range row 0 is [1, 1], but low must be less than "
                        "high");
    range << 2, -1;
    Histogram<T> reversed(HistogramSettings{.range = range});
    REQUIRE_THROWS_WITH(reversed.fit(X),
                        "alea::Histogram::fit: range row 0 is [2, -1], but low must be less than "
                        "high");
    range << 0, std::numeric_limits<double>::infinity();
    Histogram<T> infinite(HistogramSettings{.range = range});
    REQUIRE_THROWS_WITH(infinite.fit(X), "alea::Histogram::fit: range has +Inf at row 0, column 1");
    Histogram<T> shape(HistogramSettings{.range = MatrixX<double>::Zero(2, 2)});
    REQUIRE_THROWS_WITH(shape.fit(X),
                        "alea::Histogram::fit: range is 2 x 2, but X has 1 columns, so it must "
                        "be 1 x 2");
    range << 10, 20;
    Histogram<T> away(HistogramSettings{.range = range});
    REQUIRE_THROWS_WITH(away.fit(X),
                        "alea::Histogram::fit: no observation lies inside range; the histogram "
                        "would be empty");
  }
  SECTION("not fitted, and dimension mismatch in log_prob") {
    Histogram<T> hist;
    REQUIRE(hist.dim() == 0);
    REQUIRE_FALSE(hist.is_fitted());
    REQUIRE_THROWS_AS(hist.log_prob(X), alea::NotFittedError);
    REQUIRE_THROWS_WITH(hist.log_prob(X),
                        "alea::Histogram::log_prob: the model is not fitted; call fit() first");
    alea::Rng rng{1};
    REQUIRE_THROWS_AS(hist.sample(3, rng), alea::NotFittedError);
    REQUIRE_THROWS_AS(hist.score(X), alea::NotFittedError);
    REQUIRE_THROWS_AS(hist.edges(0), alea::NotFittedError);
    REQUIRE_THROWS_AS(hist.counts(), alea::NotFittedError);
    REQUIRE_THROWS_AS(hist.to_json(), alea::NotFittedError);

    hist.fit(X);
    const MatrixX<T> wide = MatrixX<T>::Zero(2, 3);
    REQUIRE_THROWS_AS(hist.log_prob(wide), alea::InvalidArgument);
    REQUIRE_THROWS_WITH(hist.log_prob(wide),
                        "alea::Histogram::log_prob: X has 3 columns, but the model has "
                        "dimension 1");
    MatrixX<T> with_nan = MatrixX<T>::Zero(2, 1);
    with_nan(1, 0) = nan;
    REQUIRE_THROWS_AS(hist.log_prob(with_nan), alea::InvalidArgument);
    // core's check_finite names an n x 1 matrix's entry "at index 1" (as a vector).
    REQUIRE_THROWS_WITH(hist.log_prob(with_nan),
                        Catch::StartsWith("alea::Histogram::log_prob: X has a NaN at "));
    REQUIRE_THROWS_WITH(hist.score(MatrixX<T>(0, 1)),
                        "alea::Histogram::score: X is empty (0 x 1); at least one row and one "
                        "column are needed");
    REQUIRE_THROWS_WITH(hist.sample(-1, rng),
                        "alea::Histogram::sample: n is -1, but must be non-negative");
    REQUIRE_THROWS_WITH(hist.edges(1), "alea::Histogram::edges: j is 1, but must be in [0, 0]");
  }
  SECTION("a failed fit keeps the previous model") {
    Histogram<T> hist(HistogramSettings{.bins = 4});
    hist.fit(X);
    const VectorX<T> before = hist.log_prob(X);
    MatrixX<T> bad = X;
    bad(0, 0) = nan;
    REQUIRE_THROWS(hist.fit(bad));
    REQUIRE(hist.log_prob(X) == before);
  }
}

TEMPLATE_TEST_CASE("Histogram save and load round trip; damaged files raise FormatError",
                   "[density][histogram][io]", float, double) {
  using T = TestType;
  alea::Rng rng{77};
  const MatrixX<T> X = alea::standard_normal<T>(rng, 200, 2);
  MatrixX<double> range(2, 2);
  range << -3, 3, -2.5, 4;
  Histogram<T> hist(HistogramSettings{.bins = BinRule::scott, .range = range});
  hist.fit(X);
  const auto folder = alea::test::temporary_folder(
      Histogram<T>::model_name() == "alea::Histogram<float>" ? "histogram-float"
                                                             : "histogram-double");
  const auto path = folder / "histogram.json";
  alea::save(hist, path);
  const Histogram<T> loaded = alea::load<Histogram<T>>(path);
  const MatrixX<T> points = alea::standard_normal<T>(rng, 500, 2) * T(1.5);
  const VectorX<T> expected = hist.log_prob(points);
  const VectorX<T> actual = loaded.log_prob(points);
  for (Index i = 0; i < points.rows(); ++i) {
    // Bit for bit, including the -infinity of points outside the range.
    REQUIRE(actual(i) == expected(i));
  }
  REQUIRE(loaded.counts() == hist.counts());
  REQUIRE(loaded.settings().bins == hist.settings().bins);
  REQUIRE(loaded.settings().range == range);
  alea::Rng a{5};
  alea::Rng b{5};
  REQUIRE(loaded.sample(50, a) == hist.sample(50, b));

  std::stringstream text;
  {
    std::ifstream in(path);
    text << in.rdbuf();
  }
  const std::string saved = text.str();
  const auto damaged_path = folder / "damaged.json";

  SECTION("truncated JSON") {
    std::ofstream(damaged_path) << saved.substr(0, saved.size() / 2);
    REQUIRE_THROWS_AS(alea::load<Histogram<T>>(damaged_path), alea::FormatError);
  }
  const nlohmann::json document = nlohmann::json::parse(saved);
  const auto load_modified = [&](const nlohmann::json& modified) {
    std::ofstream(damaged_path) << modified.dump();
    return alea::load<Histogram<T>>(damaged_path);
  };
  SECTION("a negative count") {
    nlohmann::json modified = document;
    modified["data"]["counts"]["data"][3] = -1.0;
    REQUIRE_THROWS_AS(load_modified(modified), alea::FormatError);
    REQUIRE_THROWS_WITH(load_modified(modified),
                        Catch::Contains("field 'counts' has a negative or non-finite entry at "
                                        "index 3"));
  }
  SECTION("counts of the wrong length") {
    nlohmann::json modified = document;
    modified["data"]["counts"]["data"].erase(0);
    modified["data"]["counts"]["rows"] = modified["data"]["counts"]["data"].size();
    REQUIRE_THROWS_AS(load_modified(modified), alea::FormatError);
    REQUIRE_THROWS_WITH(load_modified(modified), Catch::Contains("field 'counts' has"));
  }
  SECTION("counts missing or all zero") {
    nlohmann::json modified = document;
    modified["data"].erase("counts");
    REQUIRE_THROWS_WITH(load_modified(modified), Catch::Contains("field 'counts' is missing"));
    modified = document;
    for (auto& v : modified["data"]["counts"]["data"])
      v = 0.0;
    REQUIRE_THROWS_WITH(load_modified(modified), Catch::Contains("field 'counts' sums to 0"));
  }
  SECTION("edges not increasing") {
    nlohmann::json modified = document;
    auto& e = modified["data"]["edges"][1]["data"];
    std::swap(e[1], e[2]);
    REQUIRE_THROWS_AS(load_modified(modified), alea::FormatError);
    REQUIRE_THROWS_WITH(load_modified(modified),
                        Catch::Contains("field 'edges' entry 1 is not strictly increasing"));
  }
  SECTION("an unknown rule, a bad range, another model") {
    nlohmann::json modified = document;
    modified["data"]["settings"]["bins"] = "doane";
    REQUIRE_THROWS_WITH(load_modified(modified),
                        Catch::Contains("field 'bins' names no bin rule: 'doane'"));
    modified = document;
    modified["data"]["settings"]["range"]["data"][1] = -5.0;
    REQUIRE_THROWS_WITH(load_modified(modified), Catch::Contains("field 'range' row 0"));
    modified = document;
    modified["model"] = "alea::Gaussian<double>";
    REQUIRE_THROWS_AS(load_modified(modified), alea::FormatError);
  }
  std::filesystem::remove(damaged_path);
  std::filesystem::remove(path);
}

TEST_CASE("Histogram settings read naturally with designated initialisers",
          "[density][histogram]") {
  const HistogramSettings defaults;
  REQUIRE(defaults.bins.is_rule());
  REQUIRE(defaults.bins.rule() == BinRule::automatic);
  REQUIRE(defaults.range.size() == 0);
  REQUIRE(defaults.max_cells == 10'000'000);
  const HistogramSettings fixed{.bins = 20, .range = MatrixX<double>{{-4.0, 4.0}}};
  REQUIRE_FALSE(fixed.bins.is_rule());
  REQUIRE(fixed.bins.count() == 20);
  REQUIRE(alea::bin_rule_name(BinRule::freedman_diaconis) == "fd");
  REQUIRE(Histogram<>::model_name() == "alea::Histogram<double>");
  REQUIRE(Histogram<float>::model_name() == "alea::Histogram<float>");
  REQUIRE(Histogram<>::model_version() == 1);
  STATIC_REQUIRE(alea::GenerativeModel<Histogram<float>>);
  STATIC_REQUIRE(alea::WeightedEstimator<Histogram<double>>);
}
