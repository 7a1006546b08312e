// Equivalence of prepared answers (docs/grading.md, "Equivalence"). Every rule is symmetric in its two arguments.
#include "answer/equivalence.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "answer/extract_internal.hpp"
#include "answer/normalize.hpp"
#include "answer/text_scan.hpp"

namespace ttrl::answer::detail {
namespace {

// Tolerances. A written decimal is compared by rounding (rounds_to); everything else by relative closeness.
constexpr double kExactRelTol = 1e-9;     // constants
constexpr double kSymbolicRelTol = 1e-8;  // expressions with variables, at each sample point
constexpr double kApproxRelTol = 1e-6;    // infinite sums, integrals (numerical evaluation)
constexpr double kAbsFloor = 1e-12;
constexpr double kRatioRelTol = 1e-6;  // equations/inequalities: the ratio of the two sides' differences
constexpr int kMinAgreeingPoints = 3;
constexpr int kMaxCompareDepth = 32;
constexpr std::size_t kMaxMembers = 64;

bool finite(Complex z) { return std::isfinite(z.real()) && std::isfinite(z.imag()); }

bool close(Complex a, Complex b, double rel) {
  if (finite(a) && finite(b)) return std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b)) + kAbsFloor;
  if (finite(a) || finite(b)) return false;
  // Both infinite: the same direction on the real line (+oo, -oo).
  return std::isinf(a.real()) && std::isinf(b.real()) && (a.real() > 0) == (b.real() > 0) && a.imag() == 0 &&
         b.imag() == 0;
}

// "0.333" stands for every value that rounds to it: |v - 0.333| <= 0.0005. Needs a decimal point and three
// significant digits, so that short decimals are exact: "4.5" is 9/2, not a rounding of 2\sqrt{5} = 4.47.
constexpr int kMinRoundedDigits = 3;

bool rounds_to(const Literal& written, Complex value) {
  if (written.decimals < 1 || written.significant < kMinRoundedDigits) return false;
  if (!finite(value) || std::fabs(value.imag()) > 1e-12 * std::max(1.0, std::fabs(value.real()))) return false;
  const double half_unit = 0.5 * std::pow(10.0, -written.decimals);
  return std::fabs(value.real() - written.value) <= half_unit * (1 + 1e-9) + 1e-12 * std::fabs(written.value);
}

// Two constants: equal within kExactRelTol, or one is a written decimal the other (an exact expression) rounds to.
// Two written numbers are never rounded to each other: "3.14" is not "3.14159".
bool scalars_match(Complex a, const std::optional<Literal>& la, Complex b, const std::optional<Literal>& lb,
                   double rel) {
  if (close(a, b, rel)) return true;
  if (la && !lb) return rounds_to(*la, b);
  if (lb && !la) return rounds_to(*lb, a);
  return false;
}

const std::optional<Literal>& cell_literal(const ExprInfo& info, std::size_t i) {
  static const std::optional<Literal> kNone;
  return i < info.cell_literals.size() ? info.cell_literals[i] : kNone;
}

Value scaled(Value v, double factor) {
  if (factor == 1) return v;
  v.scalar *= factor;
  for (Complex& c : v.cells) c *= factor;
  return v;
}

// One side of an expression comparison: a row of samples (a +- sign), scaled (x\% read as x is scale 100).
struct Side {
  const ExprInfo& info;
  int row;
  double scale;
  const std::optional<Literal>& literal;
};

bool constants_match(const Side& a, const Side& b, double rel) {
  const auto& va = a.info.samples[static_cast<std::size_t>(a.row)][0];
  const auto& vb = b.info.samples[static_cast<std::size_t>(b.row)][0];
  if (!va || !vb) return false;
  const Value x = scaled(*va, a.scale);
  const Value y = scaled(*vb, b.scale);
  if (x.is_matrix() != y.is_matrix()) return false;
  if (!x.is_matrix()) return scalars_match(x.scalar, a.literal, y.scalar, b.literal, rel);
  if (x.rows != y.rows || x.cols != y.cols) return false;
  for (std::size_t i = 0; i < x.cells.size(); ++i) {
    if (!scalars_match(x.cells[i], cell_literal(a.info, i), y.cells[i], cell_literal(b.info, i), rel)) return false;
  }
  return true;
}

