// Length-conditioned sampling over a length range: the length uniform among the lengths that have
// strings of the class, then a uniform string of that length; "perturb" negatives one edit away from
// a member. Entry points: RangeSampler. Tested by tests/lang_sampling_test.cc.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lang/language.h"
#include "util/rng.h"

namespace flbench {

// The longest string length the samplers accept (counting tables are also checked against memory).
inline constexpr int kMaxLength = 100000;

class RangeSampler {
 public:
  // Throws flbench::Error if lo > hi, lo < 0 or hi > kMaxLength.
  RangeSampler(const Language& lang, int lo, int hi);

  // Lengths in [lo, hi] with at least one string of the class (members or non-members).
  const std::vector<int>& Lengths(bool member) const { return lengths_[member]; }
  // Lengths in [lo, hi] that have non-members and a member within one edit (length ℓ−1, ℓ or ℓ+1).
  const std::vector<int>& PerturbLengths() const { return perturb_lengths_; }
  // Σ over the range of CountOf(n, member).
  const Count& Available(bool member) const { return available_[member]; }

  // i.i.d. uniform draw: a length uniform in Lengths(member), then a uniform string of that length.
  // Throws flbench::Error (naming the range) if there is none.
  Word Draw(bool member, Rng& rng) const;
  // One attempt at a perturbed negative of length `len`: a uniform member of length len, len−1 or
  // len+1 (edit kind uniform among those that exist) with a uniformly random substitution, insertion
  // or deletion; nullopt if the result is a member.
  std::optional<Word> TryPerturb(int len, Rng& rng) const;
  // i.i.d. perturbed negative: length uniform in PerturbLengths(), retrying (bounded) until the edit
  // leaves the language. Throws flbench::Error if none can be found.
  Word DrawPerturbed(Rng& rng) const;

  std::string RangeText() const { return "[" + std::to_string(lo_) + ", " + std::to_string(hi_) + "]"; }
  [[noreturn]] void NoStrings(bool member, const std::string& what = "") const;

 private:
  const Language& lang_;
  int lo_, hi_;
  std::vector<int> lengths_[2];
  std::vector<int> perturb_lengths_;
  Count available_[2];
};

}  // namespace flbench
