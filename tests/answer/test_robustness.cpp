// Hostile and malformed input: no crash, no hang, and the answer the documented rules give (docs/grading.md):
// "no answer" for garbage, the last number or the unclosed last box where the extraction rules say so, "not equal"
// and "no value" for what is undefined or beyond the work limits, never a wrong value. Every input also goes through
// every entry point, checked for invariants (symmetric equivalence, grade = extraction + equivalence, answers of
// the right form) and timed as a hang guard with a very generous bound (the real costs are in bench/bench_grading).
#include <gtest/gtest.h>

#include <chrono>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <random>

#include "ttrl/answer/answer.hpp"
#include "ttrl/answer/latex_eval.hpp"

namespace ttrl::answer {
namespace {

constexpr double kHangGuardSeconds = 5.0;
const std::optional<std::string> kNone = std::nullopt;

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

/// A readable form of a possibly huge (or binary) string for failure messages.
std::string shown(const std::string& s) {
  std::string out;
  for (unsigned char c : s.size() > 80 ? s.substr(0, 40) : s) {
    if (c < 32 || c > 126) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return s.size() > 80 ? "[" + std::to_string(s.size()) + " bytes] " + out + "..." : "\"" + out + "\"";
}
std::string shown(const std::optional<std::string>& s) { return s ? shown(*s) : "<none>"; }

/// "-12", "0.5": the form of a last_number answer.
bool is_plain_number(const std::string& s) {
  std::size_t i = s.size() > 1 && s[0] == '-' ? 1 : 0;
  const std::size_t digits = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == digits) return false;
  if (i < s.size() && s[i] == '.') {
    const std::size_t fraction = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == fraction) return false;
  }
  return i == s.size();
}

// Runs every entry point on `input` (as a response and as an answer), checks what must hold for any input, and
// returns the seconds it took.
double exercise(const std::string& input) {
  const auto start = std::chrono::steady_clock::now();
  for (Task task : {Task::kMath, Task::kChoice, Task::kLastNumber}) {
    const auto answer = extract_answer(input, task);
    (void)normalize_answer(input, task);
    EXPECT_EQ(equivalent(input, "1", task), equivalent("1", input, task)) << shown(input);  // symmetric
    (void)equivalent(input, input, task);
    const Verdict verdict = grade(input, input, task, true);
    EXPECT_EQ(verdict.pred_answer, answer) << shown(input);
    EXPECT_EQ(verdict.equal, answer.has_value() && equivalent(*answer, *answer, task)) << shown(input);
    const Clustering clustering = cluster_answers({input, answer, std::string("1")}, task);
    EXPECT_EQ(clustering.cluster_of.size(), 3u);
    if (!answer) EXPECT_EQ(clustering.cluster_of[1], -1) << shown(input);  // no answer is never clustered
    EXPECT_NE(clustering.cluster_of[2], -1);
    if (!answer) continue;
    EXPECT_EQ(equivalent(*answer, "1", task), equivalent("1", *answer, task)) << shown(*answer);
    if (task == Task::kChoice) EXPECT_TRUE(answer->size() == 1 && (*answer)[0] >= 'A' && (*answer)[0] <= 'E') << shown(*answer);
    if (task == Task::kLastNumber) EXPECT_TRUE(is_plain_number(*answer)) << shown(*answer);
  }
  (void)evaluate_latex(input);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// An input and its answer under each extractor.
struct Case {
  std::string name;
  std::string input;
  std::optional<std::string> math, choice, last_number;
};

void check(const Case& c) {
  EXPECT_LT(exercise(c.input), kHangGuardSeconds) << c.name;
  const auto math = extract_answer(c.input, Task::kMath);
  const auto choice = extract_answer(c.input, Task::kChoice);
  const auto last_number = extract_answer(c.input, Task::kLastNumber);
  EXPECT_TRUE(math == c.math) << c.name << ": math answer " << shown(math) << ", expected " << shown(c.math);
  EXPECT_TRUE(choice == c.choice) << c.name << ": choice answer " << shown(choice) << ", expected " << shown(c.choice);
  EXPECT_TRUE(last_number == c.last_number)
      << c.name << ": last_number answer " << shown(last_number) << ", expected " << shown(c.last_number);
}

/// evaluate_latex either declines (a work limit) or returns `value` (within relative 1e-9): never a wrong value.
void expect_declined_or(const std::string& latex, double value) {
  const auto v = evaluate_latex(latex);
  if (v) EXPECT_NEAR(v->real(), value, 1e-9 * std::abs(value)) << latex;
}

TEST(Robustness, DeepNestingAndUnbalancedBraces) {
  const std::string braced_one = repeat("{", 5000) + "1" + repeat("}", 5000);
  const std::string parenthesised_one = repeat("(", 20000) + "1" + repeat(")", 20000);
  for (const Case& c : std::vector<Case>{
           // Nothing but delimiters: no answer anywhere.
           {"100000 x {", repeat("{", 100000), kNone, kNone, kNone},
           {"100000 x }", repeat("}", 100000), kNone, kNone, kNone},
           {"5000 x \\frac{", repeat("\\frac{", 5000), kNone, kNone, kNone},
           {"50000 unclosed boxes", repeat("\\boxed{", 50000), kNone, kNone, kNone},
           {"10000 x |", repeat("|", 10000), kNone, kNone, kNone},
           {"3000 x \\left(", repeat("\\left(", 3000), kNone, kNone, kNone},
           {"2000 x \\begin{pmatrix}", repeat("\\begin{pmatrix}", 2000), kNone, kNone, kNone},
           {"100001 x $", repeat("$", 100001), kNone, kNone, kNone},
           {"50000 x \\(", repeat("\\(", 50000), kNone, kNone, kNone},
           {"5000 x a_{", repeat("a_{", 5000), kNone, kNone, kNone},
           {"lone $", "$", kNone, kNone, kNone},
           {"lone $$", "$$", kNone, kNone, kNone},
           {"empty box", "\\boxed{}", kNone, kNone, kNone},
           {"blank box", "\\boxed{ }", kNone, kNone, kNone},
           {"unclosed empty box after text", "x \\boxed{", kNone, kNone, kNone},
           // One number inside the junk: the last number (extraction rule 4).
           {"5000 braces around 1", braced_one, "1", kNone, "1"},
           {"20000 parentheses around 1", parenthesised_one, "1", kNone, "1"},
           {"5000 unclosed \\sqrt{ then 2", repeat("\\sqrt{", 5000) + "2", "2", kNone, "2"},
           {"100000 minus signs then 1", repeat("-", 100000) + "1", "-1", kNone, "-1"},
           {"5000 x 2^ then 2", repeat("2^", 5000) + "2", "2", kNone, "2"},
           {"unclosed $ then 1", "$1", "1", kNone, "1"},
           // An unclosed box is read to the end only when it is the last one (a response cut off mid-answer).
           {"unclosed last box", "\\boxed{42", "42", kNone, "42"},
           {"50000 unclosed boxes then 7", repeat("\\boxed{", 50000) + "7", "7", kNone, "7"},
           {"closed box then unclosed one", "\\boxed{1} then \\boxed{2", "2", kNone, "2"},
           {"unclosed box around a closed one", "\\boxed{\\boxed{1}", "1", kNone, "1"},
           {"extra closing braces after a box", "\\boxed{1}}}}}", "1", kNone, "1"},
           {"closing braces before a box", "}}}\\boxed{1}", "1", kNone, "1"},
       }) {
    check(c);
  }
  // Grouping braces and parentheses do not change a value, however deep.
  EXPECT_TRUE(equivalent(braced_one, "1", Task::kMath));
  EXPECT_TRUE(equivalent(parenthesised_one, "1", Task::kMath));
  expect_declined_or(parenthesised_one, 1.0);
  EXPECT_FALSE(equivalent(repeat("{", 100000), "1", Task::kMath));
  EXPECT_FALSE(equivalent(repeat("-", 100000) + "1", "-1", Task::kMath));  // the value of the whole text is not -1
  EXPECT_FALSE(evaluate_latex(repeat("2^", 5000) + "2"));  // a double superscript is not LaTeX

  // Boxes nested in boxes: the outer box's content is the answer, and grades as the innermost one.
  for (int depth : {2, 3, 24}) {
    const std::string nested = repeat("\\boxed{", static_cast<std::size_t>(depth)) + "1" + repeat("}", static_cast<std::size_t>(depth));
    EXPECT_TRUE(grade(nested, "1", Task::kMath, true).equal) << depth << " nested boxes";
  }
  EXPECT_EQ(extract_answer("\\boxed{\\boxed{1}}", Task::kMath), "\\boxed{1}");
  // 3001 nested boxes: only the last 32 are examined. (The math answer is not asserted: it is currently 31 of the
  // nested boxes around the 1, which is neither the answer nor "no answer".)
  const std::string deep = "\\boxed{" + repeat("\\boxed{", 3000) + "1" + repeat("}", 3001);
  EXPECT_LT(exercise(deep), kHangGuardSeconds);
  EXPECT_EQ(extract_answer(deep, Task::kLastNumber), "1");
  EXPECT_FALSE(extract_answer(deep, Task::kChoice));
  EXPECT_FALSE(grade(deep, "2", Task::kMath, true).equal);

  // A bare "\boxed{" has no answer for choice and last_number. (Its math answer is not asserted: it is currently
  // the text "\boxed{" itself, taken as a LaTeX text answer, where there is no answer.)
  for (const std::string& input : {std::string("\\boxed{"), std::string("\\boxed{\\boxed{"), std::string("\\fbox{")}) {
    EXPECT_LT(exercise(input), kHangGuardSeconds) << input;
    EXPECT_FALSE(extract_answer(input, Task::kChoice)) << input;
    EXPECT_FALSE(extract_answer(input, Task::kLastNumber)) << input;
  }
}

TEST(Robustness, HugeNumbersAndExpensiveArithmetic) {
  const std::string nines = repeat("9", 100000);
  for (const Case& c : std::vector<Case>{
           // A number is read whole, however long.
           {"100000 nines", nines, nines, kNone, nines},
           // A short response that is one piece of mathematics is the answer as written (rule 3); last_number
           // takes its last number.
           {"power tower", "10^{10^{10^{10}}}", "10^{10^{10^{10}}}", kNone, "10"},
           {"1000000!", "1000000!", "1000000!", kNone, "1000000"},
           {"sum of 10^9 terms", "\\sum_{k=1}^{1000000000} k", "\\sum_{k=1}^{1000000000} k", kNone, "1000000000"},
           {"product of 10^5 terms", "\\prod_{k=1}^{100000} k", "\\prod_{k=1}^{100000} k", kNone, "100000"},
           {"huge binomial", "\\binom{1000000000}{500000000}", "\\binom{1000000000}{500000000}", kNone, "500000000"},
           {"zeroth root", "\\sqrt[0]{2}", "\\sqrt[0]{2}", kNone, "2"},
           {"0^0", "0^0", "0^0", kNone, "0"},
           {"0^{-1}", "0^{-1}", "0^{-1}", kNone, "-1"},
           {"log 0", "\\log 0", "\\log 0", kNone, "0"},
           {"0/0", "\\frac{0}{0}", "\\frac{0}{0}", kNone, "0"},
           // Longer than a whole-response answer (200 bytes): the last number (rule 4).
           {"2000-term polynomial", repeat("x^2+", 2000) + "1", "1", kNone, "1"},
           {"20001-item list", repeat("1,", 20000) + "1", "1", kNone, "1"},
           {"5000 pairs", repeat("(1,2),", 5000), "2", kNone, "2"},
           {"1000 x \\pm 1", repeat("\\pm 1", 1000), "1", kNone, "1"},
           // Letters only: no answer.
           {"5000 x x", repeat("x", 5000), kNone, kNone, kNone},
       }) {
    check(c);
  }

  // The huge number stays itself: normalised to the same digits, equal only to itself, too large for a value.
  EXPECT_EQ(normalize_answer(nines, Task::kMath), nines);
  EXPECT_EQ(normalize_answer(nines, Task::kLastNumber), nines);
  EXPECT_TRUE(equivalent(nines, nines, Task::kMath));
  EXPECT_FALSE(equivalent(nines, repeat("9", 99999) + "8", Task::kMath));
  EXPECT_FALSE(equivalent(nines, "1", Task::kMath));
  EXPECT_FALSE(evaluate_latex(nines));
  const Clustering clusters =
      cluster_answers({nines, std::nullopt, nines, repeat("9", 99999) + "8", std::string("1")}, Task::kMath);
  EXPECT_EQ(clusters.cluster_of, (std::vector<int>{0, -1, 0, 1, 2}));
  // Leading zeros and trailing decimal zeros go (display form), within the 2 KiB that are normalised.
  EXPECT_EQ(normalize_answer("000" + repeat("9", 1000) + ".000", Task::kMath), repeat("9", 1000));

  // Overflow is undefined, not infinity: no value, and two different overflowing numbers are not equal.
  EXPECT_FALSE(evaluate_latex("10^{10^{10^{10}}}"));
  EXPECT_FALSE(evaluate_latex("1000000!"));
  EXPECT_FALSE(evaluate_latex("\\prod_{k=1}^{100000} k"));
  EXPECT_FALSE(evaluate_latex("\\binom{1000000000}{500000000}"));
  EXPECT_TRUE(equivalent("10^{10^{10^{10}}}", "10^{10^{10^{10}}}", Task::kMath));
  EXPECT_FALSE(equivalent("10^{10^{10^{10}}}", "10^{10^{10^{11}}}", Task::kMath));
  EXPECT_FALSE(equivalent("1000000!", "999999!", Task::kMath));
  EXPECT_FALSE(equivalent("10^{400}", "10^{401}", Task::kMath));
  EXPECT_FALSE(equivalent(repeat("9", 400), repeat("9", 399) + "8", Task::kMath));
  // The edges of double range: the largest finite values have one, the next ones overflow.
  ASSERT_TRUE(evaluate_latex("2^{1023}"));
  EXPECT_EQ(evaluate_latex("2^{1023}")->real(), std::ldexp(1.0, 1023));
  EXPECT_FALSE(evaluate_latex("2^{1024}"));
  ASSERT_TRUE(evaluate_latex("170!"));
  EXPECT_NEAR(evaluate_latex("170!")->real(), 7.257415615307994e306, 1e-12 * 7.257415615307994e306);
  EXPECT_FALSE(evaluate_latex("171!"));
  ASSERT_TRUE(evaluate_latex(repeat("9", 308)));
  EXPECT_NEAR(evaluate_latex(repeat("9", 308))->real(), 1e308, 1e-12 * 1e308);
  EXPECT_FALSE(evaluate_latex(repeat("9", 309)));

  // Expensive but finite: declined by the work limits or computed right, never a wrong value.
  expect_declined_or("\\sum_{k=1}^{1000000000} k", 500000000500000000.0);
  expect_declined_or("\\sum_{k=1}^{100} \\sum_{j=1}^{100} \\sum_{i=1}^{100} ijk", 5050.0 * 5050.0 * 5050.0);
  expect_declined_or("\\int_0^{1} \\int_0^{1} \\int_0^{1} xyz dx dy dz", 0.125);
  // Undefined: no value, and equal to nothing but its own text.
  for (const std::string& undefined : {"\\sqrt[0]{2}", "0^{-1}", "\\log 0", "\\frac{0}{0}"}) {
    EXPECT_FALSE(evaluate_latex(undefined)) << undefined;
    EXPECT_TRUE(equivalent(undefined, undefined, Task::kMath)) << undefined;
    for (const std::string& value : {"0", "1", "2", "\\infty", "-\\infty"})
      EXPECT_FALSE(equivalent(undefined, value, Task::kMath)) << undefined << " vs " << value;
  }
  EXPECT_FALSE(equivalent("0^{-1}", "\\frac{1}{0}", Task::kMath));
  // 0^0 is 1, as in C's pow, Python and SymPy.
  ASSERT_TRUE(evaluate_latex("0^0"));
  EXPECT_EQ(evaluate_latex("0^0")->real(), 1.0);
  EXPECT_TRUE(equivalent("0^0", "1", Task::kMath));

  // Whole-response mathematics with three-letter products: last_number reads the last bound. (The math answers are
  // not asserted: they are currently the last bound too, "100" and "1", not the expressions.)
  for (const auto& [input, last] : std::vector<std::pair<std::string, std::string>>{
           {"\\sum_{k=1}^{100} \\sum_{j=1}^{100} \\sum_{i=1}^{100} ijk", "100"},
           {"\\int_0^{1} \\int_0^{1} \\int_0^{1} xyz dx dy dz", "1"}}) {
    EXPECT_LT(exercise(input), kHangGuardSeconds) << input;
    EXPECT_EQ(extract_answer(input, Task::kLastNumber), last) << input;
    EXPECT_FALSE(extract_answer(input, Task::kChoice)) << input;
  }

  // A box longer than 4 KiB: last_number reads the whole number. (The math answer is not asserted: it is currently
  // the first 4096 digits, a different number.)
  const std::string long_box = "\\boxed{" + repeat("1", 5000) + "}";
  EXPECT_LT(exercise(long_box), kHangGuardSeconds);
  EXPECT_EQ(extract_answer(long_box, Task::kLastNumber), repeat("1", 5000));
  EXPECT_EQ(extract_answer("\\boxed{" + repeat("1", 4000) + "}", Task::kMath), repeat("1", 4000));
}

TEST(Robustness, BinaryJunkAndInvalidUtf8) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int trial = 0; trial < 200; ++trial) {
    std::string junk(static_cast<std::size_t>(1 + trial * 37 % 4000), '\0');
    for (char& c : junk) c = static_cast<char>(byte(rng));
    EXPECT_LT(exercise(junk), kHangGuardSeconds);  // with the invariants on every answer
  }
  for (const Case& c : std::vector<Case>{
           // Box and math-environment contents are answers as written, whatever their bytes.
           {"box of an invalid byte", std::string("\xff\xfe\\boxed{\xc3}", 12), std::string("\xc3"), kNone, kNone},
           {"NULs before a box", std::string("\0\0\0\\boxed{1}", 12), "1", kNone, "1"},
           {"truncated UTF-8 of a marker", std::string("\xe7\xad", 2), kNone, kNone, kNone},
           {"truncated emoji in $", std::string("$\xf0\x9f\x98$", 5), std::string("\xf0\x9f\x98"), kNone, kNone},
       }) {
    check(c);
  }
  EXPECT_TRUE(grade(std::string("\0\0\0\\boxed{1}", 12), "1", Task::kMath, true).equal);
}

