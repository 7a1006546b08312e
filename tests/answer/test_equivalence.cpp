// equivalent(): the rules of docs/grading.md, one group per section.
#include <gtest/gtest.h>

#include "ttrl/answer/answer.hpp"

namespace ttrl::answer {
namespace {

bool eq(const std::string& a, const std::string& b, Task task = Task::kMath) {
  const bool forward = equivalent(a, b, task);
  EXPECT_EQ(forward, equivalent(b, a, task)) << "not symmetric: " << a << " vs " << b;
  return forward;
}

TEST(Equivalence, NumbersInAnySpelling) {
  EXPECT_TRUE(eq("0.5", "\\frac{1}{2}"));
  EXPECT_TRUE(eq("025", "25"));     // AIME
  EXPECT_TRUE(eq("142.0", "142"));  // AMC
  EXPECT_TRUE(eq("1,000", "1000"));
  EXPECT_TRUE(eq("-\\frac{10}{9}", "-10/9"));
  EXPECT_TRUE(eq("2\\sqrt{2}", "\\sqrt{8}"));
  EXPECT_TRUE(eq("2.5\\times10^{2}", "250"));
  EXPECT_TRUE(eq("e^{i\\pi}", "-1"));
  EXPECT_TRUE(eq("3+4i", "4i+3"));
  EXPECT_FALSE(eq("4", "4\\sqrt{2}"));
  EXPECT_FALSE(eq("\\infty", "-\\infty"));
}

TEST(Equivalence, WrittenDecimalsAreRounded) {
  EXPECT_TRUE(eq("0.333", "\\frac13"));  // 1/3 rounds to 0.333
  EXPECT_TRUE(eq("\\sqrt{17}", "4.123105625617661"));
  EXPECT_TRUE(eq("(\\frac{3}{5},\\frac{8}{3}]", "(0.6,2.6667]"));
  EXPECT_FALSE(eq("0.33", "\\frac13"));   // two significant digits are taken as exact
  EXPECT_FALSE(eq("4.5", "2\\sqrt{5}"));  // 9/2 is not a rounding of 4.47
  EXPECT_FALSE(eq("0.334", "\\frac13"));
  EXPECT_FALSE(eq("3.14", "3.14159"));  // two written numbers are never rounded to each other
  EXPECT_FALSE(eq("5", "5.001"));
  EXPECT_FALSE(eq("1", "1.0000001"));  // otherwise a tight relative tolerance
}

TEST(Equivalence, PercentUnitsDegrees) {
  EXPECT_TRUE(eq("10\\%", "10"));
  EXPECT_TRUE(eq("10\\%", "0.1"));
  EXPECT_TRUE(eq("28\\%", "28 percent"));
  EXPECT_TRUE(eq("15\\mbox{ cm}^2", "15"));
  EXPECT_TRUE(eq("90^\\circ", "90"));
  EXPECT_TRUE(eq("\\$16,\\!386.20", "16386.2"));
  EXPECT_FALSE(eq("10\\%", "1"));
}

TEST(Equivalence, ExpressionsWithVariables) {
  EXPECT_TRUE(eq("(x+1)^2", "x^2+2x+1"));
  EXPECT_TRUE(eq("\\tan^2 y + 1", "\\sec^2 y"));
  EXPECT_TRUE(eq("\\frac{x}{7}+\\frac{2}{7}", "\\frac{x+2}{7}"));
  EXPECT_TRUE(eq("\\frac{1}{3\\sqrt[3]{x}^2}", "\\frac{1}{3x^{2/3}}"));
  EXPECT_TRUE(eq("\\sum_{k=1}^{n} k", "\\frac{n(n+1)}{2}"));
  EXPECT_FALSE(eq("x^2+2x+1", "y^2+2y+1"));
  EXPECT_FALSE(eq("x+2n+1", "x+1"));
  EXPECT_FALSE(eq("(a+5)(b+2)", "(+5)(b+2)"));
}

TEST(Equivalence, AssignmentsEquationsInequalities) {
  EXPECT_TRUE(eq("x = 5", "5"));
  EXPECT_TRUE(eq("f(x)=2x", "2x"));
  EXPECT_TRUE(eq("x = 5+5+1 = 11", "11"));  // a chain is its last value
  EXPECT_TRUE(eq("\\frac{\\sqrt{3}}{3} \\approx 0.577", "\\frac{1}{\\sqrt3}"));
  EXPECT_TRUE(eq("2x+4y-3=0", "y=-\\frac12 x+\\frac34"));  // equations up to a factor
  EXPECT_TRUE(eq("34x+45y-20z+100=0", "-34x-45y+20z-100=0"));
  EXPECT_TRUE(eq("x < 1", "-x > -1"));  // inequalities up to a positive factor
  EXPECT_TRUE(eq("x \\ge 5", "5 \\le x"));
  EXPECT_TRUE(eq("x \\ne 3", "x != 3"));
  EXPECT_FALSE(eq("x < 1", "x > -1"));
  EXPECT_FALSE(eq("x \\geq 5", "x \\leq 5"));
  EXPECT_FALSE(eq("a+3z=0", "0"));  // an equation is not its right side
  EXPECT_FALSE(eq("7 = 11a+c", "11a+c"));
  EXPECT_FALSE(eq("x = 2", "y = 2"));
}

TEST(Equivalence, TuplesIntervalsUnions) {
  EXPECT_TRUE(eq("(1,\\frac92)", "(1,4.5)"));
  EXPECT_TRUE(eq("\\left( 3, \\frac{\\pi}{2} \\right)", "(3, \\frac{\\pi}{2})"));
  EXPECT_TRUE(eq("-2 \\le x \\le 7", "x \\in [-2,7]"));
  EXPECT_TRUE(eq("1\\le|z|\\le\\frac32", "z\\in[-\\frac32,-1]\\cup[1,\\frac32]"));
  EXPECT_TRUE(eq("x \\in (-\\infty, 3)", "x < 3"));
  EXPECT_TRUE(eq("[0,1]\\cup[1,2]", "[0,2]"));
  EXPECT_TRUE(eq("[-1, -\\frac{1}{2}) \\cup (1, \\infty)", "[-1, -\\tfrac12) \\cup (1, +\\infty)"));
  EXPECT_FALSE(eq("(1,2)", "(2,1)"));  // tuples are ordered
  EXPECT_FALSE(eq("[0,1)", "(0,1)"));  // brackets must match
  EXPECT_FALSE(eq("[-3,2]", "(-\\infty, -3] \\cup [2, \\infty)"));
  EXPECT_FALSE(eq("(3,1)", "\\{1,3\\}"));
}

TEST(Equivalence, SetsListsPlusMinus) {
  EXPECT_TRUE(eq("1,2,3", "3,2,1"));
  EXPECT_TRUE(eq("\\{1,2\\}", "2, 1"));
  EXPECT_TRUE(eq("\\{1,3\\}\\cup\\{2,4\\}", "\\{1,2,3,4\\}"));
  EXPECT_TRUE(eq("\\pm 2", "-2, 2"));
  EXPECT_TRUE(eq("1\\pm\\sqrt{19}", "1+\\sqrt{19}, 1-\\sqrt{19}"));
  EXPECT_TRUE(eq("6 \\text{ and } 8", "6,8"));
  EXPECT_TRUE(eq("a_3 = 2, a_{37} = 19", "a_{37} = 19, a_3 = 2"));
  EXPECT_TRUE(eq("p=5,q=2;p=7,q=2", "(5,2),(7,2)"));
  EXPECT_FALSE(eq("1,2", "1"));
  EXPECT_FALSE(eq("\\pm 2021", "2021"));
  EXPECT_FALSE(eq("32, 349", "32349"));
}

TEST(Equivalence, Matrices) {
  EXPECT_TRUE(eq("\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", "\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}"));
  EXPECT_TRUE(eq("\\begin{pmatrix}1&0\\\\0&1\\end{pmatrix}+\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}",
                 "\\begin{pmatrix}2&2\\\\3&5\\end{pmatrix}"));
  EXPECT_TRUE(eq("\\begin{pmatrix}\\frac13\\\\ \\frac15\\end{pmatrix}", "\\begin{pmatrix}0.333\\\\0.2\\end{pmatrix}"));
  EXPECT_FALSE(eq("\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", "\\begin{pmatrix}1&2\\\\3&5\\end{pmatrix}"));
  EXPECT_FALSE(eq("\\begin{pmatrix}1&2\\end{pmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}"));
}

TEST(Equivalence, TextComparesAfterNormalisation) {
  EXPECT_TRUE(eq("\\text{Evelyn}", "evelyn"));
  EXPECT_TRUE(eq("\\text{(C)}", "C"));
  EXPECT_TRUE(eq("\\emptyset", "\\varnothing"));
  EXPECT_FALSE(eq("odd", "\\text{oddd}"));
  EXPECT_FALSE(eq("12:00", "1:00"));
  EXPECT_FALSE(eq("\\text{forty-two}", "42"));
}

TEST(Equivalence, EmptyAnswersAreNeverEqual) {
  EXPECT_FALSE(eq("", ""));
  EXPECT_FALSE(eq("  ", "0"));
}

TEST(Equivalence, ChoiceAndLastNumberTasks) {
  EXPECT_TRUE(eq("(B)", "B", Task::kChoice));
  EXPECT_TRUE(eq("\\text{(c)}", "C", Task::kChoice));
  EXPECT_TRUE(eq("(D) Alina", "D", Task::kChoice));
  EXPECT_FALSE(eq("(A) Cecile", "C", Task::kChoice));
  EXPECT_TRUE(eq("1,234", "1234", Task::kLastNumber));
  EXPECT_TRUE(eq("18", "18.0", Task::kLastNumber));
  EXPECT_FALSE(eq("18", "19", Task::kLastNumber));
}

}  // namespace
}  // namespace ttrl::answer
