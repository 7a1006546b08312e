// `ttrl eval`: avg@k, maj@k, pass@k of a model on benchmark files; results.json and a markdown table.
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/command.hpp"
#include "cli/launch.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/core/output_guard.hpp"
#include "ttrl/eval/evaluator.hpp"

namespace ttrl::cli {
namespace {

struct EvalCli {
  ConfigOptions config;
  std::string model, tokenizer, chat_template, device, dtype, output;
  bool overwrite = false;
  std::vector<std::string> data, tables;
  eval::EvalSettings settings;
};

/// Flags given on the command line win over the config's eval: section.
eval::EvalSettings settings_from(const RunConfig& config, const EvalCli& cli, const CLI::App& cmd) {
  eval::EvalSettings s = cli.settings;
  if (!cmd.count("--k")) s.k = config.eval.k;
  if (!cmd.count("--temperature")) s.temperature = config.eval.temperature;
  if (!cmd.count("--top-p")) s.top_p = config.eval.top_p;
  if (!cmd.count("--max-new-tokens")) s.max_new_tokens = config.eval.max_new_tokens;
  if (!cmd.count("--seed")) s.seed = static_cast<uint64_t>(config.eval.seed);
  if (!cmd.count("--task") && !cli.config.config_path.empty()) s.task = config.eval.task;
  s.progress_bar = config.logging.progress_bar;
  return s;
}

int run_eval(const EvalCli& cli, const CLI::App& cmd) {
  if (!cli.tables.empty()) {
    std::cout << eval::comparison_table(cli.tables);
    return 0;
  }
  RunConfig config = load_run_config(cli.config);
  if (!cli.model.empty()) config.model.path = cli.model, config.model.random_init = false;
  if (!cli.tokenizer.empty()) config.tokenizer.path = cli.tokenizer;
  if (!cli.chat_template.empty()) config.tokenizer.chat_template = cli.chat_template;
  if (!cli.device.empty()) config.model.device = cli.device;
  if (!cli.dtype.empty()) config.model.dtype = cli.dtype;
  if (config.model.path.empty() && !config.model.random_init)
    throw ConfigError("eval: no model: give --model DIR (a Hugging Face checkpoint), or -c CONFIG with model.path "
                      "(or model.random_init: true)");
  const std::vector<std::string> files = cli.data.empty() ? config.eval.files : cli.data;
  if (files.empty()) throw ConfigError("eval: no data: give --data FILE (repeatable) or eval.files in the config");
  const eval::EvalSettings settings = settings_from(config, cli, cmd);
  const std::string output = cli.output.empty() ? config.eval.output : cli.output;
  const auto group = join_process_group(config);
  return reporting_failure(*group, [&] {
    // Several processes: each samples a strided share of every file's problems; rank 0 gathers and writes.
    if (group->is_main())
      check_output_file(output, cli.output.empty() ? "eval.output" : "--output", cli.overwrite, eval::is_results_json);
    group->barrier();
    auto policy = rollout::load_policy(config);
    std::vector<eval::DatasetResult> results;
    for (const auto& file : files) {
      spdlog::info("evaluating {} (k = {}, temperature {}, top-p {})", file, settings.k, settings.temperature, settings.top_p);
      results.push_back(eval::evaluate_dataset(policy, config, file, settings, group.get()));
    }
    if (!group->is_main()) return 0;
    const std::string model_name = config.model.path.empty() ? "random-init" : config.model.path;
    write_file_atomic(output, eval::to_json(results, settings, model_name).dump(2) + "\n");
    std::cout << eval::markdown_table(results);
    spdlog::info("results: {}", output);
    return 0;
  });
}

}  // namespace

void add_eval_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("eval", "Evaluate a model on benchmarks: avg@k, maj@k, pass@k (results.json + table)");
  cmd->footer(
      "avg@k = mean accuracy of the k samples (the papers' pass@1); maj@k = the largest class of equivalent answers\n"
      "is correct; pass@k = unbiased estimator. Datasets: TTRL JSON lists or JSONL with prompt/answer fields.\n\n"
      "Examples:\n"
      "  ttrl eval --model ckpt/ --data ../shared/fixtures/benchmarks/AIME-TTT.json --k 16\n"
      "  ttrl eval --model ckpt/ --data MATH-L1-TTT.json --data MATH-L5-TTT.json --output math.json\n"
      "  ttrl eval --model ckpt/ --data GPQA-TTT.json --task choice\n"
      "  ttrl eval -c run.yaml                                  model: and eval: sections of a run config\n"
      "  ttrl eval --table base.json trained.json               the TTRL paper's Table 1 shape, with deltas\n"
      "  torchrun --nproc-per-node 2 --no-python build/bin/ttrl eval --model ckpt/ --data AIME-TTT.json\n"
      "                                                         2 processes, each a share of the problems; same results");
  auto cli = std::make_shared<EvalCli>();
  add_config_options(cmd, cli->config, /*config_required=*/false);
  cmd->add_option("--model", cli->model, "Hugging Face checkpoint directory");
  cmd->add_option("--data", cli->data, "benchmark file (repeatable)");
  cmd->add_option("--k", cli->settings.k, "samples per problem")->capture_default_str();
  cmd->add_option("--temperature", cli->settings.temperature, "sampling temperature")->check(finite_number(0, kMaxTemperature))->capture_default_str();
  cmd->add_option("--top-p", cli->settings.top_p, "nucleus mass")->check(finite_number(0, 1, true))->capture_default_str();
  cmd->add_option("--max-new-tokens", cli->settings.max_new_tokens, "response length limit")->capture_default_str();
  cmd->add_option("--task", cli->settings.task, "math | choice | last_number | auto (choice for GPQA files)")
      ->check(CLI::IsMember({"auto", "math", "choice", "last_number"}))->capture_default_str();
  cmd->add_option("--seed", cli->settings.seed, "sampling seed")->capture_default_str();
  cmd->add_option("--limit", cli->settings.limit, "first N problems of each file (0 = all)")->capture_default_str();
  cmd->add_option("--max-batch", cli->settings.max_batch_sequences, "sequences decoded together; 0 = automatic");
  cmd->add_option("--output", cli->output, "results file (default: eval.output, results.json)");
  cmd->add_flag("--overwrite", cli->overwrite, "replace the results file even if it is not an earlier ttrl eval result");
  cmd->add_option("--tokenizer", cli->tokenizer, "tokenizer file or directory (default: the model directory)");
  cmd->add_option("--chat-template", cli->chat_template, "prompt template (default: detected)");
  cmd->add_option("--device", cli->device, "auto | cpu | cuda | cuda:N");
  cmd->add_option("--dtype", cli->dtype, "auto | float32 | bfloat16");
  cmd->add_option("--table", cli->tables, "print the comparison table of one or two results.json files and exit")->expected(1, 2);
  cmd->callback([&slot, cli, cmd] { slot.run = [cli, cmd] { return run_eval(*cli, *cmd); }; });
}

}  // namespace ttrl::cli
