// Verify: the model's decisions and the language's exact answers on every string up to N (exhaustive.h), compared
// string by string in shortlex order; see verify.h for what counts as an error.
#include "model/verify.h"

#include <fmt/format.h>

#include <chrono>
#include <map>

#include "model/exhaustive.h"
#include "util/error.h"

namespace flbench {

namespace {

std::string Answer(const RnnModel& M, uint32_t bits) {
  return M.task == Task::kMembership ? ((bits & 1) ? "1" : "0") : MaskText(bits, M.d);
}

// The steps of string (n, rank) from a bits table: "T1,…,Tn" (next-symbol) or the last bit (membership).
std::string Steps(const RnnModel& M, const StringSpace& S, const std::vector<uint32_t>& table, int n, uint64_t rank) {
  if (M.task == Task::kMembership) return Answer(M, table[S.start[n] + rank]);
  std::string s;
  const uint32_t mask = (2u << M.d) - 1;
  for (int t = n; t >= 1; --t) {
    s = MaskText(table[S.start[t] + rank] & mask, M.d) + (s.empty() ? "" : ",") + s;
    rank /= S.k;
  }
  return s;
}

}  // namespace

VerifyResult Verify(const RnnModel& M, const Language& lang, int max_len) {
  return Verify(M, lang, ComputeTables(M, lang, max_len));
}

VerifyResult Verify(const RnnModel& M, const Language& lang, const ExhaustiveTables& tables) {
  if (M.alphabet != lang.alphabet() || tables.space.k != M.d || tables.model.size() != tables.space.total())
    throw Error("Verify: tables computed for another model or language");
  const auto t0 = std::chrono::steady_clock::now();
  const StringSpace& S = tables.space;
  const int max_len = S.max_len;
  const std::vector<uint32_t>& model = tables.model;
  const std::vector<uint32_t>& target = tables.target;

  VerifyResult r;
  r.language = lang.name();
  r.task = TaskName(M.task);
  r.max_len = max_len;
  r.network_strings = S.total();
  r.empty_model = Answer(M, model[0]);
  r.empty_language = Answer(M, target[0]);
  const uint32_t mask = M.task == Task::kMembership ? 1u : (2u << M.d) - 1;
  // Next-symbol: wrong[i] = some step of string i is wrong (a string is counted only when live: target ≠ 0).
  std::vector<uint8_t> wrong_prev, wrong_cur;
  for (int n = 1; n <= max_len; ++n) {
    LengthErrors le{n, 0, 0};
    const uint64_t base = S.start[n], count = S.count(n);
    wrong_cur.assign(M.task == Task::kNextSymbol ? count : 0, 0);
    for (uint64_t q = 0; q < count; ++q) {
      const uint32_t want = target[base + q], got = model[base + q] & mask;
      if (M.task == Task::kMembership) {
        ++le.strings;
        if (got != want) {
          ++le.errors;
          if (r.counterexamples.size() < 5)
            r.counterexamples.push_back({lang.Decode(S.At(n, q)), Answer(M, got), Answer(M, want)});
        }
        continue;
      }
      if (want == 0) continue;  // not a prefix of any member
      ++le.strings;
      const bool before = n > 1 && wrong_prev[q / S.k];
      const bool here = got != want;
      wrong_cur[q] = before || here;
      if (!wrong_cur[q]) continue;
      ++le.errors;
      if (!before && r.counterexamples.size() < 5)
        r.counterexamples.push_back({lang.Decode(S.At(n, q)), Steps(M, S, model, n, q), Steps(M, S, target, n, q)});
    }
    wrong_prev.swap(wrong_cur);
    r.per_length.push_back(le);
    r.strings += le.strings;
    r.errors += le.errors;
  }
  r.error_rate = r.strings ? double(r.errors) / double(r.strings) : 0.0;
  r.exact = r.errors == 0;
  r.seconds = tables.seconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

nlohmann::json AccuracyByLength(const VerifyResult& r) {
  nlohmann::json a = nlohmann::json::array();
  for (const LengthErrors& le : r.per_length)
    a.push_back({{"length", le.length},
                 {"strings", le.strings},
                 {"errors", le.errors},
                 {"accuracy", le.strings ? 1.0 - double(le.errors) / double(le.strings) : 1.0}});
  return a;
}

std::vector<LengthErrors> SampledByLength(const RnnModel& M, const std::vector<Example>& examples) {
  std::map<int, LengthErrors> by;
  const uint32_t mask = M.task == Task::kMembership ? 1u : (2u << M.d) - 1;
  for (const Example& e : examples) {
    for (uint8_t a : e.x)
      if (a >= M.d) throw Error(fmt::format("SampledByLength: symbol index {} outside the model's {} symbols", a, M.d));
    if (M.task == Task::kNextSymbol && e.next.size() != e.x.size())
      throw Error(fmt::format("SampledByLength: a next-symbol example of length {} has {} targets", e.x.size(), e.next.size()));
    bool right = true;
    if (e.x.empty()) {
      right = (EmptyDecision(M) & 1) == e.label;
    } else {
      const std::vector<uint32_t> steps = ModelForward(M, e.x);
      if (M.task == Task::kMembership) {
        right = (steps.back() & 1) == e.label;
      } else {
        for (size_t t = 0; t < steps.size() && right; ++t) right = (steps[t] & mask) == (e.next[t] & mask);
      }
    }
    LengthErrors& le = by[static_cast<int>(e.x.size())];
    le.length = static_cast<int>(e.x.size());
    ++le.strings;
    le.errors += right ? 0 : 1;
  }
  std::vector<LengthErrors> out;
  for (const auto& [n, le] : by) out.push_back(le);
  return out;
}

nlohmann::json ToJson(const VerifyResult& r) {
  nlohmann::json ce = nlohmann::json::array();
  for (const Counterexample& c : r.counterexamples)
    ce.push_back({{"string", c.text}, {"model", c.model}, {"expected", c.expected}});
  return {{"language", r.language},
          {"task", r.task},
          {"max_len", r.max_len},
          {"strings", r.strings},
          {"errors", r.errors},
          {"error_rate", r.error_rate},
          {"exact", r.exact},
          {"per_length", AccuracyByLength(r)},
          {"counterexamples", ce},
          {"empty_string", {{"model", r.empty_model}, {"language", r.empty_language}, {"counted", false}}},
          {"network_strings", r.network_strings},
          {"seconds", r.seconds}};
}

}  // namespace flbench