bool values_close(const Value& x, const Value& y, double rel) {
  if (x.is_matrix() != y.is_matrix()) return false;
  if (!x.is_matrix()) return close(x.scalar, y.scalar, rel);
  if (x.rows != y.rows || x.cols != y.cols) return false;
  for (std::size_t i = 0; i < x.cells.size(); ++i) {
    if (!close(x.cells[i], y.cells[i], rel)) return false;
  }
  return true;
}

// Expressions with variables: equal at every sample point where both are defined, and defined together at
// kMinAgreeingPoints points at least.
bool sides_match(const Side& a, const Side& b) {
  const bool approximate = a.info.expr.approximate || b.info.expr.approximate;
  if (a.info.constant && b.info.constant) return constants_match(a, b, approximate ? kApproxRelTol : kExactRelTol);
  const auto& ra = a.info.samples[static_cast<std::size_t>(a.row)];
  const auto& rb = b.info.samples[static_cast<std::size_t>(b.row)];
  int agreeing = 0;
  for (int k = 0; k < kSamplePoints; ++k) {
    const auto& x = ra[static_cast<std::size_t>(k)];
    const auto& y = rb[static_cast<std::size_t>(k)];
    if (!x || !y) continue;
    if (!values_close(scaled(*x, a.scale), scaled(*y, b.scale), approximate ? kApproxRelTol : kSymbolicRelTol)) {
      return false;
    }
    ++agreeing;
  }
  return agreeing >= kMinAgreeingPoints;
}

// x\% also compares as x: "10\%" equals both "0.1" and "10".
bool expression_rows_match(const ExprInfo& a, int row_a, const ExprInfo& b, int row_b) {
  if (sides_match(Side{a, row_a, 1, a.literal}, Side{b, row_b, 1, b.literal})) return true;
  if (a.percent && sides_match(Side{a, row_a, 100, a.percent_literal}, Side{b, row_b, 1, b.literal})) return true;
  return b.percent && sides_match(Side{a, row_a, 1, a.literal}, Side{b, row_b, 100, b.percent_literal});
}

int rows_of(const ExprInfo& info) { return static_cast<int>(info.samples.size()); }

bool is_collection(const Element& e) { return e.kind == ElementKind::kList || e.kind == ElementKind::kSet; }

// "f(x)" -> "f", "W_1(n)" -> "W_1": the name of a function-call label; empty when the text is not one.
std::string function_head(std::string_view text) {
  text = trim(text);
  std::size_t i = 0;
  if (text.empty() || !is_ascii_alpha(text[0])) return {};
  ++i;
  if (i < text.size() && text[i] == '_') {
    ++i;
    if (i < text.size() && text[i] == '{') {
      const std::size_t close = matching_brace(text, i, 32);
      if (close == kNotFound) return {};
      i = close + 1;
    } else if (i < text.size() && is_ascii_alnum(text[i])) {
      ++i;
    }
  }
  while (i < text.size() && text[i] == '\'') ++i;
  if (i >= text.size() || text[i] != '(') return {};
  return std::string(text.substr(0, i));
}

bool labels_same(const Element& a, const Element& b) {
  if (text_key(a.text) == text_key(b.text)) return true;
  const std::string head = function_head(a.text);
  return !head.empty() && head == function_head(b.text);
}

// One finite real number an element stands for, if it is a constant real expression without +-.
std::optional<double> constant_real(const Element& e) {
  if (e.kind != ElementKind::kExpr || !e.expr->constant || e.expr->expr.has_plus_minus) return std::nullopt;
  const auto& v = e.expr->samples[0][0];
  if (!v || v->is_matrix() || std::fabs(v->scalar.imag()) > 1e-12) return std::nullopt;
  return v->scalar.real();
}

// A subset of the real line: intervals, points, or an inequality chain in one variable (docs/grading.md,
// "Equivalence").
struct RealSet {
  struct Interval {
    double lo, hi;
    bool lo_closed, hi_closed;
  };
  std::string variable;  // empty when the set does not name one
  std::vector<Interval> intervals;
  std::vector<double> points;
  const Element* predicate = nullptr;

