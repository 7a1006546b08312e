#pragma once
// The architecture of a Llama-family decoder, read from a Hugging Face config.json (model_type qwen2, qwen3, llama,
// mistral) or built for random initialisation. Every option transformers would apply is either represented here or
// rejected with an error naming the key: the model never silently ignores a setting that changes its outputs.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ttrl {
struct RandomModelSection;
}

namespace ttrl::model {

/// Rotary position embedding frequencies (transformers' rope_parameters / legacy rope_scaling).
struct RopeConfig {
  std::string type = "default";  ///< default | linear | llama3
  double theta = 10000.0;        ///< base of the inverse frequencies
  double factor = 1.0;           ///< linear, llama3: wavelengths stretched by this factor
  double low_freq_factor = 1.0;  ///< llama3
  double high_freq_factor = 4.0;  ///< llama3
  int64_t original_max_position_embeddings = 0;  ///< llama3: context length of pre-training
};

/// Attention span of one layer.
enum class AttentionKind { kFull, kSlidingWindow };

/// More layers than any released model by far; a larger num_hidden_layers is an error, not a 4-GB layer list.
inline constexpr int64_t kMaxLayers = 1 << 16;

struct ModelConfig {
  std::string model_type = "qwen2";  ///< qwen2 | qwen3 | llama | mistral
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t num_key_value_heads = 0;  ///< < num_attention_heads: grouped-query attention
  int64_t head_dim = 0;             ///< may differ from hidden_size / num_attention_heads (Qwen3, Mistral-Nemo)
  int64_t max_position_embeddings = 2048;
  double rms_norm_eps = 1e-6;
  RopeConfig rope;
  bool tie_word_embeddings = false;  ///< lm_head shares model.embed_tokens.weight
  bool qkv_bias = false;             ///< q_proj, k_proj, v_proj have biases (Qwen2; Llama attention_bias)
  bool o_proj_bias = false;          ///< o_proj has a bias (Llama attention_bias)
  bool mlp_bias = false;             ///< gate/up/down_proj have biases (Llama mlp_bias)
  bool qk_norm = false;              ///< per-head RMSNorm of q and k before RoPE (Qwen3)
  int64_t sliding_window = 0;        ///< tokens a sliding-window layer sees (itself included); 0: none
  std::vector<AttentionKind> layer_types;  ///< one per layer
  double initializer_range = 0.02;   ///< std of random initialisation

  std::optional<int64_t> bos_token_id;
  std::optional<int64_t> pad_token_id;
  std::vector<int64_t> eos_token_ids;  ///< generation_config.json when present, else config.json
  std::string torch_dtype;             ///< dtype the checkpoint declares ("bfloat16"), informative

  /// The config.json object this was parsed from (empty for random init); kept so that a saved checkpoint carries
  /// every key of the original, including ones ttrl does not interpret.
  nlohmann::json source_json;
  /// Where the sizes came from, for errors about them: the config.json path, or "model.random" for random init.
  std::string origin;

  /// Parses a config.json object; `origin` (a path) names the source in errors. Throws ttrl::ConfigError on an
  /// unknown model_type, a missing or invalid key, or an option ttrl does not implement.
  static ModelConfig from_hf_json(const nlohmann::json& config, const std::string& origin = "config.json");

  /// Reads `dir`/config.json and, when present, `dir`/generation_config.json (its eos_token_id, an int or a list,
  /// replaces config.json's). Throws ttrl::IoError when config.json cannot be read or parsed.
  static ModelConfig load(const std::string& dir);

  /// A small architecture for tests and demos; head_dim = hidden_size / num_heads.
  static ModelConfig from_random_section(const RandomModelSection& section, int64_t vocab_size);

  /// config.json content transformers loads back to the same architecture: `source_json` with every interpreted
  /// key overwritten, and `dtype` set to the given name when not empty.
  nlohmann::json to_hf_json(const std::string& dtype = "") const;

  /// Throws ttrl::ConfigError naming the first inconsistent field.
  void validate() const;

  /// The number of parameters the architecture has, as a double so that absurd sizes do not overflow:
  ///   embed V*H + final norm H + lm_head V*H (untied) + L * layer, where one layer is
  ///   q H*Q + k,v 2*H*K + o Q*H (+ biases Q + 2K when qkv_bias, H when o_proj_bias) + q/k norms 2*D (qk_norm)
  ///   + gate, up, down 3*H*I (+ biases 2I + H when mlp_bias) + two norms 2*H,
  /// with Q = heads*D, K = kv_heads*D (the modules of layers.cpp; tests/model check it against the built model).
  double parameter_count() const;

  int64_t q_size() const { return num_attention_heads * head_dim; }
  int64_t kv_size() const { return num_key_value_heads * head_dim; }
};

}  // namespace ttrl::model
