// The train-suite report on hand-made results: hyperparameter selection by validation vs best epoch on
// test, mean ± std and max over seeds, paper numbers and Δ, empty splits shown as "—", missing cells; diverged runs
// scored 0, Wilson and Student intervals, the late-collapse view, verification/extraction columns, `where`, malformed
// stored results counted as missing.
#include <gtest/gtest.h>

#include <algorithm>

#include "report/report.h"
#include "suite/suite.h"

namespace flbench {
namespace {

const char* kSuite = R"(name: hand
data: {task: next-symbol, train: 20, validation: 5, test: 5, min_len: 2, max_len: 10, test_bins: ["11-12"]}
grid: {width: [4, 8], activation: [relu], seeds: 2}
languages:
  - {name: tomita2, train: 3, validation: 1, test: 1, reference: {relu: 0.9}}
report:
  tables:
    - {title: "by validation", select: validation, statistics: [mean_std, max]}
    - {title: "best epoch", select: best-epoch-on-test, statistics: [max]}
)";

// A result with validation accuracy `val`, final test accuracies {test, bin} and one epoch whose test
// accuracy was `best`.
CellRecord Result(const Cell& cell, double val, double test, double bin, double best) {
  CellRecord r;
  r.key = cell.key;
  r.config = cell.config;
  r.kind = "train";
  r.result = {{"diverged", false},
              {"epochs_run", 2},
              {"final_loss", 0.1},
              {"train_acc", 1.0},
              {"validation_acc", val},
              {"tests", {{{"name", "test"}, {"acc", test}}, {{"name", "test[11,12]"}, {"acc", bin}}}},
              {"curve", {{{"epoch", 1}, {"loss", 0.5}, {"train_acc", 0.5}, {"test_acc", {best, bin}}},
                         {{"epoch", 2}, {"loss", 0.1}, {"train_acc", 1.0}, {"test_acc", {test, bin}}}}}};
  return r;
}

TEST(TrainReportTest, SelectsSummarisesAndComparesWithThePaper) {
  const Suite suite = ParseSuite(kSuite, "hand.yaml");
  ASSERT_EQ(suite.cells.size(), 4u);  // widths 4, 8 × seeds 1, 2 (in that order)
  std::vector<std::optional<CellRecord>> records(4);
  // width 4: validation 0.5 / 0.7 → mean 0.6; test 0.4 / 0.6; best epoch on test 0.95 / 0.9
  records[0] = Result(suite.cells[0], 0.5, 0.4, -1, 0.95);
  records[1] = Result(suite.cells[1], 0.7, 0.6, -1, 0.90);
  // width 8: validation 0.9 / 0.9 → chosen by validation; test 0.8 / 1.0; best epoch 0.8 / 1.0
  records[2] = Result(suite.cells[2], 0.9, 0.8, 0.5, 0.2);
  records[3] = Result(suite.cells[3], 0.9, 1.0, 0.7, 0.3);
  const RenderedReport out = RenderTrainReport(suite, records, ReportPaths::For("/tmp/hand.md"));
  const std::string& md = out.markdown;
  // By validation: width 8, mean 0.9 ± 0.141, max 1.0, paper 0.9, Δ 0.
  EXPECT_NE(md.find("| tomita2  |   0.900 ± 0.141 |    1.000 |      0.900 | +0.000 |"), std::string::npos) << md;
  EXPECT_NE(md.find("m=8 (2 seeds)"), std::string::npos) << md;
  // Best epoch on test: width 4 scores (0.95 + 0.9) / 2 > width 8's (0.8 + 1.0) / 2; max over seeds 0.95.
  EXPECT_NE(md.find("| tomita2  |    0.950 |      0.900 | +0.025 |"), std::string::npos) << md;
  // Longer strings: width 8's bin accuracies 0.5 / 0.7; width 4 had an empty bin (−1) → no data, not −1.
  EXPECT_NE(md.find("| tomita2  | 11–12   |   0.600 ± 0.141 |"), std::string::npos) << md;
  EXPECT_EQ(md.find("-1.000"), std::string::npos) << md;
  // CSV: header + 4 cells.
  EXPECT_EQ(out.csv.size(), 5u);
}

// A language trained and tested on all strings of the training lengths (splits: all-strings) is named where the
// report says what its test column measures (fit) and in the Data section; a disjoint suite says neither.
TEST(TrainReportTest, AllStringsLanguagesAreSaidToMeasureFit) {
  std::string text = kSuite;
  text.replace(text.find("validation: 1, test: 1,"), 23, "validation: 0, test: 1, splits: all-strings,");
  text.replace(text.find("train: 3,"), 9, "train: 30,");
  const Suite suite = ParseSuite(text, "hand.yaml");
  ASSERT_EQ(suite.cells.size(), 4u);
  std::vector<std::optional<CellRecord>> records(4);
  for (size_t i = 0; i < 4; ++i) {
    records[i] = Result(suite.cells[i], -1, 1.0, 0.5, 1.0);
    records[i]->result.erase("validation_acc");
    records[i]->result["data_sizes"] = {{"train", 25}, {"validation", 0}, {"test", 25}};
  }
  const std::string md = RenderTrainReport(suite, records, ReportPaths::For("/tmp/hand.md")).markdown;
  EXPECT_NE(md.find("for tomita2 (splits: all-strings) they are the training strings themselves, so this column "
                    "measures fit"), std::string::npos) << md;
  EXPECT_NE(md.find("except for tomita2 (splits: all-strings), whose training split is every string"),
            std::string::npos) << md;
  const Suite disjoint = ParseSuite(kSuite, "hand.yaml");
  std::vector<std::optional<CellRecord>> plain(4);
  for (size_t i = 0; i < 4; ++i) plain[i] = Result(disjoint.cells[i], 0.9, 1.0, 0.5, 1.0);
  const std::string md2 = RenderTrainReport(disjoint, plain, ReportPaths::For("/tmp/hand.md")).markdown;
  EXPECT_EQ(md2.find("all-strings"), std::string::npos) << md2;
}

TEST(TrainReportTest, MissingCellsShowAsNoResults) {
  const Suite suite = ParseSuite(kSuite, "hand.yaml");
  std::vector<std::optional<CellRecord>> records(4);
  records[2] = Result(suite.cells[2], 0.9, 0.8, 0.5, 0.2);  // one seed of width 8 only
  const RenderedReport out = RenderTrainReport(suite, records, ReportPaths::For("/tmp/hand.md"));
  EXPECT_NE(out.markdown.find("| tomita2  |           0.800 |    0.800 |"), std::string::npos) << out.markdown;
  EXPECT_NE(out.markdown.find("1/2"), std::string::npos) << "appendix counts seeds with results";
  EXPECT_EQ(out.csv.size(), 2u);
}

const char* kOneWidth = R"(name: one
data: {task: next-symbol, train: 20, validation: 5, test: 5, min_len: 2, max_len: 10}
grid: {width: [4], activation: [relu], seeds: 2}
languages:
  - {name: tomita2, train: 3, validation: 1, test: 1, reference: {relu: 0.259}}
report:
  tables:
    - {title: "final", select: validation, statistics: [mean_ci, max]}
    - {title: "membership only", select: validation, statistics: [max], where: {task: membership}}
  plots: [collapse, heatmap, accuracy-vs-length]
)";

