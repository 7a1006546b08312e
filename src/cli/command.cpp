#include "cli/command.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <limits>

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

CLI::Validator finite_number(double min, double max, bool min_exclusive) {
  const bool bounded_above = max < std::numeric_limits<double>::max();
  const std::string range = bounded_above ? fmt::format("in {}{}, {}]", min_exclusive ? "(" : "[", min, max)
                                          : fmt::format("{} {}", min_exclusive ? ">" : ">=", min);
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        const bool parsed = !text.empty() && end == text.c_str() + text.size();
        const bool in_range = (min_exclusive ? value > min : value >= min) && value <= max;
        if (parsed && std::isfinite(value) && in_range) return "";
        return fmt::format("expected a finite number {}, got '{}'", range, text);
      },
      "FLOAT " + range);
}

void not_available(const std::string& command, const std::string& issue) {
  throw NotAvailableError("ttrl " + command + " is not available yet (" + issue + ")");
}

}  // namespace ttrl::cli
