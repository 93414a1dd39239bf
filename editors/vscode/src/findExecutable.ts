// Which `arraylint` executable to start, in the order of ruff-vscode's
// `importStrategy: fromEnvironment`: the one installed in the selected Python environment,
// else the first on PATH, else the `arraylint.path` setting. With `useSetting`, only the
// setting. No VS Code API here, so that tests/vscode/run.sh can run it under plain Node.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";

export type ImportStrategy = "fromEnvironment" | "useSetting";

export interface Found {
  command: string;
  /** Where it was found, for the log: "the selected Python environment", "PATH", ... */
  source: string;
}

export interface Lookup {
  strategy: ImportStrategy;
  /** The `arraylint.path` setting; empty when unset. */
  setting: string;
  /** The selected Python environment's interpreter, when the Python extension says. */
  interpreter?: string;
  /** The PATH to search (default: this process's). */
  searchPath?: string;
}

const EXECUTABLE = process.platform === "win32" ? "arraylint.exe" : "arraylint";

// The lookup of `python -m arraylint` (arraylint/__main__.py), run in that interpreter, so
// that user-scheme and `--target` installs are found as the package itself finds them.
const FIND_IN_INTERPRETER =
  "from arraylint.__main__ import find_arraylint_bin; print(find_arraylint_bin())";

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The `arraylint` installed with the `arraylint` package in `interpreter`'s environment. */
export function inEnvironment(interpreter: string, timeoutMs = 15000): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(interpreter, ["-c", FIND_IN_INTERPRETER], { timeout: timeoutMs }, (error, stdout) => {
      const found = stdout.trim();
      resolve(!error && found !== "" && isExecutableFile(found) ? found : undefined);
    });
  });
}

/** The first `arraylint` on `searchPath`. */
export function onPath(searchPath: string = process.env.PATH ?? ""): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === "") {
      continue;
    }
    const candidate = path.join(dir, EXECUTABLE);
    if (isExecutableFile(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

export async function findExecutable(lookup: Lookup): Promise<Found | undefined> {
  const fromSetting: Found | undefined =
    lookup.setting !== "" ? { command: lookup.setting, source: "the arraylint.path setting" } : undefined;
  if (lookup.strategy === "useSetting") {
    return fromSetting;
  }
  if (lookup.interpreter) {
    const found = await inEnvironment(lookup.interpreter);
    if (found) {
      return { command: found, source: `the selected Python environment (${lookup.interpreter})` };
    }
  }
  const found = onPath(lookup.searchPath);
  if (found) {
    return { command: found, source: "PATH" };
  }
  return fromSetting;
}
