// TensorBoard event files written by hand: no protobuf, no TensorFlow.
//
// An event file is a sequence of TFRecords, each one serialized `tensorflow.Event` protobuf message:
//   record  = uint64 length | uint32 masked_crc32c(length bytes) | data[length] | uint32 masked_crc32c(data)
//             (integers little-endian; masked CRC as in crc32c.hpp)
// The messages used here (field numbers from tensorflow/core/util/event.proto and framework/summary.proto):
//   Event         { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5;
//                   SessionLog session_log = 7; }
//   Summary       { repeated Value value = 1; }
//   Summary.Value { string tag = 1; float simple_value = 2; }
//   SessionLog    { SessionStatus status = 1; }   // START = 1
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <filesystem>
#include <string_view>

#include "core/crc32c.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/metrics/metric_sinks.hpp"

namespace ttrl::metrics {
namespace {

// ------------------------------------------------------------------------------ protobuf wire format encoder
// A message is a concatenation of fields; each field is key | payload with key = varint((field << 3) | wire_type).
// Wire types used: 0 varint, 1 fixed64 (8 bytes LE), 2 length-delimited (varint length | bytes), 5 fixed32.
class ProtoWriter {
 public:
  /// Varint: 7 bits per byte, least significant group first, high bit set on every byte but the last.
  void varint(uint64_t value) {
    while (value >= 0x80) {
      out_.push_back(static_cast<char>((value & 0x7F) | 0x80));
      value >>= 7;
    }
    out_.push_back(static_cast<char>(value));
  }

  /// int64/enum field (wire type 0); negative values are sign-extended to 64 bits (10 bytes), as protobuf does.
  void int64_field(int field, int64_t value) {
    key(field, 0);
    varint(static_cast<uint64_t>(value));
  }

  /// double field (wire type 1): the IEEE-754 bits, little-endian.
  void double_field(int field, double value) {
    uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    key(field, 1);
    little_endian(bits, 8);
  }

  /// float field (wire type 5): the IEEE-754 bits, little-endian.
  void float_field(int field, float value) {
    uint32_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    key(field, 5);
    little_endian(bits, 4);
  }

  /// string, bytes or embedded message (wire type 2): varint length, then the bytes.
  void bytes_field(int field, std::string_view bytes) {
    key(field, 2);
    varint(bytes.size());
    out_.append(bytes.data(), bytes.size());
  }

  const std::string& bytes() const { return out_; }

 private:
  void key(int field, int wire_type) { varint((static_cast<uint64_t>(field) << 3) | wire_type); }

  void little_endian(uint64_t value, int n_bytes) {
    for (int i = 0; i < n_bytes; ++i) out_.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
  }

  std::string out_;
};

// Field numbers (see the header comment).
constexpr int kEventWallTime = 1, kEventStep = 2, kEventFileVersion = 3, kEventSummary = 5, kEventSessionLog = 7;
constexpr int kSummaryValue = 1, kValueTag = 1, kValueSimpleValue = 2;
constexpr int kSessionLogStatus = 1, kSessionLogStart = 1;

double unix_seconds_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string file_version_event(double wall_time) {
  ProtoWriter event;
  event.double_field(kEventWallTime, wall_time);
  event.bytes_field(kEventFileVersion, "brain.Event:2");
  return event.bytes();
}

std::string session_start_event(double wall_time, int64_t step) {
  ProtoWriter session_log;
  session_log.int64_field(kSessionLogStatus, kSessionLogStart);
  ProtoWriter event;
  event.double_field(kEventWallTime, wall_time);
  event.int64_field(kEventStep, step);
  event.bytes_field(kEventSessionLog, session_log.bytes());
  return event.bytes();
}

std::string scalars_event(double wall_time, const StepMetrics& metrics) {
  ProtoWriter summary;
  for (const auto& [tag, value] : metrics.values) {
    ProtoWriter entry;
    entry.bytes_field(kValueTag, tag);
    entry.float_field(kValueSimpleValue, static_cast<float>(value));
    summary.bytes_field(kSummaryValue, entry.bytes());
  }
  ProtoWriter event;
  event.double_field(kEventWallTime, wall_time);
  event.int64_field(kEventStep, metrics.step);
  event.bytes_field(kEventSummary, summary.bytes());
  return event.bytes();
}

/// TFRecord framing of one serialized message (see the header comment).
std::string tfrecord(const std::string& data) {
  auto le = [](uint64_t value, int n_bytes) {
    std::string out;
    for (int i = 0; i < n_bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
    return out;
  };
  const std::string length = le(data.size(), 8);
  return length + le(masked_crc32c(length), 4) + data + le(masked_crc32c(data), 4);
}

/// The host name with anything but [A-Za-z0-9._-] replaced by '_' ("localhost" when unknown), for the file name.
std::string hostname_for_file_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  std::string out(name);
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == '_';
    if (!ok) c = '_';
  }
  return out;
}

}  // namespace

TensorBoardSink::TensorBoardSink(const std::string& dir, std::optional<int64_t> resume_step) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw IoError("cannot create TensorBoard directory '" + dir + "': " + ec.message());
  const double now = unix_seconds_now();
  const auto file_name = "events.out.tfevents." + std::to_string(static_cast<int64_t>(now)) + "." +
                         hostname_for_file_name();
  path_ = (std::filesystem::path(dir) / file_name).string();
  // Append: a restart within the same second reuses the name, and must not erase what the earlier run wrote.
  out_.open(path_, std::ios::binary | std::ios::app);
  if (!out_) throw IoError("cannot open TensorBoard event file '" + path_ + "': " + std::strerror(errno));
  write_record(file_version_event(now));
  if (resume_step) write_record(session_start_event(now, *resume_step + 1));
}

void TensorBoardSink::write(const StepMetrics& metrics) { write_record(scalars_event(unix_seconds_now(), metrics)); }

void TensorBoardSink::flush() {
  out_.flush();
  if (!out_) throw IoError("cannot flush TensorBoard event file '" + path_ + "'");
}

void TensorBoardSink::write_record(const std::string& event) {
  out_ << tfrecord(event);
  out_.flush();
  if (!out_) throw IoError("cannot write TensorBoard event file '" + path_ + "'");
}

}  // namespace ttrl::metrics
