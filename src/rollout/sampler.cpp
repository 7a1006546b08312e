#include "ttrl/rollout/sampler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <fmt/format.h>

#include "ttrl/core/error.hpp"
#include "ttrl/core/memory.hpp"
#include "ttrl/core/progress.hpp"
#include "ttrl/kernels/token_stats.hpp"
#include "ttrl/rollout/token_sampling.hpp"

namespace ttrl::rollout {
namespace {

/// A prompt's samples [first_sample, first_sample + count) admitted together (count <= cache rows).
struct WorkUnit {
  int64_t prompt_index = 0;
  int64_t first_sample = 0;
  int64_t count = 0;
};

/// A sequence being sampled; its last id is always the one not yet fed to the model.
struct Sequence {
  int64_t prompt_index = 0;
  int64_t sample_index = 0;
  uint64_t key = 0;
  std::vector<int64_t> ids;
  std::vector<float> logprobs, entropies, self_certainties;
  std::string visible_bytes;  ///< decoded bytes so far (special tokens skipped), for stop strings
  Tokenizer::DecodeState decode_state;
  std::string finish_reason;  ///< empty while running
};

/// Everything the loop needs to decide when a sequence is done.
struct StopRules {
  const SamplingParams& params;
  const Tokenizer* tokenizer;
  size_t longest_stop_string = 0;

  bool is_stop_token(int64_t id) const {
    return !params.ignore_eos &&
           std::find(params.stop_token_ids.begin(), params.stop_token_ids.end(), id) != params.stop_token_ids.end();
  }

  /// Records the token just sampled and sets finish_reason when the sequence is complete.
  void record(Sequence& s, int64_t id, float logprob, float entropy, float self_certainty) const {
    s.ids.push_back(id);
    s.logprobs.push_back(logprob);
    s.entropies.push_back(entropy);
    s.self_certainties.push_back(self_certainty);
    if (is_stop_token(id)) {
      s.finish_reason = "stop";
      return;
    }
    if (!params.stop_strings.empty()) {
      const size_t before = s.visible_bytes.size();
      tokenizer->append_token_bytes(id, s.decode_state, /*skip_special_tokens=*/true, s.visible_bytes);
      // Only a match that ends in the new bytes can be new.
      const size_t from = before >= longest_stop_string ? before - longest_stop_string + 1 : 0;
      for (const auto& stop : params.stop_strings)
        if (s.visible_bytes.find(stop, from) != std::string::npos) {
          s.finish_reason = "stop";
          return;
        }
    }
    if (static_cast<int64_t>(s.ids.size()) >= params.max_new_tokens) s.finish_reason = "length";
  }
};

/// Decoded completion, cut before the first stop string.
std::string completion_text(const Sequence& s, const SamplingParams& params, const Tokenizer* tokenizer) {
  if (!tokenizer) return "";
  std::string text = tokenizer->decode(s.ids, /*skip_special_tokens=*/true);
  size_t cut = std::string::npos;
  for (const auto& stop : params.stop_strings) cut = std::min(cut, text.find(stop));
  if (cut != std::string::npos) text.resize(cut);
  return text;
}

Rollout to_rollout(Sequence&& s, const SamplingParams& params, const Tokenizer* tokenizer) {
  Rollout r;
  r.prompt_index = s.prompt_index;
  r.sample_index = s.sample_index;
  r.text = completion_text(s, params, tokenizer);
  r.completion_ids = std::move(s.ids);
  r.logprobs = std::move(s.logprobs);
  r.entropies = std::move(s.entropies);
  r.self_certainties = std::move(s.self_certainties);
  r.finish_reason = std::move(s.finish_reason);
  return r;
}

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
  constexpr double kBytesPerSampleAtLeast = sizeof(Rollout) + sizeof(Sequence);
  const double samples = static_cast<double>(prompts) * static_cast<double>(params.n);
  check_fits_in_memory(samples * kBytesPerSampleAtLeast, host_available_bytes(),
                       fmt::format("sampling {} prompts x {} samples", prompts, params.n), "sampling n (--n, rollout.n_vote)");
}

}  // namespace

Sampler::Sampler(model::TransformerImpl& model, const Tokenizer* tokenizer, SamplerOptions options)
    : model_(model), tokenizer_(tokenizer), options_(options) {}

