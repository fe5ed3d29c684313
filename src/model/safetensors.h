// Model files in the safetensors format (github.com/huggingface/safetensors, README "Format"): an 8-byte
// little-endian header length N, N bytes of JSON header ({name: {dtype, shape, data_offsets}, "__metadata__":
// {str: str}}), then the tensors' bytes, row-major little-endian, indexed without holes or overlaps.
// Entry points: SaveSafetensors, LoadSafetensors, EncodeSafetensors, DecodeSafetensors, kMetadataKeys.
// Tested by tests/model_safetensors_test.cc.
#pragma once

#include <string>
#include <string_view>

#include "model/model.h"

namespace flbench {

// The whole file's bytes: tensors in name order, header padded with spaces so N is a multiple of 8 (the data then
// start 8-byte aligned, as the reference writer does).
std::string EncodeSafetensors(const RnnModel& model);
// Parses a file's bytes. Everything is checked as untrusted input — header length (≤ 100 MB, within the file),
// JSON syntax, duplicate keys, the six tensors and nothing else, dtype F32, shapes consistent with each other and the
// metadata, offsets inside the buffer and covering it exactly, required metadata — and every failure throws
// flbench::Error starting with `context` (the file name) and saying what is wrong.
// weights_only: the __metadata__ of a plain PyTorch state dict may be missing (no alphabet, task, activation): the
// symbols and task then follow from the shapes and `act` is left for the caller to set.
RnnModel DecodeSafetensors(std::string_view bytes, const std::string& context, bool weights_only = false);

// Writes atomically (a temporary beside PATH, then rename). Throws flbench::Error if it cannot.
void SaveSafetensors(const std::string& path, const RnnModel& model);
RnnModel LoadSafetensors(const std::string& path, bool weights_only = false);

}  // namespace flbench
