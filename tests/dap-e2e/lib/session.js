'use strict';
// Helpers for driving llmdebug-dap with the reference DAP client (@vscode/debugadapter-testsupport).
// The adapter runs as a child process over stdio; every wait has a timeout so a broken adapter fails a test
// instead of hanging it.

const assert = require('node:assert/strict');
const cp = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { DebugClient } = require('@vscode/debugadapter-testsupport');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** The adapter executable: LLMDEBUG_DAP, else the Debug build's apphost. */
const ADAPTER = path.resolve(REPO_ROOT, process.env.LLMDEBUG_DAP
    || 'src/LlmDebug.DebugAdapter/bin/Debug/net10.0/linux-x64/llmdebug-dap');

/** The model under test: LLMDEBUG_E2E_MODEL, else the 12-layer sample model. */
const MODEL = path.resolve(REPO_ROOT, process.env.LLMDEBUG_E2E_MODEL || 'samples/models/gpt2-kjv-12L');

const PROMPT = 'In the beginning God created';

/** Waits for one event or request: model loading on a busy machine can take a while. */
const WAIT_MS = 30_000;

function checkPrerequisites() {
    assert.ok(fs.existsSync(ADAPTER), `adapter not built: ${ADAPTER} (run: dotnet build src/LlmDebug.DebugAdapter, or set LLMDEBUG_DAP)`);
    assert.ok(fs.existsSync(path.join(MODEL, 'config.json')),
        `model folder missing: ${MODEL} (set LLMDEBUG_E2E_MODEL, e.g. to a folder written by 'llmdebug make-model --out DIR --layers 12 --heads 4 --d-model 64')`);
}

function tempDir(prefix) {
    return fs.mkdtempSync(path.join(os.tmpdir(), `llmdebug-e2e-${prefix}-`));
}

/**
 * One adapter process plus a DebugClient connected to its stdio. Keeps every event it receives, per type, so a
 * test can wait for "the next stopped event" without racing the adapter (an event that arrived before the wait
 * began is not lost, as it would be with DebugClient.waitForEvent).
 */
class AdapterSession {
    constructor() {
        this.dc = new DebugClient('llmdebug-dap', ADAPTER, 'llm');
        this.dc.defaultTimeout = WAIT_MS;
        this.stderr = '';
        this.log = [];               // every event, in arrival order
        this._queues = new Map();    // event type → events not yet taken by next()
        this._waiters = new Map();   // event type → resolvers
        this.exited = null;          // { code, signal } once the process is gone
    }

    /** Starts the adapter and talks to it over its stdin/stdout (how VS Code runs it by default). */
    static async start(extraArgs = []) {
        const s = await AdapterSession._spawn(extraArgs);
        s.dc.connect(s.proc.stdout, s.proc.stdin);
        return s;
    }

