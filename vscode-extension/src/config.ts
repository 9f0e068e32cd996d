// launch.json support for "type": "llm": defaults, F5 without a launch.json, asking for the prompt.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { experimentModel, isExperiment } from './experiments';
import { ModelRegistry, defaultListingPath, isModelFolder } from './models';

const LAST_PROMPT = 'llmDebug.lastPrompt';

export class LlmConfigurationProvider implements vscode.DebugConfigurationProvider {
  constructor(private readonly context: vscode.ExtensionContext, private readonly models: ModelRegistry) {}

  /** Offered in "create a launch.json file": one configuration per model folder found in the workspace. */
  async provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    const models = await this.models.workspaceModels();
    const base = folder?.uri.fsPath;
    const configs = models.map(m => ({
      type: 'llm', request: 'launch', name: `Debug ${path.basename(m)}`,
      model: base && m.startsWith(base + path.sep) ? '${workspaceFolder}/' + path.relative(base, m).split(path.sep).join('/') : m,
      prompt: 'In the beginning', maxNewTokens: 3, stopOnEntry: false,
    }));
    return configs.length ? configs : [{ type: 'llm', request: 'launch', name: 'Debug model', model: '${workspaceFolder}/model', prompt: 'In the beginning', maxNewTokens: 3 }];
  }

  /** Before variables are substituted: F5 with no launch.json, and the prompt question. */
  async resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    if (!config.type && !config.request && !config.name) {
      // F5 on an experiment file: debug it (its model, first prompt, settings, break lines and interventions)
      const active = vscode.window.activeTextEditor?.document;
      if (active?.uri.scheme === 'file' && isExperiment(active.fileName)) {
        if (active.isDirty) await active.save();
        return { type: 'llm', request: 'launch', name: `Debug ${path.basename(active.fileName)}`, program: active.fileName };
      }
      const model = await this.models.guessModel(true);
      if (!model) {
        void vscode.window.showInformationMessage('LLM Debug: open a model folder (config.json + model.safetensors) or its forward listing, then press F5 again — or create a launch.json with "type": "llm".');
        return undefined;
      }
      config = { type: 'llm', request: 'launch', name: `Debug ${path.basename(model)}`, model, maxNewTokens: 3, stopOnEntry: false };
    }
    if (config.type !== 'llm') return config;
    if (config.request !== 'launch') {
      void vscode.window.showErrorMessage('LLM Debug supports "request": "launch" only.');
      return undefined;
    }
    // an experiment supplies its model, prompt and settings; explicit attributes override the file's
    if (config.program) return config;
    if (!config.model) {
      const model = await this.models.guessModel(true);
      if (!model) return undefined;
      config.model = model;
    }
    if (config.prompt === undefined || config.prompt === null) {
      const prompt = await vscode.window.showInputBox({
        title: `Prompt for ${path.basename(String(config.model))}`,
        prompt: 'The text the model continues. The debugger stops at your breakpoints in the forward listing.',
        value: this.context.globalState.get<string>(LAST_PROMPT, 'In the beginning'),
        ignoreFocusOut: true,
      });
      if (prompt === undefined) return undefined;
      config.prompt = prompt;
      void this.context.globalState.update(LAST_PROMPT, prompt);
    }
    config.maxNewTokens ??= 3;
    config.stopOnEntry ??= false;
    return config;
  }

  /** After ${workspaceFolder} & co. are substituted: absolute paths, a model check, the listing path. */
  resolveDebugConfigurationWithSubstitutedVariables(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined | null {
    if (config.type !== 'llm') return config;
    const base = config.cwd ? path.resolve(String(config.cwd)) : folder?.uri.fsPath ?? process.cwd();
    if (config.program) return this.resolveExperiment(folder, config, base);
    const model = path.resolve(base, String(config.model));
    if (!fs.existsSync(model)) {
      void vscode.window.showErrorMessage(`LLM Debug: the model folder "${model}" does not exist. Check "model" in launch.json.`, 'Open launch.json')
        .then(pick => pick && vscode.commands.executeCommand('workbench.action.debug.configure'));
      return undefined;
    }
    if (!isModelFolder(model)) {
      void vscode.window.showErrorMessage(`LLM Debug: "${model}" is not a model folder — it needs config.json and model.safetensors (plus tokenizer files).`);
      return undefined;
    }
    config.model = model;
    config.cwd = base;
    config.listing = config.listing ? path.resolve(base, String(config.listing)) : defaultListingPath(model, folder, this.context.globalStorageUri);
    if (path.resolve(config.listing).startsWith(model + path.sep)) {
      void vscode.window.showErrorMessage(`LLM Debug: "listing" (${config.listing}) must not be inside the model folder.`);
      return undefined;
    }
    this.models.remember(config.listing, model);
    return config;
  }

  /** "program": an experiment file. Its model (or an explicit "model") decides where the listing goes. */
  private resolveExperiment(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration, base: string): vscode.DebugConfiguration | undefined {
    const program = path.resolve(base, String(config.program));
    if (!isExperiment(program)) {
      void vscode.window.showErrorMessage(`LLM Debug: "program" must be an experiment file (.llmdebug), got "${program}".`);
      return undefined;
    }
    if (!fs.existsSync(program)) {
      void vscode.window.showErrorMessage(`LLM Debug: the experiment file "${program}" does not exist. Check "program" in launch.json.`);
      return undefined;
    }
    config.program = program;
    config.cwd = base;
    if (config.model) config.model = path.resolve(base, String(config.model));
    const model = config.model ?? experimentModel(program);
    if (config.listing) config.listing = path.resolve(base, String(config.listing));
    else if (model && isModelFolder(model)) config.listing = defaultListingPath(model, folder ?? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(program)), this.context.globalStorageUri);
    // a missing or invalid model is reported by the adapter with the loader's reason (and by the language server before that)
    if (config.listing && model) this.models.remember(config.listing, model);
    return config;
  }
}
