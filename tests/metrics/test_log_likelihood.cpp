#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <numbers>

#include "alea/core/concepts.hpp"
#include "alea/density/gaussian.hpp"
#include "alea/metrics/log_likelihood.hpp"
#include "fixtures.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;
namespace metrics = alea::metrics;
namespace test = alea::test;

namespace {

// The uniform density on the unit cube [0, 1]^2: log density 0 inside, -Inf outside; a NaN for
// a row whose first coordinate is exactly 0.5 (a broken model, for the error path).
struct UnitSquare {
  using Scalar = double;
  [[nodiscard]] Index dim() const { return 2; }
  [[nodiscard]] VectorX<double> log_prob(const MatrixX<double>& X) const {
    VectorX<double> out(X.rows());
    for (Index i = 0; i < X.rows(); ++i) {
      const bool inside = (X.row(i).array() >= 0).all() && (X.row(i).array() <= 1).all();
      out(i) = X(i, 0) == 0.5 ? std::numeric_limits<double>::quiet_NaN()
                              : (inside ? 0.0 : -std::numeric_limits<double>::infinity());
    }
    return out;
  }
};
static_assert(alea::Density<UnitSquare>);

}  // namespace

TEST_CASE("log_likelihood equals SciPy's summed logpdf, with bits per dimension",
          "[metrics][log_likelihood]") {
  const nlohmann::json ref = test::fixture("metrics_reference.json")["loglik"];
  const alea::Gaussian<> model(test::vector(ref["mean"]), test::matrix(ref["covariance"]));
  const MatrixX<double> X = test::matrix(ref["X"]);
  const auto ll = metrics::log_likelihood(model, X);
  // Log densities agree with SciPy's to ~1e-15 relative (gaussian.hpp's tests), summed over 50.
  CHECK(ll.total == Approx(ref["total"].get<double>()).epsilon(1e-12));
  CHECK(ll.mean == Approx(ref["mean_loglik"].get<double>()).epsilon(1e-12));
  CHECK(ll.bits_per_dim == Approx(ref["bits_per_dim"].get<double>()).epsilon(1e-12));
  CHECK(ll.n == 50);
  CHECK(ll.dim == 3);
  // A block of rows is evaluated without a copy of its own.
  CHECK(metrics::log_likelihood(model, X.topRows(10)).total ==
        Approx(model.log_prob(X.topRows(10)).sum()).epsilon(1e-15));
}

TEST_CASE("log_likelihood reports probability 0 and rejects NaN from the model",
          "[metrics][log_likelihood]") {
  MatrixX<double> X(3, 2);
  X << 0.2, 0.3, 0.9, 0.1, 0.4, 0.8;
  const auto inside = metrics::log_likelihood(UnitSquare{}, X);
  CHECK(inside.total == 0);
  CHECK(inside.bits_per_dim == 0);
  X(1, 1) = 2.0;  // outside the square
  const auto outside = metrics::log_likelihood(UnitSquare{}, X);
  CHECK(outside.total == -std::numeric_limits<double>::infinity());
  CHECK(outside.bits_per_dim == std::numeric_limits<double>::infinity());
  X(2, 0) = 0.5;
  CHECK_THROWS_MATCHES(
      metrics::log_likelihood(UnitSquare{}, X), alea::NumericalError,
      Catch::Message("alea::metrics::log_likelihood: the model's log density is NaN at row 2"));
  CHECK_THROWS_MATCHES(
      metrics::log_likelihood(UnitSquare{}, MatrixX<double>::Zero(4, 3)), alea::InvalidArgument,
      Catch::Message("alea::metrics::log_likelihood: X has 3 columns, but the model has "
                     "dimension 2"));
  X(0, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_MATCHES(metrics::log_likelihood(UnitSquare{}, X), alea::InvalidArgument,
                       Catch::Message("alea::metrics::log_likelihood: X has +Inf at row 0, "
                                      "column 1"));
}
