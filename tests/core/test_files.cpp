#include <gtest/gtest.h>

#include <filesystem>

#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"

namespace fs = std::filesystem;

TEST(Files, AtomicWriteCreatesParentsAndLeavesNoTemporary) {
  const fs::path dir = fs::temp_directory_path() / "ttrl_test_files";
  fs::remove_all(dir);
  const std::string path = (dir / "a" / "b.txt").string();
  ttrl::write_file_atomic(path, "first");
  ttrl::write_file_atomic(path, "second");
  EXPECT_EQ(ttrl::read_text_file(path), "second");
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir / "a")) ++entries;
  EXPECT_EQ(entries, 1u);
  fs::remove_all(dir);
}

TEST(Files, ErrorsNameThePath) {
  try {
    ttrl::read_text_file("/nonexistent/file.txt");
    FAIL();
  } catch (const ttrl::IoError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/file.txt"), std::string::npos);
  }
  EXPECT_THROW(ttrl::write_file_atomic("/proc/ttrl/x.txt", "x"), ttrl::IoError);
  EXPECT_THROW(ttrl::read_text_file(fs::temp_directory_path().string()), ttrl::IoError);
}
