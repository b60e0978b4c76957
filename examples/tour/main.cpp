// The tour of alea: one short stop per module, each printing what it shows. It grows with
// every module. Figures: the tour writes its data as CSV into ./alea-tour/ and, when gnuplot is
// installed, renders the plots of docs/figures/ there and says where.
#include <alea/core.hpp>
#include <alea/io.hpp>
#include <alea/version.hpp>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <string>

#include "tour.hpp"

namespace fs = std::filesystem;
using alea::MatrixX;
using alea::VectorX;

namespace tour {

void heading(const std::string& title) {
  std::cout << "\n== " << title << " ==\n";
}

void core_stop() {
  heading("core: random numbers and log-space arithmetic");
  alea::Rng rng{42};
  const MatrixX<> z = alea::standard_normal(rng, 1'000'000, 1);
  std::cout << "10^6 normals: mean " << z.mean() << ", variance "
            << (z.array() - z.mean()).square().mean() << "\n";
  alea::Rng chain_a = rng.stream(0), chain_b = rng.stream(1);
  std::cout << "independent streams for parallel chains: " << alea::uniform01(chain_a) << " vs "
            << alea::uniform01(chain_b) << "\n";
  VectorX<> tiny(3);
  tiny << -1000, -1001, -1002;
  std::cout << "log(e^-1000 + e^-1001 + e^-1002) = " << alea::log_sum_exp(tiny)
            << " (the naive sum underflows to log 0 = -inf)\n";
}

}  // namespace tour

namespace {

void render(const fs::path& folder, const std::string& figure) {
  const fs::path script = fs::path(ALEA_SOURCE_DIR) / "docs/figures" / (figure + ".gp");
  const std::string command = "gnuplot -e \"data_dir='" + folder.string() + "'; out='" +
                              (folder / (figure + ".png")).string() + "'\" \"" + script.string() +
                              "\"";
  if (std::system(command.c_str()) == 0)
    std::cout << "  figure: " << (folder / (figure + ".png")).string() << "\n";
}

}  // namespace

int main() {
  using namespace tour;
  std::cout << std::setprecision(4) << "alea " << alea::version_string << ": a tour\n";
  core_stop();
  const MatrixX<> shrinkage = shrinkage_stop();
  bayes_stop();
  categorical_stop();
  MatrixX<> data;
  const MatrixX<> densities = histogram_stop(data);
  kde_stop(data);
  mixture_stop();
  information_stop();
  metrics_stop();
  sampling_stop();

  heading("figures");
  const fs::path folder = fs::current_path() / "alea-tour";
  fs::create_directories(folder);
  alea::write_csv(folder / "shrinkage.csv", shrinkage, {"n", "mle", "ledoit_wolf", "oas"});
  alea::write_csv(folder / "density_1d.csv", densities, {"x", "histogram", "gaussian"});
  alea::write_csv(folder / "density_1d_data.csv", data, {"x"});
  std::cout << "data written as CSV into " << folder.string() << "\n";
  if (std::system("command -v gnuplot > /dev/null 2>&1") == 0) {
    render(folder, "shrinkage");
    render(folder, "density_1d");
  } else {
    std::cout << "gnuplot is not installed: no figures rendered (apt-get install gnuplot-nox)\n";
  }
}
