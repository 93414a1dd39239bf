#!/usr/bin/env bash
# Type-checks and packages the VS Code extension exactly as a release would
# (npm ci, npm run compile, vsce package) and checks what went into the .vsix; runs its
# lookup of the executable under Node against the environment where scripts/test-python
# installed the wheels (ARRAYLINT_WHEEL_VENV, default target/wheel-venv).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ext="$root/editors/vscode"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$ext"
npm ci --no-audit --no-fund
npm run compile
test -s out/extension.js || { echo "vscode: out/extension.js was not built" >&2; exit 1; }

wheel_venv="${ARRAYLINT_WHEEL_VENV:-$root/target/wheel-venv}"
[ -x "$wheel_venv/bin/arraylint" ] \
  || { echo "vscode: no installed arraylint in $wheel_venv; run scripts/test-python first" >&2; exit 1; }
mkdir -p "$work/find"
node "$root/tests/vscode/find_executable.js" "$ext/out" "$wheel_venv" "$work/find"

version="$(node -p 'require("./package.json").version')"
vsix="$work/arraylint-$version.vsix"
npx --no-install @vscode/vsce package --out "$vsix"

# A .vsix is a zip archive; list it with Python so that no unzip tool is needed.
python3 - "$vsix" <<'PY'
import sys, zipfile, json

names = set(zipfile.ZipFile(sys.argv[1]).namelist())
required = [
    "extension.vsixmanifest",
    "extension/package.json",
    "extension/out/extension.js",
    "extension/out/findExecutable.js",
    "extension/readme.md",
    "extension/node_modules/vscode-languageclient/package.json",
]
missing = [n for n in required if n not in names]
leaked = sorted(
    n for n in names
    if n.startswith("extension/src/")
    or n.startswith("extension/node_modules/typescript/")
    or n.startswith("extension/node_modules/@vscode/vsce/")
    or n.endswith(".vsix")
    or n in ("extension/.gitignore", "extension/.npmrc", "extension/tsconfig.json")
)
manifest = json.loads(zipfile.ZipFile(sys.argv[1]).read("extension/package.json"))
errors = []
if missing:
    errors.append(f"missing from the .vsix: {missing}")
if leaked:
    errors.append(f"should not be in the .vsix: {leaked[:10]}")
if manifest.get("main") != "./out/extension.js":
    errors.append(f"unexpected main: {manifest.get('main')!r}")
settings = manifest["contributes"]["configuration"]["properties"]
for setting in ("arraylint.path", "arraylint.importStrategy"):
    if setting not in settings:
        errors.append(f"the {setting} setting is not contributed")
if settings.get("arraylint.importStrategy", {}).get("default") != "fromEnvironment":
    errors.append("arraylint.importStrategy does not default to fromEnvironment")
if errors:
    sys.exit("vscode: " + "; ".join(errors))
print(f"vsix holds {len(names)} files")
PY
echo "vscode: ok"
