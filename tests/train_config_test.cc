// The training-configuration table (src/train/config.h): defaults come from the structs, names from the enums,
// JSON round trips, and every check and parse rejects what it should and accepts its boundaries.
#include <gtest/gtest.h>

#include <set>

#include "optim/optimizer.h"
#include "rnn/activation.h"
#include "rnn/init.h"
#include "train/config.h"
#include "util/error.h"

namespace flbench {
namespace {

const ConfigField& Model(const std::string& key) {
  const ConfigField* f = FindField(key, Section::kModel);
  EXPECT_NE(f, nullptr) << key;
  return *f;
}

TEST(ConfigTable, NamesComeFromTheEnums) {
  EXPECT_EQ(Model("activation").allowed, ActivationNames());
  EXPECT_EQ(Model("init").allowed, InitNames());
  EXPECT_EQ(Model("optimizer").allowed, OptimizerNames());
}

TEST(ConfigTable, DefaultsAreTheStructsInitialValues) {
  const TrainConfig t;
  EXPECT_EQ(Model("width").Default(), t.width);
  EXPECT_EQ(Model("lr").Default(), t.lr);
  EXPECT_EQ(Model("activation").Default(), t.activation);
  EXPECT_EQ(FindField("train", Section::kData)->Default(), DataConfig{}.train);
}

TEST(ConfigTable, KeysAreUniqueWithinASection) {
  std::set<std::string> seen;
  for (const ConfigField& f : ConfigFields())
    EXPECT_TRUE(seen.insert(std::string(f.SectionName()) + "/" + f.key).second) << f.key;
}

TEST(ConfigTable, ModelJsonRoundTrips) {
  TrainConfig t;
  t.width = 8;
  t.activation = "relu";
  t.lr = 0.003;
  t.seed = 18446744073709551615ull;
  t.shuffle = "off";
  const TrainConfig back = ModelFromJson(ModelJson(t));
  EXPECT_EQ(ModelJson(back), ModelJson(t));
  EXPECT_EQ(back.seed, t.seed);
  EXPECT_FALSE(ModelJson(t).contains("threads")) << "threads never changes a result: not in the cell key";
  EXPECT_TRUE(ModelJson(t, true).contains("threads"));
  DataConfig d;
  d.task = "next-symbol";
  d.test_bins = {{51, 100}, {101, 150}};
  EXPECT_EQ(DataJson(DataFromJson(DataJson(d))), DataJson(d));
  EXPECT_EQ(DataJson(d)["test_bins"], nlohmann::json::parse("[[51,100],[101,150]]"));
}

// `splits` came after results were stored: a config at its default must write exactly the fields it wrote before, so
// every stored cell key (suites/table1.yaml's included) stays the same; set, it is written and read back.
TEST(ConfigTable, SplitsIsInTheCellKeyOnlyWhenSet) {
  std::set<std::string> keys;
  const nlohmann::json written = DataJson(DataConfig{});
  for (const auto& [k, v] : written.items()) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"max_len", "min_len", "negatives", "seed", "task", "test", "test_bins", "train",
                                         "validation"}));
  const ConfigField* f = FindField("splits", Section::kData);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->allowed, (std::vector<std::string>{"disjoint", "all-strings"}));
  EXPECT_EQ(f->Default(), "disjoint");
  EXPECT_EQ(f->uses, unsigned(kSuiteScalar | kInKey | kCli | kKeyIfSet)) << "a per-language data key, a train option";
  DataConfig d;
  d.splits = "all-strings";
  EXPECT_EQ(DataJson(d)["splits"], "all-strings");
  EXPECT_EQ(DataFromJson(DataJson(d)).splits, "all-strings");
  EXPECT_EQ(DataFromJson(DataJson(DataConfig{})).splits, "disjoint") << "absent = the default";
  EXPECT_EQ(ToDatasetSpec(d).splits, Splits::kAllStrings);
  EXPECT_EQ(ToDatasetSpec(DataConfig{}).splits, Splits::kDisjoint);
  nlohmann::json j = DataJson(DataConfig{});
  j["splits"] = "disjoint";
  DropDefaults(Section::kData, j);
  EXPECT_EQ(j, DataJson(DataConfig{})) << "written out at its default, it is dropped";
  j["splits"] = "overlap";
  EXPECT_THROW(DataFromJson(j), Error);
  EXPECT_THROW(f->Parse("overlap"), Error);
  EXPECT_EQ(f->Parse("all-strings"), "all-strings");
}

