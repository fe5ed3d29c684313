// BuildDataset: per (class, length) pools that hand out distinct strings, so every split is disjoint
// from every other; lengths uniform among those with strings left; "take all and say so" when short.
// Splits::kAllStrings (FillAll): every member of the training lengths by rank, train = test.
#include "lang/dataset_builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_set>

#include "lang/counting.h"
#include "lang/sampler.h"
#include "util/error.h"
#include "util/memory.h"

namespace flbench {

namespace {

std::string Key(const Word& w) { return std::string(w.begin(), w.end()); }

// Distinct strings of one class and one length. Small lengths (≤ kSmall strings) draw ranks without
// replacement from an explicit list; large ones sample and reject repeats (rare: few draws per length).
class LengthPool {
 public:
  static constexpr uint64_t kSmall = 4096;
  static constexpr int kMaxRepeats = 100000;

  LengthPool(const Language& lang, int len, bool member) : lang_(lang), len_(len), member_(member) {
    const Count total = lang.CountOf(len, member);
    small_ = total <= kSmall;
    if (small_) {
      remaining_.resize(total.get_ui());
      for (uint64_t i = 0; i < remaining_.size(); ++i) remaining_[i] = i;
    }
  }

  bool exhausted() const { return small_ ? remaining_.empty() : repeats_ > kMaxRepeats; }

  // A string of this pool not handed out before and not in `taken` (strings other pools produced,
  // e.g. perturbed negatives); nullopt if the pool has run dry.
  std::optional<Word> Take(Rng& rng, std::unordered_set<std::string>& taken) {
    while (!exhausted()) {
      Word w;
      if (small_) {
        const size_t i = rng.Below(remaining_.size());
        const uint64_t rank = remaining_[i];
        remaining_[i] = remaining_.back();
        remaining_.pop_back();
        w = lang_.Unrank(len_, member_, Count(static_cast<unsigned long>(rank)));
      } else {
        w = lang_.Sample(len_, member_, rng);
      }
      if (taken.insert(Key(w)).second) {
        repeats_ = 0;
        return w;
      }
      ++repeats_;  // large pools only repeat when nearly used up; give up on the length after many
    }
    return std::nullopt;
  }

 private:
  const Language& lang_;
  int len_;
  bool member_;
  bool small_ = false;
  std::vector<uint64_t> remaining_;
  int repeats_ = 0;
};

class Builder {
 public:
  Builder(const Language& lang, const DatasetSpec& spec, std::vector<std::string>* notes)
      : lang_(lang), spec_(spec), notes_(notes), rng_(DeriveSeed(spec.seed, "dataset:" + lang.name())) {}

