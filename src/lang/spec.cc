// Language YAML files → Language objects. Every error names file:line:col, the key and what is wrong.
#include "lang/spec.h"

#include <fmt/format.h>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "lang/grammar.h"
#include "lang/language_dfa.h"
#include "lang/regex.h"
#include "util/error.h"
#include "util/strings.h"
#include "util/files.h"
#include "util/yaml_reader.h"

#ifndef FLBENCH_SOURCE_DIR
#define FLBENCH_SOURCE_DIR "."
#endif

namespace flbench {

namespace fs = std::filesystem;

namespace {

class SpecReader : public YamlReader {
 public:
  explicit SpecReader(const std::string& path) : YamlReader(path) {}

  Dfa ReadDfa(const YAML::Node& node, const std::string& alphabet) const {
    CheckKeys(node, {"states", "start", "accepting", "transitions", "missing"}, "dfa");
    for (const char* key : {"states", "start", "accepting", "transitions"})
      if (!node[key]) Fail(node, fmt::format("dfa is missing '{}'", key));
    const YAML::Node states = node["states"];
    if (!states.IsSequence() || states.size() == 0) Fail(states, "dfa 'states' must be a non-empty list of names");
    std::map<std::string, int> id;
    std::vector<std::string> names;
    for (const auto& s : states) {
      const std::string name = Scalar(s, "state");
      if (!id.emplace(name, static_cast<int>(names.size())).second) Fail(s, fmt::format("duplicate state '{}'", name));
      names.push_back(name);
    }
    auto state = [&](const YAML::Node& n, const std::string& key) {
      const std::string name = Scalar(n, key);
      auto it = id.find(name);
      if (it == id.end()) Fail(n, fmt::format("unknown state '{}' in '{}' (states: {})", name, key, Join(names)));
      return it->second;
    };
    std::string missing = "error";
    if (node["missing"]) {
      missing = Scalar(node["missing"], "missing");
      if (missing != "error" && missing != "reject")
        Fail(node["missing"], fmt::format("'missing' must be 'error' or 'reject', got '{}'", missing));
    }
    const int k = static_cast<int>(alphabet.size());
    const int n = static_cast<int>(names.size());
    Dfa dfa;
    dfa.symbols = k;
    dfa.start = state(node["start"], "start");
    dfa.accepting.assign(n, 0);
    const YAML::Node acc = node["accepting"];
    if (!acc.IsSequence()) Fail(acc, "dfa 'accepting' must be a list of states");
    for (const auto& a : acc) dfa.accepting[state(a, "accepting")] = 1;
    dfa.next.assign(static_cast<size_t>(n) * k, -1);
    const YAML::Node tr = node["transitions"];
    if (!tr.IsMap()) Fail(tr, "dfa 'transitions' must map each state to {symbol: next state}");
    std::set<int> seen_from;
    for (auto it = tr.begin(); it != tr.end(); ++it) {
      const int q = state(it->first, "transitions");
      if (!seen_from.insert(q).second) Fail(it->first, fmt::format("transitions of state '{}' given twice", names[q]));
      if (!it->second.IsMap()) Fail(it->second, fmt::format("transitions of '{}' must be a mapping {{symbol: state}}", names[q]));
      for (auto jt = it->second.begin(); jt != it->second.end(); ++jt) {
        const std::string sym = Scalar(jt->first, "symbol");
        if (sym.size() != 1 || alphabet.find(sym[0]) == std::string::npos)
          Fail(jt->first, fmt::format("transition of '{}' on '{}': symbol not in the alphabet \"{}\"", names[q], sym, alphabet));
        const int a = static_cast<int>(alphabet.find(sym[0]));
        int& slot = dfa.next[static_cast<size_t>(q) * k + a];
        if (slot >= 0) Fail(jt->first, fmt::format("state '{}' has two transitions on '{}'", names[q], sym));
        slot = state(jt->second, "transition target");
      }
    }
    std::vector<std::string> holes;
    for (int q = 0; q < n; ++q)
      for (int a = 0; a < k; ++a)
        if (dfa.next[static_cast<size_t>(q) * k + a] < 0) holes.push_back(fmt::format("{} on '{}'", names[q], alphabet[a]));
    if (!holes.empty()) {
      if (missing == "error")
        Fail(tr, fmt::format("missing transitions: {} (give them, or set 'missing: reject' to send them to a rejecting sink)",
                             Join(holes)));
      // missing: reject — complete with one rejecting sink state that loops on every symbol.
      const int sink = n;
      dfa.accepting.push_back(0);
      dfa.next.resize(static_cast<size_t>(n + 1) * k, sink);
      for (int& t : dfa.next)
        if (t < 0) t = sink;
    }
    return Minimize(dfa);
  }

};

std::string Stem(const std::string& path) { return fs::path(path).stem().string(); }

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    prev.swap(cur);
  }
  return prev[b.size()];
}

}  // namespace

std::vector<SearchDir> LanguageSearchPath() { return SearchPath("FLBENCH_LANGUAGES", "languages", FLBENCH_SOURCE_DIR); }

std::vector<YamlEntry> LanguageCatalog() { return YamlCatalog(LanguageSearchPath()); }

std::vector<std::string> LanguageNames() {
  std::vector<std::string> names;
  for (const YamlEntry& e : LanguageCatalog()) names.push_back(e.name);
  return names;
}

