// Structure parser: splits a normalised answer at top-level separators and relations, recognises bracketed tuples,
// intervals and sets, and reduces relation chains (docs/grading.md, "Reading an answer").
//
//   answer  := group ((';' | 'and' | 'or') group)*
//   group   := item (',' item)*
//   item    := operand (relation operand)*          relation: = \approx < \le > \ge \ne \in
//   operand := atom ('\cup' atom)*
//   atom    := '\{' items '\}' | '{' items '}' | ('('|'[') item, item... (')'|']') | expression | text
#include "answer/answer_form.hpp"

#include <algorithm>
#include <cmath>

#include "answer/text_scan.hpp"

namespace ttrl::answer::detail {
namespace {

constexpr std::size_t kMaxTokens = 768;
constexpr std::size_t kMaxItems = 64;
constexpr int kMaxFormDepth = 24;

std::optional<Literal> literal_of(const Expression& e, int n) {
  const Node& node = e.nodes[static_cast<std::size_t>(n)];
  if (node.kind == NodeKind::kNumber) return Literal{node.number, node.decimals, node.significant};
  if (node.kind == NodeKind::kNeg) {
    std::optional<Literal> inner = literal_of(e, node.kids[0]);
    if (inner) inner->value = -inner->value;
    return inner;
  }
  return std::nullopt;
}

std::shared_ptr<const ExprInfo> make_info(Expression expr) {
  auto info = std::make_shared<ExprInfo>();
  info->expr = std::move(expr);
  const Expression& e = info->expr;
  const Node& root = e.nodes[static_cast<std::size_t>(e.root)];
  info->literal = literal_of(e, e.root);
  if (root.kind == NodeKind::kPercent) {
    info->percent = true;
    info->percent_literal = literal_of(e, root.kids[0]);
  }
  if (root.kind == NodeKind::kMatrix) {
    for (int cell : root.kids) info->cell_literals.push_back(literal_of(e, cell));
  }
  info->constant = e.variables.empty();
  const int signs = e.has_plus_minus ? 2 : 1;
  info->samples.assign(static_cast<std::size_t>(signs), {});
  for (int s = 0; s < signs; ++s) {
    auto& row = info->samples[static_cast<std::size_t>(s)];
    const int sign = s == 0 ? 1 : -1;
    if (info->constant) {
      row.assign(kSamplePoints, evaluate(e, {}, sign));
      continue;
    }
    for (int k = 0; k < kSamplePoints; ++k) {
      Bindings bindings;
      bindings.reserve(e.variables.size());
      for (const std::string& v : e.variables) bindings.emplace_back(v, sample_value(v, k));
      row.push_back(evaluate(e, bindings, sign));
    }
  }
  return info;
}

bool label_node(const Expression& e, int n) {
  const Node& node = e.nodes[static_cast<std::size_t>(n)];
  switch (node.kind) {
    case NodeKind::kVariable:
      return !node.bound;
    case NodeKind::kApply:
      return true;
    case NodeKind::kAbs:
      return label_node(e, node.kids[0]);
    case NodeKind::kMul:
      return std::all_of(node.kids.begin(), node.kids.end(), [&](int kid) { return label_node(e, kid); });
    default:
      return false;
  }
}

bool simple_name(const Element& e) {
  if (e.kind != ElementKind::kExpr) return false;
  const Expression& x = e.expr->expr;
  const NodeKind k = x.nodes[static_cast<std::size_t>(x.root)].kind;
  return k == NodeKind::kVariable || k == NodeKind::kApply;
}

bool is_constant_expr(const Element& e) { return e.kind == ElementKind::kExpr && e.expr->constant; }

bool opens(const Token& t) {
  return is_symbol(t, '(') || is_symbol(t, '[') || is_symbol(t, '{') || is_command(t, "{") || is_command(t, "begin");
}
bool closes(const Token& t) {
  return is_symbol(t, ')') || is_symbol(t, ']') || is_symbol(t, '}') || is_command(t, "}") || is_command(t, "end");
}

std::optional<Relation> relation_of(const Token& t) {
  if (is_symbol(t, '=')) return Relation::kEq;
  if (is_symbol(t, '<')) return Relation::kLt;
  if (is_symbol(t, '>')) return Relation::kGt;
  if (t.kind != TokenKind::kCommand) return std::nullopt;
  if (t.text == "approx") return Relation::kApprox;
  if (t.text == "le" || t.text == "leq" || t.text == "leqslant") return Relation::kLe;
  if (t.text == "ge" || t.text == "geq" || t.text == "geqslant") return Relation::kGe;
  if (t.text == "lt") return Relation::kLt;
  if (t.text == "gt") return Relation::kGt;
  if (t.text == "ne" || t.text == "neq") return Relation::kNe;
  if (t.text == "in") return Relation::kIn;
  return std::nullopt;
}

bool is_inequality(Relation r) {
  return r == Relation::kLt || r == Relation::kLe || r == Relation::kGt || r == Relation::kGe;
}

class FormParser {
 public:
  explicit FormParser(std::string_view s) : s_(s), toks_(lex(s)) {}

