#pragma once
// Numeric value of a LaTeX (or plain) arithmetic expression, from the hand-written evaluator that the equivalence
// checker uses: recursive descent over complex doubles, bounded depth, size and evaluation work.
#include <complex>
#include <optional>
#include <string>

namespace ttrl::answer {

/// Value of a constant expression: "\frac{7}{3}", "2\sqrt[3]{5}", "5!7!", "\binom{6}{2}", "1\frac{1}{2}", "2.5E2",
/// "\sum_{k=1}^{10} k^2", "1.5\%" (= 0.015), "e^{i\pi}", "204_5" (= 54). std::nullopt when the text is not a
/// constant expression (free variables, text, relations, lists, matrices), is undefined (division by zero, overflow)
/// or not finite ("\infty"), or exceeds the work limits. Normalisation (docs/grading.md) is applied first.
std::optional<std::complex<double>> evaluate_latex(const std::string& latex);

}  // namespace ttrl::answer
