#!/usr/bin/env bash
# scripts/check-layers.sh [SOURCE_DIR]
#
# Checks that host/ keeps the order host/layers.txt gives its folders:
#   - every #include "..." in host/ names a header by its folder
#     ("run/runner.h", no "." or ".." in it) and that header exists; a host
#     header is never included with <...>;
#   - a file includes only its own folder and the folders below it;
#     host/main.c stands above them all;
#   - the unit tests in tests/unit/FOLDER/ include only FOLDER and below
#     (relative paths resolved first);
#   - no module (a .c with its .h) depends on itself through others' includes.
# It reads #include lines: calls made through a prototype written by hand
# are the link check's to catch (host/CMakeLists.txt).
# Prints one line per violation, naming the file, the line, the include and
# the rule, and exits 1; exits 0 with a one-line summary when all is well.
set -euo pipefail

src=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$src"

declare -A rank=()
order=()
while read -r folder _; do
  [[ -z $folder || $folder == \#* ]] && continue
  rank[$folder]=${#order[@]}
  order+=("$folder")
done <host/layers.txt
if [[ ${#order[@]} -eq 0 ]]; then
  echo "check-layers: host/layers.txt lists no folder" >&2
  exit 2
fi
order_text=$(printf '%s > ' "${order[@]}")
order_text=${order_text% > }

problems=0
problem() {
  echo "$1"
  problems=$((problems + 1))
}


edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
files=0

check_file() { # file, is_test
  local file=$1 is_test=$2 stage own rel
  # The stage: the folder under host/ or tests/unit/; "main" (above all) for host/main.c.
  rel=${file#host/}
  rel=${rel#tests/unit/}
  if [[ $rel == */* ]]; then stage=${rel%%/*}; else stage=main; fi
  own=${rank[$stage]:--1}
  if [[ $stage != main && -z ${rank[$stage]+x} ]]; then
    problem "$file: folder '$stage' is not in host/layers.txt (rule: every folder of host/ has a place in the order)"
    return
  fi
  files=$((files + 1))
  local lineno inc target
  while IFS=: read -r lineno inc; do
    [[ $inc =~ [\"\<]([^\"\>]*)[\"\>] ]] && target=${BASH_REMATCH[1]}
    local angled=0
    [[ $inc =~ \< ]] && angled=1
    # A test may reach a header by a relative path: resolved, it is judged like any other.
    if [[ $is_test == 1 && $target == ../* ]]; then
      local resolved
      resolved=$(realpath -m --relative-to=. "${file%/*}/$target")
      if [[ $resolved == host/* ]]; then
        target=${resolved#host/}
      else
        continue # a test's own helpers (../../e2e/e2e.h)
      fi
    fi
    if [[ $angled == 1 ]]; then
      # <...> is for the SDK and the system; a host folder named so is still checked.
      [[ $target == */* && -n ${rank[${target%%/*}]+x} ]] || continue
      problem "$file:$lineno: #include <$target>: name host headers in quotes, \"$target\" (rule: includes in host/ are \"folder/file.h\")"
      continue
    fi
    if [[ /$target/ == */../* || /$target/ == */./* ]]; then
      problem "$file:$lineno: #include \"$target\": no '.' or '..' in a host include (rule: includes in host/ are \"folder/file.h\")"
      continue
    fi
    if [[ $target != */* ]]; then
      # Tests may have helpers of their own beside them; host files always name the folder.
      [[ $is_test == 1 && -f ${file%/*}/$target ]] && continue
      [[ $is_test == 1 && ! -f host/$target ]] && continue
      problem "$file:$lineno: #include \"$target\": name the header by its folder (rule: includes in host/ are \"folder/file.h\")"
      continue
    fi
    local to=${target%%/*}
    if [[ -z ${rank[$to]+x} ]]; then
      [[ $is_test == 1 ]] && continue
      problem "$file:$lineno: #include \"$target\": '$to' is not a folder of host/layers.txt"
      continue
    fi
    if [[ ! -f host/$target ]]; then
      problem "$file:$lineno: #include \"$target\": no such header in host/"
      continue
    fi
    if ((rank[$to] < own)); then
      problem "$file:$lineno: #include \"$target\": $stage/ may include only $stage/ and the folders below it, and $to/ is above it (order: $order_text)"
      continue
    fi
    if [[ $is_test == 0 ]]; then
      # Modules: a .c and its .h are one, named by their path without the extension.
      local from_mod=${file#host/} to_mod=${target%.*}
      from_mod=${from_mod%.*}
      if [[ $from_mod != "$to_mod" ]]; then echo "$from_mod $to_mod" >>"$edges"; fi
    fi
  done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]' "$file" || true)
  return 0
}

while IFS= read -r f; do check_file "$f" 0; done < <(find host -type f \( -name '*.[ch]' -o -name '*.inc' \) | sort)
if [[ -d tests/unit ]]; then
  while IFS= read -r f; do check_file "$f" 1; done < <(find tests/unit -mindepth 2 -type f \( -name '*.[ch]' -o -name '*.inc' \) | sort)
fi

# Cycles between modules: tsort names the modules of each loop it finds.
while IFS= read -r loop; do
  problem "host/: include cycle: $loop (rule: no module depends on itself through others; move what they share into the lower one)"
done < <(tsort "$edges" 2>&1 >/dev/null | awk '
  /input contains a loop/ { if (loop != "") print loop " -> " first; loop = ""; next }
  /^tsort: / { sub(/^tsort: /, ""); if (loop == "") { loop = $0; first = $0 } else loop = loop " -> " $0 }
  END { if (loop != "") print loop " -> " first }')

if ((problems > 0)); then
  echo "check-layers: $problems problem(s); the order is in host/layers.txt, the why in docs/architecture.md" >&2
  exit 1
fi
echo "check-layers: $files files follow host/layers.txt ($order_text), no include cycles"
