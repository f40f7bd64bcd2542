import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DialInPki } from '../../support/dial-in-pki.js';
import { eventually } from './wait.js';
import { testCluster } from './e2e-env.js';
import { scriptPod } from './manifests.js';
import { KUBELET_BIN } from './paths.js';
import { KUBELET_NODE_FLAGS, kubeletMallocEnv } from './launch-settings.js';
import { spawnLogged } from './spawn-logged.js';

/** Sends `signal` and resolves once the child exited (at once if it already had). */
export async function kill(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}

/** What a `vk-cmd-kubelet --fleet` of the tests listens on and trusts. */
export interface FleetKubeletOptions {
  dir: string;
  pki: DialInPki;
  tokensFile: string;
  acceptPort: number;
  /** The first kubelet API port (--node-port-range). */
  portFrom: number;
  /** Ports in --node-port-range: the most nodes it can serve (default 10). */
  portCount?: number;
  runnerUnreachableGraceSeconds: number;
  /** Default: the shared test cluster's. */
  kubeconfigPath?: string;
  /** Flags added at the end (--node-labels, --klog.v to override...). */
  extraArgs?: string[];
  /** Node.js flags added to the kubelet's (--cpu-prof...). */
  nodeFlags?: string[];
}

/** Starts a fleet kubelet (mock provider, log `<dir>/kubelet.log`); does not wait for it. */
export function spawnFleetKubelet(o: FleetKubeletOptions): ChildProcess {
  const env = {
    ...process.env,
    ...kubeletMallocEnv(),
    KUBECONFIG: o.kubeconfigPath ?? testCluster().kubeconfigPath,
    VKUBELET_POD_IP: '127.0.0.1',
    JIRIAF_WALLTIME: '0',
    JIRIAF_NODETYPE: 'cpu',
    JIRIAF_SITE: 'mylin',
  };
  return spawnLogged(
    o.dir,
    'kubelet',
    KUBELET_BIN,
    [
      '--fleet',
      '--accept-runners',
      `127.0.0.1:${o.acceptPort}`,
      '--accept-runners-cert',
      o.pki.serverCertFile,
      '--accept-runners-key',
      o.pki.serverKeyFile,
      '--accept-runners-tokens',
      o.tokensFile,
      '--node-port-range',
      `${o.portFrom}-${o.portFrom + (o.portCount ?? 10) - 1}`,
      '--runner-unreachable-grace',
      String(o.runnerUnreachableGraceSeconds),
      '--healthz-port',
      '0',
      '--provider',
      'mock',
      '--klog.v',
      '3',
      ...(o.extraArgs ?? []),
    ],
    env,
    [...KUBELET_NODE_FLAGS, ...(o.nodeFlags ?? [])],
  );
}

/** Resolves once the kubelet started with spawnFleetKubelet logged that it accepts runners. */
export const waitFleetKubeletUp = (dir: string, timeoutMs = 60_000): Promise<void> =>
  eventually(
    () => {
      const file = path.join(dir, 'kubelet.log');
      return existsSync(file) && readFileSync(file, 'utf8').includes('Kubelet running a fleet');
    },
    timeoutMs,
    'kubelet accepting runners',
  );

/** A first free-looking block of ten ports for --node-port-range (random, to keep parallel runs apart). */
export const randomPortBlock = (): number => 32_000 + Math.floor(Math.random() * 300) * 10;

/** A pod running `script`, pinned to `node` through the scheduler (kubernetes.io/hostname names the node). */
export const podOn = (name: string, node: string, script: string): string =>
  scriptPod({ name, nodeName: node, script }).replace('e2e.vk-cmd.io/node:', 'kubernetes.io/hostname:');
