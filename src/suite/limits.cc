// CheckGridSize, TrainingBytes, CheckTrainingMemory (see limits.h).
#include "suite/limits.h"

#include <fmt/format.h>

#include <set>

#include "util/error.h"
#include "util/memory.h"

namespace flbench {

std::vector<int> ReadSeeds(const YamlReader& r, const YAML::Node& n) {
  std::vector<int> seeds;
  if (n.IsSequence()) {
    if (n.size() > kMaxSeeds)
      r.Fail(n, fmt::format("'seeds' lists {} seeds; at most {} are allowed", n.size(), kMaxSeeds));
    std::set<int> seen;
    for (const auto& x : n) {
      const int v = r.Int(x, "seeds");
      if (v < 1) r.Fail(x, fmt::format("seed numbers must be ≥ 1, got {}", v));
      if (!seen.insert(v).second) r.Fail(x, fmt::format("seed {} listed twice", v));
      seeds.push_back(v);
    }
    if (seeds.empty()) r.Fail(n, "'seeds' is an empty list");
  } else {
    const int count = r.Int(n, "seeds");
    if (count < 1 || count > static_cast<int>(kMaxSeeds))
      r.Fail(n, fmt::format("'seeds' is a count from 1 to {}, or a list of seed numbers", kMaxSeeds));
    for (int i = 1; i <= count; ++i) seeds.push_back(i);
  }
  return seeds;
}

void CheckGridSize(double cells, const std::string& what) {
  if (cells > kMaxCells)
    throw Error(fmt::format("{} expands to {:.4g} cells (about {} of memory before any runs); a suite may have at most "
                            "{:.0f} cells: use fewer grid values or seeds, or split it into several suites",
                            what, cells, FormatBytes(cells * kCellBytes), kMaxCells));
  CheckMemory(cells * kCellBytes, fmt::format("{} expands to {:.4g} cells, which", what, cells),
              "; use fewer grid values or seeds");
}

double TrainingBytes(double width, double symbols, double outputs, double batch, double max_len) {
  const double m = width;
  const double parameters = m * m + m * (symbols + outputs + 2) + outputs;
  return 4 * (8 * parameters + 4 * m * batch * (max_len + 1));
}

void CheckTrainingMemory(double width, double symbols, double outputs, double batch, double max_len) {
  CheckMemory(TrainingBytes(width, symbols, outputs, batch, max_len),
              fmt::format("training width {:.0f} with batch {:.0f} at length {:.0f}", width, batch, max_len),
              "; use a smaller width or batch");
}

}  // namespace flbench
