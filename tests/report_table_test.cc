// MarkdownTable rendering, cell escaping and number formats against exact strings.
#include <gtest/gtest.h>

#include <cmath>

#include "report/table.h"
#include "util/error.h"

namespace flbench {
namespace {

TEST(MarkdownTable, PadsAndAlignsColumns) {
  MarkdownTable t({"Language", "ReLU", "tanh", "ok"}, {Align::kLeft, Align::kRight, Align::kRight, Align::kCenter});
  t.AddRow({"Tomita 1", "1.000 ± 0.000", "1.0", "y"});
  t.AddRow({"(00)*(11)*", "0.99", "1.000 ± 0.012", "no"});
  EXPECT_EQ(t.rows(), 2u);
  EXPECT_EQ(t.Render(),
            "| Language   |          ReLU |          tanh | ok  |\n"
            "| :--------- | ------------: | ------------: | :-: |\n"
            "| Tomita 1   | 1.000 ± 0.000 |           1.0 |  y  |\n"
            "| (00)*(11)* |          0.99 | 1.000 ± 0.012 | no  |\n");
}

TEST(MarkdownTable, DefaultsToLeftAndEscapesPipesAndLineBreaks) {
  MarkdownTable t({"regex", "x"});
  t.AddRow({"0|1", "a\r\nb\nc"});
  EXPECT_EQ(t.Render(),
            "| regex | x     |\n"
            "| :---- | :---- |\n"
            "| 0\\|1  | a b c |\n");
}

TEST(MarkdownTable, RejectsRaggedInput) {
  EXPECT_THROW(MarkdownTable({}), Error);
  EXPECT_THROW(MarkdownTable({"a", "b"}, {Align::kLeft}), Error);
  MarkdownTable t({"a", "b"});
  EXPECT_THROW(t.AddRow({"1"}), Error);
  EXPECT_EQ(t.Render(), "| a   | b   |\n| :-- | :-- |\n");
}

TEST(Format, FixedAndMeanStd) {
  EXPECT_EQ(FormatFixed(0.98712, 3), "0.987");
  EXPECT_EQ(FormatFixed(1, 2), "1.00");
  EXPECT_EQ(FormatFixed(2.5, 0), "2");  // round half to even, as printf
  EXPECT_EQ(FormatFixed(-0.0004, 3), "0.000");
  EXPECT_EQ(FormatFixed(-0.25, 2), "-0.25");
  EXPECT_EQ(FormatFixed(1234567.891, 1), "1234567.9");
  EXPECT_EQ(FormatFixed(NAN, 3), "—");
  EXPECT_EQ(FormatFixed(INFINITY, 3), "—");
  EXPECT_EQ(FormatMeanStd(0.98712, 0.0121, 3), "0.987 ± 0.012");
  EXPECT_EQ(FormatMeanStd(0.5, NAN, 2), "0.50");
  EXPECT_EQ(FormatMeanStd(NAN, 0.1, 2), "—");
  EXPECT_EQ(EscapeMarkdownCell("a|b|"), "a\\|b\\|");
}

}  // namespace
}  // namespace flbench
