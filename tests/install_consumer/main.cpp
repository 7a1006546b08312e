#include <iostream>

#include <ttrl/core/config.hpp>
#include <ttrl/version.hpp>

int main() {
  const ttrl::RunConfig config = ttrl::default_config({"rollout.n_vote=12", "rollout.n_train=6"});
  std::cout << "ttrl " << TTRL_VERSION_STRING << " n_vote=" << config.rollout.n_vote << "\n";
  return config.rollout.n_vote == 12 ? 0 : 1;
}
