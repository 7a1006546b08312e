// Hostile and malformed input: no crash, no hang, "no answer" or "not equal". Each call is also timed as a hang
// guard with a very generous bound (the real costs are in bench/bench_grading).
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "ttrl/answer/answer.hpp"
#include "ttrl/answer/latex_eval.hpp"

namespace ttrl::answer {
namespace {

constexpr double kHangGuardSeconds = 5.0;

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

// Runs every entry point on `input` (as a response and as an answer); returns the seconds it took.
double exercise(const std::string& input) {
  const auto start = std::chrono::steady_clock::now();
  for (Task task : {Task::kMath, Task::kChoice, Task::kLastNumber}) {
    const auto answer = extract_answer(input, task);
    (void)normalize_answer(input, task);
    (void)equivalent(input, "1", task);
    (void)equivalent(input, input, task);
    (void)grade(input, input, task, true);
    (void)cluster_answers({input, answer, std::string("1")}, task);
  }
  (void)evaluate_latex(input);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(Robustness, DeepNestingAndUnbalancedBraces) {
  for (const std::string& input : std::vector<std::string>{
           repeat("{", 100000), repeat("}", 100000), repeat("{", 5000) + "1" + repeat("}", 5000),
           repeat("(", 20000) + "1" + repeat(")", 20000), repeat("\\frac{", 5000), repeat("\\sqrt{", 5000) + "2",
           repeat("\\boxed{", 50000), "\\boxed{" + repeat("\\boxed{", 3000) + "1" + repeat("}", 3001),
           repeat("|", 10000), repeat("-", 100000) + "1", repeat("2^", 5000) + "2", repeat("\\left(", 3000),
           repeat("\\begin{pmatrix}", 2000), repeat("$", 100001), repeat("\\(", 50000), repeat("a_{", 5000)}) {
    EXPECT_LT(exercise(input), kHangGuardSeconds) << input.substr(0, 40);
  }
}

TEST(Robustness, HugeNumbersAndExpensiveArithmetic) {
  EXPECT_FALSE(extract_answer(repeat("9", 100000), Task::kChoice));
  for (const std::string& input : std::vector<std::string>{
           repeat("9", 100000), "10^{10^{10^{10}}}", "1000000!", "\\sum_{k=1}^{1000000000} k",
           "\\prod_{k=1}^{100000} k", "\\sum_{k=1}^{100} \\sum_{j=1}^{100} \\sum_{i=1}^{100} ijk",
           "\\binom{1000000000}{500000000}", "\\int_0^{1} \\int_0^{1} \\int_0^{1} xyz dx dy dz", repeat("x", 5000),
           repeat("x^2+", 2000) + "1", repeat("1,", 20000) + "1", repeat("(1,2),", 5000), repeat("\\pm 1", 1000),
           "\\sqrt[0]{2}", "0^0", "0^{-1}", "\\log 0", "\\frac{0}{0}"}) {
    EXPECT_LT(exercise(input), kHangGuardSeconds) << input.substr(0, 40);
  }
  EXPECT_FALSE(evaluate_latex("10^{10^{10^{10}}}"));
  EXPECT_FALSE(evaluate_latex("\\frac{0}{0}"));
}

TEST(Robustness, BinaryJunkAndInvalidUtf8) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int trial = 0; trial < 200; ++trial) {
    std::string junk(static_cast<std::size_t>(1 + trial * 37 % 4000), '\0');
    for (char& c : junk) c = static_cast<char>(byte(rng));
    EXPECT_LT(exercise(junk), kHangGuardSeconds);
  }
  for (const std::string& input :
       std::vector<std::string>{std::string("\xff\xfe\\boxed{\xc3}", 12), std::string("\0\0\0\\boxed{1}", 12),
                                std::string("\xe7\xad", 2), std::string("$\xf0\x9f\x98$", 5)}) {
    EXPECT_LT(exercise(input), kHangGuardSeconds);
  }
  EXPECT_EQ(extract_answer(std::string("\0\0\0\\boxed{1}", 12), Task::kMath), "1");
}

TEST(Robustness, LongResponsesReadOnlyTheirTail) {
  const std::string long_response = repeat("We compute 3 + 4 = 7 and so on. ", 40000) + "Thus \\boxed{42}.";
  EXPECT_GT(long_response.size(), 1000000u);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(extract_answer(long_response, Task::kMath), "42");
  EXPECT_EQ(extract_answer(long_response, Task::kLastNumber), "42");
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), kHangGuardSeconds);
}

}  // namespace
}  // namespace ttrl::answer
