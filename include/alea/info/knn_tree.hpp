#pragma once
/// @file
/// @brief The neighbour searches behind alea's k-NN information estimators (knn.hpp): a k-d
/// tree searched in the Euclidean or the maximum norm (k nearest neighbours, radius counts),
/// and exact radius counts in one dimension by galloping search in a sorted copy.
///
/// **Why not nanoflann here.** KnnDensity uses nanoflann, but two things rule it out for the
/// estimators: nanoflann (1.4) bounds a node by a sum of per-axis terms (its L1/L2 adaptors),
/// which cannot express the maximum norm that KSG and Frenzel-Pompe need in the joint space
/// (the bound there is the largest per-axis gap); and its single-threaded build took 20-40 ms
/// for 10^5 points on this project's machine, against a budget of 44 ms for the whole KSG
/// estimate (a tenth of scikit-learn's time).
///
/// **The build.** A binary k-d tree: each node splits on the widest coordinate of its tight
/// box, at the box's middle (the sliding-midpoint rule of SciPy's cKDTree), slid when that
/// would leave less than a quarter of the points on one side to the nearer of two quantiles
/// (3/8 and 5/8) of a sample, or failing that to the median, so the depth stays below
/// log_{4/3} n whatever the data, duplicates included. The rows themselves are moved, from one
/// buffer to another at each level, so that every node's points are contiguous. The top levels
/// are split on one thread, the subtrees below n / 16 points in parallel (OpenMP), each into its
/// own part, appended after.
///
/// **The search tree.** Three binary levels are then collapsed into one node of up to 8
/// children, whose tight boxes are stored lane by lane: one vector operation per coordinate
/// bounds the distance from a query to all eight (as 8-wide bounding volume hierarchies do), and
/// the children nearer than the current k-th distance are found as a bit mask, without a
/// data-dependent branch per child. Leaves hold at most leaf_size points, stored again packed 8
/// at a time (coordinate by coordinate), so a leaf is scanned in whole vectors.
///
/// **Searches.**
/// - nearest_to_stored(): the k nearest other points of a stored point (the estimators query
///   every data point, in storage order, so consecutive queries reuse the same nodes from
///   cache). It scans the point's own leaf and climbs: at each ancestor the other children are
///   searched (depth-first, the nearest child first, a child opened while its box is nearer than
///   the current k-th distance), and the climb stops as soon as the ball of the k-th distance
///   lies inside the current subtree's box: no point outside it can then be nearer.
/// - nearest(): the same from the root, for a query that is not stored.
/// - count_within(): the number of points at distance <= r from a query; a child whose farthest
///   box corner is within r is counted whole, without visiting its points.
///
/// **Exactness.** Distances are computed as the estimators define them, in the scalar type:
/// max_j |a_j - b_j| for the maximum norm and sum_j (a_j - b_j)^2, summed in coordinate order
/// (the squared distance), for the Euclidean norm. Floating-point subtraction, squaring and
/// adding non-negative terms in a fixed order are monotone, so the distance computed from a
/// query to a box never exceeds the distance computed to a point in or beyond it: pruning,
/// stopping and whole-node counting agree exactly with a brute-force scan, tie for tie (the tests
/// check this). One caveat, for the Euclidean norm only: a compiler that contracts a * b + c
/// into a fused multiply-add (GCC does by default for targets with FMA, -march=native among
/// them) rounds the sums once per term instead of twice. Fused sums are monotone as well, but
/// the compiler chooses where to fuse, so a distance may then differ in its last bit from a
/// separately compiled scan (the tests built with -march=native saw it in the k-th
/// distances). -ffp-contract=off restores the exact agreement. The maximum norm,
/// which the KSG and Frenzel-Pompe counts use, has no products and is exact either way.
///
/// **Determinism.** Splits depend on the data only and each query is independent: results do
/// not depend on the number of threads.

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__AVX__)
#include <immintrin.h>
#endif

#include "alea/core/parallel.hpp"
#include "alea/core/types.hpp"

