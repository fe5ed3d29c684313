// ReadDatasetDir (src/lang/dataset_io.h): reads what `flbench dataset` writes (hand-written files here in that
// format), and every malformed file is an error naming FILE:LINE.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "lang/dataset_io.h"
#include "testutil/paths.h"
#include "util/error.h"

namespace flbench {
namespace {

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

const char* kNextHeader = "# language=t alphabet=01 task=next-symbol split=train lengths=1-2 count=2\n";

TEST(DatasetIo, ReadsAllSplitsInOrder) {
  const std::string dir = testing::TempDir();
  Write(dir + "/train.tsv", std::string(kNextHeader) + "0\t1\t101\n01\t1\t101,011\n");
  Write(dir + "/test.tsv", "# language=t alphabet=01 task=next-symbol split=test lengths=1-2 count=1\n1\t1\t011\n");
  Write(dir + "/test_51-100.tsv", "# language=t alphabet=01 task=next-symbol split=test[51,100] lengths=51-100 count=0\n");
  Write(dir + "/test_3-4.tsv", "# language=t alphabet=01 task=next-symbol split=test[3,4] lengths=3-4 count=0\n");
  const Dataset d = ReadDatasetDir(dir);
  EXPECT_EQ(d.language, "t");
  EXPECT_EQ(d.alphabet, "01");
  EXPECT_EQ(d.task, Task::kNextSymbol);
  ASSERT_EQ(d.train.examples.size(), 2u);
  EXPECT_EQ(d.train.examples[1].x, (std::vector<uint8_t>{0, 1}));
  // "101": symbol 0 may follow, symbol 1 may not, the prefix is a member → bits 0 and 2.
  EXPECT_EQ(d.train.examples[1].next, (std::vector<uint32_t>{0b101, 0b110}));
  ASSERT_EQ(d.tests.size(), 3u);
  EXPECT_EQ(d.tests[0].name, "test");
  EXPECT_EQ(d.tests[1].name, "test[3,4]");  // bins by their lower length
  EXPECT_EQ(d.tests[2].min_len, 51);
  EXPECT_TRUE(d.validation.examples.empty());
}

std::string ErrorOf(const std::string& train) {
  const std::string dir = testing::TempDir();
  Write(dir + "/train.tsv", train);
  try {
    ReadDatasetDir(dir);
  } catch (const Error& e) {
    const std::string what = e.what();
    return what.rfind(dir, 0) == 0 ? what.substr(dir.size()) : what;
  }
  return "(no error)";
}

TEST(DatasetIo, MalformedFilesAreLocatedErrors) {
  const std::string mem = "# language=t alphabet=ab task=membership split=train lengths=1-3 count=1\n";
  EXPECT_EQ(ErrorOf(mem + "ab\t2\n").rfind("/train.tsv:2: LABEL must be 0 or 1", 0), 0u) << ErrorOf(mem + "ab\t2\n");
  EXPECT_NE(ErrorOf(mem + "ac\t1\n").find("train.tsv:2: symbol 'c' is not in the alphabet"), std::string::npos);
  EXPECT_NE(ErrorOf(mem + "ab\n").find("train.tsv:2: expected 2 tab-separated columns"), std::string::npos);
  EXPECT_NE(ErrorOf(mem + "ab\t1\nb\t0\n").find("header says count=1 but the file has 2"), std::string::npos);
  EXPECT_NE(ErrorOf("ab\t1\n").find("train.tsv:1: expected a '# language="), std::string::npos);
  EXPECT_NE(ErrorOf("").find("empty file"), std::string::npos);
  EXPECT_NE(ErrorOf("# language=t alphabet=ab task=parsing\n").find("task must be"), std::string::npos);
  const std::string next = "# language=t alphabet=01 task=next-symbol split=train lengths=1-2\n";
  EXPECT_NE(ErrorOf(next + "01\t1\t101\n").find("1 targets for 2 symbols"), std::string::npos);
  EXPECT_NE(ErrorOf(next + "01\t1\t101,01\n").find("target 2 must be 3 characters"), std::string::npos);
  EXPECT_NE(ErrorOf(next + "0\t1\t101,011\n").find("more targets than symbols"), std::string::npos);
  EXPECT_NE(ErrorOf(next + "0\t1\t100\n").find("end-of-string bit must be 1"), std::string::npos);
  EXPECT_NE(ErrorOf(next + "0\t0\t101\n").find("next-symbol rows are members"), std::string::npos);
}

TEST(DatasetIo, DirectoryErrors) {
  EXPECT_THROW(ReadDatasetDir("/nonexistent/dir"), Error);
  EXPECT_THROW(ReadDatasetDir(testing::TempDir()), Error);  // no train.tsv
  const std::string dir = testing::TempDir();
  Write(dir + "/train.tsv", "# language=t alphabet=ab task=membership split=train lengths=1-1 count=1\na\t1\n");
  Write(dir + "/test.tsv", "# language=t alphabet=01 task=membership split=test lengths=1-1 count=1\n0\t1\n");
  try {
    ReadDatasetDir(dir);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("test.tsv:1: header disagrees with train.tsv"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace flbench
