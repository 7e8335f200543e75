#!/usr/bin/env bash
# tests/layers/check_fails.sh SOURCE_DIR
#
# scripts/check-layers.sh must pass on the tree as it is, and fail, naming
# the file, the include and the rule, on each kind of violation made in a
# copy: an include against the order in host/ and in a unit test, a cycle,
# a header named without its folder, a folder missing from host/layers.txt.
set -euo pipefail
src=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bhost-layers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0

fresh() {
  rm -rf "$tmp/tree"
  mkdir -p "$tmp/tree/scripts" "$tmp/tree/tests"
  cp -R "$src/host" "$tmp/tree/host"
  cp -R "$src/tests/unit" "$tmp/tree/tests/unit"
  cp "$src/scripts/check-layers.sh" "$tmp/tree/scripts/"
}

expect() { # name, wanted exit code, text the output must hold
  local name=$1 want=$2 text=$3 rc=0
  bash "$tmp/tree/scripts/check-layers.sh" "$tmp/tree" >"$tmp/out" 2>&1 || rc=$?
  if [[ $rc -ne $want ]] || ! grep -qF -- "$text" "$tmp/out"; then
    echo "FAIL $name: wanted exit $want and \"$text\"; got exit $rc:"
    sed 's/^/  /' "$tmp/out"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

fresh
expect "the tree as it is passes" 0 "no include cycles"

fresh
sed -i '0,/^#include/s//#include "spec\/spec.h"\n#include/' "$tmp/tree/host/hdr/hdr.c"
expect "hdr/ including spec/ fails" 1 \
  '#include "spec/spec.h": hdr/ may include only hdr/ and the folders below it, and spec/ is above it'

fresh
sed -i '0,/^#include "/s//#include "run\/runner.h"\n#include "/' "$tmp/tree/tests/unit/hdr/test_hdr.c"
expect "a unit test of hdr/ including run/ fails" 1 \
  '#include "run/runner.h": hdr/ may include only hdr/ and the folders below it, and run/ is above it'

fresh
printf '#include "results/journal.h"\n' >>"$tmp/tree/host/results/table.h"
printf '#include "results/table.h"\n' >>"$tmp/tree/host/results/journal.h"
expect "a cycle inside results/ fails" 1 "include cycle: results/"

fresh
printf '#include "hdr.h"\n' >>"$tmp/tree/host/hdr/hlog.c"
expect "a header without its folder fails" 1 \
  '#include "hdr.h": name the header by its folder'

fresh
mkdir "$tmp/tree/host/extra"
printf 'int extra(void);\n' >"$tmp/tree/host/extra/extra.c"
expect "a folder missing from layers.txt fails" 1 "folder 'extra' is not in host/layers.txt"

fresh
sed -i '0,/^#include/s//#include <spec\/spec.h>\n#include/' "$tmp/tree/host/hdr/hdr.c"
expect "a host header in angle brackets fails" 1 '#include <spec/spec.h>: name host headers in quotes'

fresh
sed -i '0,/^#include/s//#include "hdr\/..\/spec\/spec.h"\n#include/' "$tmp/tree/host/hdr/hdr.c"
expect "a path through .. fails" 1 "no '.' or '..' in a host include"

fresh
sed -i '0,/^#include "/s//#include "..\/..\/..\/host\/run\/runner.h"\n#include "/' "$tmp/tree/tests/unit/hdr/test_hdr.c"
expect "a test reaching up by a relative path fails" 1 \
  '#include "run/runner.h": hdr/ may include only hdr/ and the folders below it, and run/ is above it'

if ((failures > 0)); then
  echo "check_fails: $failures case(s) failed"
  exit 1
fi
