#pragma once
/// @file
/// @brief When a loop is worth OpenMP threads.
///
/// Starting a parallel region costs microseconds, and on a machine whose cores are busy with
/// other work a spinning OpenMP barrier can cost far more (a thread waits for a descheduled
/// peer). Loops over little data therefore run on one thread. The decision depends on the
/// amount of work only, and alea's parallel loops give the same results on any number of
/// threads, so it changes the speed, never the numbers.

#include "alea/core/types.hpp"

namespace alea::detail {

/// Roughly the floating-point operations below which a loop runs on one thread.
inline constexpr double parallel_work_threshold = double(1 << 18);

/// True when `work` (about the number of floating-point operations) is worth threads.
inline bool worth_threads(double work) {
  return work >= parallel_work_threshold;
}

}  // namespace alea::detail
