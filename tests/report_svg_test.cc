// LinePlotSvg output parsed minimally (balanced tags, one <svg> root, valid entities), the series labels,
// tick placement by MakeAxis (nice linear steps, decades on log axes), and no "nan"/"inf" in the output.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>

#include "report/svg.h"
#include "util/error.h"

namespace flbench {
namespace {

// What the minimal XML check found.
struct Parsed {
  std::string error;                // empty when well-formed
  std::vector<std::string> texts;   // character data of every <text> element (entities decoded)
  std::map<std::string, int> tags;  // element name → count
};

std::string Decode(const std::string& s, std::string& error) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const size_t semi = s.find(';', i);
    const std::string ent = semi == std::string::npos ? "" : s.substr(i, semi - i + 1);
    static const std::map<std::string, char> kEntities = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    const auto it = kEntities.find(ent);
    if (it == kEntities.end()) {
      error = "bad entity at " + s.substr(i, 10);
      return out;
    }
    out += it->second;
    i = semi;
  }
  return out;
}

// Checks tag balance with a stack; collects <text> contents (without nested <title>s).
Parsed ParseSvg(const std::string& svg) {
  Parsed p;
  std::vector<std::string> stack;
  int roots = 0;
  size_t i = 0;
  std::string current_text;
  while (i < svg.size()) {
    const size_t lt = svg.find('<', i);
    const std::string chars = svg.substr(i, (lt == std::string::npos ? svg.size() : lt) - i);
    if (stack.empty() && chars.find_first_not_of(" \n") != std::string::npos) p.error = "text outside the root";
    const std::string decoded = Decode(chars, p.error);
    if (!stack.empty() && stack.back() == "text") current_text += decoded;
    if (lt == std::string::npos) break;
    const size_t gt = svg.find('>', lt);
    if (gt == std::string::npos) {
      p.error = "unterminated tag";
      break;
    }
    std::string tag = svg.substr(lt + 1, gt - lt - 1);
    i = gt + 1;
    if (std::count(tag.begin(), tag.end(), '"') % 2 != 0) p.error = "unbalanced quotes in <" + tag + ">";
    if (tag.find('<') != std::string::npos) p.error = "'<' inside a tag";
    Decode(tag, p.error);
    if (tag[0] == '/') {
      const std::string name = tag.substr(1);
      if (stack.empty() || stack.back() != name) {
        p.error = "closing </" + name + "> does not match";
        break;
      }
      if (name == "text") {
        p.texts.push_back(current_text);
        current_text.clear();
      }
      stack.pop_back();
      continue;
    }
    const bool self_closing = tag.back() == '/';
    const std::string name = tag.substr(0, tag.find_first_of(" /"));
    ++p.tags[name];
    if (stack.empty()) ++roots;
    if (stack.empty() && name != "svg") p.error = "root is <" + name + ">";
    if (!self_closing) stack.push_back(name);
    if (name == "title" && !stack.empty() && stack.size() >= 2 && stack[stack.size() - 2] == "text") {
      // A tooltip inside a legend label: skip its contents.
      const size_t end = svg.find("</title>", i);
      i = end;
    }
  }
  if (!stack.empty() && p.error.empty()) p.error = "unclosed <" + stack.back() + ">";
  if (roots != 1 && p.error.empty()) p.error = std::to_string(roots) + " root elements";
  return p;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

void ExpectNoNonFiniteText(const std::string& svg) {
  EXPECT_FALSE(std::regex_search(svg, std::regex("nan|inf", std::regex::icase))) << svg;
}

TEST(LinePlotSvg, WellFormedWithLabelsLegendAndErrorBars) {
  PlotSpec spec;
  spec.title = "Accuracy vs width <relu & tanh>";
  spec.x_label = "width m";
  spec.y_label = "accuracy";
  spec.y_min = 0;
  spec.y_max = 1;
  const std::vector<Series> series = {
      {"relu \"lr=0.01\"", {2, 4, 8, 16}, {0.5, 0.75, 0.9, 1.0}, {0.1, 0.05, 0.02, 0}},
      {"tanh", {2, 4, 8, 16}, {0.6, NAN, 0.95, 1.0}, {}},
      {"cos", {2, 4, 8, 16}, {0.1, 0.2, INFINITY, 0.3}, {}},
  };
  const std::string svg = LinePlotSvg(spec, series);
  const Parsed p = ParseSvg(svg);
  ASSERT_EQ(p.error, "") << svg;
  EXPECT_EQ(p.tags.at("svg"), 1);
  EXPECT_NE(svg.find("width=\"640\" height=\"400\""), std::string::npos);
  EXPECT_TRUE(Contains(p.texts, "Accuracy vs width <relu & tanh>"));
  EXPECT_TRUE(Contains(p.texts, "relu \"lr=0.01\""));
  EXPECT_TRUE(Contains(p.texts, "tanh"));
  EXPECT_TRUE(Contains(p.texts, "cos"));
  EXPECT_TRUE(Contains(p.texts, "width m"));
  EXPECT_TRUE(Contains(p.texts, "accuracy"));
  for (const char* tick : {"0.0", "0.2", "0.4", "0.6", "0.8", "1.0", "2", "4", "6", "8", "16"})
    EXPECT_TRUE(Contains(p.texts, tick)) << tick;
  // Three error bars (the zero one is not drawn); tanh and cos lines broken at their skipped points.
  EXPECT_EQ(std::count(p.texts.begin(), p.texts.end(), "no data"), 0);
  size_t bars = 0;
  for (size_t at = svg.find("stroke-width=\"1.2\""); at != std::string::npos; at = svg.find("stroke-width=\"1.2\"", at + 1))
    ++bars;
  EXPECT_EQ(bars, 3u);
  // Lines need two consecutive points: relu 2–16; tanh 8–16 (2 stands alone); cos 2–4 (16 stands alone).
  EXPECT_EQ(p.tags.at("polyline"), 3);
  ExpectNoNonFiniteText(svg);
}

TEST(LinePlotSvg, LogAxesHaveDecadeTicksAndSkipNonPositivePoints) {
  PlotSpec spec;
  spec.title = "inversion error";
  spec.log_x = true;
  spec.log_y = true;
  const std::vector<Series> series = {{"d=1", {3, 30, 300, 700, 0, -5}, {0.5, 0.05, 0.004, 0.002, 1, 1}, {}},
                                      {"d=2", {3, 30, 300}, {0.9, 0, -1}, {0.5, 0.1, 0.1}}};
  const std::string svg = LinePlotSvg(spec, series);
  const Parsed p = ParseSvg(svg);
  ASSERT_EQ(p.error, "") << svg;
  for (const char* tick : {"1", "10", "100", "1000", "0.001", "0.01", "0.1"}) EXPECT_TRUE(Contains(p.texts, tick)) << tick;
  EXPECT_FALSE(Contains(p.texts, "0")) << "no tick at a non-decade";
  // d=1 has 4 usable points (circles, plus one in the legend); d=2 has 1 (squares, plus the legend's).
  EXPECT_EQ(p.tags.at("circle"), 4 + 1);
  EXPECT_EQ(p.tags.at("rect"), 1 + 1 + 1 + 1 + 1);  // background, clip, frame, d=2 marker, legend marker
  ExpectNoNonFiniteText(svg);
}

TEST(LinePlotSvg, EmptyPlotSaysNoData) {
  const std::string svg = LinePlotSvg(PlotSpec{"empty", "x", "y"}, {});
  const Parsed p = ParseSvg(svg);
  ASSERT_EQ(p.error, "") << svg;
  EXPECT_TRUE(Contains(p.texts, "no data"));
  const std::string all_nan = LinePlotSvg(PlotSpec{"t", "x", "y", true, true}, {{"s", {NAN, -1}, {1, NAN}, {}}});
  ASSERT_EQ(ParseSvg(all_nan).error, "");
  ExpectNoNonFiniteText(svg + all_nan);
}

TEST(LinePlotSvg, LongLabelsAreShortenedInTheLegendOnly) {
  const std::string label = "tomita7 relu width=32 lr=0.001 seed-mean";
  const std::string svg = LinePlotSvg(PlotSpec{"t", "x", "y"}, {{label, {1, 2}, {1, 2}, {}}});
  ASSERT_EQ(ParseSvg(svg).error, "");
  EXPECT_NE(svg.find("<title>" + label + "</title>tomita7 relu width=32…</text>"), std::string::npos) << svg;
}

TEST(LinePlotSvg, RejectsMismatchedSizes) {
  EXPECT_THROW(LinePlotSvg(PlotSpec{}, {{"s", {1, 2}, {1}, {}}}), Error);
  EXPECT_THROW(LinePlotSvg(PlotSpec{}, {{"s", {1, 2}, {1, 2}, {0.1}}}), Error);
}

TEST(MakeAxis, LinearTicksAtNiceValues) {
  Axis a = MakeAxis(0.13, 0.97, false);
  EXPECT_EQ(a.lo, 0);
  EXPECT_DOUBLE_EQ(a.hi, 1);
  EXPECT_EQ(a.labels, (std::vector<std::string>{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}));
  a = MakeAxis(2, 64, false);
  EXPECT_EQ(a.labels, (std::vector<std::string>{"0", "10", "20", "30", "40", "50", "60", "70"}));
  a = MakeAxis(-3, 3, false);
  EXPECT_EQ(a.labels, (std::vector<std::string>{"-3", "-2", "-1", "0", "1", "2", "3"}));
  a = MakeAxis(5, 5, false);  // one value: a range around it
  EXPECT_LT(a.lo, 5);
  EXPECT_GT(a.hi, 5);
  a = MakeAxis(NAN, NAN, false, 0.5, 1);  // fixed bounds kept exactly
  EXPECT_EQ(a.lo, 0.5);
  EXPECT_EQ(a.hi, 1);
  EXPECT_EQ(a.labels, (std::vector<std::string>{"0.5", "0.6", "0.7", "0.8", "0.9", "1.0"}));
}

TEST(MakeAxis, LogTicksAtDecades) {
  Axis a = MakeAxis(3, 700, true);
  EXPECT_EQ(a.lo, 1);
  EXPECT_EQ(a.hi, 1000);
  EXPECT_EQ(a.labels, (std::vector<std::string>{"1", "10", "100", "1000"}));
  EXPECT_EQ(a.minor.size(), 3u * 8u);
  a = MakeAxis(2e-6, 0.5, true);
  EXPECT_EQ(a.labels, (std::vector<std::string>{"1e-6", "1e-5", "1e-4", "0.001", "0.01", "0.1", "1"}));
  a = MakeAxis(1e-12, 1e12, true);  // 25 decades: every fourth labelled
  EXPECT_LE(a.ticks.size(), 9u);
  EXPECT_EQ(a.labels.front(), "1e-12");
  EXPECT_TRUE(a.minor.empty());
  a = MakeAxis(NAN, NAN, true, 2, 8);  // inside one decade: the 2..9 ticks are labelled
  EXPECT_EQ(a.labels, (std::vector<std::string>{"2", "3", "4", "5", "6", "7", "8"}));
  a = MakeAxis(10, 10, true);
  EXPECT_EQ(a.lo, 10);
  EXPECT_EQ(a.hi, 100);
}

TEST(EscapeXml, EscapesMarkupAndDropsControlCharacters) {
  EXPECT_EQ(EscapeXml("a<b & \"c\" 'd'>\x01\te"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\t" "e");
  EXPECT_EQ(EscapeXml("± µ"), "± µ");
}

TEST(HeatmapSvg, EveryCellCarriesItsValue) {
  HeatmapSpec h;
  h.title = "acc <relu>";
  h.rows = {"tomita1", "tomita7"};
  h.cols = {"m=3", "m=8", "m=32"};
  h.values = {{1.0, 0.25, NAN}, {0.004, 0.996, 0.5}};
  const std::string svg = HeatmapSvg(h);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("acc &lt;relu&gt;"), std::string::npos);
  // The cell texts, row by row: two decimals, NaN as a dash.
  std::vector<std::string> cells;
  for (size_t at = svg.find("class=\"cell\""); at != std::string::npos; at = svg.find("class=\"cell\"", at + 1)) {
    const size_t open = svg.find('>', at) + 1;
    cells.push_back(svg.substr(open, svg.find('<', open) - open));
  }
  EXPECT_EQ(cells, (std::vector<std::string>{"1.00", "0.25", "—", "0.00", "1.00", "0.50"}));
  // Colours: 0 is white, 1 the full blue; NaN grey.
  EXPECT_NE(svg.find("fill=\"#0072B2\""), std::string::npos);
  EXPECT_NE(svg.find("fill=\"#DDDDDD\""), std::string::npos);
  h.values[1].pop_back();
  EXPECT_THROW(HeatmapSvg(h), Error);
}

}  // namespace
}  // namespace flbench
