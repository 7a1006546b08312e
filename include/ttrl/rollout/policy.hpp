#pragma once
// The policy a run samples from and trains: the model (loaded from model.path or randomly initialised from
// model.random) and its tokenizer, set up from a run configuration. Shared by train, eval and demo.
#include <memory>
#include <string>
#include <vector>

#include "ttrl/core/config.hpp"
#include "ttrl/model/transformer.hpp"
#include "ttrl/tokenizer/tokenizer.hpp"

namespace ttrl::rollout {

struct Policy {
  model::Transformer model{nullptr};
  std::unique_ptr<Tokenizer> tokenizer;
  std::string tokenizer_path;  ///< what the tokenizer was loaded from ("byte" for the built-in one)

  /// Token ids that end a generation: the model's eos ids and the tokenizer's eos/end-of-turn ids.
  std::vector<int64_t> stop_token_ids() const;
  /// Directory whose tokenizer files a saved checkpoint should copy ("" when there are none, e.g. "byte").
  std::string tokenizer_files_dir() const;
};

/// Builds the policy `config.model` and `config.tokenizer` describe (device, dtype, threads, checkpointing).
/// Throws ttrl::ConfigError when neither model.path nor model.random_init is set.
Policy load_policy(const RunConfig& config);

/// Tokenizes `question` with the configured chat template; throws ttrl::Error when the prompt exceeds
/// data.max_prompt_tokens.
std::vector<int64_t> encode_question(const Policy& policy, const RunConfig& config, const std::string& question);

}  // namespace ttrl::rollout
