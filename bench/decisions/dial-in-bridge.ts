// What a dial-in runner's connection costs the kubelet
// (docs/decisions/0009-dial-in-runners.md): one real vk-cmd-runner that both
// listens on a unix socket and dials the kubelet's --accept-runners address;
// the kubelet side calls GetNodeInfo over the plain unix socket and over the
// dial-in node's client (grpc-js on the TLS connection the runner dialled,
// handed over by the bridge's credentials), one call at a time and 64 at a
// time, and counts the file descriptors the dial-in node holds. Each run is a
// fresh process with the kubelet's flags.
// Usage (after `make build`): node dist/bench/decisions/dial-in-bridge.js [--calls 2000]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KUBELET_NODE_FLAGS, REPO_ROOT, printTable, repeat, row, runChild } from './measure-support.js';

const SELF = fileURLToPath(import.meta.url);

interface BridgeResult {
  directP50Us: number;
  directP99Us: number;
  dialInP50Us: number;
  dialInP99Us: number;
  directPerSecond: number;
  dialInPerSecond: number;
  directCpuMsPer1000: number;
  dialInCpuMsPer1000: number;
  fdsPerNode: number;
}

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;

async function child(calls: number): Promise<BridgeResult> {
  const { makeDialInPki } = await import('../../test/support/dial-in-pki.js');
  const { DialInServer } = await import('../../src/kubelet/accept/dial-in-server.js');
  const { DialInChannel } = await import('../../src/kubelet/accept/dial-in-channel.js');
  const { createRunnerClient } = await import('../../src/kubelet/runner/runner-client.js');
  const { createRootLogger } = await import('../../src/common/logger.js');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-bridge-'));
  const pki = makeDialInPki(dir);
  const logger = createRootLogger('bench', -1);
  const fds = (): number => readdirSync('/proc/self/fd').length;
  const late: { channel?: InstanceType<typeof DialInChannel> } = {};
  const server = await DialInServer.open(
    {
      host: '127.0.0.1',
      port: 0,
      certFile: pki.serverCertFile,
      keyFile: pki.serverKeyFile,
      tokensFile: pki.tokensFile([['bench-token', 'bench-node']]),
      handshakeTimeoutMs: 10_000,
    },
    logger,
    { claim: (request) => late.channel!.claim(request) },
  );
  const fdsBefore = fds();
  const channel = new DialInChannel({ nodeName: 'bench-node', socketPath: server.socketPath(0), logger });
  late.channel = channel;
  await channel.open();
  const token = path.join(dir, 'token');
  writeFileSync(token, 'bench-token\n', { mode: 0o600 });
  const socket = path.join(dir, 'sock', 'runner.sock');
  const runner: ChildProcess = spawn(
    process.execPath,
    [
      path.join(REPO_ROOT, 'bin', 'vk-cmd-runner'),
      ...['--connect', `https://127.0.0.1:${server.port}`, '--connect-ca', pki.caFile, '--token-file', token],
      ...['--node-name', 'bench-node', '--listen', `unix://${socket}`, '--root-dir', path.join(dir, 'root')],
    ],
    { stdio: 'ignore' },
  );
  const direct = createRunnerClient({ target: `unix://${socket}`, transport: 'unix', insecure: false });
  const call = (client: typeof direct): Promise<void> =>
    new Promise((resolve, reject) =>
      client.getNodeInfo({}, { deadline: Date.now() + 30_000 }, (err) => (err ? reject(err) : resolve())),
    );
  let fdsPerNode = 0;
  try {
    // The dial-in node first, so that the count holds its descriptors and not the direct client's.
    for (const client of [channel.client, direct]) {
      for (let tries = 0; ; tries++) {
        try {
          await call(client);
          break;
        } catch (err) {
          if (tries > 200) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      if (client === channel.client) fdsPerNode = fds() - fdsBefore;
    }
    const sequential = async (
      client: typeof direct,
    ): Promise<{ p50: number; p99: number; cpuMs: number }> => {
      const times: number[] = [];
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < calls; i++) {
        const t0 = performance.now();
        await call(client);
        times.push((performance.now() - t0) * 1000);
      }
      const cpu = process.cpuUsage(cpu0);
      times.sort((a, b) => a - b);
      return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), cpuMs: (cpu.user + cpu.system) / 1000 };
    };
    const concurrent = async (client: typeof direct): Promise<number> => {
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (next < calls) {
            next++;
            await call(client);
          }
        }),
      );
      return calls / ((performance.now() - t0) / 1000);
    };
    // A first round warms both paths up (JIT); then they alternate, so load changes hit both alike.
    await sequential(direct);
    await sequential(channel.client);
    const d1 = await sequential(direct);
    const b1 = await sequential(channel.client);
    const dRate = await concurrent(direct);
    const bRate = await concurrent(channel.client);
    return {
      directP50Us: d1.p50,
      directP99Us: d1.p99,
      dialInP50Us: b1.p50,
      dialInP99Us: b1.p99,
      directPerSecond: dRate,
      dialInPerSecond: bRate,
      directCpuMsPer1000: (d1.cpuMs / calls) * 1000,
      dialInCpuMsPer1000: (b1.cpuMs / calls) * 1000,
      fdsPerNode,
    };
  } finally {
    direct.close();
    runner.kill('SIGTERM');
    await channel.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    console.log(JSON.stringify(await child(Number(args[1]))));
    process.exit(0);
  }
  const callsAt = args.indexOf('--calls');
  const calls = callsAt === -1 ? 2000 : Number(args[callsAt + 1]);
  const runs = await repeat(3, () =>
    runChild<BridgeResult>(SELF, ['--child', String(calls)], KUBELET_NODE_FLAGS),
  );
  printTable(
    `GetNodeInfo over the dial-in connection and directly over the runner's unix socket (${calls} calls)`,
    [
      row('one at a time, p50, direct', runs, (v) => v.directP50Us, 0, 'µs'),
      row('one at a time, p50, dial-in', runs, (v) => v.dialInP50Us, 0, 'µs'),
      row('one at a time, p99, direct', runs, (v) => v.directP99Us, 0, 'µs'),
      row('one at a time, p99, dial-in', runs, (v) => v.dialInP99Us, 0, 'µs'),
      row('64 in flight, direct', runs, (v) => v.directPerSecond, 0, 'calls/s'),
      row('64 in flight, dial-in', runs, (v) => v.dialInPerSecond, 0, 'calls/s'),
      row('kubelet CPU per 1000 calls, direct', runs, (v) => v.directCpuMsPer1000, 0, 'ms'),
      row('kubelet CPU per 1000 calls, dial-in', runs, (v) => v.dialInCpuMsPer1000, 0, 'ms'),
      row('file descriptors per dial-in node', runs, (v) => v.fdsPerNode, 0, ''),
    ],
  );
}

void main();
