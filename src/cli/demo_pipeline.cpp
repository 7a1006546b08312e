#include "cli/demo_pipeline.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/ranges.h>

#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/core/jsonl.hpp"
#include "ttrl/core/nearest_name.hpp"
#include "ttrl/core/output_guard.hpp"
#include "ttrl/data/dataset.hpp"
#include "ttrl/model/checkpoint.hpp"
#include "ttrl/rollout/policy.hpp"
#include "ttrl/metrics/metric_sinks.hpp"
#include "ttrl/train/sft.hpp"
#include "ttrl/train/trainer.hpp"

namespace ttrl::cli::demo {
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

/// Seeds of the demo's random streams, all derived from --seed so that one number reproduces a whole run.
uint64_t derived_seed(uint64_t seed, uint64_t stream) { return seed * 1000 + stream; }

/// Settings every demo model shares: the architecture, the byte tokenizer with a "question, newline" prompt, CPU,
/// float32, one intra-op thread (the tensors are so small that more threads only add synchronisation; on a shared
/// 2-core machine two OpenMP threads made sampling ten times slower).
RunConfig shared_config(const DemoScale& s, uint64_t seed, bool progress_bar) {
  RunConfig c;
  c.model.device = "cpu";
  c.model.dtype = "float32";
  c.model.num_threads = 1;
  c.model.random.model_type = "qwen2";
  c.model.random.hidden_size = s.hidden_size;
  c.model.random.num_layers = s.num_layers;
  c.model.random.num_heads = s.num_heads;
  c.model.random.num_kv_heads = s.num_kv_heads;
  c.model.random.intermediate_size = s.intermediate_size;
  c.model.random.max_position_embeddings = 256;
  c.model.random.seed = static_cast<int64_t>(derived_seed(seed, 1));
  c.tokenizer.path = "byte";
  c.tokenizer.chat_template = "custom";
  c.tokenizer.custom_template = "{question}\n";
  c.logging.progress_bar = progress_bar;
  c.logging.tensorboard = false;
  c.eval.k = s.eval_k;
  c.eval.temperature = s.eval_temperature;
  c.eval.top_p = s.eval_top_p;
  c.eval.max_new_tokens = s.max_new_tokens;
  c.eval.seed = static_cast<int64_t>(derived_seed(seed, 2));
  return c;
}

/// The configuration of one test-time run from the base checkpoint on the test questions; `overrides` last.
RunConfig method_config(const DemoScale& s, const DemoOptions& o, const Method& m, const std::string& base_model,
                        const std::string& test_file) {
  RunConfig c = shared_config(s, o.seed, o.progress_bar);
  c.model.path = base_model;
  c.data.train_files = {test_file};
  c.rollout.n_vote = s.n_vote;
  c.rollout.n_train = s.n_train;
  c.rollout.temperature = s.rl_temperature;
  c.rollout.max_new_tokens = s.max_new_tokens;
  c.rollout.seed = static_cast<int64_t>(derived_seed(o.seed, 3));
  c.reward.name = m.reward;
  c.reward.task = "math";
  // One optimizer step per training step, all its sequences in one forward pass: at this size a CPU is fastest
  // with few large batches. No KL term (kl_coef 0, but for REINFORCE++'s KL reward), so no reference copy.
  c.algorithm.adv_estimator = m.estimator;
  c.algorithm.kl_coef = m.kl_coef;
  c.algorithm.mini_batch_prompts = s.prompts_per_step;
  c.algorithm.micro_batch_size = s.prompts_per_step * s.n_train;
  c.trainer.output_dir = (fs::path(o.output_dir) / m.key).string();
  c.trainer.total_steps = s.rl_steps;
  c.trainer.prompts_per_step = s.prompts_per_step;
  c.trainer.lr = s.rl_lr;
  c.trainer.lr_schedule = "constant";
  c.trainer.warmup_ratio = 0.0;
  c.trainer.eval_every = s.eval_every;
  c.trainer.seed = static_cast<int64_t>(derived_seed(o.seed, 4));
  std::vector<std::string> overrides = m.settings;
  overrides.insert(overrides.end(), o.overrides.begin(), o.overrides.end());
  return parse_config(to_yaml(c), "demo (" + m.key + ")", overrides);
}

/// Means over the training steps of a run's metrics.jsonl (steps > 0).
RunStats run_stats(const std::string& metrics_file, const Method& m) {
  std::map<std::string, std::pair<double, int64_t>> sums;
  std::ifstream in(metrics_file);
  read_jsonl(in, metrics_file, [&](const nlohmann::json& line, const JsonlLine&) {
    if (line.value("step", int64_t{0}) <= 0) return;
    for (const char* key : {"ttrl/label_accuracy", "ttrl/reward_accuracy", "response_length/mean"})
      if (line.contains(key) && line[key].is_number()) {
        sums[key].first += line[key].get<double>();
        sums[key].second += 1;
      }
  });
  auto mean = [&](const char* key) -> std::optional<double> {
    auto it = sums.find(key);
    if (it == sums.end() || it->second.second == 0) return std::nullopt;
    return it->second.first / static_cast<double>(it->second.second);
  };
  RunStats stats;
  if (m.judges_answers) {
    stats.label_accuracy = mean("ttrl/label_accuracy");
    stats.reward_accuracy = mean("ttrl/reward_accuracy");
  }
  stats.response_length = mean("response_length/mean").value_or(0.0);
  return stats;
}

eval::EvalSettings eval_settings(const RunConfig& config) {
  eval::EvalSettings e = eval::settings_from_config(config);
  e.task = "math";
  e.progress_bar = false;
  return e;
}

/// Evaluates `policy` on the test file and writes the per-problem details to `json_path`.
eval::DatasetResult evaluate_to(rollout::Policy& policy, const RunConfig& config, const std::string& test_file,
                                const std::string& json_path, const std::string& model_name) {
  const auto settings = eval_settings(config);
  auto result = eval::evaluate_dataset(policy, config, test_file, settings);
  write_file_atomic(json_path, eval::to_json({result}, settings, model_name).dump(2) + "\n");
  return result;
}

struct TaskFiles {
  std::string sft, test;
};

TaskFiles write_task_files(const DemoScale& s, uint64_t seed, const fs::path& dir) {
  const auto split = data::make_toy_split(s.sft_problems, s.test_problems, derived_seed(seed, 0), s.task);
  TaskFiles files{(dir / "sft.jsonl").string(), (dir / "test.jsonl").string()};
  write_file_atomic(files.sft, data::toy_problems_jsonl(split.train));
  write_file_atomic(files.test, data::toy_problems_jsonl(split.test));
  spdlog::info("task: {} supervised problems, {} held-out test problems, e.g. \"{}\" -> \"{}\"", split.train.size(),
               split.test.size(), split.test.front().question, split.test.front().solution);
  return files;
}

/// SFT of a random model on the supervised problems; returns the checkpoint directory.
std::string train_base_model(const DemoScale& s, const DemoOptions& o, const std::string& sft_file, const fs::path& dir) {
  RunConfig config = shared_config(s, o.seed, o.progress_bar);
  config.model.random_init = true;
  auto policy = rollout::load_policy(config);
  const auto examples = train::make_sft_examples(policy, config, data::load_dataset(sft_file));
  train::SftOptions sft;
  sft.steps = s.sft_steps;
  sft.batch_size = s.sft_batch;
  sft.lr = s.sft_lr;
  sft.seed = derived_seed(o.seed, 5);
  sft.progress_bar = o.progress_bar;
  metrics::JsonlMetricSink sink((dir / "sft_metrics.jsonl").string(), /*append=*/false);
  const auto result = train::run_sft(policy, examples, sft, [&sink](int64_t step, const std::map<std::string, double>& m) {
    sink.write({step, m});
  });
  sink.flush();
  const std::string model_dir = (dir / "model").string();
  model::save_pretrained(*policy.model, model_dir);
  spdlog::info("sft: {} steps, loss {:.3f} -> {:.3f}; base model {}", result.steps, result.losses.front(),
               result.losses.back(), model_dir);
  return model_dir;
}

std::map<std::string, double> curve_point(const eval::Summary& s, int64_t k) {
  return {{fmt::format("avg@{}", k), s.avg_at_k}, {fmt::format("maj@{}", k), s.maj_at_k},
          {fmt::format("pass@{}", k), s.pass_at_k}};
}

/// One test-time run; returns the evaluation after its last step.
eval::Summary run_method(const Method& m, const DemoScale& s, const DemoOptions& o, const std::string& base_model,
                         const std::string& test_file, const eval::Summary& base, DemoResult& out) {
  const RunConfig config = method_config(s, o, m, base_model, test_file);
  spdlog::info("{}: {} steps of test-time training on the {} test questions, reward {}{}", m.key,
               config.trainer.total_steps, s.test_problems, m.reward, m.uses_labels ? " (uses the true answers)" : " (no labels)");
  std::optional<eval::DatasetResult> last;
  train::TrainOptions options;
  options.overwrite = o.overwrite;
  options.evaluate = [&](rollout::Policy& policy, int64_t step) {
    // Step 0 is the base checkpoint under the same sampling seed: its evaluation is the base's, already known.
    if (step == 0) return curve_point(base, config.eval.k);
    last = eval::evaluate_dataset(policy, config, test_file, eval_settings(config));
    return curve_point(last->summary, config.eval.k);
  };
  const auto result = train::run_training(config, options);
  if (!last) {  // eval_every 0 (an override): evaluate the final weights once
    auto policy_config = config;
    policy_config.model.path = result.final_checkpoint;
    auto policy = rollout::load_policy(policy_config);
    last = eval::evaluate_dataset(policy, config, test_file, eval_settings(config));
  }
  write_file_atomic((fs::path(config.trainer.output_dir) / "eval.json").string(),
                    eval::to_json({*last}, eval_settings(config), result.final_checkpoint).dump(2) + "\n");
  out.metrics_files[m.key] = (fs::path(config.trainer.output_dir) / config.logging.metrics_file).string();
  out.stats[m.key] = run_stats(out.metrics_files[m.key], m);
  spdlog::info("{}: avg@{} {:.1f}, maj@{} {:.1f} (base {:.1f}, {:.1f})", m.key, config.eval.k, last->summary.avg_at_k,
               config.eval.k, last->summary.maj_at_k, base.avg_at_k, base.maj_at_k);
  return last->summary;
}

}  // namespace

