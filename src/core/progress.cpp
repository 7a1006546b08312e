#include "ttrl/core/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace ttrl {
namespace {

std::string format_duration(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "--:--";
  const auto s = static_cast<int64_t>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60) : fmt::format("{:02}:{:02}", s / 60, s % 60);
}

}  // namespace

ProgressBar::ProgressBar(std::string label, int64_t total, bool enabled, double plain_interval_s)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled),
      tty_(::isatty(STDERR_FILENO) == 1),
      plain_interval_s_(plain_interval_s),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() {
  if (!finished_) finish();
}

double ProgressBar::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressBar::advance(int64_t units, const std::string& status) {
  done_ += units;
  if (!status.empty()) status_ = status;
  draw(false);
}

void ProgressBar::set_status(const std::string& status) {
  status_ = status;
  draw(false);
}

void ProgressBar::finish() {
  if (finished_) return;
  draw(true);
  if (enabled_ && tty_) std::fputc('\n', stderr);
  finished_ = true;
}

void ProgressBar::draw(bool force) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double since_last = std::chrono::duration<double>(now - last_draw_).count();
  if (!force && since_last < (tty_ ? 0.1 : plain_interval_s_)) return;
  last_draw_ = now;
  const double elapsed = elapsed_seconds();
  const double rate = elapsed > 0 ? done_ / elapsed : 0;
  std::string line;
  if (total_ > 0) {
    const double fraction = std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_));
    const int width = 24, filled = static_cast<int>(fraction * width);
    const double eta = rate > 0 ? (total_ - done_) / rate : -1;
    line = fmt::format("{} [{}{}] {}/{} {:3.0f}% {} eta {}", label_, std::string(filled, '#'), std::string(width - filled, '.'),
                       done_, total_, 100 * fraction, format_duration(elapsed), format_duration(eta));
  } else {
    line = fmt::format("{} {} {}", label_, done_, format_duration(elapsed));
  }
  if (!status_.empty()) line += " | " + status_;
  if (tty_) std::fprintf(stderr, "\r\033[K%s", line.c_str());
  else std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

}  // namespace ttrl
