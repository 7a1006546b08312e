// `ttrl demo`: the whole method offline on a tiny model, on a CPU: base vs TTRL vs DARE vs GT-GRPO.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

#include "cli/command.hpp"
#include "cli/demo_pipeline.hpp"
#include "cli/demo_report.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/model/cpu_code_paths.hpp"

namespace ttrl::cli {
namespace {

struct DemoCli {
  demo::DemoOptions options;
  bool quick = false, tiny = false, no_plots = false, no_progress = false;
  std::string rewards;  ///< --rewards LIST
};

int run_demo_command(const DemoCli& cli) {
  demo::DemoOptions options = cli.options;
  options.mode = cli.tiny ? "tiny" : cli.quick ? "quick" : "full";
  options.plots = !cli.no_plots;
  options.progress_bar = !cli.no_progress;
  if (!cli.rewards.empty()) {
    options.methods = demo::methods_from_list(cli.rewards);
    options.comparison = true;
  }
  const demo::DemoScale scale = demo::demo_scale(options.mode);
  // Before any tensor operation: the same kernels, hence the same numbers, on every x86-64 CPU with AVX2.
  model::pin_portable_cpu_code_paths();
  spdlog::info("demo ({} mode, seed {}) into {}", options.mode, options.seed, options.output_dir);
  const auto result = demo::run_demo(options, scale);

  const std::filesystem::path dir(options.output_dir);
  const std::string table = options.comparison ? demo::comparison_table(result) : demo::results_table(result);
  write_file_atomic((dir / "results.json").string(), demo::results_json(result, options, scale).dump(2) + "\n");
  write_file_atomic((dir / "table.md").string(), table);
  if (options.plots && demo::write_plots(result, (dir / "plots").string()))
    spdlog::info("plots: {}", (dir / "plots").string());
  double total = 0;
  for (const auto& [phase, seconds] : result.seconds) total += seconds;
  spdlog::info("results: {} and {} ({:.0f} s in all)", (dir / "results.json").string(), (dir / "table.md").string(), total);
  std::cout << table;
  return 0;
}

}  // namespace

void add_demo_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("demo", "Run the whole method offline on a tiny model: base vs TTRL vs DARE vs GT-GRPO");
  cmd->footer(
      "Offline, on a CPU, no download: generates an arithmetic task with worked solutions, warm-starts a tiny\n"
      "transformer by supervised training (the base model), evaluates it on held-out questions (avg@16, maj@16),\n"
      "then trains it on those questions without their answers with TTRL (majority vote) and with DARE, and with\n"
      "the answers (GRPO on the ground truth, the upper baseline), and evaluates each.\n"
      "Writes DIR/results.json, DIR/table.md (also printed), DIR/<run>/metrics.jsonl and DIR/plots/*.png.\n\n"
      "Examples:\n"
      "  ttrl demo --quick                          about 4 minutes on 2 cores\n"
      "  ttrl demo --output runs/demo --seed 1      the longer run, another seed\n"
      "  ttrl demo --quick --set trainer.lr=1e-3    override a key of the three RL runs' configs\n"
      "  ttrl demo --quick --rewards all            every label-free reward and RL on labels, one table\n"
      "  ttrl demo --quick --rewards ttrl,intuitor,grpo_gt\n\n"
      "--rewards keys: ttrl (majority_vote), dare, srt (soft_majority), empo, intuitor (self_certainty), rent\n"
      "(entropy), co_reward, rlpr (majority answer as reference), grpo_gt (GRPO on true answers), rlpr_gt (RLPR on\n"
      "true answers), reinforce_pp_gt (REINFORCE++), rloo_gt (RLOO).");
  auto cli = std::make_shared<DemoCli>();
  auto* quick = cmd->add_flag("--quick", cli->quick, "the short version (about 4 minutes on 2 CPU cores)");
  auto* tiny = cmd->add_flag("--tiny", cli->tiny, "seconds: exercises every step with toy sizes (for tests; no effect to see)");
  quick->excludes(tiny);
  cmd->add_option("--output", cli->options.output_dir, "output directory")->capture_default_str();
  cmd->add_flag("--overwrite", cli->options.overwrite, "write into --output even if ttrl demo did not write it");
  cmd->add_option("--seed", cli->options.seed, "seed of the task, the model and every sampling stream")->capture_default_str();
  cmd->add_option("--set", cli->options.overrides, "override a key of the RL runs' configs, e.g. --set trainer.lr=1e-3")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  cmd->add_option("--rewards", cli->rewards,
                  "compare these methods instead of TTRL, DARE and GT-GRPO: all, or keys separated by commas")
      ->type_name("LIST");
  cmd->add_flag("--no-plots", cli->no_plots, "do not draw the PNG curves");
  cmd->add_flag("--no-progress", cli->no_progress, "no progress bars");
  cmd->callback([&slot, cli] { slot.run = [cli] { return run_demo_command(*cli); }; });
}

}  // namespace ttrl::cli
