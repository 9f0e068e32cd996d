// The language server (llmdebug-lsp, C#, LSP over stdio) for experiment files (*.llmdebug) and forward listings
// (*.llmlisting): completion, hover, diagnostics, inlay hints, outline, code lenses, quick fixes, go-to-definition.
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, RevealOutputChannelOn, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { libtorchEnvIfPresent } from './libtorch';
import { locateLanguageServer, reportSetupError } from './locate';

export const EXPERIMENT_LANGUAGE = 'llmdebug';
export const LISTING_LANGUAGE = 'llm-listing';

export async function startLanguageServer(context: vscode.ExtensionContext, log: vscode.OutputChannel): Promise<LanguageClient | undefined> {
  let server;
  try {
    server = locateLanguageServer(context.extensionPath);
  } catch (e) {
    await reportSetupError(e);
    return undefined;
  }
  const env = { ...process.env, ...libtorchEnvIfPresent(server), DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' };
  // An argument array (no shell): paths with spaces or non-ASCII characters pass unchanged.
  const executable = { command: server.command, args: server.args, transport: TransportKind.stdio, options: { env } };
  const serverOptions: ServerOptions = { run: executable, debug: executable };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: EXPERIMENT_LANGUAGE },
      { scheme: 'file', language: LISTING_LANGUAGE },
    ],
    outputChannel: vscode.window.createOutputChannel('LLM Debug Language Server', { log: true }),
    revealOutputChannelOn: RevealOutputChannelOn.Never,
  };
  log.appendLine(`[lsp] ${server.command} ${server.args.map(a => JSON.stringify(a)).join(' ')}`);
  const client = new LanguageClient('llmdebug', 'LLM Debug', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (e) {
    log.appendLine(`[lsp] could not start: ${e instanceof Error ? e.message : String(e)}`);
    void vscode.window.showErrorMessage(`LLM Debug: the language server for experiment files did not start (${e instanceof Error ? e.message : e}). See the "LLM Debug Language Server" output.`);
    return undefined;
  }
  return client;
}
