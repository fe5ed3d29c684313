// MarkdownTable and the number formats (see table.h).
#include "report/table.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "util/error.h"

namespace flbench {
namespace {

// Display width: UTF-8 code points (continuation bytes 10xxxxxx do not count).
size_t Columns(const std::string& s) {
  size_t n = 0;
  for (const unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Pad(const std::string& s, size_t width, Align a) {
  const size_t fill = width - Columns(s);
  switch (a) {
    case Align::kLeft: return s + std::string(fill, ' ');
    case Align::kRight: return std::string(fill, ' ') + s;
    case Align::kCenter: return std::string(fill / 2, ' ') + s + std::string(fill - fill / 2, ' ');
  }
  return s;
}

std::string Delimiter(size_t width, Align a) {
  switch (a) {
    case Align::kLeft: return ":" + std::string(width - 1, '-');
    case Align::kRight: return std::string(width - 1, '-') + ":";
    case Align::kCenter: return ":" + std::string(width - 2, '-') + ":";
  }
  return std::string(width, '-');
}

std::string Line(const std::vector<std::string>& cells) {
  std::string out = "|";
  for (const auto& c : cells) out += " " + c + " |";
  return out + "\n";
}

}  // namespace

MarkdownTable::MarkdownTable(std::vector<std::string> header, std::vector<Align> align)
    : header_(std::move(header)), align_(std::move(align)) {
  if (header_.empty()) throw Error("a Markdown table needs at least one column");
  if (align_.empty()) align_.assign(header_.size(), Align::kLeft);
  if (align_.size() != header_.size())
    throw Error("a Markdown table with " + std::to_string(header_.size()) + " columns given " +
                std::to_string(align_.size()) + " alignments");
}

void MarkdownTable::AddRow(std::vector<std::string> cells) {
  if (cells.size() != header_.size())
    throw Error("Markdown table row " + std::to_string(rows_.size() + 1) + " has " + std::to_string(cells.size()) +
                " cells, the header has " + std::to_string(header_.size()));
  rows_.push_back(std::move(cells));
}

std::string MarkdownTable::Render() const {
  const size_t n = header_.size();
  std::vector<std::vector<std::string>> escaped;
  escaped.reserve(rows_.size() + 1);
  escaped.emplace_back();
  for (const auto& h : header_) escaped.back().push_back(EscapeMarkdownCell(h));
  for (const auto& row : rows_) {
    escaped.emplace_back();
    for (const auto& c : row) escaped.back().push_back(EscapeMarkdownCell(c));
  }
  std::vector<size_t> width(n, 3);  // the delimiter needs three characters (":-:")
  for (const auto& row : escaped)
    for (size_t j = 0; j < n; ++j) width[j] = std::max(width[j], Columns(row[j]));

  std::string out;
  for (size_t i = 0; i < escaped.size(); ++i) {
    std::vector<std::string> cells(n);
    for (size_t j = 0; j < n; ++j) cells[j] = Pad(escaped[i][j], width[j], align_[j]);
    out += Line(cells);
    if (i == 0) {
      for (size_t j = 0; j < n; ++j) cells[j] = Delimiter(width[j], align_[j]);
      out += Line(cells);
    }
  }
  return out;
}

std::string EscapeMarkdownCell(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '|') {
      out += "\\|";
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatFixed(double v, int digits) {
  if (!std::isfinite(v)) return "—";
  // to_chars: the same text under every locale (printf's decimal point follows LC_NUMERIC).
  char buf[400];  // the longest fixed double (1e308) plus digits ≤ 60
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, std::clamp(digits, 0, 60));
  std::string s(buf, res.ptr);
  // A negative value that rounds to zero prints as "-0.00"; zero has no sign in a report.
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

std::string FormatMeanStd(double mean, double std, int digits) {
  if (!std::isfinite(mean)) return "—";
  if (std::isnan(std)) return FormatFixed(mean, digits);
  return FormatFixed(mean, digits) + " ± " + FormatFixed(std, digits);
}

}  // namespace flbench
