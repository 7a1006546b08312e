// The LaTeX command table (answer/latex_commands.hpp) replaced the lists that normalize.cpp, latex_lexer.cpp and
// latex_parser.cpp each had (issue #17). The old lists are copied here (same names, same order) as the expected sets:
// every role must answer yes for exactly the names of the list it replaced, so the merge changed no call site's answer.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "answer/latex_ast.hpp"
#include "answer/latex_commands.hpp"

namespace ttrl::answer::detail {
namespace {

// ---- the old lists, as they were before the merge ------------------------------------------------------------------

// normalize.cpp
constexpr std::string_view kOldNormalizeKnown[] = {
    "frac",         "dfrac",  "tfrac",  "cfrac",        "sqrt",       "left",     "right",  "boxed",  "fbox",
    "text",         "textbf", "textit", "textrm",       "textnormal", "mbox",     "mathrm", "mathbf", "mathit",
    "operatorname", "pi",     "infty",  "le",           "leq",        "ge",       "geq",    "ne",     "neq",
    "lt",           "gt",     "cdot",   "times",        "div",        "pm",       "mp",     "in",     "cup",
    "cap",          "sin",    "cos",    "tan",          "sec",        "csc",      "cot",    "log",    "ln",
    "exp",          "circ",   "begin",  "end",          "quad",       "qquad",    "approx", "dots",   "ldots",
    "cdots",        "alpha",  "beta",   "gamma",        "delta",      "theta",    "lambda", "mu",     "sigma",
    "phi",          "omega",  "binom",  "dbinom",       "tbinom",     "sum",      "prod",   "int",    "emptyset",
    "varnothing",   "angle",  "degree", "displaystyle", "leqslant",   "geqslant", "infty",  "arcsin", "arccos",
    "arctan",       "sinh",   "cosh",   "tanh",
};
constexpr std::string_view kOldNormalizeLayout[] = {
    "left",      "right",       "middle", "bigl",     "bigr",  "Bigl",  "Bigr",  "big",
    "Big",       "bigg",        "Bigg",   "biggl",    "biggr", "Biggl", "Biggr", "displaystyle",
    "textstyle", "scriptstyle", "limits", "nolimits", "rm",    "bf",    "it"};
constexpr std::string_view kOldNormalizeSpacing[] = {
    ",", ";", ":", "!", ">", " ", "enspace", "thinspace", "medspace", "thickspace", "negthinspace", "quad", "qquad"};
constexpr std::string_view kOldNormalizeInvisible[] = {"hspace", "vspace", "phantom", "hphantom", "vphantom", "label"};
constexpr std::string_view kOldNormalizeText[] = {"text",       "textbf", "textit", "textrm", "textsf", "texttt",
                                                  "textnormal", "textup", "mbox",   "hbox",   "emph"};
constexpr std::string_view kOldNormalizeFont[] = {"mathrm",     "mathbf",  "mathit",       "mathsf",
                                                  "mathtt",     "mathcal", "mathbb",       "mathfrak",
                                                  "boldsymbol", "bm",      "operatorname", "mathop"};
// latex_lexer.cpp
constexpr std::string_view kOldLexerBareFunctions[] = {"arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
                                                       "sin",    "cos",    "tan",    "sec",  "csc",  "cot",
                                                       "log",    "ln",     "exp",    "sqrt"};
constexpr std::string_view kOldLexerSpacing[] = {"quad", "qquad", "enspace", "thinspace", "medspace", "thickspace"};
// latex_parser.cpp
constexpr std::string_view kOldParserFunctions[] = {
    "sin",    "cos",  "tan",  "sec",  "csc",  "cot",  "arcsin", "arccos", "arctan", "arcsec", "arccsc",
    "arccot", "sinh", "cosh", "tanh", "coth", "sech", "csch",   "ln",     "log",    "lg",     "exp"};
constexpr std::string_view kOldParserGreek[] = {
    "alpha",  "beta",    "gamma",  "delta",   "epsilon", "varepsilon", "zeta",  "eta",    "theta", "vartheta",
    "iota",   "kappa",   "lambda", "mu",      "nu",      "xi",         "rho",   "varrho", "sigma", "varsigma",
    "tau",    "upsilon", "phi",    "varphi",  "chi",     "psi",        "omega", "Gamma",  "Delta", "Theta",
    "Lambda", "Xi",      "Sigma",  "Upsilon", "Phi",     "Psi",        "Omega", "ell"};
constexpr std::string_view kOldParserDecorations[] = {
    "overline",       "bar",           "hat",       "widehat",  "vec",   "tilde", "widetilde", "dot", "ddot",
    "overrightarrow", "overleftarrow", "underline", "mathring", "check", "breve"};
constexpr std::string_view kOldParserNonOperand[] = {
    "cdot",       "times",      "div",     "ast",   "pm",    "mp",    "le",       "ge",       "ne",
    "lt",         "gt",         "approx",  "in",    "notin", "cup",   "cap",      "setminus", "to",
    "rightarrow", "Rightarrow", "implies", "iff",   "equiv", "sim",   "%",        "}",        "{",
    "|",          "end",        "rfloor",  "rceil", "colon", "ldots", "cdots",    "dots",     "emptyset",
    "varnothing", "circ",       "wedge",   "vee",   "land",  "lor",   "subset",   "subseteq", "supset",
    "supseteq",   "forall",     "exists",  "neg",   "cdotp", "mid",   "parallel", "perp",     "degree"};
// The lexer's spacing commands of one non-letter character (it compared the character after the backslash).
constexpr std::string_view kOldLexerSpacingChars[] = {",", ";", ":", "!", " ", ">"};

struct RoleCase {
  const char* label;
  LatexRole role;
  std::vector<std::string_view> old_list;
};

template <std::size_t N>
std::vector<std::string_view> as_vector(const std::string_view (&list)[N]) {
  return {std::begin(list), std::end(list)};
}

std::vector<RoleCase> role_cases() {
  return {
      {"kUnescape", LatexRole::kUnescape, as_vector(kOldNormalizeKnown)},
      {"kLayout", LatexRole::kLayout, as_vector(kOldNormalizeLayout)},
      {"kSpacing", LatexRole::kSpacing, as_vector(kOldNormalizeSpacing)},
      {"kInvisible", LatexRole::kInvisible, as_vector(kOldNormalizeInvisible)},
      {"kText", LatexRole::kText, as_vector(kOldNormalizeText)},
      {"kFont", LatexRole::kFont, as_vector(kOldNormalizeFont)},
      {"kBareFunction", LatexRole::kBareFunction, as_vector(kOldLexerBareFunctions)},
      {"kLexerSpacing", LatexRole::kLexerSpacing, as_vector(kOldLexerSpacing)},
      {"kFunction", LatexRole::kFunction, as_vector(kOldParserFunctions)},
      {"kGreek", LatexRole::kGreek, as_vector(kOldParserGreek)},
      {"kDecoration", LatexRole::kDecoration, as_vector(kOldParserDecorations)},
      {"kNonOperand", LatexRole::kNonOperand, as_vector(kOldParserNonOperand)},
  };
}

std::set<std::string_view> all_old_names() {
  std::set<std::string_view> names;
  for (const RoleCase& c : role_cases()) names.insert(c.old_list.begin(), c.old_list.end());
  return names;
}

TEST(LatexCommands, EveryOldNameHasItsRole) {
  for (const RoleCase& c : role_cases()) {
    for (std::string_view name : c.old_list) {
      EXPECT_TRUE(latex_command_has(name, c.role)) << c.label << ": \\" << name;
    }
  }
}

TEST(LatexCommands, EachRoleIsExactlyItsOldList) {
  for (const RoleCase& c : role_cases()) {
    const std::vector<std::string_view> listed = latex_commands_with(c.role);
    const std::set<std::string_view> expected(c.old_list.begin(), c.old_list.end());
    EXPECT_EQ(std::set<std::string_view>(listed.begin(), listed.end()), expected) << c.label;
    EXPECT_EQ(listed.size(), expected.size()) << c.label << ": a name is listed twice";
  }
}

TEST(LatexCommands, OldNamesLackTheRolesOfOtherLists) {
  // Every old name, asked about every role: yes exactly when the role's old list holds it.
  for (std::string_view name : all_old_names()) {
    for (const RoleCase& c : role_cases()) {
      const bool expected = std::find(c.old_list.begin(), c.old_list.end(), name) != c.old_list.end();
      EXPECT_EQ(latex_command_has(name, c.role), expected) << c.label << ": \\" << name;
    }
  }
}

TEST(LatexCommands, OtherNamesHaveNoRole) {
  const std::string_view others[] = {
      "",       "x",       "foo",  "Sin",     "SIN",      "sinx",        "sqr",     "sqrt ",     " sqrt",   "frac{",
      "Frac",   "Alpha",   "Beta", "omicron", "matrix",   "pmatrix",     "array",   "infinity",  "inf",     "lim",
      "max",    "min",     "det",  "arcsinh", "\\",       "\\\\",        "$",       "\"",        "#",       "&",
      "_",      "^",       "(",    ")",       "[",        "]",           "=",       "<",         "-",       "+",
      ".",      "'",       "Quad", "quadx",   "qquadx",   "textsl",      "mathscr", "hphantoms", "lefteqn", "cm",
      "meters", "degrees", "and",  "or",      "\xCF\x80", "\xE2\x88\x9E"};
  for (std::string_view name : others) {
    for (const RoleCase& c : role_cases()) {
      EXPECT_FALSE(latex_command_has(name, c.role)) << c.label << ": \"" << name << '"';
    }
  }
}

// The lexer now asks kSpacing about "\<char>": its non-letter names must be the characters it compared.
TEST(LatexCommands, SpacingCharactersAreTheLexersOld) {
  std::set<std::string_view> chars;
  for (std::string_view name : latex_commands_with(LatexRole::kSpacing)) {
    if (name.size() == 1 && !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z'))) {
      chars.insert(name);
    }
  }
  EXPECT_EQ(chars, std::set<std::string_view>(std::begin(kOldLexerSpacingChars), std::end(kOldLexerSpacingChars)));
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) continue;  // a letter starts a named command
    const std::string_view name(&ch, 1);
    const bool old = std::find(std::begin(kOldLexerSpacingChars), std::end(kOldLexerSpacingChars), name) !=
                     std::end(kOldLexerSpacingChars);
    EXPECT_EQ(latex_command_has(name, LatexRole::kSpacing), old) << "char " << c;
  }
}

