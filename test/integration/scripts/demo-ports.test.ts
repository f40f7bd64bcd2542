import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { freePort } from '../../support/free-port.js';
import { REPO_ROOT } from '../runner/support/processes.js';

const DEMO = path.join(REPO_ROOT, 'scripts', 'demo.sh');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** `scripts/demo.sh --check-ports`: the demo's port selection alone, as `make demo` runs it first. */
function checkPorts(env: Record<string, string>): Promise<Run> {
  const started = Date.now();
  const clean = { ...process.env };
  delete clean['KUBELET_PORT_DEMO'];
  delete clean['HEALTHZ_PORT_DEMO'];
  return new Promise((resolve) => {
    execFile(
      'bash',
      [DEMO, '--check-ports'],
      { env: { ...clean, ...env }, timeout: 20_000 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: Number(code), stdout, stderr, elapsedMs: Date.now() - started });
      },
    );
  });
}

/** Listens on `port` on every address, as a kubelet would; resolves undefined when it is already taken. */
function hold(port: number): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, () => resolve(server));
  });
}

function release(server: net.Server | undefined): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

const ports = (stdout: string): Record<string, number> =>
  Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((l) => l.split('='))
      .map(([k, v]) => [k!, Number(v)]),
  );

describe('make demo: port selection (scripts/demo.sh --check-ports)', function () {
  this.timeout(30_000);

  it('stops within 10 s naming a taken KUBELET_PORT_DEMO and the process holding it', async () => {
    const port = await freePort();
    const server = await hold(port);
    try {
      const run = await checkPorts({ KUBELET_PORT_DEMO: String(port) });
      expect(run.code).to.equal(1);
      expect(run.elapsedMs).to.be.below(10_000);
      expect(run.stderr).to.contain(`port ${port} (KUBELET_PORT_DEMO) is taken by`);
      expect(run.stderr).to.contain(`pid ${process.pid}`);
      expect(run.stdout).to.equal('');
    } finally {
      await release(server);
    }
  });

  it('moves to a free port when the default 10255 is taken, and says by whom', async () => {
    // Held by this test, or already by something else: taken either way.
    const server = await hold(10255);
    try {
      const run = await checkPorts({});
      expect(run.code, run.stderr).to.equal(0);
      const chosen = ports(run.stdout);
      expect(chosen['KUBELET_PORT']).to.be.above(10255);
      expect(chosen['HEALTHZ_PORT']).to.not.equal(chosen['KUBELET_PORT']);
      expect(run.stderr).to.match(/port 10255 is taken by .+; using \d+ for KUBELET_PORT_DEMO instead/);
      if (server) expect(run.stderr).to.contain(`pid ${process.pid}`);
    } finally {
      await release(server);
    }
  });

  it('uses free ports given in KUBELET_PORT_DEMO and HEALTHZ_PORT_DEMO as they are', async () => {
    const [kubelet, healthz] = [await freePort(), await freePort()];
    const run = await checkPorts({ KUBELET_PORT_DEMO: String(kubelet), HEALTHZ_PORT_DEMO: String(healthz) });
    expect(run.code, run.stderr).to.equal(0);
    expect(ports(run.stdout)).to.deep.equal({ KUBELET_PORT: kubelet, HEALTHZ_PORT: healthz });
  });

  it('refuses a value that is not a port', async () => {
    const run = await checkPorts({ KUBELET_PORT_DEMO: 'http' });
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain('KUBELET_PORT_DEMO=http is not a port number');
  });
});
