// Dataset readers: the real TTRL benchmark files (when ../shared is present) and hand-written bad files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ttrl/core/error.hpp"
#include "ttrl/data/dataset.hpp"

namespace fs = std::filesystem;
using ttrl::data::load_dataset;

namespace {

const fs::path kBenchmarks = fs::path(TTRL_SHARED_DIR) / "fixtures" / "benchmarks";

#define SKIP_WITHOUT_FIXTURES()                                                                     \
  if (!fs::exists(kBenchmarks)) GTEST_SKIP() << "no shared fixtures at " << kBenchmarks.string()

/// A temporary directory removed at the end of the test.
class DatasetFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ttrl_test_data_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  /// The message of the IoError load_dataset throws (fails the test when it does not throw one).
  static std::string error_of(const std::string& path) {
    try {
      load_dataset(path);
    } catch (const ttrl::IoError& e) {
      return e.what();
    }
    ADD_FAILURE() << "no IoError for " << path;
    return "";
  }

  fs::path dir_;
};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST(Benchmarks, AimeKeepsLeadingZerosAndIds) {
  SKIP_WITHOUT_FIXTURES();
  const auto records = load_dataset((kBenchmarks / "AIME-TTT.json").string());
  ASSERT_EQ(records.size(), 30u);
  EXPECT_EQ(records[0].answer, "204");
  EXPECT_EQ(records[1].answer, "025");  // a string, never re-read as a number
  EXPECT_EQ(records[0].id, "0");
  EXPECT_EQ(records[29].id, "29");
  EXPECT_FALSE(records[0].prompt.empty());
  EXPECT_FALSE(records[0].level.has_value());
  EXPECT_EQ(records[0].extra.at("source"), "aime");
  EXPECT_FALSE(records[0].extra.contains("prompt"));
  EXPECT_FALSE(records[0].extra.contains("answer"));
}

TEST(Benchmarks, MathLevelFilesGiveTheLevelAndUniqueId) {
  SKIP_WITHOUT_FIXTURES();
  const std::pair<const char*, size_t> files[] = {{"MATH-L1-TTT.json", 43}, {"MATH-L2-TTT.json", 90},
                                                  {"MATH-L3-TTT.json", 105}, {"MATH-L4-TTT.json", 128},
                                                  {"MATH-L5-TTT.json", 134}};
  int level = 1;
  for (const auto& [name, count] : files) {
    const auto records = load_dataset((kBenchmarks / name).string());
    ASSERT_EQ(records.size(), count) << name;
    for (const auto& r : records) ASSERT_EQ(r.level, level) << name;
    ++level;
  }
  const auto l1 = load_dataset((kBenchmarks / "MATH-L1-TTT.json").string());
  EXPECT_EQ(l1[0].id, "test/precalculus/1303.json");
  EXPECT_EQ(l1[0].answer, "\\sqrt{51}");
  EXPECT_TRUE(l1[0].extra.contains("solution"));
}

TEST(Benchmarks, AllFilesLoadWithAnswers) {
  SKIP_WITHOUT_FIXTURES();
  const std::pair<const char*, size_t> files[] = {{"AMC-TTT.json", 83}, {"GPQA-TTT.json", 198}, {"MATH-TTT.json", 500}};
  for (const auto& [name, count] : files) {
    const auto records = load_dataset((kBenchmarks / name).string());
    ASSERT_EQ(records.size(), count) << name;
    for (const auto& r : records) {
      ASSERT_TRUE(r.answer.has_value()) << name << " " << r.id;
      ASSERT_FALSE(r.prompt.empty()) << name << " " << r.id;
      ASSERT_FALSE(r.level.has_value()) << name;  // MATH-TTT.json has no level field and no MATH-L<k> name
    }
  }
  const auto gpqa = load_dataset((kBenchmarks / "GPQA-TTT.json").string());
  EXPECT_EQ(gpqa[0].answer, "D");
  EXPECT_EQ(load_dataset((kBenchmarks / "AMC-TTT.json").string())[0].answer, "142.0");
}

