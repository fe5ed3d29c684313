// The report of a "train" suite: for each declared table, cells grouped by (rows, column); within a
// group the hyperparameters (the remaining axes) are chosen by the table's rule, and the chosen
// configuration's accuracies are summarised over seeds; then length-generalisation bins, plots, and a
// per-configuration appendix.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "report/compare.h"
#include "report/report.h"
#include "report/stats.h"
#include "report/svg.h"
#include "report/table.h"
#include "suite/train_spec.h"
#include "train/config.h"

namespace flbench {

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// Axis value of a cell, as text ("relu", "32", "0.01"); the axis's section comes from the configuration table.
std::string AxisOf(const nlohmann::json& config, const std::string& axis) {
  const nlohmann::json* v = nullptr;
  if (axis == "language") {
    v = &config["language"];
  } else {
    const ConfigField* f = FindField(axis, Section::kData);
    if (f == nullptr) f = FindField(axis, Section::kModel);
    v = &config[f->SectionName()][axis];
  }
  return v->is_string() ? v->get<std::string>() : v->dump();
}

// The cell's configuration without its seed: cells equal here differ only by seed.
std::string ConfigKey(const nlohmann::json& config) { return WithoutSeed(config).dump(); }

// The mean over seeds with this report's rule on top of Summarise's (report/stats.h): a missing (NaN) value
// makes the mean NaN rather than being skipped.
double MeanOrNaN(const std::vector<double>& v) {
  const Stats s = Summarise(v);
  return s.skipped ? kNaN : s.mean;
}

// One seed's run, reduced to what tables need.
struct Run {
  int seed = 0;
  double select = kNaN;       // validation accuracy (or training accuracy when there is no validation split)
  std::vector<double> final;  // final accuracy per test split
  std::vector<double> best;   // accuracy per test split at the epoch with the best accuracy on split 0
  double best_select = kNaN;  // that best split-0 accuracy
  bool diverged = false;
  int epochs = 0;
  double train = kNaN, validation = kNaN, loss = kNaN;
  std::vector<double> loss_curve;
};

Run ReadRun(const CellRecord& rec) {
  Run r;
  const auto& res = rec.result;
  r.seed = rec.config["seed_index"];
  r.diverged = res.value("diverged", false);
  r.epochs = res.value("epochs_run", 0);
  r.train = res.value("train_acc", kNaN);
  r.validation = res.contains("validation_acc") ? res["validation_acc"].get<double>() : kNaN;
  r.loss = res["final_loss"].is_number() ? res["final_loss"].get<double>() : kNaN;
  r.select = std::isnan(r.validation) ? r.train : r.validation;
  // An empty split has accuracy −1 in the trainer's output: no data, not a score.
  for (const auto& t : res["tests"]) r.final.push_back(t["acc"].get<double>() < 0 ? kNaN : t["acc"].get<double>());
  r.best = r.final;
  r.best_select = r.final.empty() ? kNaN : r.final[0];
  for (const auto& e : res["curve"]) {
    r.loss_curve.push_back(e["loss"].is_number() ? e["loss"].get<double>() : kNaN);
    if (e.contains("test_acc") && !e["test_acc"].empty() && e["test_acc"][0].get<double>() > r.best_select) {
      r.best_select = e["test_acc"][0];
      r.best = e["test_acc"].get<std::vector<double>>();
      for (double& a : r.best)
        if (a < 0) a = kNaN;
    }
  }
  return r;
}

// All seeds of one configuration.
struct Config {
  const nlohmann::json* config = nullptr;  // of the first seed
  size_t order = 0;                        // position in the suite (ties go to the earlier)
  std::vector<Run> runs;
  size_t expected = 0;                     // cells in the suite with this configuration
  double Score(const std::string& rule) const {
    std::vector<double> v;
    for (const Run& r : runs)
      v.push_back(rule == "validation" ? r.select : rule == "best-epoch-on-test" ? r.best_select
                                                                                 : (r.final.empty() ? kNaN : r.final[0]));
    const double m = MeanOrNaN(v);
    return std::isnan(m) ? -1 : m;
  }
  // Accuracy per seed on split s under the rule.
  std::vector<double> Values(const std::string& rule, size_t s) const {
    std::vector<double> v;
    for (const Run& r : runs) {
      const auto& acc = rule == "best-epoch-on-test" ? r.best : r.final;
      if (s < acc.size() && !std::isnan(acc[s])) v.push_back(acc[s]);
    }
    return v;
  }
};

std::string Fmt(double v) { return FormatFixed(v, 3); }

std::string RuleText(const std::string& rule) {
  if (rule == "validation")
    return "hyperparameters chosen by mean validation accuracy over seeds (training accuracy where a language has "
           "no validation split), then the final test accuracy of that choice";
  if (rule == "best-epoch-on-test")
    return "**optimistic, as in the paper**: each run scored at its best epoch on the test set, and the "
           "hyperparameters with the best such score chosen — an upper bound, not a held-out estimate";
  return "hyperparameters chosen by final test accuracy (oracle choice, optimistic)";
}

class TrainReport {
 public:
  TrainReport(const Suite& suite, const std::vector<std::optional<CellRecord>>& records, const ReportPaths& paths)
      : suite_(suite), spec_(TrainReportSpec::FromJson(suite.report)), records_(records), paths_(paths) {
    for (size_t i = 0; i < suite.cells.size(); ++i) {
      const std::string key = ConfigKey(suite.cells[i].config);
      auto [it, inserted] = configs_.try_emplace(key);
      if (inserted) {
        it->second.config = &suite.cells[i].config;
        it->second.order = i;
        order_.push_back(key);
      }
      ++it->second.expected;
      if (records[i]) it->second.runs.push_back(ReadRun(*records[i]));
    }
    for (const auto& l : suite.info["languages"]) languages_[l["name"]] = l;
    // Axes that vary (for "chosen hyperparameters" text).
    for (const std::string& a : FieldKeys(kReportAxis)) {
      std::set<std::string> values;
      for (const Cell& c : suite.cells) values.insert(AxisOf(c.config, a));
      if (values.size() > 1) varying_.push_back(a);
    }
  }

