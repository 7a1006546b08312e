// Recursive-descent parser of the LaTeX arithmetic answers are written in (hand-written by design: see
// latex_ast.hpp). Grammar, loosest first:
//   expression := ['\pm'] term (('+' | '-' | '\pm' | '\mp') term)*
//   term       := unary (('*' | '/' | ':' | '\cdot' | '\times' | '\div') unary | <implicit> power)*
//   unary      := ('-' | '+') unary | power
//   power      := postfix ['^' script] postfix-ops          postfix-ops: '!', '\%'
//   primary    := number | letter[_sub] | f(args) | (expr) | [expr] | {expr} | |expr| | \frac | \sqrt[n] | \binom
//               | function [^p] [_base] argument | \sum/\prod_{k=a}^{b} term | \int_a^b body dx | \begin{pmatrix}
#include <algorithm>
#include <charconv>
#include <cmath>

#include "answer/latex_ast.hpp"
#include "answer/latex_commands.hpp"
#include "answer/text_scan.hpp"

namespace ttrl::answer::detail {
namespace {

struct ParseFailure {};

// Environment names of \begin{...} read as a matrix (names, not commands: not in the command table).
constexpr std::string_view kMatrixEnvironments[] = {"matrix",  "pmatrix", "bmatrix",     "Bmatrix",
                                                    "vmatrix", "Vmatrix", "smallmatrix", "array"};
bool is_function_name(std::string_view name) { return latex_command_has(name, LatexRole::kFunction); }

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, std::size_t begin, std::size_t end, Expression& out)
      : toks_(tokens.begin() + static_cast<std::ptrdiff_t>(begin), tokens.begin() + static_cast<std::ptrdiff_t>(end)),
        end_(toks_.size()),
        e_(out) {}

  int parse_all() {
    const int root = expression();
    if (pos_ != end_) fail();
    return root;
  }

 private:
  struct DepthGuard {
    explicit DepthGuard(Parser& p) : parser(p) {
      if (++parser.depth_ > kMaxDepth) parser.fail();
    }
    ~DepthGuard() { --parser.depth_; }
    Parser& parser;
  };

  // Inside ^ and _ a number followed by \frac is a product, never a mixed number ("x^2\frac{1}{2}").
  struct ScriptScope {
    explicit ScriptScope(Parser& p) : parser(p) { ++parser.script_depth_; }
    ~ScriptScope() { --parser.script_depth_; }
    Parser& parser;
  };

  [[noreturn]] void fail() const { throw ParseFailure{}; }

  const Token* peek(std::size_t ahead = 0) const { return pos_ + ahead < end_ ? &toks_[pos_ + ahead] : nullptr; }
  const Token& next() {
    if (pos_ >= end_) fail();
    return toks_[pos_++];
  }
  bool at_symbol(char c) const {
    const Token* t = peek();
    return t != nullptr && is_symbol(*t, c);
  }
  bool at_command(std::string_view name) const {
    const Token* t = peek();
    return t != nullptr && is_command(*t, name);
  }
  void expect_symbol(char c) {
    if (!at_symbol(c)) fail();
    ++pos_;
  }

  int add(Node node) {
    if (e_.nodes.size() >= kMaxNodes) fail();
    e_.nodes.push_back(std::move(node));
    return static_cast<int>(e_.nodes.size()) - 1;
  }
  int make(NodeKind kind, std::vector<int> kids = {}, std::string name = {}) {
    Node node;
    node.kind = kind;
    node.kids = std::move(kids);
    node.name = std::move(name);
    if (kind == NodeKind::kAdd || kind == NodeKind::kMul) node.flags.assign(node.kids.size(), false);
    return add(std::move(node));
  }
  int make_number(double value, int decimals = -1, int significant = 0) {
    Node node;
    node.kind = NodeKind::kNumber;
    node.number = value;
    node.decimals = decimals;
    node.significant = significant;
    return add(std::move(node));
  }
  int make_variable(const std::string& name) {
    Node node;
    node.kind = NodeKind::kVariable;
    node.name = name;
    node.bound = is_bound(name);
    return add(std::move(node));
  }
  int make_ratio(int numerator, int denominator) {
    Node node;
    node.kind = NodeKind::kMul;
    node.kids = {numerator, denominator};
    node.flags = {false, true};
    return add(std::move(node));
  }
  bool is_bound(const std::string& name) const { return std::find(bound_.begin(), bound_.end(), name) != bound_.end(); }

