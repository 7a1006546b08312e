// Evaluation of parsed answers over complex doubles (scalars and matrices), bounded by kEvalBudget node visits.
// Real arguments take real code paths (so that inf * 2 is inf, not inf + nan*i); complex values appear only where
// the real result is undefined (sqrt(-1), log(-2), (-8)^(1/2)) and then use principal branches.
#include "ttrl/answer/latex_eval.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "answer/latex_ast.hpp"
#include "answer/normalize.hpp"
#include "answer/text_scan.hpp"

namespace ttrl::answer::detail {
namespace {

struct Undefined {};

constexpr double kPi = 3.14159265358979323846;
constexpr double kE = 2.71828182845904523536;
constexpr long kMaxSumTerms = 100000;
constexpr long kMaxInfiniteSumTerms = 20000;
constexpr int kIntegralIntervals = 256;  // Simpson's rule, even

std::uint64_t mix64(std::uint64_t x) {  // splitmix64 finaliser
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::uint64_t hash_name(std::string_view s) {  // FNV-1a
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

double unit_interval(std::uint64_t h) { return static_cast<double>(mix64(h) >> 11) * 0x1.0p-53; }

bool is_real(Complex z) { return z.imag() == 0; }

bool finite(Complex z) { return std::isfinite(z.real()) && std::isfinite(z.imag()); }

bool near_integer(double x) {
  return std::isfinite(x) && std::fabs(x - std::round(x)) < 1e-9 * std::max(1.0, std::fabs(x));
}

void check(Complex z) {
  if (std::isnan(z.real()) || std::isnan(z.imag())) throw Undefined{};
}

// Overflow is undefined (10^{400} is not infinity); only \infty itself is infinite.
void check(Complex r, Complex a, Complex b) {
  check(r);
  if (!finite(r) && finite(a) && finite(b)) throw Undefined{};
}

Complex add(Complex a, Complex b) {
  const Complex r = (is_real(a) && is_real(b)) ? Complex(a.real() + b.real(), 0) : a + b;
  check(r, a, b);
  return r;
}

Complex multiply(Complex a, Complex b) {
  const Complex r = (is_real(a) && is_real(b)) ? Complex(a.real() * b.real(), 0) : a * b;
  check(r, a, b);
  return r;
}

Complex divide(Complex a, Complex b) {
  if (b == Complex(0, 0)) throw Undefined{};
  const Complex r = (is_real(a) && is_real(b)) ? Complex(a.real() / b.real(), 0) : a / b;
  check(r, a, b);
  return r;
}

Complex power(Complex base, Complex exponent) {
  if (exponent == Complex(0, 0)) return 1;
  if (base == Complex(0, 0)) {
    if (exponent.real() > 0) return 0;
    throw Undefined{};
  }
  Complex r;
  if (is_real(base) && is_real(exponent) && (base.real() > 0 || near_integer(exponent.real()))) {
    const double e = near_integer(exponent.real()) ? std::round(exponent.real()) : exponent.real();
    r = std::pow(base.real(), e);
  } else {
    r = std::pow(base, exponent);
  }
  check(r, base, exponent);
  return r;
}

// The n-th root; a negative real radicand with an odd integer index has the real root (cube root of -8 is -2).
Complex root(Complex radicand, Complex index) {
  if (!is_real(index) || index.real() == 0) throw Undefined{};
  const double n = index.real();
  if (is_real(radicand)) {
    const double x = radicand.real();
    if (x >= 0) return std::pow(x, 1.0 / n);
    if (near_integer(n) && static_cast<long long>(std::llround(n)) % 2 != 0) return -std::pow(-x, 1.0 / n);
    if (n == 2) return Complex(0, std::sqrt(-x));
  }
  const Complex r = std::pow(radicand, 1.0 / n);
  check(r);
  return r;
}

double real_only(Complex z) {
  if (std::fabs(z.imag()) > 1e-12 * std::max(1.0, std::fabs(z.real()))) throw Undefined{};
  return z.real();
}

double factorial(double x) {
  if (near_integer(x)) {
    const double n = std::round(x);
    if (n < 0 || n > 170) throw Undefined{};
    double r = 1;
    for (int k = 2; k <= static_cast<int>(n); ++k) r *= k;
    return r;
  }
  const double r = std::tgamma(x + 1);
  if (!std::isfinite(r)) throw Undefined{};
  return r;
}

double binomial(double n, double k) {
  if (near_integer(n) && near_integer(k)) {
    n = std::round(n);
    k = std::round(k);
    if (k < 0 || (n >= 0 && k > n)) return 0;
    if (n >= 0) {
      k = std::min(k, n - k);
      if (k > 5000) throw Undefined{};
      double r = 1;
      for (int i = 1; i <= static_cast<int>(k); ++i) r = r * (n - k + i) / i;
      if (!std::isfinite(r)) throw Undefined{};
      return std::round(r);
    }
  }
  const double r = std::tgamma(n + 1) / (std::tgamma(k + 1) * std::tgamma(n - k + 1));
  if (!std::isfinite(r)) throw Undefined{};
  return r;
}

Complex apply_function(const std::string& name, Complex x) {
  if (is_real(x)) {
    const double v = x.real();
    if (name == "sin") return std::sin(v);
    if (name == "cos") return std::cos(v);
    if (name == "tan") return std::tan(v);
    if (name == "sec") return divide(1, std::cos(v));
    if (name == "csc") return divide(1, std::sin(v));
    if (name == "cot") return divide(std::cos(v), std::sin(v));
    if (name == "arctan") return std::atan(v);
    if (name == "arccot") return v == 0 ? kPi / 2 : std::atan(1 / v);
    if ((name == "arcsin" || name == "arccos") && std::fabs(v) <= 1)
      return name == "arcsin" ? std::asin(v) : std::acos(v);
    if (name == "sinh") return std::sinh(v);
    if (name == "cosh") return std::cosh(v);
    if (name == "tanh") return std::tanh(v);
    if (name == "exp") return std::exp(v);
    if ((name == "ln" || name == "log" || name == "lg") && v > 0) return name == "ln" ? std::log(v) : std::log10(v);
  }
  if (name == "sin") return std::sin(x);
  if (name == "cos") return std::cos(x);
  if (name == "tan") return std::tan(x);
  if (name == "sec") return divide(1, std::cos(x));
  if (name == "csc") return divide(1, std::sin(x));
  if (name == "cot") return divide(std::cos(x), std::sin(x));
  if (name == "arcsin") return std::asin(x);
  if (name == "arccos") return std::acos(x);
  if (name == "arctan") return std::atan(x);
  if (name == "arcsec") return std::acos(divide(1, x));
  if (name == "arccsc") return std::asin(divide(1, x));
  if (name == "arccot") return std::atan(divide(1, x));
  if (name == "sinh") return std::sinh(x);
  if (name == "cosh") return std::cosh(x);
  if (name == "tanh") return std::tanh(x);
  if (name == "coth") return divide(std::cosh(x), std::sinh(x));
  if (name == "sech") return divide(1, std::cosh(x));
  if (name == "csch") return divide(1, std::sinh(x));
  if (name == "exp") return std::exp(x);
  if (x == Complex(0, 0)) throw Undefined{};
  if (name == "ln") return std::log(x);
  if (name == "log" || name == "lg") return std::log10(x);
  throw Undefined{};
}

class Evaluator {
 public:
  Evaluator(const Expression& e, const Bindings& bindings, int sign) : e_(e), bindings_(bindings), sign_(sign) {}

  Value value(int n, int depth) {
    if (--budget_ < 0 || depth > 4 * kMaxDepth) throw Undefined{};
    const Node& node = e_.nodes[static_cast<std::size_t>(n)];
    switch (node.kind) {
      case NodeKind::kAdd:
        return sum_of(node, depth);
      case NodeKind::kMul:
        return product_of(node, depth);
      case NodeKind::kNeg:
        return scale(value(node.kids[0], depth + 1), -1);
      case NodeKind::kPercent:
        return scale(value(node.kids[0], depth + 1), 0.01);
      case NodeKind::kMatrix:
        return matrix(node, depth);
      case NodeKind::kPow:
        return matrix_power_or_scalar(node, depth);
      default:
        return scalar_value(scalar_of(node, depth));
    }
  }

 private:
  static Value scalar_value(Complex z) {
    Value v;
    v.scalar = z;
    return v;
  }

  Complex scalar(int n, int depth) {
    const Value v = value(n, depth + 1);
    if (v.is_matrix()) throw Undefined{};
    return v.scalar;
  }

  static Value scale(Value v, Complex factor) {
    if (!v.is_matrix()) return scalar_value(multiply(v.scalar, factor));
    for (Complex& c : v.cells) c = multiply(c, factor);
    return v;
  }

  static Value plus(const Value& a, const Value& b) {
    if (a.is_matrix() != b.is_matrix()) throw Undefined{};
    if (!a.is_matrix()) return scalar_value(add(a.scalar, b.scalar));
    if (a.rows != b.rows || a.cols != b.cols) throw Undefined{};
    Value r = a;
    for (std::size_t i = 0; i < r.cells.size(); ++i) r.cells[i] = add(r.cells[i], b.cells[i]);
    return r;
  }

  static Value times(const Value& a, const Value& b) {
    if (!a.is_matrix()) return scale(b, a.scalar);
    if (!b.is_matrix()) return scale(a, b.scalar);
    if (a.cols != b.rows) throw Undefined{};
    Value r;
    r.rows = a.rows;
    r.cols = b.cols;
    r.cells.assign(static_cast<std::size_t>(r.rows * r.cols), Complex(0, 0));
    for (int i = 0; i < a.rows; ++i) {
      for (int j = 0; j < b.cols; ++j) {
        Complex acc = 0;
        for (int k = 0; k < a.cols; ++k) {
          acc = add(acc, multiply(a.cells[static_cast<std::size_t>(i * a.cols + k)],
                                  b.cells[static_cast<std::size_t>(k * b.cols + j)]));
        }
        r.cells[static_cast<std::size_t>(i * r.cols + j)] = acc;
      }
    }
    return r;
  }

  Value sum_of(const Node& node, int depth) {
    Value acc;
    for (std::size_t i = 0; i < node.kids.size(); ++i) {
      Value term = value(node.kids[i], depth + 1);
      if (i < node.flags.size() && node.flags[i]) term = scale(term, -1);
      acc = i == 0 ? term : plus(acc, term);
    }
    return acc;
  }

  Value product_of(const Node& node, int depth) {
    Value acc;
    for (std::size_t i = 0; i < node.kids.size(); ++i) {
      Value factor = value(node.kids[i], depth + 1);
      if (i < node.flags.size() && node.flags[i]) {
        if (factor.is_matrix()) throw Undefined{};
        factor.scalar = divide(1, factor.scalar);
      }
      acc = i == 0 ? factor : times(acc, factor);
    }
    return acc;
  }

  Value matrix(const Node& node, int depth) {
    Value v;
    v.rows = node.rows;
    v.cols = node.cols;
    v.cells.reserve(node.kids.size());
    for (int kid : node.kids) v.cells.push_back(scalar(kid, depth));
    return v;
  }

  // A square matrix to a small positive integer power is repeated multiplication; otherwise scalars only.
  Value matrix_power_or_scalar(const Node& node, int depth) {
    const Value base = value(node.kids[0], depth + 1);
    const Complex exponent = scalar(node.kids[1], depth);
    if (!base.is_matrix()) return scalar_value(power(base.scalar, exponent));
    const double n = real_only(exponent);
    if (base.rows != base.cols || !near_integer(n) || n < 1 || n > 16) throw Undefined{};
    Value r = base;
    for (int i = 1; i < static_cast<int>(std::round(n)); ++i) r = times(r, base);
    return r;
  }

  Complex scalar_of(const Node& node, int depth) {
    switch (node.kind) {
      case NodeKind::kNumber:
        return node.number;
      case NodeKind::kConstant:
        return constant(node.name);
      case NodeKind::kVariable:
        return variable(node);
      case NodeKind::kRoot:
        return root(scalar(node.kids[0], depth), node.kids.size() > 1 ? scalar(node.kids[1], depth) : Complex(2));
      case NodeKind::kFunction:
        return function(node, depth);
      case NodeKind::kFactorial:
        return factorial(real_only(scalar(node.kids[0], depth)));
      case NodeKind::kAbs:
        return std::abs(scalar(node.kids[0], depth));
      case NodeKind::kFloor:
        return std::floor(real_only(scalar(node.kids[0], depth)));
      case NodeKind::kCeil:
        return std::ceil(real_only(scalar(node.kids[0], depth)));
      case NodeKind::kBinom:
        return binomial(real_only(scalar(node.kids[0], depth)), real_only(scalar(node.kids[1], depth)));
      case NodeKind::kSum:
      case NodeKind::kProduct:
        return series(node, depth);
      case NodeKind::kIntegral:
        return integral(node, depth);
      case NodeKind::kApply:
        return application(node, depth);
      case NodeKind::kPlusMinus: {
        const Complex left = node.kids[0] < 0 ? Complex(0) : scalar(node.kids[0], depth);
        const Complex right = scalar(node.kids[1], depth);
        const double s = (!node.flags.empty() && node.flags[0]) ? -sign_ : sign_;
        return add(left, multiply(s, right));
      }
      default:
        throw Undefined{};
    }
  }

  static Complex constant(const std::string& name) {
    if (name == "pi") return kPi;
    if (name == "e") return kE;
    if (name == "i") return Complex(0, 1);
    return std::numeric_limits<double>::infinity();
  }

  Complex variable(const Node& node) const {
    if (node.bound) {
      for (auto it = bound_.rbegin(); it != bound_.rend(); ++it) {
        if (it->first == node.name) return it->second;
      }
      throw Undefined{};
    }
    const auto it = std::lower_bound(bindings_.begin(), bindings_.end(), node.name,
                                     [](const auto& binding, const std::string& name) { return binding.first < name; });
    if (it == bindings_.end() || it->first != node.name) throw Undefined{};
    return it->second;
  }

  Complex function(const Node& node, int depth) {
    const Complex x = scalar(node.kids[0], depth);
    if (node.kids.size() > 1) {  // log_b x = ln x / ln b
      const Complex base = scalar(node.kids[1], depth);
      return divide(apply_function("ln", x), apply_function("ln", base));
    }
    const Complex r = apply_function(node.name, x);
    check(r);
    return r;
  }

  // \sum and \prod over integer indices; an infinite upper bound sums until the terms stop mattering.
  Complex series(const Node& node, int depth) {
    const bool is_sum = node.kind == NodeKind::kSum;
    const double lower = real_only(scalar(node.kids[0], depth));
    const double upper = real_only(scalar(node.kids[1], depth));
    if (!near_integer(lower)) throw Undefined{};
    const bool infinite = std::isinf(upper) && upper > 0;
    if (!infinite && !near_integer(upper)) throw Undefined{};
    // Indices beyond 2^53 are not exact in a double, and beyond long their conversion and arithmetic overflow.
    constexpr double kMaxIndex = 9007199254740992.0;
    if (std::fabs(lower) > kMaxIndex || (!infinite && std::fabs(upper) > kMaxIndex)) throw Undefined{};
    const long first = static_cast<long>(std::llround(lower));
    const long last = infinite ? first + kMaxInfiniteSumTerms : static_cast<long>(std::llround(upper));
    if (!infinite && last - first > kMaxSumTerms) throw Undefined{};
    Complex acc = is_sum ? 0 : 1;
    int small_terms = 0;
    for (long k = first; k <= last; ++k) {
      bound_.emplace_back(node.name, Complex(static_cast<double>(k)));
      const Complex term = scalar(node.kids[2], depth);
      bound_.pop_back();
      const Complex before = acc;
      acc = is_sum ? add(acc, term) : multiply(acc, term);
      if (!infinite) continue;
      const bool negligible = std::abs(acc - before) <= 1e-16 * std::max(1e-300, std::abs(acc));
      small_terms = negligible ? small_terms + 1 : 0;
      if (small_terms >= 3 && k - first >= 10) return acc;
    }
    if (infinite) throw Undefined{};  // did not converge within the term limit
    return acc;
  }

  // Simpson's rule on [lower, upper] (finite, real).
  Complex integral(const Node& node, int depth) {
    const double a = real_only(scalar(node.kids[0], depth));
    const double b = real_only(scalar(node.kids[1], depth));
    if (!std::isfinite(a) || !std::isfinite(b)) throw Undefined{};
    const double h = (b - a) / kIntegralIntervals;
    Complex acc = 0;
    for (int i = 0; i <= kIntegralIntervals; ++i) {
      const double weight = (i == 0 || i == kIntegralIntervals) ? 1 : (i % 2 == 1 ? 4 : 2);
      bound_.emplace_back(node.name, Complex(a + i * h));
      acc = add(acc, multiply(weight, scalar(node.kids[2], depth)));
      bound_.pop_back();
    }
    return multiply(acc, h / 3);
  }

  // An undefined function f(x): a fixed pseudo-random value of its name and (rounded) arguments.
  Complex application(const Node& node, int depth) {
    std::uint64_t h = hash_name(node.name);
    for (int kid : node.kids) {
      const Complex arg = scalar(kid, depth);
      for (double part : {arg.real(), arg.imag()}) {
        const double rounded = std::fabs(part) < 1e12 ? std::round(part * 1e6) : part;
        // Beyond int64 (and for inf, NaN) the cast is undefined: those values are hashed by their bits.
        std::uint64_t key = 0;
        if (std::fabs(rounded) < 9.2e18) key = static_cast<std::uint64_t>(static_cast<std::int64_t>(rounded));
        else std::memcpy(&key, &rounded, sizeof key);
        h = mix64(h ^ key);
      }
    }
    return 0.5 + 2.0 * unit_interval(h);
  }

  const Expression& e_;
  const Bindings& bindings_;
  const int sign_;
  long budget_ = kEvalBudget;
  std::vector<std::pair<std::string, Complex>> bound_;
};

}  // namespace

std::optional<Value> evaluate(const Expression& e, const Bindings& bindings, int sign, int node) {
  if (e.root < 0) return std::nullopt;
  try {
    Evaluator evaluator(e, bindings, sign);
    return evaluator.value(node < 0 ? e.root : node, 0);
  } catch (const Undefined&) {
    return std::nullopt;
  }
}

Complex sample_value(std::string_view variable, int k) {
  const std::uint64_t h = hash_name(variable) ^ mix64(static_cast<std::uint64_t>(k) + 0x51ED27A1ULL);
  const double u = unit_interval(h);
  const bool index_like = variable == "n" || variable == "m" || variable == "k" || variable == "N";
  if (index_like) return 2.0 + std::floor(u * 8.0);
  return 0.5 + 2.3 * u;
}

}  // namespace ttrl::answer::detail

namespace ttrl::answer {

std::optional<std::complex<double>> evaluate_latex(const std::string& latex) {
  const std::string normalized = detail::normalize_math(latex);
  if (normalized.size() > detail::kMaxAnswerBytes) return std::nullopt;
  const std::vector<detail::Token> tokens = detail::lex(normalized);
  const std::optional<detail::Expression> e = detail::parse_expression(tokens, 0, tokens.size());
  if (!e || !e->variables.empty()) return std::nullopt;
  const std::optional<detail::Value> v = detail::evaluate(*e, {});
  if (!v || v->is_matrix() || !detail::finite(v->scalar)) return std::nullopt;
  return v->scalar;
}

}  // namespace ttrl::answer
