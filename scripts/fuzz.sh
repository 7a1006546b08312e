#!/usr/bin/env bash
# Fuzzes one parser of untrusted input with libFuzzer + AddressSanitizer + UndefinedBehaviorSanitizer.
# Builds tests/fuzz/fuzz_<TARGET>.cpp with the sources that target needs (no LibTorch, no CMake), then runs a bounded
# number of inputs from its seeds: tests/fuzz/seeds/<TARGET>/ and, when python3 is there, seeds that
# tests/fuzz/fixture_seeds.py derives from ../shared/fixtures and configs/. Exits non-zero on a crash, a sanitizer
# report, a leak, a property violation or a timeout.
#
#   scripts/fuzz.sh TARGET [RUNS]        default 20000 runs
#   scripts/fuzz.sh --list               the targets, with what each fuzzes
# Environment: FUZZ_CXX (default clang++-14, else clang++), FUZZ_JOBS (parallel compiles, default 2),
#              FUZZ_MAX_LEN (bytes per input; default per target), FUZZ_SEED (random seed, default 1: reproducible
#              runs), FUZZ_MAX_TIME (seconds; a safety limit on the run, default none).
# Objects are shared by all targets in build-fuzz/obj/ and rebuilt when their source or a header they include
# changes. Each target has build-fuzz/<TARGET>/: its binary, a fresh corpus/ per run (so every run does the same
# bounded work) and crashes/, which are kept and can be replayed with:
#   build-fuzz/<TARGET>/fuzz_<TARGET> build-fuzz/<TARGET>/crashes/<file>
# (tokenize_jsonl also reads TTRL_FUZZ_TOKENIZERS, the tokenizers this script passes it; see below).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fixtures="$root/../shared/fixtures"

# TARGET: what it fuzzes | the sources it needs besides tests/fuzz/fuzz_<TARGET>.cpp | default FUZZ_MAX_LEN.
# Sources are globs relative to the repository root; modules whose files depend on each other are taken whole.
describe() {
  case "$1" in
    answer) echo "answer extraction, equivalence, clustering, LaTeX evaluation";;
    grade_jsonl) echo "ttrl grade's JSONL input";;
    safetensors_header) echo "the header of a .safetensors file";;
    safetensors_index) echo "model.safetensors.index.json (the checkpoint index)";;
    trainer_state) echo "a training checkpoint's trainer_state.json and step-N names";;
    config) echo "YAML run configuration with --set overrides and validation";;
    dataset) echo "dataset files (TTRL JSON lists, JSONL)";;
    score_jsonl) echo "ttrl score's JSONL input";;
    generate_jsonl) echo "ttrl generate's JSONL input";;
    reward_jsonl) echo "ttrl reward's JSONL input, scored by each built-in reward";;
    tokenize_jsonl) echo "ttrl tokenize's JSONL input (encode and decode)";;
    tokenizer) echo "tokenizer.json / vocab.json + merges.txt with tokenizer_config.json, generation_config.json";;
    sentencepiece) echo "tokenizer.model (SentencePiece) with tokenizer_config.json";;
    chat_template) echo "chat template recognition, detection from tokenizer_config.json, rendering";;
    *) return 1;;
  esac
}
targets=(answer grade_jsonl safetensors_header safetensors_index trainer_state config dataset score_jsonl
         generate_jsonl reward_jsonl tokenize_jsonl tokenizer sentencepiece chat_template)

sources_of() {
  case "$1" in
    answer|grade_jsonl) echo "src/answer/*.cpp src/core/jsonl.cpp";;
    safetensors_header|safetensors_index) echo "src/model/safetensors_header.cpp";;
    trainer_state) echo "src/train/checkpoint_files.cpp src/core/*.cpp";;
    config) echo "src/core/*.cpp";;
    dataset) echo "src/data/dataset.cpp src/core/*.cpp";;
    score_jsonl) echo "src/model/score_request.cpp src/core/jsonl.cpp";;
    generate_jsonl) echo "src/rollout/prompt_lines.cpp src/core/jsonl.cpp";;
    reward_jsonl) echo "src/reward/*.cpp src/answer/*.cpp src/core/*.cpp";;
    tokenize_jsonl|tokenizer|sentencepiece|chat_template) echo "src/tokenizer/*.cpp src/core/*.cpp";;
  esac
}

default_max_len() {
  case "$1" in
    answer|trainer_state) echo 1024;;
    config|tokenizer|sentencepiece|chat_template) echo 8192;;
    *) echo 4096;;
  esac
}

if [[ "${1:-}" == "--list" ]]; then
  for t in "${targets[@]}"; do printf '%-20s %s\n' "$t" "$(describe "$t")"; done
  exit 0
