// libFuzzer target: the language loader (YAML text → Language) and what a loaded language then does on short
// strings (membership, counts, sampling, next-symbol targets). Any exception other than flbench::Error, any
// sanitizer report or timeout is a bug. Built only with -DFLBENCH_FUZZ=ON; run by tests/fuzz/run.sh.
#include <cstddef>
#include <cstdint>
#include <string>

#include "lang/spec.h"
#include "util/error.h"
#include "util/rng.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 8192) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto lang = flbench::ParseLanguage(text, "fuzz.yaml");
    flbench::Rng rng(1);
    for (int n = 0; n <= 8; ++n)
      for (bool member : {true, false})
        if (lang->CountOf(n, member) > 0) {
          const flbench::Word w = lang->Sample(n, member, rng);
          if (lang->Accepts(w) != member) __builtin_trap();
          lang->NextSymbolTargets(w);
        }
    lang->Encode(lang->alphabet());
  } catch (const flbench::Error&) {
  }
  return 0;
}
