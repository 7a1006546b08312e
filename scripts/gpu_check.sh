#!/usr/bin/env bash
# One command on a GPU machine: build ttrl with CUDA, run the GPU tests (ctest -L gpu) and bench/bench_gpu.py, and
# write a summary (OUTDIR/summary.md) with the raw logs beside it.
#
#   scripts/gpu_check.sh --prepare DIR [--keep-debs]
#       Where Debian's registry is reachable: `apt-get download` the Debian packages the build needs that a bare GPU
#       machine lacks (the -dev packages of scripts/setup.sh and the libraries they run on, no tools or compilers,
#       plus pkgconf in case the machine has no pkg-config) into DIR/debs, unpack them into DIR/prefix and point
#       their .pc and CMake files at DIR/prefix/usr instead of /usr. DIR: about 12 MiB; copy it to the GPU machine.
#   scripts/gpu_check.sh DIR [--out OUTDIR] [--build-dir build-gpu] [--no-build] [--configure-only]
#       On the GPU machine (no registry needed; CUDA, nvcc, cmake, ninja and a python3 with torch and transformers):
#       configures build-gpu/ against python3's torch and DIR/prefix (Release, Ninja, -DTTRL_CUDA=ON, the visible
#       GPU's architecture), builds what the GPU checks run (target ttrl_gpu_check), runs `ctest -L gpu` and
#       bench/bench_gpu.py. Fits in 8 minutes on one H200 with 16 cores: every phase has a timeout cut from one budget;
#       a build cut short continues where it stopped when the command is run again.
#   scripts/gpu_check.sh --dry-run [--out OUTDIR] [--build-dir build] [--no-build]
#       The same path on a CPU with the build of scripts/setup.sh: every GPU test must skip (exit 77), and the
#       benchmark runs tiny (--tiny --device cpu). Under 3 minutes on 2 cores.
#
# --no-build: run the tests and the benchmark on the build as it is; --configure-only: stop after configuring (a
# prefix checked on a machine without a GPU: GPU_CHECK_CUDA=OFF). OUTDIR (default BUILD_DIR/gpu-check): summary.md,
# phases.tsv, configure.log, build.log, ctest.log, ctest.junit.xml, bench.log, bench.json. Exit status 0 when every
# phase passed.
# Environment: GPU_CHECK_PYTHON (default python3; --dry-run: the build's TTRL_PYTHON, else .venv's), GPU_CHECK_CUDA
# (ON; OFF configures without CUDA), GPU_CHECK_CUDA_ARCH (default: the visible GPU's, e.g. 90), GPU_CHECK_BUDGET_S
# (450; --dry-run 170), GPU_CHECK_JOBS (nproc), GPU_CHECK_CMAKE_ARGS (extra configure arguments, split on spaces).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '[gpu_check] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

# The -dev packages of scripts/setup.sh's APT_PACKAGES (tools and compilers excluded).
DEV_PACKAGES=(libyaml-cpp-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev
              libpcre2-dev libutf8proc-dev libsentencepiece-dev libgloo-dev)
# pkg-config, used by CMake's pkg_check_modules, for a GPU machine that has none.
TOOL_PACKAGES=(pkgconf-bin libpkgconf3)

# --- --prepare DIR ---------------------------------------------------------------------------------------------------
apt_depends() {  # the packages that the given packages depend on (real names, one per line)
  apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances "$@" |
    awk '$1 ~ /^\|?(Pre)?Depends:$/ && $2 !~ /^</ {print $2}' | sort -u
}

# Runtime libraries: the lib* (not -dev) packages the -dev packages depend on, directly (always: their .so links point
# into them, and the GPU machine's copies may be other versions) or through other such libraries unless they belong
# to the base system (the Essential packages, build-essential and all they depend on, which every machine that
# compiles has).
library_packages() {
  local base libs frontier next
  base="$( { dpkg-query -W -f '${Essential} ${Package}\n' | awk '$1 == "yes" {print $2}'; echo build-essential; } |
           xargs apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
             --no-enhances | grep -v '^[ <]' | sort -u)"
  frontier="$(apt_depends "${DEV_PACKAGES[@]}" | grep '^lib' | grep -v -- '-dev$' || true)"
  libs="$frontier"
  while [[ -n "$frontier" ]]; do
    # shellcheck disable=SC2086
    next="$(apt_depends $frontier | grep '^lib' | grep -v -- '-dev$' | comm -23 - <(echo "$base") |
            comm -23 - <(echo "$libs" | sort -u) || true)"
    libs="$(printf '%s\n%s\n' "$libs" "$next" | sed '/^$/d' | sort -u)"
    frontier="$next"
  done
  echo "$libs"
}

