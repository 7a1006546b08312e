// `ttrl train`: train a model with TTRL/DARE/GRPO from a YAML config (sample, vote, reward, update in place).
#include "cli/command.hpp"

namespace ttrl::cli {

void add_train_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("train", "Train a model with TTRL/DARE/GRPO from a YAML config (sample, vote, reward, update in place)");
  cmd->footer("Examples:\n  ttrl train -c configs/smoke.yaml\n  ttrl train -c configs/ttrl/qwen2.5-math-1.5b-aime.yaml --set trainer.output_dir=runs/aime\n  ttrl train -c run.yaml --resume            continue from the newest complete checkpoint");
  cmd->allow_extras();
  cmd->callback([&slot] { slot.run = [] () -> int { not_available("train", "issue #7: GRPO trainer"); }; });
}

}  // namespace ttrl::cli
