// Exhaustive verification: a model against its language's exact answers on every string of length 1..N.
// Entry points: Verify, VerifyResult, ToJson, AccuracyByLength, SampledByLength. Tested by tests/model_verify_test.cc.
//
// What is checked. Membership: every string of length 1..N, the model's decision after its last symbol against
// membership. Next-symbol: every string of length 1..N that can still be completed to a member (every prefix of a
// member — the strings a next-symbol model is trained and judged on); a string is right when each of its steps'
// predicted sets (symbols that may follow, then end of string) equals the exact one. A string outside the language's
// prefixes needs no separate check: its last live prefix's prediction already says its next symbol cannot follow.
// The empty string is not counted: the model reads no symbol and flbench never trains on it; what the model says on
// it (the readout of h_0 = readout.bias) and what the language says are reported beside the counts.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lang/dataset.h"
#include "lang/language.h"
#include "model/model.h"

namespace flbench {

struct LengthErrors {
  int length = 0;
  uint64_t strings = 0, errors = 0;
};

struct Counterexample {
  std::string text;      // the string
  std::string model;     // membership: "0"/"1"; next-symbol: the model's steps "T1,…,Tn" (dataset TSV format)
  std::string expected;  // the same for the language
};

struct VerifyResult {
  std::string language, task;
  int max_len = 0;
  std::vector<LengthErrors> per_length;  // lengths 1..max_len
  uint64_t strings = 0, errors = 0;      // summed over per_length
  double error_rate = 0;                 // errors / strings (0 when there are no strings)
  bool exact = false;                    // errors == 0
  // Up to 5 shortest wrong strings, shortlex order. Next-symbol: only strings whose last step is the first wrong one
  // (every extension of a wrong string is wrong too; listing those would add nothing).
  std::vector<Counterexample> counterexamples;
  std::string empty_model, empty_language;  // on the empty string, in the same notation as counterexamples
  uint64_t network_strings = 0;  // strings the network was run on (all |Σ|^n for n ≤ N, shared prefixes)
  double seconds = 0;            // wall time of the network walk (ExhaustiveTables::seconds) and the comparison
};

// Throws flbench::Error if the model's alphabet differs from the language's or N is too large (StringSpace).
VerifyResult Verify(const RnnModel& model, const Language& lang, int max_len);
// The same from tables already computed (ComputeTables in exhaustive.h), e.g. shared with Extract.
struct ExhaustiveTables;
VerifyResult Verify(const RnnModel& model, const Language& lang, const ExhaustiveTables& tables);

nlohmann::json ToJson(const VerifyResult& r);
// [{"length": n, "strings": s, "errors": e, "accuracy": 1 − e/s}, …] for lengths 1..N: an accuracy-vs-length plot.
nlohmann::json AccuracyByLength(const VerifyResult& r);

// The model's errors per length on sampled examples (a dataset split), judged as the trainer judges them: membership
// by the decision after the last symbol, next-symbol by every step's set of allowed continuations ("all steps
// right"). Lengths without examples are left out; ascending. Throws flbench::Error if an example does not fit the
// model (a symbol outside its alphabet, next-symbol targets of the wrong length).
std::vector<LengthErrors> SampledByLength(const RnnModel& model, const std::vector<Example>& examples);

}  // namespace flbench