// The old lexer split "sinx" by the first name of kOldLexerBareFunctions (in its order) that is a prefix one or two
// letters shorter than the word; the new one asks the table, longest prefix first. Same answer for every word here.
std::size_t old_function_prefix(const std::string& lower) {
  constexpr std::string_view kOldBareConstants[] = {"infinity", "infty", "inf", "pi"};
  for (std::string_view f : kOldLexerBareFunctions) {
    if (lower == f) return f.size();
  }
  for (std::string_view f : kOldBareConstants) {
    if (lower == f) return f.size();
  }
  for (std::string_view f : kOldLexerBareFunctions) {
    if (lower.size() > f.size() && lower.size() <= f.size() + 2 && lower.compare(0, f.size(), f) == 0) {
      return f.size();
    }
  }
  return 0;
}

TEST(LatexCommands, LexerSplitsBareFunctionsAsBefore) {
  std::vector<std::string> stems(std::begin(kOldLexerBareFunctions), std::end(kOldLexerBareFunctions));
  for (std::string_view f : kOldParserFunctions) stems.emplace_back(f);
  for (std::string_view s : {"infinity", "infty", "inf", "pi", "s", "si", "co", "ar", "arc", "l", "lo", "e", "ex", "sq",
                             "sqr", "ta", "se", "cs", "ct"}) {
    stems.emplace_back(s);
  }
  const char* suffixes[] = {"", "x", "h", "hx", "xy", "hxy", "xyz", "n", "nh", "t", "th", "hh", "e", "h2", "x2"};
  int checked = 0;
  for (const std::string& stem : stems) {
    for (const char* suffix : suffixes) {
      for (bool upper : {false, true}) {
        std::string word = stem + suffix;
        if (upper) {
          for (char& ch : word) ch = (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 'a' + 'A') : ch;
        }
        std::string lower;
        for (char ch : word) {
          if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) break;
          lower += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
        }
        if (lower == "and" || lower == "or") continue;
        const std::vector<Token> tokens = lex(word);
        ASSERT_FALSE(tokens.empty()) << word;
        const std::size_t expected = old_function_prefix(lower);
        if (expected > 0) {
          EXPECT_EQ(tokens[0].kind, TokenKind::kFunction) << word;
          EXPECT_EQ(tokens[0].text, std::string_view(word).substr(0, expected)) << word;
        } else {
          EXPECT_NE(tokens[0].kind, TokenKind::kFunction) << word;
        }
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 500);
}

TEST(LatexCommands, InListIsExactMatch) {
  constexpr std::string_view kWords[] = {"matrix", "pmatrix"};
  EXPECT_TRUE(in_list(kWords, "matrix"));
  EXPECT_TRUE(in_list(kWords, "pmatrix"));
  EXPECT_FALSE(in_list(kWords, "Matrix"));
  EXPECT_FALSE(in_list(kWords, "matri"));
  EXPECT_FALSE(in_list(kWords, ""));
}

}  // namespace
}  // namespace ttrl::answer::detail
