#include "cli/command.hpp"

#include "ttrl/core/error.hpp"

namespace ttrl::cli {

void add_config_options(CLI::App* command, ConfigOptions& options, bool config_required) {
  auto* opt = command->add_option("-c,--config", options.config_path, "run configuration (YAML); see `ttrl config`");
  if (config_required) opt->required();
  command->add_option("--set", options.overrides,
                      "override one key, typed as YAML: --set rollout.n_vote=16 --set data.train_files=[a.json]")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
}

RunConfig load_run_config(const ConfigOptions& options) {
  return options.config_path.empty() ? default_config(options.overrides)
                                     : load_config(options.config_path, options.overrides);
}

void not_available(const std::string& command, const std::string& issue) {
  throw NotAvailableError("ttrl " + command + " is not available yet (" + issue + ")");
}

}  // namespace ttrl::cli
