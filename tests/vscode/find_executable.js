// The VS Code extension's lookup of the executable (editors/vscode/src/findExecutable.ts,
// compiled), run under Node against real environments: the one scripts/test-python
// installed the wheels into, a bare venv without arraylint, and PATH directories.
//   node find_executable.js OUT_DIR WHEEL_VENV WORK_DIR
const assert = require("assert");
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const [outDir, wheelVenv, work] = process.argv.slice(2);
const { findExecutable } = require(path.join(outDir, "findExecutable.js"));

const installedPython = path.join(wheelVenv, "bin", "python");
const installedBin = path.join(wheelVenv, "bin", "arraylint");
const barePython = path.join(work, "bare", "bin", "python");
execFileSync("python3", ["-m", "venv", "--without-pip", path.join(work, "bare")]);
const pathDir = path.join(work, "on-path");
fs.mkdirSync(pathDir);
fs.symlinkSync(installedBin, path.join(pathDir, "arraylint"));
const emptyDir = path.join(work, "empty");
fs.mkdirSync(emptyDir);
const setting = path.join(work, "from-setting", "arraylint");

async function main() {
  // 1. The selected environment's arraylint comes first, even with another on PATH.
  let found = await findExecutable({
    strategy: "fromEnvironment", setting, interpreter: installedPython, searchPath: pathDir,
  });
  assert.strictEqual(found.command, installedBin);
  assert.match(found.source, /selected Python environment/);
  assert.match(execFileSync(found.command, ["--version"]).toString(), /^arraylint \d/);

  // 2. An environment without the package: PATH.
  found = await findExecutable({
    strategy: "fromEnvironment", setting, interpreter: barePython, searchPath: pathDir,
  });
  assert.deepStrictEqual(found, { command: path.join(pathDir, "arraylint"), source: "PATH" });
  found = await findExecutable({
    strategy: "fromEnvironment", setting, interpreter: "/no/such/python", searchPath: pathDir,
  });
  assert.strictEqual(found.source, "PATH");

  // 3. Neither: the setting; nothing at all without one.
  found = await findExecutable({
    strategy: "fromEnvironment", setting, interpreter: barePython, searchPath: emptyDir,
  });
  assert.deepStrictEqual(found, { command: setting, source: "the arraylint.path setting" });
  found = await findExecutable({
    strategy: "fromEnvironment", setting: "", interpreter: barePython, searchPath: emptyDir,
  });
  assert.strictEqual(found, undefined);

  // 4. useSetting: only the setting.
  found = await findExecutable({
    strategy: "useSetting", setting, interpreter: installedPython, searchPath: pathDir,
  });
  assert.strictEqual(found.command, setting);
  found = await findExecutable({
    strategy: "useSetting", setting: "", interpreter: installedPython, searchPath: pathDir,
  });
  assert.strictEqual(found, undefined);
  console.log("find_executable: environment, then PATH, then the setting: ok");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
