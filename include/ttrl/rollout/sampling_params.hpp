#pragma once
// What to sample, per request. Recorded log-probs follow verl's convention for "old log-probs": the log-probability
// of the chosen token under softmax(logits / temperature) over the FULL vocabulary, before top-k/top-p/min-p
// truncation; the entropy is that distribution's entropy. With temperature 0 (greedy) both refer to
// softmax(logits) (temperature 1).
#include <cstdint>
#include <string>
#include <vector>

namespace ttrl::rollout {

struct SamplingParams {
  int64_t n = 1;                 ///< samples per prompt (sharing the prompt's prefill)
  double temperature = 1.0;      ///< 0 = greedy
  double top_p = 1.0;            ///< keep the smallest set of most likely tokens whose mass reaches top_p
  int64_t top_k = 0;             ///< keep the k most likely tokens; 0 = off
  double min_p = 0.0;            ///< drop tokens with p < min_p * p_max; 0 = off
  int64_t max_new_tokens = 256;
  std::vector<int64_t> stop_token_ids;   ///< EOS and end-of-turn ids; the stop token is kept in the completion
  std::vector<std::string> stop_strings; ///< matched on the decoded bytes; the text is cut before the match
  bool ignore_eos = false;       ///< never stop on stop_token_ids (exactly max_new_tokens tokens unless a stop string)
  uint64_t seed = 0;             ///< sample j of prompt i draws from its own stream (seed, i, j): batch-split invariant
  /// The stream index i of each prompt; empty: its position in the request. A process that samples its share of a
  /// larger request passes the prompts' positions there, so N processes draw what one process would.
  std::vector<int64_t> prompt_streams;
};

/// Throws ttrl::ConfigError naming the field when a value is out of range.
void validate(const SamplingParams& params);

}  // namespace ttrl::rollout
