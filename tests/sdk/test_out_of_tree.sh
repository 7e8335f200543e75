#!/usr/bin/env bash
# Installs bhost into a temporary prefix, builds sdk/example out of tree
# against it with the CMake package and with pkg-config, and runs both
# builds' plugin with the installed bhost.
set -euo pipefail
export BHOST_HISTORY=off # record nothing in a history
src=$1 build=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null

# 1. CMake package
cmake -S "$src/sdk/example" -B "$tmp/cmake" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/cmake" >/dev/null

# 2. pkg-config
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
mkdir -p "$tmp/pc"
cc -std=c11 -Wall -Wextra -Werror -shared -fPIC $(pkg-config --cflags bhost) \
   "$src/sdk/example/memcpy_example.c" -o "$tmp/pc/memcpy_example.so"

for dir in "$tmp/cmake" "$tmp/pc"; do
  exported=$(nm -D --defined-only "$dir/memcpy_example.so" | awk '{print $3}' | grep -v '^_' | tr '\n' ' ')
  [ "$exported" = "bhost_plugin_v1 " ] || { echo "FAIL: $dir exports: $exported"; exit 1; }
  # Captured first: grep -q stops reading early, and bhost must not die of SIGPIPE.
  listing=$("$tmp/prefix/bin/bhost" --plugin-path "$dir" list memcpy_example)
  grep -q "memcpy_example 1.0 (ABI 1\.[0-9]*)" <<<"$listing" ||
    { echo "FAIL: --list does not show the plugin built in $dir"; exit 1; }
  printf 'experiments:\n  - experiment: memcpy_example\n    params: {bytes: [64, 1024]}\n    iterations: {measured: 100}\n' > "$tmp/spec.yaml"
  "$tmp/prefix/bin/bhost" --plugin-path "$dir" run "$tmp/spec.yaml" --out "$tmp/run" -q
  grep -q '"bytes_copied"' "$tmp/run/results.json" || { echo "FAIL: no metric in results"; exit 1; }
done
# 3. Out of tree against the frozen ABI 1.0, 1.1 and 1.2 headers (an instrument using what
#    1.2 added), run in one sweep on one and two threads by the installed host.
mkdir -p "$tmp/mixed"
cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -I"$src/tests/sdk/abi-1.0" \
   "$src/tests/plugins/test_abi10.c" -o "$tmp/mixed/test_abi10.so"
cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -I"$src/tests/sdk/abi-1.1" \
   "$src/tests/plugins/test_sdk11.c" -o "$tmp/mixed/test_sdk11.so"
cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -I"$src/tests/sdk/abi-1.2" \
   "$src/tests/plugins/test_sdk12.c" -o "$tmp/mixed/test_sdk12.so"
printf 'threads: [1, 2]\niterations: {measured: 1000}\ninstruments: [test_sdk12]\nexperiments:\n  - experiment: test_abi10\n  - experiment: test_sdk11\n' > "$tmp/mixed.yaml"
"$tmp/prefix/bin/bhost" --plugin-path "$tmp/mixed" run "$tmp/mixed.yaml" --out "$tmp/mixed-run" -q ||
  { echo "FAIL: the 1.0, 1.1 and 1.2 plugins did not run in one sweep"; exit 1; }
for want in '"label": "test_abi10[threads=2]"' '"label": "test_sdk11[threads=2]"' '"unit": "probes"' \
            '"name": "summary.txt"' '"test_sdk12.top": {' '"kind": "unavailable"'; do
  grep -qF "$want" "$tmp/mixed-run/results.json" || { echo "FAIL: no $want in results"; exit 1; }
done
# The installed host finds the installed reference plugins by itself.
listing=$("$tmp/prefix/bin/bhost" list -v)
grep -q "$tmp/prefix/lib/bhost/plugins/spin.so" <<<"$listing" ||
  { echo "FAIL: the installed bhost does not find its installed plugins"; exit 1; }
echo "out-of-tree plugins: built with the CMake package, with pkg-config and against the"
echo "frozen ABI 1.0 and 1.1 headers, loaded and run by the installed bhost"
