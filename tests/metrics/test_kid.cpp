#include <catch2/catch.hpp>
#include <cmath>

#include "alea/core/random.hpp"
#include "alea/metrics/mmd.hpp"
#include "fixtures.hpp"

using alea::Index;
using alea::MatrixX;
using alea::metrics::IndexMatrix;
using alea::metrics::KidSettings;
namespace metrics = alea::metrics;
namespace test = alea::test;

namespace {

IndexMatrix index_matrix(const nlohmann::json& rows) {
  IndexMatrix out(Index(rows.size()), Index(rows[0].size()));
  for (Index r = 0; r < out.rows(); ++r)
    for (Index c = 0; c < out.cols(); ++c)
      out(r, c) = rows[std::size_t(r)][std::size_t(c)].get<Index>();
  return out;
}

}  // namespace

TEMPLATE_TEST_CASE("KID on given subsets equals torchmetrics' formula transcribed in numpy",
                   "[metrics][kid]", float, double) {
  using T = TestType;
  const auto& ref = test::fixture("metrics_reference.json")["kid"];
  const MatrixX<T> X = test::matrix<T>(ref["X"]), Y = test::matrix<T>(ref["Y"]);
  const IndexMatrix real = index_matrix(ref["real_subsets"]);
  const IndexMatrix fake = index_matrix(ref["fake_subsets"]);
  // Kernel values (x.y / 8 + 1)^3 are O(1)-O(10), summed over 25^2 pairs per subset in double:
  // double agrees to ~1e-14, float carries ~1e-6 relative error per kernel value, so 1e-5 (the
  // values are ~0.2).
  const double tol = std::is_same_v<T, float> ? 1e-5 : 1e-12;
  for (const alea::PairwiseSettings tiles :
       {alea::PairwiseSettings{}, alea::PairwiseSettings{4, 7}}) {
    const auto result = metrics::kid(X, Y, real, fake, {.pairwise = tiles});
    CHECK(test::max_relative_error(result.values, test::vector(ref["values"])) < tol);
    CHECK(std::abs(result.mean - ref["mean"].get<double>()) < tol);
    CHECK(std::abs(result.std - ref["std"].get<double>()) < tol);
  }
}

TEST_CASE("KID draws subsets without replacement, reproducibly from the engine", "[metrics][kid]") {
  alea::Rng data{12};
  const MatrixX<double> X = alea::standard_normal(data, 40, 5);
  const MatrixX<double> Y = alea::standard_normal(data, 30, 5).array() + 0.3;
  // Subsets of all rows: every subset is the whole sample (a draw with replacement would repeat
  // rows and change the value), so each equals the unbiased polynomial MMD^2 of the samples.
  alea::Rng rng{3};
  const auto whole = metrics::kid(X.topRows(30), Y, {.n_subsets = 4, .subset_size = 30}, rng);
  const double full = metrics::mmd2(X.topRows(30), Y, {.kernel = metrics::MmdKernel::polynomial});
  CHECK(whole.values.size() == 4);
  for (Index r = 0; r < 4; ++r)
    CHECK(std::abs(whole.values(r) - full) < 1e-12 * std::abs(full));
  CHECK(whole.std < 1e-12 * std::abs(full));
  // Same seed, same subsets and values; another seed, other subsets.
  alea::Rng a{9}, b{9}, c{10};
  const KidSettings s{.n_subsets = 5, .subset_size = 20};
  const auto first = metrics::kid(X, Y, s, a);
  CHECK(test::same_bits(first.values, metrics::kid(X, Y, s, b).values));
  CHECK(!test::same_bits(first.values, metrics::kid(X, Y, s, c).values));
  // torchmetrics' std(unbiased=False): the population standard deviation of the values.
  CHECK(std::abs(first.std - std::sqrt((first.values.array() - first.mean).square().mean())) <
        1e-15);
}

TEST_CASE("KID rejects bad input", "[metrics][kid]") {
  const MatrixX<double> X = MatrixX<double>::Random(10, 3), Y = MatrixX<double>::Random(8, 3);
  alea::Rng rng{1};
  CHECK_THROWS_MATCHES(
      metrics::kid(X, Y, {.subset_size = 9}, rng), alea::InvalidArgument,
      Catch::Message("alea::metrics::kid: subset_size is 9, but Y has only 8 rows"));
  CHECK_THROWS_MATCHES(metrics::kid(X, Y, {.n_subsets = 0, .subset_size = 5}, rng),
                       alea::InvalidArgument,
                       Catch::Message("alea::metrics::kid: n_subsets is 0, but must be positive"));
  CHECK_THROWS_MATCHES(
      metrics::kid(X, Y, {.subset_size = 1}, rng), alea::InvalidArgument,
      Catch::Message("alea::metrics::kid: subset_size is 1, but the unbiased estimator needs at "
                     "least 2"));
  CHECK_THROWS_MATCHES(metrics::kid(X, MatrixX<double>::Random(8, 2), {.subset_size = 5}, rng),
                       alea::InvalidArgument,
                       Catch::Message("alea::metrics::kid: Y has 2 columns, but X has 3"));
  CHECK_THROWS_MATCHES(metrics::kid(X, Y, {.subset_size = 5, .degree = 0}, rng),
                       alea::InvalidArgument,
                       Catch::Message("alea::metrics::kid: degree is 0, but must be positive"));
  IndexMatrix subsets = IndexMatrix::Zero(2, 3);
  subsets(1, 2) = 1;
  CHECK_THROWS_MATCHES(metrics::kid(X, Y, subsets, IndexMatrix::Zero(2, 4)), alea::InvalidArgument,
                       Catch::Message("alea::metrics::kid: fake_subsets is 2 x 4, but "
                                      "real_subsets is 2 x 3"));
  IndexMatrix outside = subsets;
  outside(0, 0) = 8;
  CHECK_THROWS_MATCHES(
      metrics::kid(X, Y, subsets, outside), alea::InvalidArgument,
      Catch::Message("alea::metrics::kid: fake_subsets has an index outside [0, 8)"));
}
