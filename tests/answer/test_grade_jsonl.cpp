// run_grade_jsonl (the library side of `ttrl grade`).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "ttrl/answer/grade_jsonl.hpp"
#include "ttrl/core/error.hpp"

namespace ttrl::answer {
namespace {

using json = nlohmann::json;

std::vector<json> run(const std::string& input, GradeSummary* summary = nullptr) {
  std::istringstream in(input);
  std::ostringstream out;
  const GradeSummary s = run_grade_jsonl(in, out, "pairs.jsonl");
  if (summary != nullptr) *summary = s;
  std::vector<json> lines;
  std::istringstream result(out.str());
  for (std::string line; std::getline(result, line);) lines.push_back(json::parse(line));
  return lines;
}

std::string error_of(const std::string& input) {
  try {
    run(input);
  } catch (const IoError& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(GradeJsonl, VerdictsPerLine) {
  GradeSummary summary;
  const auto out =
      run("{\"pred\": \"so the answer is \\\\boxed{\\\\frac{1}{2}}\", \"gold\": \"$0.5$\"}\n"
          "\n"
          "{\"pred\": \"0.75\", \"gold\": \"3/4\", \"input_form\": \"answer_only\"}\n"
          "{\"pred\": \"I think it's B\", \"gold\": \"(C)\", \"task\": \"choice\"}\n"
          "{\"pred\": null, \"gold\": \"7\"}\n"
          "{\"pred\": \"no idea\", \"gold\": \"#### 12\", \"task\": \"last_number\"}\n",
          &summary);
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0], json({{"equal", true}, {"pred_answer", "\\frac{1}{2}"}, {"gold_answer", "0.5"}}));
  EXPECT_EQ(out[1], json({{"equal", true}, {"pred_answer", "0.75"}, {"gold_answer", "3/4"}}));
  EXPECT_EQ(out[2], json({{"equal", false}, {"pred_answer", "B"}, {"gold_answer", "C"}}));
  EXPECT_EQ(out[3], json({{"equal", false}, {"pred_answer", nullptr}, {"gold_answer", "7"}}));
  EXPECT_EQ(out[4], json({{"equal", false}, {"pred_answer", nullptr}, {"gold_answer", "12"}}));
  EXPECT_EQ(summary.pairs, 5u);
  EXPECT_EQ(summary.equal, 2u);
  EXPECT_EQ(summary.pred_missing, 2u);
  EXPECT_EQ(summary.gold_missing, 0u);
  EXPECT_EQ(describe(summary),
            "graded 5 pairs: 2 equal (40.0%); predictions without an answer: 2, golds without an answer: 0");
}

TEST(GradeJsonl, BadLinesNameFileAndLine) {
  const std::string good = "{\"pred\": \"1\", \"gold\": \"1\"}\n";
  EXPECT_NE(error_of(good + "not json\n").find("pairs.jsonl:2: not valid JSON"), std::string::npos);
  EXPECT_NE(error_of(good + good + "{\"pred\": \"1\"}\n").find("pairs.jsonl:3: missing field \"gold\""),
            std::string::npos);
  EXPECT_NE(error_of("{\"gold\": \"1\"}\n").find("pairs.jsonl:1: missing field \"pred\""), std::string::npos);
  EXPECT_NE(error_of("[1, 2]\n").find("pairs.jsonl:1: expected a JSON object"), std::string::npos);
  EXPECT_NE(error_of("{\"pred\": 1, \"gold\": \"1\"}\n").find("\"pred\" must be a string or null"), std::string::npos);
  EXPECT_NE(error_of("{\"pred\": \"1\", \"gold\": null}\n").find("\"gold\" must be a string"), std::string::npos);
  EXPECT_NE(error_of("{\"pred\": \"1\", \"gold\": \"1\", \"input_form\": \"latex\"}\n").find("input_form"),
            std::string::npos);
  EXPECT_NE(error_of("{\"pred\": \"1\", \"gold\": \"1\", \"task\": \"poetry\"}\n").find("unknown answer task 'poetry'"),
            std::string::npos);
  EXPECT_NE(error_of(good + "{\"pred\": \"\xff\", \"gold\": \"1\"}\n").find("pairs.jsonl:2:"), std::string::npos);
}

TEST(GradeJsonl, LinesBeforeAnErrorAreWritten) {
  std::istringstream in("{\"pred\": \"1\", \"gold\": \"1\"}\n{oops\n");
  std::ostringstream out;
  EXPECT_THROW(run_grade_jsonl(in, out, "x.jsonl"), IoError);
  EXPECT_EQ(out.str(), "{\"equal\":true,\"pred_answer\":\"1\",\"gold_answer\":\"1\"}\n");
}

}  // namespace
}  // namespace ttrl::answer
