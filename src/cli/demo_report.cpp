#include "cli/demo_report.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/headeronly/version.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>

namespace ttrl::cli::demo {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// "+12.3 (+45%)": the absolute change in points and, when the base is not 0, the relative change.
std::string delta_text(double value, double base) {
  std::string out = fmt::format("{:+.1f}", value - base);
  if (base > 0) out += fmt::format(" ({:+.0f}%)", 100.0 * (value - base) / base);
  return out;
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i > 0 ? separator : std::string()) + parts[i];
  return out;
}

/// Single-quoted for a POSIX shell.
std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// The directory of the running executable (Linux /proc/self/exe), if it can be read.
std::optional<fs::path> executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  return exe.parent_path();
}

/// A repository checkout holding scripts/plot_metrics.py: the working directory or an ancestor of the executable
/// (build/bin/ttrl -> the checkout).
std::optional<fs::path> find_repository() {
  std::vector<fs::path> candidates = {fs::current_path()};
  if (auto dir = executable_dir())
    for (fs::path p = *dir; !p.empty() && p != p.root_path(); p = p.parent_path()) candidates.push_back(p);
  for (const auto& root : candidates)
    if (fs::exists(root / "scripts" / "plot_metrics.py")) return root;
  return std::nullopt;
}

/// Today's date in UTC, "2026-12-04".
std::string utc_date() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
  return text;
}

}  // namespace

json results_json(const DemoResult& r, const DemoOptions& o, const DemoScale& s) {
  json out;
  out["base"] = eval::summary_json(r.base, r.k);
  for (const auto& [key, summary] : r.methods) {
    out[key] = eval::summary_json(summary, r.k);
    if (auto stats = r.stats.find(key); stats != r.stats.end()) {
      const RunStats& st = stats->second;
      out[key]["train"] = {{"label_accuracy", st.label_accuracy ? json(*st.label_accuracy) : json()},
                           {"reward_accuracy", st.reward_accuracy ? json(*st.reward_accuracy) : json()},
                           {"response_length", st.response_length}};
    }
  }
  json methods = json::array();
  for (const auto& m : r.run_methods)
    methods.push_back({{"key", m.key}, {"name", m.name}, {"reward", m.reward}, {"adv_estimator", m.estimator},
                       {"kl_coef", m.kl_coef}, {"uses_labels", m.uses_labels}, {"settings", m.settings}});
  out["methods"] = methods;
  out["settings"] = {{"mode", s.mode},
                     {"seed", o.seed},
                     {"test_problems", s.test_problems},
                     {"sft_problems", s.sft_problems},
                     {"task", {{"min_terms", s.task.min_terms}, {"max_terms", s.task.max_terms},
                               {"max_term", s.task.max_term}, {"slip_rate", s.task.slip_rate}}},
                     {"sft_steps", s.sft_steps},
                     {"sft_lr", s.sft_lr},
                     {"model", {{"hidden_size", s.hidden_size}, {"num_layers", s.num_layers}, {"num_heads", s.num_heads}}},
                     {"rl", {{"steps", s.rl_steps}, {"prompts_per_step", s.prompts_per_step}, {"n_vote", s.n_vote},
                             {"n_train", s.n_train}, {"lr", s.rl_lr}, {"temperature", s.rl_temperature}}},
                     {"eval", {{"k", s.eval_k}, {"temperature", s.eval_temperature}, {"top_p", s.eval_top_p},
                               {"max_new_tokens", s.max_new_tokens}}},
                     {"overrides", o.overrides}};
  out["machine"] = {{"cpu_model", r.machine.cpu_model},
                    {"avx512", r.machine.avx512},
                    {"threads", 1},
                    {"aten_cpu_capability", r.machine.aten_capability},
                    {"mkl_cbwr", r.machine.mkl_cbwr},
                    {"onednn_max_cpu_isa", r.machine.onednn_max_isa},
                    {"torch", fmt::format("{}.{}.{}", TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR, TORCH_VERSION_PATCH)}};
  out["date"] = utc_date();
  out["seconds"] = r.seconds;
  json files = {{"test", r.test_file}, {"base_checkpoint", r.base_checkpoint}};
  for (const auto& [key, path] : r.metrics_files) files[key + "_metrics"] = path;
  out["files"] = files;
  return out;
}

