#include "ttrl/train/policy_batch.hpp"

#include "ttrl/core/error.hpp"
#include "ttrl/model/token_logprobs.hpp"

namespace ttrl::train {

int64_t SequenceBatch::tokens() const {
  int64_t total = 0;
  for (int64_t r : response_lengths) total += r;
  return total;
}

SequenceBatch make_batch(const std::vector<const TrainSequence*>& sequences, const torch::Device& device) {
  if (sequences.empty()) throw Error("make_batch: no sequences");
  SequenceBatch batch;
  int64_t longest = 1, longest_response = 1;
  bool per_token = false;
  for (const auto* s : sequences) {
    if (s->prompt_ids.empty() || s->completion_ids.empty()) throw Error("make_batch: empty prompt or completion");
    if (s->old_logprobs.size() != s->completion_ids.size()) throw Error("make_batch: one old log-prob per completion token is needed");
    if (!s->token_advantages.empty() && s->token_advantages.size() != s->completion_ids.size())
      throw Error("make_batch: token_advantages needs one advantage per completion token");
    per_token = per_token || !s->token_advantages.empty();
    batch.prompt_lengths.push_back(static_cast<int64_t>(s->prompt_ids.size()));
    batch.response_lengths.push_back(static_cast<int64_t>(s->completion_ids.size()));
    longest = std::max(longest, batch.prompt_lengths.back() + batch.response_lengths.back() - 1);
    longest_response = std::max(longest_response, batch.response_lengths.back());
  }
  const auto rows = static_cast<int64_t>(sequences.size());
  auto input = torch::zeros({rows, longest}, torch::kInt64);
  auto targets = torch::zeros({rows, longest_response}, torch::kInt64);
  auto mask = torch::zeros({rows, longest_response}, torch::kFloat32);
  auto old = torch::zeros({rows, longest_response}, torch::kFloat32);
  auto advantages = per_token ? torch::zeros({rows, longest_response}, torch::kFloat32) : torch::empty({rows}, torch::kFloat32);
  auto* in = input.data_ptr<int64_t>();
  for (int64_t b = 0; b < rows; ++b) {
    const auto& s = *sequences[b];
    int64_t column = 0;
    for (int64_t id : s.prompt_ids) in[b * longest + column++] = id;
    for (size_t t = 0; t + 1 < s.completion_ids.size(); ++t) in[b * longest + column++] = s.completion_ids[t];
    const int64_t r = batch.response_lengths[b];
    targets[b].narrow(0, 0, r).copy_(torch::tensor(s.completion_ids, torch::kInt64));
    mask[b].narrow(0, 0, r).fill_(1.0);
    old[b].narrow(0, 0, r).copy_(torch::tensor(s.old_logprobs, torch::kFloat32));
    if (!per_token)
      advantages[b] = static_cast<float>(s.advantage);
    else if (s.token_advantages.empty())
      advantages[b].narrow(0, 0, r).fill_(s.advantage);
    else
      advantages[b].narrow(0, 0, r).copy_(torch::tensor(s.token_advantages, torch::kFloat32));
  }
  batch.input_ids = input.to(device);
  batch.targets = targets.to(device);
  batch.mask = mask.to(device);
  batch.old_logprobs = old.to(device);
  batch.advantages = advantages.to(device);
  return batch;
}

ResponseStats response_stats(model::TransformerImpl& model, const SequenceBatch& batch, double temperature) {
  const auto hidden = model.hidden_states(batch.input_ids);  // [B, L, H]
  // Completion token t of row b is predicted at position prompt_length(b) - 1 + t.
  std::vector<int64_t> rows, positions, columns;
  for (size_t b = 0; b < batch.prompt_lengths.size(); ++b)
    for (int64_t t = 0; t < batch.response_lengths[b]; ++t) {
      rows.push_back(static_cast<int64_t>(b));
      positions.push_back(batch.prompt_lengths[b] - 1 + t);
      columns.push_back(t);
    }
  const auto device = hidden.device();
  const auto row_index = torch::tensor(rows, torch::kInt64).to(device);
  const auto column_index = torch::tensor(columns, torch::kInt64).to(device);
  const auto selected = hidden.index({row_index, torch::tensor(positions, torch::kInt64).to(device)});  // [N, H]
  const auto targets = batch.targets.index({row_index, column_index});
  const auto stats = model::token_logprobs_and_entropy(selected, model.lm_head_weight(), targets, temperature);
  const auto shape = batch.mask.sizes();
  auto zeros = torch::zeros(shape, torch::TensorOptions().dtype(torch::kFloat32).device(device));
  return {zeros.index_put({row_index, column_index}, stats.logprobs),
          zeros.index_put({row_index, column_index}, stats.entropies)};
}

}  // namespace ttrl::train
