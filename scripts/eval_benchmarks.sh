#!/usr/bin/env bash
# The TTRL/DARE papers' evaluation: AIME 2024, AMC, MATH-500 and GPQA-Diamond with 16 samples per problem,
# temperature 0.6, top-p 0.95, up to 3072 new tokens; prints avg@16 in the shape of the TTRL paper's Table 1
# (one column per benchmark and Avg; with two models, the delta and the relative change).
#   bash scripts/eval_benchmarks.sh MODEL_DIR [OTHER_MODEL_DIR]
# Environment: TTRL (default build/bin/ttrl), BENCH_DIR (default ../shared/fixtures/benchmarks), OUT (default
# runs/eval), EXTRA (more `ttrl eval` flags, e.g. "--limit 5 --max-new-tokens 256" for a quick look).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TTRL="${TTRL:-$ROOT/build/bin/ttrl}"
BENCH_DIR="${BENCH_DIR:-$ROOT/../shared/fixtures/benchmarks}"
OUT="${OUT:-$ROOT/runs/eval}"
if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 MODEL_DIR [OTHER_MODEL_DIR]" >&2; exit 2
fi
for f in AIME-TTT.json AMC-TTT.json MATH-TTT.json GPQA-TTT.json; do
  [[ -f "$BENCH_DIR/$f" ]] || { echo "missing benchmark file $BENCH_DIR/$f (set BENCH_DIR)" >&2; exit 2; }
done
mkdir -p "$OUT"
results=()
for model in "$@"; do
  result="$OUT/$(basename "$model").json"
  # --task auto: choice extraction for the GPQA file, math for the others.
  # shellcheck disable=SC2086
  "$TTRL" eval --model "$model" --k 16 --temperature 0.6 --top-p 0.95 --max-new-tokens 3072 --task auto \
    --data "$BENCH_DIR/AIME-TTT.json" --data "$BENCH_DIR/AMC-TTT.json" --data "$BENCH_DIR/MATH-TTT.json" \
    --data "$BENCH_DIR/GPQA-TTT.json" --output "$result" ${EXTRA:-} >/dev/null
  results+=("$result")
done
"$TTRL" eval --table "${results[@]}"
