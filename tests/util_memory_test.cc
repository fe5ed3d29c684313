// MemoryBudget (FLBENCH_MEMORY_LIMIT, rlimits), FormatBytes and CheckMemory.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cmath>
#include <cstdlib>

#include "util/error.h"
#include "util/memory.h"

namespace flbench {
namespace {

class MemoryTest : public ::testing::Test {
 protected:
  void TearDown() override { unsetenv("FLBENCH_MEMORY_LIMIT"); }
};

TEST_F(MemoryTest, EnvironmentVariableSetsTheBudget) {
  setenv("FLBENCH_MEMORY_LIMIT", "64M", 1);
  EXPECT_EQ(MemoryBudget(), 64u << 20);
  setenv("FLBENCH_MEMORY_LIMIT", "2G", 1);
  EXPECT_EQ(MemoryBudget(), 2ull << 30);
  setenv("FLBENCH_MEMORY_LIMIT", "12345", 1);
  EXPECT_EQ(MemoryBudget(), 12345u);
  for (const char* bad : {"lots", "-1G", "0", "1Q", "nan", "G"}) {
    setenv("FLBENCH_MEMORY_LIMIT", bad, 1);
    EXPECT_THROW(MemoryBudget(), Error) << bad;
  }
}

TEST_F(MemoryTest, BudgetIsHalfTheAddressSpaceLimit) {
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_AS, &old), 0);
  rlimit low = old;
  low.rlim_cur = 3ull << 30;
  if (old.rlim_max != RLIM_INFINITY && old.rlim_max < low.rlim_cur) GTEST_SKIP() << "hard limit below 3 GB";
  ASSERT_EQ(setrlimit(RLIMIT_AS, &low), 0);
  const uint64_t budget = MemoryBudget();
  ASSERT_EQ(setrlimit(RLIMIT_AS, &old), 0);
  EXPECT_LE(budget, 3ull << 29);
  EXPECT_GT(budget, 0u);
}

TEST_F(MemoryTest, CheckMemorySaysTheEstimateAndTheBudget) {
  setenv("FLBENCH_MEMORY_LIMIT", "1M", 1);
  EXPECT_NO_THROW(CheckMemory(1000, "a small thing"));
  try {
    CheckMemory(3e9, "a big thing", "; try less");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "a big thing would need about 3 GB of memory; this machine allows 1.05 MB "
                           "(FLBENCH_MEMORY_LIMIT changes that); try less");
  }
  EXPECT_THROW(CheckMemory(std::nan(""), "NaN"), Error);
}

TEST_F(MemoryTest, FormatBytes) {
  EXPECT_EQ(FormatBytes(100), "100 B");
  EXPECT_EQ(FormatBytes(1500), "1.5 KB");
  EXPECT_EQ(FormatBytes(2.5e9), "2.5 GB");
  EXPECT_EQ(FormatBytes(3.15e13), "31.5 TB");
}

}  // namespace
}  // namespace flbench
