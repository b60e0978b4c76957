#include "alea/density/kmeans.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "alea/core/random.hpp"
#include "alea/io/model_file.hpp"
#include "fixtures.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif

using alea::Index;
using alea::KMeans;
using alea::KMeansInit;
using alea::KMeansSettings;
using alea::MatrixX;
using alea::VectorX;
using Labels = KMeans<>::Labels;
namespace test = alea::test;

namespace {

Labels labels_of(const nlohmann::json& values) {
  Labels out(Index(values.size()));
  for (Index i = 0; i < out.size(); ++i)
    out(i) = values[std::size_t(i)].get<Index>();
  return out;
}

/// Four blobs with centres 10 apart (unit noise, so a point is on the wrong side of a midpoint
/// with probability Phi(-5) ~ 3e-7), rows in random order; `truth` gets each row's blob.
MatrixX<double> separated_blobs(alea::Rng& rng, Index n, MatrixX<double>& centres, Labels& truth) {
  centres = MatrixX<double>{{0, 0, 0}, {10, 0, 0}, {0, 10, 0}, {0, 0, 10}};
  truth.resize(n);
  MatrixX<double> X = alea::standard_normal<double>(rng, n, 3);
  for (Index i = 0; i < n; ++i) {
    truth(i) = alea::uniform_index(rng, 4);
    X.row(i) += centres.row(truth(i));
  }
  return X;
}

/// Whether a and b are the same partition (labels equal up to a relabelling, both ways).
bool same_partition(const Labels& a, const Labels& b) {
  std::set<std::pair<Index, Index>> pairs;
  std::set<Index> left, right;
  for (Index i = 0; i < a.size(); ++i) {
    pairs.insert({a(i), b(i)});
    left.insert(a(i));
    right.insert(b(i));
  }
  return pairs.size() == left.size() && pairs.size() == right.size();
}

/// Every cluster index 0..k-1 labels at least one row.
bool no_empty_cluster(const Labels& labels, Index k) {
  for (Index c = 0; c < k; ++c)
    if ((labels.array() == c).count() == 0) return false;
  return true;
}

}  // namespace

// Tolerances against scikit-learn: both sides compute the same means from the same labels, in a
// different order (scikit-learn on data centred at the column means, per-thread sums; alea on
// raw data, sums by block), so centres agree to a few ulps of the data's magnitude and inertia
// to a few ulps of itself; 1e-10 relative leaves a wide margin, and the labels (decided by
// distances that differ by ~1e-15 relative) must agree exactly.
TEST_CASE("KMeans reproduces scikit-learn 1.2 from the same start", "[density][kmeans]") {
  for (const char* name : {"iris", "wine", "blobs", "blobs_far"}) {
    INFO(name);
    const nlohmann::json& expected = test::fixture("kmeans_sklearn.json")[name];
    const MatrixX<double> X = test::matrix(test::fixture(
        "kmeans_sklearn.json")[std::string(name) == "blobs_far" ? "blobs" : name]["X"]);
    const MatrixX<double> start = test::matrix(expected["init"]);
    KMeans<> km({.n_clusters = start.rows(), .centers_init = start});
    km.fit(X);
    CHECK(km.labels() == labels_of(expected["labels"]));
    CHECK(test::max_relative_error(km.cluster_centers(), test::matrix(expected["centers"])) <
          1e-10);
    CHECK(km.inertia() == Approx(expected["inertia"].get<double>()).epsilon(1e-10));
    CHECK(km.n_iter() == expected["n_iter"].get<Index>());
    CHECK(km.converged());
    CHECK(km.status().history.size() == std::size_t(km.n_iter()));
  }
}

