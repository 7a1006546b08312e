// `ttrl plan`: per process, the memory of each part of a training run and whether it fits (train/memory_plan.hpp).
#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <iostream>

#include "cli/command.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/train/memory_plan.hpp"

namespace ttrl::cli {
namespace {

/// "80GiB", "141GB", "80G", "512MiB", "1e9": bytes. G/GiB and M/MiB are binary, GB and MB decimal.
double parse_byte_size(const std::string& text) {
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  std::string unit = text.substr(used);
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::vector<std::pair<std::string, double>> units = {
      {"", 1},         {"b", 1},         {"k", 1024.0},          {"kib", 1024.0},          {"kb", 1e3},
      {"m", 1048576.0}, {"mib", 1048576.0}, {"mb", 1e6},          {"g", 1073741824.0},      {"gib", 1073741824.0},
      {"gb", 1e9},     {"t", 1099511627776.0}, {"tib", 1099511627776.0}, {"tb", 1e12}};
  for (const auto& [name, scale] : units)
    if (used > 0 && unit == name && std::isfinite(value) && value > 0) return value * scale;
  throw ConfigError(fmt::format("--gpu-memory: '{}' is not a size (e.g. 80GiB, 141GB, 512MiB)", text));
}

}  // namespace

void add_plan_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("plan", "Memory plan of a training run per process: each part, the peak, whether it fits");
  cmd->footer(
      "Parts: runtime, policy, reference, float32 masters, AdamW moments (sharded over N processes with\n"
      "trainer.zero_stage 1), the KV cache and logits of sampling, gradients, activations per micro-batch (with and\n"
      "without model.gradient_checkpointing) and log-prob chunks of the update. Peak = always + max(sampling, update).\n\n"
      "Examples:\n"
      "  ttrl plan -c configs/ttrl/qwen2.5-math-7b-aime.yaml --set model.path=/models/Qwen2.5-Math-7B --gpu-memory 80GiB\n"
      "  ttrl plan -c run.yaml --nproc 8 --gpu-memory 141GB     8 processes, H200s\n"
      "  ttrl plan -c configs/smoke.yaml --json                 on this machine's CPU, as JSON");
  auto options = std::make_shared<ConfigOptions>();
  auto nproc = std::make_shared<int64_t>(1);
  auto gpu_memory = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  add_config_options(cmd, *options, /*config_required=*/true);
  cmd->add_option("--nproc", *nproc, "processes sharing each step (torchrun --nproc-per-node x --nnodes)")
      ->check(CLI::Range(int64_t{1}, int64_t{65536}))
      ->capture_default_str();
  cmd->add_option("--gpu-memory", *gpu_memory, "memory of one GPU (80GiB, 141GB): plan for GPUs; default: this host's CPU");
  cmd->add_flag("--json", *json, "print the plan as JSON");
  cmd->callback([&slot, options, nproc, gpu_memory, json] {
    slot.run = [options, nproc, gpu_memory, json] {
      const RunConfig config = load_run_config(*options);
      train::MemoryPlanOptions plan_options;
      plan_options.processes = *nproc;
      plan_options.gpu = !gpu_memory->empty();
      plan_options.device_bytes = gpu_memory->empty() ? 0 : parse_byte_size(*gpu_memory);
      const auto plan = train::plan_memory(config, plan_options);
      std::cout << (*json ? train::plan_json(plan) + "\n" : train::format_plan(plan));
      return 0;
    };
  });
}

}  // namespace ttrl::cli