# Absolute /usr paths in the .pc and CMake files under PREFIX -> PREFIX/usr, outside comments (only paths that start
# with /usr, so that a second run changes nothing). Prints the files changed.
rewrite_usr_paths() {
  local prefix=$1 path='(^|[^[:alnum:]_./-])/usr(/|$|[^[:alnum:]_.-])'
  { grep -rlE --include='*.pc' --include='*.cmake' "^[^#]*$path" "$prefix/usr" || true; } |
    while read -r f; do
      sed -i -E "/^[[:space:]]*#/! s#$path#\\1$prefix/usr\\2#g" "$f"
      echo "$f"
    done
}

prepare() {
  local dir=$1 keep_debs=$2 prefix packages
  mkdir -p "$dir/debs"
  dir="$(cd "$dir" && pwd)"
  prefix="$dir/prefix"
  packages=("${DEV_PACKAGES[@]}" "${TOOL_PACKAGES[@]}")
  mapfile -t -O ${#packages[@]} packages < <(library_packages)
  log "downloading ${#packages[@]} packages: ${packages[*]}"
  (cd "$dir/debs" && apt-get download -q "${packages[@]}") >&2 ||
    die "apt-get download failed (apt-get update first?)"
  rm -rf "$prefix"
  for deb in "$dir"/debs/*.deb; do dpkg -x "$deb" "$prefix"; done
  # Not needed to build or run: documentation, sources (gtest's link to googletest's), and static libraries that
  # have a shared one beside them (gtest and gmock are static only and stay).
  rm -rf "$prefix"/usr/share/{doc,man,info,lintian,bug} "$prefix/usr/src"
  find "$prefix/usr/lib" -name '*.a' | while read -r a; do
    if [[ -e "${a%.a}.so" ]]; then rm -f "$a"; fi
  done
  # Absolute symbolic links would point at the machine's own /usr: make them relative, inside the prefix.
  find "$prefix" -type l -lname '/*' | while read -r link; do
    ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$prefix$(readlink "$link")")" "$link"
  done
  log "rewrote /usr paths in: $(rewrite_usr_paths "$prefix" | sed "s#^$prefix/##" | tr '\n' ' ')"
  echo "$prefix" > "$prefix/.rewritten-for"
  local dangling
  dangling="$(find "$prefix" -xtype l)"
  [[ -z "$dangling" ]] || die "links to files outside the unpacked packages: $dangling"
  [[ "$keep_debs" == 1 ]] || rm -rf "$dir/debs"
  log "prefix ready: $prefix ($(du -sh "$dir" | cut -f1) in $dir)"
}

# --- the check (DIR or --dry-run) ----------------------------------------------------------------------------------
MODE=gpu DIR="" OUT="" BUILD="" NO_BUILD=0 CONFIGURE_ONLY=0 KEEP_DEBS=0 PREPARE=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --prepare) PREPARE="${2:?--prepare needs DIR}"; shift ;;
    --keep-debs) KEEP_DEBS=1 ;;
    --dry-run) MODE=dry ;;
    --out) OUT="${2:?--out needs a directory}"; shift ;;
    --build-dir) BUILD="${2:?--build-dir needs a directory}"; shift ;;
    --no-build) NO_BUILD=1 ;;
    --configure-only) CONFIGURE_ONLY=1 ;;
    -h|--help) usage ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [[ -z "$DIR" ]] || die "one DIR only"; DIR="$1" ;;
  esac
  shift
done
if [[ -n "$PREPARE" ]]; then
  prepare "$PREPARE" "$KEEP_DEBS"
  exit 0
fi
[[ "$MODE" == dry || -n "$DIR" ]] || usage

START=$(date +%s)
if [[ "$MODE" == dry ]]; then
  BUILD="${BUILD:-build}" BUDGET="${GPU_CHECK_BUDGET_S:-170}" CUDA=OFF
  MIN_BUILD=10 MIN_CTEST=30 MIN_BENCH=40  # seconds each phase keeps for itself when an earlier one runs long
  PY="$(sed -n 's/^TTRL_PYTHON:[A-Z]*=//p' "$BUILD/CMakeCache.txt" 2>/dev/null || true)"
  [[ -n "$PY" || ! -x .venv/bin/python ]] || PY="$ROOT/.venv/bin/python"  # scripts/setup.sh's
  PY="${GPU_CHECK_PYTHON:-${PY:-python3}}"
  BENCH_ARGS=(--tiny --device cpu)
else
  BUILD="${BUILD:-build-gpu}" BUDGET="${GPU_CHECK_BUDGET_S:-450}" CUDA="${GPU_CHECK_CUDA:-ON}"
  MIN_BUILD=120 MIN_CTEST=60 MIN_BENCH=120
  PY="${GPU_CHECK_PYTHON:-python3}"
  BENCH_ARGS=(--device cuda)
fi
PY="$(command -v "$PY")" || die "no python: set GPU_CHECK_PYTHON"
mkdir -p "${OUT:=$BUILD/gpu-check}"
OUT="$(cd "$OUT" && pwd)"
: > "$OUT/phases.tsv"
JOBS="${GPU_CHECK_JOBS:-$(nproc)}"

# Seconds a phase may take: its cap, and never so much that the phases after it lose their RESERVE of the budget.
limit() {
  local cap=$1 reserve=$2 left
  left=$(( START + BUDGET - $(date +%s) - reserve ))
  (( left < cap )) && cap=$left
  (( cap < 10 )) && cap=10
  echo "$cap"
}

# run_phase NAME LIMIT CMD...: runs CMD under `timeout` into OUT/NAME.log and records the phase in phases.tsv.
run_phase() {
  local name=$1 seconds=$2 t0 rc=0 status=ok
  shift 2
  log "$name (at most ${seconds} s) -> $OUT/$name.log"
  t0=$(date +%s.%N)
  timeout -k 10 "$seconds" "$@" > "$OUT/$name.log" 2>&1 || rc=$?
  case $rc in 0) ;; 124|137) status=timeout ;; *) status=failed ;; esac
  local took
  took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$status" "$took" "$rc" "$seconds" "$*" >> "$OUT/phases.tsv"
  log "$name: $status (${took} s)"
  return $rc
}

# The configure arguments of DIR's prefix: search paths, each find_package's config directory, gloo's headers, and
# pkg-config (the machine's own, or pkgconf from the prefix).
PREFIX="" PREFIX_ARGS=() RUN_ENV=()
if [[ -n "$DIR" ]]; then
  [[ -d "$DIR/prefix/usr" ]] ||
    die "$DIR/prefix/usr missing: run scripts/gpu_check.sh --prepare $DIR where Debian's registry is reachable"
  PREFIX="$(cd "$DIR/prefix" && pwd)"
  # DIR was prepared elsewhere: point the rewritten paths at where it is now.
  OLD="$(cat "$PREFIX/.rewritten-for")"
  if [[ "$OLD" != "$PREFIX" ]]; then
    { grep -rlF --include='*.pc' --include='*.cmake' "$OLD/usr" "$PREFIX/usr" || true; } |
      xargs -r sed -i "s#$OLD/usr#$PREFIX/usr#g"
    echo "$PREFIX" > "$PREFIX/.rewritten-for"
  fi
  LIBDIR="$(echo "$PREFIX"/usr/lib/*-linux-gnu)"
  export PKG_CONFIG_PATH="$LIBDIR/pkgconfig:$PREFIX/usr/share/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  RUN_ENV=(env "LD_LIBRARY_PATH=$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
  PREFIX_ARGS=(-DTTRL_GLOO_INCLUDE_DIR="$PREFIX/usr/include")
  for pkg in yaml-cpp fmt spdlog nlohmann_json CLI11 GTest; do
    config="$(find "$PREFIX/usr" -path '*/cmake/*' \( -name "${pkg}Config.cmake" -o -name "${pkg}-config.cmake" \) |
              head -n1)"
    [[ -n "$config" ]] || die "no CMake config of $pkg in $PREFIX"
    PREFIX_ARGS+=("-D${pkg}_DIR=$(dirname "$config")")
  done
  if ! command -v pkg-config > /dev/null; then
    mkdir -p "$BUILD"
    wrapper="$(cd "$BUILD" && pwd)/pkg-config"
    # shellcheck disable=SC2016  # $LD_LIBRARY_PATH is the wrapper's
    printf '#!/bin/sh\nLD_LIBRARY_PATH="%s${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "%s" "$@"\n' \
      "$LIBDIR" "$PREFIX/usr/bin/pkgconf" > "$wrapper"
    chmod +x "$wrapper"
    PREFIX_ARGS+=(-DPKG_CONFIG_EXECUTABLE="$wrapper")
  fi
fi

# The configure command, in CONFIGURE: against python's torch (and DIR's prefix), with the visible GPU's architecture.
configure_command() {
  local torch_cmake cuda_args=() launcher=()
  torch_cmake="$("$PY" -c 'import torch; print(torch.utils.cmake_prefix_path)')" || return 1
  if [[ "$CUDA" == ON ]]; then
    if ! command -v nvcc > /dev/null && [[ -x /usr/local/cuda/bin/nvcc ]]; then
      export CUDACXX=/usr/local/cuda/bin/nvcc
    fi
    local arch="${GPU_CHECK_CUDA_ARCH:-}"
    [[ -n "$arch" ]] || arch="$("$PY" -c 'import torch; print("%d%d" % torch.cuda.get_device_capability())')" ||
      return 1
    cuda_args=(-DCMAKE_CUDA_ARCHITECTURES="$arch" -DTORCH_CUDA_ARCH_LIST="${arch%?}.${arch: -1}")
  fi
  if command -v ccache > /dev/null; then
    launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
              -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)
  fi
  # shellcheck disable=SC2206
  CONFIGURE=(cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release
             -DCMAKE_PREFIX_PATH="$torch_cmake${PREFIX:+;$PREFIX/usr}" -DTTRL_CUDA="$CUDA" -DTTRL_PYTHON="$PY"
             "${cuda_args[@]}" "${PREFIX_ARGS[@]}" "${launcher[@]}" ${GPU_CHECK_CMAKE_ARGS:-})
}

finish() {  # writes summary.md, exits with the check's status
  "$PY" - "$OUT" "$MODE" "$BUILD" <<'EOF' || log "could not write the summary"
import json, os, platform, subprocess, sys, xml.etree.ElementTree as ET
out, mode, build = sys.argv[1:]
def tail(name, lines=40):
    path = os.path.join(out, name)
    return "".join(open(path, errors="replace").readlines()[-lines:]) if os.path.exists(path) else ""
phases = [l.rstrip("\n").split("\t") for l in open(os.path.join(out, "phases.tsv")) if l.strip()]
try:
    import torch
    device = (torch.cuda.get_device_name(0) if torch.cuda.is_available()
              else f"cpu ({platform.processor() or platform.machine()}, {os.cpu_count()} cores)")
    versions = f"torch {torch.__version__} (CUDA {torch.version.cuda})"
except Exception as e:  # the summary must be written whatever broke
    device, versions = "unknown", f"torch not importable: {e}"
commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True).stdout.strip()
try:
    gpus = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
                          capture_output=True, text=True, timeout=20).stdout.strip().replace("\n", "; ")
except (OSError, subprocess.TimeoutExpired):
    gpus = ""
md = [f"# ttrl GPU check ({'dry run on the CPU' if mode == 'dry' else 'GPU'})", "",
      f"- device: {device}" + (f" (nvidia-smi: {gpus})" if gpus else ""), f"- {versions}",
      f"- commit {commit}, build directory `{build}`", "",
      "| phase | status | seconds | limit (s) | log |", "|---|---|---:|---:|---|"]
md += [f"| {n} | {s} | {t} | {lim} | `{n}.log` |" for n, s, t, rc, lim, _ in phases]
md.append(f"| total | | {sum(float(p[2]) for p in phases):.1f} | | |")
md += ["", "Commands:", "", "```"] + [f"{p[0]}: {p[5]}" for p in phases] + ["```"]
junit = os.path.join(out, "ctest.junit.xml")
if os.path.exists(junit) and os.path.getsize(junit):
    cases = ET.parse(junit).getroot().findall("testcase")
    counts = {k: sum(c.get("status") == v for c in cases)
              for k, v in (("passed", "run"), ("failed", "fail"), ("skipped", "notrun"))}
    md += ["", f"## Tests (`ctest -L gpu`): {counts['passed']} passed, {counts['failed']} failed, "
           f"{counts['skipped']} skipped of {len(cases)}", "",
           "| test | result | seconds | note |", "|---|---|---:|---|"]
    for c in cases:
        text = [l for l in (c.findtext("system-out") or "").splitlines() if l.strip()]
        note = ""
        if c.get("status") == "notrun":  # the script's "skip...: reason" line, or the line after gtest's "Skipped"
            note = next((l for l in text if l.startswith("skip")), "")
            note = note or next((b for a, b in zip(text, text[1:]) if a.endswith("Skipped")), "")
        elif c.get("status") == "fail":
            note = " / ".join(text[-3:])
        result = {"run": "passed", "fail": "FAILED", "notrun": "skipped"}.get(c.get("status"), c.get("status"))
        md.append(f"| {c.get('name')} | {result} | {float(c.get('time', 0)):.1f} | {note.replace('|', '/')[:300]} |")
bench = os.path.join(out, "bench.json")
if os.path.exists(bench):
    b = json.load(open(bench))
    md += ["", "## Benchmark (`bench/bench_gpu.py`)", "", b.get("table_md", "")]
    md += [f"- {part}: error: {e}" for part, e in b.get("errors", {}).items()]
for n, s, *_ in phases:  # ctest's failures are in the test table, unless it stopped before writing it
    if s != "ok" and (n != "ctest" or not os.path.exists(junit) or not os.path.getsize(junit)):
        md += ["", f"## {n}: {s}, last lines of `{n}.log`", "", "```", tail(f"{n}.log").rstrip(), "```"]
open(os.path.join(out, "summary.md"), "w").write("\n".join(md) + "\n")
EOF
  log "summary: $OUT/summary.md"
  if awk -F'\t' '$2 != "ok" {bad = 1} END {exit !bad}' "$OUT/phases.tsv"; then exit 1; fi
  exit 0
}

if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
  CONFIGURE=()
  if ! configure_command > "$OUT/configure.log" 2>&1; then  # python without torch, or no GPU visible to it
    printf 'configure\tfailed\t0\t1\t0\t(no configure command: see configure.log)\n' >> "$OUT/phases.tsv"
    finish
  fi
  run_phase configure "$(limit 120 $((MIN_BUILD + MIN_CTEST + MIN_BENCH)))" "${CONFIGURE[@]}" || finish
fi
[[ "$CONFIGURE_ONLY" == 1 ]] && finish
if [[ "$NO_BUILD" == 0 ]]; then
  run_phase build "$(limit 400 $((MIN_CTEST + MIN_BENCH)))" cmake --build "$BUILD" -j "$JOBS" --target ttrl_gpu_check ||
    finish
fi
run_phase ctest "$(limit 150 "$MIN_BENCH")" "${RUN_ENV[@]}" ctest --test-dir "$BUILD" -L gpu --output-on-failure \
  --no-tests=error -j 2 --timeout 120 --output-junit "$OUT/ctest.junit.xml" || true
run_phase bench "$(limit 300 0)" "${RUN_ENV[@]}" "$PY" "$ROOT/bench/bench_gpu.py" "${BENCH_ARGS[@]}" \
  --ttrl "$BUILD/bin/ttrl" --out "$OUT/bench.json" || true
finish