TEST_CASE("KMeans relocates an empty cluster as scikit-learn does", "[density][kmeans]") {
  // blobs_far: the start centre (100, ..., 100) gets no point; scikit-learn moves it to the point
  // farthest from its centre in the first iteration. The fixture case above checks the outcome;
  // here the event itself.
  const MatrixX<double> X = test::matrix(test::fixture("kmeans_sklearn.json")["blobs"]["X"]);
  const MatrixX<double> start =
      test::matrix(test::fixture("kmeans_sklearn.json")["blobs_far"]["init"]);
  KMeans<> km({.n_clusters = 4, .centers_init = start});
  km.fit(X);
  REQUIRE(km.status().notes.size() == 1);
  CHECK(km.status().notes[0] ==
        "iteration 1: relocated 1 empty cluster(s) to the points farthest from their centres");
  CHECK(no_empty_cluster(km.labels(), 4));

  // 0, 0.1, 10, 20 from 0.05, 14, 100: the third centre is empty and takes 20, the point
  // farthest from its centre (14); the second keeps 10. scikit-learn 1.2.1 gives centres
  // 0.05, 10, 20, labels 0 0 1 2, 2 iterations, inertia 2 * 0.05^2.
  const MatrixX<double> line{{0}, {0.1}, {10}, {20}};
  KMeans<> small({.n_clusters = 3, .centers_init = MatrixX<double>{{0.05}, {14}, {100}}});
  small.fit(line);
  CHECK(small.cluster_centers() == MatrixX<double>{{0.05}, {10}, {20}});
  CHECK(small.labels() == Labels{{0, 0, 1, 2}});
  CHECK(small.n_iter() == 2);
  CHECK(small.inertia() == Approx(0.005).epsilon(1e-12));
}

TEST_CASE("KMeans with more clusters than distinct points converges", "[density][kmeans]") {
  // Two distinct points, three clusters: nothing can fill the third cluster. scikit-learn 1.2
  // moves it to the mean of X every iteration and never converges; alea keeps its centre.
  const MatrixX<double> X{{0, 0}, {0, 0}, {1, 0}, {1, 0}};
  KMeans<> km({.n_clusters = 3, .centers_init = MatrixX<double>{{0, 0}, {1, 0}, {5, 5}}});
  km.fit(X);
  // Iteration 1 finds the third cluster empty with no point to move (every point is on its
  // centre), so no centre moves and the shift 0 is within tol.
  CHECK(km.converged());
  CHECK(km.n_iter() == 1);
  CHECK(km.status().notes.empty());
  CHECK(km.labels() == Labels{{0, 0, 1, 1}});
  CHECK(km.cluster_centers() == MatrixX<double>{{0, 0}, {1, 0}, {5, 5}});
  CHECK(km.inertia() == 0);
}

TEST_CASE("KMeans with integer weights is KMeans on repeated rows", "[density][kmeans]") {
  const nlohmann::json& expected = test::fixture("kmeans_sklearn.json")["weighted"];
  const MatrixX<double> X = test::matrix(test::fixture("kmeans_sklearn.json")["iris"]["X"]);
  const VectorX<double> w = test::vector(expected["weights"]);
  const MatrixX<double> start = test::matrix(expected["init"]);
  KMeans<> km({.n_clusters = 3, .centers_init = start});
  km.fit(X, w);

  SECTION("scikit-learn's fit with sample_weight") {
    const nlohmann::json& sk = expected["sample_weight"];
    CHECK(km.labels() == labels_of(sk["labels"]));
    CHECK(test::max_relative_error(km.cluster_centers(), test::matrix(sk["centers"])) < 1e-10);
    CHECK(km.inertia() == Approx(sk["inertia"].get<double>()).epsilon(1e-10));
    CHECK(km.n_iter() == sk["n_iter"].get<Index>());
  }
  SECTION("scikit-learn on np.repeat(X, w)") {
    const nlohmann::json& sk = expected["repeated"];
    const Labels repeated = labels_of(sk["labels"]);  // -1 where w = 0
    for (Index i = 0; i < X.rows(); ++i)
      if (w(i) > 0) CHECK(km.labels()(i) == repeated(i));
    CHECK(test::max_relative_error(km.cluster_centers(), test::matrix(sk["centers"])) < 1e-10);
    CHECK(km.inertia() == Approx(sk["inertia"].get<double>()).epsilon(1e-10));
    CHECK(km.n_iter() == sk["n_iter"].get<Index>());
  }
  SECTION("alea on the repeated rows") {
    MatrixX<double> rows(Index(w.sum()), X.cols());
    for (Index i = 0, r = 0; i < X.rows(); ++i)
      for (int copy = 0; copy < int(w(i)); ++copy)
        rows.row(r++) = X.row(i);
    KMeans<> plain({.n_clusters = 3, .centers_init = start});
    plain.fit(rows);
    CHECK(test::max_relative_error(plain.cluster_centers(), km.cluster_centers()) < 1e-12);
    CHECK(plain.inertia() == Approx(km.inertia()).epsilon(1e-12));
    CHECK(plain.n_iter() == km.n_iter());
  }
}

