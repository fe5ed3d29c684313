// The data-layer commands through the real binary: output contract, determinism, error exits.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "testutil/paths.h"

namespace flbench {
namespace {

using testing::BinaryPath;
using testing::RunCommand;

std::string Flbench(const std::string& args) { return BinaryPath() + " " + args; }

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string line; std::getline(ss, line);) out.push_back(line);
  return out;
}

TEST(CliLangTest, LanguagesListsTheCatalog) {
  auto r = RunCommand(Flbench("languages"));
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* name : {"tomita1", "tomita7", "parity", "d4", "abab", "aabb", "single1", "contains-0110", "dyck2", "anbn"})
    EXPECT_NE(r.out.find(name), std::string::npos) << name;
  EXPECT_NE(r.out.find("grammar"), std::string::npos);
  EXPECT_NE(r.out.find("dfa"), std::string::npos);
}

TEST(CliLangTest, SampleIsDeterministicAndWellFormed) {
  const std::string args = "sample tomita3 --count 200 --min-len 2 --max-len 30 --class mixed --seed 9";
  auto a = RunCommand(Flbench(args));
  auto b = RunCommand(Flbench(args));
  ASSERT_EQ(a.status, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_TRUE(a.err.empty()) << a.err;
  auto c = RunCommand(Flbench("sample tomita3 --count 200 --min-len 2 --max-len 30 --class mixed --seed 10"));
  EXPECT_NE(a.out, c.out);
  const auto lines = Lines(a.out);
  ASSERT_EQ(lines.size(), 200u);
  std::string strings;
  std::string labels;
  for (const auto& line : lines) {
    const size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    const std::string s = line.substr(0, tab);
    ASSERT_GE(s.size(), 2u);
    ASSERT_LE(s.size(), 30u);
    ASSERT_TRUE(line.substr(tab) == "\t0" || line.substr(tab) == "\t1") << line;
    strings += " " + s;
    labels += line.substr(tab + 1) + "\n";
  }
  // The labels agree with `accepts`.
  auto acc = RunCommand(Flbench("accepts tomita3" + strings));
  ASSERT_EQ(acc.status, 0) << acc.err;
  EXPECT_EQ(acc.out, labels);
}

TEST(CliLangTest, SampleClassesAndPerturb) {
  auto pos = RunCommand(Flbench("sample abab --count 20 --min-len 4 --max-len 500 --class pos --seed 1"));
  ASSERT_EQ(pos.status, 0) << pos.err;
  for (const auto& line : Lines(pos.out)) EXPECT_EQ(line.back(), '1');
  auto neg = RunCommand(Flbench("sample dyck1 --count 20 --class neg --negatives perturb --seed 1"));
  ASSERT_EQ(neg.status, 0) << neg.err;
  for (const auto& line : Lines(neg.out)) EXPECT_EQ(line.back(), '0');
}

TEST(CliLangTest, AcceptsPrintsOneVerdictPerString) {
  auto r = RunCommand(Flbench("accepts dyck2 '([])' '([)]' ''"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "1\n0\n1\n");
}

void ExpectFailure(const std::string& args, const std::string& fragment) {
  auto r = RunCommand(Flbench(args));
  EXPECT_NE(r.status, 0) << args;
  EXPECT_TRUE(r.out.empty()) << "stdout must stay clean on error: " << r.out;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << args << "\n" << r.err;
}

TEST(CliLangTest, BadInputFailsClearly) {
  ExpectFailure("sample tomita9 --count 3", "did you mean");
  ExpectFailure("accepts tomita1 11 1a1", "symbol 'a' at position 2");
  ExpectFailure("sample abab --count 3 --min-len 5 --max-len 7 --class pos", "no members with length in [5, 7]");
  ExpectFailure("sample tomita1 --count 3 --class maybe", "--class");
  ExpectFailure("sample tomita1 --count -3", "--count: '-3' is out of range");
  ExpectFailure("sample tomita1 --min-len 9 --max-len 3", "--min-len 9 is above --max-len 3");
  ExpectFailure("dataset tomita1 --test-bins 5-x --out /tmp/x", "bad bin '5-x'");
  const std::string dir = testing::TempDir();
  std::ofstream(dir + "/broken.yaml") << "alphabet: \"01\"\nregex: \"(0\"\n";
  ExpectFailure("sample " + dir + "/broken.yaml", "broken.yaml:2:8: invalid regex");
}

TEST(CliLangTest, DatasetWritesDocumentedTsv) {
  const std::string dir = testing::TempDir() + "/d";
  auto r = RunCommand(Flbench("dataset d2 --task next-symbol --train 50 --validation 10 --test 20 --min-len 2 --max-len 12 "
                              "--test-bins 13-20 --seed 4 --out " + dir));
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* f : {"train.tsv", "validation.tsv", "test.tsv", "test_13-20.tsv"}) {
    std::ifstream in(dir + "/" + f);
    ASSERT_TRUE(in.good()) << f;
    std::string header;
    std::getline(in, header);
    EXPECT_EQ(header.rfind("# language=d2 alphabet=01 task=next-symbol", 0), 0u) << header;
    int n = 0;
    for (std::string line; std::getline(in, line); ++n) {
      // STRING \t 1 \t T1,...,Tn with each Ti three 0/1 characters
      const size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
      ASSERT_NE(t2, std::string::npos) << line;
      const std::string s = line.substr(0, t1), targets = line.substr(t2 + 1);
      EXPECT_EQ(line.substr(t1, 3), "\t1\t");
      EXPECT_EQ(targets.size(), s.size() * 4 - 1) << line;
      EXPECT_EQ(targets.back(), '1') << "the whole string is a member: end bit set";
    }
    EXPECT_GT(n, 0) << f;
  }
}

}  // namespace
}  // namespace flbench
