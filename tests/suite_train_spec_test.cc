// TrainReportSpec (suite/train_spec.h): defaults, YAML → spec with every field, spec → JSON → spec unchanged (the
// path from the train kind into Suite::report and back out in the train report), NeedsEachEpoch, located YAML
// errors, and malformed JSON as flbench::Error.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "suite/train_spec.h"
#include "util/error.h"
#include "util/yaml_reader.h"

namespace flbench {
namespace {

TrainReportSpec FromYamlText(const std::string& text) {
  const YamlReader r("s.yaml");
  const YAML::Node root = r.Parse(text);
  return TrainReportSpec::FromYaml(r, root["report"]);
}

std::string YamlError(const std::string& text) {
  try {
    FromYamlText(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TrainReportSpec, DefaultsWhenTheSuiteHasNoReport) {
  const TrainReportSpec spec = FromYamlText("name: x\n");
  ASSERT_EQ(spec.tables.size(), 1u);
  const TrainTableSpec& t = spec.tables[0];
  EXPECT_EQ(t.title, "Test accuracy");
  EXPECT_EQ(t.rows, std::vector<std::string>{"language"});
  EXPECT_EQ(t.columns, "activation");
  EXPECT_EQ(t.select, "validation");
  EXPECT_EQ(t.statistics, (std::vector<std::string>{"mean_std", "max"}));
  EXPECT_TRUE(t.reference);
  EXPECT_FALSE(t.smallest_width.has_value());
  EXPECT_EQ(spec.plots, (std::vector<std::string>{"accuracy-vs-width", "learning-curves"}));
  EXPECT_FALSE(spec.NeedsEachEpoch());
  EXPECT_EQ(SelectRules(), (std::vector<std::string>{"validation", "best-epoch-on-test", "final-test"}));
  EXPECT_EQ(StatisticNames(), (std::vector<std::string>{"mean_std", "mean_ci", "max", "min"}));
  EXPECT_EQ(PlotNames(), (std::vector<std::string>{"accuracy-vs-width", "learning-curves", "heatmap",
                                                "accuracy-vs-length", "collapse"}));
  EXPECT_EQ(ReportAxes().front(), "language");
  for (const char* axis : {"width", "activation"})
    EXPECT_NE(std::find(ReportAxes().begin(), ReportAxes().end(), axis), ReportAxes().end()) << axis;
}

const char* kFull = R"(report:
  tables:
    - title: "By width"
      rows: [language, activation]
      columns: width
      select: best-epoch-on-test
      statistics: [max, min]
      reference: false
      smallest_width: 0.875
    - title: Second
      rows: activation
      columns: language
      statistics: mean_std
  plots: learning-curves
)";

TEST(TrainReportSpec, ReadsEveryFieldFromYaml) {
  const TrainReportSpec spec = FromYamlText(kFull);
  ASSERT_EQ(spec.tables.size(), 2u);
  const TrainTableSpec& a = spec.tables[0];
  EXPECT_EQ(a.title, "By width");
  EXPECT_EQ(a.rows, (std::vector<std::string>{"language", "activation"}));
  EXPECT_EQ(a.columns, "width");
  EXPECT_EQ(a.select, "best-epoch-on-test");
  EXPECT_EQ(a.statistics, (std::vector<std::string>{"max", "min"}));
  EXPECT_FALSE(a.reference);
  EXPECT_EQ(a.smallest_width, 0.875);
  const TrainTableSpec& b = spec.tables[1];
  EXPECT_EQ(b.rows, std::vector<std::string>{"activation"});  // a scalar is a one-item list
  EXPECT_EQ(b.select, "validation");                          // unset fields keep their defaults
  EXPECT_EQ(b.statistics, std::vector<std::string>{"mean_std"});
  EXPECT_TRUE(b.reference);
  EXPECT_EQ(spec.plots, std::vector<std::string>{"learning-curves"});
  EXPECT_TRUE(spec.NeedsEachEpoch());  // a table selects by best epoch on test
}

TEST(TrainReportSpec, JsonRoundTripKeepsEveryField) {
  for (const TrainReportSpec& spec : {FromYamlText(kFull), FromYamlText("name: x\n")}) {
    const nlohmann::json j = spec.ToJson();
    const TrainReportSpec back = TrainReportSpec::FromJson(j);
    EXPECT_EQ(back.ToJson(), j);
    ASSERT_EQ(back.tables.size(), spec.tables.size());
    for (size_t i = 0; i < spec.tables.size(); ++i) {
      EXPECT_EQ(back.tables[i].title, spec.tables[i].title);
      EXPECT_EQ(back.tables[i].rows, spec.tables[i].rows);
      EXPECT_EQ(back.tables[i].smallest_width, spec.tables[i].smallest_width);
      EXPECT_EQ(back.tables[i].reference, spec.tables[i].reference);
    }
    EXPECT_EQ(back.plots, spec.plots);
  }
  EXPECT_TRUE(FromYamlText(kFull).ToJson()["tables"][1]["smallest_width"].is_null());
}

TEST(TrainReportSpec, YamlErrorsAreLocated) {
  EXPECT_EQ(YamlError("report:\n  tables: []\n").rfind("s.yaml:2:", 0), 0u);
  const std::string axis = YamlError("report:\n  tables:\n    - columns: colour\n");
  EXPECT_EQ(axis.rfind("s.yaml:3:16: ", 0), 0u) << axis;
  EXPECT_NE(axis.find("unknown axis 'colour' (valid: language, "), std::string::npos) << axis;
  const std::string select = YamlError("report:\n  tables:\n    - select: best\n");
  EXPECT_NE(select.find("unknown select rule 'best' (valid: validation, best-epoch-on-test, final-test)"),
            std::string::npos) << select;
  EXPECT_NE(YamlError("report:\n  tables:\n    - statistics: [mean]\n").find("unknown statistic 'mean'"),
            std::string::npos);
  EXPECT_NE(YamlError("report:\n  plots: [pie]\n").find("unknown plot 'pie'"), std::string::npos);
  for (const char* th : {"0", "1.5", "-0.1"}) {
    const std::string e = YamlError(std::string("report:\n  tables:\n    - smallest_width: ") + th + "\n");
    EXPECT_NE(e.find("'smallest_width' is an accuracy threshold in (0, 1]"), std::string::npos) << th << ": " << e;
  }
  EXPECT_EQ(YamlError("report:\n  tables:\n    - smallest_width: 1\n"), "(no error)");  // 1 is allowed
  EXPECT_NE(YamlError("report:\n  colour: red\n").find("unknown key 'colour'"), std::string::npos);
  EXPECT_NE(YamlError("report:\n  tables:\n    - {title: a, titel: b}\n").find("unknown key 'titel'"),
            std::string::npos);
}

TEST(TrainReportSpec, MalformedJsonIsAnError) {
  const nlohmann::json good = FromYamlText(kFull).ToJson();
  auto without = [&](const std::string& key) {
    nlohmann::json j = good;
    j["tables"][0].erase(key);
    return j;
  };
  EXPECT_THROW(TrainReportSpec::FromJson(nlohmann::json::object()), Error);
  EXPECT_THROW(TrainReportSpec::FromJson(nlohmann::json::array()), Error);
  for (const char* key : {"title", "rows", "columns", "select", "statistics", "reference", "smallest_width"})
    EXPECT_THROW(TrainReportSpec::FromJson(without(key)), Error) << key;
  nlohmann::json bad_axis = good;
  bad_axis["tables"][0]["rows"] = {"colour"};
  EXPECT_THROW(TrainReportSpec::FromJson(bad_axis), Error);
  nlohmann::json bad_type = good;
  bad_type["tables"][0]["reference"] = "yes";
  EXPECT_THROW(TrainReportSpec::FromJson(bad_type), Error);
}

}  // namespace
}  // namespace flbench
