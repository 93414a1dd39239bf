#!/usr/bin/env bash
# Runs the real pre-commit tool against this repository's .pre-commit-hooks.yaml with
# `pre-commit try-repo` inside a scratch git repository: the `arraylint` hook must fail on
# a file with AL101 and pass once the file is fixed; `arraylint-fix` must leave the
# unfixable file failing and the fixed one passing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
git -C "$root" rev-parse --verify -q HEAD >/dev/null \
  || { echo "precommit: try-repo needs a commit at HEAD of $root" >&2; exit 1; }

venv="$root/.venv-precommit"
if [ ! -x "$venv/bin/pre-commit" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check pre-commit
fi
"$venv/bin/pre-commit" --version

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache"
# `language: rust` makes pre-commit `cargo install` the hook (a release build). Keep that
# affordable on a small machine, and keep the build directory between runs; CARGO_HOME is
# left alone so that the registry already downloaded is shared.
export CARGO_PROFILE_RELEASE_LTO=false
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_TARGET_DIR="$root/target/precommit-install"

repo="$work/repo"
mkdir -p "$repo"
cd "$repo"
git init -q
git config user.email test@example.invalid
git config user.name test
cat > wrapper.py <<'PY'
import numpy as np


class Wrapper:
    def __init__(self, data):
        self.data = np.asarray(data)

    def __array__(self, dtype=None):
        return np.asarray(self.data, dtype=dtype)
PY
git add wrapper.py

run_hook() { # hook-id log
  "$venv/bin/pre-commit" try-repo "$root" "$1" --all-files --color never >"$2" 2>&1
}

for hook in arraylint arraylint-fix; do
  if run_hook "$hook" "$work/$hook-bad.log"; then
    cat "$work/$hook-bad.log"
    echo "precommit: hook $hook passed on a file with AL101" >&2
    exit 1
  fi
  grep -q "AL101" "$work/$hook-bad.log" || {
    cat "$work/$hook-bad.log"
    echo "precommit: hook $hook failed without reporting AL101" >&2
    exit 1
  }
done

sed -i 's/def __array__(self, dtype=None):/def __array__(self, dtype=None, copy=None):/' wrapper.py
sed -i 's/np.asarray(self.data, dtype=dtype)/np.asarray(self.data, dtype=dtype, copy=copy)/' wrapper.py
git add wrapper.py
for hook in arraylint arraylint-fix; do
  run_hook "$hook" "$work/$hook-good.log" || {
    cat "$work/$hook-good.log"
    echo "precommit: hook $hook failed on the fixed file" >&2
    exit 1
  }
  grep -Eq "^arraylint.*Passed$" "$work/$hook-good.log" || {
    cat "$work/$hook-good.log"
    echo "precommit: hook $hook did not report Passed" >&2
    exit 1
  }
done
echo "precommit: ok"
