#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <numbers>
#include <span>
#include <vector>

#include "alea/core/random.hpp"
#include "alea/info/discrete.hpp"
#include "fixtures.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace info = alea::info;
namespace test = alea::test;

namespace {

double base_of(const nlohmann::json& c) {
  return c["base"].is_null() ? std::numbers::e : c["base"].get<double>();
}

std::vector<Index> labels(const nlohmann::json& values) {
  return values.get<std::vector<Index>>();
}

// A random probability vector of n entries with about a third of them 0.
VectorX<double> random_probabilities(alea::Rng& rng, Index n) {
  VectorX<double> p = alea::uniform01(rng, n, 1);
  for (Index i = 0; i < n; ++i)
    if (alea::uniform01(rng) < 1.0 / 3.0) p(i) = 0;
  p(alea::uniform_index(rng, n)) += 0.1;  // never all zero
  return p / p.sum();
}

}  // namespace

// test::close_to's 1e-12 relative: SciPy and alea evaluate the same sums of the same logarithms
// in a different order (numpy sums pairwise, alea sequentially); on at most 200 terms of one
// sign this differs by far less than 1e-12 relative. Values that are 0 in exact arithmetic come
// out as 0 or as rounding (1e-16), hence its absolute floor.

TEST_CASE("info: SciPy's docstring examples of entropy and jensenshannon", "[info][discrete]") {
  // Values printed in the docstrings of scipy.stats.entropy and
  // scipy.spatial.distance.jensenshannon (SciPy 1.10), recomputed by tests/fixtures/info_scipy.py.
  const VectorX<double> fair = test::vec({0.5, 0.5});
  const VectorX<double> biased = test::vec({0.9, 0.1});
  CHECK(info::entropy(fair, 2.0) == 1.0);
  CHECK(info::entropy(biased, 2.0) == Approx(0.46899559358928117).epsilon(1e-15));
  CHECK(info::kl_divergence(fair, biased, 2.0) == Approx(0.7369655941662062).epsilon(1e-15));
  CHECK(info::cross_entropy(fair, biased, 2.0) == Approx(1.736965594166206).epsilon(1e-15));
  CHECK(info::js_distance(test::vec({1, 0, 0}), test::vec({0, 1, 0}), 2.0) == 1.0);
  CHECK(info::js_distance(test::vec({1, 0}), test::vec({0.5, 0.5})) ==
        Approx(0.46450140402245893).epsilon(1e-15));
  CHECK(info::js_distance(test::vec({1, 0, 0}), test::vec({1, 0, 0})) == 0.0);

  const auto& doc = test::fixture("info_scipy.json")["docstrings"];
  CHECK(doc["entropy"]["biased_bits"].get<double>() == 0.46899559358928117);
  CHECK(doc["jensenshannon"]["half"].get<double>() == 0.46450140402245893);
  // The array examples: SciPy normalises the columns (axis=0) or rows (axis=1) of unnormalised
  // counts; alea takes probability vectors, so they are normalised here.
  const MatrixX<double> a = test::matrix(doc["jensenshannon"]["a"]);
  const MatrixX<double> b = test::matrix(doc["jensenshannon"]["b"]);
  const VectorX<double> axis0 = test::vector(doc["jensenshannon"]["axis0"]);
  const VectorX<double> axis1 = test::vector(doc["jensenshannon"]["axis1"]);
  for (Index j = 0; j < a.cols(); ++j) {
    const VectorX<double> p = a.col(j) / a.col(j).sum();
    const VectorX<double> q = b.col(j) / b.col(j).sum();
    CHECK(test::close_to(info::js_distance(p, q), axis0(j)));
  }
  for (Index i = 0; i < a.rows(); ++i) {
    const VectorX<double> p = a.row(i) / a.row(i).sum();
    const VectorX<double> q = b.row(i) / b.row(i).sum();
    CHECK(test::close_to(info::js_distance(p, q), axis1(i)));
  }
}

