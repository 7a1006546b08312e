// The one table of LaTeX command names (see latex_commands.hpp). Kept sorted by the bytes of the names, which
// makes every name appear once (checked at compile time) and a lookup a binary search.
#include "answer/latex_commands.hpp"

#include <iterator>

namespace ttrl::answer::detail {
namespace {

using R = LatexRole;

struct Command {
  std::string_view name;
  LatexRoles roles;
};

// clang-format off
constexpr Command kCommands[] = {
    {" ", R::kSpacing},
    {"!", R::kSpacing},
    {"%", R::kNonOperand},
    {",", R::kSpacing},
    {":", R::kSpacing},
    {";", R::kSpacing},
    {">", R::kSpacing},
    {"Big", R::kLayout},
    {"Bigg", R::kLayout},
    {"Biggl", R::kLayout},
    {"Biggr", R::kLayout},
    {"Bigl", R::kLayout},
    {"Bigr", R::kLayout},
    {"Delta", R::kGreek},
    {"Gamma", R::kGreek},
    {"Lambda", R::kGreek},
    {"Omega", R::kGreek},
    {"Phi", R::kGreek},
    {"Psi", R::kGreek},
    {"Rightarrow", R::kNonOperand},
    {"Sigma", R::kGreek},
    {"Theta", R::kGreek},
    {"Upsilon", R::kGreek},
    {"Xi", R::kGreek},
    {"alpha", R::kUnescape | R::kGreek},
    {"angle", R::kUnescape},
    {"approx", R::kUnescape | R::kNonOperand},
    {"arccos", R::kUnescape | R::kBareFunction | R::kFunction},
    {"arccot", R::kFunction},
    {"arccsc", R::kFunction},
    {"arcsec", R::kFunction},
    {"arcsin", R::kUnescape | R::kBareFunction | R::kFunction},
    {"arctan", R::kUnescape | R::kBareFunction | R::kFunction},
    {"ast", R::kNonOperand},
    {"bar", R::kDecoration},
    {"begin", R::kUnescape},
    {"beta", R::kUnescape | R::kGreek},
    {"bf", R::kLayout},
    {"big", R::kLayout},
    {"bigg", R::kLayout},
    {"biggl", R::kLayout},
    {"biggr", R::kLayout},
    {"bigl", R::kLayout},
    {"bigr", R::kLayout},
    {"binom", R::kUnescape},
    {"bm", R::kFont},
    {"boldsymbol", R::kFont},
    {"boxed", R::kUnescape},
    {"breve", R::kDecoration},
    {"cap", R::kUnescape | R::kNonOperand},
    {"cdot", R::kUnescape | R::kNonOperand},
    {"cdotp", R::kNonOperand},
    {"cdots", R::kUnescape | R::kNonOperand},
    {"cfrac", R::kUnescape},
    {"check", R::kDecoration},
    {"chi", R::kGreek},
    {"circ", R::kUnescape | R::kNonOperand},
    {"colon", R::kNonOperand},
    {"cos", R::kUnescape | R::kBareFunction | R::kFunction},
    {"cosh", R::kUnescape | R::kBareFunction | R::kFunction},
    {"cot", R::kUnescape | R::kBareFunction | R::kFunction},
    {"coth", R::kFunction},
    {"csc", R::kUnescape | R::kBareFunction | R::kFunction},
    {"csch", R::kFunction},
    {"cup", R::kUnescape | R::kNonOperand},
    {"dbinom", R::kUnescape},
    {"ddot", R::kDecoration},
    {"degree", R::kUnescape | R::kNonOperand},
    {"delta", R::kUnescape | R::kGreek},
    {"dfrac", R::kUnescape},
    {"displaystyle", R::kUnescape | R::kLayout},
    {"div", R::kUnescape | R::kNonOperand},
    {"dot", R::kDecoration},
    {"dots", R::kUnescape | R::kNonOperand},
    {"ell", R::kGreek},
    {"emph", R::kText},
    {"emptyset", R::kUnescape | R::kNonOperand},
    {"end", R::kUnescape | R::kNonOperand},
    {"enspace", R::kSpacing | R::kLexerSpacing},
    {"epsilon", R::kGreek},
    {"equiv", R::kNonOperand},
    {"eta", R::kGreek},
    {"exists", R::kNonOperand},
    {"exp", R::kUnescape | R::kBareFunction | R::kFunction},
    {"fbox", R::kUnescape},
    {"forall", R::kNonOperand},
    {"frac", R::kUnescape},
    {"gamma", R::kUnescape | R::kGreek},
    {"ge", R::kUnescape | R::kNonOperand},
    {"geq", R::kUnescape},
    {"geqslant", R::kUnescape},
    {"gt", R::kUnescape | R::kNonOperand},
    {"hat", R::kDecoration},
    {"hbox", R::kText},
    {"hphantom", R::kInvisible},
    {"hspace", R::kInvisible},
    {"iff", R::kNonOperand},
    {"implies", R::kNonOperand},
    {"in", R::kUnescape | R::kNonOperand},
    {"infty", R::kUnescape},
    {"int", R::kUnescape},
    {"iota", R::kGreek},
    {"it", R::kLayout},
    {"kappa", R::kGreek},
    {"label", R::kInvisible},
    {"lambda", R::kUnescape | R::kGreek},
    {"land", R::kNonOperand},
    {"ldots", R::kUnescape | R::kNonOperand},
    {"le", R::kUnescape | R::kNonOperand},
    {"left", R::kUnescape | R::kLayout},
    {"leq", R::kUnescape},
    {"leqslant", R::kUnescape},
    {"lg", R::kFunction},
    {"limits", R::kLayout},
    {"ln", R::kUnescape | R::kBareFunction | R::kFunction},
    {"log", R::kUnescape | R::kBareFunction | R::kFunction},
    {"lor", R::kNonOperand},
    {"lt", R::kUnescape | R::kNonOperand},
    {"mathbb", R::kFont},
    {"mathbf", R::kUnescape | R::kFont},
    {"mathcal", R::kFont},
    {"mathfrak", R::kFont},
    {"mathit", R::kUnescape | R::kFont},
    {"mathop", R::kFont},
    {"mathring", R::kDecoration},
    {"mathrm", R::kUnescape | R::kFont},
    {"mathsf", R::kFont},
    {"mathtt", R::kFont},
    {"mbox", R::kUnescape | R::kText},
    {"medspace", R::kSpacing | R::kLexerSpacing},
    {"mid", R::kNonOperand},
    {"middle", R::kLayout},
    {"mp", R::kUnescape | R::kNonOperand},
    {"mu", R::kUnescape | R::kGreek},
    {"ne", R::kUnescape | R::kNonOperand},
    {"neg", R::kNonOperand},
    {"negthinspace", R::kSpacing},
    {"neq", R::kUnescape},
    {"nolimits", R::kLayout},
    {"notin", R::kNonOperand},
    {"nu", R::kGreek},
    {"omega", R::kUnescape | R::kGreek},
    {"operatorname", R::kUnescape | R::kFont},
    {"overleftarrow", R::kDecoration},
    {"overline", R::kDecoration},
    {"overrightarrow", R::kDecoration},
    {"parallel", R::kNonOperand},
    {"perp", R::kNonOperand},
    {"phantom", R::kInvisible},
    {"phi", R::kUnescape | R::kGreek},
    {"pi", R::kUnescape},
    {"pm", R::kUnescape | R::kNonOperand},
    {"prod", R::kUnescape},
    {"psi", R::kGreek},
    {"qquad", R::kUnescape | R::kSpacing | R::kLexerSpacing},
    {"quad", R::kUnescape | R::kSpacing | R::kLexerSpacing},
    {"rceil", R::kNonOperand},
    {"rfloor", R::kNonOperand},
    {"rho", R::kGreek},
    {"right", R::kUnescape | R::kLayout},
    {"rightarrow", R::kNonOperand},
    {"rm", R::kLayout},
    {"scriptstyle", R::kLayout},
    {"sec", R::kUnescape | R::kBareFunction | R::kFunction},
    {"sech", R::kFunction},
    {"setminus", R::kNonOperand},
    {"sigma", R::kUnescape | R::kGreek},
    {"sim", R::kNonOperand},
    {"sin", R::kUnescape | R::kBareFunction | R::kFunction},
    {"sinh", R::kUnescape | R::kBareFunction | R::kFunction},
    {"sqrt", R::kUnescape | R::kBareFunction},
    {"subset", R::kNonOperand},
    {"subseteq", R::kNonOperand},
    {"sum", R::kUnescape},
    {"supset", R::kNonOperand},
    {"supseteq", R::kNonOperand},
    {"tan", R::kUnescape | R::kBareFunction | R::kFunction},
    {"tanh", R::kUnescape | R::kBareFunction | R::kFunction},
    {"tau", R::kGreek},
    {"tbinom", R::kUnescape},
    {"text", R::kUnescape | R::kText},
    {"textbf", R::kUnescape | R::kText},
    {"textit", R::kUnescape | R::kText},
    {"textnormal", R::kUnescape | R::kText},
    {"textrm", R::kUnescape | R::kText},
    {"textsf", R::kText},
    {"textstyle", R::kLayout},
    {"texttt", R::kText},
    {"textup", R::kText},
    {"tfrac", R::kUnescape},
    {"theta", R::kUnescape | R::kGreek},
    {"thickspace", R::kSpacing | R::kLexerSpacing},
    {"thinspace", R::kSpacing | R::kLexerSpacing},
    {"tilde", R::kDecoration},
    {"times", R::kUnescape | R::kNonOperand},
    {"to", R::kNonOperand},
    {"underline", R::kDecoration},
    {"upsilon", R::kGreek},
    {"varepsilon", R::kGreek},
    {"varnothing", R::kUnescape | R::kNonOperand},
    {"varphi", R::kGreek},
    {"varrho", R::kGreek},
    {"varsigma", R::kGreek},
    {"vartheta", R::kGreek},
    {"vec", R::kDecoration},
    {"vee", R::kNonOperand},
    {"vphantom", R::kInvisible},
    {"vspace", R::kInvisible},
    {"wedge", R::kNonOperand},
    {"widehat", R::kDecoration},
    {"widetilde", R::kDecoration},
    {"xi", R::kGreek},
    {"zeta", R::kGreek},
    {"{", R::kNonOperand},
    {"|", R::kNonOperand},
    {"}", R::kNonOperand},
};
// clang-format on

constexpr bool strictly_sorted() {
  for (std::size_t i = 1; i < std::size(kCommands); ++i) {
    if (!(kCommands[i - 1].name < kCommands[i].name)) return false;
  }
  return true;
}
static_assert(strictly_sorted(), "kCommands must be sorted by name, each name once");

const Command* find(std::string_view name) {
  std::size_t lo = 0;
  std::size_t hi = std::size(kCommands);
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (kCommands[mid].name < name) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < std::size(kCommands) && kCommands[lo].name == name ? &kCommands[lo] : nullptr;
}

}  // namespace

bool latex_command_has(std::string_view name, LatexRole role) {
  const Command* command = find(name);
  return command != nullptr && command->roles.has(role);
}

std::vector<std::string_view> latex_commands_with(LatexRole role) {
  std::vector<std::string_view> names;
  for (const Command& command : kCommands) {
    if (command.roles.has(role)) names.push_back(command.name);
  }
  return names;
}

}  // namespace ttrl::answer::detail
