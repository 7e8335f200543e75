#!/usr/bin/env bash
# scripts/bench-list.sh [RUNS]
#
# What reading plugins where they cannot hurt the host costs: `bhost list`
# with 10 plugins on the path (the 5 shipped ones and 5 test plugins), timed
# RUNS times each (default 40), in one run:
#   reference  the bhost of commit 8555a1e, which mapped every plugin in its
#              own process (built once into a temporary folder)
#   cold       this bhost with an empty scan cache: a child maps every file
#   cached     this bhost with the scan cache filled: nothing is mapped
# Prints the median and the 10th-90th percentile of each, in ms, and each
# one's extra over the reference. Needs a build in build/ (scripts/test.sh or
# cmake --build build).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-40}
ref_commit=8555a1e
bin=$src/build/host/bhost
[[ -x $bin ]] || { echo "bench-list: build bhost first (cmake --build build)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/bhost-bench-list.XXXXXX")
trap 'git -C "$src" worktree remove --force "$work/ref-src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

echo "building the reference bhost ($ref_commit) in $work ..." >&2
git -C "$src" worktree add --detach "$work/ref-src" "$ref_commit" >/dev/null 2>&1
cmake -S "$work/ref-src" -B "$work/ref-build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBHOST_TESTS=OFF >/dev/null
cmake --build "$work/ref-build" -j"$(nproc)" --target bhost >/dev/null
ref=$work/ref-build/host/bhost

mkdir -p "$work/plugins"
cp "$src"/build/plugins/*.so "$work/plugins/"
for p in test_good test_instrument test_batch test_misuse test_services; do
  cp "$src/build/tests/plugins/$p.so" "$work/plugins/"
done
count=$(ls "$work/plugins"/*.so | wc -l)

# time_ms COMMAND...: wall time of one run in ms, output discarded.
time_ms() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e6 }'
}

summary() { # label, file of ms values
  sort -n "$2" | awk -v label="$1" '{ v[NR] = $1 } END {
    med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%-10s median %7.2f ms   p10 %7.2f   p90 %7.2f   (%d runs)\n", label, med,
           v[int(NR * 0.1) + 1], v[int(NR * 0.9)], NR }'
}

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$work/ref.ms"; : >"$work/cold.ms"; : >"$work/cached.ms"
export BHOST_CACHE_DIR=$work/cache
BHOST_PLUGIN_PATH="$work/plugins" "$bin" list >/dev/null # fills the cache
# Interleaved, so that the machine's drift falls on all three alike.
for ((i = 0; i < runs; i++)); do
  time_ms "$ref" --plugin-path "$work/plugins" --list >>"$work/ref.ms"
  rm -rf "$work/cold-cache"
  BHOST_CACHE_DIR=$work/cold-cache time_ms "$bin" --plugin-path "$work/plugins" --list >>"$work/cold.ms"
  time_ms "$bin" --plugin-path "$work/plugins" --list >>"$work/cached.ms"
done

echo "bhost list, $count plugins on the path ($(nproc) CPUs; $(uname -r)):"
summary reference "$work/ref.ms"
summary cold "$work/cold.ms"
summary cached "$work/cached.ms"
r=$(median "$work/ref.ms"); c=$(median "$work/cold.ms"); k=$(median "$work/cached.ms")
awk -v r="$r" -v c="$c" -v k="$k" 'BEGIN {
  printf "extra over the reference (medians): cold %+.2f ms, cached %+.2f ms\n", c - r, k - r }'
