// CsvEscape, CsvRow and CsvWriter (see csv.h).
#include "report/csv.h"

#include "util/error.h"

namespace flbench {

std::string CsvEscape(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (const char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string CsvRow(const std::vector<std::string>& fields) {
  // A lone empty field is written quoted, so the record is not mistaken for a blank line.
  if (fields.size() == 1 && fields[0].empty()) return "\"\"\r\n";
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += CsvEscape(fields[i]);
  }
  out += "\r\n";
  return out;
}

void CsvWriter::WriteRow(const std::vector<std::string>& fields) {
  if (rows_ == 0) fields_ = fields.size();
  if (fields.size() != fields_)
    throw Error("CSV record " + std::to_string(rows_ + 1) + " has " + std::to_string(fields.size()) +
                " fields, the first record has " + std::to_string(fields_));
  out_ << CsvRow(fields);
  ++rows_;
}

}  // namespace flbench
