#!/usr/bin/env bash
# Opens a fixture in a headless Neovim (Debian's package, 0.7) configured with
# editors/neovim/arraylint.lua, lets it attach `arraylint server`, and checks that the
# diagnostics Neovim received are exactly the ones the fixture's `# error:` markers name.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

if ! command -v nvim >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends neovim >/dev/null
fi
nvim --version | head -n 1

bin="${ARRAYLINT_BIN:-}"
if [ -z "$bin" ]; then
  (cd "$root" && cargo build --quiet --bin arraylint)
  bin="$root/target/debug/arraylint"
fi
test -x "$bin" || { echo "nvim: no arraylint binary at $bin" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# One session per fixture: Python (filetype `python`) and Cython (`pyrex`, Neovim's name
# for `.pyx` files).
run_fixture() {
  local name=$1 filetype=$2
  rm -rf "$work/project" "$work/home" "$work/diagnostics.jsonl"
  # A project of its own, so that no settings file of this repository applies.
  mkdir -p "$work/project" "$work/home"
  cp "$root/tests/nvim/$name" "$work/project/$name"
  touch "$work/project/pyproject.toml"

  export ARRAYLINT_REPO="$root" ARRAYLINT_BIN="$bin"
  # With an environment where the wheels are installed, the snippet looks the executable up
  # itself (no `cmd`) and must pick that environment's, although `bin` is not on PATH either.
  if [ -n "${ARRAYLINT_WHEEL_VENV:-}" ]; then
    export VIRTUAL_ENV="$ARRAYLINT_WHEEL_VENV"
    export ARRAYLINT_NVIM_EXPECT_FOUND="$ARRAYLINT_WHEEL_VENV/bin/arraylint"
  fi
  export ARRAYLINT_NVIM_OUT="$work/diagnostics.jsonl"
  export ARRAYLINT_NVIM_FIXTURE="$work/project/$name" ARRAYLINT_NVIM_FILETYPE="$filetype"
  # A clean, private Neovim: no user config, state or plugins.
  export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.data" \
    XDG_STATE_HOME="$work/home/.state" XDG_CACHE_HOME="$work/home/.cache"

  timeout 60 nvim --headless --clean -n -u "$root/tests/nvim/init.lua" \
    || { echo "nvim: the headless session failed" >&2; exit 1; }
  test -s "$ARRAYLINT_NVIM_OUT" || { echo "nvim: no diagnostics were written" >&2; exit 1; }

  python3 - "$ARRAYLINT_NVIM_FIXTURE" "$ARRAYLINT_NVIM_OUT" <<'PY'
import json, re, sys

fixture, received_path = sys.argv[1], sys.argv[2]
expected = set()
lines = open(fixture, encoding="utf-8").read().splitlines()
for number, line in enumerate(lines, start=1):
    marker = re.search(r"#\s*error:\s*(.+)$", line)
    if marker:
        for code in marker.group(1).split(","):
            expected.add((number, code.strip()))

received = [json.loads(line) for line in open(received_path, encoding="utf-8") if line.strip()]
got = {(d["line"], d["code"]) for d in received}
errors = []
if got != expected:
    errors.append(f"expected {sorted(expected)}, received {sorted(got)}")
for d in received:
    if d["source"] != "arraylint":
        errors.append(f"source is {d['source']!r}, not 'arraylint'")
    # Neovim turns the server's UTF-16 columns into byte columns (vim.diagnostic's unit):
    # a signature rule must land on the method's name, a call rule on the call, which
    # follows an emoji, so that a column in the wrong unit would land elsewhere.
    text = lines[d["line"] - 1]
    anchor = text.index("def ") + 4 if "def " in text else text.find("np.array(")
    if anchor >= 0:
        want = len(text[:anchor].encode("utf-8"))
        if d["col"] != want:
            errors.append(f"line {d['line']}: column {d['col']}, expected {want}")
if errors:
    sys.exit("nvim: " + "; ".join(errors))
print(f"{fixture.rsplit('/', 1)[-1]}: received {len(received)} diagnostic(s): {sorted(got)}")
PY
}

run_fixture fixture.py python
run_fixture fixture.pyx pyrex
echo "nvim: ok"
