#!/usr/bin/env bash
# Installs ttrl to a temporary prefix and builds a consumer project against it with find_package(ttrl).
set -euo pipefail
BUILD="$1"; CONSUMER="$2"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
cmake --install "$BUILD" --prefix "$TMP/prefix" >/dev/null
test -f "$TMP/prefix/lib/cmake/ttrl/ttrlConfig.cmake"
test -x "$TMP/prefix/bin/ttrl"
"$TMP/prefix/bin/ttrl" --version
cmake -S "$CONSUMER" -B "$TMP/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$TMP/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$TMP/consumer" >/dev/null
out="$("$TMP/consumer/consumer" 2>&1)"
echo "$out"
grep -q "n_vote=12" <<<"$out"
