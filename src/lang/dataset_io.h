// Reads a dataset directory in the layout `flbench dataset --out DIR` writes (README "Dataset files"): train.tsv,
// validation.tsv (optional), test.tsv and test_LO-HI.tsv, each with its `# language=… alphabet=… task=…` header.
// So users can train on their own data (`flbench train --data DIR`). Entry point: ReadDatasetDir.
// Tested by tests/lang_dataset_io_test.cc.
#pragma once

#include <string>

#include "lang/dataset.h"

namespace flbench {

// The files are untrusted: a missing train.tsv, a malformed header, a symbol outside the alphabet, a bad label or
// target string, headers that disagree between files → flbench::Error naming FILE:LINE and what is wrong.
Dataset ReadDatasetDir(const std::string& dir);

}  // namespace flbench
