#!/usr/bin/env bash
# Fuzzes answer extraction and grading with libFuzzer + AddressSanitizer + UndefinedBehaviorSanitizer.
# Builds tests/fuzz/fuzz_answer.cpp with the answer sources only (no LibTorch, no CMake) into build-fuzz/, then
# runs a bounded number of inputs from the seeds (tests/fuzz/seeds, and the grader corpus lines when
# ../shared/fixtures is present). Exits non-zero on a crash, a sanitizer report, a property violation or a timeout.
#
#   scripts/fuzz_answer.sh [RUNS]          default 20000 runs
# Environment: FUZZ_CXX (default clang++-14, else clang++), FUZZ_JOBS (parallel compiles, default 2),
#              FUZZ_MAX_LEN (bytes per input, default 1024), FUZZ_SEED (random seed, default 1: reproducible runs).
# Inputs found in a run go to a fresh build-fuzz/corpus (so every run does the same bounded work); crashes are
# kept in build-fuzz/crashes/ and can be replayed with: build-fuzz/fuzz_answer build-fuzz/crashes/<file>.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-20000}"
out="$root/build-fuzz"
jobs="${FUZZ_JOBS:-2}"
max_len="${FUZZ_MAX_LEN:-1024}"
cxx="${FUZZ_CXX:-}"
if [[ -z "$cxx" ]]; then
  if command -v clang++-14 >/dev/null; then cxx=clang++-14; else cxx=clang++; fi
fi
command -v "$cxx" >/dev/null || { echo "fuzz_answer: $cxx not found (libFuzzer needs clang)" >&2; exit 2; }

flags=(-std=c++17 -gline-tables-only -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
       -I"$root/include" -I"$root/src")
mkdir -p "$out/obj" "$out/crashes"
rm -rf "$out/corpus" && mkdir -p "$out/corpus"

# Compile (incrementally: an object is rebuilt when its source or any answer header is newer).
objects=()
newest_header="$(ls -t "$root"/include/ttrl/answer/*.hpp "$root"/src/answer/*.hpp | head -1)"
# grade_jsonl reads its input with core's JSONL reader (src/core/jsonl.cpp, which formats with fmt).
for src in "$root"/src/answer/*.cpp "$root/src/core/jsonl.cpp" "$root/tests/fuzz/fuzz_answer.cpp"; do
  obj="$out/obj/$(basename "${src%.cpp}").o"
  objects+=("$obj")
  if [[ ! -f "$obj" || "$src" -nt "$obj" || "$newest_header" -nt "$obj" ]]; then
    echo "compiling $(basename "$src")" >&2
    "$cxx" "${flags[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj" &
    while (( $(jobs -rp | wc -l) >= jobs )); do wait -n; done
  fi
done
wait
"$cxx" "${flags[@]}" -fsanitize=fuzzer "${objects[@]}" -lfmt -o "$out/fuzz_answer"

# Seeds: the checked-in ones, and each line of the public grader corpus (its texts are real model output).
seed_dirs=("$root/tests/fuzz/seeds")
cases="$root/../shared/fixtures/grader/cases.jsonl"
if [[ -f "$cases" ]]; then
  mkdir -p "$out/seed_cases"
  if [[ -z "$(ls -A "$out/seed_cases")" ]]; then (cd "$out/seed_cases" && split -l 1 -a 4 "$cases" case_); fi
  seed_dirs+=("$out/seed_cases")
fi

echo "fuzzing: $runs runs, inputs up to $max_len bytes" >&2
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
"$out/fuzz_answer" -runs="$runs" -seed="${FUZZ_SEED:-1}" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 \
  -artifact_prefix="$out/crashes/" "$out/corpus" "${seed_dirs[@]}"
