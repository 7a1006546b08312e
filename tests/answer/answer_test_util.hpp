#pragma once
// Helpers shared by the answer tests.
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>

#include "ttrl/answer/answer.hpp"

namespace ttrl::answer::test {

inline std::string extracted(const std::string& response, Task task = Task::kMath) {
  const std::optional<std::string> answer = extract_answer(response, task);
  return answer ? *answer : std::string("<none>");
}

/// Path of a shared fixture, or empty when the shared folder is absent (the caller skips).
inline std::string fixture(const std::string& relative) {
  const std::filesystem::path path = std::filesystem::path(TTRL_SHARED_DIR) / "fixtures" / relative;
  return std::filesystem::exists(path) ? path.string() : std::string();
}

}  // namespace ttrl::answer::test
