// L* over the network (see extract.h): an observation table of access strings S (prefix-closed) and experiments E
// (suffix-closed, ε first); closing adds rows, each equivalence query walks all strings up to N in shortlex order with
// the hypothesis and the network's table and returns the first disagreement, whose suffixes join E.
#include "model/extract.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "lang/language_dfa.h"
#include "model/exhaustive.h"
#include "util/error.h"

namespace flbench {

namespace {

// The network's membership reading (extract.h) on any string s·e: the table up to N; beyond, the state after s
// (cached: L* asks about the same row strings s with every experiment e) advanced through e.
class NetworkOracle {
 public:
  NetworkOracle(const RnnModel& M, const StringSpace& S, std::vector<uint8_t> accept, uint32_t empty_target)
      : M_(M), S_(S), accept_(std::move(accept)), empty_target_(empty_target), z_(M.m), hn_(M.m) {}

  bool Query(const Word& s, const Word& e) {
    ++queries_;
    if (static_cast<int>(s.size() + e.size()) <= S_.max_len) {
      uint64_t rank = 0;
      for (uint8_t a : s) rank = rank * S_.k + a;
      for (uint8_t a : e) rank = rank * S_.k + a;
      return accept_[S_.start[s.size() + e.size()] + rank];
    }
    RunState st = StateAfter(s);
    for (uint8_t a : e) Advance(st, a);
    return Reading(st);
  }
  uint64_t queries() const { return queries_; }
  const std::vector<uint8_t>& table() const { return accept_; }

  // What the reading says from the step decisions (the same steps as ModelForward, one symbol at a time).
  struct RunState {
    std::vector<float> h;  // h_t
    bool chain = true;     // next-symbol: every symbol after the first was allowed by the step before
    uint32_t last = 0;     // decision bits after the last symbol
    size_t len = 0;
  };
  void Advance(RunState& st, uint8_t a) {
    if (M_.task == Task::kNextSymbol) st.chain = st.chain && (((st.len == 0 ? empty_target_ : st.last) >> a) & 1);
    StepBatch(M_, st.h.data(), &a, 1, z_.data(), hn_.data());
    st.h.swap(hn_);
    float y;
    st.last = 0;
    DecideBatch(M_, st.h.data(), 1, &y, &st.last);
    ++st.len;
  }
  bool Reading(const RunState& st) const {
    if (st.len == 0) return (empty_target_ >> (M_.task == Task::kMembership ? 0 : M_.d)) & 1;  // the language's
    if (M_.task == Task::kMembership) return st.last & 1;
    return st.chain && ((st.last >> M_.d) & 1);
  }

 private:
  // The state after w, from the longest cached prefix (no recursion: w may be hundreds of symbols long).
  const RunState& StateAfter(const Word& w) {
    if (auto it = states_.find(w); it != states_.end()) return it->second;
    size_t n = w.size();
    while (n > 0 && !states_.count(Word(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(n)))) --n;
    RunState st;
    if (n == 0 && !states_.count(Word{})) {
      st.h.assign(M_.m, 0.f);
      states_[Word{}] = st;
    }
    st = states_[Word(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(n))];
    for (size_t i = n; i < w.size(); ++i) Advance(st, w[i]);
    return states_[w] = std::move(st);
  }

