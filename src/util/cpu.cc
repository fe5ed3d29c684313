// MissingBaselineFeatures (see cpu.h).
#include "util/cpu.h"

namespace flbench {

const char* BaselineName() { return "x86-64-v3"; }

__attribute__((target("arch=x86-64"))) std::string MissingBaselineFeatures() {
  std::string missing;
#if defined(__x86_64__)
  __builtin_cpu_init();
  auto need = [&](bool has, const char* name) {
    if (!has) missing += (missing.empty() ? "" : " ") + std::string(name);
  };
  need(__builtin_cpu_supports("avx"), "avx");
  need(__builtin_cpu_supports("avx2"), "avx2");
  need(__builtin_cpu_supports("fma"), "fma");
  need(__builtin_cpu_supports("bmi"), "bmi");
  need(__builtin_cpu_supports("bmi2"), "bmi2");
  need(__builtin_cpu_supports("popcnt"), "popcnt");
  need(__builtin_cpu_supports("sse4.2"), "sse4.2");
#endif
  return missing;
}

}  // namespace flbench
