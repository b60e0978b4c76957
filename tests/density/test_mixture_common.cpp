// The helpers the two Gaussian mixtures share (density/mixture_common.hpp) on their own: the
// checks of settings, data and queries with their messages, the convergence note, row_argmax
// and the model-file form of the components.

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "alea/core/errors.hpp"
#include "alea/core/json.hpp"
#include "alea/core/progress.hpp"
#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/density/gaussian_components.hpp"
#include "alea/density/mixture_common.hpp"
#include "fixtures.hpp"

using alea::CovarianceType;
using alea::GaussianComponents;
using alea::Index;
using alea::MatrixX;
using alea::detail::check_mixture_data;
using alea::detail::check_mixture_query;
using alea::detail::check_mixture_settings;
using alea::detail::decode_components;
using alea::detail::encode_covariances;
using alea::detail::row_argmax;
using Catch::Matchers::Contains;
namespace test = alea::test;
using alea::test::infinity;

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

/// The fields check_mixture_settings reads, as GaussianMixtureSettings has them.
struct Settings {
  Index n_components = 2;
  double tol = 1e-3;
  double reg_covar = 1e-6;
  Index max_iter = 100;
  Index n_init = 1;
};

/// Means and covariances of three components in two dimensions, in each type's shape.
template <class T>
GaussianComponents<T> components_2d(CovarianceType type) {
  MatrixX<T> means(3, 2);
  means << T(-1.5), T(0.25), T(2), T(1), T(0.5), T(-3);
  std::vector<MatrixX<T>> covariances;
  switch (type) {
    case CovarianceType::full:
      covariances.assign(3, MatrixX<T>(2, 2));
      covariances[0] << T(1), T(0.3), T(0.3), T(0.5);
      covariances[1] << T(0.6), T(-0.2), T(-0.2), T(0.8);
      covariances[2] << T(2.5), T(0), T(0), T(0.1);
      break;
    case CovarianceType::tied:
      covariances.assign(1, MatrixX<T>(2, 2));
      covariances[0] << T(0.7), T(0.1), T(0.1), T(0.3);
      break;
    case CovarianceType::diag:
      covariances.assign(1, MatrixX<T>(3, 2));
      covariances[0] << T(0.5), T(1.5), T(2), T(0.25), T(1), T(1);
      break;
    case CovarianceType::spherical:
      covariances.assign(1, MatrixX<T>(3, 1));
      covariances[0] << T(0.5), T(3), T(1.25);
      break;
  }
  return GaussianComponents<T>(type, means, covariances, "test");
}

/// The model-file fields of components.
template <class T>
nlohmann::json encoded(const GaussianComponents<T>& c) {
  return {{"means", alea::json::encode_matrix(c.means())}, {"covariances", encode_covariances(c)}};
}

}  // namespace

TEST_CASE("check_mixture_settings accepts valid settings and names the bad field",
          "[density][mixture_common]") {
  CHECK_NOTHROW(check_mixture_settings("f", Settings{}));
  CHECK_NOTHROW(check_mixture_settings("f", Settings{.tol = 0, .reg_covar = 0}));
  const std::pair<Settings, std::string> cases[] = {
      {{.n_components = 0}, "f: n_components is 0, but must be positive"},
      {{.n_components = -2}, "f: n_components is -2, but must be positive"},
      {{.tol = -0.5}, "f: tol is -0.5, but must be non-negative"},
      {{.tol = not_a_number}, "f: tol is nan, but must be finite"},
      {{.reg_covar = infinity}, "f: reg_covar is inf, but must be finite"},
      {{.reg_covar = -1e-6}, "f: reg_covar is -1e-06, but must be non-negative"},
      {{.max_iter = 0}, "f: max_iter is 0, but must be positive"},
      {{.n_init = -1}, "f: n_init is -1, but must be positive"},
  };
  for (const auto& [settings, message] : cases) {
    CHECK_THROWS_AS(check_mixture_settings("f", settings), alea::InvalidArgument);
    CHECK_THROWS_WITH(check_mixture_settings("f", settings), message);
  }
}

