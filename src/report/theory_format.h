// What the three theory reports share: number formats ("0.0123", "0.12 ± 0.03"), reading numbers and text
// from untrusted result JSON, and grouping cells into settings (the grid keys other than the table axes),
// each its own section before the claim and the verdict. Entry points: Sig, SigMeanStd, IntMeanStd, Num,
// Text, Csv, Slug, Count, GroupSettings, SettingTitle, SettingsThenVerdict. Tested by
// tests/report_theory_test.cc.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "report/stats.h"
#include "results/store.h"
#include "suite/suite.h"

namespace flbench {

// `digits` significant digits ("0.0123", "1.23e+04"); "—" when not finite.
std::string Sig(double v, int digits = 3);
// "0.123 ± 0.045": the mean to `digits` significant digits, the std to two; the mean alone when the std is
// NaN (one seed); "—" when there is no mean.
std::string SigMeanStd(const Stats& s, int digits = 3);
// Counts (iterations): "1510 ± 32", rounded to whole numbers.
std::string IntMeanStd(const Stats& s);
// A JSON value as text (strings without quotes).
std::string Text(const nlohmann::json& v);
// A JSON number as double; NaN for anything else (null, missing, a string).
double Num(const nlohmann::json& v);
// A CSV number ("{:.6g}"), empty when not finite.
std::string Csv(double v);
// A setting title made safe for a file name: every character but letters, digits and '.' becomes '-'.
std::string Slug(const std::string& s);
// "k of n".
std::string Count(int k, int n);

// The cells of one setting: the same configuration in `section` apart from the keys in `drop` (the table
// axes and the seed; "a.b" names a nested key).
struct Setting {
  nlohmann::json config;                    // the first cell's inner config
  std::vector<const Cell*> cells;           // the suite's cells of this setting
  std::vector<const CellRecord*> records;   // their results, where present
  size_t expected() const { return cells.size(); }
};

// Settings in the order their first cell appears in the suite.
std::vector<Setting> GroupSettings(const Suite& suite, const std::vector<std::optional<CellRecord>>& records,
                                   const std::string& section, const std::vector<std::string>& drop);

// "solver=sgd n_train=5000": the keys of the setting (not in `drop`) whose value differs between settings.
std::string SettingTitle(const std::vector<Setting>& settings, const Setting& s, const std::vector<std::string>& drop);

// The body the three reports share: one section per setting (headed only when there are several),
// rendered by `render(setting, title)`, then the paper's claim and the verdict the sections computed.
template <typename Render>
std::string SettingsThenVerdict(const std::vector<Setting>& settings, const std::vector<std::string>& drop,
                                Render render, const std::string& claim, const std::string& verdict) {
  std::string md;
  for (const Setting& s : settings) {
    const std::string title = SettingTitle(settings, s, drop);
    if (settings.size() > 1) md += "## Setting: " + title + "\n\n";
    md += render(s, title);
  }
  return md + "## Does the paper's claim hold here?\n\n" + claim + "\n\n" + verdict;
}

}  // namespace flbench
