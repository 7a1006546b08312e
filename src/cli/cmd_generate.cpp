// `ttrl generate`: samples completions for prompts (JSONL in, JSONL out) with per-token log-probs and entropies.
#include <spdlog/spdlog.h>

#include "cli/command.hpp"
#include "ttrl/core/memory.hpp"
#include "ttrl/rollout/generate_jsonl.hpp"

namespace ttrl::cli {

void add_generate_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("generate", "Sample completions for prompts (JSONL in, JSONL out) with log-probs and entropies");
  cmd->footer(
      "Input lines:  {\"prompt_ids\": [1, 2, 3]}  or  {\"prompt\": \"What is 2+3?\"} (chat template, then tokenizer)\n"
      "Output lines: {\"prompt_index\", \"sample_index\", \"completion_ids\", \"logprobs\", \"entropies\", \"self_certainties\", \"text\",\n"
      "\"finish_reason\"}; logprobs/entropies/self_certainties (KL(uniform || p)): of softmax(logits / temperature) over\n"
      "the full vocabulary, before top-p/top-k truncation.\n\n"
      "Examples:\n"
      "  ttrl generate --model ckpt/ --input prompts.jsonl --output samples.jsonl --n 8 --temperature 1.0\n"
      "  ttrl generate --model ckpt/ --input q.jsonl --output greedy.jsonl --temperature 0 --max-new-tokens 512\n"
      "  ttrl generate --model ckpt/ --input ids.jsonl --output o.jsonl --ignore-eos --max-new-tokens 256   # benchmarks");
  auto job = std::make_shared<rollout::GenerateJob>();
  cmd->add_option("--model", job->model_dir, "Hugging Face checkpoint directory")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--input", job->input_path, "prompts, one JSON object per line")->required();
  cmd->add_option("--output", job->output_path, "samples, one JSON object per line (written when complete)")->required();
  cmd->add_option("--n", job->params.n, "samples per prompt (they share the prompt's prefill)")->capture_default_str();
  cmd->add_option("--max-new-tokens", job->params.max_new_tokens, "response length limit")->capture_default_str();
  cmd->add_option("--temperature", job->params.temperature, "0 = greedy")->check(finite_number(0, kMaxTemperature))->capture_default_str();
  cmd->add_option("--top-p", job->params.top_p, "nucleus mass, 1 = off")->check(finite_number(0, 1, true))->capture_default_str();
  cmd->add_option("--top-k", job->params.top_k, "0 = off")->capture_default_str();
  cmd->add_option("--min-p", job->params.min_p, "0 = off")->check(finite_number(0, 1))->capture_default_str();
  cmd->add_option("--stop", job->params.stop_strings, "stop string (repeatable), matched on decoded text");
  cmd->add_option("--seed", job->params.seed, "same seed, same samples, whatever the batch split")->capture_default_str();
  cmd->add_flag("--ignore-eos", job->params.ignore_eos, "never stop on EOS/end-of-turn ids (benchmarks)");
  cmd->add_option("--dtype", job->dtype, "auto | float32 | bfloat16")->capture_default_str();
  cmd->add_option("--device", job->device, "auto | cpu | cuda | cuda:N")->capture_default_str();
  cmd->add_option("--tokenizer", job->tokenizer_path, "tokenizer file or directory (default: the model directory)");
  cmd->add_option("--chat-template", job->chat_template, "template for text prompts (auto detects)")->capture_default_str();
  cmd->add_option("--max-batch", job->max_batch_sequences, "sequences decoded together; 0 = as many as 1 GiB holds on CPU, 40% of free memory on CUDA")->capture_default_str();
  cmd->callback([&slot, job] {
    slot.run = [job] {
      const auto summary = rollout::run_generate(*job);
      spdlog::info("generated {} samples for {} prompts: {} tokens in {:.2f} s ({:.1f} tokens/s), peak memory {} -> {}",
                   summary.samples, summary.prompts, summary.generated_tokens, summary.seconds,
                   summary.seconds > 0 ? summary.generated_tokens / summary.seconds : 0.0,
                   summary.peak_memory_bytes ? format_bytes(static_cast<double>(*summary.peak_memory_bytes)) : "unknown",
                   job->output_path);
      return 0;
    };
  });
}

}  // namespace ttrl::cli
