// `ttrl demo`: run the whole method offline on a tiny model: base vs TTRL vs DARE vs GT-GRPO.
#include "cli/command.hpp"

namespace ttrl::cli {

void add_demo_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("demo", "Run the whole method offline on a tiny model: base vs TTRL vs DARE vs GT-GRPO");
  cmd->footer("Examples:\n  ttrl demo --quick --output runs/demo");
  cmd->allow_extras();
  cmd->callback([&slot] { slot.run = [] () -> int { not_available("demo", "issue #9: demo"); }; });
}

}  // namespace ttrl::cli
