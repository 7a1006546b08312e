#include "ttrl/train/trainer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <numeric>

#include <nlohmann/json.hpp>

#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/core/memory.hpp"
#include "ttrl/core/output_guard.hpp"
#include "ttrl/core/progress.hpp"
#include "ttrl/data/dataset.hpp"
#include "ttrl/dist/process_group.hpp"
#include "ttrl/kernels/device_memory.hpp"
#include "ttrl/model/checkpoint.hpp"
#include "ttrl/reward/registry.hpp"
#include "ttrl/reward/reward_jsonl.hpp"
#include "ttrl/reward/selection.hpp"
#include "ttrl/rollout/policy.hpp"
#include "ttrl/rollout/sampler.hpp"
#include "ttrl/rollout/token_sampling.hpp"
#include "ttrl/train/advantages.hpp"
#include "ttrl/train/checkpoint.hpp"
#include "ttrl/train/losses.hpp"
#include "ttrl/metrics/metric_sinks.hpp"
#include "ttrl/train/policy_batch.hpp"
#include "ttrl/train/policy_scorer.hpp"
#include "ttrl/train/policy_update.hpp"

namespace ttrl::train {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

/// What the reward sees of a sampled rollout: its text and every per-token statistic the sampler recorded.
reward::Rollout reward_view(const rollout::Rollout& r) {
  reward::Rollout view;
  view.text = r.text;
  view.num_tokens = static_cast<int64_t>(r.completion_ids.size());
  view.token_ids = r.completion_ids;
  view.token_logprobs = r.logprobs;
  view.token_entropies = r.entropies;
  view.token_self_certainties = r.self_certainties;
  return view;
}

/// A prompt of the training set, tokenized once.
struct Prompt {
  std::string question;
  std::optional<std::string> gold;
  std::vector<int64_t> ids;
  std::string paraphrase;               ///< co_reward: the same question in other words
  std::vector<int64_t> paraphrase_ids;
};

/// One group sampled in a step: a training prompt as written or, with co_reward, its paraphrase.
struct StepGroup {
  std::string question;
  std::optional<std::string> gold;
  std::vector<int64_t> ids;
  int64_t partner = -1;     ///< co_reward: the step group (of this process) holding the same question's other phrasing
  int64_t step_index = 0;   ///< position among all the step's groups (of every process): its sampling stream and selection key
};

/// Training prompts in the order step s consumes them: positions [s * per_step, (s + 1) * per_step) of the
/// concatenation of per-epoch permutations, each a Fisher-Yates shuffle keyed by (seed, epoch).
class PromptOrder {
 public:
  PromptOrder(int64_t count, bool shuffle, uint64_t seed) : count_(count), shuffle_(shuffle), seed_(seed) {}
  std::vector<int64_t> for_step(int64_t step, int64_t per_step) {
    std::vector<int64_t> out;
    for (int64_t i = step * per_step; i < (step + 1) * per_step; ++i) out.push_back(epoch_order(i / count_)[i % count_]);
    return out;
  }

