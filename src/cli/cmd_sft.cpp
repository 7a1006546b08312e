// `ttrl sft`: supervised warm-start of a model on worked solutions (used by the demo).
#include "cli/command.hpp"

namespace ttrl::cli {

void add_sft_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("sft", "Supervised warm-start of a model on worked solutions (used by the demo)");
  cmd->footer("Examples:\n  ttrl sft -c configs/demo-sft.yaml");
  cmd->allow_extras();
  cmd->callback([&slot] { slot.run = [] () -> int { not_available("sft", "issue #9: demo"); }; });
}

}  // namespace ttrl::cli
