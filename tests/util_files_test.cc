// util/files.h: the search path ($ENV directories, ./SUBDIR, the source tree, repeats left out, a missing
// $ENV directory is an error), FindYaml's first match, and the catalogue with shadowed files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

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

}  // namespace
}  // namespace flbench
