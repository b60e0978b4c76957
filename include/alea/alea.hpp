#pragma once
/// @file
/// @brief Umbrella header: every alea module.

#include "alea/core.hpp"
#include "alea/density.hpp"
#include "alea/info.hpp"
#include "alea/io.hpp"
#include "alea/metrics.hpp"
#include "alea/sampling.hpp"
