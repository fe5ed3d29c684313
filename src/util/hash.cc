// HashKey (see hash.h).
#include "util/hash.h"

namespace flbench {

std::string HashKey(const nlohmann::json& config) {
  // FNV-1a, 128-bit: offset basis 0x6c62272e07bb014262b821756295c58d, prime 2^88 + 2^8 + 0x3b.
  using u128 = unsigned __int128;
  const u128 prime = (u128{1} << 88) + (u128{1} << 8) + 0x3b;
  u128 h = (u128{0x6c62272e07bb0142ULL} << 64) | u128{0x62b821756295c58dULL};
  for (const unsigned char c : config.dump()) {
    h ^= c;
    h *= prime;
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 31; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kHex[static_cast<unsigned>(h & 0xf)];
    h >>= 4;
  }
  return out;
}

}  // namespace flbench
