// Tests of alea::sampling::psis against tests/fixtures/psis_reference.py (a numpy transcription
// of Vehtari et al. 2024 and of loo's psis()), and of its diagnostic on simulated proposals.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/sampling/psis.hpp"
#include "fixtures.hpp"

using alea::Index;
using alea::VectorX;
using alea::sampling::psis;
using alea::test::infinity;

namespace {


/// A JSON number, or "inf" / "-inf".
double number(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>() == "inf" ? infinity : -infinity;
  return value.get<double>();
}

VectorX<double> numbers(const nlohmann::json& values) {
  VectorX<double> out(static_cast<Index>(values.size()));
  for (Index i = 0; i < out.size(); ++i)
    out(i) = number(values[static_cast<std::size_t>(i)]);
  return out;
}

/// Log weights log N(x | 0, 1) - log N(x | 0, s^2) of S draws x ~ N(0, s^2).
VectorX<double> normal_ratios(double s, Index draws, std::uint64_t seed) {
  alea::Rng rng{seed};
  VectorX<double> lw(draws);
  for (Index i = 0; i < draws; ++i) {
    const double x = s * alea::standard_normal<double>(rng);
    lw(i) = -0.5 * x * x + 0.5 * x * x / (s * s) + std::log(s);
  }
  return lw;
}

}  // namespace

TEST_CASE("psis equals the numpy reference on the committed log weights", "[psis]") {
  const auto& cases = alea::test::fixture("psis_reference.json").at("cases");
  REQUIRE(cases.size() == 9);
  for (const auto& c : cases) {
    const std::string name = c.at("name").get<std::string>();
    INFO(name);
    const auto r = psis(numbers(c.at("input")));
    const VectorX<double> expected = numbers(c.at("log_weights"));
    CHECK(r.tail_length == c.at("tail_length").get<Index>());
    CHECK(r.smoothed == c.at("smoothed").get<bool>());
    CHECK(r.k_threshold == Approx(c.at("k_threshold").get<double>()).epsilon(1e-12));
    const double k = number(c.at("k_hat"));
    if (std::isfinite(k)) {
      CHECK(std::abs(r.k_hat - k) <= 1e-8 * std::max(1.0, std::abs(k)));
    } else {
      CHECK(r.k_hat == k);
    }
    CHECK(r.good == (k <= r.k_threshold));
    // Zero weights stay zero; every other weight matches to 1e-8 (relative above 1).
    REQUIRE(r.log_weights.size() == expected.size());
    const auto zero = expected.array() == -infinity;
    CHECK((zero == (r.log_weights.array() == -infinity)).all());
    const VectorX<double> got = zero.select(0.0, r.log_weights);
    const VectorX<double> want = zero.select(0.0, expected);
    CHECK(alea::test::max_relative_error(got, want) <= 1e-8);
  }
}

TEST_CASE("psis keeps the body and truncates the tail at the largest raw weight", "[psis]") {
  const VectorX<double> lw = normal_ratios(0.5, 1000, 7);
  const auto r = psis(lw);
  REQUIRE(r.smoothed);
  CHECK(r.tail_length == 95);  // ceil(min(1000 / 5, 3 sqrt(1000))) = ceil(94.87)
  CHECK(r.log_weights.maxCoeff() <= lw.maxCoeff());
  Index changed = 0;
  for (Index i = 0; i < lw.size(); ++i)
    changed += r.log_weights(i) != lw(i) ? 1 : 0;
  CHECK(changed <= r.tail_length);
  // Smoothing keeps the order of the weights (quantiles are assigned in the tail's order).
  for (Index i = 0; i < lw.size(); ++i)
    for (Index j = 0; j < lw.size(); j += 37)
      if (lw(i) < lw(j)) REQUIRE(r.log_weights(i) <= r.log_weights(j));
}

TEST_CASE("psis is equivariant under a shift and a permutation of the log weights", "[psis]") {
  const VectorX<double> lw = normal_ratios(0.6, 500, 11);
  const auto base = psis(lw);
  const auto shifted = psis((lw.array() + 250.0).matrix());
  CHECK(shifted.k_hat == Approx(base.k_hat).epsilon(1e-10));
  CHECK(alea::test::max_relative_error((shifted.log_weights.array() - 250.0).matrix(),
                                       base.log_weights) <= 1e-10);
  const VectorX<double> reversed = lw.reverse();
  const auto flipped = psis(reversed);
  CHECK(flipped.k_hat == Approx(base.k_hat).epsilon(1e-12));
  CHECK(alea::test::max_relative_error(VectorX<double>(flipped.log_weights.reverse()),
                                       base.log_weights) <= 1e-12);
}

