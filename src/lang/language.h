// A formal language over a small alphabet: exact membership, exact counts of members and non-members
// of each length, and exact uniform sampling of either class at a given length.
// Implementations: DfaLanguage (dfa: and regex: specs, language_dfa.cc), grammar languages
// (grammar.cc). Loaded from YAML by LoadLanguage (spec.h). Tested by tests/lang_*_test.cc.
#pragma once

#include <gmpxx.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "util/rng.h"

namespace flbench {

using Word = std::vector<uint8_t>;  // symbol indices into the alphabet
using Count = mpz_class;            // exact, arbitrary precision (counts exceed 2^64 by length ~64)

class Language {
 public:
  virtual ~Language() = default;

  const std::string& name() const { return name_; }
  const std::string& alphabet() const { return alphabet_; }  // symbol a is alphabet()[a]
  int symbols() const { return static_cast<int>(alphabet_.size()); }
  const std::string& kind() const { return kind_; }  // "dfa", "regex" or "grammar"
  const std::string& description() const { return description_; }
  const std::string& source() const { return source_; }
  const std::string& path() const { return path_; }  // the YAML file it came from ("" if built in code)
  bool regular() const { return kind_ != "grammar" || regular_grammar_; }

  virtual bool Accepts(std::span<const uint8_t> w) const = 0;
  // Number of members (member = true) or non-members of length n.
  virtual Count CountOf(int n, bool member) const = 0;
  // The word of rank `rank` (0 ≤ rank < CountOf(n, member)) among members / non-members of length n,
  // in lexicographic order of symbol indices. Checks the result's class (and RE2 where there is one).
  virtual Word Unrank(int n, bool member, const Count& rank) const = 0;
  // A uniformly random member / non-member of length n: Unrank of a uniform rank. Throws
  // flbench::Error if there is none of that length.
  virtual Word Sample(int n, bool member, Rng& rng) const;
  // Next-symbol targets for w (see Example::next in dataset.h): one mask per prefix w[0..t].
  virtual std::vector<uint32_t> NextSymbolTargets(std::span<const uint8_t> w) const = 0;
  // Make the counting tables cover lengths up to n (sampling calls this itself; it is here so
  // callers can build them once before sampling from many threads). Tables are built on first use only;
  // their size is estimated first and flbench::Error ("… would need about 6.3 GB of memory …") thrown when
  // it exceeds MemoryBudget() (util/memory.h).
  virtual void Prepare(int n) const = 0;

  // Conversions between text and words; Encode throws flbench::Error naming the bad symbol.
  Word Encode(const std::string& text) const;
  std::string Decode(std::span<const uint8_t> w) const;

  struct Info {
    std::string name, kind, alphabet, description, source, path;
    bool regular_grammar = false;
  };
  explicit Language(Info info)
      : name_(std::move(info.name)), alphabet_(std::move(info.alphabet)), kind_(std::move(info.kind)),
        description_(std::move(info.description)), source_(std::move(info.source)),
        path_(std::move(info.path)), regular_grammar_(info.regular_grammar) {}

 private:
  std::string name_, alphabet_, kind_, description_, source_, path_;
  bool regular_grammar_ = false;
};

}  // namespace flbench