  RenderedReport Render() {
    RenderedReport out;
    std::string& md = out.markdown;
    int t = 0;
    for (const TrainTableSpec& table : spec_.tables) {
      ++t;
      md += RenderTable(table, 0, t);
      size_t bins = 0;
      for (const auto& [name, l] : languages_) bins = std::max(bins, l["test_bins"].size());
      for (size_t b = 1; b <= bins; ++b) md += RenderTable(table, b, t);
    }
    md += RenderDataNotes();
    md += RenderPlots(out.files);
    md += RenderAppendix(out.csv);
    return out;
  }

 private:
  std::string Key(const nlohmann::json& config, const std::vector<std::string>& axes) const {
    std::string k;
    for (const auto& a : axes) k += AxisOf(config, a) + "\x1f";
    return k;
  }

  // Groups: row key → column value → configuration keys (in suite order).
  struct Grouping {
    std::vector<std::string> rows;  // in first-appearance order
    std::vector<std::string> cols;
    std::map<std::string, std::vector<std::string>> row_values;  // row key → its axis values
    std::map<std::pair<std::string, std::string>, std::vector<std::string>> configs;
  };
  Grouping Group(const std::vector<std::string>& row_axes, const std::string& col_axis) const {
    Grouping g;
    std::set<std::string> seen_r, seen_c;
    for (const auto& key : order_) {
      const auto& c = *configs_.at(key).config;
      const std::string rk = Key(c, row_axes), ck = AxisOf(c, col_axis);
      if (seen_r.insert(rk).second) {
        g.rows.push_back(rk);
        for (const auto& a : row_axes) g.row_values[rk].push_back(AxisOf(c, a));
      }
      if (seen_c.insert(ck).second) g.cols.push_back(ck);
      g.configs[{rk, ck}].push_back(key);
    }
    if (col_axis == "width" || col_axis == "lr" || col_axis == "batch" || col_axis == "epochs")
      std::sort(g.cols.begin(), g.cols.end(), [](const std::string& a, const std::string& b) { return std::stod(a) < std::stod(b); });
    return g;
  }