  // Draws `want` distinct strings of one class with lengths in [lo, hi] for each split (all splits
  // share the range); when the range has fewer, shares what there is in proportion and says so.
  std::vector<std::vector<Word>> DrawClass(int lo, int hi, bool member, bool perturb, const std::vector<int64_t>& want,
                                           const std::vector<std::string>& names) {
    RangeSampler range(lang_, lo, hi);
    int64_t asked = 0;
    for (int64_t w : want) asked += w;
    std::vector<std::vector<Word>> out(want.size());
    if (asked == 0) return out;
    const char* what = perturb ? "perturbed non-members" : member ? "members" : "non-members";
    if (perturb ? range.PerturbLengths().empty() : range.Lengths(member).empty())
      range.NoStrings(member, perturb ? "non-members within one edit of a member" : "");

    std::vector<int64_t> share = want;
    if (!perturb && Count(static_cast<long>(asked)) > range.Available(member)) {
      const int64_t have = range.Available(member).get_si();
      int64_t given = 0;
      // Largest remainder: floor shares, then one more to the largest fractional parts (ties: earlier split).
      std::vector<std::pair<int64_t, size_t>> remainders;
      for (size_t i = 0; i < want.size(); ++i) {
        given += share[i] = want[i] * have / asked;
        remainders.push_back({-(want[i] * have % asked), i});
      }
      std::sort(remainders.begin(), remainders.end());
      for (size_t j = 0; given < have; ++j, ++given) ++share[remainders[j].second];
      std::string split_text;
      for (size_t i = 0; i < want.size(); ++i)
        if (want[i] > 0)
          split_text += fmt::format("{}{} {} of {} asked", split_text.empty() ? "" : ", ", names[i], share[i], want[i]);
      Note(fmt::format("{}: only {} {} with length in {}; took them all ({})", lang_.name(), have, what,
                       range.RangeText(), split_text));
    }

    std::vector<int> lengths = perturb ? range.PerturbLengths() : range.Lengths(member);
    if (!perturb) {
      for (size_t s = 0; s < want.size(); ++s)
        while (static_cast<int64_t>(out[s].size()) < share[s]) {
          std::optional<Word> w = DrawOne(range, lengths, member, false);
          if (!w) break;
          out[s].push_back(std::move(*w));
        }
    } else {
      // How many distinct near-misses exist is unknown in advance, so the splits take turns (the least
      // filled in proportion first): when they run out, every split has its proportional share.
      for (;;) {
        size_t s = want.size();
        for (size_t i = 0; i < want.size(); ++i)
          if (static_cast<int64_t>(out[i].size()) < share[i] &&
              (s == want.size() || out[i].size() * share[s] < out[s].size() * share[i]))
            s = i;
        if (s == want.size()) break;
        std::optional<Word> w = DrawOne(range, lengths, member, true);
        if (!w) break;
        out[s].push_back(std::move(*w));
      }
    }
    for (size_t s = 0; s < want.size(); ++s)
      if (static_cast<int64_t>(out[s].size()) < share[s])
        Note(fmt::format("{}: found only {} distinct {} with length in {} for {} (asked {})", lang_.name(),
                         out[s].size(), what, range.RangeText(), names[s], want[s]));
    return out;
  }

  // One new distinct string of the class with a length drawn uniformly from `lengths`; lengths whose
  // strings (or near-misses) are used up are removed. nullopt when none is left.
  std::optional<Word> DrawOne(const RangeSampler& range, std::vector<int>& lengths, bool member, bool perturb) {
    int64_t failures = 0;
    while (!lengths.empty()) {
      const size_t li = rng_.Below(lengths.size());
      const int len = lengths[li];
      if (perturb) {
        std::optional<Word> w = range.TryPerturb(len, rng_);
        if (w && taken_.insert(Key(*w)).second) {
          perturb_failures_[len] = 0;
          return w;
        }
        // A length whose near-misses keep repeating is treated as used up.
        if (++perturb_failures_[len] > 2000) lengths.erase(lengths.begin() + static_cast<long>(li));
        if (++failures > 1000000) return std::nullopt;
        continue;
      }
      auto key = std::make_pair(len, member);
      auto it = pools_.find(key);
      if (it == pools_.end()) it = pools_.emplace(key, LengthPool(lang_, len, member)).first;
      std::optional<Word> w = it->second.Take(rng_, taken_);
      if (it->second.exhausted()) lengths.erase(lengths.begin() + static_cast<long>(li));
      if (w) return w;
    }
    return std::nullopt;
  }

  // Fills the splits that share one length range.
  void FillRange(int lo, int hi, std::vector<Split*> splits, const std::vector<int64_t>& sizes) {
    std::vector<std::string> names;
    for (Split* s : splits) names.push_back(s->name);
    const bool membership = spec_.task == Task::kMembership;
    std::vector<int64_t> pos(sizes.size()), neg(sizes.size());
    for (size_t i = 0; i < sizes.size(); ++i) {
      pos[i] = membership ? (sizes[i] + 1) / 2 : sizes[i];
      neg[i] = membership ? sizes[i] / 2 : 0;
    }
    auto positives = DrawClass(lo, hi, true, false, pos, names);
    auto negatives = DrawClass(lo, hi, false, spec_.negatives == Negatives::kPerturb, neg, names);
    for (size_t i = 0; i < splits.size(); ++i) Fill(*splits[i], lo, hi, positives[i], negatives[i]);
  }

