// Starts `arraylint server` as a language server for Python files. All the linting, the
// quick fixes and the hovers come from the server; this file only launches it.
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

function serverOptions(): ServerOptions {
  const config = vscode.workspace.getConfiguration("arraylint");
  const command = config.get<string>("path") || "arraylint";
  return { command, args: ["server"], transport: TransportKind.stdio };
}

async function start(): Promise<void> {
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "python" },
      { scheme: "untitled", language: "python" },
    ],
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
    serverOptions(),
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

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("arraylint.restart", async () => {
      await stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("arraylint.path")) {
        await stop();
        await start();
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}
