#!/usr/bin/env bash
# The test command (README, .ci/run): sets up and builds (scripts/setup.sh), then runs every suite through ctest:
# unit tests (GoogleTest), parity tests against Hugging Face transformers/tokenizers (.venv), CLI and install tests.
#   bash scripts/test.sh              everything
#   bash scripts/test.sh -R config    only tests whose name matches (extra arguments go to ctest)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
ctest --test-dir build --output-on-failure --timeout 900 -j "${TTRL_TEST_JOBS:-2}" "$@"
