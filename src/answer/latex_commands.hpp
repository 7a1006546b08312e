#pragma once
// The one table of LaTeX command names that normalisation, the lexer and the parser know: each name appears once,
// with the set of roles it plays (see latex_commands.cpp). A name is the command without its backslash: "frac" for
// \frac, "," for \, — case matters ("Gamma" is not "gamma").
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ttrl::answer::detail {

/// What a command name is used for; one bit each. Roles that look alike (kSpacing, kLexerSpacing) are distinct
/// because their call sites have always answered for different sets of names.
enum class LatexRole : std::uint32_t {
  // normalize.cpp
  kUnescape = 1u << 0,   // collapse_escaped_commands: a doubly escaped "\\name" becomes "\name"
  kLayout = 1u << 1,     // strip_layout: dropped with no trace (\left, \big, \displaystyle, \rm)
  kSpacing = 1u << 2,    // strip_layout: replaced by one space (\, \; \: \! \> "\ " \quad \enspace ...);
                         // the lexer also skips its one-character names (\, \; \: \! \> "\ ") without a token
  kInvisible = 1u << 3,  // strip_layout: dropped together with its braced argument (\hspace{1em}, \label{x})
  kText = 1u << 4,       // unwrap_text_commands: text mode, its argument is prose (units, words, connectors)
  kFont = 1u << 5,       // unwrap_text_commands: a math font, its argument is math ("\mathrm{e}" is e)
  // latex_lexer.cpp
  kBareFunction = 1u << 6,  // lexer: the name written without a backslash ("sin", "sqrt") is a function token
  kLexerSpacing = 1u << 7,  // lexer: a letter-named spacing command skipped without a token (\quad, \thinspace;
                            // not \negthinspace, which stays a command token)
  // latex_parser.cpp
  kFunction = 1u << 8,     // parser: \name is a function applied to an argument (\sin x, \log_2 8)
  kGreek = 1u << 9,        // parser: a Greek letter, allowed in subscripts (x_\alpha) and as a sum/product index
  kDecoration = 1u << 10,  // parser: \name{x} is an accented symbol (\bar{x}, \vec{v}), one variable
  kNonOperand = 1u << 11,  // parser: never starts an operand (operators, relations, closers, punctuation)
};

/// A set of LatexRole bits.
struct LatexRoles {
  std::uint32_t bits = 0;
  constexpr LatexRoles() = default;
  constexpr LatexRoles(LatexRole role) : bits(static_cast<std::uint32_t>(role)) {}  // NOLINT: implicit by design
  constexpr bool has(LatexRole role) const { return (bits & static_cast<std::uint32_t>(role)) != 0; }
};
constexpr LatexRoles operator|(LatexRoles a, LatexRoles b) {
  LatexRoles r;
  r.bits = a.bits | b.bits;
  return r;
}
constexpr LatexRoles operator|(LatexRole a, LatexRole b) { return LatexRoles(a) | LatexRoles(b); }

/// Whether the command `name` (no backslash) plays `role`; false for every name not in the table.
bool latex_command_has(std::string_view name, LatexRole role);

/// Every name that plays `role`, in table order (byte order of the names): for tests and documentation.
std::vector<std::string_view> latex_commands_with(LatexRole role);

/// Whether `name` is one of `list`: for the few word lists that are not LaTeX command names (environment names,
/// bare words such as "infinity").
template <std::size_t N>
bool in_list(const std::string_view (&list)[N], std::string_view name) {
  for (std::string_view item : list) {
    if (item == name) return true;
  }
  return false;
}

}  // namespace ttrl::answer::detail
