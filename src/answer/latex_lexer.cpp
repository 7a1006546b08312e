// Tokens of a normalised answer. Letters are read one by one (implicit multiplication: "xy" is x*y) except runs that
// name a function ("sin", "log") or that are prose ("even", "Evelyn"), which the parser treats as text.
#include <iterator>

#include "answer/latex_ast.hpp"
#include "answer/latex_commands.hpp"
#include "answer/text_scan.hpp"

namespace ttrl::answer::detail {
namespace {

// Bare words read as a constant (function names are LatexRole::kBareFunction of the command table).
constexpr std::string_view kBareConstants[] = {"infinity", "infty", "inf", "pi"};
constexpr std::string_view kSymbols = "+-*/^_()[]{}|,;:=<>!'&.";

bool has_vowel(std::string_view run) {
  for (char c : run) {
    const char l = lower_ascii(c);
    if (l == 'a' || l == 'e' || l == 'i' || l == 'o' || l == 'u') return true;
  }
  return false;
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  std::vector<Token> run() {
    while (i_ < s_.size()) step();
    return std::move(tokens_);
  }

 private:
  void push(TokenKind kind, std::size_t pos, std::size_t length, std::string_view text) {
    tokens_.push_back(Token{kind, text, pos, length});
  }

  void step() {
    const char c = s_[i_];
    if (is_ascii_space(c)) {
      ++i_;
    } else if (c == '\\') {
      command();
    } else if (is_ascii_digit(c) || (c == '.' && i_ + 1 < s_.size() && is_ascii_digit(s_[i_ + 1]))) {
      number();
    } else if (is_ascii_alpha(c)) {
      letters();
    } else if (kSymbols.find(c) != std::string_view::npos) {
      push(TokenKind::kSymbol, i_, 1, s_.substr(i_, 1));
      ++i_;
    } else {
      other();
    }
  }

  void command() {
    const std::size_t start = i_;
    if (i_ + 1 >= s_.size()) {  // a lone trailing backslash
      ++i_;
      return;
    }
    const char next = s_[i_ + 1];
    if (next == '\\') {
      push(TokenKind::kSymbol, start, 2, s_.substr(start, 2));
      i_ += 2;
      return;
    }
    if (!is_ascii_alpha(next)) {
      i_ += 2;
      const std::string_view name = s_.substr(start + 1, 1);
      if (latex_command_has(name, LatexRole::kSpacing)) return;  // \, \; \: \! "\ " \>
      push(TokenKind::kCommand, start, 2, name);
      return;
    }
    std::size_t end = i_ + 1;
    while (end < s_.size() && is_ascii_alpha(s_[end])) ++end;
    const std::string_view name = s_.substr(i_ + 1, end - i_ - 1);
    i_ = end;
    if (latex_command_has(name, LatexRole::kLexerSpacing)) return;
    push(TokenKind::kCommand, start, end - start, name);
  }

  // 12, 3.50, .5, and scientific notation 2.5E2 / 1500e-1 (an exponent marker directly followed by digits).
  void number() {
    const std::size_t start = i_;
    while (i_ < s_.size() && is_ascii_digit(s_[i_])) ++i_;
    if (i_ + 1 < s_.size() && s_[i_] == '.' && is_ascii_digit(s_[i_ + 1])) {
      ++i_;
      while (i_ < s_.size() && is_ascii_digit(s_[i_])) ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      std::size_t j = i_ + 1;
      if (j < s_.size() && (s_[j] == '+' || s_[j] == '-')) ++j;
      std::size_t digits = j;
      while (digits < s_.size() && is_ascii_digit(s_[digits])) ++digits;
      const bool letter_follows = digits < s_.size() && is_ascii_alpha(s_[digits]);
      if (digits > j && !letter_follows) i_ = digits;
    }
    push(TokenKind::kNumber, start, i_ - start, s_.substr(start, i_ - start));
  }

  void letters() {
    const std::size_t start = i_;
    std::size_t end = i_;
    while (end < s_.size() && is_ascii_alpha(s_[end])) ++end;
    const std::string_view run = s_.substr(start, end - start);
    const std::string lower = to_lower_ascii(run);
    if (lower == "and" || lower == "or") {
      push(TokenKind::kConnector, start, run.size(), run);
      i_ = end;
      return;
    }
    if (latex_command_has(lower, LatexRole::kBareFunction) || in_list(kBareConstants, lower)) {
      push(TokenKind::kFunction, start, run.size(), run);
      i_ = end;
      return;
    }
    // "sinx", "sinhxy": a function name followed by one or two letters; the longest name wins ("sinhx" is sinh, x).
    for (std::size_t n = lower.size() - 1; n + 2 >= lower.size() && n > 0; --n) {
      if (latex_command_has(std::string_view(lower).substr(0, n), LatexRole::kBareFunction)) {
        push(TokenKind::kFunction, start, n, run.substr(0, n));
        i_ = start + n;
        return;
      }
    }
    // "1orW(x)": a connector glued between a value and a capitalised name (text with its spaces removed).
    for (std::string_view connector : {std::string_view("and"), std::string_view("or")}) {
      const std::size_t n = connector.size();
      if (run.size() > n && lower.compare(0, n, connector) == 0 && is_ascii_upper(run[n]) &&
          (start == 0 || !is_ascii_alpha(s_[start - 1]))) {
        push(TokenKind::kConnector, start, n, run.substr(0, n));
        i_ = start + n;
        return;
      }
    }
    if (run.size() >= 4 || (run.size() == 3 && has_vowel(run))) {
      push(TokenKind::kWord, start, run.size(), run);
      i_ = end;
      return;
    }
    push(TokenKind::kLetter, start, 1, run.substr(0, 1));
    i_ = start + 1;
  }

  void other() {
    const std::size_t start = i_;
    ++i_;
    // A UTF-8 sequence is one token: its continuation bytes follow the lead byte.
    while (i_ < s_.size() && (static_cast<unsigned char>(s_[i_]) & 0xC0) == 0x80) ++i_;
    push(TokenKind::kOther, start, i_ - start, s_.substr(start, i_ - start));
  }

  std::string_view s_;
  std::size_t i_ = 0;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> lex(std::string_view s) { return Lexer(s).run(); }

}  // namespace ttrl::answer::detail