TEST(ConfigTable, StoredJsonIsCheckedNotTrusted) {
  nlohmann::json j = ModelJson(TrainConfig{});
  j.erase("width");
  EXPECT_THROW(ModelFromJson(j), Error);
  j = ModelJson(TrainConfig{});
  j["width"] = "32";
  EXPECT_THROW(ModelFromJson(j), Error);
  j["width"] = 0;
  EXPECT_THROW(ModelFromJson(j), Error);
  EXPECT_THROW(ModelFromJson(nlohmann::json::array()), Error);
  try {
    j = ModelJson(TrainConfig{});
    j.erase("lr");
    ModelFromJson(j);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing 'lr'"), std::string::npos) << e.what();
  }
}

TEST(ConfigTable, RangesHaveTheirStatedEnds) {
  EXPECT_NO_THROW(Model("width").Check(1));
  EXPECT_NO_THROW(Model("width").Check(65536));
  EXPECT_THROW(Model("width").Check(65537), Error);
  EXPECT_THROW(Model("lr").Check(0.0), Error);  // open at 0
  EXPECT_NO_THROW(Model("lr").Check(1e-12));
  EXPECT_NO_THROW(Model("momentum").Check(0.0));
  EXPECT_THROW(Model("momentum").Check(1.0), Error);  // open at 1
  EXPECT_THROW(Model("lr").Check(std::numeric_limits<double>::quiet_NaN()), Error);
  EXPECT_THROW(Model("activation").Check("swish"), Error);
  EXPECT_THROW(Model("shuffle").Check(true), Error);
  EXPECT_EQ(Model("momentum").Domain(), "in [0, 1)");
  EXPECT_EQ(Model("lr").Domain(), "> 0");
}

TEST(ConfigTable, ParseReadsWhatAUserTypes) {
  EXPECT_EQ(Model("lr").Parse("0.01"), 0.01);
  EXPECT_EQ(Model("width").Parse("16"), 16);
  EXPECT_EQ(Model("activation").Parse("relu"), "relu");
  for (const char* bad : {"", "abc", "1e999", "nan", "0.01x", "-0.5"}) EXPECT_THROW(Model("lr").Parse(bad), Error) << bad;
  for (const char* bad : {"3.5", "99999999999999999999", "-3", "8 "}) EXPECT_THROW(Model("width").Parse(bad), Error) << bad;
  EXPECT_THROW(Model("seed").Parse("-1"), Error);
  EXPECT_EQ(Model("seed").Parse("18446744073709551615"), 18446744073709551615ull);
  EXPECT_THROW(Model("seed").Parse("18446744073709551616"), Error);
}

TEST(ConfigTable, ReportAxesAreTheHyperparametersAUserVaries) {
  const std::vector<std::string> axes = FieldKeys(kReportAxis);
  for (const char* a : {"task", "negatives", "width", "activation", "init", "optimizer", "lr", "epochs"})
    EXPECT_NE(std::find(axes.begin(), axes.end(), a), axes.end()) << a;
  EXPECT_EQ(std::find(axes.begin(), axes.end(), "seed"), axes.end());
}

TEST(ConfigTable, ValidateTrainConfigUsesTheTable) {
  TrainConfig t;
  EXPECT_NO_THROW(ValidateTrainConfig(t));
  t.bias = "three";
  EXPECT_THROW(ValidateTrainConfig(t), Error);
}

}  // namespace
}  // namespace flbench