TEST_CASE("KMeans in float agrees with double to float precision", "[density][kmeans]") {
  // The same start in float and double. A float centre is the double mean of float data rounded
  // to float: the data carry 2^-24 ~ 6e-8 relative rounding, the mean as much again, so centres
  // agree to ~1.2e-7 relative (1e-6 leaves a factor 8). The inertia sums float squared
  // differences, each off by ~d * 6e-8 relative: 1e-5. No point of these sets is within float
  // rounding of a tie, so the labels agree exactly.
  for (const char* name : {"iris", "blobs"}) {
    INFO(name);
    const nlohmann::json& expected = test::fixture("kmeans_sklearn.json")[name];
    const MatrixX<double> X = test::matrix(expected["X"]);
    const MatrixX<double> start = test::matrix(expected["init"]);
    KMeans<double> twin({.n_clusters = start.rows(), .centers_init = start});
    KMeans<float> single({.n_clusters = start.rows(), .centers_init = start});
    twin.fit(X);
    single.fit(X.cast<float>());
    CHECK(single.labels() == twin.labels());
    CHECK(test::max_relative_error(single.cluster_centers(), twin.cluster_centers()) < 1e-6);
    CHECK(double(single.inertia()) == Approx(double(twin.inertia())).epsilon(1e-5));
    CHECK(single.n_iter() == twin.n_iter());
  }
}

TEST_CASE("kmeans_plusplus picks distinct rows and is deterministic for a seed",
          "[density][kmeans]") {
  alea::Rng data{1};
  const MatrixX<double> X = alea::standard_normal<double>(data, 500, 3);
  for (Index k : {1, 2, 20, 100}) {
    INFO("k = " << k);
    alea::Rng a{42}, b{42}, c{43};
    const std::vector<Index> seeds = alea::kmeans_plusplus<double>(X, k, a);
    REQUIRE(Index(seeds.size()) == k);
    CHECK(std::set<Index>(seeds.begin(), seeds.end()).size() == std::size_t(k));
    CHECK(*std::min_element(seeds.begin(), seeds.end()) >= 0);
    CHECK(*std::max_element(seeds.begin(), seeds.end()) < X.rows());
    CHECK(alea::kmeans_plusplus<double>(X, k, b) == seeds);
    if (k > 1) CHECK(alea::kmeans_plusplus<double>(X, k, c) != seeds);
  }
  // Five distinct points, ten copies each: the first five seeds cover them (a copy of a seed has
  // D = 0 and is never drawn); k = 7 then draws two more rows, copies, still distinct rows.
  MatrixX<double> copies(50, 2);
  for (Index i = 0; i < 50; ++i)
    copies.row(i) << double(i % 5), double((i % 5) * (i % 5));
  alea::Rng rng{5};
  const std::vector<Index> five = alea::kmeans_plusplus<double>(copies, 5, rng);
  std::set<Index> values;
  for (Index s : five)
    values.insert(s % 5);
  CHECK(values.size() == 5);
  const std::vector<Index> seven = alea::kmeans_plusplus<double>(copies, 7, rng);
  CHECK(std::set<Index>(seven.begin(), seven.end()).size() == 7);
}