  const RnnModel& M_;
  const StringSpace& S_;
  std::vector<uint8_t> accept_;
  uint32_t empty_target_;
  std::map<Word, RunState> states_;
  std::vector<float> z_, hn_;
  uint64_t queries_ = 0;
};

// accept[i] for every string of the space, from the model's decisions and the language's empty-string answer.
std::vector<uint8_t> ReadingTable(const RnnModel& M, const StringSpace& S, const std::vector<uint32_t>& dec,
                                  uint32_t empty_target) {
  std::vector<uint8_t> acc(S.total(), 0), chain(S.total(), 0);
  acc[0] = (empty_target >> (M.task == Task::kMembership ? 0 : M.d)) & 1;  // ε: the language's answer
  chain[0] = 1;
  for (int n = 1; n <= S.max_len; ++n)
    for (uint64_t q = 0; q < S.count(n); ++q) {
      const uint64_t i = S.start[n] + q;
      const uint8_t a = static_cast<uint8_t>(q % S.k);
      if (M.task == Task::kMembership) {
        acc[i] = dec[i] & 1;
        continue;
      }
      const uint64_t parent = S.start[n - 1] + q / S.k;
      const uint32_t allowed = n == 1 ? empty_target : dec[parent];
      chain[i] = chain[parent] && ((allowed >> a) & 1);
      acc[i] = chain[i] && ((dec[i] >> M.d) & 1);
    }
  return acc;
}

using Row = std::vector<uint8_t>;


}  // namespace

ExtractResult Extract(const RnnModel& M, const Language& lang, int max_len, int max_states) {
  return Extract(M, lang, ComputeTables(M, lang, max_len), max_states);
}

ExtractResult Extract(const RnnModel& M, const Language& lang, const ExhaustiveTables& tables, int max_states) {
  if (M.alphabet != lang.alphabet() || tables.space.k != M.d || tables.model.size() != tables.space.total())
    throw Error("Extract: tables computed for another model or language");
  const auto t0 = std::chrono::steady_clock::now();
  const StringSpace& S = tables.space;
  const int max_len = S.max_len;
  const std::vector<uint32_t>& dec = tables.model;
  const std::vector<uint32_t>& target = tables.target;
  NetworkOracle oracle(M, S, ReadingTable(M, S, dec, target[0]), target[0]);
  const int end_bit = M.task == Task::kMembership ? 0 : M.d;

  ExtractResult r;
  r.language = lang.name();
  r.task = TaskName(M.task);
  r.alphabet = M.alphabet;
  r.max_len = max_len;
  r.exact_up_to_n = true;
  for (uint64_t i = 0; i < S.total() && r.exact_up_to_n; ++i)
    r.exact_up_to_n = oracle.table()[i] == ((target[i] >> end_bit) & 1);

  // L*.
  std::vector<Word> access = {Word{}};     // S
  std::vector<Word> experiments = {Word{}};  // E, ε first
  std::set<Word> experiment_set = {Word{}};
  std::map<Word, Row> rows;                // row of every s in S ∪ S·Σ, one entry per experiment
  auto row_of = [&](const Word& w) -> const Row& {
    Row& row = rows[w];
    while (row.size() < experiments.size()) row.push_back(oracle.Query(w, experiments[row.size()]));
    return row;
  };
  Dfa hyp;
  for (;;) {
    // Close: every s·a has the row of some s ∈ S.
    std::map<Row, int> state_of;
    for (size_t i = 0; i < access.size(); ++i) state_of.emplace(row_of(access[i]), static_cast<int>(i));
    for (size_t i = 0; i < access.size() && static_cast<int>(access.size()) < max_states; ++i)
      for (int a = 0; a < M.d; ++a) {
        Word sa = access[i];
        sa.push_back(static_cast<uint8_t>(a));
        const Row& row = row_of(sa);
        if (!state_of.count(row)) {
          state_of.emplace(row, static_cast<int>(access.size()));
          access.push_back(sa);
        }
      }
    // Hypothesis (rows of S·a missing after a stop at max_states go to state 0).
    hyp = Dfa{};
    hyp.symbols = M.d;
    hyp.start = 0;
    hyp.next.assign(access.size() * M.d, 0);
    hyp.accepting.assign(access.size(), 0);
    for (size_t i = 0; i < access.size(); ++i) {
      hyp.accepting[i] = row_of(access[i])[0];
      for (int a = 0; a < M.d; ++a) {
        Word sa = access[i];
        sa.push_back(static_cast<uint8_t>(a));
        auto it = state_of.find(row_of(sa));
        hyp.next[i * M.d + a] = it == state_of.end() ? 0 : it->second;
      }
    }
    if (static_cast<int>(access.size()) >= max_states) break;
    // Equivalence: the first string in shortlex order on which hypothesis and network differ.
    ++r.equivalence_queries;
    std::optional<Word> cex;
    std::vector<int> prev = {hyp.start}, cur;
    if (hyp.accepting[hyp.start] != oracle.table()[0]) cex = Word{};
    for (int n = 1; n <= max_len && !cex; ++n) {
      cur.resize(S.count(n));
      for (uint64_t q = 0; q < S.count(n); ++q) {
        cur[q] = hyp.Step(prev[q / S.k], static_cast<int>(q % S.k));
        if (hyp.accepting[cur[q]] != oracle.table()[S.start[n] + q]) {
          cex = S.At(n, q);
          break;
        }
      }
      prev.swap(cur);
    }
    if (!cex) {
      r.converged = true;
      break;
    }
    for (size_t i = 0; i <= cex->size(); ++i) {
      Word suffix(cex->begin() + static_cast<std::ptrdiff_t>(i), cex->end());
      if (experiment_set.insert(suffix).second) experiments.push_back(suffix);
    }
  }
  r.membership_queries = oracle.queries();
  r.automaton = Minimize(hyp);

  if (const auto* dl = dynamic_cast<const DfaLanguage*>(&lang)) {
    r.target_has_dfa = true;
    const Dfa target_dfa = Minimize(dl->dfa());
    r.target_states = target_dfa.states();
    const auto diff = FindDifference(r.automaton, target_dfa);
    r.equivalent = !diff.has_value();
    if (diff) {
      r.difference = lang.Decode(*diff);
      r.difference_network = oracle.Query(*diff, Word{});
      r.difference_automaton = r.automaton.Accepts(*diff);
      r.difference_language = lang.Accepts(*diff);
      r.exact_but_automaton_differs = r.exact_up_to_n;
    }
  }
  r.seconds = tables.seconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

nlohmann::json ToJson(const ExtractResult& r) {
  nlohmann::json j = {{"language", r.language},
                      {"task", r.task},
                      {"max_len", r.max_len},
                      {"states", r.automaton.states()},
                      {"converged", r.converged},
                      {"equivalence_queries", r.equivalence_queries},
                      {"membership_queries", r.membership_queries},
                      {"exact_up_to_n", r.exact_up_to_n},
                      {"target_states", r.target_has_dfa ? nlohmann::json(r.target_states) : nlohmann::json()},
                      {"equivalent", r.equivalent ? nlohmann::json(*r.equivalent) : nlohmann::json()},
                      {"exact_but_automaton_differs", r.exact_but_automaton_differs},
                      {"seconds", r.seconds}};
  nlohmann::json next = nlohmann::json::array();
  for (int q = 0; q < r.automaton.states(); ++q) {
    nlohmann::json row = nlohmann::json::array();
    for (int a = 0; a < r.automaton.symbols; ++a) row.push_back(r.automaton.Step(q, a));
    next.push_back(row);
  }
  j["automaton"] = {{"start", r.automaton.start}, {"accepting", r.automaton.accepting}, {"next", next}};
  if (r.difference)
    j["difference"] = {{"string", *r.difference},
                       {"length", r.difference->size()},
                       {"network", r.difference_network},
                       {"automaton", r.difference_automaton},
                       {"language", r.difference_language}};
  else
    j["difference"] = nullptr;
  if (!r.target_has_dfa) j["note"] = "the language has no DFA (grammar): compared with it only up to max_len";
  return j;
}

std::string ToDot(const ExtractResult& r) {
  const Dfa& D = r.automaton;
  std::string s = fmt::format("digraph \"{} ({})\" {{\n  rankdir=LR;\n  start [shape=point];\n", r.language, r.task);
  for (int q = 0; q < D.states(); ++q)
    s += fmt::format("  q{} [shape={}];\n", q, D.accepting[q] ? "doublecircle" : "circle");
  s += fmt::format("  start -> q{};\n", D.start);
  for (int q = 0; q < D.states(); ++q) {
    std::map<int, std::string> labels;  // target → symbols
    for (int a = 0; a < D.symbols; ++a) {
      std::string& l = labels[D.Step(q, a)];
      const char c = r.alphabet[a];
      l += l.empty() ? "" : ",";
      if (c == '"' || c == '\\') l += '\\';
      l += c;
    }
    for (const auto& [to, label] : labels) s += fmt::format("  q{} -> q{} [label=\"{}\"];\n", q, to, label);
  }
  return s + "}\n";
}

}  // namespace flbench