TEST_CASE("info: entropy and divergences match SciPy on random probability vectors",
          "[info][discrete]") {
  for (const auto& c : test::fixture("info_scipy.json")["probability"]) {
    const VectorX<double> p = test::vector(c["p"]);
    const VectorX<double> q = test::vector(c["q"]);
    const double base = base_of(c);
    CAPTURE(p.size(), base);
    CHECK(test::close_to(info::entropy(p, base), c["entropy"].get<double>()));
    CHECK(test::close_to(info::kl_divergence(p, q, base), c["kl"].get<double>()));
    CHECK(test::close_to(info::kl_divergence(p, q, base), c["rel_entr_sum"].get<double>()));
    CHECK(test::close_to(info::cross_entropy(p, q, base), c["cross_entropy"].get<double>()));
    CHECK(test::close_to(info::js_distance(p, q, base), c["jensenshannon"].get<double>()));
    const double js = c["jensenshannon"].get<double>();
    CHECK(test::close_to(info::js_divergence(p, q, base), js * js));
  }
}

TEMPLATE_TEST_CASE("info: float vectors agree with the double reference", "[info][discrete]", float,
                   double) {
  using T = TestType;
  // float: each log carries ~1 float ulp (6e-8) relative; sums of <= 200 positive terms stay
  // within ~1e-6 relative (terms of both signs do not occur except in the JS clamp).
  const double tolerance = std::is_same_v<T, float> ? 2e-5 : 1e-12;
  for (const auto& c : test::fixture("info_scipy.json")["probability"]) {
    const VectorX<T> p = test::vector<T>(c["p"]);
    const VectorX<T> q = test::vector<T>(c["q"]);
    const double base = base_of(c);
    CHECK(test::close_to(info::entropy(p, base), c["entropy"].get<double>(), tolerance));
    CHECK(test::close_to(info::kl_divergence(p, q, base), c["kl"].get<double>(), tolerance));
    CHECK(test::close_to(info::js_distance(p, q, base), c["jensenshannon"].get<double>(), tolerance));
  }
}