TEST_CASE("Weighted kmeans_plusplus never picks a row of weight 0", "[density][kmeans]") {
  // The zero-weight rows are far outliers, the rows unweighted k-means++ would favour most.
  alea::Rng data{2};
  MatrixX<double> X = alea::standard_normal<double>(data, 300, 2);
  VectorX<double> w = VectorX<double>::Ones(300);
  for (Index i = 0; i < 300; i += 3) {
    w(i) = 0;
    X.row(i) *= 100;
  }
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    alea::Rng rng{seed};
    for (Index s : alea::kmeans_plusplus<double>(X, w, 10, rng))
      CHECK(w(s) > 0);
  }
  // Exactly k rows of positive weight: those are the seeds.
  VectorX<double> three = VectorX<double>::Zero(300);
  three(7) = 0.5;
  three(100) = 2;
  three(299) = 1;
  alea::Rng rng{3};
  std::vector<Index> seeds = alea::kmeans_plusplus<double>(X, three, 3, rng);
  std::sort(seeds.begin(), seeds.end());
  CHECK(seeds == std::vector<Index>{7, 100, 299});
}

TEST_CASE("KMeans random starts are distinct rows of positive weight", "[density][kmeans]") {
  // Rows of weight 0 are far outliers: a start centre on one would get only outliers (weight 0),
  // and a start centre drawn twice would get no point, either way an empty cluster in the first
  // iteration, which status().notes would record.
  alea::Rng data{4};
  MatrixX<double> X = alea::standard_normal<double>(data, 200, 2);
  X.topRows(150) *= 100;
  VectorX<double> w = VectorX<double>::Ones(200);
  w.head(150).setZero();
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    for (KMeansInit init : {KMeansInit::random, KMeansInit::kmeans_plusplus}) {
      KMeans<> km({.n_clusters = 6, .init = init, .max_iter = 1, .seed = seed});
      km.fit(X, w);
      CHECK(km.status().notes.empty());
    }
  }
}

TEST_CASE("KMeans recovers well-separated blobs", "[density][kmeans][statistical]") {
  // Blob centres 10 apart with unit noise: every point is nearest its own blob's centre, so the
  // partition is exact and each centre is the mean of ~1000 points of its blob, within 4
  // standard errors 4 / sqrt(n_j) of the true centre in every coordinate.
  alea::Rng rng{2025};
  MatrixX<double> truth_centres;
  Labels truth;
  const MatrixX<double> X = separated_blobs(rng, 4000, truth_centres, truth);
  KMeans<> km({.n_clusters = 4, .n_init = 4, .seed = 9});
  km.fit(X);
  CHECK(km.converged());
  CHECK(same_partition(km.labels(), truth));
  for (Index c = 0; c < 4; ++c) {
    Index nearest;
    (truth_centres.rowwise() - km.cluster_centers().row(c))
        .rowwise()
        .squaredNorm()
        .minCoeff(&nearest);
    const double count = double((truth.array() == nearest).count());
    CHECK((km.cluster_centers().row(c) - truth_centres.row(nearest)).cwiseAbs().maxCoeff() <
          4 / std::sqrt(count));
  }
}

TEST_CASE("KMeans predict transform and score agree with the fit", "[density][kmeans]") {
  alea::Rng rng{6};
  const MatrixX<double> X = alea::standard_normal<double>(rng, 700, 4);
  KMeans<> km({.n_clusters = 5, .seed = 1});
  km.fit(X);
  REQUIRE(km.converged());
  CHECK(km.predict(X) == km.labels());
  const MatrixX<double> distances = km.transform(X);
  REQUIRE(distances.rows() == 700);
  REQUIRE(distances.cols() == 5);
  double sum = 0;
  for (Index i = 0; i < X.rows(); ++i) {
    Index nearest;
    const double d = distances.row(i).minCoeff(&nearest);
    CHECK(nearest == km.labels()(i));
    // Squared distances from the GEMM tiles carry ~eps * |x|^2 ~ 1e-14 absolute error, so a
    // distance near 0 is off by up to sqrt(1e-14) = 1e-7.
    CHECK(d == Approx((X.row(i) - km.cluster_centers().row(nearest)).norm()).margin(1e-6));
    sum += d * d;
  }
  CHECK(sum == Approx(km.inertia()).epsilon(1e-12));
  CHECK(km.score(X) == -km.inertia());  // same labels, same computation
  // k = 1: the centre is the weighted mean and the inertia the weighted sum of squares.
  const VectorX<double> w = alea::uniform01<double>(rng, 700, 1);
  KMeans<> one({.n_clusters = 1});
  one.fit(X, w);
  const VectorX<double> mean = X.transpose() * w / w.sum();
  CHECK(test::max_relative_error(one.cluster_centers().row(0).transpose(), mean) < 1e-14);
  const double ss =
      ((X.rowwise() - mean.transpose()).rowwise().squaredNorm().array() * w.array()).sum();
  CHECK(one.inertia() == Approx(ss).epsilon(1e-13));
  CHECK(one.n_iter() == 2);  // the second iteration changes no label
}

