#!/usr/bin/env bash
# The custom reward plugin end to end, as a user does it:
#   1. install ttrl from a build directory to a temporary prefix (cmake --install),
#   2. build this folder's plugin against it with find_package(ttrl),
#   3. run `ttrl reward` with the plugin named in a YAML config, print the rewards and check them.
# Usage: bash examples/custom_reward/run.sh [BUILD_DIR]   (default: the repository's build/, made by scripts/setup.sh)
# Exits non-zero when any step fails or a reward differs from the expected one.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="${1:-$ROOT/build}"
if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
  echo "run.sh: no ttrl build in '$BUILD' (run: bash scripts/setup.sh)" >&2
  exit 1
fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
GENERATOR=()
command -v ninja >/dev/null && GENERATOR=(-G Ninja)

echo "== installing ttrl to $TMP/prefix"
cmake --install "$BUILD" --prefix "$TMP/prefix" >/dev/null

echo "== building the plugin with find_package(ttrl)"
cmake -S "$HERE" -B "$TMP/plugin" "${GENERATOR[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$TMP/prefix" >/dev/null
cmake --build "$TMP/plugin" >/dev/null
PLUGIN="$TMP/plugin/libconcise_vote.so"
test -f "$PLUGIN"

cat > "$TMP/reward.yaml" <<YAML
reward:
  plugin: $PLUGIN
  name: concise_vote
  length_penalty: 0.5
  max_tokens: 400
YAML

echo "== ttrl reward --config reward.yaml --input groups.jsonl"
"$TMP/prefix/bin/ttrl" reward --config "$TMP/reward.yaml" --input "$HERE/groups.jsonl" > "$TMP/out.jsonl"
cat "$TMP/out.jsonl"

# Group 1: "12" wins 2-1; 100 and 300 tokens of 400 -> 1 - 0.5 * 0.25 and 1 - 0.5 * 0.75. Group 2: no answers.
expect() {
  if ! sed -n "$1p" "$TMP/out.jsonl" | grep -qF "$2"; then
    echo "run.sh: line $1 of the output lacks $2" >&2
    exit 1
  fi
}
expect 1 '"rewards":[0.875,0.625,0.0,0.0]'
expect 1 '"label":"12"'
expect 1 '"label_accuracy":1.0'
expect 2 '"rewards":[0.0,0.0]'
[[ "$(wc -l < "$TMP/out.jsonl")" -eq 2 ]]

echo "== a name the plugin does not register is refused"
if "$TMP/prefix/bin/ttrl" reward --config "$TMP/reward.yaml" --set reward.name=concise --input "$HERE/groups.jsonl" \
     > /dev/null 2> "$TMP/err.txt"; then
  echo "run.sh: an unknown plugin reward name was accepted" >&2
  exit 1
fi
grep -F "registers concise_vote, not 'concise'" "$TMP/err.txt"

echo "== an option the plugin does not declare is refused"
if "$TMP/prefix/bin/ttrl" reward --config "$TMP/reward.yaml" --set reward.length_penalt=0.5 --input "$HERE/groups.jsonl" \
     > /dev/null 2> "$TMP/err.txt"; then
  echo "run.sh: an undeclared plugin option was accepted" >&2
  exit 1
fi
grep -F "reward.length_penalt: unknown option of reward 'concise_vote' (did you mean 'length_penalty'?" "$TMP/err.txt"
echo "custom_reward example: OK"