  // Parses toks_[begin, end) as one expression, then continues after `end` (which the caller has checked).
  int parse_range(std::size_t begin, std::size_t end) {
    if (begin >= end) fail();
    const std::size_t saved_end = end_;
    pos_ = begin;
    end_ = end;
    const int node = expression();
    if (pos_ != end) fail();
    end_ = saved_end;
    return node;
  }

  // Index of the token closing the group opened at `open` ('{' -> '}', '(' -> ')', '[' -> ']').
  std::size_t closing(std::size_t open, char open_char, char close_char) const {
    int depth = 0;
    for (std::size_t i = open; i < end_; ++i) {
      if (is_symbol(toks_[i], open_char)) ++depth;
      if (is_symbol(toks_[i], close_char) && --depth == 0) return i;
    }
    fail();
  }

  // ---- grammar ------------------------------------------------------------------------------------------------

  int expression() {
    DepthGuard guard(*this);
    std::vector<int> terms;
    std::vector<bool> negate;
    if (at_command("pm") || at_command("mp")) {
      const bool minus_plus = next().text == "mp";
      terms.push_back(plus_minus(-1, term(), minus_plus));
    } else {
      terms.push_back(term());
    }
    negate.push_back(false);
    while (const Token* t = peek()) {
      if (is_symbol(*t, '+') || is_symbol(*t, '-')) {
        ++pos_;
        terms.push_back(term());
        negate.push_back(is_symbol(*t, '-'));
      } else if (is_command(*t, "pm") || is_command(*t, "mp")) {
        ++pos_;
        const int left = sum_of(terms, negate);
        terms.assign(1, plus_minus(left, term(), t->text == "mp"));
        negate.assign(1, false);
      } else {
        break;
      }
    }
    return sum_of(terms, negate);
  }

  int sum_of(const std::vector<int>& terms, const std::vector<bool>& negate) {
    if (terms.size() == 1 && !negate[0]) return terms[0];
    Node node;
    node.kind = NodeKind::kAdd;
    node.kids = terms;
    node.flags = negate;
    return add(std::move(node));
  }

  int plus_minus(int left, int right, bool minus_plus) {
    Node node;
    node.kind = NodeKind::kPlusMinus;
    node.kids = {left, right};
    node.flags = {minus_plus};
    e_.has_plus_minus = true;
    return add(std::move(node));
  }

  int term() {
    DepthGuard guard(*this);
    std::vector<int> factors{unary()};
    std::vector<bool> invert{false};
    while (const Token* t = peek()) {
      const bool times =
          is_symbol(*t, '*') || is_command(*t, "cdot") || is_command(*t, "times") || is_command(*t, "ast");
      const bool divide = is_symbol(*t, '/') || is_command(*t, "div") || (is_symbol(*t, ':') && peek(1) != nullptr);
      if (times || divide) {
        ++pos_;
        factors.push_back(unary());
        invert.push_back(divide);
      } else if (starts_implicit_factor(*t)) {
        factors.push_back(power());
        invert.push_back(false);
      } else {
        break;
      }
    }
    if (factors.size() == 1) return factors[0];
    Node node;
    node.kind = NodeKind::kMul;
    node.kids = std::move(factors);
    node.flags = std::move(invert);
    return add(std::move(node));
  }

