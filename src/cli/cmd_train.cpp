// `ttrl train`: the TTRL/DARE/GRPO training loop from a YAML config.
#include <spdlog/spdlog.h>

#include "cli/command.hpp"
#include "ttrl/core/logging.hpp"
#include "ttrl/train/trainer.hpp"

namespace ttrl::cli {

void add_train_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("train", "Train a model with TTRL/DARE/GRPO from a YAML config (sample, vote, reward, update in place)");
  cmd->footer(
      "Writes to trainer.output_dir: config.resolved.yaml, metrics.jsonl (one line per step), TensorBoard events,\n"
      "checkpoints/step-N/ (Hugging Face format + optimizer state). Plot with scripts/plot_metrics.py.\n\n"
      "Examples:\n"
      "  ttrl train -c configs/smoke.yaml                       tiny random model, seconds on a CPU\n"
      "  ttrl train -c configs/ttrl/qwen2.5-math-1.5b-aime.yaml --set model.path=/models/Qwen2.5-Math-1.5B\n"
      "  ttrl train -c configs/dare/qwen2.5-math-1.5b-aime.yaml --set reward.alpha=0.3 --set trainer.output_dir=runs/a03\n"
      "  ttrl train -c run.yaml --resume                        continue from the newest complete checkpoint");
  auto options = std::make_shared<ConfigOptions>();
  auto resume = std::make_shared<bool>(false);
  add_config_options(cmd, *options, /*config_required=*/true);
  cmd->add_flag("--resume", *resume, "continue from the newest complete checkpoint under trainer.output_dir");
  cmd->callback([&slot, options, resume] {
    slot.run = [options, resume] {
      const RunConfig config = load_run_config(*options);
      train::TrainOptions train_options;
      train_options.resume = *resume;
      const auto result = train::run_training(config, train_options);
      spdlog::info("done: {} steps; final checkpoint {}", result.steps, result.final_checkpoint);
      return 0;
    };
  });
}

}  // namespace ttrl::cli
