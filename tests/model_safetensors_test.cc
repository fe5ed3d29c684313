// Model files: save → load round trips (tensors, metadata, outputs), the written bytes checked against the
// safetensors format's rules, and every kind of damaged file rejected with a clear flbench::Error — never a crash.
// Also the conversions between the trainer's θ and the model (checked against the trainer's own forward pass).
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "lang/language.h"
#include "model/safetensors.h"
#include "model_networks.h"
#include "rnn/elman.h"
#include "testutil/paths.h"
#include "util/error.h"

namespace flbench {
namespace {

using testing::RandomNetwork;

RnnModel Sample(Task task = Task::kNextSymbol) {
  RnnModel M = RandomNetwork(5, "abc", task, Activation::kTanh, 7);
  M.language = "tomita3";
  M.config_json = R"({"width":5})";
  M.cell_key = "0123abcd";
  M.language_digest = "feed";
  M.flbench_version = "flbench test";
  return M;
}

std::vector<Word> SomeWords() {
  std::vector<Word> ws = {{0}, {1, 2}, {2, 2, 0, 1}, {0, 1, 2, 0, 1, 2, 0, 1, 2, 2, 1}};
  return ws;
}

TEST(ModelSafetensorsTest, RoundTripGivesTheSameTensorsMetadataAndOutputs) {
  for (Task task : {Task::kMembership, Task::kNextSymbol}) {
    const RnnModel M = Sample(task);
    const std::string path = testing::TempDir() + "/m.safetensors";
    SaveSafetensors(path, M);
    const RnnModel L = LoadSafetensors(path);
    EXPECT_EQ(L.weight_ih, M.weight_ih);
    EXPECT_EQ(L.weight_hh, M.weight_hh);
    EXPECT_EQ(L.bias_ih, M.bias_ih);
    EXPECT_EQ(L.bias_hh, M.bias_hh);
    EXPECT_EQ(L.readout_weight, M.readout_weight);
    EXPECT_EQ(L.readout_bias, M.readout_bias);
    EXPECT_EQ(L.m, 5);
    EXPECT_EQ(L.d, 3);
    EXPECT_EQ(L.k, task == Task::kMembership ? 1 : 4);
    EXPECT_EQ(L.task, task);
    EXPECT_EQ(L.act, Activation::kTanh);
    EXPECT_EQ(L.language, "tomita3");
    EXPECT_EQ(L.alphabet, "abc");
    EXPECT_EQ(L.config_json, M.config_json);
    EXPECT_EQ(L.cell_key, M.cell_key);
    EXPECT_EQ(L.language_digest, "feed");
    EXPECT_EQ(L.flbench_version, "flbench test");
    for (const Word& w : SomeWords()) EXPECT_EQ(ModelForward(L, w), ModelForward(M, w));
    EXPECT_EQ(EncodeSafetensors(L), EncodeSafetensors(M)) << "a loaded file re-encodes to the same bytes";
  }
}

// The published rules (huggingface/safetensors README, "Format"), checked on the bytes we write.
TEST(ModelSafetensorsTest, WrittenBytesFollowTheFormatRules) {
  const RnnModel M = Sample();
  const std::string bytes = EncodeSafetensors(M);
  ASSERT_GE(bytes.size(), 8u);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = n * 256 + static_cast<unsigned char>(bytes[i]);  // little-endian u64
  ASSERT_LE(8 + n, bytes.size());
  EXPECT_EQ(n % 8, 0u) << "header padded so the data start 8-byte aligned";
  const std::string header = bytes.substr(8, n);
  EXPECT_EQ(header[0], '{');
  const size_t close = header.find_last_of('}');
  for (size_t i = close + 1; i < header.size(); ++i) EXPECT_EQ(header[i], ' ') << "padding is spaces only";
  const auto h = nlohmann::json::parse(header);
  const size_t buffer = bytes.size() - 8 - n;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (auto it = h.begin(); it != h.end(); ++it) {
    if (it.key() == "__metadata__") {
      for (const auto& v : it.value()) EXPECT_TRUE(v.is_string());
      continue;
    }
    EXPECT_EQ(it.value()["dtype"], "F32");
    uint64_t count = 1;
    for (const auto& d : it.value()["shape"]) count *= d.get<uint64_t>();
    const uint64_t b = it.value()["data_offsets"][0], e = it.value()["data_offsets"][1];
    EXPECT_EQ(e - b, 4 * count) << it.key();
    ranges.push_back({b, e});
  }
  EXPECT_EQ(ranges.size(), 6u);
  std::sort(ranges.begin(), ranges.end());
  uint64_t at = 0;
  for (auto [b, e] : ranges) {
    EXPECT_EQ(b, at) << "contiguous, no holes";
    at = e;
  }
  EXPECT_EQ(at, buffer) << "the byte buffer is entirely indexed";
  // Row-major: rnn.weight_hh_l0[1][3] sits at begin + 4·(1·m + 3), little-endian float32.
  const auto& hh = h["rnn.weight_hh_l0"];
  EXPECT_EQ(hh["shape"], nlohmann::json({5, 5}));
  EXPECT_EQ(h["rnn.weight_ih_l0"]["shape"], nlohmann::json({5, 3}));
  EXPECT_EQ(h["readout.weight"]["shape"], nlohmann::json({4, 5}));
  float v;
  std::memcpy(&v, bytes.data() + 8 + n + hh["data_offsets"][0].get<uint64_t>() + 4 * (1 * 5 + 3), 4);
  EXPECT_EQ(v, M.weight_hh[1 * 5 + 3]);
  const auto& meta = h["__metadata__"];
  for (const char* key : {"language", "alphabet", "task", "activation", "h0", "output_layout", "threshold", "config",
                          "cell_key", "language_digest", "flbench"})
    EXPECT_TRUE(meta.contains(key)) << key;
  EXPECT_EQ(meta["h0"], "zeros");
  EXPECT_EQ(meta["threshold"], "logit > 0");
  EXPECT_EQ(meta["task"], "next-symbol");
}

// A file from a header (JSON text, written as given) and a data buffer.
std::string FileOf(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  const uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  return out + header + data;
}

struct Parts {
  nlohmann::json header;
  std::string data;
};
Parts Split(const std::string& bytes) {
  uint64_t n;
  std::memcpy(&n, bytes.data(), 8);
  return {nlohmann::json::parse(bytes.substr(8, n)), bytes.substr(8 + n)};
}

void ExpectError(const std::string& bytes, const std::string& fragment) {
  try {
    DecodeSafetensors(bytes, "bad.safetensors");
    ADD_FAILURE() << "accepted; expected an error containing: " << fragment;
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind("bad.safetensors: ", 0), 0u) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << "expected \"" << fragment << "\" in: " << msg;
  }
}

TEST(ModelSafetensorsTest, DamagedFilesAreClearErrors) {
  const std::string good = EncodeSafetensors(Sample());
  const Parts p = Split(good);
  auto with = [&](auto edit) {
    Parts q = p;
    edit(q);
    return FileOf(q.header.dump(), q.data);
  };
  ExpectError(good.substr(0, 5), "truncated: 5 bytes");
  std::string huge = good;
  const uint64_t big = uint64_t(1) << 40;
  std::memcpy(huge.data(), &big, 8);
  ExpectError(huge, "exceeds the format's limit");
  std::string longer = good;
  const uint64_t past = good.size();
  std::memcpy(longer.data(), &past, 8);
  ExpectError(longer, "truncated: the header length says");
  ExpectError(FileOf("[1, 2]", ""), "must start with '{'");
  ExpectError(FileOf("{\"a\": ", ""), "not valid JSON");
  ExpectError(FileOf(R"({"x": {"y": {"z": {"w": {"v": 1}}}}})", ""), "nests deeper");
  ExpectError(good.substr(0, good.size() - 4), "run past the end of the data");
  ExpectError(good + "xxxx", "4 bytes after the last tensor");
  ExpectError(with([](Parts& q) { q.header["rnn.weight_hh_l0"]["dtype"] = "F16"; }), "dtype F16 is not supported");
  ExpectError(with([](Parts& q) { q.header["rnn.weight_hh_l0"]["shape"] = {5, 6}; }), "hold 100 bytes but shape");
  ExpectError(with([](Parts& q) { q.header["rnn.weight_hh_l0"]["shape"] = {25}; }),
              "tensor \"rnn.weight_hh_l0\" has shape [25], expected [5,5]");
  ExpectError(with([](Parts& q) { q.header["rnn.weight_ih_l0"]["shape"] = {3, 5}; }), "has 5 columns but the alphabet");
  ExpectError(with([](Parts& q) { q.header["rnn.bias_hh_l0"]["data_offsets"] = {2, 22}; }), "overlaps");
  ExpectError(with([](Parts& q) { q.header["readout.bias"]["data_offsets"][0] = 20; }), "run backwards");
  ExpectError(with([](Parts& q) { q.header["readout.bias"]["data_offsets"] = {4, 20}; }),
              "bytes [0, 4) before tensor \"readout.bias\" belong to no tensor");
  ExpectError(with([](Parts& q) { q.header["readout.bias"]["data_offsets"] = {-1, 15}; }), "non-negative integer");
  ExpectError(with([](Parts& q) { q.header.erase("readout.bias"); }), "tensor \"readout.bias\" is missing");
  ExpectError(with([](Parts& q) { q.header["extra"] = q.header["readout.bias"]; }), "unexpected tensor \"extra\"");
  ExpectError(with([](Parts& q) { q.header["readout.bias"]["strides"] = {1}; }), "unknown key \"strides\"");
  ExpectError(with([](Parts& q) { q.header["__metadata__"]["cell_key"] = 3; }), "must be a string");
  ExpectError(with([](Parts& q) { q.header["__metadata__"].erase("alphabet"); }), "lacks \"alphabet\"");
  ExpectError(with([](Parts& q) { q.header["__metadata__"]["task"] = "parsing"; }), "neither membership");
  ExpectError(with([](Parts& q) { q.header["__metadata__"]["activation"] = "gelu"; }), "unknown activation 'gelu'");
  ExpectError(with([](Parts& q) { q.header["__metadata__"]["h0"] = "learned"; }), "h_0 = zeros");
  ExpectError(with([](Parts& q) { q.header["__metadata__"]["alphabet"] = "ab"; }), "has 3 columns but the alphabet");
  ExpectError(with([](Parts& q) { q.header["__metadata__"]["alphabet"] = "aab"; }), "repeats 'a'");
  ExpectError(with([](Parts& q) { q.header["__metadata__"]["task"] = "membership"; }), "readout has 4 outputs");
  // Duplicate keys are disallowed by the format (nlohmann would silently keep the last).
  std::string dup = p.header.dump();
  dup.insert(1, R"("readout.bias": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}, )");
  ExpectError(FileOf(dup, p.data), "duplicate key \"readout.bias\"");
}

TEST(ModelSafetensorsTest, EveryTruncationAndRandomDamageIsAnErrorNotACrash) {
  const std::string good = EncodeSafetensors(Sample());
  for (size_t len = 0; len < good.size(); ++len) EXPECT_THROW(DecodeSafetensors(good.substr(0, len), "t"), Error) << len;
  Rng rng(3);
  int accepted = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bad = good;
    const int flips = 1 + static_cast<int>(rng.Below(3));
    for (int f = 0; f < flips; ++f) bad[rng.Below(bad.size())] = static_cast<char>(rng.Below(256));
    try {
      DecodeSafetensors(bad, "t");
      ++accepted;  // damage inside tensor data (or a harmless header byte) is a valid file
    } catch (const Error&) {
    }
  }
  EXPECT_GT(accepted, 0);
}

