#!/usr/bin/env bash
# The test command (README, .ci/run): sets up and builds (scripts/setup.sh), then runs every suite through ctest:
# unit tests (GoogleTest), parity tests against Hugging Face transformers/tokenizers (.venv), CLI and install tests,
# then the dry run of scripts/gpu_check.sh (without extra arguments).
#   bash scripts/test.sh              everything
#   bash scripts/test.sh -R config    only tests whose name matches (extra arguments go to ctest)
#   TTRL_TEST_SLOW=1 bash scripts/test.sh   also the tests labelled `slow` (not in CI: e.g. the demo's claims on
#                                           three seeds, about 10 minutes)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
skip_slow=(-LE slow)
[[ "${TTRL_TEST_SLOW:-0}" == 1 ]] && skip_slow=()
ctest --test-dir build --output-on-failure --timeout 900 -j "${TTRL_TEST_JOBS:-2}" "${skip_slow[@]}" "$@"
# The GPU check's own path on the CPU (scripts/gpu_check.sh --dry-run): its GPU tests skip, its benchmark runs tiny.
if [[ $# -eq 0 ]]; then bash scripts/gpu_check.sh --dry-run; fi
