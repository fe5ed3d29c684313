// Exact uniform choice by unranking: a uniformly random rank below a count, then walk the options,
// subtracting each option's count until the rank falls inside one. Shared by the DFA and grammar
// languages. Entry points: RandomBelow, FitsU64, ToU64. Tested by tests/lang_dfa_language_test.cc (and through
// tests/lang_sampling_test.cc).
#pragma once

#include <gmpxx.h>

#include <cstdint>
#include <vector>

#include "util/rng.h"

namespace flbench {

// Uniform integer in [0, n), n > 0, exact for any size (rejection on the top bits).
inline mpz_class RandomBelow(const mpz_class& n, Rng& rng) {
  if (mpz_fits_ulong_p(n.get_mpz_t())) return mpz_class(static_cast<unsigned long>(rng.Below(n.get_ui())));
  const size_t bits = mpz_sizeinbase(n.get_mpz_t(), 2);
  const size_t words = (bits + 63) / 64;
  std::vector<uint64_t> limbs(words);
  mpz_class r;
  do {
    for (auto& w : limbs) w = rng.Next();
    const size_t extra = words * 64 - bits;
    if (extra > 0) limbs.back() >>= extra;  // most significant word last (order = -1 below)
    mpz_import(r.get_mpz_t(), words, -1, sizeof(uint64_t), 0, 0, limbs.data());
  } while (r >= n);
  return r;
}

// True iff x < 2^64 (so it fits a uint64_t exactly).
inline bool FitsU64(const mpz_class& x) { return mpz_sizeinbase(x.get_mpz_t(), 2) <= 64 && x >= 0; }

inline uint64_t ToU64(const mpz_class& x) {
  uint64_t v = 0;
  mpz_export(&v, nullptr, -1, sizeof(v), 0, 0, x.get_mpz_t());
  return v;
}

}  // namespace flbench