  bool starts_implicit_factor(const Token& t) const {
    switch (t.kind) {
      case TokenKind::kNumber:
      case TokenKind::kLetter:
      case TokenKind::kFunction:
        return true;
      case TokenKind::kCommand:
        return !latex_command_has(t.text, LatexRole::kNonOperand);
      case TokenKind::kSymbol:
        return is_symbol(t, '(') || is_symbol(t, '[') || is_symbol(t, '{') || (is_symbol(t, '|') && abs_depth_ == 0);
      default:
        return false;
    }
  }

  int unary() {
    DepthGuard guard(*this);
    if (at_symbol('-')) {
      ++pos_;
      return make(NodeKind::kNeg, {unary()});
    }
    if (at_symbol('+')) {
      ++pos_;
      return unary();
    }
    return power();
  }

  int power() {
    int base = postfix(primary());
    if (at_symbol('^')) {
      ++pos_;
      const int exponent = script();
      base = postfix(make(NodeKind::kPow, {base, exponent}));
    }
    return base;
  }

  int postfix(int node) {
    while (const Token* t = peek()) {
      if (is_symbol(*t, '!')) {
        ++pos_;
        node = make(NodeKind::kFactorial, {node});
      } else if (is_command(*t, "%")) {
        ++pos_;
        node = make(NodeKind::kPercent, {node});
      } else if (is_command(*t, "degree")) {  // degrees are radians in a trig argument, plain numbers elsewhere
        ++pos_;
        if (trig_depth_ > 0)
          node = make_ratio(make(NodeKind::kMul, {node, make(NodeKind::kConstant, {}, "pi")}), make_number(180));
      } else {
        break;
      }
    }
    return node;
  }

  // The argument of ^ or _: a braced group, a signed atom, a whole number, a letter or a command.
  int script() {
    DepthGuard guard(*this);
    ScriptScope scope(*this);
    const Token* t = peek();
    if (t == nullptr) fail();
    if (is_symbol(*t, '{')) return group('{', '}');
    if (is_symbol(*t, '-')) {
      ++pos_;
      return make(NodeKind::kNeg, {script()});
    }
    if (is_symbol(*t, '+')) {
      ++pos_;
      return script();
    }
    if (t->kind == TokenKind::kLetter) {
      ++pos_;
      return letter_value(std::string(t->text));
    }
    if (t->kind == TokenKind::kNumber || t->kind == TokenKind::kCommand || t->kind == TokenKind::kFunction ||
        is_symbol(*t, '(')) {
      return primary();
    }
    fail();
  }

  int group(char open, char close) {
    const std::size_t end = closing(pos_, open, close);
    const int node = parse_range(pos_ + 1, end);
    pos_ = end + 1;
    return node;
  }

  // A macro argument (\frac, \sqrt, \binom): a braced group or one token ("\frac12": a digit, then the rest).
  int macro_argument() {
    const Token* t = peek();
    if (t == nullptr) fail();
    if (is_symbol(*t, '{')) return group('{', '}');
    if (t->kind == TokenKind::kNumber) {
      if (t->text.size() > 1 && is_ascii_digit(t->text[0])) {
        const double digit = t->text[0] - '0';
        Token& rest = toks_[pos_];
        rest.text.remove_prefix(1);
        rest.pos += 1;
        rest.length -= 1;
        return make_number(digit, -1, digit == 0 ? 0 : 1);
      }
      return primary();
    }
    if (t->kind == TokenKind::kLetter) {
      ++pos_;
      return letter_value(std::string(t->text));
    }
    if (t->kind == TokenKind::kCommand || t->kind == TokenKind::kFunction) return primary();
    fail();
  }

