// Bad inputs through the real binary, table-driven from tests/data/bad_inputs.txt (format at its top): every
// case must exit 2 within 10 s under `ulimit -v` 4 GB, print "flbench: …" on stderr and nothing on stdout,
// contain the expected text, and name FILE:LINE:COL when it involves a .yaml file.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "testutil/paths.h"

namespace flbench {
namespace {

using testing::BinaryPath;
using testing::RunCommand;
using testing::SourceDir;
using testing::TempDir;

struct BadCase {
  std::string name;
  std::vector<std::pair<std::string, std::string>> files;  // name, content
  std::vector<std::string> setups, env, expects;
  std::string run;
  bool unlocated = false;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

std::vector<BadCase> LoadCases() {
  std::ifstream in(SourceDir() + "/tests/data/bad_inputs.txt");
  std::vector<BadCase> cases;
  std::string* content = nullptr;  // the file being read, if any
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("=== ", 0) == 0) {
      cases.push_back({});
      cases.back().name = line.substr(4);
      content = nullptr;
    } else if (line.rfind("--- ", 0) == 0 && !cases.empty()) {
      BadCase& c = cases.back();
      content = nullptr;
      const std::string rest = line.substr(4);
      const std::string word = rest.substr(0, rest.find(' '));
      const std::string arg = rest.find(' ') == std::string::npos ? "" : rest.substr(rest.find(' ') + 1);
      if (word == "file") {
        c.files.push_back({arg, ""});
        content = &c.files.back().second;
      } else if (word == "setup") {
        c.setups.push_back(arg);
      } else if (word == "env") {
        c.env.push_back(arg);
      } else if (word == "run") {
        c.run = arg;
      } else if (word == "expect") {
        c.expects.push_back(arg);
      } else if (word == "unlocated") {
        c.unlocated = true;
      } else {
        ADD_FAILURE() << "bad_inputs.txt: unknown directive: " << line;
      }
    } else if (content) {
      *content += line + "\n";
    } else if (!line.empty() && line[0] != '#') {
      ADD_FAILURE() << "bad_inputs.txt: stray line: " << line;
    }
  }
  return cases;
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t i = s.find(from); i != std::string::npos; i = s.find(from, i + to.size())) s.replace(i, from.size(), to);
  return s;
}

class BadInputTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadInputTest, ExitsTwoWithALocatedMessageInBoundedTimeAndMemory) {
  const BadCase& c = GetParam();
  const std::string dir = TempDir();
  bool yaml = false;
  for (const auto& [name, text] : c.files) {
    const std::filesystem::path p = std::filesystem::path(dir) / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    yaml = yaml || p.extension() == ".yaml";
  }
  std::string env;
  for (const auto& e : c.env) env += "export " + Replace(e, "$D", dir) + "; ";
  for (const auto& s : c.setups) {
    auto r = RunCommand(BinaryPath() + " " + Replace(s, "$D", dir));
    ASSERT_EQ(r.status, 0) << "setup " << s << ": " << r.err;
  }
  const std::string command = Replace(c.run, "$D", dir);
  const auto start = std::chrono::steady_clock::now();
  auto r = RunCommand("ulimit -v 4000000; " + env + "timeout 20 " + BinaryPath() + " " + command);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string shown = Replace(r.err, dir, "$D");
  EXPECT_EQ(r.status, 2) << "flbench " << command << "\n" << shown;
  EXPECT_LT(seconds, 10.0) << "flbench " << command;
  EXPECT_EQ(r.err.rfind("flbench: ", 0), 0u) << shown;
  EXPECT_TRUE(r.out.empty()) << "stdout must stay clean on error: " << r.out.substr(0, 200);
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << shown;
  for (const auto& e : c.expects) EXPECT_NE(r.err.find(Replace(e, "$D", dir)), std::string::npos) << e << "\n" << shown;
  if (yaml && !c.unlocated) {
    EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(\.yaml:[0-9]+:[0-9]+: )"))) << "no FILE:LINE:COL in\n" << shown;
  }
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Cases, BadInputTest, ::testing::ValuesIn(LoadCases()),
                         [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

TEST(BadInputTableTest, HasTheCasesItPromises) {
  const auto cases = LoadCases();
  EXPECT_GE(cases.size(), 60u);
  for (const auto& c : cases) EXPECT_FALSE(c.run.empty() && c.name != "cli_no_subcommand") << c.name;
}

}  // namespace
}  // namespace flbench
