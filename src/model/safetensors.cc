// Writing and strictly reading flbench model files in the safetensors format; see safetensors.h for the rules.
// The metadata keys are listed in README "Models".
#include "model/safetensors.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "util/error.h"
#include "util/files.h"

namespace flbench {

static_assert(std::endian::native == std::endian::little, "model files are little-endian; so must the host be");

namespace {

constexpr uint64_t kMaxHeader = 100'000'000;  // the reference implementation's limit

struct TensorRef {
  const char* name;
  std::vector<float> RnnModel::*data;
};
// In name order, which is also their order in the byte buffer.
const TensorRef kTensors[] = {
    {"readout.bias", &RnnModel::readout_bias},     {"readout.weight", &RnnModel::readout_weight},
    {"rnn.bias_hh_l0", &RnnModel::bias_hh},        {"rnn.bias_ih_l0", &RnnModel::bias_ih},
    {"rnn.weight_hh_l0", &RnnModel::weight_hh},    {"rnn.weight_ih_l0", &RnnModel::weight_ih},
};

std::vector<uint64_t> ShapeOf(const RnnModel& M, const std::string& name) {
  const uint64_t m = M.m, d = M.d, k = M.k;
  if (name == "readout.bias") return {k};
  if (name == "readout.weight") return {k, m};
  if (name == "rnn.bias_hh_l0" || name == "rnn.bias_ih_l0") return {m};
  if (name == "rnn.weight_hh_l0") return {m, m};
  return {m, d};  // rnn.weight_ih_l0
}

std::string OutputLayout(const RnnModel& M) {
  if (M.task == Task::kMembership)
    return "membership: one logit, readout.weight @ h_T + readout.bias read after the last symbol; member iff logit > 0";
  return fmt::format(
      "next-symbol: {} logits read after every symbol t, readout.weight @ h_t + readout.bias: logit a (a < {}) = "
      "symbol alphabet[a] may follow the prefix, logit {} = the prefix is a member (end of string); each iff logit > 0",
      M.k, M.d, M.d);
}

}  // namespace

std::string EncodeSafetensors(const RnnModel& M) {
  M.CheckShapes("model: ");
  nlohmann::json header = nlohmann::json::object();
  uint64_t offset = 0;
  for (const TensorRef& t : kTensors) {
    const uint64_t bytes = (M.*t.data).size() * sizeof(float);
    header[t.name] = {{"dtype", "F32"}, {"shape", ShapeOf(M, t.name)}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  header["__metadata__"] = {
      {"format", "pt"},  // what the safetensors library writes for PyTorch state dicts
      {"language", M.language},
      {"alphabet", M.alphabet},
      {"task", TaskName(M.task)},
      {"activation", ActivationName(M.act)},
      {"h0", "zeros"},
      {"input", "one-hot: symbol alphabet[a] is input unit a"},
      {"output_layout", OutputLayout(M)},
      {"threshold", "logit > 0"},
      {"config", M.config_json},
      {"cell_key", M.cell_key},
      {"language_digest", M.language_digest},
      {"flbench", M.flbench_version},
  };
  std::string text = header.dump();
  while (text.size() % 8 != 0) text += ' ';
  std::string out(8, '\0');
  const uint64_t n = text.size();
  std::memcpy(out.data(), &n, 8);
  out += text;
  for (const TensorRef& t : kTensors) {
    const auto& v = M.*t.data;
    out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
  }
  return out;
}

namespace {

// Parses the header JSON, rejecting duplicate keys (nlohmann keeps the last silently) and nesting deeper than a
// model header needs (the parser itself is iterative; the limit keeps the value's destructor shallow too).
nlohmann::json ParseHeader(std::string_view text, const std::string& ctx) {
  std::vector<std::set<std::string>> keys;  // one set per open object
  auto cb = [&](int depth, nlohmann::json::parse_event_t ev, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (depth > 4) throw Error(ctx + "header nests deeper than a model header can (depth > 4)");
    if (ev == E::object_start) keys.emplace_back();
    if (ev == E::object_end && !keys.empty()) keys.pop_back();
    if (ev == E::key && !keys.empty()) {
      const std::string k = parsed.get<std::string>();
      if (!keys.back().insert(k).second) throw Error(ctx + "duplicate key \"" + k + "\" in the header");
    }
    return true;
  };
  try {
    return nlohmann::json::parse(text.begin(), text.end(), cb);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ctx + "header is not valid JSON: " + e.what());
  }
}

uint64_t NonNegativeInt(const nlohmann::json& v, const std::string& what, const std::string& ctx) {
  if (!v.is_number_unsigned()) throw Error(ctx + what + " must be a non-negative integer, got " + v.dump());
  return v.get<uint64_t>();
}

}  // namespace

RnnModel DecodeSafetensors(std::string_view bytes, const std::string& context, bool weights_only) {
  const std::string ctx = context + ": ";
  if (bytes.size() < 8)
    throw Error(ctx + fmt::format("truncated: {} bytes, shorter than the 8-byte header length", bytes.size()));
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  if (n > kMaxHeader)
    throw Error(ctx + fmt::format("header length {} exceeds the format's limit of {} bytes (not a safetensors file?)",
                                  n, kMaxHeader));
  if (n > bytes.size() - 8)
    throw Error(ctx + fmt::format("truncated: the header length says {} bytes but only {} follow", n, bytes.size() - 8));
  const std::string_view text = bytes.substr(8, n);
  if (text.empty() || text[0] != '{') throw Error(ctx + "header must start with '{' (not a safetensors file?)");
  const nlohmann::json h = ParseHeader(text, ctx);
  if (!h.is_object()) throw Error(ctx + "header must be a JSON object");
  const std::string_view buffer = bytes.substr(8 + n);

  // __metadata__: strings only.
  std::map<std::string, std::string> meta;
  if (h.contains("__metadata__")) {
    const auto& mj = h["__metadata__"];
    if (!mj.is_object()) throw Error(ctx + "__metadata__ must be an object of strings");
    for (auto it = mj.begin(); it != mj.end(); ++it) {
      if (!it.value().is_string())
        throw Error(ctx + "__metadata__ value of \"" + it.key() + "\" must be a string, got " + it.value().dump());
      meta[it.key()] = it.value().get<std::string>();
    }
  }
  auto required = [&](const char* key) -> const std::string& {
    auto it = meta.find(key);
    if (it == meta.end()) throw Error(ctx + "__metadata__ lacks \"" + key + "\" (not an flbench model file?)");
    return it->second;
  };
  auto optional = [&](const char* key) {
    auto it = meta.find(key);
    return it == meta.end() ? std::string() : it->second;
  };

  RnnModel M;
  // Weights only (--init-from a PyTorch state dict): the metadata may be absent; the alphabet's size and the task
  // then come from the shapes, and the caller supplies the activation.
  const bool free_meta = weights_only && !meta.count("alphabet");
  M.language = free_meta ? optional("language") : required("language");
  M.alphabet = free_meta ? std::string() : required("alphabet");
  const std::string task = free_meta && !meta.count("task") ? std::string() : required("task");
  if (task == "membership") M.task = Task::kMembership;
  else if (task == "next-symbol") M.task = Task::kNextSymbol;
  else if (!task.empty()) throw Error(ctx + "__metadata__ task \"" + task + "\" is neither membership nor next-symbol");
  try {
    if (!free_meta || meta.count("activation")) M.act = ParseActivation(required("activation"));
  } catch (const Error& e) {
    throw Error(ctx + "__metadata__ activation: " + e.what());
  }
  if (const std::string h0 = optional("h0"); !h0.empty() && h0 != "zeros")
    throw Error(ctx + "__metadata__ h0 \"" + h0 + "\": flbench models start from h_0 = zeros");
  if (const std::string th = optional("threshold"); !th.empty() && th != "logit > 0")
    throw Error(ctx + "__metadata__ threshold \"" + th + "\": flbench models decide by logit > 0");
  if (!free_meta && (M.alphabet.empty() || M.alphabet.size() > 31))
    throw Error(ctx + fmt::format("alphabet must have 1–31 symbols, has {}", M.alphabet.size()));
  for (size_t i = 0; i < M.alphabet.size(); ++i) {
    const unsigned char c = M.alphabet[i];
    if (c < 0x21 || c > 0x7e) throw Error(ctx + fmt::format("alphabet symbol {} is not a printable character", i));
    if (M.alphabet.find(M.alphabet[i]) != i)
      throw Error(ctx + fmt::format("alphabet '{}' repeats '{}'", M.alphabet, M.alphabet[i]));
  }
  M.config_json = optional("config");
  M.cell_key = optional("cell_key");
  M.language_digest = optional("language_digest");
  M.flbench_version = optional("flbench");
  M.d = static_cast<int>(M.alphabet.size());

  // Tensors: exactly ours, F32, in-range offsets.
  struct Entry {
    uint64_t begin, end;
    std::string name;
  };
  std::vector<Entry> entries;
  std::map<std::string, std::vector<uint64_t>> shapes;
  for (auto it = h.begin(); it != h.end(); ++it) {
    const std::string& name = it.key();
    if (name == "__metadata__") continue;
    const bool known = std::any_of(std::begin(kTensors), std::end(kTensors),
                                   [&](const TensorRef& t) { return name == t.name; });
    if (!known)
      throw Error(ctx + "unexpected tensor \"" + name +
                  "\" (an flbench model has rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0, "
                  "readout.weight, readout.bias)");
    const auto& t = it.value();
    const std::string tctx = "tensor \"" + name + "\": ";
    if (!t.is_object()) throw Error(ctx + tctx + "must be an object with dtype, shape, data_offsets");
    for (auto f = t.begin(); f != t.end(); ++f)
      if (f.key() != "dtype" && f.key() != "shape" && f.key() != "data_offsets")
        throw Error(ctx + tctx + "unknown key \"" + f.key() + "\"");
    if (!t.contains("dtype") || !t["dtype"].is_string()) throw Error(ctx + tctx + "dtype missing or not a string");
    if (t["dtype"] != "F32")
      throw Error(ctx + tctx + "dtype " + t["dtype"].get<std::string>() + " is not supported (flbench models are F32)");
    if (!t.contains("shape") || !t["shape"].is_array()) throw Error(ctx + tctx + "shape missing or not a list");
    std::vector<uint64_t> shape;
    uint64_t count = 1;
    for (const auto& dim : t["shape"]) {
      const uint64_t v = NonNegativeInt(dim, tctx + "shape entry", ctx);
      if (v > (uint64_t(1) << 28)) throw Error(ctx + tctx + fmt::format("dimension {} is too large", v));
      shape.push_back(v);
      count *= v;  // at most 2 dims (checked next) of ≤ 2^28: no overflow, even ×4
      if (shape.size() > 2) throw Error(ctx + tctx + "has more than 2 dimensions");
    }
    if (!t.contains("data_offsets") || !t["data_offsets"].is_array() || t["data_offsets"].size() != 2)
      throw Error(ctx + tctx + "data_offsets must be [begin, end]");
    const uint64_t b = NonNegativeInt(t["data_offsets"][0], tctx + "data_offsets begin", ctx);
    const uint64_t e = NonNegativeInt(t["data_offsets"][1], tctx + "data_offsets end", ctx);
    if (b > e) throw Error(ctx + tctx + fmt::format("data_offsets [{}, {}] run backwards", b, e));
    if (e > buffer.size())
      throw Error(ctx + tctx + fmt::format("data_offsets [{}, {}] run past the end of the data ({} bytes; truncated "
                                           "file?)", b, e, buffer.size()));
    if (e - b != count * sizeof(float))
      throw Error(ctx + tctx + fmt::format("data_offsets [{}, {}] hold {} bytes but shape {} of F32 needs {}", b, e,
                                           e - b, nlohmann::json(shape).dump(), count * sizeof(float)));
    entries.push_back({b, e, name});
    shapes[name] = shape;
  }
  for (const TensorRef& t : kTensors)
    if (!shapes.count(t.name)) throw Error(ctx + "tensor \"" + std::string(t.name) + "\" is missing");
  // The buffer is covered exactly: sorted by begin, each starts where the previous ended, the last ends at the end.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t at = 0;
  for (const Entry& e : entries) {
    if (e.begin < at) throw Error(ctx + fmt::format("tensor \"{}\" overlaps the previous tensor's bytes", e.name));
    if (e.begin > at)
      throw Error(ctx + fmt::format("bytes [{}, {}) before tensor \"{}\" belong to no tensor (holes are not allowed)",
                                    at, e.begin, e.name));
    at = e.end;
  }
  if (at != buffer.size())
    throw Error(ctx + fmt::format("{} bytes after the last tensor belong to no tensor", buffer.size() - at));

  // Shapes: [m, d], [m, m], [m], [m], [k, m], [k], consistent with the metadata.
  const auto& ih = shapes["rnn.weight_ih_l0"];
  if (ih.size() != 2) throw Error(ctx + "rnn.weight_ih_l0 must be [width, symbols]");
  M.m = static_cast<int>(ih[0]);
  const auto& ro = shapes["readout.bias"];
  if (ro.size() != 1) throw Error(ctx + "readout.bias must be [outputs]");
  M.k = static_cast<int>(ro[0]);
  if (free_meta) {
    M.d = static_cast<int>(ih[1]);
    if (M.d < 1 || M.d > 31) throw Error(ctx + fmt::format("rnn.weight_ih_l0 has {} columns: 1–31 symbols", M.d));
    // A placeholder alphabet of the right size (symbol i = the i-th of 0-9a-u); the caller knows the real one.
    M.alphabet = std::string("0123456789abcdefghijklmnopqrstu").substr(0, size_t(M.d));
    if (task.empty()) {
      if (M.k == 1) M.task = Task::kMembership;
      else if (M.k == M.d + 1) M.task = Task::kNextSymbol;
      else throw Error(ctx + fmt::format("readout has {} outputs: 1 (membership) or {} (next-symbol)", M.k, M.d + 1));
    }
  }
  if (M.m < 1) throw Error(ctx + "width (rows of rnn.weight_ih_l0) must be ≥ 1");
  if (static_cast<int>(ih[1]) != M.d)
    throw Error(ctx + fmt::format("rnn.weight_ih_l0 has {} columns but the alphabet '{}' has {} symbols", ih[1],
                                  M.alphabet, M.d));
  const int want_k = M.task == Task::kMembership ? 1 : M.d + 1;
  if (M.k != want_k)
    throw Error(ctx + fmt::format("readout has {} outputs; a {} model over {} symbols has {}", M.k, task, M.d, want_k));
  for (const TensorRef& t : kTensors) {
    const std::vector<uint64_t> want = ShapeOf(M, t.name);
    if (shapes[t.name] != want)
      throw Error(ctx + fmt::format("tensor \"{}\" has shape {}, expected {}", t.name,
                                    nlohmann::json(shapes[t.name]).dump(), nlohmann::json(want).dump()));
  }
  for (const Entry& e : entries) {
    const TensorRef* t = std::find_if(std::begin(kTensors), std::end(kTensors),
                                      [&](const TensorRef& r) { return e.name == r.name; });
    auto& v = M.*(t->data);
    v.resize((e.end - e.begin) / sizeof(float));
    std::memcpy(v.data(), buffer.data() + e.begin, e.end - e.begin);
  }
  M.CheckShapes(ctx);
  return M;
}

void SaveSafetensors(const std::string& path, const RnnModel& model) {
  const std::string bytes = EncodeSafetensors(model);
  WriteFileAtomic(path, bytes);
}

RnnModel LoadSafetensors(const std::string& path, bool weights_only) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    throw Error(path + ": not a regular file (a model file is expected)");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot read the model file");
  f.seekg(0, std::ios::end);
  const std::streamoff size = f.tellg();
  if (size < 0) throw Error(path + ": cannot read the model file");
  // Refuse absurd sizes before allocating: the largest header plus a width-65536 model is far below this.
  if (size > (std::streamoff(1) << 34)) throw Error(path + ": file is too large for a model file");
  f.seekg(0);
  std::string bytes(static_cast<size_t>(size), '\0');
  f.read(bytes.data(), size);
  if (!f) throw Error(path + ": cannot read the model file");
  return DecodeSafetensors(bytes, path, weights_only);
}

}  // namespace flbench