  int primary() {
    DepthGuard guard(*this);
    const Token& t = next();
    switch (t.kind) {
      case TokenKind::kNumber:
        return number(t);
      case TokenKind::kLetter:
        return letter(t);
      case TokenKind::kFunction:
        return bare_name(t);
      case TokenKind::kCommand:
        return command(t);
      case TokenKind::kSymbol:
        break;
      default:
        fail();
    }
    if (is_symbol(t, '(') || is_symbol(t, '[') || is_symbol(t, '{')) {
      --pos_;
      const char open = t.text[0];
      const char close = open == '(' ? ')' : open == '[' ? ']' : '}';
      return group(open, close);
    }
    if (is_symbol(t, '|')) {
      ++abs_depth_;
      const int inner = expression();
      expect_symbol('|');
      --abs_depth_;
      return make(NodeKind::kAbs, {inner});
    }
    fail();
  }

  // ---- numbers ------------------------------------------------------------------------------------------------

  int number(const Token& t) {
    double value = 0;
    const char* first = t.text.data();
    const char* last = first + t.text.size();
    const auto result = std::from_chars(first, last, value);
    if (result.ec != std::errc() || result.ptr != last || !std::isfinite(value)) fail();
    int decimals = -1;
    int significant = 0;
    bool leading = true;
    bool after_point = false;
    for (char c : t.text) {
      if (c == 'e' || c == 'E') break;
      if (c == '.') {
        after_point = true;
        decimals = 0;
        continue;
      }
      if (after_point) ++decimals;
      if (c != '0') leading = false;
      if (!leading) ++significant;
    }
    const bool integer_literal = decimals < 0 && t.text.find_first_of("eE") == std::string_view::npos;
    if (at_symbol('_')) return base_number(t, integer_literal);
    const int node = make_number(value, decimals, significant);
    if (integer_literal && script_depth_ == 0 && at_command("frac")) return mixed_number(node);
    return node;
  }

  // 204_5: digits in base 2..36 written with a numeric subscript.
  int base_number(const Token& digits, bool integer_literal) {
    ++pos_;  // '_'
    const bool braced = at_symbol('{');
    if (braced) ++pos_;
    const Token& base_token = next();
    if (braced) expect_symbol('}');
    if (!integer_literal || base_token.kind != TokenKind::kNumber) fail();
    int base = 0;
    const auto r = std::from_chars(base_token.text.data(), base_token.text.data() + base_token.text.size(), base);
    if (r.ec != std::errc() || base < 2 || base > 36 || digits.text.size() > 40) fail();
    double value = 0;
    for (char c : digits.text) {
      const int digit = c - '0';
      if (digit >= base) fail();
      value = value * base + digit;
    }
    return make_number(value);
  }

  // 918\frac{1}{2} = 918 + 1/2 (an integer followed by a proper fraction of integers); otherwise a product.
  int mixed_number(int whole) {
    const std::size_t saved_pos = pos_;
    const std::size_t saved_nodes = e_.nodes.size();
    try {
      ++pos_;  // \frac
      const int numerator = macro_argument();
      const int denominator = macro_argument();
      const Node& n = e_.nodes[static_cast<std::size_t>(numerator)];
      const Node& d = e_.nodes[static_cast<std::size_t>(denominator)];
      const bool proper = n.kind == NodeKind::kNumber && d.kind == NodeKind::kNumber && n.decimals < 0 &&
                          d.decimals < 0 && n.number > 0 && n.number < d.number;
      if (proper) {
        Node sum;
        sum.kind = NodeKind::kAdd;
        sum.kids = {whole, make_ratio(numerator, denominator)};
        sum.flags = {false, false};
        return add(std::move(sum));
      }
    } catch (const ParseFailure&) {
    }
    pos_ = saved_pos;
    e_.nodes.resize(saved_nodes);
    return whole;
  }

  // ---- letters, names, subscripts -------------------------------------------------------------------------------