fi
target="${1:-}"
if [[ -z "$target" ]] || ! describe "$target" >/dev/null; then
  echo "usage: scripts/fuzz.sh TARGET [RUNS]   (TARGET: ${targets[*]})" >&2
  exit 2
fi
runs="${2:-20000}"
jobs="${FUZZ_JOBS:-2}"
max_len="${FUZZ_MAX_LEN:-$(default_max_len "$target")}"
cxx="${FUZZ_CXX:-}"
if [[ -z "$cxx" ]]; then
  if command -v clang++-14 >/dev/null; then cxx=clang++-14; else cxx=clang++; fi
fi
command -v "$cxx" >/dev/null || { echo "fuzz: $cxx not found (libFuzzer needs clang)" >&2; exit 2; }

out="$root/build-fuzz"
dir="$out/$target"
flags=(-std=c++17 -gline-tables-only -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
       -I"$root/include" -I"$root/src" -I"$root/tests")
libs=(-lyaml-cpp -lspdlog -lfmt -lpcre2-8 -lutf8proc -lsentencepiece -ldl -pthread)
mkdir -p "$out/obj" "$dir/crashes"
rm -rf "$dir/corpus" && mkdir -p "$dir/corpus"

# Objects built with other flags or another compiler are not reused.
stamp="$cxx ${flags[*]}"
if [[ "$(cat "$out/obj/flags" 2>/dev/null)" != "$stamp" ]]; then
  rm -f "$out"/obj/*.o "$out"/obj/*.d
  echo "$stamp" > "$out/obj/flags"
fi

# Whether `obj` must be rebuilt: missing, or older than its source or any header it included (its .d file).
stale() {
  local obj="$1" dep
  [[ -f "$obj" && -f "$obj.d" ]] || return 0
  for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$obj.d"); do
    [[ -e "$dep" && ! "$dep" -nt "$obj" ]] || return 0
  done
  return 1
}

# Compile under a lock: fuzz ctests may run in parallel and share build-fuzz/obj.
objects=()
exec 9>"$out/obj/lock"
flock 9
for src in $(cd "$root" && echo $(sources_of "$target") "tests/fuzz/fuzz_$target.cpp"); do
  obj="$out/obj/${src//\//__}"
  obj="${obj%.cpp}.o"
  objects+=("$obj")
  if stale "$obj"; then
    echo "compiling $src" >&2
    "$cxx" "${flags[@]}" -fsanitize=fuzzer-no-link -MMD -MF "$obj.d" -c "$root/$src" -o "$obj" &
    while (( $(jobs -rp | wc -l) >= jobs )); do wait -n; done
  fi
done
while (( $(jobs -rp | wc -l) > 0 )); do wait -n; done  # `wait` alone would hide a failed compile
flock -u 9
binary="$dir/fuzz_$target"
relink=0
[[ -f "$binary" ]] || relink=1
for obj in "${objects[@]}"; do [[ "$obj" -nt "$binary" ]] && relink=1; done
if (( relink )); then
  echo "linking fuzz_$target" >&2
  "$cxx" "${flags[@]}" -fsanitize=fuzzer "${objects[@]}" "${libs[@]}" -o "$binary"
fi

# Seeds: the checked-in ones, and those derived from the fixtures and configs/ (regenerated when the script changes).
seed_dirs=()
[[ -d "$root/tests/fuzz/seeds/$target" ]] && seed_dirs+=("$root/tests/fuzz/seeds/$target")
if command -v python3 >/dev/null; then
  generated="$dir/seeds"
  if [[ ! -f "$generated/.done" || "$root/tests/fuzz/fixture_seeds.py" -nt "$generated/.done" ]]; then
    rm -rf "$generated" && mkdir -p "$generated"
    python3 "$root/tests/fuzz/fixture_seeds.py" "$target" "$generated" --root "$root" --fixtures "$fixtures"
    touch "$generated/.done"
  fi
  [[ -n "$(ls -A "$generated")" ]] && seed_dirs+=("$generated")
fi
if [[ "$target" == tokenize_jsonl && -d "$fixtures/tokenizers" ]]; then
  export TTRL_FUZZ_TOKENIZERS="$fixtures/tokenizers/qwen2.5:$fixtures/tokenizers/llama2-spm"
fi

echo "fuzzing $target: $runs runs, inputs up to $max_len bytes" >&2
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
time_limit=()
[[ -n "${FUZZ_MAX_TIME:-}" ]] && time_limit=(-max_total_time="$FUZZ_MAX_TIME")
"$binary" -runs="$runs" -seed="${FUZZ_SEED:-1}" -max_len="$max_len" -timeout="${FUZZ_UNIT_TIMEOUT:-10}" -rss_limit_mb=2048 \
  "${time_limit[@]}" -print_final_stats=1 -artifact_prefix="$dir/crashes/" "$dir/corpus" "${seed_dirs[@]}"