  Element parse() {
    if (toks_.empty() || toks_.size() > kMaxTokens || !balanced()) return text_of(s_);
    return answer(0, toks_.size(), 0);
  }

 private:
  Element text_of(std::string_view text) const {
    Element e;
    e.kind = ElementKind::kText;
    e.text = std::string(trim(text));
    return e;
  }
  std::string_view source(std::size_t b, std::size_t e) const {
    if (b >= e) return {};
    const std::size_t start = toks_[b].pos;
    return s_.substr(start, toks_[e - 1].pos + toks_[e - 1].length - start);
  }
  Element text_of(std::size_t b, std::size_t e) const { return text_of(source(b, e)); }

  bool balanced() const {
    int depth = 0;
    for (const Token& t : toks_) {
      if (opens(t)) ++depth;
      if (closes(t) && --depth < 0) return false;
    }
    return depth == 0;
  }

  // Positions in [b, e) of top-level tokens satisfying `is_separator`.
  template <typename Pred>
  std::vector<std::size_t> split(std::size_t b, std::size_t e, Pred is_separator) const {
    std::vector<std::size_t> cuts;
    int depth = 0;
    for (std::size_t i = b; i < e; ++i) {
      const Token& t = toks_[i];
      if (opens(t)) ++depth;
      if (closes(t)) --depth;
      if (depth == 0 && is_separator(t)) cuts.push_back(i);
    }
    return cuts;
  }

  // Sub-ranges of [b, e) between the cuts (empty ones dropped).
  static std::vector<std::pair<std::size_t, std::size_t>> pieces(std::size_t b, std::size_t e,
                                                                 const std::vector<std::size_t>& cuts) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    std::size_t start = b;
    for (std::size_t cut : cuts) {
      if (cut > start) out.emplace_back(start, cut);
      start = cut + 1;
    }
    if (e > start) out.emplace_back(start, e);
    return out;
  }

  // Index of the token closing the bracket opened at b (any closer: intervals mix brackets).
  std::size_t closer_of(std::size_t b, std::size_t e) const {
    int depth = 0;
    for (std::size_t i = b; i < e; ++i) {
      if (opens(toks_[i])) ++depth;
      if (closes(toks_[i]) && --depth == 0) return i;
    }
    return e;
  }

  Element answer(std::size_t b, std::size_t e, int depth) {
    if (depth > kMaxFormDepth) return text_of(b, e);
    // "x^2 = 4 \Rightarrow x = 2": what follows the last implication is the answer.
    const auto arrows = split(b, e, [](const Token& t) {
      return is_command(t, "Rightarrow") || is_command(t, "implies") || is_command(t, "therefore") ||
             is_command(t, "Longrightarrow");
    });
    if (!arrows.empty()) b = arrows.back() + 1;
    if (b >= e) return text_of(b, e);
    const auto groups =
        pieces(b, e, split(b, e, [](const Token& t) { return is_symbol(t, ';') || t.kind == TokenKind::kConnector; }));
    if (groups.empty()) return text_of(b, e);
    if (groups.size() == 1) return group(groups[0].first, groups[0].second, depth);
    std::vector<Element> parts;
    for (const auto& [gb, ge] : groups) parts.push_back(group(gb, ge, depth));
    // Groups of several assignments are solutions ("p=5,q=2; p=7,q=2"); otherwise the groups are one list.
    const bool solutions = std::any_of(parts.begin(), parts.end(), [](const Element& p) {
      return p.kind == ElementKind::kList && p.items.size() >= 2 &&
             std::all_of(p.items.begin(), p.items.end(),
                         [](const Element& i) { return i.kind == ElementKind::kAssign; });
    });
    Element list;
    list.kind = ElementKind::kList;
    list.text = std::string(source(b, e));
    for (Element& p : parts) {
      if (p.kind == ElementKind::kList && !solutions) {
        for (Element& item : p.items) list.items.push_back(std::move(item));
      } else {
        list.items.push_back(std::move(p));
      }
    }
    if (list.items.size() > kMaxItems) return text_of(b, e);
    return list;
  }

