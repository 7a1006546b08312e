#include "ttrl/rollout/rollout.hpp"

namespace ttrl::rollout {

double Rollout::mean_entropy() const {
  if (entropies.empty()) return 0.0;
  double sum = 0;
  for (float h : entropies) sum += h;
  return sum / static_cast<double>(entropies.size());
}

}  // namespace ttrl::rollout
