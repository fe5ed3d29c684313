// WriteReport: metadata block + the kind's rendering (from the renderer table, one entry per experiment kind),
// written atomically beside the Markdown file.
#include "report/report.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "report/csv.h"
#include "results/run_meta.h"
#include "util/error.h"

namespace flbench {

namespace fs = std::filesystem;

ReportPaths ReportPaths::For(const std::string& markdown_path) {
  ReportPaths p;
  p.markdown = markdown_path;
  fs::path path(markdown_path);
  p.dir = path.parent_path().string();
  p.base = path.stem().string();
  p.stem = (path.parent_path() / path.stem()).string();
  return p;
}

std::vector<std::optional<CellRecord>> CollectRecords(const Suite& suite, ResultStore& store) {
  std::vector<std::optional<CellRecord>> out;
  out.reserve(suite.cells.size());
  for (const Cell& c : suite.cells) out.push_back(store.Get(c.key));
  return out;
}

namespace {
// The renderer of each experiment kind, named as in the kind registry (suite/kinds.cc); a test checks that
// the two tables name the same kinds.
struct RendererEntry {
  const char* kind;
  Renderer render;
};
const RendererEntry kRenderers[] = {
    {"train", RenderTrainReport},
    {"inversion", RenderInversionReport},
    {"convergence", RenderConvergenceReport},
    {"width-vs-samples", RenderWidthReport},
    {"cayci-eryilmaz", RenderCayciReport},
};
}  // namespace

Renderer FindRenderer(const std::string& kind) {
  for (const RendererEntry& e : kRenderers)
    if (kind == e.kind) return e.render;
  throw Error(fmt::format("no report renderer for experiment kind '{}'", kind));
}

std::vector<std::string> RendererKinds() {
  std::vector<std::string> kinds;
  for (const RendererEntry& e : kRenderers) kinds.push_back(e.kind);
  return kinds;
}

size_t WriteReport(const Suite& suite, ResultStore& store, const ReportPaths& paths) {
  const auto records = CollectRecords(suite, store);
  size_t missing = 0;
  double compute = 0;
  for (const auto& r : records) {
    if (!r) ++missing;
    else compute += r->seconds;
  }
  const RenderedReport body = FindRenderer(suite.kind)(suite, records, paths);
  const RunMeta meta = RunMeta::FromStore(store);
  std::string md = fmt::format("# {}\n\n", suite.name);
  if (!suite.description.empty()) md += suite.description + "\n\n";
  md += "## Run\n\n";
  md += fmt::format("- suite file: `{}` ({} cells, kind `{}`)\n", suite.path, suite.cells.size(), suite.kind);
  md += fmt::format("- commit: `{}`\n- date: {}\n- machine: {}\n", meta.commit, meta.date, meta.machine);
  // A report regenerated later from stored results says which code rendered it (the numbers are the run's).
  if (const std::string now = CurrentCommit(); !meta.commit.empty() && now != meta.commit)
    md += fmt::format("- report rendered by commit `{}` from the results above (no training)\n", now);
  md += fmt::format("- jobs (cells in parallel): {}; wall time of the run(s): {:.1f} s; compute time summed over cells: {:.1f} s\n",
                    meta.jobs, meta.wall_seconds, compute);
  md += fmt::format("- results database: `{}`; cells with results: {} of {}{}\n", store.path(),
                    records.size() - missing, records.size(),
                    missing ? " — **incomplete: run `flbench run` again to finish**" : "");
  md += fmt::format("- files: [CSV]({}.csv) and [JSON]({}.json) of every cell\n\n", paths.base, paths.base);
  md += body.markdown;

  std::ostringstream csv;
  CsvWriter writer(csv);
  for (const auto& row : body.csv) writer.WriteRow(row);

  nlohmann::json json = {{"suite", suite.name}, {"kind", suite.kind}, {"cells", nlohmann::json::array()}};
  for (size_t i = 0; i < records.size(); ++i) {
    if (!records[i]) continue;
    json["cells"].push_back({{"key", records[i]->key},
                             {"label", suite.cells[i].label},
                             {"config", records[i]->config},
                             {"result", records[i]->result},
                             {"seconds", records[i]->seconds}});
  }
  for (const auto& [path, content] : body.files) WriteFileAtomic(path, content);
  WriteFileAtomic(paths.Sibling(".csv"), csv.str());
  WriteFileAtomic(paths.Sibling(".json"), json.dump(1) + "\n");
  WriteFileAtomic(paths.markdown, md);
  return missing;
}

}  // namespace flbench
