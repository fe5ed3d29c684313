// How much memory one flbench process may plan to use, so that big requests are refused with an
// estimate before any work starts. Entry points: MemoryBudget, FormatBytes, CheckMemory.
// Tested by tests/util_memory_test.cc.
#pragma once

#include <cstdint>
#include <string>

namespace flbench {

// Half of the smaller of physical memory and the address-space / data limits (ulimit -v, -d); the
// environment variable FLBENCH_MEMORY_LIMIT (bytes, or with a K/M/G/T suffix, e.g. 64G) replaces it
// (a malformed value is an flbench::Error naming the variable).
uint64_t MemoryBudget();

// "1.5 GB", "320 MB", "12 KB", "100 B".
std::string FormatBytes(double bytes);

// Throws flbench::Error("<what> would need about <estimate> of memory; this machine allows <budget>
// (set FLBENCH_MEMORY_LIMIT to change that)<hint>") when estimate > MemoryBudget().
void CheckMemory(double estimate_bytes, const std::string& what, const std::string& hint = "");

}  // namespace flbench