  bool contains(double t) const {
    for (const Interval& i : intervals) {
      const bool above = i.lo_closed ? t >= i.lo : t > i.lo;
      const bool below = i.hi_closed ? t <= i.hi : t < i.hi;
      if (above && below) return true;
    }
    for (double p : points) {
      if (std::fabs(t - p) <= 1e-12 * std::max(1.0, std::fabs(p))) return true;
    }
    return predicate != nullptr && predicate_holds(t);
  }

  bool predicate_holds(double t) const {
    std::vector<double> values;
    for (const Element& operand : predicate->items) {
      const auto v = evaluate_at(*operand.expr, variable, t);
      if (!v || v->is_matrix() || std::fabs(v->scalar.imag()) > 1e-9) return false;
      values.push_back(v->scalar.real());
    }
    for (std::size_t i = 0; i < predicate->relations.size(); ++i) {
      const double x = values[i];
      const double y = values[i + 1];
      const double eps = 1e-12 * std::max({1.0, std::fabs(x), std::fabs(y)});
      bool holds = false;
      switch (predicate->relations[i]) {
        case Relation::kLt:
          holds = x < y - eps;
          break;
        case Relation::kLe:
          holds = x <= y + eps;
          break;
        case Relation::kGt:
          holds = x > y + eps;
          break;
        case Relation::kGe:
          holds = x >= y - eps;
          break;
        case Relation::kNe:
          holds = std::fabs(x - y) > eps;
          break;
        case Relation::kEq:
        case Relation::kApprox:
          holds = std::fabs(x - y) <= eps;
          break;
        default:
          return false;
      }
      if (!holds) return false;
    }
    return true;
  }
};

bool to_real_set(const Element& e, RealSet& out, int depth) {
  if (depth > 8) return false;
  switch (e.kind) {
    case ElementKind::kAssign: {
      const Element& label = e.items[0];
      if (label.kind != ElementKind::kExpr) return false;
      const Expression& x = label.expr->expr;
      const Node& root = x.nodes[static_cast<std::size_t>(x.root)];
      if (root.kind != NodeKind::kVariable) return false;
      RealSet inner;
      if (!to_real_set(e.items[1], inner, depth + 1) || !inner.variable.empty()) return false;
      inner.variable = root.name;
      if (!out.variable.empty() && out.variable != inner.variable) return false;
      out.variable = inner.variable;
      out.intervals.insert(out.intervals.end(), inner.intervals.begin(), inner.intervals.end());
      out.points.insert(out.points.end(), inner.points.begin(), inner.points.end());
      return inner.predicate == nullptr;
    }
    case ElementKind::kTuple: {
      if (e.items.size() != 2) return false;
      const auto lo = constant_real(e.items[0]);
      const auto hi = constant_real(e.items[1]);
      if (!lo || !hi || *lo > *hi) return false;
      out.intervals.push_back({*lo, *hi, e.open == '[', e.close == ']'});
      return true;
    }
    case ElementKind::kList:
    case ElementKind::kSet:
      for (const Element& item : e.items) {
        if (item.kind == ElementKind::kExpr && item.expr->constant && item.expr->expr.has_plus_minus) {
          for (const auto& row : item.expr->samples) {
            if (!row[0] || row[0]->is_matrix()) return false;
            out.points.push_back(row[0]->scalar.real());
          }
          continue;
        }
        const auto v = constant_real(item);
        if (!v) return false;
        out.points.push_back(*v);
      }
      return true;
    case ElementKind::kUnion:
      return std::all_of(e.items.begin(), e.items.end(),
                         [&](const Element& part) { return to_real_set(part, out, depth + 1); });
    case ElementKind::kExpr: {
      const auto v = constant_real(e);
      if (!v) return false;
      out.points.push_back(*v);
      return true;
    }
    case ElementKind::kInequality: {
      std::vector<std::string> variables;
      for (const Element& operand : e.items) {
        if (operand.kind != ElementKind::kExpr || operand.expr->expr.has_matrix) return false;
        variables.insert(variables.end(), operand.expr->expr.variables.begin(), operand.expr->expr.variables.end());
      }
      std::sort(variables.begin(), variables.end());
      variables.erase(std::unique(variables.begin(), variables.end()), variables.end());
      if (variables.size() != 1 || out.predicate != nullptr) return false;
      if (!out.variable.empty() && out.variable != variables[0]) return false;
      out.variable = variables[0];
      out.predicate = &e;
      return true;
    }
    default:
      return false;
  }
}

