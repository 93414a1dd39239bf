// Starts `arraylint server` as a language server for Python files. All the linting, the
// quick fixes and the hovers come from the server; this file only finds the executable
// (findExecutable.ts) and launches it.
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  TransportKind,
} from "vscode-languageclient/node";
import { findExecutable, ImportStrategy } from "./findExecutable";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

// The part of the Python extension's API (ms-python.python) used here: the interpreter
// selected for the workspace, and its changes.
interface EnvironmentPath {
  id: string;
  path: string;
}
interface PythonExtensionApi {
  environments: {
    getActiveEnvironmentPath(resource?: vscode.Uri): EnvironmentPath;
    resolveEnvironment(
      environment: EnvironmentPath | string,
    ): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
  };
}

async function pythonApi(): Promise<PythonExtensionApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>("ms-python.python");
  if (!extension) {
    return undefined;
  }
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    return api?.environments ? api : undefined;
  } catch (error) {
    output?.appendLine(`the Python extension did not answer: ${error}`);
    return undefined;
  }
}

async function selectedInterpreter(): Promise<string | undefined> {
  const api = await pythonApi();
  if (!api) {
    return undefined;
  }
  try {
    const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
    const environment = await api.environments.resolveEnvironment(
      api.environments.getActiveEnvironmentPath(resource),
    );
    return environment?.executable.uri?.fsPath;
  } catch (error) {
    output?.appendLine(`cannot resolve the selected Python environment: ${error}`);
    return undefined;
  }
}

async function start(): Promise<void> {
  const config = vscode.workspace.getConfiguration("arraylint");
  const strategy = config.get<ImportStrategy>("importStrategy", "fromEnvironment");
  const found = await findExecutable({
    strategy,
    setting: config.get<string>("path", ""),
    interpreter: strategy === "fromEnvironment" ? await selectedInterpreter() : undefined,
  });
  if (!found) {
    const message =
      strategy === "useSetting"
        ? "arraylint: set `arraylint.path` (importStrategy is useSetting)."
        : "arraylint: no `arraylint` executable in the selected Python environment or on PATH. " +
          "Install it (`pip install arraylint`) or set `arraylint.path`.";
    output?.appendLine(message);
    void vscode.window.showErrorMessage(message);
    return;
  }
  output?.appendLine(`using ${found.command} (from ${found.source})`);

  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "python" },
      { scheme: "untitled", language: "python" },
      // Cython: the language id of the Cython extensions, and the file names for editors
      // without one (VS Code has no Cython language of its own).
      { scheme: "file", language: "cython" },
      { scheme: "untitled", language: "cython" },
      { scheme: "file", pattern: "**/*.{pyx,pxd,pxi}" },
      // Jupyter notebooks' Python cells: the server syncs them as notebook documents
      // (LSP 3.17) and publishes diagnostics per cell.
      { scheme: "vscode-notebook-cell", language: "python" },
    ],
    outputChannel: output,
    synchronize: {
      // The server re-reads its settings when one of these changes.
      fileEvents: vscode.workspace.createFileSystemWatcher(
        "**/{pyproject.toml,arraylint.toml,.arraylint.toml}",
      ),
    },
  };
  client = new LanguageClient(
    "arraylint",
    "arraylint",
    { command: found.command, args: ["server"], transport: TransportKind.stdio },
    clientOptions,
  );
  await client.start();
}

async function stop(): Promise<void> {
  if (client) {
    const running = client;
    client = undefined;
    await running.stop();
  }
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("arraylint");
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("arraylint.restart", restart),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (
        event.affectsConfiguration("arraylint.path") ||
        event.affectsConfiguration("arraylint.importStrategy")
      ) {
        await restart();
      }
    }),
  );
  // Another interpreter selected: its environment may hold another arraylint.
  const api = await pythonApi();
  if (api) {
    context.subscriptions.push(api.environments.onDidChangeActiveEnvironmentPath(restart));
  }
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}
