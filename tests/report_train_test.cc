// The train-suite report on hand-made results: hyperparameter selection by validation vs best epoch on
// test, mean ± std and max over seeds, paper numbers and Δ, empty splits shown as "—", missing cells.
#include <gtest/gtest.h>

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

TEST(TrainReportTest, MissingCellsShowAsNoResults) {
  const Suite suite = ParseSuite(kSuite, "hand.yaml");
  std::vector<std::optional<CellRecord>> records(4);
  records[2] = Result(suite.cells[2], 0.9, 0.8, 0.5, 0.2);  // one seed of width 8 only
  const RenderedReport out = RenderTrainReport(suite, records, ReportPaths::For("/tmp/hand.md"));
  EXPECT_NE(out.markdown.find("| tomita2  |           0.800 |    0.800 |"), std::string::npos) << out.markdown;
  EXPECT_NE(out.markdown.find("1/2"), std::string::npos) << "appendix counts seeds with results";
  EXPECT_EQ(out.csv.size(), 2u);
}

}  // namespace
}  // namespace flbench
