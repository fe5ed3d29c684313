// Grammar languages share one sampler: the parse state after a prefix (GrammarState) plus
// MemberCompletions(state, r) = #{v ∈ Σ^r : prefix·v is a member}; non-member completions are
// |Σ|^r minus that, exactly. Unranking then draws uniformly from either class.
#include "lang/grammar.h"

#include <fmt/format.h>

#include <mutex>
#include <shared_mutex>
#include <type_traits>
#include <vector>

#include "lang/counting.h"
#include "util/error.h"

namespace flbench {

namespace {

struct GrammarState {
  bool dead = false;
  int depth = 0;               // dyck: open brackets; anbn: zeros read
  int ones = 0;                // anbn: ones read (phase 2 when > 0)
  std::vector<uint8_t> stack;  // dyck: pair index of each open bracket
};

using U128 = unsigned __int128;

// The member completions of a live parse state depend only on its "count class" (Dyck: the depth)
// and the number r of symbols left, so a table Members(class, r) drives exact unranking. Counts are
// kept exactly (GMP) and mirrored in 128 bits: while |Σ|^n < 2^128 (n ≤ 63 for 4 symbols) every
// count met while sampling length n fits, and the fast path does no big-number arithmetic.
class GrammarLanguage : public Language {
 public:
  explicit GrammarLanguage(Info info) : Language(std::move(info)) {}

  virtual void Step(GrammarState& s, uint8_t a) const = 0;
  virtual bool Final(const GrammarState& s) const = 0;
  // The count class of the state reached from s by a (s unchanged); −1 if that state is dead.
  virtual int ChildClass(const GrammarState& s, uint8_t a) const = 0;
  // Member completions of length r from a state of class c ≥ 0; the caller holds mu_ (shared).
  virtual const Count& Members(int c, int r) const = 0;
  virtual U128 Members128(int c, int r) const = 0;
  // Extends the class tables to r ≤ n; the caller holds mu_ (unique).
  virtual void GrowTables(int n) const = 0;

  bool Accepts(std::span<const uint8_t> w) const override {
    GrammarState s;
    for (uint8_t a : w) {
      Step(s, a);
      if (s.dead) return false;
    }
    return Final(s);
  }

  void Prepare(int n) const override {
    {
      std::shared_lock lock(mu_);
      if (static_cast<int>(pow_.size()) > n) return;
    }
    std::unique_lock lock(mu_);
    while (static_cast<int>(pow_.size()) <= n) {
      const int r = static_cast<int>(pow_.size());
      Count p = r == 0 ? Count(1) : Count(pow_.back() * symbols());
      pow128_.push_back(mpz_sizeinbase(p.get_mpz_t(), 2) <= 127 ? ToU128(p) : ~U128(0));
      pow_.push_back(std::move(p));
    }
    GrowTables(n);
  }

  Count CountOf(int n, bool member) const override {
    if (n < 0) return 0;
    Prepare(n);
    std::shared_lock lock(mu_);
    return member ? Members(0, n) : Count(pow_[n] - Members(0, n));
  }

  Word Sample(int n, bool member, Rng& rng) const override {
    Prepare(n);
    U128 total = 0;
    bool big = n < 0;  // no words of negative length: Language::Sample throws the "has no" error
    {
      std::shared_lock lock(mu_);
      if (!big) big = pow128_[n] == ~U128(0);
      if (!big) total = member ? Members128(0, n) : pow128_[n] - Members128(0, n);
    }
    if (big) return Language::Sample(n, member, rng);  // big-number path, outside the lock (it takes mu_ itself)
    if (total == 0)
      throw Error(fmt::format("language {} has no {} of length {}", name(), member ? "members" : "non-members", n));
    return Walk<U128>(n, member, Below128(total, rng));
  }

  Word Unrank(int n, bool member, const Count& rank) const override {
    if (rank < 0 || rank >= CountOf(n, member))
      throw Error(fmt::format("language {}: rank out of range for length {}", name(), n));
    return Walk<Count>(n, member, rank);
  }