namespace alea::info {

/// The norm in which k-NN distances are measured.
enum class Norm {
  euclidean,  ///< ||a - b||_2
  max,        ///< ||a - b||_inf = max_j |a_j - b_j| (Chebyshev): the KSG estimators' norm
};

namespace detail::knn {

/// Row-major point storage, one point per row.
template <class T>
using RowPoints = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Adds one axis's gap (>= 0) to a distance in `norm` (squared for Euclidean).
template <Norm norm, class T>
inline T accumulate(T distance, T gap) {
  if constexpr (norm == Norm::max) {
    return std::max(distance, gap);
  } else {
    return distance + gap * gap;
  }
}

/// Distance between two points of dimension d in `norm`; for Norm::euclidean the squared
/// distance (the searches compare squared distances; callers take the root where needed).
template <Norm norm, class T>
inline T point_distance(const T* a, const T* b, Index d) {
  T out = 0;
  for (Index j = 0; j < d; ++j)
    out = accumulate<norm>(out, std::abs(a[j] - b[j]));
  return out;
}

/// Eight lanes of T: the children of a search node, or a chunk of packed points.
template <class T>
using Lanes = Eigen::Array<T, 8, 1>;

/// The bit mask of the lanes of `values` below `bound` (bit l for lane l). The searches turn
/// every comparison of eight bounds or distances into a mask and walk its set bits; one vector
/// compare and a mask move where the target has them (Eigen has no public movemask), eight
/// scalar compares elsewhere. NaN compares false everywhere.
template <class T>
inline unsigned lanes_below(const Lanes<T>& values, T bound) {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<T, double>) {
    return _mm512_cmp_pd_mask(_mm512_loadu_pd(values.data()), _mm512_set1_pd(bound), _CMP_LT_OQ);
  }
#endif
#if defined(__AVX__)
  if constexpr (std::is_same_v<T, float>) {
    return unsigned(_mm256_movemask_ps(
        _mm256_cmp_ps(_mm256_loadu_ps(values.data()), _mm256_set1_ps(bound), _CMP_LT_OQ)));
  }
  if constexpr (std::is_same_v<T, double>) {
    const __m256d limit = _mm256_set1_pd(bound);
    const auto half = [&](int at) {
      const __m256d below = _mm256_cmp_pd(_mm256_loadu_pd(values.data() + at), limit, _CMP_LT_OQ);
      return unsigned(_mm256_movemask_pd(below));
    };
    return half(0) | half(4) << 4;
  }
#endif
  unsigned mask = 0;
  for (int l = 0; l < 8; ++l)
    mask |= unsigned(values(l) < bound) << l;
  return mask;
}

/// The k nearest points found so far for one query, nearest first: distances (squared for
/// Euclidean) and stored positions. worst() is +infinity until k points are in.
template <class T>
class Neighbors {
 public:
  void reset(Index k) {
    distance_.assign(std::size_t(k), std::numeric_limits<T>::infinity());
    position_.assign(std::size_t(k), -1);
    worst_ = std::numeric_limits<T>::infinity();
  }
  /// The k-th distance so far (a copy of the last entry: the searches read it constantly).
  [[nodiscard]] T worst() const { return worst_; }
  /// Inserts a point closer than worst(), dropping the farthest.
  void insert(T dist, Index position) {
    std::size_t i = distance_.size() - 1;
    for (; i > 0 && distance_[i - 1] > dist; --i) {
      distance_[i] = distance_[i - 1];
      position_[i] = position_[i - 1];
    }
    distance_[i] = dist;
    position_[i] = position;
    worst_ = distance_.back();
  }
  [[nodiscard]] const std::vector<Index>& positions() const { return position_; }

 private:
  std::vector<T> distance_;
  std::vector<Index> position_;
  T worst_ = std::numeric_limits<T>::infinity();
};

/// The tight box of `count` >= 1 points of d coordinates stored one after another from `rows`:
/// low[j] and high[j] are the least and greatest coordinate j. Eight points are d packets of 8
/// values, lane l of packet v holding coordinate (8 v + l) mod d, so d packet-wide minima and
/// maxima run down the points with no dependency between them and fold into the coordinates at
/// the end (a coordinate at a time, the minimum is a strided chain of scalar minima, ~6 times
/// slower). `scratch` has room for 16 d values.
template <class T>
void bounding_box(const T* rows, Index count, Index d, T* low, T* high, T* scratch) {
  using Lanes = knn::Lanes<T>;
  std::fill(low, low + d, std::numeric_limits<T>::infinity());
  std::fill(high, high + d, -std::numeric_limits<T>::infinity());
  const Index blocks = count / 8;
  if (blocks > 0) {
    T* least = scratch;
    T* greatest = scratch + 8 * d;
    std::copy(rows, rows + 8 * d, least);
    std::copy(rows, rows + 8 * d, greatest);
    for (Index b = 1; b < blocks; ++b) {
      const T* block = rows + b * 8 * d;
      for (Index v = 0; v < d; ++v) {
        const Eigen::Map<const Lanes> packet(block + 8 * v);
        Eigen::Map<Lanes>(least + 8 * v) = Eigen::Map<Lanes>(least + 8 * v).min(packet);
        Eigen::Map<Lanes>(greatest + 8 * v) = Eigen::Map<Lanes>(greatest + 8 * v).max(packet);
      }
    }
    for (Index i = 0; i < 8 * d; ++i) {
      low[i % d] = std::min(low[i % d], least[i]);
      high[i % d] = std::max(high[i % d], greatest[i]);
    }
  }
  for (Index i = blocks * 8 * d; i < count * d; ++i) {
    low[i % d] = std::min(low[i % d], rows[i]);
    high[i % d] = std::max(high[i % d], rows[i]);
  }
}

/// A k-d tree over n points in d dimensions; see the file comment. Immutable once built, so
/// threads query it concurrently.
template <class T>
class NeighborTree {
 public:
  /// Builds the tree over the rows of `points` (n x d, n >= 1), which it takes over.
  /// @param leaf_size leaves hold at most this many points (at least 1).
  NeighborTree(RowPoints<T> points, Index leaf_size)
      : dim_(points.cols()), leaf_size_(std::max<Index>(leaf_size, 1)), points_(std::move(points)) {
    const Index n = points_.rows();
    order_.resize(std::size_t(n));
    for (Index i = 0; i < n; ++i)
      order_[std::size_t(i)] = i;
    Shared shared{RowPoints<T>(n, dim_), std::vector<Index>(std::size_t(n)),
                  std::vector<T>(std::size_t(n))};
    std::vector<T> root(std::size_t(2 * dim_));
    std::vector<T> scratch(std::size_t(16 * dim_));
    bounding_box(points_.data(), n, dim_, root.data(), root.data() + dim_, scratch.data());
    // In parallel, the binary tree is built in three phases: the root's split on one thread;
    // its two halves on two threads, each down to subtrees of at most n / 16 points (>= 4096);
    // those subtrees, on the threads as they come free. Each builds into a part of its own,
    // appended after; the tree is the same as one thread's.
    [[maybe_unused]] const bool threads =
        alea::detail::worth_threads(double(n) * double(dim_ + 4) * std::log2(double(n) + 1));
    // Every split leaves at least a quarter on each side: depth <= log_{4/3}(n) + 1.
    const auto depth = Index(std::ceil(std::log(double(n) + 1) / std::log(4.0 / 3.0))) + 2;
    const auto slots = std::size_t(depth * 4 * dim_);
    const Index grain = std::max<Index>(n / 16, 4096);
    Part binary;
    binary.boxes.resize(slots);
    std::vector<Pending> halves;
    build(binary, {0, n, -1, 0}, root.data(), shared, threads ? n - 1 : n,
          threads ? &halves : nullptr);
    std::vector<Part> half_parts(halves.size());
    std::vector<std::vector<Pending>> half_pending(halves.size());
#if defined(_OPENMP)
#pragma omp parallel for schedule(static, 1) if (threads)
#endif
    for (std::size_t h = 0; h < halves.size(); ++h) {
      half_parts[h].boxes.resize(slots);
      build(half_parts[h], halves[h].task, halves[h].box.data(), shared, grain, &half_pending[h]);
    }
    std::vector<Pending> pending;
    for (std::size_t h = 0; h < halves.size(); ++h) {
      const Index offset = append(binary, half_parts[h], halves[h]);
      for (Pending& subtree : half_pending[h]) {
        subtree.task.parent += offset;  // its parent now lives in `binary`
        pending.push_back(std::move(subtree));
      }
    }
    std::vector<Part> parts(pending.size());
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic, 1) if (threads)
#endif
    for (std::size_t t = 0; t < pending.size(); ++t) {
      parts[t].boxes.resize(slots);
      build(parts[t], pending[t].task, pending[t].box.data(), shared, n, nullptr);
    }
    std::size_t nodes = binary.nodes.size();
    for (const Part& part : parts)
      nodes += part.nodes.size();
    binary.nodes.reserve(nodes);
    binary.low.reserve(nodes * std::size_t(dim_));
    binary.high.reserve(nodes * std::size_t(dim_));
    for (std::size_t t = 0; t < pending.size(); ++t)
      append(binary, parts[t], pending[t]);
    // Room for the search tree, so that it is not copied as it grows: each of its nodes is a
    // binary node with children (nodes / 2 of them), each of its leaves a binary leaf.
    const std::size_t splits = nodes / 2;
    wide_.reserve(splits);
    leaves_.reserve(splits + 1);
    box_low_.reserve(splits * std::size_t(dim_));
    box_high_.reserve(splits * std::size_t(dim_));
    child_low_.reserve(splits * std::size_t(8 * dim_));
    child_high_.reserve(splits * std::size_t(8 * dim_));
    leaf_of_.resize(std::size_t(n));
    collapse(binary, 0, -1, -1);
    pack(threads);
    rank_.resize(std::size_t(n));
#if defined(_OPENMP)
#pragma omp parallel for if (threads)
#endif
    for (Index p = 0; p < n; ++p)
      rank_[std::size_t(order_[std::size_t(p)])] = p;
  }