 private:
  const std::vector<int64_t>& epoch_order(int64_t epoch) {
    if (epoch != cached_epoch_) {
      order_.resize(static_cast<size_t>(count_));
      std::iota(order_.begin(), order_.end(), 0);
      const uint64_t key = rollout::sequence_key(seed_, epoch, -1);
      for (int64_t i = count_ - 1; shuffle_ && i > 0; --i) {
        const auto j = static_cast<int64_t>(rollout::stream_uniform(key, i) * static_cast<double>(i + 1));
        std::swap(order_[i], order_[j]);
      }
      cached_epoch_ = epoch;
    }
    return order_;
  }
  int64_t count_;
  bool shuffle_;
  uint64_t seed_;
  int64_t cached_epoch_ = -1;
  std::vector<int64_t> order_;
};

/// The record's paraphrase (co_reward); ttrl::IoError naming the file and line when it has none.
std::string paraphrase_of(const data::Record& record, const std::string& key) {
  auto it = record.extra.find(key);
  if (it == record.extra.end() || !it->is_string() ||
      it->get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos)
    throw IoError(fmt::format("{}: {} \"{}\" field (reward co_reward samples each question and its paraphrase: "
                              "data.paraphrase_key)", record.where,
                              it == record.extra.end() ? "no" : "a blank or non-string", key));
  return it->get<std::string>();
}

std::vector<Prompt> load_prompts(const RunConfig& config, const rollout::Policy& policy) {
  if (config.data.train_files.empty()) throw ConfigError("data.train_files: no training data given");
  std::vector<Prompt> prompts;
  const bool paraphrased = config.reward.name == "co_reward";
  for (const auto& file : config.data.train_files)
    for (auto& record : data::load_dataset(file, config.data.prompt_key, config.data.answer_key)) {
      if (config.data.limit > 0 && static_cast<int64_t>(prompts.size()) >= config.data.limit) break;
      Prompt p{record.prompt, record.answer, rollout::encode_question(policy, config, record.prompt), "", {}};
      if (paraphrased) {
        p.paraphrase = paraphrase_of(record, config.data.paraphrase_key);
        p.paraphrase_ids = rollout::encode_question(policy, config, p.paraphrase);
      }
      prompts.push_back(std::move(p));
    }
  if (prompts.empty()) throw ConfigError("data.train_files: the files hold no prompts");
  return prompts;
}

int64_t total_steps_of(const RunConfig& config, int64_t prompt_count) {
  if (config.trainer.total_steps > 0) return config.trainer.total_steps;
  const int64_t per_epoch = (prompt_count + config.trainer.prompts_per_step - 1) / config.trainer.prompts_per_step;
  return config.trainer.epochs * per_epoch;
}

/// Everything one step learns from its samples.
struct StepBatch {
  std::vector<TrainSequence> sequences;       ///< the n_train rollouts of every prompt, with advantages
  std::vector<std::vector<size_t>> by_prompt; ///< indices into sequences, per group of this process
  std::vector<int64_t> step_index;            ///< per group of this process: its position among the step's groups
  int64_t step_groups = 0;                    ///< groups of the whole step (every process)
};

/// `values` of every process, concatenated in rank order.
std::vector<double> gathered(dist::ProcessGroup& group, const std::vector<double>& values) {
  if (!group.distributed()) return values;
  // Raw bytes: the values may be NaN (a rollout without tokens has no mean entropy), which JSON cannot hold.
  std::vector<double> all;
  const std::string bytes(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(double));
  for (const auto& part : group.all_gather_strings(bytes)) {
    const size_t first = all.size();
    all.resize(first + part.size() / sizeof(double));
    std::memcpy(all.data() + first, part.data(), part.size());
  }
  return all;
}

class Trainer {
 public:
  Trainer(const RunConfig& config, const TrainOptions& options) : config_(config), options_(options) {}

  TrainResult run() {
    group_ = options_.process_group ? options_.process_group : std::make_shared<dist::ProcessGroup>();
    if (group_->is_main()) claim_output_dir();
    group_->barrier();
    policy_ = rollout::load_policy(config_);
    prompts_ = load_prompts(config_, policy_);
    reward_ = reward::make_reward(config_.reward);
    selection_ = reward::parse_selection_mode(config_.rollout.train_selection);
    estimator_ = parse_advantage_estimator(config_.algorithm.adv_estimator);
    total_steps_ = total_steps_of(config_, static_cast<int64_t>(prompts_.size()));
    check_training_state_fits();
    make_optimizer();
    if (config_.algorithm.kl_coef > 0) make_reference();
    resume_if_asked();
    const std::optional<int64_t> resumed_at = state_.step > 0 ? std::optional<int64_t>(state_.step) : std::nullopt;
    if (group_->is_main()) {
      write_resolved_config(config_, config_.trainer.output_dir);
      sinks_ = metrics::make_metric_sinks(config_.trainer.output_dir, config_.logging.metrics_file,
                                          config_.logging.tensorboard, resumed_at);
    } else {
      sinks_ = std::make_unique<metrics::MultiSink>(std::vector<std::unique_ptr<metrics::MetricSink>>{});
    }
    spdlog::info("training {} steps on {} prompts ({} per step, {} samples each, {} trained), reward {}{}", total_steps_,
                 prompts_.size(), config_.trainer.prompts_per_step, config_.rollout.n_vote, config_.rollout.n_train,
                 config_.reward.name,
                 group_->distributed() ? fmt::format(", {} processes sharing each step", group_->size()) : "");
    ProgressBar progress("train", total_steps_, config_.logging.progress_bar && group_->is_main());
    progress.advance(state_.step);
    TrainResult result;
    PromptOrder order(static_cast<int64_t>(prompts_.size()), config_.data.shuffle, static_cast<uint64_t>(config_.trainer.seed));
    if (state_.step == 0) evaluate_initial();
    while (state_.step < total_steps_) {
      auto metrics = train_step(order.for_step(state_.step, config_.trainer.prompts_per_step));
      ++state_.step;
      evaluate_if_due(metrics);
      sinks_->write({state_.step, metrics});
      progress.advance(1, status_line(metrics));
      result.last_metrics = metrics;
      if (config_.trainer.save_every > 0 && state_.step % config_.trainer.save_every == 0 && state_.step < total_steps_)
        result.final_checkpoint = save();
    }
    progress.finish();
    result.final_checkpoint = save();
    sinks_->flush();
    result.steps = state_.step;
    return result;
  }

