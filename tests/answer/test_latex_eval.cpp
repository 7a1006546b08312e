// The LaTeX arithmetic evaluator (evaluate_latex), value by value.
#include <gtest/gtest.h>

#include <cmath>

#include "ttrl/answer/latex_eval.hpp"

namespace ttrl::answer {
namespace {

constexpr double kPi = 3.14159265358979323846;

void expect_value(const std::string& latex, double expected) {
  const auto v = evaluate_latex(latex);
  ASSERT_TRUE(v.has_value()) << latex;
  EXPECT_NEAR(v->real(), expected, 1e-9 * std::max(1.0, std::fabs(expected))) << latex;
  EXPECT_NEAR(v->imag(), 0.0, 1e-9) << latex;
}

TEST(LatexEval, Arithmetic) {
  expect_value("\\frac{7}{3}", 7.0 / 3);
  expect_value("\\frac94\\pi", 9 * kPi / 4);  // single-token arguments
  expect_value("(-7.13)(1.5)", -10.695);      // implicit multiplication
  expect_value("\\left(-7.13\\right)\\left(1.5\\right)", -10.695);
  expect_value("2.5\\times 10^2", 250);
  expect_value("2^{10}", 1024);
  expect_value("2^10", 1024);  // an unbraced exponent is the whole number, as models mean it
  expect_value("-2^2", -4);    // unary minus binds looser than the power
}

TEST(LatexEval, RootsAndPowers) {
  expect_value("2\\sqrt[3]{-8}", -4);  // the real cube root
  expect_value("\\sqrt{2}\\sqrt{8}", 4);
  expect_value("4^{1/2}", 2);
  const auto i2 = evaluate_latex("\\sqrt{-4}");
  ASSERT_TRUE(i2.has_value());
  EXPECT_NEAR(i2->imag(), 2, 1e-12);
  const auto euler = evaluate_latex("e^{i\\pi}");
  ASSERT_TRUE(euler.has_value());
  EXPECT_NEAR(euler->real(), -1, 1e-12);
  EXPECT_NEAR(euler->imag(), 0, 1e-12);
}

TEST(LatexEval, MixedNumbersAndScientificNotation) {
  expect_value("1\\frac{1}{2}", 1.5);
  expect_value("-3 \\frac{1}{2}", -3.5);
  expect_value("3 1\\frac{1}{2}", 4.5);    // 3 times one and a half
  expect_value("3.1 \\frac{1}{2}", 1.55);  // a decimal before a fraction multiplies
  expect_value("918\\frac{1}{2}", 918.5);
  expect_value("2.5E2", 250);
  expect_value("1500E-1", 150);
}

TEST(LatexEval, FunctionsFactorialsBinomials) {
  expect_value("5!7!", 604800);
  expect_value("\\binom{6}{2}", 15);
  expect_value("\\dbinom{10}{3}", 120);
  expect_value("\\sin{\\frac{\\pi}{2}}", 1);
  expect_value("\\cos 60^\\circ", 0.5);  // degrees in a trig argument
  expect_value("\\tan^{-1}(1)", kPi / 4);
  expect_value("\\log_2 8", 3);
  expect_value("\\ln e", 1);
  expect_value("|-3|", 3);
  expect_value("\\lfloor 2.7 \\rfloor", 2);
  expect_value("\\lceil 2.1 \\rceil", 3);
}

TEST(LatexEval, SumsProductsIntegrals) {
  expect_value("\\sum_{k = 1}^{10} k^2", 385);
  expect_value("\\prod_{k=1}^{5} k", 120);
  expect_value("\\sum_{n = 0}^{\\infty} \\frac{1}{n!}", std::exp(1.0));
  expect_value("\\int_0^7 dx", 7);
  expect_value("\\int_0^1 x^2 dx", 1.0 / 3);
}

TEST(LatexEval, NotationAroundNumbers) {
  expect_value("1.5\\%", 0.015);
  expect_value("100\\%", 1);
  expect_value("\\$1,000.00", 1000);
  expect_value("204_5", 54);  // base 5
  expect_value("90^\\circ", 90);
}

TEST(LatexEval, NotAConstant) {
  EXPECT_FALSE(evaluate_latex("x + 1"));
  EXPECT_FALSE(evaluate_latex("\\sin^2 x + \\cos^2 x"));  // free variables, whatever it simplifies to
  EXPECT_FALSE(evaluate_latex("\\frac{1}{0}"));
  EXPECT_FALSE(evaluate_latex("10^{400}"));  // overflow is undefined, not infinity
  EXPECT_FALSE(evaluate_latex("1000!"));
  EXPECT_FALSE(evaluate_latex("x = 1"));
  EXPECT_FALSE(evaluate_latex("1, 2"));
  EXPECT_FALSE(evaluate_latex("\\text{Evelyn}"));
  EXPECT_FALSE(evaluate_latex("\\begin{pmatrix}1\\\\2\\end{pmatrix}"));
  EXPECT_FALSE(evaluate_latex("\\sum_{k=1}^{\\infty} k"));  // diverges
  EXPECT_FALSE(evaluate_latex("\\frac{1}{2"));              // unbalanced
}

// Found by fuzzing (scripts/fuzz.sh answer): sum bounds beyond the range of long overflowed (undefined behaviour);
// on x86 both bounds of the sum below became LONG_MIN and it "summed" one term.
TEST(LatexEval, SumBoundsBeyondExactIntegersHaveNoValue) {
  EXPECT_FALSE(evaluate_latex("\\sum_{k=-10^{19}}^{10^{19}} 1"));
  EXPECT_FALSE(evaluate_latex("\\prod_{k=10^{19}}^{\\infty} 1"));
  EXPECT_FALSE(evaluate_latex("\\sum_{k=5}^{-10^{50}} k"));
  expect_value("\\sum_{k=10^{6}}^{10^{6}+2} 1", 3);
}

}  // namespace
}  // namespace ttrl::answer
