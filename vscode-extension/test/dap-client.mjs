// A minimal Debug Adapter Protocol client over a child process's stdio (for tests).
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';

export class DapClient extends EventEmitter {
  constructor(command, args, options = {}) {
    super();
    this.seq = 1;
    this.pending = new Map();
    this.buffer = Buffer.alloc(0);
    this.events = [];
    this.stderr = '';
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
    this.child.stdout.on('data', d => this.onData(d));
    this.child.stderr.on('data', d => { this.stderr += d; });
    this.child.on('exit', code => {
      for (const p of this.pending.values()) p.reject(new Error(`adapter exited (${code}): ${this.stderr.slice(-2000)}`));
      this.pending.clear();
    });
  }

  onData(d) {
    this.buffer = Buffer.concat([this.buffer, d]);
    for (;;) {
      const sep = this.buffer.indexOf('\r\n\r\n');
      if (sep < 0) return;
      const m = /Content-Length: (\d+)/i.exec(this.buffer.subarray(0, sep).toString());
      const len = Number(m[1]);
      if (this.buffer.length < sep + 4 + len) return;
      const msg = JSON.parse(this.buffer.subarray(sep + 4, sep + 4 + len).toString('utf8'));
      this.buffer = this.buffer.subarray(sep + 4 + len);
      if (msg.type === 'response') {
        const p = this.pending.get(msg.request_seq);
        this.pending.delete(msg.request_seq);
        if (msg.success) p?.resolve(msg.body ?? {});
        else p?.reject(new Error(msg.body?.error?.format ?? msg.message));
      } else if (msg.type === 'event') {
        this.events.push(msg);
        this.emit('event', msg);
        this.emit(msg.event, msg.body ?? {});
      }
    }
  }

  request(command, args = {}) {
    const seq = this.seq++;
    const body = Buffer.from(JSON.stringify({ seq, type: 'request', command, arguments: args }), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
    return new Promise((resolve, reject) => this.pending.set(seq, { resolve, reject }));
  }

  waitFor(event, timeoutMs = 60000) {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no '${event}' event within ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`)), timeoutMs);
      this.once(event, b => { clearTimeout(t); resolve(b); });
    });
  }

  output() {
    return this.events.filter(e => e.event === 'output').map(e => e.body.output).join('');
  }

  kill() { this.child.kill(); }
}