// Membership of both sets agrees at every boundary, next to every boundary, between boundaries, beyond them, and
// at fixed points (so two sets of intervals and points with the same boundaries are compared exactly).
bool real_sets_same(const Element& a, const Element& b) {
  RealSet x;
  RealSet y;
  if (!to_real_set(a, x, 0) || !to_real_set(b, y, 0)) return false;
  if (!x.variable.empty() && !y.variable.empty() && x.variable != y.variable) return false;
  if (x.predicate != nullptr && y.predicate != nullptr) return false;  // no boundaries to test at
  std::vector<double> critical;
  for (const RealSet* s : {&x, &y}) {
    for (const auto& i : s->intervals) {
      for (double end : {i.lo, i.hi}) {
        if (std::isfinite(end)) critical.push_back(end);
      }
    }
    critical.insert(critical.end(), s->points.begin(), s->points.end());
  }
  std::sort(critical.begin(), critical.end());
  critical.erase(std::unique(critical.begin(), critical.end()), critical.end());
  std::vector<double> tests = {-7.3, -2.1, -0.55, 0.45, 1.35, 2.7, 6.1, 13.4};
  for (std::size_t i = 0; i < critical.size(); ++i) {
    const double c = critical[i];
    const double delta = 1e-6 * std::max(1.0, std::fabs(c));
    tests.insert(tests.end(), {c, c - delta, c + delta});
    if (i + 1 < critical.size()) tests.push_back((c + critical[i + 1]) / 2);
  }
  if (!critical.empty()) {
    tests.push_back(critical.front() - 1 - std::fabs(critical.front()));
    tests.push_back(critical.back() + 1 + std::fabs(critical.back()));
  }
  return std::all_of(tests.begin(), tests.end(), [&](double t) { return x.contains(t) == y.contains(t); });
}

// A set element: an element, and for expressions with +- which sign row it stands for.
struct Member {
  const Element* element;
  int row;
};

void add_members(const Element& e, std::vector<Member>& out) {
  if (e.kind == ElementKind::kExpr) {
    for (int r = 0; r < rows_of(*e.expr); ++r) out.push_back({&e, r});
  } else {
    out.push_back({&e, 0});
  }
}

std::vector<Member> members_of(const Element& e) {
  std::vector<Member> out;
  if (is_collection(e)) {
    for (const Element& item : e.items) add_members(item, out);
  } else {
    add_members(e, out);
  }
  return out;
}

class Comparer {
 public:
  bool same(const Element& a, const Element& b) {
    if (depth_ >= kMaxCompareDepth) return false;
    ++depth_;
    const bool result = compare(a, b);
    --depth_;
    return result;
  }

 private:
  bool compare(const Element& a, const Element& b) {
    using K = ElementKind;
    if (a.kind == K::kText || b.kind == K::kText) {
      const std::string key = text_key(a.text);
      return !key.empty() && key == text_key(b.text);
    }
    if (a.kind == K::kAssign && b.kind == K::kAssign) return assignments_same(a, b);
    if (a.kind == K::kAssign) return assignment_against(a, b);
    if (b.kind == K::kAssign) return assignment_against(b, a);
    if (a.kind == K::kEquation || b.kind == K::kEquation) {
      return a.kind == b.kind && proportional(a.items[0], a.items[1], b.items[0], b.items[1], false);
    }
    if (a.kind == K::kInequality || b.kind == K::kInequality) return inequalities_same(a, b);
    if (a.kind == K::kUnion || b.kind == K::kUnion) return unions_same(a, b);
    if (a.kind == K::kTuple && b.kind == K::kTuple) return tuples_same(a, b);
    if (a.kind == K::kTuple && is_collection(b)) return tuple_against_collection(a, b);
    if (b.kind == K::kTuple && is_collection(a)) return tuple_against_collection(b, a);
    if (is_collection(a) || is_collection(b)) return members_same(members_of(a), members_of(b));
    if (a.kind == K::kExpr && b.kind == K::kExpr) return expressions_same(a, b);
    return false;
  }