  int letter(const Token& t) {
    std::string name(t.text);
    while (at_symbol('\'')) {
      ++pos_;
      name += '\'';
    }
    const bool function_letter = name[0] == 'f' || name[0] == 'g' || name[0] == 'h';
    if ((function_letter || name.size() > 1) && at_symbol('(')) return application(name);
    if (at_symbol('_')) {
      ++pos_;
      return subscripted(name);
    }
    return letter_value(name);
  }

  int letter_value(const std::string& name) {
    if (!is_bound(name)) {
      if (name == "e") return make(NodeKind::kConstant, {}, "e");
      if (name == "i") return make(NodeKind::kConstant, {}, "i");
    }
    return make_variable(name);
  }

  // f(x, y): an undefined function, compared through its values at the arguments.
  int application(const std::string& name) {
    const std::size_t close = closing(pos_, '(', ')');
    std::vector<int> args;
    std::size_t start = pos_ + 1;
    int depth = 0;
    for (std::size_t i = start; i <= close; ++i) {
      const Token& t = toks_[i];
      if (is_symbol(t, '(') || is_symbol(t, '[') || is_symbol(t, '{')) ++depth;
      if (is_symbol(t, ')') || is_symbol(t, ']') || is_symbol(t, '}')) --depth;
      if ((is_symbol(t, ',') && depth == 0) || i == close) {
        args.push_back(parse_range(start, i));
        start = i + 1;
      }
    }
    pos_ = close + 1;
    return make(NodeKind::kApply, std::move(args), name);
  }

  // x_1, a_{37}, x_n (names); F_{n-k-1}, F_k with k a bound index (values of an undefined sequence).
  int subscripted(const std::string& base) {
    const Token* t = peek();
    if (t == nullptr) fail();
    if (t->kind == TokenKind::kNumber || t->kind == TokenKind::kLetter) {
      ++pos_;
      const std::string sub(t->text);
      if (t->kind == TokenKind::kLetter && is_bound(sub)) {
        return make(NodeKind::kApply, {make_variable(sub)}, base);
      }
      return make_variable(base + "_" + sub);
    }
    if (t->kind == TokenKind::kCommand && latex_command_has(t->text, LatexRole::kGreek)) {
      ++pos_;
      return make_variable(base + "_\\" + std::string(t->text));
    }
    if (!is_symbol(*t, '{')) fail();
    const std::size_t close = closing(pos_, '{', '}');
    std::string name;
    bool simple = close > pos_ + 1;
    for (std::size_t i = pos_ + 1; i < close && simple; ++i) {
      const Token& s = toks_[i];
      if (s.kind == TokenKind::kNumber || (s.kind == TokenKind::kLetter && !is_bound(std::string(s.text)))) {
        name += s.text;
      } else if (s.kind == TokenKind::kCommand && latex_command_has(s.text, LatexRole::kGreek)) {
        name += "\\";
        name += s.text;
      } else if (s.kind == TokenKind::kWord) {
        name += s.text;
      } else {
        simple = false;
      }
    }
    if (simple) {
      pos_ = close + 1;
      return make_variable(base + "_" + name);
    }
    const int index = parse_range(pos_ + 1, close);
    pos_ = close + 1;
    return make(NodeKind::kApply, {index}, base);
  }

  int bare_name(const Token& t) {
    const std::string name = to_lower_ascii(t.text);
    if (name == "pi") return make(NodeKind::kConstant, {}, "pi");
    if (name == "inf" || name == "infty" || name == "infinity") return make(NodeKind::kConstant, {}, "inf");
    if (name == "sqrt") return make(NodeKind::kRoot, {function_argument()});
    return function(name);
  }

  // ---- commands -----------------------------------------------------------------------------------------------

