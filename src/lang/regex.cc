// Regex compiler: tokens → postfix (shunting-yard, explicit operator stack) → Thompson NFA built from
// contiguous fragments (so {n,m} copies a state range instead of recursing) → subset construction → Minimize.
#include "lang/regex.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <vector>

#include "util/error.h"
#include "util/rng.h"

namespace flbench {

namespace {

constexpr int kMaxRepeat = 1000;         // RE2's limit too
constexpr size_t kMaxNfaStates = 250000;
constexpr size_t kMaxDfaStates = 100000;
// Subset construction: at most this many NFA states summed over all DFA states' sets (memory), and this
// many closure steps (time, ≈ a second); beyond either the pattern is refused with a message.
constexpr size_t kMaxSubsetInts = 20000000;
constexpr size_t kMaxSubsetSteps = 100000000;

// The pattern as quoted in messages: long ones are cut in the middle.
std::string Quoted(const std::string& p) {
  if (p.size() <= 80) return "'" + p + "'";
  return fmt::format("'{}…{}' ({} characters)", p.substr(0, 40), p.substr(p.size() - 30), p.size());
}

// What RE2 reads an escaped letter or digit as: the compiler implements none of these.
std::string EscapeMeaning(char e) {
  switch (e) {
    case 'b': return "a word boundary";
    case 'B': return "not a word boundary";
    case 'A': return "the beginning of the text";
    case 'z': return "the end of the text";
    case 'd': case 'D': return "a digit class";
    case 's': case 'S': return "a whitespace class";
    case 'w': case 'W': return "a word-character class";
    case 'p': case 'P': return "a Unicode class";
    case 'Q': case 'E': return "literal-text quoting";
    case 'C': return "any byte";
    case 'x': return "a hexadecimal character code";
    case 'a': case 'f': case 't': case 'n': case 'r': case 'v': return "a control character";
    default:
      if (e >= '0' && e <= '9') return "an octal character code or a back-reference";
      return "something other than the letter";
  }
}

enum class Op { kSet, kEmpty, kConcat, kAlt, kStar, kPlus, kQuest, kRepeat, kOpen };

struct Token {
  Op op;
  uint32_t mask = 0;    // kSet: symbols matched
  int lo = 0, hi = 0;   // kRepeat: {lo,hi}, hi = -1 for unbounded
  int column = 0;       // 1-based, for errors
};

class Parser {
 public:
  Parser(const std::string& pattern, const std::string& alphabet, const std::string& where)
      : p_(pattern), alphabet_(alphabet), where_(where) {}