  Element group(std::size_t b, std::size_t e, int depth) {
    const auto items = pieces(b, e, split(b, e, [](const Token& t) { return is_symbol(t, ','); }));
    if (items.empty()) return text_of(b, e);
    if (items.size() == 1) return item(items[0].first, items[0].second, depth);
    if (items.size() > kMaxItems) return text_of(b, e);
    Element list;
    list.kind = ElementKind::kList;
    list.text = std::string(source(b, e));
    for (const auto& [ib, ie] : items) list.items.push_back(item(ib, ie, depth));
    return list;
  }

  Element item(std::size_t b, std::size_t e, int depth) {
    const auto cuts = split(b, e, [](const Token& t) { return relation_of(t).has_value(); });
    if (cuts.empty()) return operand(b, e, depth);
    std::vector<Element> operands;
    std::vector<Relation> relations;
    std::size_t start = b;
    for (std::size_t cut : cuts) {
      if (cut <= start) return text_of(b, e);  // a relation with a missing side
      operands.push_back(operand(start, cut, depth));
      relations.push_back(*relation_of(toks_[cut]));
      start = cut + 1;
    }
    if (start >= e) return text_of(b, e);
    operands.push_back(operand(start, e, depth));
    return reduce_relation(std::move(operands), std::move(relations), std::string(source(b, e)));
  }

  Element operand(std::size_t b, std::size_t e, int depth) {
    const auto cuts = split(b, e, [](const Token& t) { return is_command(t, "cup"); });
    if (cuts.empty()) return atom(b, e, depth);
    const auto parts = pieces(b, e, cuts);
    if (parts.size() != cuts.size() + 1) return text_of(b, e);
    Element u;
    u.kind = ElementKind::kUnion;
    u.text = std::string(source(b, e));
    for (const auto& [pb, pe] : parts) u.items.push_back(atom(pb, pe, depth));
    return u;
  }

  Element atom(std::size_t b, std::size_t e, int depth) {
    if (depth > kMaxFormDepth) return text_of(b, e);
    const Token& first = toks_[b];
    const std::size_t close = closer_of(b, e);
    const bool wraps_all = close == e - 1 && e - b >= 2;
    if (wraps_all && is_command(first, "{") && is_command(toks_[close], "}")) {
      return collection(ElementKind::kSet, b + 1, close, depth, source(b, e));
    }
    if (wraps_all && (is_symbol(first, '(') || is_symbol(first, '['))) {
      const auto commas = split(b + 1, close, [](const Token& t) { return is_symbol(t, ',') || is_symbol(t, ';'); });
      if (!commas.empty()) {
        Element tuple = collection(ElementKind::kTuple, b + 1, close, depth, source(b, e));
        tuple.open = first.text[0];
        tuple.close = toks_[close].text[0];
        return tuple;
      }
    }
    if (wraps_all && is_symbol(first, '{') && is_symbol(toks_[close], '}')) {
      const auto commas = split(b + 1, close, [](const Token& t) { return is_symbol(t, ','); });
      if (!commas.empty()) return collection(ElementKind::kSet, b + 1, close, depth, source(b, e));
      return answer(b + 1, close, depth + 1);
    }
    std::optional<Expression> expr = parse_expression(toks_, b, e);
    if (!expr) return text_of(b, e);
    Element x;
    x.kind = ElementKind::kExpr;
    x.text = std::string(source(b, e));
    x.expr = make_info(std::move(*expr));
    return x;
  }

  Element collection(ElementKind kind, std::size_t b, std::size_t e, int depth, std::string_view text) {
    Element c;
    c.kind = kind;
    c.text = std::string(text);
    const auto items = pieces(b, e, split(b, e, [](const Token& t) { return is_symbol(t, ',') || is_symbol(t, ';'); }));
    if (items.size() > kMaxItems) return text_of(text);
    for (const auto& [ib, ie] : items) c.items.push_back(item(ib, ie, depth + 1));
    return c;
  }