  // Splits::kAllStrings: every member with length in [lo, hi], enumerated by rank (membership: and as many
  // non-members, drawn as FillRange draws them) into train; the test split is a copy. CheckDatasetSpec has
  // already refused a range with more of them than spec_.train.
  void FillAll(int lo, int hi, Split& train, Split& test) {
    const RangeSampler range(lang_, lo, hi);
    if (range.Lengths(true).empty()) range.NoStrings(true);
    std::vector<Word> members;
    for (int len : range.Lengths(true)) {
      const uint64_t n = ToU64(lang_.CountOf(len, true));
      for (uint64_t r = 0; r < n; ++r) {
        Word w = lang_.Unrank(len, true, Count(static_cast<unsigned long>(r)));
        taken_.insert(Key(w));
        members.push_back(std::move(w));
      }
    }
    const int64_t n_members = static_cast<int64_t>(members.size());
    std::vector<Word> negatives;
    std::string what = fmt::format("all {} members", n_members);
    if (spec_.task == Task::kMembership) {
      const bool perturb = spec_.negatives == Negatives::kPerturb;
      negatives = std::move(DrawClass(lo, hi, false, perturb, {n_members}, {"train"})[0]);
      what += fmt::format(" and {} {} non-members", negatives.size(), perturb ? "perturbed" : "uniform");
    }
    Fill(train, lo, hi, members, negatives);
    test.min_len = lo;
    test.max_len = hi;
    test.examples = train.examples;
    Note(fmt::format("{}: train and test = {} of lengths {}–{} (paper-like overlap, splits: all-strings)",
                     lang_.name(), what, lo, hi));
  }

 private:
  // The examples of one split from its strings of each class, in seeded random order.
  void Fill(Split& split, int lo, int hi, std::vector<Word>& positives, std::vector<Word>& negatives) {
    split.min_len = lo;
    split.max_len = hi;
    for (int c = 1; c >= 0; --c) {
      for (Word& w : c ? positives : negatives) {
        Example e;
        e.label = static_cast<uint8_t>(c);
        if (spec_.task == Task::kNextSymbol) e.next = lang_.NextSymbolTargets(w);
        e.x = std::move(w);
        split.examples.push_back(std::move(e));
      }
    }
    rng_.Shuffle(split.examples);
  }

  void Note(std::string s) {
    if (notes_) notes_->push_back(std::move(s));
  }

