// `ttrl score`: log-probabilities and entropies of given completions under a model.
#include <iostream>

#include "cli/command.hpp"
#include "ttrl/model/score.hpp"

namespace ttrl::cli {

void add_score_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("score", "Log-probabilities and entropies of given completions under a model");
  cmd->footer(
      "Input lines:  {\"prompt_ids\": [...], \"completion_ids\": [...]}\n"
      "Output lines (stdout, same order): {\"logprobs\": [...], \"entropies\": [...]}, one value per completion token:\n"
      "  its log-probability given everything before it, and the entropy (nats) of the full next-token distribution\n"
      "  at that position. A bad input line is an error naming the file and line; nothing is written then.\n\n"
      "Examples:\n"
      "  ttrl score --model Qwen2.5-Math-1.5B/ --input pairs.jsonl > scores.jsonl\n"
      "  ttrl score --model ckpt/ --input pairs.jsonl --dtype bfloat16 --device cuda > scores.jsonl\n"
      "  echo '{\"prompt_ids\": [1, 2], \"completion_ids\": [3]}' > one.jsonl && ttrl score --model ckpt/ --input one.jsonl");
  auto job = std::make_shared<model::ScoreJob>();
  cmd->add_option("--model", job->model_dir, "Hugging Face checkpoint directory")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--input", job->input_path, "JSONL file of prompt/completion token ids")->required()->check(CLI::ExistingFile);
  cmd->add_option("--dtype", job->dtype, "float32 | bfloat16 | float16 | auto")
      ->check(CLI::IsMember({"auto", "float32", "fp32", "bfloat16", "bf16", "float16", "fp16"}))
      ->capture_default_str();
  cmd->add_option("--device", job->device, "auto | cpu | cuda | cuda:N")->capture_default_str();
  cmd->add_option("--temperature", job->options.temperature, "score softmax(logits / temperature)")
      ->check(finite_number(0, kMaxTemperature, true))
      ->capture_default_str();
  cmd->add_option("--batch-tokens", job->options.max_batch_tokens, "padded tokens per forward pass")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->callback([&slot, job] {
    slot.run = [job] {
      model::run_score(*job, std::cout);
      return 0;
    };
  });
}

}  // namespace ttrl::cli
