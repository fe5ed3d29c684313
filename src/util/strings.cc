// Join and ShowNumber (see strings.h).
#include "util/strings.h"

#include <sstream>

namespace flbench {

std::string Join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

std::string ShowNumber(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace flbench