 private:
  void make_optimizer() {
    OptimizerOptions o;
    o.beta1 = config_.trainer.beta1;
    o.beta2 = config_.trainer.beta2;
    o.epsilon = config_.trainer.adam_epsilon;
    o.weight_decay = config_.trainer.weight_decay;
    o.grad_clip = config_.trainer.grad_clip;
    o.fp32_master_weights = config_.trainer.fp32_master_weights;
    o.process_group = group_.get();
    o.zero_stage = config_.trainer.zero_stage;
    o.overlap_grad_reduce = config_.trainer.overlap_grad_reduce;
    // float32 MiB -> elements, at least one per bucket.
    o.bucket_elements = std::max<int64_t>(1, static_cast<int64_t>(config_.trainer.grad_bucket_mb * (1 << 20) / 4));
    // One optimizer step per mini-batch of each training step and PPO epoch.
    const int64_t per_step = config_.algorithm.ppo_epochs *
                             ((config_.trainer.prompts_per_step + config_.algorithm.mini_batch_prompts - 1) / config_.algorithm.mini_batch_prompts);
    schedule_steps_ = total_steps_ * per_step;
    o.schedule = {config_.trainer.lr, schedule_steps_, config_.trainer.warmup_ratio, config_.trainer.min_lr_ratio,
                  config_.trainer.lr_schedule};
    optimizer_ = std::make_unique<Optimizer>(policy_.model->parameters(), o);
  }

  /// Before anything is loaded: trainer.output_dir must be new, empty or an earlier `ttrl train` output (or
  /// --overwrite), writable, and its checkpoints/ a directory, so that a bad output fails now and not at the first save.
  void claim_output_dir() {
    const std::string& dir = config_.trainer.output_dir;
    // A directory holding a complete checkpoint is a training output even without the marker (copied checkpoints).
    ttrl::claim_output_dir(dir, {"train", "trainer.output_dir", options_.overwrite,
                                 [](const std::string& d) { return latest_checkpoint(d).has_value(); }});
    const std::filesystem::path checkpoints = std::filesystem::path(dir) / "checkpoints";
    std::error_code ec;
    if (std::filesystem::exists(checkpoints, ec) && !std::filesystem::is_directory(checkpoints, ec))
      throw IoError(fmt::format("trainer.output_dir: '{}' is not a directory, so no checkpoint can be saved there; "
                                "move it away or choose another trainer.output_dir", checkpoints.string()));
  }

  /// What training adds to the loaded policy, checked against the host's free memory before any of it is allocated:
  ///   reference P*s (kl_coef > 0) + gradients P*s + AdamW moments 2*P*m (+ float32 masters P*4 and their gradients
  ///   P*4 when the policy is 16-bit and fp32_master_weights), with P parameters, s the policy's bytes per element and
  ///   m = 4 with masters, else s; moments and masters divided by N with sharded state over N processes.
  void check_training_state_fits() const {
    if (!policy_.model->device().is_cpu()) return;  // CUDA: issue #18
    const double P = policy_.model->config().parameter_count();
    const double s = static_cast<double>(torch::elementSize(policy_.model->dtype()));
    const bool masters = config_.trainer.fp32_master_weights && s < 4;
    const double reference = config_.algorithm.kl_coef > 0 ? P * s : 0.0;
    const double gradients = P * s + (masters ? P * 4 : 0.0);
    // Sharded state (zero_stage 1 with N processes): each keeps 1/N of the moments and masters.
    const double shards = config_.trainer.zero_stage >= 1 ? static_cast<double>(group_->size()) : 1.0;
    const double moments = 2 * P * (masters ? 4 : s) / shards;
    const double master_weights = masters ? P * 4 / shards : 0.0;
    check_fits_in_memory(reference + gradients + moments + master_weights, host_available_bytes(),
                         fmt::format("training state besides the policy (reference {}, gradients {}, AdamW moments {}, "
                                     "float32 masters {})", format_bytes(reference), format_bytes(gradients),
                                     format_bytes(moments), format_bytes(master_weights)),
                         "the model's size, algorithm.kl_coef and trainer.fp32_master_weights");
  }