TEST_CASE("info: entropy and divergence conventions and invariants", "[info][discrete]") {
  SECTION("entropy bounds: 0 for a point mass, log n for the uniform vector") {
    CHECK(info::entropy(test::vec({0, 1, 0, 0})) == 0.0);
    // n equal terms summed: rounding up to ~n eps / 2 relative, 1e-13 for n = 1000.
    for (Index n : {1, 2, 7, 1000}) {
      const VectorX<double> uniform = VectorX<double>::Constant(n, 1.0 / double(n));
      CHECK(info::entropy(uniform) == Approx(std::log(double(n))).epsilon(1e-13).margin(1e-15));
      CHECK(info::entropy(uniform, 2.0) ==
            Approx(std::log2(double(n))).epsilon(1e-13).margin(1e-15));
    }
    alea::Rng rng{20240611};
    for (int trial = 0; trial < 50; ++trial) {
      const Index n = 1 + alea::uniform_index(rng, 30);
      const VectorX<double> p = random_probabilities(rng, n);
      const double h = info::entropy(p);
      CHECK(h >= 0.0);
      CHECK(h <= std::log(double(n)) * (1 + 1e-14));
    }
  }
  SECTION("KL >= 0 with equality for p = q; JS symmetric and at most log 2") {
    alea::Rng rng{17};
    for (int trial = 0; trial < 50; ++trial) {
      const Index n = 1 + alea::uniform_index(rng, 30);
      const VectorX<double> p = random_probabilities(rng, n);
      const VectorX<double> q = random_probabilities(rng, n);
      CHECK(info::kl_divergence(p, q) >= 0.0);  // may be +inf where q has zeros
      CHECK(info::kl_divergence(p, p) == 0.0);
      CHECK(info::js_divergence(p, q) == info::js_divergence(q, p));
      CHECK(info::js_divergence(p, q) <= std::numbers::ln2);
      CHECK(info::js_distance(p, q, 2.0) <= 1.0);
      CHECK(info::js_divergence(p, p) == 0.0);
      // Cross-entropy = entropy + KL, wherever KL is finite.
      const double kl = info::kl_divergence(p, q);
      if (std::isfinite(kl)) CHECK(test::close_to(info::cross_entropy(p, q), info::entropy(p) + kl, 1e-13));
    }
  }
  SECTION("q = 0 where p > 0: KL and cross-entropy are +infinity, JS stays finite") {
    const VectorX<double> p = test::vec({0.5, 0.5, 0});
    const VectorX<double> q = test::vec({1, 0, 0});
    CHECK(info::kl_divergence(p, q) == std::numeric_limits<double>::infinity());
    CHECK(info::cross_entropy(p, q) == std::numeric_limits<double>::infinity());
    // p = 0 where q > 0 is fine: KL(q || p) = log 2.
    CHECK(info::kl_divergence(q, p) == Approx(std::numbers::ln2).epsilon(1e-15));
    // Disjoint supports: JS = log 2 exactly, its maximum.
    CHECK(info::js_divergence(test::vec({1, 0}), test::vec({0, 1})) ==
          Approx(std::numbers::ln2).epsilon(1e-15));
  }
  SECTION("bases convert by log base; rows and columns, blocks and maps are accepted") {
    const VectorX<double> p = test::vec({0.1, 0.2, 0.3, 0.4});
    const VectorX<double> q = test::vec({0.25, 0.25, 0.25, 0.25});
    CHECK(info::entropy(p, 10.0) == Approx(info::entropy(p) / std::log(10.0)).epsilon(1e-15));
    CHECK(info::kl_divergence(p, q, 2.0) ==
          Approx(info::kl_divergence(p, q) / std::numbers::ln2).epsilon(1e-15));
    CHECK(info::entropy(p, 0.5) == Approx(-info::entropy(p, 2.0)).epsilon(1e-15));
    const alea::RowVectorX<double> row = p.transpose();
    CHECK(info::entropy(row) == info::entropy(p));
    CHECK(info::kl_divergence(row, q) == info::kl_divergence(p, q));
    const std::array<double, 4> storage{0.1, 0.2, 0.3, 0.4};
    CHECK(info::entropy(Eigen::Map<const VectorX<double>>(storage.data(), 4)) == info::entropy(p));
    const MatrixX<double> table = MatrixX<double>::Constant(3, 2, 1.0 / 3.0);
    CHECK(info::entropy(table.col(1)) == Approx(std::log(3.0)).epsilon(1e-15));
  }
  SECTION("an input that sums to 1 within the tolerance is renormalised, as SciPy does") {
    const VectorX<double> p = test::vec({0.5, 0.5 + 1e-10});
    CHECK(info::entropy(p) == Approx(std::numbers::ln2).epsilon(1e-15));
  }
}

