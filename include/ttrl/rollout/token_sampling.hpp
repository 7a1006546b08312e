#pragma once
// Drawing the next token from logits, reproducibly: every sequence has its own counter-based random stream, so the
// draw of sequence s at step t is a function of (key_s, t) alone, whatever else shares its batch. The uniforms are
// computed on the logits' device (stream_uniforms) bit for bit equal to the host's stream_uniform, so CPU and CUDA
// draw the same tokens up to the rounding of the logits.
//
// The rules (sampling_params.hpp): greedy when temperature == 0, else inverse-CDF sampling from softmax(logits / T)
// restricted by top_k, then top_p (on the top-k renormalised mass: a token is kept while the mass of the more likely
// tokens before it is < top_p), then min_p (p >= min_p * p_max); at least one token is always kept. Tokens are taken
// in descending probability when a rule truncates, in vocabulary order otherwise.
//
// No [batch, vocab] float64 temporary and no full-vocabulary sort on the common path:
//   * no truncation: a two-level inverse CDF (float64 block sums of 1024 tokens, then a float64 cumsum inside the
//     chosen block);
//   * truncation: the rules run on a candidate set from topk (top_k tokens, or the first kCandidates when top_k is
//     off); a row whose kept set may reach past the candidates (their mass below top_p, or the last candidate still
//     above the min_p threshold) is flagged inexact and drawn again by the exact path (a full sort), with the same
//     uniform.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "ttrl/rollout/sampling_params.hpp"

namespace ttrl::rollout {

/// Key of the random stream of sample `sample_index` of prompt `prompt_index` under `seed`.
uint64_t sequence_key(uint64_t seed, int64_t prompt_index, int64_t sample_index);
/// Uniform double in [0, 1) for step `step` of the stream `key` (SplitMix64 of key and step).
double stream_uniform(uint64_t key, int64_t step);
/// stream_uniform(keys[b], steps[b]) for int64 tensors [B] (keys hold the uint64 bits) on any device: float64 [B] on
/// the same device, bit for bit equal to the host function.
torch::Tensor stream_uniforms(const torch::Tensor& keys, const torch::Tensor& steps);

/// Candidates taken by topk when top_p or min_p truncates without top_k.
constexpr int64_t kCandidates = 1024;

/// Tokens drawn for each row of logits [B, V] with uniforms u [B] (float64, same device).
struct TokenDraw {
  torch::Tensor tokens;  ///< int64 [B] on the logits' device
  torch::Tensor exact;   ///< bool [B]: false where the candidate set may miss a kept token (draw_tokens_exact then)
};
/// The common path (see the header comment); `exact` is all true unless top_p or min_p truncates without top_k.
TokenDraw draw_tokens(const torch::Tensor& logits, const SamplingParams& params, const torch::Tensor& uniforms);
/// The same rules over the whole vocabulary sorted in descending probability (the fallback; the reference in tests).
torch::Tensor draw_tokens_exact(const torch::Tensor& logits, const SamplingParams& params, const torch::Tensor& uniforms);
/// draw_tokens, with the inexact rows drawn again by draw_tokens_exact (one host read of the flags when the
/// candidate path was taken). int64 [B] on the logits' device.
torch::Tensor draw_tokens_checked(const torch::Tensor& logits, const SamplingParams& params, const torch::Tensor& uniforms);

/// draw_tokens_checked with uniforms from keys[b] and steps[b]. Returns [B] int64 on the CPU.
torch::Tensor sample_next_tokens(const torch::Tensor& logits, const SamplingParams& params,
                                 const std::vector<uint64_t>& keys, const std::vector<int64_t>& steps);

}  // namespace ttrl::rollout
