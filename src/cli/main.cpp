// ttrl: test-time reinforcement learning of language models. The dispatcher only: each subcommand is one file.
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/command.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/core/logging.hpp"
#include "ttrl/version.hpp"

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
  cli::add_eval_command(app, slot);
  cli::add_generate_command(app, slot);
  cli::add_score_command(app, slot);
  cli::add_tokenize_command(app, slot);
  cli::add_grade_command(app, slot);
  cli::add_reward_command(app, slot);
  cli::add_demo_command(app, slot);
  cli::add_sft_command(app, slot);
  cli::add_config_command(app, slot);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);  // --help prints and returns 0; usage errors return non-zero
  }
  try {
    init_logging(log_level);
    return slot.run ? slot.run() : kExitUsage;
  } catch (const ConfigError& e) {
    spdlog::error("{}", e.what());
    return kExitUsage;
  } catch (const Error& e) {
    spdlog::error("{}", e.what());
    return kExitFailure;
  } catch (const std::exception& e) {
    spdlog::error("internal error: {}", e.what());
    return kExitFailure;
  }
}
