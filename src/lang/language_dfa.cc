// DfaLanguage: counting DP over (length, state), unranking sampler with a 64-bit fast path, RE2 check.
#include "lang/language_dfa.h"

#include <fmt/format.h>

#include <mutex>

#include "util/error.h"

namespace flbench {

DfaLanguage::DfaLanguage(Info info, Dfa dfa, std::string regex)
    : Language(std::move(info)), dfa_(std::move(dfa)), regex_(std::move(regex)) {
  coreachable_ = CoReachable(dfa_);
  if (!regex_.empty()) {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_encoding(RE2::Options::EncodingLatin1);
    re2_ = std::make_unique<RE2>(regex_, opts);
    if (!re2_->ok()) throw Error(fmt::format("{}: RE2 rejects regex '{}': {}", path(), regex_, re2_->error()));
  }
  Prepare(64);
}

bool DfaLanguage::Re2Accepts(std::span<const uint8_t> w) const {
  const std::string text = Decode(w);
  return RE2::FullMatch(text, *re2_);
}

void DfaLanguage::Prepare(int n) const {
  {
    std::shared_lock lock(mu_);
    if (static_cast<int>(counts_[0].size()) > n) return;
  }
  std::unique_lock lock(mu_);
  const int states = dfa_.states();
  for (int c = 0; c < 2; ++c) {
    auto& rows = counts_[c];
    auto& fast = u64_[c];
    if (rows.empty()) {
      rows.emplace_back(states);
      for (int q = 0; q < states; ++q) rows[0][q] = (dfa_.accepting[q] != 0) == (c == 1) ? 1 : 0;
    }
    while (static_cast<int>(rows.size()) <= n) {
      const auto& prev = rows.back();
      std::vector<Count> row(states);
      for (int q = 0; q < states; ++q)
        for (int a = 0; a < dfa_.symbols; ++a) row[q] += prev[dfa_.Step(q, a)];
      rows.push_back(std::move(row));
    }
    while (fast.size() < rows.size()) {
      const auto& row = rows[fast.size()];
      std::vector<uint64_t> f(states);
      for (int q = 0; q < states; ++q) f[q] = FitsU64(row[q]) ? ToU64(row[q]) : ~0ULL;
      fast.push_back(std::move(f));
    }
  }
}

Count DfaLanguage::CountOf(int n, bool member) const {
  if (n < 0) return 0;
  Prepare(n);
  std::shared_lock lock(mu_);
  return At(member, n, dfa_.start);
}

Word DfaLanguage::Sample(int n, bool member, Rng& rng) const {
  const Count total = CountOf(n, member);
  if (total == 0)
    throw Error(fmt::format("language {} has no {} of length {}", name(), member ? "members" : "non-members", n));
  if (FitsU64(total)) return UnrankU64(n, member, rng.Below(ToU64(total)));
  return Unrank(n, member, RandomBelow(total, rng));
}

// Unranking walk shared by both count types: at each position take the first symbol whose completions
// (table[r][state]) cover the remaining rank u. The caller holds mu_ (shared).
template <typename C, typename Table>
Word DfaLanguage::Walk(int n, C u, const Table& table) const {
  Word w(n);
  int q = dfa_.start;
  for (int i = 0; i < n; ++i) {
    const int r = n - 1 - i;
    for (int a = 0; a < dfa_.symbols; ++a) {
      const int t = dfa_.Step(q, a);
      const auto& c = table[r][t];
      if (u < c) {
        w[i] = static_cast<uint8_t>(a);
        q = t;
        break;
      }
      u -= c;
    }
  }
  return w;
}

Word DfaLanguage::UnrankU64(int n, bool member, uint64_t u) const {
  // Every count met on the way is ≤ the total (counts only shrink along a path), so 64 bits suffice.
  std::shared_lock lock(mu_);
  Word w = Walk(n, u, u64_[member]);
  lock.unlock();
  Check(w, member);
  return w;
}

Word DfaLanguage::Unrank(int n, bool member, const Count& rank) const {
  Prepare(n);
  std::shared_lock lock(mu_);
  if (n < 0 || rank < 0 || rank >= At(member, n, dfa_.start))
    throw Error(fmt::format("language {}: rank out of range for length {}", name(), n));
  Word w = Walk(n, mpz_class(rank), counts_[member]);
  lock.unlock();
  Check(w, member);
  return w;
}

void DfaLanguage::Check(const Word& w, bool member) const {
  if (dfa_.Accepts(w) != member)
    throw Error(fmt::format("internal error: sampler of {} produced a word of the wrong class", name()));
  if (re2_ && Re2Accepts(w) != member)
    throw Error(fmt::format("language {}: the DFA and RE2 disagree on \"{}\" (DFA says {}): the regex compiler is wrong",
                            name(), Decode(w), member ? "member" : "non-member"));
}

std::vector<uint32_t> DfaLanguage::NextSymbolTargets(std::span<const uint8_t> w) const {
  std::vector<uint32_t> out;
  out.reserve(w.size());
  int q = dfa_.start;
  for (uint8_t s : w) {
    q = dfa_.Step(q, s);
    uint32_t mask = 0;
    for (int a = 0; a < dfa_.symbols; ++a)
      if (coreachable_[dfa_.Step(q, a)]) mask |= 1u << a;
    if (dfa_.accepting[q]) mask |= 1u << dfa_.symbols;
    out.push_back(mask);
  }
  return out;
}

}  // namespace flbench
