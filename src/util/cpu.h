// The CPU baseline every result is computed for (x86-64-v3: AVX2, FMA, BMI1/2, F16C, MOVBE, LZCNT), and a check that
// this CPU has it. Entry points: MissingBaselineFeatures, BaselineName. Tested by tests/util_cpu_test.cc.
#pragma once

#include <string>

namespace flbench {

// "x86-64-v3".
const char* BaselineName();
// The baseline features this CPU lacks, e.g. "avx2 fma"; empty when it has them all. Compiled for plain x86-64, so
// it can run (and answer) on any x86-64 CPU before code built for the baseline does.
std::string MissingBaselineFeatures();

}  // namespace flbench
