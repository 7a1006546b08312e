#pragma once
// A progress bar on stderr for long work (sampling, training, evaluation). On a terminal it redraws one line;
// otherwise (CI logs, pipes) it prints a plain line at most every `plain_interval_s` seconds and at the end.
#include <chrono>
#include <cstdint>
#include <string>

namespace ttrl {

class ProgressBar {
 public:
  /// total: units of work (0 = unknown); label: what is counted ("tokens", "steps").
  ProgressBar(std::string label, int64_t total, bool enabled = true, double plain_interval_s = 10.0);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  /// Advances by `units` and sets the free-form status shown after the bar (e.g. "reward 0.41 | 812 tok/s").
  void advance(int64_t units, const std::string& status = "");
  void set_status(const std::string& status);
  /// Draws the final state and a newline; called by the destructor if not called before.
  void finish();

  int64_t done() const { return done_; }
  double elapsed_seconds() const;

 private:
  void draw(bool force);
  std::string label_, status_;
  int64_t total_, done_ = 0;
  bool enabled_, tty_, finished_ = false;
  double plain_interval_s_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace ttrl
