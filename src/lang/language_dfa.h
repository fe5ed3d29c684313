// A regular language held as a minimal DFA, with exact counting tables for both classes and, when
// the spec had a regex, RE2 as the membership oracle that checks every sampled string.
// Entry point: DfaLanguage. Tested by tests/lang_sampling_test.cc and tests/lang_spec_test.cc.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "lang/counting.h"
#include "lang/dfa.h"
#include "lang/language.h"

namespace flbench {

class DfaLanguage : public Language {
 public:
  // `regex` may be empty (a dfa: spec without one); otherwise it is compiled by RE2 (errors throw).
  DfaLanguage(Info info, Dfa dfa, std::string regex);
  DfaLanguage(const DfaLanguage&) = delete;
  DfaLanguage& operator=(const DfaLanguage&) = delete;

  const Dfa& dfa() const { return dfa_; }
  const std::string& regex() const { return regex_; }
  // RE2's verdict on a word (requires a regex).
  bool Re2Accepts(std::span<const uint8_t> w) const;

  bool Accepts(std::span<const uint8_t> w) const override { return dfa_.Accepts(w); }
  Count CountOf(int n, bool member) const override;
  Word Unrank(int n, bool member, const Count& rank) const override;
  Word Sample(int n, bool member, Rng& rng) const override;  // 64-bit fast path
  std::vector<uint32_t> NextSymbolTargets(std::span<const uint8_t> w) const override;
  // Builds the tables to length n; refuses (flbench::Error with the estimate) what would not fit in memory.
  void Prepare(int n) const override;
  // Estimated bytes of the counting tables for lengths 0..n.
  double TableBytes(int n) const;
  // How many lengths the counting tables cover so far (0 until first needed).
  int TablesBuilt() const;

 private:
  // counts_[c][r][q] = number of words of length r leading from q into class c (1 = accepting).
  // u64_[c][r][q] = the same when it fits 64 bits (else ~0, never read: see Sample).
  Word UnrankU64(int n, bool member, uint64_t rank) const;
  template <typename C, typename Table>
  Word Walk(int n, C rank, const Table& table) const;
  void Check(const Word& w, bool member) const;
  const Count& At(bool member, int r, int q) const { return counts_[member][r][q]; }

  Dfa dfa_;
  std::vector<uint8_t> coreachable_;
  std::string regex_;
  std::unique_ptr<RE2> re2_;
  mutable std::shared_mutex mu_;  // guards growth of the tables
  mutable std::vector<std::vector<Count>> counts_[2];
  mutable std::vector<std::vector<uint64_t>> u64_[2];
};

}  // namespace flbench
