// `ttrl tokenize`: tokenize text (or --decode ids) with a Hugging Face or SentencePiece tokenizer.
#include "cli/command.hpp"

namespace ttrl::cli {

void add_tokenize_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("tokenize", "Tokenize text (or --decode ids) with a Hugging Face or SentencePiece tokenizer");
  cmd->footer("Examples:\n  ttrl tokenize --tokenizer DIR/tokenizer.json --input texts.jsonl");
  cmd->allow_extras();
  cmd->callback([&slot] { slot.run = [] () -> int { not_available("tokenize", "issue #4: tokenizers"); }; });
}

}  // namespace ttrl::cli