  std::vector<Token> ToPostfix() {
    // `expect_operand` is true where an operand may start (after '(', '|' or at the beginning).
    bool expect_operand = true;
    bool last_was_quantifier = false;
    size_t i = 0;
    while (i < p_.size()) {
      const int col = static_cast<int>(i) + 1;
      const char c = p_[i];
      if (c == '(') {
        if (!expect_operand) PushOperator({Op::kConcat, 0, 0, 0, col});
        if (p_.compare(i, 3, "(?:") == 0) {
          i += 3;
        } else if (i + 1 < p_.size() && p_[i + 1] == '?') {
          Fail(col, "unsupported group flag '(?" + std::string(1, i + 2 < p_.size() ? p_[i + 2] : ' ') +
                        "'; only (?:...) is supported");
        } else {
          ++i;
        }
        ops_.push_back({Op::kOpen, 0, 0, 0, col});
        expect_operand = true;
        last_was_quantifier = false;
        continue;
      }
      if (c == ')') {
        if (expect_operand) output_.push_back({Op::kEmpty, 0, 0, 0, col});
        while (!ops_.empty() && ops_.back().op != Op::kOpen) PopOperator();
        if (ops_.empty()) Fail(col, "unexpected ')' with no matching '('");
        ops_.pop_back();
        ++i;
        expect_operand = false;
        last_was_quantifier = false;
        continue;
      }
      if (c == '|') {
        if (expect_operand) output_.push_back({Op::kEmpty, 0, 0, 0, col});
        PushOperator({Op::kAlt, 0, 0, 0, col});
        ++i;
        expect_operand = true;
        last_was_quantifier = false;
        continue;
      }
      if (c == '*' || c == '+' || c == '?' || c == '{') {
        if (c == '?' && last_was_quantifier) {  // lazy modifier: same language
          ++i;
          last_was_quantifier = false;
          continue;
        }
        if (expect_operand) Fail(col, fmt::format("missing argument to repetition operator '{}'", c));
        if (last_was_quantifier) Fail(col, fmt::format("bad repetition operator '{}' after another", c));
        Token t{c == '*' ? Op::kStar : c == '+' ? Op::kPlus : Op::kQuest, 0, 0, 0, col};
        if (c == '{') {
          t.op = Op::kRepeat;
          i = ParseRepeat(i, t);
        } else {
          ++i;
        }
        output_.push_back(t);  // postfix operators bind tightest: apply at once
        last_was_quantifier = true;
        continue;
      }
      // An operand: a symbol, '.', a class or an escape.
      Token t{Op::kSet, 0, 0, 0, col};
      if (c == '.') {
        t.mask = AllSymbols();
        ++i;
      } else if (c == '[') {
        i = ParseClass(i, t);
      } else if (c == '\\') {
        if (i + 1 >= p_.size()) Fail(col, "trailing backslash");
        const char e = p_[i + 1];
        CheckEscape(e, col);
        t.mask = SymbolMask(e, col);
        i += 2;
      } else if (c == '^' || c == '$') {
        Fail(col, fmt::format("anchor '{}' not supported: patterns always match the whole string", c));
      } else {
        t.mask = SymbolMask(c, col);
        ++i;
      }
      if (!expect_operand) PushOperator({Op::kConcat, 0, 0, 0, col});
      output_.push_back(t);
      expect_operand = false;
      last_was_quantifier = false;
    }
    if (expect_operand) output_.push_back({Op::kEmpty, 0, 0, 0, static_cast<int>(p_.size()) + 1});
    while (!ops_.empty()) {
      if (ops_.back().op == Op::kOpen) Fail(ops_.back().column, "missing ')' for this '('");
      PopOperator();
    }
    return output_;
  }

  // Only punctuation may be escaped (it then stands for itself, as in RE2); RE2 gives escaped letters and
  // digits meanings the compiler does not implement, so they are refused rather than read as the letter.
  void CheckEscape(char e, int col) const {
    if (std::isalnum(static_cast<unsigned char>(e)) || static_cast<unsigned char>(e) >= 128 || e <= ' ')
      Fail(col, fmt::format("unsupported escape '\\{}' (RE2 reads it as {}); only punctuation may be escaped here, "
                            "e.g. \\* or \\. — write a symbol without the backslash",
                            e, EscapeMeaning(e)));
  }

  [[noreturn]] void Fail(int col, const std::string& what) const {
    throw Error(fmt::format("{}regex column {}: {} (in {})", where_, col, what, Quoted(p_)));
  }

 private:
  static int Precedence(Op op) { return op == Op::kAlt ? 1 : 2; }  // kConcat = 2

  void PushOperator(const Token& t) {
    while (!ops_.empty() && ops_.back().op != Op::kOpen && Precedence(ops_.back().op) >= Precedence(t.op))
      PopOperator();
    ops_.push_back(t);
  }
  void PopOperator() {
    output_.push_back(ops_.back());
    ops_.pop_back();
  }

  uint32_t AllSymbols() const { return alphabet_.size() >= 32 ? ~0u : (1u << alphabet_.size()) - 1; }

  uint32_t SymbolMask(char c, int col) const {
    const size_t a = alphabet_.find(c);
    if (a == std::string::npos) Fail(col, fmt::format("symbol '{}' is not in the alphabet \"{}\"", c, alphabet_));
    return 1u << a;
  }

