import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { LlmConfigurationProvider } from './config';
import { ExperimentCommands } from './experiments';
import { ensureLibtorch } from './libtorch';
import { SetupError, locateAdapter, reportSetupError } from './locate';
import { ModelRegistry, isModelFolder } from './models';
import { startLanguageServer } from './lsp';
import { PanelManager } from './panel';

let log: vscode.OutputChannel;
let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  log = vscode.window.createOutputChannel('LLM Debug');
  const models = new ModelRegistry(context, log);
  const panels = new PanelManager(context);
  const provider = new LlmConfigurationProvider(context, models);
  new ExperimentCommands(context, log);
  // the language server starts in the background: activation (and F5) never wait for it
  void startLanguageServer(context, log).then(c => { client = c; });

  context.subscriptions.push(
    log,
    panels,
    vscode.debug.registerDebugConfigurationProvider('llm', provider),
    vscode.debug.registerDebugConfigurationProvider('llm', provider, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.debug.registerDebugAdapterDescriptorFactory('llm', new AdapterFactory(context)),
    vscode.debug.registerDebugAdapterTrackerFactory('llm', panels),

    vscode.commands.registerCommand('llmDebug.openListing', async (uri?: vscode.Uri) => {
      try {
        let model = uri?.scheme === 'file' && isModelFolder(uri.fsPath) ? uri.fsPath : undefined;
        if (uri && !model) {
          void vscode.window.showErrorMessage(`${uri.fsPath} is not a model folder (config.json + model.safetensors).`);
          return;
        }
        model ??= await models.guessModel(true);
        if (!model) return;
        const listing = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Writing forward listing' },
          () => models.writeListing(model!, uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined));
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(listing));
        await vscode.window.showTextDocument(doc, { preview: false });
      } catch (e) {
        await reportSetupError(e);
      }
    }),

    vscode.commands.registerCommand('llmDebug.showAsHeatmap', async (ctx?: { sessionId?: string; variable?: { evaluateName?: string; name?: string; type?: string } }) => {
      const session = vscode.debug.activeDebugSession;
      if (!session || session.type !== 'llm') {
        void vscode.window.showWarningMessage('Show as Heatmap works on tensors of an LLM Debug session that is stopped.');
        return;
      }
      let expression = ctx?.variable?.evaluateName;
      if (!expression && !ctx?.variable) {
        expression = await vscode.window.showInputBox({ title: 'Show as Heatmap', prompt: 'A hook name or expression, e.g. blocks.11.attn.hook_pattern[0] or hook_resid_post', ignoreFocusOut: true });
      }
      if (!expression) {
        if (ctx?.variable) void vscode.window.showWarningMessage(`"${ctx.variable.name}" has no expression to evaluate; expand a tensor with a hook name instead.`);
        return;
      }
      const item = vscode.debug.activeStackItem;
      const frameId = item instanceof vscode.DebugStackFrame && item.session.id === session.id ? item.frameId : undefined;
      panels.show(session, { type: 'showTensor', expression, frameId });
    }),

    vscode.commands.registerCommand('llmDebug.showPanel', () => {
      const session = vscode.debug.activeDebugSession;
      if (!session || session.type !== 'llm') {
        void vscode.window.showWarningMessage('Start an LLM Debug session first (F5 on a model folder or its forward listing).');
        return;
      }
      panels.show(session, { type: 'showAttention' });
    }),

    vscode.commands.registerCommand('llmDebug.restoreLibtorch', async () => {
      try {
        const adapter = locateAdapter(context.extensionPath);
        await ensureLibtorch(adapter, context.globalStorageUri, log);
        void vscode.window.showInformationMessage('LLM Debug: libtorch is ready.');
      } catch (e) {
        await reportSetupError(e);
      }
    }),
  );
}

class AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly context: vscode.ExtensionContext) {}

  async createDebugAdapterDescriptor(session: vscode.DebugSession): Promise<vscode.DebugAdapterDescriptor> {
    try {
      const adapter = locateAdapter(this.context.extensionPath);
      const native = await ensureLibtorch(adapter, this.context.globalStorageUri, log);
      // An argument array, never a shell line: paths with spaces or non-ASCII characters pass unchanged.
      const args = [...adapter.args.slice(0, 1), ...native.hostArgs, ...adapter.args.slice(1)];
      log.appendLine(`[adapter] ${adapter.command} ${args.map(a => JSON.stringify(a)).join(' ')} (session "${session.name}")`);
      return new vscode.DebugAdapterExecutable(adapter.command, args, {
        env: { ...native.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' },
        cwd: session.configuration.cwd,
      });
    } catch (e) {
      void reportSetupError(e);
      throw new Error(e instanceof SetupError ? e.message : `LLM Debug could not start its adapter: ${e instanceof Error ? e.message : e}`);
    }
  }
}

export async function deactivate(): Promise<void> {
  // subscriptions dispose everything else; the language server gets its shutdown/exit
  await client?.stop().catch(() => {});
}
