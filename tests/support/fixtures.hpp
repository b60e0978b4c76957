#pragma once
// Test helpers: reading the JSON fixtures written by the scripts in tests/fixtures/, and
// Monte Carlo tolerances.

#include <bit>
#include <cstdlib>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>
#include <vector>

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

/// tests/fixtures in the source tree.
inline std::filesystem::path fixture_dir() { return source_dir() / "tests" / "fixtures"; }

/// Parses tests/fixtures/<name>.
inline nlohmann::json fixture(const std::string& name) {
  std::ifstream in(fixture_dir() / name);
  if (!in) throw std::runtime_error("cannot open fixture " + name);
  return nlohmann::json::parse(in);
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

/// A JSON array as a vector.
template <class T = double>
VectorX<T> vector(const nlohmann::json& values) {
  VectorX<T> out(static_cast<Index>(values.size()));
  for (Index i = 0; i < out.size(); ++i)
    out(i) = static_cast<T>(values[i].get<double>());
  return out;
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