TEST_CASE("check_mixture_data wants finite data and a row per component",
          "[density][mixture_common]") {
  MatrixX<double> X(3, 2);
  X << 1, 2, 3, 4, 5, 6;
  CHECK_NOTHROW(check_mixture_data<double>("f", X, 1));
  CHECK_NOTHROW(check_mixture_data<double>("f", X, 3));
  CHECK_THROWS_AS(check_mixture_data<double>("f", X, 4), alea::InvalidArgument);
  CHECK_THROWS_WITH(check_mixture_data<double>("f", X, 4),
                    "f: n_components is 4, but X has only 3 rows; at least one row per "
                    "component is needed");
  // The data are checked first: an empty X is reported as empty, not as too short.
  CHECK_THROWS_WITH(check_mixture_data<double>("f", MatrixX<double>(0, 2), 1),
                    "f: X is empty (0 x 2); at least one row and one column are needed");
  MatrixX<double> bad = X;
  bad(1, 0) = not_a_number;
  CHECK_THROWS_WITH(check_mixture_data<double>("f", bad, 5), "f: X has a NaN at row 1, column 0");
  bad(1, 0) = 0;
  bad(2, 1) = -infinity;
  CHECK_THROWS_AS(check_mixture_data<double>("f", bad, 1), alea::InvalidArgument);
  CHECK_THROWS_WITH(check_mixture_data<double>("f", bad, 1), Contains("-Inf at row 2, column 1"));
}

TEST_CASE("check_mixture_query wants a fitted model and finite rows of its dimension",
          "[density][mixture_common]") {
  MatrixX<float> X(2, 2);
  X << 1, 2, 3, 4;
  CHECK_NOTHROW(check_mixture_query<float>("f", true, 2, X));
  // Not fitted comes first, whatever the query.
  CHECK_THROWS_AS(check_mixture_query<float>("f", false, 3, X), alea::NotFittedError);
  CHECK_THROWS_WITH(check_mixture_query<float>("f", false, 3, X),
                    "f: the model is not fitted; call fit() first");
  CHECK_THROWS_WITH(check_mixture_query<float>("f", true, 3, X),
                    "f: X has 2 columns, but the model has dimension 3");
  X(0, 1) = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(check_mixture_query<float>("f", true, 2, X),
                    "f: X has a NaN at row 0, column 1");
  try {
    check_mixture_query<float>("f", true, 2, X);
  } catch (const alea::NotFittedError&) {
    FAIL("a bad query of a fitted model is not a NotFittedError");
  } catch (const alea::InvalidArgument&) {
  }
}

TEST_CASE("note_if_not_converged notes only a fit that ran out of iterations",
          "[density][mixture_common]") {
  const Settings settings{.max_iter = 7};
  alea::FitStatus status;
  alea::detail::note_if_not_converged(status, settings);
  REQUIRE(status.notes.size() == 1);
  CHECK_THAT(status.notes[0], Contains("max_iter = 7"));
  for (int variant = 0; variant < 3; ++variant) {
    alea::FitStatus quiet;
    quiet.converged = variant == 0;
    quiet.stopped_early = variant == 1;
    alea::detail::note_if_not_converged(quiet, Settings{.tol = variant == 2 ? 0.0 : 1e-3});
    CHECK(quiet.notes.empty());
  }
}

TEMPLATE_TEST_CASE("row_argmax is the first column of each row's largest entry",
                   "[density][mixture_common]", float, double) {
  using T = TestType;
  alea::Rng rng{71};
  // Half-integers in a small range: many rows hold their largest value twice or more.
  MatrixX<T> scores =
      (2.0 * alea::standard_normal<double>(rng, 200, 4)).array().round().template cast<T>() / T(2);
  scores.row(0).setConstant(T(-3));  // all tied: column 0
  scores.row(1) << T(1), T(5), T(-infinity), T(5);
  scores.row(2) << T(-infinity), T(-infinity), T(-infinity), T(-1);
  const auto labels = row_argmax(scores);
  REQUIRE(labels.size() == scores.rows());
  Index ties = 0;
  for (Index i = 0; i < scores.rows(); ++i) {
    Index best = 0;
    for (Index j = 1; j < scores.cols(); ++j)
      if (scores(i, j) > scores(i, best)) best = j;
    ties += (scores.row(i).array() == scores(i, best)).count() > 1;
    INFO("row " << i);
    CHECK(labels(i) == best);
  }
  CHECK(ties > 20);  // the ties rule is exercised
  CHECK(row_argmax<T>(MatrixX<T>::Constant(3, 1, T(2))).isZero());
}