  std::vector<uint32_t> NextSymbolTargets(std::span<const uint8_t> w) const override {
    // Every live state of these grammars can be completed to a member, so "can continue" = "not dead".
    std::vector<uint32_t> out;
    GrammarState s;
    for (uint8_t x : w) {
      uint32_t mask = 0;
      Step(s, x);
      if (!s.dead) {
        for (int a = 0; a < symbols(); ++a)
          if (ChildClass(s, static_cast<uint8_t>(a)) >= 0) mask |= 1u << a;
        if (Final(s)) mask |= 1u << symbols();
      }
      out.push_back(mask);
    }
    return out;
  }

 protected:
  static U128 ToU128(const Count& x) {
    U128 v = 0;
    mpz_export(&v, nullptr, -1, sizeof(v), 0, 0, x.get_mpz_t());
    return v;
  }

 private:
  static U128 Below128(U128 n, Rng& rng) {
    if (n <= ~uint64_t(0)) return rng.Below(static_cast<uint64_t>(n));
    int bits = 128;
    while (!((n >> (bits - 1)) & 1)) --bits;
    for (;;) {
      U128 x = (static_cast<U128>(rng.Next()) << 64) | rng.Next();
      if (bits < 128) x &= (U128(1) << bits) - 1;
      if (x < n) return x;
    }
  }

  template <typename T>
  T Completions(int cls, int r, bool member) const {
    if constexpr (std::is_same_v<T, U128>) {
      if (cls < 0) return member ? 0 : pow128_[r];
      return member ? Members128(cls, r) : pow128_[r] - Members128(cls, r);
    } else {
      if (cls < 0) return member ? Count(0) : pow_[r];
      return member ? Members(cls, r) : Count(pow_[r] - Members(cls, r));
    }
  }

  // Unranking: at each position take the first symbol whose completions cover the remaining rank u.
  template <typename T>
  Word Walk(int n, bool member, T u) const {
    GrammarState s;
    Word w(n);
    {
      std::shared_lock lock(mu_);
      for (int i = 0; i < n; ++i) {
        for (int a = 0; a < symbols(); ++a) {
          const T c = Completions<T>(ChildClass(s, static_cast<uint8_t>(a)), n - 1 - i, member);
          if (u < c) {
            w[i] = static_cast<uint8_t>(a);
            Step(s, w[i]);
            break;
          }
          u -= c;
        }
      }
    }
    if (Accepts(w) != member)
      throw Error(fmt::format("internal error: sampler of {} produced a word of the wrong class", name()));
    return w;
  }

 protected:
  mutable std::shared_mutex mu_;  // guards pow_, pow128_ and the subclasses' tables
 private:
  mutable std::vector<Count> pow_;     // |Σ|^r
  mutable std::vector<U128> pow128_;   // the same, or all ones when ≥ 2^127
};

// Dyck-k: symbol 2i opens pair i, 2i+1 closes it; depth never above max_depth (if > 0).
// Count class = depth. N(r, d) = k·N(r−1, d+1) [if d < max] + N(r−1, d−1) [if d > 0], N(0, d) = [d = 0].
class DyckLanguage : public GrammarLanguage {
 public:
  DyckLanguage(Info info, int pairs, int max_depth) : GrammarLanguage(std::move(info)), pairs_(pairs), max_depth_(max_depth) {}

  void Step(GrammarState& s, uint8_t a) const override {
    if (s.dead) return;
    const int child = ChildClass(s, a);
    if (child < 0) {
      s.dead = true;
    } else if (a % 2 == 0) {
      s.stack.push_back(a / 2);
      ++s.depth;
    } else {
      s.stack.pop_back();
      --s.depth;
    }
  }
  bool Final(const GrammarState& s) const override { return !s.dead && s.depth == 0; }
  int ChildClass(const GrammarState& s, uint8_t a) const override {
    if (s.dead) return -1;
    if (a % 2 == 0) return (max_depth_ > 0 && s.depth >= max_depth_) ? -1 : s.depth + 1;
    return (!s.stack.empty() && s.stack.back() == a / 2) ? s.depth - 1 : -1;
  }
  const Count& Members(int d, int r) const override { return d <= r ? table_[r][d] : zero_; }
  U128 Members128(int d, int r) const override { return d <= r ? table128_[r][d] : 0; }

