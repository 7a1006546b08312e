#include "ttrl/model/score.hpp"

#include <algorithm>
#include <fstream>
#include <istream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <ostream>

#include "ttrl/core/error.hpp"
#include "ttrl/model/checkpoint.hpp"
#include "ttrl/model/token_logprobs.hpp"

namespace ttrl::model {
namespace {

/// Why `request` cannot be scored ("" when it can).
std::string request_problem(const ScoreRequest& request, int64_t vocab) {
  if (request.prompt_ids.empty()) return "prompt_ids is empty";
  for (const auto* ids : {&request.prompt_ids, &request.completion_ids})
    for (int64_t id : *ids)
      if (id < 0 || id >= vocab)
        return "token id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(vocab);
  return "";
}

/// The model input of a request: prompt + completion without its last token (which is only predicted).
int64_t input_length(const ScoreRequest& r) {
  return static_cast<int64_t>(r.prompt_ids.size() + r.completion_ids.size()) - (r.completion_ids.empty() ? 0 : 1);
}

/// Scores requests `batch` (indices) in one right-padded forward pass.
void score_batch(TransformerImpl& model, const std::vector<ScoreRequest>& requests, const std::vector<size_t>& batch,
                 const ScoreOptions& options, std::vector<ScoreResult>& results) {
  int64_t longest = 0;
  for (size_t i : batch) longest = std::max(longest, input_length(requests[i]));
  const auto rows = static_cast<int64_t>(batch.size());
  torch::Tensor ids = torch::zeros({rows, longest}, torch::kInt64);
  std::vector<int64_t> hidden_rows, targets;  // flattened [row * longest + position] of each scored token
  for (int64_t b = 0; b < rows; ++b) {
    const ScoreRequest& r = requests[batch[static_cast<size_t>(b)]];
    std::vector<int64_t> tokens = r.prompt_ids;
    tokens.insert(tokens.end(), r.completion_ids.begin(), r.completion_ids.end());
    tokens.resize(static_cast<size_t>(input_length(r)));
    ids[b].narrow(0, 0, static_cast<int64_t>(tokens.size())).copy_(torch::tensor(tokens, torch::kInt64));
    // Completion token j is predicted at position (prompt length - 1 + j).
    const auto prompt = static_cast<int64_t>(r.prompt_ids.size());
    for (size_t j = 0; j < r.completion_ids.size(); ++j) {
      hidden_rows.push_back(b * longest + prompt - 1 + static_cast<int64_t>(j));
      targets.push_back(r.completion_ids[j]);
    }
  }
  if (targets.empty()) return;
  const torch::Tensor hidden = model.hidden_states(ids).reshape({rows * longest, -1});
  const torch::Device device = model.device();
  const torch::Tensor picked = hidden.index_select(0, torch::tensor(hidden_rows, torch::kInt64).to(device));
  const TokenLogprobs stats = token_logprobs_and_entropy(picked, model.lm_head_weight(),
                                                         torch::tensor(targets, torch::kInt64).to(device), options.temperature);
  const torch::Tensor logprobs = stats.logprobs.cpu(), entropies = stats.entropies.cpu();
  const float* lp = logprobs.data_ptr<float>();
  const float* ent = entropies.data_ptr<float>();
  for (size_t i : batch) {
    const size_t n = requests[i].completion_ids.size();
    results[i].logprobs.assign(lp, lp + n);
    results[i].entropies.assign(ent, ent + n);
    lp += n;
    ent += n;
  }
}

}  // namespace

std::vector<ScoreResult> score(TransformerImpl& model, const std::vector<ScoreRequest>& requests,
                               const ScoreOptions& options) {
  for (size_t i = 0; i < requests.size(); ++i) {
    const std::string problem = request_problem(requests[i], model.config().vocab_size);
    if (!problem.empty()) throw Error("score: request " + std::to_string(i) + ": " + problem);
  }
  torch::NoGradGuard no_grad;
  std::vector<ScoreResult> results(requests.size());
  // Longest first, so that each batch pads little; a batch holds at most max_batch_tokens padded tokens.
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return input_length(requests[a]) > input_length(requests[b]); });
  std::vector<size_t> batch;
  int64_t batch_longest = 0;
  for (size_t i : order) {
    const int64_t longest = std::max(batch_longest, input_length(requests[i]));
    if (!batch.empty() && longest * static_cast<int64_t>(batch.size() + 1) > options.max_batch_tokens) {
      score_batch(model, requests, batch, options, results);
      batch.clear();
    }
    batch_longest = batch.empty() ? input_length(requests[i]) : longest;
    batch.push_back(i);
  }
  if (!batch.empty()) score_batch(model, requests, batch, options, results);
  return results;
}

void write_score_results(std::ostream& out, const std::vector<ScoreResult>& results) {
  for (const ScoreResult& r : results)
    out << nlohmann::ordered_json{{"logprobs", r.logprobs}, {"entropies", r.entropies}}.dump() << '\n';
  out.flush();
}

void run_score(const ScoreJob& job, std::ostream& out) {
  std::ifstream in(job.input_path);
  if (!in) throw IoError("cannot read '" + job.input_path + "'");
  const std::vector<ScoreRequest> requests = parse_score_requests(in, job.input_path);
  LoadOptions load;
  load.device = to_torch_device(parse_device(job.device));
  load.dtype = to_torch_dtype(parse_dtype(job.dtype), load.device);
  Transformer model = load_pretrained(job.model_dir, load);
  for (const ScoreRequest& request : requests) {
    const std::string problem = request_problem(request, model->config().vocab_size);
    if (!problem.empty()) throw IoError(job.input_path + ":" + std::to_string(request.line) + ": " + problem);
  }
  write_score_results(out, score(*model, requests, job.options));
}

}  // namespace ttrl::model