  bool expressions_same(const Element& a, const Element& b) {
    const ExprInfo& x = *a.expr;
    const ExprInfo& y = *b.expr;
    if (rows_of(x) == 1 && rows_of(y) == 1) return expression_rows_match(x, 0, y, 0);
    std::vector<Member> mx;
    std::vector<Member> my;
    add_members(a, mx);
    add_members(b, my);
    return members_same(mx, my);
  }

  bool member_same(const Member& x, const Member& y) {
    if (x.element->kind == ElementKind::kExpr && y.element->kind == ElementKind::kExpr) {
      return expression_rows_match(*x.element->expr, x.row, *y.element->expr, y.row);
    }
    return same(*x.element, *y.element);
  }

  // Unordered, duplicates ignored: every member of one side equals some member of the other.
  bool members_same(const std::vector<Member>& xs, const std::vector<Member>& ys) {
    if (xs.empty() || ys.empty() || xs.size() > kMaxMembers || ys.size() > kMaxMembers) return false;
    auto covered = [&](const std::vector<Member>& from, const std::vector<Member>& in) {
      return std::all_of(from.begin(), from.end(), [&](const Member& m) {
        return std::any_of(in.begin(), in.end(), [&](const Member& n) { return member_same(m, n); });
      });
    };
    return covered(xs, ys) && covered(ys, xs);
  }