int64_t Sampler::batch_rows(int64_t max_len) const {
  if (options_.max_batch_sequences > 0) return options_.max_batch_sequences;
  const int64_t budget = options_.memory_budget_bytes > 0 ? options_.memory_budget_bytes
                                                          : (model_.device().is_cuda() ? (int64_t{8} << 30) : (int64_t{1} << 30));
  const int64_t per_row = model::KVCache::bytes_needed(model_.config(), {1, max_len, model_.dtype(), model_.device()});
  return std::clamp<int64_t>(budget / std::max<int64_t>(1, per_row), 1, 4096);
}

void Sampler::check_cache_fits(int64_t rows, int64_t max_len) const {
  if (!model_.device().is_cpu()) return;  // CUDA: the budget of the device's free memory (issue #18)
  const auto& config = model_.config();
  const double bytes =
      static_cast<double>(model::KVCache::bytes_needed(config, {1, max_len, model_.dtype(), model_.device()})) * rows;
  check_fits_in_memory(bytes, host_available_bytes(),
                       fmt::format("a KV cache of {} rows x {} tokens", rows, max_len),
                       options_.max_batch_sequences > 0 ? "max_batch_sequences (--max-batch, rollout.max_batch_sequences)"
                                                        : "memory_budget (rollout.memory_budget_mb)");
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
  const int64_t max_len = longest_prompt + params.max_new_tokens;
  if (max_len > config.max_position_embeddings)
    throw Error(fmt::format("sampler: prompts of {} tokens plus max_new_tokens {} exceed the model's context of {}",
                            longest_prompt, params.max_new_tokens, config.max_position_embeddings));
  // Memory follows the work: never more cache rows than there are sequences to sample.
  const double sequences = static_cast<double>(prompts.size()) * static_cast<double>(params.n);
  const int64_t rows = static_cast<int64_t>(std::min<double>(static_cast<double>(batch_rows(max_len)), sequences));
  check_cache_fits(rows, max_len);
  check_samples_fit(prompts.size(), params);

  std::deque<WorkUnit> pending;
  for (int64_t p = 0; p < static_cast<int64_t>(prompts.size()); ++p)
    for (int64_t first = 0; first < params.n; first += rows) pending.push_back({p, first, std::min(rows, params.n - first)});

  StopRules rules{params, tokenizer_};
  for (const auto& s : params.stop_strings) rules.longest_stop_string = std::max(rules.longest_stop_string, s.size());
  kernels::TokenStatsOptions stats_options;
  stats_options.temperature = params.temperature > 0 ? params.temperature : 1.0;  // greedy: the model's distribution
  stats_options.self_certainty = true;
  if (options_.raw_self_certainty) stats_options.certainty_temperature = 1.0;

  torch::NoGradGuard no_grad;
  model::KVCache cache = model_.make_cache(rows, max_len);
  model::KVCache prefill = model_.make_cache(std::min<int64_t>(rows, static_cast<int64_t>(pending.size())), longest_prompt);
  std::vector<Sequence> live, finished;
  finished.reserve(static_cast<size_t>(sequences));
  ProgressBar progress("sampling", static_cast<int64_t>(prompts.size()) * params.n, options_.progress_bar);

  // Samples one token for each live row from `first` on (logits: one row per such sequence) and records it.
  auto sample_rows = [&](const torch::Tensor& logits, size_t first) {
    std::vector<uint64_t> keys;
    std::vector<int64_t> steps;
    for (size_t b = first; b < live.size(); ++b) keys.push_back(live[b].key), steps.push_back(static_cast<int64_t>(live[b].ids.size()));
    const torch::Tensor tokens = sample_next_tokens(logits, params, keys, steps);
    const auto stats = kernels::token_stats(logits, tokens.to(logits.device()), stats_options);
    const auto logprobs = stats.logprob.cpu(), entropies = stats.entropy.cpu(), certainties = stats.self_certainty.cpu();
    const auto* token = tokens.data_ptr<int64_t>();
    const auto* logprob = logprobs.data_ptr<float>();
    const auto* entropy = entropies.data_ptr<float>();
    const auto* certainty = certainties.data_ptr<float>();
    for (size_t b = first; b < live.size(); ++b) {
      const size_t i = b - first;
      rules.record(live[b], token[i], logprob[i], entropy[i], certainty[i]);
    }
    stats_.generated_tokens += static_cast<int64_t>(live.size() - first);
  };

  // Finished sequences leave `live` and their rows leave the cache (compaction).
  auto compact = [&]() {
    std::vector<int64_t> keep;
    std::vector<Sequence> still_live;
    for (size_t b = 0; b < live.size(); ++b) {
      if (live[b].finish_reason.empty()) {
        keep.push_back(static_cast<int64_t>(b));
        still_live.push_back(std::move(live[b]));
      } else {
        finished.push_back(std::move(live[b]));
        progress.advance(1);
      }
    }
    if (keep.size() != live.size()) cache.keep_rows(keep);
    live = std::move(still_live);
  };

  // Prefills as many waiting prompts as there are free rows (within the prefill budget), copies each prompt's KV
  // rows to its samples and samples their first tokens from the prompt's last position.
  auto admit = [&]() {
    std::vector<WorkUnit> units;
    int64_t free_rows = rows - static_cast<int64_t>(live.size()), tokens = 0;
    while (!pending.empty() && pending.front().count <= free_rows) {
      const int64_t length = static_cast<int64_t>(prompts[pending.front().prompt_index].size());
      if (!units.empty() && tokens + length > options_.max_prefill_tokens) break;
      units.push_back(pending.front());
      pending.pop_front();
      free_rows -= units.back().count;
      tokens += length;
    }
    if (units.empty()) return;
    const auto k = static_cast<int64_t>(units.size());
    std::vector<int64_t> valid;
    for (const auto& u : units) valid.push_back(static_cast<int64_t>(prompts[u.prompt_index].size()));
    const int64_t width = *std::max_element(valid.begin(), valid.end());
    auto input = torch::zeros({k, width}, torch::kInt64);
    std::vector<int64_t> last_position;
    for (int64_t i = 0; i < k; ++i) {
      input[i].narrow(0, 0, valid[i]).copy_(torch::tensor(prompts[units[i].prompt_index], torch::kInt64));
      last_position.push_back(valid[i] - 1);
    }
    const auto device = model_.device();
    prefill.reset(k);
    const auto hidden = model_.hidden_states(input.to(device), &prefill, valid);
    const auto last = hidden.index({torch::arange(k, torch::TensorOptions(torch::kInt64).device(device)),
                                    torch::tensor(last_position, torch::kInt64).to(device)});
    const auto prompt_logits = model_.project(last);  // [k, vocab]
    ++stats_.forward_passes;

    std::vector<int64_t> fan_out;  // new cache row -> prefill row
    const size_t first_new = live.size();
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < units[i].count; ++j) {
        fan_out.push_back(i);
        Sequence s;
        s.prompt_index = units[i].prompt_index;
        s.sample_index = units[i].first_sample + j;
        const int64_t stream = params.prompt_streams.empty() ? s.prompt_index : params.prompt_streams[static_cast<size_t>(s.prompt_index)];
        s.key = sequence_key(params.seed, stream, s.sample_index);
        live.push_back(std::move(s));
      }
    cache.append_rows_from(prefill, fan_out);
    sample_rows(prompt_logits.index_select(0, torch::tensor(fan_out, torch::kInt64).to(device)), first_new);
    compact();
  };

  while (!pending.empty() || !live.empty()) {
    admit();
    if (live.empty()) continue;
    std::vector<int64_t> last_ids;
    for (const auto& s : live) last_ids.push_back(s.ids.back());
    const auto input = torch::tensor(last_ids, torch::kInt64).unsqueeze(1).to(model_.device());
    const auto logits = model_.project(model_.hidden_states(input, &cache)).squeeze(1);
    ++stats_.forward_passes;
    sample_rows(logits, 0);
    compact();
    const double seconds = progress.elapsed_seconds();
    if (options_.progress_bar && seconds > 0)
      progress.set_status(fmt::format("{} live | {:.0f} tok/s", live.size(), stats_.generated_tokens / seconds));
  }
  progress.finish();

  std::sort(finished.begin(), finished.end(), [](const Sequence& a, const Sequence& b) {
    return std::tie(a.prompt_index, a.sample_index) < std::tie(b.prompt_index, b.sample_index);
  });
  std::vector<Rollout> out;
  out.reserve(finished.size());
  for (auto& s : finished) out.push_back(to_rollout(std::move(s), params, tokenizer_));
  stats_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
  return out;
}

}  // namespace ttrl::rollout