  int command(const Token& t) {
    const std::string_view name = t.text;
    if (name == "frac") {
      const int numerator = macro_argument();
      return make_ratio(numerator, macro_argument());
    }
    if (name == "sqrt") return root();
    if (name == "binom") {
      const int n = macro_argument();
      return make(NodeKind::kBinom, {n, macro_argument()});
    }
    if (name == "pi") return make(NodeKind::kConstant, {}, "pi");
    if (name == "infty") return make(NodeKind::kConstant, {}, "inf");
    if (is_function_name(name)) return function(std::string(name));
    if (name == "sum" || name == "prod") return big_operator(name == "sum" ? NodeKind::kSum : NodeKind::kProduct);
    if (name == "int") return integral();
    if (name == "lfloor" || name == "lceil") return floor_or_ceil(name == "lfloor");
    if (name == "begin") return environment();
    if (name == "boxed" || name == "fbox") return macro_argument();
    if (latex_command_has(name, LatexRole::kNonOperand) || !is_ascii_alpha(name[0])) fail();  // \" \# \& ...
    if (latex_command_has(name, LatexRole::kDecoration)) return decorated(name);
    std::string variable = "\\" + std::string(name);  // Greek letters and unknown commands are symbols
    if (at_symbol('_')) {
      ++pos_;
      return subscripted(variable);
    }
    return make_variable(variable);
  }

  int root() {
    int index = -1;
    if (at_symbol('[')) index = group('[', ']');
    const int radicand = macro_argument();
    return index < 0 ? make(NodeKind::kRoot, {radicand}) : make(NodeKind::kRoot, {radicand, index});
  }

  // \sin^2 x, \sin^{-1}(x), \log_2 8, \ln(x): optional power and base, then the argument.
  int function(std::string name) {
    int power_node = -1;
    int base = -1;
    bool inverse = false;
    for (int i = 0; i < 2; ++i) {
      if (at_symbol('^')) {
        ++pos_;
        const int p = script();
        const Node& pn = e_.nodes[static_cast<std::size_t>(p)];
        const bool minus_one = pn.kind == NodeKind::kNeg &&
                               e_.nodes[static_cast<std::size_t>(pn.kids[0])].kind == NodeKind::kNumber &&
                               e_.nodes[static_cast<std::size_t>(pn.kids[0])].number == 1;
        if (minus_one) {
          inverse = true;
        } else {
          power_node = p;
        }
      } else if (at_symbol('_') && name == "log") {
        ++pos_;
        base = script();
      }
    }
    const bool trig =
        name == "sin" || name == "cos" || name == "tan" || name == "sec" || name == "csc" || name == "cot";
    trig_depth_ += trig ? 1 : 0;
    const int argument = function_argument();
    trig_depth_ -= trig ? 1 : 0;
    if (inverse) {
      if (name == "sin" || name == "cos" || name == "tan" || name == "sec" || name == "csc" || name == "cot") {
        name = "arc" + name;
      } else {
        power_node = make(NodeKind::kNeg, {make_number(1)});
      }
    }
    int call =
        base < 0 ? make(NodeKind::kFunction, {argument}, name) : make(NodeKind::kFunction, {argument, base}, name);
    if (power_node >= 0) call = make(NodeKind::kPow, {call, power_node});
    return call;
  }

  // (x), {x}, [x], or an unparenthesised product "2x", "\theta", "x^2" that stops before another function.
  int function_argument() {
    const Token* t = peek();
    if (t == nullptr) fail();
    if (is_symbol(*t, '(')) return group('(', ')');
    if (is_symbol(*t, '{')) return group('{', '}');
    if (is_symbol(*t, '[')) return group('[', ']');
    if (is_symbol(*t, '-')) {
      ++pos_;
      return make(NodeKind::kNeg, {function_argument()});
    }
    std::vector<int> factors{power()};
    while (const Token* f = peek()) {
      const bool function_next =
          f->kind == TokenKind::kFunction || (f->kind == TokenKind::kCommand && is_function_name(f->text));
      if (function_next || is_symbol(*f, '(') || !starts_implicit_factor(*f)) break;
      factors.push_back(power());
    }
    if (factors.size() == 1) return factors[0];
    Node node;
    node.kind = NodeKind::kMul;
    node.flags.assign(factors.size(), false);
    node.kids = std::move(factors);
    return add(std::move(node));
  }

