#include <gtest/gtest.h>

#include <fstream>

#include "model/model_test_util.hpp"
#include "ttrl/core/config.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/model/model_config.hpp"
#include "ttrl/model/transformer.hpp"

using nlohmann::json;
using ttrl::model::AttentionKind;
using ttrl::model::ModelConfig;

namespace {

json base(const std::string& model_type) {
  return {{"model_type", model_type}, {"vocab_size", 1000},       {"hidden_size", 64},
          {"intermediate_size", 128}, {"num_hidden_layers", 3},   {"num_attention_heads", 8},
          {"num_key_value_heads", 2}, {"rms_norm_eps", 1e-5},     {"max_position_embeddings", 4096}};
}

std::string error_of(const json& config) {
  try {
    ModelConfig::from_hf_json(config, "dir/config.json");
  } catch (const ttrl::ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ModelConfig, Qwen2HasQkvBiasesAndDerivedHeadDim) {
  json j = base("qwen2");
  j["rope_theta"] = 1000000.0;
  j["use_sliding_window"] = false;
  j["sliding_window"] = 4096;
  const ModelConfig c = ModelConfig::from_hf_json(j);
  EXPECT_TRUE(c.qkv_bias);
  EXPECT_FALSE(c.o_proj_bias);
  EXPECT_FALSE(c.qk_norm);
  EXPECT_EQ(c.head_dim, 8);
  EXPECT_EQ(c.rope.theta, 1000000.0);
  EXPECT_EQ(c.sliding_window, 0);  // declared but not enabled
  EXPECT_EQ(c.layer_types, std::vector<AttentionKind>(3, AttentionKind::kFull));
}

TEST(ModelConfig, Qwen3HeadDimDefaultsTo128AndHasQkNorm) {
  json j = base("qwen3");
  EXPECT_EQ(ModelConfig::from_hf_json(j).head_dim, 128);
  j["head_dim"] = 16;
  const ModelConfig c = ModelConfig::from_hf_json(j);
  EXPECT_EQ(c.head_dim, 16);
  EXPECT_TRUE(c.qk_norm);
  EXPECT_FALSE(c.qkv_bias);
  EXPECT_EQ(c.q_size(), 128);
}

TEST(ModelConfig, QwenSlidingWindowAppliesFromMaxWindowLayers) {
  json j = base("qwen2");
  j["use_sliding_window"] = true;
  j["sliding_window"] = 32;
  j["max_window_layers"] = 1;
  const ModelConfig c = ModelConfig::from_hf_json(j);
  EXPECT_EQ(c.sliding_window, 32);
  EXPECT_EQ(c.layer_types, (std::vector<AttentionKind>{AttentionKind::kFull, AttentionKind::kSlidingWindow,
                                                       AttentionKind::kSlidingWindow}));
}

TEST(ModelConfig, LlamaRopeScalingLegacyAndNewLayoutsAgree) {
  json legacy = base("llama");
  legacy["rope_theta"] = 500000.0;
  legacy["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0},
                            {"high_freq_factor", 4.0}, {"original_max_position_embeddings", 8192}};
  legacy["attention_bias"] = true;
  legacy["tie_word_embeddings"] = true;
  json modern = base("llama");
  modern["rope_parameters"] = {{"rope_type", "llama3"}, {"rope_theta", 500000.0}, {"factor", 8.0},
                               {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0},
                               {"original_max_position_embeddings", 8192}};
  for (const json& j : {legacy, modern}) {
    const ModelConfig c = ModelConfig::from_hf_json(j);
    EXPECT_EQ(c.rope.type, "llama3");
    EXPECT_EQ(c.rope.theta, 500000.0);
    EXPECT_EQ(c.rope.factor, 8.0);
    EXPECT_EQ(c.rope.high_freq_factor, 4.0);
    EXPECT_EQ(c.rope.original_max_position_embeddings, 8192);
  }
  const ModelConfig c = ModelConfig::from_hf_json(legacy);
  EXPECT_TRUE(c.qkv_bias && c.o_proj_bias && c.tie_word_embeddings);
  EXPECT_EQ(c.num_key_value_heads, 2);
}

TEST(ModelConfig, MistralSlidingWindowDefaultsLikeTransformers) {
  json j = base("mistral");
  j["head_dim"] = 32;  // Mistral-Nemo style override
  ModelConfig c = ModelConfig::from_hf_json(j);
  EXPECT_EQ(c.head_dim, 32);
  EXPECT_EQ(c.sliding_window, 4096);  // MistralConfig's default when the key is absent
  EXPECT_EQ(c.layer_types[0], AttentionKind::kSlidingWindow);
  j["sliding_window"] = nullptr;
  c = ModelConfig::from_hf_json(j);
  EXPECT_EQ(c.sliding_window, 0);
  EXPECT_EQ(c.layer_types[2], AttentionKind::kFull);
}

TEST(ModelConfig, UnsupportedOptionsAreErrorsNamingTheKey) {
  json j = base("gpt2");
  EXPECT_NE(error_of(j).find("dir/config.json: $.model_type: is 'gpt2'"), std::string::npos) << error_of(j);
  j = base("qwen2");
  j["rope_scaling"] = {{"type", "yarn"}, {"factor", 4.0}};
  EXPECT_NE(error_of(j).find("yarn"), std::string::npos);
  EXPECT_NE(error_of(j).find("dir/config.json"), std::string::npos);
  j = base("llama");
  j["hidden_act"] = "gelu";
  EXPECT_NE(error_of(j).find("hidden_act"), std::string::npos);
  j = base("llama");
  j["num_key_value_heads"] = 3;
  EXPECT_NE(error_of(j).find("multiple of num_key_value_heads"), std::string::npos);
  j = base("llama");
  j.erase("hidden_size");
  EXPECT_NE(error_of(j).find("dir/config.json: $: missing key \"hidden_size\""), std::string::npos);
  j = base("llama");
  j["num_hidden_layers"] = "three";
  EXPECT_NE(error_of(j).find("$.num_hidden_layers: expected an integer, got \"three\""), std::string::npos);
  j = base("llama");
  j["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8.0}};
  EXPECT_NE(error_of(j).find("low_freq_factor"), std::string::npos);
}

TEST(ModelConfig, LoadReadsGenerationConfigEosAsIntOrList) {
  const ttrl::model::test_util::ScratchDir scratch("config_load");
  const std::string& dir = scratch.path();
  json j = base("qwen2");
  j["eos_token_id"] = 5;
  std::ofstream(dir + "/config.json") << j.dump();
  EXPECT_EQ(ModelConfig::load(dir).eos_token_ids, std::vector<int64_t>{5});
  std::ofstream(dir + "/generation_config.json") << R"({"eos_token_id": [7, 9], "bos_token_id": 1})";
  EXPECT_EQ(ModelConfig::load(dir).eos_token_ids, (std::vector<int64_t>{7, 9}));
  std::ofstream(dir + "/generation_config.json") << R"({"eos_token_id": 100000})";
  EXPECT_THROW(ModelConfig::load(dir), ttrl::ConfigError);
  std::ofstream(dir + "/config.json") << "{not json";
  EXPECT_THROW(ModelConfig::load(dir), ttrl::IoError);
  EXPECT_THROW(ModelConfig::load(dir + "/missing"), ttrl::IoError);
}

TEST(ModelConfig, HfJsonRoundTripKeepsTheArchitecture) {
  json j = base("llama");
  j["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0},
                       {"high_freq_factor", 4.0}, {"original_max_position_embeddings", 8192}};
  j["custom_key"] = "kept";
  const ModelConfig a = ModelConfig::from_hf_json(j);
  const json written = a.to_hf_json("bfloat16");
  EXPECT_EQ(written["custom_key"], "kept");
  EXPECT_EQ(written["dtype"], "bfloat16");
  EXPECT_EQ(written["architectures"][0], "LlamaForCausalLM");
  const ModelConfig b = ModelConfig::from_hf_json(written);
  EXPECT_EQ(b.rope.type, "llama3");
  EXPECT_EQ(b.rope.original_max_position_embeddings, 8192);
  EXPECT_EQ(b.head_dim, a.head_dim);
  EXPECT_EQ(b.num_key_value_heads, a.num_key_value_heads);
  EXPECT_EQ(b.layer_types, a.layer_types);
}

TEST(ModelConfig, RandomSectionBuildsAValidConfig) {
  ttrl::RandomModelSection section;
  section.model_type = "qwen2";
  const ModelConfig c = ModelConfig::from_random_section(section, 300);
  EXPECT_EQ(c.vocab_size, 300);
  EXPECT_EQ(c.head_dim, section.hidden_size / section.num_heads);
  EXPECT_TRUE(c.qkv_bias);
  section.model_type = "bert";
  EXPECT_THROW(ModelConfig::from_random_section(section, 300), ttrl::ConfigError);
}

TEST(ModelConfig, ParameterCountEqualsTheBuiltModelsForEveryFamily) {
  for (const std::string type : {"qwen2", "qwen3", "llama", "mistral"}) {
    for (const bool tied : {false, true}) {
      json j = base(type);
      j["tie_word_embeddings"] = tied;
      if (type == "llama") j["attention_bias"] = true, j["mlp_bias"] = true;
      const ModelConfig c = ModelConfig::from_hf_json(j);
      // Built on the meta device: shapes only, no memory.
      const ttrl::model::Transformer model(c, torch::TensorOptions().device(torch::kMeta));
      double numel = 0;
      for (const auto& p : model->parameters()) numel += static_cast<double>(p.numel());
      EXPECT_EQ(c.parameter_count(), numel) << type << (tied ? " tied" : "");
    }
  }
}

TEST(ModelConfig, AbsurdLayerCountsAreRejectedBeforeAnythingIsSizedByThem) {
  json j = base("qwen2");
  j["num_hidden_layers"] = 1000000000;
  const std::string msg = error_of(j);
  EXPECT_NE(msg.find("dir/config.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("num_hidden_layers"), std::string::npos) << msg;
  EXPECT_NE(msg.find("at most 65536"), std::string::npos) << msg;
}

TEST(ModelConfig, WeightsBeyondMemoryAreAnErrorNamingTheSizesAndTheirOrigin) {
  json j = base("qwen2");
  j["vocab_size"] = int64_t{1} << 40;  // 2^40 x 64 float32: 256 TiB of embeddings
  const ModelConfig c = ModelConfig::from_hf_json(j, "dir/config.json");
  try {
    ttrl::model::Transformer model(c, torch::TensorOptions().dtype(torch::kFloat32));
    FAIL() << "a 512-TiB model was allocated";
  } catch (const ttrl::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("vocab_size 1099511627776"), std::string::npos) << msg;
    EXPECT_NE(msg.find("TiB"), std::string::npos) << msg;
    EXPECT_NE(msg.find("set by dir/config.json"), std::string::npos) << msg;
  }
}
