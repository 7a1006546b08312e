#pragma once
// Helpers shared by the model tests: tiny architectures and scratch directories.
#include <unistd.h>

#include <filesystem>
#include <string>

#include "ttrl/model/model_config.hpp"

namespace ttrl::model::test_util {

/// A scratch directory under the build tree (per process, so that parallel ctest runs do not collide), created
/// empty and removed when the object goes out of scope.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_((std::filesystem::path(TTRL_BINARY_DIR) / "tests" / "model_scratch" /
               (name + "." + std::to_string(::getpid()))).string()) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// A tiny Qwen3-style model: GQA (4 query heads per kv head), head_dim != hidden / heads, q/k norm.
inline ModelConfig tiny_config(const std::string& model_type = "qwen3") {
  nlohmann::json j = {{"model_type", model_type}, {"vocab_size", 97},       {"hidden_size", 32},
                      {"intermediate_size", 48},  {"num_hidden_layers", 2}, {"num_attention_heads", 4},
                      {"num_key_value_heads", 1}, {"head_dim", 16},         {"max_position_embeddings", 128},
                      {"rms_norm_eps", 1e-6},     {"rope_theta", 10000.0},  {"tie_word_embeddings", false}};
  return ModelConfig::from_hf_json(j, "tiny");
}

}  // namespace ttrl::model::test_util
