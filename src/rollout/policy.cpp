#include "ttrl/rollout/policy.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <set>

#include "ttrl/core/error.hpp"
#include "ttrl/model/checkpoint.hpp"
#include "ttrl/rollout/prompt_encoding.hpp"

namespace ttrl::rollout {
namespace fs = std::filesystem;

std::vector<int64_t> Policy::stop_token_ids() const {
  std::set<int64_t> ids(model->config().eos_token_ids.begin(), model->config().eos_token_ids.end());
  if (tokenizer) ids.insert(tokenizer->special_tokens().eos_ids.begin(), tokenizer->special_tokens().eos_ids.end());
  return {ids.begin(), ids.end()};
}

std::string Policy::tokenizer_files_dir() const {
  if (tokenizer_path.empty() || tokenizer_path == "byte") return "";
  const fs::path path(tokenizer_path);
  return fs::is_directory(path) ? path.string() : path.parent_path().string();
}

Policy load_policy(const RunConfig& config) {
  if (config.model.num_threads > 0) torch::set_num_threads(static_cast<int>(config.model.num_threads));
  Policy policy;
  policy.tokenizer_path = !config.tokenizer.path.empty() ? config.tokenizer.path : config.model.path;
  if (policy.tokenizer_path.empty())
    throw ConfigError("tokenizer.path: no tokenizer: set tokenizer.path (a file, a directory or \"byte\") or model.path");
  policy.tokenizer = load_tokenizer(policy.tokenizer_path);

  const torch::Device device = model::to_torch_device(parse_device(config.model.device));
  const torch::Dtype dtype = model::to_torch_dtype(parse_dtype(config.model.dtype), device);
  model::TransformerOptions options;
  options.gradient_checkpointing = config.model.gradient_checkpointing;
  if (!config.model.path.empty()) {
    model::LoadOptions load;
    load.dtype = dtype;
    load.device = device;
    load.transformer = options;
    policy.model = model::load_pretrained(config.model.path, load);
  } else if (config.model.random_init) {
    const int64_t vocab = config.model.random.vocab_size > 0 ? config.model.random.vocab_size : policy.tokenizer->vocab_size();
    if (vocab < policy.tokenizer->vocab_size())  // checked before the model is built
      throw ConfigError(fmt::format("model.random.vocab_size = {} is smaller than the vocabulary of tokenizer '{}' ({} "
                                    "ids): set it to at least {}, or to 0 for the tokenizer's size",
                                    vocab, policy.tokenizer_path, policy.tokenizer->vocab_size(),
                                    policy.tokenizer->vocab_size()));
    auto model_config = model::ModelConfig::from_random_section(config.model.random, vocab);
    if (policy.tokenizer->special_tokens().eos) model_config.eos_token_ids = {*policy.tokenizer->special_tokens().eos};
    policy.model = model::random_init(model_config, static_cast<uint64_t>(config.model.random.seed), dtype, device, options);
  } else {
    throw ConfigError("model.path: no model: set model.path to a checkpoint directory, or model.random_init: true");
  }
  if (policy.model->config().vocab_size < policy.tokenizer->vocab_size())
    throw ConfigError(fmt::format("{}: vocab_size = {} is smaller than the vocabulary of tokenizer '{}' ({} ids)",
                                  policy.model->config().origin, policy.model->config().vocab_size,
                                  policy.tokenizer_path, policy.tokenizer->vocab_size()));
  spdlog::info("policy: {} ({} layers, hidden {}, vocab {}) on {} in {}", policy.model->config().model_type,
               policy.model->config().num_hidden_layers, policy.model->config().hidden_size,
               policy.model->config().vocab_size, device.str(), model::dtype_name(dtype));
  return policy;
}

std::vector<int64_t> encode_question(const Policy& policy, const RunConfig& config, const std::string& question) {
  auto ids = encode_prompt(*policy.tokenizer, question, config.tokenizer.chat_template, policy.tokenizer_path,
                           config.tokenizer.system_prompt, config.tokenizer.custom_template);
  if (static_cast<int64_t>(ids.size()) > config.data.max_prompt_tokens)
    throw Error(fmt::format("a prompt of {} tokens exceeds data.max_prompt_tokens = {}: \"{}...\"", ids.size(),
                            config.data.max_prompt_tokens, question.substr(0, 60)));
  return ids;
}

}  // namespace ttrl::rollout