DemoScale demo_scale(const std::string& mode) {
  DemoScale s;  // the defaults are the quick mode
  s.mode = mode;
  if (mode == "quick") return s;
  if (mode == "full") {
    // Twice the test questions (finer-grained accuracies), a longer warm start (a base closer to the noisy data
    // it imitates) and more test-time steps.
    s.test_problems = 128;
    s.sft_steps = 1500;
    s.prompts_per_step = 16;
    s.rl_steps = 96;
    s.eval_every = 16;
    return s;
  }
  if (mode == "tiny") {
    s.sft_problems = 64;
    s.test_problems = 4;
    s.sft_steps = 4;
    s.sft_batch = 8;
    s.rl_steps = 2;
    s.prompts_per_step = 2;
    s.n_vote = 4;
    s.n_train = 2;
    s.eval_every = 1;
    s.max_new_tokens = 16;
    return s;
  }
  throw ConfigError("demo: unknown mode '" + mode + "' (tiny, quick or full)");
}

namespace {

Method method(std::string key, std::string name, std::string reward, bool uses_labels, std::string estimator = "grpo",
              double kl_coef = 0.0, std::vector<std::string> settings = {}, bool judges_answers = true) {
  return {std::move(key), std::move(name), std::move(reward), uses_labels, std::move(estimator), kl_coef,
          std::move(settings), judges_answers};
}

}  // namespace

