// The TTRL evaluation sets (../shared/fixtures/benchmarks): every MATH-500 worked solution grades equal to its
// answer; AIME golds like "025" and AMC golds like "142.0" equal "25" and "142"; in GPQA the article "a" is never
// choice A.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "answer_test_util.hpp"

namespace ttrl::answer {
namespace {

using json = nlohmann::json;

json load(const std::string& name) {
  const std::string path = test::fixture("benchmarks/" + name);
  if (path.empty()) return json();
  std::ifstream in(path);
  return json::parse(in);
}

TEST(Benchmarks, Math500SolutionsGradeEqualToTheirAnswers) {
  int total = 0;
  int equal = 0;
  for (int level = 1; level <= 5; ++level) {
    const json problems = load("MATH-L" + std::to_string(level) + "-TTT.json");
    if (problems.is_null()) GTEST_SKIP() << "shared fixtures absent: " << TTRL_SHARED_DIR << "/fixtures/benchmarks";
    int level_equal = 0;
    for (const json& p : problems) {
      const std::string solution = p["solution"];
      const std::string answer = p["answer"];
      const Verdict v = grade(solution, answer, Task::kMath, /*raw_text=*/true);
      const auto from_solution = extract_answer(solution, Task::kMath);
      const bool ok = from_solution && equivalent(*from_solution, answer, Task::kMath);
      level_equal += ok ? 1 : 0;
      EXPECT_TRUE(ok) << p["unique_id"] << ": extracted " << (from_solution ? *from_solution : "<none>") << ", answer "
                      << answer;
      EXPECT_EQ(v.equal, ok) << p["unique_id"] << ": raw-text grading of the answer field disagrees";
    }
    std::cout << "MATH-500 level " << level << ": " << level_equal << " / " << problems.size() << "\n";
    total += static_cast<int>(problems.size());
    equal += level_equal;
  }
  EXPECT_EQ(total, 500);
  EXPECT_EQ(equal, total);
}

TEST(Benchmarks, AimeAndAmcGoldSpellings) {
  const json aime = load("AIME-TTT.json");
  const json amc = load("AMC-TTT.json");
  if (aime.is_null() || amc.is_null()) GTEST_SKIP() << "shared fixtures absent";
  EXPECT_TRUE(equivalent("025", "25", Task::kMath));
  EXPECT_TRUE(equivalent("142.0", "142", Task::kMath));
  for (const json& p : aime) {
    const std::string gold = p["answer"];  // "025"
    const std::string plain = std::to_string(std::stoi(gold));
    EXPECT_TRUE(equivalent(gold, plain, Task::kMath)) << gold;
    EXPECT_TRUE(grade("The remainder is $\\boxed{" + plain + "}$.", gold, Task::kMath, true).equal) << gold;
    EXPECT_FALSE(equivalent(gold, std::to_string(std::stoi(gold) + 1), Task::kMath)) << gold;
  }
  for (const json& p : amc) {
    const std::string gold = p["answer"];  // "142.0"
    const std::string plain = std::to_string(static_cast<long long>(std::stod(gold)));
    EXPECT_TRUE(equivalent(gold, plain, Task::kMath)) << gold;
    EXPECT_TRUE(grade("so the answer is " + plain + ".", gold, Task::kMath, true).equal) << gold;
  }
}

TEST(Benchmarks, GpqaArticleIsNeverChoiceA) {
  const json gpqa = load("GPQA-TTT.json");
  if (gpqa.is_null()) GTEST_SKIP() << "shared fixtures absent";
  for (const json& p : gpqa) {
    const std::string gold = p["answer"];
    const std::string prompt = p["prompt"];
    const std::string question = prompt.substr(0, prompt.find("\n\nA."));
    // A reasoning full of the article "a", ending on the option.
    const std::string reply = "This is a subtle question. " + question + "\nA careful reading gives " + gold + ".";
    EXPECT_EQ(extract_answer(reply, Task::kChoice), gold) << p["id"];
    EXPECT_TRUE(grade(reply, gold, Task::kChoice, true).equal) << p["id"];
    // Only articles: no option at all.
    EXPECT_FALSE(extract_answer("A careful reading gives a clear picture: a planet with a core.", Task::kChoice));
    EXPECT_NE(extract_answer("The answer is a " + std::string(gold == "A" ? "B" : gold) + ".", Task::kChoice),
              std::optional<std::string>("A"));
  }
}

}  // namespace
}  // namespace ttrl::answer
