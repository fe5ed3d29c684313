// MakeBaseline and Compare (report/compare.h) on hand-made train records: grouping by configuration without the
// seed, means over seeds (empty splits left out), regression, improvement, ok exactly at the tolerance boundary,
// missing groups and splits, the rendered table, and malformed baselines. Values are dyadic fractions, so every
// mean and every "baseline ± tolerance" is exact and the boundary cases are really on the boundary.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "report/compare.h"
#include "train/config.h"
#include "util/error.h"
#include "util/hash.h"

namespace flbench {
namespace {

using nlohmann::json;

// A complete train cell config (every field of the configuration table, train/config.h).
json Config(const std::string& language, int width, int seed_index, const std::string& task = "membership") {
  DataConfig d;
  d.task = task;
  d.min_len = 2;
  d.max_len = 20;
  TrainConfig t;
  t.activation = "tanh";
  t.width = width;
  t.optimizer = "adam";
  t.epochs = 10;
  t.seed = 1000 + seed_index;
  t.order_seed = 2000 + seed_index;
  return {{"language", language}, {"data", DataJson(d)}, {"model", ModelJson(t)}, {"seed_index", seed_index}};
}

// A train record with one accuracy per test split ("test", then the length bins); −1 marks an empty split.
CellRecord Record(const json& config, const std::vector<std::pair<std::string, double>>& tests) {
  CellRecord r;
  r.kind = "train";
  r.suite = "s";
  r.config = config;
  r.key = HashKey(config);
  json t = json::array();
  for (const auto& [name, acc] : tests) t.push_back({{"name", name}, {"acc", acc}});
  r.result = {{"tests", t}};
  return r;
}

const json* FindGroup(const json& baseline, const std::string& label_prefix, const std::string& split) {
  for (const auto& g : baseline["groups"])
    if (g["label"].get<std::string>().rfind(label_prefix, 0) == 0 && g["split"] == split) return &g;
  return nullptr;
}

// Two seeds of tomita1 at width 8 (means 0.75 on "test", 0.375 on "test_21-40"), one seed at width 16, and a
// non-train record that must be ignored.
std::vector<CellRecord> Records() {
  std::vector<CellRecord> r;
  r.push_back(Record(Config("tomita1", 8, 0), {{"test", 0.5}, {"test_21-40", 0.25}}));
  r.push_back(Record(Config("tomita1", 8, 1), {{"test", 1.0}, {"test_21-40", 0.5}}));
  r.push_back(Record(Config("tomita1", 16, 0), {{"test", 0.875}, {"test_21-40", -1}}));
  CellRecord theory;
  theory.kind = "inversion";
  theory.config = {{"m", 8}};
  theory.result = {{"error", 0.1}};
  r.push_back(theory);
  return r;
}

TEST(WithoutSeed, DropsExactlyTheSeedFields) {
  const json c = Config("tomita1", 8, 3);
  const json w = WithoutSeed(c);
  EXPECT_FALSE(w.contains("seed_index"));
  EXPECT_FALSE(w["model"].contains("seed"));
  EXPECT_FALSE(w["model"].contains("order_seed"));  // the batch order is per seed too
  json expected = c;
  expected.erase("seed_index");
  expected["model"].erase("seed");
  expected["model"].erase("order_seed");
  EXPECT_EQ(w, expected);
  EXPECT_EQ(WithoutSeed(Config("tomita1", 8, 0)), WithoutSeed(Config("tomita1", 8, 5)));
  EXPECT_NE(WithoutSeed(Config("tomita1", 8, 0)), WithoutSeed(Config("tomita1", 16, 0)));
}

TEST(MakeBaseline, OneEntryPerGroupAndSplitWithTheMeanOverSeeds) {
  const json b = MakeBaseline(Records(), "s");
  EXPECT_EQ(b["suite"], "s");
  EXPECT_EQ(b["metric"], "mean final test accuracy over seeds");
  ASSERT_EQ(b["groups"].size(), 3u);  // width 8: two splits; width 16: "test" only (its bin was empty)

  const std::string label8 = "tomita1 membership tanh m=8 adam lr=0.01 init=uniform batch=32 epochs=10 negatives=uniform";
  const json* g8 = FindGroup(b, label8, "test");
  ASSERT_NE(g8, nullptr) << b.dump(2);
  EXPECT_EQ((*g8)["label"], label8);
  EXPECT_EQ((*g8)["mean"], 0.75);
  EXPECT_EQ((*g8)["seeds"], 2);
  EXPECT_EQ((*g8)["group"], HashKey(WithoutSeed(Config("tomita1", 8, 0))));
  const json* g8bin = FindGroup(b, label8, "test_21-40");
  ASSERT_NE(g8bin, nullptr);
  EXPECT_EQ((*g8bin)["mean"], 0.375);
  const json* g16 = FindGroup(b, "tomita1 membership tanh m=16 ", "test");
  ASSERT_NE(g16, nullptr);
  EXPECT_EQ((*g16)["mean"], 0.875);
  EXPECT_EQ((*g16)["seeds"], 1);
  EXPECT_EQ(FindGroup(b, "tomita1 membership tanh m=16 ", "test_21-40"), nullptr);

  // next-symbol labels leave out the negatives (there are none).
  const json ns = MakeBaseline({Record(Config("dyck2", 4, 0, "next-symbol"), {{"test", 1.0}})}, "s");
  EXPECT_EQ(ns["groups"][0]["label"], "dyck2 next-symbol tanh m=4 adam lr=0.01 init=uniform batch=32 epochs=10");
  // splits all-strings (the paper-like overlap) is named, and groups apart from the disjoint cells.
  json overlap = Config("dyck2", 4, 0, "next-symbol");
  overlap["data"]["splits"] = "all-strings";
  const json both =
      MakeBaseline({Record(Config("dyck2", 4, 0, "next-symbol"), {{"test", 1.0}}), Record(overlap, {{"test", 0.5}})}, "s");
  ASSERT_EQ(both["groups"].size(), 2u);
  const json* o = FindGroup(
      both, "dyck2 next-symbol tanh m=4 adam lr=0.01 init=uniform batch=32 epochs=10 splits=all-strings", "test");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ((*o)["mean"], 0.5);
  EXPECT_TRUE(MakeBaseline({}, "s")["groups"].empty());
}

TEST(Compare, ResultsAgainstTheirOwnBaselinePass) {
  const std::vector<CellRecord> records = Records();
  const Comparison c = Compare(MakeBaseline(records, "s"), records, 0.0);
  EXPECT_EQ(c.rows.size(), 3u);
  EXPECT_EQ(c.ok, 3);
  EXPECT_EQ(c.regressed + c.improved + c.missing, 0);
  EXPECT_TRUE(c.passed());
  EXPECT_EQ(c.Render(), "compare: 3 group(s): 3 ok, 0 improved, 0 regressed, 0 missing — PASS\n");
}

// A baseline with one group of mean `mean` on split "test", for the width-8 group of Records() (ours: 0.75).
json BaselineFor(double mean) {
  json b = MakeBaseline(Records(), "s");
  json groups = json::array();
  for (const auto& g : b["groups"])
    if (g["split"] == "test" && g["seeds"] == 2) {
      json one = g;
      one["mean"] = mean;
      groups.push_back(one);
    }
  b["groups"] = groups;
  return b;
}

TEST(Compare, ToleranceBoundaryIsOk) {
  // ours = 0.75. Baseline 1.0 with tolerance 0.25: 0.75 == 1.0 − 0.25 exactly → ok (only strictly below regresses).
  const double tiny = std::ldexp(1.0, -30);
  struct Case {
    double baseline, tolerance;
    const char* status;
  };
  for (const Case& k : {Case{1.0, 0.25, "ok"}, Case{1.0 + tiny, 0.25, "regressed"}, Case{0.5, 0.25, "ok"},
                        Case{0.5 - tiny, 0.25, "improved"}, Case{0.75, 0.0, "ok"}, Case{0.75 + tiny, 0.0, "regressed"},
                        Case{0.75 - tiny, 0.0, "improved"}}) {
    const Comparison c = Compare(BaselineFor(k.baseline), Records(), k.tolerance);
    ASSERT_EQ(c.rows.size(), 1u);
    EXPECT_EQ(c.rows[0].status, k.status) << "baseline " << k.baseline << " tolerance " << k.tolerance;
    EXPECT_EQ(c.rows[0].ours, 0.75);
    EXPECT_EQ(c.rows[0].baseline, k.baseline);
    EXPECT_EQ(c.rows[0].seeds, 2);
    EXPECT_EQ(c.passed(), std::string(k.status) != "regressed");
  }
}

TEST(Compare, RegressionImprovementAndMissingAreCountedAndRendered) {
  json b = MakeBaseline(Records(), "s");
  for (auto& g : b["groups"]) {
    if (g["split"] == "test_21-40") g["mean"] = 0.875;              // ours 0.375: regressed by 0.5
    else if (g["seeds"] == 1) g["mean"] = 0.5;                     // ours 0.875: improved by 0.375
  }
  b["groups"].push_back({{"group", "0123"}, {"label", "a group we no longer run"}, {"split", "test"}, {"mean", 0.9}});
  json other_split = b["groups"][0];
  other_split["split"] = "test_41-60";  // a known group, but a split our records do not have
  b["groups"].push_back(other_split);

  const Comparison c = Compare(b, Records(), 0.02);
  EXPECT_EQ(c.rows.size(), 5u);
  EXPECT_EQ(c.regressed, 1);
  EXPECT_EQ(c.improved, 1);
  EXPECT_EQ(c.missing, 2);
  EXPECT_EQ(c.ok, 1);
  EXPECT_FALSE(c.passed());
  for (const auto& row : c.rows) {
    if (row.status == "missing") {
      EXPECT_EQ(row.seeds, 0);
    }
  }

  const std::string out = c.Render();
  EXPECT_NE(out.find("compare: 5 group(s): 1 ok, 1 improved, 1 regressed, 2 missing — FAIL\n"), std::string::npos)
      << out;
  // One table line per non-ok row, with the label, split, both means and the signed difference.
  EXPECT_NE(out.find("| regressed | tomita1 membership tanh m=8 "), std::string::npos) << out;
  EXPECT_NE(out.find("| test_21-40 |    0.875 | 0.375 | -0.500 |"), std::string::npos) << out;
  EXPECT_NE(out.find("| improved "), std::string::npos) << out;
  EXPECT_NE(out.find("0.500 | 0.875 | +0.375 |"), std::string::npos) << out;
  EXPECT_NE(out.find("| missing   | a group we no longer run"), std::string::npos) << out;
  EXPECT_NE(out.find("|    0.900 |     — |      — |"), std::string::npos) << out;
  EXPECT_EQ(out.find("| ok "), std::string::npos) << "ok rows are not listed\n" << out;
}

TEST(Compare, OnlySeedsWithResultsCountTowardsAMean) {
  // A seed whose bin was empty (acc −1) does not pull the mean down; a missing seed does not either.
  std::vector<CellRecord> records = {Record(Config("parity", 4, 0), {{"test", 0.5}, {"test_21-40", -1}}),
                                     Record(Config("parity", 4, 1), {{"test", 1.0}, {"test_21-40", 0.25}})};
  const json b = MakeBaseline(records, "s");
  const json* bin = FindGroup(b, "parity", "test_21-40");
  ASSERT_NE(bin, nullptr);
  EXPECT_EQ((*bin)["mean"], 0.25);
  records.pop_back();  // seed 1 did not run this time: the mean of seed 0 alone is compared
  const Comparison c = Compare(b, records, 0.0);
  ASSERT_EQ(c.rows.size(), 2u);
  EXPECT_EQ(c.missing, 1);  // test_21-40 has no accuracy at all now
  EXPECT_EQ(c.regressed, 1);  // "test": 0.5 < 0.75
}

TEST(Compare, MalformedBaselinesAreErrors) {
  const std::vector<CellRecord> records = Records();
  for (const char* text : {R"([])", R"({})", R"({"groups": 3})", R"({"groups": [{"split": "test", "mean": 1}]})",
                           R"({"groups": [{"group": "x", "mean": 1}]})", R"({"groups": [{"group": "x", "split": "t"}]})",
                           R"({"groups": [{"group": "x", "split": "t", "mean": "high"}]})"}) {
    EXPECT_THROW(Compare(json::parse(text), records, 0.02), Error) << text;
  }
  try {
    Compare(json::parse(R"({"groups": [{"group": "x", "split": "t", "mean": null}]})"), records, 0.02);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("groups[0].mean: expected an accuracy ≥ 0, got null"), std::string::npos)
        << e.what();
  }
  // An empty baseline would pass any results: refused.
  EXPECT_THROW(Compare(json::parse(R"({"groups": []})"), records, 0.02), Error);
}

// A baseline field of the wrong JSON type is a flbench::Error (exit 2), not a json::type_error (exit 3).
TEST(Compare, WronglyTypedBaselineFieldsAreErrors) {
  const std::vector<CellRecord> records = Records();
  for (const char* text : {R"({"groups": [{"group": 5, "split": "test", "mean": 1}]})",
                           R"({"groups": [{"group": "x", "split": 7, "mean": 1}]})",
                           R"({"groups": [{"group": "x", "split": "t", "mean": 1, "label": 2}]})",
                           R"({"groups": ["not an object"]})"}) {
    EXPECT_THROW(Compare(json::parse(text), records, 0.02), Error) << text;
  }
}

}  // namespace
}  // namespace flbench
