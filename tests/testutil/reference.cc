// Reference predicates (see reference.h): direct transcriptions of each language's definition.
#include "testutil/reference.h"

#include <vector>

namespace flbench::testing {

namespace {

int CountOf(const std::string& s, char c) {
  int n = 0;
  for (char x : s) n += x == c;
  return n;
}

// Maximal runs as (symbol, length).
std::vector<std::pair<char, int>> Runs(const std::string& s) {
  std::vector<std::pair<char, int>> runs;
  for (char c : s) {
    if (!runs.empty() && runs.back().first == c) ++runs.back().second;
    else runs.push_back({c, 1});
  }
  return runs;
}

// Balanced brackets over pairs (alphabet[2i], alphabet[2i+1]) with depth ≤ max_depth (0 = any).
bool Balanced(const std::string& s, const std::string& pairs, int max_depth) {
  std::string stack;
  for (char c : s) {
    const size_t i = pairs.find(c);
    if (i % 2 == 0) {
      stack.push_back(c);
      if (max_depth > 0 && static_cast<int>(stack.size()) > max_depth) return false;
    } else {
      if (stack.empty() || stack.back() != pairs[i - 1]) return false;
      stack.pop_back();
    }
  }
  return stack.empty();
}

// s = block^k for some k ≥ 0.
bool PowerOf(const std::string& s, const std::string& block) {
  if (s.size() % block.size()) return false;
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] != block[i % block.size()]) return false;
  return true;
}

}  // namespace

const std::map<std::string, Predicate>& ReferenceLanguages() {
  static const std::map<std::string, Predicate> refs = {
      {"tomita1", [](const std::string& s) { return CountOf(s, '0') == 0; }},
      {"tomita2", [](const std::string& s) { return PowerOf(s, "10"); }},
      {"tomita3",
       [](const std::string& s) {
         auto runs = Runs(s);
         for (size_t i = 0; i + 1 < runs.size(); ++i)
           if (runs[i].first == '1' && runs[i].second % 2 == 1 && runs[i + 1].second % 2 == 1) return false;
         return true;
       }},
      {"tomita4", [](const std::string& s) { return s.find("000") == std::string::npos; }},
      {"tomita5", [](const std::string& s) { return CountOf(s, '0') % 2 == 0 && CountOf(s, '1') % 2 == 0; }},
      {"tomita6", [](const std::string& s) { return (CountOf(s, '1') - CountOf(s, '0')) % 3 == 0; }},
      {"tomita7",
       [](const std::string& s) {
         // runs alternate; 0*1*0*1* allows 0,1,0,1 — at most 4 runs starting with 0, 3 starting with 1
         const auto runs = Runs(s);
         return runs.empty() || runs.size() <= (runs[0].first == '0' ? 4u : 3u);
       }},
      {"parity", [](const std::string& s) { return CountOf(s, '1') % 2 == 1; }},
      {"d1", [](const std::string& s) { return Balanced(s, "01", 1); }},
      {"d2", [](const std::string& s) { return Balanced(s, "01", 2); }},
      {"d3", [](const std::string& s) { return Balanced(s, "01", 3); }},
      {"d4", [](const std::string& s) { return Balanced(s, "01", 4); }},
      {"aa", [](const std::string& s) { return PowerOf(s, "00"); }},
      {"abab", [](const std::string& s) { return PowerOf(s, "0101"); }},
      {"aabb",
       [](const std::string& s) {
         const size_t z = s.find_first_not_of('0');
         const size_t zeros = z == std::string::npos ? s.size() : z;
         const std::string rest = s.substr(zeros);
         return zeros % 2 == 0 && rest.size() % 2 == 0 && CountOf(rest, '0') == 0;
       }},
      {"single1", [](const std::string& s) { return CountOf(s, '1') == 1; }},
      {"contains-0110", [](const std::string& s) { return s.find("0110") != std::string::npos; }},
      {"dyck1", [](const std::string& s) { return Balanced(s, "()", 0); }},
      {"dyck2", [](const std::string& s) { return Balanced(s, "()[]", 0); }},
      {"anbn",
       [](const std::string& s) {
         const size_t h = s.size() / 2;
         return s.size() % 2 == 0 && s == std::string(h, '0') + std::string(h, '1');
       }},
  };
  return refs;
}

std::vector<std::string> AllStrings(const std::string& alphabet, int n) {
  std::vector<std::string> out{""};
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> next;
    next.reserve(out.size() * alphabet.size());
    for (const auto& s : out)
      for (char c : alphabet) next.push_back(s + c);
    out.swap(next);
  }
  return out;
}

}  // namespace flbench::testing
