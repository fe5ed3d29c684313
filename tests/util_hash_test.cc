// HashKey: a fixed digest for a fixed config (checked against an independent FNV-1a-128 implementation),
// and a different digest when any field changes.
#include <gtest/gtest.h>

#include <set>

#include "util/hash.h"

namespace flbench {
namespace {

using nlohmann::json;

json Config() { return json{{"width", 8}, {"activation", "relu"}, {"lr", 0.01}, {"seed", 1}}; }

TEST(HashKey, MatchesTheFnv1a128Reference) {
  // config.dump() == {"activation":"relu","lr":0.01,"seed":1,"width":8}, hashed by a Python reference.
  EXPECT_EQ(Config().dump(), R"({"activation":"relu","lr":0.01,"seed":1,"width":8})");
  EXPECT_EQ(HashKey(Config()), "5c816d44f9aa75f16a75324ba370510c");
}

TEST(HashKey, IndependentOfInsertionOrder) {
  json a;
  a["seed"] = 1;
  a["width"] = 8;
  a["lr"] = 0.01;
  a["activation"] = "relu";
  EXPECT_EQ(HashKey(a), HashKey(Config()));
}

TEST(HashKey, SensitiveToEveryField) {
  std::set<std::string> keys = {HashKey(Config())};
  const json base = Config();
  for (const auto& [name, value] : base.items()) {
    json changed = base;
    if (value.is_string()) changed[name] = value.get<std::string>() + "x";
    else if (value.is_number_integer()) changed[name] = value.get<int>() + 1;
    else changed[name] = value.get<double>() * 1.0000001;
    EXPECT_TRUE(keys.insert(HashKey(changed)).second) << name;
    json removed = base;
    removed.erase(name);
    EXPECT_TRUE(keys.insert(HashKey(removed)).second) << name;
  }
  json added = base;
  added["epochs"] = 100;
  EXPECT_TRUE(keys.insert(HashKey(added)).second);
  // Nested values and types count too.
  EXPECT_NE(HashKey(json{{"a", json::array({1, 2})}}), HashKey(json{{"a", json::array({2, 1})}}));
  EXPECT_NE(HashKey(json{{"a", 1}}), HashKey(json{{"a", "1"}}));
  for (const auto& k : keys) EXPECT_EQ(k.size(), 32u);
}

}  // namespace
}  // namespace flbench
