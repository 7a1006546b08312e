// One GRPO policy update with ttrl's trainer pieces, on a batch written by bench/bench_grpo_update.py.
//   bench_grpo_update update DIR BATCH.json MICRO_BATCH REPEATS
//     forward + backward over the rollouts in micro-batches (token-mean PPO clipped loss, normalised over the whole
//     batch), then one clipped AdamW step; REPEATS timed updates after one warm-up. Prints one JSON line with the
//     seconds of each update, the first update's loss and gradient norm (the script checks them against PyTorch).
//   bench_grpo_update memory DIR BATCH.json ROWS
//     peak resident memory and time of the log-prob/entropy pass (forward + backward, gradients of hidden states and
//     lm_head) over ROWS response tokens: ttrl's chunked version against the naive full-vocabulary one
//     (logits -> log_softmax -> gather, entropy from softmax), the peak read from /proc/self/status VmHWM after
//     resetting it through /proc/self/clear_refs.
#include <nlohmann/json.hpp>
#include <torch/csrc/autograd/profiler_legacy.h>

#include <chrono>
#include <fstream>
#include <iostream>

#include "ttrl/core/files.hpp"
#include "ttrl/model/checkpoint.hpp"
#include "ttrl/model/token_logprobs.hpp"
#include "ttrl/train/losses.hpp"
#include "ttrl/train/optimizer.hpp"
#include "ttrl/train/policy_batch.hpp"

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::vector<ttrl::train::TrainSequence> read_batch(const std::string& path) {
  const auto j = nlohmann::json::parse(ttrl::read_text_file(path));
  std::vector<ttrl::train::TrainSequence> out;
  for (const auto& s : j.at("sequences"))
    out.push_back({s.at("prompt_ids").get<std::vector<int64_t>>(), s.at("completion_ids").get<std::vector<int64_t>>(),
                   s.at("old_logprobs").get<std::vector<float>>(), s.at("advantage").get<double>()});
  return out;
}

/// One update: micro-batches accumulate gradients of the token-mean loss of the whole batch, then AdamW.
std::pair<double, double> grpo_update(ttrl::model::TransformerImpl& model, ttrl::train::Optimizer& optimizer,
                                      const std::vector<ttrl::train::TrainSequence>& batch, size_t micro) {
  ttrl::train::AggregationScale scale;
  for (const auto& s : batch) scale.total_tokens += static_cast<double>(s.completion_ids.size());
  double loss_sum = 0;
  for (size_t first = 0; first < batch.size(); first += micro) {
    std::vector<const ttrl::train::TrainSequence*> part;
    for (size_t i = first; i < std::min(batch.size(), first + micro); ++i) part.push_back(&batch[i]);
    const auto sb = ttrl::train::make_batch(part, model.device());
    const auto stats = ttrl::train::response_stats(model, sb, 1.0);
    auto pg = ttrl::train::policy_loss(stats.logprobs, sb.old_logprobs, sb.advantages, sb.mask, {}, scale);
    pg.loss.backward();
    loss_sum += pg.loss.item<double>();
  }
  const auto info = optimizer.step();
  return {loss_sum, info.grad_norm};
}

int run_update(const std::string& dir, const std::string& batch_path, size_t micro, int repeats) {
  auto model = ttrl::model::load_pretrained(dir);
  model->train();
  const auto batch = read_batch(batch_path);
  ttrl::train::OptimizerOptions o;
  o.schedule.peak_lr = 1e-6;
  ttrl::train::Optimizer optimizer(model->parameters(), o);
  nlohmann::json out;
  std::vector<double> seconds;
  // TTRL_PROFILE=FILE: a chrome://tracing profile of the operators of the last update.
  const char* profile_path = std::getenv("TTRL_PROFILE");
  for (int r = 0; r <= repeats; ++r) {
    std::optional<torch::autograd::profiler::RecordProfile> profile;
    if (profile_path != nullptr && r == repeats) profile.emplace(std::string(profile_path));
    const auto start = Clock::now();
    const auto [loss, grad_norm] = grpo_update(*model, optimizer, batch, micro);
    if (r == 0) {
      out["loss"] = loss;
      out["grad_norm"] = grad_norm;
      out["warmup_seconds"] = seconds_since(start);
    } else {
      seconds.push_back(seconds_since(start));
    }
  }
  out["seconds"] = seconds;
  std::cout << out.dump() << std::endl;
  return 0;
}

