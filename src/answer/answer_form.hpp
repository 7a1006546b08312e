#pragma once
// The shape of an answer above single expressions: lists, tuples and intervals, sets, unions, assignments (x = 5),
// equations, inequalities, and text. Each expression is parsed once and sampled once (values at fixed points), so
// that comparing two prepared answers costs no parsing.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "answer/latex_ast.hpp"

namespace ttrl::answer::detail {

/// Sample points at which expressions with variables are compared.
constexpr int kSamplePoints = 6;

/// A number as written: "0.333" has value 0.333, 3 decimals and 3 significant digits.
struct Literal {
  double value = 0;
  int decimals = -1;
  int significant = 0;
};

/// A parsed expression and its values.
struct ExprInfo {
  Expression expr;
  /// samples[s][k]: the value at sample point k with every +- taking sign s (0: +, 1: -); one row without +-.
  std::vector<std::vector<std::optional<Value>>> samples;
  bool constant = false;                              ///< no free variables
  std::optional<Literal> literal;                     ///< the whole expression is a signed number literal
  bool percent = false;                               ///< the whole expression is x\%
  std::optional<Literal> percent_literal;             ///< ... and x is a literal
  std::vector<std::optional<Literal>> cell_literals;  ///< matrix literal: per cell, row-major
};

enum class ElementKind { kExpr, kText, kList, kTuple, kSet, kUnion, kAssign, kEquation, kInequality };
enum class Relation { kEq, kApprox, kLt, kLe, kGt, kGe, kNe, kIn };

struct Element {
  ElementKind kind = ElementKind::kText;
  std::string text;                      ///< the source text (normalised) of this element
  std::shared_ptr<const ExprInfo> expr;  ///< kExpr
  /// kList/kSet/kUnion: members; kTuple: elements; kAssign: {label, value}; kEquation: {lhs, rhs};
  /// kInequality: the operands of a chain.
  std::vector<Element> items;
  std::vector<Relation> relations;  ///< kInequality: between consecutive operands
  char open = 0, close = 0;         ///< kTuple: brackets as written
};

/// The structure of a normalised answer (normalize_math output). Total: unparseable parts become text.
Element parse_answer_form(std::string_view normalized);

/// Whether an expression element is a name rather than a value: x, f(x), |AB|, A:B, \frac{NO}{BO}, (p, q).
bool is_label(const Element& e);

/// Values of an expression element at one point (used by the set-membership comparison).
std::optional<Value> evaluate_at(const ExprInfo& info, const std::string& variable, double at);

}  // namespace ttrl::answer::detail