  // The configuration chosen among `keys` by `rule` (only configurations with at least one result).
  const Config* Choose(const std::vector<std::string>& keys, const std::string& rule) const {
    const Config* best = nullptr;
    double best_score = -2;
    for (const auto& k : keys) {
      const Config& c = configs_.at(k);
      if (c.runs.empty()) continue;
      const double s = c.Score(rule);
      if (s > best_score) {
        best = &c;
        best_score = s;
      }
    }
    return best;
  }

  // The hyperparameters of c that were chosen among the group's configurations (axes that vary there).
  std::string Chosen(const Config& c, const std::vector<std::string>& group) const {
    std::string s;
    for (const auto& a : varying_) {
      std::set<std::string> values;
      for (const auto& k : group) values.insert(AxisOf(*configs_.at(k).config, a));
      if (values.size() < 2) continue;
      s += (s.empty() ? "" : ", ") + std::string(a == "width" ? "m" : a) + "=" + AxisOf(*c.config, a);
    }
    return s.empty() ? "—" : s;
  }

  std::string RenderTable(const TrainTableSpec& table, size_t split, int number) const {
    const auto& row_axes = table.rows;
    const std::string& col_axis = table.columns;
    const std::string& rule = table.select;
    const auto& stats = table.statistics;
    const bool reference = table.reference && split == 0;
    const bool smallest = table.smallest_width.has_value() && split == 0;
    const Grouping g = Group(row_axes, col_axis);
    const bool has_lang = std::find(row_axes.begin(), row_axes.end(), "language") != row_axes.end();

    std::string md = fmt::format("## Table {}{}: {}\n\n", number, split ? fmt::format(".{}", split) : "",
                                 table.title + (split ? fmt::format(" — longer strings (test bin {})", split) : ""));
    md += "Accuracy: " + RuleText(rule) + ". ";
    md += split ? "Test bin " + std::to_string(split) + ": lengths beyond the training range (range per row). "
                : "Test strings have the training lengths. ";
    md += "Statistics over seeds.\n\n";
    std::vector<std::string> header;
    std::vector<Align> align;
    for (const auto& a : row_axes) {
      header.push_back(a);
      align.push_back(Align::kLeft);
    }
    if (split && has_lang) {
      header.push_back("lengths");
      align.push_back(Align::kLeft);
    }
    for (const auto& c : g.cols) {
      const std::string cname = col_axis == "width" ? "m=" + c : col_axis == "activation" ? c : col_axis + "=" + c;
      for (const auto& s : stats) {
        header.push_back(cname + (s == "mean_std" ? " mean ± std" : " " + s));
        align.push_back(Align::kRight);
      }
      if (reference) {
        header.push_back(cname + " paper");
        header.push_back(cname + " Δ");
        align.push_back(Align::kRight);
        align.push_back(Align::kRight);
      }
    }
    if (smallest) {
      header.push_back(fmt::format("smallest m with every seed ≥ {}", *table.smallest_width));
      align.push_back(Align::kRight);
    }
    MarkdownTable out(header, align);
    MarkdownTable chosen_table([&] {
      std::vector<std::string> h = row_axes;
      for (const auto& c : g.cols) h.push_back(col_axis == "width" ? "m=" + c : c);
      return h;
    }());
    bool any_row = false, any_choice = false;
    for (const auto& rk : g.rows) {
      std::vector<std::string> row = g.row_values.at(rk);
      std::vector<std::string> chosen_row = row;
      std::string lang = has_lang ? row[std::find(row_axes.begin(), row_axes.end(), "language") - row_axes.begin()] : "";
      if (split) {
        if (!has_lang) continue;
        const auto& bins = languages_.at(lang)["test_bins"];
        if (bins.size() < split) continue;
        row.push_back(fmt::format("{}–{}", bins[split - 1][0].get<int>(), bins[split - 1][1].get<int>()));
      }
      any_row = true;
      for (const auto& c : g.cols) {
        auto it = g.configs.find({rk, c});
        const Config* best = it == g.configs.end() ? nullptr : Choose(it->second, rule);
        const Stats st = best ? Summarise(best->Values(rule, split)) : Stats{};
        for (const auto& s : stats)
          row.push_back(s == "mean_std" ? FormatMeanStd(st.mean, st.std, 3) : Fmt(s == "max" ? st.max : st.min));
        if (reference) {
          double paper = kNaN;
          if (has_lang && languages_.at(lang)["reference"].contains(c)) paper = languages_.at(lang)["reference"][c];
          row.push_back(Fmt(paper));
          row.push_back(std::isnan(paper) || std::isnan(st.mean) ? "—" : fmt::format("{:+.3f}", st.mean - paper));
        }
        if (best && Chosen(*best, it->second) != "—") any_choice = true;
        chosen_row.push_back(best ? Chosen(*best, it->second) + (st.n ? fmt::format(" ({} seed{})", st.n, st.n > 1 ? "s" : "") : "")
                                  : "no results");
      }
      if (smallest) row.push_back(SmallestWidth(g, rk, rule, *table.smallest_width));
      out.AddRow(row);
      if (!split) chosen_table.AddRow(chosen_row);
    }
    if (!any_row) return "";
    md += out.Render() + "\n";
    if (!split && any_choice) {
      md += "<details><summary>Chosen hyperparameters per entry</summary>\n\n" + chosen_table.Render() + "\n</details>\n\n";
    }
    return md;
  }