TEST_F(DatasetFiles, JsonlWithCustomKeysNumbersAndLevels) {
  const std::string path = write("gsm.jsonl",
                                 "{\"question\": \"1+1?\", \"target\": 2, \"level\": \"Level 3\"}\n"
                                 "\n"
                                 "{\"question\": \"half?\", \"target\": \"\\\\frac{1}{2}\", \"level\": 4, \"id\": 17}\n"
                                 "{\"question\": \"none\", \"target\": null, \"level\": \"Level ?\"}\n");
  const auto records = load_dataset(path, "question", "target");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].prompt, "1+1?");
  EXPECT_EQ(records[0].answer, "2");
  EXPECT_EQ(records[0].level, 3);
  EXPECT_EQ(records[0].id, "0");
  EXPECT_EQ(records[1].answer, "\\frac{1}{2}");
  EXPECT_EQ(records[1].level, 4);
  EXPECT_EQ(records[1].id, "17");
  EXPECT_FALSE(records[2].answer.has_value());
  EXPECT_FALSE(records[2].level.has_value());
  EXPECT_EQ(records[2].id, "2");  // the record's index, blank lines not counted
  EXPECT_EQ(records[0].extra.at("level"), "Level 3");
  EXPECT_FALSE(records[0].extra.contains("question"));
}

TEST_F(DatasetFiles, LevelFieldWinsOverFileName) {
  const std::string path = write("MATH-L2-custom.json",
                                 "[{\"prompt\": \"a\", \"level\": 5}, {\"prompt\": \"b\"}, {\"prompt\": \"c\", \"level\": \"x\"}]");
  const auto records = load_dataset(path);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].level, 5);
  EXPECT_EQ(records[1].level, 2);
  EXPECT_FALSE(records[2].level.has_value());  // an unreadable level field is not replaced by the file's
  EXPECT_FALSE(records[1].answer.has_value());
}

TEST_F(DatasetFiles, Utf8BomIsSkipped) {
  const auto records = load_dataset(write("bom.json", "\xEF\xBB\xBF[{\"prompt\": \"p\", \"answer\": \"1\"}]"));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].answer, "1");
}

TEST_F(DatasetFiles, EmptyPromptNamesFileLineAndField) {
  auto msg = error_of(write("e.jsonl", "{\"prompt\": \"1+1?\"}\n{\"prompt\": \"  \\n\"}\n"));
  EXPECT_TRUE(contains(msg, "e.jsonl:2: the prompt field \"prompt\" is empty")) << msg;
  msg = error_of(write("e.json", "[{\"prompt\": \"a\"}, {\"prompt\": \"\"}]"));
  EXPECT_TRUE(contains(msg, "e.json: record [1]: the prompt field \"prompt\" is empty")) << msg;
}

TEST(LevelFromFileName, ReadsMathLevelsOnly) {
  EXPECT_EQ(ttrl::data::level_from_file_name("/x/MATH-L3-TTT.json"), 3);
  EXPECT_EQ(ttrl::data::level_from_file_name("MATH-L12.jsonl"), 12);
  EXPECT_FALSE(ttrl::data::level_from_file_name("/MATH-L3/AIME.json").has_value());  // the directory does not count
  EXPECT_FALSE(ttrl::data::level_from_file_name("MATH-TTT.json").has_value());
  EXPECT_FALSE(ttrl::data::level_from_file_name("MATH-Lx.json").has_value());
}

TEST_F(DatasetFiles, MissingFileIsNamed) {
  const std::string path = (dir_ / "absent.json").string();
  EXPECT_TRUE(contains(error_of(path), path));
}

TEST_F(DatasetFiles, EmptyFilesAndEmptyListsAreErrors) {
  const std::string empty = write("empty.json", "  \n\n");
  EXPECT_TRUE(contains(error_of(empty), "empty.json: the file is empty"));
  const std::string no_records = write("none.json", "[]");
  EXPECT_TRUE(contains(error_of(no_records), "none.json: no records"));
  const std::string blank_lines = write("blank.jsonl", "{\"prompt\": \"x\"}\n");
  EXPECT_EQ(load_dataset(blank_lines).size(), 1u);
}

TEST_F(DatasetFiles, UnknownFormatIsNamed) {
  const std::string message = error_of(write("data.csv", "prompt,answer\n1+1,2\n"));
  EXPECT_TRUE(contains(message, "data.csv: unknown format")) << message;
}

