#!/usr/bin/env bash
# Build the libFuzzer targets on stable Rust with the coverage instrumentation cargo-fuzz
# would add (cargo-fuzz itself needs nightly). `--target` keeps the flags off build
# scripts and proc macros, which would not link with them.
set -euo pipefail
cd "$(dirname "$0")"
host=$(rustc -vV | sed -n 's/^host: //p')
export RUSTFLAGS="-Cpasses=sancov-module \
 -Cllvm-args=-sanitizer-coverage-level=4 \
 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
 -Cllvm-args=-sanitizer-coverage-pc-table \
 -Cllvm-args=-sanitizer-coverage-trace-compares \
 --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
cargo build --release --target "$host" --bins "$@"
echo "built: $(pwd)/target/$host/release/{lint_source,fix_text}"
