// `ttrl config`: prints a run configuration resolved (file + --set + defaults), with each key's documentation.
#include <fmt/format.h>

#include <iostream>

#include "cli/command.hpp"

namespace ttrl::cli {

void add_config_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("config", "Print the resolved configuration: every key, its value and documentation");
  cmd->footer(
      "Examples:\n"
      "  ttrl config                                   all defaults, documented\n"
      "  ttrl config -c configs/smoke.yaml --set rollout.temperature=0.6\n"
      "  ttrl config --keys                            one line per key: type, default, allowed values");
  auto options = std::make_shared<ConfigOptions>();
  auto keys_only = std::make_shared<bool>(false);
  auto plain = std::make_shared<bool>(false);
  add_config_options(cmd, *options, false);
  cmd->add_flag("--keys", *keys_only, "list the keys as a table instead of YAML");
  cmd->add_flag("--plain", *plain, "YAML without documentation comments");
  cmd->callback([&slot, options, keys_only, plain] {
    slot.run = [options, keys_only, plain] {
      const RunConfig config = load_run_config(*options);
      if (*keys_only) {
        for (const auto& key : config_keys())
          std::cout << fmt::format("{:<36} {:<16} {:<14} {:<40} {}\n", key.path, key.type, key.default_value,
                                   key.constraint, key.doc);
      } else {
        std::cout << to_yaml(config, !*plain);
      }
      return 0;
    };
  });
}

}  // namespace ttrl::cli