const std::vector<Method>& demo_methods() {
  static const std::vector<Method> methods = {
      method("ttrl", "TTRL", "majority_vote", false),
      method("dare", "DARE", "dare", false),
      method("grpo_gt", "GT-GRPO", "ground_truth", true),
  };
  return methods;
}

const std::vector<Method>& comparison_methods() {
  // REINFORCE++ keeps its KL reward (verl's default estimator "kl", k1, and kl_coef 0.001).
  static const std::vector<Method> methods = {
      method("ttrl", "TTRL", "majority_vote", false),
      method("dare", "DARE", "dare", false),
      method("srt", "SRT (soft)", "soft_majority", false),
      method("empo", "EMPO", "empo", false),
      method("intuitor", "INTUITOR", "self_certainty", false, "grpo", 0.0, {}, /*judges_answers=*/false),
      method("rent", "RENT", "entropy", false, "grpo", 0.0, {}, /*judges_answers=*/false),
      method("co_reward", "Co-rewarding-I", "co_reward", false),
      method("rlpr", "RLPR (majority label)", "rlpr", false, "grpo", 0.0, {"reward.label=majority"}),
      method("grpo_gt", "GT-GRPO", "ground_truth", true),
      method("rlpr_gt", "RLPR", "rlpr", true, "grpo", 0.0, {"reward.label=gold"}),
      method("reinforce_pp_gt", "GT-REINFORCE++", "ground_truth", true, "reinforce_pp", 0.001, {"algorithm.kl_estimator=k1"}),
      method("rloo_gt", "GT-RLOO", "ground_truth", true, "rloo"),
  };
  return methods;
}

