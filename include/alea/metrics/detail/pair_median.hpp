#pragma once
/// @file
/// @brief An exact order statistic (the median heuristic's) of the P = N (N - 1) / 2 pairwise
/// squared distances of a set, streamed through the pairwise engine in bounded memory.
///
/// Selection by key ranges (a radix select with a data-driven first range): a squared distance
/// is >= 0, so the bits of its IEEE representation, read as an unsigned integer, order the
/// values as the numbers do. Each pass over the pairs counts the values below and inside a
/// range of keys, histograms the inside ones into at most 4096 buckets of equal key width, and
/// keeps their values if there are at most `capacity` of them. If the target rank falls inside
/// and the values were kept, std::nth_element among the kept values of the target's bucket
/// finishes; otherwise the range shrinks to the target's bucket (or to the side of the range
/// where the target lies) and another pass follows. A bucket one key wide holds equal values,
/// so the loop always ends.
///
/// The first range comes from a pilot: the pairs of 1024 rows spread evenly over the set. Its
/// quantiles at the target's fraction -+ delta bracket the target among all pairs with high
/// probability (on the benchmark's data the pilot's median sits at quantile 0.4996 of all pairs),
/// with delta chosen so that the bracket holds about 90% of `capacity` values (delta in
/// [0.005, 0.05]): then one pass keeps them all and the selection ends there. For N = 10,000
/// (5e7 pairs) and the default capacity of 2^22 values (32 MB in double), delta = 0.038. A
/// bracket that misses, or holds too many values, costs one or two more passes. Memory: the kept
/// values (at most `capacity`) and 4096 counts per row block; never the N x N matrix. The result is
/// exact and does not depend on the number of threads (counts are integers; the kept values are
/// selected, not summed).

#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string_view>
#include <type_traits>
#include <vector>

#include "alea/core/pairwise.hpp"
#include "alea/core/types.hpp"
#include "alea/metrics/detail/tiles.hpp"