  // \sum_{k=1}^{n} body, \prod_{k=1}^{n} body (bounds in either order).
  int big_operator(NodeKind kind) {
    std::string index;
    int lower = -1;
    int upper = -1;
    for (int i = 0; i < 2; ++i) {
      if (at_symbol('_')) {
        ++pos_;
        if (!at_symbol('{')) fail();
        const std::size_t close = closing(pos_, '{', '}');
        const std::size_t first = pos_ + 1;
        if (first + 2 >= close || !is_symbol(toks_[first + 1], '=')) fail();
        const Token& var = toks_[first];
        if (var.kind == TokenKind::kLetter) {
          index = std::string(var.text);
        } else if (var.kind == TokenKind::kCommand && latex_command_has(var.text, LatexRole::kGreek)) {
          index = "\\" + std::string(var.text);
        } else {
          fail();
        }
        lower = parse_range(first + 2, close);
        pos_ = close + 1;
      } else if (at_symbol('^')) {
        ++pos_;
        upper = script();
      }
    }
    if (lower < 0 || upper < 0) fail();
    bound_.push_back(index);
    const int body = term();
    bound_.pop_back();
    return make(kind, {lower, upper, body}, index);
  }

  // \int_a^b body dx: the body ends at the first top-level "d<letter>".
  int integral() {
    int lower = -1;
    int upper = -1;
    for (int i = 0; i < 2; ++i) {
      if (at_symbol('_')) {
        ++pos_;
        lower = script();
      } else if (at_symbol('^')) {
        ++pos_;
        upper = script();
      }
    }
    if (lower < 0 || upper < 0) fail();
    int depth = 0;
    std::size_t differential = end_;
    for (std::size_t i = pos_; i + 1 < end_; ++i) {
      const Token& t = toks_[i];
      if (is_symbol(t, '(') || is_symbol(t, '{') || is_symbol(t, '[')) ++depth;
      if (is_symbol(t, ')') || is_symbol(t, '}') || is_symbol(t, ']')) --depth;
      if (depth == 0 && t.kind == TokenKind::kLetter && t.text == "d" && toks_[i + 1].kind == TokenKind::kLetter) {
        differential = i;
        break;
      }
    }
    if (differential == end_) fail();
    const std::string variable(toks_[differential + 1].text);
    bound_.push_back(variable);
    const int body = differential > pos_ ? parse_range(pos_, differential) : make_number(1);
    bound_.pop_back();
    pos_ = differential + 2;
    e_.approximate = true;
    return make(NodeKind::kIntegral, {lower, upper, body}, variable);
  }

  int floor_or_ceil(bool is_floor) {
    const std::string_view closer = is_floor ? "rfloor" : "rceil";
    std::size_t close = pos_;
    while (close < end_ && !is_command(toks_[close], closer)) ++close;
    if (close == end_) fail();
    const int inner = parse_range(pos_, close);
    pos_ = close + 1;
    return make(is_floor ? NodeKind::kFloor : NodeKind::kCeil, {inner});
  }

  int decorated(std::string_view decoration) {
    if (!at_symbol('{')) fail();
    const std::size_t close = closing(pos_, '{', '}');
    std::string name = "\\" + std::string(decoration) + "{";
    for (std::size_t i = pos_ + 1; i < close; ++i) name += toks_[i].text;
    name += "}";
    pos_ = close + 1;
    return make_variable(name);
  }