  size_t ParseRepeat(size_t i, Token& t) {
    const int col = static_cast<int>(i) + 1;
    const size_t close = p_.find('}', i);
    if (close == std::string::npos) Fail(col, "missing '}' in repetition");
    const std::string body = p_.substr(i + 1, close - i - 1);
    const size_t comma = body.find(',');
    auto number = [&](const std::string& s) {
      if (s.empty() || s.size() > 5 || !std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
        Fail(col, "bad repetition count '{" + body + "}'");
      if (s.size() > 1 && s[0] == '0')  // RE2 reads such a brace as literal text (found by tests/fuzz/regex_fuzz.cc)
        Fail(col, "repetition count '" + s + "' has a leading zero (RE2 reads '{" + body + "}' as literal text)");
      return std::stoi(s);
    };
    t.lo = number(comma == std::string::npos ? body : body.substr(0, comma));
    if (comma == std::string::npos) t.hi = t.lo;
    else if (comma + 1 == body.size()) t.hi = -1;
    else t.hi = number(body.substr(comma + 1));
    if (t.lo > kMaxRepeat || t.hi > kMaxRepeat) Fail(col, fmt::format("repetition count above {}", kMaxRepeat));
    if (t.hi >= 0 && t.hi < t.lo) Fail(col, "bad repetition range '{" + body + "}': max < min");
    return close + 1;
  }

  size_t ParseClass(size_t i, Token& t) {
    const int col = static_cast<int>(i) + 1;
    size_t j = i + 1;
    bool negate = false;
    if (j < p_.size() && p_[j] == '^') {
      negate = true;
      ++j;
    }
    uint32_t mask = 0;
    bool first = true;
    auto read_char = [&](size_t& k) {
      if (p_[k] == '\\') {
        if (k + 1 >= p_.size()) Fail(col, "trailing backslash in class");
        CheckEscape(p_[k + 1], static_cast<int>(k) + 1);
        k += 2;
        return p_[k - 1];
      }
      return p_[k++];
    };
    while (j < p_.size() && (p_[j] != ']' || first)) {
      first = false;
      if (p_[j] == '[' && j + 1 < p_.size() && (p_[j + 1] == ':' || p_[j + 1] == '.' || p_[j + 1] == '='))
        Fail(static_cast<int>(j) + 1, fmt::format("POSIX class syntax '[{}' is not supported; list the symbols instead",
                                                  p_[j + 1]));
      const char lo = read_char(j);
      char hi = lo;
      if (j + 1 < p_.size() && p_[j] == '-' && p_[j + 1] != ']') {
        ++j;
        hi = read_char(j);
        if (hi < lo) Fail(col, fmt::format("bad character class range {}-{}", lo, hi));
      }
      bool any = false;
      for (size_t a = 0; a < alphabet_.size(); ++a)
        if (alphabet_[a] >= lo && alphabet_[a] <= hi) {
          mask |= 1u << a;
          any = true;
        }
      if (!any) {
        if (lo == hi) Fail(col, fmt::format("symbol '{}' in class is not in the alphabet \"{}\"", lo, alphabet_));
        Fail(col, fmt::format("class range {}-{} contains no symbol of the alphabet \"{}\"", lo, hi, alphabet_));
      }
    }
    if (j >= p_.size()) Fail(col, "missing ']' for this '['");
    t.mask = negate ? (AllSymbols() & ~mask) : mask;
    return j + 1;
  }

  const std::string& p_;
  const std::string& alphabet_;
  const std::string& where_;
  std::vector<Token> output_;
  std::vector<Token> ops_;
};

// Thompson NFA. A fragment occupies the contiguous state range [lo, hi); its accept state has no
// outgoing edges until an operator adds them.
struct NfaState {
  std::vector<int> eps;
  uint32_t mask = 0;  // symbol edge to `to` on any symbol in mask
  int to = -1;
};
struct Fragment {
  int lo, hi, start, accept;
};

class NfaBuilder {
 public:
  explicit NfaBuilder(const Parser& parser) : parser_(parser) {}

