// `ttrl eval`: evaluate a model on benchmarks: avg@k, maj@k, pass@k.
#include "cli/command.hpp"

namespace ttrl::cli {

void add_eval_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("eval", "Evaluate a model on benchmarks: avg@k, maj@k, pass@k");
  cmd->footer("Examples:\n  ttrl eval --model runs/aime/checkpoints/step-80 --data AIME-TTT.json --k 16");
  cmd->allow_extras();
  cmd->callback([&slot] { slot.run = [] () -> int { not_available("eval", "issue #8: evaluation"); }; });
}

}  // namespace ttrl::cli
