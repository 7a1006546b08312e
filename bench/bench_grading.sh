#!/usr/bin/env bash
# Grading throughput: builds bench/bench_grading.cpp with the answer sources only (build-bench/), runs it on the
# public grader corpus, runs Math-Verify on the same pairs in the project's .venv, and prints the ratio.
#
#   bench/bench_grading.sh [SECONDS_PER_MEASUREMENT]     (default 3)
# Needs: a C++17 compiler, nlohmann_json; for the comparison .venv with math-verify[antlr4_13_2] installed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-3}"
cases="${TTRL_GRADER_CASES:-$root/../shared/fixtures/grader/cases.jsonl}"
out="$root/build-bench"
cxx="${CXX:-c++}"

if [[ ! -f "$cases" ]]; then
  echo "bench_grading: grader corpus not found at $cases (set TTRL_GRADER_CASES)" >&2
  exit 1
fi

mkdir -p "$out/obj"
objects=()
for src in "$root"/src/answer/*.cpp "$root/bench/bench_grading.cpp"; do
  obj="$out/obj/$(basename "${src%.cpp}").o"
  objects+=("$obj")
  if [[ ! -f "$obj" || "$src" -nt "$obj" || -n "$(find "$root/src/answer" "$root/include/ttrl/answer" -newer "$obj" -print -quit)" ]]; then
    echo "compiling $(basename "$src")" >&2
    "$cxx" -std=c++17 -O2 -DNDEBUG -I"$root/include" -I"$root/src" -c "$src" -o "$obj" &
    while (( $(jobs -rp | wc -l) >= 2 )); do wait -n; done
  fi
done
wait
"$cxx" -o "$out/bench_grading" "${objects[@]}"

echo "== ttrl answer module (C++) =="
ours="$("$out/bench_grading" "$cases" "$seconds")"
echo "$ours" | grep -v '^RESULT'
ours_rate="$(echo "$ours" | sed -n 's/^RESULT grades_per_second=\([0-9.]*\).*/\1/p')"

python="${TTRL_PYTHON:-$root/.venv/bin/python}"
if [[ -x "$python" ]] && "$python" -c "import math_verify" 2>/dev/null; then
  echo "== Math-Verify $("$python" -c 'import importlib.metadata as m; print(m.version("math-verify"))') (Python, same pairs) =="
  theirs="$("$python" "$root/bench/bench_grading_mathverify.py" "$cases" "$seconds" 2>/dev/null)"
  echo "$theirs" | grep -v '^RESULT'
  theirs_rate="$(echo "$theirs" | sed -n 's/^RESULT grades_per_second=\([0-9.]*\).*/\1/p')"
  awk -v a="$ours_rate" -v b="$theirs_rate" 'BEGIN { printf "ratio: ttrl grades %.0fx as many pairs per second as Math-Verify\n", a / b }'
else
  echo "(Math-Verify not installed in $python: pip install 'math-verify[antlr4_13_2]==0.8.0' to compare)"
fi
