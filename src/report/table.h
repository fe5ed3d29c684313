// Markdown (GitHub-flavoured) tables with columns padded to equal width so they read as plain text too,
// and the number formats reports use. Entry points: MarkdownTable, FormatFixed, FormatMeanStd,
// EscapeMarkdownCell. Tested by tests/report_table_test.cc.
#pragma once

#include <string>
#include <vector>

namespace flbench {

enum class Align { kLeft, kRight, kCenter };

class MarkdownTable {
 public:
  // `align` has one entry per header column, or is empty for all left-aligned. Throws flbench::Error if
  // the header is empty or the sizes differ.
  explicit MarkdownTable(std::vector<std::string> header, std::vector<Align> align = {});

  // Cells are raw text: '|' and line breaks are escaped when rendered. Throws flbench::Error unless the
  // row has one cell per column.
  void AddRow(std::vector<std::string> cells);
  size_t rows() const { return rows_.size(); }

  // Header line, delimiter line (":---", "---:", ":---:"), one line per row; every line ends in '\n'.
  // Columns are padded to the widest cell (counted in UTF-8 code points, so "±" is one column).
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<Align> align_;
  std::vector<std::vector<std::string>> rows_;
};

// '|' → "\|", a line break (CRLF, CR or LF) → one space: the text stays in its cell.
std::string EscapeMarkdownCell(const std::string& text);

// `v` with `digits` digits after the point ("0.987"); "-0.000" is written "0.000"; NaN and ±inf are
// written "—" so no "nan" reaches a report.
std::string FormatFixed(double v, int digits);

// "0.987 ± 0.012"; just the mean when `std` is NaN (a single seed); "—" when the mean is not finite.
std::string FormatMeanStd(double mean, double std, int digits);

}  // namespace flbench
