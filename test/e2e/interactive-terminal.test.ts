import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { startStreaming } from './support/commands.js';
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
import { KUBECTL } from './support/paths.js';
import { startOnTerminal } from './support/terminal.js';
import type { VkNode } from './support/vk-node.js';
import { eventually } from './support/wait.js';

const NODE = 'vk-interactive-tty';

function podYaml(name: string, container: string): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  nodeSelector: {e2e.vk-cmd.io/node: ${NODE}}
  tolerations: [{operator: Exists}]
  restartPolicy: Never
  containers:
${container}`;
}

const sleeper = (name: string): string =>
  podYaml(
    name,
    `  - name: c
    image: none
    command: [sleep, "3600"]
    env: [{name: GREETING, value: hello-from-vk-cmd}]
`,
  );

/** A container that answers each line of its stdin: what `kubectl attach -i` talks to. */
const echoer = (name: string): string =>
  podYaml(
    name,
    `  - name: c
    image: none
    stdin: true
    command: [sh, -c, 'while read line; do echo "got $line"; done']
`,
  );

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Typed commands print something their echo on the terminal does not contain ($((1+1)) -> 2),
// so a match is the command's output, never the characters typed.
for (const websockets of ['true', 'false']) {
  describe(`interactive pods on a terminal (KUBECTL_REMOTE_COMMAND_WEBSOCKETS=${websockets})`, function () {
    this.timeout(180_000);
    let node: VkNode;
    let namespace: string;
    const env = { ...process.env, KUBECTL_REMOTE_COMMAND_WEBSOCKETS: websockets };
    const kargs = (args: string[]) => [
      '--kubeconfig',
      testCluster().kubeconfigPath,
      '-n',
      namespace,
      ...args,
    ];

    before(async () => {
      node = await startVkNode(NODE);
      namespace = await createNamespace('interactive-tty');
      await mustKubectl(['apply', '-n', namespace, '-f', '-'], sleeper('p'));
      await waitForPod(namespace, 'p', isRunning('c'), 60_000, 'running');
    });
    after(async () => node && deleteNode(node));

    it('exec -it: a shell on a terminal, resized, exiting with its code', async () => {
      const t = startOnTerminal(KUBECTL, kargs(['exec', '-it', 'p', '--', 'sh']), {
        env,
        cols: 80,
        rows: 24,
      });
      try {
        t.type('echo "$GREETING-$((1+1))"; [ -t 0 ] && echo tty-$((2+2))\r');
        await t.waitFor(/hello-from-vk-cmd-2\r?\n(.|\n)*tty-4/, 60_000);
        t.type('echo size-$((1+2)) $(stty size)\r');
        await t.waitFor(/size-3 24 80/, 30_000);
        t.resize(100, 30);
        // kubectl sends the new size on its resize channel, apart from stdin: wait for it to land.
        t.type(
          'while [ "$(stty size)" != "30 100" ]; do sleep 0.1; done; echo resized-$((2+3)) $(stty size)\r',
        );
        await t.waitFor(/resized-5 30 100/, 30_000);
        t.type('exit 7\r');
        expect(await t.exited).to.equal(7);
      } finally {
        t.kill();
      }
    });

    it('attach -i talks to a stdin container, again after a runner restart', async () => {
      const name = `attach-${websockets}`;
      await mustKubectl(['apply', '-n', namespace, '-f', '-'], echoer(name));
      await waitForPod(namespace, name, isRunning('c'), 60_000, 'running');
      const attach = async (line: string): Promise<void> => {
        const child = spawn(KUBECTL, kargs(['attach', '-i', name, '-c', 'c']), {
          env,
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr.on('data', (c: Buffer) => (out += c.toString()));
        const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
        try {
          child.stdin.write(`${line}\n`);
          await eventually(
            () => out.includes(`got ${line}`) || child.exitCode !== null,
            60_000,
            `attach relays "got ${line}"`,
          );
          expect(out).to.contain(`got ${line}`);
        } finally {
          child.kill('SIGTERM');
          await closed;
        }
      };
      await attach('before-restart');
      await node.killRunner('SIGKILL');
      await node.startRunner();
      // The kubelet reconnects on its own; an exec answering says the runner serves again.
      await eventually(
        async () => (await kubectl(['exec', '-n', namespace, name, '--', 'true'])).code === 0,
        60_000,
        'exec answers after the runner restart',
      );
      await attach('after-restart');
      const pod = await waitForPod(namespace, name, isRunning('c'), 10_000, 'still running');
      expect(pod.status?.containerStatuses?.[0]?.restartCount).to.equal(0);
    });

    it('debug -it starts an ephemeral container in the target’s environment and attaches to it', async () => {
      const debugger_ = `dbg-${websockets}`;
      const t = startOnTerminal(
        KUBECTL,
        kargs(['debug', '-it', 'p', '--image=none', '--target=c', '-c', debugger_, '--', 'sh']),
        { env },
      );
      try {
        // Attach starts at the current output: the shell's first prompt may be gone; type until it answers.
        await eventually(
          () => {
            t.type('echo "debug-$((3+4)) $GREETING"\r');
            return /debug-7 hello-from-vk-cmd/.test(t.output());
          },
          60_000,
          'the debug shell answers',
          1_000,
        ).catch((err: Error) => {
          throw new Error(`${err.message}; kubectl printed:\n${t.output()}\n${node.logTail()}`);
        });
        t.type('exit\r');
        await t.exited;
      } finally {
        t.kill();
      }
      const pod = await waitForPod(
        namespace,
        'p',
        (p) =>
          p.status?.ephemeralContainerStatuses?.some(
            (s) => s.name === debugger_ && s.state?.terminated !== undefined,
          ) === true,
        60_000,
        `${debugger_} terminated`,
      );
      const status = pod.status!.ephemeralContainerStatuses!.find((s) => s.name === debugger_)!;
      expect(status.restartCount).to.equal(0);
      expect(pod.status?.containerStatuses?.[0]?.state?.running, 'the target keeps running').to.not.equal(
        undefined,
      );
    });

    it('deleting the pod ends its open exec session and kills the exec’d process', async () => {
      const name = `doomed-${websockets}`;
      await mustKubectl(['apply', '-n', namespace, '-f', '-'], sleeper(name));
      await waitForPod(namespace, name, isRunning('c'), 60_000, 'running');
      const session = startStreaming(
        KUBECTL,
        kargs(['exec', name, '--', 'sh', '-c', 'echo pid-$((1+1)) $$; exec sleep 3600']),
        env,
      );
      try {
        await session.waitForOutput((out) => /pid-2 \d+/.test(out), 60_000);
        const pid = Number(/pid-2 (\d+)/.exec(session.output())![1]);
        expect(isAlive(pid)).to.equal(true);
        await mustKubectl(['delete', 'pod', '-n', namespace, name, '--wait=false']);
        await session.exited;
        await eventually(() => !isAlive(pid), 30_000, "the exec'd process killed");
      } finally {
        session.kill();
      }
    });
  });
}