TEST_F(DatasetFiles, JsonListErrorsNameTheRecordIndex) {
  std::string message = error_of(write("a.json", "[{\"prompt\": \"ok\"}, \"just a string\"]"));
  EXPECT_TRUE(contains(message, "a.json: record [1]: expected a JSON object, got string")) << message;
  message = error_of(write("b.json", "[{\"prompt\": \"ok\"}, {\"prompt\": \"ok\"}, {\"question\": \"q\"}]"));
  EXPECT_TRUE(contains(message, "b.json: record [2]: missing the prompt field \"prompt\"")) << message;
  message = error_of(write("c.json", "[{\"prompt\": 42}]"));
  EXPECT_TRUE(contains(message, "c.json: record [0]: the prompt field \"prompt\" must be a string, got number"))
      << message;
  message = error_of(write("d.json", "[{\"prompt\": \"p\", \"answer\": [1, 2]}]"));
  EXPECT_TRUE(contains(message, "d.json: record [0]: the answer field \"answer\" must be a string or a number"))
      << message;
}

TEST_F(DatasetFiles, MalformedJsonListNamesTheLine) {
  const std::string message = error_of(write("broken.json", "[\n{\"prompt\": \"a\"},\n{\"prompt\": \"b\",,}\n]"));
  EXPECT_TRUE(contains(message, "broken.json:3: malformed JSON")) << message;
}

// Found by fuzzing (scripts/fuzz.sh dataset): a number beyond the range of double made nlohmann::json throw
// out_of_range, which escaped load_dataset instead of becoming an IoError naming the file.
TEST_F(DatasetFiles, NumberBeyondDoubleIsMalformedJson) {
  std::string message = error_of(write("big.json", "[{\"prompt\": \"p\", \"answer\": 1e999}]"));
  EXPECT_TRUE(contains(message, "big.json: malformed JSON")) << message;
  message = error_of(write("big.jsonl", "{\"prompt\": \"p\", \"answer\": 1e999}\n"));
  EXPECT_TRUE(contains(message, "big.jsonl:1: not valid JSON")) << message;
}

TEST_F(DatasetFiles, JsonlErrorsNameTheLine) {
  std::string message = error_of(write("a.jsonl", "{\"prompt\": \"x\"}\n\n{\"prompt\": \"y\"\n"));
  EXPECT_TRUE(contains(message, "a.jsonl:3: not valid JSON")) << message;
  message = error_of(write("b.jsonl", "{\"prompt\": \"x\"}\n[1, 2]\n"));
  EXPECT_TRUE(contains(message, "b.jsonl:2: expected a JSON object, got array")) << message;
  message = error_of(write("c.jsonl", "{\"prompt\": \"x\"}\n{\"prompt\": null}\n"));
  EXPECT_TRUE(contains(message, "c.jsonl:2: the prompt field \"prompt\" must be a string, got null")) << message;
  // #14: invalid UTF-8 in a prompt was "malformed JSON (JSONL needs one complete object per line)".
  message = error_of(write("d.jsonl", "{\"prompt\": \"x\"}\n{\"prompt\": \"caf\xE9\"}\n"));
  EXPECT_TRUE(contains(message, "d.jsonl:2: not valid UTF-8 near column")) << message;
}

TEST_F(DatasetFiles, DirectoryIsNotADataset) { EXPECT_THROW(load_dataset(dir_.string()), ttrl::IoError); }

TEST_F(DatasetFiles, RecordsKnowWhereTheyCameFrom) {
  const auto jsonl = write("d.jsonl", "{\"prompt\": \"a\"}\n\n{\"prompt\": \"b\", \"paraphrase\": \"B\"}\n");
  const auto records = load_dataset(jsonl);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].where, jsonl + ":1");
  EXPECT_EQ(records[1].where, jsonl + ":3");
  EXPECT_EQ(records[1].extra.at("paraphrase"), "B");
  const auto list = write("d.json", "[{\"prompt\": \"a\"}, {\"prompt\": \"b\"}]");
  EXPECT_EQ(load_dataset(list)[1].where, list + ": record [1]");
}
