// Language::Encode / Decode: text ↔ symbol indices.
#include "lang/language.h"

#include <fmt/format.h>

#include "lang/counting.h"
#include "util/error.h"

namespace flbench {

Word Language::Encode(const std::string& text) const {
  Word w;
  w.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const size_t a = alphabet_.find(text[i]);
    if (a == std::string::npos)
      throw Error(fmt::format("\"{}\": symbol '{}' at position {} is not in the alphabet \"{}\" of language {}",
                              text, text[i], i + 1, alphabet_, name_));
    w.push_back(static_cast<uint8_t>(a));
  }
  return w;
}

std::string Language::Decode(std::span<const uint8_t> w) const {
  std::string s;
  s.reserve(w.size());
  for (uint8_t a : w) s.push_back(alphabet_[a]);
  return s;
}

Word Language::Sample(int n, bool member, Rng& rng) const {
  const Count total = CountOf(n, member);
  if (total == 0)
    throw Error(fmt::format("language {} has no {} of length {}", name_, member ? "members" : "non-members", n));
  return Unrank(n, member, RandomBelow(total, rng));
}

}  // namespace flbench
