// The one JSONL reader (include/ttrl/core/jsonl.hpp): line numbers, blank lines, CRLF, UTF-8, line length, errors
// thrown by the visitor, torn lines.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "ttrl/core/error.hpp"
#include "ttrl/core/jsonl.hpp"

namespace {

using nlohmann::json;

std::string error_of(const std::string& text, const ttrl::JsonlVisitor& visit = [](const json&, const ttrl::JsonlLine&) {},
                     const ttrl::JsonlOptions& options = {}) {
  std::istringstream in(text);
  try {
    ttrl::read_jsonl(in, "data.jsonl", visit, options);
  } catch (const ttrl::IoError& e) {
    return e.what();
  }
  return "";
}

TEST(Jsonl, VisitsObjectsWithTheirLineNumbersSkippingBlankLinesAndCr) {
  std::istringstream in("{\"a\": 1}\r\n\n   \t\n{\"a\": 2}\n{\"a\": 3}");  // the last line has no newline
  std::vector<int64_t> lines, values;
  std::vector<std::string> texts;
  const int64_t n = ttrl::read_jsonl(in, "data.jsonl", [&](const json& object, const ttrl::JsonlLine& line) {
    lines.push_back(line.number);
    values.push_back(object.at("a").get<int64_t>());
    texts.emplace_back(line.text);
  });
  EXPECT_EQ(n, 3);
  EXPECT_EQ(lines, (std::vector<int64_t>{1, 4, 5}));
  EXPECT_EQ(values, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(texts[0], "{\"a\": 1}");  // without the '\r'
}

TEST(Jsonl, MalformedJsonNamesFileAndLine) {
  const std::string message = error_of("{\"a\": 1}\n{\"a\": \n");
  EXPECT_EQ(message.rfind("data.jsonl:2: not valid JSON", 0), 0u) << message;
}

TEST(Jsonl, InvalidUtf8IsCalledThatWithItsColumn) {
  const std::string message = error_of("{\"a\": 1}\n{\"prompt\": \"ab\xFF\"}\n");
  EXPECT_EQ(message.rfind("data.jsonl:2: not valid UTF-8", 0), 0u) << message;
  EXPECT_NE(message.find("column"), std::string::npos) << message;
}

TEST(Jsonl, NonObjectLinesAreErrorsNamingTheType) {
  EXPECT_EQ(error_of("[1, 2]\n"), "data.jsonl:1: expected a JSON object, got array");
  EXPECT_EQ(error_of("{}\n\"text\"\n"), "data.jsonl:2: expected a JSON object, got string");
}

TEST(Jsonl, VisitorErrorsGetTheLinePrefix) {
  const auto visit = [](const json& object, const ttrl::JsonlLine&) {
    if (!object.contains("prompt")) throw ttrl::IoError("missing \"prompt\"");
    (void)object.at("prompt").get<std::string>();  // nlohmann type_error on a number
  };
  EXPECT_EQ(error_of("{\"prompt\": \"x\"}\n\n{}\n", visit), "data.jsonl:3: missing \"prompt\"");
  const std::string type_error = error_of("{\"prompt\": 5}\n", visit);
  EXPECT_EQ(type_error.rfind("data.jsonl:1: ", 0), 0u) << type_error;
  EXPECT_NE(type_error.find("type must be string"), std::string::npos) << type_error;
}

TEST(Jsonl, OverlongLineIsRefusedWithoutReadingItWhole) {
  ttrl::JsonlOptions options;
  options.max_line_bytes = 16;
  const std::string message = error_of("{\"a\": 1}\n{\"a\": \"" + std::string(1000, 'x') + "\"}\n",
                                       [](const json&, const ttrl::JsonlLine&) {}, options);
  EXPECT_EQ(message, "data.jsonl:2: line longer than 16 bytes (one JSON object per line expected)");
  EXPECT_EQ(error_of(std::string(16, ' ') + "\n{}\n", [](const json&, const ttrl::JsonlLine&) {}, options), "");
}

TEST(Jsonl, SkipMalformedDropsTornLines) {
  std::istringstream in("{\"step\": 1}\n{\"step\": 2, \"x\"\n[3]\n{\"step\": 4}\n");
  ttrl::JsonlOptions options;
  options.skip_malformed = true;
  std::vector<int64_t> lines;
  EXPECT_EQ(ttrl::read_jsonl(in, "m.jsonl", [&](const json&, const ttrl::JsonlLine& line) { lines.push_back(line.number); },
                             options),
            2);
  EXPECT_EQ(lines, (std::vector<int64_t>{1, 4}));
}

TEST(Jsonl, EmptyInputVisitsNothing) {
  std::istringstream in("");
  EXPECT_EQ(ttrl::read_jsonl(in, "e.jsonl", [](const json&, const ttrl::JsonlLine&) { FAIL(); }), 0);
}

// Found by fuzzing (scripts/fuzz.sh score_jsonl): a number beyond the range of double is valid JSON syntax that
// nlohmann::json refuses with out_of_range, which escaped instead of becoming the line's IoError.
TEST(Jsonl, NumberBeyondDoubleIsAnErrorNamingTheLine) {
  const std::string message = error_of("{\"a\": 1}\n{\"a\": 1e999}\n");
  EXPECT_EQ(message.rfind("data.jsonl:2: not valid JSON", 0), 0u) << message;
  EXPECT_NE(message.find("number overflow"), std::string::npos) << message;
  std::istringstream in("{\"a\": -1e400}\n{\"a\": 2}\n");
  ttrl::JsonlOptions options;
  options.skip_malformed = true;
  EXPECT_EQ(ttrl::read_jsonl(in, "m.jsonl", [](const json&, const ttrl::JsonlLine&) {}, options), 1);
}

}  // namespace
