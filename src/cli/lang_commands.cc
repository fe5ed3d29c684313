// `flbench languages | sample | accepts | dataset`: the data layer on the command line.
// Output formats are a contract (README "Command line"); tested by tests/cli_lang_test.cc.
#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "cli/commands.h"
#include "cli/options.h"
#include "lang/dataset_builder.h"
#include "lang/sampler.h"
#include "lang/spec.h"
#include "util/error.h"

namespace flbench {

namespace {

// The catalogue along the search path: one line per name with the directory it comes from (its origin),
// then the directories and the shadowed files (a name found again in a later directory).
void ListLanguages() {
  const std::vector<SearchDir> search = LanguageSearchPath();
  std::printf("%-14s %-8s %-9s %-18s %s\n", "name", "kind", "alphabet", "from", "description");
  std::string shadowed;
  for (const YamlEntry& e : YamlCatalog(search)) {
    auto lang = LoadLanguage(e.path);
    std::printf("%-14s %-8s %-9s %-18s %s\n", e.name.c_str(), lang->kind().c_str(), lang->alphabet().c_str(),
                e.origin.c_str(), lang->description().c_str());
    for (const std::string& hidden : e.shadowed) shadowed += fmt::format("# shadowed: {} (by {})\n", hidden, e.path);
  }
  for (const SearchDir& d : search) std::printf("# from %s: %s\n", d.origin.c_str(), d.dir.c_str());
  std::printf("%s", shadowed.c_str());
}

struct SampleArgs {
  std::string lang;
  int64_t count = 10;
  int min_len = 2, max_len = 50;
  std::string cls = "mixed", negatives = "uniform";
  uint64_t seed = 1;
};

void Sample(const SampleArgs& a) {
  if (a.min_len > a.max_len) throw Error(fmt::format("--min-len {} is above --max-len {}", a.min_len, a.max_len));
  auto lang = LoadLanguage(a.lang);
  RangeSampler range(*lang, a.min_len, a.max_len);
  const bool perturb = a.negatives == "perturb";
  const bool has_pos = !range.Lengths(true).empty();
  const bool has_neg = perturb ? !range.PerturbLengths().empty() : !range.Lengths(false).empty();
  if (a.cls == "pos" && !has_pos) range.NoStrings(true);
  if (a.cls == "neg" && !has_neg) range.NoStrings(false, perturb ? "non-members within one edit of a member" : "");
  if (a.cls == "mixed" && !has_pos && !has_neg) range.NoStrings(true, "strings of either class");
  Rng rng(DeriveSeed(a.seed, "sample:" + lang->name()));
  std::string out;
  for (int64_t i = 0; i < a.count; ++i) {
    bool member = a.cls == "pos";
    if (a.cls == "mixed") member = !has_neg || (has_pos && rng.Below(2) == 0);
    const Word w = member ? range.Draw(true, rng) : perturb ? range.DrawPerturbed(rng) : range.Draw(false, rng);
    out += lang->Decode(w);
    out += member ? "\t1\n" : "\t0\n";
    if (out.size() > (1 << 16)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

void Accepts(const std::string& lang_name, const std::vector<std::string>& strings) {
  auto lang = LoadLanguage(lang_name);
  std::vector<Word> words;
  for (const auto& s : strings) words.push_back(lang->Encode(s));  // all checked before printing anything
  for (const auto& w : words) std::printf("%d\n", lang->Accepts(w) ? 1 : 0);
}

std::string TargetsText(const Example& e, int symbols) {
  std::string s;
  for (size_t t = 0; t < e.next.size(); ++t) {
    if (t) s += ',';
    for (int a = 0; a <= symbols; ++a) s += (e.next[t] >> a & 1) ? '1' : '0';
  }
  return s;
}

void WriteSplit(const Dataset& d, const Split& split, const std::string& path, const Language& lang) {
  const std::string tmp = fmt::format("{}.tmp.{}", path, getpid());  // unique: concurrent runs never share it
  std::ofstream out(tmp);
  if (!out) throw Error(fmt::format("{}: cannot write: {}", tmp, std::strerror(errno)));
  out << "# language=" << d.language << " alphabet=" << d.alphabet << " task=" << TaskName(d.task)
      << " split=" << split.name << " lengths=" << split.min_len << "-" << split.max_len
      << " count=" << split.examples.size() << "\n";
  for (const Example& e : split.examples) {
    out << lang.Decode(e.x) << '\t' << int(e.label);
    if (d.task == Task::kNextSymbol) out << '\t' << TargetsText(e, d.symbols());
    out << '\n';
  }
  out.close();
  if (!out) throw Error(fmt::format("{}: write failed: {}", path, std::strerror(errno)));
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw Error(fmt::format("{}: cannot rename {} to it: {}", path, tmp, ec.message()));
  }
}

// The output directory of `dataset`, checked (and created) before any string is drawn: an existing
// non-directory, a path that cannot be created or a directory we cannot write into is an error now.
void PrepareOutputDir(const std::string& dir) {
  namespace fs = std::filesystem;
  if (dir.empty()) throw Error("--out: empty path");
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (fs::exists(st)) {
    if (!fs::is_directory(st))
      throw Error(fmt::format("--out {}: exists and is not a directory (give a directory to write the TSV files into)", dir));
  } else {
    fs::create_directories(dir, ec);
    if (ec) throw Error(fmt::format("--out {}: cannot create the directory: {}", dir, ec.message()));
  }
  if (access(dir.c_str(), W_OK | X_OK) != 0)
    throw Error(fmt::format("--out {}: cannot write into the directory: {}", dir, std::strerror(errno)));
}

}  // namespace

void AddLanguageCommands(CLI::App& app) {
  app.add_subcommand("languages", "List the shipped languages: name, kind, alphabet, description")
      ->callback(ListLanguages);

  auto sa = std::make_shared<SampleArgs>();
  auto* sample = app.add_subcommand("sample", "Print uniformly sampled strings, one STRING<TAB>LABEL per line");
  sample->add_option("LANG", sa->lang, "language name or path to a .yaml file")->required();
  AddIntOption<int64_t>(*sample, "--count", sa->count, 0, std::numeric_limits<int64_t>::max(), "number of strings");
  AddIntOption(*sample, "--min-len", sa->min_len, 0, kMaxLength, "shortest length");
  AddIntOption(*sample, "--max-len", sa->max_len, 0, kMaxLength, "longest length");
  sample->add_option("--class", sa->cls, "pos, neg or mixed (each string's class by a fair coin)")
      ->check(CLI::IsMember({"pos", "neg", "mixed"}))
      ->capture_default_str();
  sample->add_option("--negatives", sa->negatives, "uniform (any non-member) or perturb (one edit from a member)")
      ->check(CLI::IsMember({"uniform", "perturb"}))
      ->capture_default_str();
  AddIntOption<uint64_t>(*sample, "--seed", sa->seed, 0, kMaxSeed, "random seed");
  sample->callback([sa] { Sample(*sa); });

  auto strings = std::make_shared<std::pair<std::string, std::vector<std::string>>>();
  auto* accepts = app.add_subcommand("accepts", "Print 1 (member) or 0 per string");
  accepts->add_option("LANG", strings->first, "language name or path")->required();
  accepts->add_option("STRING", strings->second, "strings to test (use '' for the empty string)")->required();
  accepts->callback([strings] { Accepts(strings->first, strings->second); });

  auto da = std::make_shared<DatasetArgs>();
  auto out_dir = std::make_shared<std::string>();
  auto* dataset = app.add_subcommand("dataset", "Write train/validation/test TSV files (format: README)");
  AddDatasetOptions(*dataset, *da);
  dataset->add_option("--out", *out_dir, "output directory (created)")->required();
  dataset->callback([da, out_dir] {
    const DatasetSpec spec = ToSpec(*da);
    auto lang = LoadLanguage(da->lang);
    PrepareOutputDir(*out_dir);
    std::vector<std::string> notes;
    const Dataset d = BuildDataset(*lang, spec, &notes);
    for (const auto& n : notes) std::fprintf(stderr, "note: %s\n", n.c_str());
    WriteSplit(d, d.train, *out_dir + "/train.tsv", *lang);
    if (!d.validation.examples.empty()) WriteSplit(d, d.validation, *out_dir + "/validation.tsv", *lang);
    for (size_t i = 0; i < d.tests.size(); ++i) {
      const Split& s = d.tests[i];
      WriteSplit(d, s, *out_dir + (i == 0 ? std::string("/test.tsv") : fmt::format("/test_{}-{}.tsv", s.min_len, s.max_len)), *lang);
    }
    std::fprintf(stderr, "wrote %zu train, %zu validation, %zu test split(s) to %s\n", d.train.examples.size(),
                 d.validation.examples.size(), d.tests.size(), out_dir->c_str());
  });
}

}  // namespace flbench
