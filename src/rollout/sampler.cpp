#include "ttrl/rollout/sampler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <fmt/format.h>

#include "ttrl/core/error.hpp"
#include "ttrl/core/memory.hpp"
#include "ttrl/core/progress.hpp"
#include "ttrl/kernels/device_memory.hpp"
#include "ttrl/model/kv_cache.hpp"
#include "ttrl/rollout/sampling_run.hpp"

namespace ttrl::rollout {
namespace {

constexpr int64_t kCpuBudget = int64_t{1} << 30;
constexpr double kCudaBudgetShare = 0.4;
constexpr int64_t kMaxAutomaticRows = 4096;
/// float32 temporaries of sampling per logit: probabilities, candidates or padded copy, statistics' log-softmax.
constexpr int64_t kSamplingBytesPerLogit = 16;

void check_prompts(const std::vector<std::vector<int64_t>>& prompts, int64_t vocab) {
  for (size_t i = 0; i < prompts.size(); ++i) {
    if (prompts[i].empty()) throw Error(fmt::format("sampler: prompt {} is empty", i));
    for (int64_t id : prompts[i])
      if (id < 0 || id >= vocab)
        throw Error(fmt::format("sampler: prompt {} holds token id {} outside the vocabulary [0, {})", i, id, vocab));
  }
}

/// Refuses a request whose finished samples alone cannot fit in host memory (every sample keeps a Rollout and its
/// token vectors): `n` = 10^8 is an error naming n, not std::bad_alloc after minutes of sampling.
void check_samples_fit(size_t prompts, const SamplingParams& params) {
  constexpr double kBytesPerSampleAtLeast = 2 * sizeof(Rollout);
  const double samples = static_cast<double>(prompts) * static_cast<double>(params.n);
  check_fits_in_memory(samples * kBytesPerSampleAtLeast, host_available_bytes(),
                       fmt::format("sampling {} prompts x {} samples", prompts, params.n), "sampling n (--n, rollout.n_vote)");
}

/// The memory decode rows may take and what sets it: the budget when one is given, else the device's free memory.
struct MemoryLimit {
  std::optional<uint64_t> bytes;
  std::string source;
};

MemoryLimit memory_limit(const torch::Device& device, int64_t budget_bytes) {
  if (budget_bytes > 0) return {static_cast<uint64_t>(budget_bytes), "the budget rollout.memory_budget_mb"};
  if (device.is_cuda()) {
    const auto memory = kernels::device_memory(device);
    return {memory ? std::optional<uint64_t>(memory->free) : std::nullopt, "the free memory of " + device.str()};
  }
  return {host_available_bytes(), "the available host memory"};
}

}  // namespace

int64_t decode_row_bytes(const model::ModelConfig& config, torch::Dtype dtype, int64_t longest_prompt,
                         int64_t max_new_tokens) {
  const auto kv = [&](int64_t tokens) {
    return model::KVCache::bytes_needed(config, {1, tokens, dtype, torch::kCPU});
  };
  const int64_t statistics = max_new_tokens * 3 * static_cast<int64_t>(sizeof(float));
  const int64_t sampling = config.vocab_size * (static_cast<int64_t>(c10::elementSize(dtype)) + kSamplingBytesPerLogit);
  return kv(longest_prompt + max_new_tokens) + kv(longest_prompt) + statistics + sampling;
}

Sampler::Sampler(model::TransformerImpl& model, const Tokenizer* tokenizer, SamplerOptions options)
    : model_(model), tokenizer_(tokenizer), options_(options) {}

int64_t Sampler::batch_rows(int64_t longest_prompt, int64_t max_new_tokens, double sequences) const {
  const auto device = model_.device();
  const int64_t per_row = decode_row_bytes(model_.config(), model_.dtype(), longest_prompt, max_new_tokens);
  const MemoryLimit limit = memory_limit(device, options_.memory_budget_bytes);
  const bool explicit_rows = options_.max_batch_sequences > 0;
  double rows = 0;
  if (explicit_rows) {
    rows = static_cast<double>(options_.max_batch_sequences);
  } else {
    double budget = static_cast<double>(kCpuBudget);
    if (options_.memory_budget_bytes > 0) budget = static_cast<double>(options_.memory_budget_bytes);
    else if (device.is_cuda() && limit.bytes) budget = kCudaBudgetShare * static_cast<double>(*limit.bytes);
    rows = std::clamp(std::floor(budget / static_cast<double>(per_row)), 1.0, static_cast<double>(kMaxAutomaticRows));
  }
  rows = std::min(rows, sequences);  // memory follows the work: never more rows than sequences
  const double bytes = rows * static_cast<double>(per_row);
  if (limit.bytes && bytes > static_cast<double>(*limit.bytes)) {
    const auto fit = static_cast<int64_t>(static_cast<double>(*limit.bytes) / static_cast<double>(per_row));
    throw ConfigError(fmt::format(
        "sampling: {:.0f} decode rows of {} each ({} in all) do not fit in {} ({}); at most {} rows fit. {}", rows,
        format_bytes(static_cast<double>(per_row)), format_bytes(bytes), format_bytes(static_cast<double>(*limit.bytes)),
        limit.source, fit,
        explicit_rows ? fmt::format("Lower max_batch_sequences (rollout.max_batch_sequences, --max-batch) from {} to {} or less",
                                    options_.max_batch_sequences, fit)
                      : "Raise the memory budget or shorten prompts / max_new_tokens"));
  }
  return static_cast<int64_t>(rows);
}

std::vector<Rollout> Sampler::generate(const std::vector<std::vector<int64_t>>& prompts, const SamplingParams& params) {
  validate(params);
  if (!params.prompt_streams.empty() && params.prompt_streams.size() != prompts.size())
    throw Error("sampler: " + std::to_string(params.prompt_streams.size()) + " prompt stream indices for " +
                std::to_string(prompts.size()) + " prompts");
  if (!params.stop_strings.empty() && !tokenizer_) throw ConfigError("sampling: stop strings need a tokenizer");
  const auto& config = model_.config();
  check_prompts(prompts, config.vocab_size);
  const auto start_time = std::chrono::steady_clock::now();
  stats_ = {};
  if (prompts.empty()) return {};

  int64_t longest_prompt = 0;
  for (const auto& p : prompts) longest_prompt = std::max<int64_t>(longest_prompt, static_cast<int64_t>(p.size()));
  if (longest_prompt + params.max_new_tokens > config.max_position_embeddings)
    throw Error(fmt::format("sampler: prompts of {} tokens plus max_new_tokens {} exceed the model's context of {}",
                            longest_prompt, params.max_new_tokens, config.max_position_embeddings));
  const double sequences = static_cast<double>(prompts.size()) * static_cast<double>(params.n);
  check_samples_fit(prompts.size(), params);
  SamplingRunOptions run_options;
  run_options.rows = batch_rows(longest_prompt, params.max_new_tokens, sequences);
  run_options.max_prefill_tokens = options_.max_prefill_tokens;
  run_options.raw_self_certainty = options_.raw_self_certainty;

  torch::NoGradGuard no_grad;
  SamplingRun run(model_, tokenizer_, prompts, params, run_options);
  ProgressBar progress("sampling", static_cast<int64_t>(sequences), options_.progress_bar);
  auto compact = [&]() {
    const int64_t before = run.finished_count();
    run.compact();
    progress.advance(run.finished_count() - before);
  };
  while (!run.done()) {
    run.admit();
    compact();  // a first token may already end a sample
    run.step();
    compact();
    const double seconds = progress.elapsed_seconds();
    if (options_.progress_bar && seconds > 0)
      progress.set_status(fmt::format("{} live | {:.0f} tok/s", run.live_rows(), run.generated_tokens() / seconds));
  }
  progress.finish();
  stats_.generated_tokens = run.generated_tokens();
  stats_.forward_passes = run.forward_passes();
  stats_.rows = run_options.rows;
  auto out = run.take_rollouts();
  stats_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
  return out;
}

}  // namespace ttrl::rollout