TEST(ModelSafetensorsTest, MissingFileIsAnError) {
  EXPECT_THROW(LoadSafetensors(testing::TempDir() + "/none.safetensors"), Error);
  EXPECT_THROW(LoadSafetensors(testing::TempDir()), Error);  // a directory
}

// ModelFromTheta must read θ the way the trainer's forward pass does, and the model's forward must do the trainer's
// arithmetic: labels taken from the model's decisions are all "correct" for ElmanRnn::Evaluate on the same θ.
TEST(ModelSafetensorsTest, ThetaConversionMatchesTheTrainersForwardPass) {
  for (bool two : {true, false})
  for (Task task : {Task::kMembership, Task::kNextSymbol})
    for (Activation act : {Activation::kTanh, Activation::kRelu, Activation::kSigmoid, Activation::kCos}) {
      const ElmanShape shape{6, 3, task == Task::kMembership ? 1 : 4, act, task, two};
      std::vector<float> theta(shape.size());
      Rng rng(11);
      for (float& x : theta) x = static_cast<float>(rng.Uniform(-1, 1));
      const RnnModel M = ModelFromTheta(shape, theta.data(), "x", "abc");
      std::vector<float> back(shape.size(), -7.f);
      ThetaFromModel(M, shape, back.data());
      EXPECT_EQ(back, theta) << "θ → model → θ is the identity";
      if (!two) {
        EXPECT_EQ(M.bias_hh, std::vector<float>(6, 0.f));
      }
      // Strings of length 5 with targets = the model's decisions, logits kept away from the threshold.
      std::vector<Example> examples;
      for (int s = 0; s < 40; ++s) {
        Example e;
        for (int t = 0; t < 5; ++t) e.x.push_back(static_cast<uint8_t>(rng.Below(3)));
        const auto steps = ModelForward(M, e.x);
        e.label = steps.back() & 1;
        if (task == Task::kNextSymbol) {
          e.next = steps;
          e.label = (steps.back() >> 3) & 1;
        }
        examples.push_back(e);
      }
      std::vector<const Example*> shard;
      for (const auto& e : examples) shard.push_back(&e);
      ElmanRnn<float> net(shape);
      const ShardResult r = net.Evaluate(theta.data(), shard, 1.f, nullptr);
      EXPECT_EQ(r.correct, 40) << ActivationName(act) << " " << TaskName(task) << (two ? " two biases" : " one bias")
                               << ": the trainer decides differently from the model";
    }
}

}  // namespace
}  // namespace flbench
