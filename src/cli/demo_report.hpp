#pragma once
// `ttrl demo`, the outputs: results.json, the comparison table (the TTRL paper's shape: base, each method, its
// delta), and PNG curves over training steps drawn by scripts/plot_metrics.py when the project's Python exists.
#include <nlohmann/json.hpp>

#include <string>

#include "cli/demo_pipeline.hpp"

namespace ttrl::cli::demo {

/// {"base": {"avg@k": .., "maj@k": .., "pass@k": ..}, "ttrl": {..}, "dare": {..}, "grpo_gt": {..}, "settings": {..},
///  "seconds": {..}, "files": {..}}; accuracies in percent.
nlohmann::json results_json(const DemoResult& result, const DemoOptions& options, const DemoScale& scale);

/// Markdown: one row per model (base, then each method followed by its delta to the base), columns avg@k, maj@k,
/// pass@k; then a sentence per claim of the paper the demo checks.
std::string results_table(const DemoResult& result);

/// Markdown for `--rewards`: one row per method with its reward and estimator, avg@k, maj@k, pass@k, and the means
/// over its training steps of label accuracy, reward accuracy and response length, and its wall time.
std::string comparison_table(const DemoResult& result);

/// The metrics the demo plots, one PNG each, the runs overlaid.
std::vector<std::string> plotted_metrics(int64_t k);

/// The shell command that draws the plots into `plots_dir`, with `python` as the interpreter.
std::string plot_command(const std::string& python, const std::string& script, const DemoResult& result,
                         const std::string& plots_dir);

/// Draws the plots when a Python with the plotting script is found (the repository's .venv, looked up from the
/// working directory and from the executable's location); otherwise logs the command to run. Returns whether plots
/// were written.
bool write_plots(const DemoResult& result, const std::string& plots_dir);

}  // namespace ttrl::cli::demo