  [[nodiscard]] Index size() const {
    return points_.rows();
  }
  [[nodiscard]] Index dim() const {
    return dim_;
  }
  /// The original row of the point stored at `position`.
  [[nodiscard]] Index row(Index position) const {
    return order_[std::size_t(position)];
  }
  /// The stored position of original row `row`.
  [[nodiscard]] Index position(Index row) const {
    return rank_[std::size_t(row)];
  }
  /// The stored points, n x d, in storage (tree) order.
  [[nodiscard]] const RowPoints<T>& points() const {
    return points_;
  }
  /// The point stored at `position` (d contiguous values).
  [[nodiscard]] const T* point(Index position) const {
    return points_.row(position).data();
  }

  /// The k = out's size nearest other stored points to the point stored at `position` (see the
  /// file comment). out must have been reset(k), 1 <= k < size().
  template <Norm norm>
  void nearest_to_stored(Index position, Neighbors<T>& out) const {
    const T* query = point(position);
    const Leaf& leaf = leaves_[std::size_t(leaf_of_[std::size_t(position)])];
    scan<norm>(leaf, query, position, out);
    const Index slot_stride = 8;
    Index node = leaf.parent;
    Index from = leaf.slot;
    const T* low = &child_low_[std::size_t(node * dim_ * 8 + from)];
    const T* high = &child_high_[std::size_t(node * dim_ * 8 + from)];
    if (ball_inside<norm>(low, high, slot_stride, query, out.worst())) return;
    for (;;) {
      search<norm>(node, query, out, from);
      const Wide& here = wide_[std::size_t(node)];
      if (here.parent < 0 ||
          ball_inside<norm>(&box_low_[std::size_t(node * dim_)],
                            &box_high_[std::size_t(node * dim_)], 1, query, out.worst())) {
        return;
      }
      from = here.slot;
      node = here.parent;
    }
  }

  /// The k = out's size nearest stored points to `query` (d values). out must have been
  /// reset(k), 1 <= k <= size().
  template <Norm norm>
  void nearest(const T* query, Neighbors<T>& out) const {
    search<norm>(0, query, out, -1);
  }

  /// The number of stored points at distance <= radius from `query` (radius squared for the
  /// Euclidean norm), the query itself included if it is stored.
  template <Norm norm>
  [[nodiscard]] Index count_within(const T* query, T radius) const {
    return count<norm>(0, query, radius);
  }

 private:
  using Lanes = knn::Lanes<T>;

