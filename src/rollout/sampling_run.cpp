#include "ttrl/rollout/sampling_run.hpp"

#include <torch/cuda.h>

#include <algorithm>

#include "ttrl/core/error.hpp"
#include "ttrl/rollout/token_sampling.hpp"

namespace ttrl::rollout {
namespace {

/// Stats buffer columns.
constexpr int64_t kLogprob = 0, kEntropy = 1, kCertainty = 2, kStatColumns = 3;

int64_t longest(const std::vector<std::vector<int64_t>>& prompts) {
  int64_t out = 0;
  for (const auto& p : prompts) out = std::max<int64_t>(out, static_cast<int64_t>(p.size()));
  return out;
}

torch::Tensor int64_tensor(const std::vector<int64_t>& values, const torch::Device& device) {
  return torch::tensor(values, torch::kInt64).to(device);
}

}  // namespace

Compaction plan_compaction(int64_t batch, const std::vector<int64_t>& finished) {
  for (size_t i = 0; i < finished.size(); ++i)
    if (finished[i] < 0 || finished[i] >= batch || (i > 0 && finished[i] <= finished[i - 1]))
      throw Error("plan_compaction: finished rows must be strictly increasing rows of the batch of " + std::to_string(batch));
  Compaction out;
  out.new_size = batch - static_cast<int64_t>(finished.size());
  std::vector<bool> done(static_cast<size_t>(batch), false);
  for (int64_t r : finished) done[static_cast<size_t>(r)] = true;
  int64_t mover = batch - 1;
  for (int64_t hole : finished) {
    if (hole >= out.new_size) break;
    while (done[static_cast<size_t>(mover)]) --mover;  // the last live row; it is >= new_size while holes remain
    out.from.push_back(mover--);
    out.to.push_back(hole);
  }
  return out;
}

SamplingRun::SamplingRun(model::TransformerImpl& model, const Tokenizer* tokenizer,
                         const std::vector<std::vector<int64_t>>& prompts, const SamplingParams& params,
                         const SamplingRunOptions& options)
    : model_(model),
      tokenizer_(tokenizer),
      prompts_(prompts),
      params_(params),
      options_(options),
      device_(model.device()),
      cache_(model.make_cache(options.rows, longest(prompts) + params.max_new_tokens)),
      prefill_(model.make_cache(std::min<int64_t>(options.rows, static_cast<int64_t>(prompts.size()) *
                                                                    ((params.n + options.rows - 1) / options.rows)),
                                std::max<int64_t>(1, longest(prompts)))) {
  for (int64_t p = 0; p < static_cast<int64_t>(prompts_.size()); ++p)
    for (int64_t first = 0; first < params_.n; first += options_.rows)
      pending_.push_back({p, first, std::min(options_.rows, params_.n - first)});
  for (const auto& s : params_.stop_strings) longest_stop_string_ = std::max(longest_stop_string_, s.size());
  stats_options_.temperature = params_.temperature > 0 ? params_.temperature : 1.0;  // greedy: the model's distribution
  stats_options_.self_certainty = true;
  if (options_.raw_self_certainty) stats_options_.certainty_temperature = 1.0;

  const auto on_device = torch::TensorOptions().device(device_);
  keys_ = torch::zeros({options_.rows}, on_device.dtype(torch::kInt64));
  steps_ = torch::zeros_like(keys_);
  last_ids_ = torch::zeros_like(keys_);
  stats_ = torch::zeros({options_.rows, params_.max_new_tokens, kStatColumns}, on_device.dtype(torch::kFloat32));
  host_ids_ = torch::empty({options_.rows, 2}, torch::TensorOptions(torch::kInt64).pinned_memory(device_.is_cuda()));
}

bool SamplingRun::is_stop_token(int64_t id) const {
  return !params_.ignore_eos &&
         std::find(params_.stop_token_ids.begin(), params_.stop_token_ids.end(), id) != params_.stop_token_ids.end();
}

void SamplingRun::record(Sequence& s, int64_t id) const {
  s.ids.push_back(id);
  if (is_stop_token(id)) {
    s.finish_reason = "stop";
    return;
  }
  if (!params_.stop_strings.empty()) {
    const size_t before = s.visible_bytes.size();
    tokenizer_->append_token_bytes(id, s.decode_state, /*skip_special_tokens=*/true, s.visible_bytes);
    // Only a match that ends in the new bytes can be new.
    const size_t from = before >= longest_stop_string_ ? before - longest_stop_string_ + 1 : 0;
    for (const auto& stop : params_.stop_strings)
      if (s.visible_bytes.find(stop, from) != std::string::npos) {
        s.finish_reason = "stop";
        return;
      }
  }
  if (static_cast<int64_t>(s.ids.size()) >= params_.max_new_tokens) s.finish_reason = "length";
}

void SamplingRun::draw_rows(const torch::Tensor& logits, int64_t first) {
  const int64_t n = logits.size(0);
  const auto keys = keys_.narrow(0, first, n), steps = steps_.narrow(0, first, n);
  const auto uniforms = stream_uniforms(keys, steps);
  TokenDraw draw = draw_tokens(logits, params_, uniforms);
  // The step's one device-to-host copy: ids and exact flags, queued before the statistics so that they overlap.
  auto host = host_ids_.narrow(0, 0, n);  // contiguous, so that the copy goes straight into the pinned buffer
  const auto exact = draw.exact.defined() ? draw.exact.to(torch::kInt64) : torch::ones_like(draw.tokens);
  host.copy_(torch::stack({draw.tokens, exact}, 1), /*non_blocking=*/true);
  auto write_statistics = [&](const torch::Tensor& rows, const torch::Tensor& row_logits, const torch::Tensor& tokens) {
    const auto stats = kernels::token_stats(row_logits, tokens, stats_options_);
    const auto columns = steps_.index_select(0, rows);
    stats_.index_put_({rows, columns}, torch::stack({stats.logprob, stats.entropy, stats.self_certainty}, 1));
    last_ids_.index_copy_(0, rows, tokens);
  };
  const auto rows = torch::arange(first, first + n, keys_.options());
  write_statistics(rows, logits, draw.tokens);
  if (device_.is_cuda()) torch::cuda::synchronize(device_.index());

  const int64_t* pairs = host.data_ptr<int64_t>();  // row i: id, exact flag
  std::vector<int64_t> token_ids(static_cast<size_t>(n)), redo;
  for (int64_t i = 0; i < n; ++i) {
    token_ids[static_cast<size_t>(i)] = pairs[2 * i];
    if (pairs[2 * i + 1] == 0) redo.push_back(i);
  }
  if (!redo.empty()) {  // rare: the candidate set may miss a kept token; draw those rows over the whole vocabulary
    const auto index = int64_tensor(redo, device_);
    const auto redo_logits = logits.index_select(0, index);
    const auto tokens = draw_tokens_exact(redo_logits, params_, uniforms.index_select(0, index));
    write_statistics(index + first, redo_logits, tokens);
    const auto host_tokens = tokens.cpu();
    for (size_t j = 0; j < redo.size(); ++j) token_ids[static_cast<size_t>(redo[j])] = host_tokens[static_cast<int64_t>(j)].item<int64_t>();
  }
  steps.add_(1);
  for (int64_t i = 0; i < n; ++i) record(live_[static_cast<size_t>(first + i)], token_ids[static_cast<size_t>(i)]);
  generated_tokens_ += n;
}

int64_t SamplingRun::admit() {
  std::vector<WorkUnit> units;
  int64_t free_rows = options_.rows - live_rows(), tokens = 0;
  while (!pending_.empty() && pending_.front().count <= free_rows) {
    const int64_t length = static_cast<int64_t>(prompts_[static_cast<size_t>(pending_.front().prompt_index)].size());
    if (!units.empty() && tokens + length > options_.max_prefill_tokens) break;
    if (static_cast<int64_t>(units.size()) == prefill_.max_batch()) break;
    units.push_back(pending_.front());
    pending_.pop_front();
    free_rows -= units.back().count;
    tokens += length;
  }
  if (units.empty()) return 0;
  const auto k = static_cast<int64_t>(units.size());
  std::vector<int64_t> valid;
  for (const auto& u : units) valid.push_back(static_cast<int64_t>(prompts_[static_cast<size_t>(u.prompt_index)].size()));
  const int64_t width = *std::max_element(valid.begin(), valid.end());
  auto input = torch::zeros({k, width}, torch::kInt64);
  std::vector<int64_t> last_position;
  for (int64_t i = 0; i < k; ++i) {
    input[i].narrow(0, 0, valid[static_cast<size_t>(i)]).copy_(torch::tensor(prompts_[static_cast<size_t>(units[static_cast<size_t>(i)].prompt_index)], torch::kInt64));
    last_position.push_back(valid[static_cast<size_t>(i)] - 1);
  }
  prefill_.reset(k);
  const auto hidden = model_.hidden_states(input.to(device_), &prefill_, valid);
  const auto last = hidden.index({torch::arange(k, torch::TensorOptions(torch::kInt64).device(device_)), int64_tensor(last_position, device_)});
  const auto prompt_logits = model_.project(last);  // [k, vocab]
  ++forward_passes_;

  std::vector<int64_t> fan_out, keys;  // new row -> prefill row; the new rows' stream keys
  const int64_t first = live_rows();
  for (int64_t i = 0; i < k; ++i) {
    const auto& unit = units[static_cast<size_t>(i)];
    for (int64_t j = 0; j < unit.count; ++j) {
      fan_out.push_back(i);
      Sequence s;
      s.prompt_index = unit.prompt_index;
      s.sample_index = unit.first_sample + j;
      const int64_t stream = params_.prompt_streams.empty() ? s.prompt_index : params_.prompt_streams[static_cast<size_t>(s.prompt_index)];
      keys.push_back(static_cast<int64_t>(sequence_key(params_.seed, stream, s.sample_index)));
      live_.push_back(std::move(s));
    }
  }
  const auto added = static_cast<int64_t>(fan_out.size());
  cache_.append_rows_from(prefill_, fan_out);
  keys_.narrow(0, first, added).copy_(int64_tensor(keys, device_));
  steps_.narrow(0, first, added).zero_();
  draw_rows(prompt_logits.index_select(0, int64_tensor(fan_out, device_)), first);
  return added;
}

void SamplingRun::step() {
  if (live_.empty()) return;
  for (const auto& s : live_)
    if (!s.finish_reason.empty()) throw Error("SamplingRun::step: a finished row is still in the batch; compact() first");
  const auto input = last_ids_.narrow(0, 0, live_rows()).unsqueeze(1);
  const auto logits = model_.project(model_.hidden_states(input, &cache_)).squeeze(1);
  ++forward_passes_;
  draw_rows(logits, 0);
}

Compaction SamplingRun::compact() {
  std::vector<int64_t> finished_rows;
  int64_t longest_finished = 0;
  for (int64_t r = 0; r < live_rows(); ++r)
    if (!live_[static_cast<size_t>(r)].finish_reason.empty()) {
      finished_rows.push_back(r);
      longest_finished = std::max<int64_t>(longest_finished, static_cast<int64_t>(live_[static_cast<size_t>(r)].ids.size()));
    }
  if (finished_rows.empty()) return Compaction{{}, {}, live_rows()};
  // The finished rows' statistics, in one copy.
  const auto index = int64_tensor(finished_rows, device_);
  const auto stats = stats_.index_select(0, index).narrow(1, 0, longest_finished).cpu();
  for (size_t i = 0; i < finished_rows.size(); ++i) {
    Sequence& s = live_[static_cast<size_t>(finished_rows[i])];
    const auto row = stats[static_cast<int64_t>(i)];
    const auto* values = row.data_ptr<float>();
    for (size_t t = 0; t < s.ids.size(); ++t) {
      s.logprobs.push_back(values[t * kStatColumns + kLogprob]);
      s.entropies.push_back(values[t * kStatColumns + kEntropy]);
      s.self_certainties.push_back(values[t * kStatColumns + kCertainty]);
    }
    finished_.push_back(std::move(s));
  }
  const Compaction moves = plan_compaction(live_rows(), finished_rows);
  cache_.move_rows(moves.from, moves.to, moves.new_size);
  if (!moves.from.empty()) {
    const auto from = int64_tensor(moves.from, device_), to = int64_tensor(moves.to, device_);
    for (torch::Tensor* state : {&keys_, &steps_, &last_ids_, &stats_}) state->index_copy_(0, to, state->index_select(0, from));
    for (size_t i = 0; i < moves.from.size(); ++i)
      live_[static_cast<size_t>(moves.to[i])] = std::move(live_[static_cast<size_t>(moves.from[i])]);
  }
  live_.resize(static_cast<size_t>(moves.new_size));
  return moves;
}

std::vector<std::pair<int64_t, int64_t>> SamplingRun::live_samples() const {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const auto& s : live_) out.emplace_back(s.prompt_index, s.sample_index);
  return out;
}

