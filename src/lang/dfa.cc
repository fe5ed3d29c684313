// Minimisation (Hopcroft partition refinement), equivalence by product BFS, co-reachability.
#include "lang/dfa.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <utility>

namespace flbench {

namespace {

// States reachable from the start, in BFS order (symbols in increasing order).
std::vector<int> ReachableInBfsOrder(const Dfa& dfa) {
  std::vector<int> order{dfa.start};
  std::vector<uint8_t> seen(dfa.states(), 0);
  seen[dfa.start] = 1;
  for (size_t i = 0; i < order.size(); ++i) {
    for (int a = 0; a < dfa.symbols; ++a) {
      const int r = dfa.Step(order[i], a);
      if (!seen[r]) {
        seen[r] = 1;
        order.push_back(r);
      }
    }
  }
  return order;
}

// Hopcroft's partition refinement, O(k·n·log n): blocks of a refinable partition (each block a range of
// `elems`, its states marked by moving them to the front of the range), a worklist of splitter blocks, and
// after a split the smaller half (or the new half, when the block was still waiting) becomes a splitter.
// Returns the class of each reachable state (−1 elsewhere) and the number of classes.
std::vector<int> HopcroftClasses(const Dfa& dfa, const std::vector<int>& reach, int* classes) {
  const int k = dfa.symbols;
  const int m = static_cast<int>(reach.size());
  std::vector<int> local(dfa.states(), -1);
  for (int i = 0; i < m; ++i) local[reach[i]] = i;
  // Predecessors by symbol, compressed rows: preds of t on a are pred[off[a*m+t] .. off[a*m+t+1]).
  std::vector<int> off(static_cast<size_t>(k) * m + 1, 0), pred(static_cast<size_t>(k) * m);
  for (int i = 0; i < m; ++i)
    for (int a = 0; a < k; ++a) ++off[static_cast<size_t>(a) * m + local[dfa.Step(reach[i], a)] + 1];
  for (size_t x = 1; x < off.size(); ++x) off[x] += off[x - 1];
  {
    std::vector<int> fill(off.begin(), off.end() - 1);
    for (int i = 0; i < m; ++i)
      for (int a = 0; a < k; ++a) pred[fill[static_cast<size_t>(a) * m + local[dfa.Step(reach[i], a)]]++] = i;
  }
  // The partition: block b holds elems[first[b] .. end[b]); elems[first[b] .. mid[b]) are marked.
  std::vector<int> elems(m), pos(m), blk(m), first, end, mid;
  int n = 0;
  for (int want : {1, 0}) {
    const int b = static_cast<int>(first.size());
    const int f = n;
    for (int i = 0; i < m; ++i)
      if ((dfa.accepting[reach[i]] != 0) == (want == 1)) {
        elems[n] = i;
        pos[i] = n;
        blk[i] = b;
        ++n;
      }
    if (n > f) {
      first.push_back(f);
      end.push_back(n);
      mid.push_back(f);
    }
  }
  std::vector<int> work;
  std::vector<uint8_t> waiting(first.size(), 1);
  for (int b = 0; b < static_cast<int>(first.size()); ++b) work.push_back(b);
  std::vector<int> splitter, touched;
  while (!work.empty()) {
    const int s = work.back();
    work.pop_back();
    waiting[s] = 0;
    splitter.assign(elems.begin() + first[s], elems.begin() + end[s]);
    for (int a = 0; a < k; ++a) {
      touched.clear();
      for (int t : splitter) {
        const size_t row = static_cast<size_t>(a) * m + t;
        for (int x = off[row]; x < off[row + 1]; ++x) {
          const int p = pred[x];
          const int b = blk[p];
          if (pos[p] < mid[b]) continue;  // already marked
          if (mid[b] == first[b]) touched.push_back(b);
          const int q = elems[mid[b]];  // swap p to the end of the marked prefix
          std::swap(elems[pos[p]], elems[mid[b]]);
          pos[q] = pos[p];
          pos[p] = mid[b];
          ++mid[b];
        }
      }
      for (int b : touched) {
        if (mid[b] == end[b]) {  // every state of b was marked: no split
          mid[b] = first[b];
          continue;
        }
        // The smaller part becomes the new block nb (so relabelling costs the smaller part only).
        const int nb = static_cast<int>(first.size());
        const bool marked_smaller = mid[b] - first[b] <= end[b] - mid[b];
        if (marked_smaller) {
          first.push_back(first[b]);
          end.push_back(mid[b]);
          first[b] = mid[b];
        } else {
          first.push_back(mid[b]);
          end.push_back(end[b]);
          end[b] = mid[b];
        }
        mid.push_back(first[nb]);
        mid[b] = first[b];
        for (int x = first[nb]; x < end[nb]; ++x) blk[elems[x]] = nb;
        waiting.push_back(1);  // the smaller half, or (if b still waits) the half b no longer covers
        work.push_back(nb);
      }
    }
  }
  *classes = static_cast<int>(first.size());
  std::vector<int> cls(dfa.states(), -1);
  for (int i = 0; i < m; ++i) cls[reach[i]] = blk[i];
  return cls;
}

}  // namespace

Dfa Minimize(const Dfa& dfa) {
  const int k = dfa.symbols;
  const std::vector<int> reach = ReachableInBfsOrder(dfa);
  int classes = 0;
  const std::vector<int> cls = HopcroftClasses(dfa, reach, &classes);
  // Renumber classes in BFS order of the quotient automaton.
  Dfa quotient;
  quotient.symbols = k;
  std::vector<int> rep(classes, -1);
  for (int q : reach)
    if (rep[cls[q]] < 0) rep[cls[q]] = q;
  std::vector<int> new_id(classes, -1);
  std::vector<int> order{cls[dfa.start]};
  new_id[cls[dfa.start]] = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    for (int a = 0; a < k; ++a) {
      const int c = cls[dfa.Step(rep[order[i]], a)];
      if (new_id[c] < 0) {
        new_id[c] = static_cast<int>(order.size());
        order.push_back(c);
      }
    }
  }
  quotient.start = 0;
  quotient.accepting.resize(order.size());
  quotient.next.resize(order.size() * k);
  for (size_t i = 0; i < order.size(); ++i) {
    const int q = rep[order[i]];
    quotient.accepting[i] = dfa.accepting[q];
    for (int a = 0; a < k; ++a) quotient.next[i * k + a] = new_id[cls[dfa.Step(q, a)]];
  }
  return quotient;
}

