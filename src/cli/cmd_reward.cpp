// `ttrl reward`: score saved rollouts with a reward function (majority_vote, dare, ground_truth, plugin).
#include "cli/command.hpp"

namespace ttrl::cli {

void add_reward_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("reward", "Score saved rollouts with a reward function (majority_vote, dare, ground_truth, plugin)");
  cmd->footer("Examples:\n  ttrl reward --config reward.yaml --input groups.jsonl");
  cmd->allow_extras();
  cmd->callback([&slot] { slot.run = [] () -> int { not_available("reward", "issue #6: rewards"); }; });
}

}  // namespace ttrl::cli
