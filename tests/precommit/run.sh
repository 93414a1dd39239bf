#!/usr/bin/env bash
# Runs the real pre-commit tool with `pre-commit try-repo` inside a scratch git repository,
# against two hook repositories: this one (.pre-commit-hooks.yaml, `language: rust`) and the
# pre-commit mirror (pre-commit/, `language: python`), which installs the wheels built here,
# served through PIP_FIND_LINKS, with no `cargo` on PATH. For each, the `arraylint` hook must
# fail on a file with AL101 and pass once the file is fixed; `arraylint-fix` must leave the
# unfixable file failing and the fixed one passing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
git -C "$root" rev-parse --verify -q HEAD >/dev/null \
  || { echo "precommit: try-repo needs a commit at HEAD of $root" >&2; exit 1; }

venv="$root/.venv-precommit"
if [ ! -x "$venv/bin/pre-commit" ] || [ ! -x "$venv/bin/maturin" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check pre-commit maturin
fi
"$venv/bin/pre-commit" --version

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The wheels for the mirror, built as scripts/test-python builds them (the main job's
# target directory and release profile: nothing is compiled again after the suite's build).
wheels="$work/wheels"
(cd "$root/python/native" && "$venv/bin/maturin" build --release --quiet --out "$wheels")
(cd "$root/python" && "$venv/bin/maturin" build --release --quiet --out "$wheels")
# The mirror's package builds with setuptools; its wheel goes beside ours, so that pip needs
# no index when pre-commit installs the hook (and can take arraylint from nowhere else).
"$venv/bin/pip" download --quiet --disable-pip-version-check --only-binary :all: \
  --dest "$wheels" "setuptools>=61"

# The mirror repository: the two files of pre-commit/, committed at the root.
mirror="$work/mirror"
mkdir -p "$mirror"
cp "$root/pre-commit/.pre-commit-hooks.yaml" "$root/pre-commit/pyproject.toml" "$mirror/"
git -C "$mirror" init -q
git -C "$mirror" add .
git -C "$mirror" -c user.email=test@example.invalid -c user.name=test commit -q -m mirror
# Its hooks are this repository's, `language: python` instead of `language: rust`.
"$venv/bin/python" - "$root/.pre-commit-hooks.yaml" "$mirror/.pre-commit-hooks.yaml" <<'PY'
import sys
import yaml

main, mirror = (yaml.safe_load(open(path)) for path in sys.argv[1:])
assert [hook["language"] for hook in main] == ["rust"] * len(main), main
assert [hook["language"] for hook in mirror] == ["python"] * len(mirror), mirror
strip = lambda hooks: [{k: v for k, v in hook.items() if k != "language"} for hook in hooks]
assert strip(main) == strip(mirror), "pre-commit/.pre-commit-hooks.yaml differs from .pre-commit-hooks.yaml"
PY

# PATH without any directory that holds a `cargo`, for the mirror's hooks.
no_cargo_path=""
IFS=: read -r -a path_dirs <<<"$PATH"
for dir in "${path_dirs[@]}"; do
  [ -n "$dir" ] && [ ! -e "$dir/cargo" ] && no_cargo_path="${no_cargo_path:+$no_cargo_path:}$dir"
done
if PATH="$no_cargo_path" command -v cargo >/dev/null; then
  echo "precommit: cargo is still on the PATH meant to have none" >&2
  exit 1
fi
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
cat > "$work/wrapper-bad.py" <<'PY'
import numpy as np


class Wrapper:
    def __init__(self, data):
        self.data = np.asarray(data)

    def __array__(self, dtype=None):
        return np.asarray(self.data, dtype=dtype)
PY
sed -e 's/def __array__(self, dtype=None):/def __array__(self, dtype=None, copy=None):/' \
  -e 's/np.asarray(self.data, dtype=dtype)/np.asarray(self.data, dtype=dtype, copy=copy)/' \
  "$work/wrapper-bad.py" > "$work/wrapper-good.py"

try_repo() { # hook-repository hook-id log
  "$venv/bin/pre-commit" try-repo "$1" "$2" --all-files --color never >"$3" 2>&1
}
# The mirror installs `arraylint` with pip from the wheels built above, and only from
# them (no index): no Rust toolchain, no other arraylint.
try_mirror() { # hook-repository hook-id log
  PATH="$no_cargo_path" PIP_FIND_LINKS="$wheels" PIP_NO_INDEX=1 try_repo "$@"
}

check_hooks() { # label runner hook-repository
  local label=$1 runner=$2 hook_repo=$3 hook log started=$SECONDS
  cp "$work/wrapper-bad.py" wrapper.py
  git add wrapper.py
  for hook in arraylint arraylint-fix; do
    log="$work/$label-$hook-bad.log"
    if "$runner" "$hook_repo" "$hook" "$log"; then
      cat "$log"
      echo "precommit: hook $hook ($label) passed on a file with AL101" >&2
      exit 1
    fi
    grep -q "AL101" "$log" || {
      cat "$log"
      echo "precommit: hook $hook ($label) failed without reporting AL101" >&2
      exit 1
    }
  done

  cp "$work/wrapper-good.py" wrapper.py
  git add wrapper.py
  for hook in arraylint arraylint-fix; do
    log="$work/$label-$hook-good.log"
    "$runner" "$hook_repo" "$hook" "$log" || {
      cat "$log"
      echo "precommit: hook $hook ($label) failed on the fixed file" >&2
      exit 1
    }
    grep -Eq "^arraylint.*Passed$" "$log" || {
      cat "$log"
      echo "precommit: hook $hook ($label) did not report Passed" >&2
      exit 1
    }
  done
  echo "precommit: $label hooks: ok ($((SECONDS - started)) s)"
}

check_hooks "language-rust" try_repo "$root"
check_hooks "mirror-language-python" try_mirror "$mirror"

echo "precommit: ok"