std::string SamplingRun::completion_text(const Sequence& s) const {
  if (!tokenizer_) return "";
  std::string text = tokenizer_->decode(s.ids, /*skip_special_tokens=*/true);
  size_t cut = std::string::npos;
  for (const auto& stop : params_.stop_strings) cut = std::min(cut, text.find(stop));
  if (cut != std::string::npos) text.resize(cut);  // cut before the first stop string
  return text;
}

std::vector<Rollout> SamplingRun::take_rollouts() {
  std::sort(finished_.begin(), finished_.end(), [](const Sequence& a, const Sequence& b) {
    return std::tie(a.prompt_index, a.sample_index) < std::tie(b.prompt_index, b.sample_index);
  });
  std::vector<Rollout> out;
  out.reserve(finished_.size());
  for (auto& s : finished_) {
    Rollout r;
    r.prompt_index = s.prompt_index;
    r.sample_index = s.sample_index;
    r.text = completion_text(s);
    r.completion_ids = std::move(s.ids);
    r.logprobs = std::move(s.logprobs);
    r.entropies = std::move(s.entropies);
    r.self_certainties = std::move(s.self_certainties);
    r.finish_reason = std::move(s.finish_reason);
    out.push_back(std::move(r));
  }
  finished_.clear();
  return out;
}

}  // namespace ttrl::rollout