TEST_CASE("KMeans n_init keeps the best run and threads do not change results",
          "[density][kmeans]") {
  alea::Rng rng{8};
  const MatrixX<double> X = alea::standard_normal<double>(rng, 3000, 3);
  KMeans<> once({.n_clusters = 12, .seed = 4});
  KMeans<> many({.n_clusters = 12, .n_init = 6, .seed = 4});
  once.fit(X);
  many.fit(X);
  // Run 0 of both is the same (stream 0 of the same seed); more runs can only lower the inertia.
  CHECK(many.inertia() <= once.inertia());
  KMeans<> again({.n_clusters = 12, .n_init = 6, .seed = 4});
  again.fit(X);
  CHECK(test::same_bits(again.cluster_centers(), many.cluster_centers()));
#if defined(_OPENMP)
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  KMeans<> serial({.n_clusters = 12, .n_init = 6, .seed = 4});
  serial.fit(X);
  omp_set_num_threads(std::max(threads, 3));
  KMeans<> parallel({.n_clusters = 12, .n_init = 6, .seed = 4});
  parallel.fit(X);
  omp_set_num_threads(threads);
  CHECK(test::same_bits(serial.cluster_centers(), many.cluster_centers()));
  CHECK(test::same_bits(parallel.cluster_centers(), many.cluster_centers()));
  CHECK(serial.labels() == many.labels());
  CHECK(parallel.inertia() == many.inertia());
#endif
}

TEST_CASE("KMeans stopping rules: tol 0 max_iter and the progress callback", "[density][kmeans]") {
  const MatrixX<double> X = test::matrix(test::fixture("kmeans_sklearn.json")["blobs"]["X"]);
  const MatrixX<double> start = test::matrix(test::fixture("kmeans_sklearn.json")["blobs"]["init"]);
  SECTION("tol = 0 stops only when no label changes") {
    KMeans<> km({.n_clusters = 6, .centers_init = start, .tol = 0});
    km.fit(X);
    CHECK(km.converged());
    CHECK(km.n_iter() >= test::fixture("kmeans_sklearn.json")["blobs"]["n_iter"].get<Index>());
    CHECK(km.predict(X) == km.labels());
  }
  SECTION("max_iter reached: not converged, labels of the final centres") {
    KMeans<> km({.n_clusters = 6, .centers_init = start, .max_iter = 3});
    km.fit(X);
    CHECK_FALSE(km.converged());
    CHECK(km.n_iter() == 3);
    CHECK(km.predict(X) == km.labels());
  }
  SECTION("the callback sees every iteration's inertia and can stop the run") {
    std::vector<double> seen;
    KMeans<> km({.n_clusters = 6, .centers_init = start, .progress = [&](Index it, double f) {
                   CHECK(it == Index(seen.size()) + 1);
                   seen.push_back(f);
                   return it < 4;
                 }});
    km.fit(X);
    CHECK(km.n_iter() == 4);
    CHECK(km.status().stopped_early);
    CHECK_FALSE(km.converged());
    CHECK(seen == km.status().history);
    // Lloyd never raises the inertia.
    for (std::size_t i = 1; i < seen.size(); ++i)
      CHECK(seen[i] <= seen[i - 1]);
    CHECK(km.predict(X) == km.labels());
  }
}

