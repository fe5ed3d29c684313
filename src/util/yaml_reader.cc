// YamlReader: typed scalar access and key checks with located errors.
#include "util/yaml_reader.h"

#include <fmt/format.h>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "util/error.h"
#include "util/strings.h"
#include "util/files.h"

namespace flbench {

namespace {

// Sees whether a YAML stream holds a second document with content, and where that content starts. (YAML::LoadAll
// is not used: on some malformed input, e.g. ",\x02", it yields the same document forever; here at most two
// documents are read and a second one counts only if it starts after everything the first one held.)
class SecondDocument : public YAML::EventHandler {
 public:
  int documents = 0;
  int first_end = -1;          // largest position of an event of the first document
  YAML::Mark content;          // first content of the second document
  bool has_content = false;

  void OnDocumentStart(const YAML::Mark& m) override { ++documents; Seen(m, false); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { Seen(m, false); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { Seen(m, true); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string&) override { Seen(m, true); }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    Seen(m, true);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    Seen(m, true);
  }
  void OnMapEnd() override {}

 private:
  void Seen(const YAML::Mark& m, bool is_content) {
    if (documents <= 1) {
      first_end = std::max(first_end, m.pos);
    } else if (documents == 2 && is_content && !has_content && m.pos > first_end) {
      has_content = true;
      content = m;
    }
  }
};

}  // namespace

YAML::Node YamlReader::Parse(const std::string& text) const {
  auto malformed = [&](const YAML::Exception& e) {
    // yaml-cpp's depth guard reports "bad file"; say what it means.
    const std::string what = dynamic_cast<const YAML::DeepRecursion*>(&e)
                                 ? "malformed YAML: nested deeper than the parser allows (about 2000 levels)"
                                 : "malformed YAML: " + e.msg;
    if (e.mark.is_null()) return Error(path_, 0, 0, what);
    return Error(path_, e.mark.line + 1, e.mark.column + 1, what);
  };
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw malformed(e);
  }
  SecondDocument second;
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    if (parser.HandleNextDocument(second)) parser.HandleNextDocument(second);
  } catch (const YAML::Exception& e) {
    throw malformed(e);
  }
  if (second.has_content)
    throw Error(path_, second.content.line + 1, second.content.column + 1,
                "a second YAML document starts here (after '---' or '...'); the file must hold exactly one");
  return root;
}

YAML::Node YamlReader::ParseFile() const { return Parse(ReadTextFile(path_)); }

void YamlReader::Fail(const YAML::Node& at, const std::string& what) const {
  const YAML::Mark m = at.Mark();
  if (m.is_null()) throw Error(path_, 0, 0, what);
  throw Error(path_, m.line + 1, m.column + 1, what);
}

std::string YamlReader::Where(const YAML::Node& at) const {
  const YAML::Mark m = at.Mark();
  return Error::Locate(path_, m.is_null() ? 0 : m.line + 1, m.is_null() ? 0 : m.column + 1);
}

std::string YamlReader::Scalar(const YAML::Node& n, const std::string& key) const {
  if (!n.IsDefined()) throw Error(path_, 0, 0, fmt::format("'{}' is missing", key));
  if (n.IsNull())
    Fail(n, fmt::format("'{}' is empty (null, e.g. '~' or nothing after the colon); give it a value (quote \"~\" or "
                        "\"null\" if you mean those characters)",
                        key));
  if (!n.IsScalar()) Fail(n, fmt::format("'{}' must be a single value, not a {}", key, n.IsSequence() ? "list" : "mapping"));
  return n.Scalar();
}

int64_t YamlReader::Int64(const YAML::Node& n, const std::string& key) const {
  const std::string s = Scalar(n, key);
  try {
    size_t used = 0;
    const long long v = std::stoll(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  Fail(n, fmt::format("'{}' must be an integer, got '{}'", key, s));
}

int YamlReader::Int(const YAML::Node& n, const std::string& key) const {
  const int64_t v = Int64(n, key);
  if (v < INT32_MIN || v > INT32_MAX) Fail(n, fmt::format("'{}' is out of range: {}", key, v));
  return static_cast<int>(v);
}

uint64_t YamlReader::UInt64(const YAML::Node& n, const std::string& key) const {
  const std::string s = Scalar(n, key);
  try {
    size_t used = 0;
    if (!s.empty() && s[0] != '-') {
      const unsigned long long v = std::stoull(s, &used);
      if (used == s.size()) return v;
    }
  } catch (const std::exception&) {
  }
  Fail(n, fmt::format("'{}' must be a non-negative integer, got '{}'", key, s));
}

double YamlReader::Double(const YAML::Node& n, const std::string& key) const {
  const std::string s = Scalar(n, key);
  try {
    size_t used = 0;
    const double v = std::stod(s, &used);
    if (used == s.size() && std::isfinite(v)) return v;
  } catch (const std::exception&) {
  }
  Fail(n, fmt::format("'{}' must be a number, got '{}'", key, s));
}

bool YamlReader::Bool(const YAML::Node& n, const std::string& key) const {
  const std::string s = Scalar(n, key);
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  Fail(n, fmt::format("'{}' must be true or false, got '{}'", key, s));
}

std::vector<YAML::Node> YamlReader::ScalarOrList(const YAML::Node& n, const std::string& key) const {
  std::vector<YAML::Node> out;
  if (n.IsSequence()) {
    if (n.size() == 0) Fail(n, fmt::format("'{}' is an empty list: a grid axis needs at least one value", key));
    for (const auto& x : n) {
      Scalar(x, key);
      out.push_back(x);
    }
  } else {
    Scalar(n, key);
    out.push_back(n);
  }
  return out;
}

void YamlReader::CheckKeys(const YAML::Node& map, const std::set<std::string>& allowed, const std::string& what) const {
  if (!map.IsMap())
    Fail(map, fmt::format("{} must be a mapping (key: value), not {}", what,
                          map.IsNull() ? "empty (null)" : map.IsSequence() ? "a list" : "a single value"));
  std::set<std::string> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string key = Scalar(it->first, "key");
    if (!allowed.count(key)) {
      std::vector<std::string> list(allowed.begin(), allowed.end());
      Fail(it->first, fmt::format("unknown key '{}' in {} (allowed: {})", key, what, Join(list)));
    }
    if (!seen.insert(key).second) Fail(it->first, fmt::format("duplicate key '{}' in {}", key, what));
  }
}

}  // namespace flbench