std::optional<std::vector<uint8_t>> FindDifference(const Dfa& a, const Dfa& b) {
  const int k = a.symbols;
  const int64_t nb = b.states();
  // BFS over the reachable part of the product automaton (a hash map, not an na × nb array: two equivalent
  // minimal DFAs reach only max(na, nb) pairs); parent pointers reconstruct a shortest distinguishing word.
  struct Back {
    int64_t parent;
    uint8_t via;
  };
  std::unordered_map<int64_t, Back> seen;
  std::deque<int64_t> queue;
  const int64_t s = static_cast<int64_t>(a.start) * nb + b.start;
  seen.emplace(s, Back{-1, 0});
  queue.push_back(s);
  while (!queue.empty()) {
    const int64_t p = queue.front();
    queue.pop_front();
    const int qa = static_cast<int>(p / nb), qb = static_cast<int>(p % nb);
    if (a.accepting[qa] != b.accepting[qb]) {
      std::vector<uint8_t> word;
      for (int64_t x = p; seen.at(x).parent >= 0; x = seen.at(x).parent) word.push_back(seen.at(x).via);
      std::reverse(word.begin(), word.end());
      return word;
    }
    for (int c = 0; c < k; ++c) {
      const int64_t r = static_cast<int64_t>(a.Step(qa, c)) * nb + b.Step(qb, c);
      if (seen.emplace(r, Back{p, static_cast<uint8_t>(c)}).second) queue.push_back(r);
    }
  }
  return std::nullopt;
}

std::vector<uint8_t> CoReachable(const Dfa& dfa) {
  const int n = dfa.states(), k = dfa.symbols;
  std::vector<std::vector<int>> reverse(n);
  for (int q = 0; q < n; ++q)
    for (int a = 0; a < k; ++a) reverse[dfa.Step(q, a)].push_back(q);
  std::vector<uint8_t> co(n, 0);
  std::vector<int> stack;
  for (int q = 0; q < n; ++q)
    if (dfa.accepting[q]) {
      co[q] = 1;
      stack.push_back(q);
    }
  while (!stack.empty()) {
    const int q = stack.back();
    stack.pop_back();
    for (int p : reverse[q])
      if (!co[p]) {
        co[p] = 1;
        stack.push_back(p);
      }
  }
  return co;
}

}  // namespace flbench
