// util/files.h: the search path ($ENV directories, ./SUBDIR, the source tree, repeats left out, a missing
// $ENV directory is an error), FindYaml's first match, the catalogue with shadowed files, WriteFileAtomic (threads
// writing one path at once) and CheckOutputPath.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "testutil/paths.h"
#include "util/error.h"
#include "util/files.h"

namespace flbench {
namespace {

namespace fs = std::filesystem;

// Runs the test body in DIR as the working directory, restoring the old one afterwards.
class InDir {
 public:
  explicit InDir(const std::string& dir) : old_(fs::current_path()) { fs::current_path(dir); }
  ~InDir() { fs::current_path(old_); }

 private:
  fs::path old_;
};

void Touch(const std::string& path) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << "x: 1\n";
}

TEST(FilesTest, SearchPathOrderFirstMatchAndShadowing) {
  const std::string dir = testing::TempDir();
  Touch(dir + "/env1/a.yaml");
  Touch(dir + "/env2/a.yaml");
  Touch(dir + "/env2/b.yaml");
  Touch(dir + "/work/things/b.yaml");
  Touch(dir + "/work/things/c.yaml");
  Touch(dir + "/src/things/c.yaml");
  Touch(dir + "/src/things/d.yaml");
  InDir in(dir + "/work");
  setenv("FLBENCH_TEST_THINGS", (dir + "/env1::" + dir + "/env2").c_str(), 1);  // an empty entry is skipped
  const auto path = SearchPath("FLBENCH_TEST_THINGS", "things", dir + "/src");
  ASSERT_EQ(path.size(), 4u);
  EXPECT_EQ(path[0].dir, dir + "/env1");
  EXPECT_EQ(path[0].origin, "$FLBENCH_TEST_THINGS");
  EXPECT_EQ(path[1].dir, dir + "/env2");
  EXPECT_EQ(path[2].dir, "things");
  EXPECT_EQ(path[2].origin, "./things");
  EXPECT_EQ(path[3].dir, dir + "/src/things");
  EXPECT_EQ(path[3].origin, "source tree");  // the test binary is not installed: no share dir

  EXPECT_EQ(FindYaml(path, "a"), dir + "/env1/a.yaml");
  EXPECT_EQ(FindYaml(path, "b"), dir + "/env2/b.yaml");
  EXPECT_EQ(FindYaml(path, "c"), "things/c.yaml");
  EXPECT_EQ(FindYaml(path, "d"), dir + "/src/things/d.yaml");
  EXPECT_FALSE(FindYaml(path, "e").has_value());

  const auto catalog = YamlCatalog(path);
  ASSERT_EQ(catalog.size(), 4u);
  EXPECT_EQ(catalog[0].name, "a");
  EXPECT_EQ(catalog[0].shadowed, (std::vector<std::string>{dir + "/env2/a.yaml"}));
  EXPECT_EQ(catalog[1].name, "b");
  EXPECT_EQ(catalog[1].origin, "$FLBENCH_TEST_THINGS");
  EXPECT_EQ(catalog[1].shadowed, (std::vector<std::string>{"things/b.yaml"}));
  EXPECT_EQ(catalog[2].path, "things/c.yaml");
  EXPECT_EQ(catalog[2].shadowed, (std::vector<std::string>{dir + "/src/things/c.yaml"}));
  EXPECT_TRUE(catalog[3].shadowed.empty());
  EXPECT_NE(DescribeSearchPath(path).find("things (./things)"), std::string::npos);

  // The same directory twice (./things is also in the variable, or is the source tree) is listed once.
  setenv("FLBENCH_TEST_THINGS", (dir + "/work/things").c_str(), 1);
  const auto once = SearchPath("FLBENCH_TEST_THINGS", "things", dir + "/work");
  ASSERT_EQ(once.size(), 1u);
  EXPECT_TRUE(YamlCatalog(once)[0].shadowed.empty());
  unsetenv("FLBENCH_TEST_THINGS");
  EXPECT_EQ(SearchPath("FLBENCH_TEST_THINGS", "nothing", dir + "/none").size(), 0u);
  std::system(("rm -rf " + dir).c_str());
}

TEST(FilesTest, AMissingDirectoryInTheVariableIsAnError) {
  setenv("FLBENCH_TEST_THINGS", "/no/such/flbench/dir", 1);
  try {
    SearchPath("FLBENCH_TEST_THINGS", "things", ".");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("$FLBENCH_TEST_THINGS: '/no/such/flbench/dir' is not a directory"), std::string::npos)
        << e.what();
  }
  unsetenv("FLBENCH_TEST_THINGS");
}

TEST(FilesTest, ExecutablePathIsThisBinary) {
  const std::string exe = ExecutablePath();
  EXPECT_EQ(fs::path(exe).filename(), "test_util");
  EXPECT_TRUE(fs::exists(exe));
  EXPECT_EQ(InstalledShareDir(), "") << "a build-tree binary has no ../share/flbench";
}

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(FilesTest, WriteFileAtomicFromManyThreadsAtOnce) {
  const std::string dir = testing::TempDir();
  const std::string path = dir + "/sub/out.md";
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t)
    writers.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        try {
          WriteFileAtomic(path, std::string(1000 + t, char('a' + t)));
        } catch (const Error&) {
          ++failures;
        }
      }
    });
  for (auto& w : writers) w.join();
  EXPECT_EQ(failures, 0);
  const std::string text = testing::FileText(path);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text, std::string(text.size(), text[0])) << "one writer's whole text, never a mix";
  for (const auto& e : fs::directory_iterator(dir + "/sub")) EXPECT_EQ(e.path().filename(), "out.md");
  EXPECT_NE(ErrorOf([&] { WriteFileAtomic(dir, "x"); }).find("is a directory"), std::string::npos);
}

TEST(FilesTest, CheckOutputPathProbesWithoutLeavingFiles) {
  const std::string dir = testing::TempDir();
  EXPECT_EQ(ErrorOf([&] { CheckOutputPath(dir + "/new/deeper/r.md", "--report"); }), "");
  EXPECT_FALSE(fs::exists(dir + "/new")) << "missing directories are not created by the check";
  EXPECT_TRUE(fs::is_empty(dir)) << "the probe file is removed";
  std::ofstream(dir + "/file") << "x";
  EXPECT_EQ(ErrorOf([&] { CheckOutputPath(dir + "/file", "--out"); }), "") << "an existing file is replaced";
  EXPECT_NE(ErrorOf([&] { CheckOutputPath(dir, "--report"); }).find("--report " + dir + ": is a directory"),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] { CheckOutputPath(dir + "/file/r.md", "--report"); }).find("is not a directory"),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] { CheckOutputPath("/proc/x/y.md", "--report"); }).find("cannot create files in /proc"),
            std::string::npos);
  EXPECT_NE(ErrorOf([&] { CheckOutputPath("/dev/null", "--out"); }).find("not a regular file"), std::string::npos);
}

}  // namespace
}  // namespace flbench
