// The public grader corpus (../shared/fixtures/grader/cases.jsonl, 439 cases from the tests of Math-Verify,
// latex2sympy2_extended, lighteval, hendrycks/math, NeMo-Skills, SkyRL, simple-evals, lm-evaluation-harness).
//
// Required: at least 95% agreement with `expected` on the "equal" cases without a `policy` field, and at least 90%
// of their unequal pairs rejected. Policy cases (one grader's rule that others contradict) and the other kinds
// (extract, value, normalize, parse) are reported, not required.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "answer_test_util.hpp"
#include "ttrl/answer/latex_eval.hpp"

namespace ttrl::answer {
namespace {

using json = nlohmann::json;

constexpr double kRequiredAgreement = 0.95;
constexpr double kRequiredRejection = 0.90;

struct Tally {
  int total = 0;
  int agree = 0;
  void add(bool ok) {
    ++total;
    agree += ok ? 1 : 0;
  }
  double rate() const { return total == 0 ? 1.0 : static_cast<double>(agree) / total; }
};

std::vector<json> load_cases() {
  const std::string path = test::fixture("grader/cases.jsonl");
  std::vector<json> cases;
  if (path.empty()) return cases;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) cases.push_back(json::parse(line));
  }
  return cases;
}

Task task_of(const json& c) { return c.value("category", "") == "mc_letter" ? Task::kChoice : Task::kMath; }

bool our_verdict(const json& c) {
  if (!c["pred"].is_string() || !c["gold"].is_string()) return false;
  const bool raw_text = c.value("input_form", "raw_text") == "raw_text";
  return grade(c["pred"].get<std::string>(), c["gold"].get<std::string>(), task_of(c), raw_text).equal;
}

void print_row(const std::string& name, const Tally& t) {
  std::cout << "  " << std::left << std::setw(26) << name << std::right << std::setw(4) << t.agree << " / "
            << std::setw(3) << t.total << "  (" << std::fixed << std::setprecision(1) << 100 * t.rate() << "%)\n";
}

TEST(GraderCorpus, EqualCasesWithoutPolicy) {
  const std::vector<json> cases = load_cases();
  if (cases.empty()) GTEST_SKIP() << "shared fixtures absent: " << TTRL_SHARED_DIR << "/fixtures/grader/cases.jsonl";
  Tally overall, rejection, math_verify, policy;
  std::map<std::string, Tally> by_category;
  for (const json& c : cases) {
    if (c["kind"] != "equal") continue;
    const bool expected = c["expected"].get<bool>();
    const bool ours = our_verdict(c);
    if (c.contains("policy")) {
      policy.add(ours == expected);
      continue;
    }
    overall.add(ours == expected);
    by_category[c.value("category", "none")].add(ours == expected);
    if (!expected) rejection.add(!ours);
    const json& reference = c.value("reference_verdicts", json::object());
    const auto mv = reference.find("math_verify_0.8.0_default_parse_verify");
    if (mv != reference.end() && mv->is_boolean()) math_verify.add(ours == mv->get<bool>());
    if (ours != expected) {
      std::cout << "  disagrees with case " << c["id"] << " (" << c.value("category", "") << "): expected " << expected
                << "\n";
    }
  }
  std::cout << "grader corpus, equal cases without policy:\n";
  print_row("overall", overall);
  for (const auto& [category, tally] : by_category) print_row(category, tally);
  print_row("unequal pairs rejected", rejection);
  print_row("same verdict as Math-Verify", math_verify);
  print_row("policy cases (info)", policy);
  EXPECT_GE(overall.total, 300);
  EXPECT_GE(overall.rate(), kRequiredAgreement);
  EXPECT_GE(rejection.rate(), kRequiredRejection);
}

