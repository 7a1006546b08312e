#include "core/config_schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <type_traits>

#include "ttrl/core/error.hpp"
#include "ttrl/core/nearest_name.hpp"
#include "ttrl/core/utf8.hpp"

namespace ttrl::config_detail {
namespace {

std::string format_number(double value) {
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";  // keep floats visibly floats
  return text;
}

}  // namespace

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (ch < 0x20) out += fmt::format("\\x{:02x}", ch);
        else out += static_cast<char>(ch);
    }
  }
  return out + "\"";
}

namespace {

[[noreturn]] void type_error(const std::string& where, const std::string& path, const char* expected,
                             const YAML::Node& node) {
  std::string got = node.IsScalar() ? "'" + node.Scalar() + "'" : node.IsSequence() ? "a list" : node.IsMap() ? "a mapping" : "nothing";
  throw ConfigError(fmt::format("{}: {}: expected {}, got {}", where, path, expected, got));
}

bool is_quoted(const YAML::Node& node) { return node.Tag() == "!"; }

int64_t to_int(const YAML::Node& node, const std::string& path, const std::string& where) {
  if (!node.IsScalar() || is_quoted(node)) type_error(where, path, "an integer", node);
  const std::string& s = node.Scalar();
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno == ERANGE) type_error(where, path, "an integer", node);
  return v;
}

double to_float(const YAML::Node& node, const std::string& path, const std::string& where) {
  if (!node.IsScalar() || is_quoted(node)) type_error(where, path, "a number", node);
  const std::string& s = node.Scalar();
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || !std::isfinite(v)) type_error(where, path, "a finite number", node);
  return v;
}

bool to_bool(const YAML::Node& node, const std::string& path, const std::string& where) {
  if (!node.IsScalar() || is_quoted(node)) type_error(where, path, "true or false", node);
  std::string s = node.Scalar();
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  type_error(where, path, "true or false", node);
}

}  // namespace

std::string utf8_scalar(const YAML::Node& node, const std::string& path, const std::string& where) {
  // The text is checked before parsing, but yaml-cpp decodes the escapes "\N" and "\_" (U+0085, U+00A0) of a
  // double-quoted string to one raw byte each, not to UTF-8: such a value could not be written back and read again.
  const std::string& value = node.Scalar();
  if (!utf8::is_valid(value))
    throw ConfigError(fmt::format("{}: {}: the value is not valid UTF-8 once its escapes are decoded (write the "
                                  "character itself instead of \\N or \\_)", where, path));
  return value;
}

