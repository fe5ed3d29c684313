// Compare / MakeBaseline / ReadBaseline (report/compare.h) as untrusted-input readers: verdicts on hand-made records, and every malformed baseline, tolerance
// and stored row refused with the field (and file) named.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <limits>

#include "report/compare.h"
#include "testutil/paths.h"
#include "train/config.h"
#include "util/error.h"

namespace flbench {
namespace {

CellRecord Cell(const std::string& lang, int seed, double acc) {
  CellRecord r;
  r.key = lang + std::to_string(seed);
  r.suite = "s";
  r.kind = "train";
  TrainConfig t;  // a complete configuration (train/config.h): Compare refuses partial ones
  t.width = 8;
  t.seed = uint64_t(seed);
  t.order_seed = uint64_t(seed) + 100;
  r.config = {{"language", lang}, {"data", DataJson(DataConfig{})}, {"model", ModelJson(t)}, {"seed_index", seed}};
  r.result = {{"tests", {{{"name", "test"}, {"acc", acc}}}}};
  return r;
}

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(CompareTest, GroupsBySeedAndFlagsRegressions) {
  const std::vector<CellRecord> before = {Cell("a", 1, 1.0), Cell("a", 2, 0.8), Cell("b", 1, 0.5)};
  const nlohmann::json base = MakeBaseline(before, "s");
  ASSERT_EQ(base["groups"].size(), 2u);
  const Comparison same = Compare(base, before, 0.0);
  EXPECT_TRUE(same.passed());
  EXPECT_EQ(same.ok, 2);
  // a: mean 0.9 → 0.7 (regressed); b: 0.5 → 0.9 (improved); with tolerance 0.25 a is ok.
  const std::vector<CellRecord> after = {Cell("a", 1, 0.6), Cell("a", 2, 0.8), Cell("b", 1, 0.9)};
  const Comparison cmp = Compare(base, after, 0.1);
  EXPECT_EQ(cmp.regressed, 1);
  EXPECT_EQ(cmp.improved, 1);
  EXPECT_FALSE(cmp.passed());
  EXPECT_EQ(Compare(base, after, 0.25).regressed, 0);
  const Comparison gone = Compare(base, {Cell("a", 1, 0.9)}, 0.1);
  EXPECT_EQ(gone.missing, 1);
  EXPECT_FALSE(gone.passed());
}

TEST(CompareTest, ToleranceMustBeAFiniteDropInAccuracy) {
  for (double t : {std::nan(""), -0.01, 1.5, std::numeric_limits<double>::infinity()})
    EXPECT_NE(ErrorOf([&] { CheckTolerance(t); }).find("--tolerance must be a number from 0 to 1"), std::string::npos) << t;
  EXPECT_EQ(ErrorOf([] { CheckTolerance(0); }), "(no error)");
  const nlohmann::json base = MakeBaseline({Cell("a", 1, 1.0)}, "s");
  EXPECT_THROW(Compare(base, {Cell("a", 1, 0.0)}, std::nan("")), Error);  // NaN used to pass everything
}

TEST(CompareTest, MalformedBaselinesNameTheField) {
  auto check = [](const std::string& text, const std::string& fragment) {
    const std::string e = ErrorOf([&] { CheckBaseline(nlohmann::json::parse(text), "b.json"); });
    EXPECT_EQ(e.rfind("b.json: ", 0), 0u) << e;
    EXPECT_NE(e.find(fragment), std::string::npos) << text << "\n" << e;
  };
  check("[]", "expected a JSON object");
  check("{}", "expected a 'groups' list, got none");
  check(R"({"groups": []})", "'groups' is empty");
  check(R"({"groups": [1]})", "groups[0]: expected an object");
  check(R"({"groups": [{"split": "t", "mean": 0.5}]})", "groups[0].group: missing");
  check(R"({"groups": [{"group": 3, "split": "t", "mean": 0.5}]})", "groups[0].group: expected a string");
  check(R"({"groups": [{"group": "g", "split": "t", "mean": 0.5}, {"group": "g", "split": "t", "mean": "x"}]})",
        "groups[1].mean: expected an accuracy");
  check(R"({"groups": [{"group": "g", "split": "t", "mean": -0.5}]})", "groups[0].mean");
  check(R"({"groups": [{"group": "g", "split": "t", "mean": 0.5, "label": []}]})", "groups[0].label");
  check(R"({"groups": [{"group": "g", "split": "t", "mean": 0.5, "seeds": 1.5}]})", "groups[0].seeds");
}

TEST(CompareTest, ReadBaselineNamesTheFile) {
  const std::string dir = testing::TempDir();
  EXPECT_NE(ErrorOf([&] { ReadBaseline(dir); }).find(dir + ": is a directory"), std::string::npos);
  EXPECT_NE(ErrorOf([&] { ReadBaseline(dir + "/none.json"); }).find("no such file"), std::string::npos);
  std::ofstream(dir + "/big.json") << R"({"groups": [{"group": "g", "split": "t", "mean": 1e999}]})";
  EXPECT_NE(ErrorOf([&] { ReadBaseline(dir + "/big.json"); }).find(dir + "/big.json: not a valid baseline JSON"),
            std::string::npos);
  std::ofstream(dir + "/empty.json") << R"({"groups": []})";
  EXPECT_NE(ErrorOf([&] { ReadBaseline(dir + "/empty.json"); }).find(dir + "/empty.json: 'groups' is empty"),
            std::string::npos);
  std::ofstream(dir + "/ok.json") << MakeBaseline({Cell("a", 1, 1.0)}, "s").dump();
  EXPECT_EQ(ReadBaseline(dir + "/ok.json")["groups"].size(), 1u);
}

TEST(CompareTest, DamagedStoredRowsNameTheCell) {
  const nlohmann::json base = MakeBaseline({Cell("a", 1, 1.0)}, "s");
  CellRecord empty = Cell("a", 1, 1.0);
  empty.result = nlohmann::json::object();
  EXPECT_NE(ErrorOf([&] { Compare(base, {empty}, 0.1); }).find("stored cell a1 (suite 's'): its result has no 'tests'"),
            std::string::npos);
  CellRecord bad_acc = Cell("a", 1, 1.0);
  bad_acc.result["tests"][0]["acc"] = "high";
  EXPECT_THROW(Compare(base, {bad_acc}, 0.1), Error);
  CellRecord no_config = Cell("a", 1, 1.0);
  no_config.config = 5;
  EXPECT_THROW(MakeBaseline({no_config}, "s"), Error);
  CellRecord null_acc = Cell("a", 1, 1.0);  // NaN is stored as null: the split has no accuracy
  null_acc.result["tests"][0]["acc"] = nullptr;
  EXPECT_EQ(Compare(base, {null_acc}, 0.1).missing, 1);
}

}  // namespace
}  // namespace flbench