// The weights p / q of a proposal narrower than the target have a power tail with k = 1 - s^2
// (s = 0.2: 0.96), approached slowly: at S = 4000 k-hat has mean 0.84 and sd 0.13 (numpy
// reference, 300 replicas), so the median of 25 replicas (sd about 0.035) is tested, with a
// 4-sd margin above 0.7. A wider proposal (s = 1.5) bounds the weights: k-hat near -2.
TEST_CASE("psis k-hat flags a narrow proposal and passes a wide one", "[psis]") {
  std::vector<double> k_narrow;
  for (std::uint64_t replica = 0; replica < 25; ++replica) {
    const auto narrow = psis(normal_ratios(0.2, 4000, 100 + replica));
    k_narrow.push_back(narrow.k_hat);
    CHECK(narrow.good == (narrow.k_hat <= 0.7));
    CHECK(narrow.note.empty() == narrow.good);
    const auto wide = psis(normal_ratios(1.5, 4000, 100 + replica));
    CHECK(wide.k_hat < 0.5);
    CHECK(wide.good);
    CHECK(wide.note.empty());
  }
  std::nth_element(k_narrow.begin(), k_narrow.begin() + 12, k_narrow.end());
  CHECK(k_narrow[12] > 0.7);
}

TEST_CASE("psis thresholds depend on the sample size", "[psis]") {
  // 1 - 1 / log10(S): 0.5 at S = 100, capped at 0.7 from S = 10^(1 / 0.3) = 2154.
  CHECK(psis(normal_ratios(1.5, 100, 1)).k_threshold == Approx(0.5));
  CHECK(psis(normal_ratios(1.5, 1000, 1)).k_threshold == Approx(1.0 - 1.0 / 3.0));
  CHECK(psis(normal_ratios(1.5, 3000, 1)).k_threshold == 0.7);
  // S = 20: tail ceil(4) = 4 < 5, no smoothing; S = 21: tail 5.
  const auto short_tail = psis(normal_ratios(1.5, 20, 1));
  CHECK_FALSE(short_tail.smoothed);
  CHECK(short_tail.k_hat == infinity);
  CHECK_FALSE(short_tail.good);
  CHECK(short_tail.note ==
        "the tail has 4 draws, fewer than the 5 a generalized Pareto fit needs (S >= 21)");
  CHECK(psis(normal_ratios(1.5, 21, 1)).tail_length == 5);
}

TEST_CASE("psis reports a constant tail as bounded weights", "[psis]") {
  VectorX<double> lw = VectorX<double>::Zero(50);  // equal weights: q is the target
  const auto r = psis(lw);
  CHECK_FALSE(r.smoothed);
  CHECK(r.k_hat == -infinity);
  CHECK(r.good);
  CHECK(r.log_weights == lw);
  CHECK(r.note == "the 10 largest weights are tied: the weights are bounded and need no smoothing");
}

TEST_CASE("psis rejects bad log weights", "[psis][errors]") {
  CHECK_THROWS_MATCHES(psis(VectorX<double>()), alea::InvalidArgument,
                       Catch::Matchers::Message("alea::sampling::psis: log_weights is empty; at "
                                                "least one weight is needed"));
  VectorX<double> lw = VectorX<double>::Zero(30);
  lw(4) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_MATCHES(psis(lw), alea::InvalidArgument,
                       Catch::Matchers::Message("alea::sampling::psis: log_weights has a NaN at "
                                                "index 4; log weights must be finite or -Inf "
                                                "(weight 0)"));
  lw(4) = infinity;
  CHECK_THROWS_MATCHES(psis(lw), alea::InvalidArgument,
                       Catch::Matchers::Message("alea::sampling::psis: log_weights has +Inf at "
                                                "index 4; log weights must be finite or -Inf "
                                                "(weight 0)"));
  lw.setConstant(-infinity);
  CHECK_THROWS_MATCHES(
      psis(lw), alea::InvalidArgument,
      Catch::Matchers::Message("alea::sampling::psis: log_weights is -Inf "
                               "everywhere; at least one weight must be positive"));
}