TEST_CASE("info: Renyi entropy limits, closed forms and monotonicity", "[info][discrete]") {
  const VectorX<double> p = test::vec({0.1, 0.2, 0.3, 0.4});
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(info::renyi_entropy(p, 1.0) == info::entropy(p));
  CHECK(info::renyi_entropy(p, 0.0) == Approx(std::log(4.0)).epsilon(1e-15));
  CHECK(info::renyi_entropy(test::vec({0.5, 0, 0.5}), 0.0) ==
        Approx(std::log(2.0)).epsilon(1e-15));  // Hartley: log of the support's size
  CHECK(info::renyi_entropy(p, inf) == Approx(-std::log(0.4)).epsilon(1e-15));
  CHECK(info::renyi_entropy(p, 2.0) == Approx(-std::log(p.squaredNorm())).epsilon(1e-14));
  CHECK(info::renyi_entropy(p, 0.5) ==
        Approx(2.0 * std::log(p.array().sqrt().sum())).epsilon(1e-14));
  CHECK(info::renyi_entropy(p, 3.0, 2.0) ==
        Approx(-0.5 * std::log2(p.array().cube().sum())).epsilon(1e-14));
  // Uniform: log n for every order.
  const VectorX<double> uniform = VectorX<double>::Constant(8, 0.125);
  for (double alpha : {0.0, 0.3, 1.0 - 1e-9, 1.0, 1.5, 2.0, 40.0, inf})
    CHECK(info::renyi_entropy(uniform, alpha) == Approx(std::log(8.0)).epsilon(1e-13));
  // Non-increasing in alpha.
  alea::Rng rng{5};
  for (int trial = 0; trial < 20; ++trial) {
    const VectorX<double> r = random_probabilities(rng, 12);
    double previous = inf;
    for (double alpha : {0.0, 0.25, 0.6, 0.999, 1.0, 1.001, 1.7, 3.0, 10.0, 200.0, inf}) {
      const double h = info::renyi_entropy(r, alpha);
      CHECK(h <= previous * (1 + 1e-13));
      CHECK(h >= 0.0);
      previous = h;
    }
  }
  // Near alpha = 1, H_alpha = H - (alpha - 1) Var_p(log p) / 2 + O((alpha - 1)^2). With
  // alpha - 1 = 1e-8 the O term is ~1e-16, so the slope is checked to ~1e-6 relative; the naive
  // formula log(sum p^alpha) / (1 - alpha) would carry a rounding error of eps / 1e-8 ~ 2e-8,
  // as large as the slope term itself.
  const double h = 1e-8;
  const Eigen::Array4d logs = p.array().log();
  const double variance = (p.array() * logs.square()).sum() - std::pow((p.array() * logs).sum(), 2);
  for (double sign : {-1.0, 1.0}) {
    const double slope = (info::renyi_entropy(p, 1.0 + sign * h) - info::entropy(p)) / (sign * h);
    CHECK(slope == Approx(-variance / 2).epsilon(1e-6));
  }
  // Large orders: no overflow or underflow (0.4^2000 underflows double).
  CHECK(info::renyi_entropy(p, 2000.0) ==
        Approx(2000.0 / 1999.0 * -std::log(0.4) - std::log1p(std::pow(0.75, 2000)) / 1999)
            .epsilon(1e-13));
}

TEST_CASE("info: mutual information of labels and contingency tables matches scikit-learn",
          "[info][discrete]") {
  for (const auto& c : test::fixture("info_scipy.json")["labels"]) {
    const std::vector<Index> a = labels(c["labels_a"]);
    const std::vector<Index> b = labels(c["labels_b"]);
    CAPTURE(a.size(), c["kind"].get<std::string>());
    const double expected = c["mutual_info_score"].get<double>();
    CHECK(test::close_to(info::mutual_information(a, b), expected));
    CHECK(test::close_to(info::mutual_information(b, a), expected));
    CHECK(test::close_to(info::mutual_information(a, b, 2.0), expected / std::numbers::ln2));
    // The same labels as Eigen integer vectors (and one as a row).
    Eigen::VectorXi ea(static_cast<Index>(a.size()));
    Eigen::RowVectorXi eb(static_cast<Index>(b.size()));
    for (std::size_t i = 0; i < a.size(); ++i) {
      ea(Index(i)) = static_cast<int>(a[i]);
      eb(Index(i)) = static_cast<int>(b[i]);
    }
    CHECK(test::close_to(info::mutual_information(ea, eb), expected));
  }
  for (const auto& c : test::fixture("info_scipy.json")["contingency"]) {
    const MatrixX<double> table = test::matrix(c["table"]);
    const double expected = c["mutual_info_score"].get<double>();
    CHECK(test::close_to(info::mutual_information(table), expected));
    CHECK(test::close_to(info::mutual_information(Eigen::MatrixXi(table.cast<int>())), expected));
    CHECK(test::close_to(info::mutual_information(MatrixX<double>(table.transpose())), expected));
    CHECK(test::close_to(info::mutual_information(table.cast<float>()), expected, 1e-5));  // float sums
  }
}

