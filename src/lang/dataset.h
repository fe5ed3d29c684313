// What the trainers consume: strings encoded as symbol indices, with a membership label and, for the
// next-symbol task, one target set per prefix. Built by src/lang/dataset_builder.h from a Language.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace flbench {

enum class Task { kMembership, kNextSymbol };

inline const char* TaskName(Task t) { return t == Task::kMembership ? "membership" : "next-symbol"; }

// One string. T = x.size() ≥ 1 for training.
struct Example {
  std::vector<uint8_t> x;  // symbol indices in [0, |Σ|), x[t] is the t-th symbol (0-based)
  uint8_t label = 0;       // 1 = member of the language, 0 = not
  // next-symbol task only (empty for membership): T masks, one after each prefix x[0..t].
  // bit a (a < |Σ|) set ⇔ prefix·a can still be completed to a member;
  // bit |Σ| (end of string) set ⇔ the prefix x[0..t] itself is a member.
  // So next.back() has bit |Σ| equal to label.
  std::vector<uint32_t> next;
};

// A named set of examples whose lengths lie in [min_len, max_len].
struct Split {
  std::string name;  // "train", "validation", "test", or a test bin like "test[51,100]"
  int min_len = 0;
  int max_len = 0;
  std::vector<Example> examples;
};

struct Dataset {
  std::string language;  // language name (file stem)
  std::string alphabet;  // symbol a is alphabet[a]
  Task task = Task::kMembership;
  Split train;
  Split validation;          // may be empty; drawn from the training length range, disjoint from all others
  std::vector<Split> tests;  // tests[0] covers the training lengths; further entries are length bins
  int symbols() const { return static_cast<int>(alphabet.size()); }
  int outputs() const { return task == Task::kMembership ? 1 : symbols() + 1; }
};

}  // namespace flbench