  /// A node of the binary build tree: its points are the positions [begin, end); a leaf has no
  /// children (-1). Its tight bounding box is at Part::low/high[index * d ...].
  struct Node {
    Index begin;
    Index end;
    Index left;
    Index right;
  };

  /// Buffers of the build shared by all threads, one slot per position (a subtree uses its own
  /// range): rows and their order being partitioned, keys for a selection.
  struct Shared {
    RowPoints<T> rows;
    std::vector<Index> order;
    std::vector<T> keys;
  };

  /// A subtree to build: positions [begin, end), its parent and depth.
  struct Task {
    Index begin;
    Index end;
    Index parent;
    Index depth;
  };

  /// Binary nodes and boxes built by one thread, indexed from 0.
  struct Part {
    std::vector<Node> nodes;
    std::vector<T> low;
    std::vector<T> high;
    std::vector<T> boxes;    // children's boxes, 4 d values per depth of the tree (see build)
    std::vector<T> scratch;  // for bounding_box
  };

  /// A subtree left for the parallel phase: where it hangs in the top part, and its box.
  struct Pending {
    Task task;
    Index parent_side;  // 0: the parent's left child, 1: its right child
    std::vector<T> box;
  };

  /// A node of the search tree: up to 8 children (the binary tree's descendants three levels
  /// down, or leaves met earlier), whose boxes are stored lane by lane in child_low_ /
  /// child_high_[(index * d + j) * 8 + slot], so that one vector operation per coordinate bounds
  /// all eight. A child >= 0 is a node, a leaf is ~leaf (< 0), an unused slot has `empty` and
  /// an empty box (low +inf, high -inf: never reached, size 0).
  struct Wide {
    std::array<Index, 8> child;
    std::array<Index, 8> size;  // points under each child
    Index parent;               // -1 at the root
    Index slot;                 // this node's slot in its parent
  };
  static constexpr Index empty = std::numeric_limits<Index>::min();

  /// A leaf: positions [begin, end), where its box is (slot `slot` of node `parent`), and its
  /// points in packed_ from chunk `chunk` on (see packed_).
  struct Leaf {
    Index begin;
    Index end;
    Index parent;
    Index slot;
    Index chunk;
  };

  /// Builds the subtree `task`, whose tight box is `box` (d lows, then d highs), into `part` in
  /// preorder, and returns its root's index there. Above the leaf size the rows are split on
  /// the widest coordinate at the middle of the box (the sliding-midpoint rule of SciPy's
  /// cKDTree: cheap, and it keeps boxes square-ish), unless that leaves less than a quarter of
  /// them on one side. Then (above 256 rows) the split slides to the nearer of the 3/8 and 5/8
  /// quantiles of a strided sample of 64 keys. Were the sample random, the count of its keys
  /// below the true lower quartile would be Binomial(64, 1/4) (mean 16, standard deviation
  /// 3.5), and the 25th smallest key would fall short of the quartile with probability 0.9%.
  /// Gaussian data needed this at half the nodes, and a median selection there was a fifth of
  /// the build. Failing that, the split is at the median, with the keys equal to it sent left
  /// in position order until the lower half is full (exactly balanced, whatever the ties). So
  /// the depth stays below log_{4/3} n, and the shape depends on the data only. A child of at most
  /// `grain` points is not built but recorded in `pending` (when given), with index -1.
  Index build(Part& part, Task task, const T* box, Shared& shared, Index grain,
              std::vector<Pending>* pending) {
    const auto index = static_cast<Index>(part.nodes.size());
    const Index begin = task.begin;
    const Index end = task.end;
    const Index depth = task.depth;
    part.nodes.push_back({begin, end, -1, -1});
    part.low.insert(part.low.end(), box, box + dim_);
    part.high.insert(part.high.end(), box + dim_, box + 2 * dim_);
    const Index count = end - begin;
    // The rows (and their original numbers) of a node at an even depth are in points_ (order_),
    // at an odd depth in shared.rows (shared.order): a split moves them to the other buffer,
    // and a leaf at an odd depth moves them back.
    const bool even = depth % 2 == 0;
    const RowPoints<T>& from = even ? points_ : shared.rows;
    RowPoints<T>& to = even ? shared.rows : points_;
    const std::vector<Index>& from_order = even ? order_ : shared.order;
    std::vector<Index>& to_order = even ? shared.order : order_;
    if (count <= leaf_size_) {
      if (!even) {
        std::copy(from.row(begin).data(), from.row(begin).data() + count * dim_,
                  to.row(begin).data());
        std::copy(from_order.begin() + begin, from_order.begin() + end, to_order.begin() + begin);
      }
      return index;
    }
    Index axis = 0;
    for (Index j = 1; j < dim_; ++j) {
      if (box[dim_ + j] - box[j] > box[dim_ + axis] - box[axis]) axis = j;
    }
    T split = box[axis] + (box[dim_ + axis] - box[axis]) / 2;
    Index left_count = 0;
    for (Index p = begin; p < end; ++p)
      left_count += from(p, axis) < split;
    Index equal_to_left = 0;  // how many keys equal to `split` go left (median split only)
    // A side with fewer than a quarter of the rows (or none at all, as identical rows on a
    // small node would give) falls back to the median split.
    const Index quarter = std::max<Index>(count / 4, 1);
    const auto unbalanced = [&] { return left_count < quarter || count - left_count < quarter; };
    if (unbalanced() && count > 256) {
      const auto sample = sorted_sample(from, begin, count, axis);
      split = std::clamp(split, sample[24], sample[40]);
      left_count = 0;
      for (Index p = begin; p < end; ++p)
        left_count += from(p, axis) < split;
    }
    if (unbalanced()) {
      left_count = count / 2;
      Index below = 0;
      std::tie(split, below) =
          select(from, begin, count, axis, left_count, shared.keys.data() + begin);
      equal_to_left = left_count - below;
    }
    Index next[2] = {begin, begin + left_count};  // the next free row of each side
    for (Index p = begin; p < end; ++p) {
      const T key = from(p, axis);
      const bool equal_left = key == split && equal_to_left > 0;
      equal_to_left -= equal_left;
      // Indexing by the side, not branching on it: the side is random.
      const Index at = next[(key < split || equal_left) ? 0 : 1]++;
      const T* row = from.row(p).data();
      T* destination = to.row(at).data();
      for (Index j = 0; j < dim_; ++j)
        destination[j] = row[j];
      to_order[std::size_t(at)] = from_order[std::size_t(p)];
    }
    // The children's tight boxes (low, then high), from their rows, now contiguous. Deeper
    // builds use deeper slots, so the right child's box is intact after the left's build.
    const Task children[2] = {{begin, begin + left_count, index, depth + 1},
                              {begin + left_count, end, index, depth + 1}};
    part.scratch.resize(std::size_t(16 * dim_));
    for (int c = 0; c < 2; ++c) {
      T* child_box = part.boxes.data() + std::size_t((depth * 4 + 2 * c) * dim_);
      bounding_box(to.row(children[c].begin).data(), children[c].end - children[c].begin, dim_,
                   child_box, child_box + dim_, part.scratch.data());
    }
    for (int c = 0; c < 2; ++c) {
      const T* child_box = part.boxes.data() + std::size_t((depth * 4 + 2 * c) * dim_);
      Index child = -1;
      if (pending != nullptr && children[c].end - children[c].begin <= grain) {
        pending->push_back({children[c], c, std::vector<T>(child_box, child_box + 2 * dim_)});
      } else {
        child = build(part, children[c], child_box, shared, grain, pending);
      }
      (c == 0 ? part.nodes[std::size_t(index)].left : part.nodes[std::size_t(index)].right) = child;
    }
    return index;
  }