    /** Starts the adapter with `--port 0` and connects DebugClient to the port it reports on stderr. */
    static async startTcp(extraArgs = []) {
        const s = await AdapterSession._spawn(['--port', '0', ...extraArgs]);
        s.stdout = '';
        s.proc.stdout.on('data', d => { s.stdout += d.toString(); });
        const port = await new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`the adapter reported no port within ${WAIT_MS} ms; stderr:\n${s.stderr}`)), WAIT_MS);
            const check = () => {
                const m = /listening on 127\.0\.0\.1:(\d+)/.exec(s.stderr);
                if (m) { clearTimeout(timer); s.proc.stderr.off('data', check); resolve(Number(m[1])); }
            };
            s.proc.stderr.on('data', check);
            check();
        });
        await s.dc.start(port);
        s.port = port;
        return s;
    }

    static async _spawn(args) {
        const s = new AdapterSession();
        AdapterSession.all.add(s);
        s.proc = cp.spawn(ADAPTER, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: REPO_ROOT });
        s.proc.stderr.on('data', d => { s.stderr += d.toString(); });
        s.exitPromise = new Promise(resolve => s.proc.on('exit', (code, signal) => { s.exited = { code, signal }; resolve(s.exited); }));
        await new Promise((resolve, reject) => { s.proc.once('spawn', resolve); s.proc.once('error', reject); });
        for (const type of ['initialized', 'stopped', 'continued', 'output', 'terminated', 'exited'])
            s.dc.on(type, e => s._record(type, e));
        return s;
    }

    _record(type, event) {
        this.log.push(event);
        const waiters = this._waiters.get(type);
        if (waiters?.length) { waiters.shift()(event); return; }
        if (!this._queues.has(type)) this._queues.set(type, []);
        this._queues.get(type).push(event);
    }

    /** The next event of this type not yet taken (waits up to `ms`). */
    next(type, ms = WAIT_MS) {
        const queued = this._queues.get(type);
        if (queued?.length) return Promise.resolve(queued.shift());
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                const list = this._waiters.get(type);
                list.splice(list.indexOf(done), 1);
                reject(new Error(`no '${type}' event within ${ms} ms; adapter stderr:\n${this.stderr.slice(-2000)}`));
            }, ms);
            const done = e => { clearTimeout(timer); resolve(e); };
            if (!this._waiters.has(type)) this._waiters.set(type, []);
            this._waiters.get(type).push(done);
        });
    }

    /** Output events of one category received so far. */
    outputs(category) {
        return this.log.filter(e => e.event === 'output' && e.body.category === category);
    }

    /**
     * initialize → launch → (initialized) → configure() → configurationDone, as VS Code does it: the adapter sends
     * `initialized` only after launch loaded the model, so breakpoints can be checked against its listing.
     */
    async launch(args, configure = async () => {}) {
        const init = await this.req('initialize', { adapterID: 'llm', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
        assert.equal(init.body.supportsConfigurationDoneRequest, true);
        const launched = await this.req('launch', args);
        await this.next('initialized');
        await configure();
        await this.req('configurationDone', {});
        return launched;
    }

    /** Sends a request; resolves with the response whether it succeeded or not, rejects only on timeout. */
    request(command, args, ms = WAIT_MS) {
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no response to '${command}' within ${ms} ms; adapter stderr:\n${this.stderr.slice(-2000)}`)), ms);
            if (command === 'disconnect') this._disconnectSent = true;
            this.dc.doSend(command, args, response => { clearTimeout(timer); resolve(response); });
        });
    }

    /** Sends a request that must succeed; returns its response. */
    async req(command, args, ms = WAIT_MS) {
        const response = await this.request(command, args, ms);
        assert.equal(response.success, true, `'${command}' failed: ${response.message}`);
        return response;
    }

    /** Waits for the next stop and returns it with the stack. */
    async stopped(expectedReason) {
        const event = await this.next('stopped');
        if (expectedReason) assert.equal(event.body.reason, expectedReason, `stop reason (${event.body.description})`);
        const st = await this.req('stackTrace', { threadId: event.body.threadId });
        return { event, frames: st.body.stackFrames };
    }

    /** Runs a step request and returns the stop it leads to. */
    async step(kind) {
        await this.req(kind, { threadId: 1 });
        return this.stopped();
    }

    /** Children of a variables reference (all, or a page). */
    async variables(variablesReference, start, count) {
        const args = { variablesReference };
        if (start !== undefined) { args.start = start; args.count = count; args.filter = 'indexed'; }
        return (await this.req('variables', args)).body.variables;
    }

    async scopes(frameId) {
        return (await this.req('scopes', { frameId })).body.scopes;
    }

    async scopeVariables(frameId, name) {
        const scope = (await this.scopes(frameId)).find(s => s.name === name);
        assert.ok(scope, `scope '${name}' in frame ${frameId}`);
        return this.variables(scope.variablesReference);
    }

    /** disconnect, then make sure the process is gone (kills it after `ms` so no test leaves it behind). */
    async close(ms = 5_000) {
        if (!this.exited && !this._disconnectSent) {
            try { await this.request('disconnect', {}, ms); } catch { /* no answer: killed below */ }
        }
        const exit = await Promise.race([this.exitPromise, sleep(ms).then(() => null)]);
        if (!exit) {
            this.proc.kill('SIGKILL');
            await this.exitPromise;
            return null;
        }
        return exit;
    }
}

/** Every session started, so a test file's after() hook can make sure no adapter outlives it. */
AdapterSession.all = new Set();
AdapterSession.killAll = async () => {
    for (const s of AdapterSession.all) if (!s.exited) { s.proc.kill('SIGKILL'); await s.exitPromise; }
    AdapterSession.all.clear();
};

function sleep(ms) { return new Promise(resolve => setTimeout(resolve, ms).unref()); }

/** Line numbers (1-based) of the listing's lines, by what they stand for. */
function parseListing(text) {
    const lines = text.split('\n');
    const lineOf = name => {
        const i = lines.findIndex(l => l.trimStart().startsWith(`${name}:`) || l.trim().split(/\s+/)[0] === name);
        assert.ok(i >= 0, `listing has no line for '${name}'`);
        return i + 1;
    };
    const header = /heads (\d+)/.exec(text);
    const layers = /layers (\d+)/.exec(text);
    return { text, lines, lineOf, heads: Number(header?.[1]), layers: Number(layers?.[1]) };
}

/**
 * Copies a model folder and overwrites the data of one tensor with NaN, in the tensor's own dtype.
 * safetensors: 8-byte little-endian header length, JSON header {name: {dtype, shape, data_offsets}}, then data.
 */
function poisonedModelCopy(modelFolder, tensorSuffix) {
    const dir = tempDir('poisoned');
    for (const f of fs.readdirSync(modelFolder)) {
        const src = path.join(modelFolder, f);
        if (fs.statSync(src).isFile()) fs.copyFileSync(src, path.join(dir, f));
    }
    const file = path.join(dir, 'model.safetensors');
    const fd = fs.openSync(file, 'r+');
    try {
        const lenBuf = Buffer.alloc(8);
        fs.readSync(fd, lenBuf, 0, 8, 0);
        const headerLength = Number(lenBuf.readBigUInt64LE(0));
        const headerBuf = Buffer.alloc(headerLength);
        fs.readSync(fd, headerBuf, 0, headerLength, 8);
        const header = JSON.parse(headerBuf.toString('utf8'));
        const name = Object.keys(header).find(k => k === tensorSuffix || k.endsWith(`.${tensorSuffix}`));
        assert.ok(name, `no tensor '${tensorSuffix}' in ${file}`);
        const { dtype, data_offsets: [begin, end] } = header[name];
        const nan = { F32: [4, b => b.writeUInt32LE(0x7FC00000)], F16: [2, b => b.writeUInt16LE(0x7E00)], BF16: [2, b => b.writeUInt16LE(0x7FC0)] }[dtype];
        assert.ok(nan, `cannot poison dtype ${dtype}`);
        const [size, write] = nan;
        const element = Buffer.alloc(size);
        write(element);
        const data = Buffer.alloc(end - begin);
        for (let o = 0; o < data.length; o += size) element.copy(data, o);
        fs.writeSync(fd, data, 0, data.length, 8 + headerLength + begin);
        return { dir, tensor: name, dtype };
    } finally {
        fs.closeSync(fd);
    }
}

module.exports = { AdapterSession, ADAPTER, MODEL, PROMPT, WAIT_MS, checkPrerequisites, tempDir, parseListing, poisonedModelCopy, sleep };
