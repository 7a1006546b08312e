// `ttrl score`: log-probabilities and entropies of given completions under a model.
#include "cli/command.hpp"

namespace ttrl::cli {

void add_score_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("score", "Log-probabilities and entropies of given completions under a model");
  cmd->footer("Examples:\n  ttrl score --model DIR --input pairs.jsonl > scores.jsonl");
  cmd->allow_extras();
  cmd->callback([&slot] { slot.run = [] () -> int { not_available("score", "issue #3: model"); }; });
}

}  // namespace ttrl::cli