std::string comparison_table(const DemoResult& r) {
  const int64_t k = r.k;
  auto percent = [](const std::optional<double>& v) { return v ? fmt::format("{:.1f}", 100.0 * *v) : std::string("-"); };
  std::string out = fmt::format(
      "| method | reward | estimator | avg@{0} | maj@{0} | pass@{0} | label acc. | reward acc. | length | time (s) |\n"
      "|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n", k);
  out += fmt::format("| base (SFT warm start) | - | - | {:.1f} | {:.1f} | {:.1f} | - | - | - | - |\n", r.base.avg_at_k,
                     r.base.maj_at_k, r.base.pass_at_k);
  for (const auto& m : r.run_methods) {
    const auto it = r.methods.find(m.key);
    if (it == r.methods.end()) continue;
    const auto& s = it->second;
    const RunStats stats = r.stats.count(m.key) ? r.stats.at(m.key) : RunStats{};
    const double seconds = r.seconds.count(m.key) ? r.seconds.at(m.key) : 0.0;
    out += fmt::format("| {}{} | {} | {}{} | {:.1f} | {:.1f} | {:.1f} | {} | {} | {:.1f} | {:.0f} |\n", m.name,
                       m.uses_labels ? " (true labels)" : "", m.reward, m.estimator,
                       m.kl_coef > 0 ? fmt::format(" (KL {})", m.kl_coef) : "", s.avg_at_k, s.maj_at_k, s.pass_at_k,
                       percent(stats.label_accuracy), percent(stats.reward_accuracy), stats.response_length, seconds);
  }
  out += "\nlabel acc.: share of training groups whose pseudo-label is the true answer; reward acc.: share of rollouts\n"
         "whose reward (>= 0.5 read as rewarded) agrees with the true answer (neither applies to INTUITOR and RENT,\n"
         "whose rewards judge no answer); length: mean response tokens; the three are means over the training steps;\n"
         "time: wall seconds of the run, its evaluations included.\n";
  return out;
}

std::string results_table(const DemoResult& r) {
  const int64_t k = r.k;
  std::string out = fmt::format("| model | avg@{0} | maj@{0} | pass@{0} |\n|---|---:|---:|---:|\n", k);
  out += fmt::format("| base (SFT warm start) | {:.1f} | {:.1f} | {:.1f} |\n", r.base.avg_at_k, r.base.maj_at_k,
                     r.base.pass_at_k);
  for (const auto& m : r.run_methods) {
    const auto it = r.methods.find(m.key);
    if (it == r.methods.end()) continue;
    const auto& s = it->second;
    out += fmt::format("| w/ {}{} | {:.1f} | {:.1f} | {:.1f} |\n", m.name, m.uses_labels ? " (true labels)" : "",
                       s.avg_at_k, s.maj_at_k, s.pass_at_k);
    out += fmt::format("| &nbsp;&nbsp;delta | {} | {} | {} |\n", delta_text(s.avg_at_k, r.base.avg_at_k),
                       delta_text(s.maj_at_k, r.base.maj_at_k), delta_text(s.pass_at_k, r.base.pass_at_k));
  }
  const auto ttrl = r.methods.find("ttrl");
  if (ttrl == r.methods.end()) return out;
  const double ttrl_avg = ttrl->second.avg_at_k;
  out += fmt::format("\nTTRL, without labels: avg@{0} {1:+.1f} points over the base; {2:.1f} points {3} the base's "
                     "maj@{0} (the vote of {0} base samples).\n",
                     k, ttrl_avg - r.base.avg_at_k, std::abs(ttrl_avg - r.base.maj_at_k),
                     ttrl_avg > r.base.maj_at_k ? "above" : "not above");
  const auto dare = r.methods.find("dare");
  if (dare != r.methods.end())
    out += fmt::format("DARE avg@{} is {:.1f} points {} TTRL's.\n", k, std::abs(dare->second.avg_at_k - ttrl_avg),
                       dare->second.avg_at_k >= ttrl_avg ? "above" : "below");
  return out;
}

std::vector<std::string> plotted_metrics(int64_t k) {
  return {fmt::format("eval/avg@{}", k), fmt::format("eval/maj@{}", k), "ttrl/label_accuracy", "ttrl/reward_accuracy",
          "entropy/mean", "reward/mean"};
}

std::string plot_command(const std::string& python, const std::string& script, const DemoResult& r,
                         const std::string& plots_dir) {
  std::vector<std::string> files, labels;
  for (const auto& m : r.run_methods) {
    const auto it = r.metrics_files.find(m.key);
    if (it == r.metrics_files.end()) continue;
    files.push_back(shell_quote(it->second));
    labels.push_back(m.name);
  }
  return fmt::format("{} {} {} --labels {} --keys {} --out {}", shell_quote(python), shell_quote(script),
                     join(files, " "), shell_quote(join(labels, ",")), shell_quote(join(plotted_metrics(r.k), ",")),
                     shell_quote(plots_dir));
}

bool write_plots(const DemoResult& r, const std::string& plots_dir) {
  const auto repo = find_repository();
  const fs::path python = repo ? *repo / ".venv" / "bin" / "python" : fs::path();
  if (!repo || !fs::exists(python)) {
    spdlog::warn("plots: no scripts/plot_metrics.py with its .venv found (run scripts/setup.sh); draw them with:\n  {}",
                 plot_command("python3", "scripts/plot_metrics.py", r, plots_dir));
    return false;
  }
  const std::string command =
      plot_command(python.string(), (*repo / "scripts" / "plot_metrics.py").string(), r, plots_dir) + " > /dev/null";
  if (std::system(command.c_str()) != 0) {
    spdlog::warn("plots: the plotting command failed:\n  {}", command);
    return false;
  }
  return true;
}

}  // namespace ttrl::cli::demo
