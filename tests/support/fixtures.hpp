#pragma once
// Test helpers shared by every module: the JSON fixtures written by the scripts in
// tests/fixtures/, small constructors of test data, comparisons and temporary folders.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <limits>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>
#include <vector>

#include "alea/core/random.hpp"
#include "alea/core/rng.hpp"
#include "alea/core/types.hpp"

namespace alea::test {

/// The source tree, from the environment variable ALEA_SOURCE_DIR that ctest sets for every
/// test (tests/CMakeLists.txt). A runtime value rather than a compile-time path keeps the
/// objects independent of where the tree is checked out, so ccache can reuse them.
inline std::filesystem::path source_dir() {
  const char* dir = std::getenv("ALEA_SOURCE_DIR");
  if (dir == nullptr || *dir == 0)
    throw std::runtime_error("ALEA_SOURCE_DIR is not set: run the tests through ctest");
  return dir;
}

/// The IEEE special values the bad-input tests feed in.
inline constexpr double infinity = std::numeric_limits<double>::infinity();
inline constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

/// tests/fixtures in the source tree.
inline std::filesystem::path fixture_dir() { return source_dir() / "tests" / "fixtures"; }

/// tests/fixtures/<name>, parsed on first use and kept for the rest of the run: many test
/// cases read the same file.
inline const nlohmann::json& fixture(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, nlohmann::json> parsed;  // std::map: references stay valid
  const std::lock_guard lock(mutex);
  auto found = parsed.find(name);
  if (found == parsed.end()) {
    std::ifstream in(fixture_dir() / name);
    if (!in) throw std::runtime_error("cannot open fixture " + name);
    found = parsed.emplace(name, nlohmann::json::parse(in)).first;
  }
  return found->second;
}

/// A JSON array of arrays as an n x d matrix.
template <class T = double>
MatrixX<T> matrix(const nlohmann::json& rows) {
  const auto n = static_cast<Index>(rows.size());
  const auto d = n > 0 && rows[0].is_array() ? static_cast<Index>(rows[0].size()) : Index(1);
  MatrixX<T> out(n, d);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < d; ++j) {
      out(i, j) =
          static_cast<T>(rows[i].is_array() ? rows[i][j].get<double>() : rows[i].get<double>());
    }
  }
  return out;
}

/// A JSON [k][d][d] array as k matrices.
inline std::vector<MatrixX<double>> matrices(const nlohmann::json& list) {
  std::vector<MatrixX<double>> out;
  for (const auto& m : list)
    out.push_back(matrix(m));
  return out;
}

/// A dynamic vector from a list. One instantiation of each function under test, whatever the
/// length (a fixed-size Eigen vector would instantiate one per length), keeps compile times down.
inline VectorX<double> vec(std::initializer_list<double> values) {
  VectorX<double> out(static_cast<Index>(values.size()));
  std::copy(values.begin(), values.end(), out.begin());
  return out;
}

/// A random symmetric positive definite d x d matrix A A^T / d + 0.5 I, A standard normal
/// (condition number ~10).
inline MatrixX<double> random_covariance(Rng& rng, Index d) {
  const MatrixX<double> A = standard_normal(rng, d, d);
  return A * A.transpose() / double(d) + 0.5 * MatrixX<double>::Identity(d, d);
}

/// A JSON array as a vector.
template <class T = double>
VectorX<T> vector(const nlohmann::json& values) {
  VectorX<T> out(static_cast<Index>(values.size()));
  for (Index i = 0; i < out.size(); ++i)
    out(i) = static_cast<T>(values[i].get<double>());
  return out;
}

/// |actual - expected| <= relative |expected| + 1e-15: relative agreement, with an absolute
/// floor for values that are 0 in exact arithmetic and come out as rounding.
inline bool close_to(double actual, double expected, double relative = 1e-12) {
  return std::abs(actual - expected) <= relative * std::abs(expected) + 1e-15;
}

/// Largest |a - b| / max(1, |b|) over entries: relative for large values, absolute near 0.
template <class A, class B>
double max_relative_error(const A& a, const B& b) {
  return ((a.template cast<double>() - b.template cast<double>()).array().abs() /
          b.template cast<double>().array().abs().max(1.0))
      .maxCoeff();
}

/// A fresh, empty temporary folder for one test, distinct per build tree (so that two builds
/// testing at once do not share it), removed with everything in it when the object goes out of
/// scope. It is the folder's path (a std::filesystem::path), so `folder / "file.json"` works.
class TemporaryFolder : public std::filesystem::path {
 public:
  explicit TemporaryFolder(const std::string& name)
      : std::filesystem::path(std::filesystem::temp_directory_path() /
                              ("alea-test-" +
                               std::to_string(std::hash<std::string>{}(
                                   std::filesystem::current_path().string())) +
                               "-" + name)) {
    std::filesystem::remove_all(*this);
    std::filesystem::create_directories(*this);
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
  ~TemporaryFolder() {
    std::error_code ignored;  // a destructor must not throw; a leftover folder is harmless
    std::filesystem::remove_all(*this, ignored);
  }
};

/// The folder of a test (see TemporaryFolder), as `const auto folder = temporary_folder("x");`.
inline TemporaryFolder temporary_folder(const std::string& name) {
  return TemporaryFolder(name);
}

/// Same shape and the same bits in every entry (so -0 differs from 0 and NaN equals NaN).
template <class Derived, class Other>
bool same_bits(const Eigen::MatrixBase<Derived>& a, const Eigen::MatrixBase<Other>& b) {
  using T = typename Derived::Scalar;
  using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  for (Index j = 0; j < a.cols(); ++j)
    for (Index i = 0; i < a.rows(); ++i)
      if (std::bit_cast<Bits>(a(i, j)) != std::bit_cast<Bits>(b(i, j))) return false;
  return true;
}

/// Writes `text` to `path` as it is.
inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

/// Names of the entries of `folder`.
inline std::vector<std::string> folder_entries(const std::filesystem::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    names.push_back(entry.path().filename().string());
  return names;
}

}  // namespace alea::test
