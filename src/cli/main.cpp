// ttrl: test-time reinforcement learning of language models. The dispatcher only: each subcommand is one file.
#include <c10/util/Exception.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/core/launch_env.hpp"
#include "ttrl/core/logging.hpp"
#include "ttrl/core/nearest_name.hpp"
#include "ttrl/version.hpp"

namespace {

/// The first word of the command line that is not an option of `ttrl` itself (the subcommand), or "".
std::string command_word(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--log-level") {
      ++i;  // its value
      continue;
    }
    if (!arg.empty() && arg[0] != '-') return arg;
  }
  return "";
}

/// "ttrl trian": CLI11 would only say that an argument was not expected. Name the word and the nearest subcommand.
bool report_unknown_subcommand(const CLI::App& app, int argc, char** argv) {
  const std::string word = command_word(argc, argv);
  if (word.empty()) return false;
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
  if (std::find(names.begin(), names.end(), word) != names.end()) return false;
  std::cerr << "ttrl: unknown subcommand '" << word << "' (did you mean '" << ttrl::nearest_name(word, names)
            << "'?); run 'ttrl --help' for the list\n";
  return true;
}

/// Commands other than train and eval run as one process: under a multi-process launch every rank would do the
/// whole job alone and write the same outputs. Refuse, naming the variables.
void refuse_multi_process_launch(const std::string& command, const ttrl::LaunchEnv& env) {
  if (!env.multi_process() || command == "train" || command == "eval") return;
  throw ttrl::ConfigError(fmt::format(
      "ttrl {}: this process is rank {} of {} ({} launch), but only 'ttrl train' and 'ttrl eval' run as several "
      "processes: each would do the whole job and write the same files. Launch one process (torchrun "
      "--nproc-per-node 1, or without a launcher)", command, env.rank, env.world_size, env.launcher));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ttrl;
  CLI::App app{"ttrl " TTRL_VERSION_STRING
               " - test-time reinforcement learning (TTRL, DARE) of language models on LibTorch.\n"
               "Samples many answers to unlabeled questions, rewards them by majority vote or DARE, and\n"
               "trains the same model in place with GRPO.\n\n"
               "  ttrl demo --quick                          the whole method on a tiny model, CPU, minutes\n"
               "  ttrl train -c configs/smoke.yaml           a training run from a YAML config\n"
               "  ttrl config -c run.yaml --set rollout.n_vote=16   print the resolved config with docs\n"};
  app.require_subcommand(1);
  app.set_version_flag("--version", TTRL_VERSION_STRING);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();

  cli::CommandSlot slot;
  cli::add_train_command(app, slot);
  cli::add_plan_command(app, slot);
  cli::add_eval_command(app, slot);
  cli::add_generate_command(app, slot);
  cli::add_score_command(app, slot);
  cli::add_tokenize_command(app, slot);
  cli::add_grade_command(app, slot);
  cli::add_reward_command(app, slot);
  cli::add_demo_command(app, slot);
  cli::add_sft_command(app, slot);
  cli::add_config_command(app, slot);

  if (report_unknown_subcommand(app, argc, argv)) return kExitUsage;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);  // --help prints and returns 0; usage errors return non-zero
  }
  try {
    init_logging(log_level);
    const LaunchEnv launch = read_launch_env();
    if (launch.multi_process()) init_logging(log_level, launch.rank, launch.world_size);
    refuse_multi_process_launch(command_word(argc, argv), launch);
    return slot.run ? slot.run() : kExitUsage;
  } catch (const ConfigError& e) {
    spdlog::error("{}", e.what());
    return kExitUsage;
  } catch (const Error& e) {
    spdlog::error("{}", e.what());
    return kExitFailure;
  } catch (const c10::Error& e) {  // a LibTorch check that no ttrl check caught first; the backtrace helps no user
    spdlog::error("LibTorch: {}", e.what_without_backtrace());
    return kExitFailure;
  } catch (const std::bad_alloc&) {
    spdlog::error("out of memory (std::bad_alloc) in 'ttrl {}': a size in the input or the config is too large for "
                  "this machine", command_word(argc, argv));
    return kExitFailure;
  } catch (const std::exception& e) {
    spdlog::error("internal error: {}", e.what());
    return kExitFailure;
  }
}