  // Relation chains (docs/grading.md, "Reading an answer"):
  //   = and \approx: trailing "\approx v" after a value is dropped; with a label before the last operand the chain
  //   is an assignment label = last ("x = 5+5+1 = 11" is x = 11); with constants only it is the last value
  //   ("\frac12 \cdot 3 = 1.5"); otherwise an equation first = last.
  //   \in: an assignment of a set.  a < x < b with x a name and constant bounds: x in an interval.
  static Element reduce_relation(std::vector<Element> operands, std::vector<Relation> relations, std::string text) {
    const bool all_equalities = std::all_of(relations.begin(), relations.end(),
                                            [](Relation r) { return r == Relation::kEq || r == Relation::kApprox; });
    if (all_equalities) {
      while (operands.size() >= 2 && relations.back() == Relation::kApprox &&
             !is_label(operands[operands.size() - 2])) {
        operands.pop_back();
        relations.pop_back();
      }
      if (operands.size() == 1) return std::move(operands[0]);
      for (std::size_t i = operands.size() - 1; i-- > 0;) {
        if (is_label(operands[i]))
          return pair(ElementKind::kAssign, std::move(operands[i]), std::move(operands.back()), text);
      }
      if (std::all_of(operands.begin(), operands.end(), is_constant_expr)) return std::move(operands.back());
      return pair(ElementKind::kEquation, std::move(operands.front()), std::move(operands.back()), text);
    }
    if (relations.size() == 1 && relations[0] == Relation::kIn) {
      return pair(ElementKind::kAssign, std::move(operands[0]), std::move(operands[1]), text);
    }
    if (relations.size() == 2 && is_inequality(relations[0]) && is_inequality(relations[1])) {
      const bool ascending = (relations[0] == Relation::kLt || relations[0] == Relation::kLe) &&
                             (relations[1] == Relation::kLt || relations[1] == Relation::kLe);
      const bool descending = (relations[0] == Relation::kGt || relations[0] == Relation::kGe) &&
                              (relations[1] == Relation::kGt || relations[1] == Relation::kGe);
      if ((ascending || descending) && simple_name(operands[1]) && is_constant_expr(operands[0]) &&
          is_constant_expr(operands[2])) {
        const std::size_t lo = ascending ? 0 : 2;
        const std::size_t hi = ascending ? 2 : 0;
        const Relation lo_rel = ascending ? relations[0] : relations[1];
        const Relation hi_rel = ascending ? relations[1] : relations[0];
        Element interval;
        interval.kind = ElementKind::kTuple;
        interval.open = (lo_rel == Relation::kLe || lo_rel == Relation::kGe) ? '[' : '(';
        interval.close = (hi_rel == Relation::kLe || hi_rel == Relation::kGe) ? ']' : ')';
        interval.text = std::string(1, interval.open) + operands[lo].text + "," + operands[hi].text + interval.close;
        interval.items.push_back(operands[lo]);
        interval.items.push_back(operands[hi]);
        return pair(ElementKind::kAssign, std::move(operands[1]), std::move(interval), text);
      }
    }
    Element chain;
    chain.kind = ElementKind::kInequality;
    chain.text = std::move(text);
    chain.items = std::move(operands);
    chain.relations = std::move(relations);
    return chain;
  }

  static Element pair(ElementKind kind, Element first, Element second, const std::string& text) {
    Element p;
    p.kind = kind;
    p.text = text;
    p.items.push_back(std::move(first));
    p.items.push_back(std::move(second));
    return p;
  }

  std::string_view s_;
  std::vector<Token> toks_;
};

}  // namespace

Element parse_answer_form(std::string_view normalized) { return FormParser(normalized).parse(); }

bool is_label(const Element& e) {
  if (e.kind == ElementKind::kExpr) return label_node(e.expr->expr, e.expr->expr.root);
  if (e.kind == ElementKind::kTuple) {
    return !e.items.empty() && std::all_of(e.items.begin(), e.items.end(), [](const Element& i) {
      return i.kind == ElementKind::kExpr && is_label(i);
    });
  }
  return false;
}

std::optional<Value> evaluate_at(const ExprInfo& info, const std::string& variable, double at) {
  Bindings bindings;
  if (!variable.empty()) bindings.emplace_back(variable, Complex(at, 0));
  return evaluate(info.expr, bindings);
}

}  // namespace ttrl::answer::detail