  /// A frozen copy of the initial weights for the KL term (only when kl_coef > 0).
  void make_reference() {
    reference_ = model::copy_model(*policy_.model, /*requires_grad=*/false);
    reference_->eval();
  }

  void resume_if_asked() {
    state_.total_steps = total_steps_;
    if (!options_.resume) return;
    const auto dir = latest_checkpoint(config_.trainer.output_dir);
    if (!dir) {
      spdlog::warn("--resume: no complete checkpoint under {}/checkpoints; starting from step 0", config_.trainer.output_dir);
      return;
    }
    state_ = load_checkpoint(*dir, policy_, *optimizer_, {total_steps_, schedule_steps_, config_.trainer.max_bad_steps});
    state_.total_steps = total_steps_;
    spdlog::info("resumed from {} (step {})", *dir, state_.step);
  }

  /// Runs options_.evaluate after every trainer.eval_every-th step and after the last one.
  void evaluate_if_due(std::map<std::string, double>& metrics) {
    const int64_t every = config_.trainer.eval_every;
    if (!options_.evaluate || every <= 0 || (state_.step % every != 0 && state_.step != total_steps_)) return;
    const auto start = Clock::now();
    for (const auto& [key, value] : options_.evaluate(policy_, state_.step)) metrics["eval/" + key] = value;
    policy_.model->eval();
    metrics["timing/eval_s"] = seconds_since(start);
  }

  /// The starting point of the evaluation curve: a step-0 line holding only the eval/ values.
  void evaluate_initial() {
    if (!options_.evaluate || config_.trainer.eval_every <= 0) return;
    std::map<std::string, double> metrics;
    for (const auto& [key, value] : options_.evaluate(policy_, 0)) metrics["eval/" + key] = value;
    policy_.model->eval();
    sinks_->write({0, metrics});
  }

  std::string save() {
    const std::string dir = save_checkpoint(config_.trainer.output_dir, policy_, *optimizer_, state_, config_, *group_);
    spdlog::info("checkpoint: {}", dir);
    return dir;
  }

  /// prompt_streams: each group's position in the step (SamplingParams::prompt_streams).
  rollout::SamplingParams sampling_params(std::vector<int64_t> prompt_streams) const {
    rollout::SamplingParams p;
    p.n = config_.rollout.n_vote;
    p.temperature = config_.rollout.temperature;
    p.top_p = config_.rollout.top_p;
    p.top_k = config_.rollout.top_k;
    p.min_p = config_.rollout.min_p;
    p.max_new_tokens = config_.rollout.max_new_tokens;
    p.stop_strings = config_.rollout.stop;
    p.stop_token_ids = policy_.stop_token_ids();
    // Each step draws from its own streams: a function of (rollout.seed, step) only.
    p.seed = rollout::sequence_key(static_cast<uint64_t>(config_.rollout.seed), state_.step, -2);
    p.prompt_streams = prompt_streams;
    return p;
  }

  /// The groups this process samples of a step: each prompt of its strided share of the step's prompts, followed by
  /// its paraphrase with co_reward (partners of each other, always on the same process).
  std::vector<StepGroup> step_groups(const std::vector<int64_t>& step_prompts) const {
    const int64_t per_prompt = groups_per_prompt();
    std::vector<StepGroup> groups;
    for (int64_t position : dist::strided_share(static_cast<int64_t>(step_prompts.size()), group_->rank(), group_->size())) {
      const Prompt& prompt = prompts_[step_prompts[position]];
      groups.push_back({prompt.question, prompt.gold, prompt.ids, -1, position * per_prompt});
      if (prompt.paraphrase_ids.empty()) continue;
      const auto question = static_cast<int64_t>(groups.size()) - 1;
      groups.back().partner = question + 1;
      groups.push_back({prompt.paraphrase, prompt.gold, prompt.paraphrase_ids, question, position * per_prompt + 1});
    }
    return groups;
  }

