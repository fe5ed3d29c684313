// The baseline check: the machines this suite runs on (CI included) have x86-64-v3, and the check names it.
#include <gtest/gtest.h>

#include "util/cpu.h"

namespace flbench {
namespace {

TEST(Cpu, ThisMachineHasTheBaseline) {
  EXPECT_STREQ(BaselineName(), "x86-64-v3");
  EXPECT_EQ(MissingBaselineFeatures(), "") << "the build targets x86-64-v3; this CPU lacks some of it";
}

}  // namespace
}  // namespace flbench
