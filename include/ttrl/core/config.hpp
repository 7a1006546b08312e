#pragma once
// The run configuration: one YAML file with sections model, tokenizer, data, rollout, reward, algorithm, trainer,
// eval, logging. Every key has a default (see `ttrl config` or configs/defaults.yaml, generated from the schema in
// src/core/config_schema.cpp); `--set a.b.c=value` overrides any key, typed like a YAML value.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ttrl {

/// Architecture of a randomly initialised model (tests, demo); used when model.path is empty and model.random_init.
struct RandomModelSection {
  std::string model_type = "qwen2";
  int64_t hidden_size = 64;
  int64_t num_layers = 2;
  int64_t num_heads = 4;
  int64_t num_kv_heads = 2;
  int64_t intermediate_size = 128;
  int64_t vocab_size = 0;  ///< 0: the tokenizer's vocabulary size
  int64_t max_position_embeddings = 2048;
  int64_t seed = 0;
};

struct ModelSection {
  std::string path;               ///< Hugging Face checkpoint directory
  bool random_init = false;       ///< build a random model from model.random instead of loading model.path
  std::string dtype = "auto";     ///< auto (bfloat16 on CUDA, float32 on CPU) | float32 | bfloat16 | float16
  std::string device = "auto";    ///< auto (cuda when available) | cpu | cuda | cuda:N
  bool gradient_checkpointing = false;
  int64_t num_threads = 0;        ///< CPU intra-op threads; 0: all cores
  RandomModelSection random;
};

struct TokenizerSection {
  std::string path;                     ///< tokenizer.json / tokenizer.model / directory; empty: model.path; "byte": built-in
  std::string chat_template = "auto";   ///< auto | qwen2.5 | qwen2.5-math | chatml | llama3 | llama3.1 | deepseek-r1 | deepseek-math | mistral | mistral-nemo | plain | custom
  std::string custom_template = "{question}";  ///< used when chat_template is custom
  std::string system_prompt = "auto";   ///< auto: the template's own default; "" for none
};

struct DataSection {
  std::vector<std::string> train_files;  ///< TTRL JSON list or JSONL
  std::string prompt_key = "prompt";
  std::string answer_key = "answer";      ///< optional field: never used for training rewards except ground_truth
  std::string paraphrase_key = "paraphrase";  ///< co_reward: the field holding each question's paraphrase
  int64_t max_prompt_tokens = 1024;
  bool shuffle = true;
  int64_t limit = 0;                      ///< use the first N records only; 0: all
};

struct RolloutSection {
  int64_t n_vote = 64;                    ///< samples per prompt used for the reward estimate
  int64_t n_train = 32;                   ///< of those, samples used in the policy update
  std::string train_selection = "first";  ///< first (TTRL reference) | random | stratified
  double temperature = 1.0;
  double top_p = 1.0;
  int64_t top_k = 0;                      ///< 0: disabled
  double min_p = 0.0;
  int64_t max_new_tokens = 3072;
  std::vector<std::string> stop;          ///< stop strings, checked on decoded text
  int64_t seed = 1234;
  int64_t max_batch_sequences = 0;        ///< concurrent sequences per decode batch; 0: from memory_budget_mb
  int64_t memory_budget_mb = 0;           ///< KV-cache budget; 0: automatic
};

struct RewardSection {
  std::string name = "majority_vote";     ///< a built-in reward (registry.hpp) or a plugin's name
  std::string plugin;                     ///< path to a shared library that registers `name`
  std::string task = "math";              ///< answer extractor: math | choice | last_number
  double alpha = 0.1;                     ///< dare: weight of the exploration bonus, in [0, 1]
  double tau = 0.05;                      ///< dare: clusters with p(y) < tau are pruned
  double epsilon = 0.01;                  ///< dare: p(y) proportional to n(y) / (u(y) + epsilon)
  bool raw_logits = false;                ///< self_certainty: of the raw logits, not softmax(logits / temperature)
  bool trajectory = false;                ///< entropy: mean token log-prob instead of minus the mean token entropy
  std::string gate = "entropy";           ///< empo: none | entropy | confidence (include/ttrl/reward/empo.hpp)
  std::string label = "gold";             ///< rlpr: the reference answer: gold (the paper) | majority (label-free)
  std::map<std::string, std::string> options;  ///< plugin-specific keys (any other key under reward: when plugin is set)
};

