// Final-answer extraction: math (boxes, markers, fallbacks), choice (A-E, never an article) and last_number.
#include <gtest/gtest.h>

#include "answer_test_util.hpp"

namespace ttrl::answer {
namespace {

using test::extracted;

TEST(ExtractMath, LastBoxWithNestedBraces) {
  EXPECT_EQ(extracted("First \\boxed{\\frac{1}{2}}.\n\nSo the result is \\boxed{\\frac{\\sqrt{3}}{2}}."),
            "\\frac{\\sqrt{3}}{2}");
  EXPECT_EQ(extracted("\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}."), "\\left( 3, \\frac{\\pi}{2} \\right)");
}

TEST(ExtractMath, BoxSpellings) {
  EXPECT_EQ(extracted("Hence the answer is \\boxed 5."), "5");
  EXPECT_EQ(extracted("Result: \\fbox{7}"), "7");
  EXPECT_EQ(extracted("So the answer is \\\\boxed{004}."), "004");  // doubly escaped LaTeX
  EXPECT_EQ(extracted("\\boxed{W(n) = 1 \\text{ and } W(n) = -1"), "W(n) = 1 \\text{ and } W(n) = -1");  // unclosed
}

TEST(ExtractMath, NearbyBoxesAreJoined) {
  EXPECT_EQ(extracted("\\boxed{1} and \\boxed{2}"), "1, 2");
  EXPECT_EQ(extracted("$\\boxed{1}\\boxed{2}$"), "1, 2");
  EXPECT_EQ(extracted("\\boxed{(1, 2)}, \\boxed{(2, 1)}"), "(1, 2), (2, 1)");
  EXPECT_EQ(extracted("$$\\boxed{(3, 3)} \\text{ for part (a) and } \\boxed{(1, 1)}$$"), "(3, 3), (1, 1)");
  EXPECT_EQ(extracted("\\boxed{5}, \\boxed{5}"), "5");  // duplicates once
}

TEST(ExtractMath, DistantOrUnrelatedBoxesAreNotJoined) {
  EXPECT_EQ(extracted("\\boxed{1} no no no no no \\boxed{2}"), "2");
  EXPECT_EQ(extracted("so \\boxed{\\frac{1}{2}} first, then \\boxed{\\frac{\\sqrt{3}}{2}}."), "\\frac{\\sqrt{3}}{2}");
}

TEST(ExtractMath, AnswerMarkers) {
  EXPECT_EQ(extracted("The final answer is $28\\%$. I hope it is correct."), "28\\%");
  EXPECT_EQ(extracted("Final Answer: The volume of $ABCD$ is 120. I hope it is correct."), "120");
  EXPECT_EQ(extracted("Answer: 42"), "42");
  EXPECT_EQ(extracted("so the answer is -\\frac{10}{9} overall"), "-\\frac{10}{9}");
  EXPECT_EQ(extracted("r\xC3\xA9ponse est (35 + 70 = 105)."), "105");
  EXPECT_EQ(extracted("Total: 3 + 4 = 7\n#### 7"), "7");
  EXPECT_EQ(extracted("\xE7\xAD\x94\xE6\xA1\x88\xEF\xBC\x9A (\\frac{2}{5}) \xE5\x90\xA8"), "\\frac{2}{5}");
}

TEST(ExtractMath, AMarkerAfterTheLastBoxWins) {
  EXPECT_EQ(extracted("so the interest is \\boxed{255}. Then $10,200 + $255 = $10,455. "
                      "Final Answer: The final answer is $10,455$. I hope it is correct."),
            "10,455");
  EXPECT_EQ(extracted("\\boxed{5}. Wait, actually the answer is 6."), "6");
  EXPECT_EQ(extracted("The answer is \\(\\boxed{5}\\)."), "5");  // the marker points at the box
}

TEST(ExtractMath, FallbackToTheLastEnvironmentOrNumber) {
  EXPECT_EQ(extracted("Therefore $x \\geq 5$ is the solution."), "x \\geq 5");
  EXPECT_EQ(extracted("Answer \\[ 9 \\]"), "9");
  EXPECT_EQ(extracted("the number is not 10 which is 1,000.99\xE2\x82\xAC"), "1000.99");
  EXPECT_EQ(extracted("Soucis : 2,74 $ a.."), "2.74");  // a decimal comma in prose
  EXPECT_EQ(extracted("$1$ and $2$ and $3$"), "1, 2, 3");
  EXPECT_EQ(extracted("the probability is 2/3 <|im_start|>user"), "2/3");
  EXPECT_EQ(extracted("we get $x = 4$ and then $\\frac{1}{2$ hmm"), "x = 4");  // a broken environment is skipped
  EXPECT_NE(extracted("so $\x09"
                      "ext{13}$"),
            "13");  // nor does a number inside it stand for it
}

TEST(ExtractMath, WholeShortResponses) {
  EXPECT_EQ(extracted("x^2+2x+1"), "x^2+2x+1");
  EXPECT_EQ(extracted("1 000"), "1000");
  EXPECT_EQ(extracted("$1,000.99"), "1000.99");
  EXPECT_EQ(extracted("-\\frac{10}{9}"), "-\\frac{10}{9}");
}

TEST(ExtractMath, NoAnswer) {
  EXPECT_FALSE(extract_answer("AZYUK2A", Task::kMath));  // a digit inside a word is not a number
  EXPECT_FALSE(extract_answer("", Task::kMath));
  EXPECT_FALSE(extract_answer("I do not know.", Task::kMath));
  EXPECT_FALSE(extract_answer("\\boxed{}", Task::kMath));  // an empty box is no answer
  EXPECT_EQ(extracted("We get \\boxed{} hmm, so 7"), "7");
}

TEST(ExtractChoice, ExplicitForms) {
  EXPECT_EQ(extracted("The answer is (B).", Task::kChoice), "B");
  EXPECT_EQ(extracted("**Answer:** **C**", Task::kChoice), "C");
  EXPECT_EQ(extracted("so \\boxed{\\text{(D)}}", Task::kChoice), "D");
  EXPECT_EQ(extracted("D. it can't be A or B", Task::kChoice), "D");
  EXPECT_EQ(extracted("The answer is for sure D, it can't be A or B", Task::kChoice), "D");
  EXPECT_EQ(extracted("r\xC3\xA9ponse est C non A", Task::kChoice), "C");
  EXPECT_EQ(extracted("B\xE4\xB8\x8D\xE6\x98\xAF A", Task::kChoice), "B");
  EXPECT_EQ(extracted("It's not A because it doesn't make sense, therefore I think it's B", Task::kChoice), "B");
}

TEST(ExtractChoice, TheArticleAIsNeverChoiceA) {
  EXPECT_FALSE(extract_answer("A car travels at 60 mph.", Task::kChoice));
  EXPECT_FALSE(extract_answer("This is a tricky one, and a planet is a sphere.", Task::kChoice));
  EXPECT_EQ(extracted("This is a tricky one; a planet with twice the mass, so the best is C", Task::kChoice), "C");
  EXPECT_EQ(extracted("I think the answer is a bit unclear, but B", Task::kChoice), "B");
  EXPECT_FALSE(extract_answer("Answer: a", Task::kChoice));  // lower case is never an option
}

TEST(ExtractChoice, LettersInsideWordsAreNotOptions) {
  EXPECT_FALSE(extract_answer("No valid answer here", Task::kChoice));
  EXPECT_FALSE(extract_answer("DNA and RNA Bases", Task::kChoice));
  EXPECT_EQ(extracted("Because B is valid", Task::kChoice), "B");
}

TEST(ExtractLastNumber, GsmStyle) {
  EXPECT_EQ(extracted("She pays 1,234 dollars and 5 cents", Task::kLastNumber), "5");
  EXPECT_EQ(extracted("3 + 4 = 7\n#### 72\nso maybe 80", Task::kLastNumber), "72");
  EXPECT_EQ(extracted("the change is -3.5 degrees", Task::kLastNumber), "-3.5");
  EXPECT_EQ(extracted("a total of 12,000,023 votes", Task::kLastNumber), "12000023");
  EXPECT_FALSE(extract_answer("no digits at all", Task::kLastNumber));
}

}  // namespace
}  // namespace ttrl::answer
