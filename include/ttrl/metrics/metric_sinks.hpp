#pragma once
// Metric sinks: where the trainer's per-step scalars go (a JSONL file, TensorBoard event files, or both).
//
// Every step the trainer hands one StepMetrics (a flat map "group/name" -> value) to a MetricSink. Sinks write it
// out immediately and flush, so a crash loses no step that was already written. All I/O failures throw
// ttrl::IoError naming the path.
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ttrl::metrics {

/// The scalars logged for one optimizer step, e.g. {"reward/mean": 0.4, "actor/kl": 1e-3, "lr": 5e-7}.
struct StepMetrics {
  int64_t step = 0;
  std::map<std::string, double> values;
};

/// Destination of per-step metrics.
class MetricSink {
 public:
  virtual ~MetricSink() = default;
  virtual void write(const StepMetrics& metrics) = 0;
  virtual void flush() = 0;
};

/// One JSON object per line: {"step": N, "time": <unix seconds, fractional>, "<name>": value, ...}, keys after
/// "time" in name order; non-finite values are written as null. Each line is flushed as soon as it is written.
/// The names "step" and "time" are reserved: a metric with either name is an error (ttrl::Error).
class JsonlMetricSink : public MetricSink {
 public:
  /// append=false truncates an existing file; append=true (resume) keeps its lines. Creates parent directories.
  JsonlMetricSink(std::string path, bool append);

  void write(const StepMetrics& metrics) override;
  void flush() override;

  /// Rewrites the file keeping only the lines whose "step" is <= `max_step` (lines that do not parse as a JSON
  /// object with an integer "step", e.g. a line torn by a crash, are dropped too), atomically: temp file + rename.
  /// Used on resume, so that steps logged after the checkpoint being resumed are not listed twice.
  void truncate_after(int64_t max_step);

  const std::string& path() const { return path_; }

 private:
  void open(bool append);

  std::string path_;
  std::ofstream out_;
};

/// TensorBoard event file `<dir>/events.out.tfevents.<unix_time>.<hostname>`, written without protobuf or
/// TensorFlow: TFRecord framing around hand-encoded `Event` messages (see tensorboard_writer.cpp). The first record
/// is Event{file_version: "brain.Event:2"}; each write() appends Event{wall_time, step, summary{value{tag,
/// simple_value}}...}, the values as float32 (non-finite values are kept: TensorBoard shows them as NaN/inf).
class TensorBoardSink : public MetricSink {
 public:
  /// `resume_step`: when set, also writes Event{step: resume_step + 1, session_log: START}, which makes
  /// TensorBoard's reader drop the points with step > resume_step that an interrupted earlier run logged.
  explicit TensorBoardSink(const std::string& dir, std::optional<int64_t> resume_step = std::nullopt);

  void write(const StepMetrics& metrics) override;
  void flush() override;

  const std::string& path() const { return path_; }

 private:
  void write_record(const std::string& event);

  std::string path_;
  std::ofstream out_;
};

/// Fans each call out to every sink, in order.
class MultiSink : public MetricSink {
 public:
  explicit MultiSink(std::vector<std::unique_ptr<MetricSink>> sinks) : sinks_(std::move(sinks)) {}

  void write(const StepMetrics& metrics) override;
  void flush() override;

  size_t size() const { return sinks_.size(); }

 private:
  std::vector<std::unique_ptr<MetricSink>> sinks_;
};

/// The sinks a run configures:
///   - JSONL at `metrics_file` (relative paths are taken under `output_dir`; empty: no JSONL file);
///   - TensorBoard event files under `<output_dir>/tensorboard` when `tensorboard` is true.
/// `resume_step` set (a resumed run): the JSONL file is appended to after truncate_after(*resume_step), and the
/// TensorBoard file marks the restart. Unset: a fresh run, the JSONL file is truncated.
std::unique_ptr<MultiSink> make_metric_sinks(const std::string& output_dir, const std::string& metrics_file,
                                             bool tensorboard, std::optional<int64_t> resume_step);

}  // namespace ttrl::metrics
