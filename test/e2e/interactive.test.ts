import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runCommand, startStreaming } from './support/commands.js';
import {
  createNamespace,
  deleteNode,
  isRunning,
  kubectl,
  mustKubectl,
  startVkNode,
  testCluster,
  waitForPod,
} from './support/e2e-env.js';
import { localHttpGet } from './support/https-get.js';
import { KUBECTL } from './support/paths.js';
import type { VkNode } from './support/vk-node.js';

const NODE = 'vk-interactive';

/** A pod whose one container sleeps, with an env var to find in `exec -- env`. */
function sleeperYaml(name: string): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  nodeSelector: {e2e.vk-cmd.io/node: ${NODE}}
  tolerations: [{operator: Exists}]
  restartPolicy: Never
  containers:
  - name: c
    image: none
    command: [sleep, "3600"]
    env: [{name: GREETING, value: hello-from-vk-cmd}]
`;
}

// kubectl's default (WebSocket to the API server, translated to SPDY) and SPDY throughout.
for (const websockets of ['true', 'false']) {
  describe(`interactive pods (KUBECTL_REMOTE_COMMAND_WEBSOCKETS=${websockets})`, function () {
    this.timeout(180_000);
    let node: VkNode;
    let namespace: string;
    const env = { ...process.env, KUBECTL_REMOTE_COMMAND_WEBSOCKETS: websockets };
    const k = (args: string[], input?: string) =>
      runCommand(KUBECTL, ['--kubeconfig', testCluster().kubeconfigPath, '-n', namespace, ...args], {
        env,
        input,
        timeoutMs: 60_000,
      });

    before(async () => {
      node = await startVkNode(NODE);
      namespace = await createNamespace('interactive');
      await mustKubectl(['apply', '-n', namespace, '-f', '-'], sleeperYaml('p'));
      await waitForPod(namespace, 'p', isRunning('c'), 60_000, 'running');
    });
    after(async () => node && deleteNode(node));

    it("exec shows the container's env", async () => {
      const result = await k(['exec', 'p', '--', 'env']);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.contain('GREETING=hello-from-vk-cmd');
    });

    it('exec exits with the command’s exit code', async () => {
      const result = await k(['exec', 'p', '--', 'sh', '-c', 'exit 3']);
      expect(result.code).to.equal(3);
    });

    it('exec -i passes piped stdin and its end', async () => {
      const result = await k(['exec', '-i', 'p', '--', 'sh', '-c', 'tr a-z A-Z'], 'piped input\n');
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.equal('PIPED INPUT\n');
    });

    it('cp copies a file in and back out', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-cp-'));
      try {
        const local = path.join(dir, 'in.txt');
        writeFileSync(local, 'copied through exec\n');
        const remote = `/tmp/vk-cmd-cp-${process.pid}-${websockets}.txt`;
        const push = await k(['cp', local, `p:${remote}`]);
        expect(push.code, push.stderr).to.equal(0);
        const back = path.join(dir, 'out.txt');
        const pull = await k(['cp', `p:${remote}`, back]);
        expect(pull.code, pull.stderr).to.equal(0);
        expect(readFileSync(back, 'utf8')).to.equal('copied through exec\n');
        await k(['exec', 'p', '--', 'rm', '-f', remote]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('port-forward reaches an HTTP server on the host, two connections at once', async () => {
      const server = http.createServer((req, res) => res.end(`hello ${req.url}`));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const remotePort = (server.address() as { port: number }).port;
      const forward = startStreaming(
        KUBECTL,
        [
          '--kubeconfig',
          testCluster().kubeconfigPath,
          '-n',
          namespace,
          'port-forward',
          'pod/p',
          `:${remotePort}`,
        ],
        env,
      );
      try {
        await forward.waitForOutput((out) => /Forwarding from 127\.0\.0\.1:\d+/.test(out), 30_000);
        const localPort = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(forward.output())![1]);
        const get = (p: string): Promise<string> => localHttpGet(localPort, p);
        expect(await Promise.all([get('/one'), get('/two')])).to.deep.equal(['hello /one', 'hello /two']);
      } finally {
        forward.kill();
        server.close();
      }
    });

    it('exec into a container that is not running fails at once with the kubelet’s message', async () => {
      await mustKubectl(
        ['apply', '-n', namespace, '-f', '-'],
        sleeperYaml(`done-${websockets}`).replace('[sleep, "3600"]', '[sh, -c, "sleep 1"]'),
      );
      await waitForPod(
        namespace,
        `done-${websockets}`,
        (p) => p.status?.containerStatuses?.[0]?.state?.terminated !== undefined,
        60_000,
        'terminated',
      );
      const started = Date.now();
      const result = await kubectl(['exec', '-n', namespace, `done-${websockets}`, '--', 'true']);
      expect(result.code).to.not.equal(0);
      expect(Date.now() - started).to.be.below(15_000);
      expect(result.stderr).to.match(/container not found|not running|completed pod/);
    });

    it('exec into an unknown container is refused', async () => {
      const result = await k(['exec', 'p', '-c', 'nope', '--', 'true']);
      expect(result.code).to.not.equal(0);
      expect(result.stderr).to.contain('nope');
    });
  });
}
