// The report of a "train" suite: for each declared table, cells grouped by (rows, column); within a
// group the hyperparameters (the remaining axes) are chosen by the table's rule, and the chosen
// configuration's accuracies are summarised over seeds with 95 % intervals (Student's t over seeds, Wilson for one
// run's test set); diverged runs score 0; exhaustive-verification and extracted-automaton columns when cells ran
// them; then length-generalisation bins, the stability (late-collapse) view, where the paper's numbers and ours
// disagree, plots (heatmaps, accuracy vs width and vs length, learning curves) and a per-configuration appendix.
// Stored results are untrusted: a malformed one counts as missing and the report says so.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "report/compare.h"
#include "report/report.h"
#include "report/stats.h"
#include "report/svg.h"
#include "report/table.h"
#include "util/error.h"
#include "suite/kinds.h"
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

// Accessors for stored (untrusted) JSON: a missing or mistyped value is NaN / absent, never UB.
double Num(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return kNaN;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : kNaN;
}
const nlohmann::json* Child(const nlohmann::json& j, const char* key, bool (nlohmann::json::*is)() const noexcept) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it != j.end() && ((*it).*is)() ? &*it : nullptr;
}
const nlohmann::json* Arr(const nlohmann::json& j, const char* key) { return Child(j, key, &nlohmann::json::is_array); }
const nlohmann::json* Obj(const nlohmann::json& j, const char* key) { return Child(j, key, &nlohmann::json::is_object); }
std::string Str(const nlohmann::json& j, const char* key) {
  const nlohmann::json* v = Child(j, key, &nlohmann::json::is_string);
  return v ? v->get<std::string>() : "";
}
// An accuracy as the trainer stores it: −1 = empty split (no data), NaN/absent = unknown.
double Acc(const nlohmann::json& v) {
  if (!v.is_number()) return kNaN;
  const double a = v.get<double>();
  return a < 0 || a > 1 ? kNaN : a;
}

// One seed's run, reduced to what tables need.
struct Run {
  int seed = 0;
  double select = kNaN;       // validation accuracy (or training accuracy when there is no validation split)
  std::vector<double> final;  // final accuracy per test split (0 for a diverged run)
  std::vector<double> size;   // strings per test split (NaN when unknown)
  std::vector<double> best;   // accuracy per test split at the epoch with the best accuracy on split 0
  double best_select = kNaN;  // that best split-0 accuracy
  bool diverged = false;
  int epochs = 0, epochs_configured = 0;
  double train = kNaN, validation = kNaN, loss = kNaN;
  std::vector<double> loss_curve;
  std::vector<double> acc_curve;  // split-0 test accuracy per epoch (training accuracy when not evaluated); 0 after divergence
  bool acc_curve_is_test = false;
  // Exhaustive verification and extraction (absent when the cell did not run them).
  std::optional<bool> exact;
  double error_rate = kNaN;
  int verify_len = 0;
  std::string verify_counterexample;
  std::optional<bool> equivalent;
  std::string difference;
  bool exact_but_differs = false;
  int states = 0;
  // Per length: [strings, errors], from exhaustive verification (≤ verify_len) and the sampled test splits.
  std::map<int, std::pair<double, double>> exhaustive, sampled;
};

