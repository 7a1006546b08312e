#include "ttrl/model/model_config.hpp"

#include <filesystem>
#include <set>

#include "ttrl/core/config.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/core/json_cursor.hpp"

namespace ttrl::model {
namespace {

using nlohmann::json;

const std::set<std::string> kModelTypes = {"qwen2", "qwen3", "llama", "mistral"};


/// rope_parameters (transformers >= 5) wins over the legacy rope_scaling + rope_theta pair, as in transformers.
RopeConfig parse_rope(const JsonCursor& fields, int64_t max_position_embeddings) {
  RopeConfig rope;
  rope.theta = fields.number_or("rope_theta", 10000.0);
  const char* key = fields.has("rope_parameters") ? "rope_parameters" : fields.has("rope_scaling") ? "rope_scaling" : nullptr;
  if (key == nullptr) return rope;
  const JsonCursor p = fields.at(key);
  p.require_object();
  rope.theta = p.number_or("rope_theta", rope.theta);
  rope.type = p.string_or("rope_type", p.string_or("type", "default"));
  if (p.has("partial_rotary_factor") && p.number_or("partial_rotary_factor", 1.0) != 1.0)
    p.fail("has partial_rotary_factor != 1, which ttrl does not implement");
  if (rope.type == "default") return rope;
  if (rope.type == "linear") {
    rope.factor = p.number_or("factor", 0.0);
    if (!(rope.factor > 0)) p.fail("of type linear needs a positive 'factor'");
    return rope;
  }
  if (rope.type == "llama3") {
    for (const char* required : {"factor", "low_freq_factor", "high_freq_factor"})
      if (!p.has(required)) p.fail(std::string("of type llama3 is missing '") + required + "'");
    rope.factor = p.number_or("factor", 1.0);
    rope.low_freq_factor = p.number_or("low_freq_factor", 1.0);
    rope.high_freq_factor = p.number_or("high_freq_factor", 4.0);
    rope.original_max_position_embeddings =
        p.int_or("original_max_position_embeddings",
                 fields.int_or("original_max_position_embeddings", max_position_embeddings));
    if (!(rope.high_freq_factor > rope.low_freq_factor))
      p.fail("of type llama3 needs high_freq_factor > low_freq_factor");
    return rope;
  }
  p.fail("has rope type '" + rope.type + "'; ttrl implements default, linear and llama3");
}

/// Which layers use a sliding window, as transformers decides it for each model_type.
void parse_sliding_window(ModelConfig& c, const JsonCursor& fields) {
  c.layer_types.assign(static_cast<size_t>(c.num_hidden_layers), AttentionKind::kFull);
  if (c.model_type == "llama") return;
  if (c.model_type == "mistral") {
    // MistralConfig defaults sliding_window to 4096 when the key is absent; null disables it.
    const int64_t window = fields.json().contains("sliding_window") ? fields.int_or("sliding_window", 0) : 4096;
    if (window > 0) {
      c.sliding_window = window;
      c.layer_types.assign(c.layer_types.size(), AttentionKind::kSlidingWindow);
    }
    return;
  }
  // qwen2 / qwen3: the window only exists when use_sliding_window is true.
  if (!fields.bool_or("use_sliding_window", false)) return;
  c.sliding_window = fields.int_or("sliding_window", 4096);
  if (c.sliding_window <= 0) fields.at("sliding_window").fail("must be positive when use_sliding_window is true");
  if (fields.has("layer_types")) {
    const JsonCursor types = fields.at("layer_types");
    if (static_cast<int64_t>(types.array_size()) != c.num_hidden_layers) types.fail("must list one type per layer");
    for (size_t i = 0; i < types.array_size(); ++i) {
      const std::string name = types.at(i).as_string();
      if (name == "sliding_attention") c.layer_types[i] = AttentionKind::kSlidingWindow;
      else if (name != "full_attention") types.at(i).fail("unknown layer type '" + name + "'");
    }
    return;
  }
  const int64_t first_sliding = fields.int_or("max_window_layers", 28);
  for (int64_t i = first_sliding; i < c.num_hidden_layers; ++i) c.layer_types[i] = AttentionKind::kSlidingWindow;
}

void parse_biases(ModelConfig& c, const JsonCursor& fields) {
  if (c.model_type == "qwen2") {
    c.qkv_bias = true;  // Qwen2Attention hard-codes biases on q, k, v and none on o
  } else if (c.model_type == "qwen3" || c.model_type == "llama") {
    c.qkv_bias = c.o_proj_bias = fields.bool_or("attention_bias", false);
  }
  if (c.model_type == "llama") c.mlp_bias = fields.bool_or("mlp_bias", false);
}

void reject_unsupported(const JsonCursor& fields) {
  const std::string act = fields.string_or("hidden_act", "silu");
  if (act != "silu") fields.at("hidden_act").fail("is '" + act + "'; ttrl implements silu (SwiGLU) only");
  if (fields.number_or("attention_dropout", 0.0) != 0.0)
    fields.at("attention_dropout").fail("is non-zero; ttrl implements attention without dropout");
  if (fields.has("quantization_config"))
    fields.at("quantization_config").fail("is set; ttrl loads unquantized weights only");
  if (fields.has("partial_rotary_factor") && fields.number_or("partial_rotary_factor", 1.0) != 1.0)
    fields.at("partial_rotary_factor").fail("is not 1; ttrl implements full rotary embeddings only");
}

const char* architecture_name(const std::string& model_type) {
  if (model_type == "qwen2") return "Qwen2ForCausalLM";
  if (model_type == "qwen3") return "Qwen3ForCausalLM";
  if (model_type == "llama") return "LlamaForCausalLM";
  return "MistralForCausalLM";
}

}  // namespace

ModelConfig ModelConfig::from_hf_json(const json& config, const std::string& origin) {
  const JsonCursor fields(config, origin, "$", JsonCursor::ErrorKind::kConfig);
  fields.require_object();
  ModelConfig c;
  c.source_json = config;
  c.origin = origin;
  c.model_type = fields.string_or("model_type", "");
  if (kModelTypes.count(c.model_type) == 0)
    fields.at("model_type").fail("is '" + c.model_type + "'; ttrl supports qwen2, qwen3, llama and mistral");
  reject_unsupported(fields);
  c.vocab_size = fields.at("vocab_size").as_int();
  c.hidden_size = fields.at("hidden_size").as_int();
  c.intermediate_size = fields.at("intermediate_size").as_int();
  c.num_hidden_layers = fields.at("num_hidden_layers").as_int();
  if (c.num_hidden_layers > kMaxLayers)  // checked before anything is sized by it (layer_types, the layer list)
    fields.at("num_hidden_layers").fail("is " + std::to_string(c.num_hidden_layers) + "; at most " +
                                        std::to_string(kMaxLayers) + " layers are supported");
  c.num_attention_heads = fields.at("num_attention_heads").as_int();
  c.num_key_value_heads = fields.int_or("num_key_value_heads", c.num_attention_heads);
  if (c.num_attention_heads <= 0) fields.at("num_attention_heads").fail("must be positive");
  // Qwen3Config's head_dim defaults to 128; the others derive it from the hidden size.
  const int64_t derived_head_dim = c.model_type == "qwen3" ? 128 : c.hidden_size / c.num_attention_heads;
  c.head_dim = fields.int_or("head_dim", derived_head_dim);
  c.max_position_embeddings = fields.int_or("max_position_embeddings", 2048);
  c.rms_norm_eps = fields.number_or("rms_norm_eps", 1e-6);
  c.rope = parse_rope(fields, c.max_position_embeddings);
  c.tie_word_embeddings = fields.bool_or("tie_word_embeddings", false);
  c.qk_norm = c.model_type == "qwen3";
  parse_biases(c, fields);
  parse_sliding_window(c, fields);
  c.initializer_range = fields.number_or("initializer_range", 0.02);
  if (fields.has("bos_token_id")) c.bos_token_id = fields.at("bos_token_id").as_int();
  if (fields.has("pad_token_id")) c.pad_token_id = fields.at("pad_token_id").as_int();
  if (fields.has("eos_token_id")) c.eos_token_ids = fields.at("eos_token_id").as_int_list();
  c.torch_dtype = fields.string_or("dtype", fields.string_or("torch_dtype", ""));
  try {
    c.validate();
  } catch (const ConfigError& e) {
    throw ConfigError(origin + ": " + e.what());  // "dir/config.json: model config: hidden_size must be positive"
  }
  return c;
}

ModelConfig ModelConfig::load(const std::string& dir) {
  namespace fs = std::filesystem;
  const std::string config_path = (fs::path(dir) / "config.json").string();
  ModelConfig c = from_hf_json(JsonCursor::parse(read_text_file(config_path), config_path), config_path);
  const std::string generation_path = (fs::path(dir) / "generation_config.json").string();
  if (fs::exists(generation_path)) {
    const json generation = JsonCursor::parse(read_text_file(generation_path), generation_path);
    const JsonCursor fields(generation, generation_path, "$", JsonCursor::ErrorKind::kConfig);
    fields.require_object();
    if (fields.has("eos_token_id")) {
      const std::vector<int64_t> ids = fields.at("eos_token_id").as_int_list();
      if (!ids.empty()) c.eos_token_ids = ids;
    }
    for (int64_t id : c.eos_token_ids)
      if (id < 0 || id >= c.vocab_size)
        fields.fail("eos_token_id " + std::to_string(id) + " is outside the vocabulary (" +
                    std::to_string(c.vocab_size) + " tokens)");
  }
  return c;
}

ModelConfig ModelConfig::from_random_section(const RandomModelSection& section, int64_t vocab_size) {
  ModelConfig c;
  c.model_type = section.model_type;
  if (kModelTypes.count(c.model_type) == 0)
    throw ConfigError("model.random.model_type is '" + c.model_type + "'; expected qwen2, qwen3, llama or mistral");
  c.vocab_size = section.vocab_size > 0 ? section.vocab_size : vocab_size;
  c.hidden_size = section.hidden_size;
  c.intermediate_size = section.intermediate_size;
  c.num_hidden_layers = section.num_layers;
  c.origin = "model.random";
  c.num_attention_heads = section.num_heads;
  c.num_key_value_heads = section.num_kv_heads;
  c.head_dim = section.num_heads > 0 ? section.hidden_size / section.num_heads : 0;
  c.max_position_embeddings = section.max_position_embeddings;
  c.qkv_bias = c.model_type == "qwen2";
  c.qk_norm = c.model_type == "qwen3";
  c.layer_types.assign(static_cast<size_t>(std::max<int64_t>(0, c.num_hidden_layers)), AttentionKind::kFull);
  c.validate();
  return c;
}

void ModelConfig::validate() const {
  auto fail = [](const std::string& message) { throw ConfigError("model config: " + message); };
  auto positive = [&](const char* name, int64_t value) {
    if (value <= 0) fail(std::string(name) + " must be positive, got " + std::to_string(value));
  };
  positive("vocab_size", vocab_size);
  positive("hidden_size", hidden_size);
  positive("intermediate_size", intermediate_size);
  positive("num_hidden_layers", num_hidden_layers);
  positive("num_attention_heads", num_attention_heads);
  positive("num_key_value_heads", num_key_value_heads);
  positive("head_dim", head_dim);
  positive("max_position_embeddings", max_position_embeddings);
  if (num_hidden_layers > kMaxLayers)
    fail("num_hidden_layers is " + std::to_string(num_hidden_layers) + "; at most " + std::to_string(kMaxLayers) +
         " layers are supported");
  if (num_attention_heads % num_key_value_heads != 0)
    fail("num_attention_heads (" + std::to_string(num_attention_heads) + ") must be a multiple of num_key_value_heads (" +
         std::to_string(num_key_value_heads) + ")");
  if (head_dim % 2 != 0) fail("head_dim must be even for rotary embeddings, got " + std::to_string(head_dim));
  if (!(rms_norm_eps > 0)) fail("rms_norm_eps must be positive");
  if (!(rope.theta > 0)) fail("rope_theta must be positive");
  if (static_cast<int64_t>(layer_types.size()) != num_hidden_layers) fail("layer_types must have one entry per layer");
  for (int64_t id : eos_token_ids)
    if (id < 0 || id >= vocab_size) fail("eos_token_id " + std::to_string(id) + " is outside the vocabulary");
}

double ModelConfig::parameter_count() const {
  const double V = vocab_size, H = hidden_size, I = intermediate_size, D = head_dim;
  const double Q = static_cast<double>(num_attention_heads) * D, K = static_cast<double>(num_key_value_heads) * D;
  double layer = H * Q + 2 * H * K + Q * H + 3 * H * I + 2 * H;
  if (qkv_bias) layer += Q + 2 * K;
  if (o_proj_bias) layer += H;
  if (qk_norm) layer += 2 * D;
  if (mlp_bias) layer += 2 * I + H;
  return V * H + H + (tie_word_embeddings ? 0.0 : V * H) + static_cast<double>(num_hidden_layers) * layer;
}

json ModelConfig::to_hf_json(const std::string& dtype) const {
  json out = source_json.is_object() ? source_json : json::object();
  out["model_type"] = model_type;
  if (!out.contains("architectures")) out["architectures"] = {architecture_name(model_type)};
  out["vocab_size"] = vocab_size;
  out["hidden_size"] = hidden_size;
  out["intermediate_size"] = intermediate_size;
  out["num_hidden_layers"] = num_hidden_layers;
  out["num_attention_heads"] = num_attention_heads;
  out["num_key_value_heads"] = num_key_value_heads;
  out["head_dim"] = head_dim;
  out["max_position_embeddings"] = max_position_embeddings;
  out["rms_norm_eps"] = rms_norm_eps;
  out["hidden_act"] = "silu";
  out["tie_word_embeddings"] = tie_word_embeddings;
  out["initializer_range"] = initializer_range;
  // The legacy rope_theta + rope_scaling layout: read by transformers 4 and 5, vLLM and llama.cpp converters.
  out.erase("rope_parameters");
  out["rope_theta"] = rope.theta;
  if (rope.type == "default") {
    out["rope_scaling"] = nullptr;
  } else if (rope.type == "linear") {
    out["rope_scaling"] = {{"rope_type", "linear"}, {"factor", rope.factor}};
  } else {
    out["rope_scaling"] = {{"rope_type", "llama3"},
                           {"factor", rope.factor},
                           {"low_freq_factor", rope.low_freq_factor},
                           {"high_freq_factor", rope.high_freq_factor},
                           {"original_max_position_embeddings", rope.original_max_position_embeddings}};
  }
  if (model_type == "llama" || model_type == "qwen3") out["attention_bias"] = qkv_bias;
  if (model_type == "llama") out["mlp_bias"] = mlp_bias;
  if (sliding_window == 0) {
    if (model_type == "mistral") out["sliding_window"] = nullptr;
    if (model_type == "qwen2" || model_type == "qwen3") out["use_sliding_window"] = false;
  }
  // Token ids: those of the source config stay as they were (generation_config.json may hold different eos ids).
  if (bos_token_id && !out.contains("bos_token_id")) out["bos_token_id"] = *bos_token_id;
  if (pad_token_id && !out.contains("pad_token_id")) out["pad_token_id"] = *pad_token_id;
  if (!eos_token_ids.empty() && !out.contains("eos_token_id")) {
    if (eos_token_ids.size() == 1) out["eos_token_id"] = eos_token_ids[0];
    else out["eos_token_id"] = eos_token_ids;
  }
  if (!dtype.empty()) {
    out["dtype"] = dtype;
    out.erase("torch_dtype");
  }
  return out;
}

}  // namespace ttrl::model
