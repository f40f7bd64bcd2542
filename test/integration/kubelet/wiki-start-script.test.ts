import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { loadOrCreateServingCert } from '../../../src/kubelet/api/serving-cert.js';
import { FakeKubeApi } from './support/fake-kube-api.js';
import { FakeKubeHttp } from './support/fake-kube-http.js';
import { FakeRunner } from './support/fake-runner.js';
import { waitFor } from './support/harness.js';
import { groupIsAlive } from '../../e2e/support/processes.js';
import { REPO_ROOT } from '../../e2e/support/paths.js';
import { freePort } from '../../support/free-port.js';

const START_SH = path.join(REPO_ROOT, 'test', 'fixtures', 'kubelet-api', 'wiki-start.sh');

/** The certificate a TLS server presents, as PEM-comparable fingerprint. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.end();
      if (cert) resolve(cert.fingerprint256);
      else reject(new Error('no certificate'));
    });
    socket.on('error', reject);
  });
}

describe("the wiki's start.sh starts the kubelet unchanged", function () {
  this.timeout(60_000);
  let dir: string;
  let api: FakeKubeApi;
  let http: FakeKubeHttp;
  let runner: FakeRunner;
  let script: ChildProcess | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-start-sh-'));
    api = new FakeKubeApi();
    http = new FakeKubeHttp(api);
    const home = path.join(dir, 'home');
    mkdirSync(path.join(home, '.kube'), { recursive: true });
    mkdirSync(path.join(home, '.vk-cmd'), { recursive: true, mode: 0o700 });
    // No --runner in start.sh: the kubelet finds the runner at its default socket under $HOME.
    runner = new FakeRunner(path.join(home, '.vk-cmd', 'runner.sock'));
    await runner.start();
  });

  afterEach(async () => {
    const pgid = script?.pid;
    if (pgid !== undefined && groupIsAlive(pgid)) {
      process.kill(-pgid, 'SIGKILL');
      await waitFor(() => !groupIsAlive(pgid), 5000, 'the script to die');
    }
    await runner.stop();
    await http.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers the node with the labels, address, port and serving certificate the script sets', async () => {
    const main = path.join(dir, 'main');
    const vkPath = path.join(main, 'test-run', 'apiserver');
    mkdirSync(vkPath, { recursive: true });
    symlinkSync(path.join(REPO_ROOT, 'bin'), path.join(main, 'bin'));
    // The wiki's client.crt/client.key are the kubelet API's serving pair.
    const pair = await loadOrCreateServingCert(undefined, undefined, ['vk'], ['172.17.0.1']);
    writeFileSync(path.join(vkPath, 'client.crt'), pair.certPem);
    writeFileSync(path.join(vkPath, 'client.key'), pair.keyPem, { mode: 0o600 });
    const apiPort = await http.start();
    writeFileSync(path.join(dir, 'home', '.kube', 'config'), http.kubeconfig(apiPort));

    // The script as the wiki gives it; only MAIN moves to the temp tree, and KUBELET_PORT to a
    // free port, since a fixed port may be taken on a shared machine.
    const kubeletPort = await freePort();
    const original = readFileSync(START_SH, 'utf8');
    const text = original
      .replace('export MAIN="/workspaces/virtual-kubelet-cmd"', `export MAIN="${main}"`)
      .replace('export KUBELET_PORT="10255"', `export KUBELET_PORT="${kubeletPort}"`);
    expect(text.split('\n').filter((l, i) => l !== original.split('\n')[i])).to.have.length(2);
    writeFileSync(path.join(dir, 'start.sh'), text, { mode: 0o755 });

    const env: Record<string, string> = { PATH: process.env['PATH'] ?? '', HOME: path.join(dir, 'home') };
    script = spawn('bash', ['start.sh'], { cwd: dir, env, detached: true, stdio: 'ignore' });

    const ready = () =>
      api.nodes.get('vk')?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    const log = path.join(dir, 'vk.log');
    const tail = () => (existsSync(log) ? readFileSync(log, 'utf8').slice(-3000) : '(no log)');
    await waitFor(
      () => {
        if (script!.exitCode !== null) throw new Error(`start.sh exited with ${script!.exitCode}: ${tail()}`);
        return ready();
      },
      30_000,
      'node vk Ready',
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${tail()}`);
    });
    const node = api.nodes.get('vk')!;
    expect(node.metadata?.labels).to.include({
      type: 'virtual-kubelet',
      'kubernetes.io/role': 'agent',
      'kubernetes.io/hostname': 'vk',
      'jiriaf.nodetype': 'cpu',
      'jiriaf.site': 'Local',
      'jiriaf.walltime': '60',
    });
    expect(Number(node.metadata?.labels?.['jiriaf.alivetime'])).to.be.within(1, 60);
    expect(node.spec?.taints).to.deep.equal([
      { key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' },
    ]);
    expect(node.status?.addresses).to.deep.equal([{ type: 'InternalIP', address: '172.17.0.1' }]);
    expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).to.equal(kubeletPort);
    const cert = new X509Certificate(readFileSync(path.join(vkPath, 'client.crt')));
    expect(await servedFingerprint(kubeletPort), 'serves APISERVER_CERT_LOCATION').to.equal(
      cert.fingerprint256,
    );
    // The output goes where the script redirects it.
    await waitFor(
      () => readFileSync(log, 'utf8').includes('Kubelet running'),
      5000,
      'Kubelet running in vk.log',
    );

    // SIGTERM to the script's process group, as a batch system ending the job does.
    process.kill(-script.pid!, 'SIGTERM');
    await waitFor(() => !groupIsAlive(script!.pid!), 15_000, 'the kubelet to exit');
    expect(readFileSync(log, 'utf8'), readFileSync(log, 'utf8').slice(-1500)).to.contain('Stopped');
  });
});
