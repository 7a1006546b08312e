// The C++ half of tests/model/test_hf_parity.py: runs ttrl's model on checkpoints the script wrote with transformers
// and dumps what the script compares (scores, gradients, logits, greedy continuations, re-saved checkpoints).
//
//   model_parity_tool score  MODEL INPUT.jsonl OUT.jsonl [float32|bfloat16]
//   model_parity_tool grad   MODEL INPUT.jsonl OUT.safetensors [checkpointing]
//   model_parity_tool logits MODEL INPUT.jsonl OUT.safetensors
//   model_parity_tool greedy MODEL INPUT.jsonl OUT.jsonl NEW_TOKENS
//   model_parity_tool resave MODEL OUT_DIR MAX_SHARD_BYTES
//   model_parity_tool random CONFIG_DIR OUT_DIR SEED
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "ttrl/core/error.hpp"
#include "ttrl/model/checkpoint.hpp"
#include "ttrl/model/safetensors.hpp"
#include "ttrl/model/score.hpp"
#include "ttrl/model/token_logprobs.hpp"

using namespace ttrl::model;

namespace {

std::vector<ScoreRequest> read_requests(const std::string& path) {
  std::ifstream in(path);
  return parse_score_requests(in, path);
}

/// Right-padded [B, L] ids of prompt + completion, and the flat row index / target of every completion token.
struct Batch {
  torch::Tensor ids;
  std::vector<int64_t> rows, targets;
};

Batch make_batch(const std::vector<ScoreRequest>& requests) {
  int64_t longest = 0;
  for (const auto& r : requests) longest = std::max<int64_t>(longest, r.prompt_ids.size() + r.completion_ids.size());
  Batch batch{torch::zeros({static_cast<int64_t>(requests.size()), longest}, torch::kInt64), {}, {}};
  for (size_t b = 0; b < requests.size(); ++b) {
    std::vector<int64_t> tokens = requests[b].prompt_ids;
    tokens.insert(tokens.end(), requests[b].completion_ids.begin(), requests[b].completion_ids.end());
    batch.ids[static_cast<int64_t>(b)].narrow(0, 0, static_cast<int64_t>(tokens.size())).copy_(torch::tensor(tokens));
    for (size_t j = 0; j < requests[b].completion_ids.size(); ++j) {
      batch.rows.push_back(static_cast<int64_t>(b) * longest + static_cast<int64_t>(requests[b].prompt_ids.size() + j) - 1);
      batch.targets.push_back(requests[b].completion_ids[j]);
    }
  }
  return batch;
}

int cmd_score(const std::vector<std::string>& args) {
  LoadOptions load;
  load.dtype = args.size() > 3 && args[3] == "bfloat16" ? torch::kBFloat16 : torch::kFloat32;
  Transformer model = load_pretrained(args[0], load);
  std::ofstream out(args[2]);
  write_score_results(out, score(*model, read_requests(args[1])));
  return 0;
}

/// loss = mean over completion tokens of (-logprob + 0.5 * entropy); writes every parameter's gradient and "loss".
int cmd_grad(const std::vector<std::string>& args) {
  LoadOptions load;
  load.transformer.gradient_checkpointing = args.size() > 3 && args[3] == "checkpointing";
  Transformer model = load_pretrained(args[0], load);
  const Batch batch = make_batch(read_requests(args[1]));
  const torch::Tensor hidden = model->hidden_states(batch.ids);
  const torch::Tensor picked = hidden.reshape({-1, hidden.size(-1)}).index_select(0, torch::tensor(batch.rows));
  const TokenLogprobs stats = token_logprobs_and_entropy(picked, model->lm_head_weight(), torch::tensor(batch.targets),
                                                         1.0, /*chunk_rows=*/7);
  const torch::Tensor loss = (-stats.logprobs + 0.5 * stats.entropies).mean();
  loss.backward();
  std::vector<std::pair<std::string, torch::Tensor>> out{{"loss", loss.detach().reshape({1})}};
  for (const auto& item : model->named_parameters()) out.emplace_back(item.key(), item.value().grad());
  write_safetensors(args[2], out);
  return 0;
}

int cmd_logits(const std::vector<std::string>& args) {
  Transformer model = load_pretrained(args[0]);
  torch::NoGradGuard no_grad;
  std::vector<std::pair<std::string, torch::Tensor>> out;
  const auto requests = read_requests(args[1]);
  for (size_t i = 0; i < requests.size(); ++i) {
    std::vector<int64_t> tokens = requests[i].prompt_ids;
    tokens.insert(tokens.end(), requests[i].completion_ids.begin(), requests[i].completion_ids.end());
    out.emplace_back("logits." + std::to_string(i), model->logits(torch::tensor(tokens).unsqueeze(0))[0]);
  }
  write_safetensors(args[2], out);
  return 0;
}

/// Greedy continuation of every prompt, all rows in one KV cache: right-padded prefill, then one token per row per
/// step (rows have different lengths, so each row's attention mask differs).
int cmd_greedy(const std::vector<std::string>& args) {
  Transformer model = load_pretrained(args[0]);
  const auto requests = read_requests(args[1]);
  const int64_t new_tokens = std::stoll(args[3]);
  torch::NoGradGuard no_grad;
  const auto rows = static_cast<int64_t>(requests.size());
  int64_t longest = 0;
  std::vector<int64_t> lengths;
  for (const auto& r : requests) {
    lengths.push_back(static_cast<int64_t>(r.prompt_ids.size()));
    longest = std::max(longest, lengths.back());
  }
  torch::Tensor ids = torch::zeros({rows, longest}, torch::kInt64);
  for (int64_t b = 0; b < rows; ++b) ids[b].narrow(0, 0, lengths[b]).copy_(torch::tensor(requests[b].prompt_ids));
  KVCache cache = model->make_cache(rows, longest + new_tokens);
  cache.reset(rows);
  const torch::Tensor hidden = model->hidden_states(ids, &cache, lengths);
  std::vector<torch::Tensor> last;
  for (int64_t b = 0; b < rows; ++b) last.push_back(hidden[b][lengths[b] - 1]);
  torch::Tensor next = model->project(torch::stack(last)).argmax(-1);
  std::vector<std::vector<int64_t>> generated(static_cast<size_t>(rows));
  for (int64_t step = 0; step < new_tokens; ++step) {
    for (int64_t b = 0; b < rows; ++b) generated[b].push_back(next[b].item<int64_t>());
    if (step + 1 == new_tokens) break;
    next = model->logits(next.view({rows, 1}), &cache).select(1, 0).argmax(-1);
  }
  std::ofstream out(args[2]);
  for (const auto& g : generated) out << nlohmann::json{{"ids", g}}.dump() << '\n';
  return 0;
}

int cmd_resave(const std::vector<std::string>& args) {
  Transformer model = load_pretrained(args[0]);
  SaveOptions options;
  options.tokenizer_source_dir = args[0];
  options.max_shard_bytes = std::stoll(args[2]);
  save_pretrained(*model, args[1], options);
  return 0;
}

int cmd_random(const std::vector<std::string>& args) {
  const ModelConfig config = ModelConfig::load(args[0]);
  save_pretrained(*random_init(config, std::stoull(args[2])), args[1]);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> all(argv + 1, argv + argc);
  if (all.size() < 4) {
    std::cerr << "usage: model_parity_tool score|grad|logits|greedy|resave|random ARGS...\n";
    return 2;
  }
  const std::vector<std::string> args(all.begin() + 1, all.end());
  try {
    torch::set_num_threads(2);
    if (all[0] == "score") return cmd_score(args);
    if (all[0] == "grad") return cmd_grad(args);
    if (all[0] == "logits") return cmd_logits(args);
    if (all[0] == "greedy") return cmd_greedy(args);
    if (all[0] == "resave") return cmd_resave(args);
    if (all[0] == "random") return cmd_random(args);
    std::cerr << "unknown command " << all[0] << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "model_parity_tool " << all[0] << ": " << e.what() << "\n";
    return 1;
  }
}