TEST(GraderCorpus, VerdictsAreSymmetric) {
  const std::vector<json> cases = load_cases();
  if (cases.empty()) GTEST_SKIP() << "shared fixtures absent";
  for (const json& c : cases) {
    if (c["kind"] != "equal" || !c["pred"].is_string()) continue;
    const Task task = task_of(c);
    const bool raw_text = c.value("input_form", "raw_text") == "raw_text";
    const Verdict v = grade(c["pred"].get<std::string>(), c["gold"].get<std::string>(), task, raw_text);
    if (!v.pred_answer || !v.gold_answer) continue;
    EXPECT_EQ(equivalent(*v.pred_answer, *v.gold_answer, task), equivalent(*v.gold_answer, *v.pred_answer, task))
        << "case " << c["id"];
  }
}

// The evaluator against the sympy values of latex2sympy2_extended's tests. "E" and "I" are sympy's names for e
// and i, a convention this grader does not share (E and I are variables here).
TEST(GraderCorpus, ValueCases) {
  const std::vector<json> cases = load_cases();
  if (cases.empty()) GTEST_SKIP() << "shared fixtures absent";
  Tally values;
  for (const json& c : cases) {
    if (c["kind"] != "value") continue;
    const std::string text = c["text"];
    if (text == "E" || text.find("I\\pi") != std::string::npos) continue;
    const double expected = c["expected"];
    const auto v = evaluate_latex(text);
    const bool ok = v && std::fabs(v->real() - expected) <= 1e-9 * std::max(1.0, std::fabs(expected)) &&
                    std::fabs(v->imag()) < 1e-9;
    values.add(ok);
    EXPECT_TRUE(ok) << text << " expected " << expected;
  }
  print_row("value cases", values);
  EXPECT_GE(values.total, 25);
}

// Extraction cases that use the default configuration of their grader (the others test configuration switches).
TEST(GraderCorpus, ExtractCases) {
  const std::vector<json> cases = load_cases();
  if (cases.empty()) GTEST_SKIP() << "shared fixtures absent";
  Tally extraction;
  for (const json& c : cases) {
    if (c["kind"] != "extract") continue;
    const std::string config = c["config"].dump();
    const std::string source = c["source"];
    const bool non_default = config.find("boxed_match_priority") != std::string::npos ||
                             config.find("malformed_operators=False") != std::string::npos ||
                             config.find("strings=(") != std::string::npos ||
                             source.find("falls_back_to_choice_text") != std::string::npos;
    if (non_default) continue;
    const Task task = task_of(c);
    const auto answer = extract_answer(c["text"].get<std::string>(), task);
    bool ok = false;
    if (c["expected"].is_null()) {
      ok = !answer.has_value();
    } else {
      ok = answer && equivalent(*answer, c["expected"].get<std::string>(), task);
    }
    extraction.add(ok);
    EXPECT_TRUE(ok) << "case " << c["id"] << ": " << c["text"];
  }
  print_row("extract cases", extraction);
}

// Normalisation cases: our canonical form of the text equals our canonical form of the expected text.
TEST(GraderCorpus, NormalizeAndParseCases) {
  const std::vector<json> cases = load_cases();
  if (cases.empty()) GTEST_SKIP() << "shared fixtures absent";
  for (const json& c : cases) {
    if (c["kind"] == "normalize") {
      EXPECT_EQ(normalize_answer(c["text"], Task::kMath), normalize_answer(c["expected"], Task::kMath))
          << "case " << c["id"];
    }
  }
  // latex2sympy: a bare or braced comma list is a set, a parenthesised one an ordered tuple.
  EXPECT_TRUE(equivalent("\\boxed{1,2,3}", "\\{3,2,1\\}", Task::kMath));
  EXPECT_TRUE(equivalent("\\boxed{\\{1,2,3\\}}", "3,1,2", Task::kMath));
  EXPECT_FALSE(equivalent("\\boxed{(1,2,3)}", "(3,2,1)", Task::kMath));
}

}  // namespace
}  // namespace ttrl::answer