TEST_CASE("KMeans rejects bad input with a message naming it", "[density][kmeans]") {
  const MatrixX<double> X{{0, 0}, {1, 0}, {0, 1}, {1, 1}, {5, 5}};
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  constexpr double inf = std::numeric_limits<double>::infinity();
  SECTION("settings") {
    REQUIRE_THROWS_AS(KMeans<>({.n_clusters = 0}), alea::InvalidArgument);
    REQUIRE_THROWS_WITH(KMeans<>({.n_clusters = 0}),
                        "alea::KMeans::KMeans: n_clusters is 0, but must be positive");
    REQUIRE_THROWS_WITH(KMeans<>({.max_iter = 0}),
                        "alea::KMeans::KMeans: max_iter is 0, but must be positive");
    REQUIRE_THROWS_WITH(KMeans<>({.n_init = 0}),
                        "alea::KMeans::KMeans: n_init is 0, but must be positive");
    REQUIRE_THROWS_WITH(KMeans<>({.tol = -1e-3}),
                        "alea::KMeans::KMeans: tol is -0.001, but must be non-negative");
    REQUIRE_THROWS_WITH(KMeans<>({.tol = nan}),
                        "alea::KMeans::KMeans: tol is nan, but must be finite");
    REQUIRE_THROWS_WITH(KMeans<>({.n_clusters = 2, .centers_init = MatrixX<double>::Zero(3, 2)}),
                        "alea::KMeans::KMeans: centers_init has 3 rows, but n_clusters is 2");
    REQUIRE_THROWS_WITH(
        KMeans<>({.n_clusters = 2, .centers_init = MatrixX<double>{{0, 0}, {inf, 1}}}),
        "alea::KMeans::KMeans: centers_init has +Inf at row 1, column 0");
    REQUIRE_THROWS_WITH(
        KMeans<>({.n_clusters = 2, .centers_init = MatrixX<double>::Zero(2, 2), .n_init = 3}),
        "alea::KMeans::KMeans: n_init is 3, but must be 1 when centers_init is given");
  }
  SECTION("data") {
    KMeans<> km({.n_clusters = 2});
    MatrixX<double> bad = X;
    bad(3, 1) = nan;
    REQUIRE_THROWS_WITH(km.fit(bad), "alea::KMeans::fit: X has a NaN at row 3, column 1");
    bad(3, 1) = -inf;
    REQUIRE_THROWS_WITH(km.fit(bad), "alea::KMeans::fit: X has -Inf at row 3, column 1");
    REQUIRE_THROWS_WITH(km.fit(MatrixX<double>(0, 2)),
                        "alea::KMeans::fit: X is empty (0 x 2); at least one row and one column "
                        "are needed");
    REQUIRE_THROWS_WITH(KMeans<>({.n_clusters = 6}).fit(X),
                        "alea::KMeans::fit: n_clusters is 6, but X has only 5 rows");
    KMeans<> three({.n_clusters = 2, .centers_init = MatrixX<double>::Zero(2, 3)});
    REQUIRE_THROWS_WITH(three.fit(X), "alea::KMeans::fit: centers_init has 3 columns, but X has 2");
  }
  SECTION("weights") {
    KMeans<> km({.n_clusters = 2});
    REQUIRE_THROWS_WITH(km.fit(X, VectorX<double>::Ones(4)),
                        "alea::KMeans::fit: sample_weight has 4 entries, but X has 5 rows");
    REQUIRE_THROWS_WITH(km.fit(X, VectorX<double>{{1, 1, -2, 1, 1}}),
                        "alea::KMeans::fit: sample_weight has a negative entry -2 at index 2; "
                        "weights must be non-negative");
    REQUIRE_THROWS_WITH(km.fit(X, VectorX<double>::Zero(5)),
                        "alea::KMeans::fit: sample_weight sums to 0; at least one weight must be "
                        "positive");
    REQUIRE_THROWS_WITH(km.fit(X, VectorX<double>{{1, nan, 1, 1, 1}}),
                        "alea::KMeans::fit: sample_weight has a NaN at index 1");
    REQUIRE_THROWS_WITH(KMeans<>({.n_clusters = 3}).fit(X, VectorX<double>{{1, 0, 0, 0, 1}}),
                        "alea::KMeans::fit: n_clusters is 3, but only 2 rows of X have positive "
                        "weight");
    // With given centres the start is not drawn, so few positive weights are fine.
    KMeans<> given({.n_clusters = 3, .centers_init = MatrixX<double>{{0, 0}, {1, 1}, {5, 5}}});
    REQUIRE_NOTHROW(given.fit(X, VectorX<double>{{1, 0, 0, 0, 1}}));
  }
  SECTION("kmeans_plusplus") {
    alea::Rng rng{1};
    REQUIRE_THROWS_WITH(alea::kmeans_plusplus<double>(X, 0, rng),
                        "alea::kmeans_plusplus: k is 0, but must be positive");
    REQUIRE_THROWS_WITH(alea::kmeans_plusplus<double>(X, 6, rng),
                        "alea::kmeans_plusplus: k is 6, but only 5 rows of X have positive weight");
    REQUIRE_THROWS_WITH(alea::kmeans_plusplus<double>(X, VectorX<double>::Ones(2), 2, rng),
                        "alea::kmeans_plusplus: sample_weight has 2 entries, but X has 5 rows");
    MatrixX<double> bad = X;
    bad(0, 0) = inf;
    REQUIRE_THROWS_WITH(alea::kmeans_plusplus<double>(bad, 2, rng),
                        "alea::kmeans_plusplus: X has +Inf at row 0, column 0");
  }
  SECTION("queries") {
    KMeans<> km({.n_clusters = 2});
    REQUIRE_THROWS_AS(km.predict(X), alea::NotFittedError);
    REQUIRE_THROWS_WITH(km.predict(X),
                        "alea::KMeans::predict: the model is not fitted; call fit() first");
    REQUIRE_THROWS_AS(km.transform(X), alea::NotFittedError);
    REQUIRE_THROWS_AS(km.score(X), alea::NotFittedError);
    REQUIRE_THROWS_WITH(km.cluster_centers(),
                        "alea::KMeans::cluster_centers: the model is not fitted; call fit() first");
    REQUIRE_THROWS_AS(km.labels(), alea::NotFittedError);
    REQUIRE_THROWS_AS(km.inertia(), alea::NotFittedError);
    REQUIRE_THROWS_WITH(alea::save(km, test::temporary_folder("kmeans-unfitted") / "m.json"),
                        "alea::save: the model is not fitted; call fit() first");
    CHECK(km.dim() == 0);
    CHECK(km.n_iter() == 0);
    CHECK_FALSE(km.fitted());
    km.fit(X);
    REQUIRE_THROWS_WITH(km.predict(MatrixX<double>::Zero(3, 3)),
                        "alea::KMeans::predict: X has 3 columns, but the model has dimension 2");
    REQUIRE_THROWS_WITH(km.transform(MatrixX<double>::Zero(3, 1)),
                        "alea::KMeans::transform: X has 1 columns, but the model has dimension 2");
    REQUIRE_THROWS_WITH(km.score(MatrixX<double>(0, 2)),
                        "alea::KMeans::score: X is empty (0 x 2); at least one row and one column "
                        "are needed");
    MatrixX<double> bad = X;
    bad(2, 0) = nan;
    REQUIRE_THROWS_WITH(km.predict(bad), "alea::KMeans::predict: X has a NaN at row 2, column 0");
  }
  SECTION("a failed fit leaves the model as it was") {
    KMeans<> km({.n_clusters = 2, .seed = 3});
    km.fit(X);
    const MatrixX<double> centres = km.cluster_centers();
    MatrixX<double> bad = X;
    bad(0, 0) = nan;
    REQUIRE_THROWS_AS(km.fit(bad), alea::InvalidArgument);
    CHECK(km.cluster_centers() == centres);
  }
}

