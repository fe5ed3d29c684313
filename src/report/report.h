// Suite reports: Markdown (run metadata, the suite's tables beside the papers' numbers, plots linked
// as SVG files, a per-configuration appendix) plus CSV and JSON of every cell. One renderer per
// experiment kind; this header is the entry. Entry points: WriteReport, ReportPaths, CollectRecords, FindRenderer,
// RendererKinds.
// Tested by tests/report_train_test.cc, tests/report_theory_test.cc and tests/cli_suite_test.cc.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "results/run_meta.h"
#include "results/store.h"
#include "suite/suite.h"
#include "util/files.h"  // WriteFileAtomic

namespace flbench {

// Where a report's files go: reports/<suite>.md (or --report PATH) and siblings with the same stem.
struct ReportPaths {
  std::string markdown;  // e.g. reports/table1.md
  std::string stem;      // e.g. reports/table1 (no extension)
  std::string dir;       // e.g. reports
  std::string base;      // e.g. table1
  static ReportPaths For(const std::string& markdown_path);
  std::string Sibling(const std::string& suffix) const { return stem + suffix; }  // "-x.svg" → reports/table1-x.svg
};

// The cells' stored records, aligned with suite.cells (nullopt where a cell has no result yet).
std::vector<std::optional<CellRecord>> CollectRecords(const Suite& suite, ResultStore& store);

// Writes the Markdown, CSV, JSON and SVG files. Returns the number of cells without results.
size_t WriteReport(const Suite& suite, ResultStore& store, const ReportPaths& paths);


// Per-kind renderers. Each returns the Markdown body after the metadata block and adds files to
// `files` (path → content) for plots; the CSV and JSON are written by the caller from `csv_rows`.
struct RenderedReport {
  std::string markdown;
  std::vector<std::vector<std::string>> csv;  // header first
  std::map<std::string, std::string> files;   // extra files (SVG plots): path → content
};
RenderedReport RenderTrainReport(const Suite& suite, const std::vector<std::optional<CellRecord>>& records,
                                 const ReportPaths& paths);
// The theory kinds: inversion_report.cc, convergence_report.cc, width_report.cc ("width-vs-samples").
RenderedReport RenderInversionReport(const Suite& suite, const std::vector<std::optional<CellRecord>>& records,
                                     const ReportPaths& paths);
RenderedReport RenderConvergenceReport(const Suite& suite, const std::vector<std::optional<CellRecord>>& records,
                                       const ReportPaths& paths);
RenderedReport RenderWidthReport(const Suite& suite, const std::vector<std::optional<CellRecord>>& records,
                                 const ReportPaths& paths);
// cayci_report.cc ("cayci-eryilmaz").
RenderedReport RenderCayciReport(const Suite& suite, const std::vector<std::optional<CellRecord>>& records,
                                 const ReportPaths& paths);

// The renderer table (report.cc), beside the kind registry (suite/kinds.cc): one renderer per experiment kind.
using Renderer = RenderedReport (*)(const Suite&, const std::vector<std::optional<CellRecord>>&, const ReportPaths&);
// Throws flbench::Error for a kind with no renderer.
Renderer FindRenderer(const std::string& kind);
// The kinds the table names, in table order (the same as KindNames(): tests/report_theory_test.cc checks it).
std::vector<std::string> RendererKinds();

}  // namespace flbench
