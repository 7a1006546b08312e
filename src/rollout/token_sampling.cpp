#include "ttrl/rollout/token_sampling.hpp"

#include "ttrl/core/error.hpp"

namespace ttrl::rollout {
namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull, kMix1 = 0xBF58476D1CE4E5B9ull, kMix2 = 0x94D049BB133111EBull;
constexpr uint64_t kStepSalt = 0x632BE59BD9B4E019ull;
/// Tokens per block of the two-level inverse CDF.
constexpr int64_t kBlock = 1024;
/// Relative slack on the candidates' mass before they are trusted to hold the whole top-p set (float32 sums).
constexpr double kMassSlack = 1e-5;

/// SplitMix64 finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mix with good avalanche.
uint64_t splitmix64(uint64_t x) {
  x += kGolden;
  x = (x ^ (x >> 30)) * kMix1;
  x = (x ^ (x >> 27)) * kMix2;
  return x ^ (x >> 31);
}

int64_t as_signed(uint64_t bits) { return static_cast<int64_t>(bits); }

/// Logical right shift of int64 tensors holding uint64 bits (torch's shift is arithmetic: mask the sign copies off).
torch::Tensor shift_right(const torch::Tensor& x, int64_t s) {
  return torch::bitwise_right_shift(x, s).bitwise_and_(as_signed((uint64_t{1} << (64 - s)) - 1));
}

/// splitmix64 on int64 tensors; additions and products wrap modulo 2^64 as the uint64 arithmetic does.
torch::Tensor splitmix64(torch::Tensor x) {
  x = x + as_signed(kGolden);
  x = (x ^ shift_right(x, 30)) * as_signed(kMix1);
  x = (x ^ shift_right(x, 27)) * as_signed(kMix2);
  return x ^ shift_right(x, 31);
}

bool top_k_truncates(const SamplingParams& p, int64_t vocab) { return p.top_k > 0 && p.top_k < vocab; }

bool needs_truncation(const SamplingParams& p, int64_t vocab) {
  return top_k_truncates(p, vocab) || p.top_p < 1.0 || p.min_p > 0.0;
}

/// softmax(logits / T) in float32.
torch::Tensor probabilities(const torch::Tensor& logits, const SamplingParams& params) {
  return torch::softmax(logits.to(torch::kFloat32) / params.temperature, -1);
}

/// Zeroes, in probabilities `sorted` [B, W] in descending order, the tokens top-p and min-p exclude; `total` [B, 1]
/// is the mass top-p is measured against (the top-k set's, or the whole vocabulary's).
torch::Tensor truncate_sorted(torch::Tensor sorted, const torch::Tensor& total, const SamplingParams& p) {
  if (p.top_p < 1.0) {
    const auto mass = sorted / total;
    const auto before = mass.cumsum(-1) - mass;  // mass of the strictly more likely tokens
    sorted = torch::where(before < p.top_p, sorted, torch::zeros_like(sorted));
  }
  if (p.min_p > 0.0) {
    const auto threshold = sorted.narrow(1, 0, 1) * p.min_p;
    sorted = torch::where(sorted >= threshold, sorted, torch::zeros_like(sorted));
  }
  return sorted;  // the first (most likely) token always survives both rules
}

/// Inverse CDF of the weights w [B, W] (float32, >= 0): for each row the first position whose cumulative weight
/// exceeds u * total, in float64. Rows wider than kBlock are searched in two levels (block sums, then one block), so
/// the float64 temporaries are [B, W / kBlock] and [B, kBlock], never [B, W].
torch::Tensor inverse_cdf(const torch::Tensor& w, const torch::Tensor& u) {
  const int64_t batch = w.size(0), width = w.size(1);
  if (width <= kBlock) {
    const auto cdf = w.cumsum(-1, torch::kFloat64);
    const auto target = u.unsqueeze(1) * cdf.narrow(1, width - 1, 1);
    return torch::searchsorted(cdf, target, /*out_int32=*/false, /*right=*/true).clamp_max(width - 1).squeeze(1);
  }
  const int64_t blocks = (width + kBlock - 1) / kBlock;
  const auto padded = torch::constant_pad_nd(w, {0, blocks * kBlock - width}).view({batch, blocks, kBlock});
  const auto block_mass = padded.sum(-1, /*keepdim=*/false, torch::kFloat64);  // [B, blocks]
  const auto block_cdf = block_mass.cumsum(-1);
  const auto target = u.unsqueeze(1) * block_cdf.narrow(1, blocks - 1, 1);
  const auto block = torch::searchsorted(block_cdf, target, false, true).clamp_max(blocks - 1);  // [B, 1]
  const auto rest = target - (block_cdf - block_mass).gather(1, block);
  const auto inside = padded.gather(1, block.unsqueeze(2).expand({batch, 1, kBlock})).squeeze(1).cumsum(-1, torch::kFloat64);
  const auto offset = torch::searchsorted(inside, rest, false, true).clamp_max(kBlock - 1);
  return (block * kBlock + offset).clamp_max(width - 1).squeeze(1);
}

void check_draw_inputs(const torch::Tensor& logits, const torch::Tensor& uniforms) {
  if (logits.dim() != 2) throw Error("sampling: logits must be [batch, vocab]");
  if (uniforms.dim() != 1 || uniforms.size(0) != logits.size(0) || uniforms.device() != logits.device())
    throw Error("sampling: one uniform per row is needed, on the logits' device");
}

}  // namespace