  void Apply(const Token& t) {
    switch (t.op) {
      case Op::kSet: {
        const int s = New(), e = New();
        states_[s].mask = t.mask;
        states_[s].to = e;
        stack_.push_back({s, e + 1, s, e});
        break;
      }
      case Op::kEmpty: {
        const int s = New(), e = New();
        states_[s].eps.push_back(e);
        stack_.push_back({s, e + 1, s, e});
        break;
      }
      case Op::kConcat: {
        const Fragment b = Pop(), a = Pop();
        states_[a.accept].eps.push_back(b.start);
        stack_.push_back({a.lo, b.hi, a.start, b.accept});
        break;
      }
      case Op::kAlt: {
        const Fragment b = Pop(), a = Pop();
        const int s = New(), e = New();
        states_[s].eps = {a.start, b.start};
        states_[a.accept].eps.push_back(e);
        states_[b.accept].eps.push_back(e);
        stack_.push_back({a.lo, e + 1, s, e});
        break;
      }
      case Op::kStar:
      case Op::kPlus:
      case Op::kQuest: {
        const Fragment a = Pop();
        const int s = New(), e = New();
        states_[s].eps.push_back(a.start);
        if (t.op != Op::kPlus) states_[s].eps.push_back(e);
        if (t.op != Op::kQuest) states_[a.accept].eps.push_back(a.start);
        states_[a.accept].eps.push_back(e);
        stack_.push_back({a.lo, e + 1, s, e});
        break;
      }
      case Op::kRepeat:
        Repeat(t);
        break;
      case Op::kOpen:
        break;
    }
    if (states_.size() > kMaxNfaStates)
      parser_.Fail(t.column, fmt::format("pattern too large: more than {} automaton states", kMaxNfaStates));
  }

  Fragment Result() {
    Fragment f = Pop();
    return f;
  }
  const std::vector<NfaState>& states() const { return states_; }

 private:
  int New() {
    states_.emplace_back();
    return static_cast<int>(states_.size()) - 1;
  }
  Fragment Pop() {
    Fragment f = stack_.back();
    stack_.pop_back();
    return f;
  }

  // Appends a copy of `body` (states relative to body_lo) and returns its (start, accept).
  std::pair<int, int> Copy(const std::vector<NfaState>& body, int body_lo, int start, int accept) {
    const int offset = static_cast<int>(states_.size()) - body_lo;
    for (NfaState s : body) {
      for (int& x : s.eps) x += offset;
      if (s.to >= 0) s.to += offset;
      states_.push_back(std::move(s));
      if (states_.size() > kMaxNfaStates) break;
    }
    return {start + offset, accept + offset};
  }

  void Repeat(const Token& t) {
    const Fragment a = Pop();  // the top fragment is the most recently allocated range: a.hi == size
    const std::vector<NfaState> body(states_.begin() + a.lo, states_.end());
    states_.resize(a.lo);
    const int first = New();  // entry of the whole repetition
    int tail = first;         // state to continue from
    auto too_big = [&] {
      if (states_.size() > kMaxNfaStates)
        parser_.Fail(t.column, fmt::format("pattern too large: more than {} automaton states", kMaxNfaStates));
    };
    for (int i = 0; i < t.lo; ++i) {
      auto [s, e] = Copy(body, a.lo, a.start, a.accept);
      too_big();
      states_[tail].eps.push_back(s);
      tail = e;
    }
    if (t.hi < 0) {  // x{n,} = x^n x*
      auto [s, e] = Copy(body, a.lo, a.start, a.accept);
      too_big();
      const int end = New();
      states_[tail].eps.push_back(s);
      states_[tail].eps.push_back(end);
      states_[e].eps.push_back(s);
      states_[e].eps.push_back(end);
      tail = end;
    } else if (t.hi > t.lo) {  // x{n,m} = x^n then up to m−n more, each optional (skip to the end)
      std::vector<int> skips;
      for (int i = t.lo; i < t.hi; ++i) {
        auto [s, e] = Copy(body, a.lo, a.start, a.accept);
        too_big();
        skips.push_back(tail);
        states_[tail].eps.push_back(s);
        tail = e;
      }
      const int end = New();
      states_[tail].eps.push_back(end);
      for (int q : skips) states_[q].eps.push_back(end);
      tail = end;
    }
    const int end = New();
    states_[tail].eps.push_back(end);
    stack_.push_back({a.lo, end + 1, first, end});
  }

