#!/usr/bin/env bash
# One command: install what is missing, then build and run the whole test
# suite twice: a normal build, and one under AddressSanitizer + UBSan; then
# each libFuzzer target for 15 s from its corpus (tests/fuzz/run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --tests

run_suite() { # build-dir, extra cmake args...
  local dir=$1; shift
  echo "== bhost tests: $dir $*"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBHOST_TESTS=ON "$@" >/dev/null
  cmake --build "$dir" -j"$(nproc)" >/dev/null
  (cd "$dir" && ctest --output-on-failure -j"$(nproc)")
}

run_suite build
# Debug (-O0) under the sanitizers: arithmetic stays as written, so UBSan sees
# every overflow the optimiser would otherwise fold away.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  run_suite build-asan -DBHOST_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug

echo "== bhost fuzz targets: build-fuzz, 15 s each"
bash tests/fuzz/run.sh "$PWD/build-fuzz" 15