uint64_t sequence_key(uint64_t seed, int64_t prompt_index, int64_t sample_index) {
  return splitmix64(splitmix64(splitmix64(seed) ^ static_cast<uint64_t>(prompt_index)) ^
                    (static_cast<uint64_t>(sample_index) * 0xD1B54A32D192ED03ull));
}

double stream_uniform(uint64_t key, int64_t step) {
  const uint64_t bits = splitmix64(key ^ splitmix64(static_cast<uint64_t>(step) + kStepSalt));
  return static_cast<double>(bits >> 11) * 0x1.0p-53;  // 53 random bits -> [0, 1)
}

torch::Tensor stream_uniforms(const torch::Tensor& keys, const torch::Tensor& steps) {
  if (keys.scalar_type() != torch::kInt64 || steps.scalar_type() != torch::kInt64 || keys.sizes() != steps.sizes())
    throw Error("stream_uniforms: keys and steps must be int64 tensors of one shape");
  torch::NoGradGuard no_grad;
  const auto bits = splitmix64(keys ^ splitmix64(steps + as_signed(kStepSalt)));
  return shift_right(bits, 11).to(torch::kFloat64) * 0x1.0p-53;
}

TokenDraw draw_tokens(const torch::Tensor& logits, const SamplingParams& params, const torch::Tensor& uniforms) {
  check_draw_inputs(logits, uniforms);
  torch::NoGradGuard no_grad;
  const int64_t vocab = logits.size(1);
  if (params.temperature == 0.0) return {logits.argmax(-1), {}};
  const auto probs = probabilities(logits, params);
  if (!needs_truncation(params, vocab)) return {inverse_cdf(probs, uniforms), {}};

  const bool by_top_k = top_k_truncates(params, vocab);
  const int64_t width = by_top_k ? params.top_k : std::min(vocab, kCandidates);
  auto [values, indices] = probs.topk(width, -1, /*largest=*/true, /*sorted=*/true);
  const auto total = by_top_k ? values.sum(-1, true) : probs.sum(-1, true);
  const auto kept = truncate_sorted(values, total, params);
  const auto tokens = indices.gather(1, inverse_cdf(kept, uniforms).unsqueeze(1)).squeeze(1);
  if (by_top_k || width == vocab) return {tokens, {}};  // the candidates hold every token the rules keep
  // The kept set lies inside the candidates when one rule's own set does: top-p's when the candidates' mass reaches
  // top_p (the next token's "before" mass is then >= top_p), min-p's when the last candidate is below its threshold.
  auto exact = torch::zeros({logits.size(0)}, torch::TensorOptions(torch::kBool).device(logits.device()));
  if (params.top_p < 1.0) exact |= (values.sum(-1) / total.squeeze(1)) >= params.top_p * (1.0 + kMassSlack);
  if (params.min_p > 0.0) exact |= values.select(1, width - 1) < values.select(1, 0) * params.min_p;
  return {tokens, exact};
}

torch::Tensor draw_tokens_exact(const torch::Tensor& logits, const SamplingParams& params, const torch::Tensor& uniforms) {
  check_draw_inputs(logits, uniforms);
  torch::NoGradGuard no_grad;
  const int64_t vocab = logits.size(1);
  if (params.temperature == 0.0) return logits.argmax(-1);
  const auto probs = probabilities(logits, params);
  if (!needs_truncation(params, vocab)) return inverse_cdf(probs, uniforms);
  auto [sorted, order] = probs.sort(-1, /*descending=*/true);
  if (top_k_truncates(params, vocab)) sorted.narrow(1, params.top_k, vocab - params.top_k).zero_();
  const auto kept = truncate_sorted(sorted, sorted.sum(-1, true), params);
  return order.gather(1, inverse_cdf(kept, uniforms).unsqueeze(1)).squeeze(1);
}

torch::Tensor draw_tokens_checked(const torch::Tensor& logits, const SamplingParams& params, const torch::Tensor& uniforms) {
  TokenDraw draw = draw_tokens(logits, params, uniforms);
  if (!draw.exact.defined()) return draw.tokens;
  const auto redo = (~draw.exact).nonzero().squeeze(1);
  if (redo.numel() > 0)
    draw.tokens.index_copy_(0, redo, draw_tokens_exact(logits.index_select(0, redo), params, uniforms.index_select(0, redo)));
  return draw.tokens;
}

torch::Tensor sample_next_tokens(const torch::Tensor& logits, const SamplingParams& params,
                                 const std::vector<uint64_t>& keys, const std::vector<int64_t>& steps) {
  if (logits.dim() != 2) throw Error("sample_next_tokens: logits must be [batch, vocab]");
  const int64_t batch = logits.size(0);
  if (static_cast<int64_t>(keys.size()) != batch || static_cast<int64_t>(steps.size()) != batch)
    throw Error("sample_next_tokens: one key and one step per row are needed");
  std::vector<int64_t> key_bits(keys.begin(), keys.end());
  const auto device = logits.device();
  const auto uniforms = stream_uniforms(torch::tensor(key_bits, torch::kInt64).to(device), torch::tensor(steps, torch::kInt64).to(device));
  return draw_tokens_checked(logits, params, uniforms).to(torch::kCPU, torch::kInt64);
}

}  // namespace ttrl::rollout