struct AlgorithmSection {
  std::string adv_estimator = "grpo";
  bool norm_adv_by_std = true;            ///< false: Dr.GRPO (mean-centred only)
  double adv_epsilon = 1e-6;
  double clip_ratio_low = 0.2;
  double clip_ratio_high = 0.2;           ///< > clip_ratio_low: DAPO clip-higher
  double clip_ratio_c = 3.0;              ///< dual-clip bound for negative advantages (when dual_clip)
  bool dual_clip = false;
  std::string loss_agg_mode = "token-mean";  ///< token-mean | seq-mean-token-mean | seq-mean-token-sum-norm
  double kl_coef = 0.001;                 ///< 0: no reference model is kept
  std::string kl_estimator = "k3";        ///< k1 | k2 | k3 (low_var_kl)
  double entropy_coef = 0.0;
  int64_t ppo_epochs = 1;
  int64_t mini_batch_prompts = 1;         ///< prompts per optimizer step
  int64_t micro_batch_size = 8;           ///< sequences per forward/backward (gradient accumulation)
};

struct TrainerSection {
  std::string output_dir = "runs/ttrl";
  int64_t total_steps = 0;                ///< 0: derived from epochs
  int64_t epochs = 1;
  int64_t prompts_per_step = 8;
  double lr = 5e-7;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double adam_epsilon = 1e-8;
  double weight_decay = 0.01;
  std::string lr_schedule = "cosine";     ///< cosine | constant
  double warmup_ratio = 0.03;
  double min_lr_ratio = 0.0;
  double grad_clip = 1.0;                 ///< 0: no clipping
  bool fp32_master_weights = true;        ///< 16-bit models: AdamW updates float32 copies of the weights
  int64_t save_every = 0;                 ///< steps between checkpoints; 0: only at the end
  bool save_rollouts = false;             ///< write each step's scored groups to rollouts/step-N.jsonl
  int64_t eval_every = 0;                 ///< steps between evaluations; 0: never during training
  int64_t max_bad_steps = 3;              ///< consecutive NaN/Inf steps before the run stops
  int64_t zero_stage = 1;                 ///< several processes: shard the optimizer state (1) or not (0)
  int64_t dist_timeout_s = 600;           ///< several processes: how long a collective waits for the others
  bool overlap_grad_reduce = true;        ///< several processes: sum gradient buckets while backward runs
  double grad_bucket_mb = 32;             ///< several processes: float32 MiB of gradient per collective
  int64_t seed = 1;
};

struct EvalSection {
  std::vector<std::string> files;
  int64_t k = 16;
  double temperature = 0.6;
  double top_p = 0.95;
  int64_t max_new_tokens = 3072;
  std::string task = "auto";  ///< auto (choice for GPQA files, else math) | math | choice | last_number
  int64_t seed = 0;
  std::string output = "results.json";
};

struct LoggingSection {
  std::string level = "info";
  std::string metrics_file = "metrics.jsonl";
  bool tensorboard = true;
  bool progress_bar = true;
};

struct RunConfig {
  ModelSection model;
  TokenizerSection tokenizer;
  DataSection data;
  RolloutSection rollout;
  RewardSection reward;
  AlgorithmSection algorithm;
  TrainerSection trainer;
  EvalSection eval;
  LoggingSection logging;
};

/// One documented key of the schema (for `ttrl config --keys` and generated docs).
struct ConfigKeyInfo {
  std::string path;      ///< dotted, e.g. "rollout.n_vote"
  std::string type;      ///< int | float | bool | string | list of strings
  std::string default_value;
  std::string constraint;  ///< e.g. "[1, 65536]" or "one of: cosine, constant"; empty if none
  std::string doc;
};

/// Parses a YAML file; applies `overrides` ("a.b.c=value", YAML-typed) on top; validates everything.
/// Throws ConfigError: unreadable file (named), malformed YAML (file:line:col), unknown key (dotted path and the
/// nearest valid key), wrong type or out-of-range value (path and what is expected).
RunConfig load_config(const std::string& path, const std::vector<std::string>& overrides = {});

/// The same from YAML text; `source_name` is used in messages in place of a file name. Empty text = all defaults.
RunConfig parse_config(const std::string& yaml_text, const std::string& source_name,
                       const std::vector<std::string>& overrides = {});

/// The defaults, with `overrides` applied and validated.
RunConfig default_config(const std::vector<std::string>& overrides = {});

/// Every key of the schema with its default and documentation, in schema order.
std::vector<ConfigKeyInfo> config_keys();

/// The fully resolved configuration as YAML (every key); with_docs adds each key's documentation as a comment.
std::string to_yaml(const RunConfig& config, bool with_docs = false);

/// Writes to_yaml(config) to `<dir>/config.resolved.yaml` atomically and returns that path.
std::string write_resolved_config(const RunConfig& config, const std::string& dir);

}  // namespace ttrl
