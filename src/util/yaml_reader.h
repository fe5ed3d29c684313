// Reading user YAML with errors that name file:line:col, the key and what is wrong; checks unknown
// and duplicate keys (yaml-cpp keeps duplicates silently). Used by language files and suites.
// Entry point: YamlReader. Tested through tests/lang_spec_test.cc and tests/suite_*_test.cc.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace flbench {

class YamlReader {
 public:
  explicit YamlReader(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }

  // Parses text; malformed YAML throws flbench::Error at the parser's line and column.
  YAML::Node Parse(const std::string& text) const;
  // Reads and parses the file at path().
  YAML::Node ParseFile() const;

  [[noreturn]] void Fail(const YAML::Node& at, const std::string& what) const;
  std::string Where(const YAML::Node& at) const;  // "file:line:col: "

  std::string Scalar(const YAML::Node& n, const std::string& key) const;
  int Int(const YAML::Node& n, const std::string& key) const;
  int64_t Int64(const YAML::Node& n, const std::string& key) const;
  uint64_t UInt64(const YAML::Node& n, const std::string& key) const;
  double Double(const YAML::Node& n, const std::string& key) const;
  bool Bool(const YAML::Node& n, const std::string& key) const;
  // A scalar or a list of scalars, as a list.
  std::vector<YAML::Node> ScalarOrList(const YAML::Node& n, const std::string& key) const;

  // Each key of `map` must be in `allowed`, and none may repeat.
  void CheckKeys(const YAML::Node& map, const std::set<std::string>& allowed, const std::string& what) const;

 private:
  std::string path_;
};

}  // namespace flbench
