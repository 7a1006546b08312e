# Pinned versions shared by the scripts (sourced).
export TTRL_TORCH_VERSION=2.15.0