  /// Appends a part built in parallel to the binary tree: its indices shift by the nodes
  /// already there (the offset returned), and its root becomes the pending child of its parent
  /// in the top part.
  Index append(Part& whole, const Part& part, const Pending& where) const {
    const auto offset = static_cast<Index>(whole.nodes.size());
    const auto shift = [offset](Index i) { return i < 0 ? i : i + offset; };
    for (const Node& node : part.nodes)
      whole.nodes.push_back({node.begin, node.end, shift(node.left), shift(node.right)});
    Node& parent = whole.nodes[std::size_t(where.task.parent)];
    (where.parent_side == 0 ? parent.left : parent.right) = offset;
    whole.low.insert(whole.low.end(), part.low.begin(), part.low.end());
    whole.high.insert(whole.high.end(), part.high.begin(), part.high.end());
    return offset;
  }

  /// Turns the binary subtree at node b into search-tree nodes (preorder) and leaves; returns
  /// the index of its search node, hung at `slot` of `parent`.
  Index collapse(const Part& binary, Index b, Index parent, Index slot) {
    const auto index = static_cast<Index>(wide_.size());
    Wide wide;
    wide.child.fill(empty);
    wide.size.fill(0);
    wide.parent = parent;
    wide.slot = slot;
    wide_.push_back(wide);
    const T* low = &binary.low[std::size_t(b * dim_)];
    const T* high = &binary.high[std::size_t(b * dim_)];
    box_low_.insert(box_low_.end(), low, low + dim_);
    box_high_.insert(box_high_.end(), high, high + dim_);
    child_low_.resize(child_low_.size() + std::size_t(8 * dim_),
                      std::numeric_limits<T>::infinity());
    child_high_.resize(child_high_.size() + std::size_t(8 * dim_),
                       -std::numeric_limits<T>::infinity());
    // The descendants three levels down (fewer where leaves come first), left to right.
    Index found[8];
    Index count = 0;
    const auto gather = [&](const auto& self, Index node, int level) -> void {
      const Node& here = binary.nodes[std::size_t(node)];
      if (level == 3 || here.left < 0) {
        found[count++] = node;
        return;
      }
      self(self, here.left, level + 1);
      self(self, here.right, level + 1);
    };
    gather(gather, b, 0);
    for (Index c = 0; c < count; ++c) {
      const Node& node = binary.nodes[std::size_t(found[c])];
      for (Index j = 0; j < dim_; ++j) {
        child_low_[std::size_t((index * dim_ + j) * 8 + c)] =
            binary.low[std::size_t(found[c] * dim_ + j)];
        child_high_[std::size_t((index * dim_ + j) * 8 + c)] =
            binary.high[std::size_t(found[c] * dim_ + j)];
      }
      Index child;
      if (node.left < 0) {
        const auto leaf = static_cast<Index>(leaves_.size());
        leaves_.push_back({node.begin, node.end, index, c, chunks_});
        chunks_ += (node.end - node.begin + 7) / 8;
        for (Index p = node.begin; p < node.end; ++p)
          leaf_of_[std::size_t(p)] = leaf;
        child = ~leaf;
      } else {
        child = collapse(binary, found[c], index, c);
      }
      wide_[std::size_t(index)].child[std::size_t(c)] = child;
      wide_[std::size_t(index)].size[std::size_t(c)] = node.end - node.begin;
    }
    return index;
  }