  // Smallest width at which the configuration chosen among that width's cells of the row has every
  // seed at or above the threshold (on the training-length test split).
  std::string SmallestWidth(const Grouping& g, const std::string& rk, const std::string& rule, double threshold) const {
    std::map<int, std::vector<std::string>> by_width;
    for (const auto& [key, configs] : g.configs)
      if (key.first == rk)
        for (const auto& k : configs) by_width[std::stoi(AxisOf(*configs_.at(k).config, "width"))].push_back(k);
    for (const auto& [w, keys] : by_width) {
      const Config* best = Choose(keys, rule);
      if (!best || best->runs.size() < best->expected) continue;
      const auto v = best->Values(rule, 0);
      if (!v.empty() && std::all_of(v.begin(), v.end(), [&](double a) { return a >= threshold; })) return std::to_string(w);
    }
    return "none";
  }

  std::string RenderPlots(std::map<std::string, std::string>& files) const {
    std::string md;
    const auto& plots = spec_.plots;
    auto wants = [&](const char* p) { return std::find(plots.begin(), plots.end(), p) != plots.end(); };
    std::set<std::string> widths, acts;
    for (const Cell& c : suite_.cells) {
      widths.insert(AxisOf(c.config, "width"));
      acts.insert(AxisOf(c.config, "activation"));
    }
    if (wants("accuracy-vs-width") && widths.size() > 1) {
      md += "## Accuracy vs width\n\nMean test accuracy over seeds at each width (other hyperparameters chosen on "
            "validation), one line per language.\n\n";
      for (const auto& act : acts) {
        std::vector<Series> series;
        const Grouping g = Group({"language", "activation"}, "width");
        for (const auto& rk : g.rows) {
          if (g.row_values.at(rk)[1] != act) continue;
          Series s;
          s.label = g.row_values.at(rk)[0];
          for (const auto& w : g.cols) {
            auto it = g.configs.find({rk, w});
            const Config* best = it == g.configs.end() ? nullptr : Choose(it->second, "validation");
            if (!best) continue;
            const Stats st = Summarise(best->Values("validation", 0));
            s.x.push_back(std::stod(w));
            s.y.push_back(st.mean);
            s.y_err.push_back(std::isnan(st.std) ? 0 : st.std);
          }
          series.push_back(s);
        }
        PlotSpec spec;
        spec.title = "Test accuracy vs width (" + act + ")";
        spec.x_label = "hidden width m";
        spec.y_label = "test accuracy";
        spec.log_x = true;
        spec.y_min = 0;
        spec.y_max = 1;
        const std::string file = paths_.Sibling("-accuracy-vs-width-" + act + ".svg");
        files[file] = LinePlotSvg(spec, series);
        md += fmt::format("![accuracy vs width, {}]({}-accuracy-vs-width-{}.svg)\n\n", act, paths_.base, act);
      }
    }
    if (wants("learning-curves")) {
      md += "## Learning curves\n\nTraining loss per epoch of the first seed of the configuration chosen on "
            "validation, one plot per language, one line per activation.\n\n";
      const Grouping g = Group({"language"}, "activation");
      for (const auto& rk : g.rows) {
        const std::string lang = g.row_values.at(rk)[0];
        std::vector<Series> series;
        for (const auto& act : g.cols) {
          auto it = g.configs.find({rk, act});
          const Config* best = it == g.configs.end() ? nullptr : Choose(it->second, "validation");
          if (!best || best->runs.empty()) continue;
          const Run* first = &best->runs[0];
          for (const Run& r : best->runs)
            if (r.seed < first->seed) first = &r;
          Series s;
          const std::string chosen = Chosen(*best, it->second);
          s.label = chosen == "—" ? act : act + " (" + chosen + ")";
          for (size_t e = 0; e < first->loss_curve.size(); ++e) {
            s.x.push_back(static_cast<double>(e + 1));
            s.y.push_back(first->loss_curve[e]);
          }
          series.push_back(s);
        }
        if (series.empty()) continue;
        PlotSpec spec;
        spec.title = "Training loss: " + lang;
        spec.x_label = "epoch";
        spec.y_label = "loss (BCE per output)";
        spec.log_y = true;
        files[paths_.Sibling("-curve-" + lang + ".svg")] = LinePlotSvg(spec, series);
        md += fmt::format("![learning curve, {}]({}-curve-{}.svg)\n", lang, paths_.base, lang);
      }
      md += "\n";
    }
    return md;
  }