namespace {

std::string to_string_value(const YAML::Node& node, const std::string& path, const std::string& where) {
  if (node.IsNull()) return "";
  if (!node.IsScalar()) type_error(where, path, "a string", node);
  return utf8_scalar(node, path, where);
}

/// A list of strings; a single scalar counts as a one-element list (handy with --set data.train_files=x.json).
std::vector<std::string> to_string_list(const YAML::Node& node, const std::string& path, const std::string& where) {
  std::vector<std::string> out;
  if (node.IsNull()) return out;
  if (node.IsScalar()) return {utf8_scalar(node, path, where)};
  if (!node.IsSequence()) type_error(where, path, "a list of strings", node);
  for (const auto& item : node) {
    if (!item.IsScalar()) type_error(where, path + "[]", "a string", item);
    out.push_back(utf8_scalar(item, path + "[]", where));
  }
  return out;
}

template <class V>
Field& add(std::vector<Field>& fields, const char* path, V& (*ref)(RunConfig&), const char* doc) {
  Field f;
  f.path = path;
  f.doc = doc;
  auto cref = [ref](const RunConfig& c) -> const V& { return ref(const_cast<RunConfig&>(c)); };
  if constexpr (std::is_same_v<V, int64_t>) {
    f.kind = Kind::kInt;
    f.assign = [ref, p = f.path](RunConfig& c, const YAML::Node& n, const std::string& w) { ref(c) = to_int(n, p, w); };
    f.render = [cref](const RunConfig& c) { return std::to_string(cref(c)); };
    f.number = [cref](const RunConfig& c) { return static_cast<double>(cref(c)); };
  } else if constexpr (std::is_same_v<V, double>) {
    f.kind = Kind::kFloat;
    f.assign = [ref, p = f.path](RunConfig& c, const YAML::Node& n, const std::string& w) { ref(c) = to_float(n, p, w); };
    f.render = [cref](const RunConfig& c) { return format_number(cref(c)); };
    f.number = [cref](const RunConfig& c) { return cref(c); };
  } else if constexpr (std::is_same_v<V, bool>) {
    f.kind = Kind::kBool;
    f.assign = [ref, p = f.path](RunConfig& c, const YAML::Node& n, const std::string& w) { ref(c) = to_bool(n, p, w); };
    f.render = [cref](const RunConfig& c) { return std::string(cref(c) ? "true" : "false"); };
  } else if constexpr (std::is_same_v<V, std::string>) {
    f.kind = Kind::kString;
    f.assign = [ref, p = f.path](RunConfig& c, const YAML::Node& n, const std::string& w) { ref(c) = to_string_value(n, p, w); };
    f.render = [cref](const RunConfig& c) { return quote(cref(c)); };
    f.text = [cref](const RunConfig& c) { return cref(c); };
  } else {
    static_assert(std::is_same_v<V, std::vector<std::string>>, "unsupported config field type");
    f.kind = Kind::kStringList;
    f.assign = [ref, p = f.path](RunConfig& c, const YAML::Node& n, const std::string& w) { ref(c) = to_string_list(n, p, w); };
    f.render = [cref](const RunConfig& c) {
      std::string out = "[";
      for (size_t i = 0; i < cref(c).size(); ++i) out += (i ? ", " : "") + quote(cref(c)[i]);
      return out + "]";
    };
  }
  fields.push_back(std::move(f));
  return fields.back();
}

// KEY(model.path, "doc") registers RunConfig::model.path under the dotted key "model.path".
#define KEY(member, doc)                                                                          \
  add<std::decay_t<decltype(std::declval<RunConfig&>().member)>>(                                 \
      fields, #member, +[](RunConfig& c) -> std::decay_t<decltype(c.member)>& { return c.member; }, doc)

std::vector<Field> build_schema() {
  std::vector<Field> fields;
  fields.reserve(128);
  // model
  KEY(model.path, "Hugging Face checkpoint directory (config.json + *.safetensors)");
  KEY(model.random_init, "build a randomly initialised model from model.random instead of loading model.path");
  KEY(model.dtype, "weights/activations dtype; auto = bfloat16 on CUDA, float32 on CPU").one_of({"auto", "float32", "fp32", "bfloat16", "bf16", "float16", "fp16"});
  KEY(model.device, "auto (cuda when visible, else cpu) | cpu | cuda | cuda:N");
  KEY(model.gradient_checkpointing, "recompute layer activations in backward to save memory");
  KEY(model.num_threads, "CPU intra-op threads; 0 = all cores").range(0, 1024);
  KEY(model.random.model_type, "architecture family of the random model").one_of({"qwen2", "qwen3", "llama", "mistral"});
  KEY(model.random.hidden_size, "hidden size of the random model").range(8, 65536);
  KEY(model.random.num_layers, "decoder layers of the random model").range(1, 512);
  KEY(model.random.num_heads, "attention heads of the random model").range(1, 1024);
  KEY(model.random.num_kv_heads, "key/value heads (GQA) of the random model").range(1, 1024);
  KEY(model.random.intermediate_size, "MLP width of the random model").range(1, 1 << 20);
  KEY(model.random.vocab_size, "vocabulary of the random model; 0 = the tokenizer's").range(0, 1 << 22);
  KEY(model.random.max_position_embeddings, "context length of the random model").range(16, 1 << 22);
  KEY(model.random.seed, "seed of the random initialisation").at_least(0);
  // tokenizer
  KEY(tokenizer.path, "tokenizer.json, tokenizer.model or a directory holding one; empty = model.path; \"byte\" = built-in byte tokenizer");
  KEY(tokenizer.chat_template, "prompt format; auto = detected from tokenizer_config.json")
      .one_of({"auto", "qwen2.5", "qwen2.5-math", "chatml", "llama3", "llama3.1", "deepseek-r1", "deepseek-math", "mistral",
               "mistral-nemo", "plain", "custom"});
  KEY(tokenizer.custom_template, "template used when chat_template is custom; {question} is replaced by the prompt");
  KEY(tokenizer.system_prompt, "system prompt; \"auto\" = the template's own default, \"\" = none");
  // data
  KEY(data.train_files, "prompts to train on: TTRL JSON lists or JSONL files");
  KEY(data.prompt_key, "record field holding the question");
  KEY(data.answer_key, "record field holding the gold answer (optional; only for metrics and ground_truth)");
  KEY(data.paraphrase_key, "co_reward: record field holding the question's paraphrase (required then)");
  KEY(data.max_prompt_tokens, "prompts longer than this (after templating) are an error").range(1, 1 << 22);
  KEY(data.shuffle, "shuffle prompts each epoch (seeded by trainer.seed)");
  KEY(data.limit, "use only the first N records; 0 = all").at_least(0);
  // rollout
  KEY(rollout.n_vote, "samples per prompt used to estimate the reward (TTRL: 64)").range(1, 65536);
  KEY(rollout.n_train, "samples per prompt used in the policy update (TTRL: 32); <= n_vote").range(1, 65536);
  KEY(rollout.train_selection, "which n_train of the n_vote samples are trained on").one_of({"first", "random", "stratified"});
  KEY(rollout.temperature, "sampling temperature; 0 = greedy").range(0, 100);
  KEY(rollout.top_p, "nucleus sampling mass; 1 = off").range_open_low(0, 1);
  KEY(rollout.top_k, "keep the k most likely tokens; 0 = off").range(0, 1 << 22);
  KEY(rollout.min_p, "drop tokens below min_p times the top probability; 0 = off").range(0, 1);
  KEY(rollout.max_new_tokens, "response length limit in tokens").range(1, 1 << 20);
  KEY(rollout.stop, "stop strings, matched on decoded text");
  KEY(rollout.seed, "sampling seed; same seed, same samples whatever the batch split").at_least(0);
  KEY(rollout.max_batch_sequences, "sequences decoded together; 0 = from memory_budget_mb").range(0, 1 << 20);
  KEY(rollout.memory_budget_mb, "sampling memory budget in MiB (KV cache and buffers); 0 = 1 GiB on CPU, 40% of free GPU memory").range(0, 1 << 24);
  // reward
  KEY(reward.name, "reward function: majority_vote | dare | soft_majority | empo | self_certainty | entropy | "
                   "co_reward | rlpr | ground_truth | a plugin's or register_reward's name");
  KEY(reward.plugin, "shared library that registers reward.name; other keys under reward: are passed to it");
  KEY(reward.task, "answer extractor").one_of({"math", "choice", "last_number"});
  KEY(reward.alpha, "dare: weight of the exploration bonus (1 - n/M)(1 - u)").range(0, 1);
  KEY(reward.tau, "dare: clusters with p(y) < tau are pruned (their rollouts get 0)").range(0, 1);
  KEY(reward.epsilon, "dare: p(y) proportional to n(y) / (u(y) + epsilon), u normalised by ln(V)").range_open_low(0, 1);
  KEY(reward.raw_logits, "self_certainty: KL(uniform || softmax(logits)) of the raw logits (TRL INTUITOR), not of "
                         "softmax(logits / temperature) (verl INTUITOR, the default)");
  KEY(reward.trajectory, "entropy: reward the mean token log-prob (EM-RL trajectory) instead of minus the mean token "
                         "entropy (RENT, EM-RL token)");
  KEY(reward.gate, "empo: none | entropy (all 0 when the answer-class entropy reaches ln G) | confidence (all 0 when "
                   "the largest class holds under 25% of the group)").one_of({"none", "entropy", "confidence"});
  KEY(reward.label, "rlpr: the reference answer whose probability is the reward: gold (the data's answer, as in the "
                    "paper) | majority (the group's majority answer: the label-free adaptation)").one_of({"gold", "majority"});
  // algorithm
  KEY(algorithm.adv_estimator, "advantage estimator (formulas: include/ttrl/train/advantages.hpp)")
      .one_of({"grpo", "rloo", "reinforce", "reinforce_pp", "reinforce_pp_baseline"});
  KEY(algorithm.norm_adv_by_std, "divide group-centred rewards by the group std (false = Dr.GRPO)");
  KEY(algorithm.adv_epsilon, "added to the group std").range_open_low(0, 1);
  KEY(algorithm.clip_ratio_low, "PPO clip: ratio >= 1 - clip_ratio_low").range(0, 1);
  KEY(algorithm.clip_ratio_high, "PPO clip: ratio <= 1 + clip_ratio_high (DAPO clip-higher when larger than low)").range(0, 10);
  KEY(algorithm.clip_ratio_c, "dual-clip bound for negative advantages").range_open_low(1, 100);
  KEY(algorithm.dual_clip, "enable dual clip (Ye et al. 2020)");
  KEY(algorithm.loss_agg_mode, "how token losses are averaged").one_of({"token-mean", "seq-mean-token-mean", "seq-mean-token-sum-norm"});
  KEY(algorithm.kl_coef, "KL-to-reference loss coefficient (TTRL: 0.001); 0 = no reference model").range(0, 100);
  KEY(algorithm.kl_estimator, "KL estimator: k1 (log ratio), k2 (squared), k3 (low-variance, verl low_var_kl)").one_of({"k1", "k2", "k3"});
  KEY(algorithm.entropy_coef, "entropy bonus coefficient").range(-10, 10);
  KEY(algorithm.ppo_epochs, "passes over each step's rollouts").range(1, 1000);
  KEY(algorithm.mini_batch_prompts, "prompts per optimizer step within a training step").range(1, 1 << 20);
  KEY(algorithm.micro_batch_size, "sequences per forward/backward (gradient accumulation)").range(1, 1 << 20);
  // trainer
  KEY(trainer.output_dir, "checkpoints, metrics and the resolved config go here");
  KEY(trainer.total_steps, "training steps; 0 = epochs x ceil(prompts / prompts_per_step)").at_least(0);
  KEY(trainer.epochs, "passes over the prompts when total_steps is 0").range(1, 1 << 20);
  KEY(trainer.prompts_per_step, "prompts sampled per training step (TTRL: 8)").range(1, 1 << 20);
  KEY(trainer.lr, "peak learning rate (TTRL: 5e-7)").range(0, 1);
  KEY(trainer.beta1, "AdamW beta1").range(0, 1);
  KEY(trainer.beta2, "AdamW beta2").range(0, 1);
  KEY(trainer.adam_epsilon, "AdamW epsilon").range_open_low(0, 1);
  KEY(trainer.weight_decay, "AdamW decoupled weight decay").range(0, 10);
  KEY(trainer.lr_schedule, "learning-rate schedule after warmup").one_of({"cosine", "constant"});
  KEY(trainer.warmup_ratio, "share of steps with linear warmup (TTRL: 0.03)").range(0, 1);
  KEY(trainer.min_lr_ratio, "cosine floor as a share of the peak lr").range(0, 1);
  KEY(trainer.grad_clip, "global gradient-norm clip; 0 = off").range(0, 1e6);
  KEY(trainer.fp32_master_weights, "bf16/fp16 models: AdamW updates float32 master weights (state in float32), then rounds");
  KEY(trainer.save_every, "steps between checkpoints; 0 = only at the end").at_least(0);
  KEY(trainer.save_rollouts, "write each step's groups, per-token statistics and rewards to "
                              "rollouts/step-N.jsonl (`ttrl reward` input)");
  KEY(trainer.eval_every, "steps between evaluations on eval.files; 0 = never during training").at_least(0);
  KEY(trainer.max_bad_steps, "consecutive NaN/Inf steps tolerated before stopping with a checkpoint").range(1, 1000);
  KEY(trainer.zero_stage, "several processes: 1 = each keeps the float32 masters and AdamW moments of 1/N of the "
                          "parameters (ZeRO stage 1: reduce-scatter, update, all-gather); 0 = every process keeps "
                          "all of them").range(0, 1);
  KEY(trainer.dist_timeout_s, "several processes (torchrun, srun): seconds a collective or the rendezvous may wait for "
                              "the other processes before the run stops with an error").range(1, 86400);
  KEY(trainer.overlap_grad_reduce, "several processes: start each gradient bucket's all-reduce (zero_stage 0) or "
                                   "reduce-scatter (1) during the last micro-batch's backward, as soon as its "
                                   "gradients are final, instead of after it (the sums are the same)");
  KEY(trainer.grad_bucket_mb, "several processes: gradient elements summed by one collective, in MiB of float32 "
                              "(32 = 8,388,608 elements, as large as one layer or a few); the ZeRO shards are cut by "
                              "these buckets, so resuming sharded state needs the value it was saved with")
      .range_open_low(0, 4096);
  KEY(trainer.seed, "seed of data order and selection").at_least(0);
  // eval
  KEY(eval.files, "benchmark files (TTRL JSON lists or JSONL)");
  KEY(eval.k, "samples per problem (avg@k, maj@k, pass@k)").range(1, 65536);
  KEY(eval.temperature, "sampling temperature for evaluation").range(0, 100);
  KEY(eval.top_p, "nucleus sampling mass for evaluation").range_open_low(0, 1);
  KEY(eval.max_new_tokens, "response length limit for evaluation").range(1, 1 << 20);
  KEY(eval.task, "answer extractor for evaluation; auto = choice for GPQA files, math otherwise")
      .one_of({"auto", "math", "choice", "last_number"});
  KEY(eval.seed, "evaluation sampling seed").at_least(0);
  KEY(eval.output, "results file (relative to trainer.output_dir when run from train)");
  // logging
  KEY(logging.level, "log level").one_of({"trace", "debug", "info", "warn", "error", "off"});
  KEY(logging.metrics_file, "per-step metrics, one JSON object per line (relative to trainer.output_dir)");
  KEY(logging.tensorboard, "also write TensorBoard event files");
  KEY(logging.progress_bar, "show a progress bar on stderr");
  return fields;
}
#undef KEY

}  // namespace

std::string Field::constraint() const {
  if (!choices.empty()) {
    std::string out = "one of: ";
    for (size_t i = 0; i < choices.size(); ++i) out += (i ? ", " : "") + choices[i];
    return out;
  }
  auto num = [&](double v) { return kind == Kind::kInt ? fmt::format("{}", static_cast<int64_t>(v)) : fmt::format("{}", v); };
  if (min && max) return fmt::format("{}{}, {}]", min_exclusive ? "(" : "[", num(*min), num(*max));
  if (min) return fmt::format("{} {}", min_exclusive ? ">" : ">=", num(*min));
  return "";
}

const std::vector<Field>& schema() {
  static const std::vector<Field> fields = build_schema();  // immutable after first use
  return fields;
}

const Field* find_field(const std::string& path) {
  for (const auto& f : schema())
    if (f.path == path) return &f;
  return nullptr;
}

std::string nearest_key(const std::string& path) {
  // Compare with the keys and sections at the same depth first ("rolout" -> section "rollout", not "rollout.stop").
  const auto depth = std::count(path.begin(), path.end(), '.');
  std::vector<std::string> same_depth, all;
  for (const auto& f : schema()) {
    for (size_t dot = f.path.find('.'); ; dot = f.path.find('.', dot + 1)) {
      const std::string name = f.path.substr(0, dot);  // every section above the key, then the key itself
      if (std::count(name.begin(), name.end(), '.') == depth &&
          std::find(same_depth.begin(), same_depth.end(), name) == same_depth.end())
        same_depth.push_back(name);
      if (dot == std::string::npos) break;
    }
    all.push_back(f.path);
  }
  return nearest_name(path, same_depth.empty() ? all : same_depth);
}

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::kInt: return "int";
    case Kind::kFloat: return "float";
    case Kind::kBool: return "bool";
    case Kind::kString: return "string";
    case Kind::kStringList: return "list of strings";
  }
  return "?";
}

}  // namespace ttrl::config_detail
