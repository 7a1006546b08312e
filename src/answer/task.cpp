// Task names: the extractor and comparison a prompt's answers use.
#include "ttrl/answer/answer.hpp"
#include "ttrl/core/error.hpp"

namespace ttrl::answer {

Task parse_task(const std::string& name) {
  if (name == "math") return Task::kMath;
  if (name == "choice") return Task::kChoice;
  if (name == "last_number") return Task::kLastNumber;
  throw ConfigError("unknown answer task '" + name + "' (expected math, choice or last_number)");
}

std::string to_string(Task task) {
  switch (task) {
    case Task::kMath:
      return "math";
    case Task::kChoice:
      return "choice";
    case Task::kLastNumber:
      return "last_number";
  }
  return "math";
}

}  // namespace ttrl::answer