  /// Coordinates `axis` of 64 rows evenly spread over [begin, begin + count), sorted: the sample
  /// behind the quantile split of build() and the bracket of select().
  static std::array<T, 64> sorted_sample(const RowPoints<T>& rows, Index begin, Index count,
                                         Index axis) {
    std::array<T, 64> sample;
    for (Index i = 0; i < 64; ++i)
      sample[std::size_t(i)] = rows(begin + i * count / 64, axis);
    std::sort(sample.begin(), sample.end());
    return sample;
  }

  /// The value of rank `rank` (0-based) among the coordinates `axis` of the rows [begin, begin +
  /// count), and how many of them are strictly below it. Above 512 rows it brackets the rank
  /// between two order statistics of a strided sample of 64 (the idea of Floyd and Rivest,
  /// "Algorithm 489: SELECT", CACM 18(3), 1975): one branch-free pass counts the keys below the
  /// bracket and gathers those inside it (about a third), and the selection runs on those alone.
  /// If the bracket misses the rank (a sample rank off by more than 3 standard deviations), a
  /// full selection follows. `keys` has room for count values.
  static std::pair<T, Index> select(const RowPoints<T>& rows, Index begin, Index count, Index axis,
                                    Index rank, T* keys) {
    constexpr Index samples = 64;
    constexpr Index margin = 12;  // 3 standard deviations of a sample rank (sqrt(64) / 2 = 4)
    if (count > 512) {
      const auto sample = sorted_sample(rows, begin, count, axis);
      const Index at = rank * samples / count;
      const T low = sample[std::size_t(std::max<Index>(at - margin, 0))];
      const T high = sample[std::size_t(std::min(at + margin, samples - 1))];
      Index below = 0;
      Index inside = 0;
      for (Index p = begin; p < begin + count; ++p) {
        const T key = rows(p, axis);
        below += key < low;
        keys[inside] = key;
        inside += key >= low && key <= high;
      }
      if (below <= rank && rank < below + inside) {
        std::nth_element(keys, keys + (rank - below), keys + inside);
        const T value = keys[rank - below];
        for (Index i = 0; i < inside; ++i)
          below += keys[i] < value;
        return {value, below};
      }
    }
    for (Index p = 0; p < count; ++p)
      keys[p] = rows(begin + p, axis);
    std::nth_element(keys, keys + rank, keys + count);
    const T value = keys[rank];
    Index below = 0;
    for (Index p = 0; p < count; ++p)
      below += keys[p] < value;
    return {value, below};
  }

  /// Distances from `query` to the nearest points of the 8 child boxes of `node` (0 inside;
  /// +infinity for an unused slot). The Euclidean sums run over the coordinates in order, as a
  /// point's distance does, so a bound never exceeds the computed distance of a point in its box.
  template <Norm norm>
  Lanes lower_bounds(Index node, const T* query) const {
    const T* low = &child_low_[std::size_t(node * dim_ * 8)];
    const T* high = &child_high_[std::size_t(node * dim_ * 8)];
    Lanes out = Lanes::Zero();
    for (Index j = 0; j < dim_; ++j) {
      const Lanes gap = (Eigen::Map<const Lanes>(low + 8 * j) - query[j])
                            .max(query[j] - Eigen::Map<const Lanes>(high + 8 * j))
                            .max(T(0));
      if constexpr (norm == Norm::max) {
        out = out.max(gap);
      } else {
        out += gap.square();
      }
    }
    return out;
  }

  /// Distances from `query` to the farthest corners of the 8 child boxes of `node` (meaningless
  /// for unused slots, whose size is 0).
  template <Norm norm>
  Lanes upper_bounds(Index node, const T* query) const {
    const T* low = &child_low_[std::size_t(node * dim_ * 8)];
    const T* high = &child_high_[std::size_t(node * dim_ * 8)];
    Lanes out = Lanes::Zero();
    for (Index j = 0; j < dim_; ++j) {
      const Lanes far = (query[j] - Eigen::Map<const Lanes>(low + 8 * j))
                            .max(Eigen::Map<const Lanes>(high + 8 * j) - query[j]);
      if constexpr (norm == Norm::max) {
        out = out.max(far);
      } else {
        out += far.square();
      }
    }
    return out;
  }

  /// Whether the ball of `radius` (squared for Euclidean) around `query` lies inside the box
  /// low[j * stride], high[j * stride]: every face at distance >= radius. A point outside the
  /// box's subtree lies beyond one of its faces (on the far side of an ancestor's split), so it
  /// is at least that far, and cannot be nearer.
  template <Norm norm>
  bool ball_inside(const T* low, const T* high, Index stride, const T* query, T radius) const {
    for (Index j = 0; j < dim_; ++j) {
      const T below = query[j] - low[j * stride];
      const T above = high[j * stride] - query[j];
      if (!(below >= 0 && above >= 0 && accumulate<norm>(T(0), below) >= radius &&
            accumulate<norm>(T(0), above) >= radius)) {
        return false;
      }
    }
    return true;
  }

  /// Copies the points into packed_, leaf by leaf, 8 at a time (see packed_).
  void pack([[maybe_unused]] bool threads) {
    packed_.resize(std::size_t(chunks_ * dim_ * 8));
    const auto leaves = static_cast<Index>(leaves_.size());
#if defined(_OPENMP)
#pragma omp parallel for schedule(static, 64) if (threads)
#endif
    for (Index l = 0; l < leaves; ++l) {
      const Leaf& leaf = leaves_[std::size_t(l)];
      const Index size = leaf.end - leaf.begin;
      for (Index offset = 0; offset < (size + 7) / 8 * 8; ++offset) {
        const Index chunk = leaf.chunk + offset / 8;
        for (Index j = 0; j < dim_; ++j) {
          packed_[std::size_t((chunk * dim_ + j) * 8 + offset % 8)] =
              offset < size ? points_(leaf.begin + offset, j) : std::numeric_limits<T>::infinity();
        }
      }
    }
  }

