#include <catch2/catch.hpp>
#include <cmath>

#include "alea/density/student_t.hpp"
#include "alea/io/model_file.hpp"
#include "fixtures.hpp"

using alea::Index;
using alea::MatrixX;
using alea::StudentT;
using alea::VectorX;
namespace test = alea::test;

TEMPLATE_TEST_CASE("StudentT log_prob equals scipy.stats.multivariate_t.logpdf",
                   "[density][student_t]", float, double) {
  using T = TestType;
  const auto& ref = test::fixture("gaussian_scipy.json");
  const MatrixX<T> Q = test::matrix<T>(ref["Q"]);
  for (const char* key : {"student_t_1.5", "student_t_4.0", "student_t_30.0"}) {
    INFO(key);
    const auto& r = ref[key];
    StudentT<T> t(test::vector<T>(r["loc"]), test::matrix<T>(r["shape"]), T(r["df"].get<double>()));
    // float: a few ulps of log densities ~ 10 in magnitude, times the shape's condition number.
    CHECK(test::max_relative_error(t.log_prob(Q), test::vector(r["logpdf"])) <
          (std::is_same_v<T, float> ? 2e-4 : 1e-12));
  }
}

TEST_CASE("StudentT samples have covariance nu / (nu - 2) Sigma", "[density][student_t]") {
  MatrixX<double> S(2, 2);
  S << 1.0, 0.3, 0.3, 0.5;
  const double nu = 10;
  StudentT<> t(VectorX<double>::Zero(2), S, nu);
  alea::Rng rng{21};
  const Index n = 400000;
  const MatrixX<double> D = t.sample(n, rng);
  const MatrixX<double> cov = D.transpose() * D / double(n);
  const MatrixX<double> expected = t.covariance();
  // SE of a second moment: sqrt(Var(x_j x_k) / n); for a t with nu = 10 the fourth moment is
  // finite (kurtosis 3 (nu - 2) / (nu - 4) = 4 for each margin): Var(x_j^2) = (4 - 1) sigma_j^4
  // bounds Var(x_j x_k) by 3 sigma_j^2 sigma_k^2.
  for (Index j = 0; j < 2; ++j)
    for (Index k = 0; k < 2; ++k) {
      const double se = std::sqrt(3 * expected(j, j) * expected(k, k) / double(n));
      CHECK(std::abs(cov(j, k) - expected(j, k)) < 4 * se);
    }
}

TEST_CASE("StudentT: bad parameters and save/load", "[density][student_t]") {
  REQUIRE_THROWS_WITH(StudentT<>(VectorX<double>::Zero(2), MatrixX<double>::Identity(2, 2), 0.0),
                      "alea::StudentT::StudentT: degrees_of_freedom is 0, but must be positive");
  StudentT<> heavy(VectorX<double>::Zero(1), MatrixX<double>::Identity(1, 1), 2.0);
  REQUIRE_THROWS_AS(heavy.covariance(), alea::InvalidArgument);
  REQUIRE_THROWS_WITH(heavy.log_prob(MatrixX<double>::Zero(1, 2)),
                      "alea::StudentT::log_prob: X has 2 columns, but the model has dimension 1");
  const auto folder = test::temporary_folder("student_t");
  alea::save(heavy, folder / "t.json");
  const auto back = alea::load<StudentT<>>(folder / "t.json");
  const MatrixX<double> x = MatrixX<double>::Constant(3, 1, 0.7);
  CHECK(back.log_prob(x) == heavy.log_prob(x));
}