TEST_CASE("info: mutual information identities for labels", "[info][discrete]") {
  alea::Rng rng{99};
  std::vector<Index> a(300);
  std::vector<Index> b(300);
  for (std::size_t i = 0; i < a.size(); ++i) {
    a[i] = alea::uniform_index(rng, 6) * 10 - 20;
    b[i] = alea::uniform_index(rng, 4);
  }
  // I(a; a) = H(a): the entropy of the label frequencies.
  VectorX<double> frequencies = VectorX<double>::Zero(6);
  for (Index label : a)
    frequencies((label + 20) / 10) += 1.0 / double(a.size());
  CHECK(test::close_to(info::mutual_information(a, a), info::entropy(frequencies), 1e-13));
  // Renaming labels (any injective map) changes nothing, nor does the order of the pairs.
  std::vector<Index> renamed(a.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    renamed[i] = 1000 - 7 * a[i];
  CHECK(info::mutual_information(renamed, b) == Approx(info::mutual_information(a, b)));
  std::vector<Index> a_reversed(a.rbegin(), a.rend());
  std::vector<Index> b_reversed(b.rbegin(), b.rend());
  CHECK(info::mutual_information(a_reversed, b_reversed) ==
        Approx(info::mutual_information(a, b)).epsilon(1e-14));
  // I(a; b) <= min(H(a), H(b)); one label on either side gives exactly 0.
  CHECK(info::mutual_information(a, b) <= info::mutual_information(b, b));
  const std::vector<int> constant(300, 4);
  CHECK(info::mutual_information(a, constant) == 0.0);
  CHECK(info::mutual_information(std::span<const int>(constant), b) == 0.0);
  // A contingency table is the same thing: one row of the table per label of a.
  MatrixX<double> table = MatrixX<double>::Zero(6, 4);
  for (std::size_t i = 0; i < a.size(); ++i)
    table((a[i] + 20) / 10, b[i]) += 1;
  CHECK(test::close_to(info::mutual_information(table), info::mutual_information(a, b), 1e-13));
}

TEST_CASE("info: binned mutual information matches numpy's histogram2d and scikit-learn",
          "[info][discrete]") {
  const std::vector<std::pair<std::string, alea::HistogramBins>> rules{
      {"sturges", alea::BinRule::sturges},
      {"scott", alea::BinRule::scott},
      {"fd", alea::BinRule::freedman_diaconis},
      {"auto", alea::BinRule::automatic},
      {"sqrt", alea::BinRule::sqrt},
      {"rice", alea::BinRule::rice},
      {"8", Index(8)}};
  for (const auto& c : test::fixture("info_scipy.json")["binned"]) {
    const VectorX<double> x = test::vector(c["x"]);
    const VectorX<double> y = test::vector(c["y"]);
    for (const auto& [name, bins] : rules) {
      CAPTURE(x.size(), name);
      const auto& expected = c["results"][name];
      CHECK(test::close_to(info::mutual_information_binned(x, y, {.bins = bins}),
                  expected["plug_in"].get<double>()));
      CHECK(test::close_to(info::mutual_information_binned(x, y, {.bins = bins, .miller_madow = true}),
                  expected["miller_madow"].get<double>()));
      CHECK(test::close_to(info::mutual_information_binned(x, y, {.bins = bins, .base = 2.0}),
                  expected["plug_in"].get<double>() / std::numbers::ln2));
    }
    // The default is Sturges' rule, without correction, in nats.
    CHECK(info::mutual_information_binned(x, y) ==
          info::mutual_information_binned(x, y, {.bins = alea::BinRule::sturges}));
  }
}

TEST_CASE("info: Miller-Madow removes the first-order plug-in bias for independent samples",
          "[info][discrete]") {
  // Independent uniform x and y on 10 x 10 bins, n = 2000: every cell has probability ~0.01
  // (about 20 points), so none is empty and the plug-in estimate of I = 0 has expectation
  // (K - 1)(L - 1) / (2n) = 81 / 4000 (Miller 1955) plus a second-order term
  // ~ sum_ij 1 / p_ij / (12 n^2) = 2e-4; the corrected estimate has only that term. Its
  // replicates spread as chi^2_81 / (2n) (sd ~3e-3): the mean of 40 seeded replicates has a
  // standard error ~5e-4, and 4 of them bound both checks (the 2e-4 term included).
  alea::Rng rng{2024};
  const Index n = 2000;
  const int replicates = 40;
  VectorX<double> plug_in(replicates);
  VectorX<double> corrected(replicates);
  for (int r = 0; r < replicates; ++r) {
    const MatrixX<double> z = alea::uniform01(rng, n, 2);
    plug_in(r) = info::mutual_information_binned(z.col(0), z.col(1), {.bins = Index(10)});
    corrected(r) = info::mutual_information_binned(z.col(0), z.col(1),
                                                   {.bins = Index(10), .miller_madow = true});
  }
  const auto standard_error = [&](const VectorX<double>& v) {
    return std::sqrt((v.array() - v.mean()).square().sum() / (replicates - 1) / replicates);
  };
  CHECK(std::abs(plug_in.mean() - 81.0 / (2.0 * n)) < 4 * standard_error(plug_in));
  CHECK(std::abs(corrected.mean()) < 4 * standard_error(corrected));
}

TEST_CASE("info: discrete measures reject bad input with clear messages",
          "[info][discrete][errors]") {
  const VectorX<double> p = test::vec({0.2, 0.3, 0.5});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  SECTION("not a probability vector") {
    REQUIRE_THROWS_AS(info::entropy(test::vec({0.6, 0.5, -0.1})), alea::InvalidArgument);
    REQUIRE_THROWS_WITH(info::entropy(test::vec({0.6, 0.5, -0.1})),
                        "alea::info::entropy: p has a negative entry -0.1 at index 2; "
                        "probabilities must be non-negative");
    REQUIRE_THROWS_WITH(info::entropy(test::vec({0.5, 0.4})),
                        "alea::info::entropy: p sums to 0.9, but must sum to 1");
    REQUIRE_THROWS_WITH(info::kl_divergence(p, test::vec({0.5, nan, 0.5})),
                        "alea::info::kl_divergence: q has a NaN at index 1");
    REQUIRE_THROWS_WITH(info::js_distance(VectorX<double>(), p),
                        "alea::info::js_distance: p is empty (0 x 1); at least one row and one "
                        "column are needed");
    REQUIRE_THROWS_WITH(info::entropy(MatrixX<double>::Constant(2, 2, 0.25)),
                        "alea::info::entropy: p is 2 x 2, but must be a vector");
    REQUIRE_THROWS_WITH(info::renyi_entropy(test::vec({1.5, -0.5}), 2.0),
                        "alea::info::renyi_entropy: p has a negative entry -0.5 at index 1; "
                        "probabilities must be non-negative");
  }
  SECTION("mismatched sizes") {
    REQUIRE_THROWS_WITH(info::kl_divergence(p, test::vec({0.5, 0.5})),
                        "alea::info::kl_divergence: q has 2 entries, but p has 3");
    REQUIRE_THROWS_WITH(info::cross_entropy(p, test::vec({0.5, 0.5})),
                        "alea::info::cross_entropy: q has 2 entries, but p has 3");
    REQUIRE_THROWS_WITH(info::js_divergence(test::vec({0.5, 0.5}), p),
                        "alea::info::js_divergence: q has 3 entries, but p has 2");
  }
  SECTION("bad base or order") {
    REQUIRE_THROWS_WITH(info::entropy(p, 0.0),
                        "alea::info::entropy: base is 0, but must be positive");
    REQUIRE_THROWS_WITH(info::entropy(p, -2.0),
                        "alea::info::entropy: base is -2, but must be positive");
    REQUIRE_THROWS_WITH(info::kl_divergence(p, p, 1.0),
                        "alea::info::kl_divergence: base is 1, but must be positive and not 1");
    REQUIRE_THROWS_WITH(info::js_distance(p, p, nan),
                        "alea::info::js_distance: base is nan, but must be finite");
    REQUIRE_THROWS_WITH(info::renyi_entropy(p, -0.5),
                        "alea::info::renyi_entropy: alpha is -0.5, but must be non-negative");
    REQUIRE_THROWS_WITH(info::renyi_entropy(p, nan),
                        "alea::info::renyi_entropy: alpha is nan, but must be non-negative");
  }
  SECTION("contingency tables and labels") {
    MatrixX<double> table{{3, -1}, {0, 2}};
    REQUIRE_THROWS_WITH(info::mutual_information(table),
                        "alea::info::mutual_information: contingency has a negative entry -1 at "
                        "row 0, column 1; counts must be non-negative");
    REQUIRE_THROWS_WITH(info::mutual_information(Eigen::MatrixXi::Zero(2, 2)),
                        "alea::info::mutual_information: contingency sums to 0; at least one "
                        "count must be positive");
    table(0, 1) = nan;
    REQUIRE_THROWS_WITH(info::mutual_information(table),
                        "alea::info::mutual_information: contingency has a NaN at row 0, "
                        "column 1");
    REQUIRE_THROWS_WITH(info::mutual_information(MatrixX<double>(0, 3)),
                        "alea::info::mutual_information: contingency is empty (0 x 3); at least "
                        "one row and one column are needed");
    REQUIRE_THROWS_WITH(
        info::mutual_information(std::vector<Index>{1, 2, 3, 4}, std::vector<Index>{1, 2, 3}),
        "alea::info::mutual_information: labels_b has 3 entries, but labels_a "
        "has 4");
    REQUIRE_THROWS_WITH(info::mutual_information(std::vector<int>{}, std::vector<int>{}),
                        "alea::info::mutual_information: labels_a is empty; labels are needed");
    REQUIRE_THROWS_WITH(
        info::mutual_information(Eigen::MatrixXi::Zero(2, 2), Eigen::VectorXi::Zero(4)),
        "alea::info::mutual_information: labels_a is 2 x 2, but must be a vector");
    REQUIRE_THROWS_WITH(info::mutual_information(std::vector<int>{1}, std::vector<int>{1}, 1.0),
                        "alea::info::mutual_information: base is 1, but must be positive and "
                        "not 1");
  }
  SECTION("binned samples") {
    const VectorX<double> x = test::vec({1, 2, 3, 4});
    REQUIRE_THROWS_WITH(info::mutual_information_binned(x, test::vec({1, 2, 3})),
                        "alea::info::mutual_information_binned: y has 3 entries, but x has 4");
    REQUIRE_THROWS_WITH(info::mutual_information_binned(VectorX<double>(), VectorX<double>()),
                        "alea::info::mutual_information_binned: x is empty (0 x 1); at least "
                        "one row and one column are needed");
    REQUIRE_THROWS_WITH(info::mutual_information_binned(x, x, {.bins = Index(0)}),
                        "alea::info::mutual_information_binned: bins is 0, but must be positive");
    REQUIRE_THROWS_WITH(info::mutual_information_binned(x, test::vec({1, nan, 3, 4})),
                        "alea::info::mutual_information_binned: y has a NaN at index 1");
    REQUIRE_THROWS_WITH(info::mutual_information_binned(x, x, {.bins = Index(4000)}),
                        "alea::info::mutual_information_binned: binning failed: "
                        "alea::Histogram::fit: the grid would have 4000 x 4000 bins, more than "
                        "max_cells = 10000000 cells; use fewer bins or a larger max_cells");
  }
}