int64_t status_kib(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) return std::stoll(line.substr(key.size() + 1));
  return -1;
}

/// Resets VmHWM to the current RSS (Linux >= 4.0).
bool reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  return static_cast<bool>(clear.flush());
}

/// The textbook version: the whole [rows, vocab] logits in float32, log_softmax, gather, entropy from softmax.
std::pair<torch::Tensor, torch::Tensor> naive_logprobs(const torch::Tensor& hidden, const torch::Tensor& weight,
                                                       const torch::Tensor& targets) {
  const auto logits = torch::nn::functional::linear(hidden, weight).to(torch::kFloat32);
  const auto logp = torch::log_softmax(logits, -1);
  const auto entropy = -(logp.exp() * logp).sum(-1);
  return {logp.gather(1, targets.unsqueeze(1)).squeeze(1), entropy};
}

int run_memory(const std::string& dir, const std::string& batch_path, int64_t rows) {
  auto model = ttrl::model::load_pretrained(dir);
  const auto batch = read_batch(batch_path);
  const auto weight = model->lm_head_weight().detach().clone().requires_grad_(true);
  const int64_t hidden_size = weight.size(1);
  torch::manual_seed(0);
  const auto hidden = (torch::randn({rows, hidden_size}) * 0.5).requires_grad_(true);
  std::vector<int64_t> ids;
  for (const auto& s : batch)
    for (int64_t t : s.completion_ids)
      if (static_cast<int64_t>(ids.size()) < rows) ids.push_back(t);
  while (static_cast<int64_t>(ids.size()) < rows) ids.push_back(ids[ids.size() % std::max<size_t>(1, ids.size())]);
  const auto targets = torch::tensor(ids, torch::kInt64);

  nlohmann::json out;
  torch::Tensor reference_logprobs, reference_grad;
  for (const std::string method : {"naive", "chunked"}) {
    hidden.mutable_grad() = torch::Tensor();
    weight.mutable_grad() = torch::Tensor();
    const int64_t before = status_kib("VmRSS");
    const bool reset = reset_peak_rss();
    const auto start = Clock::now();
    torch::Tensor logprobs, entropies;
    if (method == "naive") {
      std::tie(logprobs, entropies) = naive_logprobs(hidden, weight, targets);
    } else {
      const auto stats = ttrl::model::token_logprobs_and_entropy(hidden, weight, targets);
      logprobs = stats.logprobs;
      entropies = stats.entropies;
    }
    (logprobs.sum() + 0.1 * entropies.sum()).backward();
    const double seconds = seconds_since(start);
    const int64_t peak = status_kib("VmHWM");
    out[method] = {{"seconds", seconds}, {"peak_increase_mib", reset ? (peak - before) / 1024.0 : -1.0}};
    if (method == "naive") {
      reference_logprobs = logprobs.detach();
      reference_grad = hidden.grad().clone();
    } else {
      out["max_logprob_difference"] = (logprobs.detach() - reference_logprobs).abs().max().item<double>();
      out["max_hidden_grad_difference"] = (hidden.grad() - reference_grad).abs().max().item<double>();
    }
  }
  out["rows"] = rows;
  out["vocab"] = weight.size(0);
  std::cout << out.dump() << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string usage =
      "usage: bench_grpo_update update DIR BATCH.json MICRO_BATCH REPEATS\n"
      "       bench_grpo_update memory DIR BATCH.json ROWS\n";
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "update" && argc == 6) return run_update(argv[2], argv[3], std::stoul(argv[4]), std::stoi(argv[5]));
    if (mode == "memory" && argc == 5) return run_memory(argv[2], argv[3], std::stoll(argv[4]));
    std::cerr << usage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "bench_grpo_update: " << e.what() << "\n";
    return 1;
  }
}
