import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import WebSocket from 'ws';
import { runCommand } from './support/commands.js';
import {
  createNamespace,
  deleteNode,
  isRunning,
  kc,
  mustKubectl,
  startVkNode,
  waitForPod,
} from './support/e2e-env.js';
import { KUBECTL } from './support/paths.js';
import type { VkNode } from './support/vk-node.js';

const NODE = 'vk-interactive-auth';

/** The outcome of a WebSocket exec straight at the kubelet: the refusal's status, or stdout. */
function execOverWebSocket(
  port: number,
  pathAndQuery: string,
  token?: string,
): Promise<{ status: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}${pathAndQuery}`, ['v4.channel.k8s.io'], {
      rejectUnauthorized: false,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    let stdout = '';
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, stdout: '' });
      ws.terminate();
    });
    ws.on('message', (data: Buffer) => {
      if (data[0] === 1) stdout += data.subarray(1).toString('utf8');
    });
    ws.on('close', () => resolve({ status: 101, stdout }));
    ws.on('error', reject);
  });
}

describe('interactive pods: who may open a session', function () {
  this.timeout(180_000);
  let node: VkNode;
  let namespace: string;
  let dir: string;
  const tokens: Record<'admin' | 'nobody', string> = { admin: '', nobody: '' };

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-stream-auth-'));
    node = await startVkNode(NODE);
    namespace = await createNamespace('stream-auth');
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  nodeSelector: {e2e.vk-cmd.io/node: ${NODE}}
  tolerations: [{operator: Exists}]
  containers: [{name: c, image: none, command: [sleep, "3600"]}]
`,
    );
    // kubelet-api-admin grants nodes/proxy (what the kubelet checks for exec); nobody has no rights.
    await mustKubectl(['create', 'serviceaccount', '-n', namespace, 'admin']);
    await mustKubectl(['create', 'serviceaccount', '-n', namespace, 'nobody']);
    await mustKubectl([
      'create',
      'clusterrolebinding',
      `${namespace}-admin`,
      '--clusterrole=system:kubelet-api-admin',
      `--serviceaccount=${namespace}:admin`,
    ]);
    tokens.admin = (await mustKubectl(['create', 'token', '-n', namespace, 'admin'])).trim();
    tokens.nobody = (await mustKubectl(['create', 'token', '-n', namespace, 'nobody'])).trim();
    await waitForPod(namespace, 'p', isRunning('c'), 60_000, 'running');
  });
  after(async () => {
    await mustKubectl(['delete', 'clusterrolebinding', `${namespace}-admin`, '--ignore-not-found']);
    if (node) await deleteNode(node);
    rmSync(dir, { recursive: true, force: true });
  });

  const execPath = () => `/exec/${namespace}/p/c?command=echo&command=allowed&output=1`;

  it('the kubelet refuses an anonymous session with 401 and an unauthorised one with 403', async () => {
    expect((await execOverWebSocket(node.kubeletPort, execPath())).status).to.equal(401);
    expect((await execOverWebSocket(node.kubeletPort, execPath(), 'not-a-token')).status).to.equal(401);
    expect((await execOverWebSocket(node.kubeletPort, execPath(), tokens.nobody)).status).to.equal(403);
    for (const route of [`/attach/${namespace}/p/c?output=1`, `/portForward/${namespace}/p?port=80`]) {
      expect((await execOverWebSocket(node.kubeletPort, route)).status, route).to.equal(401);
      expect((await execOverWebSocket(node.kubeletPort, route, tokens.nobody)).status, route).to.equal(403);
    }
  });

  it('the kubelet runs the session of a caller with nodes/proxy', async () => {
    const allowed = await execOverWebSocket(node.kubeletPort, execPath(), tokens.admin);
    expect(allowed).to.deep.equal({ status: 101, stdout: 'allowed\n' });
  });

  it('through the API server: a bad token is unauthorised, a user without pods/exec is forbidden', async () => {
    const server = kc().getCurrentCluster()!.server;
    const kubeconfigFor = (token: string): string => {
      const file = path.join(dir, `kubeconfig-${token.length}-${token.slice(-6)}`);
      writeFileSync(
        file,
        `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: "${token}"}}]
contexts: [{name: x, context: {cluster: c, user: u, namespace: ${namespace}}}]
current-context: x
`,
      );
      return file;
    };
    const exec = (token: string) =>
      runCommand(KUBECTL, ['--kubeconfig', kubeconfigFor(token), 'exec', 'p', '--', 'echo', 'hi']);
    const bogus = await exec('not-a-token');
    expect(bogus.code).to.not.equal(0);
    expect(bogus.stderr).to.match(/Unauthorized|must be logged in/);
    const nobody = await exec(tokens.nobody);
    expect(nobody.code).to.not.equal(0);
    expect(nobody.stderr).to.match(/forbidden/i);
  });
});
