// The automaton a network implements: Angluin's L* with the network as membership oracle and equivalence queries
// answered by comparing the hypothesis with the network on every string up to N (Weiss, Goldberg & Yahav 2018 use
// L* with the network as oracle; their abstraction-guided equivalence check is replaced by this exhaustive one, which
// also makes the returned counterexamples shortest). Counterexamples are processed as Maler & Pnueli do (all their
// suffixes join the experiments), so the table stays consistent. The result is compared with the language's
// minimal DFA by product construction. Entry points: Extract, ExtractResult, ToJson, ToDot.
// Tested by tests/model_extract_test.cc.
//
// What the network "accepts" (its membership reading). Membership models: the logit after the last symbol > 0.
// Next-symbol models: the end-of-string output after the last symbol is on AND every symbol after the first was
// among those the network allowed at the step before (a generator's reading: the end bit alone is never trained on
// strings outside the language's prefixes); the first symbol has no step before it, so its admissibility is the
// language's. The empty string: the network reads no symbol and is never trained on it, so its answer is taken from
// the language (the readout of h_0 is reported by verify). Hence a network exact on all strings 1..N
// (verify) reads as the language on all strings 0..N (not conversely: it may allow a symbol that cannot follow and
// still never accept after it).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "lang/dfa.h"
#include "lang/language.h"
#include "model/model.h"

namespace flbench {

struct ExtractResult {
  std::string language, task, alphabet;
  int max_len = 0;
  Dfa automaton;           // minimal, states in BFS order from the start
  bool converged = false;  // no string ≤ N tells the automaton and the network apart (false: stopped at max_states)
  int equivalence_queries = 0;
  uint64_t membership_queries = 0;  // answered by the network (from the table up to N, by a forward pass beyond)
  bool exact_up_to_n = false;       // the network's reading agrees with the language on every string 0..N
  bool target_has_dfa = false;      // false for grammar languages: no product construction, equivalent is unknown
  std::optional<bool> equivalent;   // automaton = language's minimal DFA (product construction)
  int target_states = 0;            // states of the language's minimal DFA (0 without one)
  // A shortest string on which automaton and language differ (when not equivalent), and what each says on it.
  std::optional<std::string> difference;
  bool difference_network = false, difference_automaton = false, difference_language = false;
  // The interesting case: the network is right on every string up to N, yet the automaton it implements is not the
  // language's (the difference is longer than N).
  bool exact_but_automaton_differs = false;
  double seconds = 0;
};

// Throws flbench::Error if the model's alphabet differs from the language's or N is too large (StringSpace).
ExtractResult Extract(const RnnModel& model, const Language& lang, int max_len, int max_states = 500);
// The same from tables already computed (ComputeTables in exhaustive.h), e.g. shared with Verify.
struct ExhaustiveTables;
ExtractResult Extract(const RnnModel& model, const Language& lang, const ExhaustiveTables& tables,
                      int max_states = 500);

// Includes the automaton: {"start": 0, "accepting": [0/1 per state], "next": [[state per symbol] per state]}.
nlohmann::json ToJson(const ExtractResult& r);
// Graphviz: states q0 … (q0 = start, double circles accept), edges labelled with the alphabet's symbols.
std::string ToDot(const ExtractResult& r);

}  // namespace flbench
