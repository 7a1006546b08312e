#include "ttrl/rollout/token_sampling.hpp"

#include "ttrl/core/error.hpp"

namespace ttrl::rollout {
namespace {

/// SplitMix64 finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mix with good avalanche.
uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

bool needs_truncation(const SamplingParams& p, int64_t vocab) {
  return (p.top_k > 0 && p.top_k < vocab) || p.top_p < 1.0 || p.min_p > 0.0;
}

/// Zeroes, in probabilities sorted in descending order, the tokens top-k, top-p and min-p exclude.
torch::Tensor truncate_sorted(torch::Tensor sorted, const SamplingParams& p) {
  const int64_t vocab = sorted.size(1);
  if (p.top_k > 0 && p.top_k < vocab) sorted.narrow(1, p.top_k, vocab - p.top_k).zero_();
  if (p.top_p < 1.0) {
    const auto mass = sorted / sorted.sum(-1, /*keepdim=*/true);
    const auto before = mass.cumsum(-1) - mass;  // mass of the strictly more likely tokens
    sorted = torch::where(before < p.top_p, sorted, torch::zeros_like(sorted));
  }
  if (p.min_p > 0.0) {
    const auto threshold = sorted.narrow(1, 0, 1) * p.min_p;
    sorted = torch::where(sorted >= threshold, sorted, torch::zeros_like(sorted));
  }
  return sorted;  // the first (most likely) token always survives all three rules
}

}  // namespace

uint64_t sequence_key(uint64_t seed, int64_t prompt_index, int64_t sample_index) {
  return splitmix64(splitmix64(splitmix64(seed) ^ static_cast<uint64_t>(prompt_index)) ^
                    (static_cast<uint64_t>(sample_index) * 0xD1B54A32D192ED03ull));
}

double stream_uniform(uint64_t key, int64_t step) {
  const uint64_t bits = splitmix64(key ^ splitmix64(static_cast<uint64_t>(step) + 0x632BE59BD9B4E019ull));
  return static_cast<double>(bits >> 11) * 0x1.0p-53;  // 53 random bits -> [0, 1)
}

torch::Tensor sample_next_tokens(const torch::Tensor& logits, const SamplingParams& params,
                                 const std::vector<uint64_t>& keys, const std::vector<int64_t>& steps) {
  if (logits.dim() != 2) throw Error("sample_next_tokens: logits must be [batch, vocab]");
  const int64_t batch = logits.size(0), vocab = logits.size(1);
  if (static_cast<int64_t>(keys.size()) != batch || static_cast<int64_t>(steps.size()) != batch)
    throw Error("sample_next_tokens: one key and one step per row are needed");
  torch::NoGradGuard no_grad;
  if (params.temperature == 0.0) return logits.argmax(-1).to(torch::kCPU, torch::kInt64);

  auto probs = torch::softmax(logits.to(torch::kFloat32) / params.temperature, -1);
  torch::Tensor order;
  if (needs_truncation(params, vocab)) {
    auto sorted = probs.sort(-1, /*descending=*/true);
    probs = truncate_sorted(std::get<0>(sorted), params);
    order = std::get<1>(sorted);
  }
  // Inverse CDF in float64: the first token whose cumulative mass exceeds u * total mass.
  const auto cdf = probs.to(torch::kFloat64).cumsum(-1);
  std::vector<double> uniforms(static_cast<size_t>(batch));
  for (int64_t b = 0; b < batch; ++b) uniforms[b] = stream_uniform(keys[b], steps[b]);
  auto u = torch::tensor(uniforms, torch::kFloat64).to(cdf.device()).unsqueeze(1) * cdf.narrow(1, vocab - 1, 1);
  auto position = torch::searchsorted(cdf, u, /*out_int32=*/false, /*right=*/true).clamp_max(vocab - 1);
  auto tokens = order.defined() ? order.gather(1, position) : position;
  return tokens.squeeze(1).to(torch::kCPU, torch::kInt64);
}

}  // namespace ttrl::rollout
