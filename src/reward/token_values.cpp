#include "token_values.hpp"

#include <fmt/format.h>

#include "ttrl/core/error.hpp"

namespace ttrl::reward {

double token_mean(const Rollout& rollout, const std::vector<float>& values, size_t index, const char* reward,
                  const char* field) {
  const auto tokens = static_cast<size_t>(rollout.num_tokens);
  if (values.empty() && tokens > 0)
    throw Error(fmt::format("{}: rollout {} has {} tokens but no per-token {} ({} needs them: the trainer records "
                            "them; `ttrl reward` reads them from each rollout's \"{}\" list, as `ttrl generate` "
                            "writes it)", reward, index, tokens, field, reward, field));
  if (tokens > 0 && values.size() != tokens)
    throw Error(fmt::format("{}: rollout {} has {} tokens but {} {}", reward, index, tokens, values.size(), field));
  return mean_of(values).value_or(0.0);
}

}  // namespace ttrl::reward
