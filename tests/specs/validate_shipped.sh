#!/usr/bin/env bash
# validate_shipped.sh BHOST SPECS_DIR: `bhost validate` accepts every spec in
# SPECS_DIR (exit 0), so a change to the host or a plugin cannot leave a
# shipped spec broken. Prints each spec's first line of output.
set -uo pipefail
bhost=$1 dir=$2 failed=0 n=0
for spec in "$dir"/*.yaml; do
  n=$((n + 1))
  if out=$("$bhost" validate "$spec" 2>&1); then
    echo "${out%%$'\n'*}"
  else
    echo "FAIL: $spec"; echo "$out" | head -5; failed=1
  fi
done
[ "$n" -gt 0 ] || { echo "FAIL: no spec in $dir"; exit 1; }
exit $failed
