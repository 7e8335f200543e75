#!/usr/bin/env bash
# Speed of the histogram core: record, merge, summary, encode and decode of a
# 1 ns .. 1 h, 3-digit histogram with about 13,500 non-empty buckets, each set
# against a reference timed in the same run (tests/bench/bench_hdr.c says
# which). Builds in Release in build-bench/ (BUILD_DIR=... to change) and
# prints a table; targets are issue 4's.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BUILD_DIR:-build-bench}
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$dir" -j"$(nproc)" --target bench_hdr >/dev/null
echo "build: $(grep -m1 '^CMAKE_C_COMPILER:' "$dir/CMakeCache.txt" | cut -d= -f2) Release," \
     "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs"
"$dir/tests/bench/bench_hdr"
