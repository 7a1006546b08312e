#pragma once
// The LaTeX arithmetic language of answers: tokens, the expression tree, and evaluation over complex doubles.
//
// The parser and evaluator are hand-written by design: answers need a forgiving, total, bounded reader of the LaTeX
// subset that models print (implicit multiplication, \frac12, mixed numbers, \sqrt[3]{x}, \sum, matrices), and no
// library offers that without a computer-algebra system. Limits (kMaxDepth, kMaxNodes, kEvalBudget) make every
// parse and evaluation finish in bounded time whatever the input.
#include <complex>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ttrl::answer::detail {

using Complex = std::complex<double>;

enum class TokenKind : std::uint8_t {
  kNumber,     // 12, 3.50, .5, 2.5E2
  kLetter,     // one letter: x, A
  kWord,       // a run of letters that is prose ("even", "Evelyn")
  kFunction,   // a bare function or constant name: sin, log, pi, infinity
  kCommand,    // \name or \<char>
  kSymbol,     // + - * / ^ _ ( ) [ ] { } | , ; : = < > ! ' & and "\\" (row break)
  kConnector,  // "and", "or" between items
  kOther,      // anything else (non-ASCII, stray punctuation)
};

struct Token {
  TokenKind kind;
  std::string_view text;  // for kCommand: the name without the backslash
  std::size_t pos;        // byte offset in the lexed string
  std::size_t length;     // bytes it spans in the lexed string
};

/// Tokens of a normalised answer (whitespace and spacing commands dropped).
std::vector<Token> lex(std::string_view s);

inline bool is_symbol(const Token& t, char c) {
  return t.kind == TokenKind::kSymbol && t.text.size() == 1 && t.text[0] == c;
}
inline bool is_command(const Token& t, std::string_view name) {
  return t.kind == TokenKind::kCommand && t.text == name;
}

enum class NodeKind : std::uint8_t {
  kNumber,     // number, decimals, significant
  kVariable,   // name (bound: a \sum/\prod/\int index)
  kConstant,   // name: "pi", "e", "i", "inf"
  kAdd,        // kids, flags = negate
  kMul,        // kids, flags = invert (division)
  kNeg,        // kids[0]
  kPow,        // kids[0] ^ kids[1]
  kRoot,       // kids[0] radicand, kids[1] index (absent: square root)
  kFunction,   // name (sin, cos, ..., log, ln, exp); kids[0] argument, kids[1] log base (optional)
  kFactorial,  // kids[0]!
  kAbs,        // |kids[0]|
  kFloor,      // floor
  kCeil,       // ceil
  kBinom,      // binom(kids[0], kids[1])
  kSum,        // name = index; kids: lower, upper, body
  kProduct,    // name = index; kids: lower, upper, body
  kIntegral,   // name = variable; kids: lower, upper, body (body may be absent: integrand 1)
  kApply,      // an undefined function f(x, y): name, kids = arguments
  kMatrix,     // rows x cols cells, row-major
  kPercent,    // kids[0] / 100
  kPlusMinus,  // kids[0] (optional, -1) +- kids[1]; flags[0]: true for \mp
};

struct Node {
  NodeKind kind = NodeKind::kNumber;
  bool bound = false;      // kVariable: an index bound by an enclosing \sum, \prod or \int
  int decimals = -1;       // kNumber: digits written after the decimal point (-1: no point)
  int significant = 0;     // kNumber: significant digits written
  int rows = 0, cols = 0;  // kMatrix
  double number = 0;       // kNumber
  std::string name;
  std::vector<int> kids;
  std::vector<bool> flags;
};

/// Work limits of one parse / one evaluation.
constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxNodes = 4096;
constexpr long kEvalBudget = 200000;  // node visits per evaluation (sums and integrals included)

/// A parsed expression: a node arena (no recursion on destruction) and what the comparison needs to know.
struct Expression {
  std::vector<Node> nodes;
  int root = -1;
  std::vector<std::string> variables;  // free variables, sorted, unique
  bool has_plus_minus = false;
  bool approximate = false;  // infinite sums, integrals: numerical error ~1e-7
  bool has_matrix = false;
};

/// Parses tokens[begin, end) as one expression; std::nullopt when they are not one (text, relation, list, ...).
std::optional<Expression> parse_expression(const std::vector<Token>& tokens, std::size_t begin, std::size_t end);

/// A value: a complex scalar, or a matrix of them (rows > 0).
struct Value {
  Complex scalar{};
  int rows = 0, cols = 0;
  std::vector<Complex> cells;
  bool is_matrix() const { return rows > 0; }
};

/// Values of free variables by name (sorted by name).
using Bindings = std::vector<std::pair<std::string, Complex>>;

/// Value of node `node` (root when -1) with the free variables bound, the +- signs all `sign` (+1 or -1).
/// std::nullopt when undefined (division by zero, overflow, unbound variable, domain, budget exhausted).
std::optional<Value> evaluate(const Expression& e, const Bindings& bindings, int sign = 1, int node = -1);

/// The value a variable takes at sample point k: a function of the name and k only, so that every answer samples
/// the same point. Index-like names (n, m, k, N) get integers 2..9, others reals in (0.5, 2.8).
Complex sample_value(std::string_view variable, int k);

}  // namespace ttrl::answer::detail