  const Parser& parser_;
  std::vector<NfaState> states_;
  std::vector<Fragment> stack_;
};

}  // namespace

Dfa CompileRegex(const std::string& pattern, const std::string& alphabet, const std::string& where) {
  if (alphabet.empty() || alphabet.size() > 31) throw Error(where + "alphabet must have 1 to 31 symbols");
  Parser parser(pattern, alphabet, where);
  const std::vector<Token> postfix = parser.ToPostfix();
  NfaBuilder builder(parser);
  for (const Token& t : postfix) builder.Apply(t);
  const Fragment f = builder.Result();
  const std::vector<NfaState>& nfa = builder.states();

  // Subset construction; the empty set becomes the dead state.
  const int k = static_cast<int>(alphabet.size());
  std::vector<uint32_t> mark(nfa.size(), 0);
  uint32_t stamp = 0;
  size_t steps = 0;
  auto closure = [&](std::vector<int> seeds) {
    ++stamp;
    std::vector<int> out;
    while (!seeds.empty()) {
      const int q = seeds.back();
      seeds.pop_back();
      if (mark[q] == stamp) continue;
      mark[q] = stamp;
      out.push_back(q);
      ++steps;
      for (int r : nfa[q].eps) seeds.push_back(r);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  std::map<std::vector<int>, int> ids;
  std::vector<const std::vector<int>*> sets;  // keys of `ids`, by id
  size_t stored = 0;
  Dfa dfa;
  dfa.symbols = k;
  auto id_of = [&](std::vector<int> set) {
    auto [it, inserted] = ids.emplace(std::move(set), static_cast<int>(sets.size()));
    if (inserted) {
      if (sets.size() >= kMaxDfaStates)
        throw Error(fmt::format("{}regex: pattern {} needs more than {} DFA states", where, Quoted(pattern), kMaxDfaStates));
      stored += it->first.size();
      if (stored > kMaxSubsetInts)
        throw Error(fmt::format("{}regex: pattern {} is too large to compile to a DFA (its subset construction holds "
                                "more than {} NFA states)", where, Quoted(pattern), kMaxSubsetInts));
      sets.push_back(&it->first);
    }
    return it->second;
  };
  dfa.start = id_of(closure({f.start}));
  for (size_t i = 0; i < sets.size(); ++i) {
    const std::vector<int>& set = *sets[i];
    const bool accepting = std::binary_search(set.begin(), set.end(), f.accept);
    dfa.accepting.push_back(accepting ? 1 : 0);
    for (int a = 0; a < k; ++a) {
      std::vector<int> seeds;
      for (int q : set)
        if (nfa[q].mask & (1u << a)) seeds.push_back(nfa[q].to);
      const int target = id_of(closure(std::move(seeds)));
      dfa.next.push_back(target);
    }
    if (steps > kMaxSubsetSteps)
      throw Error(fmt::format("{}regex: pattern {} is too complex to compile to a DFA (more than {} subset-construction "
                              "steps)", where, Quoted(pattern), kMaxSubsetSteps));
  }
  return Minimize(dfa);
}

void CrossCheckRegex(const Dfa& dfa, const RE2& re2, const std::string& alphabet, const std::string& where) {
  const int k = static_cast<int>(alphabet.size());
  std::vector<uint8_t> w;
  std::string text;
  auto check = [&] {
    text.clear();
    for (uint8_t a : w) text.push_back(alphabet[a]);
    const bool ours = dfa.Accepts(w), oracle = RE2::FullMatch(text, re2);
    if (ours != oracle)
      throw Error(fmt::format("{}regex: the compiled automaton and RE2 disagree on \"{}\" (RE2 says {}, the compiler {}): "
                              "the pattern uses a construct the compiler reads differently from RE2; rewrite it with "
                              "symbols, classes, groups, | and repetition only",
                              where, text, oracle ? "member" : "non-member", ours ? "member" : "non-member"));
  };
  // Every string of length 0, 1, … while the total stays within kCrossCheckStrings (odometer order).
  int64_t total = 0, layer = 1;
  for (int len = 0; len <= 64 && total + layer <= kCrossCheckStrings; ++len) {  // (a 1-symbol alphabet: lengths ≤ 64)
    w.assign(len, 0);
    for (int64_t i = 0; i < layer; ++i) {
      check();
      for (int p = len - 1; p >= 0; --p) {  // next string of this length
        if (++w[p] < k) break;
        w[p] = 0;
      }
    }
    total += layer;
    layer *= k;
  }
  Rng rng(0x5eed);
  for (int i = 0; i < kCrossCheckRandom; ++i) {
    w.resize(rng.Below(65));
    for (auto& a : w) a = static_cast<uint8_t>(rng.Below(k));
    check();
  }
}

}  // namespace flbench