std::shared_ptr<const Language> ParseLanguage(const std::string& text, const std::string& path) {
  SpecReader r(path);
  const YAML::Node root = r.Parse(text);
  if (!root.IsMap()) throw Error(path, 1, 1, "a language file must be a YAML mapping with 'alphabet' and one of dfa/regex/grammar");
  r.CheckKeys(root, {"description", "source", "alphabet", "dfa", "regex", "grammar"}, "language file");
  if (!root["alphabet"]) r.Fail(root, "missing 'alphabet' (the symbols, e.g. \"01\")");
  Language::Info info;
  info.name = Stem(path);
  info.path = path;
  info.alphabet = r.Scalar(root["alphabet"], "alphabet");
  {
    const std::string& al = info.alphabet;
    if (al.empty() || al.size() > 31) r.Fail(root["alphabet"], "alphabet must have 1 to 31 symbols");
    for (size_t i = 0; i < al.size(); ++i) {
      if (al.find(al[i]) != i) r.Fail(root["alphabet"], fmt::format("alphabet symbol '{}' repeated", al[i]));
      if (static_cast<unsigned char>(al[i]) <= ' ' || static_cast<unsigned char>(al[i]) >= 127)
        r.Fail(root["alphabet"], "alphabet symbols must be printable ASCII characters other than space");
    }
  }
  if (root["description"]) info.description = r.Scalar(root["description"], "description");
  if (root["source"]) info.source = r.Scalar(root["source"], "source");

  const bool has_dfa = static_cast<bool>(root["dfa"]);
  const bool has_regex = static_cast<bool>(root["regex"]);
  const bool has_grammar = static_cast<bool>(root["grammar"]);
  if (has_grammar && (has_dfa || has_regex)) r.Fail(root["grammar"], "a language is either a grammar or regular (dfa/regex), not both");
  if (!has_dfa && !has_regex && !has_grammar) r.Fail(root, "a language needs one of 'dfa', 'regex' or 'grammar'");

  if (has_grammar) {
    const YAML::Node g = root["grammar"];
    r.CheckKeys(g, {"kind", "pairs", "max_depth"}, "grammar");
    if (!g["kind"]) r.Fail(g, "grammar is missing 'kind' (dyck or anbn)");
    GrammarSpec spec;
    spec.kind = r.Scalar(g["kind"], "kind");
    if (spec.kind == "anbn") r.CheckKeys(g, {"kind"}, "grammar of kind anbn (it has no parameters)");
    if (spec.kind == "dyck") r.CheckKeys(g, {"kind", "pairs", "max_depth"}, "grammar of kind dyck");
    if (g["pairs"]) spec.pairs = r.Int(g["pairs"], "pairs");
    if (g["max_depth"]) spec.max_depth = r.Int(g["max_depth"], "max_depth");
    info.kind = "grammar";
    try {
      return MakeGrammarLanguage(info, spec);
    } catch (const Error& e) {
      // Re-anchor at the grammar node's line.
      const std::string msg = e.what();
      r.Fail(g, msg.substr(msg.find(": ") == std::string::npos ? 0 : msg.find(": ") + 2));
    }
  }

  std::string regex;
  Dfa from_regex;
  if (has_regex) {
    regex = r.Scalar(root["regex"], "regex");
    // RE2 is the oracle: its verdict on the syntax comes first, with its own message.
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_encoding(RE2::Options::EncodingLatin1);
    RE2 re(regex, opts);
    if (!re.ok()) r.Fail(root["regex"], fmt::format("invalid regex '{}': {}", regex, re.error()));
    from_regex = CompileRegex(regex, info.alphabet, r.Where(root["regex"]));
    CrossCheckRegex(from_regex, re, info.alphabet, r.Where(root["regex"]));
  }
  if (has_dfa) {
    Dfa dfa = r.ReadDfa(root["dfa"], info.alphabet);
    if (has_regex) {
      if (auto diff = FindDifference(dfa, from_regex)) {
        std::string w;
        for (uint8_t a : *diff) w.push_back(info.alphabet[a]);
        r.Fail(root["regex"], fmt::format("the dfa and the regex define different languages: on \"{}\" the dfa says {} and the regex {}",
                                          w, dfa.Accepts(*diff) ? "member" : "non-member",
                                          from_regex.Accepts(*diff) ? "member" : "non-member"));
      }
    }
    info.kind = "dfa";
    return std::make_shared<DfaLanguage>(info, std::move(dfa), regex);
  }
  info.kind = "regex";
  return std::make_shared<DfaLanguage>(info, std::move(from_regex), regex);
}

std::shared_ptr<const Language> LoadLanguage(const std::string& name_or_path) {
  std::string path = name_or_path;
  if (!LooksLikePath(name_or_path)) {
    const std::vector<SearchDir> search = LanguageSearchPath();
    if (auto found = FindYaml(search, name_or_path)) {
      path = *found;
    } else {
      std::vector<std::string> close;
      for (const auto& n : LanguageNames()) {
        if (EditDistance(n, name_or_path) <= 2 || n.find(name_or_path) != std::string::npos ||
            name_or_path.find(n) != std::string::npos)
          close.push_back(n);
      }
      throw Error(fmt::format("unknown language '{}'{} (see `flbench languages`; looked in {})", name_or_path,
                              close.empty() ? "" : "; did you mean " + Join(close) + "?", DescribeSearchPath(search)));
    }
  }
  return ParseLanguage(ReadTextFile(path, "language file"), path);
}

}  // namespace flbench
