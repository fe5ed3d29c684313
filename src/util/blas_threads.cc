// PinBlasToOneThread: see blas_threads.h.
#include "util/blas_threads.h"

#include <dlfcn.h>

namespace flbench {

bool PinBlasToOneThread() {
  using SetThreads = void (*)(int);
  static const SetThreads set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (set == nullptr) return false;
  set(1);
  return true;
}

}  // namespace flbench
