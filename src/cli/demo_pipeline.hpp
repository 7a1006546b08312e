#pragma once
// `ttrl demo`, the steps: a synthetic task (data/toy_task.hpp) -> a tiny random transformer warm-started by SFT on
// worked solutions (the base model) -> avg@k/maj@k of the base on held-out test questions -> three test-time runs
// from that base on the test questions: TTRL (majority-vote reward, no labels), DARE (no labels) and GRPO with the
// true answers (ground_truth reward: the upper baseline) -> the same evaluation of each. Everything is seeded and
// runs on the CPU with one thread.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ttrl/core/config.hpp"
#include "ttrl/data/toy_task.hpp"
#include "ttrl/eval/evaluator.hpp"

namespace ttrl::cli::demo {

/// The sizes of one demo mode; the defaults are "quick" (about 2-3 minutes on 2 loaded CPU cores). "full" is
/// longer with clearer margins; "tiny" takes seconds and only checks the plumbing (nothing is learned).
///
/// Why these values (measured, see the README's demo section):
///   * the warm start imitates worked solutions with slips (slip_rate 0.2 per step), long enough to reproduce them:
///     sampled at temperature 1 the base model slips about as often as its data, so one sample is right about half
///     the time while the majority of 16 is right for most questions;
///   * evaluation at temperature 1.0 (the training temperature; top-p 0.95): at the paper's 0.6 this base is
///     already near its ceiling (avg@16 ~90, maj@16 ~100) and there is nothing left to show;
///   * n_vote 64 as in TTRL: the pseudo-labels come from 64 votes, more reliable than maj@16;
///   * lr 2e-4 for RL: 3e-4 and above made even ground-truth GRPO collapse at times on this model, 3e-5 barely moves.
struct DemoScale {
  std::string mode = "quick";
  data::ToyTaskOptions task{3, 5, 9, 0.2};
  int64_t sft_problems = 4000;   ///< supervised examples (disjoint from the test questions)
  int64_t test_problems = 64;    ///< held-out questions: test-time training data and evaluation set
  // The model (qwen2 family, byte tokenizer): about 100k parameters.
  int64_t hidden_size = 64, num_layers = 2, num_heads = 4, num_kv_heads = 2, intermediate_size = 192;
  // Supervised warm start.
  int64_t sft_steps = 800, sft_batch = 32;
  double sft_lr = 6e-3;
  // Test-time RL (each of TTRL, DARE, GT-GRPO).
  int64_t rl_steps = 64, prompts_per_step = 8, n_vote = 64, n_train = 16;
  double rl_lr = 2e-4;
  double rl_temperature = 1.0;
  int64_t eval_every = 8;        ///< test-set evaluation during training, for the accuracy curves
  // Evaluation.
  int64_t eval_k = 16;
  double eval_temperature = 1.0, eval_top_p = 0.95;
  int64_t max_new_tokens = 64;
};

/// Throws ConfigError for an unknown mode.
DemoScale demo_scale(const std::string& mode);

struct DemoOptions {
  std::string output_dir = "runs/demo";
  uint64_t seed = 0;
  std::string mode = "quick";            ///< tiny | quick | full
  std::vector<std::string> overrides;    ///< `--set` keys applied to the config of every RL run
  bool plots = true;
  bool progress_bar = true;
};

/// One test-time training method of the comparison.
struct Method {
  std::string key;     ///< results.json key and output subdirectory: ttrl | dare | grpo_gt
  std::string name;    ///< "TTRL", "DARE", "GT-GRPO" (plot legends; the table says "w/ <name>")
  std::string reward;  ///< reward.name
  bool uses_labels;    ///< whether the reward sees the true answers
};
const std::vector<Method>& demo_methods();

/// What a finished demo produced.
struct DemoResult {
  int64_t k = 16;
  eval::Summary base;
  std::map<std::string, eval::Summary> methods;          ///< by Method::key
  std::map<std::string, std::string> metrics_files;      ///< by Method::key: the run's metrics.jsonl
  std::map<std::string, double> seconds;                 ///< phase -> wall seconds ("sft", "eval_base", "ttrl", ...)
  std::string test_file, base_checkpoint;
};

/// Runs every step into options.output_dir: data/{sft,test}.jsonl, base/ (the SFT checkpoint, sft_metrics.jsonl,
/// eval.json), <method>/ (the run: metrics.jsonl, checkpoints, eval.json).
DemoResult run_demo(const DemoOptions& options, const DemoScale& scale);

}  // namespace ttrl::cli::demo