  std::map<std::string, double> train_step(const std::vector<int64_t>& step_prompts) {
    std::map<std::string, double> metrics;
    // 1. Sample n_vote completions per group with the current weights.
    auto start = Clock::now();
    const std::vector<StepGroup> groups = step_groups(step_prompts);
    std::vector<std::vector<int64_t>> ids;
    std::vector<int64_t> streams;
    for (const auto& group : groups) {
      ids.push_back(group.ids);
      streams.push_back(group.step_index);
    }
    rollout::SamplerOptions sampler_options;
    sampler_options.max_batch_sequences = config_.rollout.max_batch_sequences;
    sampler_options.memory_budget_bytes = config_.rollout.memory_budget_mb << 20;
    sampler_options.raw_self_certainty = config_.reward.raw_logits;
    policy_.model->eval();
    rollout::Sampler sampler(*policy_.model, policy_.tokenizer.get(), sampler_options);
    const auto rollouts = sampler.generate(ids, sampling_params(streams));
    metrics["timing/generate_s"] = seconds_since(start);
    // Tokens of every process over the slowest one's time.
    std::vector<double> generated{static_cast<double>(sampler.last_stats().generated_tokens)};
    dist::sum_across_ranks(*group_, generated);
    auto slowest = torch::tensor({metrics["timing/generate_s"]}, torch::kFloat64);
    group_->all_reduce_max(slowest);
    metrics["timing/generate_s"] = slowest.item<double>();
    metrics["throughput/generate_tokens_per_s"] = generated[0] / std::max(1e-9, metrics["timing/generate_s"]);

    // 2. Rewards per prompt; keep n_train with group advantages.
    start = Clock::now();
    StepBatch batch = score_and_select(groups, rollouts, metrics);
    batch.step_groups = static_cast<int64_t>(step_prompts.size()) * groups_per_prompt();
    metrics["timing/reward_s"] = seconds_since(start);

    // 3. Policy update over mini-batches of prompts.
    start = Clock::now();
    update(batch, metrics);
    metrics["timing/update_s"] = seconds_since(start);
    metrics["timing/step_s"] = metrics["timing/generate_s"] + metrics["timing/reward_s"] + metrics["timing/update_s"];
    // The largest process's peak so far (CUDA allocator peak, or peak RSS on the CPU), in GiB.
    auto peak = torch::tensor({static_cast<double>(kernels::peak_memory_bytes(policy_.model->device()).value_or(0))},
                              torch::kFloat64);
    group_->all_reduce_max(peak);
    metrics["memory/peak_gib"] = peak.item<double>() / static_cast<double>(int64_t{1} << 30);
    return metrics;
  }

