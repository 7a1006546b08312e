// `ttrl sft`: supervised warm start of a model on worked solutions (the demo's base model is made this way).
#include <spdlog/spdlog.h>

#include "cli/command.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/core/output_guard.hpp"
#include "ttrl/data/dataset.hpp"
#include "ttrl/model/checkpoint.hpp"
#include "ttrl/rollout/policy.hpp"
#include "ttrl/metrics/metric_sinks.hpp"
#include "ttrl/train/sft.hpp"

namespace ttrl::cli {
namespace {

struct SftCli {
  ConfigOptions config;
  std::string data, output, metrics, solution_key = "solution";
  bool overwrite = false;
  train::SftOptions options;
};

int run_sft_command(const SftCli& cli) {
  const RunConfig config = load_run_config(cli.config);
  claim_output_dir(cli.output, {"sft", "--output", cli.overwrite, nullptr});
  auto policy = rollout::load_policy(config);
  const auto records = data::load_dataset(cli.data, config.data.prompt_key, config.data.answer_key);
  const auto examples = train::make_sft_examples(policy, config, records, cli.solution_key);
  std::unique_ptr<metrics::JsonlMetricSink> sink;
  if (!cli.metrics.empty()) sink = std::make_unique<metrics::JsonlMetricSink>(cli.metrics, /*append=*/false);
  train::SftOptions options = cli.options;
  options.progress_bar = config.logging.progress_bar;
  spdlog::info("sft: {} examples from {}, {} steps of {}", examples.size(), cli.data, options.steps, options.batch_size);
  const auto result = train::run_sft(policy, examples, options, [&sink](int64_t step, const std::map<std::string, double>& m) {
    if (sink) sink->write({step, m});
  });
  model::SaveOptions save;
  save.tokenizer_source_dir = policy.tokenizer_files_dir();
  model::save_pretrained(*policy.model, cli.output, save);  // replaces the directory: mark it again
  mark_output_dir(cli.output, "sft");
  spdlog::info("done: loss {:.4f} -> {:.4f}; checkpoint {}", result.losses.front(), result.losses.back(), cli.output);
  return 0;
}

}  // namespace

void add_sft_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("sft", "Supervised warm-start of a model on worked solutions (used by the demo)");
  cmd->footer(
      "Loss: mean negative log-likelihood of the solution tokens and the eos token given the chat-templated prompt.\n"
      "The model and tokenizer come from the config (model.path, or model.random_init with model.random.*).\n"
      "Records: JSON list or JSONL with the prompt field (data.prompt_key) and a solution field.\n\n"
      "Examples:\n"
      "  ttrl sft -c configs/smoke.yaml --data runs/demo/data/sft.jsonl --output runs/sft --steps 300\n"
      "  ttrl sft -c run.yaml --data train.jsonl --solution-key response --output ckpt --lr 1e-4 --metrics sft.jsonl");
  auto cli = std::make_shared<SftCli>();
  add_config_options(cmd, cli->config, /*config_required=*/false);
  cmd->add_option("--data", cli->data, "training records (prompt + solution)")->required();
  cmd->add_option("--output", cli->output, "checkpoint directory to write (Hugging Face format)")->required();
  cmd->add_flag("--overwrite", cli->overwrite, "replace --output even if ttrl sft did not write it");
  cmd->add_option("--solution-key", cli->solution_key, "record field holding the worked solution")->capture_default_str();
  cmd->add_option("--steps", cli->options.steps, "optimizer steps")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--batch-size", cli->options.batch_size, "examples per step")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--lr", cli->options.lr, "peak learning rate (cosine schedule)")->capture_default_str()->check(finite_number(0, 1, true));
  cmd->add_option("--warmup-ratio", cli->options.warmup_ratio, "share of steps with linear warmup")->capture_default_str()->check(finite_number(0, 1));
  cmd->add_option("--seed", cli->options.seed, "seed of the example order")->capture_default_str();
  cmd->add_option("--metrics", cli->metrics, "write per-step sft/loss, sft/lr, sft/grad_norm to this JSONL file");
  cmd->callback([&slot, cli] { slot.run = [cli] { return run_sft_command(*cli); }; });
}

}  // namespace ttrl::cli