  const Language& lang_;
  const DatasetSpec& spec_;
  std::vector<std::string>* notes_;
  Rng rng_;
  std::unordered_set<std::string> taken_;
  std::map<std::pair<int, bool>, LengthPool> pools_;
  std::map<int, int64_t> perturb_failures_;
};

}  // namespace

void CheckDatasetSpec(const Language& lang, const DatasetSpec& spec) {
  if (spec.train < 0 || spec.validation < 0 || spec.test < 0) throw Error("dataset sizes must be ≥ 0");
  if (spec.min_len < 0 || spec.max_len < spec.min_len)
    throw Error(fmt::format("bad length range [{}, {}]: need 0 ≤ min-len ≤ max-len", spec.min_len, spec.max_len));
  if (spec.task == Task::kNextSymbol && spec.min_len < 1)
    throw Error("the next-symbol task needs strings of length ≥ 1 (set --min-len 1 or more)");
  for (auto [lo, hi] : spec.test_bins) {
    if (lo < 0 || hi < lo) throw Error(fmt::format("bad test bin {}-{}: need 0 ≤ lo ≤ hi", lo, hi));
    if (spec.task == Task::kNextSymbol && lo < 1) throw Error(fmt::format("test bin {}-{}: next-symbol needs lengths ≥ 1", lo, hi));
  }
  for (size_t i = 0; i < spec.test_bins.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (spec.test_bins[i] == spec.test_bins[j])
        throw Error(fmt::format("test bin {}-{} is given twice", spec.test_bins[i].first, spec.test_bins[i].second));
  if (spec.splits == Splits::kAllStrings) {
    // Every string of the training lengths goes into train: none is left for validation, and there must be no
    // more of them than `train` allows (they are never sampled down).
    if (spec.validation > 0)
      throw Error(fmt::format("splits all-strings needs validation 0 (every string of the training lengths is in train; "
                              "got validation {}); select on training accuracy instead",
                              spec.validation));
    const RangeSampler range(lang, spec.min_len, spec.max_len);
    const Count members = range.Available(true);
    Count needed = members;
    if (spec.task == Task::kMembership) needed += std::min(members, range.Available(false));
    if (needed > Count(static_cast<long>(spec.train)))
      throw Error(fmt::format(
          "splits all-strings: {} has {} members with length in {}{}, more than train = {}; raise train to {} or use "
          "splits disjoint (all-strings takes every string, it never samples)",
          lang.name(), members.get_str(), range.RangeText(),
          spec.task == Task::kMembership ? fmt::format(" ({} strings with as many non-members)", needed.get_str()) : "",
          spec.train, needed.get_str()));
  }
  {
    // Memory, before any string is drawn: every example holds its symbols (and, for next-symbol, a 4-byte target
    // mask per symbol) plus the vectors, the disjointness set entry and the shuffle's copy (≈ 160 bytes). A range
    // never yields more strings than it has (counting tables are built here, themselves checked).
    double bytes = 0;
    const double per_symbol = spec.task == Task::kNextSymbol ? 2 + 8 : 2;
    auto add_range = [&](int lo, int hi, double asked) {
      if (asked <= 0) return;
      const RangeSampler range(lang, lo, hi);
      const bool membership = spec.task == Task::kMembership;
      const double pos = membership ? std::ceil(asked / 2) : asked, neg = membership ? std::floor(asked / 2) : 0;
      // As DrawClass: a class that is asked for must have strings in the range.
      if (pos > 0 && range.Lengths(true).empty()) range.NoStrings(true);
      if (neg > 0 && spec.negatives == Negatives::kPerturb && range.PerturbLengths().empty())
        range.NoStrings(false, "non-members within one edit of a member");
      if (neg > 0 && spec.negatives != Negatives::kPerturb && range.Lengths(false).empty()) range.NoStrings(false);
      const double strings = std::min(pos, range.Available(true).get_d()) + std::min(neg, range.Available(false).get_d());
      bytes += strings * (160 + per_symbol * hi);
    };
    add_range(spec.min_len, spec.max_len,
              static_cast<double>(spec.train) + static_cast<double>(spec.validation) + static_cast<double>(spec.test));
    for (auto [lo, hi] : spec.test_bins) add_range(lo, hi, static_cast<double>(spec.test));
    CheckMemory(bytes, fmt::format("a dataset of {} training, {} validation and {} test strings per split (language {}, "
                                   "lengths up to {})",
                                   spec.train, spec.validation, spec.test, lang.name(),
                                   std::max(spec.max_len, spec.test_bins.empty() ? 0 : std::max_element(
                                       spec.test_bins.begin(), spec.test_bins.end(),
                                       [](auto x, auto y) { return x.second < y.second; })->second)),
                "; ask for fewer strings");
  }
}

Dataset BuildDataset(const Language& lang, const DatasetSpec& spec, std::vector<std::string>* notes) {
  CheckDatasetSpec(lang, spec);
  Dataset d;
  d.language = lang.name();
  d.alphabet = lang.alphabet();
  d.task = spec.task;
  d.train.name = "train";
  d.validation.name = "validation";
  d.tests.resize(1 + spec.test_bins.size());
  d.tests[0].name = "test";
  for (size_t i = 0; i < spec.test_bins.size(); ++i)
    d.tests[i + 1].name = fmt::format("test[{},{}]", spec.test_bins[i].first, spec.test_bins[i].second);

  Builder b(lang, spec, notes);
  if (spec.splits == Splits::kAllStrings)
    b.FillAll(spec.min_len, spec.max_len, d.train, d.tests[0]);
  else
    b.FillRange(spec.min_len, spec.max_len, {&d.train, &d.validation, &d.tests[0]},
                {spec.train, spec.validation, spec.test});
  for (size_t i = 0; i < spec.test_bins.size(); ++i)
    b.FillRange(spec.test_bins[i].first, spec.test_bins[i].second, {&d.tests[i + 1]}, {spec.test});
  return d;
}

}  // namespace flbench