TEMPLATE_TEST_CASE("KMeans save and load reproduce the model exactly", "[density][kmeans][io]",
                   float, double) {
  using T = TestType;
  alea::Rng rng{12};
  const MatrixX<T> X = alea::standard_normal<T>(rng, 200, 3);
  const MatrixX<T> Q = alea::standard_normal<T>(rng, 30, 3);
  const auto folder = test::temporary_folder(std::string("kmeans-") + alea::scalar_name<T>());
  KMeans<T> km({.n_clusters = 4,
                .init = KMeansInit::random,
                .n_init = 3,
                .max_iter = 50,
                .tol = 1e-6,
                .seed = 99});
  km.fit(X);
  alea::save(km, folder / "m.json");
  const auto back = alea::load<KMeans<T>>(folder / "m.json");
  CHECK(test::same_bits(back.cluster_centers(), km.cluster_centers()));
  CHECK(back.labels() == km.labels());
  CHECK(back.inertia() == km.inertia());
  CHECK(back.n_iter() == km.n_iter());
  CHECK(back.converged() == km.converged());
  CHECK(back.predict(Q) == km.predict(Q));
  CHECK(back.settings().init == KMeansInit::random);
  CHECK(back.settings().n_init == 3);
  CHECK(back.settings().max_iter == 50);
  CHECK(back.settings().tol == 1e-6);
  CHECK(back.settings().seed == 99);
  CHECK_FALSE(back.settings().centers_init);
  // Refitting the loaded model repeats the fit.
  KMeans<T> refit = back;
  refit.fit(X);
  CHECK(test::same_bits(refit.cluster_centers(), km.cluster_centers()));

  KMeans<T> given({.n_clusters = 2, .centers_init = MatrixX<double>{{0, 0, 0}, {1, 1, 1}}});
  given.fit(X);
  alea::save(given, folder / "given.json");
  const auto given_back = alea::load<KMeans<T>>(folder / "given.json");
  REQUIRE(given_back.settings().centers_init);
  CHECK(*given_back.settings().centers_init == *given.settings().centers_init);

  using Other = KMeans<std::conditional_t<std::is_same_v<T, float>, double, float>>;
  REQUIRE_THROWS_AS(alea::load<Other>(folder / "m.json"), alea::FormatError);
}

