// cluster_answers: equivalence classes for majority vote and DARE.
#include <gtest/gtest.h>

#include "ttrl/answer/answer.hpp"

namespace ttrl::answer {
namespace {

using Answers = std::vector<std::optional<std::string>>;

TEST(Cluster, EquivalentSpellingsShareAClass) {
  const Answers answers = {"0.5", "\\frac{1}{2}", std::nullopt, "3", "1/2", "x = 3", "", "\\dfrac12"};
  const Clustering c = cluster_answers(answers, Task::kMath);
  ASSERT_EQ(c.cluster_of.size(), answers.size());
  EXPECT_EQ(c.cluster_of, (std::vector<int>{0, 0, -1, 1, 0, 1, -1, 0}));
  ASSERT_EQ(c.members.size(), 2u);
  EXPECT_EQ(c.members[0], (std::vector<int>{0, 1, 4, 7}));
  EXPECT_EQ(c.members[1], (std::vector<int>{3, 5}));
  EXPECT_EQ(c.representative, (std::vector<std::string>{"0.5", "3"}));
}

TEST(Cluster, NoAnswerNeverFormsAClass) {
  const Clustering c = cluster_answers({std::nullopt, std::string(" "), std::nullopt}, Task::kMath);
  EXPECT_EQ(c.cluster_of, (std::vector<int>{-1, -1, -1}));
  EXPECT_TRUE(c.members.empty());
  EXPECT_TRUE(c.representative.empty());
  EXPECT_TRUE(cluster_answers({}, Task::kMath).members.empty());
}

TEST(Cluster, ClassesOrderedByFirstMember) {
  const Clustering c = cluster_answers({"7", "2", "7.0", "2", "5"}, Task::kMath);
  EXPECT_EQ(c.cluster_of, (std::vector<int>{0, 1, 0, 1, 2}));
  EXPECT_EQ(c.representative, (std::vector<std::string>{"7", "2", "5"}));
}

TEST(Cluster, ChoiceLetters) {
  const Clustering c = cluster_answers({"B", "(b)", "A", "\\text{B}"}, Task::kChoice);
  EXPECT_EQ(c.cluster_of, (std::vector<int>{0, 0, 1, 0}));
}

TEST(Cluster, SetsAndIntervalsGroupBySemantics) {
  const Clustering c = cluster_answers({"1, 2", "\\{2, 1\\}", "(1, 2)", "[1,2]", "2,1"}, Task::kMath);
  EXPECT_EQ(c.cluster_of, (std::vector<int>{0, 0, 1, 2, 0}));
}

TEST(Cluster, SixtyFourRolloutsOfAVote) {
  Answers answers;
  for (int i = 0; i < 64; ++i) {
    switch (i % 4) {
      case 0:
        answers.push_back("\\frac{3}{4}");
        break;
      case 1:
        answers.push_back("0.75");
        break;
      case 2:
        answers.push_back(i % 8 == 2 ? "\\frac{1}{2}" : std::optional<std::string>());
        break;
      default:
        answers.push_back("75\\%");
        break;
    }
  }
  const Clustering c = cluster_answers(answers, Task::kMath);
  ASSERT_EQ(c.members.size(), 2u);
  EXPECT_EQ(c.members[0].size(), 48u);  // 3/4, 0.75 and 75% vote together
  EXPECT_EQ(c.members[1].size(), 8u);
}

}  // namespace
}  // namespace ttrl::answer