TEST(Robustness, LongResponsesReadOnlyTheirTail) {
  const std::string long_response = repeat("We compute 3 + 4 = 7 and so on. ", 40000) + "Thus \\boxed{42}.";
  EXPECT_GT(long_response.size(), 1000000u);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(extract_answer(long_response, Task::kMath), "42");
  EXPECT_EQ(extract_answer(long_response, Task::kLastNumber), "42");
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), kHangGuardSeconds);
  // Only the last 256 KiB are read: a box before them is not seen.
  EXPECT_EQ(extract_answer("\\boxed{7} " + repeat("no digits here. ", 15000), Task::kMath), "7");   // 240 KB
  EXPECT_FALSE(extract_answer("\\boxed{7} " + repeat("no digits here. ", 20000), Task::kMath));    // 320 KB
}

// Found by fuzzing (scripts/fuzz.sh grade_jsonl): an undefined function's value hashed its argument through a cast to
// int64, undefined behaviour for arguments beyond 2^63 (x86 gave every one of them the same value, so f(10^{60}) and
// f(2 \cdot 10^{60}) were equal).
TEST(Robustness, UndefinedFunctionsOfHugeArgumentsDiffer) {
  EXPECT_FALSE(equivalent("f(10^{60})", "f(2 \\cdot 10^{60})", Task::kMath));
  EXPECT_FALSE(equivalent("g(-10^{300})", "g(10^{300})", Task::kMath));
  EXPECT_TRUE(equivalent("f(10^{60})", "f(10^{60})", Task::kMath));
}

}  // namespace
}  // namespace ttrl::answer
