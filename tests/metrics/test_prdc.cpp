#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "alea/core/random.hpp"
#include "alea/metrics/prdc.hpp"
#include "fixtures.hpp"

using alea::Index;
using alea::MatrixX;
namespace metrics = alea::metrics;
namespace test = alea::test;

namespace {

bool same(const metrics::Prdc& a, const metrics::Prdc& b) {
  return a.precision == b.precision && a.recall == b.recall && a.density == b.density &&
         a.coverage == b.coverage;
}

}  // namespace

TEMPLATE_TEST_CASE("PRDC equals the prdc package's formulas on random features", "[metrics][prdc]",
                   float, double) {
  using T = TestType;
  for (const auto& c : test::fixture("metrics_reference.json")["prdc"]) {
    const MatrixX<T> real = test::matrix<T>(c["real"]), fake = test::matrix<T>(c["fake"]);
    const Index k = c["k"];
    INFO("d " << real.cols() << ", k " << k);
    // The four figures are counts over at most 200 points; continuous data put no pair within
    // rounding of a ball's boundary (the nearest margin here is ~1e-3 relative), so the counts
    // agree exactly, in float too. The ratios then agree to the last bit of the division.
    for (const alea::PairwiseSettings tiles :
         {alea::PairwiseSettings{}, alea::PairwiseSettings{16, 9}}) {
      const auto prdc = metrics::precision_recall_density_coverage(real, fake, k, tiles);
      CHECK(prdc.precision == Approx(c["precision"].template get<double>()).epsilon(1e-15));
      CHECK(prdc.recall == Approx(c["recall"].template get<double>()).epsilon(1e-15));
      CHECK(prdc.density == Approx(c["density"].template get<double>()).epsilon(1e-15));
      CHECK(prdc.coverage == Approx(c["coverage"].template get<double>()).epsilon(1e-15));
    }
  }
}

TEST_CASE("PRDC of a set with itself: precision, recall and coverage 1, density (k + 1) / k",
          "[metrics][prdc]") {
  alea::Rng rng{17};
  const MatrixX<double> X = alea::standard_normal(rng, 300, 8);
  for (const Index k : {1, 3, 5, 10}) {
    const auto prdc = metrics::precision_recall_density_coverage(X, X, k);
    CHECK(prdc.precision == 1);
    CHECK(prdc.recall == 1);
    CHECK(prdc.coverage == 1);
    // Each point lies in its twin's ball and in the balls of the k points it is a neighbour of
    // (no ties in continuous data): (1 + k) per point on average, over k.
    CHECK(prdc.density == Approx(double(k + 1) / double(k)).epsilon(1e-15));
  }
  // prdc issue #7: identical points, every radius 0. The strict < of the prdc package gives 0
  // for density and coverage; with <= every point is inside every ball.
  const MatrixX<double> ones = MatrixX<double>::Ones(20, 4);
  const auto prdc = metrics::precision_recall_density_coverage(ones, ones, 5);
  CHECK(prdc.precision == 1);
  CHECK(prdc.recall == 1);
  CHECK(prdc.coverage == 1);
  CHECK(prdc.density == 20.0 / 5.0);
}

TEST_CASE("PRDC sees a shifted and a collapsed generator", "[metrics][prdc]") {
  alea::Rng rng{23};
  const MatrixX<double> real = alea::standard_normal(rng, 500, 4);
  // Mode collapse: all fakes near one real point. Precision stays high, recall and coverage
  // fall to almost nothing.
  const MatrixX<double> collapsed = 0.05 * alea::standard_normal(rng, 500, 4);
  const auto c = metrics::precision_recall_density_coverage(real, collapsed, 5);
  CHECK(c.precision > 0.9);
  CHECK(c.recall < 0.05);
  CHECK(c.coverage < 0.05);
  // A far shift: no fake near the real data.
  const MatrixX<double> shifted = alea::standard_normal(rng, 500, 4).array() + 10.0;
  const auto s = metrics::precision_recall_density_coverage(real, shifted, 5);
  CHECK(s.precision == 0);
  CHECK(s.recall == 0);
  CHECK(s.density == 0);
  CHECK(s.coverage == 0);
}

#if defined(_OPENMP)
TEST_CASE("PRDC does not depend on the number of threads", "[metrics][prdc]") {
  alea::Rng rng{2};
  const MatrixX<double> real = alea::standard_normal(rng, 900, 16);
  const MatrixX<double> fake = alea::standard_normal(rng, 800, 16).array() * 1.2;
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto serial = metrics::precision_recall_density_coverage(real, fake, 4);
  omp_set_num_threads(std::max(2, threads));
  const auto parallel = metrics::precision_recall_density_coverage(real, fake, 4);
  omp_set_num_threads(threads);
  CHECK(same(serial, parallel));
}
#endif

TEST_CASE("PRDC rejects bad input", "[metrics][prdc]") {
  const MatrixX<double> real = MatrixX<double>::Random(6, 2), fake = MatrixX<double>::Random(8, 2);
  const std::string prefix = "alea::metrics::precision_recall_density_coverage: ";
  CHECK_THROWS_MATCHES(
      metrics::precision_recall_density_coverage(real, fake, 6), alea::InvalidArgument,
      Catch::Message(prefix + "k is 6, but real has 6 rows; k must be below the row count"));
  CHECK_THROWS_MATCHES(metrics::precision_recall_density_coverage(real, fake, 0),
                       alea::InvalidArgument,
                       Catch::Message(prefix + "k is 0, but must be positive"));
  CHECK_THROWS_MATCHES(metrics::precision_recall_density_coverage(real, fake.leftCols(1), 2),
                       alea::InvalidArgument,
                       Catch::Message(prefix + "fake has 1 columns, but real has 2"));
  MatrixX<double> nan = fake;
  nan(7, 1) = std::nan("");
  CHECK_THROWS_MATCHES(metrics::precision_recall_density_coverage(real, nan, 2),
                       alea::InvalidArgument,
                       Catch::Message(prefix + "fake has a NaN at row 7, column 1"));
  CHECK(same(metrics::precision_recall_density_coverage(real, fake, 5),
             metrics::precision_recall_density_coverage(real, fake, 5)));
}
