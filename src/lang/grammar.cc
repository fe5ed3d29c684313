// Grammar languages share one sampler: the parse state after a prefix (GrammarState) plus
// MemberCompletions(state, r) = #{v ∈ Σ^r : prefix·v is a member}; non-member completions are
// |Σ|^r minus that, exactly. Unranking then draws uniformly from either class.
#include "lang/grammar.h"

#include <fmt/format.h>

#include <mutex>
#include <shared_mutex>
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

class GrammarLanguage : public Language {
 public:
  explicit GrammarLanguage(Info info) : Language(std::move(info)) {}

  virtual void Step(GrammarState& s, uint8_t a) const = 0;
  virtual bool Final(const GrammarState& s) const = 0;
  // Exact number of member completions of length r from s (s not dead).
  virtual Count MemberCompletions(const GrammarState& s, int r) const = 0;

  bool Accepts(std::span<const uint8_t> w) const override {
    GrammarState s;
    for (uint8_t a : w) {
      Step(s, a);
      if (s.dead) return false;
    }
    return Final(s);
  }

  Count Completions(const GrammarState& s, int r, bool member) const {
    const Count m = s.dead ? Count(0) : MemberCompletions(s, r);
    if (member) return m;
    Count all;
    mpz_ui_pow_ui(all.get_mpz_t(), symbols(), r);
    return all - m;
  }

  Count CountOf(int n, bool member) const override {
    if (n < 0) return 0;
    return Completions(GrammarState{}, n, member);
  }

  Word Unrank(int n, bool member, const Count& rank) const override {
    if (rank < 0 || rank >= CountOf(n, member))
      throw Error(fmt::format("language {}: rank out of range for length {}", name(), n));
    Count u = rank;
    GrammarState s;
    Word w(n);
    for (int i = 0; i < n; ++i) {
      for (int a = 0; a < symbols(); ++a) {
        GrammarState t = s;
        Step(t, static_cast<uint8_t>(a));
        const Count c = Completions(t, n - 1 - i, member);
        if (u < c) {
          w[i] = static_cast<uint8_t>(a);
          s = std::move(t);
          break;
        }
        u -= c;
      }
    }
    if (Accepts(w) != member)
      throw Error(fmt::format("internal error: sampler of {} produced a word of the wrong class", name()));
    return w;
  }

  std::vector<uint32_t> NextSymbolTargets(std::span<const uint8_t> w) const override {
    // Every live state of these grammars can be completed to a member, so "can continue" = "not dead".
    std::vector<uint32_t> out;
    GrammarState s;
    for (uint8_t x : w) {
      Step(s, x);
      uint32_t mask = 0;
      for (int a = 0; a < symbols(); ++a) {
        GrammarState t = s;
        Step(t, static_cast<uint8_t>(a));
        if (!t.dead) mask |= 1u << a;
      }
      if (!s.dead && Final(s)) mask |= 1u << symbols();
      out.push_back(mask);
    }
    return out;
  }
};

// Dyck-k: symbol 2i opens pair i, 2i+1 closes it; depth never above max_depth (if > 0).
class DyckLanguage : public GrammarLanguage {
 public:
  DyckLanguage(Info info, int pairs, int max_depth) : GrammarLanguage(std::move(info)), pairs_(pairs), max_depth_(max_depth) {}

  void Step(GrammarState& s, uint8_t a) const override {
    if (s.dead) return;
    if (a % 2 == 0) {
      if (max_depth_ > 0 && s.depth >= max_depth_) {
        s.dead = true;
        return;
      }
      s.stack.push_back(a / 2);
      ++s.depth;
    } else {
      if (s.stack.empty() || s.stack.back() != a / 2) {
        s.dead = true;
        return;
      }
      s.stack.pop_back();
      --s.depth;
    }
  }
  bool Final(const GrammarState& s) const override { return !s.dead && s.depth == 0; }

  // N(r, d): completions of length r from depth d = k·N(r−1, d+1) [if d < max] + N(r−1, d−1) [if d > 0].
  Count MemberCompletions(const GrammarState& s, int r) const override {
    if (s.depth > r || (r - s.depth) % 2 != 0) return 0;
    Prepare(r);
    std::shared_lock lock(mu_);
    return table_[r][s.depth];
  }

  void Prepare(int n) const override {
    {
      std::shared_lock lock(mu_);
      if (static_cast<int>(table_.size()) > n) return;
    }
    std::unique_lock lock(mu_);
    if (table_.empty()) table_.push_back({Count(1)});  // N(0, 0) = 1
    while (static_cast<int>(table_.size()) <= n) {
      const int r = static_cast<int>(table_.size());
      const auto& prev = table_.back();  // depths 0 .. r−1
      std::vector<Count> row(r + 1);
      for (int d = 0; d <= r; ++d) {
        if (d + 1 <= r - 1 && (max_depth_ == 0 || d < max_depth_)) row[d] += pairs_ * prev[d + 1];
        if (d > 0 && d - 1 <= r - 1) row[d] += prev[d - 1];
      }
      table_.push_back(std::move(row));
    }
  }

 private:
  int pairs_, max_depth_;
  mutable std::shared_mutex mu_;
  mutable std::vector<std::vector<Count>> table_;  // table_[r][d], d = 0..r
};

// a^n b^n over a two-symbol alphabet (symbol 0 = a, 1 = b), n ≥ 0.
class AnBnLanguage : public GrammarLanguage {
 public:
  explicit AnBnLanguage(Info info) : GrammarLanguage(std::move(info)) {}

  void Step(GrammarState& s, uint8_t a) const override {
    if (s.dead) return;
    if (a == 0) {
      if (s.ones > 0) s.dead = true;
      else ++s.depth;
    } else {
      ++s.ones;
      if (s.ones > s.depth) s.dead = true;
    }
  }
  bool Final(const GrammarState& s) const override { return !s.dead && s.ones == s.depth; }
  Count MemberCompletions(const GrammarState& s, int r) const override {
    if (s.ones == 0) return (r >= s.depth && (r - s.depth) % 2 == 0) ? 1 : 0;  // 0^j 1^(depth+j)
    return r == s.depth - s.ones ? 1 : 0;
  }
  void Prepare(int) const override {}
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
