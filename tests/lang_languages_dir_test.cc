// Where named languages are looked up (lang/spec.h: LanguageSearchPath, LanguageNames, LanguageCatalog, LoadLanguage
// by name): the directories of $FLBENCH_LANGUAGES, then ./languages when it exists, then the source tree's languages/
// (this test binary is not installed); the first match wins and later ones are shadowed, not hidden wholesale. Each
// test restores the environment and working directory it changes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
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

// Restores the working directory however the test ends.
struct CwdGuard {
  fs::path saved = fs::current_path();
  ~CwdGuard() { fs::current_path(saved); }
};

bool Has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

TEST(LanguagesDir, EnvironmentVariableComesFirstWithoutHidingTheShippedOnes) {
  const std::string dir = DirWithOneLanguage();
  std::ofstream(dir + "/tomita1.yaml") << "description: \"my tomita1\"\nalphabet: \"01\"\nregex: \"0*\"\n";
  const CwdGuard guard;
  fs::current_path(testing::TempDir());  // no ./languages (run from the source tree, it would be the shipped one)
  ASSERT_EQ(setenv("FLBENCH_LANGUAGES", dir.c_str(), 1), 0);
  const auto path = LanguageSearchPath();
  ASSERT_GE(path.size(), 2u);
  EXPECT_EQ(path[0].dir, dir);
  EXPECT_EQ(path[0].origin, "$FLBENCH_LANGUAGES");
  EXPECT_EQ(path.back().dir, testing::SourceDir() + "/languages");
  const auto names = LanguageNames();
  EXPECT_TRUE(Has(names, "mine"));
  EXPECT_TRUE(Has(names, "tomita7")) << "a shipped language is still found after $FLBENCH_LANGUAGES";
  auto lang = LoadLanguage("mine");
  EXPECT_EQ(lang->name(), "mine");
  EXPECT_EQ(lang->description(), "only 1s");
  EXPECT_TRUE(lang->Accepts(lang->Encode("111")));
  EXPECT_EQ(LoadLanguage("tomita1")->description(), "my tomita1") << "the first match wins";
  for (const YamlEntry& e : LanguageCatalog())
    if (e.name == "tomita1")
      EXPECT_EQ(e.shadowed, std::vector<std::string>{testing::SourceDir() + "/languages/tomita1.yaml"});
  try {
    LoadLanguage("tomita9");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("looked in " + dir + " ($FLBENCH_LANGUAGES)"), std::string::npos) << e.what();
  }
  ASSERT_EQ(setenv("FLBENCH_LANGUAGES", "", 1), 0);  // empty counts as unset
  EXPECT_NE(LanguageSearchPath()[0].dir, dir);
  ASSERT_EQ(setenv("FLBENCH_LANGUAGES", (dir + "/missing").c_str(), 1), 0);
  EXPECT_THROW(LanguageNames(), Error) << "a directory that does not exist is an error, not an empty catalogue";
  ASSERT_EQ(unsetenv("FLBENCH_LANGUAGES"), 0);
}

TEST(LanguagesDir, WorkingDirectoryThenSourceTree) {
  ASSERT_EQ(unsetenv("FLBENCH_LANGUAGES"), 0);
  const CwdGuard guard;
  const std::string empty = testing::TempDir();
  fs::current_path(empty);  // no ./languages: only the source tree's
  ASSERT_EQ(LanguageSearchPath().size(), 1u);
  EXPECT_EQ(LanguageSearchPath()[0].dir, testing::SourceDir() + "/languages");
  EXPECT_NO_THROW(LoadLanguage("tomita1"));
  const std::string parent = testing::TempDir();
  fs::create_directory(parent + "/languages");
  std::ofstream(parent + "/languages/mine.yaml") << kMine;
  fs::current_path(parent);  // ./languages exists: searched before the source tree
  const auto path = LanguageSearchPath();
  ASSERT_EQ(path.size(), 2u);
  EXPECT_EQ(path[0].dir, "languages");
  EXPECT_EQ(path[0].origin, "./languages");
  EXPECT_TRUE(Has(LanguageNames(), "mine"));
  EXPECT_EQ(LoadLanguage("mine")->name(), "mine");
  EXPECT_NO_THROW(LoadLanguage("tomita1")) << "a local languages/ must not hide the shipped ones";
}

}  // namespace
}  // namespace flbench
