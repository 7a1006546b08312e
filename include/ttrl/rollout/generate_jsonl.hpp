#pragma once
// The work of `ttrl generate`: prompts from a JSONL file in, one JSONL line per sample out.
//   input lines:  {"prompt_ids": [...]}  or  {"prompt": "text"} (chat-templated, then tokenized)
//   output lines: {"prompt_index", "sample_index", "completion_ids", "logprobs", "entropies", "text", "finish_reason"}
#include <cstdint>
#include <optional>
#include <string>

#include "ttrl/rollout/sampling_params.hpp"

namespace ttrl::rollout {

struct GenerateJob {
  std::string model_dir;
  std::string input_path;
  std::string output_path;        ///< written atomically when complete
  std::string tokenizer_path;     ///< "" = the model directory when it holds tokenizer files
  std::string chat_template = "auto";
  std::string dtype = "auto";
  std::string device = "auto";
  int64_t max_batch_sequences = 0;
  bool progress_bar = true;
  SamplingParams params;
};

struct GenerateSummary {
  int64_t prompts = 0;
  int64_t samples = 0;
  int64_t generated_tokens = 0;
  double seconds = 0;  ///< sampling only
  std::optional<uint64_t> peak_memory_bytes;  ///< kernels::peak_memory_bytes of the model's device after sampling
};

/// Throws ttrl::Error naming the file and line for unreadable input, bad JSON or missing fields.
GenerateSummary run_generate(const GenerateJob& job);

}  // namespace ttrl::rollout
