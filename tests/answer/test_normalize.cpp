// normalize_answer: the display / label form of an answer.
#include <gtest/gtest.h>

#include "ttrl/answer/answer.hpp"

namespace ttrl::answer {
namespace {

std::string norm(const std::string& s) { return normalize_answer(s, Task::kMath); }

TEST(Normalize, FractionAndRootSpellings) {
  EXPECT_EQ(norm("\\dfrac{1}{2}"), "\\frac{1}{2}");
  EXPECT_EQ(norm("\\tfrac12"), "\\frac{1}{2}");
  EXPECT_EQ(norm("\\frac12"), "\\frac{1}{2}");
  EXPECT_EQ(norm("\\sqrt3"), "\\sqrt{3}");
  EXPECT_EQ(norm("\\displaystyle\\frac{a}{b}"), "\\frac{a}{b}");
}

TEST(Normalize, Numbers) {
  EXPECT_EQ(norm("025"), "25");     // AIME golds
  EXPECT_EQ(norm("142.0"), "142");  // AMC golds
  EXPECT_EQ(norm("2.50"), "2.5");
  EXPECT_EQ(norm("1,000"), "1000");
  EXPECT_EQ(norm("12,\\!000"), "12000");
  EXPECT_EQ(norm("14{,}916"), "14916");
  EXPECT_EQ(norm("\\$1,000.00"), "1000");
  EXPECT_EQ(norm("(12,102)"), "(12,102)");  // a pair, not twelve thousand
  EXPECT_EQ(norm("x_{01}"), "x_{01}");      // subscripts are names
}

TEST(Normalize, UnitsTextDegreesPercent) {
  EXPECT_EQ(norm("10\\text{ cm}"), "10");
  EXPECT_EQ(norm("865 \\mbox{ inches}^2"), "865");
  EXPECT_EQ(norm("\\frac{1}{3} \\textbf{meters}"), "\\frac{1}{3}");
  EXPECT_EQ(norm("64 square feet"), "64");
  EXPECT_EQ(norm("3s"), "3");
  EXPECT_EQ(norm("1 < ms < 2"), "1<ms<2");  // not a unit: nothing before it is a number
  EXPECT_EQ(norm("90^\\circ"), "90");
  EXPECT_EQ(norm("72 degrees"), "72");
  EXPECT_EQ(norm("50 percent"), "50\\%");
  EXPECT_EQ(norm("28 pct"), "28\\%");
  EXPECT_EQ(norm("\\text{Evelyn}"), "Evelyn");
  EXPECT_EQ(norm("6\\text{ and }8"), "6 and 8");
}

TEST(Normalize, LayoutAndLabels) {
  EXPECT_EQ(norm("\\left( 3, \\frac{\\pi}{2} \\right)"), "(3,\\frac{\\pi}{2})");
  EXPECT_EQ(norm("\\left\\{1,2\\right\\}"), "\\{1,2\\}");
  EXPECT_EQ(norm("x = 5"), "5");
  EXPECT_EQ(norm("k \\in [1,2]"), "[1,2]");
  EXPECT_EQ(norm("x=1, y=2"), "x=1,y=2");  // a list of assignments keeps its labels
  EXPECT_EQ(norm("\\boxed{7}"), "7");
  EXPECT_EQ(norm("185\\"), "185");
  EXPECT_EQ(norm("5."), "5");
}

TEST(Normalize, UnicodeMath) {
  EXPECT_EQ(norm("\xE2\x88\x92"
                 "3 \xC3\x97 4"),
            "-3\\times 4");
  EXPECT_EQ(norm("x \xE2\x89\xA4 5"), "x\\le 5");
  EXPECT_EQ(norm("2\xCF\x80"), "2\\pi");
}

TEST(Normalize, ChoiceLetters) {
  EXPECT_EQ(normalize_answer("(c)", Task::kChoice), "C");
  EXPECT_EQ(normalize_answer("\\text{(B)}", Task::kChoice), "B");
  EXPECT_EQ(normalize_answer("D", Task::kChoice), "D");
}

}  // namespace
}  // namespace ttrl::answer
