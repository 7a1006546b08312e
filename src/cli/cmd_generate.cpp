// `ttrl generate`: sample completions for prompts (JSONL in, JSONL out) with log-probs and entropies.
#include "cli/command.hpp"

namespace ttrl::cli {

void add_generate_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("generate", "Sample completions for prompts (JSONL in, JSONL out) with log-probs and entropies");
  cmd->footer("Examples:\n  ttrl generate --model DIR --input prompts.jsonl --output samples.jsonl --n 8 --temperature 1.0");
  cmd->allow_extras();
  cmd->callback([&slot] { slot.run = [] () -> int { not_available("generate", "issue #10: rollout sampler"); }; });
}

}  // namespace ttrl::cli
