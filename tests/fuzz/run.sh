#!/usr/bin/env bash
# tests/fuzz/run.sh [BUILD_DIR [SECONDS]]
#
# Builds the libFuzzer targets in BUILD_DIR (default: build-fuzz in the
# source tree; configured with clang and -DBHOST_FUZZ=ON when it is not yet),
# then runs each target for SECONDS (default 15) on a copy of its corpus in a
# temporary folder, so that new inputs never land in the repository. Prints
# one line per target. Exit 0: nothing found; 1: a target found a crash,
# leak, timeout or out-of-memory (its input and log are kept and named);
# 2: the targets could not be built.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build-fuzz}
secs=${2:-15}
targets=(spec hdr results hlog outputs)

if ! command -v clang >/dev/null; then
  echo "run.sh: clang not found: apt-get install -y clang libclang-rt-14-dev" >&2
  exit 2
fi
if [[ ! -f $build/CMakeCache.txt ]] || ! grep -q '^BHOST_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
  cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER=clang -DBHOST_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 2
fi
# clang's warnings are not the gcc build's: shown only if the build fails.
if ! cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}" >"$build/fuzz-build.log" 2>&1; then
  cat "$build/fuzz-build.log" >&2
  exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bhost-fuzz.XXXXXX")
failed=0
for t in "${targets[@]}"; do
  dir=$tmp/$t
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp -R "$src/tests/fuzz/corpus/$t/." "$dir/corpus/"
  seeds=$(find "$dir/corpus" -type f | wc -l)
  args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$dir/artifacts/")
  if [[ -f $src/tests/fuzz/$t.dict ]]; then
    args+=(-dict="$src/tests/fuzz/$t.dict")
  fi
  rc=0
  (cd "$dir" && UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
     "$build/tests/fuzz/fuzz_$t" "${args[@]}" corpus >"$dir/log" 2>&1) || rc=$?

  stat() { sed -n "s/^stat::$1: *//p" "$dir/log" | tail -n1; }
  last=$(grep -E '^#[0-9]+.*cov: ' "$dir/log" | tail -n1 || true)
  field() { sed -n "s/.* $1: \([^ ]*\).*/\1/p" <<<"$last"; }
  summary="$(stat number_of_executed_units) runs ($(stat average_exec_per_sec)/s), cov $(field cov), ft $(field ft), corpus $seeds -> $(find "$dir/corpus" -type f | wc -l) inputs, peak rss $(stat peak_rss_mb) MB"
  if [[ $rc -eq 0 ]]; then
    echo "fuzz_$t: ok, ${secs} s, $summary"
  else
    failed=1
    artifact=$(find "$dir/artifacts" -type f | head -n1)
    kind=$(basename "${artifact:-unknown-}" | cut -d- -f1)
    echo "fuzz_$t: FAILED ($kind, exit $rc), $summary"
    echo "  input: ${artifact:-none written}"
    echo "  log:   $dir/log"
    grep -m1 -E '^SUMMARY: |^==[0-9]+==ERROR: |runtime error: |^fuzz_[a-z]+: ' "$dir/log" |
      sed 's/^/  /' || true
  fi
done

if [[ $failed -eq 0 ]]; then
  rm -rf "$tmp"
else
  echo "run.sh: inputs and logs kept in $tmp" >&2
fi
exit $failed
