#pragma once
// `ttrl demo`, the steps: a synthetic task (data/toy_task.hpp) -> a tiny random transformer warm-started by SFT on
// worked solutions (the base model) -> avg@k/maj@k of the base on held-out test questions -> three test-time runs
// from that base on the test questions: TTRL (majority-vote reward, no labels), DARE (no labels) and GRPO with the
// true answers (ground_truth reward: the upper baseline) -> the same evaluation of each. Everything is seeded and
// runs on the CPU with one thread.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ttrl/core/config.hpp"
#include "ttrl/data/toy_task.hpp"
#include "ttrl/eval/evaluator.hpp"
#include "ttrl/model/cpu_code_paths.hpp"

namespace ttrl::cli::demo {

/// The sizes of one demo mode; the defaults are "quick" (about 3-4 minutes on 2 CPU cores). "full" is longer with
/// finer-grained accuracies; "tiny" takes seconds and only checks the plumbing (nothing is learned).
///
/// Why these values (the reasoning and the runs behind it: docs/demo.md):
///   * the warm start imitates worked solutions with slips (slip_rate 0.3 per step) and is trained until it
///     reproduces them (1200 steps: with 800 the loss had not settled and the base depended on the seed and on
///     the CPU's rounding, from avg@16 42 / maj@16 64 to 61 / 94). Such a base knows every fact (the mode of each
///     step is right) and slips at sampling time: one sample is right about 40% of the time, the majority of 16
///     on 67-81% of the questions, the majority of 32 on 73-92% (seeds 0-2); TTRL sharpens every step of the
///     arithmetic on the questions whose vote is right, which fixes the others too: that is the headroom;
///   * evaluation at temperature 1.0 (the training temperature; top-p 0.95): at the paper's 0.6 this base is
///     already near its ceiling and there is nothing left to show;
///   * n_vote 32 with n_train 16 (TTRL's 64 and 32, halved): half the sampling pays for the longer warm start;
///   * lr 2e-4 for RL: 3e-4 made the vote worse on a seed (wrong labels learned faster), 3e-5 barely moves.
struct DemoScale {
  std::string mode = "quick";
  data::ToyTaskOptions task{3, 5, 9, 0.3};
  int64_t sft_problems = 4000;   ///< supervised examples (disjoint from the test questions)
  int64_t test_problems = 64;    ///< held-out questions: test-time training data and evaluation set
  // The model (qwen2 family, byte tokenizer): about 100k parameters.
  int64_t hidden_size = 64, num_layers = 2, num_heads = 4, num_kv_heads = 2, intermediate_size = 192;
  // Supervised warm start.
  int64_t sft_steps = 1200, sft_batch = 32;
  double sft_lr = 6e-3;
  // Test-time RL (each of TTRL, DARE, GT-GRPO).
  int64_t rl_steps = 64, prompts_per_step = 8, n_vote = 32, n_train = 16;
  double rl_lr = 2e-4;
  double rl_temperature = 1.0;
  int64_t eval_every = 16;       ///< test-set evaluation during training, for the accuracy curves
  // Evaluation.
  int64_t eval_k = 16;
  double eval_temperature = 1.0, eval_top_p = 0.95;
  int64_t max_new_tokens = 64;
};

/// Throws ConfigError for an unknown mode.
DemoScale demo_scale(const std::string& mode);

/// One test-time training method of the comparison.
struct Method {
  std::string key;     ///< results.json key and output subdirectory: ttrl | dare | grpo_gt | ...
  std::string name;    ///< "TTRL", "DARE", "GT-GRPO" (plot legends; the table says "w/ <name>")
  std::string reward;  ///< reward.name
  bool uses_labels;    ///< whether the reward sees the true answers
  std::string estimator = "grpo";      ///< algorithm.adv_estimator
  double kl_coef = 0.0;                ///< algorithm.kl_coef (> 0 keeps a frozen reference: REINFORCE++'s KL reward)
  std::vector<std::string> settings;   ///< further config keys, KEY=VALUE, before the user's --set
  /// Whether the reward judges answers (a pseudo-label, rewards in [0, 1]); INTUITOR's and RENT's do not, so label
  /// and reward accuracy do not apply to them.
  bool judges_answers = true;
};

/// The default comparison of `ttrl demo`: TTRL, DARE, GT-GRPO.
const std::vector<Method>& demo_methods();
/// Every method `--rewards` can name, in table order: the label-free rewards, then RL on the true answers.
const std::vector<Method>& comparison_methods();
/// The methods of `--rewards LIST`: "all", or keys separated by commas (table order kept, duplicates dropped).
/// Throws ConfigError naming an unknown key and the known ones.
std::vector<Method> methods_from_list(const std::string& list);

struct DemoOptions {
  std::string output_dir = "runs/demo";
  uint64_t seed = 0;
  std::string mode = "quick";            ///< tiny | quick | full
  std::vector<std::string> overrides;    ///< `--set` keys applied to the config of every RL run
  bool plots = true;
  bool progress_bar = true;
  bool overwrite = false;                ///< --overwrite: write into an --output that ttrl demo did not write
  std::vector<Method> methods = demo_methods();  ///< the runs, in order (--rewards)
  bool comparison = false;               ///< --rewards: the wide table (label/reward accuracy, length, time)
};

/// Training-time statistics of one run, means over its steps (metrics.jsonl).
struct RunStats {
  std::optional<double> label_accuracy;   ///< ttrl/label_accuracy (absent when the reward judges no answer)
  std::optional<double> reward_accuracy;  ///< ttrl/reward_accuracy (likewise)
  double response_length = 0;             ///< response_length/mean
};

/// What a finished demo produced.
struct DemoResult {
  int64_t k = 16;
  eval::Summary base;
  std::map<std::string, eval::Summary> methods;          ///< by Method::key
  std::map<std::string, std::string> metrics_files;      ///< by Method::key: the run's metrics.jsonl
  std::map<std::string, RunStats> stats;                 ///< by Method::key
  std::vector<Method> run_methods;                       ///< the methods run, in order
  std::map<std::string, double> seconds;                 ///< phase -> wall seconds ("sft", "eval_base", "ttrl", ...)
  std::string test_file, base_checkpoint;
  model::CpuCodePaths machine;                           ///< the CPU and the kernels the numbers came from
};

/// Runs every step into options.output_dir: data/{sft,test}.jsonl, base/ (the SFT checkpoint, sft_metrics.jsonl,
/// eval.json), <method>/ (the run: metrics.jsonl, checkpoints, eval.json).
DemoResult run_demo(const DemoOptions& options, const DemoScale& scale);

}  // namespace ttrl::cli::demo