TEST_CASE("KMeans: a damaged model file raises FormatError", "[density][kmeans][io]") {
  const auto folder = test::temporary_folder("kmeans-damaged");
  KMeans<> km({.n_clusters = 2});
  km.fit(MatrixX<double>{{0, 0}, {0, 1}, {5, 5}, {5, 6}});
  nlohmann::json document = alea::to_document(km);
  const auto load = [&] {
    test::write_text(folder / "m.json", document.dump());
    return alea::load<KMeans<>>(folder / "m.json");
  };
  SECTION("a label out of range") {
    document["data"]["labels"][1] = 2;
    REQUIRE_THROWS_AS(load(), alea::FormatError);
    REQUIRE_THROWS_WITH(load(), Catch::Contains("field 'labels' has an entry that is not a "
                                                "cluster index at index 1"));
  }
  SECTION("centres and n_clusters disagree") {
    document["data"]["n_clusters"] = 3;
    REQUIRE_THROWS_WITH(load(), Catch::Contains("field 'cluster_centers' has 2 rows, but "
                                                "n_clusters is 3"));
  }
  SECTION("a missing field") {
    document["data"].erase("inertia");
    REQUIRE_THROWS_WITH(load(), Catch::Contains("field 'inertia' is missing"));
  }
  SECTION("an unknown init") {
    document["data"]["init"] = "k-means||";
    REQUIRE_THROWS_WITH(load(), Catch::Contains("field 'init' is not a KMeansInit: 'k-means||'"));
  }
  SECTION("invalid settings") {
    document["data"]["max_iter"] = 0;
    REQUIRE_THROWS_AS(load(), alea::FormatError);
    REQUIRE_THROWS_WITH(load(), Catch::Contains("max_iter is 0, but must be positive"));
  }
  SECTION("non-finite centres") {
    document["data"]["cluster_centers"]["data"][0] = "NaN";
    REQUIRE_THROWS_AS(load(), alea::FormatError);
  }
}

TEST_CASE("KMeans satisfies the concepts it claims", "[density][kmeans]") {
  STATIC_REQUIRE(alea::WeightedEstimator<KMeans<>>);
  STATIC_REQUIRE(alea::WeightedEstimator<KMeans<float>>);
  STATIC_REQUIRE(alea::Persistable<KMeans<>>);
  STATIC_REQUIRE(alea::Persistable<KMeans<float>>);
  STATIC_REQUIRE_FALSE(alea::Density<KMeans<>>);  // a clustering, not a density
}