  StepBatch score_and_select(const std::vector<StepGroup>& groups, const std::vector<rollout::Rollout>& rollouts,
                             std::map<std::string, double>& metrics) {
    const int64_t n = config_.rollout.n_vote;
    StepBatch batch;
    MeanAccumulator group_means;
    std::vector<double> all_rewards, lengths, entropies;
    std::vector<std::vector<int>> chosen_by_prompt;  // indices into each prompt's n_vote rollouts
    StepRewards step_rewards;                          // their rewards and lengths, for the advantage estimator
    int64_t clipped = 0;
    std::vector<std::pair<int64_t, std::string>> saved_rollouts;  // trainer.save_rollouts: (step index, `ttrl reward` line)
    for (size_t p = 0; p < groups.size(); ++p) {
      reward::Group group;
      group.prompt = groups[p].question;
      group.gold = groups[p].gold;
      group.vocab_size = policy_.model->config().vocab_size;
      group.task = answer::parse_task(config_.reward.task);
      for (int64_t j = 0; j < n; ++j) {
        const auto& r = rollouts[p * n + j];
        group.rollouts.push_back(reward_view(r));
        lengths.push_back(static_cast<double>(r.completion_ids.size()));
        entropies.push_back(r.mean_entropy());
        clipped += r.truncated();
      }
      if (groups[p].partner >= 0)
        for (int64_t j = 0; j < n; ++j) group.partner_rollouts.push_back(reward_view(rollouts[groups[p].partner * n + j]));
      // Rewards that read the policy's probabilities (rlpr) score with the weights that sampled the group.
      PromptScorer scorer(*policy_.model, *policy_.tokenizer, groups[p].ids, sampling_temperature());
      group.scorer = &scorer;
      reward::extract_answers(group);
      const auto scored = reward::score_group(*reward_, group);
      if (config_.trainer.save_rollouts) saved_rollouts.emplace_back(groups[p].step_index, reward::format_group_line(group, &scored));
      for (const auto& [key, value] : scored.metrics) group_means.add(key, value);
      all_rewards.insert(all_rewards.end(), scored.rewards.begin(), scored.rewards.end());

      const auto chosen = reward::select_for_training(scored.rewards, static_cast<int>(config_.rollout.n_train), selection_,
                                                      rollout::sequence_key(static_cast<uint64_t>(config_.trainer.seed), state_.step, groups[p].step_index));
      chosen_by_prompt.push_back(chosen);
      step_rewards.rewards.emplace_back();
      step_rewards.lengths.emplace_back();
      for (int j : chosen) {
        step_rewards.rewards.back().push_back(scored.rewards[j]);
        step_rewards.lengths.back().push_back(static_cast<int64_t>(rollouts[p * n + j].completion_ids.size()));
      }
    }
    // Advantages once every group is scored: some estimators normalise over the whole step.
    const bool per_token = estimator_ == AdvantageEstimator::kReinforcePp;
    std::vector<std::vector<TrainSequence>> trained(groups.size());
    for (size_t p = 0; p < groups.size(); ++p)
      for (int j : chosen_by_prompt[p]) {
        const auto& r = rollouts[p * n + j];
        trained[p].push_back({groups[p].ids, r.completion_ids, r.logprobs, 0.0, {}});
      }
    if (per_token) {
      const TokenAdvantages token_advantages =
          reinforce_pp_advantages(step_rewards, reference_kl(trained), config_.algorithm.kl_coef, sum_across_processes());
      for (size_t p = 0; p < trained.size(); ++p)
        for (size_t c = 0; c < trained[p].size(); ++c) trained[p][c].token_advantages = token_advantages[p][c];
    } else {
      const auto advantages = estimate_advantages(estimator_, step_rewards,
                                                  {config_.algorithm.norm_adv_by_std, config_.algorithm.adv_epsilon},
                                                  sum_across_processes());
      for (size_t p = 0; p < trained.size(); ++p)
        for (size_t c = 0; c < trained[p].size(); ++c) trained[p][c].advantage = advantages[p][c];
    }
    for (size_t p = 0; p < trained.size(); ++p) {
      auto& group = trained[p];
      batch.step_index.push_back(groups[p].step_index);
      batch.by_prompt.emplace_back();
      for (auto& sequence : group) {
        if (sequence.completion_ids.empty()) continue;
        batch.by_prompt.back().push_back(batch.sequences.size());
        batch.sequences.push_back(std::move(sequence));
      }
    }
    if (config_.trainer.save_rollouts) save_step_rollouts(saved_rollouts);
    // The step's metrics over every process's groups.
    group_means.merge_across(*group_);
    group_means.write_to(metrics, "ttrl/");
    double clipped_total = 0;
    gather_step_values(all_rewards, lengths, entropies, clipped, clipped_total);
    const auto rewards = torch::tensor(all_rewards, torch::kFloat64);
    metrics["reward/mean"] = rewards.mean().item<double>();
    metrics["reward/std"] = rewards.numel() > 1 ? rewards.std().item<double>() : 0.0;
    const auto length_t = torch::tensor(lengths, torch::kFloat64);
    metrics["response_length/mean"] = length_t.mean().item<double>();
    metrics["response_length/max"] = length_t.max().item<double>();
    metrics["response_length/clip_ratio"] = clipped_total / static_cast<double>(lengths.size());
    metrics["entropy/mean"] = torch::tensor(entropies, torch::kFloat64).mean().item<double>();
    return batch;
  }

  /// Every process's rewards, lengths and entropies (concatenated in rank order, each list in place) and the sum of
  /// the clipped counts, in one gather: [3 sizes, clipped, rewards..., lengths..., entropies...] per process.
  void gather_step_values(std::vector<double>& rewards, std::vector<double>& lengths, std::vector<double>& entropies,
                          int64_t clipped, double& clipped_total) const {
    std::vector<double> mine{static_cast<double>(rewards.size()), static_cast<double>(lengths.size()),
                             static_cast<double>(entropies.size()), static_cast<double>(clipped)};
    for (const auto* list : {&rewards, &lengths, &entropies}) mine.insert(mine.end(), list->begin(), list->end());
    const std::vector<double> all = gathered(*group_, mine);
    rewards.clear();
    lengths.clear();
    entropies.clear();
    clipped_total = 0;
    for (size_t at = 0; at < all.size();) {
      const auto sizes = std::vector<size_t>{static_cast<size_t>(all[at]), static_cast<size_t>(all[at + 1]),
                                             static_cast<size_t>(all[at + 2])};
      clipped_total += all[at + 3];
      at += 4;
      for (size_t k = 0; k < 3; ++k) {
        auto& list = k == 0 ? rewards : k == 1 ? lengths : entropies;
        list.insert(list.end(), all.begin() + static_cast<std::ptrdiff_t>(at),
                    all.begin() + static_cast<std::ptrdiff_t>(at + sizes[k]));
        at += sizes[k];
      }
    }
  }

