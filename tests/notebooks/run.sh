#!/usr/bin/env bash
# A real client loads the notebooks arraylint fixed: `arraylint check --fix` on copies of
# fixtures/notebooks/*.ipynb, then nbformat (Jupyter's own reader) validates each fixed
# notebook and `jupyter nbconvert --to script` exports it. The fixed copies must also be
# the committed `*.fixed.ipynb` byte for byte (tests/notebooks.rs checks that too).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${ARRAYLINT_BIN:-$root/target/debug/arraylint}"
venv="$root/.venv-notebooks"
if [ ! -x "$venv/bin/jupyter-nbconvert" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check nbformat nbconvert
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for name in findings string_sources; do
  cp "$root/fixtures/notebooks/$name.ipynb" "$work/$name.ipynb"
  status=0
  (cd "$work" && "$bin" check --isolated --fix --unsafe-fixes --quiet "$name.ipynb" >/dev/null) || status=$?
  if [ "$status" -eq 2 ]; then
    echo "notebooks: arraylint --fix failed on $name.ipynb" >&2
    exit 1
  fi
  cmp "$work/$name.ipynb" "$root/fixtures/notebooks/$name.fixed.ipynb"
done
"$venv/bin/python" - "$work"/*.ipynb <<'PY'
import sys

import nbformat

for path in sys.argv[1:]:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    print(f"nbformat: {path.rsplit('/', 1)[-1]} is a valid nbformat {notebook.nbformat} notebook")
PY
"$venv/bin/jupyter-nbconvert" --log-level=WARN --to script --stdout "$work/findings.ipynb" \
  > "$work/findings.script"
grep -q "def __array__(self, dtype=None, copy=None):" "$work/findings.script"
echo "notebooks: ok"
