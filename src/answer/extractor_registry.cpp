// Built-in extractors, the registry of named extractors, and extract_answer / normalize_answer.
#include <algorithm>

#include "answer/extract_internal.hpp"
#include "answer/normalize.hpp"
#include "answer/text_scan.hpp"
#include "ttrl/answer/extractor.hpp"
#include "ttrl/core/error.hpp"

namespace ttrl::answer {
namespace {

class BuiltinExtractor final : public Extractor {
 public:
  explicit BuiltinExtractor(Task task) : task_(task) {}
  std::optional<std::string> extract(const std::string& response) const override {
    return extract_answer(response, task_);
  }

 private:
  Task task_;
};

}  // namespace

std::unique_ptr<Extractor> make_builtin_extractor(Task task) { return std::make_unique<BuiltinExtractor>(task); }

ExtractorRegistry ExtractorRegistry::with_builtins() {
  ExtractorRegistry registry;
  for (Task task : {Task::kMath, Task::kChoice, Task::kLastNumber}) {
    registry.add(to_string(task), [task] { return make_builtin_extractor(task); });
  }
  return registry;
}

void ExtractorRegistry::add(const std::string& name, Factory factory) {
  if (name.empty()) throw ConfigError("an extractor needs a non-empty name");
  if (contains(name)) throw ConfigError("an extractor named '" + name + "' is already registered");
  if (!factory) throw ConfigError("extractor '" + name + "' has no factory");
  factories_.emplace_back(name, std::move(factory));
}

bool ExtractorRegistry::contains(const std::string& name) const {
  return std::any_of(factories_.begin(), factories_.end(), [&](const auto& f) { return f.first == name; });
}

std::unique_ptr<Extractor> ExtractorRegistry::create(const std::string& name) const {
  for (const auto& [registered, factory] : factories_) {
    if (registered == name) return factory();
  }
  std::string known;
  for (const std::string& n : names()) known += (known.empty() ? "" : ", ") + n;
  throw ConfigError("unknown extractor '" + name + "' (registered: " + known + ")");
}

std::vector<std::string> ExtractorRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& f : factories_) out.push_back(f.first);
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> extract_answer(const std::string& response, Task task) {
  try {
    std::optional<std::string> answer;
    switch (task) {
      case Task::kMath:
        answer = detail::extract_math(response);
        break;
      case Task::kChoice:
        answer = detail::extract_choice(response);
        break;
      case Task::kLastNumber:
        answer = detail::extract_last_number(response);
        break;
    }
    if (answer && detail::trim(*answer).empty()) return std::nullopt;  // an empty answer is no answer
    return answer;
  } catch (...) {  // never throws: a failure (even std::bad_alloc) means no answer
    return std::nullopt;
  }
}

std::string normalize_answer(const std::string& answer, Task task) {
  try {
    if (task == Task::kChoice) {
      const std::optional<char> letter = detail::choice_letter_of_answer(answer);
      return letter ? std::string(1, *letter) : detail::collapse_spaces(answer);
    }
    return detail::canonical_math_display(answer);
  } catch (...) {
    return detail::collapse_spaces(answer);
  }
}

}  // namespace ttrl::answer
