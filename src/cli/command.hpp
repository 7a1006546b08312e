#pragma once
// What every subcommand file provides: `void add_<name>_command(CLI::App&, CommandSlot&)` registers its options and,
// when parsed, stores the function that runs it. main() runs that function and maps errors to exit codes.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "ttrl/core/config.hpp"

namespace ttrl::cli {

struct CommandSlot {
  std::function<int()> run;  ///< set by the subcommand chosen on the command line
};

/// --config FILE and --set KEY=VALUE (repeatable), shared by the subcommands that read a run configuration.
struct ConfigOptions {
  std::string config_path;
  std::vector<std::string> overrides;
};

void add_config_options(CLI::App* command, ConfigOptions& options, bool config_required);
/// The configuration the options describe: the file with overrides, or the defaults with overrides.
RunConfig load_run_config(const ConfigOptions& options);

/// The largest sampling temperature a flag accepts (the range of rollout.temperature and eval.temperature).
inline constexpr double kMaxTemperature = 100;

/// A CLI11 check for a floating-point option: a finite number within [min, max] ((min, max] when min_exclusive).
/// CLI11's own range checks print their bounds with 309 digits and pass "nan"; this names the flag, the allowed
/// range in short form and what was given: "--temperature: expected a finite number >= 0, got 'inf'".
CLI::Validator finite_number(double min, double max, bool min_exclusive = false);

/// For subcommands whose implementation has not landed: fails with "not available yet" naming the issue.
[[noreturn]] void not_available(const std::string& command, const std::string& issue);

void add_config_command(CLI::App& app, CommandSlot& slot);
void add_train_command(CLI::App& app, CommandSlot& slot);
void add_plan_command(CLI::App& app, CommandSlot& slot);
void add_eval_command(CLI::App& app, CommandSlot& slot);
void add_generate_command(CLI::App& app, CommandSlot& slot);
void add_score_command(CLI::App& app, CommandSlot& slot);
void add_tokenize_command(CLI::App& app, CommandSlot& slot);
void add_grade_command(CLI::App& app, CommandSlot& slot);
void add_reward_command(CLI::App& app, CommandSlot& slot);
void add_demo_command(CLI::App& app, CommandSlot& slot);
void add_sft_command(CLI::App& app, CommandSlot& slot);

}  // namespace ttrl::cli
