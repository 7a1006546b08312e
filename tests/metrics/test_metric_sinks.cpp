#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/crc32c.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/metrics/metric_sinks.hpp"

namespace {
namespace fs = std::filesystem;
using namespace ttrl::metrics;
using ttrl::masked_crc32c;
using nlohmann::json;

/// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("ttrl_metric_sinks_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::vector<json> read_jsonl(const std::string& path) {
  std::vector<json> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

StepMetrics metrics(int64_t step, double reward) { return {step, {{"reward/mean", reward}, {"lr", 5e-7}}}; }

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

uint64_t read_le(const std::string& bytes, size_t at, int n) {
  uint64_t value = 0;
  for (int i = 0; i < n; ++i) value |= uint64_t{static_cast<uint8_t>(bytes.at(at + i))} << (8 * i);
  return value;
}

// ---------------------------------------------------------------------------------------------------- JSONL

TEST(JsonlMetricSink, LinesParseBackWithStepTimeAndValues) {
  TempDir dir;
  const std::string path = dir.file("sub/metrics.jsonl");  // parent directories are created
  const double before = now_seconds();
  {
    JsonlMetricSink sink(path, /*append=*/false);
    sink.write({1, {{"reward/mean", 0.25}, {"actor/pg_loss", -1.5e-3}, {"lr", 5e-7}}});
    sink.write(metrics(2, 0.75));
    // Flushed per line: readable before the sink is closed.
    EXPECT_EQ(read_jsonl(path).size(), 2u);
  }
  const auto lines = read_jsonl(path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["step"].get<int64_t>(), 1);
  EXPECT_EQ(lines[0]["reward/mean"].get<double>(), 0.25);
  EXPECT_EQ(lines[0]["actor/pg_loss"].get<double>(), -1.5e-3);
  EXPECT_EQ(lines[0]["lr"].get<double>(), 5e-7);
  EXPECT_EQ(lines[1]["step"].get<int64_t>(), 2);
  EXPECT_EQ(lines[1]["reward/mean"].get<double>(), 0.75);
  const double time = lines[0]["time"].get<double>();
  EXPECT_GE(time, before - 1);
  EXPECT_LE(time, now_seconds() + 1);
  // "step" and "time" come first.
  std::ifstream in(path);
  std::string first;
  std::getline(in, first);
  EXPECT_EQ(first.rfind("{\"step\":1,\"time\":", 0), 0u) << first;
}

TEST(JsonlMetricSink, NonFiniteValuesAreNull) {
  TempDir dir;
  const std::string path = dir.file("metrics.jsonl");
  {
    JsonlMetricSink sink(path, false);
    sink.write({3,
                {{"a", std::numeric_limits<double>::quiet_NaN()},
                 {"b", std::numeric_limits<double>::infinity()},
                 {"c", -std::numeric_limits<double>::infinity()},
                 {"d", 1.0}}});
  }
  const auto lines = read_jsonl(path);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0]["a"].is_null());
  EXPECT_TRUE(lines[0]["b"].is_null());
  EXPECT_TRUE(lines[0]["c"].is_null());
  EXPECT_EQ(lines[0]["d"].get<double>(), 1.0);
}

TEST(JsonlMetricSink, ReservedNamesAreRejected) {
  TempDir dir;
  JsonlMetricSink sink(dir.file("metrics.jsonl"), false);
  EXPECT_THROW(sink.write({1, {{"step", 1.0}}}), ttrl::Error);
  EXPECT_THROW(sink.write({1, {{"time", 1.0}}}), ttrl::Error);
}

TEST(JsonlMetricSink, AppendKeepsAndFreshTruncates) {
  TempDir dir;
  const std::string path = dir.file("metrics.jsonl");
  { JsonlMetricSink(path, false).write(metrics(1, 0.1)); }
  { JsonlMetricSink(path, true).write(metrics(2, 0.2)); }
  EXPECT_EQ(read_jsonl(path).size(), 2u);
  { JsonlMetricSink(path, false).write(metrics(1, 0.3)); }
  const auto lines = read_jsonl(path);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["reward/mean"].get<double>(), 0.3);
}

TEST(JsonlMetricSink, TruncateAfterKeepsStepsUpToNAndDropsTornLines) {
  TempDir dir;
  const std::string path = dir.file("metrics.jsonl");
  {
    JsonlMetricSink sink(path, false);
    for (int64_t step = 1; step <= 5; ++step) sink.write(metrics(step, 0.1 * step));
  }
  { std::ofstream(path, std::ios::app) << "{\"step\": 6, \"reward/me"; }  // a line torn by a crash
  JsonlMetricSink sink(path, /*append=*/true);
  sink.truncate_after(3);
  sink.write(metrics(4, 9.0));  // still writable after the rewrite
  const auto lines = read_jsonl(path);
  ASSERT_EQ(lines.size(), 4u);
  for (int64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(lines[i]["step"].get<int64_t>(), i + 1);
    EXPECT_EQ(lines[i]["reward/mean"].get<double>(), 0.1 * (i + 1));
  }
  EXPECT_EQ(lines[3]["step"].get<int64_t>(), 4);
  EXPECT_EQ(lines[3]["reward/mean"].get<double>(), 9.0);
  for (const auto& entry : fs::directory_iterator(fs::path(path).parent_path()))
    EXPECT_EQ(entry.path().filename(), "metrics.jsonl") << "temp file left behind";
}

