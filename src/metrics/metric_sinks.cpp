// JSONL metric sink, fan-out and the factory the trainer calls. The TensorBoard sink is in tensorboard_writer.cpp.
#include "ttrl/metrics/metric_sinks.hpp"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/core/jsonl.hpp"

namespace ttrl::metrics {
namespace fs = std::filesystem;

namespace {

double unix_seconds_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void create_parent_directories(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throw IoError("cannot create directory '" + parent.string() + "': " + ec.message());
}

/// {"step": N, "time": t, name: value (null when not finite), ...} on one line, no trailing newline.
std::string jsonl_line(const StepMetrics& metrics, double time) {
  nlohmann::ordered_json line;
  line["step"] = metrics.step;
  line["time"] = time;
  for (const auto& [name, value] : metrics.values) {
    if (name == "step" || name == "time")
      throw Error("metric name '" + name + "' is reserved in the metrics JSONL file");
    line[name] = std::isfinite(value) ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
  }
  return line.dump();
}

/// True when `line` has an integer "step" that is <= max_step.
bool keep_line(const nlohmann::json& line, int64_t max_step) {
  const auto step = line.find("step");
  return step != line.end() && step->is_number_integer() && step->get<int64_t>() <= max_step;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------- JSONL

JsonlMetricSink::JsonlMetricSink(std::string path, bool append) : path_(std::move(path)) {
  create_parent_directories(path_);
  open(append);
}

void JsonlMetricSink::open(bool append) {
  out_.open(path_, append ? std::ios::app : std::ios::trunc);
  if (!out_) throw IoError("cannot open metrics file '" + path_ + "': " + std::strerror(errno));
}

void JsonlMetricSink::write(const StepMetrics& metrics) {
  out_ << jsonl_line(metrics, unix_seconds_now()) << '\n';
  out_.flush();
  if (!out_) throw IoError("cannot write metrics file '" + path_ + "'");
}

void JsonlMetricSink::flush() {
  out_.flush();
  if (!out_) throw IoError("cannot flush metrics file '" + path_ + "'");
}

void JsonlMetricSink::truncate_after(int64_t max_step) {
  out_.close();
  std::istringstream in(read_text_file(path_));
  std::string kept;
  JsonlOptions options;
  options.skip_malformed = true;  // a line torn by a crash is dropped
  read_jsonl(in, path_, [&](const nlohmann::json& object, const JsonlLine& line) {
    if (keep_line(object, max_step)) kept.append(line.text).append("\n");
  }, options);
  write_file_atomic(path_, kept);
  open(/*append=*/true);
}

// ---------------------------------------------------------------------------------------------------- fan-out

void MultiSink::write(const StepMetrics& metrics) {
  for (auto& sink : sinks_) sink->write(metrics);
}

void MultiSink::flush() {
  for (auto& sink : sinks_) sink->flush();
}

// ---------------------------------------------------------------------------------------------------- factory

std::unique_ptr<MultiSink> make_metric_sinks(const std::string& output_dir, const std::string& metrics_file,
                                             bool tensorboard, std::optional<int64_t> resume_step) {
  std::vector<std::unique_ptr<MetricSink>> sinks;
  if (!metrics_file.empty()) {
    const fs::path file(metrics_file);
    const std::string path = file.is_absolute() ? file.string() : (fs::path(output_dir) / file).string();
    auto jsonl = std::make_unique<JsonlMetricSink>(path, /*append=*/resume_step.has_value());
    if (resume_step) jsonl->truncate_after(*resume_step);
    sinks.push_back(std::move(jsonl));
  }
  if (tensorboard) {
    sinks.push_back(std::make_unique<TensorBoardSink>((fs::path(output_dir) / "tensorboard").string(), resume_step));
  }
  return std::make_unique<MultiSink>(std::move(sinks));
}

}  // namespace ttrl::metrics
