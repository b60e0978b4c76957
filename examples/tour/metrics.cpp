// The tour's metrics stop: MMD with its permutation test, Frechet distance.
#include <alea/metrics.hpp>
#include <iostream>
#include <utility>

#include "tour.hpp"

using alea::Index;
using alea::MatrixX;
using alea::VectorX;

namespace tour {

// Judging a generative model by its samples: MMD with its permutation test, Frechet distance.
void metrics_stop() {
  heading("metrics: two-sample comparisons of generated and real data");
  alea::Rng rng{23};
  const MatrixX<> real = alea::standard_normal(rng, 1'000, 8);
  const MatrixX<> good = alea::standard_normal(rng, 1'000, 8);
  const MatrixX<> shifted = (alea::standard_normal(rng, 1'000, 8).array() + 0.15).matrix();
  for (const auto& [name, fake] :
       {std::pair{"same law", &good}, std::pair{"shifted 0.15", &shifted}}) {
    const auto test = alea::metrics::mmd_test(real, *fake, {}, rng);
    std::cout << name << ": MMD^2 " << test.mmd2 << " (permutation p-value " << test.p_value
              << "), Frechet distance " << alea::metrics::frechet_distance(real, *fake) << "\n";
  }
}

}  // namespace tour
