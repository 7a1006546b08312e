// Output claims (include/ttrl/core/output_guard.hpp): no command replaces what it did not write.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/core/output_guard.hpp"

namespace {
namespace fs = std::filesystem;

class OutputGuard : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("ttrl_output_guard_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string path(const std::string& name) const { return (root_ / name).string(); }
  void write(const std::string& name, const std::string& text) const {
    fs::create_directories((root_ / name).parent_path());
    std::ofstream(root_ / name) << text;
  }
  static std::string refusal(const std::function<void()>& f) {
    try {
      f();
    } catch (const ttrl::IoError& e) {
      return e.what();
    }
    return "";
  }

  fs::path root_;
};

TEST_F(OutputGuard, NewOrEmptyDirectoriesAreClaimedAndMarked) {
  ttrl::claim_output_dir(path("new/run"), {"train", "trainer.output_dir"});
  EXPECT_EQ(ttrl::read_text_file(path("new/run/.ttrl-output")), "{\"kind\":\"train\"}\n");
  fs::create_directories(root_ / "empty");
  ttrl::claim_output_dir(path("empty"), {"sft", "--output"});
  EXPECT_TRUE(fs::exists(root_ / "empty" / ".ttrl-output"));
  EXPECT_EQ(std::distance(fs::directory_iterator(root_ / "empty"), fs::directory_iterator()), 1);  // no probe left
}

TEST_F(OutputGuard, AForeignDirectoryIsRefusedAndLeftAlone) {
  write("mine/notes.txt", "a user's file");
  const std::string message = refusal([&] { ttrl::claim_output_dir(path("mine"), {"sft", "--output"}); });
  EXPECT_NE(message.find("--output '" + path("mine") + "' is a non-empty directory that ttrl did not write"),
            std::string::npos) << message;
  EXPECT_NE(message.find("--overwrite"), std::string::npos) << message;
  EXPECT_EQ(ttrl::read_text_file(path("mine/notes.txt")), "a user's file");
  EXPECT_FALSE(fs::exists(root_ / "mine" / ".ttrl-output"));
}

TEST_F(OutputGuard, SameKindIsReusedOtherKindIsRefused) {
  ttrl::claim_output_dir(path("run"), {"train", "trainer.output_dir"});
  write("run/metrics.jsonl", "{}\n");
  EXPECT_NO_THROW(ttrl::claim_output_dir(path("run"), {"train", "trainer.output_dir"}));
  const std::string message = refusal([&] { ttrl::claim_output_dir(path("run"), {"sft", "--output"}); });
  EXPECT_NE(message.find("holds the output of `ttrl train`, not of `ttrl sft`"), std::string::npos) << message;
}

TEST_F(OutputGuard, OverwriteAndRecognisedOutputsAreAccepted) {
  write("foreign/x.bin", "x");
  EXPECT_NO_THROW(ttrl::claim_output_dir(path("foreign"), {"train", "trainer.output_dir", /*overwrite=*/true}));
  EXPECT_EQ(ttrl::read_text_file(path("foreign/x.bin")), "x");  // --overwrite writes into it, removes nothing
  write("copied/checkpoints/step-2/trainer_state.json", "{}");
  ttrl::OutputClaim claim{"train", "trainer.output_dir"};
  claim.is_previous_output = [](const std::string& dir) { return fs::exists(fs::path(dir) / "checkpoints"); };
  EXPECT_NO_THROW(ttrl::claim_output_dir(path("copied"), claim));
}

TEST_F(OutputGuard, AFileWhereADirectoryShouldBeIsRefusedEvenWithOverwrite) {
  write("plain", "data");
  EXPECT_NE(refusal([&] { ttrl::claim_output_dir(path("plain"), {"demo", "--output"}); }).find("is a file"),
            std::string::npos);
  EXPECT_NE(refusal([&] { ttrl::claim_output_dir(path("plain"), {"demo", "--output", true}); }).find("remove it yourself"),
            std::string::npos);
  EXPECT_EQ(ttrl::read_text_file(path("plain")), "data");
}

TEST_F(OutputGuard, AnUncreatableDirectoryIsAnErrorNamingTheOption) {
  write("plain", "data");
  const std::string message = refusal([&] { ttrl::claim_output_dir(path("plain/sub"), {"train", "trainer.output_dir"}); });
  EXPECT_NE(message.find("trainer.output_dir '" + path("plain/sub") + "': cannot create it"), std::string::npos) << message;
}

TEST_F(OutputGuard, OutputFilesAreReplacedOnlyWhenTheyArePreviousOutputs) {
  const auto is_result = [](const std::string& text) { return text.rfind("RESULT", 0) == 0; };
  EXPECT_NO_THROW(ttrl::check_output_file(path("out/new.json"), "--output", false, is_result));
  EXPECT_TRUE(fs::is_directory(root_ / "out"));
  write("old.json", "RESULT 1");
  EXPECT_NO_THROW(ttrl::check_output_file(path("old.json"), "--output", false, is_result));
  write("paper.tex", "\\documentclass{article}");
  EXPECT_NE(refusal([&] { ttrl::check_output_file(path("paper.tex"), "--output", false, is_result); })
                .find("exists and is not a previous output"),
            std::string::npos);
  EXPECT_NO_THROW(ttrl::check_output_file(path("paper.tex"), "--output", true, is_result));
  fs::create_directories(root_ / "adir");
  EXPECT_NE(refusal([&] { ttrl::check_output_file(path("adir"), "--output", true, is_result); }).find("is a directory"),
            std::string::npos);
}

}  // namespace