  /// `dist` with the gaps of 8 packed points (`coordinate`, 8 values) to `query_value` added,
  /// in `norm`.
  template <Norm norm>
  static Lanes add_gaps(const Lanes& dist, const T* coordinate, T query_value) {
    const Lanes difference = Eigen::Map<const Lanes>(coordinate) - query_value;
    if constexpr (norm == Norm::max) {
      return dist.max(difference.abs());
    } else {
      return dist + difference.square();  // the same bits as |difference|^2
    }
  }

  /// Offers the 8 points at positions first, first + 1, ... whose distances are `dist` (padding
  /// lanes +infinity) to out, except position `exclude`.
  static void offer(const Lanes& dist, Index first, Index exclude, Neighbors<T>& out) {
    T worst = out.worst();
    unsigned closer = lanes_below(dist, worst);
    while (closer != 0) {
      const auto l = Index(std::countr_zero(closer));
      closer &= closer - 1;
      if (dist(l) < worst && first + l != exclude) {
        out.insert(dist(l), first + l);
        worst = out.worst();
      }
    }
  }

  /// Offers the points of `leaf` (except position `exclude`) to out, 8 at a time: the distances
  /// of a chunk accumulate in one vector over the coordinates (in order, as every distance
  /// here), and a vector reduction with the k-th distance finds the rare closer points. Chunks
  /// go in pairs, whose sums are independent chains the core overlaps (one chunk's chain of d
  /// dependent additions, and the loads feeding it, would leave it waiting).
  template <Norm norm>
  void scan(const Leaf& leaf, const T* query, Index exclude, Neighbors<T>& out) const {
    const Index chunks = (leaf.end - leaf.begin + 7) / 8;
    const T* data = &packed_[std::size_t(leaf.chunk * dim_ * 8)];
    Index c = 0;
    for (; c + 1 < chunks; c += 2) {
      const T* first = data + c * dim_ * 8;
      const T* second = first + dim_ * 8;
      Lanes one = Lanes::Zero();
      Lanes two = Lanes::Zero();
      for (Index j = 0; j < dim_; ++j) {
        one = add_gaps<norm>(one, first + 8 * j, query[j]);
        two = add_gaps<norm>(two, second + 8 * j, query[j]);
      }
      if ((lanes_below(one, out.worst()) | lanes_below(two, out.worst())) == 0) {
        continue;  // the usual case
      }
      offer(one, leaf.begin + 8 * c, exclude, out);
      offer(two, leaf.begin + 8 * c + 8, exclude, out);
    }
    if (c < chunks) {
      const T* last = data + c * dim_ * 8;
      Lanes one = Lanes::Zero();
      for (Index j = 0; j < dim_; ++j)
        one = add_gaps<norm>(one, last + 8 * j, query[j]);
      if (lanes_below(one, out.worst()) != 0) offer(one, leaf.begin + 8 * c, exclude, out);
    }
  }

  /// Depth-first search below `node`, skipping its child in slot `skip` (-1: none): the
  /// children nearer than the current k-th distance, nearest first.
  template <Norm norm>
  void search(Index node, const T* query, Neighbors<T>& out, Index skip) const {
    const Lanes bounds = lower_bounds<norm>(node, query);
    // The children nearer than the k-th distance, as a bit mask (the outcomes are
    // data-dependent: branching on each costs more than the bounds themselves).
    unsigned open = lanes_below(bounds, out.worst()) & ~(skip >= 0 ? 1u << skip : 0u);
    if (open == 0) return;
    // The nearest open child first (it tightens the k-th distance most), then the rest left to
    // right.
    auto nearest = Index(std::countr_zero(open));
    for (unsigned rest = open & (open - 1); rest != 0; rest &= rest - 1) {
      const auto c = Index(std::countr_zero(rest));
      if (bounds(c) < bounds(nearest)) nearest = c;
    }
    const Wide& here = wide_[std::size_t(node)];
    for (Index c = nearest; open != 0; c = Index(std::countr_zero(open))) {
      open &= ~(1u << c);
      if (!(bounds(c) < out.worst())) continue;  // the k-th distance shrank meanwhile
      const Index child = here.child[std::size_t(c)];
      if (child >= 0) {
        search<norm>(child, query, out, -1);
      } else {
        scan<norm>(leaves_[std::size_t(~child)], query, -1, out);
      }
    }
  }

  /// Points below `node` within `radius`: a child whose farthest corner is within it counts
  /// whole, one whose nearest point is beyond it not at all, the others are opened.
  template <Norm norm>
  Index count(Index node, const T* query, T radius) const {
    const Lanes near = lower_bounds<norm>(node, query);
    const Lanes far = upper_bounds<norm>(node, query);
    const Wide& here = wide_[std::size_t(node)];
    Index inside = 0;
    for (Index c = 0; c < 8; ++c) {
      if (!(near(c) <= radius)) continue;  // unused slots too: their bound is +infinity
      const Index child = here.child[std::size_t(c)];
      if (far(c) <= radius) {
        inside += here.size[std::size_t(c)];
      } else if (child >= 0) {
        inside += count<norm>(child, query, radius);
      } else {
        const Leaf& leaf = leaves_[std::size_t(~child)];
        for (Index p = leaf.begin; p < leaf.end; ++p)
          inside += point_distance<norm>(query, point(p), dim_) <= radius;
      }
    }
    return inside;
  }

