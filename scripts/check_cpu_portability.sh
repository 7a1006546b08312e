#!/usr/bin/env bash
# Does `ttrl demo` compute the same bits on another CPU? Runs `ttrl demo --tiny` (SFT, evaluation and three RL runs
# of a tiny model) on this machine and under qemu-x86_64 emulating another CPU (default Haswell: Intel, AVX2, no
# AVX-512), once with the demo's pinned kernels (ATen AVX2, MKL_CBWR=COMPATIBLE) and once with the libraries'
# own per-CPU choices, and compares every trained weight file byte for byte. The emulated CPU has AVX2 (the
# emulation runs ATen's AVX2 kernels as a Haswell would), so the default CPU must not be one without it.
#
#   bash scripts/check_cpu_portability.sh [QEMU_CPU]     (needs qemu-user: apt-get install qemu-user; ~10 min)
#
# Prints one line per setting: "same" when every .safetensors file written is identical on both CPUs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TTRL="$ROOT/build/bin/ttrl"
CPU="${1:-Haswell}"
command -v qemu-x86_64 >/dev/null || { echo "check_cpu_portability: qemu-x86_64 not found (apt-get install qemu-user)" >&2; exit 1; }
[[ -x "$TTRL" ]] || { echo "check_cpu_portability: $TTRL not found (bash scripts/setup.sh)" >&2; exit 1; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Hashes of every weight file a demo wrote, as "relative-path hash" lines.
weights_digest() { (cd "$1" && find . -name '*.safetensors' -print0 | sort -z | xargs -0 sha256sum); }

demo() {  # demo OUT [runner...]: the tiny demo into OUT, run by the given command prefix (none: natively)
  local out="$1"; shift
  "$@" "$TTRL" --log-level warn demo --tiny --seed 3 --no-plots --no-progress --output "$out" >/dev/null
}

status=0
for setting in pinned native; do
  (
    # "native": the libraries' own choices, stated explicitly so that the demo's pinning (which keeps variables the
    # user set) leaves them alone: ATen's best kernels for each CPU (set by name: ATen does not check a forced
    # capability against the CPU), MKL's AUTO branch, oneDNN's best ISA.
    if [[ $setting == native ]]; then
      export MKL_CBWR=AUTO ONEDNN_MAX_CPU_ISA=ALL
      grep -qw avx512f /proc/cpuinfo && host_isa=avx512 || host_isa=avx2
      ATEN_CPU_CAPABILITY=$host_isa demo "$WORK/$setting-host"
      ATEN_CPU_CAPABILITY=avx2 demo "$WORK/$setting-qemu" qemu-x86_64 -cpu "$CPU" 2>/dev/null
    else
      demo "$WORK/$setting-host"
      demo "$WORK/$setting-qemu" qemu-x86_64 -cpu "$CPU" 2>/dev/null
    fi
  )
  host="$(weights_digest "$WORK/$setting-host")"
  emulated="$(weights_digest "$WORK/$setting-qemu")"
  files=$(wc -l <<<"$host")
  if [[ "$host" == "$emulated" ]]; then
    echo "$setting kernels: same weights on this CPU and on an emulated $CPU ($files files)"
  else
    differ=$(diff <(echo "$host") <(echo "$emulated") | grep -c '^<' || true)
    echo "$setting kernels: different weights on this CPU and on an emulated $CPU ($differ of $files files differ)"
    [[ $setting == pinned ]] && status=1
  fi
done
exit $status