// A result whose test accuracy per epoch follows `curve` and ends at its last value; 17 test strings.
CellRecord Curve(const Cell& cell, const std::vector<double>& curve, bool diverged = false) {
  CellRecord r;
  r.key = cell.key;
  r.config = cell.config;
  r.kind = "train";
  nlohmann::json epochs = nlohmann::json::array();
  for (size_t e = 0; e < curve.size(); ++e)
    epochs.push_back({{"epoch", e + 1}, {"loss", 0.1}, {"train_acc", curve[e]}, {"test_acc", {curve[e]}}});
  r.result = {{"diverged", diverged},
              {"epochs_run", curve.size()},
              {"final_loss", diverged ? nlohmann::json() : nlohmann::json(0.1)},
              {"train_acc", 1.0},
              {"validation_acc", 1.0},
              {"tests", {{{"name", "test"}, {"acc", curve.back()}}}},
              {"data_sizes", {{"train", 20}, {"validation", 5}, {"test", 17}}},
              {"curve", epochs}};
  return r;
}

TEST(TrainReportTest, DivergedRunsScoreZeroAndIntervalsAreShown) {
  const Suite suite = ParseSuite(kOneWidth, "one.yaml");
  ASSERT_EQ(suite.cells.size(), 2u);
  std::vector<std::optional<CellRecord>> records(2);
  records[0] = Curve(suite.cells[0], {0.5, 1.0});
  records[1] = Curve(suite.cells[1], {0.5, 1.0}, /*diverged=*/true);  // its last finite weights scored 1.0: still 0
  const RenderedReport out = RenderTrainReport(suite, records, ReportPaths::For("/tmp/one.md"));
  const std::string& md = out.markdown;
  // Mean of 1 and 0 = 0.5, t_1 · 0.707 / √2 = 6.35 → clipped to [0, 1]; the best seed: 17 of 17, Wilson [0.82, 1].
  EXPECT_NE(md.find("| tomita2  | 0.500 [0.00, 1.00] | 1.000 [0.82, 1.00] |"), std::string::npos) << md;
  EXPECT_NE(md.find("| +0.241 |           1/2 |"), std::string::npos) << "diverged count per entry\n" << md;
  // The CSV marks it diverged with test accuracy 0.
  ASSERT_EQ(out.csv.size(), 3u);
  const auto& h = out.csv[0];
  const size_t div = std::find(h.begin(), h.end(), "diverged") - h.begin();
  const size_t test = std::find(h.begin(), h.end(), "test_acc") - h.begin();
  EXPECT_EQ(out.csv[2][div], "1");
  EXPECT_EQ(out.csv[2][test], "0");
  EXPECT_EQ(out.csv[1][test], "1");
  // The paper's 0.259 vs 0.5: the disagreement section lists the seeds.
  EXPECT_NE(md.find("### tomita2 with relu: the paper reports 0.259, this run 0.500"), std::string::npos) << md;
  EXPECT_NE(md.find("1: 1.000, 2: 0.000"), std::string::npos) << md;
  // `where: {task: membership}` on a next-symbol suite selects nothing: no such table.
  EXPECT_EQ(md.find("membership only"), std::string::npos) << md;
  // Heatmap file with the mean.
  ASSERT_TRUE(out.files.count("/tmp/one-heatmap-relu.svg")) << md;
  EXPECT_NE(out.files.at("/tmp/one-heatmap-relu.svg").find(">0.50<"), std::string::npos);
}

