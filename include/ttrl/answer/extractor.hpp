#pragma once
// Pluggable final-answer extractors. The built-in tasks (math, choice, last_number) are registered by name in every
// registry made by ExtractorRegistry::with_builtins(); users add their own extractor under a new name.
//
//   ttrl::answer::ExtractorRegistry registry = ttrl::answer::ExtractorRegistry::with_builtins();
//   registry.add("yes_no", [] { return std::make_unique<MyYesNoExtractor>(); });
//   auto extractor = registry.create("yes_no");
//   std::optional<std::string> answer = extractor->extract(response_text);
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ttrl/answer/answer.hpp"

namespace ttrl::answer {

/// Reads the final answer of one response. Implementations must never throw on any input and must do bounded work.
class Extractor {
 public:
  virtual ~Extractor() = default;
  /// The final answer as written (delimiters stripped), or std::nullopt when the response has none.
  virtual std::optional<std::string> extract(const std::string& response) const = 0;
};

/// The extractor of a built-in task (what extract_answer(response, task) uses).
std::unique_ptr<Extractor> make_builtin_extractor(Task task);

/// Extractors by name. Not a global: each owner (a reward function, an evaluator) holds its own registry.
class ExtractorRegistry {
 public:
  using Factory = std::function<std::unique_ptr<Extractor>()>;

  /// A registry holding "math", "choice" and "last_number".
  static ExtractorRegistry with_builtins();

  /// Registers `factory` under `name`; throws ttrl::ConfigError when the name is empty or already taken.
  void add(const std::string& name, Factory factory);
  bool contains(const std::string& name) const;
  /// A new extractor; throws ttrl::ConfigError naming the known extractors when `name` is unknown.
  std::unique_ptr<Extractor> create(const std::string& name) const;
  /// Registered names, sorted.
  std::vector<std::string> names() const;

 private:
  std::vector<std::pair<std::string, Factory>> factories_;
};

}  // namespace ttrl::answer
