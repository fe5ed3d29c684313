// What a report says about how its results were produced (commit, date, machine, jobs, wall time), kept in the
// results store's metadata by `flbench run`. Entry points: RunMeta, CurrentCommit, MachineDescription, UtcNow.
// Tested by tests/results_store_test.cc (RunMeta round trip) and tests/cli_suite_test.cc.
#pragma once

#include <string>

#include "results/store.h"

namespace flbench {

// What the report says about how it was produced. Kept in the store's metadata by `flbench run`.
struct RunMeta {
  std::string commit;    // git describe of the source tree at run time
  std::string date;      // UTC, ISO 8601, of the latest run
  std::string machine;   // CPU model, cores, memory, host
  int jobs = 0;
  double wall_seconds = 0;  // summed over the runs that filled this store (resumed runs add up)
  static RunMeta FromStore(ResultStore& store);
  void Save(ResultStore& store) const;
};

std::string CurrentCommit();
std::string MachineDescription();
std::string UtcNow();

}  // namespace flbench
