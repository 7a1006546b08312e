// A checkpoint's trainer_state.json, checksums.json and directory names (include/ttrl/train/checkpoint_files.hpp):
// nothing in a checkpoint is trusted on --resume (#14).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/train/checkpoint_files.hpp"

namespace {
namespace fs = std::filesystem;
using ttrl::train::ResumeLimits;
using ttrl::train::TrainerState;

const ResumeLimits kLimits{/*total_steps=*/10, /*max_optimizer_steps=*/20, /*max_bad_steps=*/3};

std::string state_text(const std::string& step, const std::string& optimizer_steps = "4",
                       const std::string& bad = "0", const std::string& total = "10") {
  return "{\"step\": " + step + ", \"optimizer_steps\": " + optimizer_steps + ", \"consecutive_bad_steps\": " + bad +
         ", \"total_steps\": " + total + "}";
}

std::string error_of(const std::string& text, std::optional<int64_t> dir_step = 2) {
  try {
    ttrl::train::parse_trainer_state(text, "ck/step-2/trainer_state.json", dir_step, kLimits);
  } catch (const ttrl::IoError& e) {
    return e.what();
  }
  return "";
}

TEST(TrainerStateFile, RoundTripsAValidState) {
  const TrainerState state{2, 4, 1, 10};
  const TrainerState read = ttrl::train::parse_trainer_state(ttrl::train::trainer_state_json(state), "f", 2, kLimits);
  EXPECT_EQ(read.step, 2);
  EXPECT_EQ(read.optimizer_steps, 4);
  EXPECT_EQ(read.consecutive_bad_steps, 1);
  EXPECT_EQ(read.total_steps, 10);
}

TEST(TrainerStateFile, EveryFieldIsCheckedAgainstTheRun) {
  // The cases: -3 segfaulted, -1 failed later as "prompt 1 is empty", optimizer_steps -6 trained with a
  // negative learning rate, 99999999999999 wrote a checkpoint of that name.
  EXPECT_EQ(error_of(state_text("-3"), std::nullopt),
            "ck/step-2/trainer_state.json: $.step: is -3; must be between 0 and 10 (this run's steps: "
            "trainer.total_steps or epochs)");
  EXPECT_NE(error_of(state_text("-1")).find("$.step: is -1"), std::string::npos);
  EXPECT_NE(error_of(state_text("99999999999999")).find("$.step: is 99999999999999"), std::string::npos);
  EXPECT_NE(error_of(state_text("2", "-6")).find("$.optimizer_steps: is -6; must be between 0 and 20"),
            std::string::npos);
  EXPECT_NE(error_of(state_text("2", "21")).find("$.optimizer_steps: is 21"), std::string::npos);
  EXPECT_NE(error_of(state_text("2", "4", "3")).find("$.consecutive_bad_steps: is 3; must be between 0 and 2"),
            std::string::npos);
  EXPECT_NE(error_of(state_text("2", "4", "0", "0")).find("$.total_steps: is 0"), std::string::npos);
  EXPECT_NE(error_of(state_text("3")).find("$.step: is 3, but the checkpoint's directory is step-2"), std::string::npos);
  EXPECT_NE(error_of(state_text("\"2\"")).find("$.step: expected an integer, got \"2\""), std::string::npos);
  EXPECT_NE(error_of("{\"step\": 2}").find("missing key \"optimizer_steps\""), std::string::npos);
  EXPECT_NE(error_of("[1]").find("expected an object"), std::string::npos);
  EXPECT_NE(error_of("{oops").find("malformed JSON"), std::string::npos);
  EXPECT_EQ(error_of(state_text("2")), "");
}

TEST(TrainerStateFile, OnlyStepDirectoriesTtrlCouldHaveWrittenHaveAStep) {
  EXPECT_EQ(ttrl::train::checkpoint_step("out/checkpoints/step-12"), 12);
  EXPECT_EQ(ttrl::train::checkpoint_step("step-999999999999999999"), 999999999999999999);
  EXPECT_FALSE(ttrl::train::checkpoint_step("step-99999999999999999999999"));  // was "internal error: stoll"
  EXPECT_FALSE(ttrl::train::checkpoint_step("step-"));
  EXPECT_FALSE(ttrl::train::checkpoint_step("step-1a"));
  EXPECT_FALSE(ttrl::train::checkpoint_step(".step-3.tmp-77"));
}

class CheckpointChecksums : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("ttrl_checksums_" + std::to_string(::getpid())) / "checkpoints";
    fs::remove_all(root_.parent_path());
    for (const char* step : {"step-2", "step-4"}) {
      fs::create_directories(root_ / step / "sub");
      std::ofstream(root_ / step / "model.safetensors", std::ios::binary) << std::string(5000, '\x11');
      std::ofstream(root_ / step / "trainer_state.json") << "{}";
      std::ofstream(root_ / step / "sub" / "optimizer.pt", std::ios::binary) << "moments";
      ttrl::train::write_checkpoint_checksums((root_ / step).string());
    }
  }
  void TearDown() override { fs::remove_all(root_.parent_path()); }
  std::string damage_of(const std::string& step) const {
    try {
      ttrl::train::verify_checkpoint_files((root_ / step).string());
    } catch (const ttrl::IoError& e) {
      return e.what();
    }
    return "";
  }
  fs::path root_;
};

TEST_F(CheckpointChecksums, IntactCheckpointsPass) {
  EXPECT_EQ(damage_of("step-4"), "");
  EXPECT_EQ(ttrl::train::latest_checkpoint(root_.parent_path().string()), (root_ / "step-4").string());
}

TEST_F(CheckpointChecksums, AFlippedBitIsNamedWithTheWayOut) {
  {
    std::fstream f(root_ / "step-4" / "model.safetensors", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1234);
    f.put('\x13');  // 0x11 -> 0x13: one bit
  }
  const std::string message = damage_of("step-4");
  EXPECT_NE(message.find("checkpoint '" + (root_ / "step-4").string() + "' is damaged: model.safetensors has CRC-32C"),
            std::string::npos) << message;
  EXPECT_NE(message.find("the previous complete checkpoint is '" + (root_ / "step-2").string() + "'"),
            std::string::npos) << message;
  EXPECT_EQ(damage_of("step-2"), "");
}

TEST_F(CheckpointChecksums, MissingOrTruncatedFilesAreNamed) {
  fs::remove(root_ / "step-2" / "sub" / "optimizer.pt");
  const std::string missing = damage_of("step-2");
  EXPECT_NE(missing.find("sub/optimizer.pt is missing"), std::string::npos) << missing;
  EXPECT_NE(missing.find("there is no earlier checkpoint"), std::string::npos) << missing;
  fs::resize_file(root_ / "step-4" / "model.safetensors", 4000);
  EXPECT_NE(damage_of("step-4").find("model.safetensors has 4000 bytes, checksums.json says 5000"), std::string::npos);
}

TEST_F(CheckpointChecksums, ACheckpointWithoutChecksumsPassesAsWrittenByAnOlderTtrl) {
  fs::remove(root_ / "step-4" / "checksums.json");
  EXPECT_EQ(damage_of("step-4"), "");
  std::ofstream(root_ / "step-2" / "checksums.json") << "{\"algorithm\": \"md5\", \"files\": {}}";
  EXPECT_NE(damage_of("step-2").find("$.algorithm: expected \"crc32c\""), std::string::npos);
}

}  // namespace
