// Deliberately slow, obviously-correct membership predicates for every shipped language, written
// from the definitions in prose (never from the YAML files). Linked only into tests.
#pragma once

#include <functional>
#include <map>
#include <string>

namespace flbench::testing {

using Predicate = std::function<bool(const std::string&)>;

// name → predicate over the language's own alphabet characters.
const std::map<std::string, Predicate>& ReferenceLanguages();

// Every string over `alphabet` of length exactly n, in lexicographic order of symbol indices.
std::vector<std::string> AllStrings(const std::string& alphabet, int n);

}  // namespace flbench::testing
