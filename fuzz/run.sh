#!/usr/bin/env bash
# Run one fuzz target: fuzz/run.sh TARGET SECONDS [extra libFuzzer flags]
# The corpus is seeded from fixtures/ on every run and never committed; crashes land in
# fuzz/artifacts/TARGET/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=${1:?usage: fuzz/run.sh TARGET SECONDS}
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : $# ))
host=$(rustc -vV | sed -n 's/^host: //p')
bin=$here/target/$host/release/$target
[ -x "$bin" ] || { echo "no $bin: run fuzz/build.sh first" >&2; exit 2; }
corpus=$here/corpus/$target
artifacts=$here/artifacts/$target
mkdir -p "$corpus" "$artifacts"
# The targets read the first byte as the file kind (odd: a `.pyi` stub; 0x80: Cython).
find "$here/../fixtures" -type f \( -name '*.py' -o -name '*.pyi' -o -name '*.pyx' \
    -o -name '*.pxd' -o -name '*.pxi' \) | while read -r f; do
    case $f in *.pyi) kind='\001' ;; *.pyx|*.pxd|*.pxi) kind='\200' ;; *) kind='\000' ;; esac
    { printf "$kind"; cat "$f"; } >"$corpus/seed-$(basename "$f")"
done
cd "$artifacts"
exec "$bin" "$corpus" \
    -dict="$here/python.dict" \
    -max_total_time="$seconds" \
    -jobs=1 -workers=1 \
    -max_len=8192 \
    -timeout=20 \
    -rss_limit_mb=4096 \
    -print_final_stats=1 \
    -artifact_prefix="$artifacts/" \
    "$@"
