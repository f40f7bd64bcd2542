import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { checkLauncherUsed, eventually, runnerCommand } from './support/runner-harness.js';

function run(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const cmd = runnerCommand(args, env);
  return spawnSync(cmd.file, cmd.args, { encoding: 'utf8', env: cmd.env, timeout: 20_000 });
}

function start(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const cmd = runnerCommand(args, env);
  return spawn(cmd.file, cmd.args, { env: cmd.env, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('runner: command line', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('--help and --version', () => {
    const help = run(['--help']);
    expect(help.status).to.equal(0);
    expect(help.stdout)
      .to.contain('--listen ADDR')
      .and.contain('--stderr-policy')
      .and.contain('--keep-pod-dirs');
    const version = run(['--version']);
    expect(version.status).to.equal(0);
    expect(version.stdout).to.match(/^vk-cmd-runner \d+\.\d+\.\d+/);
  });

  const bad: Array<[string[], string]> = [
    [['--nope'], 'unknown flag --nope'],
    [['--stderr-policy', 'x'], '--stderr-policy'],
    [['--listen', 'tcp://127.0.0.1:1'], '--tls-cert'],
  ];
  for (const [args, message] of bad) {
    it(`an invalid flag stops with a message naming it: ${args.join(' ')}`, () => {
      const r = run(args);
      expect(r.status).to.equal(2);
      expect(r.stderr).to.contain(message);
    });
  }

  it('refuses a socket directory that others can reach', () => {
    const sockDir = path.join(dir, 'open');
    mkdirSync(sockDir, { mode: 0o755 });
    chmodSync(sockDir, 0o755);
    const r = run(['--listen', `unix://${sockDir}/r.sock`, '--root-dir', path.join(dir, 'root')]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain('has mode 755; other users could reach the runner');
  });

  it('refuses a token file others can read', () => {
    const token = path.join(dir, 'token');
    writeFileSync(token, 'x');
    chmodSync(token, 0o644);
    const r = run([
      '--listen',
      'tcp://127.0.0.1:1',
      '--insecure',
      '--token-file',
      token,
      '--root-dir',
      path.join(dir, 'root'),
    ]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain('--token-file');
  });

  it('default listen: a 0700 directory under $XDG_RUNTIME_DIR; a stale socket is replaced; SIGTERM stops it', async () => {
    const xdg = path.join(dir, 'xdg');
    mkdirSync(xdg);
    const sock = path.join(xdg, 'vk-cmd', 'runner.sock');
    mkdirSync(path.dirname(sock), { mode: 0o700 });
    // A stale socket file: its listener was killed, so nobody answers and nobody removed it.
    const killed = spawnSync(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(sock)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
    expect(killed.signal).to.equal('SIGKILL');
    expect(statSync(sock).isSocket()).to.equal(true);
    const env = { ...process.env, XDG_RUNTIME_DIR: xdg, HOME: dir };
    const child = start(['--root-dir', path.join(dir, 'root')], env);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await eventually(() => out.includes('listening on'), 20_000, 'banner');
      expect(out).to.contain(`listening on ${sock}`);
      expect(statSync(path.dirname(sock)).mode & 0o777).to.equal(0o700);
      expect(statSync(sock).isSocket()).to.equal(true);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a second runner on the same state directory', async () => {
    const root = path.join(dir, 'root');
    const sock = (n: string) => {
      mkdirSync(path.join(dir, n), { mode: 0o700 });
      return `unix://${path.join(dir, n, 'r.sock')}`;
    };
    const first = start(['--listen', sock('a'), '--root-dir', root]);
    let out = '';
    first.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await eventually(() => out.includes('listening on'), 20_000, 'first runner');
      checkLauncherUsed(first.pid!);
      const second = run(['--listen', sock('b'), '--root-dir', root]);
      expect(second.status).to.equal(2);
      expect(second.stderr).to.contain(`is in use by another runner (pid ${first.pid})`);
    } finally {
      first.kill('SIGKILL');
    }
  });
});
