// `ttrl reward`: score saved rollouts with any reward function (built-in, plugin or registered in-process).
// The work is ttrl::reward::score_jsonl_file (src/reward/reward_jsonl.cpp); this file only wires the options.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/command.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/reward/reward_jsonl.hpp"
#include "ttrl/rollout/policy.hpp"
#include "ttrl/train/policy_scorer.hpp"

namespace ttrl::cli {
namespace {

struct RewardOptions {
  ConfigOptions config;
  std::string input;
  std::string output;  ///< empty: standard output
  std::string model;   ///< --model: a checkpoint whose probabilities rlpr reads
};

/// With --model: gives each group a scorer on the model for its prompt (templated as in training).
reward::GroupHook scorer_hook(const RunConfig& config, const std::string& model_dir,
                              std::shared_ptr<rollout::Policy>& policy,
                              std::shared_ptr<train::PromptScorer>& scorer) {
  if (model_dir.empty()) return {};
  if (!std::filesystem::is_directory(model_dir))
    throw IoError("--model: '" + model_dir + "' is not a directory (a checkpoint: config.json and *.safetensors)");
  RunConfig policy_config = config;
  policy_config.model.path = model_dir;
  policy_config.model.random_init = false;
  policy = std::make_shared<rollout::Policy>(rollout::load_policy(policy_config));
  const double temperature = config.rollout.temperature > 0 ? config.rollout.temperature : 1.0;
  return [config, policy, &scorer, temperature](reward::Group& group) {
    if (group.prompt.empty()) throw IoError("\"prompt\": missing or empty (--model scores the rollouts after it)");
    scorer = std::make_shared<train::PromptScorer>(*policy->model, *policy->tokenizer,
                                                   rollout::encode_question(*policy, config, group.prompt), temperature);
    group.scorer = scorer.get();
  };
}

int run_reward(const RewardOptions& options) {
  const RunConfig config = load_run_config(options.config);
  std::shared_ptr<rollout::Policy> policy;
  std::shared_ptr<train::PromptScorer> scorer;
  const reward::GroupHook prepare = scorer_hook(config, options.model, policy, scorer);
  int64_t groups = 0;
  if (options.output.empty()) {
    groups = reward::score_jsonl_file(options.input, std::cout, config.reward, prepare);
    std::cout.flush();
  } else {
    std::ostringstream out;
    groups = reward::score_jsonl_file(options.input, out, config.reward, prepare);
    write_file_atomic(options.output, out.str());
  }
  spdlog::info("scored {} group(s) with reward '{}'", groups, config.reward.name);
  return kExitOk;
}

}  // namespace

void add_reward_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand(
      "reward", "Score saved rollouts with a reward function (any built-in, or a plugin's)");
  cmd->footer(
      "Input: one group per line:\n"
      "  {\"rollouts\": [{\"text\": \"...\", \"entropy\": <mean token entropy, nats>, \"num_tokens\": <int>,\n"
      "                 \"completion_ids\": [...], \"logprobs\": [...], \"entropies\": [...], \"self_certainties\": [...]}],\n"
      "   \"vocab_size\": <int>, \"gold\": \"<answer, optional>\", \"task\": \"math\" | \"choice\" | \"last_number\",\n"
      "   \"partner_rollouts\": [...] (co_reward)}\n"
      "Per-token lists as `ttrl generate` writes them; `ttrl train` with trainer.save_rollouts writes this format.\n"
      "Output: one line per group: {\"rewards\": [...], \"label\": <answer or null>, \"answers\": [...], \"metrics\": {...}}\n"
      "Only the reward: section of the configuration is used (see docs/rewards.md).\n\n"
      "Examples:\n"
      "  ttrl reward --config reward.yaml --input groups.jsonl\n"
      "  ttrl reward --input groups.jsonl --set reward.name=dare --set reward.tau=0.1 -o scored.jsonl\n"
      "  ttrl reward --input runs/x/rollouts/step-3.jsonl --set reward.name=self_certainty\n"
      "  ttrl reward --input groups.jsonl --set reward.plugin=./libmy_reward.so --set reward.name=my_reward\n"
      "  cat groups.jsonl | ttrl reward --input - --set reward.name=ground_truth\n"
      "  ttrl reward -c run.yaml --input step-3.jsonl --set reward.name=rlpr --model runs/x/checkpoints/step-2");
  auto options = std::make_shared<RewardOptions>();
  add_config_options(cmd, options->config, false);
  cmd->add_option("-i,--input", options->input, "groups of rollouts, JSONL ('-': standard input)")->required();
  cmd->add_option("-o,--output", options->output, "write the results here instead of standard output");
  cmd->add_option("--model", options->model,
                  "checkpoint directory whose probabilities rlpr reads (with its tokenizer and the config's chat "
                  "template and rollout.temperature)");
  cmd->callback([&slot, options] { slot.run = [options] { return run_reward(*options); }; });
}

}  // namespace ttrl::cli