  Index dim_;
  Index leaf_size_;
  RowPoints<T> points_;  // n x d, in tree order
  /// The points again, leaf by leaf in chunks of 8 (a leaf's last chunk padded with +inf,
  /// which is never nearer): chunk c holds coordinate j of its 8 points at (c d + j) 8 + lane.
  std::vector<T> packed_;
  Index chunks_ = 0;
  std::vector<Index> order_;    // stored position -> original row
  std::vector<Index> rank_;     // original row -> stored position
  std::vector<Index> leaf_of_;  // stored position -> its leaf
  std::vector<Wide> wide_;      // the search tree's nodes; 0 is the root
  std::vector<T> child_low_;    // children's boxes, lane by lane (see Wide)
  std::vector<T> child_high_;
  std::vector<T> box_low_;  // each node's own box, node * d + j
  std::vector<T> box_high_;
  std::vector<Leaf> leaves_;
};

/// Exact radius counts in one dimension: the values sorted once, then, for a point, the number
/// of values v with |fl(v - x)| <= radius found by galloping outwards from the point's own
/// position and finishing with a binary search: O(log count) per query, against a tree's
/// O(log n + count / leaf). fl(v - x) is monotone in v, so the predicate is exactly the tree's
/// (and scikit-learn's) |v - x| <= radius, rounding included.
template <class T>
class SortedLine {
 public:
  /// Sorts the n values (one coordinate of the data) by a least-significant-digit radix sort
  /// on their bits, 11 bits a pass (6 passes for double, 3 for float, fewer when a digit is the
  /// same for all values, as the top exponent bits often are): about 4 times faster than a
  /// comparison sort of 10^5 (value, row) pairs, and stable, so ties keep their row order.
  template <class Derived>
  explicit SortedLine(const Eigen::DenseBase<Derived>& values) {
    using Bits = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
    constexpr int width = 8 * int(sizeof(T));
    constexpr int digit = 11;
    constexpr Bits mask = (Bits(1) << digit) - 1;
    constexpr Bits sign = Bits(1) << (width - 1);
    const auto n = static_cast<std::size_t>(values.size());
    // Unsigned keys in the order of the values (IEEE 754): a negative value has all its bits
    // flipped, a non-negative one its sign bit set; -0 sorts just below +0, an equal value.
    std::vector<Bits> keys(n);
    std::vector<Bits> next_keys(n);
    std::vector<Index> rows(n);
    std::vector<Index> next_rows(n);
    for (std::size_t i = 0; i < n; ++i) {
      const auto bits = std::bit_cast<Bits>(T(values(Index(i))));
      keys[i] = (bits & sign) != 0 ? ~bits : bits | sign;
      rows[i] = Index(i);
    }
    std::vector<std::size_t> slots(std::size_t(mask) + 1);
    for (int shift = 0; shift < width; shift += digit) {
      std::fill(slots.begin(), slots.end(), 0);
      for (const Bits key : keys)
        ++slots[(key >> shift) & mask];
      if (slots[(keys[0] >> shift) & mask] == n) continue;  // one digit value: nothing moves
      std::size_t total = 0;
      for (std::size_t& slot : slots)
        total += std::exchange(slot, total);
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t to = slots[(keys[i] >> shift) & mask]++;
        next_keys[to] = keys[i];
        next_rows[to] = rows[i];
      }
      keys.swap(next_keys);
      rows.swap(next_rows);
    }
    sorted_.resize(n);
    rank_.resize(n);
    for (std::size_t p = 0; p < n; ++p) {
      sorted_[p] = T(values(rows[p]));
      rank_[std::size_t(rows[p])] = Index(p);
    }
  }

  /// The number of values v with |v - value(row)| <= radius, the row itself included.
  [[nodiscard]] Index count_within(Index row, T radius) const {
    const Index start = rank_[std::size_t(row)];
    const T x = sorted_[std::size_t(start)];
    const auto n = static_cast<Index>(sorted_.size());
    // Last position p >= start with fl(v_p - x) <= radius, and first p <= start with
    // fl(x - v_p) <= radius (start itself qualifies: the difference is 0).
    const Index last =
        gallop(start, n - 1, [&](Index p) { return sorted_[std::size_t(p)] - x <= radius; });
    const Index first =
        gallop(start, 0, [&](Index p) { return x - sorted_[std::size_t(p)] <= radius; });
    return last - first + 1;
  }

 private:
  /// The last position from `start` towards `limit` (inclusive) where `inside` holds, given that
  /// it holds at start and, moving away from start, holds on a prefix only.
  template <class Inside>
  static Index gallop(Index start, Index limit, Inside inside) {
    const Index direction = limit >= start ? 1 : -1;
    const Index span = (limit - start) * direction;  // positions available beyond start
    Index good = 0;                                  // offset known inside
    Index step = 1;
    while (good + step <= span && inside(start + direction * (good + step))) {
      good += step;
      step *= 2;
    }
    Index bad = std::min(good + step, span + 1);  // offset known outside (or past the end)
    while (bad - good > 1) {
      const Index middle = good + (bad - good) / 2;
      if (inside(start + direction * middle)) {
        good = middle;
      } else {
        bad = middle;
      }
    }
    return start + direction * good;
  }

  std::vector<T> sorted_;
  std::vector<Index> rank_;  // row -> position in sorted_
};

}  // namespace detail::knn

}  // namespace alea::info