// Throws flbench::Error saying what is malformed (the train kind's CheckResult: the same rule by which `run` computes
// such a cell again); the caller counts the cell as missing.
Run ReadRun(const CellRecord& rec) {
  Run r;
  const nlohmann::json& res = rec.result;
  if (const std::string wrong = TrainKind().CheckResult(res); !wrong.empty()) throw Error(wrong);
  r.seed = rec.config.value("seed_index", 0);
  r.epochs_configured = rec.config.contains("model") ? rec.config["model"].value("epochs", 0) : 0;
  r.diverged = res.value("diverged", false);
  r.epochs = static_cast<int>(Num(res, "epochs_run"));
  r.train = Num(res, "train_acc");
  r.validation = Acc(res.value("validation_acc", nlohmann::json()));
  r.loss = Num(res, "final_loss");
  const nlohmann::json* sizes = Obj(res, "data_sizes");
  for (const auto& t : res["tests"]) {
    r.final.push_back(Acc(t["acc"]));
    const std::string name = Str(t, "name");
    r.size.push_back(sizes && !name.empty() ? Num(*sizes, name.c_str()) : kNaN);
  }
  if (r.diverged) {  // a failure: accuracy 0 from the epoch it diverged
    for (double& a : r.final)
      if (!std::isnan(a)) a = 0;
    r.train = 0;
    if (!std::isnan(r.validation)) r.validation = 0;
  }
  r.select = std::isnan(r.validation) ? r.train : r.validation;
  r.best = r.final;
  r.best_select = r.final.empty() ? kNaN : r.final[0];
  if (const nlohmann::json* curve = Arr(res, "curve")) {
    for (const auto& e : *curve) {
      r.loss_curve.push_back(Num(e, "loss"));
      const nlohmann::json* ta = Arr(e, "test_acc");
      if (ta && !ta->empty()) {
        r.acc_curve_is_test = true;
        const double a0 = Acc((*ta)[0]);
        r.acc_curve.push_back(a0);
        if (a0 > r.best_select || std::isnan(r.best_select)) {
          r.best_select = a0;
          r.best.clear();
          for (const auto& a : *ta) r.best.push_back(Acc(a));
        }
      } else {
        r.acc_curve.push_back(Num(e, "train_acc"));
      }
    }
  }
  if (r.diverged) r.acc_curve.push_back(0);
  if (const nlohmann::json* v = Obj(res, "verify")) {
    if (v->contains("exact") && (*v)["exact"].is_boolean()) r.exact = (*v)["exact"].get<bool>();
    r.error_rate = Num(*v, "error_rate");
    r.verify_len = static_cast<int>(std::isfinite(Num(*v, "max_len")) ? Num(*v, "max_len") : 0);
    if (const nlohmann::json* ce = Obj(*v, "counterexample")) r.verify_counterexample = Str(*ce, "string");
    if (const nlohmann::json* ls = Arr(*v, "lengths"))
      for (const auto& l : *ls)
        if (l.is_array() && l.size() == 3 && l[0].is_number() && l[1].is_number() && l[2].is_number())
          r.exhaustive[l[0].get<int>()] = {l[1].get<double>(), l[2].get<double>()};
  }
  if (const nlohmann::json* x = Obj(res, "extract")) {
    if (x->contains("equivalent") && (*x)["equivalent"].is_boolean()) r.equivalent = (*x)["equivalent"].get<bool>();
    r.difference = Str(*x, "difference");
    r.exact_but_differs = x->value("exact_but_automaton_differs", false);
    r.states = static_cast<int>(std::isfinite(Num(*x, "states")) ? Num(*x, "states") : 0);
  }
  if (const nlohmann::json* bl = Arr(res, "by_length"))
    for (const auto& split : *bl)
      if (const nlohmann::json* ls = Arr(split, "lengths"))
        for (const auto& l : *ls)
          if (l.is_array() && l.size() == 3 && l[0].is_number() && l[1].is_number() && l[2].is_number()) {
            auto& [n, e] = r.sampled[l[0].get<int>()];
            n += l[1].get<double>();
            e += l[2].get<double>();
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
  // The run with the highest (max = true) or lowest accuracy on split s under the rule, or null.
  const Run* Extreme(const std::string& rule, size_t s, bool max) const {
    const Run* out = nullptr;
    double best = 0;
    for (const Run& r : runs) {
      const auto& acc = rule == "best-epoch-on-test" ? r.best : r.final;
      if (s >= acc.size() || std::isnan(acc[s])) continue;
      if (!out || (max ? acc[s] > best : acc[s] < best)) {
        out = &r;
        best = acc[s];
      }
    }
    return out;
  }
};

std::string Fmt(double v) { return FormatFixed(v, 3); }
// An axis as labels name it: width is m.
std::string AxisName(const std::string& axis) { return axis == "width" ? "m" : axis; }
std::string Fmt2(double v) { return FormatFixed(v, 2); }

// "0.912 [0.85, 0.97]": a value with its 95 % interval (the interval left out when undefined).
std::string WithInterval(double v, const Interval& i) {
  if (std::isnan(v)) return "—";
  if (std::isnan(i.lo)) return Fmt(v);
  return fmt::format("{} [{}, {}]", Fmt(v), Fmt2(i.lo), Fmt2(i.hi));
}

std::string RuleText(const std::string& rule) {
  if (rule == "validation")
    return "the **final model** of each run (where its training ended: all its epochs, or early stopping; a diverged run "
           "scores 0), hyperparameters chosen by "
           "mean validation accuracy over seeds (training accuracy where a language has no validation split)";
  if (rule == "best-epoch-on-test")
    return "each run scored at its **best epoch on the test set**, and the hyperparameters with the best such score "
           "chosen — an optimistic upper bound, not a held-out estimate (the paper states no selection rule)";
  return "the final model, hyperparameters chosen by final test accuracy (an oracle choice, optimistic)";
}

std::string StatisticText(const std::string& s) {
  if (s == "mean_std") return "mean ± std over seeds";
  if (s == "mean_ci") return "mean over seeds [95 % interval, Student's t]";
  if (s == "max") return "best seed [Wilson 95 % interval on its test strings]";
  return "worst seed [Wilson 95 % interval on its test strings]";
}

class TrainReport {
 public:
  TrainReport(const Suite& suite, const std::vector<std::optional<CellRecord>>& records, const ReportPaths& paths)
      : suite_(suite), spec_(TrainReportSpec::FromJson(suite.report)), records_(records), paths_(paths) {
    runs_.resize(suite.cells.size());
    for (size_t i = 0; i < suite.cells.size(); ++i) {
      const std::string key = ConfigKey(suite.cells[i].config);
      auto [it, inserted] = configs_.try_emplace(key);
      if (inserted) {
        it->second.config = &suite.cells[i].config;
        it->second.order = i;
        order_.push_back(key);
      }
      ++it->second.expected;
      if (!records[i]) continue;
      try {
        runs_[i] = ReadRun(*records[i]);
        it->second.runs.push_back(*runs_[i]);
      } catch (const Error& e) {
        malformed_.push_back(fmt::format("{} (key {}): {}", suite.cells[i].label, suite.cells[i].key, e.what()));
      }
    }
    for (const auto& l : suite.info["languages"]) languages_[l["name"]] = l;
    // Axes that vary (for "chosen hyperparameters" text).
    for (const std::string& a : FieldKeys(kReportAxis)) {
      std::set<std::string> values;
      for (const Cell& c : suite.cells) values.insert(AxisOf(c.config, a));
      if (values.size() > 1) varying_.push_back(a);
    }
    // Languages whose datasets had fewer strings than asked (the data layer's notes).
    for (size_t i = 0; i < suite.cells.size(); ++i)
      if (records[i] && runs_[i])
        if (const nlohmann::json* n = Arr(records[i]->result, "data_notes"))
          for (const auto& x : *n)
            if (x.is_string()) notes_[suite.cells[i].config["language"].get<std::string>()].insert(x.get<std::string>());
    // Languages trained and tested on all strings of the training lengths (data `splits: all-strings`).
    for (const Cell& c : suite.cells)
      if (const nlohmann::json* d = Obj(c.config, "data"); d && d->value("splits", "") == "all-strings")
        all_strings_.insert(c.config["language"].get<std::string>());
  }

  // "a, b" of the languages in `langs` trained with splits: all-strings (empty when none).
  std::string AllStringsIn(const std::set<std::string>& langs) const {
    std::string t;
    for (const auto& l : langs)
      if (all_strings_.count(l)) t += (t.empty() ? "" : ", ") + l;
    return t;
  }

  RenderedReport Render() {
    RenderedReport out;
    std::string& md = out.markdown;
    if (!malformed_.empty()) {
      md += fmt::format("**{} stored result(s) are malformed and counted as missing** (`flbench run` computes "
                        "them again):\n\n",
                        malformed_.size());
      for (size_t i = 0; i < malformed_.size() && i < 20; ++i) md += "- " + malformed_[i] + "\n";
      md += "\n";
    }
    int t = 0;
    for (const TrainTableSpec& table : spec_.tables) {
      ++t;
      md += RenderTable(table, 0, t);
      size_t bins = 0;
      for (const auto& [name, l] : languages_) bins = std::max(bins, l["test_bins"].size());
      for (size_t b = 1; b <= bins; ++b) md += RenderTable(table, b, t);
    }
    if (!spec_.tables.empty()) md += RenderDisagreements(spec_.tables.front());
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

  static bool Matches(const nlohmann::json& config, const std::map<std::string, std::string>& where) {
    for (const auto& [axis, value] : where)
      if (AxisOf(config, axis) != value) return false;
    return true;
  }

  // Groups: row key → column value → configuration keys (in suite order), of the configurations matching `where`.
  struct Grouping {
    std::vector<std::string> rows;  // in first-appearance order
    std::vector<std::string> cols;
    std::map<std::string, std::vector<std::string>> row_values;  // row key → its axis values
    std::map<std::pair<std::string, std::string>, std::vector<std::string>> configs;
  };
  Grouping Group(const std::vector<std::string>& row_axes, const std::string& col_axis,
                 const std::map<std::string, std::string>& where) const {
    Grouping g;
    std::set<std::string> seen_r, seen_c;
    for (const auto& key : order_) {
      const auto& c = *configs_.at(key).config;
      if (!Matches(c, where)) continue;
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

  // "m=8, lr=0.01": the axes that vary in the suite, except `skip`, with config's values; "" when none.
  std::string AxesLabel(const nlohmann::json& config, const std::map<std::string, std::string>& skip,
                        const std::string& also_skip, const char* sep) const {
    std::string label;
    for (const auto& a : varying_)
      if (a != also_skip && !skip.count(a)) label += (label.empty() ? "" : sep) + AxisName(a) + "=" + AxisOf(config, a);
    return label;
  }

  // The hyperparameters of c that were chosen among the group's configurations (axes that vary there).
  std::string Chosen(const Config& c, const std::vector<std::string>& group) const {
    std::string s;
    for (const auto& a : varying_) {
      std::set<std::string> values;
      for (const auto& k : group) values.insert(AxisOf(*configs_.at(k).config, a));
      if (values.size() < 2) continue;
      s += (s.empty() ? "" : ", ") + AxisName(a) + "=" + AxisOf(*c.config, a);
    }
    return s.empty() ? "—" : s;
  }

  // "1/40": diverged runs among every run of the group (all its configurations), or "0" when none.
  std::string DivergedText(const std::vector<std::string>& keys) const {
    size_t runs = 0, diverged = 0;
    for (const auto& k : keys)
      for (const Run& r : configs_.at(k).runs) {
        ++runs;
        diverged += r.diverged;
      }
    return diverged ? fmt::format("{}/{}", diverged, runs) : "0";
  }

  // Whether any run of the table's configurations ran exhaustive verification / extraction, and the largest N.
  std::pair<int, bool> Checks(const Grouping& g) const {
    int n = 0;
    bool extract = false;
    for (const auto& [rc, keys] : g.configs)
      for (const auto& k : keys)
        for (const Run& r : configs_.at(k).runs) {
          if (r.exact) n = std::max(n, r.verify_len);
          if (r.equivalent.has_value()) extract = true;
        }
    return {n, extract};
  }

  std::string RenderTable(const TrainTableSpec& table, size_t split, int number) const {
    const auto& row_axes = table.rows;
    const std::string& col_axis = table.columns;
    const std::string& rule = table.select;
    const auto& stats = table.statistics;
    const bool reference = table.reference && split == 0;
    const bool smallest = table.smallest_width.has_value() && split == 0;
    const Grouping g = Group(row_axes, col_axis, table.where);
    const bool has_lang = std::find(row_axes.begin(), row_axes.end(), "language") != row_axes.end();
    const auto [verify_len, extract] = split == 0 ? Checks(g) : std::pair<int, bool>{0, false};
    std::set<std::string> table_langs;  // the languages of the table's configurations
    for (const auto& [rc, keys] : g.configs)
      for (const auto& k : keys) table_langs.insert(configs_.at(k).config->at("language").get<std::string>());

    std::string md = fmt::format("## Table {}{}: {}\n\n", number, split ? fmt::format(".{}", split) : "",
                                 table.title + (split ? fmt::format(" — longer strings (test bin {})", split) : ""));
    if (!table.where.empty()) {
      std::string w;
      for (const auto& [a, v] : table.where) w += (w.empty() ? "" : ", ") + a + " = " + v;
      md += "Cells: " + w + ". ";
    }
    md += "Accuracy: " + RuleText(rule) + ". ";
    if (split) {
      md += "Test bin " + std::to_string(split) + ": lengths beyond the training range (range per row). ";
    } else if (const std::string overlap = AllStringsIn(table_langs); !overlap.empty()) {
      md += "Test strings have the training lengths; for " + overlap + " (splits: all-strings) they are the training "
            "strings themselves, so this column measures fit and only the longer bins measure generalisation. ";
    } else {
      md += "Test strings have the training lengths. ";
    }
    std::string st_text;
    for (const auto& s : stats) st_text += (st_text.empty() ? "" : "; ") + StatisticText(s);
    md += "Columns: " + st_text + "; *diverged*: runs of the group (every configuration) whose loss became NaN/∞.";
    if (verify_len)
      md += fmt::format(" *exact ≤ {}*: seeds of the chosen configuration right on **every** string of length 1…{} "
                        "(worst error rate otherwise).", verify_len, verify_len);
    if (extract)
      md += " *automaton = target*: seeds whose extracted automaton (L*, network as oracle) is the language's minimal "
            "DFA (otherwise a shortest string where they differ).";
    md += "\n\n";
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
      auto add = [&](const std::string& h) {
        header.push_back(cname + " " + h);
        align.push_back(Align::kRight);
      };
      for (const auto& s : stats) add(s == "mean_std" ? "mean ± std" : s == "mean_ci" ? "mean [95 %]" : s);
      if (reference) {
        add("paper");
        add("Δ");
      }
      if (split == 0) add("diverged");
      if (verify_len) add(fmt::format("exact ≤ {}", verify_len));
      if (extract) add("automaton = target");
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
    std::set<std::string> small_langs;
    size_t sampled_perfect = 0, sampled_perfect_not_exact = 0;
    for (const auto& rk : g.rows) {
      std::vector<std::string> row = g.row_values.at(rk);
      std::vector<std::string> chosen_row = row;
      const size_t lang_pos = std::find(row_axes.begin(), row_axes.end(), "language") - row_axes.begin();
      std::string lang = has_lang ? row[lang_pos] : "";
      if (has_lang && notes_.count(lang)) {
        row[lang_pos] += " ‡";
        small_langs.insert(lang);
      }
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
        for (const auto& s : stats) {
          if (s == "mean_std") {
            row.push_back(FormatMeanStd(st.mean, st.std, 3));
          } else if (s == "mean_ci") {
            row.push_back(WithInterval(st.mean, MeanInterval95(st, 0, 1)));
          } else {
            const Run* r = best ? best->Extreme(rule, split, s == "max") : nullptr;
            if (!r) {
              row.push_back("—");
              continue;
            }
            const auto& acc = rule == "best-epoch-on-test" ? r->best : r->final;
            const double n = split < r->size.size() ? r->size[split] : kNaN;
            row.push_back(WithInterval(acc[split], Wilson95(acc[split], n)));
          }
        }
        if (reference) {
          double paper = kNaN;
          if (has_lang && languages_.at(lang)["reference"].contains(c)) paper = languages_.at(lang)["reference"][c];
          row.push_back(Fmt(paper));
          row.push_back(std::isnan(paper) || std::isnan(st.mean) ? "—" : fmt::format("{:+.3f}", st.mean - paper));
        }
        if (split == 0) row.push_back(it == g.configs.end() ? "—" : DivergedText(it->second));
        if (verify_len || extract) {
          size_t n = 0, exact = 0, equivalent = 0, extracted = 0, diverged = 0, wrong = 0;
          double worst = 0;
          std::string difference;
          if (best)
            for (const Run& r : best->runs) {
              ++n;
              diverged += r.diverged;  // a diverged run is not verified: it counts as not exact
              if (r.exact.has_value()) {
                exact += *r.exact;
                wrong += !*r.exact;
                if (!*r.exact && std::isfinite(r.error_rate)) worst = std::max(worst, r.error_rate);
              }
              if (r.equivalent.has_value()) {
                ++extracted;
                equivalent += *r.equivalent;
                if (!*r.equivalent && difference.empty()) difference = r.difference.empty() ? "ε" : r.difference;
              }
            }
          if (verify_len) {
            std::string why;
            if (wrong) why = fmt::format("worst {:.2g}", worst);
            if (diverged) why += (why.empty() ? "" : ", ") + fmt::format("{} diverged", diverged);
            row.push_back(!best ? "—" : exact == n ? fmt::format("✓ {}/{}", exact, n)
                                                   : fmt::format("{}/{} ({})", exact, n, why.empty() ? "not verified" : why));
          }
          if (extract)
            row.push_back(!best || !extracted ? "—"
                          : equivalent == extracted ? fmt::format("✓ {}/{}", equivalent, extracted)
                                                    : fmt::format("{}/{} (e.g. `{}`)", equivalent, extracted,
                                                                  difference.size() > 24 ? difference.substr(0, 24) + "…" : difference));
        }
        if (best && Chosen(*best, it->second) != "—") any_choice = true;
        chosen_row.push_back(best ? Chosen(*best, it->second) + (st.n ? fmt::format(" ({} seed{})", st.n, st.n > 1 ? "s" : "") : "")
                                  : "no results");
        // Sampled test says 1.000 but the exhaustive check finds an error (every run of the table's configurations).
        if (verify_len && it != g.configs.end())
          for (const auto& k : it->second)
            for (const Run& r : configs_.at(k).runs)
              if (!r.final.empty() && r.final[0] == 1.0 && r.exact.has_value()) {
                ++sampled_perfect;
                sampled_perfect_not_exact += !*r.exact;
              }
      }
      if (smallest) row.push_back(SmallestWidth(g, rk, rule, *table.smallest_width));
      out.AddRow(row);
      if (!split) chosen_table.AddRow(chosen_row);
    }
    if (!any_row) return "";
    md += out.Render() + "\n";
    if (!small_langs.empty()) {
      md += "‡ fewer strings of the training lengths exist than the paper's sizes ask for: ";
      std::string t;
      for (const auto& l : small_langs)
        for (const auto& n : notes_.at(l)) t += (t.empty() ? "" : "; ") + n;
      md += t + (AllStringsIn(small_langs).empty()
                     ? ". The test set is then small, and the Wilson intervals show how little it can tell.\n\n"
                     : ". Where train = test (splits: all-strings), a training-range interval bounds the fit, not "
                       "generalisation.\n\n");
    }
    if (verify_len)
      md += fmt::format("Runs (every configuration of this table) scoring 1.000 on the sampled test yet wrong on some "
                        "string of length ≤ {}: **{} of {}**.\n\n",
                        verify_len, sampled_perfect_not_exact, sampled_perfect);
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

  // Where the first table's mean differs from the paper's number by more than 0.1: every configuration of that entry,
  // its seeds' final accuracies, late collapses and divergences, so a reader sees what lies behind the number.
  std::string RenderDisagreements(const TrainTableSpec& table) const {
    if (!table.reference) return "";
    const bool has_lang = std::find(table.rows.begin(), table.rows.end(), "language") != table.rows.end();
    if (!has_lang || table.rows.size() != 1) return "";
    const Grouping g = Group(table.rows, table.columns, table.where);
    std::string md;
    for (const auto& rk : g.rows) {
      const std::string lang = g.row_values.at(rk)[0];
      for (const auto& c : g.cols) {
        if (!languages_.at(lang)["reference"].contains(c)) continue;
        const double paper = languages_.at(lang)["reference"][c];
        auto it = g.configs.find({rk, c});
        if (it == g.configs.end()) continue;
        const Config* best = Choose(it->second, table.select);
        if (!best) continue;
        const Stats st = Summarise(best->Values(table.select, 0));
        if (std::isnan(st.mean) || std::fabs(st.mean - paper) <= 0.1) continue;
        size_t runs = 0, below = 0, collapsed = 0, diverged = 0;
        double lo = 1, hi = 0;
        MarkdownTable t({"configuration", "final test accuracy per seed", "late collapse", "diverged"},
                        {Align::kLeft, Align::kLeft, Align::kRight, Align::kRight});
        for (const auto& k : it->second) {
          const Config& cf = configs_.at(k);
          std::vector<const Run*> sorted;
          for (const Run& r : cf.runs) sorted.push_back(&r);
          std::sort(sorted.begin(), sorted.end(), [](const Run* a, const Run* b) { return a->seed < b->seed; });
          std::string accs;
          size_t col = 0, div = 0;
          for (const Run* r : sorted) {
            const double a = r->final.empty() ? kNaN : r->final[0];
            accs += (accs.empty() ? "" : ", ") + fmt::format("{}: {}", r->seed, Fmt(a));
            ++runs;
            below += a < 0.5;
            if (!std::isnan(a)) {
              lo = std::min(lo, a);
              hi = std::max(hi, a);
            }
            col += LateCollapse(r->acc_curve) > 0;
            div += r->diverged;
          }
          collapsed += col;
          diverged += div;
          const std::string label = AxesLabel(*cf.config, table.where, table.columns, ", ");
          t.AddRow({label.empty() ? "—" : label, accs.empty() ? "no results" : accs, std::to_string(col), std::to_string(div)});
        }
        md += fmt::format("### {} with {}: the paper reports {}, this run {}\n\n", lang, c, Fmt(paper), Fmt(st.mean));
        md += fmt::format("Over every configuration of this entry ({} runs), {} end below 0.5, {} collapse late (accuracy "
                          "falls by more than 0.5 after having been ≥ 0.99) and {} diverge. {}\n\n",
                          runs, below, collapsed, diverged,
                          paper >= lo && paper <= hi
                              ? fmt::format("The paper's number lies within the range of single runs here ({} to {}); "
                                            "whether it was such a run the paper does not say (it reports one number "
                                            "per entry).", Fmt(lo), Fmt(hi))
                              : fmt::format("The paper's number lies outside the range of single runs here ({} to {}): "
                                            "the difference is not explained by unlucky seeds under this protocol.",
                                            Fmt(lo), Fmt(hi)));
        md += t.Render() + "\n";
      }
    }
    return md.empty() ? "" : "## Where this run and the paper disagree (|Δ| > 0.1 in Table 1)\n\n" + md;
  }

  std::string RenderPlots(std::map<std::string, std::string>& files) const {
    std::string md;
    const auto& plots = spec_.plots;
    const auto& where = spec_.plots_where;
    auto wants = [&](const char* p) { return std::find(plots.begin(), plots.end(), p) != plots.end(); };
    std::set<std::string> widths, acts;
    for (const Cell& c : suite_.cells) {
      if (!Matches(c.config, where)) continue;
      widths.insert(AxisOf(c.config, "width"));
      acts.insert(AxisOf(c.config, "activation"));
    }
    std::string where_text;
    for (const auto& [a, v] : where) where_text += (where_text.empty() ? " Cells: " : ", ") + a + " = " + v;
    if (!where_text.empty()) where_text += ".";
    // Mean final test accuracy at each width of the configuration chosen on validation there.
    auto at_width = [&](const Grouping& g, const std::string& rk, const std::string& w) -> Stats {
      auto it = g.configs.find({rk, w});
      const Config* best = it == g.configs.end() ? nullptr : Choose(it->second, "validation");
      return best ? Summarise(best->Values("validation", 0)) : Stats{};
    };
    if (wants("heatmap") && !widths.empty()) {
      md += "## Heatmaps: accuracy by language and width\n\nMean final test accuracy over seeds (a diverged run scores "
            "0) of the configuration chosen on validation at each width; one map per activation." + where_text + "\n\n";
      const Grouping g = Group({"language", "activation"}, "width", where);
      for (const auto& act : acts) {
        HeatmapSpec h;
        h.title = "Final test accuracy (" + act + ")";
        h.x_label = "hidden width m";
        h.y_label = "language";
        for (const auto& w : g.cols) h.cols.push_back("m=" + w);
        for (const auto& rk : g.rows) {
          if (g.row_values.at(rk)[1] != act) continue;
          h.rows.push_back(g.row_values.at(rk)[0]);
          std::vector<double> v;
          for (const auto& w : g.cols) v.push_back(at_width(g, rk, w).mean);
          h.values.push_back(v);
        }
        files[paths_.Sibling("-heatmap-" + act + ".svg")] = HeatmapSvg(h);
        md += fmt::format("![heatmap, {}]({}-heatmap-{}.svg)\n\n", act, paths_.base, act);
      }
    }
    if (wants("accuracy-vs-width") && widths.size() > 1) {
      md += "## Accuracy vs width\n\nMean test accuracy over seeds at each width (other hyperparameters chosen on "
            "validation), one line per language." + where_text + "\n\n";
      for (const auto& act : acts) {
        std::vector<Series> series;
        const Grouping g = Group({"language", "activation"}, "width", where);
        for (const auto& rk : g.rows) {
          if (g.row_values.at(rk)[1] != act) continue;
          Series s;
          s.label = g.row_values.at(rk)[0];
          for (const auto& w : g.cols) {
            const Stats st = at_width(g, rk, w);
            if (st.n == 0) continue;
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
    const Grouping by_lang = Group({"language"}, "activation", where);
    // The configuration chosen on validation for (language row, activation), or null.
    auto chosen = [&](const std::string& rk, const std::string& act) -> const Config* {
      auto it = by_lang.configs.find({rk, act});
      return it == by_lang.configs.end() ? nullptr : Choose(it->second, "validation");
    };
    if (wants("accuracy-vs-length")) {
      md += "## Accuracy vs string length\n\nFor the configuration chosen on validation, per activation: the fraction "
            "of strings of each length the final models get right (all seeds pooled) — exhaustively on every string up "
            "to the verified length where cells ran `verify`, on the sampled test strings beyond (training lengths and "
            "the longer bins)." + where_text + "\n\n";
      for (const auto& rk : by_lang.rows) {
        const std::string lang = by_lang.row_values.at(rk)[0];
        std::vector<Series> series;
        for (const auto& act : by_lang.cols) {
          const Config* best = chosen(rk, act);
          if (!best) continue;
          std::map<int, std::pair<double, double>> pooled;  // length → strings, errors
          int verified = 0;
          for (const Run& r : best->runs) verified = std::max(verified, r.exact.has_value() ? r.verify_len : 0);
          for (const Run& r : best->runs) {
            for (const auto& [n, se] : r.exhaustive) {
              pooled[n].first += se.first;
              pooled[n].second += se.second;
            }
            for (const auto& [n, se] : r.sampled) {
              if (n <= verified) continue;
              pooled[n].first += se.first;
              pooled[n].second += se.second;
            }
          }
          Series s;
          s.label = act + " (" + Chosen(*best, by_lang.configs.at({rk, act})) + ")";
          for (const auto& [n, se] : pooled)
            if (se.first > 0) {
              s.x.push_back(n);
              s.y.push_back(1 - se.second / se.first);
            }
          if (!s.x.empty()) series.push_back(s);
        }
        if (series.empty()) continue;
        PlotSpec spec;
        spec.title = "Accuracy vs length: " + lang;
        spec.x_label = "string length";
        spec.y_label = "fraction right";
        spec.y_min = 0;
        spec.y_max = 1;
        files[paths_.Sibling("-length-" + lang + ".svg")] = LinePlotSvg(spec, series);
        md += fmt::format("![accuracy vs length, {}]({}-length-{}.svg)\n", lang, paths_.base, lang);
      }
      md += "\n";
    }
    if (wants("collapse")) md += RenderCollapse(files, where, where_text);
    if (wants("learning-curves")) {
      md += "## Learning curves\n\nTraining loss per epoch of the first seed of the configuration chosen on "
            "validation, one plot per language, one line per activation." + where_text + "\n\n";
      for (const auto& rk : by_lang.rows) {
        const std::string lang = by_lang.row_values.at(rk)[0];
        std::vector<Series> series;
        for (const auto& act : by_lang.cols) {
          const Config* best = chosen(rk, act);
          if (!best || best->runs.empty()) continue;
          const Run* first = &best->runs[0];
          for (const Run& r : best->runs)
            if (r.seed < first->seed) first = &r;
          Series s;
          const std::string ch = Chosen(*best, by_lang.configs.at({rk, act}));
          s.label = ch == "—" ? act : act + " (" + ch + ")";
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

  // Stability: per (language, activation) the runs that collapsed late (LateCollapse), and the accuracy curves of
  // those runs.
  std::string RenderCollapse(std::map<std::string, std::string>& files, const std::map<std::string, std::string>& where,
                             const std::string& where_text) const {
    std::string md = "## Stability: late collapse\n\nA run *collapses late* when its test accuracy (per epoch, on the "
                     "training-length test split; training accuracy where the suite did not evaluate every epoch) falls "
                     "by more than 0.5 after having been ≥ 0.99 (it may recover later: the last column counts the runs that "
                     "ended below 0.5); a diverged run scores 0 from the epoch it diverged, so "
                     "a divergence after success counts too. Every configuration of the grid, every seed." + where_text +
                     "\n\n";
    MarkdownTable t({"language", "activation", "runs", "ever ≥ 0.99", "collapsed late", "fraction", "of which diverged",
                     "of which ended < 0.5"},
                    {Align::kLeft, Align::kLeft, Align::kRight, Align::kRight, Align::kRight, Align::kRight, Align::kRight,
                     Align::kRight});
    const Grouping g = Group({"language", "activation"}, "width", where);
    std::string plots;
    for (const auto& rk : g.rows) {
      const auto& rv = g.row_values.at(rk);
      size_t runs = 0, collapsed = 0, diverged = 0, reached = 0, ended_low = 0;
      std::vector<Series> series;
      for (const auto& [key, keys] : g.configs) {
        if (key.first != rk) continue;
        for (const auto& k : keys) {
          const Config& cf = configs_.at(k);
          for (const Run& r : cf.runs) {
            ++runs;
            reached += std::any_of(r.acc_curve.begin(), r.acc_curve.end(), [](double a) { return a >= 0.99; });
            if (LateCollapse(r.acc_curve) == 0) continue;
            ++collapsed;
            diverged += r.diverged;
            ended_low += !r.final.empty() && !(r.final[0] >= 0.5);
            if (series.size() >= 8) continue;
            Series s;
            s.label = AxesLabel(*cf.config, where, "activation", " ") + " seed " + std::to_string(r.seed) + (r.diverged ? " (diverged)" : "");
            for (size_t e = 0; e < r.acc_curve.size(); ++e) {
              s.x.push_back(static_cast<double>(e + 1));
              s.y.push_back(r.acc_curve[e]);
            }
            series.push_back(s);
          }
        }
      }
      t.AddRow({rv[0], rv[1], std::to_string(runs), std::to_string(reached), std::to_string(collapsed),
                runs ? FormatFixed(double(collapsed) / double(runs), 3) : "—", std::to_string(diverged),
                std::to_string(ended_low)});
      if (series.empty()) continue;
      PlotSpec spec;
      spec.title = "Collapsing runs: " + rv[0] + ", " + rv[1] + (collapsed > series.size() ? fmt::format(" (first {} of {})", series.size(), collapsed) : "");
      spec.x_label = "epoch";
      spec.y_label = "test accuracy";
      spec.y_min = 0;
      spec.y_max = 1;
      files[paths_.Sibling("-collapse-" + rv[0] + "-" + rv[1] + ".svg")] = LinePlotSvg(spec, series);
      plots += fmt::format("![collapsing runs, {} {}]({}-collapse-{}-{}.svg)\n", rv[0], rv[1], paths_.base, rv[0], rv[1]);
    }
    return md + t.Render() + "\n" + (plots.empty() ? "No run collapsed late.\n\n" : plots + "\n");
  }

  // What the data layer said while building the datasets (languages with fewer strings than asked),
  // and the split sizes actually used.
  std::string RenderDataNotes() const {
    std::map<std::string, std::string> sizes;
    for (size_t i = 0; i < suite_.cells.size(); ++i) {
      if (!records_[i] || !runs_[i]) continue;
      const std::string lang = suite_.cells[i].config["language"];
      const nlohmann::json* ds = Obj(records_[i]->result, "data_sizes");
      if (ds && !sizes.count(lang)) {
        std::string t;
        for (const auto& [k, v] : ds->items()) t += (t.empty() ? "" : ", ") + k + " " + v.dump();
        sizes[lang] = t;
      }
    }
    if (sizes.empty()) return "";
    std::set<std::string> langs;
    for (const auto& [lang, text] : sizes) langs.insert(lang);
    const std::string overlap = AllStringsIn(langs);
    std::string md = "## Data\n\nStrings per split (train, validation and test splits are disjoint; lengths uniform "
                     "among those with strings of the class, strings uniform within a length)" +
                     (overlap.empty() ? std::string(".\n\n")
                                      : "; except for " + overlap + " (splits: all-strings), whose training split is "
                                        "every string of the training lengths and whose test split over those lengths "
                                        "is the same strings.\n\n");
    MarkdownTable t({"language", "split sizes", "notes"});
    for (const auto& [lang, text] : sizes) {
      std::string n;
      if (notes_.count(lang))
        for (const auto& x : notes_.at(lang)) n += (n.empty() ? "" : "; ") + x;
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
      if (const std::string axes = AxesLabel(*c.config, {}, "", " "); !axes.empty()) label += " " + axes;
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
    for (const char* x : {"collapse_epoch", "verify_max_len", "exact", "error_rate", "automaton_equivalent",
                          "automaton_states", "automaton_difference"})
      h.push_back(x);
    csv.push_back(h);
    for (size_t i = 0; i < suite_.cells.size(); ++i) {
      if (!runs_[i]) continue;
      const auto& cfg = suite_.cells[i].config;
      const Run& r = *runs_[i];
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
      row.push_back(std::to_string(LateCollapse(r.acc_curve)));
      row.push_back(r.exact ? std::to_string(r.verify_len) : "");
      row.push_back(r.exact ? (*r.exact ? "1" : "0") : "");
      row.push_back(r.exact && std::isfinite(r.error_rate) ? fmt::format("{:.6g}", r.error_rate) : "");
      row.push_back(r.equivalent ? (*r.equivalent ? "1" : "0") : "");
      row.push_back(r.equivalent ? std::to_string(r.states) : "");
      row.push_back(r.equivalent && !*r.equivalent ? r.difference : "");
      csv.push_back(row);
    }
    return md;
  }

  const Suite& suite_;
  const TrainReportSpec spec_;
  const std::vector<std::optional<CellRecord>>& records_;
  const ReportPaths& paths_;
  std::map<std::string, Config> configs_;
  std::vector<std::optional<Run>> runs_;  // per suite cell: its stored result, read (none: missing or malformed)
  std::vector<std::string> malformed_;    // "label (key …): what is wrong"
  std::map<std::string, std::set<std::string>> notes_;  // language → the data layer's notes (fewer strings …)
  std::set<std::string> all_strings_;  // languages with data splits: all-strings (train = test over training lengths)
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