TEMPLATE_TEST_CASE("encode_covariances and decode_components round trip every covariance type",
                   "[density][mixture_common]", float, double) {
  using T = TestType;
  alea::Rng rng{72};
  const MatrixX<T> X = alea::standard_normal<T>(rng, 5, 2);
  for (const auto type : {CovarianceType::full, CovarianceType::tied, CovarianceType::diag,
                          CovarianceType::spherical}) {
    INFO("type " << alea::to_string(type));
    const GaussianComponents<T> original = components_2d<T>(type);
    const nlohmann::json list = encode_covariances(original);
    REQUIRE(list.is_array());
    CHECK(list.size() == (type == CovarianceType::full ? 3u : 1u));
    // Through text, as a model file goes.
    const auto parsed = nlohmann::json::parse(encoded(original).dump());
    const GaussianComponents<T> back = decode_components<T>(parsed, type);
    CHECK(back.covariance_type() == type);
    CHECK(test::same_bits(back.means(), original.means()));
    const auto& a = back.covariances_in_type_shape();
    const auto& b = original.covariances_in_type_shape();
    REQUIRE(a.size() == b.size());
    for (std::size_t c = 0; c < a.size(); ++c)
      CHECK(test::same_bits(a[c], b[c]));
    // The factorisation is rebuilt: the same log densities, bit for bit.
    MatrixX<T> before, after;
    typename GaussianComponents<T>::Workspace work;
    original.log_densities(X, before, work);
    back.log_densities(X, after, work);
    CHECK(test::same_bits(after, before));
  }
}

TEST_CASE("decode_components rejects malformed fields with clear messages",
          "[density][mixture_common]") {
  const auto format_error = [](const nlohmann::json& j, CovarianceType type,
                               const std::string& message) {
    CHECK_THROWS_AS(decode_components<double>(j, type), alea::FormatError);
    CHECK_THROWS_WITH(decode_components<double>(j, type), "alea::load: " + message);
  };
  const nlohmann::json full = encoded(components_2d<double>(CovarianceType::full));
  const nlohmann::json diag = encoded(components_2d<double>(CovarianceType::diag));
  const nlohmann::json spherical = encoded(components_2d<double>(CovarianceType::spherical));

  nlohmann::json j = full;
  j.erase("covariances");
  format_error(j, CovarianceType::full, "field 'covariances' is missing");
  j = full;
  j.erase("means");
  format_error(j, CovarianceType::full, "field 'means' is missing");
  j = full;
  j["covariances"] = 5;
  format_error(j, CovarianceType::full, "field 'covariances' is not an array");
  j = full;
  j["covariances"].erase(2);
  format_error(j, CovarianceType::full, "field 'covariances' has 2 entries, but 3 are expected");
  format_error(full, CovarianceType::tied, "field 'covariances' has 3 entries, but 1 are expected");
  format_error(spherical, CovarianceType::diag,
               "field 'covariances' has an entry of the wrong shape");
  format_error(diag, CovarianceType::spherical,
               "field 'covariances' has an entry of the wrong shape");
  format_error(full, CovarianceType::diag, "field 'covariances' has 3 entries, but 1 are expected");
  j = full;
  j["means"] = alea::json::encode_matrix(MatrixX<double>(0, 0));
  j["covariances"] = nlohmann::json::array();
  format_error(j, CovarianceType::full, "field 'means' is empty");

  // Well-formed but not positive definite: a NumericalError naming the component.
  j = full;
  MatrixX<double> indefinite(2, 2);
  indefinite << 1, 2, 2, 1;
  j["covariances"][1] = alea::json::encode_matrix(indefinite);
  CHECK_THROWS_AS(decode_components<double>(j, CovarianceType::full), alea::NumericalError);
  CHECK_THROWS_WITH(decode_components<double>(j, CovarianceType::full),
                    Contains("alea::load: the covariance of component 1 is not positive definite"));
  j = diag;
  MatrixX<double> variances = MatrixX<double>::Ones(3, 2);
  variances(2, 1) = -0.5;
  j["covariances"][0] = alea::json::encode_matrix(variances);
  CHECK_THROWS_WITH(decode_components<double>(j, CovarianceType::diag),
                    Contains("alea::load: the covariance of component 2 is not positive definite"));
}
