// Stable content hashes: a cell's key, a language file's digest. Entry point: HashKey.
// Tested by tests/util_hash_test.cc (known values: a changed hash silently orphans every stored result).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace flbench {

// Stable 128-bit digest of config.dump() (objects dump with sorted keys) as 32 lower-case hex digits:
// FNV-1a with the 128-bit FNV prime and offset basis. Note 1 and 1.0 dump differently ("1" vs "1.0"),
// so callers must build configs with consistent number types.
std::string HashKey(const nlohmann::json& config);

}  // namespace flbench