  /// Groups sampled per training prompt: 2 with co_reward (the question and its paraphrase), else 1.
  int64_t groups_per_prompt() const { return prompts_.empty() || prompts_.front().paraphrase_ids.empty() ? 1 : 2; }

  /// The temperature of the sampling distribution the recorded log-probs belong to (greedy sampling: 1).
  double sampling_temperature() const { return config_.rollout.temperature > 0 ? config_.rollout.temperature : 1.0; }

  /// Partial sums of the step-wide advantage estimators, summed over the processes.
  SumAcrossProcesses sum_across_processes() const {
    return [group = group_](std::vector<double>& partial) { dist::sum_across_ranks(*group, partial); };
  }

  /// Writes rollouts/step-N.jsonl (N = the step being trained) in one piece: `ttrl reward` input, one scored group per
  /// line with the trainer's rewards and label, in the step's order (rank 0 gathers every process's groups).
  void save_step_rollouts(const std::vector<std::pair<int64_t, std::string>>& lines) const {
    std::map<int64_t, std::string> ordered;
    for (const auto& text : group_->all_gather_strings(nlohmann::json(lines).dump()))
      for (const auto& [index, line] : nlohmann::json::parse(text).get<std::vector<std::pair<int64_t, std::string>>>())
        ordered[index] = line;
    if (!group_->is_main()) return;
    std::string content;
    for (const auto& [index, line] : ordered) content += line + "\n";
    const std::filesystem::path dir = std::filesystem::path(config_.trainer.output_dir) / "rollouts";
    std::filesystem::create_directories(dir);
    write_file_atomic((dir / fmt::format("step-{}.jsonl", state_.step + 1)).string(), content);
  }

  /// Per-token KL(pi_old || ref) of the trained sequences, REINFORCE++'s reward penalty: kl_penalty of the sampling
  /// log-probs against the reference's, in micro-batches without gradients. Zeros when there is no reference
  /// (kl_coef = 0). Same layout as `trained`, one value per completion token.
  TokenAdvantages reference_kl(const std::vector<std::vector<TrainSequence>>& trained) {
    TokenAdvantages kl(trained.size());
    std::vector<std::pair<size_t, size_t>> where;  // (group, rollout) of each sequence with tokens
    std::vector<const TrainSequence*> sequences;
    for (size_t p = 0; p < trained.size(); ++p)
      for (size_t c = 0; c < trained[p].size(); ++c) {
        kl[p].emplace_back(trained[p][c].completion_ids.size(), 0.0f);
        if (trained[p][c].completion_ids.empty() || !reference_) continue;
        where.emplace_back(p, c);
        sequences.push_back(&trained[p][c]);
      }
    torch::NoGradGuard no_grad;
    const double temperature = sampling_temperature();
    const KlEstimator estimator = parse_kl_estimator(config_.algorithm.kl_estimator);
    const auto micro = static_cast<size_t>(config_.algorithm.micro_batch_size);
    for (size_t first = 0; first < sequences.size(); first += micro) {
      const size_t last = std::min(sequences.size(), first + micro);
      const SequenceBatch sb = make_batch({sequences.begin() + first, sequences.begin() + last}, reference_->device());
      const torch::Tensor ref_logprobs = response_stats(*reference_, sb, temperature).logprobs;
      const torch::Tensor values = kl_penalty(sb.old_logprobs, ref_logprobs, estimator).mul(sb.mask).cpu();
      for (size_t b = first; b < last; ++b) {
        auto& out = kl[where[b].first][where[b].second];
        const auto row = values[static_cast<int64_t>(b - first)];
        std::copy(row.data_ptr<float>(), row.data_ptr<float>() + out.size(), out.begin());
      }
    }
    return kl;
  }

