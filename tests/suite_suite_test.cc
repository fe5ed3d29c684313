// Suite files: grid expansion, per-language overrides, cell keys, and located errors for bad input.
#include <gtest/gtest.h>

#include <set>

#include "suite/limits.h"
#include "suite/runner.h"
#include "suite/suite.h"
#include "testutil/paths.h"
#include "util/error.h"

namespace flbench {
namespace {

const char* kSuite = R"(name: t
seed: 3
data:
  task: membership
  train: 100
  test: 50
  min_len: 2
  max_len: 12
grid:
  width: [4, 8]
  activation: [relu, tanh]
  lr: [0.01, 0.001]
  seeds: 2
languages:
  - tomita1
  - name: d2
    max_len: 20
    task: next-symbol
    grid: {width: 16}
    reference: {relu: 1.0}
)";

TEST(SuiteTest, ExpandsTheGridWithOverrides) {
  const Suite s = ParseSuite(kSuite, "t.yaml");
  EXPECT_EQ(s.name, "t");
  EXPECT_EQ(s.kind, "train");
  // tomita1: 2 widths × 2 acts × 2 lrs × 2 seeds = 16; d2: 1 width × 2 × 2 × 2 = 8
  ASSERT_EQ(s.cells.size(), 24u);
  std::set<std::string> keys;
  int d2 = 0;
  for (const Cell& c : s.cells) {
    keys.insert(c.key);
    EXPECT_EQ(c.key.size(), 32u);
    if (c.config["language"] == "d2") {
      ++d2;
      EXPECT_EQ(c.config["model"]["width"], 16);
      EXPECT_EQ(c.config["data"]["max_len"], 20);
      EXPECT_EQ(c.config["data"]["task"], "next-symbol");
    } else {
      EXPECT_EQ(c.config["data"]["max_len"], 12) << "an override must not leak into other languages";
      EXPECT_EQ(c.config["data"]["task"], "membership");
    }
  }
  EXPECT_EQ(d2, 8);
  EXPECT_EQ(keys.size(), 24u);
  EXPECT_EQ(s.info["languages"][1]["reference"]["relu"], 1.0);
}

TEST(SuiteTest, KeysAreStableAndSeedDependent) {
  const Suite a = ParseSuite(kSuite, "t.yaml");
  const Suite b = ParseSuite(kSuite, "other-path.yaml");
  for (size_t i = 0; i < a.cells.size(); ++i) EXPECT_EQ(a.cells[i].key, b.cells[i].key);
  std::string changed = kSuite;
  changed.replace(changed.find("seed: 3"), 7, "seed: 4");
  const Suite c = ParseSuite(changed, "t.yaml");
  EXPECT_NE(a.cells[0].key, c.cells[0].key);
}

// `splits: disjoint` is the default and leaves every key as it was (table1's stored cells stay valid);
// `splits: all-strings` is part of the data config and so of the key.
TEST(SuiteTest, SplitsChangesTheKeysOnlyWhenSet) {
  const std::string base = "languages: [tomita1]\ndata: {task: next-symbol, train: 50, test: 20";
  const Suite plain = ParseSuite(base + "}\n", "s.yaml");
  const Suite disjoint = ParseSuite(base + ", splits: disjoint}\n", "s.yaml");
  const Suite all = ParseSuite(base + ", splits: all-strings}\n", "s.yaml");
  ASSERT_EQ(plain.cells.size(), 1u);
  EXPECT_EQ(plain.cells[0].key, disjoint.cells[0].key);
  EXPECT_FALSE(plain.cells[0].config["data"].contains("splits"));
  EXPECT_FALSE(disjoint.cells[0].config["data"].contains("splits"));
  EXPECT_NE(all.cells[0].key, plain.cells[0].key);
  EXPECT_EQ(all.cells[0].config["data"]["splits"], "all-strings");
}

std::string ErrorOf(const std::string& yaml) {
  try {
    ParseSuite(yaml, "s.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

void ExpectError(const std::string& yaml, const std::string& location, const std::string& fragment) {
  const std::string e = ErrorOf(yaml);
  EXPECT_EQ(e.rfind("s.yaml:" + location, 0), 0u) << e;
  EXPECT_NE(e.find(fragment), std::string::npos) << e;
}

TEST(SuiteTest, BadSuitesGiveLocatedErrors) {
  ExpectError("languages: [tomita1]\ngird: {width: 3}\n", "2:1:", "unknown key 'gird'");
  ExpectError("languages: [tomita1]\ngrid: {width: []}\n", "2:15:", "empty list");
  ExpectError("languages: [tomita1]\ngrid: {width: three}\n", "2:15:", "'width' must be an integer");
  ExpectError("languages: [tomita1]\ngrid: {activation: [relu, softmax]}\n", "2:27:", "must be one of");
  ExpectError("languages: [tomita1]\ngrid: {width: [0]}\n", "2:16:", "'width' must be in [1, 65536] (got 0)");
  ExpectError("languages: [tomita1]\ngrid: {lr: -1}\n", "2:12:", "'lr' must be > 0 (got -1)");
  ExpectError("languages: [tomitaa1]\n", "1:13:", "unknown language 'tomitaa1'");
  ExpectError("languages: []\n", "1:12:", "non-empty list");
  ExpectError("grid: {width: 3}\n", "1:1:", "needs 'languages'");
  ExpectError("languages: [abab]\ndata: {min_len: 5, max_len: 7}\n", "2:", "no members with length in [5, 7]");
  ExpectError("languages: [tomita1, tomita1]\n", "1:22:", "listed twice");
  ExpectError("kind: nonsense\nlanguages: [tomita1]\n", "1:7:", "unknown experiment kind");
  ExpectError("languages: [tomita1]\nreport: {tables: [{columns: colour}]}\n", "2:29:", "unknown axis 'colour'");
  ExpectError("languages: [tomita1]\ndata: {test_bins: [\"60-50\"]}\n", "2:20:", "bad test bin");
  ExpectError("languages: [tomita1]\ngrid: {width: 3}\ngrid: {width: 4}\n", "3:1:", "duplicate key 'grid'");
  ExpectError("languages: [tomita1\n", "", "malformed YAML");
  ExpectError("languages: [tomita1]\nextract: true\n", "2:10:", "add verify: {max_len: N}");
  ExpectError("languages: [tomita1]\nverify: {max_len: 0}\n", "2:19:", "verify max_len must be in [1, 64]");
  ExpectError("languages: [tomita1]\nverify: {maxlen: 5}\n", "2:", "unknown key 'maxlen'");
  ExpectError("languages: [tomita1]\nverify: {max_len: 40}\n", "1:13:", "the largest length that fits is 25");
  ExpectError("languages: [tomita1]\nverify: {max_len: 8}\nextract: {max_states: 0}\n", "3:23:", "max_states must be in");
}

TEST(SuiteTest, ResourcesAreEstimatedAtLoad) {
  // Hand-computed: m = 10, d = 2, 3 outputs: 100 + 10·7 + 3 = 173 parameters; 10 · 4 · 6 hidden values.
  EXPECT_DOUBLE_EQ(TrainingBytes(10, 2, 3, 4, 5), 4.0 * (8 * 173 + 4 * 10 * 4 * 6));
  EXPECT_NO_THROW(CheckGridSize(1000, "a suite"));
  try {
    CheckGridSize(2e6, "the suite");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("the suite expands to 2e+06 cells (about 16.4 GB"), std::string::npos) << e.what();
  }
  ExpectError("languages: [tomita1]\ngrid: {width: [1,2,3,4,5,6,7,8,9,10], lr: [1,2,3,4,5,6,7,8,9,10], batch: "
              "[1,2,3,4,5,6,7,8,9,10], epochs: [1,2,3,4,5,6,7,8,9,10], patience: [1,2,3,4,5,6,7,8,9,10], seeds: 20}\n",
              "1:", "expands to 2e+06 cells");
  ExpectError("languages: [tomita3]\ngrid: {width: 65536}\n", "2:15:", "training width 65536 with batch 32");
  ExpectError("languages: [tomita3]\ndata: {task: next-symbol, min_len: 0}\n", "2:", "min_len ≥ 1");
  ExpectError("languages: [tomita3]\ndata: {test_bins: [\"60-70\", \"60-70\"]}\n", "2:", "test bin 60-70 is given twice");
  ExpectError("name: \"..\"\nlanguages: [tomita3]\n", "1:7:", "suite name '..'");
  ExpectError("languages: [tomita3]\ngrid: {seeds: [2, 0]}\n", "2:19:", "seed numbers must be ≥ 1");
}

TEST(SuiteTest, ShippedSuitesLoad) {
  for (const char* name : {"smoke", "table1", "widths", "patterns", "table1-small"}) {
    SCOPED_TRACE(name);
    const Suite s = LoadSuite(name);
    EXPECT_FALSE(s.cells.empty());
    const std::string splits = name == std::string("table1-small") ? "all-strings" : "disjoint";
    for (const Cell& c : s.cells)  // only the paper-like variant overlaps train and test
      EXPECT_EQ(c.config["data"].value("splits", "disjoint"), splits);
  }
  try {
    LoadSuite("tabel1");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("table1"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace flbench
