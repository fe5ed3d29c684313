// PinBlasToOneThread (util/blas_threads.h) against the real system BLAS: with OpenBLAS loaded, a thread count set
// to 2 reads back as 1 after pinning; with another BLAS the function says it pinned nothing. test_util does not link
// a BLAS, so the test loads the one Armadillo links (libblas.so.3) itself, globally, before the first call (the
// function looks the symbol up once).
#include <dlfcn.h>
#include <gtest/gtest.h>

#include "util/blas_threads.h"

namespace flbench {
namespace {

TEST(PinBlasToOneThread, PinsOpenBlasAndOnlyOpenBlas) {
  void* blas = dlopen("libblas.so.3", RTLD_NOW | RTLD_GLOBAL);
  if (blas == nullptr) GTEST_SKIP() << "no libblas.so.3 on this machine: " << dlerror();
  using Get = int (*)();
  using Set = void (*)(int);
  const auto get = reinterpret_cast<Get>(dlsym(blas, "openblas_get_num_threads"));
  const auto set = reinterpret_cast<Set>(dlsym(blas, "openblas_set_num_threads"));
  if (get == nullptr || set == nullptr) {
    EXPECT_FALSE(PinBlasToOneThread()) << "the BLAS is not OpenBLAS, so there is nothing to pin";
    return;
  }
  set(2);
  ASSERT_EQ(get(), 2) << "OpenBLAS refused two threads: this test could not tell pinned from unpinned";
  EXPECT_TRUE(PinBlasToOneThread());
  EXPECT_EQ(get(), 1);
  set(2);
  EXPECT_TRUE(PinBlasToOneThread());  // every call pins again (a later library call may have changed it)
  EXPECT_EQ(get(), 1);
}

}  // namespace
}  // namespace flbench
