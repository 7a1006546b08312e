#include "ttrl/rollout/generate_jsonl.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "rollout/prompt_lines.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/kernels/device_memory.hpp"
#include "ttrl/model/checkpoint.hpp"
#include "ttrl/rollout/prompt_encoding.hpp"
#include "ttrl/rollout/sampler.hpp"

namespace ttrl::rollout {
namespace {

using nlohmann::json;

std::vector<PromptLine> read_prompt_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError("cannot read '" + path + "'");
  return parse_prompt_lines(in, path);
}

bool has_tokenizer_files(const std::string& dir) {
  namespace fs = std::filesystem;
  return fs::exists(fs::path(dir) / "tokenizer.json") || fs::exists(fs::path(dir) / "tokenizer.model") ||
         fs::exists(fs::path(dir) / "vocab.json");
}

json rollout_json(const Rollout& r) {
  return {{"prompt_index", r.prompt_index}, {"sample_index", r.sample_index}, {"completion_ids", r.completion_ids},
          {"logprobs", r.logprobs},         {"entropies", r.entropies},       {"self_certainties", r.self_certainties},
          {"text", r.text},                 {"finish_reason", r.finish_reason}};
}

}  // namespace

GenerateSummary run_generate(const GenerateJob& job) {
  const auto lines = read_prompt_lines(job.input_path);
  bool any_text = false;
  for (const auto& l : lines) any_text = any_text || l.text.has_value();

  std::string tokenizer_path = job.tokenizer_path;
  if (tokenizer_path.empty() && has_tokenizer_files(job.model_dir)) tokenizer_path = job.model_dir;
  std::unique_ptr<Tokenizer> tokenizer;
  if (!tokenizer_path.empty()) tokenizer = load_tokenizer(tokenizer_path);
  if (any_text && !tokenizer)
    throw ConfigError(job.input_path + ": text prompts need a tokenizer (--tokenizer PATH, or tokenizer files in the model directory)");

  const torch::Device device = model::to_torch_device(parse_device(job.device));
  model::LoadOptions load;
  load.device = device;
  load.dtype = model::to_torch_dtype(parse_dtype(job.dtype), device);
  auto model = model::load_pretrained(job.model_dir, load);
  model->eval();

  std::vector<std::vector<int64_t>> prompts;
  for (const auto& l : lines)
    prompts.push_back(l.text ? encode_prompt(*tokenizer, *l.text, job.chat_template, tokenizer_path) : l.ids);

  SamplingParams params = job.params;
  std::set<int64_t> stops(params.stop_token_ids.begin(), params.stop_token_ids.end());
  stops.insert(model->config().eos_token_ids.begin(), model->config().eos_token_ids.end());
  if (tokenizer) stops.insert(tokenizer->special_tokens().eos_ids.begin(), tokenizer->special_tokens().eos_ids.end());
  params.stop_token_ids.assign(stops.begin(), stops.end());

  SamplerOptions options;
  options.max_batch_sequences = job.max_batch_sequences;
  options.progress_bar = job.progress_bar;
  Sampler sampler(*model, tokenizer.get(), options);
  const auto rollouts = sampler.generate(prompts, params);

  std::string out;
  for (const auto& r : rollouts) out += rollout_json(r).dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  write_file_atomic(job.output_path, out);
  const auto& stats = sampler.last_stats();
  return {static_cast<int64_t>(prompts.size()), static_cast<int64_t>(rollouts.size()), stats.generated_tokens, stats.seconds,
          kernels::peak_memory_bytes(model->device())};
}

}  // namespace ttrl::rollout
