// CSV output as RFC 4180 says: fields quoted when they hold a comma, quote, CR or LF (quotes doubled),
// records ended by CRLF. Entry points: CsvEscape, CsvRow, CsvWriter. Tested by tests/report_csv_test.cc.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace flbench {

// One field: unchanged unless it holds ',', '"', '\r' or '\n', then wrapped in quotes with '"' doubled.
std::string CsvEscape(const std::string& field);

// One record: the escaped fields joined by ',' and ended by "\r\n".
std::string CsvRow(const std::vector<std::string>& fields);

// Writes records to a stream, checking that every record has as many fields as the first.
class CsvWriter {
 public:
  explicit CsvWriter(std::ostream& out) : out_(out) {}
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  // Throws flbench::Error when the field count differs from the first record's.
  void WriteRow(const std::vector<std::string>& fields);

 private:
  std::ostream& out_;
  size_t fields_ = 0;  // fields per record, fixed by the first record (0 before it)
  size_t rows_ = 0;
};

}  // namespace flbench
