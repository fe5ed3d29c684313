// RangeSampler: uniform-length, uniform-string draws and one-edit perturbations.
#include "lang/sampler.h"

#include <fmt/format.h>

#include "util/error.h"

namespace flbench {

RangeSampler::RangeSampler(const Language& lang, int lo, int hi) : lang_(lang), lo_(lo), hi_(hi) {
  if (lo < 0 || hi < lo) throw Error(fmt::format("bad length range [{}, {}]: need 0 ≤ min ≤ max", lo, hi));
  if (hi > kMaxLength) throw Error(fmt::format("length {} is above the supported maximum {}", hi, kMaxLength));
  lang.Prepare(hi + 1);
  for (int n = lo; n <= hi; ++n) {
    for (int c = 0; c < 2; ++c) {
      const Count k = lang.CountOf(n, c == 1);
      if (k > 0) {
        lengths_[c].push_back(n);
        available_[c] += k;
      }
    }
    const bool has_neg = lang.CountOf(n, false) > 0;
    const bool near_member = lang.CountOf(n, true) > 0 || lang.CountOf(n + 1, true) > 0 ||
                             (n > 0 && lang.CountOf(n - 1, true) > 0);
    if (has_neg && near_member) perturb_lengths_.push_back(n);
  }
}

void RangeSampler::NoStrings(bool member, const std::string& what) const {
  throw Error(fmt::format("language {} has no {} with length in {}{}", lang_.name(),
                          what.empty() ? (member ? "members" : "non-members") : what, RangeText(),
                          member ? " (try a wider --min-len/--max-len)" : ""));
}

Word RangeSampler::Draw(bool member, Rng& rng) const {
  const auto& lens = lengths_[member];
  if (lens.empty()) NoStrings(member);
  return lang_.Sample(lens[rng.Below(lens.size())], member, rng);
}

std::optional<Word> RangeSampler::TryPerturb(int len, Rng& rng) const {
  // Edit kinds that can produce length `len`: 0 = substitute (member of len), 1 = insert (len−1), 2 = delete (len+1).
  int kinds[3], nk = 0;
  if (len > 0 && lang_.CountOf(len, true) > 0) kinds[nk++] = 0;
  if (len > 0 && lang_.CountOf(len - 1, true) > 0) kinds[nk++] = 1;
  if (lang_.CountOf(len + 1, true) > 0) kinds[nk++] = 2;
  if (nk == 0) return std::nullopt;
  const int kind = kinds[rng.Below(nk)];
  const int k = lang_.symbols();
  Word w;
  if (kind == 0) {
    w = lang_.Sample(len, true, rng);
    const size_t i = rng.Below(w.size());
    w[i] = static_cast<uint8_t>((w[i] + 1 + rng.Below(k - 1 > 0 ? k - 1 : 1)) % k);  // a different symbol
    if (k == 1) return std::nullopt;
  } else if (kind == 1) {
    w = lang_.Sample(len - 1, true, rng);
    w.insert(w.begin() + static_cast<long>(rng.Below(w.size() + 1)), static_cast<uint8_t>(rng.Below(k)));
  } else {
    w = lang_.Sample(len + 1, true, rng);
    w.erase(w.begin() + static_cast<long>(rng.Below(w.size())));
  }
  if (lang_.Accepts(w)) return std::nullopt;
  return w;
}

Word RangeSampler::DrawPerturbed(Rng& rng) const {
  if (perturb_lengths_.empty()) NoStrings(false, "non-members within one edit of a member");
  for (int attempt = 0; attempt < 100000; ++attempt) {
    const int len = perturb_lengths_[rng.Below(perturb_lengths_.size())];
    if (auto w = TryPerturb(len, rng)) return *w;
  }
  throw Error(fmt::format("language {}: no perturbed non-member found in {} after 100000 attempts", lang_.name(), RangeText()));
}

}  // namespace flbench