  /// The policy update of the step (update_policy); a mini-batch with a non-finite loss or gradient counts as a bad
  /// step (handle_bad_step), an applied one ends a run of bad steps.
  void update(const StepBatch& batch, std::map<std::string, double>& metrics) {
    const auto& algo = config_.algorithm;
    PolicyUpdateOptions options;
    options.ppo_epochs = algo.ppo_epochs;
    // A prompt's groups (with co_reward: the question and its paraphrase) share their mini-batch, so the optimizer
    // steps per training step do not depend on the reward.
    options.mini_batch_prompts = algo.mini_batch_prompts * groups_per_prompt();
    options.micro_batch_size = algo.micro_batch_size;
    options.loss.clip_low = algo.clip_ratio_low;
    options.loss.clip_high = algo.clip_ratio_high;
    options.loss.dual_clip = algo.dual_clip;
    options.loss.clip_c = algo.clip_ratio_c;
    options.loss.aggregation = parse_loss_aggregation(algo.loss_agg_mode);
    // REINFORCE++ puts the KL in the reward (reference_kl), not in the loss.
    options.kl_coef = estimator_ == AdvantageEstimator::kReinforcePp ? 0.0 : algo.kl_coef;
    options.kl_estimator = parse_kl_estimator(algo.kl_estimator);
    options.entropy_coef = algo.entropy_coef;
    options.temperature = sampling_temperature();
    options.norm_length = static_cast<double>(config_.rollout.max_new_tokens);
    // Global mini-batch k: the step's groups [k * size, (k + 1) * size); this process trains its share of each.
    const auto size = options.mini_batch_prompts;
    options.mini_batches.resize(static_cast<size_t>((batch.step_groups + size - 1) / size));
    for (size_t p = 0; p < batch.step_index.size(); ++p)
      options.mini_batches[static_cast<size_t>(batch.step_index[p] / size)].push_back(p);
    options.process_group = group_.get();
    const auto result = update_policy(*policy_.model, reference_ ? reference_.get() : nullptr, *optimizer_,
                                      batch.sequences, batch.by_prompt, options, [&](bool applied) {
                                        if (!applied) return handle_bad_step();
                                        state_.consecutive_bad_steps = 0;
                                        state_.optimizer_steps = optimizer_->steps_taken();
                                      });
    for (const auto& [key, value] : result.metrics) metrics[key] = value;
  }

  void handle_bad_step() {
    ++state_.consecutive_bad_steps;
    spdlog::warn("step {}: non-finite loss or gradient; update skipped ({} in a row)", state_.step + 1, state_.consecutive_bad_steps);
    if (state_.consecutive_bad_steps >= config_.trainer.max_bad_steps) {
      const auto dir = save();
      throw Error(fmt::format("{} consecutive updates had a non-finite loss or gradient (trainer.max_bad_steps); "
                              "stopped at step {} with a checkpoint in {}", state_.consecutive_bad_steps, state_.step, dir));
    }
  }

  static std::string status_line(const std::map<std::string, double>& m) {
    std::string s = fmt::format("reward {:.3f}", m.count("reward/mean") ? m.at("reward/mean") : 0.0);
    if (m.count("ttrl/label_accuracy")) s += fmt::format(" | label acc {:.2f}", m.at("ttrl/label_accuracy"));
    if (m.count("throughput/generate_tokens_per_s")) s += fmt::format(" | {:.0f} tok/s", m.at("throughput/generate_tokens_per_s"));
    return s;
  }

  RunConfig config_;
  TrainOptions options_;
  std::shared_ptr<dist::ProcessGroup> group_;
  rollout::Policy policy_;
  model::Transformer reference_{nullptr};
  std::vector<Prompt> prompts_;
  std::unique_ptr<reward::RewardFn> reward_;
  reward::SelectionMode selection_ = reward::SelectionMode::kFirst;
  AdvantageEstimator estimator_ = AdvantageEstimator::kGrpo;
  std::unique_ptr<Optimizer> optimizer_;
  std::unique_ptr<metrics::MetricSink> sinks_;
  TrainerState state_;
  int64_t total_steps_ = 0;
  int64_t schedule_steps_ = 0;  ///< optimizer steps over the whole run (the learning-rate schedule's length)
};

}  // namespace

TrainResult run_training(const RunConfig& config, const TrainOptions& options) {
  Trainer trainer(config, options);
  return trainer.run();
}

}  // namespace ttrl::train