  // What the data layer said while building the datasets (languages with fewer strings than asked),
  // and the split sizes actually used.
  std::string RenderDataNotes() const {
    std::map<std::string, std::set<std::string>> notes;
    std::map<std::string, std::string> sizes;
    for (size_t i = 0; i < suite_.cells.size(); ++i) {
      if (!records_[i]) continue;
      const auto& res = records_[i]->result;
      const std::string lang = suite_.cells[i].config["language"];
      if (res.contains("data_notes"))
        for (const auto& n : res["data_notes"]) notes[lang].insert(n.get<std::string>());
      if (res.contains("data_sizes") && !sizes.count(lang)) {
        std::string t;
        for (const auto& [k, v] : res["data_sizes"].items()) t += (t.empty() ? "" : ", ") + k + " " + v.dump();
        sizes[lang] = t;
      }
    }
    if (sizes.empty()) return "";
    std::string md = "## Data\n\nStrings per split (train, validation and test splits are disjoint; lengths uniform "
                     "among those with strings of the class, strings uniform within a length).\n\n";
    MarkdownTable t({"language", "split sizes", "notes"});
    for (const auto& [lang, text] : sizes) {
      std::string n;
      for (const auto& x : notes[lang]) n += (n.empty() ? "" : "; ") + x;
      t.AddRow({lang, text, n.empty() ? "—" : n});
    }
    return md + t.Render() + "\n";
  }