  // \begin{pmatrix} a & b \\ c & d \end{pmatrix} (also matrix, bmatrix, Bmatrix, vmatrix, smallmatrix, array).
  int environment() {
    const std::string name = environment_name();
    if (!in_list(kMatrixEnvironments, name)) fail();
    if (name == "array" && at_symbol('{')) pos_ = closing(pos_, '{', '}') + 1;  // column specification
    std::vector<std::vector<int>> rows(1);
    std::size_t cell_start = pos_;
    int depth = 0;
    for (std::size_t i = pos_; i < end_; ++i) {
      const Token& t = toks_[i];
      if (is_command(t, "begin")) ++depth;
      if (is_symbol(t, '{') || is_symbol(t, '(') || is_symbol(t, '[')) ++depth;
      if (is_symbol(t, '}') || is_symbol(t, ')') || is_symbol(t, ']')) --depth;
      const bool end_here = is_command(t, "end") && depth == 0;
      if (is_command(t, "end") && !end_here) --depth;
      const bool cell_break = depth == 0 && (is_symbol(t, '&') || t.text == "\\\\");
      if (cell_break || end_here) {
        if (i > cell_start) {
          rows.back().push_back(parse_range(cell_start, i));
        } else if (is_symbol(t, '&') || !rows.back().empty()) {
          fail();  // an empty cell
        }
        if (t.text == "\\\\") rows.emplace_back();
        cell_start = i + 1;
        if (end_here) {
          pos_ = i + 1;
          if (environment_name() != name) fail();
          return matrix(rows);
        }
      }
    }
    fail();
  }

  std::string environment_name() {
    expect_symbol('{');
    std::string name;
    while (!at_symbol('}')) name += next().text;
    ++pos_;
    return name;
  }

  int matrix(std::vector<std::vector<int>>& rows) {
    while (!rows.empty() && rows.back().empty()) rows.pop_back();
    if (rows.empty()) fail();
    const std::size_t cols = rows[0].size();
    Node node;
    node.kind = NodeKind::kMatrix;
    for (const auto& row : rows) {
      if (row.size() != cols) fail();
      node.kids.insert(node.kids.end(), row.begin(), row.end());
    }
    node.rows = static_cast<int>(rows.size());
    node.cols = static_cast<int>(cols);
    e_.has_matrix = true;
    return add(std::move(node));
  }

  std::vector<Token> toks_;
  std::size_t pos_ = 0;
  std::size_t end_;
  int depth_ = 0;
  int abs_depth_ = 0;
  int script_depth_ = 0;
  int trig_depth_ = 0;
  std::vector<std::string> bound_;
  Expression& e_;
};

void collect_variables(Expression& e) {
  for (const Node& node : e.nodes) {
    if (node.kind == NodeKind::kVariable && !node.bound) e.variables.push_back(node.name);
  }
  std::sort(e.variables.begin(), e.variables.end());
  e.variables.erase(std::unique(e.variables.begin(), e.variables.end()), e.variables.end());
}

}  // namespace

std::optional<Expression> parse_expression(const std::vector<Token>& tokens, std::size_t begin, std::size_t end) {
  if (begin >= end || end > tokens.size()) return std::nullopt;
  Expression e;
  try {
    Parser parser(tokens, begin, end, e);
    e.root = parser.parse_all();
  } catch (const ParseFailure&) {
    return std::nullopt;
  }
  // Nodes left behind by abandoned attempts (mixed numbers) are unreachable and harmless; variables are collected
  // from reachable nodes only.
  std::vector<bool> reachable(e.nodes.size(), false);
  std::vector<int> stack{e.root};
  while (!stack.empty()) {
    const int n = stack.back();
    stack.pop_back();
    if (n < 0 || reachable[static_cast<std::size_t>(n)]) continue;
    reachable[static_cast<std::size_t>(n)] = true;
    for (int kid : e.nodes[static_cast<std::size_t>(n)].kids) stack.push_back(kid);
  }
  for (std::size_t i = 0; i < e.nodes.size(); ++i) {
    if (!reachable[i] && e.nodes[i].kind == NodeKind::kVariable) e.nodes[i].bound = true;
  }
  collect_variables(e);
  return e;
}

}  // namespace ttrl::answer::detail
