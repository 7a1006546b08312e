#!/usr/bin/env bash
# Installs every dependency of ttrl and builds it into build/ (idempotent: a second run only rebuilds what changed).
#   bash scripts/setup.sh            # Debian packages, .venv (torch = LibTorch, parity-test packages), CMake build
# Environment knobs: TTRL_CUDA=AUTO|ON|OFF (default AUTO), TTRL_BUILD_TYPE (default Release),
#                    TTRL_SKIP_APT=1 (packages already present), TTRL_JOBS (default: nproc).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/versions.sh"

log() { printf '[setup] %s\n' "$*" >&2; }

# --- 1. Debian packages (C++ libraries and tools) -----------------------------------------------------------------
APT_PACKAGES=(build-essential cmake ninja-build ccache pkg-config
              libyaml-cpp-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev
              libpcre2-dev libutf8proc-dev libsentencepiece-dev libgloo-dev clang libclang-rt-14-dev)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 && "${TTRL_SKIP_APT:-0}" != 1 ]]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- 2. Project-local Python environment: the torch wheel provides LibTorch; the rest are parity references --------
PY="${TTRL_PYTHON:-python3}"
if [[ ! -x .venv/bin/python ]]; then
  log "creating .venv"
  "$PY" -m venv .venv
fi
STAMP=.venv/.ttrl-requirements.sha
REQ_SHA="$(cat scripts/requirements.txt scripts/constraints.txt | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$REQ_SHA" ]]; then
  log "installing Python packages (scripts/requirements.txt)"
  .venv/bin/python -m pip install -q --upgrade pip==24.3.1
  .venv/bin/python -m pip install -q -r scripts/requirements.txt -c scripts/constraints.txt
  echo "$REQ_SHA" > "$STAMP"
fi
TORCH_CMAKE="$(.venv/bin/python -c 'import torch; print(torch.utils.cmake_prefix_path)')"

# --- 3. CMake build --------------------------------------------------------------------------------------------------
LAUNCHER=()
if command -v ccache >/dev/null; then
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
  export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
  # PCH and __DATE__-free builds: let ccache reuse results across fresh clones in other directories.
  export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
  export CCACHE_BASEDIR="$ROOT"
  LAUNCHER=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)
fi
if [[ ! -f build/CMakeCache.txt ]]; then
  log "configuring build/"
  cmake -S . -B build -G Ninja \
    -DCMAKE_BUILD_TYPE="${TTRL_BUILD_TYPE:-Release}" \
    -DCMAKE_PREFIX_PATH="$TORCH_CMAKE" \
    -DTTRL_CUDA="${TTRL_CUDA:-AUTO}" \
    -DTTRL_PYTHON="$ROOT/.venv/bin/python" \
    "${LAUNCHER[@]}"
fi
log "building"
cmake --build build -j "${TTRL_JOBS:-$(nproc)}"
log "done: build/bin/ttrl"
