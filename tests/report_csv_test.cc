// CsvEscape, CsvRow and CsvWriter against exact RFC 4180 strings.
#include <gtest/gtest.h>

#include <sstream>

#include "report/csv.h"
#include "util/error.h"

namespace flbench {
namespace {

TEST(Csv, EscapesOnlyWhatNeedsIt) {
  EXPECT_EQ(CsvEscape("tomita1"), "tomita1");
  EXPECT_EQ(CsvEscape(""), "");
  EXPECT_EQ(CsvEscape(" spaced "), " spaced ");
  EXPECT_EQ(CsvEscape("0.5 ± 0.1"), "0.5 ± 0.1");
  EXPECT_EQ(CsvEscape("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvEscape("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvEscape("\""), "\"\"\"\"");
  EXPECT_EQ(CsvEscape("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvEscape("cr\rhere"), "\"cr\rhere\"");
}

TEST(Csv, RowsEndInCrlf) {
  EXPECT_EQ(CsvRow({"lang", "acc", "note"}), "lang,acc,note\r\n");
  EXPECT_EQ(CsvRow({"(00)*", "1", "a, \"b\""}), "(00)*,1,\"a, \"\"b\"\"\"\r\n");
  EXPECT_EQ(CsvRow({"", ""}), ",\r\n");
  EXPECT_EQ(CsvRow({""}), "\"\"\r\n");
}

TEST(Csv, WriterKeepsTheFieldCount) {
  std::ostringstream out;
  CsvWriter w(out);
  w.WriteRow({"a", "b"});
  w.WriteRow({"1", "x,y"});
  EXPECT_EQ(out.str(), "a,b\r\n1,\"x,y\"\r\n");
  EXPECT_THROW(w.WriteRow({"only one"}), Error);
}

}  // namespace
}  // namespace flbench