  bool in_order(const std::vector<Element>& xs, const std::vector<Element>& ys) {
    if (xs.size() != ys.size()) return false;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      if (!same(xs[i], ys[i])) return false;
    }
    return true;
  }

  // (5, 2) is the solution "p = 5, q = 2" (its values in order); it is not the list "5, 2" of two answers, and an
  // interval [1, 2] is compared with a set as a set of real numbers.
  bool tuple_against_collection(const Element& tuple, const Element& collection) {
    const bool assignments = collection.kind == ElementKind::kList &&
                             std::all_of(collection.items.begin(), collection.items.end(),
                                         [](const Element& i) { return i.kind == ElementKind::kAssign; });
    if (tuple.open == '(' && tuple.close == ')' && assignments) return in_order(tuple.items, collection.items);
    const bool interval = tuple.items.size() == 2 && !(tuple.open == '(' && tuple.close == ')');
    return interval && real_sets_same(tuple, collection);
  }

  bool tuples_same(const Element& a, const Element& b) {
    return a.open == b.open && a.close == b.close && in_order(a.items, b.items);
  }

  bool assignments_same(const Element& a, const Element& b) {
    if (labels_same(a.items[0], b.items[0])) return same(a.items[1], b.items[1]);
    return proportional(a.items[0], a.items[1], b.items[0], b.items[1], false);
  }

  // x = 5 against 5; y = 2x+1 against 2x - y + 1 = 0; x \in [0, 1) against 0 \le x < 1.
  bool assignment_against(const Element& assignment, const Element& other) {
    if (other.kind == ElementKind::kEquation) {
      return proportional(assignment.items[0], assignment.items[1], other.items[0], other.items[1], false);
    }
    if (other.kind == ElementKind::kInequality) return real_sets_same(assignment, other);
    return same(assignment.items[1], other);
  }

  // a < b and c < d are the same relation when a - b = lambda (c - d) with lambda > 0 (any lambda != 0 for = and
  // \ne), at every sample point.
  bool proportional(const Element& l1, const Element& r1, const Element& l2, const Element& r2, bool positive) {
    for (const Element* e : {&l1, &r1, &l2, &r2}) {
      if (e->kind != ElementKind::kExpr || e->expr->expr.has_matrix) return false;
    }
    // Both directions, so that the verdict cannot depend on which answer came first.
    return constant_ratio(l1, r1, l2, r2, positive) && constant_ratio(l2, r2, l1, r1, positive);
  }

  static bool constant_ratio(const Element& l1, const Element& r1, const Element& l2, const Element& r2,
                             bool positive) {
    std::optional<Complex> ratio;
    int agreeing = 0;
    for (int k = 0; k < kSamplePoints; ++k) {
      const auto d1 = difference_at(l1, r1, k);
      const auto d2 = difference_at(l2, r2, k);
      if (!d1 || !d2) continue;
      const bool zero1 = std::abs(d1->first) <= 1e-9 * d1->second;
      const bool zero2 = std::abs(d2->first) <= 1e-9 * d2->second;
      if (zero1 != zero2) return false;
      ++agreeing;
      if (zero1) continue;
      const Complex r = d1->first / d2->first;
      if (!ratio) {
        ratio = r;
      } else if (!finite(r) || std::abs(r - *ratio) > kRatioRelTol * std::max(std::abs(r), std::abs(*ratio))) {
        return false;
      }
    }
    if (agreeing < kMinAgreeingPoints) return false;
    if (ratio && positive) {
      return ratio->real() > 0 && std::fabs(ratio->imag()) <= 1e-9 * std::fabs(ratio->real());
    }
    return true;
  }

  // (lhs - rhs, scale) at sample point k, scale = max(1, |lhs|, |rhs|).
  static std::optional<std::pair<Complex, double>> difference_at(const Element& lhs, const Element& rhs, int k) {
    const auto& x = lhs.expr->samples[0][static_cast<std::size_t>(k)];
    const auto& y = rhs.expr->samples[0][static_cast<std::size_t>(k)];
    if (!x || !y || x->is_matrix() || y->is_matrix() || !finite(x->scalar) || !finite(y->scalar)) return std::nullopt;
    return std::make_pair(x->scalar - y->scalar, std::max({1.0, std::abs(x->scalar), std::abs(y->scalar)}));
  }

  bool inequalities_same(const Element& a, const Element& b) {
    if (a.kind == ElementKind::kInequality && b.kind == ElementKind::kInequality) {
      if (a.items.size() == 2 && b.items.size() == 2) {
        const auto [la, ra, rel_a] = canonical(a);
        const auto [lb, rb, rel_b] = canonical(b);
        if (rel_a == rel_b && proportional(*la, *ra, *lb, *rb, rel_a != Relation::kNe)) return true;
      }
      if (a.relations == b.relations && in_order(a.items, b.items)) return true;
    }
    return real_sets_same(a, b);
  }

  // a > b is b < a; a \ge b is b \le a.
  static std::tuple<const Element*, const Element*, Relation> canonical(const Element& inequality) {
    const Relation r = inequality.relations[0];
    if (r == Relation::kGt) return {&inequality.items[1], &inequality.items[0], Relation::kLt};
    if (r == Relation::kGe) return {&inequality.items[1], &inequality.items[0], Relation::kLe};
    return {&inequality.items[0], &inequality.items[1], r};
  }

  bool unions_same(const Element& a, const Element& b) {
    if (a.kind == ElementKind::kUnion && b.kind == ElementKind::kUnion) {
      std::vector<Member> mx;
      std::vector<Member> my;
      for (const Element& part : a.items) mx.push_back({&part, 0});
      for (const Element& part : b.items) my.push_back({&part, 0});
      if (members_same(mx, my)) return true;
    }
    return real_sets_same(a, b);
  }

  int depth_ = 0;
};

}  // namespace

bool same_element(const Element& a, const Element& b) { return Comparer().same(a, b); }

PreparedAnswer prepare(const std::string& answer, Task task) {
  PreparedAnswer p;
  p.task = task;
  if (task == Task::kChoice) {
    p.letter = choice_letter_of_answer(answer);
    p.normalized = collapse_spaces(answer);
    p.key = text_key(p.normalized);
    return p;
  }
  p.normalized = normalize_math(answer);
  p.key = text_key(p.normalized);
  p.form = parse_answer_form(p.normalized);
  return p;
}

bool same_answer(const PreparedAnswer& a, const PreparedAnswer& b) {
  if (a.task == Task::kChoice || b.task == Task::kChoice) {
    if (a.letter && b.letter) return *a.letter == *b.letter;
    return !a.letter && !b.letter && !a.key.empty() && a.key == b.key;
  }
  if (a.normalized.empty() || b.normalized.empty()) return false;
  if (a.normalized == b.normalized) return true;
  return same_element(a.form, b.form);
}

}  // namespace ttrl::answer::detail