std::vector<Method> methods_from_list(const std::string& list) {
  const auto& known = comparison_methods();
  if (list == "all") return known;
  std::vector<std::string> keys, names;
  for (const auto& m : known) names.push_back(m.key);
  std::stringstream items(list);
  for (std::string key; std::getline(items, key, ',');) {
    if (key.empty()) continue;
    if (std::find(names.begin(), names.end(), key) == names.end())
      throw ConfigError(fmt::format("--rewards: unknown method '{}' (did you mean '{}'? known: all, {})", key,
                                    nearest_name(key, names), fmt::join(names, ", ")));
    keys.push_back(key);
  }
  if (keys.empty()) throw ConfigError("--rewards: no method given (all, or keys separated by commas)");
  std::vector<Method> methods;
  for (const auto& m : known)
    if (std::find(keys.begin(), keys.end(), m.key) != keys.end()) methods.push_back(m);
  return methods;
}

DemoResult run_demo(const DemoOptions& o, const DemoScale& s) {
  const fs::path dir(o.output_dir);
  claim_output_dir(o.output_dir, {"demo", "--output", o.overwrite, nullptr});
  DemoResult out;
  out.k = s.eval_k;
  out.machine = model::cpu_code_paths();
  spdlog::info("cpu: {}; kernels: ATen {}, MKL_CBWR={}, ONEDNN_MAX_CPU_ISA={}; 1 thread", out.machine.cpu_model,
               out.machine.aten_capability, out.machine.mkl_cbwr.empty() ? "unset" : out.machine.mkl_cbwr,
               out.machine.onednn_max_isa.empty() ? "unset" : out.machine.onednn_max_isa);
  auto start = Clock::now();
  const TaskFiles files = write_task_files(s, o.seed, dir / "data");
  out.test_file = files.test;

  out.base_checkpoint = train_base_model(s, o, files.sft, dir / "base");
  out.seconds["sft"] = seconds_since(start);

  start = Clock::now();
  RunConfig base_config = shared_config(s, o.seed, o.progress_bar);
  base_config.model.path = out.base_checkpoint;
  {
    auto policy = rollout::load_policy(base_config);
    out.base = evaluate_to(policy, base_config, files.test, (dir / "base" / "eval.json").string(), out.base_checkpoint).summary;
  }
  out.seconds["eval_base"] = seconds_since(start);
  spdlog::info("base: avg@{} {:.1f}, maj@{} {:.1f}, pass@{} {:.1f}", s.eval_k, out.base.avg_at_k, s.eval_k,
               out.base.maj_at_k, s.eval_k, out.base.pass_at_k);

  out.run_methods = o.methods;
  for (const auto& m : o.methods) {
    start = Clock::now();
    out.methods[m.key] = run_method(m, s, o, out.base_checkpoint, files.test, out.base, out);
    out.seconds[m.key] = seconds_since(start);
  }
  return out;
}

}  // namespace ttrl::cli::demo