namespace alea::metrics::detail {

/// The order-preserving key of a value >= 0 (the sign bit cleared, so that -0 is 0).
template <class T>
auto distance_key(T value) {
  using Key = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  Key key;
  std::memcpy(&key, &value, sizeof key);
  return Key(key & (std::numeric_limits<Key>::max() >> 1));
}

/// The value of a key (inverse of distance_key on values >= 0).
template <class T, class Key>
T key_value(Key key) {
  T value;
  std::memcpy(&value, &key, sizeof value);
  return value;
}

/// What one pass over the pairs found about a key range [low, high].
template <class T>
struct RangeCount {
  std::uint64_t below = 0;               ///< keys < low
  std::uint64_t inside = 0;              ///< low <= key <= high
  std::vector<std::uint64_t> histogram;  ///< inside keys by bucket (key - low) >> shift
  /// The inside values, in no particular order, if there were at most `capacity` of them.
  std::vector<T> kept;
};

/// One pass over the pairs i < j of Z: counts and histogram for the keys [low, high] and, when
/// at most `capacity` fall inside, their values.
template <class T, class Key>
RangeCount<T> count_range(const MatrixRef<T>& Z, Key low, Key high, int shift, std::size_t capacity,
                          const PairwiseSettings& settings, std::string_view function) {
  const Index blocks = row_block_count(Z.rows(), settings);
  const std::size_t buckets = std::size_t((high - low) >> shift) + 1;
  std::vector<std::uint64_t> below(std::size_t(blocks), 0), inside(std::size_t(blocks), 0);
  std::vector<std::vector<std::uint64_t>> histograms(static_cast<std::size_t>(blocks));
  // Uninitialised: only the reserved slots are written, and only those are read.
  const auto kept = std::make_unique_for_overwrite<T[]>(capacity);
  std::atomic<std::size_t> reserved{0};
  const T low_value = key_value<T>(low);
  const T high_value = key_value<T>(high);
  for_each_upper_distance_tile<T>(
      Z,
      [&](Index block, Index i0, Index j0, const MatrixX<T>& D) {
        auto& histogram = histograms[std::size_t(block)];
        if (histogram.empty()) histogram.assign(buckets, 0);
        std::vector<T> column_inside(std::size_t(D.rows()));
        for_each_upper_column(i0, j0, D.rows(), D.cols(), [&](Index b, Index above) {
          const T* column = D.col(b).data();
          // Counts in a loop the compiler vectorises (`&`, not `&&`: no branch). Comparisons
          // on values agree with comparisons on keys for values >= 0.
          std::uint64_t column_below = 0, count = 0;
          for (Index a = 0; a < above; ++a) {
            const T value = column[a];
            column_below += value < low_value;
            count += (value >= low_value) & (value <= high_value);
          }
          below[std::size_t(block)] += column_below;
          if (count == 0) return;
          inside[std::size_t(block)] += count;
          // The inside values to the front of column_inside, branch-free: every value is
          // written, and the position advances only past inside ones.
          std::size_t c = 0;
          for (Index a = 0; a < above; ++a) {
            const T value = column[a];
            column_inside[c] = value;
            c += (value >= low_value) & (value <= high_value);
          }
          for (std::size_t k = 0; k < c; ++k)
            ++histogram[std::size_t((distance_key(column_inside[k]) - low) >> shift)];
          // One reservation per column (an atomic per value would serialise the threads); once
          // the capacity is exceeded nothing more is kept.
          if (reserved.load(std::memory_order_relaxed) >= capacity) return;
          const std::size_t slot = reserved.fetch_add(c, std::memory_order_relaxed);
          if (slot < capacity)
            std::copy_n(column_inside.begin(), std::min(c, capacity - slot), kept.get() + slot);
        });
      },
      settings, function);
  RangeCount<T> out;
  out.histogram.assign(buckets, 0);
  for (std::size_t b = 0; b < below.size(); ++b) {
    out.below += below[b];
    out.inside += inside[b];
    if (!histograms[b].empty())
      for (std::size_t k = 0; k < buckets; ++k)
        out.histogram[k] += histograms[b][k];
  }
  if (out.inside <= capacity) out.kept.assign(kept.get(), kept.get() + out.inside);
  return out;
}

/// The smallest shift such that keys low..high fall into at most 4096 buckets.
template <class Key>
int bucket_shift(Key low, Key high) {
  const int width = std::bit_width(std::uint64_t(high - low));
  return std::max(0, width - 12);
}

/// The rank-th smallest (0-based) of the squared distances ||z_i - z_j||^2 over the pairs
/// i < j of the rows of Z (N x d, N >= 2, checked by the caller), exactly; see the file comment.
/// @param capacity how many values a pass may keep (memory: capacity values of T).
template <class T>
T pair_squared_distance_order_statistic(const MatrixRef<T>& Z, std::uint64_t rank,
                                        const PairwiseSettings& settings, std::string_view function,
                                        std::size_t capacity = std::size_t(1) << 22) {
  using Key = decltype(distance_key(T(0)));
  const Index N = Z.rows();
  const std::uint64_t pairs = std::uint64_t(N) * std::uint64_t(N - 1) / 2;
  Key low = 0;
  Key high = distance_key(std::numeric_limits<T>::max());
  constexpr Index pilot_rows = 1024;
  if (N > pilot_rows) {
    // Pilot on rows floor(i N / 1024), spread over all of Z: all its pairs are kept.
    MatrixX<T> strided(pilot_rows, Z.cols());
    for (Index i = 0; i < pilot_rows; ++i)
      strided.row(i) = Z.row(i * N / pilot_rows);
    const std::uint64_t pilot_pairs = std::uint64_t(pilot_rows) * (pilot_rows - 1) / 2;
    std::vector<T> pilot = count_range<T, Key>(strided, low, high, bucket_shift(low, high),
                                               pilot_pairs, settings, function)
                               .kept;
    // The pilot's values at the target's fraction -+ delta bracket it among all pairs.
    const double fraction = double(rank) / double(pairs);
    const double delta = std::clamp(0.45 * double(capacity) / double(pairs), 0.005, 0.05);
    const auto pilot_rank = [&](double f) {
      return std::size_t(std::clamp(f, 0.0, 1.0) * double(pilot_pairs - 1));
    };
    const std::size_t lo = pilot_rank(fraction - delta), hi = pilot_rank(fraction + delta);
    std::nth_element(pilot.begin(), pilot.begin() + std::ptrdiff_t(lo), pilot.end());
    low = distance_key(pilot[lo]);
    std::nth_element(pilot.begin(), pilot.begin() + std::ptrdiff_t(hi), pilot.end());
    high = distance_key(pilot[hi]);
  }
  for (;;) {
    const int shift = bucket_shift(low, high);
    RangeCount<T> count = count_range<T, Key>(Z, low, high, shift,
                                              std::size_t(std::min<std::uint64_t>(capacity, pairs)),
                                              settings, function);
    if (rank < count.below) {  // the target lies below the range
      high = low - 1;
      low = 0;
      continue;
    }
    if (rank >= count.below + count.inside) {  // above the range: up to the largest value
      low = high + 1;
      high = distance_key(std::numeric_limits<T>::max());
      continue;
    }
    // The target's bucket, and its rank among the values of that bucket.
    std::uint64_t within = rank - count.below;
    std::size_t bucket = 0;
    while (count.histogram[bucket] <= within)
      within -= count.histogram[bucket++];
    const Key bucket_low = Key(low + (Key(bucket) << shift));
    if (shift == 0) return key_value<T>(bucket_low);  // a bucket of one key: equal values
    const Key bucket_high = std::min<Key>(high, Key(bucket_low + ((Key(1) << shift) - 1)));
    if (count.inside <= capacity) {  // all kept: select among those of the target's bucket
      std::vector<T> members;
      for (const T value : count.kept) {
        const Key key = distance_key(value);
        if (key >= bucket_low && key <= bucket_high) members.push_back(value);
      }
      std::nth_element(members.begin(), members.begin() + std::ptrdiff_t(within), members.end());
      return members[std::size_t(within)];
    }
    low = bucket_low;  // too many to keep: the next pass keeps the target's bucket
    high = bucket_high;
  }
}

}  // namespace alea::metrics::detail
