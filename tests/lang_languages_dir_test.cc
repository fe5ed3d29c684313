// Where named languages are looked up (lang/spec.h: LanguagesDir, LanguageNames, LoadLanguage by name): the
// $FLBENCH_LANGUAGES directory when set, else ./languages when it exists, else the source tree's languages/. Each
// test restores the environment and working directory it changes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "lang/spec.h"
#include "testutil/paths.h"
#include "util/error.h"

namespace flbench {
namespace {

namespace fs = std::filesystem;

const char* kMine = "description: \"only 1s\"\nalphabet: \"01\"\nregex: \"1*\"\n";

// A directory with one language file, mine.yaml, and a file that is not a language (ignored by LanguageNames).
std::string DirWithOneLanguage() {
  const std::string dir = testing::TempDir();
  std::ofstream(dir + "/mine.yaml") << kMine;
  std::ofstream(dir + "/notes.txt") << "not a language\n";
  return dir;
}

TEST(LanguagesDir, EnvironmentVariableWins) {
  const std::string dir = DirWithOneLanguage();
  ASSERT_EQ(setenv("FLBENCH_LANGUAGES", dir.c_str(), 1), 0);
  EXPECT_EQ(LanguagesDir(), dir);
  EXPECT_EQ(LanguageNames(), std::vector<std::string>{"mine"});
  auto lang = LoadLanguage("mine");
  EXPECT_EQ(lang->name(), "mine");
  EXPECT_EQ(lang->description(), "only 1s");
  EXPECT_TRUE(lang->Accepts(lang->Encode("111")));
  try {
    LoadLanguage("tomita1");  // shipped, but not in this directory
    ADD_FAILURE() << "found tomita1 outside $FLBENCH_LANGUAGES";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("languages live in " + dir), std::string::npos) << e.what();
  }
  ASSERT_EQ(setenv("FLBENCH_LANGUAGES", "", 1), 0);  // empty counts as unset
  EXPECT_NE(LanguagesDir(), dir);
  ASSERT_EQ(unsetenv("FLBENCH_LANGUAGES"), 0);
}

// Restores the working directory however the test ends.
struct CwdGuard {
  fs::path saved = fs::current_path();
  ~CwdGuard() { fs::current_path(saved); }
};

TEST(LanguagesDir, WorkingDirectoryThenSourceTree) {
  ASSERT_EQ(unsetenv("FLBENCH_LANGUAGES"), 0);
  const CwdGuard guard;
  const std::string empty = testing::TempDir();
  fs::current_path(empty);  // no ./languages: the source tree's
  EXPECT_EQ(LanguagesDir(), testing::SourceDir() + "/languages");
  EXPECT_NO_THROW(LoadLanguage("tomita1"));
  const std::string parent = testing::TempDir();
  fs::create_directory(parent + "/languages");
  std::ofstream(parent + "/languages/mine.yaml") << kMine;
  fs::current_path(parent);  // ./languages exists: it is used
  EXPECT_EQ(LanguagesDir(), "languages");
  EXPECT_EQ(LanguageNames(), std::vector<std::string>{"mine"});
  EXPECT_EQ(LoadLanguage("mine")->name(), "mine");
  EXPECT_THROW(LoadLanguage("tomita1"), Error);
}

}  // namespace
}  // namespace flbench
