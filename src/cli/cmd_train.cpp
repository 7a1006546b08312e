// `ttrl train`: the TTRL/DARE/GRPO training loop from a YAML config.
#include <spdlog/spdlog.h>

#include "cli/command.hpp"
#include "cli/launch.hpp"
#include "ttrl/core/logging.hpp"
#include "ttrl/eval/evaluator.hpp"
#include "ttrl/train/trainer.hpp"

namespace ttrl::cli {
namespace {

/// trainer.eval_every: evaluates eval.files with the eval: settings; logged as eval/<dataset>/avg@k, maj@k, pass@k.
train::EvaluateFn periodic_evaluation(const RunConfig& config, std::shared_ptr<dist::ProcessGroup> group) {
  if (config.trainer.eval_every <= 0 || config.eval.files.empty()) return {};
  return [config, group](rollout::Policy& policy, int64_t) {
    eval::EvalSettings settings = eval::settings_from_config(config);
    settings.progress_bar = false;
    std::map<std::string, double> values;
    for (const auto& file : config.eval.files) {
      const auto result = eval::evaluate_dataset(policy, config, file, settings, group.get());
      const std::string k = std::to_string(settings.k);
      values[result.name + "/avg@" + k] = result.summary.avg_at_k;
      values[result.name + "/maj@" + k] = result.summary.maj_at_k;
      values[result.name + "/pass@" + k] = result.summary.pass_at_k;
    }
    return values;
  };
}

}  // namespace

void add_train_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("train", "Train a model with TTRL/DARE/GRPO from a YAML config (sample, vote, reward, update in place)");
  cmd->footer(
      "Writes to trainer.output_dir: config.resolved.yaml, metrics.jsonl (one line per step), TensorBoard events,\n"
      "checkpoints/step-N/ (Hugging Face format + optimizer state). Plot with scripts/plot_metrics.py.\n\n"
      "Examples:\n"
      "  ttrl train -c configs/smoke.yaml                       tiny random model, seconds on a CPU\n"
      "  ttrl train -c configs/ttrl/qwen2.5-math-1.5b-aime.yaml --set model.path=/models/Qwen2.5-Math-1.5B\n"
      "  ttrl train -c configs/dare/qwen2.5-math-1.5b-aime.yaml --set reward.alpha=0.3 --set trainer.output_dir=runs/a03\n"
      "  ttrl train -c run.yaml --resume                        continue from the newest complete checkpoint\n"
      "  torchrun --nproc-per-node 2 --no-python build/bin/ttrl train -c configs/smoke.yaml   2 processes, each a share\n"
      "                                                         of every step (README: Many GPUs, many machines)");
  auto options = std::make_shared<ConfigOptions>();
  auto resume = std::make_shared<bool>(false);
  auto overwrite = std::make_shared<bool>(false);
  add_config_options(cmd, *options, /*config_required=*/true);
  cmd->add_flag("--resume", *resume, "continue from the newest complete checkpoint under trainer.output_dir");
  cmd->add_flag("--overwrite", *overwrite,
                "write into trainer.output_dir even if it holds files that ttrl train did not write");
  cmd->callback([&slot, options, resume, overwrite] {
    slot.run = [options, resume, overwrite] {
      RunConfig config = load_run_config(*options);
      train::TrainOptions train_options;
      train_options.resume = *resume;
      train_options.overwrite = *overwrite;
      train_options.process_group = join_process_group(config);
      train_options.evaluate = periodic_evaluation(config, train_options.process_group);
      return reporting_failure(*train_options.process_group, [&] {
        const auto result = train::run_training(config, train_options);
        spdlog::info("done: {} steps; final checkpoint {}", result.steps, result.final_checkpoint);
        return 0;
      });
    };
  });
}

}  // namespace ttrl::cli