TEST(JsonlMetricSink, UnwritablePathThrowsIoErrorNamingIt) {
  TempDir dir;
  const std::string blocker = dir.file("blocker");
  { std::ofstream(blocker) << "a file, not a directory"; }
  try {
    JsonlMetricSink sink(blocker + "/metrics.jsonl", false);
    FAIL() << "expected IoError";
  } catch (const ttrl::IoError& e) {
    EXPECT_NE(std::string(e.what()).find(blocker), std::string::npos) << e.what();
  }
  try {
    JsonlMetricSink sink(dir.file(""), false);  // a directory
    FAIL() << "expected IoError";
  } catch (const ttrl::IoError& e) {
    EXPECT_NE(std::string(e.what()).find("metrics file"), std::string::npos) << e.what();
  }
}

// ---------------------------------------------------------------------------------------------------- TensorBoard

/// Splits a TFRecord file into its records, checking lengths and both masked CRCs.
std::vector<std::string> read_tfrecords(const std::string& path) {
  const std::string bytes = ttrl::read_text_file(path);
  std::vector<std::string> records;
  size_t at = 0;
  while (at < bytes.size()) {
    EXPECT_GE(bytes.size() - at, 16u) << "truncated record header";
    const uint64_t length = read_le(bytes, at, 8);
    EXPECT_EQ(read_le(bytes, at + 8, 4), masked_crc32c(bytes.substr(at, 8)));
    const std::string data = bytes.substr(at + 12, length);
    EXPECT_EQ(read_le(bytes, at + 12 + length, 4), masked_crc32c(data));
    records.push_back(data);
    at += 12 + length + 4;
  }
  return records;
}

std::string only_event_file(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path().string());
  EXPECT_EQ(files.size(), 1u);
  return files.empty() ? "" : files[0];
}

TEST(TensorBoardSink, RecordsAreFramedWithValidCrcs) {
  TempDir dir;
  const std::string tb = dir.file("tb");
  {
    TensorBoardSink sink(tb);
    EXPECT_EQ(fs::path(sink.path()).filename().string().rfind("events.out.tfevents.", 0), 0u) << sink.path();
    sink.write(metrics(1, 0.5));
    sink.write(metrics(2, 0.25));
  }
  const auto records = read_tfrecords(only_event_file(tb));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_NE(records[0].find("brain.Event:2"), std::string::npos);
  EXPECT_NE(records[1].find("reward/mean"), std::string::npos);
  // Event 1: wall_time (key 0x09 + 8 bytes), step (key 0x10, varint 1), summary (key 0x2a, length, ...).
  EXPECT_EQ(static_cast<uint8_t>(records[1][0]), 0x09);
  EXPECT_EQ(static_cast<uint8_t>(records[1][9]), 0x10);
  EXPECT_EQ(static_cast<uint8_t>(records[1][10]), 0x01);
  EXPECT_EQ(static_cast<uint8_t>(records[1][11]), 0x2a);
  // Summary.Value "lr" comes first (map order): key 0x0a, length, tag key 0x0a, length 2, "lr", float key 0x15.
  const std::string lr_value = std::string("\x0a\x02lr\x15", 5);
  const size_t at = records[1].find(lr_value);
  ASSERT_NE(at, std::string::npos);
  float lr = 0;
  std::memcpy(&lr, records[1].data() + at + lr_value.size(), 4);
  EXPECT_EQ(lr, 5e-7f);
}

TEST(TensorBoardSink, ResumeWritesSessionStartAtNextStep) {
  TempDir dir;
  const std::string tb = dir.file("tb");
  { TensorBoardSink sink(tb, int64_t{41}); }
  const auto records = read_tfrecords(only_event_file(tb));
  ASSERT_EQ(records.size(), 2u);
  // wall_time, step 42 (key 0x10, varint 42), session_log (field 7: key 0x3a, length 2, status key 0x08, START 1).
  EXPECT_EQ(records[1].substr(9), std::string("\x10\x2a\x3a\x02\x08\x01", 6));
}

TEST(TensorBoardSink, UncreatableDirectoryThrowsIoError) {
  TempDir dir;
  const std::string blocker = dir.file("blocker");
  { std::ofstream(blocker) << "x"; }
  EXPECT_THROW(TensorBoardSink(blocker + "/tb"), ttrl::IoError);
}

// ---------------------------------------------------------------------------------------------------- factory

TEST(MakeMetricSinks, FreshRunThenResume) {
  TempDir dir;
  const std::string out = dir.file("run");
  {
    auto sinks = make_metric_sinks(out, "metrics.jsonl", /*tensorboard=*/true, std::nullopt);
    EXPECT_EQ(sinks->size(), 2u);
    for (int64_t step = 1; step <= 4; ++step) sinks->write(metrics(step, 1.0));
    sinks->flush();
  }
  EXPECT_EQ(read_jsonl(out + "/metrics.jsonl").size(), 4u);
  EXPECT_TRUE(fs::is_directory(out + "/tensorboard"));
  {
    auto sinks = make_metric_sinks(out, "metrics.jsonl", /*tensorboard=*/false, int64_t{2});
    EXPECT_EQ(sinks->size(), 1u);
    sinks->write(metrics(3, 7.0));
  }
  const auto lines = read_jsonl(out + "/metrics.jsonl");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2]["step"].get<int64_t>(), 3);
  EXPECT_EQ(lines[2]["reward/mean"].get<double>(), 7.0);
  // Absolute metrics path, no TensorBoard; empty metrics_file: no JSONL either.
  const std::string absolute = dir.file("elsewhere.jsonl");
  make_metric_sinks(out, absolute, false, std::nullopt)->write(metrics(1, 1.0));
  EXPECT_EQ(read_jsonl(absolute).size(), 1u);
  EXPECT_EQ(make_metric_sinks(out, "", false, std::nullopt)->size(), 0u);
}

}  // namespace
