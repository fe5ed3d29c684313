// The table of experiment kinds (explicit, so static linking cannot drop one).
#include "suite/kinds.h"

#include <fmt/format.h>

#include "util/error.h"
#include "util/strings.h"

namespace flbench {

namespace {
struct Entry {
  const char* name;
  const Kind& (*get)();
};
const Entry kKinds[] = {
    {"train", TrainKind},
    {"inversion", InversionKind},
    {"convergence", ConvergenceKind},
    {"width-vs-samples", WidthKind},
    {"cayci-eryilmaz", CayciKind},
};
}  // namespace

std::string Kind::Outcome(const nlohmann::json& result) const {
  if (result.is_object() && result.contains("summary") && result["summary"].is_string())
    return result["summary"].get<std::string>();
  return "done";
}

const Kind& FindKind(const std::string& name) {
  for (const Entry& e : kKinds)
    if (name == e.name) return e.get();
  throw Error(fmt::format("unknown experiment kind '{}' (known: {})", name, Join(KindNames())));
}

std::vector<std::string> KindNames() {
  std::vector<std::string> names;
  for (const Entry& e : kKinds) names.push_back(e.name);
  return names;
}

}  // namespace flbench