  std::string RenderAppendix(std::vector<std::vector<std::string>>& csv) const {
    std::string md = "## Appendix: every configuration\n\nOne row per configuration (seeds aggregated): seeds with "
                     "results, epochs run (mean), final training loss and accuracies (mean over seeds; test as "
                     "mean [min, max]).\n\n";
    size_t max_bins = 0;
    for (const auto& [name, l] : languages_) max_bins = std::max(max_bins, l["test_bins"].size());
    std::vector<std::string> header{"configuration", "seeds", "epochs", "loss", "train", "validation", "test"};
    for (size_t b = 1; b <= max_bins; ++b) header.push_back(fmt::format("bin {}", b));
    header.push_back("diverged");
    std::vector<Align> align(header.size(), Align::kRight);
    align[0] = Align::kLeft;
    MarkdownTable t(header, align);
    for (const auto& key : order_) {
      const Config& c = configs_.at(key);
      std::string label = c.config->at("language").get<std::string>();
      for (const auto& a : varying_) label += " " + std::string(a == "width" ? "m" : a) + "=" + AxisOf(*c.config, a);
      std::vector<double> epochs, loss, train, val;
      int diverged = 0;
      for (const Run& r : c.runs) {
        epochs.push_back(r.epochs);
        loss.push_back(r.loss);
        train.push_back(r.train);
        if (!std::isnan(r.validation)) val.push_back(r.validation);
        diverged += r.diverged;
      }
      std::vector<std::string> row{label, fmt::format("{}/{}", c.runs.size(), c.expected),
                                   FormatFixed(MeanOrNaN(epochs), 1), FormatFixed(MeanOrNaN(loss), 4),
                                   Fmt(MeanOrNaN(train)), Fmt(MeanOrNaN(val))};
      for (size_t s = 0; s <= max_bins; ++s) {
        const Stats st = Summarise(c.Values("validation", s));
        row.push_back(st.n ? fmt::format("{} [{}, {}]", Fmt(st.mean), Fmt(st.min), Fmt(st.max)) : "—");
      }
      row.push_back(std::to_string(diverged));
      t.AddRow(row);
    }
    md += t.Render() + "\n";

    // CSV: one row per cell.
    std::vector<std::string> h{"key", "language", "task", "negatives", "activation", "width", "init", "optimizer",
                               "lr", "momentum", "alpha", "clip", "batch", "epochs", "seed", "epochs_run",
                               "diverged", "final_loss", "train_acc", "validation_acc", "test_acc"};
    for (size_t b = 1; b <= max_bins; ++b) {
      h.push_back(fmt::format("bin{}_lengths", b));
      h.push_back(fmt::format("bin{}_acc", b));
    }
    csv.push_back(h);
    for (size_t i = 0; i < suite_.cells.size(); ++i) {
      if (!records_[i]) continue;
      const auto& cfg = suite_.cells[i].config;
      const Run r = ReadRun(*records_[i]);
      std::vector<std::string> row{suite_.cells[i].key};
      for (const char* a : {"language", "task", "negatives", "activation", "width", "init", "optimizer", "lr",
                            "momentum", "alpha", "clip", "batch", "epochs"})
        row.push_back(AxisOf(cfg, a));
      row.push_back(std::to_string(r.seed));
      row.push_back(std::to_string(r.epochs));
      row.push_back(r.diverged ? "1" : "0");
      row.push_back(std::isnan(r.loss) ? "" : fmt::format("{:.6g}", r.loss));
      row.push_back(fmt::format("{:.6g}", r.train));
      row.push_back(std::isnan(r.validation) ? "" : fmt::format("{:.6g}", r.validation));
      row.push_back(r.final.empty() ? "" : fmt::format("{:.6g}", r.final[0]));
      const auto& bins = languages_.at(cfg["language"].get<std::string>())["test_bins"];
      for (size_t b = 1; b <= max_bins; ++b) {
        row.push_back(b <= bins.size() ? fmt::format("{}-{}", bins[b - 1][0].get<int>(), bins[b - 1][1].get<int>()) : "");
        row.push_back(b < r.final.size() ? fmt::format("{:.6g}", r.final[b]) : "");
      }
      csv.push_back(row);
    }
    return md;
  }

  const Suite& suite_;
  const TrainReportSpec spec_;
  const std::vector<std::optional<CellRecord>>& records_;
  const ReportPaths& paths_;
  std::map<std::string, Config> configs_;
  std::vector<std::string> order_;
  std::map<std::string, nlohmann::json> languages_;
  std::vector<std::string> varying_;
};

}  // namespace

RenderedReport RenderTrainReport(const Suite& suite, const std::vector<std::optional<CellRecord>>& records,
                                 const ReportPaths& paths) {
  return TrainReport(suite, records, paths).Render();
}

}  // namespace flbench