TEST(TrainReportTest, LateCollapseIsCountedAndPlotted) {
  const Suite suite = ParseSuite(kOneWidth, "one.yaml");
  std::vector<std::optional<CellRecord>> records(2);
  records[0] = Curve(suite.cells[0], {0.5, 1.0, 1.0, 0.3});  // collapsed at epoch 4
  records[1] = Curve(suite.cells[1], {0.5, 0.9, 1.0, 1.0});
  const RenderedReport out = RenderTrainReport(suite, records, ReportPaths::For("/tmp/one.md"));
  EXPECT_NE(out.markdown.find("| tomita2  | relu       |    2 |           2 |              1 |    0.500 |"), std::string::npos)
      << out.markdown;
  ASSERT_TRUE(out.files.count("/tmp/one-collapse-tomita2-relu.svg")) << out.markdown;
  EXPECT_NE(out.files.at("/tmp/one-collapse-tomita2-relu.svg").find("seed 1"), std::string::npos);
  const auto& h = out.csv[0];
  const size_t at = std::find(h.begin(), h.end(), "collapse_epoch") - h.begin();
  ASSERT_LT(at, h.size());
  EXPECT_EQ(out.csv[1][at], "4");
  EXPECT_EQ(out.csv[2][at], "0");
}

TEST(TrainReportTest, VerificationAndAutomatonColumns) {
  const Suite suite = ParseSuite(kOneWidth, "one.yaml");
  std::vector<std::optional<CellRecord>> records(2);
  records[0] = Curve(suite.cells[0], {1.0});
  records[1] = Curve(suite.cells[1], {1.0});
  records[0]->result["verify"] = {{"max_len", 8}, {"exact", true}, {"error_rate", 0.0},
                                  {"lengths", {{1, 2, 0}, {2, 4, 0}}}};
  records[1]->result["verify"] = {{"max_len", 8}, {"exact", false}, {"error_rate", 0.0125},
                                  {"lengths", {{1, 2, 0}, {2, 4, 1}}}};
  records[0]->result["extract"] = {{"equivalent", true}, {"states", 3}};
  records[1]->result["extract"] = {{"equivalent", false}, {"states", 4}, {"difference", "0110"}};
  const RenderedReport out = RenderTrainReport(suite, records, ReportPaths::For("/tmp/one.md"));
  const std::string& md = out.markdown;
  EXPECT_NE(md.find("relu exact ≤ 8"), std::string::npos) << md;
  EXPECT_NE(md.find("1/2 (worst 0.013)"), std::string::npos) << md;
  EXPECT_NE(md.find("1/2 (e.g. `0110`)"), std::string::npos) << md;
  EXPECT_NE(md.find("wrong on some string of length ≤ 8: **1 of 2**"), std::string::npos) << md;
  // Accuracy vs length from the exhaustive counts: length 2 pooled 8 strings, 1 error.
  ASSERT_TRUE(out.files.count("/tmp/one-length-tomita2.svg")) << md;
}

TEST(TrainReportTest, MalformedStoredResultsCountAsMissing) {
  const Suite suite = ParseSuite(kOneWidth, "one.yaml");
  std::vector<std::optional<CellRecord>> records(2);
  records[0] = Curve(suite.cells[0], {1.0});
  records[1] = Curve(suite.cells[1], {1.0});
  records[1]->result = nlohmann::json::object();  // UPDATE cells SET result='{}'
  RenderedReport out;
  ASSERT_NO_THROW(out = RenderTrainReport(suite, records, ReportPaths::For("/tmp/one.md")));
  EXPECT_NE(out.markdown.find("1 stored result(s) are malformed"), std::string::npos) << out.markdown;
  EXPECT_NE(out.markdown.find(suite.cells[1].key), std::string::npos);
  EXPECT_EQ(out.csv.size(), 2u);  // header + the good cell
  for (const nlohmann::json& bad : {nlohmann::json::array(), nlohmann::json{{"epochs_run", "x"}, {"tests", 3}},
                                   nlohmann::json{{"epochs_run", 1}, {"tests", {{{"acc", "high"}}}}, {"curve", 7}}}) {
    records[1]->result = bad;
    EXPECT_NO_THROW(RenderTrainReport(suite, records, ReportPaths::For("/tmp/one.md"))) << bad.dump();
  }
}

}  // namespace
}  // namespace flbench