  void GrowTables(int n) const override {
    if (table_.empty()) {
      table_.push_back({Count(1)});  // N(0, 0) = 1
      table128_.push_back({1});
    }
    while (static_cast<int>(table_.size()) <= n) {
      const int r = static_cast<int>(table_.size());
      const auto& prev = table_.back();  // depths 0 .. r−1
      std::vector<Count> row(r + 1);
      std::vector<U128> row128(r + 1);
      for (int d = 0; d <= r; ++d) {
        if (d + 1 <= r - 1 && (max_depth_ == 0 || d < max_depth_)) row[d] += pairs_ * prev[d + 1];
        if (d > 0) row[d] += prev[d - 1];
        row128[d] = mpz_sizeinbase(row[d].get_mpz_t(), 2) <= 127 ? ToU128(row[d]) : ~U128(0);
      }
      table_.push_back(std::move(row));
      table128_.push_back(std::move(row128));
    }
  }

 private:
  int pairs_, max_depth_;
  const Count zero_ = 0;
  mutable std::vector<std::vector<Count>> table_;    // table_[r][d], d = 0..r
  mutable std::vector<std::vector<U128>> table128_;  // the same where it fits
};

// a^n b^n over a two-symbol alphabet (symbol 0 = a, 1 = b), n ≥ 0. Count class: 2z while reading the
// z leading a's (completions 0^j 1^(z+j)), 2j+1 once b's started with j b's still owed (completion 1^j).
class AnBnLanguage : public GrammarLanguage {
 public:
  explicit AnBnLanguage(Info info) : GrammarLanguage(std::move(info)) {}

  void Step(GrammarState& s, uint8_t a) const override {
    if (s.dead) return;
    if (ChildClass(s, a) < 0) s.dead = true;
    else if (a == 0) ++s.depth;
    else ++s.ones;
  }
  bool Final(const GrammarState& s) const override { return !s.dead && s.ones == s.depth; }
  int ChildClass(const GrammarState& s, uint8_t a) const override {
    if (s.dead) return -1;
    if (a == 0) return s.ones > 0 ? -1 : 2 * (s.depth + 1);
    return s.ones + 1 > s.depth ? -1 : 2 * (s.depth - s.ones - 1) + 1;
  }
  const Count& Members(int c, int r) const override { return Members128(c, r) ? one_ : zero_; }
  U128 Members128(int c, int r) const override {
    if (c % 2 == 1) return r == c / 2 ? 1 : 0;
    return (r >= c / 2 && (r - c / 2) % 2 == 0) ? 1 : 0;
  }
  void GrowTables(int) const override {}

 private:
  const Count zero_ = 0, one_ = 1;
};

}  // namespace

std::shared_ptr<const Language> MakeGrammarLanguage(Language::Info info, const GrammarSpec& spec) {
  const std::string& where = info.path;
  if (spec.kind == "dyck") {
    if (spec.pairs < 1 || spec.pairs > 15) throw Error(fmt::format("{}: grammar dyck: pairs must be 1..15, got {}", where, spec.pairs));
    if (static_cast<int>(info.alphabet.size()) != 2 * spec.pairs)
      throw Error(fmt::format("{}: grammar dyck with {} pair(s) needs an alphabet of {} symbols (open, close, ...), got \"{}\"",
                              where, spec.pairs, 2 * spec.pairs, info.alphabet));
    if (spec.max_depth < 0) throw Error(fmt::format("{}: grammar dyck: max_depth must be ≥ 0 (0 = unbounded)", where));
    info.regular_grammar = spec.max_depth > 0;
    return std::make_shared<DyckLanguage>(std::move(info), spec.pairs, spec.max_depth);
  }
  if (spec.kind == "anbn") {
    if (info.alphabet.size() != 2)
      throw Error(fmt::format("{}: grammar anbn needs a two-symbol alphabet (a then b), got \"{}\"", where, info.alphabet));
    return std::make_shared<AnBnLanguage>(std::move(info));
  }
  throw Error(fmt::format("{}: unknown grammar kind '{}' (known: dyck, anbn)", where, spec.kind));
}

}  // namespace flbench
