import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pgidsUnder } from '../../../support/pgid-files.js';
import { expect } from 'chai';
import { runnerCommand } from '../../runner/support/processes.js';

export interface DialInRunnerOptions {
  /** https://127.0.0.1:PORT */
  url: string;
  nodeName: string;
  caFile: string;
  tokenFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Pods live here (and the runner's state, so a restart re-adopts them). */
  rootDir: string;
  extraArgs?: string[];
}

/**
 * A real vk-cmd-runner process started with --connect; its output is kept so
 * tests can wait for what it logs (refusals, connections).
 */
export class DialInRunner {
  child: ChildProcess | undefined;
  output = '';
  private starts = 0;

  constructor(readonly options: DialInRunnerOptions) {
    mkdirSync(options.rootDir, { recursive: true });
  }

  args(): string[] {
    const o = this.options;
    return [
      '--connect',
      o.url,
      '--connect-ca',
      o.caFile,
      '--node-name',
      o.nodeName,
      '--root-dir',
      o.rootDir,
      '--v',
      '3',
      ...(o.tokenFile ? ['--token-file', o.tokenFile] : []),
      ...(o.certFile && o.keyFile ? ['--tls-cert', o.certFile, '--tls-key', o.keyFile] : []),
      ...(o.extraArgs ?? []),
    ];
  }

  start(): void {
    this.starts++;
    const cmd = runnerCommand(this.args());
    const child = spawn(cmd.file, cmd.args, { env: cmd.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer): void => {
      this.output += chunk.toString('utf8');
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.output += `=== start ${this.starts}\n`;
    this.child = child;
  }

  /** Resolves with the first match of `pattern` in the output since `from` (an offset into it). */
  async waitForOutput(pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.slice(from).match(pattern);
      if (match) return match;
      if (Date.now() > deadline) {
        throw new Error(
          `runner output did not match ${String(pattern)} within ${timeoutMs} ms:\n${this.output.slice(-3000)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  /** Stops the runner and kills every process group it started. */
  async stop(): Promise<void> {
    await this.kill('SIGTERM');
    for (const pgid of pgidsUnder(path.resolve(this.options.rootDir))) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/**
 * Starts every runner, then checks that the kubelet refused each with its
 * HTTP status and reason, as the runner prints it, and that none served.
 */
export async function expectRefused(cases: ReadonlyArray<[DialInRunner, number, string]>): Promise<void> {
  for (const [r] of cases) r.start();
  for (const [r, status, reason] of cases) {
    const [line = ''] = await r.waitForOutput(/.*The kubelet refused this runner.*/, 60_000);
    expect(line).to.contain(`"status":${status}`);
    expect(line).to.contain(`The kubelet refused this runner: ${reason}`);
    expect(r.output, 'refused runners never serve').to.not.contain('Connected to the kubelet');
  }
}
