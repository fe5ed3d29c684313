// Keeps BLAS single-threaded so parallelism comes only from our own TBB shards (no oversubscription, and the
// threads of one run never change which BLAS code path runs). Entry point: PinBlasToOneThread.
// Tested by tests/util_blas_threads_test.cc (and through tests/train_trainer_test.cc: determinism across threads).
#pragma once

namespace flbench {

// Armadillo sends products to the system BLAS, on Debian OpenBLAS (libblas.so.3 → libopenblas.so.0), which by
// default starts one worker thread per core for large products. We look up OpenBLAS's
// `openblas_set_num_threads` at run time with dlsym (so nothing fails to link or load when the BLAS is another
// one) and call it with 1. The setting is process-wide; Train calls this at its start, and so may any other code
// that runs Armadillo products under TBB. Returns true if the BLAS was OpenBLAS and is now pinned.
// (Setting OPENBLAS_NUM_THREADS=1 in the environment before the process starts has the same effect.)
bool PinBlasToOneThread();

}  // namespace flbench
