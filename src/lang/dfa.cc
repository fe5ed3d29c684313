// Minimisation (Moore partition refinement), equivalence by product BFS, co-reachability.
#include "lang/dfa.h"

#include <algorithm>
#include <deque>
#include <map>
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

}  // namespace

Dfa Minimize(const Dfa& dfa) {
  const int k = dfa.symbols;
  const std::vector<int> reach = ReachableInBfsOrder(dfa);
  // Moore: refine the partition {accepting, rejecting} by successor classes until stable.
  std::vector<int> cls(dfa.states(), -1);
  for (int q : reach) cls[q] = dfa.accepting[q] ? 1 : 0;
  int classes = 0;
  for (;;) {
    std::map<std::vector<int>, int> signature_to_class;
    std::vector<int> refined(dfa.states(), -1);
    for (int q : reach) {
      std::vector<int> sig{cls[q]};
      for (int a = 0; a < k; ++a) sig.push_back(cls[dfa.Step(q, a)]);
      auto [it, inserted] = signature_to_class.emplace(std::move(sig), static_cast<int>(signature_to_class.size()));
      refined[q] = it->second;
    }
    const int n = static_cast<int>(signature_to_class.size());
    cls.swap(refined);
    if (n == classes) break;
    classes = n;
  }
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
  const size_t nb = static_cast<size_t>(b.states());
  // BFS over the product automaton; parent pointers reconstruct a shortest distinguishing word.
  std::vector<int64_t> parent(static_cast<size_t>(a.states()) * nb, -2);
  std::vector<uint8_t> via(parent.size(), 0);
  std::deque<int64_t> queue;
  const int64_t s = static_cast<int64_t>(a.start) * nb + b.start;
  parent[s] = -1;
  queue.push_back(s);
  while (!queue.empty()) {
    const int64_t p = queue.front();
    queue.pop_front();
    const int qa = static_cast<int>(p / nb), qb = static_cast<int>(p % nb);
    if (a.accepting[qa] != b.accepting[qb]) {
      std::vector<uint8_t> word;
      for (int64_t x = p; parent[x] >= 0; x = parent[x]) word.push_back(via[x]);
      std::reverse(word.begin(), word.end());
      return word;
    }
    for (int c = 0; c < k; ++c) {
      const int64_t r = static_cast<int64_t>(a.Step(qa, c)) * nb + b.Step(qb, c);
      if (parent[r] == -2) {
        parent[r] = p;
        via[r] = static_cast<uint8_t>(c);
        queue.push_back(r);
      }
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
